"""Accepted spellings of an answer: "two to four hours" = "2-4 hours" = "2 to 4 h".

Numbers are offered in digits and in words, ranges with " to ", "-" and "–", units with their
usual synonyms (mg / milligrams, % / percent, hours / h / hrs, daily / a day / per day). Terms get
their parenthesised abbreviation ("Multiple Sclerosis (MS)" -> "Multiple Sclerosis", "MS"), their
singular, hyphen and underscore spellings ("GABA-B receptors" -> "GABA B receptor", "GABAB"),
and straight quotes. Case is left alone: Moodle and our own checker compare case-insensitively.
"""

from __future__ import annotations

import re

from quiz.quantities import WORD_VALUES, Quantity, parse_number, render, template_of

_UNIT_SYNONYMS = [
    (r"\s*\bmg\b", [" mg", "mg", " milligrams"]),
    (r"\s*%", ["%", " percent"]),
    (r"\s*\bhours\b", [" hours", " h", " hrs"]),
    (r"\s*\bhour\b", [" hour", " h", " hr"]),
    (r"\s*\bdaily\b", [" daily", " a day", " per day"]),
    (r"\s*\bper day\b", [" per day", "/day", " daily", " a day"]),
]
_SEPARATORS = [" to ", "-", "–"]
MAX_VARIANTS = 16


def _malformed(text: str) -> bool:
    """A number word glued to a unit ("fivemg") or two number words hyphenated ("seventy-eighty")."""
    if re.search(r"[a-z](?:mg|%)", text):
        return True
    for a, b in re.findall(r"\b([a-z]+)-([a-z]+)\b", text):
        if a in WORD_VALUES and b in WORD_VALUES and parse_number(f"{a}-{b}") is None:
            return True
    return False


def _add(out: list[str], text: str) -> None:
    text = re.sub(r"\s+", " ", text).strip()
    if text and not _malformed(text) and text.lower() not in (o.lower() for o in out):
        out.append(text)


def quantity_variants(q: Quantity) -> list[str]:
    """Spellings of a quantity, the original first."""
    out: list[str] = []
    _add(out, q.text)
    template = template_of(q)
    forms = [q.text]
    if template is not None:
        values = [
            v
            for v in (parse_number(t) for t in re.findall(r"\d+(?:\.\d+)?|[A-Za-z]+(?:-[A-Za-z]+)?", q.text))
            if v is not None
        ]
        if len(values) == template.slots:
            digits = type(template)(template.parts, tuple(False for _ in values), template.capital, template.integers)
            words = type(template)(template.parts, tuple(True for _ in values), template.capital, template.integers)
            for t in (digits, words):  # digits first: they are what people type
                rendered = render(t, tuple(values))
                if rendered:
                    forms.append(rendered)
    more = []
    for form in forms:
        more.append(form)
        if not re.search(r"\d", form):
            continue  # "two to four": words keep their " to "
        for sep in _SEPARATORS:
            swapped = re.sub(r"(?<=\w)(?:\s+to\s+|\s*[-–]\s*)(?=\w)", sep, form, count=1)
            if swapped != form:
                more.append(swapped)
    for form in more:
        _add(out, form)
        for pattern, synonyms in _UNIT_SYNONYMS:
            if re.search(pattern, form):
                for syn in synonyms:
                    _add(out, re.sub(pattern, syn, form))
    if q.kind == "decade":
        _add(out, "the " + q.text)
        _add(out, q.text.replace("s", "'s"))
    return out[:MAX_VARIANTS]


def term_variants(term: str) -> list[str]:
    """Spellings of a term, the original first."""
    out: list[str] = []
    base = term.replace("’", "'")
    _add(out, term)
    _add(out, base)
    m = re.match(r"^(.*?)\s*\(([^)]+)\)\s*$", base)
    forms = [base]
    if m:
        forms += [m.group(1), m.group(2)]
    for form in list(forms):
        if re.search(r"\breceptors\b", form):
            forms.append(re.sub(r"\breceptors\b", "receptor", form))
        if re.search(r"\breceptors?\b", form):
            forms.append(re.sub(r"\s*\breceptors?\b", "", form))
    for form in forms:
        _add(out, form)
        if re.search(r"[-_]", form):
            _add(out, re.sub(r"[-_]", " ", form))
            _add(out, re.sub(r"[-_]", "", form))
            _add(out, re.sub(r"[_]", "-", form))
    return out[:MAX_VARIANTS]


def accepts(answer: str, accepted: list[str]) -> bool:
    """Would `answer` be marked right (case, spacing and quote style ignored)?"""

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("’", "'").strip().lower().rstrip("."))

    return norm(answer) in {norm(a) for a in accepted}
