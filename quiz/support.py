"""The support judge the quiz checks use: the project's `rag.judge.SupportJudge` when it is there.

`default_judge()` returns the eval session's offline judge (embedding similarity, content-term
coverage, and hard checks on numbers, negation, direction, hedges and swapped entities). Only if
that module cannot be imported does it fall back to `LexicalJudge`, a plain stand-in with the same
interface: a passage sentence supports a claim when it holds every number of the claim, agrees on
negation, and covers nearly all of the claim's content words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from index.lexical import STOP_WORDS, stem, words
from quiz.lexicon import negation_words
from quiz.quantities import find_quantities


class Judge(Protocol):
    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Any]: ...


@dataclass
class SimpleJudgement:
    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)


def _terms(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOP_WORDS and not w.isdigit() and len(w) > 1}


def _negated(text: str) -> bool:
    return bool({w.lower() for w in re.findall(r"[A-Za-z']+", text)} & negation_words())


class LexicalJudge:
    """A stand-in judge (used only when `rag.judge` cannot be imported)."""

    name = "lexical fallback"

    def __init__(self, coverage: float = 0.85) -> None:
        self.coverage = coverage

    def judge(self, claim: str, passage: str) -> SimpleJudgement:
        claim_terms = _terms(claim)
        claim_q = find_quantities(claim)
        best = 0.0
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", passage):
            if not sentence.strip():
                continue
            if _negated(sentence) != _negated(claim):
                continue
            passage_q = find_quantities(sentence)
            if any(not any(q.same_value(p) for p in passage_q) for q in claim_q):
                continue
            terms = _terms(sentence)
            cov = len(claim_terms & terms) / max(1, len(claim_terms))
            best = max(best, cov)
        return SimpleJudgement(best >= self.coverage, best, [f"coverage {best:.2f}"])

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[SimpleJudgement]:
        return [self.judge(c, p) for c, p in pairs]


def default_judge(encoder: Any = None) -> tuple[Judge, str]:
    """(judge, its name): `rag.judge.SupportJudge` on `encoder`, else the lexical stand-in."""
    try:
        from rag.judge import SupportJudge
    except ImportError:
        return LexicalJudge(), LexicalJudge.name
    return SupportJudge(encoder=encoder), "rag.judge.SupportJudge"
