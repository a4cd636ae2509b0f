"""The quiz builder on the seed index: valid items, distractor kinds and support, determinism."""

from __future__ import annotations

import re

import numpy as np
import pytest

from quiz import TOPICS, TYPES, build_quiz
from quiz.items import BLANK
from quiz.lexicon import fold, pools
from quiz.quantities import find_quantities
from quiz.support import LexicalJudge, default_judge
from quiz.variants import accepts


def test_acceptance_thirty_valid_items_of_three_types(quiz30):
    items, stats = quiz30.items, quiz30.stats
    assert len(items) == 30 and stats.selected == 30 and stats.shortfall == 0
    assert len({it.type for it in items}) >= 3
    assert len({it.id for it in items}) == 30
    assert stats.generated > stats.selected
    assert set(stats.dropped) >= {"debris", "key_outside_passage", "duplicate_stem", "supported_by_corpus"}


def test_every_item_is_grounded(quiz30, seed_index):
    stems = set()
    for it in quiz30.items:
        c = it.citation
        doc = seed_index.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.quote, it.id
        assert c.title == doc.title and c.chunk_id in seed_index.chunk_by_id
        assert not any(r.start < c.end and r.end > c.start for r in doc.removed), "page debris cited"
        key = it.key
        assert c.start <= key["start"] < key["end"] <= c.end
        assert doc.text[key["start"] : key["end"]] == key["text"]
        assert it.type in TYPES and it.topic in TOPICS and it.difficulty in ("easy", "medium", "hard")
        assert c.quote in it.explanation
        stem = re.sub(r"\W+", " ", it.question.lower())
        assert stem not in stems, "duplicate stem"
        stems.add(stem)


def test_item_shapes(quiz30):
    for it in quiz30.items:
        if it.type == "mcq":
            assert len(it.options) >= 4 and it.answer in it.options
            assert len({fold(o) for o in it.options}) == len(it.options)
            assert it.answer == it.key["text"]
        elif it.type == "true_false":
            assert it.options == ["True", "False"] and it.answer in ("True", "False")
            assert "source" in it.explanation
        elif it.type == "cloze":
            assert it.question.count(BLANK) == 1 and it.answer == it.key["text"]
            assert accepts(it.answer, it.accepted)
        else:
            assert it.accepted and accepts(it.answer, it.accepted) and BLANK not in it.question
    assert {it.answer for it in quiz30.items if it.type == "true_false"} == {"True", "False"}


def test_distractors_are_of_the_key_kind(quiz30):
    for it in [i for i in quiz30.items if i.type == "mcq"]:
        wrong = [o for o in it.options if o != it.answer]
        if it.kind in ("dose", "percentage", "duration", "frequency", "ratio", "decade"):
            key_kind = {q.kind for q in find_quantities(it.citation.quote) if q.text == it.answer}
            for option in wrong:
                # written into the source sentence, a distractor is a quantity of the same kind
                at = it.key["start"] - it.citation.start
                claim = it.citation.quote[:at] + option + it.citation.quote[at + len(it.answer) :]
                kinds = {q.kind for q in find_quantities(claim) if q.start == at}
                assert kinds == key_kind, (it.answer, option)
        else:
            pool = {fold(t.term) for t in pools()[it.kind]}
            for option in wrong:
                assert re.sub(r"s$", "", fold(option)) in {re.sub(r"s$", "", p) for p in pool}, (it.kind, option)


def _claims(it, index):
    """The key's statement and each distractor's: the cited quote with the option in the key's
    place, or, for a member of a bulleted list, the list's lead-in followed by the option."""
    at = it.key["start"] - it.citation.start
    quote = it.citation.quote
    sentence = next(s for s in index.sentences if s.doc_id == it.citation.doc_id and s.start <= it.key["start"] < s.end)
    lead = index.sentence_by_id.get(sentence.lead_sentence) if sentence.lead_sentence else None
    for option in it.options:
        if lead is not None and sentence.start == it.key["start"]:
            yield option, f"{lead.text.rstrip(': ')} {option}."
        else:
            yield option, quote[:at] + option + quote[at + len(it.answer) :]


def _leads(it, index):
    """The lead-in of the list the cited sentence belongs to, if any."""
    for s in index.sentences:
        if s.doc_id == it.citation.doc_id and s.start <= it.key["start"] < s.end and s.lead_sentence:
            yield index.sentence_by_id[s.lead_sentence].text


