"""Detect when the sources disagree on the point a question asks about.

Three general checks run over the best-scoring sentences, comparing documents with each other:

- Quantities: numbers with a unit (mg, mg per day, times daily, %, hours, every N days) are
  extracted with the qualifier in front of them ("maximum", "up to" -> max; "start", "initial" ->
  start; "usually", "range" -> typical). When the question asks for a quantity of one kind (and,
  for doses, with one qualifier), two documents giving different values with the same unit
  disagree (a maximum of 100 mg per day in one, up to 80 mg per day in another).
- Polarity: a rare topic word of the question (a condition, a drug) that one document states in a
  positive use clause ("is used to manage ... cerebral palsy") and another in a negated one
  ("efficacy has not been established for ... cerebral palsy", "not recommended", "contraindicated").
- Likelihood: when the question asks how likely or common something is, one document calling it
  rare and another common, critical or a significant risk.

Nothing here knows particular phrasings of particular questions; the cue words are general English.
A ConflictDetector belongs to one index and reads each sentence once (stems, clauses with their
polarity, quantities, likelihood words), so later questions compare cached readings.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from index.lexical import stem, words
from index.store import Index
from index.types import Citation, Conflict, ConflictStatement, Sentence
from rag.quantities import Quantity, quantities
from rag.query import QueryAnalysis

_CLAUSE_SPLIT = re.compile(r";|\||:\s|,\s+(?:and|but|while|whereas|although|though|however)\s+|\bbut\b|\bhowever\b")

_POSITIVE_WORDS = (
    "used use uses indicated indication effective efficacy effectiveness prescribed treat treating "
    "treatment treatments manage managing helps help relief relieve recommended benefit beneficial "
    "utilized utilised established approved suitable appropriate"
).split()
_POSITIVE = {stem(w) for w in _POSITIVE_WORDS}
# words that ask for a verdict ("is it safe in pregnancy?"): the thing judged is the entity, not the verdict
_VERDICT = {stem(w) for w in "safe safety unsafe dangerous danger risky risk harmful harm ok okay fine".split()}
_CUE = r"(?:" + "|".join(sorted(_POSITIVE_WORDS, key=len, reverse=True)) + r")"
# a negation that governs the use word: "not recommended", "not been established", "lack of established
# efficacy", "efficacy has not been established"; not "not responding to oral treatment".
_NEGATED = re.compile(
    rf"(?i)\b(?:not|never|no longer|cannot be)\s+(?:\w+\s+){{0,1}}{_CUE}\b|\black of\s+(?:\w+\s+){{0,1}}{_CUE}\b|"
    rf"\b{_CUE}\s+(?:\w+\s+){{0,1}}(?:has|have|is|are|was|were)\s+not\b|\b(?:ineffective|unproven|contraindicated)\b"
)
_POSITIVE_RE = re.compile(rf"(?i)\b{_CUE}\b")
_LOW = {"rare", "rarely", "uncommon", "seldom", "unlikely", "infrequent", "infrequently", "occasionally"}
_HIGH_WORDS = {"common", "commonly", "frequent", "frequently", "often", "likely", "usually"}
_HIGH_PHRASE = re.compile(
    r"(?i)\b(critical|significant|major|high|serious|substantial) risk\b|\brisk is (high|significant)\b"
)
_LIKELIHOOD_Q = re.compile(
    r"(?i)\b(how (likely|common|often|frequent)|rare|rarely|common|frequent|chance|probability|likelihood|risk|risky|"
    r"danger|dangerous)\b"
)
_SCALE = {stem(w) for w in _LOW | _HIGH_WORDS}


@dataclass
class Found:
    """A disagreement between documents, each side with the sentences that state it."""

    about: str
    sides: list[list[Sentence]]
    labels: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [side[0] for side in self.sides]

    def to_conflict(self, index: Index, numbering: dict, citations: list[Citation]) -> Conflict:
        statements = []
        for s in self.sentences:
            n = _citation_for(index, s, numbering, citations)
            statements.append(ConflictStatement(s.text, n))
        return Conflict(self.about, statements)


def _citation_for(index: Index, s: Sentence, numbering: dict, citations: list[Citation]) -> int:
    for c in citations:
        if c.doc_id == s.doc_id and c.start <= s.start and s.end <= c.end and not c.closest_only:
            return c.n
    from rag.answering import make_citations

    return make_citations(index, [[s]], numbering, citations)[0]


class ConflictDetector:
    """Compares the documents of one index on the point a question asks about.

    What the checks read from a sentence (its stems, its clauses with their polarity, its
    quantities, its likelihood words) is worked out the first time the sentence is a candidate and
    kept, so a question only pays for sentences no earlier question looked at.

    Args:
        index: the loaded index.
        vocab: the corpus vocabulary (rag.query.Vocabulary); document frequencies of one-word
            terms come from it.
        quantities_of: a cached `Sentence -> list[Quantity]` to share with the answerer.
    """

    def __init__(self, index: Index, vocab=None, *, quantities_of=None) -> None:  # noqa: ANN001
        self.index = index
        self.vocab = vocab
        self._quantities_of = quantities_of or self._own_quantities
        self._quantities: dict[str, list[Quantity]] = {}
        self._stems: dict[str, frozenset[str]] = {}
        self._clauses: dict[str, list[tuple[frozenset[str], int]]] = {}
        self._likelihoods: dict[str, int] = {}
        self._df: dict[tuple, int] = {}
        self._postings: dict[str, set[int]] | None = None

    # --- what is read from a sentence, once ----------------------------------------------------

    def _own_quantities(self, s: Sentence) -> list[Quantity]:
        got = self._quantities.get(s.id)
        if got is None:
            got = self._quantities[s.id] = quantities(s.text)
        return got

    def stems(self, s: Sentence) -> frozenset[str]:
        got = self._stems.get(s.id)
        if got is None:
            got = self._stems[s.id] = frozenset(stem(w) for w in words(s.text))
        return got

    def clauses(self, s: Sentence) -> list[tuple[frozenset[str], int]]:
        """(stems, polarity) of each clause of a sentence."""
        got = self._clauses.get(s.id)
        if got is None:
            got = self._clauses[s.id] = [(frozenset(stem(w) for w in words(c)), polarity(c)) for c in _clauses(s.text)]
        return got

    def likelihood(self, s: Sentence) -> int:
        got = self._likelihoods.get(s.id)
        if got is None:
            got = self._likelihoods[s.id] = _likelihood(s.text)
        return got

    def document_frequency(self, term) -> int:  # noqa: ANN001 - rag.query.Term
        """How many sentences of the index hold the term (any of its alternatives)."""
        key = tuple(term.alts)
        if key not in self._df:
            if self.vocab is not None and len(term.alts) == 1 and len(term.alts[0]) == 1:
                self._df[key] = self.vocab.df.get(term.alts[0][0], 0)
            else:
                postings = self._postings_by_stem()
                hits: set[int] = set()
                for alt in term.alts:
                    if alt and all(x in postings for x in alt):
                        hits |= set.intersection(*(postings[x] for x in alt))
                self._df[key] = len(hits)
        return self._df[key]

    def _postings_by_stem(self) -> dict[str, set[int]]:
        """Stem -> positions of the sentences holding it (built once, on the first multi-word term)."""
        if self._postings is None:
            postings: dict[str, set[int]] = {}
            for s in self.index.sentences:
                for x in self.stems(s):
                    postings.setdefault(x, set()).add(s.position)
            self._postings = postings
        return self._postings

    # --- the checks ----------------------------------------------------------------------------

    def detect(self, analysis: QueryAnalysis, scored: list, *, depth: int = 10, window: float = 0.2) -> list[Found]:
        """Disagreements between documents among the best sentences for this question."""
        if not scored:
            return []
        top = scored[0].score
        relevant = [s for s in scored[:depth] if s.score >= top - window]
        found: list[Found] = []
        # numbers and likelihoods of the asked kind are compared over a wider window: a second source
        # often words them differently. Without topic words ("the most I can take in a day") coverage
        # says nothing.
        min_cov = 0.35 if analysis.content_terms else 0.0
        wide = [s for s in scored[: depth * 2] if s.score >= top - 1.5 * window and s.coverage >= min_cov]
        q = self._quantity_conflict(analysis, wide)
        if q:
            found.append(q)
        p = self._polarity_conflict(analysis, relevant)
        if p:
            found.append(p)
        lk = self._likelihood_conflict(analysis, wide)  # "rare" and "life-threatening" are worded far apart
        if lk:
            found.append(lk)
        return found

    def _quantity_conflict(self, analysis: QueryAnalysis, relevant: list) -> Found | None:
        dim = analysis.dimension
        if dim is None and not analysis.wants_number:
            return None
        per_doc: dict[tuple[str | None, str], dict[str, list[tuple[Quantity, Sentence]]]] = {}
        for sc in relevant:
            s = sc.sentence
            for qty in self._quantities_of(s):
                if dim is not None and qty.dimension != dim:
                    continue
                if qty.qualifier == "above":
                    continue
                if qty.dimension == "dose":
                    # doses differ by design (start, usual, maximum): compare only the one asked for
                    if analysis.qualifier is None or qty.qualifier != analysis.qualifier:
                        continue
                    group = qty.qualifier
                else:
                    group = None
                per_doc.setdefault((group, qty.unit), {}).setdefault(s.doc_id, []).append((qty, s))
        for (group, unit), docs in per_doc.items():
            if len(docs) < 2:
                continue
            values = {d: {q.value() for q, _ in items} for d, items in docs.items()}
            ids = list(values)
            for i in range(len(ids)):
                for j in range(i + 1, len(ids)):
                    a, b = ids[i], ids[j]
                    if values[a].isdisjoint(values[b]):
                        qa, sa = docs[a][0]
                        qb, sb = docs[b][0]
                        label = {"max": "maximum ", "start": "starting ", "typical": "usual "}.get(group or "", "")
                        kind = {
                            "dose": "daily dose" if unit.endswith("/day") else "dose",
                            "frequency": "doses per day",
                            "duration": "duration",
                            "percent": "percentage",
                        }[qa.dimension]
                        return Found(f"the {label}{kind} ({qa.text} vs {qb.text})", [[sa], [sb]], [qa.text, qb.text])
        return None

    def _entity_terms(self, analysis: QueryAnalysis, *, max_share: float = 0.1) -> list:
        """Rare topic terms of the question (a condition, a drug), not the use words themselves.

        The head noun is left out: in "which drugs should not be mixed with it" the drugs are the
        kind of answer asked for, not a thing whose use the sources could disagree on.
        """
        n = max(1, len(self.index.sentences))
        out = []
        for t in analysis.content_terms:
            if t.stem in _POSITIVE or t.stem in _VERDICT or t.head:
                continue
            df = self.document_frequency(t)
            if 0 < df <= max(2, max_share * n):
                out.append(t)
        return out

    def _polarity_conflict(self, analysis: QueryAnalysis, relevant: list) -> Found | None:
        entities = self._entity_terms(analysis)
        if not entities:
            return None
        for phrase in _phrases(analysis, entities):
            pos: dict[str, list[Sentence]] = {}
            neg: dict[str, list[Sentence]] = {}
            for sc in relevant:
                s = sc.sentence
                for clause_stems, pol in self.clauses(s):
                    if not all(t.found_in(clause_stems) for t in phrase):
                        continue
                    if pol > 0:
                        pos.setdefault(s.doc_id, []).append(s)
                    elif pol < 0:
                        neg.setdefault(s.doc_id, []).append(s)
            pos_only = {d: v for d, v in pos.items() if d not in neg}
            neg_only = {d: v for d, v in neg.items() if d not in pos}
            if pos_only and neg_only:
                p_doc, n_doc = next(iter(pos_only)), next(iter(neg_only))
                name = self._entity_name(analysis, entities, [pos_only[p_doc][0], neg_only[n_doc][0]])
                return Found(
                    f"{name} (used or recommended in one source, not in another)",
                    [pos_only[p_doc], neg_only[n_doc]],
                    ["positive", "negative"],
                )
        return None

    def _entity_name(self, analysis: QueryAnalysis, entities: list, sides: list[Sentence]) -> str:
        """The rare question words both sides mention, in question order ("cerebral palsy")."""
        stems = [self.stems(s) for s in sides]
        rare = {t.word for t in entities}
        names = [t.word for t in analysis.content_terms if t.word in rare and all(t.found_in(x) for x in stems)]
        return " ".join(names) or "this point"

    def _likelihood_conflict(self, analysis: QueryAnalysis, relevant: list) -> Found | None:
        if not _LIKELIHOOD_Q.search(analysis.question):
            return None
        topic = [t for t in analysis.content_terms if t.stem not in _SCALE]
        if not topic:
            return None
        low: dict[str, Sentence] = {}
        high: dict[str, Sentence] = {}
        for sc in relevant:
            s = sc.sentence
            stems = self.stems(s)
            covered = sum(1 for t in topic if t.found_in(stems))
            if covered < max(1, len(topic) // 3):
                continue
            lk = self.likelihood(s)
            if lk < 0:
                low.setdefault(s.doc_id, s)
            elif lk > 0:
                high.setdefault(s.doc_id, s)
        low_only = {d: s for d, s in low.items() if d not in high}
        high_only = {d: s for d, s in high.items() if d not in low}
        if low_only and high_only:
            a = next(iter(low_only.values()))
            b = next(iter(high_only.values()))
            both = [t.word for t in topic if t.found_in(self.stems(a)) and t.found_in(self.stems(b))]
            subject = both[0] if both else "this"
            return Found(
                f"how likely {subject} is (rare in one source, a common or serious risk in another)", [[a], [b]]
            )
        return None


_DETECTORS: dict[int, tuple[weakref.ref, ConflictDetector]] = {}


def detector_for(index: Index, vocab=None) -> ConflictDetector:  # noqa: ANN001
    """The ConflictDetector of an index (one per loaded index, dropped with it)."""
    entry = _DETECTORS.get(id(index))
    if entry is not None and entry[0]() is index:
        return entry[1]
    detector = ConflictDetector(index, vocab)
    _DETECTORS[id(index)] = (weakref.ref(index), detector)
    weakref.finalize(index, _DETECTORS.pop, id(index), None)
    return detector


def detect_conflicts(
    index: Index, analysis: QueryAnalysis, scored: list, *, depth: int = 10, window: float = 0.2, vocab=None
) -> list[Found]:
    """Disagreements between documents among the best sentences for this question (cached per index)."""
    return detector_for(index, vocab).detect(analysis, scored, depth=depth, window=window)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def polarity(clause: str) -> int:
    """+1 a positive use statement ("is used to manage"), -1 a negated one ("not recommended"), 0 neither."""
    if _NEGATED.search(clause):
        return -1
    return 1 if _POSITIVE_RE.search(clause) else 0


def _likelihood(clause: str) -> int:
    toks = set(words(clause))
    if toks & _LOW:
        return -1
    if toks & _HIGH_WORDS or _HIGH_PHRASE.search(clause):
        return 1
    return 0


def _phrases(analysis: QueryAnalysis, entities: list) -> list[list]:
    """The entity terms grouped as the question writes them side by side: "kidney disease" is one
    thing to find (a clause naming Parkinson's disease is not about it), "cerebral palsy" another."""
    tokens = words(analysis.base_text or analysis.question)
    at = {t.word: tokens.index(t.word) for t in entities if t.word in tokens}
    ordered = sorted(entities, key=lambda t: at.get(t.word, len(tokens)))
    groups: list[list] = []
    for t in ordered:
        prev = groups[-1][-1] if groups else None
        if prev is not None and t.word in at and prev.word in at and at[t.word] == at[prev.word] + 1:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups
