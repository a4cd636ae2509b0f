"""Bad questions through the real `bqa ask` entry: refused in one line, or made safe with a warning.

Most cases run `bqa.cli.main` in process (the model is the session's); one real subprocess passes
bytes that are not UTF-8 in argv, as a shell would.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from index.settings import MAX_QUESTION_CHARS
from rag.cli import sanitize
from tests.conftest import BQA, bqa_env


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bqa: error: "), err
    assert "Traceback" not in err
    return lines[0]


def _tree(folder) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", ""],
        ["ask", "   \t  "],
        ["ask", "\x00\x07\x1b[0m\x7f"],  # nothing but control characters and an escape sequence
        ["ask"],
        ["ask", "--stdin", "What is baclofen?"],
    ],
    ids=["empty", "blank", "controls-only", "missing", "question-and-stdin"],
)
def test_an_empty_question_is_one_line_and_exit_2(run_cli, argv):
    code, out, err = run_cli(argv)
    assert code == 2 and out == ""
    _one_error_line(err)


def test_blank_standard_input_is_one_line_and_exit_2(run_cli):
    code, out, err = run_cli(["ask", "--stdin"], stdin=b"\n   \n\t\x00\n")
    assert code == 2 and out == ""
    assert "no question" in _one_error_line(err)


def test_sanitize_replaces_surrogates_and_drops_controls_and_escapes():
    text, notes = sanitize("caf\udce9 dose\x00?\tnow\x1b[31m red\x1b[0m\x85")
    assert text == "caf\ufffd dose? now red"
    assert len(notes) == 2 and "U+FFFD" in notes[0] and "4 control" in notes[1]
    text.encode("utf-8")  # printable
    assert sanitize("Plain question? Ünïcode – fine.") == ("Plain question? Ünïcode – fine.", [])


def test_bad_lines_on_stdin_are_made_safe_in_order(run_cli, seed_corpus, seed_index_dir):
    """Control characters, bytes that are not UTF-8, an escape sequence, a control-only line and a
    100,000-character question: answered in order, warned about by line number, never a traceback.
    A fresh index is only read: nothing in its folder changes."""
    huge = "What is the maximum daily dose of oral baclofen? " + "dose " * 20_000
    stdin = (
        b"\xef\xbb\xbfWhat is the elimination half-life of baclofen?\x00\x07\n"
        b"How should baclofen tablets be stored? caf\xe9 \xff\n"
        b"\x1b[31mWhat are the most common adverse effects of baclofen?\x1b[0m\r\n"
        b"\x00\x01\x02\n"
        b"\n" + huge.encode() + b"\n"
    )
    before = _tree(seed_index_dir)
    code, out, err = run_cli(
        ["ask", "--json", "--stdin", "--corpus", str(seed_corpus), "--index-dir", str(seed_index_dir)], stdin=stdin
    )
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows[:3]] == [
        "What is the elimination half-life of baclofen?",
        "How should baclofen tablets be stored? caf\ufffd \ufffd",
        "What are the most common adverse effects of baclofen?",
    ]
    assert len(rows) == 4 and len(rows[3]["question"]) == MAX_QUESTION_CHARS
    assert "two to four hours" in rows[0]["answer"]
    assert "100 mg" in rows[3]["answer"]
    out.encode("utf-8")  # every character printable as UTF-8
    assert err.index("line 1: removed 2 control character") < err.index("line 2: ") < err.index("line 3: ")
    assert "line 2: not valid UTF-8 (byte 42)" in err
    assert "line 3: removed 2 control character" in err  # the two escape sequences (CR is a space)
    assert f"line 6: question cut to {MAX_QUESTION_CHARS} characters (it had {len(' '.join(huge.split()))})" in err
    assert "line 4" not in err  # a control-only line is skipped like a blank one
    assert _tree(seed_index_dir) == before


def test_a_lone_surrogate_argument_prints_as_json(run_cli, seed_corpus, seed_index_dir):
    # what Python makes of `bqa ask $'caf\xe9 ...'`: the byte kept as the lone surrogate U+DCE9
    code, out, err = run_cli(
        ["ask", "--json", "--corpus", str(seed_corpus), "--index-dir", str(seed_index_dir)]
        + ["How should baclofen tablets be stored? caf\udce9"]
    )
    assert code == 0, err
    row = json.loads(out)
    assert row["question"] == "How should baclofen tablets be stored? caf\ufffd"
    assert "not UTF-8" in err and "Traceback" not in err


def test_subprocess_argv_with_bytes_that_are_not_utf8(tmp_path, seed_corpus, seed_index_dir):
    """A real `bqa ask` given raw bytes: not UTF-8, a control character and 100,000 characters."""
    question = b"How should baclofen tablets be stored? caf\xe9\x07 " + b"x" * 100_000
    proc = subprocess.run(
        [BQA, "ask", "--json", "--corpus", os.fsencode(seed_corpus), "--index-dir", os.fsencode(seed_index_dir)]
        + [question],
        capture_output=True,
        timeout=240,
        env=bqa_env(tmp_path),
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    row = json.loads(proc.stdout.decode("utf-8"))  # strict: the output is valid UTF-8
    assert row["question"].startswith("How should baclofen tablets be stored? caf\ufffd x")
    assert len(row["question"]) == MAX_QUESTION_CHARS
    assert "not UTF-8" in err and "control character" in err and "cut to 2000 characters" in err
