"""Shared fixtures: isolated paths and environment, the real offline model and a seed index, once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _isolate(monkeypatch, tmp_path):
    """No test touches the user's index or model settings: BQA_* point into the test's tmp dir."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("BQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("BQA_MODEL", raising=False)
    monkeypatch.delenv("BQA_CORPUS_DIR", raising=False)
    yield


@pytest.fixture(scope="session")
def encoder():
    """The real all-MiniLM-L6-v2 from the offline package, loaded once per session."""
    from index.embeddings import Encoder

    enc = Encoder()
    enc.model  # noqa: B018 - load now, once
    return enc


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A private copy of the seed corpus (tests may not modify the project's)."""
    target = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory, seed_corpus, encoder) -> Path:
    """The seed corpus indexed once per session (read-only for tests)."""
    from index.store import build_index, quiet_log

    index_dir = tmp_path_factory.mktemp("seed-index")
    build_index(seed_corpus, index_dir, encoder=encoder, log=quiet_log)
    return index_dir


@pytest.fixture(scope="session")
def seed_index(seed_index_dir, encoder):
    """The loaded seed index, with the session's encoder attached."""
    from index.store import load_index

    idx = load_index(seed_index_dir)
    idx.encoder = encoder
    return idx


def bqa_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running the `bqa` console script in a subprocess test."""
    env = dict(os.environ)
    env["BQA_INDEX_DIR"] = str(tmp_path / "index")
    env["HF_HUB_OFFLINE"] = "1"
    return env


BQA = str(ROOT / ".venv" / "bin" / "bqa")
