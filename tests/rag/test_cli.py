"""`bqa ask` as a user runs it (subprocess; each call pays the model load, so there are few)."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import BQA, bqa_env


def _run(args, tmp_path, stdin=None, timeout=240):
    return subprocess.run(
        [BQA, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=bqa_env(tmp_path)
    )


def test_empty_question_is_one_line_and_exit_2(tmp_path):
    for args in (["ask", ""], ["ask", "   "], ["ask"]):
        p = _run(args, tmp_path, timeout=60)
        assert p.returncode == 2, args
        assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
        assert p.stdout == ""


def test_json_stdin_in_order_with_long_question_cut(tmp_path, seed_corpus, seed_index_dir):
    long_q = "What is the half-life of baclofen? " + "x" * 2500
    stdin = "How should baclofen tablets be stored?\n\nWhat is the capital of France?\n" + long_q + "\n"
    p = _run(
        ["ask", "--json", "--stdin", "--corpus", str(seed_corpus), "--index-dir", str(seed_index_dir)],
        tmp_path,
        stdin=stdin,
    )
    assert p.returncode == 0, p.stderr
    assert "cut to 2000 characters" in p.stderr and "Traceback" not in p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["question"] == "How should baclofen tablets be stored?" and not rows[0]["abstained"]
    assert rows[1]["abstained"] and all(c["closest_only"] for c in rows[1]["citations"])
    assert len(rows[2]["question"]) == 2000
    for row in rows:
        for c in row["citations"]:
            text = open(c["source"], encoding="utf-8").read()
            assert text[c["start"] : c["end"]] == c["quote"]


def test_text_output_for_people(tmp_path, seed_corpus, seed_index_dir):
    p = _run(
        [
            "ask",
            "What is the maximum daily dose of oral baclofen?",
            "--corpus",
            str(seed_corpus),
            "--index-dir",
            str(seed_index_dir),
        ],
        tmp_path,
    )
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "The sources differ" in out and "References:" in out
    assert "[1] " in out and "[2] " in out and "100 mg" in out and "80 mg" in out
    assert "not medical advice" in out.strip().splitlines()[-1]
