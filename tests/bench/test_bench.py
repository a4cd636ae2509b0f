"""`bqa bench`: a quick run's report (keys and sane values), its table and figure, bad options."""

from __future__ import annotations

import json
import subprocess

import pytest

from bqa import bench
from index.settings import Settings
from tests.conftest import BQA, bqa_env

TINY_DOC = """Baclofen dosing

Baclofen is a muscle relaxant used to treat spasticity. Oral baclofen is usually started at 5 mg
three times daily. The dose may be increased by 5 mg every three days, up to 80 mg per day.

Baclofen is excreted mainly by the kidneys, so patients with renal impairment need lower doses.
Stopping baclofen suddenly can cause withdrawal with hallucinations and seizures.
"""


@pytest.fixture(scope="module")
def quick_report(encoder, tmp_path_factory):
    """A quick in-process run on a one-paragraph corpus: 3 questions, tiny synthetic scale, no subprocesses."""
    tiny = tmp_path_factory.mktemp("tiny-corpus")
    (tiny / "baclofen_short.txt").write_text(TINY_DOC, encoding="utf-8")
    return bench.collect(
        Settings(),
        tiny,
        quick=True,
        scales=[300],
        encoder=encoder,
        work_parent=tmp_path_factory.mktemp("bench"),
        questions=bench.gold_questions()[:3],
        cold_start=False,
        log=lambda _message: None,
    )


def test_quick_report_has_every_part_with_sane_values(quick_report):
    r = json.loads(json.dumps(quick_report))  # one JSON object, as --json prints
    b = r["build"]
    assert b["texts_embedded"] == b["chunks"] + b["sentences"] > 0
    assert b["build_seconds"] > 0 and b["raw_encode_seconds"] > 0
    assert b["build_vs_raw_encode"] == pytest.approx(b["raw_encode_seconds"] / b["build_seconds"], rel=1e-2)
    q = r["questions"]
    assert q["questions"] == 3 and 0 < q["question_embed_p50_ms"] <= q["question_embed_p95_ms"]
    qa = q["qa"]
    if qa["available"]:
        assert 0 < qa["retrieve_p50_ms"] and 0 < qa["answer_p50_ms"] <= qa["answer_p95_ms"]
        assert qa["corpus_texts_reembedded"] == 0  # never re-embed corpus text at question time
        assert 1 <= qa["texts_embedded_per_question"] < 10
        assert qa["answer_vs_question_embed"] == pytest.approx(
            qa["answer_p50_ms"] / q["question_embed_p50_ms"], rel=1e-2
        )
    assert r["memory"]["bench_peak_rss_mb"] >= r["memory"]["bench_peak_rss_mb_before_scale"] > 100
    s = r["scale"]
    assert s["synthetic"] is True
    (v,) = s["vectors"]
    assert v["n"] == 300 and v["flat_bytes_per_vector"] == 1536
    assert set(v["approximate"]) == {"ivf", "hnsw"}  # the other kind too, below COMPARE_UP_TO
    assert all(0.9 <= a["recall_at_k"] <= 1 for a in v["approximate"].values())
    assert s["approximate"] == "ivf"
    assert [c["n"] for c in s["flat_curve"]] == sorted(c["n"] for c in s["flat_curve"])
    assert s["uniform_worst_case"]["data"] == "uniform"
    assert s["bm25"][0]["n_docs"] == 300
    assert "crossover" in s and s["crossover"]["budget_ms"] > 0
    assert set(r["acceptance"]) == set(bench.TARGETS)
    assert r["acceptance"]["search_p50_ms_at_1m"]["pass"] is None  # 300 vectors is not 1M
    assert r["acceptance"]["build_vs_raw_encode"]["pass"] in (True, False)


def test_table_names_the_synthetic_data_and_the_targets(quick_report):
    text = bench.format_table(quick_report)
    assert "SYNTHETIC" in text
    assert "build / raw throughput" in text
    for key in bench.TARGETS:
        assert key in text


def test_figure_is_a_png(quick_report, tmp_path):
    path = bench.plot(quick_report, tmp_path / "fig" / "latency.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_acceptance_on_a_hand_report():
    report = {
        "build": {"build_vs_raw_encode": 0.95},
        "questions": {"qa": {"answer_vs_question_embed": 3.5}},
        "process": {"help_p50_s": 0.1},
        "scale": {
            "approximate": "ivf",
            "vectors": [
                {
                    "n": 1_000_000,
                    "approximate": {
                        "ivf": {"p50_ms": 1.5, "recall_at_k": 0.94},
                        "hnsw": {"p50_ms": 30.0, "recall_at_k": 0.99},
                    },
                }
            ],
        },
    }
    a = bench.acceptance(report)
    assert a["build_vs_raw_encode"]["pass"] is True
    assert a["answer_vs_question_embed"]["pass"] is False
    assert a["help_seconds"]["pass"] is True
    assert a["search_p50_ms_at_1m"]["pass"] is True
    assert a["recall_at_10_at_1m"]["pass"] is False


def test_percentile_helper():
    assert bench._p([0.001, 0.002, 0.003, 0.004], 50) == pytest.approx(2.5)
    assert bench._p([], 50) is None


def test_bench_refuses_a_tiny_scale(capsys):
    from bqa.cli import main

    assert main(["bench", "--scale", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("bqa: error:")


@pytest.mark.slow
def test_bench_cli_quick_json(tmp_path):
    proc = subprocess.run(
        [BQA, "bench", "--quick", "--json", "--scale", "1000", "--figure", str(tmp_path / "f.png")],
        capture_output=True,
        text=True,
        env=bqa_env(tmp_path),
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    r = json.loads(lines[0])
    assert r["quick"] is True and r["figure"] == str(tmp_path / "f.png")
    p = r["process"]
    assert p["help_p50_s"] > 0
    assert p["cold_start_s"] is not None or p["cold_start_error"]
    assert "bench:" in proc.stderr  # progress goes to stderr
