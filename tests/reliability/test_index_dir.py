"""A wrong or unwritable --index-dir for `bqa ask` and `bqa index`: one line on stderr, exit code 2.

Every case fails before the model loads. A read-only folder made with chmod does not stop root,
so that case is skipped under root; /sys (sysfs refuses new folders even to root) and a path
under a file stand in for it everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.test_questions import _one_error_line

COMMANDS = [["ask", "What is baclofen used for?"], ["index"]]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _run_both(run_cli, corpus: Path, index_dir: Path) -> list[str]:
    lines = []
    for command in COMMANDS:
        code, out, err = run_cli([*command, "--corpus", str(corpus), "--index-dir", str(index_dir)])
        assert code == 2 and out == "", (command, err)
        lines.append(_one_error_line(err))
    return lines


def test_a_file_as_index_dir(run_cli, tmp_path, seed_corpus):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for line in _run_both(run_cli, seed_corpus, blocker):
        assert "is a file, not a folder" in line
    for line in _run_both(run_cli, seed_corpus, blocker / "index"):
        assert "cannot be created" in line and "is a file" in line
    assert blocker.read_text() == "x"


def test_an_index_dir_inside_the_corpus(run_cli, tmp_path, seed_corpus):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Alpha\nAlpha is taken at 5 mg daily.\n", encoding="utf-8")
    for target in (corpus, corpus / ".index", corpus / "sub" / "index"):
        for line in _run_both(run_cli, corpus, target):
            assert "inside the corpus folder" in line
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt"]


def test_a_folder_no_one_may_create(run_cli, seed_corpus):
    target = Path("/sys/bqa-reliability-index")
    if not Path("/sys").is_dir() or os.access("/sys", os.W_OK) and not IS_ROOT:
        pytest.skip("no read-only /sys on this machine")
    try:
        for line in _run_both(run_cli, seed_corpus, target):
            assert "cannot write the index folder" in line
    finally:
        if target.is_dir():  # a machine where /sys took it after all: leave nothing behind
            target.rmdir()


@pytest.mark.skipif(IS_ROOT, reason="root writes into a chmod 0555 folder; /sys and a path under a file cover it")
def test_a_read_only_folder(run_cli, tmp_path, seed_corpus, seed_index_dir):
    import shutil

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        for line in _run_both(run_cli, seed_corpus, ro):
            assert "cannot write the index folder" in line and "Permission denied" in line
        # a fresh index in a read-only folder is only read: `ask` answers
        ro.chmod(0o755)
        shutil.rmtree(ro)
        shutil.copytree(seed_index_dir, ro)
        for p in [ro, *ro.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        argv = ["ask", "What is baclofen used for?", "--corpus", str(seed_corpus), "--index-dir", str(ro)]
        code, out, err = run_cli(argv)
        assert code == 0, err
        assert "[1]" in out
        # an unreadable folder
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o000)
        for line in _run_both(run_cli, seed_corpus, locked):
            assert "cannot read the index folder" in line
    finally:
        for p in [ro, *ro.rglob("*"), tmp_path / "locked"]:
            if p.exists():
                p.chmod(0o755)
