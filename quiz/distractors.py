"""Wrong answers of the same kind as the key: a dose for a dose, a receptor for a receptor.

Numeric keys get values written in the key's own style ("two to four hours" -> "six to eight
hours", "5 mg" -> "20 mg"), from two sources: other values of the same kind in the corpus, and
controlled changes of the key (multiples, shifts of a range by its width), rounded to numbers a
person would write. Entity keys get terms of the same kind from the curated pools in
lexicon.json, minus every term the corpus mentions at all (so "nausea" is never offered as a
wrong side effect when one of the documents lists it).

Each candidate carries a distance from the key (0 = near, 1 = far) so an easy item can take far
ones and a hard item near ones. Whether the corpus supports a candidate *for this stem* is decided
later, per item, by checks.py; this module only proposes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from quiz.facts import Fact, FactTable
from quiz.lexicon import PoolTerm, content_stems, fold, mentions, pools
from quiz.quantities import Quantity, Template, find_quantities, nice, parse_number, render, template_of


@dataclass(frozen=True)
class Distractor:
    """A proposed wrong answer.

    Attributes:
        text: as it would appear in the sentence in place of the key.
        distance: 0 (close to the key, hard) .. 1 (far, easy).
        origin: "corpus" (a value the corpus uses elsewhere), "changed" (a controlled change of
            the key) or "pool" (the curated list).
        note: why it is plausible (from the pool), if known.
    """

    text: str
    distance: float
    origin: str
    note: str = ""


# --- numbers -------------------------------------------------------------------------------------


def written_values(q: Quantity, template: Template) -> tuple[float, ...] | None:
    """The numbers as written in the span (5 and 20 in "5 mg to 20 mg")."""
    tokens = re.findall(r"\d+(?:\.\d+)?|[A-Za-z]+(?:-[A-Za-z]+)?", q.text)
    values = []
    for token in tokens:
        v = parse_number(token)
        if v is not None:
            values.append(v)
    return tuple(values) if len(values) == template.slots else None


_FACTORS = (0.5, 2.0, 3.0, 4.0, 10.0, 0.25, 1.5, 6.0, 0.1, 20.0)


def _value_ok(kind: str, values: tuple[float, ...], integers: bool) -> bool:
    if any(v <= 0 for v in values):
        return False
    if len(values) == 2 and not values[0] < values[1]:
        return False
    if kind == "percentage" and max(values) > 100:
        return False
    if integers and not all(float(v).is_integer() for v in values):
        return False
    return not (kind == "frequency" and max(values) > 12)


def _changed_values(kind: str, values: tuple[float, ...]) -> list[tuple[float, ...]]:
    """Controlled changes of the key's numbers (multiples, shifts of a range by its width)."""
    out: list[tuple[float, ...]] = []
    if kind == "decade":
        return [(values[0] + 10 * k,) for k in (-2, -1, 1, 2, 3, -3)]
    if kind == "frequency":
        if len(values) == 1:
            return [(v,) for v in (1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 10.0) if v != values[0]]
        a, b = values
        return [(x, x + (b - a)) for x in (1.0, 2.0, 4.0, 5.0, 6.0) if x != a]
    if len(values) == 1:
        (v,) = values
        out = [(nice(v * f),) for f in _FACTORS]
        if kind == "duration" and v <= 12 and float(v).is_integer():
            out += [(v + d,) for d in (1.0, 2.0, 4.0, -1.0)]  # "two hours" -> "three hours"
        return out
    a, b = values
    width = b - a
    for f in (0.25, 0.5, 2.0, 3.0, 4.0):
        out.append((nice(a * f), nice(b * f)))
    for k in (-3, -2, -1, -0.5, 0.5, 1, 2, 3, 4, 6):
        out.append((nice(a + k * width), nice(b + k * width)))
    return out


def _claim_quantity(sentence_text: str, fact: Fact, text: str) -> Quantity | None:
    """The quantity `text` becomes when put in the key's place in its sentence."""
    claim = sentence_text[: fact.start] + text + sentence_text[fact.end :]
    for q in find_quantities(claim):
        if q.start == fact.start:
            return q
    return None


def numeric_distractors(fact: Fact, table: FactTable) -> list[Distractor]:
    """Values of the key's kind in the key's style, nearest first (none when it cannot be templated)."""
    q = fact.quantity
    if q is None:
        return []
    template = template_of(q)
    if template is None:
        return []
    values = written_values(q, template)
    if values is None:
        return []
    mid = sum(values) / len(values)
    proposals: list[tuple[tuple[float, ...], str]] = [(v, "changed") for v in _changed_values(q.kind, values)]
    # values the corpus uses for the same kind, in the same written unit
    for other in table.of_kind(q.kind):
        oq = other.quantity
        if oq is None or oq.unit.lower() != q.unit.lower() or oq.same_value(q):
            continue
        ot = template_of(oq)
        ov = written_values(oq, ot) if ot else None
        if ov and len(ov) == len(values):
            proposals.append((ov, "corpus"))
    out: dict[str, Distractor] = {}
    for vals, origin in proposals:
        if not _value_ok(q.kind, vals, template.integers or any(template.words)):
            continue
        text = render(template, vals)
        if text is None:
            continue
        text = re.sub(r"\b(?:one|1) times\b", "once", text)
        if re.search(r"(?i)\bevery (?:one|1) ", text):
            continue
        dq = _claim_quantity(fact.sentence.text, fact, text)
        if dq is None or dq.kind != q.kind or dq.overlaps(q):
            continue  # not the same kind once written, or not wrong
        d_mid = sum(vals) / len(vals)
        if q.kind == "decade":
            distance = min(1.0, abs(d_mid - mid) / 50)  # the 1950s are near the 1960s, the 1910s far
        elif mid > 0 and d_mid > 0:
            distance = min(1.0, abs(math.log10(d_mid / mid)))  # x10 or /10 is as far as it gets
        else:
            distance = 1.0
        key = fold(text)
        if key == fold(q.text):
            continue
        if key not in out or (origin == "corpus" and out[key].origin != "corpus"):
            out[key] = Distractor(text, round(distance, 4), origin)
    return sorted(out.values(), key=lambda d: (d.distance, d.text))


