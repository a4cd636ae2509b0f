"""Clean a loaded document into structural blocks, dropping web-page debris by general rules.

What it does: splits the text into lines, recognises headings, paragraphs, list items and table
rows, and drops page furniture (comment forms, review and rating blocks, image captions, stray
counters, share buttons, chat-tool artefacts, "related article" title lists). Every kept block is
a span of the original text, `text[start:end] == block.text`.

What it does not do: split sentences (sentences.py) or group blocks into chunks (chunking.py).
The rules are about the shape of web pages, not about these particular documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import Block, Document, Removed

# --- line-level debris patterns (matched against a line's stripped content) -------------------
_DEBRIS_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "comment form",
        re.compile(
            r"(?i)^(leave a (reply|comment)|post (a )?comment|add (a )?comment|cancel reply|"
            r"please enter your (comment|name|e-?mail|email address)( here)?|"
            r"(your )?e-?mail address will not be published.*|required fields are marked.*|"
            r"save my name,? e-?mail.*|you must be (logged|signed) in to post a comment.*|"
            r"(comment|name|e-?mail|website)\s*:?\s*\*?|\d+ comments?|no comments( yet)?\.?)[!.]?$"
        ),
    ),
    (
        "reviews and ratings",
        re.compile(
            r"(?i)^(there are no reviews yet|be the first to review.*|add a review|write a review|"
            r"(customer )?reviews?\s*\(\d+\)|rated \d(\.\d+)? out of \d.*|\d(\.\d+)? out of \d stars?.*|"
            r"\d(\.\d+)? stars?( rating)?|your rating\s*\*?|rating:?\s*\d.*|"
            r"(was|is) this (article|page) helpful\??|helpful\?? yes no)[!.]?$"
        ),
    ),
    ("counter", re.compile(r"^[\d.,]{1,6}[kKmM]?$")),
    (
        "share buttons",
        re.compile(
            r"(?i)^(share( this( article| post| page)?)?|tweet|pin( it)?|facebook|twitter|x|linkedin|whatsapp|"
            r"telegram|reddit|e-?mail|print|copy link|save)( on \w+)?:?$"
        ),
    ),
    (
        "caption",
        re.compile(
            r"(?i)^((image|photo|picture|figure)\s*(caption|credit)\s*:.*|"
            r"(a )?(close-?up |cropped )?(shot|photo|photograph|image|picture|portrait|illustration|"
            r"stock photo|view) of .*|.*\b(getty images|shutterstock|istock(photo)?|adobe stock|"
            r"photo credit|image credit|photo by|image by)\b.*)$"
        ),
    ),
    (
        "chat artefact",
        re.compile(
            r"(?i)^(\d?o\d?(-| )?(mini|preview)?|gpt-?[\d.]+[a-z]*( mini| turbo)?|chatgpt( said)?:?|"
            r"you said:?|copy( code)?|regenerate( response)?|edit|was this response helpful\??)$"
        ),
    ),
    (
        "site boilerplate",
        re.compile(
            r"(?i)^(advertisement|sponsored( content)?|subscribe( to our newsletter)?.*|sign up for .*newsletter.*|"
            r"read (more|next)( here)?|click here.*|related (posts?|articles?|stories|reading)|"
            r"you (may|might) also like|more from .*|recommended( for you)?|tags?:.*|posted in .*|"
            r"all rights reserved.*|(©|copyright)\s*\d{4}.*|we use cookies.*|accept( all)? cookies)[!.:]?$"
        ),
    ),
]
#: Reasons whose lines also pull the short labels sharing their line group into the debris.
_FURNITURE = {"counter", "caption", "share buttons", "chat artefact"}
#: A heading that announces a list of links: the heading-like lines after it are links too.
_LINK_LIST_HEAD = re.compile(
    r"(?i)^(related (posts?|articles?|stories|reading)|you (may|might) also like|"
    r"more from .*|recommended( for you)?|read (more|next)|popular( posts)?|"
    r"trending( now)?|latest (posts|articles|news))[:.]?$"
)

_TABLE_SEP = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_BULLET = re.compile(r"^([-*•+▪◦‣]|\d{1,2}[.)]|[a-z][.)])\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_LABEL = re.compile(r"^([A-Z0-9][^:.!?]{0,70}?):\s+\S")
_WORD = re.compile(r"[A-Za-z]")


@dataclass
class Line:
    """One line of the document with its content span and what the cleaner made of it."""

    start: int  # content start (after indentation and any list marker)
    end: int  # content end (trailing white space and table pipes excluded)
    line_start: int
    line_end: int
    text: str
    kind: str  # blank, table_sep, table_row, list_item, heading, paragraph
    numbered: bool = False
    debris: str | None = None


def _is_heading_like(content: str) -> bool:
    if not _WORD.search(content) or "|" in content:
        return False
    words = content.split()
    if len(words) > 14 or len(content) > 110:
        return False
    if content[-1] in ".!,;:" or (content[-1] == "?" and len(words) > 12):
        return False
    return content[0].isupper() or content[0].isdigit() or content[0] in "\"'“("


def _scan_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        line_start, line_end = pos, pos + len(raw)
        pos = line_end + 1
        stripped = raw.strip()
        if not stripped:
            lines.append(Line(line_start, line_start, line_start, line_end, "", "blank"))
            continue
        start = line_start + (len(raw) - len(raw.lstrip()))
        end = line_start + len(raw.rstrip())
        content = text[start:end]
        if _TABLE_SEP.match(content):
            lines.append(Line(start, end, line_start, line_end, content, "table_sep"))
            continue
        if content.count("|") >= 2 or (content.count("|") == 1 and content.endswith("|")):
            body = content.strip("| \t")
            body_start = start + content.index(body) if body else start
            lines.append(Line(body_start, body_start + len(body), line_start, line_end, body, "table_row"))
            continue
        marker = _BULLET.match(content)
        numbered = False
        kind = "paragraph"
        md_heading = _MD_HEADING.match(content)
        if md_heading and len(content) > md_heading.end():
            start += md_heading.end()  # "## Dosage" is a heading whatever its length
            end -= len(content) - len(content.rstrip("# \t"))
            lines.append(Line(start, end, line_start, line_end, text[start:end], "heading"))
            continue
        if marker and len(content) > marker.end():
            numbered = marker.group(1)[0].isdigit() or marker.group(1)[0].islower()
            start += marker.end()
            content = text[start:end]
            kind = "list_item"
            if numbered and _is_heading_like(content) and len(content.split()) <= 8:
                kind = "heading"  # "1. Neuropathic Pain" numbers a section, it is not an item
        elif _is_heading_like(content):
            kind = "heading"
        lines.append(Line(start, end, line_start, line_end, content, kind, numbered))
    return lines


def _line_debris(content: str) -> str | None:
    for reason, pattern in _DEBRIS_PATTERNS:
        if pattern.match(content):
            return reason
    return None


def _groups(lines: list[Line]) -> list[list[int]]:
    """Runs of consecutive non-blank lines (a visual group on the page)."""
    groups, current = [], []
    for i, line in enumerate(lines):
        if line.kind == "blank":
            if current:
                groups.append(current)
            current = []
        else:
            current.append(i)
    if current:
        groups.append(current)
    return groups


def _mark_debris(lines: list[Line]) -> None:
    for line in lines:
        if line.kind in ("blank", "table_sep"):
            continue
        line.debris = _line_debris(line.text)
    # Page furniture comes in groups: a caption or a counter drags the short labels beside it
    # ("0 / 6 / Pain management / Shot of a ..." is one block of furniture, not a heading).
    for group in _groups(lines):
        if len(group) > 1 and any(lines[i].debris in _FURNITURE for i in group):
            for i in group:
                if lines[i].debris is None and lines[i].kind == "heading":
                    lines[i].debris = "caption"
    # A "Related articles" heading: the run of title-like lines after it are links.
    content = [i for i, line in enumerate(lines) if line.kind not in ("blank", "table_sep")]
    for n, i in enumerate(content):
        if lines[i].debris == "site boilerplate" and _LINK_LIST_HEAD.match(lines[i].text):
            for j in content[n + 1 :]:
                if lines[j].kind != "heading" or lines[j].debris:
                    break
                lines[j].debris = "related titles"


def _mark_heading_runs(lines: list[Line]) -> None:
    """Headings with no content of their own are navigation, not structure.

    - the run of title-like lines after the last real content (a page's "related articles")
    - a run of three or more title-like lines in a row (a link list): all but the last
    - a heading whose section holds only debris ("Reviews" / "There are no reviews yet.")
    """
    live = [i for i, line in enumerate(lines) if line.kind not in ("blank", "table_sep") and not line.debris]
    # trailing run
    n = len(live)
    while n > 0 and lines[live[n - 1]].kind == "heading":
        n -= 1
    trailing = live[n:]
    # a title-only document (a single heading) keeps its heading
    if trailing and n > 0:
        for i in trailing:
            lines[i].debris = "related titles"
    live = live[:n] if n > 0 else live
    # runs of 3+ headings
    run: list[int] = []
    for i in [*live, None]:
        if i is not None and lines[i].kind == "heading":
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run[:-1]:
                lines[j].debris = "related titles"
        run = []
    # a heading whose body is only debris
    content = [i for i, line in enumerate(lines) if line.kind not in ("blank", "table_sep")]
    for n, i in enumerate(content):
        if n == 0 or lines[i].kind != "heading" or lines[i].debris:
            continue  # the first line is the page title, furniture under it notwithstanding
        body = []
        for j in content[n + 1 :]:
            if lines[j].kind == "heading" and not lines[j].debris:
                break
            body.append(j)
        if body and all(lines[j].debris for j in body):
            lines[i].debris = lines[body[0]].debris


def clean(doc: Document) -> list[Block]:
    """Split `doc` into kept blocks and record what was removed in `doc.removed`.

    Returns:
        The kept blocks in order. The first heading becomes the title block when the document
        has no manifest title or the heading equals it; `doc.title` is filled when empty.
    """
    lines = _scan_lines(doc.text)
    _mark_debris(lines)
    _mark_heading_runs(lines)

    doc.removed = [
        Removed(line.line_start, line.line_end, doc.text[line.line_start : line.line_end], line.debris)
        for line in lines
        if line.debris
    ]
    blocks: list[Block] = []
    section = ""
    title_seen = False
    last_paragraph: int | None = None  # a paragraph ending in ':' introduces the list after it
    table_header: int | None = None
    for line in lines:
        if line.debris or line.kind in ("blank", "table_sep"):
            if line.kind == "blank":
                table_header = None
            continue
        index = len(blocks)
        if line.kind == "heading":
            is_title = (
                not title_seen
                and not blocks
                and (not doc.title or doc.title.strip().lower() == line.text.strip().lower())
            )
            title_seen = True
            if is_title and not doc.title:
                doc.title = line.text
            blocks.append(Block(index, "title" if is_title else "heading", line.start, line.end, line.text, section))
            section = line.text if not is_title else section
            last_paragraph = table_header = None
            continue
        title_seen = True
        if line.kind == "paragraph":
            blocks.append(Block(index, "paragraph", line.start, line.end, line.text, section))
            last_paragraph = index if line.text.rstrip().endswith(":") else None
            table_header = None
        elif line.kind == "list_item":
            label = _LABEL.match(line.text)
            blocks.append(
                Block(
                    index,
                    "list_item",
                    line.start,
                    line.end,
                    line.text,
                    section,
                    label=label.group(1) if label else None,
                    lead=last_paragraph,
                )
            )
        elif line.kind == "table_row":
            first_cell = line.text.split("|")[0].strip() or None
            if table_header is None:
                table_header = index
                blocks.append(Block(index, "table_row", line.start, line.end, line.text, section, label=None))
            else:
                blocks.append(
                    Block(
                        index,
                        "table_row",
                        line.start,
                        line.end,
                        line.text,
                        section,
                        label=first_cell,
                        lead=table_header,
                    )
                )
            last_paragraph = None
    if not doc.title:
        doc.title = doc.doc_id
    return blocks
