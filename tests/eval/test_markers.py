"""Citation marker parsing: fixed cases and hypothesis properties."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from eval.metrics import parse_citations, split_answer


def test_marker_styles():
    assert parse_citations("Dose is 5 mg [1][2].") == ("Dose is 5 mg.", [1, 2])
    assert parse_citations("Dose is 5 mg [1, 3].") == ("Dose is 5 mg.", [1, 3])
    assert parse_citations("Dose is 5 mg [2-4].") == ("Dose is 5 mg.", [2, 3, 4])
    assert parse_citations("Dose [ 2 ] and [[5]] and [3[1]].") == ("Dose and and.", [2, 5, 3, 1])
    assert parse_citations("No markers here [sic].") == ("No markers here [sic].", [])
    assert parse_citations("Typo range [1-100000].")[1] == [1, 100000]


def test_sentences_and_their_markers():
    got = split_answer("Starts at 5 mg [1]. Rises every three days. [2] Max 100 mg [3][1]!\n[4]")
    assert [(s.text, s.citations) for s in got] == [
        ("Starts at 5 mg.", [1]),
        ("Rises every three days.", [2]),
        ("Max 100 mg!", [3, 1, 4]),
    ]
    decimals = split_answer("Tone fell from 4.0 to 1.2 [1]. Spasms fell [2].")
    assert [s.text for s in decimals] == ["Tone fell from 4.0 to 1.2.", "Spasms fell."]


words = st.text(alphabet="abcdefghij ", min_size=1, max_size=20).filter(lambda t: t.strip())
numbers = st.lists(st.integers(min_value=0, max_value=999), min_size=1, max_size=4)


@st.composite
def marker(draw):
    ns = draw(numbers)
    style = draw(st.sampled_from(["adjacent", "comma", "nested", "spaced"]))
    if style == "adjacent":
        return "".join(f"[{n}]" for n in ns), ns
    if style == "comma":
        return "[" + ", ".join(map(str, ns)) + "]", ns
    if style == "nested":
        return "[" * 2 + "][".join(map(str, ns)) + "]" * 2, ns
    return "[ " + " ; ".join(map(str, ns)) + " ]", ns


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(words, marker()), min_size=1, max_size=5))
def test_parse_recovers_every_number_and_leaves_no_marker(parts):
    text = " ".join(f"{w} {m}" for w, (m, _ns) in parts)
    clean, cited = parse_citations(text)
    expected = list(dict.fromkeys(n for _w, (_m, ns) in parts for n in ns))
    assert cited == expected
    assert not re.search(r"\[[\d\s,;\[\]-]*\d[\d\s,;\[\]-]*\]", clean)
    assert "[" not in clean and "]" not in clean


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_split_never_crashes_and_keeps_text(text):
    sentences = split_answer(text)
    for s in sentences:
        assert all(isinstance(n, int) and n >= 0 for n in s.citations)
        assert re.search(r"[A-Za-z0-9]", s.text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Alpha", "Beta", "Gamma"]), numbers), min_size=1, max_size=6))
def test_each_sentence_keeps_its_own_markers(parts):
    text = " ".join(f"{w} says {i} things {''.join(f'[{n}]' for n in ns)}." for i, (w, ns) in enumerate(parts))
    got = split_answer(text)
    assert len(got) == len(parts)
    for s, (_w, ns) in zip(got, parts, strict=True):
        assert s.citations == list(dict.fromkeys(ns))
