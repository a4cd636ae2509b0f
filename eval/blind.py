"""Measure the support judge on the blind pairs, which were written without ever running the judge on them.

`python -m eval.blind [--pairs FILE] [--json] [--nli DIR]` reads `eval/data/judge_pairs_blind.jsonl` (fields id,
claim, passage, label, kind), feeds `{id, claim, passage}` lines to `bqa eval judge` exactly as a user
would, and reports agreement with the hand labels: accuracy, balanced accuracy, Cohen's kappa, the share
of false pairs accepted, the share of true pairs rejected, and accuracy by kind.

It measures and nothing else: it fits nothing, changes no threshold and writes no calibration. The
figures are meant to be taken once, as an untuned estimate; see eval/data/JUDGE_PAIRS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from eval.jsonl import read_objects
from eval.metrics import agreement, agreement_intervals
from index.errors import BqaError, InputError, ModelError

DATA_DIR = Path(__file__).resolve().parent / "data"
BLIND_PATH = DATA_DIR / "judge_pairs_blind.jsonl"

TRUE_KINDS = frozenset({"copy", "paraphrase", "partial", "number-format"})
FALSE_KINDS = frozenset({"number", "unit", "negation", "direction", "hedge", "entity", "unrelated", "extra"})

#: Takes `[{id, claim, passage}]` and returns `{id: supported}`.
Judge = Callable[[list[dict[str, Any]]], dict[str, bool]]


def load_pairs(lines: Iterable[str], source: str) -> list[dict[str, Any]]:
    """The labelled pairs, checked: string claim/passage/id, boolean label, a kind that fits the label.

    Raises:
        InputError: naming the first bad line, or a repeated id.
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _, where, obj in read_objects(lines, source):
        for key in ("id", "claim", "passage", "kind"):
            if not isinstance(obj.get(key), str):
                raise InputError(f"{where}: field {key!r} missing or not a string")
        if not isinstance(obj.get("label"), bool):
            raise InputError(f"{where}: field 'label' missing or not true/false")
        kinds = TRUE_KINDS if obj["label"] else FALSE_KINDS
        if obj["kind"] not in kinds:
            raise InputError(f"{where}: kind {obj['kind']!r} is not one of {sorted(kinds)} for label {obj['label']}")
        if obj["id"] in seen:
            raise InputError(f"{where}: id {obj['id']!r} repeated")
        seen.add(obj["id"])
        rows.append(obj)
    return rows


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """`load_pairs` on a file; a missing file is an InputError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return load_pairs(text.splitlines(), str(path))


def cli_judge(pairs: list[dict[str, Any]], nli: Path | None = None) -> dict[str, bool]:
    """Run `bqa eval judge` (the installed CLI's code, in a child process) on the pairs, with `--nli` when given.

    Raises:
        ModelError: the command failed or did not answer every id.
    """
    stdin = "".join(json.dumps({"id": p["id"], "claim": p["claim"], "passage": p["passage"]}) + "\n" for p in pairs)
    cmd = [sys.executable, "-m", "bqa.cli", "eval", "judge", *(["--nli", str(nli)] if nli else [])]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise ModelError(f"`bqa eval judge` exited {proc.returncode}: {last}")
    verdicts = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            out = json.loads(line)
            verdicts[str(out["id"])] = bool(out["supported"])
    missing = [p["id"] for p in pairs if p["id"] not in verdicts]
    if missing:
        raise ModelError(f"`bqa eval judge` gave no verdict for {len(missing)} pairs (first {missing[0]})")
    return verdicts


def measure(pairs: Sequence[dict[str, Any]], verdicts: dict[str, bool]) -> dict[str, Any]:
    """Agreement of the verdicts with the labels, overall and by kind.

    Returns:
        `metrics.agreement`'s figures (n, accuracy, balanced_accuracy, kappa, false_accept_rate,
        false_reject_rate), their 95 % `intervals` (`metrics.agreement_intervals`), plus `n_true`,
        `n_false`, `by_kind` {kind: {label, n, correct, accuracy}} and `errors` [{id, kind, label,
        claim}] for every pair the judge got wrong.
    """
    predicted = [bool(verdicts[p["id"]]) for p in pairs]
    gold = [bool(p["label"]) for p in pairs]
    report: dict[str, Any] = dict(agreement(predicted, gold))
    report["intervals"] = agreement_intervals(predicted, gold)
    report["n_true"] = sum(gold)
    report["n_false"] = len(gold) - sum(gold)
    by_kind: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "correct": 0})
    errors = []
    for p, pred in zip(pairs, predicted, strict=True):
        row = by_kind[p["kind"]]
        row["label"] = bool(p["label"])
        row["n"] += 1
        if pred == bool(p["label"]):
            row["correct"] += 1
        else:
            errors.append({"id": p["id"], "kind": p["kind"], "label": bool(p["label"]), "claim": p["claim"]})
    for row in by_kind.values():
        row["accuracy"] = row["correct"] / row["n"]
    # true kinds first, then false kinds, each by name
    report["by_kind"] = dict(sorted(by_kind.items(), key=lambda kv: (not kv[1]["label"], kv[0])))
    report["errors"] = errors
    return report


def format_text(report: dict[str, Any]) -> str:
    """The report as a few aligned lines."""
    ci = {k: f"  (95 % interval {lo:.3f}-{hi:.3f})" for k, (lo, hi) in report["intervals"].items()}
    lines = [
        f"pairs {report['n']} ({report['n_true']} true, {report['n_false']} false)",
        f"accuracy           {report['accuracy']:.3f}",
        f"balanced accuracy  {report['balanced_accuracy']:.3f}{ci['balanced_accuracy']}",
        f"Cohen's kappa      {report['kappa']:.3f}",
        f"false accepted     {report['false_accept_rate']:.3f}{ci['false_accept_rate']}"
        "  (share of false pairs judged supported)",
        f"true rejected      {report['false_reject_rate']:.3f}{ci['false_reject_rate']}"
        "  (share of true pairs judged unsupported)",
        "",
        "kind           label   n  correct  accuracy",
    ]
    for kind, row in report["by_kind"].items():
        label = "true" if row["label"] else "false"
        lines.append(f"{kind:<14} {label:<5} {row['n']:>3}  {row['correct']:>7}  {row['accuracy']:>8.3f}")
    if report["errors"]:
        lines += ["", "wrong verdicts:"]
        lines += [f"  {e['id']} {e['kind']} (label {str(e['label']).lower()}): {e['claim']}" for e in report["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, judge: Judge = cli_judge) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.blind", description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, default=BLIND_PATH, help="labelled pairs (JSON lines)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--nli", type=Path, help="a trained pair model or NLI cross-encoder folder for the judge")
    args = parser.parse_args(argv)
    try:
        pairs = read_pairs(args.pairs)
        if not pairs:
            raise InputError(f"no pairs in {args.pairs}")
        report = measure(pairs, judge(pairs, args.nli) if args.nli else judge(pairs))
    except BqaError as exc:
        print(f"eval.blind: error: {exc.one_line()}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else format_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
