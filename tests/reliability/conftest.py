"""Fixtures for the reliability tests: gold questions, reference answers, the CLI run in process.

The model is loaded once per session (tests/conftest.py `encoder`); `run_cli` points the CLI's
model loader at it, so an in-process `bqa ask` costs the answering, not another model load.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "eval" / "data" / "gold.jsonl"


def comparable(answer) -> dict:
    """An answer as the contract's JSON without what legitimately varies: timings, the corpus folder."""
    d = answer.to_contract()
    d.pop("timings", None)
    for c in d["citations"]:
        c["source"] = Path(c["source"]).name
    return d


@pytest.fixture(scope="session")
def gold_questions() -> list[str]:
    """Every distinct question of the project's gold set, in file order."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(r["question"] for r in rows))


@pytest.fixture(scope="session")
def seed_qa(seed_index):
    """The extractive QASystem over the session's seed index."""
    from rag.pipeline import QASystem

    return QASystem(seed_index)


@pytest.fixture
def run_cli(monkeypatch, capsys, encoder):
    """run_cli(argv, stdin=b"...") -> (exit code, stdout, stderr) of `bqa` run in this process."""
    import io
    import sys

    import index.store
    from bqa.cli import main

    monkeypatch.setattr(index.store, "Encoder", lambda *args, **kwargs: encoder)

    def run(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run
