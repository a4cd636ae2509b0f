"""Typed facts from the indexed corpus: the spans a quiz item can key on.

What it does: reads the index's `Sentence` records (cleaned text, never page debris) and finds, by
general patterns, the spans worth asking about:

- quantities (quantities.py): doses, percentages, time spans, frequencies, ratios, decades;
- receptors ("<NAME> receptor(s)"), neurotransmitters and ions named near a channel or ion word,
  the organ after "excreted by the ...";
- members of lists: prose enumerations ("include drowsiness, dizziness, and weakness") and
  bulleted lists under a lead-in ("Common adverse effects ... include:"), typed by the cue words
  around them (side effect, symptom, condition, drug, neurotransmitter).

Every fact is a span of one sentence (`sentence.text[start:end] == text`); the sentence's offsets
place it in the document. What it does not do: phrase questions (items.py) or choose distractors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from index.types import Sentence
from quiz.lexicon import fold, lexicon, pools
from quiz.quantities import Quantity, find_quantities

NUMERIC_KINDS = ("dose", "frequency", "percentage", "duration", "ratio", "decade")
LIST_KINDS = ("side_effect", "symptom", "condition", "drug", "neurotransmitter")


@dataclass(frozen=True)
class Fact:
    """One keyable span of one sentence.

    Attributes:
        kind: dose, frequency, percentage, duration, ratio, decade, receptor, neurotransmitter,
            ion, organ, side_effect, symptom, condition or drug.
        text: the key as written; `sentence.text[start:end] == text`.
        siblings: for a list member, every member of its list (itself included), as written.
        list_start, list_end: for a prose enumeration, where the list begins and ends in the sentence.
        lead: for a bulleted list member, the lead-in sentence ("... include:").
    """

    kind: str
    text: str
    start: int
    end: int
    sentence: Sentence
    quantity: Quantity | None = None
    siblings: tuple[str, ...] = ()
    list_start: int | None = None
    list_end: int | None = None
    lead: Sentence | None = None
    plural: bool = False

    @property
    def id(self) -> str:
        return f"{self.sentence.id}:{self.start}-{self.end}"

    @property
    def doc_start(self) -> int:
        return self.sentence.start + self.start

    @property
    def doc_end(self) -> int:
        return self.sentence.start + self.end

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def is_list_member(self) -> bool:
        return bool(self.siblings)


@dataclass
class FactTable:
    """All facts of an index, with the lookups the item builders need."""

    facts: list[Fact]
    by_sentence: dict[str, list[Fact]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.facts:
            self.by_sentence.setdefault(f.sentence.id, []).append(f)

    def of_kind(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]


# --- receptors, neurotransmitters, ions, organs --------------------------------------------------

_RECEPTOR = re.compile(
    r"(?<![\w(\-])(?P<name>[A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]{1,3})?|mu-opioid|alpha-\d[a-z]?(?: adrenergic)?)"
    r"\s+(?P<word>receptors?)\b"
)
_NEUROTRANSMITTERS = (
    "gamma-aminobutyric acid",
    "GABA",
    "glutamate",
    "glycine",
    "dopamine",
    "serotonin",
    "acetylcholine",
    "norepinephrine",
    "noradrenaline",
    "substance P",
    "histamine",
    "aspartate",
)
_NT = re.compile(
    r"(?<![\w(\-])(?P<nt>" + "|".join(re.escape(n) for n in _NEUROTRANSMITTERS) + r")(?![\w\-_)])(?!\s\()",
)
_ION = re.compile(
    r"\b(?P<ion>potassium|calcium|sodium|chloride|magnesium)\b(?=\s+(?:ion\s+)?(?:channels?|ions?|influx|currents?)\b)",
    re.IGNORECASE,
)


def _organ_regex() -> re.Pattern[str]:
    nouns = []
    for term in pools().get("organ", ()):
        nouns.append(re.escape(term.term))
        if term.term.endswith("s"):
            nouns.append(re.escape(term.term[:-1]))
    return re.compile(
        r"\b(?:excreted|eliminated|cleared|metaboli[sz]ed|processed)\b[^.;]{0,30}?\b(?:by|via|through|in)\s+the\s+"
        rf"(?P<organ>{'|'.join(sorted(nouns, key=len, reverse=True))})\b",
        re.IGNORECASE,
    )


# --- lists ---------------------------------------------------------------------------------------

#: Words at which the first member of a list begins (the list starts after the last of them).
_LIST_OPENERS = re.compile(
    r"\b(?:include|includes|including|included|such as|like|are|is|as|of|for|with|from|by|in|to|on|into|"
    r"via|namely|e\.g\.,?|especially|particularly|cause|causes)\s+|:\s*",
    re.IGNORECASE,
)
#: Where the last member of a list ends.
_LIST_END = re.compile(
    r"[,.;:()]|\s(?:which|that|who|due|as|leading|increasing|potentially|when|where|because|for|with|to|in|from|"
    r"may|can|but|is|are|was|were|have|has)\b"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|can|may|might|will|would|should|must|has|have|had|which|that|who|"
    r"include|includes|causes?|leads?|reduces?|increases?|suggests?|shows?|showed|indicates?)\b",
    re.IGNORECASE,
)
_CONJ = re.compile(r",?\s+(?:and|or)\s+")
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_MAX_ITEM_WORDS = 5


_STRONG_OPENERS = frozenset(
    ["include", "includes", "including", "included", "such as", "like", "are", "e.g.", "e.g.,", ":"]
)
_PRONOUN_START = re.compile(r"^(?:its|their|his|her|this|these|those|that|it|they|them)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Enumeration:
    """A prose list in a sentence: member spans, where the list begins and the word that opens it."""

    start: int
    items: tuple[tuple[int, int], ...]
    opener: str = ""

    @property
    def strong(self) -> bool:
        """Opened by "include", "such as", "like", "are" or a colon (not by a bare preposition)."""
        return " ".join(self.opener.lower().split()) in _STRONG_OPENERS


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in " \t.,;:":
        e -= 1
    m = _ARTICLE.match(text[s:e])
    if m:
        s += m.end()
    return s, e


def _item_ok(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= _MAX_ITEM_WORDS and not _VERBISH.search(text) and not re.search(r"\d", text)


def find_enumerations(text: str) -> list[Enumeration]:
    """Prose lists ("X, Y, and Z", "X and Y" after a cue) with each member's span."""
    out: list[Enumeration] = []
    for conj in _CONJ.finditer(text):
        end_match = _LIST_END.search(text, conj.end())
        last_end = end_match.start() if end_match else len(text)
        last = _trim(text, conj.end(), last_end)
        if not _item_ok(text[last[0] : last[1]]):
            continue
        items = [last]
        pos = conj.start()
        opened_at, opener = None, ""
        while True:
            comma = text.rfind(", ", 0, pos)
            seg_start = comma + 2 if comma >= 0 else 0
            segment = text[seg_start:pos]
            openers = list(_LIST_OPENERS.finditer(segment))
            if openers:
                begin = seg_start + openers[-1].end()
                item = _trim(text, begin, pos)
                if _item_ok(text[item[0] : item[1]]):
                    items.append(item)
                    opened_at = begin
                    opener = openers[-1].group(0).strip()
                break
            if re.match(r"\s*(?:and|or)\b", segment):
                break  # another list's conjunction: this one does not continue leftwards
            item = _trim(text, seg_start, pos)
            if comma < 0 or not _item_ok(text[item[0] : item[1]]):
                break
            items.append(item)
            pos = comma
        if opened_at is None or len(items) < 2:
            continue
        items.reverse()
        if any(_PRONOUN_START.match(text[a:b]) for a, b in items):
            continue  # "its actions, administration, and ..." lists topics of a text, not things
        enum = Enumeration(opened_at, tuple(items), opener)
        if not any(e.start <= enum.start < e.items[-1][1] for e in out):
            out.append(enum)
    return out


