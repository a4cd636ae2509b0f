"""Numbers with units in running text: doses, percentages, time spans, frequencies, ratios, decades.

What it does: finds quantity spans in a sentence by general patterns (a number or number word,
an optional range, a unit), normalises them to comparable intervals ("two to four hours" and
"2-4 h" are the same interval of hours; "three times daily" is 3 per day, "every 8 hours" is 3 per
day), and renders other values in the surface style of a given span (digits or words, the same
separator and unit), which is how numeric distractors and true/false changes are made.

What it does not do: decide what a quantity is *about* (facts.py does that from its context).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# --- number words -------------------------------------------------------------------------------

_UNITS_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS_WORDS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS_WORDS)}
WORD_VALUES.update({w: 10 * i for i, w in enumerate(_TENS_WORDS) if w})
WORD_VALUES["hundred"] = 100

_WORD_ALT = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
NUMBER_WORD = rf"(?:(?:{_WORD_ALT})(?:-(?:{'|'.join(_UNITS_WORDS[1:10])}))?)"
NUMBER = rf"(?:\d+(?:[.,]\d+)?|{NUMBER_WORD})"


def words_for(n: int) -> str:
    """An integer 0-999 in words ("twenty-four", "one hundred twenty")."""
    if n < 20:
        return _UNITS_WORDS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TENS_WORDS[tens] + (f"-{_UNITS_WORDS[rest]}" if rest else "")
    hundreds, rest = divmod(n, 100)
    return f"{_UNITS_WORDS[hundreds]} hundred" + (f" {words_for(rest)}" if rest else "")


def parse_number(token: str) -> float | None:
    """The value of a digit string or number word ("2.5", "forty", "twenty-four"); None otherwise."""
    token = token.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        return float(token.replace(",", ""))
    if token in WORD_VALUES:
        return float(WORD_VALUES[token])
    if " hundred" in token:  # "one hundred", "two hundred forty"
        head, _, rest = token.partition(" hundred")
        hundreds = WORD_VALUES.get(head)
        tail = parse_number(rest.strip().removeprefix("and ").strip()) if rest.strip() else 0.0
        if hundreds and 0 < hundreds < 10 and tail is not None and tail < 100:
            return float(100 * hundreds + tail)
        return None
    if "-" in token:
        head, _, tail = token.partition("-")
        if head in WORD_VALUES and tail in WORD_VALUES and WORD_VALUES[head] >= 20 and WORD_VALUES[tail] < 10:
            return float(WORD_VALUES[head] + WORD_VALUES[tail])
    return None


# --- units --------------------------------------------------------------------------------------

#: unit surface form -> (family, factor to the family's base unit)
_UNIT_TABLE: dict[str, tuple[str, float]] = {
    "mg": ("mass", 1.0),
    "milligram": ("mass", 1.0),
    "milligrams": ("mass", 1.0),
    "g": ("mass", 1000.0),
    "gram": ("mass", 1000.0),
    "grams": ("mass", 1000.0),
    "mcg": ("mass", 0.001),
    "µg": ("mass", 0.001),
    "μg": ("mass", 0.001),
    "microgram": ("mass", 0.001),
    "micrograms": ("mass", 0.001),
    "kg": ("mass", 1_000_000.0),
    "%": ("percent", 1.0),
    "percent": ("percent", 1.0),
    "per cent": ("percent", 1.0),
    "second": ("time", 1 / 3600),
    "seconds": ("time", 1 / 3600),
    "minute": ("time", 1 / 60),
    "minutes": ("time", 1 / 60),
    "min": ("time", 1 / 60),
    "mins": ("time", 1 / 60),
    "hour": ("time", 1.0),
    "hours": ("time", 1.0),
    "hr": ("time", 1.0),
    "hrs": ("time", 1.0),
    "h": ("time", 1.0),
    "day": ("time", 24.0),
    "days": ("time", 24.0),
    "week": ("time", 168.0),
    "weeks": ("time", 168.0),
    "month": ("time", 730.0),
    "months": ("time", 730.0),
    "year": ("time", 8760.0),
    "years": ("time", 8760.0),
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNIT_TABLE, key=len, reverse=True))
_SEP = r"\s*(?:-|–|—|to|and)\s*"
_PER = r"(?:\s*/\s*|\s+per\s+|\s+a\s+)(?:day|d|kg|dose|hour|h|week)\b"

_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<cmp>(?:>|<|≥|≤|>=|<=)\s*)?(?P<a>{NUMBER})(?:\s*(?P<ua>{_UNIT_ALT})(?![\w]))?"
    rf"(?:(?P<sep>{_SEP})(?P<b>{NUMBER}))?\s*(?P<u>{_UNIT_ALT})(?![\w])(?P<per>{_PER})?",
    re.IGNORECASE,
)
_FREQ_TIMES = re.compile(
    rf"(?<![\w])(?P<a>{NUMBER}|once|twice|thrice)(?:(?P<sep>{_SEP})(?P<b>{NUMBER}))?"
    r"(?P<times>\s+times)?\s+(?P<per>daily|a day|per day|a week|per week|weekly)\b",
    re.IGNORECASE,
)
_FREQ_EVERY = re.compile(
    rf"\bevery\s+(?P<a>{NUMBER})(?:(?P<sep>{_SEP})(?P<b>{NUMBER}))?\s+(?P<u>hours?|days?|weeks?|months?|minutes?)\b",
    re.IGNORECASE,
)
_RATIO = re.compile(
    rf"(?<![\w])(?P<a>{NUMBER})\s+times\s+(?=(?:less|more|lower|higher|greater|smaller|fewer)\b)",
    re.IGNORECASE,
)
_DECADE = re.compile(r"(?<![\w])(?P<a>(?:1[5-9]|20)\d0)s\b")
# digits may touch a unit ("10mg", "1960s"); number words stand alone
_NUMBER_TOKEN = re.compile(rf"(?<![\w.])(?:\d+(?:\.\d+)?|{NUMBER_WORD}(?![\w]))", re.IGNORECASE)

_FREQ_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_PER_DAY = {"daily": 1.0, "a day": 1.0, "per day": 1.0, "a week": 1 / 7, "per week": 1 / 7, "weekly": 1 / 7}


@dataclass(frozen=True)
class Quantity:
    """A quantity span in a text.

    Attributes:
        kind: dose (mass), percentage, duration (time), frequency, ratio or decade.
        start, end: character offsets into the text that was scanned.
        text: the span as written.
        low, high: the interval in the family's base unit (mg, %, hours, per day, times, year).
        unit: the unit as written (the last one), or "" (frequency, ratio, decade).
        per: a "per day"/"/kg" qualifier, or "".
        comparator: ">", "<", ... when the value is a bound, else "".
    """

    kind: str
    start: int
    end: int
    text: str
    low: float
    high: float
    unit: str = ""
    per: str = ""
    comparator: str = ""

    @property
    def is_range(self) -> bool:
        return self.high != self.low

    def overlaps(self, other: Quantity, *, strict_per: bool = False) -> bool:
        """Same kind and intersecting intervals (a value inside a range counts).

        A "per day" qualifier on one side only does not keep them apart unless `strict_per`:
        "a maximum daily dose of 100 mg" and "up to 100 mg per day" say the same thing.
        """
        if self.kind != other.kind:
            return False
        mine, theirs = _per_key(self.per), _per_key(other.per)
        if mine != theirs and (strict_per or (mine and theirs)):
            return False
        tol = 1e-9 + 1e-6 * max(abs(self.high), abs(other.high))
        return self.low <= other.high + tol and other.low <= self.high + tol

    def same_value(self, other: Quantity) -> bool:
        return (
            self.kind == other.kind
            and _per_key(self.per) == _per_key(other.per)
            and math.isclose(self.low, other.low, rel_tol=1e-6)
            and math.isclose(self.high, other.high, rel_tol=1e-6)
        )


def _per_key(per: str) -> str:
    p = per.lower().strip().lstrip("/").replace("per ", "").replace("a ", "").strip()
    return {"d": "day", "h": "hour"}.get(p, p)


def _kind_for(family: str) -> str:
    return {"mass": "dose", "percent": "percentage", "time": "duration"}[family]


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity span in `text`, left to right, overlaps resolved (frequencies win)."""
    found: list[Quantity] = []
    for m in _FREQ_TIMES.finditer(text):
        a = m.group("a").lower()
        if a not in _FREQ_WORDS and not m.group("times"):
            continue  # "5 daily" is not a frequency; "three times daily" and "twice daily" are
        lo = _FREQ_WORDS.get(a) or parse_number(a)
        hi = parse_number(m.group("b")) if m.group("b") else lo
        if lo is None or hi is None:
            continue
        rate = _PER_DAY[m.group("per").lower()]
        found.append(Quantity("frequency", m.start(), m.end(), m.group(0), lo * rate, hi * rate))
    for m in _FREQ_EVERY.finditer(text):
        lo, hi = parse_number(m.group("a")), parse_number(m.group("b") or m.group("a"))
        if not lo or not hi:
            continue
        family, factor = _UNIT_TABLE[m.group("u").lower()]
        # every 8 hours = 24 / 8 = 3 per day; every three days = 24 / 72 = 1/3 per day
        found.append(Quantity("frequency", m.start(), m.end(), m.group(0), 24 / (hi * factor), 24 / (lo * factor)))
    for m in _QUANTITY.finditer(text):
        unit = m.group("u")
        family, factor = _UNIT_TABLE[unit.lower()]
        if m.group("ua") and _UNIT_TABLE[m.group("ua").lower()][0] != family:
            continue
        lo = parse_number(m.group("a"))
        hi = parse_number(m.group("b")) if m.group("b") else lo
        if lo is None or hi is None or hi < lo:
            continue
        factor_a = _UNIT_TABLE[m.group("ua").lower()][1] if m.group("ua") else factor
        start = m.start("cmp") if m.group("cmp") else m.start("a")
        found.append(
            Quantity(
                _kind_for(family),
                start,
                m.end(),
                text[start : m.end()],
                lo * factor_a,
                hi * factor,
                unit=unit,
                per=(m.group("per") or "").strip(),
                comparator=(m.group("cmp") or "").strip(),
            )
        )
    for m in _RATIO.finditer(text):
        v = parse_number(m.group("a"))
        if v:
            end = m.start() + len(m.group(0).rstrip())
            found.append(Quantity("ratio", m.start(), end, text[m.start() : end], v, v))
    for m in _DECADE.finditer(text):
        v = float(m.group("a"))
        found.append(Quantity("decade", m.start(), m.end(), m.group(0), v, v + 9))
    # resolve overlaps: earlier-found kinds (frequency) win, then the longer span
    priority = {"frequency": 0, "ratio": 1, "decade": 1, "dose": 2, "percentage": 2, "duration": 3}
    found.sort(key=lambda q: (priority[q.kind], -(q.end - q.start), q.start))
    kept: list[Quantity] = []
    for q in found:
        if all(q.end <= k.start or q.start >= k.end for k in kept):
            kept.append(q)
    return sorted(kept, key=lambda q: q.start)


