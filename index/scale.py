"""Index-scale experiments on synthetic data: exact FAISS against IVF and HNSW, and BM25 (bm25s), by size.

Embedding a million real chunks does not fit two CPU cores in a benchmark, so the scale part runs
on synthetic data and says so:

- vectors: unit vectors sampled from a Gaussian mixture fitted to real all-MiniLM-L6-v2 sentence
  embeddings (`FittedMixture`, the default): checked against the real vectors, IVF and HNSW reach
  the same recall on both. Queries are drawn the same way and are not in the index. Two shapes
  chosen by hand are kept for comparison: `ClusteredSphere` (one random centre per 100 vectors;
  tight, evenly spread clusters, which flatter IVF and are hard on HNSW) and uniformly random unit
  vectors, the worst case for any approximate index (every point nearly equidistant).
- BM25: documents of Zipf-distributed token ids over a fixed vocabulary, short queries drawn
  from the same distribution.

What is measured: build time, single-query search p50/p95 (one question at a time, as `bqa ask`
searches), recall@k of IVF and HNSW against exact search, and memory per vector (from the index's own
arrays, not the noisy process RSS). This module measures; it does not choose settings. The
crossover rule that turns the measurements into `IndexSettings.approximate_above` is `crossover()`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.settings import IndexSettings

Log = Callable[[str], None]
DIM = 384  # all-MiniLM-L6-v2


def _silent(message: str) -> None:  # noqa: ARG001 - a Log that says nothing
    return None


def percentile_ms(seconds: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) of durations in seconds, in milliseconds."""
    values = np.asarray(list(seconds), dtype=np.float64)
    if values.size == 0:
        return float("nan")
    return float(np.percentile(values, q) * 1000.0)


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int | None = None) -> float:
    """Mean over queries of |found_i ∩ truth_i| / k, for the first k ids of each row.

    Ids of -1 (FAISS's "no result") never count as found. With truth [[1, 2, 3]] and found
    [[3, 9, 1]], recall@3 is 2/3.
    """
    found = np.atleast_2d(np.asarray(found))
    truth = np.atleast_2d(np.asarray(truth))
    if found.shape[0] != truth.shape[0]:
        raise ValueError(f"found has {found.shape[0]} rows, truth {truth.shape[0]}")
    k = k or truth.shape[1]
    if found.shape[0] == 0 or k == 0:
        return float("nan")
    hits = 0
    for f, t in zip(found[:, :k], truth[:, :k], strict=True):
        wanted = {int(x) for x in t if x >= 0}
        hits += len(wanted.intersection(int(x) for x in f if x >= 0))
    return hits / (found.shape[0] * k)


# --- synthetic data -------------------------------------------------------------------------------


