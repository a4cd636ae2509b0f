"""Speed levers: a light CLI import, a fast `bqa --help`, one thread for a single question's encode."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from tests.conftest import BQA, ROOT, bqa_env

HEAVY = ("torch", "sentence_transformers", "transformers", "faiss", "bm25s", "numpy", "langchain_core")


def test_importing_the_cli_loads_nothing_heavy():
    code = f"import sys, bqa.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_help_is_fast(tmp_path):
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run([BQA, "--help"], capture_output=True, text=True, env=bqa_env(tmp_path))
        best = min(best, time.perf_counter() - t0)
        assert proc.returncode == 0 and "bench" in proc.stdout
    assert best < 2.0  # generous: measured ~0.1 s (target 0.5 s, docs/PERFORMANCE.md)


def test_small_encodes_match_batched_ones_and_restore_threads(encoder):
    import torch

    from index.embeddings import SINGLE_THREAD_BELOW

    texts = ["What is the maximum daily dose of oral baclofen?", "renal failure?"] + [
        f"baclofen sentence number {i}" for i in range(SINGLE_THREAD_BELOW)
    ]
    before = torch.get_num_threads()
    one = np.vstack([encoder.encode([t]) for t in texts[:2]])
    batch = encoder.encode(texts)
    assert torch.get_num_threads() == before
    assert np.allclose(one, batch[:2], atol=1e-4)
