"""The blind judge pairs are well formed, and eval.blind computes its figures right (a fake judge, no model)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval import blind
from index.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def pairs():
    return blind.read_pairs(blind.BLIND_PATH)


def test_blind_file_integrity(pairs):
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert len(texts) == 5
    assert len(pairs) == 120
    ids = [p["id"] for p in pairs]
    assert len(set(ids)) == len(ids)
    assert ids == [f"b{i:03d}" for i in range(1, 121)]
    assert Counter(p["label"] for p in pairs) == {True: 60, False: 60}
    assert {p["split"] for p in pairs} == {"blind"}
    assert len({(p["claim"], p["passage"]) for p in pairs}) == 120
    for p in pairs:
        assert (p["kind"] in blind.TRUE_KINDS) if p["label"] else (p["kind"] in blind.FALSE_KINDS), p["id"]
        homes = [i for i, t in enumerate(texts) if p["passage"] in t]
        assert homes, f"{p['id']}: passage is not a substring of any corpus file"
        assert not p["passage"].startswith("- "), p["id"]
    # every document is used
    used = {i for p in pairs for i, t in enumerate(texts) if p["passage"] in t}
    assert used == set(range(5))


def test_blind_kind_counts(pairs):
    counts = Counter(p["kind"] for p in pairs)
    assert counts == {
        "paraphrase": 26,
        "partial": 20,
        "number-format": 8,
        "copy": 6,
        "number": 8,
        "negation": 8,
        "direction": 8,
        "hedge": 8,
        "entity": 8,
        "unit": 7,
        "extra": 7,
        "unrelated": 6,
    }


TINY = [
    {"id": "a", "claim": "c1", "passage": "p", "label": True, "kind": "copy"},
    {"id": "b", "claim": "c2", "passage": "p", "label": True, "kind": "paraphrase"},
    {"id": "c", "claim": "c3", "passage": "p", "label": True, "kind": "paraphrase"},
    {"id": "d", "claim": "c4", "passage": "p", "label": False, "kind": "number"},
    {"id": "e", "claim": "c5", "passage": "p", "label": False, "kind": "number"},
    {"id": "f", "claim": "c6", "passage": "p", "label": False, "kind": "entity"},
]
# a, b, d correct; c rejected (true), e and f accepted (false)
VERDICTS = {"a": True, "b": True, "c": False, "d": False, "e": True, "f": True}


def test_measure_by_hand():
    r = blind.measure(TINY, VERDICTS)
    assert r["n"] == 6 and r["n_true"] == 3 and r["n_false"] == 3
    assert r["accuracy"] == pytest.approx(3 / 6)
    assert r["false_accept_rate"] == pytest.approx(2 / 3)
    assert r["false_reject_rate"] == pytest.approx(1 / 3)
    # balanced accuracy = mean(recall on true 2/3, recall on false 1/3) = 1/2
    assert r["balanced_accuracy"] == pytest.approx(0.5)
    # kappa: observed 0.5; expected = P(yes)P(pred yes) + P(no)P(pred no) = .5*.667 + .5*.333 = 0.5 -> 0
    assert r["kappa"] == pytest.approx(0.0)
    assert r["by_kind"]["paraphrase"] == {"label": True, "n": 2, "correct": 1, "accuracy": 0.5}
    assert r["by_kind"]["number"] == {"label": False, "n": 2, "correct": 1, "accuracy": 0.5}
    assert r["by_kind"]["copy"]["accuracy"] == 1.0 and r["by_kind"]["entity"]["accuracy"] == 0.0
    assert list(r["by_kind"]) == ["copy", "paraphrase", "entity", "number"]  # true kinds first
    assert [e["id"] for e in r["errors"]] == ["c", "e", "f"]


def test_measure_perfect_and_kappa_nonzero():
    perfect = blind.measure(TINY, {p["id"]: p["label"] for p in TINY})
    assert perfect["accuracy"] == perfect["balanced_accuracy"] == perfect["kappa"] == 1.0
    assert perfect["errors"] == []
    # only f wrong: observed 5/6; predicted yes 4/6, expected .5*4/6 + .5*2/6 = 1/2; kappa (5/6 - 1/2) / (1/2) = 2/3
    one_off = blind.measure(TINY, {**{p["id"]: p["label"] for p in TINY}, "f": True})
    assert one_off["kappa"] == pytest.approx(2 / 3)


def test_measure_gives_intervals_around_its_figures():
    r = blind.measure(TINY, VERDICTS)
    lo, hi = r["intervals"]["false_accept_rate"]
    assert lo < 2 / 3 < hi and hi < 1.0  # Wilson: 2 of 3 -> about 0.21-0.94
    lo, hi = r["intervals"]["balanced_accuracy"]
    assert 0.0 <= lo < 0.5 < hi <= 1.0
    assert "95 % interval" in blind.format_text(r)


def test_main_with_fake_judge(tmp_path, capsys):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in TINY), encoding="utf-8")
    seen = []

    def fake(items):
        seen.extend(items)
        return {it["id"]: VERDICTS[it["id"]] for it in items}

    assert blind.main(["--pairs", str(path), "--json"], judge=fake) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] == pytest.approx(0.5)
    assert {k for it in seen for k in it} >= {"id", "claim", "passage"}
    assert blind.main(["--pairs", str(path)], judge=fake) == 0
    out = capsys.readouterr().out
    assert "balanced accuracy  0.500" in out and "paraphrase" in out


def test_main_passes_a_model_folder_to_the_judge(tmp_path, capsys, monkeypatch):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in TINY), encoding="utf-8")
    models = []

    def fake(items, nli=None):
        models.append(nli)
        return {it["id"]: VERDICTS[it["id"]] for it in items}

    assert blind.main(["--pairs", str(path), "--json", "--nli", str(tmp_path / "model")], judge=fake) == 0
    assert models == [tmp_path / "model"]
    # the real CLI judge puts the folder on `bqa eval judge`'s command line
    commands = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    monkeypatch.setattr(blind.subprocess, "run", lambda cmd, **kw: commands.append(cmd) or Done())
    with pytest.raises(blind.ModelError):  # the stub answers no id
        blind.cli_judge(TINY, tmp_path / "model")
    assert commands[0][-2:] == ["--nli", str(tmp_path / "model")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "claim": "c", "passage": "p", "label": "yes", "kind": "copy"}', "label"),
        ('{"id": "x", "claim": "c", "passage": "p", "label": true, "kind": "number"}', "kind"),
        ('{"id": "x", "claim": 3, "passage": "p", "label": true, "kind": "copy"}', "claim"),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_lines_rejected(line, message):
    with pytest.raises(InputError, match=message):
        blind.load_pairs([line], "t")


def test_repeated_id_and_missing_file(tmp_path, capsys):
    row = json.dumps(TINY[0])
    with pytest.raises(InputError, match="repeated"):
        blind.load_pairs([row, row], "t")
    assert blind.main(["--pairs", str(tmp_path / "absent.jsonl")], judge=lambda items: {}) == 2
    err = capsys.readouterr().err
    assert err.startswith("eval.blind: error: cannot read") and err.count("\n") == 1
