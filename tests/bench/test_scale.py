"""index/scale.py and the index-kind choice: recall, crossover, synthetic data, tiny measurements."""

from __future__ import annotations

import numpy as np
import pytest

from index import scale
from index.settings import IndexSettings
from index.store import make_faiss_index, search_faiss


def test_recall_against_a_hand_case():
    truth = np.array([[1, 2, 3], [4, 5, 6]])
    found = np.array([[3, 9, 1], [7, 8, 9]])
    # row 1 finds 2 of 3, row 2 finds none: (2 + 0) / 6
    assert scale.recall_at_k(found, truth) == pytest.approx(2 / 6)
    assert scale.recall_at_k(truth, truth) == 1.0
    assert scale.recall_at_k(np.array([[1, -1, -1]]), np.array([[1, 2, 3]])) == pytest.approx(1 / 3)
    assert scale.recall_at_k(np.array([[2, 1, 7]]), np.array([[1, 2, 3]]), k=2) == 1.0


def test_recall_refuses_mismatched_rows():
    with pytest.raises(ValueError):
        scale.recall_at_k(np.zeros((2, 3)), np.zeros((3, 3)))


@pytest.mark.parametrize(
    ("n", "approximate", "kind", "expected"),
    [
        (101, "ivf", "auto", "IndexIVFFlat"),
        (101, "hnsw", "auto", "IndexHNSWFlat"),
        (100, "ivf", "auto", "IndexFlatIP"),
        (50, "ivf", "hnsw", "IndexHNSWFlat"),
        (500, "hnsw", "ivf", "IndexIVFFlat"),
        (500, "ivf", "flat", "IndexFlatIP"),
    ],
)
def test_make_faiss_index_leaves_exact_search_above_the_threshold(n, approximate, kind, expected):
    vectors = scale.uniform_unit_vectors(n, np.random.default_rng(0), dim=16)
    settings = IndexSettings(kind=kind, approximate=approximate, approximate_above=100, hnsw_m=8)
    index = make_faiss_index(vectors, settings)
    assert type(index).__name__ == expected
    assert index.ntotal == n


def test_an_unknown_index_kind_is_refused():
    with pytest.raises(ValueError, match="unknown index kind"):
        IndexSettings(kind="annoy").resolve_kind(10)


def test_ivf_lists_follow_the_size_but_keep_enough_training_points():
    s = IndexSettings()
    assert s.ivf_lists_for(1_000_000) == 4_000  # 4 x sqrt(n)
    assert s.ivf_lists_for(100_000) == 1_264
    assert s.ivf_lists_for(390) == 10  # at least 39 points per list
    assert s.ivf_lists_for(5) == 1
    assert IndexSettings(ivf_lists=64).ivf_lists_for(100_000) == 64


def test_ivf_finds_the_exact_neighbours_of_clustered_vectors_and_is_deterministic():
    space = scale.ClusteredSphere(40, dim=32, seed=3)
    rng = np.random.default_rng(3)
    vectors, queries = space.sample(4_000, rng), space.sample(50, rng)
    settings = IndexSettings(kind="ivf", ivf_probe=8)
    ivf = make_faiss_index(vectors, settings)
    assert ivf.nlist == 102 and ivf.nprobe == 8  # 39 points per list at 4,000 vectors
    _, truth = make_faiss_index(vectors, IndexSettings(kind="flat")).search(queries, 10)
    _, found = search_faiss(ivf, queries, 10)
    assert scale.recall_at_k(found, truth) >= 0.95
    _, again = search_faiss(make_faiss_index(vectors, settings), queries, 10)
    assert np.array_equal(found, again)  # seeded training: the same vectors give the same index


def test_query_time_settings_are_applied_to_a_loaded_index(tmp_path):
    import faiss

    from index.store import tune_loaded

    vectors = scale.uniform_unit_vectors(2_000, np.random.default_rng(0), dim=16)
    for kind in ("ivf", "hnsw"):
        faiss.write_index(make_faiss_index(vectors, IndexSettings(kind=kind, hnsw_m=8)), str(tmp_path / kind))
        loaded = faiss.read_index(str(tmp_path / kind))
        tune_loaded(loaded, IndexSettings(ivf_probe=5, hnsw_ef_search=77))
        if kind == "ivf":
            assert loaded.nprobe == 5
        else:
            assert loaded.hnsw.efSearch == 77


def test_search_faiss_matches_search_and_restores_threads():
    import faiss

    vectors = scale.uniform_unit_vectors(300, np.random.default_rng(1), dim=16)
    index = make_faiss_index(vectors, IndexSettings(kind="flat"))
    before = faiss.omp_get_max_threads()
    for nq in (1, 25):  # one thread below SINGLE_THREAD_BELOW, all threads above
        scores, ids = search_faiss(index, vectors[:nq], 5)
        ref_scores, ref_ids = index.search(vectors[:nq], 5)
        assert np.array_equal(ids, ref_ids)
        assert np.allclose(scores, ref_scores)
        assert (ids[:, 0] == np.arange(nq)).all()  # each vector is its own nearest neighbour
    assert faiss.omp_get_max_threads() == before


