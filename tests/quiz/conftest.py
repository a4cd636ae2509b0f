"""Quizzes built once per session from the seed index: one with the project's support judge,
and cheap ones with the lexical stand-in judge for the determinism tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def quiz30(seed_index):
    """`build_quiz(n=30)` on the seed index with the default support judge (rag.judge)."""
    from quiz import build_quiz

    return build_quiz(seed_index, n=30, seed=11)


@pytest.fixture(scope="session")
def view(seed_index):
    from quiz.builder import corpus_view

    return corpus_view(seed_index)
