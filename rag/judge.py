"""The offline support judge: does this passage support this claim?

No LLM. Three kinds of evidence are combined:

- the embedding model's similarity between the claim and the passage's sentences (and pairs of
  adjacent sentences, and the whole passage);
- content-term coverage: the share of the claim's content words (stemmed, with a small synonym
  map) that the passage contains;
- hard checks that veto support whatever the similarity says: numbers and units (5 mg is not
  10 mg; "two to four hours" is "2-4 hours" is "120 to 240 minutes"), negation ("not indicated
  for" vs "indicated for"), direction (opening vs blocking potassium channels; increases vs
  lowers), hedges ("has been studied for" is not "is approved for"), swapped entities
  (GABA-B vs GABA-A, kidneys vs liver), and absent entities: a drug, condition, specialised term
  or list member the claim names and the passage does not mention, nor a near-synonym of it
  ("conditions such as gout, cerebral palsy, ..." against a list without gout).

The similarity and coverage are mapped to a probability by a logistic model whose weights and
decision threshold are data (`judge_calibration.json`, fitted on the calibration split of
`eval/data/judge_pairs.jsonl` by `python -m eval.calibrate`). A user with a local NLI
cross-encoder, or the pair model trained on the team's labelled pairs (`python -m eval.train_judge`),
can add it (`nli=` a folder path or any object with a `predict(pairs)` method); its probability is
blended into the score, and the hard checks still apply. A trained pair model's rule may also let a
high enough probability lift a veto of the embedding-based entity checks (absent or swapped entities),
never one of the hard checks.

What it does not do: decide whether a claim is *true*, only whether the passage says it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from index.lexical import STOP_WORDS, stem, words

if TYPE_CHECKING:
    from index.embeddings import Encoder

CALIBRATION_PATH = Path(__file__).with_name("judge_calibration.json")
#: The version of the judge's rules (checks, word lists). The calibration records the version it was
#: fitted with; a rule change bumps this and calls for `python -m eval.calibrate`.
RULES_VERSION = 11

#: Used only when the calibration file is missing (the shipped file overrides every value).
_FALLBACK_CALIBRATION: dict[str, Any] = {
    "version": 1,
    "rules_version": RULES_VERSION,
    "features": ["sim", "coverage", "missing"],
    "weights": [8.0, 8.0, -0.8],
    "bias": -10.0,
    "soft_match": [0.55, 0.85],
    "soft_min_coverage": 0.5,
    "threshold": 0.5,
    "veto_cap": 0.2,
    "nli_weight": 0.5,
    "absent_synonym": 0.65,
    "ctx_match": [0.4, 0.7],
    "swap_context": [0.38, 0.3],  # words swapped inside a noun phrase; with function words around them
}


@dataclass
class Judgement:
    """The judge's verdict on one (claim, passage) pair.

    Attributes:
        supported: True when the passage supports the claim.
        score: support probability in [0, 1] (vetoed pairs are capped below the threshold).
        reasons: why: the checks that failed, or the evidence that carried it.
    """

    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"supported": self.supported, "score": round(float(self.score), 4), "reasons": list(self.reasons)}


class Features(NamedTuple):
    """The soft evidence for one pair, before calibration."""

    sim: float  # best cosine between the claim and a passage unit
    coverage: float  # share of the claim's content terms found in the passage
    missing: int  # how many content terms are missing
    missing_terms: tuple[str, ...]
    soft_coverage: float = 0.0  # coverage with partial credit for near-synonyms (word embeddings)
    ctx_coverage: float = 0.0  # coverage with partial credit for words aligned in context (token embeddings)
    ctx_missing: float = 0.0  # missing terms that nothing in the passage aligns with in context

    def values(self) -> dict[str, float]:
        return {
            "sim": self.sim,
            "coverage": self.coverage,
            "missing": float(self.missing),
            "soft_coverage": self.soft_coverage,
            "ctx_coverage": self.ctx_coverage,
            "ctx_missing": self.ctx_missing,
        }


class NliModel(Protocol):
    def predict(self, pairs: list[tuple[str, str]]) -> Any: ...


# --------------------------------------------------------------------------------------------
# Lexical normalisation: synonyms, content terms
# --------------------------------------------------------------------------------------------

#: Words that mean the same thing here; every word of a group maps to the group's first stem.
_SYNONYM_GROUPS: list[list[str]] = [
    ["kidney", "kidneys", "renal"],
    ["liver", "hepatic"],
    ["drowsiness", "drowsy", "sleepy", "sleepiness", "somnolence", "sedation", "sedative", "sedated"],
    ["dizziness", "dizzy", "lightheaded"],
    ["excrete", "excreted", "excretion", "eliminate", "eliminated", "elimination", "cleared", "clearance"],
    ["discontinue", "discontinuation", "discontinuing", "stop", "stopping", "stopped", "withdraw", "cessation"],
    ["abrupt", "abruptly", "sudden", "suddenly"],
    ["gradual", "gradually", "slowly", "taper", "tapering", "tapered"],
    ["start", "started", "starting", "begin", "beginning", "initial", "initially", "initiate", "initiated"],
    ["dose", "doses", "dosage", "dosages", "dosing"],
    ["daily", "day", "days"],
    ["muscle", "muscles", "muscular"],
    ["stiffness", "stiff", "tightness", "tight", "rigidity", "rigid"],
    ["spasm", "spasms", "cramp", "cramps", "cramping"],
    ["tablet", "tablets", "pill", "pills"],
    ["oral", "orally", "mouth", "ingestion", "ingested", "swallowed"],
    ["relax", "relaxant", "relaxation", "relaxes"],
    ["analog", "analogue", "mimic", "mimics"],
    ["seizure", "seizures", "convulsion", "convulsions", "fit", "fits"],
    ["elderly", "older", "geriatric", "aged"],
    ["child", "children", "pediatric", "paediatric", "kids"],
    ["pregnant", "pregnancy"],
    ["breastfeeding", "lactating", "lactation", "nursing"],
    ["spinal", "spine"],
    ["pain", "painful", "ache", "aches"],
    ["cerebrospinal", "csf"],
    ["central", "cns"],
    ["gabab", "gaba_b"],
    ["intrathecal", "itb", "intrathecally"],
    [
        "use",
        "used",
        "uses",
        "utilized",
        "utilised",
        "employed",
        "prescribed",
        "administer",
        "administered",
        "administration",
    ],
    [
        "reduce",
        "reduces",
        "reduced",
        "reduction",
        "decrease",
        "decreases",
        "decreased",
        "lower",
        "lowers",
        "lowered",
        "diminish",
        "diminishes",
        "lessen",
        "lessens",
        "minimize",
        "minimise",
        "minimizes",
        "minimises",
        "mitigate",
        "mitigates",
    ],
    [
        "increase",
        "increases",
        "increased",
        "raise",
        "raises",
        "raised",
        "elevate",
        "elevated",
        "boost",
        "boosts",
        "enhance",
        "enhances",
        "enhanced",
        "augment",
        "augments",
        "rise",
        "rises",
        "amplify",
        "amplifies",
    ],
    [
        "inhibit",
        "inhibits",
        "inhibited",
        "inhibiting",
        "block",
        "blocks",
        "blocking",
        "blocked",
        "blockage",
        "suppress",
        "suppresses",
    ],
    ["minimal", "minimally", "barely", "negligible", "little"],
    ["level", "levels", "concentration", "concentrations"],
    ["worsen", "worsens", "worse", "exacerbate", "exacerbates", "aggravate", "aggravates"],
    ["fail", "fails", "failure", "failed", "malfunction"],
    ["risk", "danger", "hazard"],
    ["severe", "serious"],
    ["weakness", "weak"],
    ["fatigue", "tired", "tiredness", "exhaustion", "weariness"],
    ["problem", "problems", "issue", "issues", "trouble", "troubles", "impairment", "disturbance", "disturbances"],
    ["complex", "complicated"],
    ["confusion", "confused"],
    ["alcohol", "drinking"],
    ["cravings", "craving", "urges"],
    ["effective", "efficacy", "effectiveness", "works", "helpful", "aid", "aids", "assist", "assists"],
    ["caution", "cautious", "careful", "care"],
    ["doctor", "physician", "clinician", "prescriber", "healthcare", "provider", "providers"],
    ["half-life", "halflife"],
    ["hiccups", "hiccup", "singultus"],
    ["alleviate", "alleviates", "ease", "eases", "relieve", "relieves", "relief"],
    ["primarily", "mainly", "main", "mostly", "chiefly", "predominantly", "primary", "principally"],
    ["patient", "patients", "user", "users", "individual", "individuals", "candidate", "candidates"],
    ["ensure", "confirm", "verify"],
    ["identify", "detect", "recognize", "recognise", "recognizing", "recognising", "spot", "notice", "notices"],
    ["baclofen", "drug", "medication", "medicine"],
    ["respond", "responds", "responsive", "response", "responding", "responded"],
    ["high", "higher", "highest"],
    ["hypotension", "hypotensive"],
    ["hypersensitivity", "hypersensitive", "allergy", "allergies", "allergic"],
    ["botulinum", "botox"],
    ["hypertension", "hypertensive"],
    ["trigger", "triggers", "provoke", "provokes", "cause", "causes", "induce", "induces", "source"],
    ["reflux", "gerd"],
    ["ms", "sclerosis"],
    ["absorbed", "absorption", "absorb"],
    ["treat", "treats", "treating", "treatment", "therapy", "manage", "managing", "management", "control"],
    [
        "educate",
        "educated",
        "education",
        "teach",
        "taught",
        "train",
        "trained",
        "instruct",
        "instructed",
        "inform",
        "informed",
        "tell",
        "told",
    ],
    ["carer", "carers", "caregiver", "caregivers"],
    [
        "assess",
        "assessed",
        "assessment",
        "evaluate",
        "evaluated",
        "evaluation",
        "review",
        "reviewed",
        "weigh",
        "examine",
        "examined",
    ],
    ["considerable", "significant", "significantly", "substantial", "substantially", "marked", "markedly"],
    ["part", "component", "element"],
    ["plan", "plans", "strategy", "strategies", "regimen", "regimens"],
    ["recover", "recovery", "restore", "restoring", "regain"],
    ["follow", "followed", "adhere", "adhered", "adhering", "comply", "complied"],
    ["condition", "conditions", "illness", "illnesses", "disease", "diseases", "disorder", "disorders"],
    [
        "concurrent",
        "current",
        "concomitant",
        "concomitantly",
        "simultaneous",
        "combine",
        "combined",
        "combining",
        "combination",
    ],
    ["adjunct", "adjunctive", "addon", "add-on", "supplementary"],
    [
        "explore",
        "explored",
        "exploring",
        "investigate",
        "investigated",
        "investigating",
        "study",
        "studied",
        "tried",
        "trialled",
        "trialed",
        "tested",
    ],
    ["maintenance", "maintain", "maintained", "servicing", "serviced", "service"],
    ["increment", "increments", "step", "steps"],
    ["directly", "direct", "straight"],
    ["prolonged", "long", "lengthy", "extended"],
    ["bend", "bending", "lean", "leaning", "stoop", "stooping"],
    ["difficult", "hard", "harder", "challenging"],
    ["generate", "generates", "fire", "fires", "fired", "firing"],
    ["potent", "strong", "strongly", "powerful"],
    ["degree", "extent"],
    ["optimal", "best", "ideal"],
    ["contribute", "contributes", "contributing", "add", "adds", "adding"],
    ["prevent", "prevents", "prevented", "preventing", "avoid", "avoids", "avoided", "avoiding"],
    ["recommend", "recommends", "recommended", "advise", "advises", "advised"],
    ["suggest", "suggests", "hint", "hints", "indicate", "indicates"],
    ["improve", "improves", "improved", "improvement", "better"],
    ["side", "adverse"],
    ["common", "commonly", "frequent", "frequently", "often", "usual", "usually", "typical", "typically", "generally"],
]


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in _SYNONYM_GROUPS:
        head = stem(group[0].replace("-", ""))
        for word in group:
            table[stem(word.replace("-", ""))] = head
    return table


#: Function words on top of the BM25 stop list: they carry no claim content.
_EXTRA_STOP = frozenset(
    """also like such including include includes included well even still yet however therefore thus hence
    whether either rather via per among within upon across around about approximately roughly nearly almost
    because since due according between particularly especially specifically much many overall less
    possible possibly potential potentially sometimes can could might perhaps likely
    show shows showing shown up come comes make makes making give gives giving given take takes taking taken need
    go goes going get gets getting become becomes became put keep keeps kept
    needs needed happen happens occur occurs found find versus vs together people person someone produce
    produced known called calls above below over exceed exceeds exceeding beyond least
    not no never none nor neither without cannot every everyone everybody whenever instead ahead through
    isnt doesnt dont didnt wont cant arent wasnt werent hasnt havent hadnt shouldnt wouldnt couldnt
    down off out away along""".split()
)
#: Number and unit words: the number check owns them.
_QUANTITY_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
    twentyfive twentyseven half third quarter tenth hundredth thousandth once twice thrice double triple
    twenties thirties forties fifties sixties seventies eighties nineties
    percent cent milligram milligrams mg gram grams mcg microgram micrograms ml kg hour hours minute minutes
    times fold hundredfold tenfold""".split()
)
_NUMBERISH = re.compile(r"^\d+(?:\.\d+)?[a-z%]*$")

_GABA = re.compile(r"(?i)\bgaba[\s_-]?([abc])\b")


#: Negative-prefix words spelled out, so that "unrelated" meets "not related".
_PREFIX_NEGATIVES = {
    "unrelated": "not related", "unresponsive": "not responsive", "unable": "not able",
    "ineffective": "not effective", "inadequate": "not adequate", "intolerable": "not tolerable",
    "unsuitable": "not suitable", "uncommon": "not common", "unlikely": "not likely", "unknown": "not known",
    "unclear": "not clear", "unsafe": "not safe", "unproven": "not proven", "unapproved": "not approved",
    "unestablished": "not established", "unnecessary": "not necessary", "inappropriate": "not appropriate",
    "nonresponsive": "not responsive", "non-responsive": "not responsive", "insufficient": "not sufficient",
}  # fmt: skip
_PREFIX_NEGATIVE = re.compile(r"(?i)\b(" + "|".join(map(re.escape, _PREFIX_NEGATIVES)) + r")\b")
#: Lay phrases for clinical terms (one content term each side).
_PHRASES = [
    (re.compile(r"(?i)\blow blood pressure\b"), "hypotension"),
    (re.compile(r"(?i)\bhigh blood pressure\b"), "hypertension"),
    (re.compile(r"(?i)\bhalf[- ]life\b"), "halflife"),
    (re.compile(r"(?i)\bdon't respond\b"), "not responsive"),
    (re.compile(r"(?i)\bfail(?:s|ed|ing)? to respond\b"), "not responsive"),
    (re.compile(r"(?i)\bpins and needles\b"), "tingling"),
    (
        re.compile(r"(?i)\b(?:the )?brain and (?:the )?spinal cord\b|\bspinal cord and (?:the )?brain\b"),
        "central nervous system",
    ),
    (re.compile(r"(?i)\bslow(?:ed)? breathing\b|\bbreathing (?:slows|is slowed)\b"), "respiratory depression"),
    (re.compile(r"(?i)\bkeep(?:s|ing)? (?:a close |an )?eye on\b|\bwatch(?:es|ed)? closely\b"), "monitor"),
    (re.compile(r"(?i)\b(?:get|gets|getting|got) better\b"), "improve"),
    (re.compile(r"(?i)\b(?:get|gets|getting|got) worse\b"), "worsen"),
    (re.compile(r"(?i)\bset(?:s|ting)? off\b|\bbring(?:s|ing)? on\b"), "trigger"),
    (re.compile(r"(?i)\bflow(?:s|ing)? out\b"), "outflow"),
    (re.compile(r"(?i)\blead(?:s|ing)? to\b|\bled to\b"), "causes"),
]


