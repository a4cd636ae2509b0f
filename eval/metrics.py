"""Evaluation metrics: retrieval, key facts, ALCE citation recall/precision, faithfulness, abstention.

- Retrieval (ir-measures, over pytrec_eval): recall@k, hit rate@k, MRR@10 and nDCG@10 over
  passages that hold a gold support quote. See `retrieval_metrics` for how ranked chunks
  become a run. (ranx gives the same figures but its numba set-up costs ~10-20 s a process.)
- Key-fact recall: a key fact is a list of alternative strings; it is recalled when any of them
  appears in the answer (case-insensitive, white space and typographic quotes/dashes normalised).
- Citation recall and precision follow ALCE (Gao et al., 2023, "Enabling Large Language Models to
  Generate Text with Citations"): a sentence is recalled when the concatenation of the passages it
  cites supports it; a citation is irrelevant when it does not support the sentence on its own
  AND the sentence's other citations still support it without it. Citations of an unsupported
  sentence are all counted as not precise, and a sentence without citations has recall 0.
  Unlike ALCE, a sentence that also cites an out-of-range passage number is judged on its valid
  citations; the out-of-range number counts as a wrong citation.
- Faithfulness: the share of answer sentences supported by the passages the system had
  (its cited passages jointly, or any one retrieved passage).
- Abstention precision/recall against the gold unanswerable questions; conflicts flagged;
  latency percentiles.

The support decisions come from any object with `judge_many(pairs) -> [Judgement]`
(`rag.judge.SupportJudge`). Nothing here loads a model by itself.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

# --------------------------------------------------------------------------------------------
# Text normalisation and key facts
# --------------------------------------------------------------------------------------------

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Lower case, typographic quotes and dashes made plain, runs of white space made one space."""
    return " ".join(str(text).translate(_TYPOGRAPHY).lower().split())


def fact_present(fact: Sequence[str] | str, answer: str) -> bool:
    """True when any alternative of `fact` occurs in `answer` (normalised substring)."""
    alternatives = [fact] if isinstance(fact, str) else list(fact)
    text = normalise(answer)
    return any(normalise(alt) and normalise(alt) in text for alt in alternatives)


def key_fact_recall(key_facts: Sequence[Sequence[str]], answer: str) -> float | None:
    """Share of the key facts found in the answer; None when there are no key facts."""
    if not key_facts:
        return None
    return sum(fact_present(f, answer) for f in key_facts) / len(key_facts)


# --------------------------------------------------------------------------------------------
# Citation markers
# --------------------------------------------------------------------------------------------

#: A run of citation markers: [1], [1][2], [1, 2], [1,2;3], [1-3], [ 2 ], and nested or doubled
#: brackets such as [[1]] or [2[3]]: brackets, digits, separators and spaces with a digit inside.
_MARKER = re.compile(r"\[[\d\s,;\-–\[\]]*\d[\d\s,;\-–\[\]]*\]")
_MAX_RANGE = 100  # "[1-100000]" is a typo, not a hundred thousand citations
#: A sentence end: terminal punctuation, closing quotes, markers that follow it, then white space
#: and a capital or digit. The cut is made after the markers (group 1), so they stay with it.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)]*(?:\s*\[[^\[\]\n]*\])*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def _sentence_pieces(text: str) -> list[str]:
    pieces, start = [], 0
    for m in _BOUNDARY.finditer(text):
        cut = m.start() + len(m.group(1))
        pieces.append(text[start:cut])
        start = m.end()
    pieces.append(text[start:])
    return pieces


def _marker_numbers(body: str) -> list[int]:
    numbers: list[int] = []
    body = re.sub(r"\s*[-–]\s*", "-", re.sub(r"[\[\]]", ",", body))
    for part in re.split(r"\s*[,;]\s*|\s+(?=\d)", body):
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part.strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= b and b - a < _MAX_RANGE:
                numbers.extend(range(a, b + 1))
            else:
                numbers.extend([a, b])
        elif part.strip().isdigit():
            numbers.append(int(part.strip()))
    return numbers


def parse_citations(text: str) -> tuple[str, list[int]]:
    """(the text without markers, the cited numbers in order of first appearance, de-duplicated)."""
    numbers: list[int] = []
    for m in _MARKER.finditer(text):
        numbers.extend(_marker_numbers(m.group(0)))
    clean = _MARKER.sub(" ", text)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split()))
    return clean.strip(), list(dict.fromkeys(numbers))


@dataclass
class CitedSentence:
    """One answer sentence: its text without markers and the passage numbers it cites."""

    text: str
    citations: list[int]


