"""Quiz exports: JSON (CONTRACT.md), Moodle GIFT, CSV (one row per item), printable Markdown.

Every function takes a list of `QuizItem` (or of their dicts, as the UI may hold them after an
edit) and returns the file's text. GIFT follows Moodle's importer (question/format/gift): one
question per blank-line-separated block, `::name::`, answers in braces (`=right`, `~wrong`,
`TRUE`/`FALSE`), `#` feedback, `####` general feedback, and the characters `~ = # { } :` and the
backslash escaped with a backslash in every text, so the file imports as it is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from quiz.items import BLANK, QuizItem

FORMATS = ("json", "gift", "csv", "md")
CSV_COLUMNS = [
    "id",
    "type",
    "topic",
    "difficulty",
    "question",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "option_e",
    "answer",
    "answer_letter",
    "accepted",
    "explanation",
    "doc_id",
    "title",
    "section",
    "quote",
    "start",
    "end",
    "source",
    "chunk_id",
]
LETTERS = "ABCDEFGH"


def _items(items: Iterable[QuizItem | dict[str, Any]]) -> list[QuizItem]:
    return [it if isinstance(it, QuizItem) else QuizItem.from_dict(it) for it in items]


# --- JSON ----------------------------------------------------------------------------------------


def to_json(items: Iterable[QuizItem | dict[str, Any]], *, indent: int | None = 2) -> str:
    """A JSON list of items: {id, type, question, options, answer, explanation, citation, ...}."""
    return json.dumps([it.to_dict() for it in _items(items)], ensure_ascii=False, indent=indent) + "\n"


# --- GIFT ----------------------------------------------------------------------------------------

_GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """Escape GIFT's control characters and fold line breaks (a blank line would end the question)."""
    text = re.sub(r"\s+", " ", str(text))
    return _GIFT_SPECIAL.sub(r"\\\1", text)


def _gift_question(it: QuizItem, number: int) -> str:
    name = gift_escape(f"{number:02d} {it.type} {it.topic} {it.id}".strip())
    feedback = gift_escape(it.explanation)
    c = it.citation
    head = f"// {it.type}, {it.topic}, {it.difficulty}; source: {c.doc_id} {c.start}-{c.end}\n"
    if it.type == "mcq":
        lines = [f"::{name}::{gift_escape(it.question)} {{"]
        for option in it.options:
            mark = "=" if option == it.answer else "~"
            lines.append(f"\t{mark}{gift_escape(option)}")
        lines.append(f"\t####{feedback}")
        lines.append("}")
        return head + "\n".join(lines)
    if it.type == "true_false":
        answer = "TRUE" if it.answer == "True" else "FALSE"
        return head + f"::{name}::{gift_escape(it.question)} {{{answer}####{feedback}}}"
    answers = " ".join(f"={gift_escape(a)}" for a in (it.accepted or [it.answer]))
    if it.type == "cloze" and it.question.count(BLANK) == 1:
        before, after = it.question.split(BLANK)
        # Moodle's missing-word form: the answer braces stand where the blank is
        return head + f"::{name}::{gift_escape(before)}{{{answers} ####{feedback}}}{gift_escape(after)}"
    return head + f"::{name}::{gift_escape(it.question)} {{{answers} ####{feedback}}}"


def to_gift(items: Iterable[QuizItem | dict[str, Any]], *, category: str | None = "baclofen-qa") -> str:
    """Moodle GIFT text, importable as it is (Question bank > Import > GIFT format)."""
    blocks = []
    if category:
        blocks.append(f"$CATEGORY: {category}")
    for i, it in enumerate(_items(items), 1):
        blocks.append(_gift_question(it, i))
    return "\n\n".join(blocks) + "\n"


# --- CSV -----------------------------------------------------------------------------------------


def to_csv(items: Iterable[QuizItem | dict[str, Any]]) -> str:
    """One row per item (options in option_a..option_e, accepted spellings joined with ' | ')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for it in _items(items):
        row: dict[str, Any] = {
            "id": it.id,
            "type": it.type,
            "topic": it.topic,
            "difficulty": it.difficulty,
            "question": it.question,
            "answer": it.answer,
            "answer_letter": LETTERS[it.options.index(it.answer)] if it.answer in it.options else "",
            "accepted": " | ".join(it.accepted),
            "explanation": it.explanation,
            "doc_id": it.citation.doc_id,
            "title": it.citation.title,
            "section": it.citation.section,
            "quote": it.citation.quote,
            "start": it.citation.start,
            "end": it.citation.end,
            "source": it.citation.source,
            "chunk_id": it.citation.chunk_id,
        }
        for letter, option in zip("abcde", it.options, strict=False):
            row[f"option_{letter}"] = option
        writer.writerow(row)
    return out.getvalue()


# --- Markdown ------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape what Markdown would otherwise format (a quiz is text, not markup)."""
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", str(text)).replace(r"\_\_\_\_\_", r"\_\_\_\_\_")


def to_markdown(items: Iterable[QuizItem | dict[str, Any]], *, title: str = "Baclofen quiz") -> str:
    """A printable sheet: the questions, then the answer key with each answer's source quote."""
    items = _items(items)
    lines = [f"# {_md(title)}", "", f"{len(items)} questions. Answers come from the cited sources only.", ""]
    for i, it in enumerate(items, 1):
        lines.append(f"**{i}.** {_md(it.question)}")
        lines.append("")
        if it.type == "mcq":
            for letter, option in zip(LETTERS, it.options, strict=False):
                lines.append(f"- {letter}) {_md(option)}")
        elif it.type == "true_false":
            lines.append("- True")
            lines.append("- False")
        else:
            lines.append("Answer: ________________________________")
        lines.append("")
    lines += ["---", "", "## Answer key", ""]
    for i, it in enumerate(items, 1):
        if it.type == "mcq" and it.answer in it.options:
            answer = f"{LETTERS[it.options.index(it.answer)]}) {it.answer}"
        else:
            answer = it.answer
        also = [a for a in it.accepted if a != it.answer][:4]
        extra = f" (also accepted: {'; '.join(_md(a) for a in also)})" if also else ""
        c = it.citation
        lines.append(f"{i}. **{_md(answer)}**{extra}  ")
        lines.append(f'   Source: *{_md(c.title)}*{", " + _md(c.section) if c.section else ""}: "{_md(c.quote)}"')
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export(items: Iterable[QuizItem | dict[str, Any]], fmt: str) -> str:
    """The items in one of FORMATS."""
    return {"json": to_json, "gift": to_gift, "csv": to_csv, "md": to_markdown}[fmt](items)
