"""The curated domain data (`lexicon.json`) and term matching against corpus text.

The data are general pharmacology vocabulary (pools of plausible wrong answers by kind, topic
keywords, list cues, antonyms), never strings taken from the corpus documents. Matching is on
lower-cased, hyphen- and underscore-insensitive text, so "GABA-A", "GABA_A" and "GABAA" meet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.lexical import stem

LEXICON_PATH = Path(__file__).with_name("lexicon.json")


@dataclass(frozen=True)
class PoolTerm:
    """A curated candidate distractor."""

    term: str
    kind: str
    forms: tuple[str, ...]
    family: str = ""
    form: str = ""  # for drugs: "class" (opioids) or "drug" (tizanidine)
    note: str = ""


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """The parsed lexicon.json (cached)."""
    return json.loads(LEXICON_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def pools() -> dict[str, tuple[PoolTerm, ...]]:
    """Distractor pools by kind, in file order."""
    out: dict[str, tuple[PoolTerm, ...]] = {}
    for kind, entries in lexicon()["pools"].items():
        out[kind] = tuple(
            PoolTerm(
                e["term"],
                kind,
                tuple(e.get("forms", [e["term"]])),
                e.get("family", ""),
                e.get("form", ""),
                e.get("note", ""),
            )
            for e in entries
        )
    return out


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, curly quotes straightened, '-', '_' and runs of spaces unified to one space."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[-_]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """`fold` without any spaces ("GABA-B" -> "gabab"), for identifiers written several ways."""
    return fold(text).replace(" ", "")


def mentions(text: str, form: str) -> bool:
    """Does `text` mention `form`? Case-, hyphen- and underscore-insensitive.

    A form of four letters or fewer ("ppi", "cb1", "ampa") must be a whole word; a longer one may
    be a word prefix ("photosensitiv" matches "photosensitivity"), or appear with its separators
    dropped ("gaba-a" matches "GABAA").
    """
    folded, f = fold(text), fold(form)
    if not f:
        return False
    tail = "(?![a-z0-9])" if len(f) <= 4 else ""
    if re.search(rf"(?<![a-z0-9]){re.escape(f)}{tail}", folded):
        return True
    squashed = squash(form)
    return len(squashed) > 4 and " " in f and squashed in squash(text)


def content_stems(text: str) -> list[str]:
    """Stems of the non-generic content words of a term ("peripheral neuropathy" -> peripher, neuropathi)."""
    generic = set(lexicon()["generic_words"])
    out = []
    for w in re.findall(r"[a-z0-9]+", fold(text).replace("'s", "")):
        if len(w) < 3 or w in generic or w in ("and", "the", "with", "for", "from", "s"):
            continue
        out.append(stem(w))
    return out


def word_set(words: list[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def antonyms() -> dict[str, str]:
    """Word -> its opposite, both ways (first listing wins)."""
    table: dict[str, str] = {}
    for a, b in lexicon()["antonyms"]:
        table.setdefault(a, b)
        table.setdefault(b, a)
    return table


def negation_words() -> frozenset[str]:
    return word_set(lexicon()["negation_words"])


def hedge_words() -> frozenset[str]:
    return word_set(lexicon()["hedge_words"])


def leading_pronouns() -> frozenset[str]:
    return word_set(lexicon()["leading_pronouns"])
