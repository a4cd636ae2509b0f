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
    # the validation blind sets (blind4 to blind8) and the sealed one are kept out of training; the spent
    # sealed sets of earlier models (blind9, blind10) are trained on
    assert not files & {f"judge_pairs_blind{n}.jsonl" for n in (4, 5, 6, 7, 8, 11)}
    assert {"judge_pairs_blind9.jsonl", "judge_pairs_blind10.jsonl"} <= files
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


SIDE_EFFECTS = (
    "Common side effects of baclofen include drowsiness, dizziness, fatigue, weakness and "
    "gastrointestinal disturbances."
)


class SureModel:
    """A scripted pair model that reads every pair as a restatement; its rule lifts entity vetoes at 0.9."""

    def __init__(self, override=0.9, prob=0.97):
        self.rule = {"nli_weight": 1.0, "threshold": 0.5, "override": override}
        self.prob = prob

    def predict(self, pairs):
        return np.full(len(pairs), self.prob)


def test_the_model_lifts_an_entity_veto_but_never_a_hard_one(encoder):
    lay = ("Tummy and bowel trouble is one possible side effect of baclofen.", SIDE_EFFECTS)
    dose = ("Take 10 mg three times a day.", "Take 5 mg three times a day.")
    assert not SupportJudge(encoder).judge(*lay).supported  # the entity check stops the lay paraphrase
    judge = SupportJudge(encoder, nli=SureModel())
    assert judge.nli_override == 0.9
    lifted, still = judge.judge_many([lay, dose])
    assert lifted.supported and lifted.reasons[0].startswith("lifted by the model: entity: claim names 'tummy'")
    assert not still.supported and still.reasons[0].startswith("number")  # a hard check always stands
    assert not SupportJudge(encoder, nli=SureModel(override=0.99)).judge(*lay).supported  # below the override
    assert not SupportJudge(encoder, nli=SureModel(override=None)).judge(*lay).supported  # no override: never


def test_evidence_tells_hard_vetoes_from_entity_vetoes(encoder):
    quote = ("Common side effects of baclofen include drowsiness, dizziness, fatigue, weakness.", SIDE_EFFECTS)
    lay = ("Tummy and bowel trouble is one possible side effect of baclofen.", SIDE_EFFECTS)
    dose = ("Take 10 mg three times a day.", "Take 5 mg three times a day.")
    (q_score, q_hard, q_entity, q_quoted), (l_score, l_hard, l_entity, _), (_, d_hard, d_entity, _) = SupportJudge(
        encoder
    ).evidence_many([quote, lay, dose])
    assert q_quoted and not q_hard and not q_entity and q_score > 0.5
    assert l_entity and not l_hard and l_score > 0.2  # uncapped: the score the judge gives once the veto is lifted
    assert d_hard and not d_entity
    assert SupportJudge(encoder).evidence_many([("", "x")]) == [(0.0, True, False, False)]


def test_choose_rule_lifts_entity_vetoes_only_where_it_pays():
    labels = np.array([True] * 10 + [False] * 10)
    base = np.full(20, 0.5)
    model = np.array([0.99] * 6 + [0.2] * 4 + [0.3] * 6 + [0.5] * 4)
    entity = np.zeros(20, bool)
    entity[:4] = True  # four true pairs stopped by the entity check, all read as restatements by the model
    entity[10:12] = True  # two false ones, read as not supported
    vetoed = entity.copy()
    rule = train_judge.choose_rule(base, model, vetoed, labels, 0.0, None, entity)
    assert rule["override"] is not None and rule["override"] <= 0.99
    verdicts = train_judge.accepted(base, model, vetoed, np.zeros(20, bool), rule["nli_weight"], rule["threshold"],
                                    entity, rule["override"])  # fmt: skip
    assert verdicts[:6].all() and not verdicts[10:].any()
    # without the entity column the rule can never lift a veto
    assert train_judge.choose_rule(base, model, vetoed, labels, 0.0)["override"] is None


def test_rule_only_chooses_the_rule_again_without_training(trained, tmp_path, capsys):
    model, _ = trained
    model.info.update({"rule": {"nli_weight": 0.5, "threshold": 0.5}, "trained_on": {"judge_pairs_train1.jsonl": 1}})
    folder = model.save(tmp_path / "model")
    weights = (folder / "model.safetensors").read_bytes()
    held = tmp_path / "held.jsonl"
    kinds = {True: "partial", False: "negation"}
    rows = [{"id": f"v{i}", **r, "kind": kinds[r["label"]], "split": "v"} for i, r in enumerate(toy_rows(8))]
    held.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert train_judge.main(["--rule-only", "--out", str(folder), "--validate", str(held)]) == 0
    info = json.loads((folder / MARKER).read_text())
    assert set(info["rule"]) == {"nli_weight", "threshold", "override"}
    assert info["validated_on"] == {"held.jsonl": 8} and info["validation"]["n"] == 8
    assert (folder / "model.safetensors").read_bytes() == weights  # the weights are untouched
    assert json.loads(capsys.readouterr().out)["rule"] == info["rule"]
    # a model is never ruled on pairs it was trained on
    trained_on = DATA_DIR / "judge_pairs_train1.jsonl"
    assert train_judge.main(["--rule-only", "--out", str(folder), "--validate", str(trained_on)]) == 2
    assert "trained on judge_pairs_train1.jsonl" in capsys.readouterr().err


def test_an_ensemble_answers_with_its_members_mean(trained, tiny_base, tmp_path, encoder):
    from rag.judge import load_nli
    from rag.pairmodel import PairEnsemble, load_pair_model

    first, _ = trained
    second, _ = train_judge.train(
        toy_rows(), base=tiny_base, epochs=2, batch_size=8, lr_body=1e-3, lr_head=1e-2, seed=1, progress=False
    )
    first.info["seed"], second.info["seed"] = 0, 1
    ensemble = PairEnsemble([first, second], {"rule": {"nli_weight": 1.0, "threshold": 0.6, "override": 0.9}})
    folder = train_judge.save_atomically(ensemble, tmp_path / "judge-model")
    assert json.loads((folder / MARKER).read_text())["members"] == ["member-0", "member-1"]
    assert is_pair_model(folder / "member-1")
    pairs = [(r["passage"], r["claim"]) for r in toy_rows(6)]
    again = load_pair_model(folder)
    assert isinstance(again, PairEnsemble) and isinstance(load_nli(folder), PairEnsemble)
    expected = (first.predict(pairs) + second.predict(pairs)) / 2
    assert np.allclose(again.predict(pairs), expected, atol=1e-5)
    assert not np.allclose(first.predict(pairs), second.predict(pairs), atol=1e-3)  # the members differ
    judge = SupportJudge(encoder, nli=folder)
    assert judge.threshold == 0.6 and judge.nli_override == 0.9
    # a single model's folder still loads as one model
    assert isinstance(load_pair_model(first.save(tmp_path / "single")), PairModel)
    (folder / MARKER).write_text(json.dumps({"format": "bqa-pair-model", "members": ["../elsewhere"]}))
    with pytest.raises(ModelError, match="lists its members wrongly"):
        load_pair_model(folder)


def test_seeds_must_differ(capsys):
    assert train_judge.main(["--seeds", "3", "3", "--validate", str(DATA_DIR / "judge_pairs_train5.jsonl")]) == 2
    assert "--seeds must differ" in capsys.readouterr().err
