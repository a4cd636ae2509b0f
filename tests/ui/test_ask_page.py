"""The Ask page, driven by AppTest over the seed index with the real answerer (rag.pipeline.QASystem)."""

from __future__ import annotations

import html
import re

import pytest

from index.store import current_build
from index.types import Answer, AnswerSentence, Citation, Conflict, ConflictStatement
from tests.ui.conftest import ask_on_page as ask
from tests.ui.conftest import open_app

MAX_DOSE = "What is the maximum daily dose of oral baclofen?"


@pytest.fixture(scope="module")
def qa(seed_index):
    from rag.pipeline import QASystem

    return QASystem(seed_index)


def html_of(at) -> str:
    return "\n".join(e.value for e in at.html)


def test_a_question_gets_an_answer_with_markers_and_each_quote_marked_in_context(seeded, seed_index, qa):
    expected = qa.ask(MAX_DOSE)
    assert not expected.abstained and expected.citations
    at = ask(open_app(), MAX_DOSE)
    page = html_of(at)
    # The answer, with each [n] linked to its passage.
    assert any('class="bqa-answer"' in e.value for e in at.html)
    for c in expected.citations:
        assert f'href="#bqa-cite-{c.n}">[{c.n}]</a>' in page
        assert f'id="bqa-cite-{c.n}"' in page
        # The quote is highlighted inside its document's text, escaped, with title and section.
        assert f"<mark>{html.escape(c.quote)}</mark>" in page
        assert html.escape(c.title) in page
        doc = seed_index.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.quote
    # Sources that disagree are called out with both sides.
    warnings = " ".join(w.value for w in at.warning)
    for conflict in expected.conflicts:
        assert "The sources differ" in warnings
        for side in conflict.statements:
            assert f"[{side.citation}]" in warnings
    # Copy: the answer and its references as text; downloads; the note; the history.
    copy = at.code[0].value
    assert "References" in copy and expected.citations[0].quote.split()[0] in copy
    assert {b.label for b in at.get("download_button")} == {"Download as text", "Download as JSON"}
    assert "not medical advice" in " ".join(c.value for c in at.caption)
    assert at.button(key="ask_history_0").label == MAX_DOSE
    assert at.session_state["ask_history"][0].answer == expected.answer


def test_an_example_question_is_asked_with_one_click(seeded):
    at = open_app()
    example = at.pills(key="ask_example").options[2]
    at.pills(key="ask_example").set_value(example).run()
    assert not at.exception
    assert at.text_input(key="ask_question").value == example
    assert any('class="bqa-answer"' in e.value for e in at.html)
    assert [h.question for h in at.session_state["ask_history"]] == [example]


def test_a_question_the_corpus_does_not_answer_says_so_and_shows_the_closest_passages(seeded, qa):
    question = "What is the capital of France?"
    expected = qa.ask(question)
    assert expected.abstained
    at = ask(open_app(), question)
    assert any("do not answer" in i.value or "not answer" in i.value for i in at.info)
    assert not any('class="bqa-answer"' in e.value for e in at.html)
    assert any("Closest passages" in m.value for m in at.markdown)
    page = html_of(at)
    for c in expected.citations:
        assert f"<mark>{html.escape(c.quote)}</mark>" in page


def test_a_blank_question_is_a_message(seeded):
    at = ask(open_app(), "   ")
    assert [e.value for e in at.error] == ["Type a question first."]
    assert at.session_state["ask_history"] == []


def test_history_keeps_the_sessions_questions_and_shows_an_earlier_answer(seeded):
    at = open_app()
    ask(at, MAX_DOSE)
    ask(at, "Can baclofen be stopped suddenly?")
    assert at.button(key="ask_history_0").label == MAX_DOSE
    at.button(key="ask_history_0").click().run()
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headings and "maximum daily dose" in headings[0]
    at.button(key="ask_clear").click().run()
    assert at.session_state["ask_history"] == []


def test_markup_in_questions_and_corpus_text_is_never_rendered(seeded, seed_index):
    """An answer whose texts hold markup: everything reaches the page escaped; conflicts show both sides."""
    sentences = [s for s in seed_index.sentences if s.kind == "prose"][:2]
    doc = seed_index.documents[sentences[0].doc_id]
    cites = [
        Citation(
            n=i + 1,
            doc_id=s.doc_id,
            title="<img src=x onerror=alert(1)> " + seed_index.documents[s.doc_id].title,
            source=seed_index.documents[s.doc_id].source,
            chunk_id=s.chunk_id,
            start=s.start,
            end=s.end,
            quote=s.text,
            section=s.section,
        )
        for i, s in enumerate(sentences)
    ]
    answer = Answer(
        question="<script>alert('q')</script> dose?",
        answer="First <b>claim</b> [1]. Second $5$ claim [2].",
        abstained=False,
        sentences=[AnswerSentence("First <b>claim</b>", [1]), AnswerSentence("Second $5$ claim", [2])],
        citations=cites,
        conflicts=[Conflict("the *dose*", [ConflictStatement("<i>80 mg</i>", 1), ConflictStatement("100 mg", 2)])],
    )
    at = open_app()
    at.session_state["ask_history"] = [answer]
    at.session_state["ask_shown"] = 0
    at.run()
    assert not at.exception
    page = html_of(at)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;b&gt;claim&lt;/b&gt;" in page and "&lt;img src=x" in page
    assert f"<mark>{html.escape(sentences[0].text)}</mark>" in page
    assert doc.text[sentences[0].start : sentences[0].end] == sentences[0].text
    markdown = " ".join(m.value for m in at.markdown) + " ".join(w.value for w in at.warning)
    assert "<script>" not in markdown and r"\<script\>" in markdown
    warning = at.warning[0].value
    assert "The sources differ on the \\*dose\\*" in warning
    assert re.search(r"\\<i\\>80 mg\\</i\\> \*\*\[1\]\*\*", warning) and "100 mg **[2]**" in warning


def test_a_damaged_index_makes_asking_a_message_not_a_traceback(own_copy):
    _, index_dir = own_copy
    (current_build(index_dir) / "sentences.jsonl").write_text("damaged\n")
    at = ask(open_app(), MAX_DOSE)
    assert any("damaged" in e.value for e in at.error)
    assert at.session_state["ask_history"] == []
