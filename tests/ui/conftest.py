"""Fixtures for the app tests: the Streamlit script run in-process by AppTest over a prebuilt index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHELL = Path(__file__).resolve().parents[2] / "ui" / "shell.py"
#: The first run in a test process loads the embedding model (5-20 s on a busy 2-core machine).
TIMEOUT = 240


def open_app(page: str | None = None):
    """Run the app's script once (then switch to ui/views/<page>.py); no page may raise."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(SHELL), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def seeded(monkeypatch, seed_index_dir, seed_corpus):
    """The app reads the session's seed corpus and index (read-only: no upload, no rebuild)."""
    monkeypatch.setenv("BQA_INDEX_DIR", str(seed_index_dir))
    monkeypatch.setenv("BQA_CORPUS_DIR", str(seed_corpus))


@pytest.fixture
def own_copy(monkeypatch, tmp_path, seed_index_dir, seed_corpus) -> tuple[Path, Path]:
    """A private copy of the seed corpus and index, for tests that upload or rebuild."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(seed_corpus, corpus)
    shutil.copytree(seed_index_dir, index)
    monkeypatch.setenv("BQA_INDEX_DIR", str(index))
    monkeypatch.setenv("BQA_CORPUS_DIR", str(corpus))
    return corpus, index


def ask_on_page(at, question: str):
    """Type a question on the Ask page, submit it, and check the script ran without an exception."""
    at.text_input(key="ask_question").input(question)
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at
