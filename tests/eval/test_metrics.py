"""Metrics with hand-computed values, and ALCE scoring with a scripted judge."""

from __future__ import annotations

import math

import pytest

from eval import metrics
from eval.metrics import CitedSentence
from rag.judge import Judgement


class SubstringJudge:
    """Supported when the claim's words all occur in the passage (deterministic, no model)."""

    def __init__(self):
        self.calls = 0

    def judge_many(self, pairs):
        self.calls += 1
        out = []
        for claim, passage in pairs:
            words = [w.strip(".,").lower() for w in claim.split()]
            ok = all(w in passage.lower() for w in words)
            out.append(Judgement(ok, 1.0 if ok else 0.0, []))
        return out


# --- key facts ---------------------------------------------------------------------------------


def test_key_fact_recall_any_alternative_case_and_space_insensitive():
    facts = [["5 mg", "5mg"], ["three times daily", "3 times a day"], ["100 mg"]]
    answer = "Start at 5MG,   three   times\nDAILY."
    assert metrics.key_fact_recall(facts, answer) == pytest.approx(2 / 3)
    assert metrics.fact_present(["it’s"], "It's fine")  # typographic apostrophes normalised
    assert metrics.key_fact_recall([], "anything") is None
    assert metrics.key_fact_recall([["x"]], "") == 0.0


# --- ALCE citation recall / precision ----------------------------------------------------------

P1 = "baclofen starts at 5 mg three times daily"
P2 = "the drug is excreted by the kidneys"
P3 = "tablets are stored at room temperature"


def test_alce_recall_and_precision_by_hand():
    judge = SubstringJudge()
    sentences = [
        CitedSentence("baclofen starts at 5 mg", [1]),  # supported, precise
        CitedSentence("excreted by the kidneys", [2, 3]),  # supported; [3] irrelevant
        CitedSentence("stored at room temperature", [1]),  # not supported by [1]
        CitedSentence("the drug is excreted", []),  # uncited
    ]
    score = metrics.score_citations(sentences, [P1, P2, P3], judge)
    # recall: 2 of 4 sentences; precision: [1] ok, [2] ok, [3] irrelevant, [1] wrong -> 2 of 4
    assert score.citation_recall == pytest.approx(0.5)
    assert score.citation_precision == pytest.approx(0.5)
    # faithfulness: sentence 3 and 4 are supported by some passage -> 4 of 4
    assert score.faithfulness == pytest.approx(1.0)
    assert score.unsupported == ["stored at room temperature", "the drug is excreted"]
    assert score.uncited == ["the drug is excreted"]


def test_alce_joint_support_keeps_both_citations():
    # neither passage alone supports the sentence, together they do: both citations are precise
    judge = SubstringJudge()
    s = [CitedSentence("baclofen kidneys", [1, 2])]
    score = metrics.score_citations(s, ["baclofen is a drug", "cleared by the kidneys"], judge)
    assert score.citation_recall == 1.0 and score.citation_precision == 1.0


def test_alce_out_of_range_citation_counts_as_wrong():
    judge = SubstringJudge()
    s = [CitedSentence("excreted by the kidneys", [2, 7]), CitedSentence("stored at room temperature", [0])]
    score = metrics.score_citations(s, [P1, P2], judge)
    assert score.sentences[0].invalid == [7] and score.sentences[1].invalid == [0]
    assert score.citation_recall == pytest.approx(0.5)  # the valid [2] supports the first
    assert score.citation_precision == pytest.approx(1 / 3)  # [2] right, [7] and [0] wrong


def test_empty_answer_scores_zero_without_judging():
    judge = SubstringJudge()
    score = metrics.score_citations([], [P1], judge)
    assert (score.citation_recall, score.citation_precision, score.n_sentences) == (0.0, 0.0, 0)


def test_judge_plans_skip_context_when_citations_support():
    calls = []

    class Counting(SubstringJudge):
        def judge_many(self, pairs):
            calls.append(list(pairs))
            return super().judge_many(pairs)

    plan = metrics.plan_citations([CitedSentence("baclofen starts at 5 mg", [1])], [P1], context=[P2, P3])
    [score] = metrics.judge_plans([plan], Counting())
    assert score.faithfulness == 1.0
    assert len(calls) == 1  # the context passages were never needed