def split_answer(answer: str) -> list[CitedSentence]:
    """Split an answer into sentences and their citations.

    Markers after a sentence's full stop ("... daily. [1] Next ...") belong to that sentence.
    Sentences that are only markers or punctuation are dropped.
    """
    out = []
    for piece in _sentence_pieces(str(answer).strip()):
        for line in piece.split("\n"):
            text, cites = parse_citations(line)
            if re.search(r"[A-Za-z0-9]", text):
                out.append(CitedSentence(text, cites))
            elif cites and out:  # a line of markers alone cites the sentence before it
                out[-1].citations = list(dict.fromkeys(out[-1].citations + cites))
    return out


# --------------------------------------------------------------------------------------------
# ALCE citation recall / precision and faithfulness
# --------------------------------------------------------------------------------------------


class Judge(Protocol):
    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Any]: ...


def _join(passages: Sequence[str], numbers: Iterable[int]) -> str:
    return "\n".join(passages[n - 1] for n in numbers)


@dataclass
class SentenceScore:
    """How one sentence fared: support by its citations, which citations were precise."""

    text: str
    citations: list[int]
    invalid: list[int]  # cited numbers with no such passage
    supported: bool  # its valid citations jointly support it (ALCE recall)
    precise: list[int]  # the citations that count as relevant (ALCE precision)
    faithful: bool  # supported by its citations or by any one available passage


@dataclass
class CitationScore:
    """ALCE-style scores for one answer."""

    citation_recall: float
    citation_precision: float
    faithfulness: float
    n_sentences: int
    n_citations: int
    sentences: list[SentenceScore] = field(default_factory=list)

    @property
    def unsupported(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]

    @property
    def uncited(self) -> list[str]:
        return [s.text for s in self.sentences if not s.citations]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["unsupported"] = self.unsupported
        d["uncited"] = self.uncited
        return d


@dataclass
class CitationPlan:
    """The judge calls one answer needs (so that many answers can share one batched call)."""

    pairs: list[tuple[str, str]]
    rows: list[tuple[CitedSentence, list[int], list[int], int | None, dict[int, int], dict[int, int], list[int]]]


def plan_citations(
    sentences: Sequence[CitedSentence], passages: Sequence[str], *, context: Sequence[str] | None = None
) -> CitationPlan:
    """List the (claim, passage) pairs that ALCE scoring of one answer needs."""
    context = list(passages if context is None else context)
    index: dict[tuple[str, str], int] = {}

    def need(claim: str, passage: str) -> int:
        return index.setdefault((claim, passage), len(index))

    rows = []
    for s in sentences:
        valid = [n for n in s.citations if 1 <= n <= len(passages)]
        invalid = [n for n in s.citations if not 1 <= n <= len(passages)]
        joint = need(s.text, _join(passages, valid)) if valid else None
        alone: dict[int, int] = {}
        rest: dict[int, int] = {}
        if len(valid) > 1:
            alone = {n: need(s.text, passages[n - 1]) for n in valid}
            rest = {n: need(s.text, _join(passages, [m for m in valid if m != n])) for n in valid}
        each = [need(s.text, p) for p in context if p.strip()]
        rows.append((s, valid, invalid, joint, alone, rest, each))
    return CitationPlan(sorted(index, key=index.get), rows)  # type: ignore[arg-type]


def finish_citations(plan: CitationPlan, verdicts: Sequence[bool]) -> CitationScore:
    """Turn the judge's verdicts on `plan.pairs` into the answer's ALCE scores."""
    scored: list[SentenceScore] = []
    for s, valid, invalid, joint, alone, rest, each in plan.rows:
        supported = joint is not None and bool(verdicts[joint])
        if not supported:
            precise: list[int] = []
        elif len(valid) == 1:
            precise = list(valid)
        else:
            # irrelevant: does not support alone AND the others still support without it
            precise = [n for n in valid if verdicts[alone[n]] or not verdicts[rest[n]]]
        faithful = supported or any(verdicts[k] for k in each)
        scored.append(SentenceScore(s.text, list(s.citations), invalid, supported, precise, faithful))
    n = len(scored)
    n_cites = sum(len(s.citations) for s in scored)
    return CitationScore(
        citation_recall=sum(s.supported for s in scored) / n if n else 0.0,
        citation_precision=sum(len(s.precise) for s in scored) / n_cites if n_cites else 0.0,
        faithfulness=sum(s.faithful for s in scored) / n if n else 0.0,
        n_sentences=n,
        n_citations=n_cites,
        sentences=scored,
    )