# --- rendering other values in a span's style ----------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A quantity's text with its numbers cut out: `parts[0] n0 parts[1] n1 parts[2]`."""

    parts: tuple[str, ...]
    words: tuple[bool, ...]  # each number written in words
    capital: tuple[bool, ...]
    integers: bool

    @property
    def slots(self) -> int:
        return len(self.words)


def template_of(q: Quantity) -> Template | None:
    """The template of a quantity's text (None when it holds no number, e.g. 'twice daily')."""
    tokens = list(_NUMBER_TOKEN.finditer(q.text))
    if not tokens or len(tokens) > 2:
        return None
    parts, words, capital, pos, integers = [], [], [], 0, True
    for t in tokens:
        parts.append(q.text[pos : t.start()])
        token = t.group(0)
        is_word = not token[0].isdigit()
        words.append(is_word)
        capital.append(token[0].isupper())
        value = parse_number(token)
        if value is None:
            return None
        integers = integers and float(value).is_integer() and "." not in token
        pos = t.end()
    parts.append(q.text[pos:])
    return Template(tuple(parts), tuple(words), tuple(capital), integers)


def _fmt(value: float, *, words: bool, capital: bool) -> str | None:
    if words:
        if not float(value).is_integer() or not 0 < value < 100:  # "one hundred ..." is not scanned
            return None
        out = words_for(int(value))
        return out[0].upper() + out[1:] if capital else out
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"