def test_clustered_vectors_are_unit_and_clustered():
    space = scale.ClusteredSphere(4, dim=32, seed=0)
    x = space.sample(400, np.random.default_rng(0), block=150)
    assert x.shape == (400, 32) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    # noise 1 puts a vector at cosine ~0.71 from its centre; uniform vectors would be near 0
    best = (x @ space.centres.T).max(axis=1)
    assert 0.5 < float(np.median(best)) < 0.9


def test_crossover_interpolates_between_measured_sizes():
    curve = [
        {"n": 1_000, "flat_p50_ms": 0.05},
        {"n": 10_000, "flat_p50_ms": 0.4},
        {"n": 100_000, "flat_p50_ms": 12.4},
    ]
    cross = scale.crossover(curve, budget_ms=6.0)
    assert cross["n"] == 10_000 + int((6.0 - 0.4) / 12.0 * 90_000)  # 52,000
    assert not cross["extrapolated"]
    # past the last point: extrapolated along the last segment, 10k + (24.4 - 0.4) / 12 x 90k = 190k
    assert scale.crossover(curve, budget_ms=24.4)["n"] == pytest.approx(190_000, abs=1)
    assert scale.crossover(curve, budget_ms=0.01)["n"] == 1_000
    assert scale.crossover(curve[:1], budget_ms=1.0)["n"] is None


@pytest.mark.parametrize(
    ("n", "expected"),
    [(94_901, 100_000), (125_691, 100_000), (37_000, 50_000), (1_400, 1_000), (1_500, 2_000), (7, 5), (0, 0)],
)
def test_round_125(n, expected):
    assert scale.round_125(n) == expected


def test_measure_vectors_on_a_tiny_case():
    settings = IndexSettings(hnsw_m=8, hnsw_ef_construction=40)
    r = scale.measure_vectors(600, settings=settings, n_queries=20, sweeps={"ivf": (1, 4)})
    d = r.to_dict()
    assert d["n"] == 600 and d["data"] == "fitted"
    assert d["flat_bytes_per_vector"] == 384 * 4
    assert d["flat_p50_ms"] > 0
    ivf, hnsw = d["approximate"]["ivf"], d["approximate"]["hnsw"]
    assert hnsw["bytes_per_vector"] > d["flat_bytes_per_vector"]  # vectors plus graph links
    assert ivf["bytes_per_vector"] > d["flat_bytes_per_vector"]  # vectors plus ids and centroids
    assert ivf["params"] == {"lists": 15, "probe": 15}  # 39 points per list; probing more lists than exist is all
    for a in (ivf, hnsw):
        assert 0.9 <= a["recall_at_k"] <= 1.0
        assert a["p50_ms"] > 0 and a["build_s"] > 0
    probes = {e["probe"]: e["recall_at_k"] for e in ivf["sweep"]}
    assert set(probes) == {1, 4, 15}
    assert probes[1] <= probes[4] <= probes[15] == 1.0  # more lists scanned, never fewer neighbours found
    assert hnsw["sweep"] is None  # no efSearch values asked for besides the setting's


def test_measure_bm25_on_a_tiny_case():
    r = scale.measure_bm25(300, n_queries=5, vocabulary=2_000).to_dict()
    assert r["n_docs"] == 300
    assert r["build_s"] > 0 and r["scores_p50_ms"] > 0 and r["retrieve_p50_ms"] > 0
    assert 0 < r["bytes_per_doc"] < 40 * 16  # a sparse matrix: a few bytes per (token, doc) entry


def test_percentile_ms():
    assert scale.percentile_ms([0.001, 0.002, 0.003], 50) == pytest.approx(2.0)
    assert np.isnan(scale.percentile_ms([], 50))


def test_the_fitted_mixture_draws_unit_vectors_shaped_like_real_embeddings():
    space = scale.FittedMixture()
    assert space.dim == scale.DIM and space.about["vectors"] == 40_000
    x = space.sample(3_000, np.random.default_rng(0), block=1_000)
    assert x.shape == (3_000, scale.DIM) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    # neither uniform (cosines near 0) nor one tight clump: a spread of topics, as real text gives
    cos = x[:500] @ x[500:].T
    assert 0.02 < float(np.median(cos)) < 0.3
    assert float(np.sort(cos, axis=1)[:, -1].mean()) > 0.35  # every vector has some near neighbour
    again = space.sample(3_000, np.random.default_rng(0), block=1_000)
    assert np.array_equal(x, again)