def _normalise(text: str) -> str:
    """Unify spellings the tokenizer would split apart ("GABA-B", "GABA_B", "GABA B" -> "GABAB")."""
    text = _GABA.sub(lambda m: "GABA" + m.group(1).upper(), text)
    text = text.replace("’", "'").replace("‘", "'")
    text = _PREFIX_NEGATIVE.sub(lambda m: _PREFIX_NEGATIVES[m.group(1).lower()], text)
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    return text


def _canon(word: str) -> str:
    s = stem(word)
    return _synonyms().get(s, s)


def _quantity_word(word: str) -> bool:
    """A number or unit word, hyphenated ones included ("seventy-five", "one-hundredth")."""
    return (
        word in _QUANTITY_WORDS
        or bool(_NUMBERISH.match(word))
        or ("-" in word and all(part in _QUANTITY_WORDS for part in word.split("-") if part))
    )


@lru_cache(maxsize=8192)
def _content_runs(text: str) -> tuple[tuple[str, str, int], ...]:
    """(word as written, lower-cased; its content term; its token position) for each content word of `text`."""
    return tuple((w, _canon(w), pos) for pos, w in enumerate(words(_normalise(text))) if not _function_word(w))


@lru_cache(maxsize=8192)
def content_terms(text: str) -> tuple[str, ...]:
    """The claim-bearing terms of `text`: words minus stop words and numbers, stemmed, synonym-mapped."""
    return tuple(t for _w, t, _pos in _content_runs(text))


@lru_cache(maxsize=8192)
def content_words(text: str) -> tuple[tuple[str, str], ...]:
    """(word as written, lower-cased; its content term) for each content word of `text`."""
    return tuple((w, t) for w, t, _pos in _content_runs(text))


@lru_cache(maxsize=8192)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(content_terms(text))


def _covered(term: str, passage_terms: set[str]) -> bool:
    if term in passage_terms:
        return True
    # one stem extends the other ("fail" / "failur", "pharmacokinet" / "pharmacokinetics")
    if len(term) >= 4:
        return any(len(p) >= 4 and (p.startswith(term) or term.startswith(p)) for p in passage_terms)
    return False


# --------------------------------------------------------------------------------------------
# Splitting passages into sentences and clauses
# --------------------------------------------------------------------------------------------

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
_CLAUSE_SPLIT = re.compile(
    r"[;:]\s+|,?\s+\b(?:but|however|although|though|whereas|while|yet|who|which|whose|because|since|unless|"
    r"until|so that|so|due to)\b\s+|,\s+(?:as|and)\s+|\.\s+|\n+",
    re.IGNORECASE,
)
#: The same without relative pronouns: a relative clause stays with the noun it describes, inside
#: the scope of a negation around it ("not advised for people who have Parkinson's disease").
_MAIN_CLAUSE_SPLIT = re.compile(_CLAUSE_SPLIT.pattern.replace("who|which|whose|", ""), re.IGNORECASE)


@lru_cache(maxsize=8192)
def split_sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip())


def _plain(text: str) -> str:
    """Lower case, words only: what stays of a sentence when punctuation and spacing are set aside."""
    return " ".join(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.replace("’", "'").lower()))


def quotes_passage(claim: str, passage: str, min_words: int = 4, min_span_words: int = 6) -> bool:
    """True when the claim quotes the passage word for word (case, spacing and punctuation aside): one
    of its sentences or a run of them (at least `min_words` words), or any run of at least
    `min_span_words` of its words. A quotation is support by definition, whatever a model scores it;
    the hard checks still apply (a quoted fragment that drops a "not" or a "may" is vetoed by them)."""
    said = _plain(claim)
    n = len(said.split())
    if n < min_words or f" {said} " not in f" {_plain(passage)} ":
        return False
    if n >= min_span_words:
        return True
    units = [_plain(u) for u in _passage_units(passage)]
    return any(said == " ".join(units[i:j]) for i in range(len(units)) for j in range(i + 1, len(units) + 1))


@lru_cache(maxsize=8192)
def split_clauses(text: str, *, relative: bool = True) -> tuple[str, ...]:
    """`text` cut into clauses; with `relative=False`, relative clauses stay with the clause they are in."""
    splitter = _CLAUSE_SPLIT if relative else _MAIN_CLAUSE_SPLIT
    return tuple(c.strip() for c in splitter.split(text) if c and c.strip() and re.search(r"[A-Za-z]", c))


# --------------------------------------------------------------------------------------------
# Numbers and units
# --------------------------------------------------------------------------------------------

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALE = {"hundred": 100, "thousand": 1000}
_SMALL_NAMES = {v: k for k, v in _SMALL.items()}
_FRACTION = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
             "fourths": 4, "fifth": 5, "fifths": 5, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
             "hundredth": 100, "hundredths": 100, "thousandth": 1000}  # fmt: skip
_MULTIPLE = {"once": 1, "twice": 2, "thrice": 3}
#: Prescription shorthand for so many times a day.
_SHORTHAND = {"od": 1, "qd": 1, "bid": 2, "bd": 2, "tid": 3, "tds": 3, "qid": 4, "qds": 4}
_DECADES = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
            "seventies": 1970, "eighties": 1980, "nineties": 1990}  # fmt: skip
#: unit word -> (dimension, factor to the dimension's base unit: mg, minutes, percent, times)
_UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mass", 1.0), "milligram": ("mass", 1.0), "milligrams": ("mass", 1.0),
    "g": ("mass", 1000.0), "gram": ("mass", 1000.0), "grams": ("mass", 1000.0),
    "kg": ("mass", 1e6), "mcg": ("mass", 1e-3), "µg": ("mass", 1e-3), "μg": ("mass", 1e-3), "ug": ("mass", 1e-3),
    "microgram": ("mass", 1e-3), "micrograms": ("mass", 1e-3),
    "ml": ("volume", 1.0), "milliliter": ("volume", 1.0), "milliliters": ("volume", 1.0),
    "millilitre": ("volume", 1.0), "millilitres": ("volume", 1.0), "l": ("volume", 1000.0),
    "liter": ("volume", 1000.0), "liters": ("volume", 1000.0), "litre": ("volume", 1000.0),
    "%": ("percent", 1.0), "percent": ("percent", 1.0), "per cent": ("percent", 1.0),
    "second": ("time", 1 / 60), "seconds": ("time", 1 / 60),
    "minute": ("time", 1.0), "minutes": ("time", 1.0), "min": ("time", 1.0), "mins": ("time", 1.0),
    "hour": ("time", 60.0), "hours": ("time", 60.0), "hr": ("time", 60.0), "hrs": ("time", 60.0),
    "h": ("time", 60.0), "day": ("time", 1440.0), "days": ("time", 1440.0),
    "week": ("time", 10080.0), "weeks": ("time", 10080.0), "month": ("time", 43200.0),
    "months": ("time", 43200.0), "year": ("time", 525600.0), "years": ("time", 525600.0),
    "times": ("times", 1.0), "time": ("times", 1.0), "fold": ("times", 1.0),
    "per hundred": ("percent", 1.0), "per 100": ("percent", 1.0),
    "per thousand": ("percent", 0.1), "per 1000": ("percent", 0.1), "per 1,000": ("percent", 0.1),
}  # fmt: skip
_RANGE_JOIN = {"to", "-", "–", "—", "and", "or", "through"}

_QTY_TOKEN = re.compile(
    r"'\d0s|\d+(?:,\d{3})*(?:\.\d+)?s?|per cent|per (?:hundred|thousand|100|1,?000)\b|[a-zµμ]+|%|[<>≤≥]|[-–—/]",
)
#: The hyphen of a number joined to one of `_UNITS` ("a 10-mg tablet", "the ten-milligram strength"),
#: which would otherwise read as a range's dash; a one-letter unit ("g", "h") only after digits.
_HYPHENATED_UNIT = re.compile(
    r"(?i)(?<=[0-9a-z])-(?=(?:"
    + "|".join(sorted((u for u in _UNITS if u.isalpha() and len(u) > 1), key=len, reverse=True))
    + r")\b)|(?<=\d)-(?=(?:"
    + "|".join(u for u in _UNITS if u.isalpha() and len(u) == 1)
    + r")\b)"
)
#: Phrases with a number word that state no quantity ("stopped all at once", "at one time").
_NOT_QUANTITY = re.compile(r"(?i)\b(?:all )?at once\b|\bonce (?:again|more)\b|\bat one (?:time|point)\b")
#: "per 24 hours" is a day, and so is "in one day" or "over the day" ("no more than 100 mg in one day").
_PER_DAY = re.compile(
    r"(?i)\b(?:per|a|each|every|in|over|/)\s*(?:24|twenty-four|twenty four)[\s-]*(?:hours?|hrs?|h)\b"
    r"|\b(?:in|over|across|through|throughout) (?:one|a single|any one|any single|any|a|the|the whole|a whole|"
    r"the entire|the course of a) day\b"
)
#: A passage that gives a dose as "N times less" than another states the share 1/N ("1%" of it).
#: "a hundredfold", "tenfold": the number and "fold" read apart.
_FOLD_WORD = re.compile(r"(?i)\b(two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand)fold\b")
_TIMES_LESS = re.compile(r"(?i)\b(?:times|fold) (?:less|smaller|lower|fewer|weaker)\b")
#: "one in ten", "3 out of 4": a share, compared as a percentage.
_RATIO_JOIN = (("in",), ("out", "of"), ("of", "every"), ("in", "every"))
_RATIO_WORDS = frozenset({"in", "out", "every"})


def _ratio_gap(gap: tuple[str, ...]) -> bool:
    """Whether the tokens between two numbers make a share: "in", "out of", "patients in", "of every"."""
    if gap in _RATIO_JOIN:
        return True
    # "one patient in ten", "three people out of four": a noun or two before the join
    for n in (1, 2):
        if len(gap) > n and gap[n:] in _RATIO_JOIN and all(t.isalpha() and t not in _UNITS for t in gap[:n]):
            return True
    return False


class Quantity(NamedTuple):
    value: float  # in the dimension's base unit when a unit is known
    raw: float  # as written
    unit: str | None  # dimension: mass, time, percent, volume, times; None when bare
    text: str
    per: str | None = None  # a rate's denominator: "day" in "80 mg per day", "kg" in "5 mg/kg"


_RATE_WORDS = {"daily": "day", "nightly": "day", "weekly": "week", "hourly": "hour", "monthly": "month",
               "yearly": "year", "annually": "year"}  # fmt: skip
_RATE_NOUNS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "hour": "hour", "hours": "hour",
               "h": "hour", "month": "month", "months": "month", "year": "year", "kg": "kg", "kilogram": "kg",
               "kilograms": "kg", "dose": "dose"}  # fmt: skip


#: Words between a unit and its rate that leave the rate as it is: "5 mg taken daily", "80 mg in total daily".
_RATE_FILLERS = frozenset({"times", "time", "taken", "given", "total", "all", "combined", "altogether", "overall"})


def _rate_after(tokens: list[str], k: int) -> str | None:
    """The rate that follows a unit at tokens[k]: "daily", "a day", "per week", "/kg", "of oral baclofen per dose"."""
    window = tokens[k + 1 : k + 8]
    skipping = 0  # words of an "of ..." phrase between the unit and its rate ("80 mg of baclofen per day")
    for n, tok in enumerate(window):
        if tok in _RATE_WORDS:
            return _RATE_WORDS[tok]
        if tok in ("per", "a", "/", "each", "every") and n + 1 < len(window) and window[n + 1] in _RATE_NOUNS:
            return _RATE_NOUNS[window[n + 1]]
        if tok == "of" and n == 0:
            skipping = 3
        elif skipping and tok.isalpha() and tok not in _UNITS and tok not in _SMALL:
            skipping -= 1
        elif tok not in _RATE_FILLERS and not (tok == "in" and window[n + 1 : n + 2] in (["total"], ["all"])):
            break
    return None


_DIGIT_WORDS = {k: v for k, v in _SMALL.items() if v < 10}
_ONCE_RATE = frozenset({"a", "per", "every", "each", "daily", "nightly", "weekly", "monthly", "yearly", "hourly",
                        "only", "in", "or", "to"})  # fmt: skip