def judge_plans(plans: Sequence[CitationPlan], judge: Judge) -> list[CitationScore]:
    """Score many answers with batched judge calls.

    The citation pairs are judged first; a sentence its citations support is faithful without
    looking further, so the pairs against every other passage are judged only for the rest.
    """
    verdicts: dict[tuple[str, str], bool] = {}

    def run(pairs: list[tuple[str, str]]) -> None:
        todo = list(dict.fromkeys(p for p in pairs if p not in verdicts))
        if todo:
            verdicts.update(zip(todo, (bool(j.supported) for j in judge.judge_many(todo)), strict=True))

    first = []
    for plan in plans:
        for _s, _valid, _invalid, joint, alone, rest, _each in plan.rows:
            keys = ([joint] if joint is not None else []) + list(alone.values()) + list(rest.values())
            first += [plan.pairs[k] for k in keys]
    run(first)
    second = []
    for plan in plans:
        for _s, _valid, _invalid, joint, _alone, _rest, each in plan.rows:
            if joint is None or not verdicts[plan.pairs[joint]]:
                second += [plan.pairs[k] for k in each]
    run(second)
    return [finish_citations(plan, [verdicts.get(p, False) for p in plan.pairs]) for plan in plans]


def score_citations(
    sentences: Sequence[CitedSentence],
    passages: Sequence[str],
    judge: Judge,
    *,
    context: Sequence[str] | None = None,
) -> CitationScore:
    """ALCE citation recall and precision, and faithfulness, for one answer.

    Args:
        sentences: the answer's sentences with their 1-based citation numbers.
        passages: the passages the numbers refer to.
        judge: the support judge.
        context: passages for faithfulness besides the cited ones (default: all `passages`).
    """
    return judge_plans([plan_citations(sentences, passages, context=context)], judge)[0]


# --------------------------------------------------------------------------------------------
# Retrieval (ir-measures)
# --------------------------------------------------------------------------------------------


def passage_holds(passage: str, quote: str) -> bool:
    """True when the passage contains the quote (normalised), or most of it when the quote
    straddles a chunk boundary (at least 60% of its words, in one run)."""
    p, q = normalise(passage), normalise(quote)
    if not q:
        return False
    if q in p:
        return True
    words = q.split()
    need = max(4, int(0.6 * len(words) + 0.5))
    if len(words) < need:
        return False
    return any(" ".join(words[i : i + need]) in p for i in range(len(words) - need + 1))


def retrieval_metrics(
    ranked: dict[str, list[str]],
    support: dict[str, list[str]],
    *,
    ks: Sequence[int] = (1, 4, 5, 10),
) -> dict[str, float]:
    """IR metrics over ranked passages, with ir-measures.

    Args:
        ranked: question id -> the retrieved passages' texts, best first.
        support: question id -> the gold support quotes (questions without any are skipped).

    The relevant items are the support quotes. A retrieved passage is labelled with the first
    support quote it holds that no higher passage already holds (else it is irrelevant), so
    recall@k is the share of support quotes covered by the top k, hit_rate@k the share of
    questions with any support in the top k, and MRR/nDCG are over those labels.
    """
    import ir_measures
    from ir_measures import RR, R, Success, nDCG

    qrels: list[ir_measures.Qrel] = []
    run: list[ir_measures.ScoredDoc] = []
    for qid, quotes in support.items():
        if not quotes or qid not in ranked:
            continue
        qrels += [ir_measures.Qrel(qid, f"q{i}", 1) for i in range(len(quotes))]
        seen: set[int] = set()
        passages = ranked[qid]
        for rank, passage in enumerate(passages):
            label = f"x{rank}"
            for i, quote in enumerate(quotes):
                if i not in seen and passage_holds(passage, quote):
                    seen.add(i)
                    label = f"q{i}"
                    break
            # distinct descending scores keep the system's order (trec_eval sorts by score)
            run.append(ir_measures.ScoredDoc(qid, label, float(len(passages) - rank)))
        if not passages:
            run.append(ir_measures.ScoredDoc(qid, "x-empty", 0.0))
    if not qrels:
        return {}
    measures = {f"recall@{k}": R @ k for k in ks}
    measures.update({f"hit_rate@{k}": Success @ k for k in ks})
    measures.update({"mrr@10": RR @ 10, "ndcg@10": nDCG @ 10})
    values = ir_measures.calc_aggregate(list(measures.values()), qrels, run)
    return {name: float(values[m]) for name, m in measures.items()}


def hit_at_k(passages: Sequence[str], quotes: Sequence[str], k: int) -> bool:
    """Any support quote held by one of the top k passages."""
    return any(passage_holds(p, q) for p in passages[:k] for q in quotes)


# --------------------------------------------------------------------------------------------
# Abstention, conflicts, latency
# --------------------------------------------------------------------------------------------


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float | int]:
    """Precision and recall of abstaining, taking the gold unanswerable questions as positives."""
    pairs = list(zip(abstained, unanswerable, strict=True))
    tp = sum(a and u for a, u in pairs)
    fp = sum(a and not u for a, u in pairs)
    fn = sum(u and not a for a, u in pairs)
    return {
        "abstention_precision": tp / (tp + fp) if tp + fp else 0.0,
        "abstention_recall": tp / (tp + fn) if tp + fn else 0.0,
        "abstained": tp + fp,
        "unanswerable": tp + fn,
    }


def conflict_scores(flagged: Sequence[bool], gold_conflict: Sequence[bool]) -> dict[str, float | int]:
    """Share of gold conflict questions whose answer flags a conflict, and false flags elsewhere."""
    pairs = list(zip(flagged, gold_conflict, strict=True))
    n_conf = sum(g for _f, g in pairs)
    n_other = len(pairs) - n_conf
    return {
        "conflicts_flagged": sum(f and g for f, g in pairs) / n_conf if n_conf else 0.0,
        "false_conflicts": sum(f and not g for f, g in pairs) / n_other if n_other else 0.0,
        "conflict_questions": n_conf,
    }


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """Mean, p50, p95 and max latency in milliseconds."""
    if not seconds:
        return {"latency_mean_ms": 0.0, "latency_p50_ms": 0.0, "latency_p95_ms": 0.0, "latency_max_ms": 0.0}
    ms = np.asarray(seconds, dtype=float) * 1000.0
    return {
        "latency_mean_ms": float(ms.mean()),
        "latency_p50_ms": float(np.percentile(ms, 50)),
        "latency_p95_ms": float(np.percentile(ms, 95)),
        "latency_max_ms": float(ms.max()),
    }


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); (0, 1) when n is 0.

    Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 of n:
    2 false accepts of 80 is 2.5 %, but anything from 0.7 % to 8.7 % fits.
    """
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def balanced_accuracy_interval(
    predicted: Sequence[bool], gold: Sequence[bool], *, reps: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95 % bootstrap interval of balanced accuracy, resampling true and false pairs separately.

    Deterministic for a given seed. Needs both classes; with one, it is that class's accuracy's interval.
    """
    y_pred, y_true = np.asarray(predicted, dtype=bool), np.asarray(gold, dtype=bool)
    right = y_pred == y_true
    groups = [right[y_true], right[~y_true]]
    groups = [g for g in groups if len(g)]
    if not groups:
        return 0.0, 1.0
    rng = np.random.default_rng(seed)
    means = [rng.choice(g, size=(reps, len(g)), replace=True).mean(axis=1) for g in groups]
    samples = np.mean(means, axis=0)
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return float(lo), float(hi)


def agreement_intervals(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, list[float]]:
    """95 % intervals of `agreement`'s balanced accuracy (bootstrap) and its two error rates (Wilson)."""
    y_pred, y_true = np.asarray(predicted, dtype=bool), np.asarray(gold, dtype=bool)
    negatives = ~y_true
    return {
        "balanced_accuracy": [round(v, 4) for v in balanced_accuracy_interval(y_pred, y_true)],
        "false_accept_rate": [round(v, 4) for v in wilson_interval(int(y_pred[negatives].sum()), int(negatives.sum()))],
        "false_reject_rate": [round(v, 4) for v in wilson_interval(int((~y_pred[y_true]).sum()), int(y_true.sum()))],
    }


def agreement_summary(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, Any]:
    """`agreement` rounded to 4 places, with its 95 % `intervals` (`agreement_intervals`): for reports."""
    stats: dict[str, Any] = {
        k: round(v, 4) if isinstance(v, float) else v for k, v in agreement(predicted, gold).items()
    }
    stats["intervals"] = agreement_intervals(predicted, gold)
    return stats


def agreement(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, float | int]:
    """Accuracy, balanced accuracy, Cohen's kappa and the false-accept rate of a binary judge."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score

    y_pred, y_true = np.asarray(predicted, dtype=bool), np.asarray(gold, dtype=bool)
    negatives = ~y_true
    both = bool(y_true.any() and negatives.any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one class only: kappa is undefined, reported as 0
        kappa = float(cohen_kappa_score(y_true, y_pred, labels=[False, True]))
        balanced = float(balanced_accuracy_score(y_true, y_pred)) if both else float(accuracy_score(y_true, y_pred))
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": balanced,
        "kappa": 0.0 if math.isnan(kappa) else kappa,
        "false_accept_rate": float(y_pred[negatives].mean()) if negatives.any() else 0.0,
        "false_reject_rate": float((~y_pred[y_true]).mean()) if y_true.any() else 0.0,
    }