def find_cue(text: str) -> tuple[str, int] | None:
    """The list cue nearest the end of `text` ("side effects", "conditions", ...): (kind, words after it)."""
    cues = lexicon()["list_cues"]
    best: tuple[int, str] | None = None
    folded = fold(text)
    for kind, words in cues.items():
        for cue in words:
            for m in re.finditer(rf"(?<![a-z]){re.escape(fold(cue))}(?![a-z])", folded):
                if best is None or m.end() > best[0]:
                    best = (m.end(), kind)
    if best is None:
        return None
    return best[1], len(folded[best[0] :].split())


def list_kind(*texts: str) -> str | None:
    """The kind of the list that follows these words: the cue nearest the end wins."""
    found = find_cue(" ".join(t for t in texts if t))
    return found[0] if found else None


def enumeration_kind(text: str, enum: Enumeration) -> str | None:
    """The kind of a prose list, from a cue close before it in the same sentence.

    "side effects of baclofen include X, Y, and Z": the cue is 3 words before a strong opener.
    A bare preposition opens a typed list only right after its cue and only "with"/"for"
    ("patients with X or Y"), or when the list has three or more members ("resulting from X, Y,
    and Z"); "a neurotransmitter in the brain and spinal cord" is no list of neurotransmitters.
    """
    found = find_cue(text[: enum.start])
    if found is None:
        return None
    kind, gap = found
    if enum.strong:
        return kind if gap <= 6 else None
    if len(enum.items) >= 3 and gap <= 9:
        return kind
    if gap <= 1 and enum.opener.lower() in ("with", "for"):
        return kind  # "patients with X or Y", "used for X and Y"
    return None