def _frequency_once(tokens: list[str], i: int) -> bool:
    """Whether "once" at tokens[i] counts ("once daily", "taken once") rather than joins ("once the body ...")."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    prev = tokens[i - 1] if i > 0 else ""
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    if nxt == "a" and (i == 0 or not prev.isalpha()) and after not in _RATE_NOUNS:
        return False  # "Once a nerve is pinched, ...": a conjunction opening the clause, not "once a day"
    return nxt in _ONCE_RATE or nxt == "" or not nxt.isalpha() or prev in ("taken", "given", "dosed", "only", "just")


def _word_number(tokens: list[str], i: int) -> tuple[float, int, bool, float] | None:
    """A number spelled in words starting at tokens[i]: (value, tokens used, is_fraction, numerator).

    A fraction's value is its denominator ("one-hundredth" -> 100; "three quarters" -> 4 over 3);
    "three point three" is 3.3.
    """
    total, current, used, seen = 0, 0, 0, False
    j = i
    while j < len(tokens):
        tok = tokens[j]
        if tok == "point" and seen and j + 1 < len(tokens) and tokens[j + 1] in _DIGIT_WORDS:
            digits = []
            j += 1
            while j < len(tokens) and tokens[j] in _DIGIT_WORDS:
                digits.append(str(_DIGIT_WORDS[tokens[j]]))
                j += 1
            return float(f"{total + current}.{''.join(digits)}"), j - i, False, 1.0
        if tok in _SMALL:
            current += _SMALL[tok]
            seen = True
        elif tok in _SCALE and seen:
            current = max(current, 1) * _SCALE[tok]
            if tok == "thousand":
                total, current = total + current, 0
        elif tok in _FRACTION and seen:
            # "one-hundredth" -> the denominator: "1/100 of the dose" is "100 times less"
            return float(_FRACTION[tok]), j - i + 1, True, float(total + current)
        elif tok == "-" and seen and j + 1 < len(tokens) and (tokens[j + 1] in _SMALL or tokens[j + 1] in _FRACTION):
            pass  # "twenty-five", "one-hundredth"
        else:
            break
        j += 1
        used = j - i
    if not seen:
        return None
    return float(total + current), used, False, 1.0


@lru_cache(maxsize=8192)
def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """Every number in `text` (digits or words) with its unit, ranges sharing the trailing unit.

    "two to four hours" -> [(120 min, 2), (240 min, 4)]; "5 mg to 20 mg" -> two masses;
    "'60s" and "1960s" -> 1960; ">60 mg/day" -> 60 mg.
    """
    text = _PER_DAY.sub("daily", _NOT_QUANTITY.sub(" ", _normalise(text)))
    text = _FOLD_WORD.sub(r"\1 fold", _HYPHENATED_UNIT.sub(" ", text))
    tokens = _QTY_TOKEN.findall(text.lower())
    found: list[tuple[float, int, int]] = []  # (raw value, first token, last token)
    fractions: list[Quantity] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("'") and tok.endswith("0s"):
            found.append((1900.0 + float(tok[1:3]), i, i))
            i += 1
            continue
        if tok[0].isdigit() and tokens[i + 1 : i + 2] == ["/"] and tokens[i + 2 : i + 3] and tokens[i + 2][0].isdigit():
            top, bottom = (float(t.replace(",", "")) for t in (tok, tokens[i + 2]))
            if bottom:  # "1/100 of the dose": a share, and "100 times less" when the top is 1
                share = 100.0 * top / bottom
                fractions.append(Quantity(share, share, "percent", f"{tok}/{tokens[i + 2]}"))
                if top == 1:
                    found.append((bottom, i + 2, i + 2))
                i += 3
                continue
        if tok[0].isdigit():
            digits = tok[:-1] if tok.endswith("s") and len(tok) == 5 else tok  # "1960s"
            try:
                found.append((float(digits.replace(",", "")), i, i))
            except ValueError:
                pass
            i += 1
            continue
        if tok == "a" and tokens[i + 1 : i + 2] and tokens[i + 1] in _SCALE:  # "one in a hundred"
            found.append((float(_SCALE[tokens[i + 1]]), i, i + 1))
            i += 2
            continue
        if tok == "a" and tokens[i + 1 : i + 2] and tokens[i + 1] in _FRACTION:  # "a quarter", "a tenth"
            share = 100.0 / _FRACTION[tokens[i + 1]]
            fractions.append(Quantity(share, share, "percent", f"a {tokens[i + 1]}"))
            i += 2
            continue
        if tok == "once" and not _frequency_once(tokens, i):  # "once the body adjusts": a conjunction
            i += 1
            continue
        decade = next((k for k in range(i + 1, min(i + 3, len(tokens))) if tokens[k] != "-"), None)
        if tok == "nineteen" and decade is not None and tokens[decade] in _DECADES:  # "the nineteen-sixties"
            found.append((float(_DECADES[tokens[decade]]), i, decade))
            i = decade + 1
            continue
        if tok in _MULTIPLE:  # "twice daily" is 2 times
            found.append((float(_MULTIPLE[tok]), i, i))
            i += 1
            continue
        if tok in _SHORTHAND:  # "5 mg tid": three times a day
            tokens[i : i + 1] = [_SMALL_NAMES[_SHORTHAND[tok]], "times", "daily"]
            continue
        if tok in _DECADES:
            found.append((float(_DECADES[tok]), i, i))
            i += 1
            continue
        if tok == "half" and tokens[i + 1 : i + 2] != ["-"]:  # "half of patients" (not "half-life")
            found.append((0.5, i, i))
            i += 1
            continue
        parsed = _word_number(tokens, i) if tok in _SMALL else None
        if parsed:
            value, used, is_fraction, numerator = parsed
            nxt = tokens[i + used] if i + used < len(tokens) else ""
            # "one" alone is usually a pronoun ("one of the side effects"): keep it only as a
            # quantity (a unit, a range, a fraction, "one hundred")
            ratio = any(t in _RATIO_WORDS for t in tokens[i + used : i + used + 3]) and any(
                t[0].isdigit() or t in _SMALL or t == "a" for t in tokens[i + used + 1 : i + used + 5]
            )
            if tok != "one" or used > 1 or is_fraction or nxt in _UNITS or nxt in _RANGE_JOIN or ratio:
                if not is_fraction or numerator == 1:  # "three quarters" is no "4 times"
                    found.append((value, i, i + used - 1))
            if is_fraction:  # "one-hundredth" is also 1 %, "three quarters" 75 %
                share = 100.0 * numerator / value
                fractions.append(Quantity(share, share, "percent", " ".join(tokens[i : i + used])))
                # "seven to eight tenths": the range's first end shares the denominator
                if found and found[-1][2] < i - 1 and tokens[found[-1][2] + 1] in _RANGE_JOIN:
                    if found[-1][2] + 2 == i and tokens[found[-1][2]] not in _UNITS and found[-1][0] < value:
                        first = found.pop()[0]
                        fractions.append(Quantity(100.0 * first / value, 100.0 * first / value, "percent",
                                                  f"{first:g} {tokens[i + used - 1]}"))  # fmt: skip
            i += used
            continue
        i += 1

    shares: list[Quantity] = []
    k = 0
    while k + 1 < len(found):  # "one in ten", "3 out of 4", "27 of every 100": a share of a whole
        (a, _fa, la), (b, fb, lb) = found[k], found[k + 1]
        gap = tuple(tokens[la + 1 : fb])
        if _ratio_gap(gap) and 0 < a <= b and tokens[lb + 1 : lb + 2] != ["%"]:
            shares.append(Quantity(100.0 * a / b, 100.0 * a / b, "percent", " ".join(tokens[_fa : lb + 1])))
            del found[k : k + 2]
            # "4 to 27 of every 100": the range's first end shares the whole
            if k > 0 and all(t in _RANGE_JOIN or t in ("from", "between") for t in tokens[found[k - 1][2] + 1 : _fa]):
                first = found[k - 1][0]
                if 0 < first <= b:
                    shares.append(Quantity(100.0 * first / b, 100.0 * first / b, "percent", f"{first:g} in {b:g}"))
                    del found[k - 1]
                    k -= 1
            continue
        k += 1

    quantities: list[Quantity] = shares + fractions
    units: list[str | None] = []
    for _value, first, last in found:
        nxt = tokens[last + 1] if last + 1 < len(tokens) else ""
        if tokens[first] == "half":
            units.append("half")
            continue
        units.append("times" if tokens[first] in _MULTIPLE else nxt if nxt in _UNITS else None)
    rates = [_rate_after(tokens, last + (0 if units[n] in ("times", "half") and tokens[first] in _MULTIPLE else 1))
             if units[n] else None for n, (_v, first, last) in enumerate(found)]  # fmt: skip
    # a range shares its unit and rate: "40 to 80 mg per day", "two to four hours", "10% to 75%"
    for k in range(len(found) - 2, -1, -1):
        if units[k] is None and units[k + 1] not in (None, "half"):
            gap = tokens[found[k][2] + 1 : found[k + 1][1]]
            if gap and all(g in _RANGE_JOIN or g in ("from", "between") for g in gap) and len(gap) <= 2:
                units[k] = units[k + 1]
                rates[k] = rates[k + 1]
    for (value, first, last), unit, per in zip(found, units, rates, strict=True):
        if unit == "half":  # a share: 50 percent, or 0.5 when compared bare
            quantities.append(Quantity(50.0, 0.5, "percent", "half"))
            continue
        if unit is None:
            quantities.append(Quantity(value, value, None, " ".join(tokens[first : last + 1])))
        else:
            dim, factor = _UNITS[unit]
            written = " ".join(tokens[first : last + 1]) + (
                "" if unit == "times" and first == last and tokens[first] in _MULTIPLE else f" {unit}"
            )
            quantities.append(Quantity(value * factor, value, dim, written + (f" per {per}" if per else ""), per))
    return tuple(quantities)


def _daily_totals(quantities: Sequence[Quantity]) -> list[Quantity]:
    """The day's total of a dose given so many times a day: "5 mg three times daily" is 15 mg a day."""
    doses = [q for q in quantities if q.unit in ("mass", "volume") and q.per in (None, "dose")]
    times = [q for q in quantities if q.unit == "times" and q.per == "day"]
    # every dose by every frequency: "5 mg to 20 mg, three to four times daily" runs from 15 to 80 mg a day
    return [
        Quantity(d.value * t.raw, d.raw * t.raw, d.unit, f"{d.value * t.raw:g} a day", "day")
        for d in doses
        for t in times
    ]


_DAILY = re.compile(r"(?i)\b(?:daily|a day|per day|each day|every day|total)\b")
#: A claim that rounds ("about a quarter", "just over one in four") may be off by this share.
_APPROXIMATE = re.compile(
    r"(?i)\b(?:about|approximately|roughly|around|nearly|almost|just (?:over|under)|close to)\b|~"
)
_ROUNDING = 0.1


_BOTH = re.compile(r"(?i)\b(?:both|dual|twofold|two-fold)\b")


def _list_counts(passage: str) -> set[float]:
    """How many members the passage's lists have: a claim may count them ("the three most common")."""
    counts = {float(len(items)) for items in enumerations(passage)}
    bullets = sum(1 for line in passage.splitlines() if re.match(r"\s*[-*•]\s+\S", line))
    if bullets > 1:
        counts.add(float(bullets))
    if _BOTH.search(passage):
        counts.add(2.0)
    return counts


#: Words that make the amount next to them a ceiling: "a maximum daily dose of 100 mg", "80 mg at most".
_CEILING = re.compile(
    r"(?i)\b(?:maximum|maximal|max|top|highest|ceiling|upper limit|cap|capped|at most|no more than|"
    r"not (?:to )?exceed|never (?:to )?exceed|should not exceed)\b"
)
_CEILING_AFTER = re.compile(r"^\W*(?:[\w.'-]+(?:\W+|$)){0,7}")
_CEILING_BEFORE = re.compile(r"(?:[\w.'-]+\W+){0,4}$")


def _ceilings(text: str) -> list[Quantity]:
    """The amounts `text` gives as a ceiling: the first amount with a unit in the few words after a
    ceiling word, or else the last one in the few words before it."""
    out = []
    for m in _CEILING.finditer(text):
        sentence_end = re.search(r"[.;!?](?:\s|$)", text[m.end() :])
        after = text[m.end() : m.end() + sentence_end.start()] if sentence_end else text[m.end() :]
        ahead = [q for q in extract_quantities(_CEILING_AFTER.match(after).group(0)) if q.unit]  # type: ignore[union-attr]
        behind = [q for q in extract_quantities(_CEILING_BEFORE.search(text[: m.start()]).group(0)) if q.unit]  # type: ignore[union-attr]
        if ahead:
            out.append(ahead[0])
        elif behind:
            out.append(behind[-1])
    return out


def _ceiling_mismatch(claim: str, passage: str) -> str | None:
    """A ceiling the claim gives that is not the passage's own ceiling for the same kind of amount
    ("the top daily dose is 80 mg" where the passage's 80 mg is the usual range and its maximum 100 mg)."""
    ours = _ceilings(claim)
    theirs = _ceilings(passage)
    for q in ours:
        same_kind = [p for p in theirs if p.unit == q.unit]
        if same_kind and not any(math.isclose(p.value, q.value, rel_tol=1e-6) for p in same_kind):
            return f"number: claim gives {q.text!r} as the ceiling; the passage's is {same_kind[0].text!r}"
    return None


def check_numbers(claim: str, passage: str) -> list[str]:
    """Reasons the claim's numbers are not the passage's (empty when every number matches)."""
    claim_q = extract_quantities(claim)
    if not claim_q:
        return []
    passage_q = extract_quantities(passage)
    totals = tuple(_daily_totals(passage_q))
    rounding = _ROUNDING if _APPROXIMATE.search(claim) else 0.0

    def _close(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=max(1e-6, rounding), abs_tol=1e-9)

    times_less = [p.raw for p in passage_q if p.unit == "times" and p.raw > 0] if _TIMES_LESS.search(passage) else []
    # a claim may count the passage's lists, unless the passage gives counts of its own ("these two methods")
    counts = set() if any(p.unit is None for p in passage_q) else _list_counts(passage)
    fraction_texts = {p.text for p in passage_q if p.unit == "percent"}
    reasons = []
    for q in claim_q:
        if 0 < q.raw < 1 and q.unit in (None, "times"):
            if any(p.unit == "percent" and _close(p.value / 100, q.raw) for p in passage_q):
                continue  # "a bioavailability of 0.7 to 0.8" for "70-80%"
            if q.unit == "times" and any(_close(1 / n, q.raw) for n in times_less):
                continue  # "0.01 times the dose" for "100 times less"
        if q.unit == "percent" and any(_close(100 / n, q.value) for n in times_less):
            continue  # "about 1% of the oral dose" for "100 times less than oral doses"
        if q.unit is None and q.raw in counts:
            continue  # "the three most common side effects" for a list of three
        # a dose with no frequency of its own in a claim about the day: "a daily total of 15 mg"
        per_day = q.per == "day" or (
            q.per is None
            and _DAILY.search(_PER_DAY.sub("daily", claim))
            and not any(x.unit == "times" for x in claim_q)
        )
        if q.unit is not None and per_day and any(p.unit == q.unit and _close(p.value, q.value) for p in totals):
            continue  # "15 mg a day" for "5 mg three times daily"
        if q.unit is not None:
            same = any(p.unit == q.unit and _close(p.value, q.value) for p in passage_q)
            if (
                same
                and q.per
                and not any(
                    p.unit == q.unit
                    and _close(p.value, q.value)
                    and p.per in ((q.per,) if q.per == "kg" else (None, q.per))
                    for p in passage_q
                )
            ):
                reasons.append(f"unit: claim says {q.text!r}; the passage gives it per another unit")
                continue
            # a fraction's denominator ("one-hundredth") answers "100 times less", not "100 times the dose"
            multiple = q.unit == "times" and not _TIMES_LESS.search(claim)
            bare = any(
                p.unit is None and _close(p.raw, q.raw) and not (multiple and p.text in fraction_texts)
                for p in passage_q
            )
            if same or bare:
                continue
            if multiple and any(p.text in fraction_texts and _close(p.raw, q.raw) for p in passage_q):
                reasons.append(f"number: claim's {q.text!r} is a multiple; the passage gives the fraction 1/{q.raw:g}")
            elif any(_close(p.raw, q.raw) for p in passage_q):
                reasons.append(f"unit: claim says {q.text!r}, the passage gives {q.raw:g} in another unit")
            else:
                reasons.append(f"number: claim's {q.text!r} is not in the passage")
        else:
            if any(_close(p.raw, q.raw) or _close(p.value, q.raw) for p in passage_q):
                continue
            reasons.append(f"number: claim's {q.text!r} is not in the passage")
    if not reasons and (ceiling := _ceiling_mismatch(claim, passage)):
        reasons.append(ceiling)
    return reasons


# --------------------------------------------------------------------------------------------
# Negation, direction, hedges, entities
# --------------------------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nor|neither|without|cannot|lacks?|lacking|absence|avoid(?:ed|s|ing)?|"
    r"prevent(?:s|ed|ing)?|fail(?:s|ed)? to|free of|contraindicated|contraindicates?|contraindication|"
    # a verb phrase that forbids: "rules it out", "is off the table", "advised against"
    r"rul(?:e|es|ed|ing) (?:\w+ )?out|off the table|off-limits|advised? against|advises against)\b|n't\b",
    re.IGNORECASE,
)
#: Words that carry a negation in their meaning: "treatment-resistant" is "has not responded to
#: treatment", "involuntary" spasms are ones the person "can't control", "rules it out" is "must not be
#: used", a "maximum" is what one "should never go above". They do not negate (a claim that says
#: "resistant" for "resistant" needs no cue), but a clause negated on one side only is a restatement
#: when the other side says it with one of these words and the negated side does not use that word.
_IMPLICIT_NEGATIVE = re.compile(
    r"(?i)\b(?:resist(?:ant|s|ance)?|refractory|unresponsive|non-?respon(?:ders?|sive)|fail(?:s|ed|ing|ure)?|intolera(?:ble|nt|nce)|involuntar(?:y|ily)|"
    r"uncontroll(?:ed|able)|unable|persistent|stubborn|hard-to-treat|difficult-to-treat|"
    r"maximum|ceiling|at most|out of (?:the |\w+'s? )?reach|minimal|unclear|unknown|uncertain|"
    r"rul(?:e|es|ed|ing) (?:\w+ )?out|advised? against|advises against|argues? against|off the table|"
    r"off-limits)\b"
)
#: Terms too general to tie a negative word to what a cue negates.
_TOPIC_WORDS = "baclofen drug medication medicine patient patients"
#: How many content words either side of a negative word it speaks of.
_IMPLICIT_REACH = 4
#: How many content words before a cue name what it is said of.
_SUBJECT_REACH = 2
#: "not fully understood", "isn't completely clear", "nobody is quite sure how": a hedge (in
#: `_STRONG_HEDGE`), not a negation.
_NOT_WHOLLY = (
    r"(?:\bnot|n't)\s+(?:fully|completely|entirely|totally)\b|"
    r"\b(?:nobody|no one|no-one)\s+(?:(?:is|really|fully|quite|completely|yet)\s+)*"
    r"(?:knows?|sure|understands?|certain)\b"
)
_NOT_NEGATION = re.compile(
    r"\b(?:not only|no longer than|no more than|whether or not|not exceeding|"
    r"(?:not|never) (?:to )?(?:exceed|go (?:above|over|beyond)|be (?:more|higher) than|rise above))\b"
    # a ceiling is a maximum, not a negation: "never going beyond 0.1 g", "shouldn't exceed 100 mg a day"
    r"|(?:\bnot|\bnever|n't)\s+(?:to\s+)?(?:be\s+)?(?:exceed\w*|go(?:ing)?\s+(?:above|over|beyond)|"
    r"(?:be\s+)?(?:taken?\s+)?(?:at\s+)?(?:more|higher|greater)\s+than)"
    r"|" + _NOT_WHOLLY,
    re.IGNORECASE,
)


