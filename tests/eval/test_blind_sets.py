"""The later blind judge pair sets (2-11) are well formed: file checks only, no judge and no model.

Each set has 160 pairs, 80 true and 80 false, 32 per corpus document, the same kinds in the same
numbers, ids with its own letter, and no (claim, passage) pair from an older file; each brings at
least 30 passages the older files do not use.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval import blind

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DATA = ROOT / "eval" / "data"
#: In the order they were written: each set is checked against every file before it.
FILES = ["judge_pairs.jsonl", "judge_pairs_extra.jsonl", "judge_pairs_blind.jsonl", "judge_pairs_blind2.jsonl",
         "judge_pairs_blind3.jsonl", "judge_pairs_blind4.jsonl", "judge_pairs_blind5.jsonl",
         "judge_pairs_blind6.jsonl"]  # fmt: skip
SETS = {"blind2": "c", "blind3": "d", "blind4": "e", "blind5": "f", "blind6": "g"}
KINDS = {"paraphrase": 34, "partial": 26, "number-format": 14, "copy": 6, "number": 10, "unit": 9, "negation": 10,
         "direction": 10, "hedge": 10, "entity": 11, "extra": 10, "unrelated": 10}  # fmt: skip


def _path(split: str) -> Path:
    return DATA / f"judge_pairs_{split}.jsonl"


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert len(texts) == 5
    return texts


@pytest.mark.parametrize(("split", "letter"), SETS.items())
def test_blind_set_is_well_formed(split, letter, corpus_texts):
    pairs = blind.read_pairs(_path(split))
    assert [p["id"] for p in pairs] == [f"{letter}{i:03d}" for i in range(1, 161)]
    assert Counter(p["label"] for p in pairs) == {True: 80, False: 80}
    assert {p["split"] for p in pairs} == {split}
    assert len({(p["claim"], p["passage"]) for p in pairs}) == 160
    assert Counter(p["kind"] for p in pairs) == KINDS
    for line in _path(split).read_text(encoding="utf-8").splitlines():
        assert type(json.loads(line)["label"]) is bool
    for p in pairs:
        assert (p["kind"] in blind.TRUE_KINDS) if p["label"] else (p["kind"] in blind.FALSE_KINDS), p["id"]
        assert any(p["passage"] in t for t in corpus_texts), f"{p['id']}: passage is not in the corpus"
        assert not p["passage"].startswith("- "), p["id"]
    per_doc = Counter(next(i for i, t in enumerate(corpus_texts) if p["passage"] in t) for p in pairs)
    assert per_doc == {i: 32 for i in range(5)}


@pytest.mark.parametrize("split", SETS)
def test_blind_set_is_new(split):
    pairs = blind.read_pairs(_path(split))
    older_files = FILES[: FILES.index(_path(split).name)]
    older = [json.loads(line) for name in older_files for line in (DATA / name).read_text(encoding="utf-8").splitlines()
             if line.strip()]  # fmt: skip
    assert not {(p["claim"], p["passage"]) for p in pairs} & {(o["claim"], o["passage"]) for o in older}
    assert len({p["passage"] for p in pairs} - {o["passage"] for o in older}) >= 30


@pytest.mark.parametrize(
    ("split", "letter"), [("blind7", "h"), ("blind8", "k"), ("blind9", "m"), ("blind10", "n"), ("blind11", "p")]
)
def test_later_blind_sets(split, letter, corpus_texts):
    """blind7 to blind11 (each sealed for the pair model when written): each written in two halves after
    every training set before it, so each is checked against every other file; the corpus's natural cuts
    were nearly used up, so they reuse older passages."""
    pairs = blind.read_pairs(_path(split))
    assert [p["id"] for p in pairs] == [f"{letter}{i:03d}" for i in range(1, 161)]
    assert Counter(p["label"] for p in pairs) == {True: 80, False: 80}
    assert {p["split"] for p in pairs} == {split}
    assert Counter(p["kind"] for p in pairs) == KINDS | {"unit": 10, "entity": 10}
    per_doc = Counter(next(i for i, t in enumerate(corpus_texts) if p["passage"] in t) for p in pairs)
    assert per_doc == {i: 32 for i in range(5)}
    older = [o for f in sorted(DATA.glob("judge_pairs*.jsonl")) if f.name != _path(split).name
             for o in blind.read_pairs(f)]  # fmt: skip
    assert len(older) > 3500  # every other file, the training sets included
    assert not {(p["claim"], p["passage"]) for p in pairs} & {(o["claim"], o["passage"]) for o in older}
