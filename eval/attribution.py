"""Does `eval score` tell good citations from bad? Build both kinds of answer and score them.

Each gold question with support quotes becomes one ALCE-shape record: its passages are the
paragraphs of the corpus that hold two of its support quotes, plus two distractor paragraphs
(from other documents, sharing few words with the quotes), in a fixed shuffled order. The
*good* answer quotes the support sentences and cites the paragraphs they come from; the
*misattributed* answer is the same text citing the distractors instead.

`python -m eval.attribution` prints both aggregates (the acceptance figure of issue 4: good
answers score citation recall and precision >= 0.9, misattributed ones <= 0.2).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from eval.report import GoldQuestion, load_gold
from index.settings import PROJECT_ROOT
from rag.judge import content_terms


def _paragraphs(corpus_dir: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out[path.stem] = [p.strip() for p in text.split("\n") if len(p.strip()) > 40]
    return out


def _overlap(a: str, b: str) -> float:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return len(ta & tb) / len(ta) if ta else 0.0


def _answer(quotes: list[str], numbers: list[int]) -> str:
    return " ".join(f"{qt.rstrip('.')} [{n}]." for qt, n in zip(quotes, numbers, strict=True))


def build_records(
    gold: list[GoldQuestion], corpus_dir: Path | None = None, *, seed: int = 0, limit: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(good records, misattributed records), one pair per usable gold question."""
    paragraphs = _paragraphs(corpus_dir or PROJECT_ROOT / "corpus")
    pool = [(doc, p) for doc, ps in paragraphs.items() for p in ps]
    rng = random.Random(seed)
    good, bad = [], []
    for q in gold:
        found = []
        for s in q.support:
            para = next((p for p in paragraphs.get(s.get("doc_id", ""), []) if s["quote"] in p), None)
            if para and para not in [f[1] for f in found]:
                found.append((s["quote"], para, s["doc_id"]))
        if not found:
            continue
        found = found[:2]
        quotes = [f[0] for f in found]
        docs = {f[2] for f in found}
        distractors = [p for doc, p in pool if doc not in docs and all(_overlap(qt, p) < 0.25 for qt in quotes)]
        if len(distractors) < 2:
            continue
        picked = rng.sample(distractors, 2)
        passages = [f[1] for f in found] + picked
        order = list(range(len(passages)))
        rng.shuffle(order)
        position = {old: new + 1 for new, old in enumerate(order)}  # old index -> 1-based number
        shuffled = [passages[old] for old in order]
        right = [position[i] for i in range(len(found))]
        wrong = [position[len(found) + (i % 2)] for i in range(len(found))]

        record = {"question": q.question, "passages": [{"title": "", "text": p} for p in shuffled]}
        good.append({"id": q.id, **record, "answer": _answer(quotes, right)})
        bad.append({"id": q.id, **record, "answer": _answer(quotes, wrong)})
        if limit and len(good) >= limit:
            break
    return good, bad


def measure(judge: Any, gold: list[GoldQuestion] | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """Score the good and the misattributed answers; the two aggregates side by side."""
    from eval.score import parse_records, score_records

    good, bad = build_records(gold or load_gold(), limit=limit)
    out: dict[str, Any] = {"n_records": len(good)}
    for name, records in (("good", good), ("misattributed", bad)):
        parsed = parse_records([json.dumps(r) for r in records], source=name)
        _rows, agg = score_records(parsed, judge)
        out[name] = {k: agg[k] for k in ("citation_recall", "citation_precision", "faithfulness", "n_sentences")}
    return out


def main() -> int:
    from rag.judge import SupportJudge, default_cache_dir

    judge = SupportJudge(cache_dir=default_cache_dir())
    result = measure(judge)
    judge.save_cache()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