# --- retrieval (ir-measures) -------------------------------------------------------------------


def test_retrieval_metrics_by_hand():
    ranked = {
        "a": ["nothing here", "The quote one is here.", "x", "y", "z"],  # first relevant at rank 2
        "b": ["quote two", "n", "n", "n", "n", "quote three"],  # 2 quotes: ranks 1 and 6
        "c": ["n"] * 10,  # no support retrieved
    }
    support = {"a": ["quote one"], "b": ["quote two", "quote three"], "c": ["quote four"], "d": []}
    m = metrics.retrieval_metrics(ranked, support, ks=(1, 5))
    assert m["hit_rate@1"] == pytest.approx(1 / 3)
    assert m["hit_rate@5"] == pytest.approx(2 / 3)
    assert m["recall@5"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["mrr@10"] == pytest.approx((0.5 + 1 + 0) / 3)
    # nDCG@10 for b: DCG = 1 + 1/log2(7); IDCG = 1 + 1/log2(3)
    ndcg_a = (1 / math.log2(3)) / 1
    ndcg_b = (1 + 1 / math.log2(7)) / (1 + 1 / math.log2(3))
    assert m["ndcg@10"] == pytest.approx((ndcg_a + ndcg_b + 0) / 3, abs=1e-4)


def test_passage_holds_quote_across_a_chunk_boundary():
    quote = "Baclofen is commonly administered orally, starting with 5 mg three times daily."
    assert metrics.passage_holds("... Baclofen is commonly administered orally, starting with 5 mg", quote)
    assert not metrics.passage_holds("Baclofen is commonly given.", quote)
    assert metrics.hit_at_k(["a", "b", quote], [quote], 3) and not metrics.hit_at_k(["a", "b", quote], [quote], 2)


# --- abstention, conflicts, latency, agreement ---------------------------------------------------


def test_abstention_conflicts_latency_agreement():
    ab = metrics.abstention_scores([True, True, False, False], [True, False, True, False])
    assert ab["abstention_precision"] == 0.5 and ab["abstention_recall"] == 0.5
    cf = metrics.conflict_scores([True, False, True, False], [True, True, False, False])
    assert cf["conflicts_flagged"] == 0.5 and cf["false_conflicts"] == 0.5
    lat = metrics.latency_summary([0.01, 0.02, 0.03, 0.04])
    assert lat["latency_p50_ms"] == pytest.approx(25.0) and lat["latency_max_ms"] == pytest.approx(40.0)
    ag = metrics.agreement([True, True, False, False], [True, False, False, False])
    assert ag["accuracy"] == 0.75
    assert ag["balanced_accuracy"] == pytest.approx((1.0 + 2 / 3) / 2)
    assert ag["false_accept_rate"] == pytest.approx(1 / 3)
    # kappa: po = 0.75, pe = 0.5*0.25 + 0.5*0.75 = 0.5 -> 0.5
    assert ag["kappa"] == pytest.approx(0.5)


def test_wilson_interval_known_values():
    # 5 of 10: the textbook Wilson interval is 0.237-0.763
    assert metrics.wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    lo, hi = metrics.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)  # none seen is not "never"
    lo, hi = metrics.wilson_interval(2, 80)
    assert lo < 0.025 < hi and hi > 0.05  # 2.5 % false accepts of 80 cannot show "at most 5 %"
    assert metrics.wilson_interval(0, 0) == (0.0, 1.0)


def test_balanced_accuracy_interval_shrinks_with_more_pairs_and_is_repeatable():
    gold = [True] * 40 + [False] * 40
    pred = [True] * 30 + [False] * 10 + [False] * 36 + [True] * 4  # recall 0.75 and 0.9: balanced 0.825
    lo, hi = metrics.balanced_accuracy_interval(pred, gold)
    assert lo < 0.825 < hi
    assert metrics.balanced_accuracy_interval(pred, gold) == (lo, hi)
    lo4, hi4 = metrics.balanced_accuracy_interval(pred * 4, gold * 4)
    assert lo4 < 0.825 < hi4 and hi4 - lo4 < (hi - lo) * 0.7
    assert metrics.balanced_accuracy_interval([True] * 5, [True] * 5) == (1.0, 1.0)
