"""Measure `bqa ask` against the gold set's dev split (issue 3's acceptance figures).

Run: `.venv/bin/python -m rag.devmeasure [--split dev] [--gold eval/data/gold.jsonl] [--verbose] [--json]`

Figures:
- key-fact recall: mean over answerable, lay and conflict questions of the share of key facts
  (any alternative, case-insensitive substring) found in the answer text; an abstention scores 0.
- citation precision (ALCE, with the support judge), per answer then averaged; also without the
  conflict note ("The sources differ on ..."), which is our sentence, cites both sides and is
  never found in either passage alone (its correctness is the conflicts figure).
- citation on topic: share of the citations given as support (not closest_only) in those answers
  whose quote holds a key fact of the question or overlaps one of its gold support quotes.
- abstention: share of unanswerable questions that abstain; false abstentions: share of the
  others that abstain.
- conflicts: share of questions with a gold `conflict` label whose answer lists a conflict, and
  the share of the other answered questions that list one anyway (false conflicts).
- median answer length in words (markers [n] not counted), over answered questions.
- cost: warm seconds per extra question in one batch of all questions (as `bqa ask --stdin`
  runs it) against the warm seconds to embed one question alone with the same model.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from index.settings import PROJECT_ROOT


def load_gold(path: Path, split: str | None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split in (None, "all") or r.get("split") == split]


def _support_spans(row: dict, documents: dict) -> list[tuple[str, int, int]]:
    spans = []
    for sup in row.get("support", []):
        doc = documents.get(sup["doc_id"])
        if doc is None:
            continue
        i = doc.text.find(sup["quote"])
        if i >= 0:
            spans.append((sup["doc_id"], i, i + len(sup["quote"])))
    return spans


def fact_hits(answer_text: str, key_facts: list[list[str]]) -> list[bool]:
    low = answer_text.lower()
    return [any(alt.lower() in low for alt in fact) for fact in key_facts]


def _alce(system, rows: list[dict], answers: list) -> dict:
    """ALCE citation precision/recall and faithfulness with the support judge (eval.metrics), if present."""
    try:
        from eval import metrics
        from rag.judge import SupportJudge
    except ImportError:
        return {}
    judge = SupportJudge(system.index.encoder)
    plans, plans_source = [], []
    for row, a in zip(rows, answers, strict=True):
        if a.abstained or not a.sentences or row["category"] == "unanswerable":
            continue
        cites = sorted(a.citations, key=lambda c: c.n)
        numbers = [c.n for c in cites]
        position = {n: i + 1 for i, n in enumerate(numbers)}
        passages = [c.quote for c in cites]
        sentences = [
            metrics.CitedSentence(s.text, [position.get(n, len(passages) + n) for n in s.citations])
            for s in a.sentences
        ]
        plans.append(metrics.plan_citations(sentences, passages))
        # the conflict note ("The sources differ on ...") is our sentence, not a source's: no passage
        # states that the sources differ, so the judge never finds it; conflicts_flagged checks it
        plans_source.append(metrics.plan_citations(sentences[1:] if a.conflicts else sentences, passages))
    scores = metrics.judge_plans(plans, judge)
    if not scores:
        return {}
    source_scores = metrics.judge_plans(plans_source, judge)
    return {
        "citation_precision": round(statistics.mean(s.citation_precision for s in scores), 4),
        "citation_recall": round(statistics.mean(s.citation_recall for s in scores), 4),
        "faithfulness": round(statistics.mean(s.faithfulness for s in scores), 4),
        "citation_precision_source_sentences": round(statistics.mean(s.citation_precision for s in source_scores), 4),
        "unsupported": [u for s in scores for u in s.unsupported],
    }


def measure_cost(system, questions: list[str], *, repeats: int = 3) -> dict:
    """Warm seconds per extra question in one batch against embedding one question alone.

    Both are timed in the same run, `repeats` times, keeping the best of each (the machine is
    shared, so the minimum is the least disturbed measurement). Per extra question:
    (batch of all - batch of one) / (n - 1); embedding alone: median over the questions of
    `encoder.encode([question])`.
    """
    enc = system.index.encoder
    per_extra, alone = [], []
    forget = getattr(system, "forget_vectors", lambda: None)  # a cached question vector is not a cost
    for _ in range(repeats):
        forget()
        t0 = time.perf_counter()
        system.ask_many(questions)
        forget()
        batch = time.perf_counter() - t0
        t0 = time.perf_counter()
        system.ask_many(questions[:1])
        one = time.perf_counter() - t0
        per_extra.append((batch - one) / max(1, len(questions) - 1))
        times = []
        for q in questions:
            t0 = time.perf_counter()
            enc.encode([q])
            times.append(time.perf_counter() - t0)
        alone.append(statistics.median(times))
    best_extra, best_alone = min(per_extra), min(alone)
    return {
        "seconds_per_extra_question": round(best_extra, 5),
        "seconds_embed_question_alone": round(best_alone, 5),
        "cost_ratio": round(best_extra / best_alone, 3) if best_alone else None,
    }


def measure(system, rows: list[dict], *, verbose: bool = False) -> dict:
    questions = [r["question"] for r in rows]
    system.ask_many(questions[:2])  # warm up (model loaded, caches filled)
    answers = system.ask_many(questions)
    cost = measure_cost(system, questions)
    alce = _alce(system, rows, answers)
    recalls, precise, n_cites, lengths = [], 0, 0, []
    unans = unans_abst = ans_total = false_abst = 0
    conf_total = conf_flag = other_conf = other_answered = 0
    table = []
    for row, a in zip(rows, answers, strict=True):
        imprecise = []
        cat = row["category"]
        text = re.sub(r"\[\d+\]", "", a.answer)
        if cat == "unanswerable":
            unans += 1
            unans_abst += a.abstained
        else:
            ans_total += 1
            false_abst += a.abstained
            hits = fact_hits(text, row["key_facts"]) if not a.abstained else [False] * len(row["key_facts"])
            recalls.append(sum(hits) / len(hits) if hits else 1.0)
            if not a.abstained:
                spans = _support_spans(row, system.index.documents)
                for c in a.citations:
                    if c.closest_only:
                        continue
                    n_cites += 1
                    ok = any(any(alt.lower() in c.quote.lower() for alt in fact) for fact in row["key_facts"])
                    ok = ok or any(d == c.doc_id and c.start < e and s < c.end for d, s, e in spans)
                    precise += ok
                    if not ok:
                        imprecise.append(c.n)
        if not a.abstained:
            lengths.append(len(text.split()))
            if row.get("conflict"):
                conf_total += 1
                conf_flag += bool(a.conflicts)
            else:
                other_answered += 1
                other_conf += bool(a.conflicts)
        elif row.get("conflict"):
            conf_total += 1
        table.append((row, a))
        if verbose:
            mark = "ABST" if a.abstained else "ans "
            facts = "" if cat == "unanswerable" else f" facts={fact_hits(text, row['key_facts'])}"
            print(
                f"{row['id']} {cat[:5]} {mark}{facts} conflicts={len(a.conflicts)} imprecise={imprecise}\n"
                f"  Q: {row['question']}\n"
                f"  A: {a.answer}\n",
                file=sys.stderr,
            )
    return {
        "n_questions": len(rows),
        "key_fact_recall": round(statistics.mean(recalls), 4) if recalls else None,
        "citation_precision": alce.get("citation_precision"),
        "citation_precision_source_sentences": alce.get("citation_precision_source_sentences"),
        "citation_recall": alce.get("citation_recall"),
        "faithfulness": alce.get("faithfulness"),
        "citation_on_topic": round(precise / n_cites, 4) if n_cites else None,
        "abstain_unanswerable": round(unans_abst / unans, 4) if unans else None,
        "false_abstention": round(false_abst / ans_total, 4) if ans_total else None,
        "conflicts_flagged": round(conf_flag / conf_total, 4) if conf_total else None,
        "false_conflicts": round(other_conf / other_answered, 4) if other_answered else None,
        "median_words": statistics.median(lengths) if lengths else None,
        **cost,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", default=str(PROJECT_ROOT / "eval" / "data" / "gold.jsonl"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--index-dir", default=None)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from index.store import quiet_log
    from rag.pipeline import QASystem

    system = QASystem.from_paths(index_dir=args.index_dir, log=quiet_log)
    rows = load_gold(Path(args.gold), args.split)
    figures = measure(system, rows, verbose=args.verbose)
    if args.json:
        print(json.dumps(figures))
    else:
        for k, v in figures.items():
            print(f"{k:30s} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