# --- terms ---------------------------------------------------------------------------------------


@dataclass
class CorpusTerms:
    """What the corpus mentions, to keep every mentioned term out of the distractor pools."""

    text: str  # every text joined, one per line
    stems: set[str]
    _seen: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def build(cls, texts: list[str]) -> CorpusTerms:
        stems: set[str] = set()
        for t in texts:
            stems.update(content_stems(t))
        return cls("\n".join(texts), stems)

    def mentions_term(self, term: PoolTerm) -> bool:
        """True when any document mentions the term, one of its forms, or (for conditions, side
        effects and symptoms) any of its specific words ("diabetic neuropathy" rules out
        "peripheral neuropathy" and "type 2 diabetes")."""
        key = f"{term.kind}:{term.term}"
        if key not in self._seen:
            found = any(mentions(self.text, f) for f in (term.term, *term.forms))
            if not found and term.kind in ("condition", "side_effect", "symptom"):
                found = any(s in self.stems for s in content_stems(term.term))
            self._seen[key] = found
        return self._seen[key]


def _match_case(key: str, term: str) -> str:
    words = key.split()
    if len(words) >= 2 and all(w[0].isupper() for w in words if w[0].isalpha()):
        return " ".join(w if any(c.isupper() for c in w) else w[:1].upper() + w[1:] for w in term.split())
    first = words[0] if words else ""
    if first[:1].isupper() and first[1:].islower():  # "Drowsiness" -> "Dry cough"; not "GABA-B ..."
        return term[:1].upper() + term[1:]
    return term


def _pool_key(fact: Fact) -> PoolTerm | None:
    """The pool entry that is the key itself (e.g. "potassium" in the ion pool), if any."""
    for term in pools().get(fact.kind, ()):
        if any(mentions(fact.text, f) for f in (term.term, *term.forms)):
            return term
    return None


Nearness = Callable[[str, list[str]], list[float]]


def entity_distractors(fact: Fact, corpus: CorpusTerms, nearness: Nearness | None = None) -> list[Distractor]:
    """Pool terms of the key's kind that the corpus never mentions, nearest first.

    Near means the same family as the key when the key is itself a pool term (potassium ->
    sodium), else, given `nearness` (cosine similarity of embeddings), the most similar terms.
    """
    pool = pools().get(fact.kind, ())
    if not pool:
        return []
    own = _pool_key(fact)
    is_class = fact.kind == "drug" and fact.text.lower().endswith("s")
    taken = {fold(fact.text), *(fold(s) for s in fact.siblings)}
    usable = []
    for i, term in enumerate(pool):
        if term is own or fold(term.term) in taken or corpus.mentions_term(term):
            continue
        if fact.kind == "drug" and term.form and (term.form == "class") != is_class:
            continue  # a class for a class ("opioids"), a drug for a drug ("tizanidine")
        usable.append((i, term))
    similar = nearness(fact.text, [t.term for _, t in usable]) if nearness and own is None and usable else None
    out = []
    for j, (i, term) in enumerate(usable):
        text = term.term
        if fact.kind == "receptor":
            text = text + "s" if fact.plural else text
        text = _match_case(fact.text, text)
        if similar is not None:
            distance = 1.0 - max(0.0, min(1.0, similar[j]))
        else:
            near = own is not None and term.family == own.family
            distance = (0.2 if near else 0.6) + 0.3 * i / max(1, len(pool))
        out.append(Distractor(text, round(distance, 3), "pool", term.note))
    return sorted(out, key=lambda d: (d.distance, d.text))


def distractors_for(
    fact: Fact, table: FactTable, corpus: CorpusTerms, nearness: Nearness | None = None
) -> list[Distractor]:
    """Candidate distractors for a fact, nearest first."""
    if fact.numeric:
        return numeric_distractors(fact, table)
    return entity_distractors(fact, corpus, nearness)


def pick(candidates: list[Distractor], mode: str) -> list[Distractor]:
    """Order candidates for a difficulty: hard takes the nearest first, easy the farthest, medium
    the middle outwards. The order is a pure function of the candidates (no randomness)."""
    if mode == "hard":
        return list(candidates)
    if mode == "easy":
        return sorted(candidates, key=lambda d: (-d.distance, d.text))
    centre = len(candidates) / 2
    return sorted(candidates, key=lambda d: (abs(candidates.index(d) - centre), d.text))
