"""Fixtures for the rag tests: one QASystem over the session's seed index."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def qa(seed_index):
    """The extractive QASystem over the seed corpus (real model, loaded once)."""
    from rag.pipeline import QASystem

    return QASystem(seed_index)


@pytest.fixture(scope="session")
def ask(qa):
    """ask(question) -> Answer, cached per question for the session."""
    cache = {}

    def _ask(question: str):
        if question not in cache:
            cache[question] = qa.ask(question)
        return cache[question]

    return _ask
