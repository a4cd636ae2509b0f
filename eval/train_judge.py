"""Train the support judge's pair model (rag/pairmodel.py) on the team's hand-labelled pairs.

    python -m eval.train_judge [--out .bqa/judge-model] [--epochs 6] [--validate FILE ...]

Training pairs: every `eval/data/judge_pairs*.jsonl` except the validation files (blind4-8 and
train5), the sealed test set (`judge_pairs_blind11.jsonl`) and the held-out split of the team's file,
less any pair whose claim nearly repeats (difflib ratio above 0.85) a validation or sealed claim. The
model reads (passage, claim) as one sequence and learns whether the passage supports the claim. After
training it is run on the validation pairs beside the judge's own evidence, and the decision rule is
chosen there, never on training pairs: a blend weight w, a threshold t and an override o. The judge
accepts a pair when no veto stands and either the claim quotes the passage or
(1 - w) * judge score + w * model probability >= t; a veto of the embedding-based entity checks alone
(an absent or swapped entity, the checks that most often stop a free paraphrase) is lifted when the
model's probability reaches o, while the hard checks (numbers, units, negation, direction, hedges,
swaps of known entities) always stand. The rule kept has the highest balanced accuracy whose share of
false pairs accepted stays within --max-false-accept (2 % by default). The rule and its validation
figures are saved with the model (`pair_model.json`); `SupportJudge(nli=folder)` and
`bqa eval judge|score|run --nli folder` apply it. `--rule-only` chooses the rule again for a trained
model (after a change to the judge's rules) without training it again.

About 30 minutes per member (two by default, `--seeds 0 1`) for 5,500 pairs and 6 epochs on two
CPU cores; a progress bar shows the loss.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.blind import DATA_DIR, read_pairs
from eval.metrics import agreement
from index.errors import BqaError, InputError

DEFAULT_OUT = Path(".bqa") / "judge-model"
#: Never trained on, never used to choose the rule: kept to measure the trained judge. blind9 and blind10, the
#: third and fourth models' sealed sets, are spent (each measured once, eval/data/JUDGE_PAIRS.md) and are
#: training pairs now: they are the pairs most like a fresh set.
SEALED = ("judge_pairs_blind11.jsonl",)
#: Spent sets the rule is chosen on, never trained on (their first measurements are in
#: eval/data/JUDGE_PAIRS.md). blind4, blind6 and blind7 were the sealed sets of the first model, blind8
#: the second's.
DEFAULT_VALIDATE = tuple(
    DATA_DIR / f"judge_pairs_{name}.jsonl" for name in ("blind4", "blind5", "blind6", "blind7", "blind8", "train5")
)
#: The team file's held-out split stays out of training so the judge can still be measured on it.
HELDOUT_SPLIT = "heldout"
#: The rule's bound on the share of validation false pairs accepted. 3.5 % (the calibration's bound) was met on
#: validation and overshot on fresh pairs by two of three models (3.2 % -> 6.25 % on blind7, 3.2 % -> 8.75 % on
#: blind9), so the pair model's rule keeps a margin below issue 4's 5 %.
MAX_FALSE_ACCEPT = 0.02
#: A training claim this close (difflib ratio) to a sealed or validation claim is left out of training.
NEAR_RATIO = 0.85
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Two members: single models from different seeds differed by 3-4 points of validation balanced
#: accuracy; their mean is steadier (eval/data/JUDGE_PAIRS.md).
DEFAULT_SEEDS = (0, 1)
#: Model probabilities at which a veto of the entity checks alone may be lifted (None: never).
OVERRIDES = (None, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def training_files(validate: Sequence[Path], exclude: Sequence[Path] = (), data_dir: Path = DATA_DIR) -> list[Path]:
    """Every labelled pair file but the sealed, validation and excluded ones."""
    skip = {Path(p).resolve() for p in (*validate, *exclude)}
    return [p for p in sorted(data_dir.glob("judge_pairs*.jsonl")) if p.name not in SEALED and p.resolve() not in skip]


def load_rows(paths: Sequence[Path], *, drop_split: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        rows += [r for r in read_pairs(Path(path)) if drop_split is None or r.get("split") != drop_split]
    return rows


def drop_near(
    rows: list[dict[str, Any]], kept_apart: list[dict[str, Any]], ratio: float = NEAR_RATIO
) -> list[dict[str, Any]]:
    """`rows` without the pairs whose claim nearly repeats a claim of `kept_apart` (difflib ratio above
    `ratio`), so that no sealed or validation claim is learnt in other words' clothing."""
    from difflib import SequenceMatcher

    others = sorted({r["claim"] for r in kept_apart})
    kept = []
    for row in rows:
        matcher = SequenceMatcher(None, "", row["claim"])
        near = False
        for other in others:
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() > ratio and matcher.quick_ratio() > ratio and matcher.ratio() > ratio:
                near = True
                break
        if not near:
            kept.append(row)
    return kept