#: Cues whose scope is the whole clause ("X is contraindicated", "X must be avoided"), not what follows
#: them; "a reason to avoid X" reaches forward only, and a purpose ("to prevent X", "to avoid X")
#: negates nothing.
_WHOLE_CLAUSE_CUE = re.compile(r"(?i)^(?:contraindicat|avoid)")
_TO_BEFORE = re.compile(r"(?i)\bto\s+$")  # "a reason to avoid X" reaches forward only
_PURPOSE_BEFORE = re.compile(r"(?i)(?<!\breason )(?<!\breasons )(?<!\bneed )(?<!\bway )(?<!\bgrounds )\bto\s+$")
#: How many content words after "not"/"no"/"without" the negation reaches.
_NEGATION_SCOPE = 5
_WORD_SPAN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")


def _mask_not_negation(clause: str) -> str:
    return _NOT_NEGATION.sub(lambda m: " " * len(m.group(0)), clause)


def _negated(clause: str) -> bool:
    return bool(_NEGATION.search(_mask_not_negation(clause)))


def _positioned_terms(clause: str) -> list[tuple[int, str]]:
    out = []
    for m in _WORD_SPAN.finditer(clause):
        for term in content_terms(m.group(0)):
            out.append((m.start(), term))
    return out


_SCOPE_COMMA = re.compile(r",\s*")


def _scope_end(clause: str, start: int) -> int:
    """Where a forward negation starting at `start` stops: at a comma, unless a list goes on after it.

    "not related to spinal spasticity, other treatments should be considered" stops at the comma;
    "not for epilepsy, kidney disease or stroke" goes on over the list's members.
    """
    for comma in _SCOPE_COMMA.finditer(clause, start):
        rest = clause[comma.end() :]
        segment = re.split(r",", rest, maxsplit=1)[0]
        toks = [t.lower() for t in _LIST_TOKEN.findall(segment)]
        while toks and toks[0] in _CONJUNCTIONS:
            toks = toks[1:]
        if _noun_phrase(toks) is None:
            return comma.start()
    return len(clause)


@lru_cache(maxsize=8192)
def _negated_terms(clause: str) -> frozenset[str]:
    """The terms of `clause` that are negated wherever they occur in it.

    A cue's scope is the next few content words up to a comma that does not continue a list
    ("baclofen is not indicated for muscular spasm"), or the whole clause for "contraindicated" and
    "X is avoided" and for a cue with nothing after it ("reassuring data are lacking"). Two cues on
    the same words cancel ("not contraindicated").
    """
    masked = _mask_not_negation(clause)
    terms = _positioned_terms(clause)
    cues = list(_NEGATION.finditer(masked))
    counts = [0] * len(terms)
    forward_ends: list[int] = []
    # "to prevent withdrawal", "to avoid this": a purpose names a risk; it does not deny what it names
    purposes = [c.start() for c in cues if _PURPOSE_BEFORE.search(masked[: c.start()])]
    for cue in cues:
        end = _scope_end(clause, cue.end())
        after = [i for i, (pos, _t) in enumerate(terms) if cue.end() <= pos < end]
        if cue.start() in purposes:
            continue
        if _WHOLE_CLAUSE_CUE.match(cue.group(0)) and not _TO_BEFORE.search(masked[: cue.start()]):
            if any(0 <= cue.start() - end <= 12 for end in forward_ends):
                continue  # "not contraindicated": the forward cue already covers it and they cancel
            # the whole clause, up to a purpose: "X must be avoided to prevent Y" negates X, not Y
            stop = min((p for p in purposes if p > cue.start()), default=len(clause))
            scope = [i for i, (pos, _t) in enumerate(terms) if not (cue.start() <= pos < cue.end()) and pos < stop]
        elif after:
            scope = after[:_NEGATION_SCOPE]
            forward_ends.append(cue.end())
        elif end < len(clause):
            scope = []  # "X, ...": what it negates is named elsewhere
        else:
            # nothing after it: the cue speaks of what comes before, back to a comma
            # ("since the kidneys clear it, kidney failure rules it out" negates the failure, not the kidneys)
            # ("for rheumatic spasm, no" reaches over the comma to the words it follows)
            starts = [0] + [c.end() for c in _SCOPE_COMMA.finditer(clause, 0, cue.start())]
            start = max(at for at in starts if at == 0 or any(at <= pos < cue.start() for pos, _t in terms))
            scope = [i for i, (pos, _t) in enumerate(terms) if start <= pos < cue.start()]
        for i in scope:
            counts[i] += 1
    negated: dict[str, bool] = {}
    for (_pos, term), n in zip(terms, counts, strict=True):
        negated[term] = negated.get(term, True) and n % 2 == 1
    return frozenset(t for t, neg in negated.items() if neg)


def _best_clause(claim_terms: set[str], clauses: list[tuple[str, set[str]]]) -> tuple[str, set[str], int] | None:
    best = None
    for text, terms in clauses:
        overlap = sum(1 for t in claim_terms if _covered(t, terms))
        if best is None or overlap > best[2]:
            best = (text, terms, overlap)
    return best


