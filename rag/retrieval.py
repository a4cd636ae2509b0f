"""Hybrid retrieval over the index: dense (FAISS) and BM25, fused by reciprocal rank, as a LangChain retriever.

Both levels are searched, chunks and sentences, each with both methods. Reciprocal rank fusion
(RRF) only takes the head of each ranked list: the first `fusion_depth` dense hits and only the
BM25 hits with a score above zero (a zero BM25 score means no query word is in the text, and
ranking that tail would hand out fusion credit at random). A chunk's score is its own fused
score plus the best fused score of a sentence inside it, so a passage holding one sentence that
matches well is not lost among passages that match loosely throughout.

Questions are embedded once, by the caller (the pipeline batches them); corpus vectors come
from the index and are never recomputed here.

What it does not do: pick answer sentences (answering.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.settings import RetrievalSettings
from index.store import Index
from index.types import Chunk, Hit
from rag.query import QueryAnalysis, QueryAnalyzer


def rrf(rankings: list[list[int]], *, k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: item -> sum over rankings of 1 / (k + rank), rank from 1.

    With k = 60, first place in one list is worth 1/61 = 0.0164 and tenth place 1/70 = 0.0143,
    so agreement between lists counts for more than a top place in one of them.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def lexical_head(scores: np.ndarray, depth: int) -> list[int]:
    """Positions of the best BM25 scores, best first, zero scores excluded (the tail is not ranked)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0:
        return []
    order = positive[np.argsort(-scores[positive], kind="stable")]
    return [int(i) for i in order[:depth]]


def dense_head(index: Index, qvec: np.ndarray, depth: int, level: str) -> list[int]:
    _, positions = index.search_dense(qvec.reshape(1, -1), depth, level=level)
    return [int(p) for p in positions[0] if p >= 0]


@dataclass
class Retrieved:
    """What retrieval found for one question."""

    chunks: list[Hit]  # best first, fused scores
    sentences: list[Hit]  # best first, fused scores
    qvec: np.ndarray
    sentence_dense: list[int] = field(default_factory=list)  # sentence positions, best first
    sentence_lexical: list[int] = field(default_factory=list)  # sentence positions, BM25 > 0, best first


def search(
    index: Index, analysis: QueryAnalysis, qvec: np.ndarray, settings: RetrievalSettings, *, k: int
) -> Retrieved:
    """Hybrid search at both levels for one analysed, embedded question."""
    depth = settings.fusion_depth
    tokens = analysis.tokens
    # chunks
    c_dense = dense_head(index, qvec, depth, "chunk")
    c_lex = lexical_head(index.chunk_bm25.scores(tokens), depth) if tokens else []
    c_fused = rrf([c_dense, c_lex], k=settings.rrf_k)
    # sentences
    s_dense = dense_head(index, qvec, depth, "sentence")
    s_lex = lexical_head(index.sentence_bm25.scores(tokens), depth) if tokens else []
    s_fused = rrf([s_dense, s_lex], k=settings.rrf_k)
    s_dense_rank = {p: r for r, p in enumerate(s_dense, 1)}
    s_lex_rank = {p: r for r, p in enumerate(s_lex, 1)}
    sentence_hits = [
        Hit(index.sentences[p].id, score, s_dense_rank.get(p), s_lex_rank.get(p))
        for p, score in sorted(s_fused.items(), key=lambda x: -x[1])
    ]
    best_in_chunk: dict[int, float] = {}
    for p, score in s_fused.items():
        cpos = index.chunk_by_id[index.sentences[p].chunk_id].position
        best_in_chunk[cpos] = max(best_in_chunk.get(cpos, 0.0), score)
    c_dense_rank = {p: r for r, p in enumerate(c_dense, 1)}
    c_lex_rank = {p: r for r, p in enumerate(c_lex, 1)}
    total = {p: c_fused.get(p, 0.0) + best_in_chunk.get(p, 0.0) for p in set(c_fused) | set(best_in_chunk)}
    chunk_hits = [
        Hit(index.chunks[p].id, score, c_dense_rank.get(p), c_lex_rank.get(p))
        for p, score in sorted(total.items(), key=lambda x: (-x[1], x[0]))[:k]
    ]
    return Retrieved(chunk_hits, sentence_hits, qvec, s_dense, s_lex)


def to_langchain(index: Index, chunk: Chunk, score: float) -> LCDocument:
    """A chunk as a LangChain Document (metadata carries our ids and offsets)."""
    doc = index.documents[chunk.doc_id]
    return LCDocument(
        page_content=chunk.text,
        metadata={
            "chunk_id": chunk.id,
            "doc_id": chunk.doc_id,
            "title": doc.title,
            "source": doc.source,
            "section": chunk.section,
            "start": chunk.start,
            "end": chunk.end,
            "score": score,
        },
    )


class HybridRetriever(BaseRetriever):
    """LangChain retriever over our Index: dense + BM25 with head-only RRF, lexicon and fuzzy query repair.

    `invoke(question)` returns LangChain Documents (one per chunk, best first);
    `retrieve(analysis, qvec)` is the typed path the pipeline uses with a precomputed vector.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    analyzer: Any
    settings: Any = None
    k: int = 6

    def model_post_init(self, __context: Any) -> None:
        if self.settings is None:
            self.settings = RetrievalSettings()

    def retrieve(self, analysis: QueryAnalysis, qvec: np.ndarray, *, k: int | None = None) -> Retrieved:
        return search(self.index, analysis, qvec, self.settings, k=k or self.k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[LCDocument]:
        analyzer: QueryAnalyzer = self.analyzer
        analysis = analyzer.analyze(query)
        qvec = self.index.encoder.encode([analysis.text])[0]
        found = self.retrieve(analysis, qvec)
        return [to_langchain(self.index, self.index.chunk_by_id[h.id], h.score) for h in found.chunks]
