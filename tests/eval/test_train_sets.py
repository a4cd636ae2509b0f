"""The judge's extra labelled sets (train1-27) are well formed: file checks only, no judge and no model.

They were written like the blind sets, by sessions that never read or ran the judge, one or two corpus
documents each; eval/data/JUDGE_PAIRS.md says how and what they measured.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval import blind

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "eval" / "data"
#: set -> (id prefix, pairs, corpus documents it draws on)
SETS = {
    "judge_pairs_train1.jsonl": ("t1", 240, {"000", "003"}),
    "judge_pairs_train2.jsonl": ("t2", 200, {"001"}),
    "judge_pairs_train3.jsonl": ("t3", 200, {"002"}),
    "judge_pairs_train4.jsonl": ("t4", 200, {"004"}),
    "judge_pairs_train5.jsonl": ("t5", 150, {"000", "001", "002"}),
    "judge_pairs_train6.jsonl": ("t6", 240, {"000", "003"}),
    "judge_pairs_train7.jsonl": ("t7", 200, {"001"}),
    "judge_pairs_train8.jsonl": ("t8", 200, {"002"}),
    "judge_pairs_train9.jsonl": ("t9", 200, {"004"}),
    "judge_pairs_train10.jsonl": ("ta", 100, {"000"}),
    "judge_pairs_train12.jsonl": ("tc", 122, {"002"}),
    "judge_pairs_train14.jsonl": ("te", 200, {"004"}),
    "judge_pairs_train11.jsonl": ("tb", 199, {"001"}),
    "judge_pairs_train16.jsonl": ("tg", 200, {"000"}),
    "judge_pairs_train17.jsonl": ("th", 200, {"001", "003"}),
    "judge_pairs_train18.jsonl": ("ti", 199, {"002", "004"}),
    "judge_pairs_train13.jsonl": ("td", 158, {"003"}),
    "judge_pairs_train15.jsonl": ("tf", 159, {"002", "004"}),
    "judge_pairs_train19.jsonl": ("tj", 159, {"000", "001"}),
    "judge_pairs_train20.jsonl": ("tk", 158, {"003", "004"}),
    "judge_pairs_train21.jsonl": ("tl", 158, {"001", "002"}),
    "judge_pairs_train22.jsonl": ("tm", 158, {"000", "004"}),
    "judge_pairs_train23.jsonl": ("tn", 158, {"001", "002"}),
    "judge_pairs_train24.jsonl": ("to", 158, {"000", "003"}),
    "judge_pairs_train25.jsonl": ("tp", 159, {"001", "003"}),
    "judge_pairs_train26.jsonl": ("tq", 160, {"002", "004"}),
    "judge_pairs_train27.jsonl": ("tr", 160, {"000", "001"}),
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))}


@pytest.fixture(scope="module")
def pairs_by_file() -> dict[str, set[tuple[str, str]]]:
    return {p.name: {(o["claim"], o["passage"]) for o in blind.read_pairs(p)} for p in DATA.glob("judge_pairs*.jsonl")}


@pytest.fixture
def older(name, pairs_by_file) -> set[tuple[str, str]]:
    """Every other pair file, the other training sets included."""
    return set().union(*(pairs for other, pairs in pairs_by_file.items() if other != name))


@pytest.mark.parametrize("name", SETS)
def test_train_set_is_well_formed(name, corpus, older):
    prefix, n, docs = SETS[name]
    pairs = blind.read_pairs(DATA / name)  # ids unique, labels booleans, kinds fit labels
    assert len(pairs) == n and all(p["id"].startswith(prefix) for p in pairs)
    labels = Counter(p["label"] for p in pairs)
    assert abs(labels[True] - labels[False]) <= 2  # pairs that repeated an older blind set's were dropped
    assert {p["split"] for p in pairs} == {"train"}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        assert type(json.loads(line)["label"]) is bool
    for p in pairs:
        homes = {doc for doc, text in corpus.items() if p["passage"] in text}
        assert homes & docs, f"{p['id']}: passage is not in documents {sorted(docs)}"
    assert not {(p["claim"], p["passage"]) for p in pairs} & older
