"""`bqa eval run | score | judge`: the evaluation sub-commands (argparse lives in bqa/cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eval.jsonl import read_objects
from index.errors import InputError

_JUDGE_BATCH = 256


def run_score(args: argparse.Namespace) -> int:
    """Score an ALCE-shape JSON-lines file; a JSON line per record then the aggregate, or a table."""
    from eval.score import format_text, read_records, score_records
    from rag.judge import SupportJudge, default_cache_dir

    records = read_records(args.file)  # bad input fails here, before the model loads
    judge = SupportJudge(cache_dir=default_cache_dir(), nli=getattr(args, "nli", None))
    results, agg = score_records(records, judge)
    judge.save_cache()
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
        print(json.dumps(agg))
    else:
        print(format_text(results, agg))
    return 0


def parse_judge_lines(lines: list[str]) -> list[dict[str, Any]]:
    """Validate `{id, claim, passage}` JSON lines.

    Raises:
        InputError: naming the first bad line.
    """
    items = []
    for n, where, obj in read_objects(lines, "stdin"):
        for key in ("claim", "passage"):
            if not isinstance(obj.get(key), str):
                raise InputError(f"{where}: field {key!r} missing or not a string")
        items.append({"id": obj.get("id", n), "claim": obj["claim"], "passage": obj["passage"]})
    return items


def run_judge(args: argparse.Namespace) -> int:
    """The support judge on JSON lines from stdin: `{id, supported, score}` per line."""
    from rag.judge import SupportJudge, default_cache_dir

    items = parse_judge_lines(sys.stdin.read().splitlines())
    if not items:
        return 0
    judge = SupportJudge(cache_dir=default_cache_dir(), nli=getattr(args, "nli", None))
    for start in range(0, len(items), _JUDGE_BATCH):
        batch = items[start : start + _JUDGE_BATCH]
        verdicts = judge.judge_many([(it["claim"], it["passage"]) for it in batch])
        for it, v in zip(batch, verdicts, strict=True):
            print(json.dumps({"id": it["id"], "supported": bool(v.supported), "score": round(float(v.score), 4)}))
        sys.stdout.flush()
    judge.save_cache()
    return 0


def run_eval(args: argparse.Namespace) -> int:
    """Run the system (and the stock recipe) on the gold set and write the report."""
    from eval.report import run_from_args

    return run_from_args(args)
