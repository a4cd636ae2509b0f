"""The QASystem interface, its LangChain runnable, and question limits."""

from __future__ import annotations

import pytest
from langchain_core.runnables import Runnable

from index.errors import InputError
from index.settings import MAX_QUESTION_CHARS
from index.types import Answer
from rag.pipeline import QASystem, clean_question


def test_runnable_invoke_and_batch(qa):
    chain = qa.runnable()
    assert isinstance(chain, Runnable)
    one = chain.invoke("What is the elimination half-life of baclofen?")
    assert isinstance(one, Answer) and "two to four hours" in one.answer
    many = chain.batch(["How should baclofen tablets be stored?", "What is the capital of France?"])
    assert [a.question for a in many] == ["How should baclofen tablets be stored?", "What is the capital of France?"]
    assert not many[0].abstained and many[1].abstained


def test_retrieve_returns_chunks_best_first(qa):
    hits = qa.retrieve("How should baclofen tablets be stored?", k=3)
    assert len(hits) == 3
    assert "room temperature" in hits[0][0].text
    assert hits[0][1] >= hits[1][1] >= hits[2][1]


def test_answer_serialises_to_the_contract(qa):
    data = qa.ask("What is the usual starting oral dose of baclofen?").to_contract()
    assert {"question", "answer", "abstained", "sentences", "citations", "conflicts"} <= set(data)
    c = data["citations"][0]
    assert {"n", "doc_id", "title", "source", "chunk_id", "start", "end", "quote"} <= set(c)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t"])
def test_blank_questions_are_refused(qa, bad):
    with pytest.raises(InputError):
        qa.ask(bad)


def test_long_questions_are_cut_with_a_warning():
    warnings = []
    q = clean_question("What is baclofen? " * 500, warn=warnings.append)
    assert len(q) == MAX_QUESTION_CHARS and warnings


@pytest.mark.slow
def test_from_paths_builds_a_missing_index(tmp_path, seed_corpus, encoder):
    messages = []
    system = QASystem.from_paths(seed_corpus, tmp_path / "idx", encoder=encoder, log=messages.append)
    assert any("building the index" in m for m in messages)
    assert (tmp_path / "idx" / "CURRENT").is_file()
    answer = system.ask("How should baclofen tablets be stored?")
    assert "room temperature" in answer.answer
    doc = system.index.documents[answer.citations[0].doc_id]
    assert doc.text[answer.citations[0].start : answer.citations[0].end] == answer.citations[0].quote
