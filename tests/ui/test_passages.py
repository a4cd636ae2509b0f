"""Display helpers: corpus text is escaped, the quoted span (and only it) is marked."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from index.types import Answer, Citation, Conflict, ConflictStatement
from ui.passages import (
    answer_html,
    answer_with_references,
    context_bounds,
    md_escape,
    passage_html,
)

TAGS = re.compile(r"</?(div|mark|a)\b[^>]*>")


def test_markup_in_corpus_text_is_escaped_and_only_the_span_is_marked():
    text = 'Intro <script>alert("x")</script> then <b>5 mg</b> three times daily & more.'
    start = text.index("<b>")
    end = text.index("daily") + len("daily")
    out = passage_html(text, start, end)
    assert "<script" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out
    marked = re.findall(r"<mark>(.*?)</mark>", out)
    assert marked == [html.escape("<b>5 mg</b> three times daily")]


@given(
    st.text(alphabet=st.sampled_from(list("ab <>&\"'\n.")), min_size=1, max_size=400),
    st.data(),
)
def test_marked_span_round_trips_to_the_quote(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start, len(text)))
    out = passage_html(text, start, end)
    # Every '<' left is one of our own tags: nothing from the text is live markup.
    assert "<" not in TAGS.sub("", out)
    assert out.count("<mark>") == 1
    inner = re.search(r"<mark>(.*?)</mark>", out, re.S).group(1)
    assert html.unescape(inner) == text[start:end]


def test_context_stops_at_paragraph_breaks_and_radius():
    text = "First paragraph.\n\nSecond one has the quote here. And more.\n\nThird."
    start = text.index("the quote")
    end = start + len("the quote")
    lo, hi = context_bounds(text, start, end)
    assert text[lo:hi] == "Second one has the quote here. And more."
    long_text = "word " * 400
    lo, hi = context_bounds(long_text, 1000, 1010, radius=50)
    assert 1000 - 50 <= lo <= 1000 and 1010 <= hi <= 1010 + 50
    assert long_text[lo - 1] == " " and long_text[hi] == " "  # cut between words


def test_answer_markers_link_to_their_passages_and_text_is_escaped():
    out = answer_html("Take <5 mg> [1] or 10 mg [2].")
    assert '<a class="bqa-ref" href="#bqa-cite-1">[1]</a>' in out
    assert '<a class="bqa-ref" href="#bqa-cite-2">[2]</a>' in out
    assert "&lt;5 mg&gt;" in out


def test_md_escape_neutralises_markdown_and_latex():
    assert md_escape("$5 *bold* [x](y) # h") == r"\$5 \*bold\* \[x\]\(y\) \# h"


def test_answer_with_references_lists_quotes_and_conflicts():
    c1 = Citation(1, "d1", "Doc One", "corpus/d1.txt", "d1#c0", 10, 20, "max 80 mg", section="Dosage")
    c2 = Citation(2, "d2", "Doc Two", "corpus/d2.txt", "d2#c0", 5, 15, "max 100 mg")
    answer = Answer(
        question="max dose?",
        answer="Up to 80 mg [1]; another source says 100 mg [2].",
        abstained=False,
        citations=[c1, c2],
        conflicts=[Conflict("maximum daily dose", [ConflictStatement("80 mg", 1), ConflictStatement("100 mg", 2)])],
    )
    text = answer_with_references(answer)
    assert "[1] Doc One · Dosage (corpus/d1.txt, characters 10-20)" in text
    assert '"max 100 mg"' in text
    assert "The sources differ on maximum daily dose: 80 mg [1]; 100 mg [2]" in text
