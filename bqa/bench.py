"""`bqa bench`: measured speed and scale, as ratios to the floor set by the model and the machine.

Parts (progress on stderr; a table, or one JSON object with --json):

1. corpus: a fresh index of the corpus is built in a temporary folder (the user's index is not
   touched), alternating with raw `SentenceTransformer.encode` on exactly the texts the build
   embeds; the ratio of their throughputs says what the rest of the build costs.
2. questions (warm): the gold questions (eval/data/gold.jsonl) one at a time: embedding the
   question alone, `QASystem.retrieve`, `QASystem.ask`, and `QASystem.ask_many` on the whole set;
   every text embedded at question time is counted and checked against the corpus's own texts.
3. process: cold start (spawning `bqa ask`, process start to first answer), `bqa --help`, and
   peak memory (getrusage max RSS of the bench and of the `bqa ask` child).
4. scale (synthetic): exact FAISS against IVF and HNSW on random unit vectors, BM25 (bm25s) on
   synthetic token documents, and the crossover that sets `IndexSettings.approximate_above` (see
   index/scale.py).

Nothing here asserts a time; `acceptance` compares the measured ratios with the targets of issue 7.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.settings import PROJECT_ROOT, Settings

Log = Callable[[str], None]

FULL_SCALES = [10_000, 100_000, 1_000_000]
QUICK_SCALES = [2_000, 5_000]
#: Extra sizes for the exact-search latency curve (exact indexes are cheap to build).
CURVE_SIZES = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
#: One exact search may cost this fraction of embedding the question (see `crossover_budget`).
CROSSOVER_FRACTION = 0.5
#: Query-time knobs also measured on each built index: efSearch for HNSW, lists probed for IVF.
SWEEPS = {"hnsw": (64, 128, 256, 512, 1024), "ivf": (8, 16, 32, 64, 128)}
#: The approximate kind not configured is also built up to this size, for comparison (a 1M HNSW
#: graph takes tens of minutes on 2 cores; `--compare` builds it at every size).
COMPARE_UP_TO = 100_000
COLD_QUESTION = "What is the maximum daily dose of oral baclofen?"
TARGETS = {
    "build_vs_raw_encode": ">= 0.9",
    "answer_vs_question_embed": "<= 3",
    "help_seconds": "< 0.5",
    "search_p50_ms_at_1m": "<= 20",
    "recall_at_10_at_1m": ">= 0.95",
}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _p(values: list[float], q: float) -> float | None:
    """q-th percentile of durations in seconds, in ms (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    # linear interpolation between closest ranks, as numpy's default
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return round((ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)) * 1000.0, 3)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024.0, 1)  # Linux reports KiB


def gold_questions(path: Path | None = None) -> list[str]:
    """The project's gold questions (the warm-latency workload), in file order."""
    path = path or PROJECT_ROOT / "eval" / "data" / "gold.jsonl"
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


def bqa_command() -> list[str]:
    """How to run this project's `bqa` in a child process (the console script next to python)."""
    script = Path(sys.executable).parent / "bqa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bqa.cli"]


