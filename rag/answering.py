"""Compose a cited answer from source sentences, without a language model (the default answerer).

How an answer is made:
1. Candidates are the sentences of the retrieved passages plus the best sentence-level hits.
2. Each is scored against the question: dense similarity (the precomputed sentence vector, which
   embeds the section and list lead-in too), how much of the question's content it covers
   (IDF-weighted, clinical synonyms and corrected spellings count; the list lead-in, item label
   and section count at a discount), and answer-type cues (a number with a unit when the question
   asks how much / how long / how often, list items when it asks which / what are).
3. The best sentences within a margin of the top one are kept, near-duplicates across sources are
   merged (one sentence, every source's citation), list items are read with their lead-in
   ("Common adverse effects of oral baclofen include: Sedation; Dizziness; ..."), and the answer is
   capped at `max_sentences` units and about `max_words` words.
4. Abstention: when the question's topic words are not in the corpus, or no sentence covers
   enough of the question, the answer says the documents do not answer it and lists the closest
   passages, marked `closest_only`. The topic being present is not enough: the kind of fact asked
   for must be stated about the question's focus (its specific terms, not the drug or the kind of
   answer). A number asked for ("how long", "what dose") needs a sentence about the focus that
   holds one; an interaction asked about needs a sentence naming the other drug that is about
   taking them together; a treatment asked for ("what reverses an overdose") needs a sentence
   about the focus that says what is done; and a noun asked for that the documents never use
   ("What is the antidote ...") is never answered.

Answer text is source text: sentences are copied, never rewritten, so numbers stay as written.
Only the conflict note ("The sources differ on ...") is ours, and it cites both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from index.lexical import STOP_WORDS, stem, words
from index.store import Index
from index.types import Answer, AnswerSentence, Citation, Conflict, Sentence
from rag.quantities import quantities
from rag.query import QueryAnalysis, Term, Vocabulary, same_word
from rag.retrieval import Retrieved

ABSTAIN_TEXT = "The indexed documents do not answer this question."

_NUMBER_UNIT = re.compile(
    r"(?i)\b\d+(\.\d+)?\s*(-|–|to)?\s*\d*(\.\d+)?\s*(%|mg|g|mcg|µg|micrograms?|milligrams?|ml|hours?|hrs?|days?|"
    r"weeks?|months?|years?|minutes?|times)\b|\d+(\.\d+)?\s*%|"
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten)( to (one|two|three|four|five|six|seven|eight|nine|ten))?"
    r" (hours?|days?|times|weeks?)\b|\b(one-hundredth|half|twice|once)\b"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
# what a mechanism of action is stated in ("how does it work?")
_MECHANISM = re.compile(
    r"(?i)\b(receptors?|agonists?|antagonists?|inhibit\w*|activat\w*|binds?|binding|channels?|neurotransmitters?|"
    r"enzymes?|mimics?|analog(ue)?s?|blocks?|release of)\b"
)
# an enumeration in running text: "include seizures, hallucinations, fever, and a rebound ..."
_ENUMERATION = re.compile(
    r"(?i)\b(include|includes|including|such as|like|are)\b:?\s+[^.;,]+(,\s+[^.;,]+)+,?\s+(and|or)\s+\w"
)


@dataclass
class AnswerSettings:
    """Weights and thresholds of the extractive answerer (calibrated on the gold dev split)."""

    w_dense: float = 0.5
    w_cover: float = 0.5
    number_bonus: float = 0.06  # a quantity in a sentence when the question asks for one ...
    number_penalty: float = 0.06  # ... and its absence
    list_bonus: float = 0.04
    excluded_penalty: float = 0.08
    mechanism_bonus: float = 0.06
    qualifier_bonus: float = 0.05
    context_weight: float = 0.6  # a term found only in the lead-in, label or section
    previous_weight: float = 0.3  # a term found only in the sentence before, in the same paragraph
    margin: float = 0.08  # keep sentences within this much of the best score
    min_relative_coverage: float = 0.6  # and covering at least this share of what the best one covers
    min_score: float = 0.35
    max_sentences: int = 5
    max_words: int = 120
    max_list_items: int = 8
    short_item_words: int = 8  # lists whose items average this few words are read whole
    max_followers: int = 2  # anaphoric sentences ("This ...", "It ...") kept after the best sentence
    # abstention
    # abstain when the words the corpus never uses carry this much of the question's meaning
    # (1 - cosine between the question and the question without them; see QASystem.embed)
    max_unknown_importance: float = 0.055
    max_unknown: int = 1  # fallback when the importance was not measured: more unknown words than this
    min_coverage: float = 0.2  # the best sentences must cover at least this share of the known topic words
    min_dense: float = 0.3  # and be at least this similar to the question
    # the asked-for kind of fact (a number, an interaction) must be stated about the question's focus:
    # its specific terms, those in at most this share of sentences (not the drug, not "oral", "pain")
    focus_max_share: float = 0.1
    focus_coverage: float = 0.5  # a sentence is about the focus when it covers this share of it


@dataclass
class Scored:
    sentence: Sentence
    score: float
    dense: float
    coverage: float
    cues: float = 0.0


@dataclass
class Unit:
    """What one answer sentence is made of: sentences in document order, or a list lead-in with items."""

    members: list[Sentence]
    score: float
    extra_sources: list[list[Sentence]] = field(default_factory=list)  # merged near-duplicates

    @property
    def key(self) -> Sentence:
        return self.members[-1]

    def text(self) -> str:
        out = ""
        prev: Sentence | None = None
        for m in self.members:
            t = m.text.strip()
            if prev is None:
                out = t
            elif m.kind == "list_item" and prev.text.rstrip().endswith(":"):
                out = f"{out} {_strip_end(t)}"
            elif m.kind == "list_item" and prev.kind == "list_item" and m.lead_sentence and m.block != prev.block:
                out = f"{_strip_end(out)}; {_strip_end(t)}"
            else:
                out = f"{out} {t}" if out.endswith((".", "!", "?", ":")) else f"{out}. {t}"
            prev = m
        if self.members[-1].kind == "list_item" and len(self.members) > 1 and not out.endswith((".", "!", "?")):
            out += "."
        return out


def _strip_end(text: str) -> str:
    return text.rstrip().rstrip(".;,")


def sentence_stems(s: Sentence) -> tuple[set[str], set[str]]:
    """Stems of the sentence itself, and of its label, lead-in and section."""
    own = {stem(w) for w in words(s.text) if w not in STOP_WORDS}
    context = " ".join(p for p in (s.label or "", s.context, s.section) if p)
    ctx = {stem(w) for w in words(context) if w not in STOP_WORDS}
    return own, ctx - own


def term_weights(analysis: QueryAnalysis, vocab: Vocabulary) -> list[tuple[Term, float]]:
    """Each topic term the corpus knows, weighted by its rarity (IDF over sentences)."""
    out = []
    for t in analysis.content_terms:
        known = [vocab.idf(x) for alt in t.alts for x in alt if x in vocab.df]
        w = vocab.idf(t.stem) if t.stem in vocab.df else (min(known) if known else 1.0)
        out.append((t, w * (2.0 if t.head else 1.0)))
    return out


def coverage(
    weights: list[tuple[Term, float]],
    own: set[str],
    ctx: set[str],
    context_weight: float,
    previous: set[str] = frozenset(),
    previous_weight: float = 0.0,
) -> float:
    """Share of the question's (weighted) terms found in a sentence; its context counts at a discount,
    the sentence before it in the paragraph at a larger one."""
    total = sum(w for _, w in weights)
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in weights:
        if term.found_in(own):
            got += w
        elif term.found_in(own | ctx):
            got += w * context_weight
        elif previous and term.found_in(own | ctx | previous):
            got += w * previous_weight
    return got / total


def has_quantity(text: str) -> bool:
    return bool(_NUMBER_UNIT.search(text))


class _StemCache(dict):
    """Sentence id -> (own stems, context stems), computed on first use (large corpora start fast)."""

    def __init__(self, index: Index) -> None:
        super().__init__()
        self._index = index

    def __missing__(self, sid: str) -> tuple[set[str], set[str]]:
        value = sentence_stems(self._index.sentence_by_id[sid])
        self[sid] = value
        return value


class _ListStemCache(dict):
    """Lead sentence id -> the stems of its list items, computed on first use."""

    def __init__(self, items_of: dict[str, list[Sentence]], stems: _StemCache) -> None:
        super().__init__()
        self._items_of = items_of
        self._stems = stems

    def get(self, sid: str, default=None):  # noqa: ANN001 - dict.get signature
        if sid not in self._items_of:
            return default
        if sid not in self:
            self[sid] = set().union(*(self._stems[i.id][0] for i in self._items_of[sid]))
        return self[sid]


# Prepositions and the like: never the focus of a question ("during titration", "after stopping").
_FOCUS_NOISE = frozenset(
    "during after before through per via within without across among upon till until while whilst since "
    "between behind below beneath beside besides beyond inside outside near past throughout toward towards "
    "along around against off onto out wait waiting "
    "directly experience experienced experiences occur occurs occurred happen happens considered regarded "
    "shown seen found reported handled doctor doctors physician physicians clinician clinicians nurse nurses "
    "someone somebody person people not no never "
    # comparatives say how two things relate, not what the question is about ("how much lower is ...")
    "lower higher less more smaller larger bigger greater fewer shorter longer faster slower".split()
)
# The question asks for a relation of its focus: "the symptoms of an overdose", "what signs show ...".
# Only symptoms and signs: the documents introduce them by name ("Symptoms include ..."); complications and
# consequences are as often named by example ("progressing to rhabdomyolysis") and are not checked.
_RELATION_Q = re.compile(r"(?i)\b(?P<rel>symptoms?|signs?)\b")
# Words that ask for a number rather than name what the number is about.
_QUANTITY_STEMS = frozenset(
    stem(w)
    for w in (
        "dose doses dosage dosages amount mg milligrams daily day percentage percent proportion rate frequency "
        "duration interval limit maximum max minimum starting initial usual typical recommended total number "
        "concentration incidence range first start begin"
    ).split()
)
# Words that ask how something is treated, or state that it is ("reverses" is left out of what a
# sentence must state: its stem is that of "reversible").
_MANAGEMENT_STEMS = frozenset(
    stem(w)
    for w in "treat treated treating treatment treatments manage managed managing management reverse reverses "
    "reversal counteract antidote remedy cure therapy recommend recommended taper tapering reduction reduce "
    "discontinue discontinuation avoid prevent monitor monitoring relief relieve administer administered".split()
) - {stem("reversible")}
# Words that ask about, or state, taking drugs together.
_INTERACTION_STEMS = frozenset(
    stem(w)
    for w in "interact interacts interaction interactions concomitant concomitantly combine combined combination "
    "mix mixed mixing together coadministration".split()
)


class Decision(NamedTuple):
    """Whether to abstain, why (for logs and tests), and a sentence for the asker on what is missing."""

    abstain: bool
    why: str
    note: str | None = None


def _listing(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def _span(text: str, found: list[str]) -> str:
    """The found words as the question writes them, in phrases where they stand together (one
    word between may join them: "alcohol use disorder"), listed otherwise ("capital and Australia")."""
    if not found:
        return ""
    wanted = {w.lower() for w in found}
    tokens = [m.group(0) for m in _WORD.finditer(text)]
    hits = [i for i, tok in enumerate(tokens) if tok.lower().replace("'", "").replace("’", "") in wanted]
    if not hits:
        return _listing(list(dict.fromkeys(found)))
    phrases: list[list[int]] = [[hits[0]]]
    for i in hits[1:]:
        if i - phrases[-1][-1] <= 2:
            phrases[-1].append(i)
        else:
            phrases.append([i])
    out: list[str] = []
    for p in phrases:
        phrase = " ".join(tokens[p[0] : p[-1] + 1])
        if not any(f" {phrase.lower()} " in f" {o.lower()} " for o in out):  # "25 kg ... per kg": once
            out.append(phrase)
    return _listing(out)


_ANAPHOR = re.compile(r"^(This|These|That|Those|It|Its|They|Their|Such|Both|However|Therefore|Thus|As such)\b")


class Answerer:
    """Scores sentences, decides whether to abstain, and composes the answer units."""

    def __init__(self, index: Index, vocabulary: Vocabulary, settings: AnswerSettings | None = None) -> None:
        self.index = index
        self.vocabulary = vocabulary
        self.settings = settings or AnswerSettings()
        self._stems = _StemCache(index)
        self._quantities: dict[str, list] = {}
        self._items_of: dict[str, list[Sentence]] = {}
        self._block_lead: dict[tuple[str, int], str] = {}  # (doc, block) of a lead-in paragraph -> lead sentence
        for s in index.sentences:
            if s.lead_sentence:
                self._items_of.setdefault(s.lead_sentence, []).append(s)
        self._list_stems = _ListStemCache(self._items_of, self._stems)  # lead sentence -> stems of its items
        for lead_id in self._items_of:
            lead = index.sentence_by_id[lead_id]
            self._block_lead[(lead.doc_id, lead.block)] = lead_id

    # --- scoring --------------------------------------------------------------------------------

    def candidates(self, retrieved: Retrieved, *, n_sentence_hits: int = 12) -> list[Sentence]:
        seen: dict[str, Sentence] = {}
        for hit in retrieved.chunks:
            for sid in self.index.chunk_by_id[hit.id].sentence_ids:
                seen.setdefault(sid, self.index.sentence_by_id[sid])
        for hit in retrieved.sentences[:n_sentence_hits]:
            seen.setdefault(hit.id, self.index.sentence_by_id[hit.id])
        # the head of each list on its own too: a strong lexical match the dense model misses
        for pos in [*retrieved.sentence_dense[:8], *retrieved.sentence_lexical[:8]]:
            s = self.index.sentences[pos]
            seen.setdefault(s.id, s)
        return list(seen.values())

    def score(self, analysis: QueryAnalysis, qvec: np.ndarray, sentences: list[Sentence]) -> list[Scored]:
        st = self.settings
        if not sentences:
            return []
        weights = term_weights(analysis, self.vocabulary)
        excluded = [t for t in analysis.terms if t.status == "excluded"]
        positions = np.array([s.position for s in sentences])
        dense = self.index.sentence_vectors[positions] @ qvec
        out = []
        for s, d in zip(sentences, dense, strict=True):
            own, ctx = self._stems[s.id]
            cov = coverage(weights, own, ctx, st.context_weight, self._previous_stems(s), st.previous_weight)
            cues = 0.0
            if analysis.wants_number or analysis.dimension:
                cues += st.number_bonus if self._has_asked_quantity(analysis, s) else -st.number_penalty
                if analysis.qualifier and any(q.qualifier == analysis.qualifier for q in self.quantities_of(s)):
                    cues += st.qualifier_bonus  # "maximum" asked, "maximum" stated
            if analysis.wants_list and (s.kind == "list_item" or s.id in self._items_of or _ENUMERATION.search(s.text)):
                cues += st.list_bonus
            if excluded:
                # "apart from X, which other ...": a sentence (or list) repeating X tells the asker nothing new
                listed = own | self._list_stems.get(s.id, set())
                cues -= st.excluded_penalty * min(2, sum(1 for t in excluded if t.found_in(listed)))
            if analysis.mechanism and _MECHANISM.search(s.text):
                cues += st.mechanism_bonus
            if s.kind == "table_row" and not s.context:  # a table's header row says nothing
                cues -= 0.2
            score = st.w_dense * float(d) + st.w_cover * cov + cues
            out.append(Scored(s, score, float(d), cov, cues))
        out.sort(key=lambda x: -x.score)
        return out

    def _previous_stems(self, s: Sentence) -> set[str]:
        """Stems of the sentence before `s` in the same paragraph ("Symptoms include ..." needs it)."""
        if s.position == 0:
            return set()
        prev = self.index.sentences[s.position - 1]
        if prev.doc_id != s.doc_id or prev.block != s.block:
            return set()
        return self._stems[prev.id][0]

    def quantities_of(self, s: Sentence) -> list:
        """The quantities of a sentence (rag.quantities), read once and kept."""
        found = self._quantities.get(s.id)
        if found is None:
            found = self._quantities[s.id] = quantities(s.text)
        return found

    def _has_asked_quantity(self, analysis: QueryAnalysis, s: Sentence) -> bool:
        found = self.quantities_of(s)
        if analysis.dimension:
            return any(q.dimension == analysis.dimension for q in found)
        return bool(found) or has_quantity(s.text)

    # --- abstention ------------------------------------------------------------------------------

    def should_abstain(self, analysis: QueryAnalysis, scored: list[Scored]) -> tuple[bool, str]:
        """(abstain?, why). The corpus must know the question's topic words and hold a close sentence."""
        decision = self.decide(analysis, scored)
        return decision.abstain, decision.why

    def decide(self, analysis: QueryAnalysis, scored: list[Scored]) -> Decision:
        """Whether to abstain, why (for logs and tests), and what to tell the asker the documents lack."""
        st = self.settings
        if not scored:
            return Decision(True, "nothing retrieved")
        unknown = analysis.unknown
        if unknown:
            importance = analysis.unknown_importance
            if (importance is not None and importance >= st.max_unknown_importance) or (
                importance is None and len(unknown) > st.max_unknown
            ):
                names = [t.word for t in unknown]
                return Decision(
                    True,
                    f"the documents never mention {', '.join(names)}",
                    f"They never mention {_span(analysis.question, names)}.",
                )
        if not analysis.content_terms:
            return Decision(False, "no topic words; answering from the closest passages")
        best_cov = max(s.coverage for s in scored[:10])
        best_dense = max(s.dense for s in scored[:10])
        if best_cov < st.min_coverage:
            return Decision(True, f"no passage covers the question (coverage {best_cov:.2f})")
        if best_dense < st.min_dense:
            return Decision(True, f"no passage is close to the question (similarity {best_dense:.2f})")
        missing = self.missing_fact(analysis, scored)
        if missing:
            return missing
        return Decision(False, "supported")

    def focus_terms(
        self, analysis: QueryAnalysis, *, leave_out: frozenset[str] = frozenset()
    ) -> list[tuple[Term, float]]:
        """The question's specific terms, IDF-weighted: what it is about beyond the drug and the kind of answer.

        Left out: the head noun (the kind of thing asked for: "What *dose* ..."), words common in the
        corpus (in more than `focus_max_share` of its sentences), prepositions, and terms whose
        stems are in `leave_out` (the words that ask for the kind of fact itself: "dose", "interact").
        """
        st = self.settings
        limit = st.focus_max_share * self.vocabulary.n
        out = []
        for term, weight in term_weights(analysis, self.vocabulary):
            if term.head or term.word in _FOCUS_NOISE or (set(term.stems) & leave_out):
                continue
            if self._term_df(term) <= limit:
                out.append((term, weight))
        return out

    def _term_df(self, term: Term) -> int:
        vocab = self.vocabulary
        if term.stem in vocab.df:
            return vocab.df[term.stem]
        known = [vocab.df[x] for alt in term.alts for x in alt if x in vocab.df]
        return max(known) if known else 0

    def focus_coverage(self, focus: list[tuple[Term, float]], s: Sentence) -> float:
        """Share of the focus a sentence covers (its lead-in, label, section and the sentence before count less)."""
        if not focus:
            return 1.0
        st = self.settings
        own, ctx = self._stems[s.id]
        return coverage(focus, own, ctx, st.context_weight, self._previous_stems(s), st.previous_weight)

    def missing_fact(self, analysis: QueryAnalysis, scored: list[Scored]) -> Decision | None:
        """An abstention when the kind of fact asked for is absent although the topic is present, else None.

        - A number is asked for ("how long ...", "what dose ...") and no sentence about the
          question's focus states one: the documents name the condition but give no dose for it.
        - An interaction with something is asked about and no sentence that names it is about
          taking drugs together: it is mentioned only in another role (as an alternative, say).
        - How something is treated is asked about and no sentence about it says what is done.

        The note names what the documents do mention ("They mention overdose, but not how it is
        treated."), so the asker knows the topic was found and the fact was not.
        """
        st = self.settings
        # (asked?, words that ask for the kind of fact, does a sentence state it, why, what is lacking)
        checks = [
            (
                analysis.asks_quantity,
                _QUANTITY_STEMS,
                self._states_number,
                "states a number",
                "give no figure for it",
            ),
            (
                analysis.interaction,
                _INTERACTION_STEMS,
                self._about_interaction,
                "is about taking drugs together",
                "not an interaction with it",
            ),
            (
                analysis.management,
                _MANAGEMENT_STEMS,
                self._about_management,
                "says how it is treated",
                "not how it is treated",
            ),
        ]
        relation = self._relation_asked(analysis)
        if relation is not None and not any(c[0] for c in checks):
            # "What are the symptoms of an overdose?": a sentence must name the symptoms of the overdose;
            # withdrawal symptoms in one place and overdose in another are no answer
            head, focus = relation
            covering = [sc for sc in scored if self.focus_coverage(focus, sc.sentence) >= st.focus_coverage]
            if covering and not any(head.found_in(self._all_stems(sc.sentence)) for sc in covering):
                mentioned = self._mentioned(analysis, focus, covering)
                shown = _span(analysis.question, [head.word]) or head.word
                note = f"They mention {mentioned}, but not its {shown}." if mentioned else None
                return Decision(True, f"no passage about {', '.join(t.word for t, _ in focus)} names {head.word}", note)
        for asked, leave_out, states, kind, lacking in checks:
            if not asked:
                continue
            focus = self.focus_terms(analysis, leave_out=leave_out)
            if not focus and leave_out is not _QUANTITY_STEMS:
                continue  # "which drugs should not be mixed with it": nothing in particular to find
            pool = scored if focus else scored[:10]  # no focus: a number among the best sentences will do
            covering = [sc for sc in pool if self.focus_coverage(focus, sc.sentence) >= st.focus_coverage]
            if any(states(sc.sentence) for sc in covering):
                continue
            mentioned = self._mentioned(analysis, focus, covering)
            note = f"They mention {mentioned}, but {lacking}." if mentioned else None
            names = ", ".join(t.word for t, _ in focus) or "the question"
            return Decision(True, f"no passage about {names} {kind}", note)
        return None

    def _mentioned(self, analysis: QueryAnalysis, focus: list[tuple[Term, float]], covering: list[Scored]) -> str:
        """The question's focus words the best covering sentence holds, as the question says them."""
        if not focus or not covering:
            return ""
        best = max(covering, key=lambda sc: self.focus_coverage(focus, sc.sentence)).sentence
        present = self._all_stems(best)
        found = [t.word for t, _ in focus if t.found_in(present)]
        return _span(analysis.base_text or analysis.question, found)

    def _relation_asked(self, analysis: QueryAnalysis) -> tuple[Term, list[tuple[Term, float]]] | None:
        """(relation word, focus) when the question asks for the symptoms or signs of something
        ("signs of an overdose", "what symptoms does withdrawal cause"), else None."""
        m = _RELATION_Q.search(analysis.base_text or analysis.question)
        if m is None:
            return None
        word = m.group("rel").lower()
        head = next((t for t in analysis.terms if same_word(t.word, word)), None)
        if head is None or head.status not in ("known", "lexicon", "related"):
            return None
        focus = [(t, w) for t, w in self.focus_terms(analysis) if t is not head]
        return (head, focus) if focus else None

    def _all_stems(self, s: Sentence) -> set[str]:
        """Stems of the sentence, its lead-in, label and section, and the sentence before it."""
        own, ctx = self._stems[s.id]
        return own | ctx | self._previous_stems(s)

    def _states_number(self, s: Sentence) -> bool:
        """A quantity with a unit, a number word with a unit, or a bare figure ("in the 1960s")."""
        return bool(self.quantities_of(s)) or has_quantity(s.text) or bool(_DIGIT.search(s.text))

    def _about_management(self, s: Sentence) -> bool:
        return bool(self._stems[s.id][0] & _MANAGEMENT_STEMS)

    def _about_interaction(self, s: Sentence) -> bool:
        return bool(self._all_stems(s) & _INTERACTION_STEMS)

    # --- composition -----------------------------------------------------------------------------

    def select(self, analysis: QueryAnalysis, scored: list[Scored], *, must: list[Sentence] = ()) -> list[Unit]:
        """The answer units, best first: within a margin of the best, merged, grouped and capped."""
        st = self.settings
        if not scored:
            return []
        top = scored[0].score
        floor = max(st.min_score, top - st.margin)
        cov_floor = scored[0].coverage * st.min_relative_coverage
        chosen: list[Scored] = [s for s in scored if s.score >= floor and s.coverage >= cov_floor]
        must_ids = {m.id for m in must}
        by_id = {s.sentence.id: s for s in scored}
        for m in must:
            if m.id not in {c.sentence.id for c in chosen}:
                chosen.append(by_id.get(m.id) or Scored(m, floor, 0.0, 0.0))
        chosen_ids = {c.sentence.id for c in chosen}
        units: list[Unit] = []
        used: set[str] = set()
        for rank, sc in enumerate(chosen):
            s = sc.sentence
            if s.id in used:
                continue
            unit = self._unit_for(s, sc.score, analysis, chosen_ids)
            if rank == 0 and len(unit.members) == 1:
                unit = Unit(self._with_followers(s), sc.score)
            unit.members = [m for m in unit.members if m.id not in used or m.id == s.id]
            dup = next((u for u in units if self._near_duplicate(u, unit)), None)
            if dup is not None and not (set(m.id for m in unit.members) & must_ids):
                dup.extra_sources.append(unit.members)
                used.update(m.id for m in unit.members)
                continue
            units.append(unit)
            used.update(m.id for m in unit.members)
        return self._cap(units, must_ids)

    def _with_followers(self, s: Sentence) -> list[Sentence]:
        """The sentence and the next ones of its paragraph that refer back to it ("This ...", "It ...")."""
        out = [s]
        for _ in range(self.settings.max_followers):
            nxt_pos = out[-1].position + 1
            if nxt_pos >= len(self.index.sentences):
                break
            nxt = self.index.sentences[nxt_pos]
            if nxt.doc_id != s.doc_id or nxt.block != s.block or not _ANAPHOR.match(nxt.text):
                break
            out.append(nxt)
        return out

    def _unit_for(self, s: Sentence, score: float, analysis: QueryAnalysis, chosen: set[str]) -> Unit:
        st = self.settings
        if s.kind == "list_item":
            lead_id = s.lead_sentence
        else:
            lead_id = self._block_lead.get((s.doc_id, s.block))
        if lead_id is None or lead_id not in self.index.sentence_by_id:
            return Unit([s], score)
        lead = self.index.sentence_by_id[lead_id]
        items = self._items_of.get(lead_id, [])
        short = bool(items) and sum(len(i.text.split()) for i in items) / len(items) <= st.short_item_words
        # a lead-in chosen for itself ("conditions ... include:") says nothing without the list it opens
        colon = lead.text.rstrip().endswith(":")
        opens_list = s.id == lead_id and colon
        whole = short or opens_list or (analysis.wants_list and self._lead_matches(analysis, lead, s))
        if whole:
            picked = items[: st.max_list_items]
        else:
            picked = [i for i in items if i.id in chosen or i.id == s.id]
        if s.kind != "list_item" and not whole and not picked:
            return Unit([s], score)
        head = [lead] if colon else []
        if s.kind != "list_item" and s.id != lead_id:
            head = [s, *head]
        members = sorted({m.id: m for m in [*head, *picked]}.values(), key=lambda m: m.position)
        return Unit(members, score)

    def _lead_matches(self, analysis: QueryAnalysis, lead: Sentence, s: Sentence) -> bool:
        """The list's lead-in (with its paragraph and section) is about what the question asks for."""
        weights = term_weights(analysis, self.vocabulary)
        own, ctx = self._stems[lead.id]
        extra = self._stems[s.id][0] if s.kind != "list_item" else set()
        return coverage(weights, own | ctx | extra, set(), 1.0) >= 0.4

    def _near_duplicate(self, a: Unit, b: Unit) -> bool:
        ta, tb = a.text(), b.text()
        if sorted(_NUMBER.findall(ta)) != sorted(_NUMBER.findall(tb)):
            return False
        sa = {stem(w) for w in words(ta) if w not in STOP_WORDS}
        sb = {stem(w) for w in words(tb) if w not in STOP_WORDS}
        if not sa or not sb:
            return False
        if sb <= sa:
            return True  # everything b says, a says
        jaccard = len(sa & sb) / len(sa | sb)
        if jaccard >= 0.5:
            return True
        va = self.index.sentence_vectors[a.key.position]
        vb = self.index.sentence_vectors[b.key.position]
        return jaccard >= 0.3 and float(va @ vb) >= 0.9

    def _cap(self, units: list[Unit], must_ids: set[str]) -> list[Unit]:
        st = self.settings
        out: list[Unit] = []
        n_words = 0
        for u in units:
            w = len(u.text().split())
            required = any(m.id in must_ids for m in u.members)
            if out and not required and (len(out) >= st.max_sentences or n_words + w > st.max_words):
                continue
            out.append(u)
            n_words += w
        return out


