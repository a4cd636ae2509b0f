"""Quiz items and the candidates they are built from.

A `QuizItem` is what users see and what every export writes (CONTRACT.md's JSON item plus a few
optional fields). A `Candidate` is an item before the checks: it also carries the claims the
checks must judge (the key's claim must be supported by the cited passage; each distractor's or
false statement's claim must not be supported by the corpus) and spare distractors to swap in.

Four builders, one per type, each working from one fact (facts.py) of one source sentence:

- mcq: "According to <title>, <sentence with the key asked for>?" (a wh-question where one can be
  formed cleanly, "which of the following" for list members, otherwise "which of the following
  completes the statement"), the key and three distractors of its kind;
- cloze: the sentence with the key blanked;
- true_false: the sentence as it is (true), or changed in one controlled place (false): a number,
  a swapped entity of the same kind, an antonym ("reduces" -> "increases"), or a negation added
  or removed; the explanation quotes the source;
- short: the wh-question, or "name one" for a list member, with accepted spellings.

The keyed answer is always a span of the cited sentence; the citation quote is the document's
text between `start` and `end`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from index.types import Sentence
from quiz.corpus import CorpusView, Resolved
from quiz.distractors import Distractor, distractors_for, pick
from quiz.facts import Fact
from quiz.lexicon import antonyms, fold, hedge_words, lexicon, negation_words, pools
from quiz.variants import quantity_variants, term_variants

TYPES = ("mcq", "cloze", "true_false", "short")
TOPICS = ("dosing", "mechanism", "safety", "pharmacokinetics", "indications")
DIFFICULTIES = ("easy", "medium", "hard")
BLANK = "_____"
N_DISTRACTORS = 3
MAX_STATEMENT_WORDS = 45
MAX_CITATION_CHARS = 420


@dataclass
class ItemCitation:
    """The source passage of an item: `quote == documents[doc_id].text[start:end]`."""

    doc_id: str
    title: str
    quote: str
    start: int
    end: int
    source: str = ""
    chunk_id: str = ""
    section: str = ""


@dataclass
class QuizItem:
    """One quiz item (CONTRACT.md `bqa quiz --format json`, plus optional fields).

    Attributes:
        type: mcq, cloze, true_false or short.
        question: the stem; a cloze stem holds one blank ("_____").
        options: the choices for mcq (the key among them) and true_false ("True", "False"); [] otherwise.
        answer: the keyed answer (for true_false "True" or "False").
        accepted: spellings marked right for cloze and short (the answer first).
        key: the keyed span of the source document: {"text", "start", "end"} (for true_false,
            the span the statement keeps or changes).
        kind: what the key is: dose, frequency, receptor, side_effect, ...
    """

    id: str
    type: str
    question: str
    options: list[str]
    answer: str
    explanation: str
    citation: ItemCitation
    accepted: list[str] = field(default_factory=list)
    topic: str = ""
    difficulty: str = ""
    kind: str = ""
    key: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizItem:
        data = dict(data)
        data["citation"] = ItemCitation(**data["citation"])
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Candidate:
    """An item before its checks, with what the checks need."""

    item: QuizItem
    fact: Fact
    sentence: Sentence
    key_claim: str
    wrong: list[tuple[str, str]]  # (option or statement, its claim): must not be supported
    spare: list[tuple[str, str]] = field(default_factory=list)  # more distractors, best first
    self_contained: bool = True
    leak: bool = False
    variant: str = ""  # for true_false: true, number, entity, antonym, negation
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # false statement -> (was, now)

    @property
    def stem_key(self) -> str:
        """The stem, normalised, for duplicate detection."""
        return re.sub(r"[^a-z0-9 ]+", "", fold(self.item.question))

    @property
    def fact_key(self) -> str:
        return f"{self.fact.kind}:{fold(self.fact.text)}"


# --- helpers -------------------------------------------------------------------------------------


def item_id(kind: str, *parts: str) -> str:
    digest = hashlib.sha1("\x1f".join((kind, *parts)).encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def _citation(view: CorpusView, fact: Fact) -> ItemCitation:
    """The sentence; for a bulleted list member, the lead-in through the member when short enough."""
    s = fact.sentence
    doc = view.document(s.doc_id)
    start, end = s.start, s.end
    if fact.lead is not None and fact.lead.doc_id == s.doc_id and s.end - fact.lead.start <= MAX_CITATION_CHARS:
        start = fact.lead.start
    return ItemCitation(doc.doc_id, doc.title, doc.text[start:end], start, end, doc.source, s.chunk_id, s.section)


def _explain(c: ItemCitation, lead: str = "", list_lead: str = "") -> str:
    where = f'"{c.title}"' + (f', section "{c.section}"' if c.section else "")
    if list_lead and list_lead not in c.quote:  # the quote is a bullet whose lead-in it leaves out
        return f'{lead}The source ({where}) lists under "{list_lead}": "{c.quote}"'
    return f'{lead}The source ({where}) says: "{c.quote}"'


def _topic(view: CorpusView, fact: Fact) -> str:
    topics = lexicon()["topics"]
    prior = lexicon()["kind_topics"].get(fact.kind)
    section = fold(fact.sentence.section)
    text = fold(" ".join([fact.sentence.text, fact.lead.text if fact.lead else ""]))
    words = set(re.findall(r"[a-z0-9%]+(?: [a-z]+)?", text)) | set(text.split())
    best, best_score = prior or TOPICS[0], -1.0
    for name in TOPICS:
        spec = topics[name]
        score = 2.0 * sum(1 for w in spec["section"] if fold(w) in section)
        score += sum(1 for w in spec["text"] if fold(w) in words or (" " in w and fold(w) in text))
        score += 2.5 if name == prior else 0.0
        if score > best_score:
            best, best_score = name, score
    return best


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _end_question(text: str) -> str:
    text = text.rstrip()
    text = re.sub(r"[.:;,]+$", "", text)
    return text + "?"


def _end_statement(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _lead_clause(lead: Sentence) -> str:
    """ "Common adverse effects of oral baclofen include:" -> "Common adverse effects of oral baclofen include"."""
    return re.sub(r"\s*:\s*$", "", lead.text.strip())


def _key_variants(fact: Fact) -> list[str]:
    if fact.quantity is not None:
        return quantity_variants(fact.quantity)
    return term_variants(fact.text)


def _leaks(fact: Fact, stem: str, title: str = "") -> bool:
    """Does the stem give the key away (the key's own words, or an organ's adjective, appear)?

    The document title is not counted: "Treating Spasticity" in a title gives nothing away.
    """
    if title:
        stem = stem.replace(f'"{title}"', "")
    key_words = {w for w in re.findall(r"[a-z0-9]+", fold(fact.text)) if len(w) > 2}
    key_words -= {"receptor", "receptors", "times", "daily", "every", "hours", "days", "the", "and"}
    if fact.numeric:
        return fact.text.lower() in stem.lower()
    if fact.kind == "organ":
        for term in pools()["organ"]:
            if fold(term.term) in fold(fact.text) or fold(fact.text) in [fold(f) for f in term.forms]:
                key_words |= {fold(f) for f in term.forms}
    stem_words = set(re.findall(r"[a-z0-9]+", fold(stem)))
    squashed = {w.replace(" ", "") for w in key_words}
    return bool(key_words & stem_words) or any(
        w in re.sub(r"[^a-z0-9]", "", fold(stem)) for w in squashed if len(w) > 4
    )


# --- stems ---------------------------------------------------------------------------------------

_WH = {
    "frequency": "how often",
    "ratio": "how many times",
    "decade": "which decade",
    "neurotransmitter": "which neurotransmitter",
}
_DETERMINER_TAIL = re.compile(r"(?:\b(?:the|these|this|a|an|its|their)\s+)$", re.IGNORECASE)
_RANGE_TAIL = re.compile(r"\b(?:from|between|of about|about|approximately)\s+$", re.IGNORECASE)


def _wh_phrase(fact: Fact) -> str | None:
    q = fact.quantity
    if fact.kind in _WH:
        return _WH[fact.kind]
    if fact.kind in ("dose", "duration") and q is not None:
        unit = q.unit.lower()
        if fact.kind == "duration" and not unit.endswith("s") and len(unit) > 2:
            unit += "s"
        per = (" " + q.per) if q.per.lower().startswith("per") else q.per
        return f"how many {unit}{per}"
    if fact.kind == "percentage":
        return "what percentage"
    if fact.kind == "receptor":
        return "which receptors" if fact.plural else "which receptor"
    if fact.kind == "organ":
        return "which organs" if fact.plural else "which organ"
    if fact.kind == "ion":
        return "which"
    return None


def wh_question(fact: Fact, resolved: Resolved) -> str | None:
    """The sentence as a question with the key asked for in place, or None when that would read badly."""
    if fact.is_list_member or not resolved.ok:
        return None
    q = fact.quantity
    if q is not None and (q.comparator or (q.is_range and fact.kind != "frequency")):
        return None  # ">60 mg/day", "ranging between 2 and 4 hours": a completion reads better
    wh = _wh_phrase(fact)
    if wh is None:
        return None
    text = resolved.text
    a, b = fact.start + resolved.shift, fact.end + resolved.shift
    if a < 0 or text[a:b] != fact.text:
        return None
    prefix, suffix = text[:a], text[b:]
    if fact.kind == "ion" and not prefix.rstrip().endswith(("of", "of the")):
        return None
    if fact.kind == "receptor" and re.match(r"\s+(?:agonist|antagonist)\b", suffix):
        role = re.match(r"\s+(agonist|antagonist)\b", suffix).group(1)
        prefix = re.sub(r"\b(?:a|an)\s+$", "", prefix)
        wh, suffix = f"an {role} of which receptor", suffix[len(role) + 1 :]
    elif _DETERMINER_TAIL.search(prefix):
        prefix = _DETERMINER_TAIL.sub("", prefix)
    if _RANGE_TAIL.search(prefix) and fact.kind not in ("dose", "duration", "percentage"):
        return None
    return _end_question(prefix + wh + suffix)


def _according(view: CorpusView, fact: Fact, body: str) -> str:
    title = view.document(fact.sentence.doc_id).title
    return f'According to "{title}", {view.lower_first(body)}'


def _with_lead(view: CorpusView, sentence: Sentence, text: str) -> str:
    """A bullet's text read after its lead-in ("Baclofen has demonstrated effectiveness in:" +
    "Reducing severe spasticity ..." -> "... effectiveness in reducing severe spasticity ...")."""
    if sentence.kind != "list_item" or not sentence.lead_sentence or sentence.label:
        return text
    lead = view.index.sentence_by_id.get(sentence.lead_sentence)
    if lead is None or not view.resolve(lead).ok:
        return text
    return f"{_lead_clause(lead)} {text[:1].lower() + text[1:] if text[1:2].islower() else text}"


def _list_question(view: CorpusView, fact: Fact, resolved: Resolved) -> str | None:
    """ "According to <title>, common side effects of baclofen include which of the following?" """
    if fact.lead is not None:
        lead = view.resolve(fact.lead)
        clause = _lead_clause(fact.lead)
        if lead.ok and fact.lead.text.rstrip().endswith(":"):
            clause = _lead_clause(Sentence(**{**asdict(fact.lead), "text": lead.text}))
            return _according(view, fact, clause + " which of the following?")
        section = fact.sentence.section
        if not section:
            return None
        title = view.document(fact.sentence.doc_id).title
        return f'Which of the following does "{title}" list under "{section}"?'
    if fact.list_start is None or fact.list_end is None or not resolved.ok:
        return None
    start, end = fact.list_start + resolved.shift, fact.list_end + resolved.shift
    prefix = _with_lead(view, fact.sentence, resolved.text[:start].rstrip())
    prefix = re.sub(r"\s*:$", "", prefix)
    prefix = re.sub(r"\s+are$", " include", prefix)
    if len(prefix.split()) < 3:
        return None
    suffix = re.sub(r"[\s.;:!?]+$", "", resolved.text[end:])
    return _according(view, fact, prefix + " which of the following" + suffix + "?")


def _completion(view: CorpusView, fact: Fact, resolved: Resolved) -> str | None:
    if not resolved.ok:
        return None
    a, b = fact.start + resolved.shift, fact.end + resolved.shift
    if a < 0 or resolved.text[a:b] != fact.text:
        return None
    title = view.document(fact.sentence.doc_id).title
    blanked = resolved.text[:a] + BLANK + resolved.text[b:]
    return f'Which of the following completes the statement from "{title}"? "{_end_statement(blanked)}"'


def _claim(resolved: Resolved, fact: Fact, replacement: str) -> str:
    a, b = fact.start + resolved.shift, fact.end + resolved.shift
    if a < 0:  # the key sits in a label the resolution removed: claim on the raw sentence
        text = fact.sentence.text
        return text[: fact.start] + replacement + text[fact.end :]
    return resolved.text[:a] + replacement + resolved.text[b:]


def _member_claim(fact: Fact, resolved: Resolved, member: str) -> str:
    if fact.lead is not None:
        return f"{_lead_clause(fact.lead)} {member[:1].lower() + member[1:] if member[1:2].islower() else member}."
    return _claim(resolved, fact, member)


def _key_dict(fact: Fact) -> dict[str, Any]:
    return {"text": fact.text, "start": fact.doc_start, "end": fact.doc_end}


# --- builders ------------------------------------------------------------------------------------


def build_mcq(view: CorpusView, fact: Fact, mode: str) -> Candidate | None:
    resolved = view.resolve(fact.sentence)
    if fact.is_list_member:
        stem = _list_question(view, fact, resolved)
    else:
        stem = wh_question(fact, resolved)
        stem = _according(view, fact, stem) if stem else _completion(view, fact, resolved)
    if stem is None:
        return None
    siblings = {fold(s) for s in fact.siblings}
    found = [d for d in distractors_for(fact, view.facts, view.terms, view.nearness) if fold(d.text) not in siblings]
    ordered: list[Distractor] = pick(found, mode)
    claims = [(d.text, _member_claim(fact, resolved, d.text)) for d in ordered]
    if len(claims) < N_DISTRACTORS:
        return None
    citation = _citation(view, fact)
    item = QuizItem(
        item_id("mcq", fact.id, mode),
        "mcq",
        stem,
        [fact.text] + [t for t, _ in claims[:N_DISTRACTORS]],
        fact.text,
        _explain(citation, f"Answer: {fact.text}. ", fact.lead.text if fact.lead else ""),
        citation,
        topic=_topic(view, fact),
        difficulty=mode,
        kind=fact.kind,
        key=_key_dict(fact),
    )
    key_claim = _member_claim(fact, resolved, fact.text)
    return Candidate(
        item,
        fact,
        fact.sentence,
        key_claim,
        claims[:N_DISTRACTORS],
        spare=claims[N_DISTRACTORS:],
        self_contained=resolved.ok or fact.lead is not None,
        leak=_leaks(fact, stem, citation.title),
    )


def build_cloze(view: CorpusView, fact: Fact) -> Candidate | None:
    if fact.is_list_member:
        return None  # "include drowsiness, ____, and weakness" has more than one right answer
    resolved = view.resolve(fact.sentence)
    a, b = fact.start + resolved.shift, fact.end + resolved.shift
    if a < 0 or resolved.text[a:b] != fact.text:
        return None
    title = view.document(fact.sentence.doc_id).title
    blanked = _end_statement(resolved.text[:a] + BLANK + resolved.text[b:])
    stem = f'Fill in the blank (from "{title}"): {blanked}'
    citation = _citation(view, fact)
    item = QuizItem(
        item_id("cloze", fact.id),
        "cloze",
        stem,
        [],
        fact.text,
        _explain(citation, f"Answer: {fact.text}. "),
        citation,
        accepted=_key_variants(fact),
        topic=_topic(view, fact),
        difficulty="hard" if fact.numeric else "medium",
        kind=fact.kind,
        key=_key_dict(fact),
    )
    return Candidate(
        item,
        fact,
        fact.sentence,
        _claim(resolved, fact, fact.text),
        [],
        self_contained=resolved.ok,
        leak=_leaks(fact, blanked),
    )


def build_short(view: CorpusView, fact: Fact) -> Candidate | None:
    resolved = view.resolve(fact.sentence)
    title = view.document(fact.sentence.doc_id).title
    if fact.is_list_member:
        if fact.lead is not None:
            lead = view.resolve(fact.lead)
            if not lead.ok:
                return None
            context = _lead_clause(Sentence(**{**asdict(fact.lead), "text": lead.text}))
        elif fact.list_start is not None and resolved.ok:
            context = _with_lead(view, fact.sentence, resolved.text[: fact.list_start + resolved.shift].rstrip())
            context = re.sub(r"\s*:$", "", context)
        else:
            return None
        if len(context.split()) < 3:
            return None
        stem = f'Name one item that "{title}" gives to complete this: "{context} …"'
        accepted: list[str] = []
        for member in fact.siblings:
            for v in term_variants(member):
                if v.lower() not in (a.lower() for a in accepted):
                    accepted.append(v)
        accepted.sort(key=lambda v: 0 if v == fact.text else 1)
        difficulty = "easy"
    else:
        question = wh_question(fact, resolved)
        if question is None:
            return None
        stem = _according(view, fact, question)
        accepted = _key_variants(fact)
        difficulty = "hard" if fact.numeric else "medium"
    citation = _citation(view, fact)
    item = QuizItem(
        item_id("short", fact.id),
        "short",
        stem,
        [],
        fact.text,
        _explain(citation, f"Answer: {fact.text}. ", fact.lead.text if fact.lead else ""),
        citation,
        accepted=accepted,
        topic=_topic(view, fact),
        difficulty=difficulty,
        kind=fact.kind,
        key=_key_dict(fact),
    )
    return Candidate(
        item,
        fact,
        fact.sentence,
        _member_claim(fact, resolved, fact.text),
        [],
        self_contained=True,
        leak=_leaks(fact, stem, title) if not fact.is_list_member else False,
    )


# --- true / false --------------------------------------------------------------------------------

_NEGATABLE = re.compile(r"\b(is|are|can|should|must|does|do|will)\b(?! not\b)")


def _statement_ok(view: CorpusView, sentence: Sentence, resolved: Resolved) -> bool:
    words = resolved.text.split()
    if not resolved.ok or len(words) < 6 or len(words) > MAX_STATEMENT_WORDS:
        return False
    if sentence.kind == "table_row" or resolved.text.rstrip().endswith(":"):
        return False
    if sentence.kind == "list_item" and not sentence.label and not re.search(r"\b(is|are|can|may)\b", resolved.text):
        return False  # a bullet fragment ("Reducing severe spasticity in ...") states nothing alone
    return bool(re.search(r"\b(is|are|was|were|can|may|has|have|should|must|\w+s|\w+ed)\b", resolved.text))


def tf_stem(view: CorpusView, fact: Fact, statement: str) -> str:
    title = view.document(fact.sentence.doc_id).title
    body = _sentence_case(view.lower_first(statement))
    return f'True or false? According to "{title}": {_end_statement(body)}'


def tf_explanation(citation: ItemCitation, truth: bool, changed: tuple[str, str] | None) -> str:
    if truth:
        return _explain(citation, "True. ")
    was, now = changed or ("", "")
    return _explain(citation, f'False: the source says "{was}", not "{now}". ' if was else "False. ")


def _tf_item(
    view: CorpusView,
    fact: Fact,
    statement: str,
    truth: bool,
    variant: str,
    difficulty: str,
    changed: tuple[str, str] | None = None,
) -> QuizItem:
    citation = _citation(view, fact)
    stem = tf_stem(view, fact, statement)
    return QuizItem(
        item_id("true_false", fact.id, variant, statement),
        "true_false",
        stem,
        ["True", "False"],
        "True" if truth else "False",
        tf_explanation(citation, truth, changed),
        citation,
        topic=_topic(view, fact),
        difficulty=difficulty,
        kind=fact.kind,
        key=_key_dict(fact),
    )


def build_true_false(view: CorpusView, fact: Fact, mode: str) -> list[Candidate]:
    """A true statement and the false ones a controlled change of it makes (checked later)."""
    s = fact.sentence
    resolved = view.resolve(s)
    if not _statement_ok(view, s, resolved) or fact.lead is not None:
        return []
    a, b = fact.start + resolved.shift, fact.end + resolved.shift
    if a < 0 or resolved.text[a:b] != fact.text:
        return []
    text = resolved.text
    out: list[Candidate] = []
    out.append(Candidate(_tf_item(view, fact, text, True, "true", "easy"), fact, s, text, [], variant="true"))
    # a number or an entity changed (not under a negation: "efficacy has not been established for
    # Alzheimer's disease" would be true to the world while the source never says it)
    lowered = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
    siblings = {fold(x) for x in fact.siblings}
    found = [d for d in distractors_for(fact, view.facts, view.terms, view.nearness) if fold(d.text) not in siblings]
    ordered = pick(found, mode) if not lowered & negation_words() else []
    if ordered:
        first, rest = ordered[0], ordered[1:]
        false = text[:a] + first.text + text[b:]
        variant = "number" if fact.numeric else "entity"
        item = _tf_item(view, fact, false, False, variant, mode, (fact.text, first.text))
        spares = [(text[:a] + d.text + text[b:], d.text) for d in rest[:4]]
        out.append(
            Candidate(
                item,
                fact,
                s,
                text,
                [(false, false)],
                spare=[(st, st) for st, _ in spares],
                variant=variant,
                changes={false: (fact.text, first.text), **{st: (fact.text, d) for st, d in spares}},
            )
        )
    # an antonym or a negation (not for hedged statements: "may lower" vs "may raise" can both hold)
    if lowered & hedge_words():
        return out
    flips = antonyms()
    for m in re.finditer(r"[A-Za-z]+", text):
        word = m.group(0)
        if word.lower() in flips and not (m.start() < b and m.end() > a):
            opposite = flips[word.lower()]
            opposite = opposite[:1].upper() + opposite[1:] if word[:1].isupper() else opposite
            false = text[: m.start()] + opposite + text[m.end() :]
            item = _tf_item(view, fact, false, False, "antonym", "medium", (word, opposite))
            out.append(Candidate(item, fact, s, text, [(false, false)], variant="antonym"))
            break
    negations = lowered & negation_words()
    if negations == {"not"} and len(re.findall(r"\bnot\b", text)) == 1:
        false = re.sub(r"\s+not\b", "", text, count=1)
        item = _tf_item(view, fact, false, False, "negation", "medium", ("not", "(removed)"))
        out.append(Candidate(item, fact, s, text, [(false, false)], variant="negation"))
    elif not negations:
        verbs = list(_NEGATABLE.finditer(text))
        if len(verbs) == 1 and not re.match(r"\s+also\b", text[verbs[0].end() :]):
            v = verbs[0]
            negated = "cannot" if v.group(0) == "can" else v.group(0) + " not"
            false = text[: v.start()] + negated + text[v.end() :]
            item = _tf_item(view, fact, false, False, "negation", "medium", (v.group(0), negated))
            out.append(Candidate(item, fact, s, text, [(false, false)], variant="negation"))
    return out


def build_candidates(view: CorpusView, fact: Fact, types: tuple[str, ...], mode: str) -> list[Candidate]:
    """Every candidate of the requested types for one fact."""
    out: list[Candidate] = []
    if "mcq" in types:
        c = build_mcq(view, fact, mode)
        if c:
            out.append(c)
    if "cloze" in types:
        c = build_cloze(view, fact)
        if c:
            out.append(c)
    if "short" in types:
        c = build_short(view, fact)
        if c:
            out.append(c)
    if "true_false" in types:
        out.extend(build_true_false(view, fact, mode))
    return out
