"""One settings object, made of per-stage parts, with defaults and descriptions.

Settings are passed explicitly (no module globals). The parts that change what an index holds
(model, chunking, index) are hashed into the index manifest, so changing them marks the index stale.
Environment variables: BQA_MODEL (embedding model name or path), BQA_INDEX_DIR, BQA_CORPUS_DIR.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: The project root when installed editable from a checkout (holds corpus/ and pyproject.toml).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Questions longer than this are cut (with a warning); documented in the README.
MAX_QUESTION_CHARS = 2000


@dataclass
class ModelSettings:
    name: str = field(
        default_factory=lambda: os.environ.get("BQA_MODEL", DEFAULT_MODEL),
        metadata={"help": "sentence-transformers model: a path, or all-MiniLM-L6-v2 (offline package)"},
    )
    batch_size: int = field(default=64, metadata={"help": "texts per encode batch"})
    device: str = field(default="cpu", metadata={"help": "torch device"})


@dataclass
class ChunkingSettings:
    max_chars: int = field(default=700, metadata={"help": "soft upper bound on a chunk's length"})
    min_chars: int = field(default=120, metadata={"help": "chunks shorter than this merge forward"})


@dataclass
class IndexSettings:
    kind: str = field(
        default="auto",
        metadata={"help": "flat, ivf, hnsw, or auto (exact up to approximate_above vectors, then `approximate`)"},
    )
    # Measured by `bqa bench` (docs/PERFORMANCE.md): one exact search costs half of embedding a question
    # at ~95k-125k vectors, hence 100k.
    approximate_above: int = field(default=100_000, metadata={"help": "vector count above which auto leaves exact"})
    # Above it, IVF rather than HNSW: at 1M vectors drawn like real MiniLM embeddings (index/scale.py
    # FittedMixture) IVF with 4 x sqrt(n) lists reaches recall@10 0.95+ at 128 lists probed in a few
    # ms, and trains in minutes; an HNSW graph of 1M vectors took 24 minutes to build (efConstruction
    # 40) on 2 cores, which would halve the build throughput of a large corpus. docs/PERFORMANCE.md.
    approximate: str = field(default="ivf", metadata={"help": "what auto uses above approximate_above: ivf or hnsw"})
    ivf_lists: int = field(default=0, metadata={"help": "IVF inverted lists; 0 means 4 x sqrt(vector count)"})
    ivf_probe: int = field(default=128, metadata={"help": "IVF lists scanned per search"})
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 512

    def resolve_kind(self, n: int) -> str:
        """The FAISS index kind for n vectors: flat, ivf or hnsw."""
        kind = self.kind
        if kind == "auto":
            kind = self.approximate if n > self.approximate_above else "flat"
        if kind not in ("flat", "ivf", "hnsw"):
            raise ValueError(f"unknown index kind {kind!r} (expected flat, ivf, hnsw or auto)")
        return kind

    def ivf_lists_for(self, n: int) -> int:
        """Inverted lists for n vectors: the setting, else 4 x sqrt(n); never more than n / 39.

        FAISS's k-means wants at least 39 training points per centroid; with fewer lists than
        that the centroids are poorly placed. 1M vectors get 4,000 lists of ~250 vectors.
        """
        lists = self.ivf_lists or int(4 * n**0.5)
        return max(1, min(lists, n // 39))


@dataclass
class RetrievalSettings:
    k_chunks: int = field(default=6, metadata={"help": "passages handed to the answerer"})
    fusion_depth: int = field(default=30, metadata={"help": "head of each ranked list fused (RRF)"})
    rrf_k: int = field(default=60, metadata={"help": "reciprocal rank fusion constant"})


@dataclass
class AnswerSettings:
    max_sentences: int = field(default=5, metadata={"help": "answer length cap, in sentences"})
    llm: str | None = field(default=None, metadata={"help": "optional chat model spec for --llm"})


@dataclass
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)

    def index_fingerprint(self) -> str:
        """A hash of the settings that change what an index holds (a change makes it stale)."""
        part = {"model": self.model.name, "chunking": asdict(self.chunking), "index": asdict(self.index)}
        return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return asdict(self)


def default_corpus_dir() -> Path:
    """`corpus/` in the working directory, else the project's own corpus, else BQA_CORPUS_DIR."""
    env = os.environ.get("BQA_CORPUS_DIR")
    if env:
        return Path(env)
    here = Path("corpus")
    if here.is_dir():
        return here
    return PROJECT_ROOT / "corpus"


def default_index_dir() -> Path:
    """BQA_INDEX_DIR, else `.bqa/index` in the project root (git-ignored)."""
    env = os.environ.get("BQA_INDEX_DIR")
    if env:
        return Path(env)
    return PROJECT_ROOT / ".bqa" / "index"
