"""The trained pair model (rag/pairmodel.py) and its trainer (eval/train_judge.py).

A tiny randomly initialised BERT stands in for MiniLM so training takes a second; the packaged
model's tokenizer is real. The full training run is `make judge-model` (about 15 minutes).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval import train_judge
from eval.blind import DATA_DIR
from index.errors import ModelError
from rag.judge import SupportJudge
from rag.pairmodel import MARKER, PairModel, is_pair_model


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A one-layer, 32-wide BERT with the packaged tokenizer, saved as a local folder."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from index.embeddings import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model("all-MiniLM-L6-v2")), local_files_only=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    import torch

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-base")
    BertModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def toy_rows(n: int = 48) -> list[dict]:
    """Supported unless the claim says "never": learnable by a tiny model in a few steps."""
    colours = ["red", "blue", "green", "yellow"]
    rows = []
    for i in range(n):
        colour = colours[i % 4]
        label = i % 2 == 0
        claim = f"The pill is {colour}." if label else f"The pill is never {colour}."
        rows.append({"passage": f"The tablet is {colour}.", "claim": claim, "label": label})
    return rows


@pytest.fixture(scope="module")
def trained(tiny_base):
    return train_judge.train(
        toy_rows(), base=tiny_base, epochs=6, batch_size=8, lr_body=1e-3, lr_head=1e-2, seed=0, progress=False
    )


def test_training_lowers_the_loss_and_learns_the_toy_task(trained):
    model, history = trained
    assert len(history) == 6 and history[-1] < history[0] - 0.2
    probs = model.predict([(r["passage"], r["claim"]) for r in toy_rows(8)])
    labels = np.array([r["label"] for r in toy_rows(8)])
    assert probs.shape == (8,) and ((probs >= 0) & (probs <= 1)).all()
    assert probs[labels].min() > probs[~labels].max()


def test_save_and_load_give_the_same_predictions(trained, tmp_path):
    model, _ = trained
    model.info["rule"] = {"nli_weight": 0.8, "threshold": 0.7}
    folder = model.save(tmp_path / "model")
    assert is_pair_model(folder) and json.loads((folder / MARKER).read_text())["format"] == "bqa-pair-model"
    again = PairModel.load(folder)
    pairs = [(r["passage"], r["claim"]) for r in toy_rows(6)]
    assert np.allclose(model.predict(pairs), again.predict(pairs), atol=1e-5)
    assert again.rule == {"nli_weight": 0.8, "threshold": 0.7}


def test_judge_takes_the_rule_of_a_trained_model(trained, tmp_path, encoder):
    model, _ = trained
    model.info["rule"] = {"nli_weight": 0.9, "threshold": 0.65}
    folder = model.save(tmp_path / "model")
    judge = SupportJudge(encoder, nli=folder)  # a folder path: recognised as a pair model, not a cross-encoder
    assert isinstance(judge.nli, PairModel)
    assert judge.threshold == 0.65 and judge.calibration["nli_weight"] == 0.9
    assert SupportJudge(encoder, nli=folder, threshold=0.5).threshold == 0.5  # an explicit threshold wins
    verdict = judge.judge("The pill is red.", "The tablet is red.")
    assert any(r.startswith("nli entailment") for r in verdict.reasons)
    # the hard checks still veto whatever the model says
    assert not judge.judge("Take 10 mg.", "Take 5 mg.").supported
    # a rule without both parts is ignored: the calibrated threshold stays
    model.info["rule"] = {"threshold": 0.1}
    partial = SupportJudge(encoder, nli=model.save(tmp_path / "partial-rule"))
    assert partial.threshold == SupportJudge(encoder).threshold


def test_a_new_model_replaces_an_old_one_whole(trained, tmp_path):
    model, _ = trained
    out = tmp_path / "judge-model"
    out.mkdir()
    (out / "stale.txt").write_text("from an older model")
    assert train_judge.save_atomically(model, out) == out
    assert is_pair_model(out) and not (out / "stale.txt").exists()
    assert not (tmp_path / "judge-model.partial").exists()


def test_a_folder_that_is_not_a_pair_model_is_refused(tmp_path, tiny_base):
    assert not is_pair_model(tiny_base) and not is_pair_model(tmp_path / "missing")
    (tmp_path / MARKER).write_text("{not json")
    assert not is_pair_model(tmp_path)
    with pytest.raises(ModelError, match="not a trained pair model"):
        PairModel.load(tiny_base)


def test_choose_rule_keeps_false_accepts_within_the_bound():
    rng = np.random.default_rng(0)
    labels = np.array([True] * 100 + [False] * 100)
    model = np.where(labels, rng.uniform(0.4, 1.0, 200), rng.uniform(0.0, 0.7, 200))
    base = rng.uniform(0.0, 1.0, 200)  # uninformative
    vetoed = np.zeros(200, dtype=bool)
    vetoed[150:] = True  # half the false pairs are vetoed by the hard checks
    rule = train_judge.choose_rule(base, model, vetoed, labels, max_false_accept=0.05)
    score = (1 - rule["nli_weight"]) * base + rule["nli_weight"] * model
    accepted = ~vetoed & (score >= rule["threshold"])
    assert accepted[~labels].mean() <= 0.05
    assert rule["nli_weight"] >= 0.8  # the informative model carries the blend
    assert accepted[labels].mean() > 0.5
    # nothing can stay within a zero bound when every false pair outscores the true ones: accept nothing
    none = train_judge.choose_rule(np.ones(4), np.ones(4), np.zeros(4, bool), np.array([1, 0, 1, 0], bool), 0.0)
    assert none["threshold"] == 1.0 and none["nli_weight"] == 1.0


def test_training_files_leave_out_sealed_and_validation_sets():
    files = {p.name for p in train_judge.training_files(train_judge.DEFAULT_VALIDATE)}
    assert "judge_pairs.jsonl" in files and "judge_pairs_train1.jsonl" in files
    assert not files & set(train_judge.SEALED)
    assert not files & {p.name for p in train_judge.DEFAULT_VALIDATE}
    fewer = train_judge.training_files(train_judge.DEFAULT_VALIDATE, exclude=[DATA_DIR / "judge_pairs_train1.jsonl"])
    assert {p.name for p in fewer} == files - {"judge_pairs_train1.jsonl"}
    # the team file's held-out split is never trained on
    rows = train_judge.load_rows([DATA_DIR / "judge_pairs.jsonl"], drop_split=train_judge.HELDOUT_SPLIT)
    assert rows and all(r["split"] != "heldout" for r in rows)


def test_bad_options_are_one_line_errors(capsys):
    assert train_judge.main(["--epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eval.train_judge: error: ") and err.count("\n") == 1
    assert train_judge.main(["--validate", "/no/such/file.jsonl"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert train_judge.main(["--base", "/no/such/model", "--validate", str(DATA_DIR / "judge_pairs_train5.jsonl")]) == 2
    assert "cannot load base model" in capsys.readouterr().err


class LowModel:
    """A scripted pair model that doubts everything, with a rule as a trained one carries."""

    rule = {"nli_weight": 1.0, "threshold": 0.9}

    def predict(self, pairs):
        return np.full(len(pairs), 0.01)


def test_a_quotation_is_support_whatever_the_model_says(encoder):
    from rag.judge import quotes_passage

    passage = "Baclofen is a muscle relaxant. It acts on GABA-B receptors in the spinal cord."
    assert quotes_passage("It acts on GABA-B receptors in the spinal cord.", passage)
    assert quotes_passage("baclofen is a muscle relaxant it acts on gaba b receptors in the spinal cord", passage)
    assert quotes_passage("acts on GABA-B receptors in the spinal cord.", passage)  # a run of 8 of its words
    assert not quotes_passage("acts on GABA-B receptors", passage)  # too short a fragment
    assert not quotes_passage("It acts on GABA-A receptors in the spinal cord.", passage)
    assert not quotes_passage("Baclofen.", passage)  # too short to count as a quotation
    judge = SupportJudge(encoder, nli=LowModel())
    quoted, reworded = judge.judge_many(
        [
            ("It acts on GABA-B receptors in the spinal cord.", passage),
            ("It works on spinal GABA-B receptors.", passage),
        ]
    )
    assert quoted.supported and "the claim quotes the passage" in quoted.reasons
    assert not reworded.supported


def test_choose_rule_counts_quotations_as_accepted():
    labels = np.array([True, True, False, False])
    quoted = np.array([True, False, False, False])
    low = np.array([0.0, 0.9, 0.1, 0.2])  # the quoted true pair scores lowest
    rule = train_judge.choose_rule(low, low, np.zeros(4, bool), labels, 0.0, quoted)
    assert rule["threshold"] == pytest.approx(0.9)  # both true pairs in, no false one
