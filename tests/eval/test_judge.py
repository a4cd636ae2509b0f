"""The support judge: each hard check on its own, the combined verdicts, the NLI hook, and its targets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.judge import (
    CALIBRATION_PATH,
    RULES_VERSION,
    Judgement,
    SupportJudge,
    absent_candidates,
    anaphoric_subject,
    check_direction,
    check_entities,
    check_hedge,
    check_negation,
    check_numbers,
    enumerations,
    extract_quantities,
    load_calibration,
    tokenizer_words,
)

PAIRS = Path(__file__).resolve().parents[2] / "eval" / "data" / "judge_pairs.jsonl"
DOSE = "Baclofen is commonly administered orally, starting with 5 mg three times daily."
HALF_LIFE = "The drug is primarily excreted by the kidneys, with a half-life ranging between two to four hours."


# --- numbers and units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("two to four hours", [(120.0, "time"), (240.0, "time")]),
        ("2-4 hours", [(120.0, "time"), (240.0, "time")]),
        ("between 120 and 240 minutes", [(120.0, "time"), (240.0, "time")]),
        ("5 mg to 20 mg", [(5.0, "mass"), (20.0, "mass")]),
        ("40 to 80 mg per day", [(40.0, "mass"), (80.0, "mass")]),
        ("sixty milligrams a day", [(60.0, "mass")]),
        (">60 mg/day", [(60.0, "mass")]),
        ("100 micrograms", [(0.1, "mass")]),
        ("10% to 75%", [(10.0, "percent"), (75.0, "percent")]),
        ("twenty-seven percent", [(27.0, "percent")]),
        ("the 1960s", [(1960.0, None)]),
        ("the '60s", [(1960.0, None)]),
        ("one of the side effects", []),
    ],
)
def test_quantities_are_read_with_units(text, values):
    got = [(round(q.value, 6), q.unit) for q in extract_quantities(text)]
    assert got == values


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Oral baclofen is started at 5 mg three times daily.", DOSE),
        ("The half-life is 2-4 hours.", HALF_LIFE),
        ("The half-life is between 120 and 240 minutes.", HALF_LIFE),
        (
            "Adverse effects show up above sixty milligrams a day.",
            "Adverse effects typically appear at doses >60 mg/day",
        ),
        ("It was introduced in the '60s.", "It was first introduced in the 1960s to manage spasticity."),
    ],
)
def test_numbers_that_match_pass(claim, passage):
    assert check_numbers(claim, passage) == []


@pytest.mark.parametrize(
    ("claim", "passage", "kind"),
    [
        ("Oral baclofen is started at 10 mg three times daily.", DOSE, "number"),
        ("Oral baclofen is started at 5 mg four times daily.", DOSE, "number"),
        ("The half-life is five to six hours.", HALF_LIFE, "number"),
        ("Oral baclofen is started at 5 g three times daily.", DOSE, "unit"),
        ("The maximum daily dose is 100 micrograms.", "with a maximum daily dose of 100 mg.", "unit"),
        ("The half-life is two to four days.", HALF_LIFE, "unit"),
    ],
)
def test_numbers_and_units_that_differ_are_caught(claim, passage, kind):
    reasons = check_numbers(claim, passage)
    assert reasons and reasons[0].startswith(kind)


# --- negation ----------------------------------------------------------------------------------

INDICATED = (
    "Baclofen is indicated for the treatment of spasticity resulting from multiple sclerosis, spinal cord "
    "injuries, and other spinal cord diseases, but is not indicated for muscular spasm resulting from "
    "rheumatic disorders."
)


def test_negation_mismatch_is_caught():
    assert check_negation("Baclofen is indicated for muscular spasm resulting from rheumatic disorders.", INDICATED)
    assert check_negation("Baclofen is not indicated for spasticity resulting from multiple sclerosis.", INDICATED)
    assert check_negation(
        "Severe renal failure is not a contraindication for baclofen.",
        "Baclofen is primarily excreted by the kidneys, and severe renal failure is a strong contraindication.",
    )


def test_negation_that_agrees_passes():
    assert check_negation("Baclofen is not indicated for muscular spasm from rheumatic disorders.", INDICATED) == []
    assert check_negation("Baclofen is indicated for spasticity from multiple sclerosis.", INDICATED) == []
    # "should not be used" and "contraindicated" say the same thing
    assert (
        check_negation(
            "Baclofen should not be used in patients with severe renal impairment.",
            "Baclofen is contraindicated in patients with hypersensitivity to the drug and those with severe renal "
            "impairment.",
        )
        == []
    )


# --- direction ---------------------------------------------------------------------------------

MECHANISM = (
    "This occurs through several mechanisms, including inhibiting adenylate cyclase activity, which lowers cyclic "
    "AMP levels, and promoting the opening of potassium channels."
)


@pytest.mark.parametrize(
    "claim",
    [
        "Baclofen blocks potassium channels.",
        "Baclofen raises cyclic AMP levels.",
        "Baclofen increases the influx of calcium ions.",
    ],
)
def test_direction_flips_are_caught(claim):
    passage = (
        MECHANISM + " Baclofen also reduces the influx of calcium ions by inhibiting voltage-gated calcium channels."
    )
    assert check_direction(claim, passage)


def test_direction_that_agrees_passes():
    assert check_direction("Baclofen promotes the opening of potassium channels.", MECHANISM) == []
    assert check_direction("Baclofen lowers cyclic AMP levels.", MECHANISM) == []


# --- hedges ------------------------------------------------------------------------------------


def test_hedges_are_kept():
    explored = "Baclofen has been explored as an adjunct therapy for cancer-related pain."
    assert check_hedge("Baclofen is a proven therapy for cancer-related pain.", explored)
    assert check_hedge("Baclofen is approved for cancer-related pain.", explored)
    assert check_hedge(
        "Baclofen reduces alcohol cravings.",
        "Some studies have explored baclofen's potential to reduce alcohol cravings and consumption.",
    )
    assert check_hedge("Baclofen has been explored for cancer-related pain.", explored) == []


def test_negated_certainty_in_both_passes():
    assert (
        check_hedge(
            "Its efficacy has not been established for stroke.",
            "Its efficacy has not been established for stroke, cerebral palsy, or Parkinson's disease.",
        )
        == []
    )


# --- entities ----------------------------------------------------------------------------------


def test_swapped_entities_are_caught():
    assert check_entities("Baclofen is a GABA-A receptor agonist.", "Baclofen is a GABA-B receptor agonist.")
    assert check_entities("Baclofen is excreted by the liver.", "Baclofen is primarily excreted by the kidneys.")
    assert check_entities("Alternatives include diazepam.", "Alternative options include tizanidine or dantrolene.")
    # spelling variants of the same receptor are not a swap
    assert check_entities("Baclofen acts on GABA_B receptors.", "Baclofen is a GABAB receptor agonist.") == []


# --- absent entities ---------------------------------------------------------------------------

CONDITIONS = (
    "It is also used in conditions such as traumatic spinal cord injury, cerebral palsy, and brain injuries that "
    "present similar symptoms of muscle rigidity and discomfort."
)
SIDE_EFFECTS = "Common side effects of baclofen include drowsiness, dizziness, and weakness."
DIALYSIS = (
    "In renal impairment, dose adjustments are crucial due to reduced drug clearance, and dialysis patients may "
    "have altered pharmacokinetics."
)


@pytest.mark.parametrize(
    ("text", "members"),
    [
        (CONDITIONS, [["traumatic spinal cord injury", "cerebral palsy", "brain injuries"]]),
        (SIDE_EFFECTS, [["drowsiness", "dizziness", "weakness"]]),
        ("Options are tizanidine, botulinum toxin injections or dantrolene.",
         [["tizanidine", "botulinum toxin injections", "dantrolene"]]),
        ("Reactions such as hypotension or respiratory depression can occur.",
         [["hypotension", "respiratory depression"]]),
        # commas around clauses are not a list
        ("The drug, which is a muscle relaxant, is taken orally.", []),
        ("Doses rise slowly, at high doses or when stopped, as advised.", []),
    ],
)  # fmt: skip
def test_enumerations_are_read(text, members):
    assert [[" ".join(m) for m in e] for e in enumerations(text)] == members


def test_a_list_member_swapped_for_an_absent_term_is_a_candidate():
    swapped = CONDITIONS.replace("traumatic spinal cord injury", "gout")
    # without the model's vocabulary the enumeration alone flags it, however common the word
    assert [(c.name, c.why) for c in absent_candidates(swapped, CONDITIONS)] == [("gout", "member")]
    hair = SIDE_EFFECTS.replace("weakness", "hair loss")
    assert [c.name for c in absent_candidates(hair, SIDE_EFFECTS)] == ["hair loss"]
    # reordered members, a subset, and a member the synonym map knows are all there
    assert absent_candidates("Baclofen is used for brain injuries and cerebral palsy.", CONDITIONS) == []
    assert absent_candidates("Side effects include sleepiness, dizziness and weakness.", SIDE_EFFECTS) == []


def test_named_things_and_specialised_words_are_candidates():
    # a drug of the named families the passage does not mention
    assert [c.why for c in absent_candidates("Tizanidine reduces spasticity.", "Baclofen reduces spasticity.")] == [
        "named"
    ]
    vocabulary = frozenset({"baclofen", "reduces", "spasticity", "in", "patients", "with", "dialysis", "kidney"})
    passage = "Baclofen reduces spasticity."
    found = absent_candidates("Baclofen reduces spasticity in patients with sarcoidosis.", passage, vocabulary)
    assert [(c.name, c.why) for c in found] == [("sarcoidosis", "specialised")]
    # a named thing is one however common; other common words (and inflections) are left to coverage
    assert [c.why for c in absent_candidates("It reduces spasticity in kidneys.", passage, vocabulary)] == ["named"]
    assert absent_candidates("Baclofen reduces spasticity in patients.", passage, vocabulary) == []


def test_the_subject_a_passage_calls_it_is_not_absent():
    passage = "It was first introduced in the 1960s to manage spasticity."
    assert anaphoric_subject("Tizanidine was introduced in the 1960s.", passage) == {"tizanidine"}
    assert absent_candidates("Tizanidine was introduced in the 1960s.", passage) == []
    # only the subject: a swapped term later in the claim is still absent
    assert [c.name for c in absent_candidates("Baclofen is used in conditions such as gout.", CONDITIONS)] == ["gout"]
    assert anaphoric_subject("Tizanidine was introduced in the 1960s.", "Baclofen was introduced then.") == frozenset()


def test_tokenizer_words_are_the_whole_words(encoder):
    vocabulary = tokenizer_words(encoder)
    assert vocabulary and {"muscle", "pain", "patients"} <= vocabulary
    assert "gout" not in vocabulary and not any(w.startswith("#") for w in vocabulary)
    assert tokenizer_words(object()) is None  # a fake encoder: the specialised-word rule is off


# --- the combined judge (real model) -----------------------------------------------------------


@pytest.fixture(scope="module")
def judge(encoder):
    return SupportJudge(encoder)


def test_judge_verdicts(judge):
    good, bad, unrelated = judge.judge_many(
        [
            ("Oral baclofen is usually started at 5 mg three times a day.", DOSE),
            ("Oral baclofen is usually started at 10 mg three times a day.", DOSE),
            ("Baclofen tablets should be stored at room temperature.", HALF_LIFE),
        ]
    )
    assert isinstance(good, Judgement) and good.supported and good.score >= judge.threshold
    assert not bad.supported and any(r.startswith("number") for r in bad.reasons)
    assert not unrelated.supported and unrelated.score < judge.threshold
    assert not judge.judge("", DOSE).supported


@pytest.mark.parametrize(
    ("claim", "passage", "absent"),
    [
        (CONDITIONS.replace("It is", "Baclofen is").replace("traumatic spinal cord injury", "gout"), CONDITIONS,
         "gout"),
        (SIDE_EFFECTS.replace("weakness", "sarcoidosis"), SIDE_EFFECTS, "sarcoidosis"),
        ("Caution is advised when baclofen is used with statins.",
         "Caution is advised when used concomitantly with medications such as benzodiazepines, opioids, and "
         "antihistamines.", "statins"),
        ("Tizanidine was first introduced in the 1960s to manage spasticity.",
         "Baclofen was first introduced in the 1960s to manage spasticity.", "tizanidine"),
    ],
)  # fmt: skip
def test_a_swapped_in_absent_term_is_rejected(judge, claim, passage, absent):
    verdict = judge.judge(claim, passage)
    assert not verdict.supported
    assert f"entity: claim names {absent!r}, which the passage does not mention" in verdict.reasons


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Baclofen is also used for brain injuries, cerebral palsy and traumatic spinal cord injury.", CONDITIONS),
        ("Common side effects of baclofen include sleepiness, dizziness and weakness.", SIDE_EFFECTS),
        # "hemodialysis" is outside the model's vocabulary; "dialysis" is its near-synonym (cosine 0.74)
        ("In renal impairment dose adjustments are crucial, and hemodialysis patients may have altered "
         "pharmacokinetics.", DIALYSIS),
        # the passage says "It": the claim may name its subject
        ("Tizanidine was first introduced in the 1960s to manage spasticity.",
         "It was first introduced in the 1960s to manage spasticity in neurological conditions such as multiple "
         "sclerosis and spinal cord injuries."),
    ],
)  # fmt: skip
def test_a_paraphrase_with_synonyms_is_still_accepted(judge, claim, passage):
    assert judge.absent_entities(claim, passage) == []
    verdict = judge.judge(claim, passage)
    assert verdict.supported, verdict.reasons


def test_calibration_is_data():
    cal = load_calibration()
    assert json.loads(CALIBRATION_PATH.read_text())["threshold"] == cal["threshold"]
    assert len(cal["weights"]) == len(cal["features"])
    assert 0.0 < cal["threshold"] < 1.0
    # refit (python -m eval.calibrate) whenever the rules change
    assert cal["rules_version"] == RULES_VERSION


def test_a_changed_calibration_does_not_reuse_old_verdicts(encoder, tmp_path):
    """The persistent cache holds embeddings only (text -> vector of the named model), never verdicts."""
    claim = "Oral baclofen is usually started at 5 mg three times a day."
    first = SupportJudge(encoder, cache_dir=tmp_path / "cache")
    assert first.judge(claim, DOSE).supported
    first.save_cache()
    strict = dict(load_calibration(), threshold=0.9999)
    (tmp_path / "strict.json").write_text(json.dumps(strict))
    second = SupportJudge(encoder, cache_dir=tmp_path / "cache", calibration=tmp_path / "strict.json")
    assert second.cached_texts > 0
    assert not second.judge(claim, DOSE).supported
    assert sorted(p.suffix for p in (tmp_path / "cache").iterdir()) == [".json", ".npy"]


def test_threshold_override(encoder):
    strict = SupportJudge(encoder, threshold=0.999)
    assert not strict.judge("Baclofen is a muscle relaxant.", "Baclofen tablets should be stored dry.").supported


class FakeNli:
    """A scripted cross-encoder: logits (contradiction, entailment, neutral); "(true)" in the claim entails."""

    id2label = {0: "contradiction", 1: "entailment", 2: "neutral"}

    def __init__(self):
        self.calls = []

    def predict(self, pairs):
        self.calls.append(list(pairs))
        return np.array([[-4.0, 4.0, 0.0] if "(true)" in claim else [4.0, -4.0, 0.0] for _p, claim in pairs])


def test_nli_cross_encoder_is_blended(encoder):
    nli = FakeNli()
    judge = SupportJudge(encoder, nli=nli)
    passage = "Baclofen is a muscle relaxant used for spasticity."
    # the keywords are common words, so that only the NLI model tells the two claims apart
    yes, no = judge.judge_many([("Baclofen is a muscle relaxant (true).", passage),
                                ("Baclofen is a muscle relaxant (false).", passage)])  # fmt: skip
    assert nli.calls and nli.calls[0][0][0] == passage  # (premise, hypothesis) order
    assert yes.score > no.score
    entail = [float(r.split()[-1]) for r in yes.reasons if r.startswith("nli entailment")]
    assert entail and entail[0] > 0.95
    assert not no.supported
    # the hard checks still veto, whatever the NLI model says
    assert not judge.judge("Baclofen is a muscle relaxant at 10 mg (true).", passage + " Dose 5 mg.").supported


def test_nli_path_must_exist(tmp_path):
    from index.errors import ModelError

    with pytest.raises(ModelError):
        SupportJudge(nli=tmp_path / "missing-model")


def test_embedding_cache_round_trip(encoder, tmp_path):
    first = SupportJudge(encoder, cache_dir=tmp_path)
    v1 = first.encode(["Baclofen is a muscle relaxant."])
    first.save_cache()
    second = SupportJudge(encoder, cache_dir=tmp_path)
    assert second.cached_texts == 1
    assert np.allclose(second.encode(["Baclofen is a muscle relaxant."]), v1)


@pytest.fixture(scope="module")
def heldout_stats(judge) -> dict:
    from eval.metrics import agreement

    rows = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    held = [r for r in rows if r["split"] == "heldout"]
    assert len(held) >= 50
    verdicts = judge.judge_many([(r["claim"], r["passage"]) for r in held])
    return agreement([v.supported for v in verdicts], [bool(r["label"]) for r in held])


@pytest.mark.skipif(not PAIRS.is_file(), reason="no labelled pairs")
def test_judge_holds_its_measured_agreement_on_heldout_pairs(heldout_stats):
    """A regression floor at the level measured when the judge was last calibrated (see eval/README.md)."""
    stats = heldout_stats
    assert stats["balanced_accuracy"] >= 0.88, stats
    assert stats["false_accept_rate"] <= 0.05, stats
    assert stats["kappa"] >= 0.80, stats


@pytest.mark.skipif(not PAIRS.is_file(), reason="no labelled pairs")
def test_judge_meets_its_targets_on_heldout_pairs(heldout_stats):
    """Issue 4's targets: balanced accuracy >= 0.90 with at most 5% of unsupported claims accepted."""
    stats = heldout_stats
    assert stats["balanced_accuracy"] >= 0.90, stats
    assert stats["false_accept_rate"] <= 0.05, stats
