"""Split cleaned blocks into sentences with exact offsets.

Copes with abbreviations ("e.g.", "i.e.", "vs.", "approx."), initials, decimals ("3.3"), and
reference digits stuck to a sentence's end ("...rheumatic disorders. 1", "...oral therapy 4."),
which some medical pages append as citation markers: in a document that shows that style the
marker is left outside the sentence's span. List items and table rows are one unit each (split
further only when they hold several sentences).
"""

from __future__ import annotations

import re

from index.types import Block

_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "approx",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "al",
    "fig",
    "figs",
    "no",
    "nos",
    "st",
    "ca",
    "cf",
    "vol",
    "ed",
    "eds",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "dept",
    "min",
    "max",
    "mo",
    "wk",
    "hr",
    "hrs",
    "resp",
    "incl",
    "esp",
    "ref",
    "refs",
    "p",
    "pp",
    "viz",
    "b.i.d",
    "t.i.d",
    "q.i.d",
    "q.d",
    "p.o",
    "i.v",
    "i.m",
}
# A candidate boundary: terminal punctuation (and closing quotes/brackets), then white space.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+")
_NEXT_STARTS = re.compile(r"[A-Z0-9\"'“‘(\[]")
# A reference marker: one or two digits after a word, at the very end (optionally before a period).
_REF_MARKER = re.compile(r"(?<=[A-Za-z%)\]’'])\s+\d{1,2}\.?$|(?<=[A-Za-z%)\]’']\.)\s+\d{1,2}$")
# Words after which a trailing number is part of the text ("type 2", "stage 3"), not a marker.
_NUMBERED_WORDS = {
    "type",
    "stage",
    "grade",
    "phase",
    "class",
    "level",
    "step",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "version",
    "part",
    "chapter",
    "figure",
    "table",
    "schedule",
    "category",
    "group",
    "number",
    "no",
    "vitamin",
    "covid",
    "dose",
    "doses",
    "cycle",
    "visit",
    "hour",
    "hours",
    "minute",
    "minutes",
    "page",
    "section",
    "item",
    "appendix",
    "trial",
    "arm",
}
_HAS_LETTER = re.compile(r"[A-Za-z]")


def _is_marker(text: str) -> re.Match[str] | None:
    m = _REF_MARKER.search(text)
    if not m:
        return None
    before = text[: m.start()].rstrip(".").lower().split()
    if before and before[-1].strip("()[]") in _NUMBERED_WORDS:
        # "day 3" numbers a day; "throughout the day 3" is a marker after a plain noun phrase
        if len(before) < 2 or before[-2] not in ("the", "a", "an", "each", "per", "every", "this", "that"):
            return None
    return m


def has_reference_markers(blocks: list[Block]) -> bool:
    """True when the document appends citation digits to sentences (three or more blocks do)."""
    return sum(1 for b in blocks if b.kind in ("paragraph", "list_item") and _is_marker(b.text)) >= 3


def _split_spans(text: str) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for m in _BOUNDARY.finditer(text):
        after = m.end()
        if after >= len(text) or not _NEXT_STARTS.match(text, after):
            continue
        if text[m.start()] == ".":
            # The word before the dot: scan back to white space (what `\S+$` finds), not a regex
            # search from 0, which made one long line quadratic (800 KB in one line: 265 s).
            begin_word = m.start()
            while begin_word > 0 and not text[begin_word - 1].isspace():
                begin_word -= 1
            token = text[begin_word : m.start()]
            word = token.lower().lstrip("(\"'[")
            if word in _ABBREVIATIONS:
                continue
            if len(word) == 1 and word.isalpha() and token.isupper():
                continue  # an initial ("J. Smith")
            if re.fullmatch(r"([a-z]\.)+[a-z]", word):
                continue  # "U.S.", "e.g." written without the last dot
        end = m.start() + 1
        while end < len(text) and text[end] in "\"'”’)]":
            end += 1
        spans.append((begin, end))
        begin = after
    if begin < len(text):
        spans.append((begin, len(text)))
    return spans


def split_block(block: Block, *, reference_markers: bool) -> list[tuple[int, int]]:
    """Sentence spans of one block, as absolute (start, end) offsets into the document.

    Args:
        block: a paragraph, list item or table row.
        reference_markers: strip trailing citation digits (the document uses them).
    """
    if block.kind == "table_row":
        spans = [(0, len(block.text))]
    else:
        spans = _split_spans(block.text)
    out = []
    for s, e in spans:
        piece = block.text[s:e]
        if reference_markers:
            m = _is_marker(piece)
            if m:
                e = s + m.start()
                piece = block.text[s:e]
        # trim white space the marker may have exposed
        while e > s and block.text[e - 1].isspace():
            e -= 1
        while s < e and block.text[s].isspace():  # e.g. a stray control separator after a table pipe
            s += 1
        piece = block.text[s:e]
        if not _HAS_LETTER.search(piece):
            continue  # a bare number or punctuation is a marker, not a sentence
        out.append((block.start + s, block.start + e))
    return out
