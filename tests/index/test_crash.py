"""A build killed with SIGKILL leaves the previous index intact and loadable (a real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from index.store import build_index, current_build, load_index, quiet_log
from tests.conftest import BQA, bqa_env


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_sigkill_mid_build_keeps_previous_index(tmp_path, seed_corpus, encoder):
    ix = tmp_path / "ix"
    build_index(seed_corpus, ix, encoder=encoder, log=quiet_log)
    before = json.loads((current_build(ix) / "manifest.json").read_text())["build_id"]

    env = bqa_env(tmp_path)
    env["BQA_FAULT_PAUSE_BEFORE_SWITCH"] = "30"
    proc = subprocess.Popen(
        [BQA, "index", "--rebuild", "--corpus", str(seed_corpus), "--index-dir", str(ix)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the new build's files are fully written in builds/.tmp-*, not yet switched in: kill now
        assert _wait_for(
            lambda: any(
                p.name.startswith(".tmp-") and (p / "manifest.json").exists() for p in (ix / "builds").iterdir()
            ),
            timeout=240,
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    index = load_index(ix)  # verifies every checksum
    assert index.manifest["build_id"] == before
    assert index.manifest["n_documents"] == 5


def test_sigkill_at_random_moments_never_breaks_the_index(tmp_path, seed_corpus, encoder):
    ix = tmp_path / "ix"
    build_index(seed_corpus, ix, encoder=encoder, log=quiet_log)
    env = bqa_env(tmp_path)
    for delay in (0.5, 4.0):
        proc = subprocess.Popen(
            [BQA, "index", "--rebuild", "--corpus", str(seed_corpus), "--index-dir", str(ix)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert load_index(ix).manifest["n_documents"] == 5
