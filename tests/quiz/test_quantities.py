"""Numbers with units: finding, comparing and re-writing them in a span's own style."""

from __future__ import annotations

import pytest

from quiz.quantities import find_quantities, nice, parse_number, render, template_of, words_for


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("starting with 5 mg three times daily", "dose", 5, 5),
        ("usually ranging from 40 to 80 mg per day", "dose", 40, 80),
        ("dosages range from 5 mg to 20 mg", "dose", 5, 20),
        ("with about 70-80% bioavailability", "percentage", 70, 80),
        ("ranges from 10% to 75%", "percentage", 10, 75),
        ("a half-life ranging between two to four hours", "duration", 2, 4),
        ("a half-life of 2-4 h", "duration", 2, 4),
        ("a dose of 0.5 g", "dose", 500, 500),
        ("three to four times daily", "frequency", 3, 4),
        ("twice daily", "frequency", 2, 2),
        ("every 8 hours", "frequency", 3, 3),
        ("first introduced in the 1960s", "decade", 1960, 1969),
        ("often 100 times less than oral", "ratio", 100, 100),
    ],
)
def test_find_quantities(text, kind, low, high):
    found = [q for q in find_quantities(text) if q.kind == kind]
    assert found, find_quantities(text)
    q = found[0]
    assert (q.low, q.high) == pytest.approx((low, high))
    assert text[q.start : q.end] == q.text


def test_frequency_is_not_also_a_duration():
    kinds = [q.kind for q in find_quantities("increased by 5 mg every three days")]
    assert kinds == ["dose", "frequency"]


def test_overlap_is_interval_intersection_of_one_kind():
    (a,) = find_quantities("up to 80 mg per day")
    (b,) = find_quantities("ranging from 40 to 80 mg per day")
    (c,) = find_quantities("a maximum daily dose of 100 mg")
    (d,) = find_quantities("about 80% bioavailability")
    assert a.overlaps(b) and b.overlaps(a)
    assert not a.overlaps(c)
    assert not a.overlaps(d)  # a dose is not a percentage


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("two to four hours", (6, 8), "six to eight hours"),
        ("70-80%", (40, 50), "40-50%"),
        ("5 mg", (1,), "1 mg"),
        ("5 mg to 20 mg", (10, 40), "10 mg to 40 mg"),
        ("Two hours", (1,), "One hour"),
        ("one hour", (4,), "four hours"),
        (">60 mg/day", (120,), ">120 mg/day"),
        ("10 mg per day", (20,), "20 mg per day"),
    ],
)
def test_render_keeps_the_span_style(text, values, expected):
    (q,) = find_quantities(text)
    assert render(template_of(q), values) == expected


def test_numbers_in_words_round_trip():
    for n in (1, 7, 12, 20, 24, 75, 99, 100, 120):
        assert parse_number(words_for(n)) == n


def test_nice_numbers():
    assert [nice(v) for v in (0.3, 2.4, 7.4, 13.2, 37, 123, 480)] == [0.25, 2.5, 7.5, 13, 35, 120, 500]
