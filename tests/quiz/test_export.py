"""Exports: JSON per CONTRACT.md, GIFT that imports back item for item, CSV rows, Markdown key."""

from __future__ import annotations

import csv
import io
import json

import pytest

from quiz.export import LETTERS, gift_escape, to_csv, to_gift, to_json, to_markdown
from quiz.items import BLANK, ItemCitation, QuizItem
from tests.quiz.gift_parser import GiftError, parse_gift

QTYPE = {"mcq": "multichoice", "true_false": "truefalse", "cloze": "shortanswer", "short": "shortanswer"}


def _nasty() -> list[QuizItem]:
    """Items full of GIFT's special characters (~ = # { } : and a backslash)."""
    cite = ItemCitation("d", "Doc: A {special} title", "x = y # z ~ w", 0, 13, "corpus/d.txt", "d#c0@0-13", "S:1")
    return [
        QuizItem(
            "mcq-1",
            "mcq",
            "Which ~ is = {right}: a#b?",
            ["a = 1", "b ~ 2", "c {3}", "d: 4\\5"],
            "c {3}",
            "Because: {c} # 3",
            cite,
            topic="dosing",
            difficulty="easy",
            kind="dose",
            key={"text": "x", "start": 0, "end": 1},
        ),
        QuizItem(
            "tf-1",
            "true_false",
            "True or false? 5 mg = 5 mg {always}.",
            ["True", "False"],
            "False",
            "False: source says ~ # :",
            cite,
            topic="safety",
            difficulty="easy",
            kind="dose",
            key={"text": "x", "start": 0, "end": 1},
        ),
        QuizItem(
            "cl-1",
            "cloze",
            f"Fill in: a {BLANK} b: c=d.",
            [],
            "k#1",
            "k",
            cite,
            accepted=["k#1", "k 1"],
            topic="mechanism",
            difficulty="hard",
            kind="receptor",
            key={"text": "x", "start": 0, "end": 1},
        ),
        QuizItem(
            "sh-1",
            "short",
            "Name one: {x}?",
            [],
            "2-4 hours",
            "e",
            cite,
            accepted=["2-4 hours", "two to four hours"],
            topic="pharmacokinetics",
            difficulty="hard",
            kind="duration",
            key={"text": "x", "start": 0, "end": 1},
        ),
    ]


def _assert_round_trip(items, text):
    questions = parse_gift(text)
    assert len(questions) == len(items)
    for it, q in zip(items, questions, strict=True):
        assert q.qtype == QTYPE[it.type], (it.id, q.qtype)
        assert q.category == "baclofen-qa"
        assert it.id in q.name
        assert q.general_feedback == " ".join(it.explanation.split())
        if it.type == "cloze":
            assert q.text == " ".join(it.question.split())
        else:
            assert q.text == " ".join(it.question.split())
        if it.type == "mcq":
            assert [a for a, _, _ in q.answers] == it.options
            assert [a for a, f, _ in q.answers if f == 1.0] == [it.answer]
        elif it.type == "true_false":
            assert q.correct is (it.answer == "True")
        else:
            assert [a for a, _, _ in q.answers] == it.accepted
            assert all(f == 1.0 for _, f, _ in q.answers)


def test_gift_escapes_every_special_character():
    assert gift_escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"
    assert gift_escape("two\n\nlines") == "two lines"


def test_gift_round_trip_with_special_characters():
    items = _nasty()
    _assert_round_trip(items, to_gift(items))


def test_gift_round_trip_of_the_quiz(quiz30):
    text = to_gift(quiz30.items)
    assert "\n\n\n" not in text
    _assert_round_trip(quiz30.items, text)


def test_gift_parser_rejects_broken_files():
    with pytest.raises(GiftError):
        parse_gift("::q::What {=a ~b\n")
    with pytest.raises(GiftError):
        parse_gift("::q::What {~lonely}\n")  # a multiple choice needs two answers


def test_json_is_the_contract_shape(quiz30, seed_index):
    data = json.loads(to_json(quiz30.items))
    assert isinstance(data, list) and len(data) == len(quiz30.items)
    for d in data:
        assert {"id", "type", "question", "options", "answer", "explanation", "citation"} <= set(d)
        c = d["citation"]
        assert {"doc_id", "title", "quote", "start", "end", "source", "chunk_id"} <= set(c)
        assert seed_index.documents[c["doc_id"]].text[c["start"] : c["end"]] == c["quote"]
    again = json.loads(to_json(data))  # dicts are accepted too (the UI edits items as dicts)
    assert again == data


def test_csv_one_row_per_item(quiz30):
    rows = list(csv.DictReader(io.StringIO(to_csv(quiz30.items))))
    assert len(rows) == len(quiz30.items)
    for row, it in zip(rows, quiz30.items, strict=True):
        assert row["id"] == it.id and row["question"] == it.question and row["quote"] == it.citation.quote
        if it.type == "mcq":
            letter = row["answer_letter"]
            assert row[f"option_{letter.lower()}"] == it.answer
        assert int(row["start"]) == it.citation.start


def test_csv_quotes_awkward_text():
    items = _nasty()
    rows = list(csv.DictReader(io.StringIO(to_csv(items))))
    assert rows[0]["option_d"] == "d: 4\\5" and rows[0]["question"] == items[0].question


def test_markdown_has_questions_then_the_answer_key(quiz30):
    text = to_markdown(quiz30.items)
    key_at = text.index("## Answer key")
    for i, it in enumerate(quiz30.items, 1):
        assert text.index(f"**{i}.**") < key_at
        key_line = next(line for line in text[key_at:].splitlines() if line.startswith(f"{i}. "))
        if it.type == "mcq":
            assert f"{LETTERS[it.options.index(it.answer)]})" in key_line
    assert text.count("Source: *") == len(quiz30.items)
