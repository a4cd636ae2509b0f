"""`bqa quiz` as a user runs it: formats, --out, bad options (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import BQA, bqa_env
from tests.quiz.gift_parser import parse_gift


def _run(args, tmp_path, seed_corpus, seed_index_dir, timeout=600):
    cmd = [BQA, "quiz", *args, "--corpus", str(seed_corpus), "--index-dir", str(seed_index_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, env=bqa_env(tmp_path), timeout=timeout)


@pytest.mark.slow  # two cold starts of the CLI (model, judge): over a minute on a busy 2-core machine
def test_quiz_n30_json_on_stdout_and_gift_file(tmp_path, seed_corpus, seed_index_dir):
    """The acceptance run: `bqa quiz --n 30` gives 30 valid items of at least three types."""
    p = _run(["--n", "30", "--seed", "2"], tmp_path, seed_corpus, seed_index_dir)
    assert p.returncode == 0, p.stderr[-500:]
    items = json.loads(p.stdout)
    assert len(items) == 30 and len({i["type"] for i in items}) >= 3
    assert "candidates generated" in p.stderr and "dropped by check" in p.stderr
    out = tmp_path / "quiz.gift"
    p = _run(["--n", "8", "--seed", "2", "--format", "gift", "--out", str(out)], tmp_path, seed_corpus, seed_index_dir)
    assert p.returncode == 0 and p.stdout == ""
    assert len(parse_gift(out.read_text(encoding="utf-8"))) == 8


@pytest.mark.parametrize(
    "args",
    [
        ["--n", "0"],
        ["--n", "many"],
        ["--types", "essay"],
        ["--topics", "price"],
        ["--format", "pdf"],
        ["--difficulty", "brutal"],
        ["--seed", "x"],
        ["--out", "/nonexistent-folder/q.json"],
    ],
)
def test_bad_options_one_line_exit_2(args, tmp_path, seed_corpus, seed_index_dir):
    p = _run(args, tmp_path, seed_corpus, seed_index_dir, timeout=60)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bqa: error:") and "Traceback" not in p.stderr
