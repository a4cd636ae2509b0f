"""Build, save, verify and load the index: FAISS (dense) and BM25 (lexical) over chunks and sentences.

A saved index is a folder of plain files (JSON lines, .npy, FAISS and bm25s files; no pickle):

    <index-dir>/CURRENT               name of the active build (replaced atomically)
    <index-dir>/builds/<build-id>/    manifest.json, documents.jsonl, chunks.jsonl, sentences.jsonl,
                                      {chunk,sentence}_vectors.npy, {chunks,sentences}.faiss,
                                      bm25_chunks/, bm25_sentences/, texts/ (converted documents)

A build is written to a temporary folder, renamed into builds/, and only then named in CURRENT,
so a crash at any point leaves the previous index usable. The manifest records the format
version, the model, the settings, a hash of the corpus and a SHA-256 of every file, so a stale,
truncated, corrupted or other-model index is detected on load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunking import segment
from index.embeddings import Encoder
from index.errors import CorpusError, IndexDamagedError, IndexMissingError, IndexWriteError
from index.lexical import Bm25
from index.loading import Skipped, corpus_hash, load_corpus
from index.settings import IndexSettings, Settings
from index.types import Chunk, Document, Sentence

FORMAT_VERSION = 1
Log = Callable[[str], None]


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def quiet_log(message: str) -> None:  # noqa: ARG001 - a Log that says nothing
    return None


def chunk_embed_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its section heading, then its text."""
    return f"{chunk.section}. {chunk.text}" if chunk.section else chunk.text


def sentence_embed_text(sentence: Sentence) -> str:
    """What is embedded for a sentence: section, list lead-in or table header, then the sentence."""
    parts = [p for p in (sentence.section, sentence.context, sentence.text) if p]
    return " ".join(parts)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: IVF k-means trains on at most this many vectors per list (FAISS wants at least 39).
TRAIN_PER_LIST = 64


