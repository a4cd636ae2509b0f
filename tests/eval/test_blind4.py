"""The fourth blind judge pair set is well formed (no judge, no model: file checks only)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval import blind

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DATA = ROOT / "eval" / "data"
BLIND4_PATH = DATA / "judge_pairs_blind4.jsonl"
OLDER = [
    DATA / name
    for name in (
        "judge_pairs.jsonl",
        "judge_pairs_extra.jsonl",
        "judge_pairs_blind.jsonl",
        "judge_pairs_blind2.jsonl",
        "judge_pairs_blind3.jsonl",
    )
]


@pytest.fixture(scope="module")
def pairs():
    return blind.read_pairs(BLIND4_PATH)


def test_blind4_file_integrity(pairs):
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert len(texts) == 5
    assert len(pairs) == 160
    ids = [p["id"] for p in pairs]
    assert len(set(ids)) == len(ids)
    assert ids == [f"e{i:03d}" for i in range(1, 161)]
    assert Counter(p["label"] for p in pairs) == {True: 80, False: 80}
    assert {p["split"] for p in pairs} == {"blind4"}
    assert len({(p["claim"], p["passage"]) for p in pairs}) == 160
    for p in pairs:
        assert type(p["label"]) is bool, p["id"]
        assert (p["kind"] in blind.TRUE_KINDS) if p["label"] else (p["kind"] in blind.FALSE_KINDS), p["id"]
        homes = [i for i, t in enumerate(texts) if p["passage"] in t]
        assert homes, f"{p['id']}: passage is not a substring of any corpus file"
        assert not p["passage"].startswith("- "), p["id"]
    # every document is used, 32 pairs each
    per_doc = Counter(next(i for i, t in enumerate(texts) if p["passage"] in t) for p in pairs)
    assert per_doc == {i: 32 for i in range(5)}


def test_blind4_raw_labels_are_json_booleans():
    for line in BLIND4_PATH.read_text(encoding="utf-8").splitlines():
        assert type(json.loads(line)["label"]) is bool


def test_blind4_kind_counts(pairs):
    counts = Counter(p["kind"] for p in pairs)
    assert counts == {
        "paraphrase": 34,
        "partial": 26,
        "number-format": 14,
        "copy": 6,
        "number": 10,
        "unit": 9,
        "negation": 10,
        "direction": 10,
        "hedge": 10,
        "entity": 11,
        "extra": 10,
        "unrelated": 10,
    }


def test_blind4_is_new(pairs):
    older = [json.loads(line) for path in OLDER for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert not {(p["claim"], p["passage"]) for p in pairs} & {(o["claim"], o["passage"]) for o in older}
    new_passages = {p["passage"] for p in pairs} - {o["passage"] for o in older}
    assert len(new_passages) >= 30
