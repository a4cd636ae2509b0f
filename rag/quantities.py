"""Numbers with units in source text: the kind of quantity, its value or range, unit and qualifier.

"up to 80 mg per day" -> dose 80-80 mg/day, qualifier max; "three to four times daily" ->
frequency 3-4 times/day; "10% to 75%" -> percent 10-75; "every three days" -> duration, every day.
Used to prefer sentences holding the kind of number a question asks for, and to compare
documents (conflicts.py). Numbers are read, never rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.query import QUALIFIER_CUES

_NUM_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUM = r"(?:\d+(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_RANGE = rf"(?P<lo>{_NUM})(?:\s*%?\s*(?:-|–|to)\s*(?P<hi>{_NUM}))?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("frequency", re.compile(rf"(?i)\b{_RANGE}\s+times\s+(?P<unit>daily|a day|per day)\b")),
    (
        "dose",
        re.compile(
            rf"(?i)(?P<cmp>>|<|≤|≥)?\s*\b(?P<lo>{_NUM})\s*(?:mg|milligrams?)?\s*(?:-|–|to)?\s*(?P<hi>{_NUM})?\s*"
            r"(?P<unit>mg|g|mcg|µg|micrograms?|milligrams?)(?P<per>\s*/\s*day|\s*/\s*d\b|\s+per day|\s+a day|\s+daily)?"
        ),
    ),
    ("duration", re.compile(rf"(?i)\b(?P<every>every\s+)?{_RANGE}\s+(?P<unit>hours?|days?|weeks?|minutes?|months?)\b")),
    ("percent", re.compile(rf"(?i)\b{_RANGE}\s*(?P<unit>%|percent)")),
]


@dataclass
class Quantity:
    dimension: str
    lo: float
    hi: float
    unit: str
    qualifier: str | None
    text: str
    start: int = 0
    end: int = 0
    derived: bool = False  # a daily total worked out from a per-dose amount and a frequency

    def value(self) -> tuple[float, float, str]:
        return (self.lo, self.hi, self.unit)


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    t = text.lower()
    return float(_NUM_WORDS[t]) if t in _NUM_WORDS else float(t)


def _qualifier(before: str) -> str | None:
    """The qualifier named in the words just before a quantity, within its clause."""
    clause = re.split(r"[,;:(]", before)[-1].lower()
    tail = " ".join(clause.split()[-8:])
    for name, cues in QUALIFIER_CUES.items():
        if any(re.search(rf"\b{re.escape(c)}\b", tail) for c in cues):
            return name
    return None


def quantities(text: str) -> list[Quantity]:
    """Numbers with units in `text`, with their kind, normalised unit and qualifier."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for dim, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and m.end() > s for s, e in taken):
                continue
            lo = _num(m.group("lo"))
            if lo is None:
                continue
            hi = _num(m.groupdict().get("hi")) or lo
            unit = m.group("unit").lower()
            if dim == "dose":
                unit = "mg" if unit.startswith("m") and "c" not in unit else unit
                before = text[max(0, m.start() - 40) : m.start()].lower()
                after = text[m.end() : m.end() + 20].lower()
                per_day = bool(m.group("per")) or (
                    bool(re.search(r"\bdaily\b[^,;]*$", before)) and not re.match(r"\s*(taken\s+)?\w+\s+times", after)
                )
                unit = f"{unit}/day" if per_day else unit
            elif dim == "frequency":
                unit = "times/day"
            elif dim == "duration":
                unit = ("every " if m.groupdict().get("every") else "") + unit.rstrip("s")
            else:
                unit = "%"
            qual = _qualifier(text[: m.start()])
            if m.groupdict().get("cmp") in (">", "≥"):
                qual = "above"
            out.append(Quantity(dim, lo, hi, unit, qual, m.group(0).strip(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return out + _daily_totals(text, out)


def _daily_totals(text: str, found: list[Quantity]) -> list[Quantity]:
    """Per-dose amounts followed by a frequency, as daily totals, so they compare with "N mg per day".

    "5 mg to 20 mg, taken three to four times daily" -> 15-80 mg/day (5 x 3 to 20 x 4). The text of
    the derived quantity is the source's own words; the arithmetic is only used to compare.
    """
    out = []
    for dose in found:
        if dose.dimension != "dose" or "/" in dose.unit:
            continue
        freq = next(
            (
                f
                for f in found
                if f.dimension == "frequency"
                and 0 <= f.start - dose.end <= 40
                and not re.search(r"[.;]", text[dose.end : f.start])
            ),
            None,
        )
        if freq is None:
            continue
        out.append(
            Quantity(
                "dose",
                dose.lo * freq.lo,
                dose.hi * freq.hi,
                f"{dose.unit}/day",
                dose.qualifier,
                text[dose.start : freq.end].strip(),
                dose.start,
                freq.end,
                derived=True,
            )
        )
    return out
