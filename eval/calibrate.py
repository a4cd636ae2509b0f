"""Fit the support judge's weights and threshold on the calibration split of the labelled pairs.

`python -m eval.calibrate [--pairs FILE] [--out FILE]` reads `eval/data/judge_pairs.jsonl`
(fields id, claim, passage, label, kind, split), computes the judge's soft features (similarity,
coverage, missing terms) on the `calib` split only, fits a logistic regression, picks the
threshold that maximises balanced accuracy on `calib` while accepting at most `max_false_accept`
of its unsupported claims, and writes `rag/judge_calibration.json`. The held-out split is never
looked at here; `eval.judge_agreement` reports on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from rag.judge import CALIBRATION_PATH, SupportJudge, hard_check_reasons

DATA_DIR = Path(__file__).resolve().parent / "data"
PAIRS_PATH = DATA_DIR / "judge_pairs.jsonl"
#: More calibration pairs written by the eval session (all in the calib split), kept apart from the
#: team's file so its held-out split stays untouched.
EXTRA_PAIRS_PATH = DATA_DIR / "judge_pairs_extra.jsonl"
FEATURES = ["sim", "coverage", "missing", "soft_coverage"]


def load_pairs(path: Path = PAIRS_PATH, split: str | None = None) -> list[dict]:
    """The labelled pairs (optionally one split), validated."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for key in ("claim", "passage", "label"):
            if key not in row:
                raise ValueError(f"{path}:{n}: field {key!r} missing")
        if split is None or row.get("split") == split:
            rows.append(row)
    return rows


def feature_matrix(judge: SupportJudge, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, vetoed) for the rows."""
    judge.judge_many([(r["claim"], r["passage"]) for r in rows])  # one batched encode
    feats, vetoed = [], []
    for r in rows:
        veto = bool(hard_check_reasons(r["claim"], r["passage"]))
        values = judge.features(r["claim"], r["passage"], soft=not veto).values()
        feats.append([values[name] for name in FEATURES])
        vetoed.append(veto)
    labels = np.array([bool(r["label"]) for r in rows])
    return np.array(feats, dtype=np.float64), labels, np.array(vetoed)


def _balanced(pred: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    tpr = float(pred[labels].mean()) if labels.any() else 1.0
    fpr = float(pred[~labels].mean()) if (~labels).any() else 0.0
    return (tpr + (1.0 - fpr)) / 2.0, fpr


def fit(judge: SupportJudge, rows: list[dict], *, max_false_accept: float = 0.03, c: float = 100.0) -> dict:
    """Fit the logistic model on `rows` and choose the threshold; returns the calibration dict."""
    from sklearn.linear_model import LogisticRegression

    x, y, vetoed = feature_matrix(judge, rows)
    # The vetoed pairs are decided by the hard checks; the soft model learns from the rest.
    keep = ~vetoed
    model = LogisticRegression(C=c, max_iter=1000).fit(x[keep], y[keep])
    z = model.decision_function(x)
    probs = 1.0 / (1.0 + np.exp(-z))
    best = (-1.0, 0.5)
    for t in np.unique(np.round(probs, 4)):
        pred = (probs >= t) & ~vetoed
        bal, fpr = _balanced(pred, y)
        if fpr <= max_false_accept and bal > best[0]:
            best = (bal, float(t))
    bal, threshold = best
    return {
        "version": 1,
        "features": FEATURES,
        "weights": [round(float(w), 5) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 5),
        "threshold": round(threshold, 4),
        "veto_cap": 0.5,
        "soft_match": judge.calibration["soft_match"],
        "soft_min_coverage": judge.calibration["soft_min_coverage"],
        "nli_weight": 0.5,
        "fitted_on": {
            "files": ["eval/data/judge_pairs.jsonl", "eval/data/judge_pairs_extra.jsonl"],
            "split": "calib",
            "n_pairs": len(rows),
            "balanced_accuracy": round(bal, 4),
            "max_false_accept": max_false_accept,
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS_PATH)
    parser.add_argument("--extra", type=Path, default=EXTRA_PAIRS_PATH, help="more calib pairs (optional)")
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    parser.add_argument("--max-false-accept", type=float, default=0.03)
    args = parser.parse_args(argv)
    rows = load_pairs(args.pairs, "calib")
    if args.extra and args.extra.is_file():
        rows += load_pairs(args.extra, "calib")
    if not rows:
        print(f"no calib pairs in {args.pairs}", file=sys.stderr)
        return 2
    cal = fit(SupportJudge(), rows, max_false_accept=args.max_false_accept)
    args.out.write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(cal["fitted_on"]), file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