def _member_usable(text: str) -> bool:
    """A list member that can be a key: specific, not a population or a catch-all."""
    words = fold(text).replace("'s", "").split()
    if not words or words[0] in ("other", "various", "certain", "some", "several", "many"):
        return False
    return not set(words) & set(lexicon()["population_words"])


# --- the table -----------------------------------------------------------------------------------


def _sentence_facts(s: Sentence) -> list[Fact]:
    text = s.text
    facts: list[Fact] = []
    for q in find_quantities(text):
        if q.start > 0 and text[q.start - 1] == "(":
            continue  # "Baclofen(10mg)" names a product strength, it states no dose
        facts.append(Fact(q.kind, q.text, q.start, q.end, s, quantity=q))
    for m in _RECEPTOR.finditer(text):
        name = m.group("name")
        if name.lower() in ("the", "these", "this", "its", "their") or (name.isalpha() and name.islower()):
            continue
        facts.append(Fact("receptor", m.group(0), m.start(), m.end(), s, plural=m.group("word").endswith("s")))
    for m in _NT.finditer(text):
        facts.append(Fact("neurotransmitter", m.group("nt"), m.start("nt"), m.end("nt"), s))
    for m in _ION.finditer(text):
        facts.append(Fact("ion", m.group("ion"), m.start("ion"), m.end("ion"), s))
    for m in _organ_regex().finditer(text):
        organ = m.group("organ")
        facts.append(Fact("organ", organ, m.start("organ"), m.end("organ"), s, plural=organ.endswith("s")))
    for enum in find_enumerations(text):
        kind = enumeration_kind(text, enum)
        if kind is None:
            continue
        members = tuple(text[a:b] for a, b in enum.items)
        for a, b in enum.items:
            if _member_usable(text[a:b]):
                facts.append(
                    Fact(kind, text[a:b], a, b, s, siblings=members, list_start=enum.start, list_end=enum.items[-1][1])
                )
    # one fact per span: a list member that is also a neurotransmitter keeps its list
    facts.sort(key=lambda f: (f.start, -(f.end - f.start), 0 if f.siblings else 1))
    kept: list[Fact] = []
    for f in facts:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return kept


def _list_groups(sentences: list[Sentence]) -> list[tuple[Sentence | None, list[Sentence]]]:
    """Bulleted list items grouped by the lead-in sentence that introduces them."""
    groups: dict[str, list[Sentence]] = {}
    for s in sentences:
        if s.kind == "list_item" and s.lead_sentence:
            groups.setdefault(s.lead_sentence, []).append(s)
    by_id = {s.id: s for s in sentences}
    return [(by_id.get(lead), items) for lead, items in groups.items()]


def _bullet_facts(sentences: list[Sentence]) -> list[Fact]:
    facts: list[Fact] = []
    for lead, items in _list_groups(sentences):
        if lead is None:
            continue
        kind = list_kind(items[0].context, lead.text)
        if kind is None:
            continue
        firsts: list[tuple[Sentence, int, int]] = []
        for s in items:
            if s.label:
                if not s.text.startswith(s.label):
                    continue  # a later sentence of a labelled item
                firsts.append((s, 0, len(s.label)))
            elif len(s.text.split()) <= _MAX_ITEM_WORDS and not _VERBISH.search(s.text):
                firsts.append((s, 0, len(s.text)))
        members = tuple(s.text[a:b] for s, a, b in firsts)
        if len(members) < 2:
            continue
        for s, a, b in firsts:
            if _member_usable(s.text[a:b]):
                facts.append(Fact(kind, s.text[a:b], a, b, s, siblings=members, lead=lead))
    return facts


def extract_facts(sentences: Iterable[Sentence]) -> FactTable:
    """Every fact in `sentences` (the index's cleaned sentences), in corpus order."""
    sentences = list(sentences)
    facts: list[Fact] = []
    for s in sentences:
        if s.kind == "table_row":
            continue  # a table row is a cell list, not a statement
        facts.extend(_sentence_facts(s))
    bullet = _bullet_facts(sentences)
    taken = {(f.sentence.id, f.start, f.end) for f in facts}
    facts.extend(f for f in bullet if (f.sentence.id, f.start, f.end) not in taken)
    facts.sort(key=lambda f: (f.sentence.position, f.start))
    return FactTable(facts)
