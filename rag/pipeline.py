"""The question-answering pipeline: QASystem and its LangChain runnable.

QASystem loads (or builds) the index once and answers questions: analyse the question (query.py),
embed it (one batch for many questions), retrieve (retrieval.py), then compose an extractive
answer with citations, conflicts and abstention (answering.py, conflicts.py), or, with an LLM,
generate one and keep only the sentences the support judge finds in their cited passages
(llm.py). `QASystem.runnable()` wraps `ask` as a LangChain Runnable (`invoke`, `batch`).
Question vectors are kept in a small cache keyed by the embedded text, so `retrieve` followed by
`ask` on the same question embeds it once (`forget_vectors()` empties it, for timing).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.runnables import Runnable, RunnableConfig

from index.errors import InputError
from index.settings import MAX_QUESTION_CHARS, Settings, default_corpus_dir, default_index_dir
from index.store import Index, ensure_index, stderr_log
from index.types import Answer, AnswerSentence, Chunk, Citation
from rag.answering import ABSTAIN_TEXT, Answerer, AnswerSettings, compose_answer, make_citations
from rag.conflicts import ConflictDetector
from rag.query import QueryAnalysis, QueryAnalyzer, Vocabulary
from rag.retrieval import HybridRetriever, Retrieved

NOTHING_TO_QUOTE = "No passage is close enough to the question to quote."

Log = Callable[[str], None]


def clean_question(question: str, *, warn: Log | None = None) -> str:
    """The question stripped and cut to MAX_QUESTION_CHARS.

    Raises:
        InputError: the question is empty or blank.
    """
    if question is None or not str(question).strip():
        raise InputError("the question is empty", hint='ask a question, e.g. bqa ask "What is baclofen used for?"')
    q = " ".join(str(question).split())
    if len(q) > MAX_QUESTION_CHARS:
        if warn:
            warn(f"warning: question cut to {MAX_QUESTION_CHARS} characters (it had {len(q)})")
        q = q[:MAX_QUESTION_CHARS]
    return q


class QASystem:
    """Answers questions over one loaded index.

    Args:
        index: the loaded index (its encoder is used for the questions).
        settings: project settings (retrieval depth, answer length).
        llm: an optional LangChain chat model; without it answers are extractive.
    """

    def __init__(
        self,
        index: Index,
        settings: Settings | None = None,
        *,
        llm: Any = None,
        answer_settings: AnswerSettings | None = None,
        judge: Any = None,
        vector_cache_size: int = 256,
    ) -> None:
        self.index = index
        self.settings = settings or index.settings or Settings()
        self.llm = llm
        self._judge = judge
        texts = [" ".join(p for p in (s.section, s.context, s.label or "", s.text) if p) for s in index.sentences]
        self.vocabulary = Vocabulary(texts)
        self.analyzer = QueryAnalyzer(self.vocabulary)
        ans = answer_settings or AnswerSettings()
        ans.max_sentences = self.settings.answer.max_sentences
        self.answerer = Answerer(index, self.vocabulary, ans)
        self.conflicts = ConflictDetector(index, self.vocabulary, quantities_of=self.answerer.quantities_of)
        # question text -> vector: `retrieve` then `ask` on the same question (as the eval report and
        # the bench do) embeds it once; bounded, oldest first out
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self.vector_cache_size = vector_cache_size
        self.retriever = HybridRetriever(
            index=index, analyzer=self.analyzer, settings=self.settings.retrieval, k=self.settings.retrieval.k_chunks
        )

    @classmethod
    def from_paths(
        cls,
        corpus_dir: Path | str | None = None,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        *,
        encoder: Any = None,
        rebuild: bool = False,
        log: Log = stderr_log,
        llm: Any = None,
    ) -> QASystem:
        """Ensure the index (built when missing or stale, progress on `log`), then load it."""
        settings = settings or Settings()
        corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir()
        idx_dir = Path(index_dir) if index_dir else default_index_dir()
        index = ensure_index(corpus, idx_dir, settings, rebuild=rebuild, encoder=encoder, log=log)
        return cls(index, settings, llm=llm)

    # --- public API -------------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        return self.ask_many([question])[0]

    def ask_many(self, questions: list[str]) -> list[Answer]:
        """Answers in the same order; all questions are embedded in one batch."""
        t0 = time.perf_counter()
        cleaned = [clean_question(q) for q in questions]
        analyses = [self.analyzer.analyze(q) for q in cleaned]
        t1 = time.perf_counter()
        vectors = self.embed(analyses)
        t2 = time.perf_counter()
        answers = []
        per_embed = (t2 - t1) / max(1, len(questions))
        for q, a, v in zip(cleaned, analyses, vectors, strict=True):
            ts = time.perf_counter()
            answer = self._answer(q, a, v)
            answer.timings = {
                "analyse": round((t1 - t0) / max(1, len(questions)), 5),
                "embed": round(per_embed, 5),
                "answer": round(time.perf_counter() - ts, 5),
            }
            answers.append(answer)
        return answers

    def retrieve(self, question: str, k: int = 5) -> list[tuple[Chunk, float]]:
        """Hybrid retrieval only: the best `k` chunks with their fused scores, best first."""
        analysis = self.analyzer.analyze(clean_question(question))
        qvec = self.embed([analysis])[0]
        found = self.retriever.retrieve(analysis, qvec, k=k)
        return [(self.index.chunk_by_id[h.id], h.score) for h in found.chunks]

    def embed(self, analyses: list[QueryAnalysis]) -> np.ndarray:
        """Question vectors, one encode call for all of them.

        A question with words the corpus never uses is also embedded without them, in the same
        call, and `analysis.unknown_importance` records how far that moves it (1 - cosine): a
        question that is mostly about something the corpus does not mention moves a lot
        ("Does baclofen interact with warfarin?"), one with an incidental unknown word barely
        ("How is it physically delivered?"). The abstention check uses it.
        """
        texts = [a.text for a in analyses]
        extra = [(i, a.ablated_text()) for i, a in enumerate(analyses)]
        extra = [(i, t) for i, t in extra if t is not None]
        wanted = texts + [t for _, t in extra]
        with self._vectors_lock:
            got = {t: self._vectors[t] for t in wanted if t in self._vectors}
        missing = list(dict.fromkeys(t for t in wanted if t not in got))
        if missing:
            for t, v in zip(missing, self.index.encoder.encode(missing), strict=True):
                got[t] = v
                self._remember(t, v)
        main = np.stack([got[t] for t in texts])
        for i, t in extra:
            analyses[i].unknown_importance = float(1.0 - main[i] @ got[t])
        return main

    def _remember(self, text: str, vector: np.ndarray) -> None:
        if self.vector_cache_size <= 0:
            return
        with self._vectors_lock:  # the app answers from several threads with one QASystem
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.vector_cache_size:
                self._vectors.popitem(last=False)

    def forget_vectors(self) -> None:
        """Empty the question-vector cache (to time embedding, say)."""
        with self._vectors_lock:
            self._vectors.clear()

    def runnable(self) -> QARunnable:
        """A LangChain Runnable: `invoke(question) -> Answer`, `batch([...]) -> [Answer]` (one embed batch)."""
        return QARunnable(self)

    # --- internals --------------------------------------------------------------------------------

    def _answer(self, question: str, analysis: QueryAnalysis, qvec: np.ndarray) -> Answer:
        retrieved = self.retriever.retrieve(analysis, qvec)
        if self.llm is not None:
            from rag.llm import answer_with_llm

            return answer_with_llm(self, question, analysis, retrieved)
        return self.extractive(question, analysis, retrieved)

    def extractive(self, question: str, analysis: QueryAnalysis, retrieved: Retrieved) -> Answer:
        ans = self.answerer
        scored = ans.score(analysis, retrieved.qvec, ans.candidates(retrieved))
        decision = ans.decide(analysis, scored)
        if decision.abstain:
            return self.abstention(question, [s.sentence for s in scored[:3]], note=decision.note)
        found = self.conflicts.detect(analysis, scored)
        must = [st for c in found for st in c.sentences]
        units = ans.select(analysis, scored, must=must)
        if not units:  # nothing close enough to quote: say so rather than answer with nothing
            return self.abstention(question, [s.sentence for s in scored[:3]], note=NOTHING_TO_QUOTE)
        numbering: dict = {}
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        cited_for: dict[str, int] = {}
        for u in units:
            ns = make_citations(self.index, [u.members, *u.extra_sources], numbering, citations)
            for m in u.members:
                cited_for.setdefault(m.id, ns[0])
            for group in u.extra_sources:
                for m in group:
                    cited_for.setdefault(m.id, ns[-1])
            sentences.append(AnswerSentence(u.text(), ns))
        conflicts = [c.to_conflict(self.index, numbering, citations) for c in found]
        return compose_answer(question, sentences, citations, conflicts)

    def abstention(self, question: str, closest: list, *, note: str | None = None) -> Answer:
        """The plain "the documents do not answer this" answer, with what they lack when known
        ("They mention overdose, but not how it is treated.") and the closest passages looked at."""
        numbering: dict = {}
        citations: list[Citation] = []
        for s in closest:
            make_citations(self.index, [[s]], numbering, citations, closest_only=True)
        sentences = [AnswerSentence(ABSTAIN_TEXT, [])] + ([AnswerSentence(note, [])] if note else [])
        return Answer(
            question=question,
            answer=" ".join(s.text for s in sentences),
            abstained=True,
            sentences=sentences,
            citations=citations,
            conflicts=[],
        )


class QARunnable(Runnable[str, Answer]):
    """QASystem as a LangChain Runnable; `batch` embeds all its questions in one call."""

    def __init__(self, system: QASystem) -> None:
        self.system = system

    def invoke(self, input: str, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:  # noqa: A002
        return self.system.ask(input)

    def batch(
        self, inputs: list[str], config: Any = None, *, return_exceptions: bool = False, **kwargs: Any
    ) -> list[Answer]:
        return self.system.ask_many(list(inputs))