def standing_vetoes(
    model: np.ndarray, vetoed: np.ndarray, entity: np.ndarray | None, override: float | None
) -> np.ndarray:
    """The vetoes that stand: all of them, less those of the entity checks alone (`entity`) where the
    model's probability reaches `override` (none lifted when either is None)."""
    if entity is None or override is None:
        return vetoed
    return vetoed & ~(entity & (model >= override))


def accepted(
    base: np.ndarray,
    model: np.ndarray,
    vetoed: np.ndarray,
    quoted: np.ndarray,
    weight: float,
    threshold: float,
    entity: np.ndarray | None = None,
    override: float | None = None,
) -> np.ndarray:
    """The judge's verdicts under a rule, as `SupportJudge.judge_many` reaches them: no veto standing, and
    a quotation or a blended score at the threshold. A veto of the entity checks alone (`entity`) is
    lifted where the model's probability reaches `override`."""
    standing = standing_vetoes(model, vetoed, entity, override)
    return (~standing) & (quoted | ((1.0 - weight) * base + weight * model >= threshold))


def choose_rule(
    base: np.ndarray,
    model: np.ndarray,
    vetoed: np.ndarray,
    labels: np.ndarray,
    max_false_accept: float,
    quoted: np.ndarray | None = None,
    entity: np.ndarray | None = None,
) -> dict[str, Any]:
    """The blend weight, threshold and entity-veto override with the best balanced accuracy within the
    false-accept bound.

    `base` is the judge's own probability, `model` the pair model's, `vetoed` the checks' verdict (any
    veto), `quoted` the pairs whose claim quotes the passage (accepted whatever the score, as the judge
    does), `entity` the pairs vetoed only by the embedding-based entity checks, whose veto a model
    probability at the override may lift (None among the candidates: never). Ties go to the higher
    threshold (fewer false accepts), then the higher weight, then the stricter override.
    """
    labels = labels.astype(bool)
    quoted = np.zeros(len(labels), dtype=bool) if quoted is None else quoted.astype(bool)
    overrides = OVERRIDES if entity is not None else (None,)
    best: tuple[float, float, float, float] | None = None
    rule: dict[str, Any] = {"nli_weight": 1.0, "threshold": 1.0, "override": None}
    for override in overrides:
        open_ = ~standing_vetoes(model, vetoed, entity, override)
        for w in WEIGHTS:
            for t in np.unique(np.round(((1.0 - w) * base + w * model)[open_], 4)):
                verdicts = accepted(base, model, vetoed, quoted, w, float(t), entity, override)
                fa = float(verdicts[~labels].mean()) if (~labels).any() else 0.0
                if fa > max_false_accept:
                    continue
                tr = float(verdicts[labels].mean()) if labels.any() else 0.0
                key = (round((tr + 1.0 - fa) / 2.0, 6), float(t), w, 2.0 if override is None else override)
                if best is None or key > best:
                    best = key
                    rule = {"nli_weight": w, "threshold": float(t), "override": override}
    # nothing within the bound: the fallback accepts nothing unvetoed below certainty
    return rule