def _comma_stretch(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the stretch of `text` between commas that holds `text[start:end]`."""
    left = max((c.end() for c in _SCOPE_COMMA.finditer(text, 0, start)), default=0)
    right = next((c.start() for c in _SCOPE_COMMA.finditer(text, end)), len(text))
    return left, right


def _said_negatively(plain: str, negated: str) -> bool:
    """Whether `plain` says with a negative word what `negated` says with a cue ("resistant" for "doesn't respond").

    The negative word must not be the negated side's own ("not resistant" is no "resistant"), and the
    words around it must be among the ones the cue negates ("Poor kidney function does not change how
    it is cleared" is not what "hepatic metabolism is minimal" says).
    """
    # compared by their first letters: "never fail" is not said negatively by "pump failure"
    own = {m.group(0).lower().split()[-1][:4] for m in _IMPLICIT_NEGATIVE.finditer(negated)}
    words = [m for m in _IMPLICIT_NEGATIVE.finditer(plain) if m.group(0).lower().split()[-1][:4] not in own]
    if not words:
        return False
    denied = set(_negated_terms(negated)) or set(_term_set(negated))
    # and what the cue is said of: "spasticity that hasn't responded" is what "refractory spasticity" names
    negated_terms = _positioned_terms(negated)
    for cue in _NEGATION.finditer(_mask_not_negation(negated)):
        left, _right = _comma_stretch(negated, cue.start(), cue.end())
        denied.update([t for pos, t in negated_terms if left <= pos < cue.start()][-_SUBJECT_REACH:])
    denied -= set(content_terms(_TOPIC_WORDS))
    terms = _positioned_terms(plain)
    for m in words:
        # within the negative word's stretch between commas: "for refractory spasticity, allows for lower
        # doses" does not call the lower doses refractory
        left, right = _comma_stretch(plain, m.start(), m.end())
        # the word's own terms count too: "non-responders" names what "did not respond" denies
        before = [t for pos, t in terms if left <= pos < m.end()][-_IMPLICIT_REACH:]
        after = [t for pos, t in terms if m.end() <= pos < right][:_IMPLICIT_REACH]
        if any(_covered(t, denied) for t in before + after):
            return True
    return False


def _said_plainly_elsewhere(
    claim_terms: set[str], shared: set[str], negated_clause: str, clauses: list[tuple[str, set[str]]]
) -> bool:
    """Whether every shared term the passage's best clause negates stands un-negated in another of its
    clauses that the claim also matches ("for spasticity not responding to oral treatment, a pump ...;
    this allows doses 100 times less than oral administration": a claim about the oral dose speaks of
    the second clause)."""
    denied = {t for t in _negated_terms(negated_clause) if _covered(t, shared)}
    plain: set[str] = set()
    for text, terms in clauses:
        if text != negated_clause and sum(1 for t in claim_terms if _covered(t, terms)) >= 2:
            plain |= terms - _negated_terms(text)
    return bool(denied) and all(_covered(t, plain) for t in denied)


_PURPOSE = re.compile(r"(?i)\bto (?:prevent|avoid)\b")
#: How a claim names a consequence: "seizures can follow if it is stopped suddenly".
_CONSEQUENCE = re.compile(
    r"(?i)\b(?:if|when|once|risks?|risking|lead(?:s|ing)? to|caus(?:e|es|ing)|trigger(?:s|ing)?|"
    r"result(?:s|ing)? in|follows?|bring(?:s|ing)? on|provok(?:e|es|ing)|can|could|may|might)\b"
)


def _negation_zone(clause: str) -> set[str]:
    """What a clause's cues negate plus what each cue is said of (the few words before it, within its
    stretch between commas): "spasticity not responding to oral treatment" denies something of the
    spasticity as well as the response."""
    zone = set(_negated_terms(clause))
    terms = _positioned_terms(clause)
    masked = _mask_not_negation(clause)
    for cue in _NEGATION.finditer(masked):
        if _PURPOSE_BEFORE.search(masked[: cue.start()]):
            continue
        left, _right = _comma_stretch(clause, cue.start(), cue.end())
        zone.update([t for pos, t in terms if left <= pos < cue.start()][-_SUBJECT_REACH:])
    return zone


def _negated_alike(negated: set[str], other_clause: str) -> bool:
    """Whether the other side, negated too, denies the same things in other words ("when tablets don't
    help severe spasticity" for "severe spasticity not responding to oral treatment")."""
    if not negated or not _negated_terms(other_clause):
        return False
    zone = _negation_zone(other_clause)
    return all(_covered(t, zone) for t in negated)


def _restates_purpose(claim_clause: str, passage_clause: str) -> bool:
    """Whether the claim names as a consequence what the passage avoids something for: "X must be
    avoided to prevent Y" says that X brings Y, as "Y can follow X" does."""
    purpose = _PURPOSE.search(passage_clause)
    if not purpose or _PURPOSE.search(claim_clause) or _negated(claim_clause) or not _CONSEQUENCE.search(claim_clause):
        return False
    aims = set(_term_set(passage_clause[purpose.end() :])) - set(content_terms(_TOPIC_WORDS))
    return any(_covered(t, aims) for t in _term_set(claim_clause))


def _disagreement(clause: str, terms: set[str], best: tuple[str, set[str], int], passage_clauses: list) -> str | None:
    """Why a claim clause and one passage clause it matches disagree on negation, if they do."""
    shared = {t for t in terms if _covered(t, best[1])}
    shared |= {t for t in best[1] if _covered(t, terms)}
    claim_negated, passage_negated = _negated_terms(clause), _negated_terms(best[0])
    claim_neg = any(_covered(t, shared) for t in claim_negated)
    passage_neg = any(_covered(t, shared) for t in passage_negated)
    if passage_neg and not claim_neg and _said_plainly_elsewhere(terms, shared, best[0], passage_clauses):
        passage_neg = False
    if passage_neg and not claim_neg and _restates_purpose(clause, best[0]):
        passage_neg = False
    if claim_neg != passage_neg:
        own, other = (claim_negated, best[0]) if claim_neg else (passage_negated, clause)
        if _negated_alike({t for t in own if _covered(t, shared)}, other):
            claim_neg = passage_neg = True
    # a negative word both sides use must be negated on both or neither ("not a contraindication")
    flipped = any(
        t.startswith(("contraind", "avoid", "prevent")) and ((t in claim_negated) != (t in passage_negated))
        for t in shared
    )
    if (
        claim_neg != passage_neg
        and not flipped
        and _said_negatively(best[0] if claim_neg else clause, clause if claim_neg else best[0])
    ):
        return None
    if claim_neg != passage_neg or flipped:
        which = "claim" if claim_neg else "passage"
        return f"negation: only the {which} is negated ({best[0][:80]!r})"
    return None


def check_negation(claim: str, passage: str) -> list[str]:
    """A claim clause and its best-matching passage clause must agree on negation (of what they share);
    when several passage clauses match it equally well, one that agrees is enough."""
    passage_clauses = [(c, _term_set(c)) for c in split_clauses(_normalise(passage), relative=False)]
    reasons = []
    for clause in split_clauses(_normalise(claim), relative=False):
        terms = _term_set(clause)
        if len(terms) < 2:
            continue
        best = _best_clause(terms, passage_clauses)
        if best is None or best[2] < max(2, math.ceil(0.4 * len(terms))):
            continue
        tied = [(text, t) for text, t in passage_clauses if sum(1 for x in terms if _covered(x, t)) == best[2]]
        found = [_disagreement(clause, terms, (text, t, best[2]), passage_clauses) for text, t in tied]
        if all(found):
            reasons.append(found[0])  # type: ignore[arg-type]
    if not reasons and not _negated(_normalise(passage)):
        # a claim that negates what a passage without any negation says, wherever it aligns
        p_terms = _term_set(passage)
        for clause in split_clauses(_normalise(claim), relative=False):
            if any(_covered(t, p_terms) for t in _negated_terms(clause)) and not any(
                _said_negatively(c, clause) for c, _t in passage_clauses
            ):
                reasons.append("negation: only the claim is negated")
                break
    return reasons


#: axis -> (words that push up, words that push down)
_DIRECTION_WORDS: dict[str, tuple[list[str], list[str]]] = {
    "amount": (
        ["increase", "increases", "increased", "increasing", "raise", "raises", "raised", "elevate", "elevates",
         "elevated", "enhance", "enhances", "enhanced", "enhancing", "boost", "boosts", "rise", "rises", "higher",
         "greater", "amplify", "amplifies", "promote", "promotes", "promoting", "promoted", "stimulate",
         "stimulates", "stimulating", "activate", "activates", "activating", "open", "opens", "opening", "opened",
         "accelerate", "accelerates", "exaggerated", "high", "facilitate", "facilitates", "intensify", "intensifies",
         "strengthen", "strengthens", "worsen", "worsens", "exacerbate", "exacerbates", "aggravate", "aggravates",
         "potentiate", "potentiates", "augment", "augments", "accumulate", "accumulates", "prolong", "prolongs",
         "lengthen", "lengthens", "excite", "excites", "up", "widen", "widens", "widened"],
        ["decrease", "decreases", "decreased", "decreasing", "reduce", "reduces", "reduced", "reducing",
         "reduction", "low", "lower", "lowers", "lowered", "lowering", "diminish", "diminishes", "inhibit", "inhibits",
         "inhibited", "inhibiting", "inhibition", "block", "blocks", "blocked", "blocking", "suppress",
         "suppresses", "suppressing", "limit", "limits", "limiting", "restrict", "restricts", "attenuate",
         "attenuates", "decline", "declines", "drop", "drops", "fewer", "closes", "closing", "slow",
         "slows", "slowed", "impair", "impairs", "mitigate", "mitigates", "mitigation", "prevent", "prevents",
         "weaken", "weakens", "weakened", "antagonize", "antagonizes", "deplete", "depletes", "shorten",
         "shortens", "dampen", "dampens", "quiet", "quiets", "calm", "calms", "cut", "cuts", "cutting", "curb", "curbs",
         "curbing", "curbed", "lessen", "lessens", "lessened", "damp", "damps", "damped", "down", "blunt",
         "narrow", "narrows", "narrowed", "blunts", "blunted", "blunting"],
    ),
    "quality": (
        ["improve", "improves", "improved", "improving", "better", "benefit", "benefits", "ease", "eases",
         "alleviate", "alleviates", "relieve", "relieves", "relief"],
        ["worsen", "worsens", "worsened", "worse", "exacerbate", "exacerbates", "aggravate", "aggravates",
         "deteriorate", "deteriorates", "harm", "harms"],
    ),
    "receptor": (["agonist", "agonists", "activator"], ["antagonist", "antagonists", "blocker", "blockers"]),
    "speed": (["rapidly", "rapid", "quickly", "quick", "fast"], ["slowly", "delayed", "delays", "delay"]),
    "flow": (["influx", "inflow", "entry", "uptake", "into"], ["outflow", "efflux", "outward", "out"]),
}  # fmt: skip


@lru_cache(maxsize=1)
def _direction_table() -> dict[str, list[tuple[str, int]]]:
    table: dict[str, list[tuple[str, int]]] = {}
    for axis, (up, down) in _DIRECTION_WORDS.items():
        for w in up:
            table.setdefault(w, []).append((axis, 1))
        for w in down:
            table.setdefault(w, []).append((axis, -1))
    return table


_GENERIC_OBJECTS = frozenset(_canon(w) for w in ["baclofen", "drug", "medication", "patient", "patients", "level"])
_LOCAL_NEGATION = frozenset({"not", "no", "never", "cannot", "dont", "doesnt", "didnt", "wont", "without"})


#: "lower back", "higher centres": a place, not a direction.
_PLACE_WORDS = frozenset({"low", "lower", "upper", "higher"})
_BODY_PARTS = frozenset(
    """back limb limbs leg legs body esophageal oesophageal extremity extremities abdomen urinary airway airways
    motor brain centres centers""".split()
)


@lru_cache(maxsize=8192)
def _direction_form(word: str) -> str:
    """`word`, or the form of it the direction table lists ("boosting" -> "boost")."""
    table = _direction_table()
    if word in table:
        return word
    return next((form for form in sorted(_word_forms(word)) if form in table and form != word), word)


def _acts_on(toks: list[str], outer: int, inner: int | None) -> bool:
    """Whether the direction word at `outer` acts on the one at `inner` ("blocking the opening of"):
    close by with only function words between, and a verb or noun of amount, not an adverb ("slowly
    lowering" lowers)."""
    if inner is None or inner - outer > 3 or not all(t in STOP_WORDS for t in toks[outer + 1 : inner]):
        return False
    word = toks[outer]
    return not word.endswith("ly") and any(axis == "amount" for axis, _sign in _direction_table()[word])


#: Words of a level, not of a change: "a low dose" is set against "a high dose" or "increased tone", not
#: against "the dose is increased step by step".
_STATE_WORDS = frozenset({"low", "high"})


#: "push the threshold up", "bring pain scores down": the particle carries the direction of a plain verb.
_PARTICLES = frozenset({"up", "down"})


#: The plain verbs whose "up" or "down" says which way: "ramp up", "push the threshold up", "bring it down".
#: Others use the particle for something else ("end up", "loosen up", "free up", "break down").
_PARTICLE_VERBS = frozenset(
    """ramp ramps ramped ramping step steps stepped stepping push pushes pushed pushing drive drives drove
    driving bring brings brought bringing shut shuts shutting turn turns turned turning go goes went gone
    going come comes came coming crank cranks cranked jack jacks jacked scale scales scaled scaling build
    builds built building mark marks marked marking""".split()
)
#: How many words a particle may stand after its verb ("push the seizure threshold up").
_PARTICLE_REACH = 4


def _particle_of_other(toks: list[str], i: int) -> bool:
    """Whether the particle at `i` adds nothing: it follows a direction word ("cut down" is read from the
    verb), no particle verb stands close before it, or it is a bound ("up to 80 mg")."""
    if toks[i + 1 : i + 2] == ["to"] or (i > 0 and toks[i - 1] in _direction_table()):
        return True
    return not any(t in _PARTICLE_VERBS for t in toks[max(0, i - _PARTICLE_REACH) : i])


#: What a person can do more of: to improve it is to increase it ("improving range of joint movement").
_CAPACITIES = frozenset(_canon(w) for w in ("range", "mobility", "movement", "motion", "flexibility", "strength"))

#: Adverbs of frequency that do not end in -ly.
_FREQUENCY_ADVERBS = frozenset({"often", "sometimes", "seldom", "always", "never", "again"})


def _adverb(word: str) -> bool:
    return word.endswith("ly") or word in _FREQUENCY_ADVERBS


#: "a pressure-lowering effect", "pain-relieving": a compound names a kind of effect; it changes nothing
#: in the sentence, so it is read as one word.
_COMPOUND_ING = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+ing)\b")

#: How far before "into" a flow word or a change of amount is read with it.
_INTO_REACH = 6


_GIVE = frozenset({"give", "gives", "gave", "giving", "given"})
_LIMIT_NOUN_BEFORE = frozenset({"upper", "lower", "dose", "daily", "safe", "set"})


def _no_direction_idiom(toks: list[str], i: int) -> bool:
    """A direction word inside an idiom that names no change: "gives rise to" (causes), "the upper limit"."""
    before = toks[i - 1] if i > 0 else ""
    if toks[i] == "rise" and before in _GIVE and toks[i + 1 : i + 2] == ["to"]:
        return True
    return toks[i] in ("limit", "limits") and before in _LIMIT_NOUN_BEFORE


_FLOW_NOUNS = frozenset({"entry", "influx", "inflow", "uptake", "outflow", "efflux"})


def _less_of(toks: list[str], i: int) -> bool:
    """Whether "less" turns the direction word at `i` round: "less excited", "less easily excited", "less
    calcium entry" (not "less, fewer", a comparison itself, nor "less calcium into", read with "into")."""
    if toks[i] in _COMPARATIVE_SIGN or toks[i] in ("better", "worse", "into"):
        return False
    if i >= 1 and toks[i - 1] == "less":
        return True
    return i >= 2 and toks[i - 2] == "less" and (_adverb(toks[i - 1]) or toks[i] in _FLOW_NOUNS)


@lru_cache(maxsize=8192)
def _directions(
    text: str, window: tuple[int, int] = (3, 4)
) -> tuple[tuple[str, int, frozenset[str], frozenset[str], bool, str | None], ...]:
    """(axis, +1/-1, the content terms around the direction word, those after it, whether it is a level
    word, the term it stands right before if any) per direction word."""
    table = _direction_table()
    out = []
    for clause in split_clauses(_normalise(text)):
        # a direction word's other forms read as it ("boosting" as "boost"); the table keys them as written
        toks = [_direction_form(w) for w in words(_COMPOUND_ING.sub(r"\1\2", clause))]
        content = [i for i, w in enumerate(toks) if w not in STOP_WORDS and w not in _EXTRA_STOP and w not in table]
        hits = [i for i, w in enumerate(toks) if w in table and not (w in _PLACE_WORDS and toks[i + 1 : i + 2] and
                toks[i + 1] in _BODY_PARTS) and not (w in _PARTICLES and _particle_of_other(toks, i))
                and not _no_direction_idiom(toks, i)]  # fmt: skip
        for n, i in enumerate(hits):
            nxt = hits[n + 1] if n + 1 < len(hits) else None
            if _acts_on(toks, i, nxt):
                continue  # "blocking the opening of": the outer word acts on the inner one (below)
            outer = 1
            if n > 0 and _acts_on(toks, hits[n - 1], i):
                outer = table[toks[hits[n - 1]]][0][1]
            if toks[i] == "into":
                # "the entry of calcium into cells" says it once; "less calcium gets into cells" and "cuts how
                # much calcium flows into cells" turn it round
                near = toks[max(0, i - _INTO_REACH) : i]
                if any(axis == "flow" for t in near for axis, _s in table.get(t, ())):
                    continue
                amounts = [s for t in near for axis, s in ([("amount", -1)] if t == "less" else table.get(t, ()))
                           if axis == "amount"]  # fmt: skip
                outer = amounts[-1] if amounts else 1
            # the words up to the neighbouring direction words: beyond them are those words' objects
            lo = hits[n - 1] if n > 0 else -1
            hi = nxt if nxt is not None else len(toks)
            before = [toks[j] for j in content if lo < j < i][-window[0] :]
            after = [toks[j] for j in content if i < j < hi][: window[1]]
            objects = {_canon(t) for t in before + after if not _NUMBERISH.match(t)} - _GENERIC_OBJECTS
            # what it acts on; an adverb after it ("increased tone, often with spasms") is no object
            following = (
                frozenset(_canon(t) for t in after if not _NUMBERISH.match(t) and not _adverb(t)) - _GENERIC_OBJECTS
            )
            # "does not increase" points down; "not only increases" does not
            flip = any(t in _LOCAL_NEGATION and toks[k + 1 : k + 2] != ["only"]
                       for k, t in enumerate(toks[: i]) if k >= i - 3)  # fmt: skip
            # "less easily excited", "less calcium entry": less of the change is the other way
            flip = flip or _less_of(toks, i)
            # "titrate up rather than starting high" sets the high start aside
            flip = flip or any(
                toks[k : k + 2] in (["rather", "than"], ["instead", "of"]) for k in range(max(0, i - 3), i)
            )
            state = toks[i] in _STATE_WORDS
            # the word it stands before, unless a manner ("increased gradually")
            attached = _canon(toks[i + 1]) if i + 1 in content and not _adverb(toks[i + 1]) else None
            axes = list(table[toks[i]])
            if attached in _CAPACITIES and ("quality", 1) in axes:
                axes.append(("amount", 1))  # "improving range of movement" widens it
            for axis, sign in axes:
                sign = sign * outer
                out.append((axis, -sign if flip else sign, frozenset(objects), following, state, attached))
    return tuple(out)


_COMPARATIVE = re.compile(r"(?i)\b(more|less|greater|fewer|higher|lower|larger|smaller)\s+(?!than\b)([a-z]{3,})")
_COMPARATIVE_SIGN = {"more": 1, "greater": 1, "higher": 1, "larger": 1, "less": -1, "fewer": -1, "lower": -1,
                     "smaller": -1}  # fmt: skip


#: "works less well" is "less effective".
_COMPARED_AS = {"well": "effective"}


def _comparatives(text: str) -> set[tuple[int, str]]:
    return {
        (_COMPARATIVE_SIGN[m.group(1).lower()], _canon(_COMPARED_AS.get(m.group(2).lower(), m.group(2).lower())))
        for m in _COMPARATIVE.finditer(text)
    }


#: Relations whose two sides cannot swap: "A outweighs B" is not "B outweighs A". The sign turns a
#: comparison round: "A is less potent than B" says what "B is more potent than A" says.
_ORDERED = re.compile(
    r"(?i)\b(?:(?P<than>than|compared (?:to|with)|in comparison (?:to|with)|versus|vs|relative to)|"
    r"(?P<rel>outweighs?|outweighed|exceeds?|exceeded|surpass(?:es|ed)?|rather than|instead of))\b"
)
_COMPARATIVE_WORD = re.compile(
    r"(?i)\b(?:(?P<up>more|greater|higher|larger|better|stronger|superior)|"
    r"(?P<down>less|lesser|fewer|lower|smaller|worse|weaker|inferior))\b(?:\s+(?P<what>[a-z][a-z-]*))?"
)
_SIDE_TERMS = 4
#: "A and, to a lesser extent, B" ranks A over B as "A more than B" does.
_EXTENT = re.compile(
    r"(?i)\b(?:and|but|or)\s*,?\s*to an? (?:(?P<less>lesser|smaller|lower)|greater|larger|higher) "
    r"(?:extent|degree)\b\s*,?"
)


def _ordered_relations(text: str) -> list[tuple[str, dict[str, int], set[str], set[str]]]:
    """(relation, {compared attribute: sign}, terms before it, terms after it) per one-way relation.

    "A gives higher concentrations than B" and "A achieves higher concentrations compared to B" both
    read as ("than", {concentration: +1}, {A, ...}, {B}); a comparison with no comparative word
    ("reduces pain compared to placebo") counts as "more".
    """
    out = []
    for clause in split_clauses(_normalise(text)):
        for m in _ORDERED.finditer(clause):
            if m.group("rel"):
                out_sides = (m.group("rel").lower()[:5], {"": 1}, m.start())
            else:
                signs: dict[str, int] = {}
                first = m.start()
                for c in _COMPARATIVE_WORD.finditer(clause[: m.start()]):
                    what = content_terms(c.group("what") or "")
                    signs.setdefault(what[0] if what else "", 1 if c.group("up") else -1)
                    first = min(first, c.start())
                out_sides = ("than", signs or {"": 1}, first)
            rel, signs, start = out_sides
            before = set(content_terms(clause[:start]))
            after = set(content_terms(clause[m.end() :])[:_SIDE_TERMS])
            out.append((rel, signs, before, after))
        for m in _EXTENT.finditer(clause):
            ranked = {"": 1 if m.group("less") else -1}
            out.append(
                (
                    "than",
                    ranked,
                    set(content_terms(clause[: m.start()])),
                    set(content_terms(clause[m.end() :])[:_SIDE_TERMS]),
                )
            )
    return out


def _sign_for(signs: dict[str, int], other: dict[str, int]) -> tuple[int, int]:
    """The two relations' signs for the attribute they share (else their first comparisons)."""
    shared = [w for w in signs if w in other and w]
    if shared:
        return signs[shared[0]], other[shared[0]]
    return next(iter(signs.values())), next(iter(other.values()))


def _crossed_relations(claim: str, passage: str) -> list[tuple[str, bool]]:
    """The claim's one-way relations whose two sides the passage has the other way round, and whether
    the sign is the same too (then the claim reverses the relation; else it restates it turned round).

    Crossed: what the claim compares against is on the passage's subject side, what the passage
    compares against is on the claim's, and the two do not share it.
    """
    passage_rel = _ordered_relations(passage)
    out = []
    for rel, signs, before, after in _ordered_relations(claim):
        for p_rel, p_signs, p_before, p_after in passage_rel:
            if p_rel != rel or not after or not p_after:
                continue
            if after & p_before and p_after & before and not after & p_after:
                sign, p_sign = _sign_for(signs, p_signs)
                out.append((rel, sign == p_sign))
                break
    return out


def check_direction(claim: str, passage: str) -> list[str]:
    """A change the claim states must not point the other way in the passage, for the same thing."""
    crossed = _crossed_relations(claim, passage)
    reasons = [f"direction: the claim swaps the two sides of {rel!r}" for rel, same in crossed if same]
    if any(not same for _rel, same in crossed):
        return reasons  # "A is less X than B" for "B is more X than A": the comparatives rightly differ
    # "less sensitive" where the passage says "more sensitive"
    passage_cmp = _comparatives(_normalise(passage))
    passage_dirs = _directions(passage)
    for sign, word in _comparatives(_normalise(claim)):
        if (-sign, word) in passage_cmp and (sign, word) not in passage_cmp:
            reasons.append(f"direction: claim says {'more' if sign > 0 else 'less'} {word}; the passage the opposite")
            continue
        # "less sedated" where the passage says "increasing sedation"
        pointing = {
            p_sign
            for p_axis, p_sign, _o, p_following, _s, _a in passage_dirs
            if p_axis == "amount" and word in p_following
        }
        if pointing == {-sign} and (sign, word) not in passage_cmp:
            reasons.append(f"direction: claim says {'more' if sign > 0 else 'less'} {word}; the passage the opposite")
    if not passage_dirs:
        return reasons
    for axis, sign, objects, following, state, attached in _directions(claim):
        if not objects:
            continue
        # what a verb acts on usually follows it: those words count double
        scored = [
            (len(objects & p_obj) + len(following & p_obj), p_sign)
            for p_axis, p_sign, p_obj, _p_following, p_state, p_attached in passage_dirs
            if p_axis == axis
            # a level meets a level, or a word standing right before what the level is of ("increased tone")
            and (state == p_state or (state and p_attached in objects) or (p_state and attached in p_obj))
        ]
        scored = [s for s in scored if s[0] > 0]
        if not scored:
            continue
        top = max(s[0] for s in scored)
        signs = {s[1] for s in scored if s[0] == top}
        if sign not in signs:
            what = ", ".join(sorted(objects)[:3])
            reasons.append(f"direction: claim says {'up' if sign > 0 else 'down'} for {what}; the passage the opposite")
    return reasons


_CERTAINTY = re.compile(
    r"\b(?:approved|approval|proven|proved|established|definitely|definitive|certainly|always|guaranteed?|"
    r"confirmed|conclusively|standard|cures?|cured|all (?:patients|cases|people)|every (?:patient|case)|"
    r"universally|completely|entirely|fully|totally|inevitabl[ey]|invariabl[ey]|certain to|bound to|"
    r"in all|first-line|first line|treatment of choice|drug of choice)\b",
    re.IGNORECASE,
)
_STRONG_HEDGE = re.compile(
    r"\b(?:studied|investigated|investigation|explored|preliminary|suggests?|suggested|"
    r"promising|mixed results|more research|further research|under investigation|emerging|"
    r"some studies|candidate|off-label|tried|trialled|trialed|tested|experimental|hints?|"
    r"early (?:studies|data|evidence|research|trials)|inconsistent|conflicting|mixed|"
    # lay words for the same: "research points to", "researchers have looked at"
    r"points? to|pointing to|look(?:s|ed|ing)? (?:at|into)|examined)\b|" + _NOT_WHOLLY,
    re.IGNORECASE,
)
_WEAK_HEDGE = re.compile(
    r"\b(?:may|might|could|can|possibly|possible|perhaps|likely|some|sometimes|occasionally|potential(?:ly)?)\b",
    re.IGNORECASE,
)
#: Comparisons and superlatives: the passage has to make them itself.
_COMPARISON = re.compile(
    r"\b(?:the (?:most|least) (?:effective|common|important|dangerous|serious)|the best|the safest|superior to|"
    r"inferior to|more effective than|less effective than|safer than|better than|worse than|"
    r"preferred over|only (?:treatment|option|drug))\b",
    re.IGNORECASE,
)


_INDICATED = re.compile(r"(?i)\bis indicated\b|\bindicated for\b")


def check_hedge(claim: str, passage: str) -> list[str]:
    """A claim must not be more certain than the passage it rests on."""
    reasons = []
    claim_n, passage_n = _normalise(claim), _normalise(passage)
    # Certainty words the passage does not use, or uses only under a negation ("not originally approved")
    for m in _COMPARISON.finditer(claim_n):
        said = m.group(0).lower()
        if said == "the best" and re.search(r"(?i)\b(?:optimal|optimum|ideal|best)\b", passage_n):
            continue  # "the best results" where the passage says "optimal effect"
        if said not in passage_n.lower():
            reasons.append(f"hedge: claim compares ({m.group(0)!r}); the passage does not")
    certain = set()
    for clause in split_clauses(claim_n):
        if not _negated(clause):
            # "not completely understood" is a hedge; its "completely" claims nothing
            certain |= {m.group(0).lower() for m in _CERTAINTY.finditer(_STRONG_HEDGE.sub(" ", clause))}
    if certain:
        affirmed = set()
        for clause in split_clauses(passage_n):
            if not _negated(clause):
                # "not fully understood" affirms no "fully"
                affirmed |= {m.group(0).lower() for m in _CERTAINTY.finditer(_STRONG_HEDGE.sub(" ", clause))}
                if _INDICATED.search(clause):
                    affirmed |= {"approved", "approval"}  # a labelled indication is an approved use
        hedged = _STRONG_HEDGE.search(passage_n) or _WEAK_HEDGE.search(passage_n)
        for word in sorted(certain - affirmed):
            if hedged or _negated(passage_n):
                reasons.append(f"hedge: claim says {word!r}; the passage is tentative")
                break
    # A claim that drops a strong hedge: "reduces cravings" vs "has been explored for reducing cravings"
    if not reasons and not _STRONG_HEDGE.search(claim_n) and not _WEAK_HEDGE.search(claim_n):
        terms = _term_set(claim_n)
        clauses = [(c, _term_set(c)) for c in split_clauses(passage_n)]
        best = _best_clause(terms, clauses)
        if best and best[2] >= max(2, math.ceil(0.5 * len(terms))) and _STRONG_HEDGE.search(best[0]):
            hedge = _STRONG_HEDGE.search(best[0]).group(0)  # type: ignore[union-attr]
            reasons.append(f"hedge: the passage only says {hedge!r}; the claim states it as fact")
    return reasons


#: Families of named things (receptors, ions, organs, drugs, drug classes, conditions, transmitters,
#: side effects): naming one where the passage names another is a swap, and naming one the passage
#: does not mention at all is a claim of its own (`absent_candidates`).
_NAMED_FAMILIES: list[list[str]] = [
    ["gabaa", "gabab", "gabac", "nmda", "ampa", "glycine receptor", "opioid receptor", "dopamine receptor"],
    ["potassium", "calcium", "sodium", "chloride", "magnesium"],
    ["kidney|renal", "liver|hepatic", "lung|pulmonary", "heart|cardiac", "skin", "intestine", "stomach"],
    ["brain", "spinal cord", "peripheral nerves"],
    ["central nervous system|cns", "peripheral nervous system"],
    ["tizanidine", "dantrolene", "diazepam", "botulinum", "gabapentin", "pregabalin", "cyclobenzaprine",
     "carisoprodol", "methocarbamol", "clonazepam", "lorazepam", "morphine", "ibuprofen",
     "acetaminophen|paracetamol", "aspirin", "levodopa", "phenytoin", "carbamazepine", "naltrexone",
     "acamprosate", "disulfiram", "metoclopramide", "omeprazole", "tramadol", "codeine", "ketamine"],
    ["benzodiazepines", "opioids", "antihistamines", "alcohol", "antidepressants", "antipsychotics", "ssris",
     "nsaids", "anticonvulsants", "stimulants", "antibiotics", "anticoagulants", "beta blockers", "diuretics",
     "corticosteroids|steroids"],
    ["multiple sclerosis", "stroke", "cerebral palsy", "parkinson", "epilepsy", "fibromyalgia", "alzheimer",
     "dementia", "rheumatic|rheumatoid", "arthritis|osteoarthritis", "migraine|migraines", "spinal cord injuries",
     "spinal cord injury", "spinal stenosis", "huntington", "als", "infection", "diabetic neuropathy",
     "postherpetic neuralgia", "trigeminal neuralgia", "hiccups", "gerd|reflux", "alcohol use disorder",
     "cancer", "insomnia", "depression", "anxiety", "dystonia", "traumatic brain injury", "brain injuries",
     "schizophrenia", "psychosis|psychotic", "bipolar", "tetanus", "stiff person", "diabetes", "hypertension"],
    ["gaba", "glutamate", "dopamine", "serotonin", "acetylcholine", "norepinephrine", "histamine", "glycine",
     "substance p"],
    ["drowsiness", "dizziness", "nausea", "insomnia", "diarrhea", "constipation", "headache", "rash",
     "hallucinations", "seizures", "fever", "confusion", "fatigue", "weakness", "hypotension", "hypertension",
     "blurred vision", "dry mouth", "urinary retention", "respiratory depression", "weight gain", "tinnitus",
     "ataxia", "vomiting", "tremor", "depression"],
    ["fda", "ema"],
]  # fmt: skip
#: Families of mutually exclusive attributes and opposite poles (routes, sites, forms, populations,
#: early/late, mild/severe): naming one where the passage names another is a swap.
_ATTRIBUTE_FAMILIES: list[list[str]] = [
    ["oral|orally|by mouth", "intrathecal|intrathecally", "intravenous", "intramuscular", "topical",
     "subcutaneous", "transdermal", "rectal", "inhaled"],
    ["lumbar", "cervical", "thoracic"],
    ["upper", "lower"],
    ["agonist", "antagonist"],
    ["presynaptic", "postsynaptic"],
    ["polysynaptic", "monosynaptic"],
    ["excitatory", "inhibitory"],
    ["metabotropic", "ionotropic"],
    ["voltage-gated", "ligand-gated"],
    ["hyperpolarization|hyperpolarize|hyperpolarizes", "depolarization|depolarize|depolarizes"],
    ["motor neurons", "sensory neurons"],
    ["adenylate", "guanylate"],
    ["cyclic amp|camp", "cgmp"],
    ["tablets|tablet", "capsules|capsule", "injection", "patch", "granules", "liquid|solution|suspension"],
    ["adults", "children", "elderly", "infants|neonates|newborns", "adolescents|teenagers"],
    ["men|male", "women|female"],
    ["upper esophageal", "lower esophageal"],
    ["upper limbs", "lower limbs"],
    ["upper back", "lower back"],
    ["arms", "legs"],
    ["neuropathic", "nociceptive"],
    ["morning", "evening|night|bedtime"],
    # opposites: each member is a pole of synonyms ("a|b"); naming one pole where the passage says the other
    ["early|earlier", "late|later"],
    ["easier|easy", "harder|hard|more challenging|challenging|more difficult|difficult"],
    ["minimal|little|negligible", "extensive|extensively"],
    ["safe|harmless", "life-threatening|dangerous|fatal"],
    ["well-tolerated", "poorly tolerated"],
    ["room temperature", "refrigerator|fridge", "freezer|frozen"],
    ["mild", "severe"],
    ["acute", "chronic"],
    ["before", "after"],
    ["reversible", "irreversible|permanent"],
    ["increase|increased|higher", "decrease|decreased|reduced|lower"],
]  # fmt: skip
_ENTITY_FAMILIES = _NAMED_FAMILIES + _ATTRIBUTE_FAMILIES
#: Opposites that the passage must state when the claim does: a frequency is a claim of its own
#: ("less frequent" compares and does not claim one, see `_COMPARED_FREQUENCY`).
_REQUIRED_FAMILIES: list[list[str]] = [
    ["rare|rarely|seldom|infrequent|infrequently",
     "common|commonly|often|frequently|usually|typically|generally|hallmark"],
]  # fmt: skip


#: ... and "how often spasms happen" names a frequency without claiming one.
_COMPARED_FREQUENCY = re.compile(r"(?i)\b(?:less|more|how)\s+(?:frequent(?:ly)?|common(?:ly)?|often)\b")


def _poles(family: list[str]) -> list[tuple[str, list[tuple[str, ...]]]]:
    # a spelling that normalises into a negation ("unsafe" -> "not safe") would match its opposite
    return [
        (m.split("|")[0], [tuple(content_terms(v)) for v in m.split("|") if _normalise(v).lower() == v.lower()])
        for m in family
    ]


@lru_cache(maxsize=1)
def _families() -> list[tuple[list[tuple[str, list[tuple[str, ...]]]], bool]]:
    """Each family as its poles (label, the canonical term sequences of its spellings), and whether required."""
    return [
        (_poles(fam), required)
        for families, required in ((_ENTITY_FAMILIES, False), (_REQUIRED_FAMILIES, True))
        for fam in families
    ]


@lru_cache(maxsize=1)
def _named_poles() -> list[tuple[str, list[tuple[str, ...]]]]:
    """Every named thing of the named families, as (label, canonical term sequences of its spellings)."""
    return [pole for fam in _NAMED_FAMILIES for pole in _poles(fam)]


def _contains(seq: list[str], sub: tuple[str, ...]) -> bool:
    if not sub:
        return False
    n = len(sub)
    return any(tuple(seq[i : i + n]) == sub for i in range(len(seq) - n + 1))


def check_entities(claim: str, passage: str) -> list[str]:
    """A named thing of the claim (a receptor, ion, organ, drug, condition) the passage replaces with another."""
    c_terms, p_terms = content_terms(claim), content_terms(passage)
    # "less frequent" compares; it does not claim a frequency
    c_required = content_terms(_COMPARED_FREQUENCY.sub(" ", claim))
    reasons = []
    for poles, required in _families():
        terms = c_required if required else c_terms
        in_claim = [label for label, seqs in poles if any(_contains(terms, q) for q in seqs)]
        in_passage = [label for label, seqs in poles if any(_contains(p_terms, q) for q in seqs)]
        for label in in_claim:
            if label in in_passage:
                continue
            others = [o for o in in_passage if o not in in_claim]
            if others:
                reasons.append(f"entity: claim names {label!r}, the passage {others[0]!r}")
            elif required:
                reasons.append(f"hedge: claim says {label!r}, which the passage does not")
    return reasons


HARD_CHECKS = {
    "numbers": check_numbers,
    "negation": check_negation,
    "direction": check_direction,
    "hedge": check_hedge,
    "entity": check_entities,
}


def hard_check_reasons(claim: str, passage: str) -> list[str]:
    """All the veto reasons for a pair (empty when no check objects)."""
    reasons: list[str] = []
    for check in HARD_CHECKS.values():
        reasons.extend(check(claim, passage))
    return list(dict.fromkeys(reasons))


# --------------------------------------------------------------------------------------------
# Absent entities: a named thing of the claim that the passage never mentions
# --------------------------------------------------------------------------------------------
#
# Coverage counts a missing word as one term in ten; check_entities catches a swap only when the
# passage names another member of a family it knows. Neither stops "used in conditions such as
# gout, cerebral palsy, and brain injuries" against the passage that lists traumatic spinal cord
# injury in gout's place: eleven of twelve terms are there and the sentence embeddings agree. So a
# claim that names a thing the passage does not mention is unsupported, where a "thing" is
#
# - a member of a named family (a drug, condition, side effect, organ, receptor, transmitter);
# - a specialised word: one the embedding model's own tokenizer does not hold whole (its WordPiece
#   vocabulary keeps 22,501 frequent words whole and splits "gout" into "go ##ut"). Lay paraphrase uses
#   common words, and a split word is exactly where the embeddings are least able to tell a
#   swapped term from its neighbour ("gout" vs "arthritis");
# - a member of an enumeration ("A, B, and C", "such as A or B"): its position makes it a noun
#   phrase, however common its words.
#
# and "does not mention" means none of its words is in the passage (after stemming and the
# synonym map) and no passage word or pair of adjacent words is a near-synonym by the embedding
# model (cosine >= `absent_synonym` in the calibration: "tiredness"/"fatigue" 0.80 passes,
# "gout"/"injury" 0.31 does not). Words the judge's own lists read (synonym groups, direction
# words) are left to coverage and those checks, and the claim's opening phrase is left alone when
# the passage speaks of its subject as "it" or "this".


class AbsentCandidate(NamedTuple):
    """A thing the claim names and the passage has no word for (the judge then seeks a near-synonym)."""

    name: str  # as the claim writes it: "gout", "cerebral palsy"
    why: str  # "named" (a named family's member), "specialised" (rare word), "member" (of an enumeration)
    words: tuple[str, ...]  # the texts compared with the passage's words: the name and its words


_ANAPHOR = re.compile(r"(?i)(?:it|its|this|these|they|their|the (?:drug|medication|medicine))\b")
_DETERMINERS = frozenset({"the", "a", "an"})
_CONJUNCTIONS = frozenset({"and", "or"})
_LIST_CUES = (("such", "as"), ("including",), ("include",), ("includes",), ("e", "g"))
_LIST_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*|,")
#: Endings that leave a word as common as its base: "strengthens", "tiredness", "easily".
_ENDINGS = ("ness", "ing", "ly", "es", "ed", "s")


def _function_word(word: str) -> bool:
    """A word that carries no claim content: a stop word, a number or unit word, or a single letter."""
    return word in STOP_WORDS or word in _EXTRA_STOP or _quantity_word(word) or len(word) < 2


def _word_forms(word: str) -> set[str]:
    """The word and its likely bases: "strengthens" -> strengthen; "blurred" -> blur; "easily" -> easy."""
    forms = {word}
    if word.endswith(("ies", "ied", "ily")) and len(word) > 5:
        forms.add(word[:-3] + "y")
    for ending in _ENDINGS:
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3:
            forms |= {base, base + "e"}
            if base[-1] == base[-2]:
                forms.add(base[:-1])
    return forms


def tokenizer_words(encoder: Any) -> frozenset[str] | None:
    """The whole words of the embedding model's tokenizer vocabulary; None when it shows none.

    WordPiece marks word-inner pieces with "##"; SentencePiece and byte-level BPE mark
    word-initial pieces with "▁" or "Ġ" (then only those are whole words).
    """
    try:
        vocab = encoder.model.tokenizer.get_vocab()
    except Exception:  # a fake or an unusual model: the specialised-word rule is off
        return None
    pieces = [p for p in vocab if isinstance(p, str)]
    marked = [p[1:] for p in pieces if p[:1] in ("▁", "Ġ")]
    whole = marked if marked else [p for p in pieces if not p.startswith("##")]
    out = frozenset(w.lower() for w in whole if w.isalpha())
    return out or None


def _is_common(word: str, vocabulary: frozenset[str]) -> bool:
    return any(form in vocabulary for form in _word_forms(word))


@lru_cache(maxsize=1)
def _judge_vocabulary() -> frozenset[str]:
    """Stems of the words the judge's own lists read (synonym groups, direction words)."""
    return frozenset(set(_synonyms()) | {stem(w) for w in _direction_table()})


#: The longest opening phrase read as the claim's subject ("Oral baclofen", "Intrathecal doses").
_SUBJECT_WORDS = 3


def _leading_phrase(claim: str) -> set[str]:
    """The claim's opening words before its first function word: its subject, roughly.

    Empty unless a function word follows within `_SUBJECT_WORDS` words: a verbless fragment
    ("Catheter problems (dislodgement, blockage)") has no subject to stand for a pronoun.
    """
    out: list[str] = []
    for w in words(_normalise(claim)):
        if not out and w in _DETERMINERS:
            continue
        if _function_word(w) or w in _CONJUNCTIONS:
            return set(out)
        out.append(w)
        if len(out) > _SUBJECT_WORDS:
            break
    return set()


@lru_cache(maxsize=8192)
def anaphoric_subject(claim: str, passage: str) -> frozenset[str]:
    """The claim's subject words, when a passage sentence opens with "It", "This" or "The drug".

    Such a passage names its subject in a sentence it does not include ("It was first introduced
    in the 1960s"), so a claim that names it ("Baclofen was introduced in the sixties") is not
    naming anything new. Empty when no passage sentence opens that way.
    """
    if not any(_ANAPHOR.match(sentence) for sentence in split_sentences(passage)):
        return frozenset()
    return frozenset(_leading_phrase(claim))


def _noun_phrase(tokens: list[str]) -> list[str] | None:
    """`tokens` as a list member: up to five words, no function words but "of" (None otherwise)."""
    while tokens and tokens[0] in _DETERMINERS:
        tokens = tokens[1:]
    if not tokens or len(tokens) > 5 or tokens[0] in _CONJUNCTIONS:
        return None
    if any(t != "of" and (t in STOP_WORDS or t in _EXTRA_STOP) for t in tokens):
        return None
    return tokens


def _content_run(tokens: list[str], *, from_end: bool = False) -> list[str]:
    """The run of non-function words at the start (or end) of `tokens`."""
    seq = list(reversed(tokens)) if from_end else tokens
    run = []
    for t in seq:
        if t in STOP_WORDS or t in _EXTRA_STOP or t == ",":
            break
        run.append(t)
    return list(reversed(run)) if from_end else run


@lru_cache(maxsize=8192)
def enumerations(text: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The members of each enumeration in `text`, each member as its lower-cased words.

    Two shapes: a comma list of three or more short noun phrases ending in "and"/"or" ("A, B, and
    C", "A, B or C"), and what follows a cue ("such as A or B", "including A").
    """
    out: list[tuple[tuple[str, ...], ...]] = []
    for clause in re.split(r"[;:()]|\.\s+|\n+", _normalise(text)):
        toks = [t.lower().replace("'", "") for t in _LIST_TOKEN.findall(clause)]
        segments: list[list[str]] = [[]]
        for t in toks:
            if t == ",":
                segments.append([])
            else:
                segments[-1].append(t)
        for j, seg in enumerate(segments):
            conj = next((k for k, t in enumerate(seg) if t in _CONJUNCTIONS), None)
            if conj is None or j == 0 and conj == 0:
                continue
            last = _content_run(seg[conj + 1 :])
            items = [last] if last else []
            if conj > 0:  # "B and C": B is the item before the conjunction
                before = _noun_phrase(seg[:conj])
                if before is None or not last:
                    continue
                items.insert(0, before)
            for k in range(j - 1, -1, -1):  # back over the comma-separated items
                phrase = _noun_phrase(segments[k])
                if phrase is None:
                    head = _content_run(segments[k], from_end=True)
                    if head:
                        items.insert(0, head)
                    break
                items.insert(0, phrase)
            if len(items) >= 3:
                out.append(tuple(tuple(i) for i in items))
        for n in range(len(toks)):
            cue = next((c for c in _LIST_CUES if tuple(toks[n : n + len(c)]) == c), None)
            if cue is None:
                continue
            items, k = [], n + len(cue)
            while k < len(toks):
                run = _content_run(toks[k:])
                if not run:
                    break
                items.append(tuple(run))
                k += len(run)
                while k < len(toks) and (toks[k] == "," or toks[k] in _CONJUNCTIONS):
                    k += 1
            if items:
                out.append(tuple(items))
    return tuple(dict.fromkeys(out))


def absent_candidates(claim: str, passage: str, vocabulary: frozenset[str] | None = None) -> list[AbsentCandidate]:
    """The things `claim` names that `passage` has no word for (before the near-synonym look).

    Args:
        vocabulary: the common whole words (the embedding tokenizer's); None turns off the
            specialised-word part (named things and enumeration members are still checked).
    """
    p_terms, p_seq, c_seq = _term_set(passage), content_terms(passage), content_terms(claim)
    exempt = anaphoric_subject(claim, passage)
    written = content_words(claim)
    out: dict[str, AbsentCandidate] = {}
    for _label, seqs in _named_poles():
        hit = next((q for q in seqs if _contains(list(c_seq), q)), None)
        if hit is None or any(_contains(list(p_seq), q) for q in seqs) or all(_covered(t, p_terms) for t in hit):
            continue
        ws = list(dict.fromkeys(w for w, t in written if t in hit))
        if ws and not set(ws) <= exempt:
            name = " ".join(ws)
            out.setdefault(name, AbsentCandidate(name, "named", (name, *ws) if len(ws) > 1 else (name,)))
    if vocabulary is not None:
        joined = {"".join(re.split(r"[-_]", t.lower())) for t in _LIST_TOKEN.findall(claim) if re.search(r"[-_]", t)}
        known = _judge_vocabulary()
        for w, t in written:
            if w in joined or w in exempt or _covered(t, p_terms) or stem(w) in known or t in known:
                continue
            if _direction_form(w) != w:  # "quietens", "boosting": a form of a direction word
                continue
            if not _is_common(w, vocabulary):
                out.setdefault(w, AbsentCandidate(w, "specialised", (w,)))
    for members in enumerations(claim):
        for member in members:
            terms = [_canon(w) for w in member if not _function_word(w)]
            if not terms or any(_covered(t, p_terms) for t in terms) or set(member) <= exempt:
                continue
            name = " ".join(member)
            out.setdefault(name, AbsentCandidate(name, "member", (name, *member) if len(member) > 1 else (name,)))
    return list(out.values())


#: Words before a verb: a loose swap after them is an action, not a thing.
_VERB_CUES = frozenset("can could may might will would should must to does did do not never".split())


@lru_cache(maxsize=8192)
def slot_swaps(claim: str, passage: str, *, tight: bool = True) -> tuple[tuple[str, str], ...]:
    """(claim word, passage word) where the claim puts a word of its own inside the passage's noun phrase.

    "serious bleeding complications" against "serious withdrawal complications": three words in a row
    on both sides, the outer two the same and the middle one different. A paraphrase does this with
    a synonym, a near-miss with another thing; the judge tells them apart by the two words' meaning
    in context. Words the judge's own lists know (synonym groups, direction words) and adverbs are
    left to the other checks. `tight=False` also takes neighbours with function words between them
    ("sneezing that does not respond" for "hiccups that do not respond").
    """
    c, p = _content_runs(claim), _content_runs(passage)
    toks = words(_normalise(claim))
    # the passage word must be absent from the claim as written (synonym groups can be too wide here:
    # "withdrawal" the syndrome and "discontinuation" share one)
    p_terms, c_stems = _term_set(passage), {stem(w) for w, _t, _pos in c}
    known = _judge_vocabulary()
    out = []
    for i in range(1, len(c) - 1):
        word, term, pos = c[i]
        if _covered(term, p_terms) or term in _LIGHT_TERMS or word.endswith("ly") or stem(word) in known:
            continue
        if tight and not (c[i - 1][2] == pos - 1 and c[i + 1][2] == pos + 1):
            continue
        if not tight and toks[pos - 1 : pos][:1] and toks[pos - 1] in _VERB_CUES:
            continue  # "can climb to": a verb, not a thing put in another thing's place
        for k in range(1, len(p) - 1):
            if tight and not (p[k - 1][2] == p[k][2] - 1 and p[k + 1][2] == p[k][2] + 1):
                continue
            if p[k - 1][1] == c[i - 1][1] and p[k + 1][1] == c[i + 1][1] and not _covered(stem(p[k][0]), c_stems):
                out.append((word, p[k][0]))
    return tuple(dict.fromkeys(out))


def _passage_phrases(passage: str) -> list[str]:
    """The passage's content words and pairs of adjacent ones: what a near-synonym is sought among."""
    ws = [w for w, _t in content_words(passage)]
    return list(dict.fromkeys(ws + [f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False)]))


# --------------------------------------------------------------------------------------------
# The judge
# --------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Where the CLI keeps the judge's embedding cache: `cache/judge` beside the default index folder."""
    from index.settings import default_index_dir

    return default_index_dir().parent / "cache" / "judge"


def load_calibration(path: Path | None = None) -> dict[str, Any]:
    """The calibrated weights and threshold (the shipped JSON, or the built-in fallback)."""
    path = path or CALIBRATION_PATH
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return dict(_FALLBACK_CALIBRATION)
    merged = dict(_FALLBACK_CALIBRATION)
    merged.update(data)
    return merged


#: Terms every passage of this corpus is about, whether or not it names them: the drug and the people
#: taking it. A claim that says "baclofen" or "patients" where the passage says "it" or "those with
#: spasticity" adds nothing, so they are not counted (a swapped drug is the entity check's business).
_LIGHT_TERMS = frozenset(_canon(w) for w in ("baclofen", "patient", "use"))


def coverage(claim: str, passage: str) -> tuple[float, tuple[str, ...]]:
    """Share of the claim's content terms found in the passage, and the missing ones.

    The claim's subject counts as found when the passage refers to it as "it" (`anaphoric_subject`);
    the drug, its users and "use" are not counted (`_LIGHT_TERMS`).
    """
    terms = [t for t in dict.fromkeys(content_terms(claim)) if t not in _LIGHT_TERMS]
    if not terms:
        return 1.0, ()
    p_terms = _term_set(passage)
    subject = anaphoric_subject(claim, passage)
    referred = {t for w, t in content_words(claim) if w in subject}
    missing = tuple(t for t in terms if not _covered(t, p_terms) and t not in referred)
    return 1.0 - len(missing) / len(terms), missing


@lru_cache(maxsize=4096)
def _passage_units(passage: str) -> tuple[str, ...]:
    """The passage's sentences (only these are encoded; pairs and the whole are combined from them)."""
    return tuple(split_sentences(passage)) or (passage,)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class _CrossEncoderNli:
    """A local NLI cross-encoder folder loaded with sentence-transformers (never downloaded)."""

    def __init__(self, path: str | Path) -> None:
        from index.embeddings import _offline_env
        from index.errors import ModelError

        _offline_env()
        if not Path(path).expanduser().is_dir():
            raise ModelError(
                f"NLI model folder not found: {path}",
                hint="train the pair model with `make judge-model`, or give a local cross-encoder folder",
            )
        try:
            from sentence_transformers import CrossEncoder

            self.model = CrossEncoder(str(Path(path).expanduser()), device="cpu")
        except Exception as exc:
            raise ModelError(f"cannot load NLI model {str(path)!r} ({type(exc).__name__})") from None
        config = getattr(self.model, "config", None) or getattr(getattr(self.model, "model", None), "config", None)
        self.id2label = dict(getattr(config, "id2label", {}) or {})

    def predict(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        return np.asarray(self.model.predict(pairs, convert_to_numpy=True, show_progress_bar=False))


def load_nli(path: str | Path) -> NliModel:
    """A local model folder: the team's trained pair model (`rag.pairmodel`), else an NLI cross-encoder."""
    from rag.pairmodel import is_pair_model, load_pair_model

    return load_pair_model(path) if is_pair_model(path) else _CrossEncoderNli(path)


def _entailment_probs(nli: NliModel, pairs: list[tuple[str, str]]) -> np.ndarray:
    """Entailment probability per (passage, claim) pair from any `predict`-style NLI model.

    A 1-D output is read as one score per pair (a probability, or a logit when outside [0, 1]).
    A 2-D output holds per-label logits; the entailment column comes from the model's
    `id2label` when it has one, else the usual cross-encoder NLI order
    (contradiction, entailment, neutral) is assumed.
    """
    raw = np.asarray(nli.predict(pairs), dtype=np.float64)
    if raw.ndim == 1:
        if raw.min(initial=0.0) < 0.0 or raw.max(initial=0.0) > 1.0:
            return 1.0 / (1.0 + np.exp(-raw))
        return raw
    id2label = getattr(nli, "id2label", None) or {}
    column = 1
    for idx, label in dict(id2label).items():
        if "entail" in str(label).lower():
            column = int(idx)
    probs = raw if np.allclose(raw.sum(axis=1), 1.0, atol=1e-3) and raw.min() >= 0 else _softmax(raw)
    return probs[:, column]


class SupportJudge:
    """Decide whether a passage supports a claim, offline.

    Args:
        encoder: the embedding model (an `index.embeddings.Encoder`); loaded on first use when None.
        threshold: support threshold on the score; the calibrated one when None.
        nli: optional local model read beside the judge's own evidence: a folder (the pair model
            `python -m eval.train_judge` writes, or an NLI cross-encoder) or an object with
            `predict(pairs)` taking (passage, claim) pairs. Its probability is blended with the
            judge's score (weight `nli_weight`); a model with a `rule` sets the weight and threshold.
        calibration: path of a calibration JSON (default: `rag/judge_calibration.json`).
        cache_dir: a folder for a persistent embedding cache (texts as JSON, vectors as .npy, no
            pickle), so repeated runs do not re-encode the same sentences; None keeps it in memory.
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        *,
        threshold: float | None = None,
        nli: NliModel | str | Path | None = None,
        calibration: Path | None = None,
        cache_dir: Path | str | None = None,
    ) -> None:
        self._encoder = encoder
        self.calibration = load_calibration(calibration)
        self.threshold = float(self.calibration["threshold"] if threshold is None else threshold)
        if isinstance(nli, str | Path):
            nli = load_nli(nli)
        self.nli = nli
        #: With a model: its probability at or above this lifts a veto of the embedding-based entity
        #: checks (never one of the hard checks); None: no veto is lifted.
        self.nli_override: float | None = None
        rule = getattr(nli, "rule", None)  # a trained pair model carries the rule chosen on its validation pairs
        if isinstance(rule, dict) and {"nli_weight", "threshold"} <= set(rule):
            self.calibration = {**self.calibration, "nli_weight": float(rule["nli_weight"])}
            if threshold is None:
                self.threshold = float(rule["threshold"])
            if isinstance(rule.get("override"), int | float) and 0.0 <= rule["override"] <= 1.0:
                self.nli_override = float(rule["override"])
        self._vectors: dict[str, np.ndarray] = {}
        self._vocabulary: frozenset[str] | None | bool = False  # False: not looked up yet
        self._tokens_model: Any = False  # False: not looked up yet; None: the encoder has no token vectors
        self._words: dict[str, list[tuple[str, np.ndarray]]] = {}
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._saved = 0
        self._load_cache()

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from index.embeddings import Encoder

            self._encoder = Encoder()
        return self._encoder

    # -- embeddings, cached per text (answers cite the same passages again and again) ----------
    def _cache_files(self) -> tuple[Path, Path] | None:
        if self.cache_dir is None:
            return None
        if self._encoder is not None:
            name = str(getattr(self._encoder, "model_id", "model"))
        else:
            from index.settings import ModelSettings

            name = ModelSettings().name
        model = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
        return self.cache_dir / f"{model}.texts.json", self.cache_dir / f"{model}.vectors.npy"

    def _load_cache(self) -> None:
        files = self._cache_files()
        if not files or not files[0].is_file() or not files[1].is_file():
            return
        try:
            texts = json.loads(files[0].read_text(encoding="utf-8"))
            vectors = np.load(files[1], allow_pickle=False)
        except (OSError, ValueError):
            return  # a damaged cache is only a cache: start afresh
        if isinstance(texts, list) and vectors.ndim == 2 and len(texts) == len(vectors):
            self._vectors.update(zip(texts, vectors, strict=True))
            self._saved = len(texts)

    def save_cache(self) -> None:
        """Write the embedding cache (atomically) when new texts were encoded since the last save."""
        files = self._cache_files()
        if not files or len(self._vectors) == self._saved or not self._vectors:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            texts = list(self._vectors)
            tmp_t, tmp_v = files[0].with_suffix(".tmp.json"), files[1].with_suffix(".tmp.npy")
            tmp_t.write_text(json.dumps(texts), encoding="utf-8")
            np.save(tmp_v, np.stack([self._vectors[t] for t in texts]).astype(np.float32), allow_pickle=False)
            tmp_v.replace(files[1])
            tmp_t.replace(files[0])
            self._saved = len(texts)
        except OSError:
            pass  # a read-only place: the cache is an optimisation, never an error

    @property
    def cached_texts(self) -> int:
        """How many texts already have a vector (from the persistent cache or this session)."""
        return len(self._vectors)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts` through the judge's cache (rows in order)."""
        self._encode(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def _encode(self, texts: Iterable[str]) -> None:
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if len(self._vectors) + len(todo) > 100_000:  # a long-running process: keep the cache bounded
            self._vectors.clear()  # (before encoding: the caller reads this call's texts next)
            self._saved = 0
            todo = list(dict.fromkeys(texts))
        if todo:
            vecs = self.encoder.encode(todo)
            for text, vec in zip(todo, vecs, strict=True):
                self._vectors[text] = vec

    def similarity(self, claim: str, passage: str) -> float:
        """Best cosine between the claim and a sentence, two adjacent sentences, or the whole passage.

        Only sentences are encoded (a corpus has few, and they recur across passages); a span of
        sentences is represented by the normalised sum of their vectors.
        """
        units = _passage_units(passage)
        self._encode([claim, *units])
        c = self._vectors[claim]
        vecs = np.stack([self._vectors[u] for u in units])
        spans = [vecs]
        if len(units) > 1:
            spans.append(vecs[:-1] + vecs[1:])
        if len(units) > 2:
            spans.append(vecs.sum(axis=0, keepdims=True))
        allv = np.concatenate(spans)
        allv = allv / np.maximum(np.linalg.norm(allv, axis=1, keepdims=True), 1e-9)
        return float((allv @ c).max())

    def _soft_words(self, claim: str, passage: str, f_cov: float, missing: tuple[str, ...]) -> tuple[list, list]:
        """(missing claim words, passage words) worth a near-synonym look; empty when it cannot matter."""
        if not missing or f_cov < float(self.calibration["soft_min_coverage"]):
            return [], []
        missing_words = list(dict.fromkeys(w for w, t in content_words(claim) if t in missing))
        passage_words = list(dict.fromkeys(w for w, _t in content_words(passage)))
        if not missing_words or not passage_words:
            return [], []
        return missing_words, passage_words

    def _soft_credit(self, claim: str, passage: str, cov: float, missing: tuple[str, ...]) -> float:
        """Partial credit for missing claim words that have a near-synonym in the passage (word vectors)."""
        missing_words, passage_words = self._soft_words(claim, passage, cov, missing)
        if not missing_words:
            return 0.0
        lo, hi = self.calibration["soft_match"]
        self._encode(missing_words + passage_words)
        pm = np.stack([self._vectors[w] for w in passage_words])
        credit = 0.0
        for w in missing_words:
            best = float((pm @ self._vectors[w]).max())
            credit += min(1.0, max(0.0, (best - lo) / (hi - lo)))
        return credit * len(missing) / len(missing_words)  # per missing term

    # -- words in context: the model's token vectors, a word's pieces averaged ---------------------
    def _token_model(self) -> Any:
        """(tokenizer, transformer) of a sentence-transformers encoder; None for anything else (a fake)."""
        if self._tokens_model is False:
            try:
                st = self.encoder.model
                self._tokens_model = (st.tokenizer, st[0].auto_model)
                self._tokens_model[0]("probe", return_offsets_mapping=True)  # needs a fast tokenizer
            except Exception:
                self._tokens_model = None
        return self._tokens_model

    def _encode_words(self, texts: Iterable[str]) -> None:
        """Fill the in-context word vectors of `texts`: per text, (content word as written, unit vector)."""
        model = self._token_model()
        todo = list(dict.fromkeys(t for t in texts if t not in self._words))
        if model is None or not todo:
            return
        import torch

        tokenizer, transformer = model
        if len(self._words) + len(todo) > 50_000:
            self._words.clear()
        for start in range(0, len(todo), 32):
            batch = todo[start : start + 32]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=256, return_tensors="pt",
                            return_offsets_mapping=True)  # fmt: skip
            offsets = enc.pop("offset_mapping").tolist()
            with torch.inference_mode():
                hidden = transformer(**enc).last_hidden_state.float().numpy()
            for b, text in enumerate(batch):
                pieces: dict[int, list[int]] = {}
                for i, w in enumerate(enc.word_ids(b)):
                    if w is not None:
                        pieces.setdefault(w, []).append(i)
                out: list[tuple[str, np.ndarray]] = []
                for idx in pieces.values():
                    word = text[offsets[b][idx[0]][0] : offsets[b][idx[-1]][1]].lower()
                    if not word.isalpha() or _function_word(word):
                        continue
                    vec = hidden[b, idx].mean(axis=0)
                    out.append((word, vec / max(float(np.linalg.norm(vec)), 1e-9)))
                self._words[text] = out

    def _context_credit(self, claim: str, passage: str, missing: tuple[str, ...]) -> tuple[float, float] | None:
        """(credit per missing term, missing terms left unaligned) from words aligned in context.

        A claim word the passage lacks gets credit when a passage word in its own context stands
        where it stands ("carers ... taught" against "caregivers ... educated"): its in-context
        vector's best cosine with the passage's words, ramped between `ctx_match`. None when the
        encoder gives no token vectors.
        """
        if self._token_model() is None:
            return None
        if not missing:
            return 0.0, 0.0
        units = _passage_units(passage)
        self._encode_words([claim, *units])
        vecs_of_passage = [v for u in units for _w, v in self._words.get(u, [])]
        passage_vecs = np.stack(vecs_of_passage) if vecs_of_passage else None
        claim_words = self._words.get(claim, [])
        lo, hi = self.calibration["ctx_match"]
        credits = []
        for w, t in dict.fromkeys(content_words(claim)):
            if t not in missing:
                continue
            vecs = [v for cw, v in claim_words if cw == w]
            best = (
                max((float(np.max(passage_vecs @ v)) for v in vecs), default=0.0) if passage_vecs is not None else 0.0
            )
            credits.append(min(1.0, max(0.0, (best - lo) / (hi - lo))))
        if not credits:
            return 0.0, float(len(missing))
        per_term = sum(credits) / len(credits)
        return per_term * len(missing), float(sum(c < 0.5 for c in credits)) * len(missing) / len(credits)

    def features(self, claim: str, passage: str, *, soft: bool = True) -> Features:
        """The soft evidence; `soft=False` skips the near-synonym credits (for vetoed pairs)."""
        cov, missing = coverage(claim, passage)
        n_terms = len([t for t in dict.fromkeys(content_terms(claim)) if t not in _LIGHT_TERMS]) or 1
        credit = self._soft_credit(claim, passage, cov, missing) if soft else 0.0
        soft_cov = min(1.0, cov + credit / n_terms)
        ctx = self._context_credit(claim, passage, missing) if soft else (0.0, float(len(missing)))
        if ctx is None:  # no token vectors: the word-embedding credit stands in
            ctx_cov, ctx_missing = soft_cov, float(len(missing))
        else:
            ctx_cov, ctx_missing = min(1.0, cov + ctx[0] / n_terms), ctx[1]
        return Features(self.similarity(claim, passage), cov, len(missing), missing, soft_cov, ctx_cov, ctx_missing)

    @property
    def vocabulary(self) -> frozenset[str] | None:
        """The embedding tokenizer's whole words (common vocabulary); None when the model shows none."""
        if self._vocabulary is False:
            self._vocabulary = tokenizer_words(self.encoder)
        return self._vocabulary  # type: ignore[return-value]

    def _absent_reasons(self, passage: str, candidates: list[AbsentCandidate]) -> list[str]:
        """Veto reasons for the candidates with no near-synonym among the passage's words (vectors encoded)."""
        phrases = _passage_phrases(passage)
        self._encode([*phrases, *(w for c in candidates for w in c.words)])
        pm = np.stack([self._vectors[t] for t in phrases]) if phrases else None
        tau = float(self.calibration["absent_synonym"])
        reasons = []
        for c in candidates:
            best = max(float((pm @ self._vectors[w]).max()) for w in c.words) if pm is not None else 0.0
            if best < tau:
                reasons.append(f"entity: claim names {c.name!r}, which the passage does not mention")
        return reasons

    def _word_in_context(self, text: str, word: str) -> list[np.ndarray]:
        return [v for w, v in self._words.get(text, []) if w == word]

    def swap_reasons(self, claim: str, passage: str) -> list[str]:
        """Veto reasons for words the claim puts between the passage's own neighbours (`slot_swaps`)
        that mean something else: unlike in context (`swap_context`) and as words (`absent_synonym`)."""
        tight = slot_swaps(claim, passage)
        loose = [s for s in slot_swaps(claim, passage, tight=False) if s not in tight]
        swaps = [*tight, *loose]
        if not swaps or self._token_model() is None:
            return []
        units = _passage_units(passage)
        self._encode_words([claim, *units])
        self._encode([w for pair in swaps for w in pair])
        reasons = []
        for mine, theirs in swaps:
            ours = self._word_in_context(claim, mine)
            others = [v for u in units for v in self._word_in_context(u, theirs)]
            in_context = max((float(a @ b) for a in ours for b in others), default=1.0)
            as_words = float(self._vectors[mine] @ self._vectors[theirs])
            limit = float(self.calibration["swap_context"][0 if (mine, theirs) in tight else 1])
            if in_context < limit and as_words < float(self.calibration["absent_synonym"]):
                reasons.append(f"entity: claim says {mine!r} where the passage says {theirs!r}")
        return reasons

    def absent_entities(self, claim: str, passage: str) -> list[str]:
        """Veto reasons for things the claim names that the passage does not mention (see `absent_candidates`)."""
        candidates = absent_candidates(claim, passage, self.vocabulary)
        return self._absent_reasons(passage, candidates) if candidates else []

    def vetoes(self, claim: str, passage: str) -> list[str]:
        """Every reason the pair cannot be supported: the hard checks, else the absent-entity check."""
        return (
            hard_check_reasons(claim, passage)
            or self.absent_entities(claim, passage)
            or self.swap_reasons(claim, passage)
        )

    def _probability(self, f: Features) -> float:
        cal = self.calibration
        values = f.values()
        z = float(cal["bias"]) + sum(w * values[name] for name, w in zip(cal["features"], cal["weights"], strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def judge(self, claim: str, passage: str) -> Judgement:
        """Does `passage` support `claim`?"""
        return self.judge_many([(claim, passage)])[0]

    def _vetoes_many(
        self, live: list[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], list[str]], set[tuple[str, str]]]:
        """Veto reasons per (claim, passage) pair, and the pairs vetoed only by the embedding-based entity
        checks (absent or swapped entities), with one batched encode of everything the checks and the
        soft features need."""
        vetoes_for = {pair: hard_check_reasons(*pair) for pair in live}
        vocabulary = self.vocabulary if live else None
        absent_for = {pair: absent_candidates(*pair, vocabulary) for pair in live if not vetoes_for[pair]}
        # one batched encode: claims, passage sentences, the words the near-synonym credit needs, and
        # the absent-entity candidates with the passage words they are compared with
        needed = [t for c, p in live for t in (c, *_passage_units(p))]
        in_context = []  # texts whose words in context the credit for missing words needs
        for (c, p), candidates in absent_for.items():
            cov, missing = coverage(c, p)
            mw, pw = self._soft_words(c, p, cov, missing)
            needed += mw + pw
            if missing:
                in_context += [c, *_passage_units(p)]
            if candidates:
                needed += _passage_phrases(p) + [w for cand in candidates for w in cand.words]
        self._encode(needed)
        self._encode_words(in_context)
        entity_vetoed = set()
        for pair, candidates in absent_for.items():
            if candidates:
                vetoes_for[pair] = self._absent_reasons(pair[1], candidates)
            if not vetoes_for[pair]:
                vetoes_for[pair] = self.swap_reasons(*pair)
            if vetoes_for[pair]:
                entity_vetoed.add(pair)
        return vetoes_for, entity_vetoed

    def evidence_many(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, bool, bool, bool]]:
        """What a decision rule over the judge and a model is chosen on (`eval.train_judge`), per
        (claim, passage) pair and without any model: the judge's own probability, uncapped (with the
        near-synonym credits unless a hard check vetoes the pair), whether a hard check vetoes it,
        whether only the embedding-based entity checks do, and whether the claim quotes the passage."""
        pairs = [(str(c or ""), str(p or "")) for c, p in pairs]
        live = [(c, p) for c, p in pairs if c.strip() and p.strip()]
        vetoes_for, entity_vetoed = self._vetoes_many(live)
        out = []
        for pair in pairs:
            if pair not in vetoes_for:
                out.append((0.0, True, False, False))
                continue
            hard = bool(vetoes_for[pair]) and pair not in entity_vetoed
            score = self._probability(self.features(*pair, soft=not hard))
            out.append((score, hard, pair in entity_vetoed, quotes_passage(*pair)))
        return out

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        """Judge many pairs at once (one batched encode)."""
        pairs = [(str(c or ""), str(p or "")) for c, p in pairs]
        live = [(c, p) for c, p in pairs if c.strip() and p.strip()]
        vetoes_for, entity_vetoed = self._vetoes_many(live)
        nli_probs = None
        if self.nli is not None:
            flipped = [(p, c) for c, p in live]
            probs = iter(_entailment_probs(self.nli, flipped) if flipped else [])
            nli_probs = [next(probs) if c.strip() and p.strip() else 0.0 for c, p in pairs]
        out = []
        for i, (claim, passage) in enumerate(pairs):
            if not claim.strip() or not passage.strip():
                out.append(Judgement(False, 0.0, ["empty claim or passage"]))
                continue
            vetoes = vetoes_for[(claim, passage)]
            lifted = (
                vetoes
                and nli_probs is not None
                and self.nli_override is not None
                and (claim, passage) in entity_vetoed
                and float(nli_probs[i]) >= self.nli_override
            )
            if lifted:  # the model reads the pair as a restatement: the entity check's objection is lifted
                vetoes, overruled = [], [f"lifted by the model: {v}" for v in vetoes]
            else:
                overruled = []
            f = self.features(claim, passage, soft=not vetoes)
            score = self._probability(f)
            reasons = [f"similarity {f.sim:.2f}, coverage {f.coverage:.2f}"]
            if f.missing_terms:
                reasons.append("missing terms: " + ", ".join(f.missing_terms[:8]))
            if nli_probs is not None:
                w = float(self.calibration["nli_weight"])
                score = (1.0 - w) * score + w * float(nli_probs[i])
                reasons.append(f"nli entailment {float(nli_probs[i]):.2f}")
            quoted = quotes_passage(claim, passage)
            if quoted:
                reasons.append("the claim quotes the passage")
            if vetoes:
                score = min(score, float(self.calibration["veto_cap"]) * self.threshold)
                reasons = vetoes + reasons
            reasons = overruled + reasons
            out.append(Judgement(not vetoes and (quoted or score >= self.threshold), float(score), reasons))
        return out
