"""Turn answers and cited spans into safe display text: escaped HTML with the quote in <mark>.

Corpus text is never trusted as markup: every piece of it goes through `html.escape` (for
`st.html`) or `md_escape` (for `st.markdown`) before it reaches the page, and only the tags
written here (<div>, <mark>, <a>, <span>) are added around it. Nothing here imports streamlit,
and nothing here decides what an answer says; that is rag/'s job.
"""

from __future__ import annotations

import html
import re

from index.types import Answer, Citation

#: Characters of context shown on each side of a quoted span (a paragraph is usually shorter).
CONTEXT_CHARS = 320

_MARKER = re.compile(r"\[(\d+)\]")
# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# that start emphasis, links, lists, headings, tables, HTML or (in Streamlit) LaTeX ($).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def md_escape(text: str) -> str:
    """`text` with markdown syntax neutralised, so st.markdown shows it literally."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


_MD_LIVE = re.compile(r"([\\\[\]<>])")


def md_plain(text: str) -> str:
    """`text` for st.markdown with the syntax that links or loads something neutralised.

    Links, images (which the browser fetches) and autolinks need "[", "]" or "<", and raw HTML
    needs "<"; those and the backslash are escaped, the rest is left as typed, so a file name or
    a title reads the same. Example: "![x](http://h/p.png) a_b.txt" -> "!\\[x\\](http://h/p.png) a_b.txt".
    """
    return _MD_LIVE.sub(r"\\\1", text).replace("\n", " ")


def context_bounds(
    text: str, start: int, end: int, *, radius: int = CONTEXT_CHARS, within: tuple[int, int] | None = None
) -> tuple[int, int]:
    """The span of `text` to show around [start, end): out to the enclosing paragraph, at most `radius` more.

    `within` (e.g. the cited chunk's span, which never crosses a section) bounds the context
    further. A cut inside a paragraph falls on a word boundary, so no word is shown half.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    floor, ceiling = (0, len(text)) if within is None else (max(0, within[0]), min(len(text), within[1]))
    floor, ceiling = min(floor, start), max(ceiling, end)
    lo_limit = max(floor, start - radius)
    para_start = text.rfind("\n\n", lo_limit, start)
    if para_start >= 0:
        lo = para_start + 2
    elif lo_limit == floor:
        lo = floor
    else:
        space = text.find(" ", lo_limit, start)
        lo = space + 1 if space >= 0 else start
    hi_limit = min(ceiling, end + radius)
    para_end = text.find("\n\n", end, hi_limit)
    if para_end >= 0:
        hi = para_end
    elif hi_limit == ceiling:
        hi = ceiling
    else:
        space = text.rfind(" ", end, hi_limit)
        hi = space if space >= 0 else end
    return lo, hi


def passage_html(
    text: str, start: int, end: int, *, radius: int = CONTEXT_CHARS, within: tuple[int, int] | None = None
) -> str:
    """The cited span of a document in its context, escaped, with the span wrapped in <mark>.

    Example: text "a <b> c", span of "<b>" gives
    '<div class="bqa-passage">a <mark>&lt;b&gt;</mark> c</div>'.
    An ellipsis marks a context cut inside a line.
    """
    lo, hi = context_bounds(text, start, end, radius=radius, within=within)
    before = html.escape(text[lo:start].lstrip("\n"))
    quote = html.escape(text[start:end])
    after = html.escape(text[end:hi].rstrip())
    lead = "… " if lo > 0 and text[lo - 1] not in "\n" else ""
    tail = " …" if hi < len(text) and text[hi] not in "\n" else ""
    return f'<div class="bqa-passage">{lead}{before}<mark>{quote}</mark>{after}{tail}</div>'


def quote_html(quote: str) -> str:
    """A quote shown on its own (when the document text is not at hand), escaped and marked."""
    return f'<div class="bqa-passage"><mark>{html.escape(quote)}</mark></div>'


def answer_html(answer_text: str, *, anchor: str = "bqa-cite") -> str:
    """The answer text, escaped, with each [n] turned into a link to the passage it cites."""
    escaped = html.escape(answer_text)
    linked = _MARKER.sub(rf'<a class="bqa-ref" href="#{anchor}-\1">[\1]</a>', escaped)
    return f'<div class="bqa-answer">{linked}</div>'


def citation_label(citation: Citation) -> str:
    """'[n] Title · Section' (plain text)."""
    section = f" · {citation.section}" if citation.section and citation.section != citation.title else ""
    return f"[{citation.n}] {citation.title or citation.doc_id}{section}"


def answer_with_references(answer: Answer) -> str:
    """The answer and its references as plain text, for copying or downloading.

    Example:
        Oral baclofen is usually started at 5 mg three times daily [1].

        References
        [1] Baclofen Medication Overview · Dosage (corpus/004_....txt, characters 1234-1301)
            "Start with 5 mg three times a day."
    """
    lines = [f"Q: {answer.question}", "", answer.answer.strip(), ""]
    support = [c for c in answer.citations if not c.closest_only]
    closest = [c for c in answer.citations if c.closest_only]
    for heading, group in (("References", support), ("Closest passages (not an answer)", closest)):
        if not group:
            continue
        lines.append(heading)
        for c in group:
            lines.append(f"{citation_label(c)} ({c.source}, characters {c.start}-{c.end})")
            lines.append(f'    "{" ".join(c.quote.split())}"')
        lines.append("")
    for conflict in answer.conflicts:
        sides = "; ".join(f"{s.text} [{s.citation}]" for s in conflict.statements)
        lines.append(f"The sources differ on {conflict.about}: {sides}")
    return "\n".join(lines).rstrip() + "\n"
