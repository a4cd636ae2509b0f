"""Hybrid retrieval: fusion over list heads, the LangChain retriever, lay and misspelt questions."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from rag.retrieval import lexical_head, rrf


def test_rrf_rewards_agreement_between_lists():
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert max(fused, key=fused.get) == 1


def test_lexical_head_leaves_out_zero_scores():
    scores = np.array([0.0, 2.5, 0.0, 1.0, 3.0], dtype=np.float32)
    assert lexical_head(scores, 10) == [4, 1, 3]
    assert lexical_head(scores, 2) == [4, 1]
    assert lexical_head(np.zeros(4, dtype=np.float32), 10) == []


def test_retriever_is_a_langchain_retriever(qa):
    assert isinstance(qa.retriever, BaseRetriever)
    docs = qa.retriever.invoke("What is the half-life of baclofen?")
    assert docs and all(isinstance(d, LCDocument) for d in docs)
    top = docs[0]
    doc = qa.index.documents[top.metadata["doc_id"]]
    assert doc.text[top.metadata["start"] : top.metadata["end"]] == top.page_content
    assert "half-life" in " ".join(d.page_content for d in docs[:3])


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("baclofn withdrawl symptoms?", "hallucinations"),
        ("does baclofen make you sleepy", "rowsiness"),
        ("how long does baclofen stay in ur system", "half-life"),
        ("can i drink beer while on baclofen", "Alcohol"),
        ("ITB pump - who qualifies?", "intrathecal"),
    ],
)
def test_lay_and_misspelt_questions_find_the_passage(qa, question, needle):
    hits = qa.retrieve(question, k=3)
    assert any(needle.lower() in chunk.text.lower() for chunk, _ in hits)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_questions_are_embedded_once_per_batch(qa, monkeypatch):
    calls = []
    real = qa.index.encoder.encode

    def spy(texts, **kw):
        calls.append(list(texts))
        return real(texts, **kw)

    monkeypatch.setattr(qa.index.encoder, "encode", spy)
    qa.forget_vectors()  # the session's questions may have been asked before
    questions = ["What is baclofen used for?", "How does baclofen work?", "Does baclofen interact with warfarin?"]
    answers = qa.ask_many(questions)
    assert [a.question for a in answers] == questions
    # one batch: the questions, plus the one with a word the corpus lacks without that word; no corpus text
    assert len(calls) == 1 and len(calls[0]) == len(questions) + 1
    assert calls[0][-1] == "Does baclofen interact with ?"
    assert answers[2].abstained and not answers[0].abstained
    # retrieve, then ask, the same question (as the evaluation does): embedded once
    calls.clear()
    qa.retrieve("How should baclofen tablets be stored?")
    again = qa.ask("How should baclofen tablets be stored?")
    assert len(calls) == 1 and "room temperature" in again.answer
