"""Fit the support judge's weights and threshold on the calibration split of the labelled pairs.

`python -m eval.calibrate [--pairs FILE] [--extra FILE ...] [--out FILE]` reads
`eval/data/judge_pairs.jsonl` (fields id, claim, passage, label, kind, split) and fits on its `calib`
split plus every pair of the extra files: `judge_pairs_extra.jsonl` and the spent blind sets
`judge_pairs_blind.jsonl`, `judge_pairs_blind2.jsonl`, `judge_pairs_blind3.jsonl` (each was measured
once, then used to find the judge's faults, so they now serve as calibration data). The later blind
sets (`judge_pairs_blind4.jsonl` to `judge_pairs_blind10.jsonl`) are never read here.

1. computes the judge's soft features (`FEATURES`: similarity, coverage, missing terms, coverage with
   words aligned in context) and its vetoes;
2. chooses the logistic regression's regularisation C and the in-sample false-accept cap by
   repeated stratified 5-fold cross-validation on calib: the pair with the best cross-validated
   balanced accuracy whose cross-validated false-accept rate stays at or under
   `--max-false-accept` (default 0.035, a point and a half under issue 4's 5%, so that a fresh set has room);
3. fits the model on all calib pairs with that C, picks the threshold that maximises balanced
   accuracy on calib while accepting at most the chosen cap of its unsupported claims, and writes
   `rag/judge_calibration.json`.

Only then, with the new calibration fixed, does it report the judge's agreement with the labels of
the `heldout` split (accuracy, balanced accuracy, Cohen's kappa, share of unsupported claims
accepted); the fit never sees those pairs. `--no-report` skips the report.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.judge import CALIBRATION_PATH, RULES_VERSION, SupportJudge

DATA_DIR = Path(__file__).resolve().parent / "data"
PAIRS_PATH = DATA_DIR / "judge_pairs.jsonl"
#: More calibration pairs written by the eval session (all in the calib split), kept apart from the
#: team's file so its held-out split stays untouched.
EXTRA_PAIRS_PATH = DATA_DIR / "judge_pairs_extra.jsonl"
SPENT_BLIND_PATHS = tuple(DATA_DIR / f"judge_pairs_blind{n}.jsonl" for n in ("", "2", "3"))
EXTRA_PATHS = (EXTRA_PAIRS_PATH, *SPENT_BLIND_PATHS)
FEATURES = ["sim", "coverage", "missing", "ctx_coverage"]
#: Bound on the cross-validated share of unsupported claims accepted: a point and a half under issue 4's 5%.
MAX_FALSE_ACCEPT = 0.035


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
        veto = bool(judge.vetoes(r["claim"], r["passage"]))
        values = judge.features(r["claim"], r["passage"], soft=not veto).values()
        feats.append([values[name] for name in FEATURES])
        vetoed.append(veto)
    labels = np.array([bool(r["label"]) for r in rows])
    return np.array(feats, dtype=np.float64), labels, np.array(vetoed)


def _balanced(pred: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    tpr = float(pred[labels].mean()) if labels.any() else 1.0
    fpr = float(pred[~labels].mean()) if (~labels).any() else 0.0
    return (tpr + (1.0 - fpr)) / 2.0, fpr


#: The grid cross-validation chooses from: regularisation C, and the in-sample false-accept cap.
C_GRID = (0.1, 1.0, 10.0, 100.0)
CAP_GRID = (0.02, 0.03, 0.04, 0.05)


def _fit_model(x: np.ndarray, y: np.ndarray, vetoed: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    # The vetoed pairs are decided by the hard checks; the soft model learns from the rest.
    keep = ~vetoed
    return LogisticRegression(C=c, max_iter=1000).fit(x[keep], y[keep])


def _probs(model: Any, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-model.decision_function(x)))


def choose_threshold(probs: np.ndarray, y: np.ndarray, vetoed: np.ndarray, cap: float) -> tuple[float, float]:
    """(balanced accuracy, threshold): the best threshold that accepts at most `cap` of the unsupported."""
    best = (-1.0, 0.5)
    for t in np.unique(np.round(probs, 4)):
        pred = (probs >= t) & ~vetoed
        bal, fpr = _balanced(pred, y)
        if fpr <= cap and bal > best[0]:
            best = (bal, float(t))
    return best


def cross_validate(
    x: np.ndarray, y: np.ndarray, vetoed: np.ndarray, *, c: float, cap: float, repeats: int = 4, folds: int = 5
) -> tuple[float, float]:
    """Mean (balanced accuracy, false-accept rate) of the whole procedure over repeated k-fold splits.

    Each training part fits the model and picks its threshold (at most `cap` accepted); the
    held-back part is judged with them, so the figures estimate how the choice generalises.
    """
    from sklearn.model_selection import StratifiedKFold

    bals, fas = [], []
    for seed in range(repeats):
        pred = np.zeros(len(y), dtype=bool)
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
            model = _fit_model(x[train], y[train], vetoed[train], c)
            _bal, t = choose_threshold(_probs(model, x[train]), y[train], vetoed[train], cap)
            pred[test] = (_probs(model, x[test]) >= t) & ~vetoed[test]
        bal, fa = _balanced(pred, y)
        bals.append(bal)
        fas.append(fa)
    return float(np.mean(bals)), float(np.mean(fas))


def select(x: np.ndarray, y: np.ndarray, vetoed: np.ndarray, max_false_accept: float) -> dict:
    """The (C, cap) with the best cross-validated balanced accuracy within `max_false_accept`."""
    results = []
    for c in C_GRID:
        for cap in CAP_GRID:
            bal, fa = cross_validate(x, y, vetoed, c=c, cap=cap)
            results.append({"C": c, "cap": cap, "balanced_accuracy": round(bal, 4), "false_accept_rate": round(fa, 4)})
    within = [r for r in results if r["false_accept_rate"] <= max_false_accept]
    if not within:  # nothing stays within the bound: the most cautious setting
        return min(results, key=lambda r: (r["false_accept_rate"], -r["balanced_accuracy"]))
    return max(within, key=lambda r: r["balanced_accuracy"])  # the first of equals: smaller C, smaller cap


def fit(
    judge: SupportJudge, rows: list[dict], *, max_false_accept: float = MAX_FALSE_ACCEPT, files: list[str] | None = None
) -> dict:
    """Choose C and the cap by cross-validation, fit on all `rows`, pick the threshold; the calibration dict."""
    x, y, vetoed = feature_matrix(judge, rows)
    chosen = select(x, y, vetoed, max_false_accept)
    model = _fit_model(x, y, vetoed, chosen["C"])
    bal, threshold = choose_threshold(_probs(model, x), y, vetoed, chosen["cap"])
    return {
        "version": 1,
        "rules_version": RULES_VERSION,
        "features": FEATURES,
        "weights": [round(float(w), 5) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 5),
        "threshold": round(threshold, 4),
        "veto_cap": 0.5,
        "soft_match": judge.calibration["soft_match"],
        "soft_min_coverage": judge.calibration["soft_min_coverage"],
        "absent_synonym": judge.calibration["absent_synonym"],
        "ctx_match": judge.calibration["ctx_match"],
        "swap_context": judge.calibration["swap_context"],
        "nli_weight": 0.5,
        "fitted_on": {
            "files": files or ["eval/data/judge_pairs.jsonl"],
            "split": "calib of the first file, all of the others",
            "n_pairs": len(rows),
            "balanced_accuracy": round(bal, 4),
            "max_false_accept": chosen["cap"],
            "cross_validated": {**chosen, "bound": max_false_accept},
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
    }


def agreement_report(judge: SupportJudge, rows: list[dict]) -> dict:
    """The judge's agreement with the labels of `rows`, rounded, with 95 % intervals."""
    from eval.metrics import agreement_summary

    verdicts = judge.judge_many([(r["claim"], r["passage"]) for r in rows])
    return agreement_summary([v.supported for v in verdicts], [bool(r["label"]) for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS_PATH)
    parser.add_argument(
        "--extra", type=Path, nargs="*", default=list(EXTRA_PATHS), help="more calibration files, every pair used"
    )
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    parser.add_argument(
        "--max-false-accept",
        type=float,
        default=MAX_FALSE_ACCEPT,
        help="bound on the cross-validated share of unsupported calib claims accepted (default %(default)s)",
    )
    parser.add_argument("--no-report", action="store_true", help="skip the held-out report after fitting")
    args = parser.parse_args(argv)
    rows = load_pairs(args.pairs, "calib")
    files = [args.pairs]
    for extra in args.extra or []:
        if extra.is_file():
            rows += load_pairs(extra)
            files.append(extra)
    if not rows:
        print(f"no calib pairs in {args.pairs}", file=sys.stderr)
        return 2
    judge = SupportJudge()
    names = [str(f.relative_to(DATA_DIR.parent.parent)) if f.is_relative_to(DATA_DIR.parent.parent) else str(f)
             for f in map(Path.resolve, files)]  # fmt: skip
    cal = fit(judge, rows, max_false_accept=args.max_false_accept, files=names)
    args.out.write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(cal["fitted_on"]), file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    held = load_pairs(args.pairs, "heldout")
    if held and not args.no_report:
        # a fresh judge on the file just written (the embedding cache carries over)
        fitted = SupportJudge(judge.encoder, calibration=args.out)
        fitted._vectors = judge._vectors
        report = {"calib": agreement_report(fitted, rows), "heldout": agreement_report(fitted, held)}
        print(json.dumps(report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