_SINGULAR = {"hours": "hour", "days": "day", "weeks": "week", "months": "month", "years": "year", "minutes": "minute"}


def render(template: Template, values: tuple[float, ...]) -> str | None:
    """The template with `values` put in, in the template's style; None when it cannot be written."""
    if len(values) != template.slots:
        return None
    out = [template.parts[0]]
    for i, v in enumerate(values):
        text = _fmt(v, words=template.words[i], capital=template.capital[i])
        if text is None:
            return None
        out.append(text)
        out.append(template.parts[i + 1])
    rendered = "".join(out)
    if template.slots == 1 and values[0] == 1:  # "1 hours" -> "1 hour"
        for plural, singular in _SINGULAR.items():
            rendered = re.sub(rf"\b{plural}\b", singular, rendered)
    elif values[-1] != 1:  # "one hour" -> "four hours" (the unit right after the number only)
        tail = template.parts[-1]
        m = re.match(r"\s+(" + "|".join(_SINGULAR.values()) + r")\b", tail)
        if m:
            plural = {v: k for k, v in _SINGULAR.items()}[m.group(1)]
            rendered = rendered[: len(rendered) - len(tail)] + tail[: m.start(1)] + plural + tail[m.end(1) :]
    return rendered


def nice(value: float) -> float:
    """Round to a number a person would write in a dose or a figure (2.5, 15, 40, 120, 250)."""
    if value <= 0:
        return 0.0
    if value < 1:
        return round(value * 4) / 4 or 0.25
    if value < 20:
        return float(round(value * 2) / 2) if value < 10 else float(round(value))
    if value < 100:
        return float(5 * round(value / 5))
    if value < 1000:
        return float(10 * round(value / 10)) if value < 300 else float(50 * round(value / 50))
    return float(100 * round(value / 100))