def judge_evidence(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shipped judge's own probability, veto verdict (any check), quotation verdict and entity-only
    veto verdict per pair (no pair model)."""
    from rag.judge import SupportJudge

    evidence = SupportJudge().evidence_many([(r["claim"], r["passage"]) for r in rows])
    score = np.array([e[0] for e in evidence], dtype=float)
    hard, entity, quoted = (np.array([e[i] for e in evidence], dtype=bool) for i in (1, 2, 3))
    return score, hard | entity, quoted, entity


def apply_rule(
    rows: list[dict[str, Any]], probs: np.ndarray, max_false_accept: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choose the rule on labelled `rows` given the model's `probs`; returns it and its agreement there."""
    judge_score, vetoed, quoted, entity = judge_evidence(rows)
    labels = np.array([r["label"] for r in rows], dtype=bool)
    rule = choose_rule(judge_score, probs, vetoed, labels, max_false_accept, quoted, entity)
    verdicts = accepted(
        judge_score, probs, vetoed, quoted, rule["nli_weight"], rule["threshold"], entity, rule["override"]
    )
    return rule, agreement(verdicts.tolist(), labels.tolist())


def train(
    rows: list[dict[str, Any]],
    *,
    base: str | Path,
    epochs: int,
    batch_size: int,
    lr_body: float,
    lr_head: float,
    seed: int,
    progress: bool = True,
) -> tuple[Any, list[float]]:
    """Fine-tune a fresh `PairModel` on `rows` from one seed; returns it and the mean loss per epoch."""
    import torch
    from tqdm import tqdm

    from rag.pairmodel import PairModel

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    model = PairModel.from_base(base)
    pairs = [(r["passage"], r["claim"], float(r["label"])) for r in rows]
    steps = epochs * ((len(pairs) + batch_size - 1) // batch_size)
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": lr_body},
            {"params": model.head.parameters(), "lr": lr_head},
        ],
        weight_decay=0.01,
    )
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = random.Random(seed)
    history = []
    bar = tqdm(total=steps, desc="training pair model", unit="batch", disable=not progress, file=sys.stderr)
    model.encoder.train()
    for _ in range(epochs):
        order.shuffle(pairs)
        total = 0.0
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start : start + batch_size]
            logits = model.logits([(p, c) for p, c, _ in batch])
            loss = loss_fn(logits, torch.tensor([y for _, _, y in batch], dtype=logits.dtype))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*model.encoder.parameters(), *model.head.parameters()], 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        history.append(round(total / len(pairs), 4))
    bar.close()
    model.encoder.eval()
    return model, history


def save_atomically(model: Any, out: Path) -> Path:
    """Write the model beside `out` and switch it in, so an interrupted save never leaves half a model."""
    import shutil

    out = Path(out).expanduser()
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.save(staging)
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out