def run_child(argv: list[str], *, env: dict | None = None, timeout: float = 600) -> dict:
    """Run a child process: wall seconds from spawn to exit, exit code and output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return {"seconds": time.perf_counter() - t0, "code": proc.returncode, "stdout": out, "stderr": err}


def run_child_rss(argv: list[str], *, env: dict | None = None) -> dict:
    """Like run_child, with the child's own peak RSS from os.wait4 (output discarded)."""
    t0 = time.perf_counter()
    with open(os.devnull, "w") as null, tempfile.TemporaryFile("w+") as errf:
        proc = subprocess.Popen(argv, stdout=null, stderr=errf, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read()
    return {
        "seconds": seconds,
        "code": proc.returncode,
        "max_rss_mb": round(usage.ru_maxrss / 1024.0, 1),
        "stderr": err,
    }


# --- part 1: build against raw encode --------------------------------------------------------------


def measure_build(corpus: Path, work: Path, settings: Settings, encoder, *, reps: int, log: Log) -> dict:
    """Index build time and throughput against raw SentenceTransformer.encode on the same texts.

    Runs are interleaved (raw, build, raw, build, ...) after one warm-up of each, so that load
    from other processes on a shared machine hits both alike; medians are compared.
    """
    from index.store import build_index, chunk_embed_text, quiet_log, sentence_embed_text

    index_dir = work / "index"
    log("bench: warm-up build of the corpus")
    first = build_index(corpus, index_dir, settings, encoder=encoder, log=quiet_log)
    idx = first.index
    texts = [chunk_embed_text(c) for c in idx.chunks] + [sentence_embed_text(s) for s in idx.sentences]
    model = encoder.model

    def raw() -> float:
        t0 = time.perf_counter()
        model.encode(texts, batch_size=settings.model.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return time.perf_counter() - t0

    raw()  # warm-up
    raw_times, build_times = [], []
    for i in range(reps):
        log(f"bench: build and raw encode, run {i + 1}/{reps}")
        raw_times.append(raw())
        t0 = time.perf_counter()
        result = build_index(corpus, index_dir, settings, encoder=encoder, log=quiet_log)
        build_times.append(time.perf_counter() - t0)
        idx = result.index
    raw_s, build_s = statistics.median(raw_times), statistics.median(build_times)
    n = len(texts)
    return {
        "index_dir": str(index_dir),
        "documents": len(idx.documents),
        "chunks": len(idx.chunks),
        "sentences": len(idx.sentences),
        "texts_embedded": n,
        "faiss": type(idx.chunk_faiss).__name__,
        "batch_size": settings.model.batch_size,
        "runs": reps,
        "build_seconds": round(build_s, 3),
        "build_seconds_runs": [round(x, 3) for x in build_times],
        "raw_encode_seconds": round(raw_s, 3),
        "raw_encode_seconds_runs": [round(x, 3) for x in raw_times],
        "build_texts_per_s": round(n / build_s, 1),
        "raw_encode_texts_per_s": round(n / raw_s, 1),
        "build_vs_raw_encode": _ratio(raw_s, build_s),  # throughput ratio = inverse time ratio
        "_index": idx,
    }


# --- part 2: warm question path ----------------------------------------------------------------


class _Counter:
    """Counts the texts embedded while it is installed on an encoder, and which are corpus texts."""

    def __init__(self, encoder, corpus_texts: set[str]) -> None:
        self.encoder = encoder
        self.corpus_texts = corpus_texts
        self.texts = 0
        self.calls = 0
        self.corpus_hits = 0
        self._inner = encoder.encode

    def __enter__(self) -> _Counter:
        def counting(texts, *args, **kwargs):
            texts = list(texts)
            self.calls += 1
            self.texts += len(texts)
            self.corpus_hits += sum(1 for t in texts if t in self.corpus_texts)
            return self._inner(texts, *args, **kwargs)

        self.encoder.encode = counting  # instance attribute shadows the method
        return self

    def __exit__(self, *exc) -> None:
        del self.encoder.encode


def measure_questions(index, settings: Settings, questions: list[str], *, log: Log) -> dict:
    """Warm latency: the question embedding alone, retrieval alone, a full answer, and a batch."""
    from index.store import chunk_embed_text, sentence_embed_text

    encoder = index.encoder
    embed_times, embed_cpu = [], []
    encoder.encode([questions[0]])  # warm-up
    for q in questions:
        t0, c0 = time.perf_counter(), time.thread_time()
        encoder.encode([q])
        embed_times.append(time.perf_counter() - t0)
        embed_cpu.append(time.thread_time() - c0)
    out: dict = {
        "questions": len(questions),
        "question_embed_p50_ms": _p(embed_times, 50),
        "question_embed_p95_ms": _p(embed_times, 95),
        # CPU time of this thread: the work itself, less sensitive to other processes on the machine
        "question_embed_cpu_p50_ms": _p(embed_cpu, 50),
    }
    log(f"bench: embedding a question alone: p50 {out['question_embed_p50_ms']} ms")
    try:
        from rag.pipeline import QASystem
    except ImportError as exc:
        out["qa"] = {"available": False, "reason": f"rag.pipeline.QASystem cannot be imported ({exc})"}
        return out

    t0 = time.perf_counter()
    qa = QASystem(index, settings)
    setup_s = time.perf_counter() - t0
    qa.ask(questions[0])  # warm-up: lazy parts load here, not in the timings
    corpus_texts = {c.text for c in index.chunks} | {s.text for s in index.sentences}
    corpus_texts |= {chunk_embed_text(c) for c in index.chunks} | {sentence_embed_text(s) for s in index.sentences}
    retrieve_times, ask_times, ask_cpu = [], [], []
    # QASystem keeps recent question vectors; every timed call starts without them, so each one
    # pays for embedding its question as a new question would.
    forget = getattr(qa, "forget_vectors", lambda: None)
    with _Counter(encoder, corpus_texts) as counter:
        for i, q in enumerate(questions):
            forget()
            t0 = time.perf_counter()
            qa.retrieve(q)
            retrieve_times.append(time.perf_counter() - t0)
            forget()
            t0, c0 = time.perf_counter(), time.thread_time()
            qa.ask(q)
            ask_times.append(time.perf_counter() - t0)
            ask_cpu.append(time.thread_time() - c0)
            if (i + 1) % 25 == 0:
                log(f"bench: {i + 1}/{len(questions)} questions")
    forget()
    t0 = time.perf_counter()
    qa.ask_many(questions)
    batch_s = time.perf_counter() - t0
    qa_out = {
        "available": True,
        "setup_seconds": round(setup_s, 3),
        "retrieve_p50_ms": _p(retrieve_times, 50),
        "retrieve_p95_ms": _p(retrieve_times, 95),
        "answer_p50_ms": _p(ask_times, 50),
        "answer_p95_ms": _p(ask_times, 95),
        "answer_max_ms": _p(ask_times, 100),
        "answer_cpu_p50_ms": _p(ask_cpu, 50),
        "ask_many_per_question_ms": round(batch_s * 1000 / len(questions), 3),
        # Per retrieve + ask pair: the question is embedded once by each (2 per pair is the floor).
        "texts_embedded_per_question": round(counter.texts / len(questions), 2),
        "encode_calls_per_question": round(counter.calls / len(questions), 2),
        "corpus_texts_reembedded": counter.corpus_hits,
    }
    qa_out["answer_vs_question_embed"] = _ratio(qa_out["answer_p50_ms"], out["question_embed_p50_ms"])
    qa_out["answer_vs_question_embed_cpu"] = _ratio(qa_out["answer_cpu_p50_ms"], out["question_embed_cpu_p50_ms"])
    qa_out["retrieve_vs_question_embed"] = _ratio(qa_out["retrieve_p50_ms"], out["question_embed_p50_ms"])
    log(
        f"bench: warm answer p50 {qa_out['answer_p50_ms']} ms "
        f"({qa_out['answer_vs_question_embed']}x embedding the question)"
    )
    out["qa"] = qa_out
    return out


# --- part 3: processes ---------------------------------------------------------------------------


def measure_processes(corpus: Path, index_dir: Path, *, reps: int, log: Log) -> dict:
    """Cold start of `bqa ask` (spawn to exit, index already built) and `bqa --help`."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    cmd = bqa_command()
    help_times = []
    for _ in range(max(3, reps)):
        r = run_child([*cmd, "--help"], env=env)
        help_times.append(r["seconds"])
    out: dict = {
        "help_p50_s": round(statistics.median(help_times), 3),
        "help_max_s": round(max(help_times), 3),
        "help_runs": len(help_times),
    }
    log(f"bench: bqa --help p50 {out['help_p50_s']} s")
    ask = [*cmd, "ask", COLD_QUESTION, "--json", "--corpus", str(corpus), "--index-dir", str(index_dir)]
    runs = []
    for i in range(reps):
        log(f"bench: cold start of bqa ask, run {i + 1}/{reps}")
        runs.append(run_child_rss(ask, env=env))
    ok = [r for r in runs if r["code"] == 0]
    if ok:
        out["cold_start_s"] = round(statistics.median(r["seconds"] for r in ok), 3)
        out["cold_start_runs_s"] = [round(r["seconds"], 3) for r in ok]
        out["ask_process_peak_rss_mb"] = max(r["max_rss_mb"] for r in ok)
        log(f"bench: cold start {out['cold_start_s']} s, peak RSS {out['ask_process_peak_rss_mb']} MB")
    else:
        last = (runs[-1]["stderr"].strip().splitlines() or ["(no message)"])[-1] if runs else "not run"
        out["cold_start_s"] = None
        out["cold_start_error"] = f"bqa ask exited {runs[-1]['code'] if runs else '?'}: {last[:300]}"
        log(f"bench: cold start not measured: {out['cold_start_error']}")
    return out


# --- part 4: scale -------------------------------------------------------------------------------


def measure_scale(
    scales: list[int],
    settings: Settings,
    *,
    quick: bool,
    embed_p50_ms: float | None,
    compare: bool = False,
    log: Log,
) -> dict:
    """Exact vs IVF and HNSW on synthetic vectors, the exact-search curve and crossover, BM25 by size.

    The approximate kind that `auto` uses (`IndexSettings.approximate`) is measured at every size;
    the other one up to COMPARE_UP_TO vectors, or at every size with `compare`.
    """
    from index import scale as sc

    scales = sorted(set(scales))
    n_queries = 50 if quick else 200
    chosen = settings.index.approximate
    other = "hnsw" if chosen == "ivf" else "ivf"
    out: dict = {
        "synthetic": True,
        "vectors_data": "unit vectors sampled from a Gaussian mixture fitted to 40,000 real all-MiniLM-L6-v2 "
        "embeddings (index/scale.py FittedMixture; queries drawn alike, not indexed); dimension 384",
        "bm25_data": "synthetic documents: 40 Zipf-distributed token ids each over a 50,000-token vocabulary; "
        "5-token queries",
        "approximate": chosen,
        "vectors": [],
        "bm25": [],
    }
    for n in scales:
        kinds = [chosen] + ([other] if compare or n <= COMPARE_UP_TO else [])
        log(f"bench: scale: {n:,} synthetic vectors (exact, {' and '.join(k.upper() for k in kinds)})")
        r = sc.measure_vectors(
            n,
            settings=settings.index,
            n_queries=n_queries,
            flat_queries=10 if n >= 300_000 else 30,
            kinds=kinds,
            sweeps=SWEEPS,
            log=log,
        )
        out["vectors"].append(r.to_dict())
    # The exact-search curve: the measured sizes plus cheap extra ones up to the largest scale.
    measured = {v["n"]: v for v in out["vectors"]}
    extra = [n for n in CURVE_SIZES if n <= max(scales) and n not in measured]
    if quick:
        extra = [n for n in (500, 1_000) if n not in measured]
    log(f"bench: scale: exact-search latency at {', '.join(f'{n:,}' for n in extra)} vectors")
    curve = sc.flat_latency_curve(extra, n_queries=10 if quick else 30, log=log)
    curve += [{"n": v["n"], "flat_p50_ms": v["flat_p50_ms"], "flat_p95_ms": v["flat_p95_ms"]} for v in out["vectors"]]
    curve.sort(key=lambda c: c["n"])
    out["flat_curve"] = curve
    budget = CROSSOVER_FRACTION * embed_p50_ms if embed_p50_ms else None
    if budget:
        cross = sc.crossover(curve, budget_ms=budget)
        cross["rule"] = (
            f"largest size at which one exact search costs at most {CROSSOVER_FRACTION} x embedding the question"
        )
        cross["recommended_approximate_above"] = sc.round_125(cross["n"]) if cross.get("n") else None
        cross["current_approximate_above"] = settings.index.approximate_above
        out["crossover"] = cross
    worst_n = min(scales[0], 10_000)
    log(f"bench: scale: worst case, {worst_n:,} uniform random unit vectors")
    out["uniform_worst_case"] = sc.measure_vectors(
        worst_n, settings=settings.index, data="uniform", n_queries=n_queries, kinds=[chosen, other], log=log
    ).to_dict()
    for n in scales:
        log(f"bench: scale: BM25 over {n:,} synthetic documents")
        out["bm25"].append(sc.measure_bm25(n, n_queries=20 if quick else 50, log=log).to_dict())
    return out


# --- the whole run -------------------------------------------------------------------------------


def _machine(settings: Settings) -> dict:
    import faiss
    import torch

    return {
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "faiss": faiss.__version__,
        "faiss_threads": faiss.omp_get_max_threads(),
        "model": settings.model.name,
    }


def acceptance(report: dict) -> dict:
    """The measured ratios against issue 7's targets (None where a part was not measured)."""
    build = report.get("build", {})
    qa = report.get("questions", {}).get("qa", {})
    proc = report.get("process", {})
    scale = report.get("scale", {})
    big = max(scale.get("vectors", []), key=lambda v: v["n"], default=None)
    at_1m = big["approximate"].get(scale.get("approximate")) if big and big["n"] >= 1_000_000 else None

    def check(value, ok) -> dict:
        return {"value": value, "pass": None if value is None else bool(ok(value))}

    out = {
        "build_vs_raw_encode": check(build.get("build_vs_raw_encode"), lambda v: v >= 0.9),
        "answer_vs_question_embed": check(qa.get("answer_vs_question_embed"), lambda v: v <= 3),
        "help_seconds": check(proc.get("help_p50_s"), lambda v: v < 0.5),
        "search_p50_ms_at_1m": check(at_1m["p50_ms"] if at_1m else None, lambda v: v <= 20),
        "recall_at_10_at_1m": check(at_1m["recall_at_k"] if at_1m else None, lambda v: v >= 0.95),
    }
    for key, target in TARGETS.items():
        out[key]["target"] = target
    return out


def collect(
    settings: Settings,
    corpus: Path,
    *,
    quick: bool = False,
    scales: list[int] | None = None,
    encoder=None,
    work_parent: Path | None = None,
    questions: list[str] | None = None,
    cold_start: bool = True,
    compare: bool = False,
    log: Log = _log,
) -> dict:
    """Run every part and return the report (a JSON-ready dict)."""
    from index.embeddings import Encoder
    from index.loading import corpus_files

    corpus_files(corpus)  # a missing corpus is a one-line error before anything heavy
    scales = (QUICK_SCALES if quick else FULL_SCALES) if scales is None else scales
    questions = questions or gold_questions()
    if quick:
        questions = questions[:10]
    t_start = time.perf_counter()
    report: dict = {"quick": quick, "machine": _machine(settings)}
    if encoder is None:
        log(f"bench: loading the embedding model {settings.model.name}")
        t0 = time.perf_counter()
        encoder = Encoder(settings.model)
        encoder.model  # noqa: B018 - load now, timed
        report["model_load_s"] = round(time.perf_counter() - t0, 3)
    if work_parent is not None:
        Path(work_parent).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bqa-bench-", dir=work_parent) as tmp:
        build = measure_build(corpus, Path(tmp), settings, encoder, reps=1 if quick else 3, log=log)
        index = build.pop("_index")
        report["build"] = build
        report["questions"] = measure_questions(index, settings, questions, log=log)
        report["memory"] = {"bench_peak_rss_mb_before_scale": _maxrss_mb()}
        if cold_start:
            report["process"] = measure_processes(corpus, Path(build["index_dir"]), reps=1 if quick else 3, log=log)
            if "ask_process_peak_rss_mb" in report["process"]:
                report["memory"]["ask_process_peak_rss_mb"] = report["process"]["ask_process_peak_rss_mb"]
        del index
    if scales:
        report["scale"] = measure_scale(
            scales,
            settings,
            quick=quick,
            embed_p50_ms=report["questions"]["question_embed_p50_ms"],
            compare=compare,
            log=log,
        )
        report["memory"]["bench_peak_rss_mb"] = _maxrss_mb()
    report["acceptance"] = acceptance(report)
    report["seconds"] = round(time.perf_counter() - t_start, 1)
    return report


# --- output --------------------------------------------------------------------------------------


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip()


def format_table(report: dict) -> str:
    """The report for people: one aligned table per part."""
    lines: list[str] = []

    def section(title: str, rows: list[tuple[str, str]]) -> None:
        lines.append(title)
        width = max((len(k) for k, _ in rows), default=0)
        lines.extend(f"  {k.ljust(width)}  {v}" for k, v in rows)
        lines.append("")

    m = report["machine"]
    section(
        "machine",
        [
            ("cpus / load (1 min)", f"{m['cpus']} / {m['load_average_1m']}"),
            ("torch / faiss threads", f"{m['torch_threads']} / {m['faiss_threads']}"),
            ("model", m["model"]),
            ("model load", _fmt(report.get("model_load_s"), "s")),
        ],
    )
    b = report["build"]
    section(
        f"index build ({b['documents']} documents, {b['texts_embedded']} texts embedded, median of {b['runs']})",
        [
            ("build", f"{_fmt(b['build_seconds'], 's')}  ({_fmt(b['build_texts_per_s'], 'texts/s')})"),
            (
                "raw SentenceTransformer.encode",
                f"{_fmt(b['raw_encode_seconds'], 's')}  ({_fmt(b['raw_encode_texts_per_s'], 'texts/s')})",
            ),
            ("build / raw throughput", _fmt(b["build_vs_raw_encode"])),
        ],
    )
    q = report["questions"]
    rows = [
        (
            "embed the question alone",
            f"p50 {_fmt(q['question_embed_p50_ms'], 'ms')} (CPU {_fmt(q['question_embed_cpu_p50_ms'], 'ms')})",
        )
    ]
    qa = q.get("qa", {})
    if qa.get("available"):
        rows += [
            (
                "retrieval (QASystem.retrieve)",
                f"p50 {_fmt(qa['retrieve_p50_ms'], 'ms')}, p95 {_fmt(qa['retrieve_p95_ms'], 'ms')}",
            ),
            (
                "full answer (QASystem.ask)",
                f"p50 {_fmt(qa['answer_p50_ms'], 'ms')}, p95 {_fmt(qa['answer_p95_ms'], 'ms')} "
                f"(CPU p50 {_fmt(qa['answer_cpu_p50_ms'], 'ms')})",
            ),
            (
                "answer / question embedding",
                f"{_fmt(qa['answer_vs_question_embed'])} (CPU time: {_fmt(qa['answer_vs_question_embed_cpu'])})",
            ),
            ("ask_many, per question", _fmt(qa["ask_many_per_question_ms"], "ms")),
            ("texts embedded per question", _fmt(qa["texts_embedded_per_question"])),
            ("corpus texts re-embedded", _fmt(qa["corpus_texts_reembedded"])),
        ]
    else:
        rows.append(("QASystem", qa.get("reason", "not measured")))
    section(f"warm questions ({q['questions']} gold questions, one at a time)", rows)
    p = report.get("process")
    mem = report.get("memory", {})
    if p:
        cold = _fmt(p.get("cold_start_s"), "s") if p.get("cold_start_s") is not None else p.get("cold_start_error")
        section(
            "process",
            [
                ("cold start (bqa ask, spawn to answer)", cold),
                ("bqa --help", f"p50 {_fmt(p['help_p50_s'], 's')}, max {_fmt(p['help_max_s'], 's')}"),
                ("peak RSS, bqa ask process", _fmt(mem.get("ask_process_peak_rss_mb"), "MB")),
                ("peak RSS, bench before scale part", _fmt(mem.get("bench_peak_rss_mb_before_scale"), "MB")),
            ],
        )
    s = report.get("scale")
    if s:
        lines.append(f"index scale (SYNTHETIC: {s['vectors_data']})")
        lines.append(f"  auto uses exact search, then {s['approximate'].upper()}")
        header = ("vectors", "exact p50", "index", "parameters", "build", "p50", "recall@10", "bytes/vector")
        rows_t = [header]
        worst = {**s["uniform_worst_case"], "n": f"{s['uniform_worst_case']['n']:,} uniform"}
        for v in [*s["vectors"], worst]:
            size = v["n"] if isinstance(v["n"], str) else f"{v['n']:,}"
            exact = (size, _fmt(v["flat_p50_ms"], "ms"), "exact", "", "", "", "1")
            rows_t.append((*exact, f"{v['flat_bytes_per_vector']:.0f}"))
            for kind, a in v["approximate"].items():
                params = " ".join(f"{key}={value}" for key, value in a["params"].items())
                row = (size, "", kind.upper(), params, _fmt(a["build_s"], "s"), _fmt(a["p50_ms"], "ms"))
                rows_t.append((*row, _fmt(a["recall_at_k"]), _fmt(a["bytes_per_vector"])))
        lines.extend(_grid(rows_t))
        for v in s["vectors"]:
            for kind, a in v["approximate"].items():
                if a.get("sweep"):
                    knob = "ef_search" if kind == "hnsw" else "probe"
                    sweep = ", ".join(
                        f"{e[knob]}: {_fmt(e['p50_ms'], 'ms')} / {e['recall_at_k']:.3f}" for e in a["sweep"]
                    )
                    lines.append(f"  {kind.upper()} {knob} at {v['n']:,} (p50 / recall@10): {sweep}")
        c = s.get("crossover")
        if c:
            lines.append(
                f"  crossover: exact search reaches {_fmt(c['budget_ms'], 'ms')} ({CROSSOVER_FRACTION} x question "
                f"embedding) at ~{_fmt(c['n'])} vectors; recommended approximate_above "
                f"{_fmt(c['recommended_approximate_above'])} (current {_fmt(c['current_approximate_above'])})"
            )
        lines.append("")
        lines.append(f"BM25 scale (SYNTHETIC: {s['bm25_data']})")
        rows_t = [("documents", "build", "all-scores + top-10 p50", "bm25s retrieve p50", "bytes/doc")]
        for r in s["bm25"]:
            rows_t.append(
                (
                    f"{r['n_docs']:,}",
                    _fmt(r["build_s"], "s"),
                    _fmt(r["scores_p50_ms"], "ms"),
                    _fmt(r["retrieve_p50_ms"], "ms"),
                    _fmt(r["bytes_per_doc"]),
                )
            )
        lines.extend(_grid(rows_t))
        lines.append("")
    rows = []
    for key, a in report["acceptance"].items():
        verdict = "not measured" if a["pass"] is None else ("PASS" if a["pass"] else "FAIL")
        rows.append((key, f"{_fmt(a['value'])} (target {a['target']}): {verdict}"))
    section("acceptance (issue 7)", rows)
    lines.append(f"total bench time {_fmt(report['seconds'], 's')}")
    return "\n".join(lines)


def _grid(rows: list[tuple]) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]


def plot(report: dict, path: Path) -> Path:
    """Latency against corpus size (log-log): exact, IVF and HNSW search, BM25, and the question embedding."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = report.get("scale")
    if not s:
        raise ValueError("the report has no scale part to plot")
    fig, ax = plt.subplots(figsize=(8, 6.4), dpi=120)
    curve = s["flat_curve"]
    ax.plot([c["n"] for c in curve], [c["flat_p50_ms"] for c in curve], "o-", label="exact FAISS search, p50")
    for kind, marker in (("ivf", "D-"), ("hnsw", "s-")):
        vec = [v for v in s["vectors"] if kind in v["approximate"]]
        if not vec:
            continue
        params = ", ".join(f"{key}={value}" for key, value in vec[-1]["approximate"][kind]["params"].items())
        ax.plot(
            [v["n"] for v in vec],
            [v["approximate"][kind]["p50_ms"] for v in vec],
            marker,
            label=f"{kind.upper()} search, p50 ({params})",
        )
        for v in vec:
            a = v["approximate"][kind]
            ax.annotate(
                f"recall@10 {a['recall_at_k']:.3f}",
                (v["n"], a["p50_ms"]),
                textcoords="offset points",
                xytext=(0, -14 if kind == "ivf" else 8),
                ha="center",
                fontsize=8,
            )
    bm = s["bm25"]
    ax.plot(
        [r["n_docs"] for r in bm],
        [r["scores_p50_ms"] for r in bm],
        "^--",
        label="BM25 (bm25s) all scores + top 10, p50",
    )
    q = report["questions"]
    if q.get("question_embed_p50_ms"):
        ax.axhline(q["question_embed_p50_ms"], color="grey", ls=":", label="embedding the question (seed corpus)")
    qa = q.get("qa", {})
    if qa.get("answer_p50_ms"):
        n_seed = report["build"]["sentences"]
        ax.plot([n_seed], [qa["answer_p50_ms"]], "*", ms=12, color="black", label="full answer, seed corpus, p50")
    c = s.get("crossover")
    if c and c.get("n"):
        label = f"measured crossover, {c['n']:,} (exact search = {CROSSOVER_FRACTION} x question embedding)"
        ax.axvline(c["n"], color="red", ls="--", lw=1, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("items indexed (vectors or documents; synthetic above the seed corpus)")
    ax.set_ylabel("latency per query, ms")
    ax.set_title("Search latency against corpus size (2-core CPU, one query at a time)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=1, frameon=False)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def run(args: argparse.Namespace) -> int:
    """`bqa bench [--json] [--scale N ...] [--quick] [--figure FILE]`."""
    from index.cli import settings_from_args
    from index.errors import InputError

    settings, corpus, index_dir = settings_from_args(args)
    scales = args.scale
    if scales is not None and any(n < 100 for n in scales):
        raise InputError("--scale sizes must be at least 100 vectors", hint="e.g. --scale 10000 100000")
    work_parent = Path(args.index_dir) if getattr(args, "index_dir", None) else None
    report = collect(
        settings,
        corpus,
        quick=args.quick,
        scales=scales,
        work_parent=work_parent,
        compare=getattr(args, "compare", False),
    )
    figure = getattr(args, "figure", None)
    if figure:
        if report.get("scale"):
            report["figure"] = str(plot(report, Path(figure)))
        else:
            _log("bench: no scale part was run (--scale with no sizes), so no figure")
    if args.json:
        print(json.dumps(report))
    else:
        print(format_table(report))
    return 0