def _retrieve(index, encoder, text, k=6):
    """Passages for a claim by the index's own search (dense + BM25 over sentences), independent
    of how the builder chose its neighbours."""
    from index.lexical import tokenize

    vec = encoder.encode([text])
    _scores, dense = index.search_dense(vec, k, level="sentence")
    lexical = np.argsort(-index.sentence_bm25.scores(tokenize(text)), kind="stable")[:k]
    positions = list(dict.fromkeys([int(p) for p in dense[0] if p >= 0] + [int(p) for p in lexical]))
    out = []
    for p in positions:
        s = index.sentences[p]
        lead = index.sentence_by_id.get(s.lead_sentence) if s.lead_sentence else None
        out.append(f"{lead.text} {s.text}" if lead else s.text)
    return out


def test_mcq_key_supported_and_no_distractor_supported(quiz30, seed_index, encoder):
    """For every mcq item, the support judge finds the key in the cited passage and finds no
    passage of the corpus that supports any distractor in the key's place."""
    judge, name = default_judge(encoder)
    mcqs = [it for it in quiz30.items if it.type == "mcq"]
    assert mcqs
    for it in mcqs:
        claims = dict(_claims(it, seed_index))
        # the cited quote, read (for a bulleted list member) after its list's lead-in
        cited = [it.citation.quote, *(f"{lead} {it.citation.quote}" for lead in _leads(it, seed_index))]
        key_verdicts = judge.judge_many([(claims[it.answer], p) for p in cited])
        assert any(v.supported for v in key_verdicts), (name, it.question, [v.reasons for v in key_verdicts])
        for option, claim in claims.items():
            if option == it.answer:
                continue
            passages = _retrieve(seed_index, encoder, claim)
            verdicts = judge.judge_many([(claim, p) for p in passages])
            supporting = [p for p, v in zip(passages, verdicts, strict=True) if v.supported]
            assert not supporting, (name, it.question, option, supporting[:1])


def test_false_statements_are_unsupported(quiz30, seed_index, encoder):
    judge, _ = default_judge(encoder)
    for it in [i for i in quiz30.items if i.type == "true_false" and i.answer == "False"]:
        statement = it.question.split('": ', 1)[1]
        passages = _retrieve(seed_index, encoder, statement)
        assert not any(v.supported for v in judge.judge_many([(statement, p) for p in passages])), statement


def test_same_seed_same_quiz_other_seed_other_quiz(seed_index):
    judge = LexicalJudge()
    a = build_quiz(seed_index, n=20, seed=3, judge=judge)
    b = build_quiz(seed_index, n=20, seed=3, judge=LexicalJudge())
    c = build_quiz(seed_index, n=20, seed=4, judge=judge)
    assert [i.to_dict() for i in a.items] == [i.to_dict() for i in b.items]
    assert [i.id for i in a.items] != [i.id for i in c.items]


@pytest.mark.slow  # two fresh interpreters, each loading the model
def test_seed_is_stable_across_hash_seeds(seed_index_dir, tmp_path):
    """No set iteration decides anything: two interpreters with different PYTHONHASHSEED agree."""
    import os
    import subprocess
    import sys

    code = (
        "import json,sys;from index.store import load_index;from quiz import build_quiz;"
        "from quiz.support import LexicalJudge;"
        f"q=build_quiz(load_index({str(seed_index_dir)!r}),n=12,seed=5,judge=LexicalJudge());"
        "print(json.dumps([i.to_dict() for i in q.items]))"
    )
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        outs.append(
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        )
    assert outs[0] == outs[1] and outs[0].startswith("[")


def test_filters_types_topics_difficulty(seed_index):
    judge = LexicalJudge()
    q = build_quiz(seed_index, n=6, types=["mcq"], topics=["dosing"], seed=1, judge=judge)
    assert q.items and {i.type for i in q.items} == {"mcq"} and {i.topic for i in q.items} == {"dosing"}
    q = build_quiz(seed_index, n=5, types=["true_false", "cloze"], difficulty="hard", seed=1, judge=judge)
    assert q.items and all(i.difficulty == "hard" and i.type in ("true_false", "cloze") for i in q.items)


def test_fewer_valid_items_than_asked_is_said_not_padded(seed_index):
    messages = []
    q = build_quiz(seed_index, n=200, types=["short"], seed=0, judge=LexicalJudge(), log=messages.append)
    assert 0 < len(q.items) < 200 and q.stats.shortfall == 200 - len(q.items)
    assert any("only" in m and "valid items" in m for m in messages)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "--n"),
        ({"types": ["essay"]}, "item type"),
        ({"topics": ["cost"]}, "topic"),
        ({"difficulty": "x"}, "difficulty"),
    ],
)
def test_bad_options_are_input_errors(seed_index, kwargs, message):
    from index.errors import InputError

    with pytest.raises(InputError, match=message):
        build_quiz(seed_index, **kwargs)