class ClusteredSphere:
    """Random unit vectors around random centres (see the module docstring)."""

    def __init__(self, n_centres: int, *, dim: int = DIM, noise: float = 1.0, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.noise = noise
        self.centres = _normalise(rng.standard_normal((max(1, n_centres), dim), dtype=np.float32))

    def sample(self, n: int, rng: np.random.Generator, *, block: int = 100_000) -> np.ndarray:
        """n unit vectors, float32, generated in blocks so that 1M x 384 needs no float64 copy."""
        out = np.empty((n, self.dim), dtype=np.float32)
        # noise / sqrt(dim) per coordinate gives the noise vector a norm of ~noise: with noise=1 a
        # vector's cosine to its centre is ~1/sqrt(2) = 0.71 and to a cluster-mate ~0.5.
        scale = np.float32(self.noise / math.sqrt(self.dim))
        for start in range(0, n, block):
            m = min(block, n - start)
            which = rng.integers(0, len(self.centres), m)
            x = rng.standard_normal((m, self.dim), dtype=np.float32)
            x *= scale
            x += self.centres[which]
            out[start : start + m] = _normalise(x)
        return out


def uniform_unit_vectors(n: int, rng: np.random.Generator, *, dim: int = DIM) -> np.ndarray:
    """n unit vectors uniform on the sphere: no structure, the worst case for a graph index."""
    return _normalise(rng.standard_normal((n, dim), dtype=np.float32))


#: The shipped mixture fitted to real embeddings (see `FittedMixture`; refit with `python -m index.scale`).
FITTED_PATH = Path(__file__).with_name("fitted_embeddings.npz")


class FittedMixture:
    """Vectors drawn from a Gaussian mixture fitted to real all-MiniLM-L6-v2 sentence embeddings.

    The clustered and uniform spheres are shapes chosen by hand; this one is measured. The mixture
    (diagonal covariances in the principal axes of the real vectors) was fitted to embeddings of
    40,000 English docstring paragraphs. Checked against those real vectors at 40k, the samples
    give the same recall as the real vectors within 0.004 for IVF (4 x sqrt(n) lists, 32 and 64
    probed) and HNSW at efSearch 512, and are harder at efSearch 64 (0.945 against 0.993): a
    slightly pessimistic stand-in (docs/PERFORMANCE.md).
    """

    def __init__(self, path: Path = FITTED_PATH) -> None:
        with np.load(path, allow_pickle=False) as f:
            self.mean = f["mean"].astype(np.float32)
            self.axes = f["axes"].astype(np.float32)  # rows: principal axes
            self.weights = f["weights"].astype(np.float64)
            self.centres = f["centres"].astype(np.float32)  # in principal coordinates
            self.scales = np.sqrt(f["variances"]).astype(np.float32)
            self.about = json.loads(str(f["about"]))
        self.weights /= self.weights.sum()
        self.dim = self.mean.shape[0]

    def sample(self, n: int, rng: np.random.Generator, *, block: int = 50_000) -> np.ndarray:
        """n unit vectors, float32, generated in blocks."""
        out = np.empty((n, self.dim), dtype=np.float32)
        for start in range(0, n, block):
            m = min(block, n - start)
            which = rng.choice(len(self.weights), m, p=self.weights)
            z = rng.standard_normal((m, self.dim), dtype=np.float32)
            z *= self.scales[which]
            z += self.centres[which]
            x = z @ self.axes
            x += self.mean
            out[start : start + m] = _normalise(x)
        return out


def fit_mixture(vectors: np.ndarray, *, components: int = 256, seed: int = 0, about: dict | None = None) -> dict:
    """Fit the mixture `FittedMixture` samples from; returns the arrays to save with np.savez."""
    from sklearn.mixture import GaussianMixture

    x = np.asarray(vectors, dtype=np.float64)
    mean = x.mean(axis=0)
    _, _, axes = np.linalg.svd(x - mean, full_matrices=False)  # rows: principal axes
    z = (x - mean) @ axes.T
    gm = GaussianMixture(components, covariance_type="diag", max_iter=50, reg_covar=1e-6, random_state=seed)
    gm.fit(z)
    return {
        "mean": mean.astype(np.float32),
        "axes": axes.astype(np.float32),
        "weights": gm.weights_.astype(np.float32),
        "centres": gm.means_.astype(np.float32),
        "variances": gm.covariances_.astype(np.float32),
        "about": np.array(json.dumps({"vectors": len(x), "components": components, **(about or {})})),
    }


def docstring_paragraphs(roots: Iterable[Path], limit: int, *, seed: int = 0) -> list[str]:
    """English prose from the docstrings of installed Python code: paragraphs of 60-600 characters.

    Only the refit tool uses this: it is text any machine with Python has, unrelated to the corpus.
    """
    import ast
    import random
    import re

    seen: set[str] = set()
    out: list[str] = []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8", errors="ignore"))
            except (SyntaxError, ValueError, OSError):
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
                    continue
                for para in re.split(r"\n\s*\n", ast.get_docstring(node) or ""):
                    text = " ".join(para.split())
                    if 60 <= len(text) <= 600 and text[0].isupper() and not re.search(r"[>{}=]{2}", text):
                        if text not in seen:
                            seen.add(text)
                            out.append(text)
            if len(out) >= 2 * limit:
                break
    random.Random(seed).shuffle(out)
    return out[:limit]


def _normalise(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


# --- vectors: exact against HNSW ------------------------------------------------------------------


def _time_single_queries(index, queries: np.ndarray, k: int) -> tuple[list[float], np.ndarray]:
    """One query at a time, through the same call as `Index.search_dense` (one thread per search)."""
    from index.store import search_faiss

    times, ids = [], np.empty((len(queries), k), dtype=np.int64)
    for i in range(len(queries)):
        q = queries[i : i + 1]
        t0 = time.perf_counter()
        _, found = search_faiss(index, q, k)
        times.append(time.perf_counter() - t0)
        ids[i] = found[0]
    return times, ids


def faiss_bytes(index) -> int:
    """Bytes held by a flat, IVF or HNSW index's arrays (vectors, ids, centroids, graph links)."""
    import faiss

    index = faiss.downcast_index(index)
    if hasattr(index, "hnsw"):
        storage = faiss.downcast_index(index.storage)
        h = index.hnsw
        links = h.neighbors.size() * 4 + h.levels.size() * 4 + h.offsets.size() * 8
        return int(storage.ntotal * storage.code_size + links)
    if hasattr(index, "nlist"):  # IVF: each vector's code and 8-byte id in its list, plus the centroids
        return int(index.ntotal * (index.code_size + 8) + index.nlist * index.d * 4)
    return int(index.ntotal * index.code_size)


#: The query-time knob of each approximate kind, swept on one built index.
KNOBS = {"hnsw": "ef_search", "ivf": "probe"}


def _params(kind: str, settings: IndexSettings, n: int) -> dict:
    if kind == "hnsw":
        s = settings
        return {"M": s.hnsw_m, "ef_construction": s.hnsw_ef_construction, "ef_search": s.hnsw_ef_search}
    lists = settings.ivf_lists_for(n)
    return {"lists": lists, "probe": min(settings.ivf_probe, lists)}


def _set_knob(index, kind: str, value: int) -> None:
    if kind == "hnsw":
        index.hnsw.efSearch = value
    else:
        index.nprobe = value


@dataclass
class VectorScale:
    """One size of the vector experiment: exact search, and each approximate kind measured.

    `approximate` maps a kind ("ivf", "hnsw") to its parameters and figures: build_s, p50_ms,
    p95_ms, recall_at_k (against exact search), bytes_per_vector, and `sweep` (the query-time
    knob, efSearch or lists probed, at other values on the same index).
    """

    n: int
    data: str
    flat_build_s: float
    flat_p50_ms: float
    flat_p95_ms: float
    flat_bytes_per_vector: float
    k: int = 10
    n_queries: int = 0
    approximate: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {key: round(v, 4) if isinstance(v, float) else v for key, v in self.__dict__.items()}
        out["approximate"] = {
            kind: {key: round(v, 4) if isinstance(v, float) else v for key, v in fig.items()}
            for kind, fig in self.approximate.items()
        }
        return out


def measure_vectors(
    n: int,
    *,
    settings: IndexSettings | None = None,
    data: str = "fitted",
    n_queries: int = 200,
    flat_queries: int = 30,
    k: int = 10,
    kinds: Iterable[str] = ("ivf", "hnsw"),
    sweeps: dict[str, Iterable[int]] | None = None,
    cluster_size: int = 100,
    seed: int = 0,
    log: Log = _silent,
) -> VectorScale:
    """Build an exact index and each approximate kind over n synthetic vectors and measure them.

    Args:
        n: number of vectors.
        settings: the IVF and HNSW parameters; the project's defaults if None.
        data: "fitted" (see FittedMixture), "clustered" (see ClusteredSphere) or "uniform" (the worst case).
        n_queries: queries for the approximate timings and recall (ground truth by exact search).
        flat_queries: how many of them time the exact index one at a time (slow at 1M).
        kinds: approximate kinds to build ("ivf", "hnsw"); none measures exact search only. HNSW
            is the expensive one: tens of minutes at 1M on 2 cores, against ~1.5 min for IVF.
        sweeps: per kind, other values of its query-time knob (efSearch, lists probed) to time
            and score on the same index; the headline figures use the settings' value.
    """
    from index.store import make_faiss_index

    settings = settings or IndexSettings()
    sweeps = sweeps or {}
    rng = np.random.default_rng(seed)
    if data == "uniform":
        vectors = uniform_unit_vectors(n, rng)
        queries = uniform_unit_vectors(n_queries, rng)
    elif data == "fitted":
        space = FittedMixture()
        vectors = space.sample(n, rng)
        queries = space.sample(n_queries, rng)
    elif data == "clustered":
        space = ClusteredSphere(max(1, n // cluster_size), seed=seed + 1)
        vectors = space.sample(n, rng)
        queries = space.sample(n_queries, rng)
    else:
        raise ValueError(f"unknown synthetic data {data!r}")

    flat_settings = IndexSettings(**{**settings.__dict__, "kind": "flat"})
    t0 = time.perf_counter()
    flat = make_faiss_index(vectors, flat_settings)
    flat_build = time.perf_counter() - t0
    flat_times, _ = _time_single_queries(flat, queries[: max(1, min(flat_queries, n_queries))], k)
    log(f"  {n:,} {data} vectors: exact search p50 {percentile_ms(flat_times, 50):.2f} ms")
    result = VectorScale(
        n=n,
        data=data,
        flat_build_s=flat_build,
        flat_p50_ms=percentile_ms(flat_times, 50),
        flat_p95_ms=percentile_ms(flat_times, 95),
        flat_bytes_per_vector=faiss_bytes(flat) / n,
        k=k,
        n_queries=n_queries,
    )
    kinds = list(kinds)
    if not kinds:
        return result
    _, truth = flat.search(queries, k)  # batched: the exact ground truth for recall
    del flat
    for kind in kinds:
        params = _params(kind, settings, n)
        log(f"  {n:,} {data} vectors: building {kind.upper()} ({', '.join(f'{a}={b}' for a, b in params.items())})")
        t0 = time.perf_counter()
        index = make_faiss_index(vectors, IndexSettings(**{**settings.__dict__, "kind": kind}))
        build = time.perf_counter() - t0
        knob = KNOBS[kind]
        sweep = []
        values = {min(v, params["lists"]) if kind == "ivf" else v for v in sweeps.get(kind, ())}
        for value in sorted(values | {params[knob]}):
            _set_knob(index, kind, value)
            times, got = _time_single_queries(index, queries, k)
            sweep.append(
                {
                    knob: value,
                    "p50_ms": round(percentile_ms(times, 50), 4),
                    "p95_ms": round(percentile_ms(times, 95), 4),
                    "recall_at_k": round(recall_at_k(got, truth, k), 4),
                }
            )
        head = next(e for e in sweep if e[knob] == params[knob])
        result.approximate[kind] = {
            "params": params,
            "build_s": build,
            "p50_ms": head["p50_ms"],
            "p95_ms": head["p95_ms"],
            "recall_at_k": head["recall_at_k"],
            "bytes_per_vector": faiss_bytes(index) / n,
            "sweep": sweep if len(sweep) > 1 else None,
        }
        del index
        log(
            f"  {n:,} {data} vectors: {kind.upper()} built in {build:.1f} s, "
            f"p50 {head['p50_ms']:.2f} ms, recall@{k} {head['recall_at_k']:.3f}"
        )
    return result


def flat_latency_curve(
    sizes: Iterable[int], *, n_queries: int = 30, k: int = 10, seed: int = 0, log: Log = _silent
) -> list[dict]:
    """Exact-search p50 at each size (cheap: an exact index is built by copying the vectors)."""
    out = []
    for n in sizes:
        r = measure_vectors(n, n_queries=n_queries, flat_queries=n_queries, k=k, kinds=(), seed=seed, log=log)
        out.append({"n": n, "flat_p50_ms": round(r.flat_p50_ms, 4), "flat_p95_ms": round(r.flat_p95_ms, 4)})
    return out


def crossover(curve: list[dict], *, budget_ms: float) -> dict:
    """The size at which one exact search costs `budget_ms`, interpolated along the measured curve.

    Exact search scores every vector, so its cost grows with n, though not in a straight line
    (below ~10k vectors the vectors sit in cache). The crossover is found between the last size
    within the budget and the first size over it, linearly; past the last point it is
    extrapolated from the last two. With (10k, 0.4 ms) and (100k, 12.4 ms) and a 6 ms budget:
    10k + (6 - 0.4) / (12.4 - 0.4) x 90k = 52k vectors.
    """
    pts = sorted((c["n"], c["flat_p50_ms"]) for c in curve if c.get("flat_p50_ms") is not None)
    out: dict = {"n": None, "budget_ms": round(budget_ms, 3)}
    if len(pts) < 2:
        return out
    # the first segment that ends over the budget, else the last segment
    i = next((j for j in range(1, len(pts)) if pts[j][1] > budget_ms), len(pts) - 1)
    (n0, t0), (n1, t1) = pts[i - 1], pts[i]
    if t0 > budget_ms:  # over budget at the smallest size measured
        out["n"] = n0
        return out
    if t1 <= t0:  # a flat or noisy segment: the crossover is past it
        out["n"] = n1
        return out
    out["n"] = int(n0 + (budget_ms - t0) / (t1 - t0) * (n1 - n0))
    out["extrapolated"] = t1 <= budget_ms
    return out


def round_125(n: int) -> int:
    """The nearest (on a log scale) of 1, 2 or 5 times a power of ten, a setting people can read.

    94_901 -> 100_000 and 125_691 -> 100_000 (the two crossovers measured so far); 37_000 -> 50_000.
    """
    if n <= 0:
        return 0
    candidates = [step * 10**e for e in range(len(str(n)) - 1, len(str(n)) + 1) for step in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c) - math.log(n)))


# --- BM25 at scale --------------------------------------------------------------------------------


@dataclass
class Bm25Scale:
    n_docs: int
    tokens_per_doc: int
    vocabulary: int
    build_s: float
    scores_p50_ms: float
    scores_p95_ms: float
    retrieve_p50_ms: float
    bytes_per_doc: float

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def measure_bm25(
    n_docs: int,
    *,
    tokens_per_doc: int = 40,
    vocabulary: int = 50_000,
    n_queries: int = 50,
    query_tokens: int = 5,
    k: int = 10,
    seed: int = 0,
    log: Log = _silent,
) -> Bm25Scale:
    """BM25 (bm25s) over synthetic documents of Zipf-distributed token ids.

    Two query paths are timed: scores for every document then the top k by argpartition (what
    `index.lexical.Bm25.scores` gives the retriever), and bm25s's own top-k `retrieve`.
    """
    import bm25s

    rng = np.random.default_rng(seed)
    # Zipf with exponent ~1.1 over the vocabulary: a few very common tokens, a long tail, as in text.
    weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.1
    weights /= weights.sum()
    cdf = np.cumsum(weights)
    flat_ids = np.searchsorted(cdf, rng.random(n_docs * tokens_per_doc)).astype(np.int64)
    flat_ids = np.minimum(flat_ids, vocabulary - 1)
    docs = np.split(flat_ids, n_docs)
    vocab = {f"t{i}": i for i in range(vocabulary)}
    model = bm25s.BM25()
    t0 = time.perf_counter()
    model.index((docs, vocab), show_progress=False)
    build = time.perf_counter() - t0
    del docs, flat_ids

    # Queries skip the 50 commonest tokens (stop-word-like) as the real tokenizer does.
    queries = [
        [f"t{int(t)}" for t in np.minimum(np.searchsorted(cdf, rng.random(query_tokens)) + 50, vocabulary - 1)]
        for _ in range(n_queries)
    ]
    score_times, retrieve_times = [], []
    for q in queries:
        t0 = time.perf_counter()
        scores = model.get_scores(q)
        top = np.argpartition(-scores, min(k, n_docs - 1))[:k]
        top[np.argsort(-scores[top])]
        score_times.append(time.perf_counter() - t0)
        ids = [[vocab[t] for t in q]]
        t0 = time.perf_counter()
        model.retrieve(ids, k=k, show_progress=False, n_threads=1)
        retrieve_times.append(time.perf_counter() - t0)
    arrays = [v for v in model.scores.values() if isinstance(v, np.ndarray)]
    result = Bm25Scale(
        n_docs=n_docs,
        tokens_per_doc=tokens_per_doc,
        vocabulary=vocabulary,
        build_s=build,
        scores_p50_ms=percentile_ms(score_times, 50),
        scores_p95_ms=percentile_ms(score_times, 95),
        retrieve_p50_ms=percentile_ms(retrieve_times, 50),
        bytes_per_doc=sum(a.nbytes for a in arrays) / n_docs,
    )
    log(
        f"  BM25 {n_docs:,} docs: built in {build:.1f} s, all-scores p50 {result.scores_p50_ms:.2f} ms, "
        f"top-{k} retrieve p50 {result.retrieve_p50_ms:.2f} ms"
    )
    return result


# --- refitting the mixture ------------------------------------------------------------------------


def compare_with_real(real: np.ndarray, mixture: FittedMixture, *, n_queries: int = 300, seed: int = 0) -> dict:
    """Recall@10 of IVF and HNSW on real vectors and on as many mixture samples, side by side."""
    rng = np.random.default_rng(seed)
    real = np.ascontiguousarray(real, dtype=np.float32)
    order = rng.permutation(len(real))
    sets = {
        "real": (real[order[n_queries:]], real[order[:n_queries]]),
        "fitted": (mixture.sample(len(real) - n_queries, rng), mixture.sample(n_queries, rng)),
    }
    sweeps = {"ivf": (32, 64), "hnsw": (64, 512)}
    out = {}
    for name, (vectors, queries) in sets.items():
        from index.store import make_faiss_index, search_faiss

        scores, truth = make_faiss_index(vectors, IndexSettings(kind="flat")).search(queries, 10)
        row = {"top1_cosine": float(scores[:, 0].mean()), "top10_cosine": float(scores[:, 9].mean())}
        for kind, values in sweeps.items():
            index = make_faiss_index(vectors, IndexSettings(kind=kind))
            for value in values:
                _set_knob(index, kind, value)
                _, found = search_faiss(index, queries, 10)
                row[f"{kind}_{KNOBS[kind]}_{value}"] = round(recall_at_k(found, truth, 10), 4)
        out[name] = row
    return out


def main(argv: list[str] | None = None) -> int:
    """Refit the shipped mixture: `python -m index.scale [--texts N] [--vectors FILE.npy] [--out FILE]`."""
    import argparse
    import sys
    import sysconfig

    parser = argparse.ArgumentParser(prog="python -m index.scale", description=main.__doc__)
    parser.add_argument("--texts", type=int, default=40_000, help="docstring paragraphs to embed")
    parser.add_argument("--vectors", type=Path, help="reuse saved embeddings (.npy) instead of embedding")
    parser.add_argument("--components", type=int, default=256)
    parser.add_argument("--out", type=Path, default=FITTED_PATH)
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.vectors:
        vectors = np.load(args.vectors, allow_pickle=False)
    else:
        from index.embeddings import Encoder

        roots = [Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["stdlib"])]
        texts = docstring_paragraphs(roots, args.texts)
        log(f"embedding {len(texts):,} docstring paragraphs (tens of minutes on 2 cores)")
        vectors = Encoder(progress=True).encode(texts)
    log(f"fitting {args.components} components to {len(vectors):,} vectors")
    about = {"source": "all-MiniLM-L6-v2 embeddings of English docstring paragraphs of installed Python code"}
    np.savez_compressed(args.out, **fit_mixture(vectors, components=args.components, about=about))
    log(json.dumps(compare_with_real(vectors, FittedMixture(args.out)), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
