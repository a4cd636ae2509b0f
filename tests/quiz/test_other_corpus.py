"""The builder is general: a small corpus about another drug yields grounded items too, and a
corpus with nothing to ask about yields none (said, not padded)."""

from __future__ import annotations

import pytest

from quiz import build_quiz
from quiz.support import LexicalJudge

OTHER = "\n".join(
    [
        "Tizanidine in Practice",
        "",
        "How Tizanidine Works",
        "Tizanidine is a central alpha-2 adrenergic receptor agonist that reduces spasticity by increasing "
        "presynaptic inhibition of motor neurons.",
        "",
        "Dosing",
        "Tizanidine is usually started at 2 mg every 8 hours, and the dose can be increased in steps of 2 mg "
        "to 4 mg. The maximum daily dose is 36 mg.",
        "",
        "Pharmacokinetics",
        "Tizanidine is extensively metabolised by the liver, with an oral bioavailability of about 40%. It "
        "reaches peak plasma concentrations about one hour after a dose, and its half-life is approximately "
        "two hours.",
        "",
        "Adverse Effects",
        "Common adverse effects of tizanidine include:",
        "- Dry mouth",
        "- Somnolence",
        "- Asthenia",
        "- Dizziness",
        "Caution is advised in patients with hepatic impairment, hypotension, or renal impairment.",
        "",
    ]
)


@pytest.fixture(scope="module")
def other_index(tmp_path_factory, encoder):
    from index.store import build_index, quiet_log

    corpus = tmp_path_factory.mktemp("other") / "corpus"
    corpus.mkdir()
    (corpus / "tizanidine.txt").write_text(OTHER, encoding="utf-8")
    return build_index(corpus, tmp_path_factory.mktemp("other-index"), encoder=encoder, log=quiet_log).index


def test_other_drug_corpus_gives_grounded_items(other_index):
    q = build_quiz(other_index, n=12, seed=0, judge=LexicalJudge())
    assert len(q.items) >= 6 and len({i.type for i in q.items}) >= 3
    kinds = {i.kind for i in q.items}
    assert kinds & {"dose", "frequency", "percentage", "duration"} and kinds & {"side_effect", "condition", "receptor"}
    for it in q.items:
        doc = other_index.documents[it.citation.doc_id]
        assert doc.text[it.citation.start : it.citation.end] == it.citation.quote
        assert doc.text[it.key["start"] : it.key["end"]] == it.key["text"]
    for it in [i for i in q.items if i.type == "mcq" and i.kind == "side_effect"]:
        wrong = {o.lower() for o in it.options if o != it.answer}
        assert not {"dry mouth", "somnolence", "asthenia", "dizziness"} & wrong


def test_nothing_to_ask_gives_no_items(tmp_path, encoder):
    from index.store import build_index, quiet_log

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("A Note\n\nThis page has been moved to a new address.\n", encoding="utf-8")
    index = build_index(corpus, tmp_path / "index", encoder=encoder, log=quiet_log).index
    messages = []
    q = build_quiz(index, n=5, judge=LexicalJudge(), log=messages.append)
    assert q.items == [] and q.stats.shortfall == 5
    assert any("only 0 valid items" in m for m in messages)
