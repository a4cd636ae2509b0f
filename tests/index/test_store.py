"""The saved index: manifest, integrity, staleness, atomic replacement."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from index.errors import IndexDamagedError, IndexMissingError, IndexWriteError
from index.settings import Settings
from index.store import build_index, current_build, ensure_index, index_status, load_index, quiet_log


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Alpha Drug\nAlpha is taken at 5 mg daily. It is excreted by the kidneys.\n\nSide Effects\n"
        "Common side effects include:\n- Drowsiness\n- Dizziness\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text("Beta Drug\nBeta acts on GABA-B receptors in the spinal cord.\n", encoding="utf-8")
    return corpus


def test_manifest_and_files(small_corpus, tmp_path, encoder):
    result = build_index(small_corpus, tmp_path / "ix", encoder=encoder, log=quiet_log)
    folder = current_build(tmp_path / "ix")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["model"] == "all-MiniLM-L6-v2" and manifest["dimension"] == 384
    assert manifest["n_documents"] == 2 and manifest["n_chunks"] == len(result.index.chunks)
    assert set(manifest["files"]) >= {"chunks.jsonl", "sentences.jsonl", "chunks.faiss", "sentence_vectors.npy"}
    assert len(manifest["corpus_hash"]) == 64
    # no pickle anywhere: every .npy loads with allow_pickle=False, no .pkl files
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))
    for npy in folder.rglob("*.npy"):
        np.load(npy, allow_pickle=False)
    norms = np.linalg.norm(result.index.sentence_vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_staleness_is_detected(small_corpus, tmp_path, encoder):
    ix = tmp_path / "ix"
    assert index_status(small_corpus, ix)[0] == "missing"
    build_index(small_corpus, ix, encoder=encoder, log=quiet_log)
    assert index_status(small_corpus, ix)[0] == "fresh"
    (small_corpus / "c.txt").write_text("Gamma\nA new document about gamma.\n", encoding="utf-8")
    status, reason = index_status(small_corpus, ix)
    assert status == "stale" and "corpus changed" in reason
    settings = Settings()
    settings.chunking.max_chars = 300
    assert index_status(small_corpus, ix, settings)[0] == "stale"
    messages = []
    index = ensure_index(small_corpus, ix, encoder=encoder, log=messages.append)
    assert index.manifest["n_documents"] == 3
    assert any("corpus changed" in m for m in messages)
    assert index_status(small_corpus, ix)[0] == "fresh"


def test_damaged_index_is_detected_and_rebuilt(small_corpus, tmp_path, encoder):
    ix = tmp_path / "ix"
    build_index(small_corpus, ix, encoder=encoder, log=quiet_log)
    folder = current_build(ix)
    data = (folder / "chunks.faiss").read_bytes()
    (folder / "chunks.faiss").write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(IndexDamagedError, match="chunks.faiss"):
        load_index(ix)
    messages = []
    index = ensure_index(small_corpus, ix, encoder=encoder, log=messages.append)
    assert index.manifest["n_documents"] == 2 and any("damaged" in m for m in messages)
    # a damaged index with no corpus to rebuild from is refused, never used
    folder = current_build(ix)
    (folder / "sentences.jsonl").write_text("garbage\n")
    shutil.rmtree(small_corpus)
    with pytest.raises(IndexDamagedError):
        ensure_index(small_corpus, ix, encoder=encoder, log=quiet_log)


def test_leftover_temporary_build_does_not_disturb(small_corpus, tmp_path, encoder):
    ix = tmp_path / "ix"
    build_index(small_corpus, ix, encoder=encoder, log=quiet_log)
    leftover = ix / "builds" / ".tmp-crashed"
    leftover.mkdir()
    (leftover / "chunks.jsonl").write_text("half written")
    assert load_index(ix).manifest["n_documents"] == 2
    build_index(small_corpus, ix, encoder=encoder, log=quiet_log)
    assert not leftover.exists()  # cleaned on the next successful build
    assert len(list((ix / "builds").iterdir())) == 1


def test_missing_and_unwritable(tmp_path, small_corpus, encoder):
    with pytest.raises(IndexMissingError):
        load_index(tmp_path / "none")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(IndexWriteError):
        build_index(small_corpus, blocker / "ix", encoder=encoder, log=quiet_log)


def test_langchain_embeddings_interface(encoder):
    from langchain_core.embeddings import Embeddings

    assert isinstance(encoder, Embeddings)
    docs = encoder.embed_documents(["baclofen", "drowsiness"])
    query = encoder.embed_query("baclofen")
    assert len(docs) == 2 and len(query) == 384
    assert np.dot(docs[0], query) > 0.99