def make_citations(
    index: Index,
    groups: list[list[Sentence]],
    numbering: dict[tuple[str, int, int], int],
    citations: list[Citation],
    *,
    closest_only: bool = False,
) -> list[int]:
    """Citation numbers for sentence groups (one per contiguous run of sentences), adding new ones."""
    ns: list[int] = []
    for members in groups:
        for run in _runs(index, members):
            first, last = run[0], run[-1]
            key = (first.doc_id, first.start, last.end)
            if key not in numbering:
                doc = index.documents[first.doc_id]
                n = len(citations) + 1
                numbering[key] = n
                citations.append(
                    Citation(
                        n=n,
                        doc_id=first.doc_id,
                        title=doc.title,
                        source=doc.source,
                        chunk_id=first.chunk_id,
                        start=first.start,
                        end=last.end,
                        quote=doc.text[first.start : last.end],
                        section=first.section,
                        sentence_id=first.id,
                        closest_only=closest_only,
                    )
                )
            if numbering[key] not in ns:
                ns.append(numbering[key])
    return ns


def _runs(index: Index, members: list[Sentence], *, span: int = 12) -> list[list[Sentence]]:
    """Split sentences into runs that one citation can cover: same document, at most `span` sentences apart.

    A list lead-in and the items picked from its list are one run, so one passage (lead-in to last
    item, verbatim) backs the joined answer sentence.
    """
    ordered = sorted(members, key=lambda s: s.position)
    runs: list[list[Sentence]] = []
    for s in ordered:
        if (
            runs
            and runs[-1][0].doc_id == s.doc_id
            and s.position - runs[-1][0].position <= span
            and (
                s.block == runs[-1][-1].block
                or s.lead_sentence in {m.id for m in runs[-1]}
                or s.position == runs[-1][-1].position + 1
            )
        ):
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def render(sentences: list[AnswerSentence]) -> str:
    """The answer text: each sentence followed by its [n] markers."""
    parts = []
    for s in sentences:
        text = s.text.rstrip()
        marks = "".join(f"[{n}]" for n in s.citations)
        if text and text[-1] in ".!?:;":
            parts.append(f"{text[:-1]} {marks}{text[-1]}" if marks else text)
        else:
            parts.append(f"{text} {marks}." if marks else f"{text}.")
    return " ".join(parts)


def compose_answer(
    question: str,
    sentences: list[AnswerSentence],
    citations: list[Citation],
    conflicts: list[Conflict],
    *,
    dropped: list[str] | None = None,
) -> Answer:
    """The answer from its cited sentences: the conflict note goes first when the sources differ.

    Used by the extractive answerer and the LLM path alike, so both say "the sources differ" the
    same way.
    """
    sentences = [conflict_note(conflicts), *sentences] if conflicts else list(sentences)
    return Answer(
        question=question,
        answer=render(sentences),
        abstained=False,
        sentences=sentences,
        citations=citations,
        conflicts=conflicts,
        dropped=list(dropped or []),
    )


def conflict_note(conflicts: list[Conflict]) -> AnswerSentence:
    """Our one sentence that is not source text: it says the sources differ and cites each side."""
    abouts = "; ".join(c.about for c in conflicts)
    cited = sorted({st.citation for c in conflicts for st in c.statements})
    return AnswerSentence(f"The sources differ on {abouts}.", cited)