def make_faiss_index(vectors: np.ndarray, settings: IndexSettings):
    """An inner-product FAISS index over the rows of `vectors`, of the kind `settings` resolves to.

    Exact (IndexFlatIP) up to `approximate_above` vectors; above it IVF (k-means lists, trained
    on the vectors themselves, or a fixed sample of 64 per list) or HNSW. Training is seeded, so
    the same vectors give the same index.
    """
    import faiss

    n, dim = vectors.shape if vectors.ndim == 2 else (0, 0)
    kind = settings.resolve_kind(n)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
    elif kind == "ivf" and n:
        lists = settings.ivf_lists_for(n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = 1234
        sample = vectors
        # 64 training vectors per list: k-means over all of 1M vectors took 15 minutes on 2 cores.
        if n > TRAIN_PER_LIST * lists:
            rows = np.sort(np.random.default_rng(0).choice(n, TRAIN_PER_LIST * lists, replace=False))
            sample = vectors[rows]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = min(settings.ivf_probe, lists)
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(vectors)
    return index


def tune_loaded(index, settings: IndexSettings) -> None:
    """Apply the query-time settings (efSearch, nprobe) to an index read from disk."""
    import faiss

    index = faiss.downcast_index(index)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = settings.hnsw_ef_search
    if hasattr(index, "nprobe"):
        index.nprobe = min(settings.ivf_probe, index.nlist)


#: Searches of fewer queries than this run on one OpenMP thread. A single question's search is
#: too small to split: on 2 busy cores, waking a second thread (which competes with torch's own
#: spinning OpenMP threads) cost 17.5 ms for an exact search over 10k vectors that takes 0.4 ms
#: on one thread (measured by `bqa bench`, docs/PERFORMANCE.md). Larger batches keep all threads.
SINGLE_THREAD_BELOW = 20


def search_faiss(index, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """`index.search(vectors, k)`, on one thread for a handful of queries (see SINGLE_THREAD_BELOW)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) >= SINGLE_THREAD_BELOW:
        return index.search(vectors, k)
    threads = faiss.omp_get_max_threads()  # per calling thread in libgomp, so this is thread-safe
    faiss.omp_set_num_threads(1)
    try:
        return index.search(vectors, k)
    finally:
        faiss.omp_set_num_threads(threads)


@dataclass
class Index:
    """A loaded index: the documents, chunks and sentences, their vectors and both search structures."""

    folder: Path
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    sentences: list[Sentence]
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    chunk_faiss: object
    sentence_faiss: object
    chunk_bm25: Bm25
    sentence_bm25: Bm25
    settings: Settings = field(default_factory=Settings)
    _encoder: Encoder | None = None

    def __post_init__(self) -> None:
        self.chunk_by_id = {c.id: c for c in self.chunks}
        self.sentence_by_id = {s.id: s for s in self.sentences}

    @property
    def encoder(self) -> Encoder:
        """The embedding model the index was built with (loaded on first use)."""
        if self._encoder is None:
            self._encoder = Encoder(self.settings.model)
        return self._encoder

    @encoder.setter
    def encoder(self, value: Encoder) -> None:
        self._encoder = value

    def search_dense(self, vectors: np.ndarray, k: int, *, level: str = "chunk") -> tuple[np.ndarray, np.ndarray]:
        """FAISS search: (scores, positions), each of shape (len(vectors), k); position -1 is empty."""
        index = self.chunk_faiss if level == "chunk" else self.sentence_faiss
        size = len(self.chunks) if level == "chunk" else len(self.sentences)
        return search_faiss(index, vectors, min(k, size))

    def stats(self) -> dict:
        m = self.manifest
        return {
            "documents": m["n_documents"],
            "chunks": m["n_chunks"],
            "sentences": m["n_sentences"],
            "model": m["model"],
            "dimension": m["dimension"],
            "built": m["created"],
            "build_seconds": m.get("build_seconds"),
            "faiss": m.get("faiss_kind"),
            "folder": str(self.folder),
            "skipped": m.get("skipped", []),
        }


# --- building -----------------------------------------------------------------------------------


@dataclass
class BuildResult:
    index: Index
    skipped: list[Skipped]
    seconds: float


@contextlib.contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    import fcntl

    with (index_dir / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prepare_dir(index_dir: Path) -> None:
    try:
        (index_dir / "builds").mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".probe-{uuid.uuid4().hex}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise IndexWriteError(
            f"cannot write the index folder {str(index_dir)!r} ({exc.strerror or exc})",
            hint="pass --index-dir with a writable folder",
        ) from None


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings | None = None,
    *,
    encoder: Encoder | None = None,
    log: Log = stderr_log,
) -> BuildResult:
    """Build a fresh index of `corpus_dir` into `index_dir` and make it the current one.

    Raises:
        CorpusError: the corpus folder is missing or holds no readable document.
        IndexWriteError: the index folder cannot be written.
    """
    import faiss

    settings = settings or Settings()
    t0 = time.perf_counter()
    corpus_dir = Path(corpus_dir)
    index_dir = Path(index_dir)
    documents, skipped = load_corpus(corpus_dir)
    for s in skipped:
        log(f"warning: skipped {s.path}: {s.reason}")
    _prepare_dir(index_dir)
    encoder = encoder or Encoder(settings.model, progress=True)

    chunks: list[Chunk] = []
    sentences: list[Sentence] = []
    for doc in documents:
        seg = segment(doc, settings.chunking)
        for chunk in seg.chunks:
            chunk.position = len(chunks)
            chunks.append(chunk)
        for sentence in seg.sentences:
            sentence.position = len(sentences)
            sentences.append(sentence)
    if not chunks:
        raise CorpusError(f"the documents in {str(corpus_dir)!r} hold no text to index after cleaning")
    log(f"indexing {len(documents)} documents: {len(chunks)} chunks, {len(sentences)} sentences")

    texts = [chunk_embed_text(c) for c in chunks] + [sentence_embed_text(s) for s in sentences]
    vectors = encoder.encode(texts)
    chunk_vectors, sentence_vectors = vectors[: len(chunks)], vectors[len(chunks) :]

    with _build_lock(index_dir):
        tmp = index_dir / "builds" / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            (tmp / "texts").mkdir()
            for doc in documents:
                if doc.format not in ("txt", "md"):
                    text_file = tmp / "texts" / f"{doc.doc_id}.txt"
                    text_file.write_text(doc.text, encoding="utf-8")
            _write_jsonl(tmp / "documents.jsonl", [d.to_dict() for d in documents])
            _write_jsonl(tmp / "chunks.jsonl", [c.to_dict() for c in chunks])
            _write_jsonl(tmp / "sentences.jsonl", [s.to_dict() for s in sentences])
            np.save(tmp / "chunk_vectors.npy", chunk_vectors, allow_pickle=False)
            np.save(tmp / "sentence_vectors.npy", sentence_vectors, allow_pickle=False)
            chunk_faiss = make_faiss_index(chunk_vectors, settings.index)
            sentence_faiss = make_faiss_index(sentence_vectors, settings.index)
            faiss.write_index(chunk_faiss, str(tmp / "chunks.faiss"))
            faiss.write_index(sentence_faiss, str(tmp / "sentences.faiss"))
            Bm25.build([chunk_embed_text(c) for c in chunks]).save(tmp / "bm25_chunks")
            Bm25.build([sentence_embed_text(s) for s in sentences]).save(tmp / "bm25_sentences")
            files = {str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
            build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            manifest = {
                "format_version": FORMAT_VERSION,
                "build_id": build_id,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "model": encoder.model_id,
                "dimension": int(chunk_vectors.shape[1]),
                "settings": settings.as_dict(),
                "settings_fingerprint": settings.index_fingerprint(),
                "corpus_dir": str(corpus_dir.resolve()),
                "corpus_hash": corpus_hash(corpus_dir),
                "n_documents": len(documents),
                "n_chunks": len(chunks),
                "n_sentences": len(sentences),
                "faiss_kind": type(chunk_faiss).__name__,
                "skipped": [{"path": s.path, "reason": s.reason} for s in skipped],
                "build_seconds": round(time.perf_counter() - t0, 3),
                "files": files,
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            _fsync_tree(tmp)
            # Fault injection for the crash test: hold here, files written but not yet switched in.
            pause = float(os.environ.get("BQA_FAULT_PAUSE_BEFORE_SWITCH", "0") or 0)
            if pause:
                log(f"fault injection: pausing {pause} s before switching the index")
                time.sleep(pause)
            final = index_dir / "builds" / build_id
            os.replace(tmp, final)
            _set_current(index_dir, build_id)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _remove_old_builds(index_dir, keep=build_id)
    index = load_index(index_dir, settings, verify=False)
    index.encoder = encoder
    seconds = time.perf_counter() - t0
    log(f"index built in {seconds:.1f} s: {index.folder}")
    return BuildResult(index, skipped, seconds)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def _set_current(index_dir: Path, build_id: str) -> None:
    tmp = index_dir / f".CURRENT-{uuid.uuid4().hex}"
    with tmp.open("w") as fh:
        fh.write(build_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")
    with contextlib.suppress(OSError):
        fd = os.open(index_dir, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


def _remove_old_builds(index_dir: Path, *, keep: str) -> None:
    for path in (index_dir / "builds").iterdir():
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


# --- loading and checking -----------------------------------------------------------------------


def current_build(index_dir: Path) -> Path | None:
    """The folder of the active build, or None when there is no index."""
    pointer = Path(index_dir) / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    folder = Path(index_dir) / "builds" / name
    return folder if name and "/" not in name and folder.is_dir() else None


def read_manifest(index_dir: Path) -> dict | None:
    folder = current_build(index_dir)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verify_files(folder: Path, manifest: dict) -> None:
    """Check every file against the manifest's SHA-256.

    Raises:
        IndexDamagedError: a file is missing, truncated or changed.
    """
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise IndexDamagedError(f"index file {name} is missing", hint="run `bqa index --rebuild`")
        if _sha256(path) != digest:
            raise IndexDamagedError(
                f"index file {name} is damaged (checksum mismatch)", hint="run `bqa index --rebuild`"
            )


def index_status(corpus_dir: Path, index_dir: Path, settings: Settings | None = None) -> tuple[str, str]:
    """('missing'|'damaged'|'stale'|'fresh', reason). Cheap: hashes the corpus, not the index files."""
    settings = settings or Settings()
    folder = current_build(index_dir)
    if folder is None:
        return "missing", f"no index in {index_dir}"
    manifest = read_manifest(index_dir)
    if manifest is None:
        return "damaged", "the index manifest is missing or unreadable"
    if manifest.get("format_version") != FORMAT_VERSION:
        return "stale", f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}"
    if manifest.get("model") != settings.model.name:
        return "stale", f"built with model {manifest.get('model')!r}, not {settings.model.name!r}"
    if manifest.get("settings_fingerprint") != settings.index_fingerprint():
        return "stale", "index settings changed"
    try:
        current_hash = corpus_hash(Path(corpus_dir))
    except CorpusError:
        return "fresh", "corpus folder not found; using the index as built"
    if manifest.get("corpus_hash") != current_hash:
        return "stale", "the corpus changed since the index was built"
    return "fresh", "up to date"


def load_index(index_dir: Path, settings: Settings | None = None, *, verify: bool = True) -> Index:
    """Load the current index from `index_dir`.

    Raises:
        IndexMissingError: there is no index.
        IndexDamagedError: files are missing or damaged, or the index was built with another format or model.
    """
    import faiss

    settings = settings or Settings()
    index_dir = Path(index_dir)
    folder = current_build(index_dir)
    if folder is None:
        raise IndexMissingError(f"no index in {str(index_dir)!r}", hint="run `bqa index`")
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexDamagedError("the index manifest is missing or unreadable", hint="run `bqa index --rebuild`")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexDamagedError(
            f"index format {manifest.get('format_version')} is not supported",
            hint="run `bqa index --rebuild`",
        )
    if manifest.get("model") != settings.model.name:  # its vectors mean nothing to another model
        raise IndexDamagedError(
            f"the index was built with model {manifest.get('model')!r}, not {settings.model.name!r}",
            hint="run `bqa index --rebuild`",
        )
    if verify:
        verify_files(folder, manifest)
    try:
        documents = {}
        for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines():
            doc = Document.from_dict(json.loads(line))
            if doc.format not in ("txt", "md"):
                doc.text_path = str(folder / "texts" / f"{doc.doc_id}.txt")
            documents[doc.doc_id] = doc
        chunks = [Chunk.from_dict(json.loads(x)) for x in (folder / "chunks.jsonl").read_text("utf-8").splitlines()]
        sentences = [
            Sentence.from_dict(json.loads(x)) for x in (folder / "sentences.jsonl").read_text("utf-8").splitlines()
        ]
        chunk_vectors = np.load(folder / "chunk_vectors.npy", allow_pickle=False)
        sentence_vectors = np.load(folder / "sentence_vectors.npy", allow_pickle=False)
        chunk_faiss = faiss.read_index(str(folder / "chunks.faiss"))
        sentence_faiss = faiss.read_index(str(folder / "sentences.faiss"))
        tune_loaded(chunk_faiss, settings.index)
        tune_loaded(sentence_faiss, settings.index)
        chunk_bm25 = Bm25.load(folder / "bm25_chunks")
        sentence_bm25 = Bm25.load(folder / "bm25_sentences")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexDamagedError(
            f"the index cannot be read ({type(exc).__name__})", hint="run `bqa index --rebuild`"
        ) from None
    if (
        len(chunks) != manifest["n_chunks"]
        or len(sentences) != manifest["n_sentences"]
        or chunk_vectors.shape != (len(chunks), manifest["dimension"])
        or sentence_vectors.shape != (len(sentences), manifest["dimension"])
        or chunk_faiss.ntotal != len(chunks)
    ):
        raise IndexDamagedError("the index files do not agree with its manifest", hint="run `bqa index --rebuild`")
    return Index(
        folder,
        manifest,
        documents,
        chunks,
        sentences,
        chunk_vectors,
        sentence_vectors,
        chunk_faiss,
        sentence_faiss,
        chunk_bm25,
        sentence_bm25,
        settings,
    )


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings | None = None,
    *,
    rebuild: bool = False,
    encoder: Encoder | None = None,
    log: Log = stderr_log,
) -> Index:
    """The current index, built first when missing, stale or damaged (with a notice on `log`).

    A damaged index with no corpus to rebuild from is refused (IndexDamagedError), never used.
    """
    settings = settings or Settings()
    status, reason = ("missing", "rebuild requested") if rebuild else index_status(corpus_dir, index_dir, settings)
    if status == "fresh":
        try:
            index = load_index(index_dir, settings)
            if encoder is not None:
                index.encoder = encoder
            return index
        except IndexDamagedError as exc:
            status, reason = "damaged", exc.one_line()
    if status != "missing" or rebuild:
        log(f"rebuilding the index: {reason}")
    elif status == "missing":
        log(f"building the index ({reason})")
    if not Path(corpus_dir).is_dir() and status in ("damaged", "stale"):
        raise IndexDamagedError(
            f"the index is {status} ({reason}) and the corpus {str(corpus_dir)!r} is not there to rebuild it",
            hint="restore the corpus and run `bqa index --rebuild`",
        )
    return build_index(corpus_dir, index_dir, settings, encoder=encoder, log=log).index