def rechoose_rule(out: Path, held_by_file: dict[str, list[dict[str, Any]]], max_false_accept: float) -> int:
    """Choose the rule again for the trained model in `out` on the validation pairs and rewrite its
    `pair_model.json` (the weights are untouched)."""
    from rag.judge import RULES_VERSION
    from rag.pairmodel import load_pair_model, write_info

    model = load_pair_model(out)
    held = [r for rows_ in held_by_file.values() for r in rows_]
    if not held:
        raise InputError("no validation pairs found")
    trained = set(model.info.get("trained_on", {}))
    if trained & set(held_by_file):
        raise InputError("the model was trained on " + ", ".join(sorted(trained & set(held_by_file))))
    probs = model.predict([(r["passage"], r["claim"]) for r in held])
    rule, validation = apply_rule(held, probs, max_false_accept)
    info = dict(model.info)  # as loaded from the folder's pair_model.json
    info.update(
        {
            "validated_on": {name: len(rows_) for name, rows_ in held_by_file.items()},
            "judge_rules_version": RULES_VERSION,
            "max_false_accept": max_false_accept,
            "rule": rule,
            "validation": validation,
        }
    )
    write_info(out, info, version=int(info.get("version", 1)))
    print(json.dumps({"out": str(out), "rule": rule, "validation": validation}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.train_judge", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the model to")
    parser.add_argument("--validate", type=Path, nargs="+", default=list(DEFAULT_VALIDATE), metavar="FILE")
    parser.add_argument(
        "--exclude", type=Path, nargs="+", default=[], metavar="FILE", help="pair files not to train on"
    )
    parser.add_argument("--base", default=None, help="encoder to start from (default: the embedding model)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr-body", type=float, default=8e-5)
    parser.add_argument("--lr-head", type=float, default=1e-3)
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=list(DEFAULT_SEEDS),
        metavar="N",
        help="train one member per seed; several are averaged (default: 0 1)",
    )
    parser.add_argument("--max-false-accept", type=float, default=MAX_FALSE_ACCEPT)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--rule-only",
        action="store_true",
        help="choose the rule again for the trained model in --out (no training)",
    )
    args = parser.parse_args(argv)
    try:
        if args.epochs < 1 or args.batch_size < 1:
            raise InputError("--epochs and --batch-size must be at least 1")
        if not 0.0 <= args.max_false_accept <= 1.0:
            raise InputError("--max-false-accept must be between 0 and 1")
        from index.embeddings import resolve_model
        from index.settings import ModelSettings
        from rag.pairmodel import PairEnsemble

        held_by_file = {Path(p).name: load_rows([p]) for p in args.validate}
        if args.rule_only:
            return rechoose_rule(args.out, held_by_file, args.max_false_accept)
        base = args.base or str(resolve_model(ModelSettings().name))
        files = training_files(args.validate, args.exclude)
        written_by_file = {p.name: load_rows([p], drop_split=HELDOUT_SPLIT) for p in files}
        held = [r for rows_ in held_by_file.values() for r in rows_]
        written = [r for rows_ in written_by_file.values() for r in rows_]
        rows = drop_near(written, held + load_rows([DATA_DIR / name for name in SEALED if (DATA_DIR / name).is_file()]))
        if not rows or not held:
            raise InputError("no training or no validation pairs found")
        if len(set(args.seeds)) != len(args.seeds):
            raise InputError("--seeds must differ")
        started = time.perf_counter()
        members, history = [], {}
        for seed in args.seeds:
            member, history[str(seed)] = train(
                rows,
                base=base,
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr_body=args.lr_body,
                lr_head=args.lr_head,
                seed=seed,
                progress=not args.quiet,
            )
            member.info.update({"seed": seed, "loss_per_epoch": history[str(seed)]})
            members.append(member)
        model = members[0] if len(members) == 1 else PairEnsemble(members)
        minutes = (time.perf_counter() - started) / 60.0
        probs = model.predict([(r["passage"], r["claim"]) for r in held])
        rule, validation = apply_rule(held, probs, args.max_false_accept)
        from rag.judge import RULES_VERSION

        model.info.update(
            {
                "trained_on": {name: len(rows_) for name, rows_ in written_by_file.items()},
                "validated_on": {name: len(rows_) for name, rows_ in held_by_file.items()},
                "pairs": len(rows),
                "left_out_near_held_claims": len(written) - len(rows),
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "lr": {"body": args.lr_body, "head": args.lr_head},
                "seeds": args.seeds,
                "loss_per_epoch": history if len(members) > 1 else history[str(args.seeds[0])],
                "minutes": round(minutes, 1),
                "judge_rules_version": RULES_VERSION,
                "max_false_accept": args.max_false_accept,
                "rule": rule,
                "validation": validation,
            }
        )
        out = save_atomically(model, args.out)
    except BqaError as exc:
        print(f"eval.train_judge: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("eval.train_judge: interrupted; no model written", file=sys.stderr)
        return 130
    print(
        json.dumps(
            {
                "out": str(out),
                **{k: model.info[k] for k in ("pairs", "loss_per_epoch", "minutes", "rule", "validation")},
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
