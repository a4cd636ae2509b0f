"""The shared, read-only resources of the app: the embedding model, the index and the QA system.

Each is created once per server process with `st.cache_resource` and shared by every session;
no page changes them (per-session state lives in `st.session_state`). The index and the QA
system are keyed by the index folder and the id of its current build, so after a rebuild the
next run loads the new build, while a session still holding the old one keeps working. The
corpus and index folders come from index.settings (BQA_CORPUS_DIR / BQA_INDEX_DIR), read on
every run so tests can point them at temporary folders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from index.embeddings import Encoder
from index.settings import ModelSettings, Settings, default_corpus_dir, default_index_dir
from index.store import BuildResult, Index, build_index, current_build, index_status, load_index

if TYPE_CHECKING:
    from rag.pipeline import QASystem


@dataclass(frozen=True)
class Place:
    """Where this run reads the corpus and the index, and the state of the index there."""

    corpus_dir: Path
    index_dir: Path
    build_id: str | None  # None: there is no index yet
    status: str  # missing | damaged | stale | fresh (index.store.index_status)
    reason: str


def settings() -> Settings:
    """Fresh default settings (the model name follows BQA_MODEL)."""
    return Settings()


def place() -> Place:
    """The corpus and index folders in use and the index's state (cheap: hashes the corpus files)."""
    corpus_dir, index_dir = default_corpus_dir(), default_index_dir()
    build = current_build(index_dir)
    status, reason = index_status(corpus_dir, index_dir, settings())
    return Place(corpus_dir, index_dir, build.name if build else None, status, reason)


@st.cache_resource(show_spinner="Loading the embedding model…")
def encoder(model_name: str) -> Encoder:
    """The embedding model, loaded once per process (about 5 s cold)."""
    enc = Encoder(ModelSettings(name=model_name))
    enc.model  # noqa: B018 - load now, under the spinner, not inside the first question
    return enc


@st.cache_resource(show_spinner="Loading the index…", max_entries=4)
def _index(index_dir: str, build_id: str, model_name: str) -> Index:
    s = settings()
    s.model.name = model_name
    idx = load_index(Path(index_dir), s)
    idx.encoder = encoder(model_name)
    return idx


@st.cache_resource(show_spinner="Preparing the answerer…", max_entries=4)
def _qa(index_dir: str, build_id: str, model_name: str) -> QASystem:
    from rag.pipeline import QASystem

    s = settings()
    s.model.name = model_name
    return QASystem(_index(index_dir, build_id, model_name), s)


@st.cache_resource(show_spinner="Loading the support judge…")
def _judge(model_name: str):
    from rag.judge import SupportJudge

    return SupportJudge(encoder(model_name))


def judge():
    """The support judge (rag.judge.SupportJudge on the shared encoder), shared by every session."""
    return _judge(settings().model.name)


@st.cache_resource(show_spinner="Preparing the stock LangChain recipe…", max_entries=2)
def _recipe(corpus_dir: str, build_id: str, model_name: str):
    from eval.baseline import StockRecipe

    return StockRecipe.from_corpus(Path(corpus_dir), encoder(model_name))


def stock_recipe(where: Place):
    """eval's stock LangChain recipe over the corpus in use (the report's comparison)."""
    return _recipe(str(where.corpus_dir), where.build_id or "", settings().model.name)


def loaded_index(where: Place) -> Index:
    """The current build of the index in use (shared; read-only).

    Raises:
        IndexMissingError, IndexDamagedError: from index.store.load_index.
    """
    return _index(str(where.index_dir), where.build_id or "", settings().model.name)


def qa_system(where: Place) -> QASystem:
    """The question answerer over the current build (shared; read-only)."""
    return _qa(str(where.index_dir), where.build_id or "", settings().model.name)


class _ReportingEncoder:
    """The shared encoder, encoding in slices so a progress bar can follow a build.

    index.store.build_index encodes every chunk and sentence in one call; splitting that call
    into slices of 256 texts gives the same vectors (each text is encoded on its own) and a
    report after each slice: 1,300 texts -> 6 reports.
    """

    SLICE = 256

    def __init__(self, inner: Encoder, report: Callable[[int, int], None]) -> None:
        self._inner = inner
        self._report = report
        self.settings = inner.settings

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode(self, texts: list[str], *, progress: bool | None = None) -> np.ndarray:  # noqa: ARG002
        parts = []
        for lo in range(0, len(texts), self.SLICE):
            parts.append(self._inner.encode(texts[lo : lo + self.SLICE], progress=False))
            self._report(min(lo + self.SLICE, len(texts)), len(texts))
        if not parts:
            return self._inner.encode([])
        return np.vstack(parts)


def rebuild(where: Place, *, on_progress: Callable[[float, str], None]) -> BuildResult:
    """Build the index of the corpus in use, reporting (fraction done, message) as it goes.

    Loading and cleaning the documents is the first 10%, encoding 10-90%, writing the rest.

    Raises:
        CorpusError, IndexWriteError, ModelError: from index.store.build_index.
    """
    on_progress(0.02, f"Reading the documents in {where.corpus_dir}…")

    def log(message: str) -> None:
        if message.startswith("indexing"):
            on_progress(0.10, message[:1].upper() + message[1:])
        elif message.startswith("index built"):
            on_progress(1.0, message[:1].upper() + message[1:])
        else:
            on_progress(-1.0, message)  # a warning (a skipped file): message only

    def report(done: int, total: int) -> None:
        on_progress(0.10 + 0.80 * done / total, f"Encoding {done} of {total} passages and sentences…")

    enc = _ReportingEncoder(encoder(settings().model.name), report)
    return build_index(where.corpus_dir, where.index_dir, settings(), encoder=enc, log=log)  # type: ignore[arg-type]


def warm_up() -> dict[str, float]:
    """Load the model, the index and the answerer into the caches, and answer one question.

    Called once at server start (ui/app.py), outside any session. Returns seconds per step.
    Raises what the loaders raise; the caller logs it.
    """
    import logging
    import time

    # Outside a session Streamlit warns "missing ScriptRunContext" on every cached call.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    encoder(settings().model.name).encode(["baclofen"])
    seconds["model"] = time.perf_counter() - t
    where = place()
    if where.build_id is None:  # no index yet: the shell builds one when the first visitor arrives
        return seconds
    t = time.perf_counter()
    qa = qa_system(where)
    seconds["index"] = time.perf_counter() - t
    t = time.perf_counter()
    qa.ask("What is baclofen used for?")
    seconds["first_answer"] = time.perf_counter() - t
    return seconds
