"""`eval score`: reading ALCE-shape records, and telling good citations from misattributed ones."""

from __future__ import annotations

import json

import pytest

from eval.attribution import build_records, measure
from eval.report import load_gold
from eval.score import parse_records, read_records, score_records
from index.errors import InputError
from rag.judge import SupportJudge


def test_read_records_errors_name_the_line(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text('{"id": 1, "answer": "x [1].", "passages": [{"title": "t", "text": "x"}]}\n{oops\n')
    with pytest.raises(InputError, match="line 2 is not valid JSON"):
        read_records(f)
    f.write_text('{"id": 1, "passages": []}\n')
    with pytest.raises(InputError, match="line 1: field 'answer'"):
        read_records(f)
    f.write_text('{"answer": "x", "passages": [3]}\n')
    with pytest.raises(InputError, match="line 1: each passage"):
        read_records(f)
    f.write_text("\n\n")
    with pytest.raises(InputError, match="holds no records"):
        read_records(f)
    with pytest.raises(InputError, match="no such file"):
        read_records(tmp_path / "missing.jsonl")
    f.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="not UTF-8"):
        read_records(f)


def test_records_default_id_and_title():
    [r] = parse_records(['{"answer": "a [1].", "passages": [{"title": "T", "text": "body"}]}'])
    assert r.id == "1" and r.passages == ["T\nbody"]


@pytest.fixture(scope="module")
def judge(encoder):
    return SupportJudge(encoder)


def test_good_answers_and_misattributed_ones_are_told_apart(judge):
    """Issue 4 acceptance: quoted answers citing their sources >= 0.9; pointed elsewhere <= 0.2."""
    result = measure(judge, load_gold(), limit=25)
    assert result["n_records"] == 25
    assert result["good"]["citation_recall"] >= 0.9 and result["good"]["citation_precision"] >= 0.9
    assert result["misattributed"]["citation_recall"] <= 0.2
    assert result["misattributed"]["citation_precision"] <= 0.2


def test_per_record_output_lists_unsupported_sentences(judge):
    good, bad = build_records(load_gold(), limit=3)
    records = parse_records([json.dumps(bad[0]), json.dumps(good[0])])
    rows, agg = score_records(records, judge)
    assert rows[0]["unsupported"] and rows[0]["citation_recall"] == 0.0
    assert rows[1]["unsupported"] == [] and rows[1]["citation_recall"] == 1.0
    assert agg["n_records"] == 2 and agg["n_sentences"] == rows[0]["n_sentences"] + rows[1]["n_sentences"]
    assert set(agg) >= {"citation_recall", "citation_precision", "faithfulness", "n_sentences", "n_records"}
