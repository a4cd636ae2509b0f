"""The support judge's readings of lay wording: shares and ratios, per-dose vs per-day, negation that stops
at a clause, turned-round comparisons, words swapped between the passage's own neighbours, and words
that line up in context. Each pair below is one a person would judge at a glance."""

from __future__ import annotations

import pytest

from rag.judge import (
    SupportJudge,
    check_direction,
    check_entities,
    check_hedge,
    check_negation,
    check_numbers,
    extract_quantities,
    slot_swaps,
)

DOSE = (
    "For oral administration, an adult dosage may start at 5 mg taken three times daily, with potential "
    "increments every three days, reaching up to 80 mg per day if necessary."
)
INCIDENCE = "The incidence of adverse effects ranges from 10% to 75%"
WITHDRAWAL = (
    "Withdrawal Risk: Avoid abrupt discontinuation of baclofen to prevent potentially serious withdrawal complications"
)


@pytest.fixture(scope="module")
def judge(encoder):
    return SupportJudge(encoder)


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("one in ten patients", [(10.0, "percent")]),
        ("3 out of 4", [(75.0, "percent")]),
        ("one in a hundred", [(1.0, "percent")]),
        ("4 per thousand", [(0.4, "percent")]),
        ("stopped all at once", []),
        ("5 mg tid", [(5.0, "mass"), (3.0, "times")]),
        ("three quarters of patients", [(75.0, "percent")]),
        ("a tenth of them", [(10.0, "percent")]),
        ("from three point three to zero point four", [(3.3, None), (0.4, None)]),
        ("in the nineteen-sixties", [(1960.0, None)]),
        ("once the body adjusts", []),
        ("taken once daily", [(1.0, "times")]),
        ("beyond 60 milligrams per 24 hours", [(60.0, "mass")]),
        ("one patient in ten", [(10.0, "percent")]),
        ("from 4 to 27 of every 100 patients", [(27.0, "percent"), (4.0, "percent")]),
        ("one of the patients in the study", []),
    ],
)
def test_shares_ratios_and_shorthand_are_read(text, values):
    assert [(round(q.value, 6), q.unit) for q in extract_quantities(text)] == values


@pytest.mark.parametrize(
    "claim",
    [
        "Between one in ten and three in four patients have adverse effects.",
        "Adverse effects occur in 10 to 75 percent of patients.",
    ],
)
def test_a_share_written_as_a_ratio_matches_its_percentage(claim):
    assert check_numbers(claim, INCIDENCE) == []


@pytest.mark.parametrize(
    "claim",
    [
        "Between one in five and three in four patients have adverse effects.",
        "Between 10 and 75 per thousand patients have adverse effects.",
    ],
)
def test_a_different_share_is_caught(claim):
    assert check_numbers(claim, INCIDENCE)


def test_a_number_hyphenated_to_its_unit_keeps_the_unit():
    assert [(q.value, q.unit) for q in extract_quantities("a 10-mg tablet")] == [(10.0, "mass")]
    assert [(q.raw, q.unit) for q in extract_quantities("the ten-milligram strength")] == [(10.0, "mass")]
    assert [(q.raw, q.unit) for q in extract_quantities("twenty-five mg")] == [(25.0, "mass")]  # not a unit
    strength = "Baclofen(10mg) is utilized in various clinical settings for pain management."
    assert check_numbers("The 10-microgram form of baclofen is used for pain.", strength)
    assert not check_numbers("The 10-milligram form of baclofen is used for pain.", strength)


def test_a_fraction_is_its_percentage():
    passage = "Requires less than one-hundredth of the oral dose concentration"
    assert check_numbers("It needs under 1% of the oral dose.", passage) == []
    assert check_numbers("It needs under 10% of the oral dose.", passage)


def test_per_dose_is_not_per_day_even_with_words_between():
    assert check_numbers("An adult can take up to 80 mg of oral baclofen per dose.", DOSE)
    assert check_numbers("An adult can take up to 80 mg of oral baclofen per day.", DOSE) == []


def test_a_daily_total_is_the_dose_times_its_frequency():
    assert check_numbers("Adults start on 15 mg a day, in three doses.", DOSE) == []
    assert check_numbers("Adults start on 15 mg three times daily.", DOSE)
    assert check_numbers("Adults start on 20 mg a day.", DOSE)


def test_a_rounded_number_may_be_a_little_off_when_the_claim_says_so():
    passage = "Treatment discontinuation due to intolerable adverse effects ranges from 4% to 27%"
    assert check_numbers("Between one in twenty-five and just over one in four patients stop.", passage) == []
    assert check_numbers("Between one in twenty-five and one in four patients stop.", passage)
    assert check_numbers("Roughly one in three patients stop.", passage)


def test_a_proportion_is_its_percentage():
    passage = "Baclofen is rapidly absorbed with about 70-80% bioavailability."
    assert check_numbers("Its bioavailability is 0.7 to 0.8.", passage) == []
    assert check_numbers("Its bioavailability is 0.5 to 0.6.", passage)


def test_a_daily_total_over_ranges_of_dose_and_frequency():
    passage = "Commonly, dosages range from 5 mg to 20 mg, taken three to four times daily."
    assert check_numbers("The total daily intake comes to between 15 mg and 80 mg.", passage) == []
    assert check_numbers("The total daily intake comes to between 15 mg and 100 mg.", passage)


def test_brain_and_spinal_cord_is_the_central_nervous_system(judge):
    passage = "Baclofen exerts its effects primarily through the central nervous system (CNS)."
    assert judge.vetoes("Baclofen acts mainly via the brain and spinal cord.", passage) == []
    assert judge.vetoes("Baclofen acts mainly via the liver.", passage)


def test_all_at_once_is_no_frequency():
    passage = "There is a risk of severe withdrawal if the medication is stopped abruptly."
    assert check_numbers("Stopping it all at once risks severe withdrawal.", passage) == []


PUMP = (
    "This method allows for effective treatment with significantly smaller doses, often 100 times less than "
    "oral doses, because the drug is delivered directly to the spinal cord."
)


@pytest.mark.parametrize("share", ["about 1%", "one percent", "roughly one-hundredth", "a hundredth", "only 1/100"])
def test_n_times_less_is_a_share_of_one_in_n(share):
    assert check_numbers(f"A pump needs {share} of the oral dose.", PUMP) == []


@pytest.mark.parametrize("share", ["about 10%", "one-tenth", "a fifth", "1/10"])
def test_a_different_share_of_n_times_less_is_caught(share):
    assert check_numbers(f"A pump needs {share} of the oral dose.", PUMP)


def test_a_fraction_range_shares_its_denominator():
    passage = "Baclofen is rapidly absorbed from the gastrointestinal tract with about 70-80% bioavailability."
    for claim in ("Seven to eight tenths of a dose is absorbed.", "Between seven-tenths and four-fifths is absorbed."):
        assert check_numbers(claim, passage) == []
    assert check_numbers("Five to six tenths of a dose is absorbed.", passage)
    assert check_numbers("Between seven-tenths and nine-tenths is absorbed.", passage)


@pytest.mark.parametrize(
    "claim",
    [
        "Adults take it three times, adding up to 15 mg over the day.",
        "That is 15 mg across the day.",
        "So 15 to 80 mg in total daily.",
    ],
)
def test_a_daily_total_said_another_way(claim):
    passage = "Dosages range from 5 mg to 20 mg, taken three to four times daily."
    assert check_numbers(claim, passage) == []
    assert check_numbers(claim.replace("15", "25"), passage)


def test_a_ceiling_over_one_day_is_a_daily_ceiling():
    passage = "Usually 40 to 80 mg per day, with a maximum daily dose of 100 mg."
    assert check_numbers("Never take more than 100 mg in one day.", passage) == []
    assert check_numbers("Never take more than 100 mg over twenty-four hours.", passage) == []
    assert check_numbers("Never take more than 120 mg in one day.", passage)


def test_a_claim_may_count_the_passages_list():
    passage = "The most common side effects are dizziness, drowsiness, and weakness."
    assert check_numbers("The three most common side effects are dizziness, sleepiness and weakness.", passage) == []
    assert check_numbers("The four most common side effects include dizziness.", passage)
    dual = "This dual action, both at the spinal and supraspinal levels, makes baclofen a multifaceted agent."
    assert check_numbers("Baclofen works at two levels.", dual) == []
    assert check_numbers("Baclofen works at three levels.", dual)
    # a passage that gives its own count is read by it, not by its lists
    routes = "The routes differ in dosage, efficacy, and side effects. The table compares these two methods."
    assert check_numbers("The table compares three methods.", routes)


def test_once_opening_a_clause_is_a_conjunction():
    passage = "When a nerve is compressed, it can become inflamed and painful."
    assert check_numbers("Once a nerve gets pinched, it may swell and hurt.", passage) == []
    assert extract_quantities("Take it once a day.")[0].value == 1.0


# --- negation ----------------------------------------------------------------------------------


def test_negation_stops_at_a_comma_that_ends_its_clause():
    passage = (
        "Studies have shown that intrathecal baclofen can significantly reduce muscle tone (Ashworth score for "
        "rigidity from 4.0 to 1.2) in patients who don't respond to oral therapy"
    )
    claim = "In patients who did not respond to oral therapy, intrathecal baclofen lowered the Ashworth score."
    assert check_negation(claim, passage) == []
    options = (
        "Alternative Treatments: For patients who cannot tolerate baclofen or have inadequate response, "
        "alternative options include tizanidine, botulinum toxin injections, or dantrolene"
    )
    assert (
        check_negation("Botulinum toxin injections are an option for patients who cannot tolerate baclofen.", options)
        == []
    )


def test_negation_still_reaches_over_a_list():
    passage = "Baclofen is not recommended for epilepsy, kidney failure or stroke."
    assert check_negation("Baclofen is recommended for kidney failure.", passage)


def test_to_avoid_and_to_prevent_agree():
    passage = "Clinicians must evaluate all patient medications to prevent interaction-related adverse effects."
    assert (
        check_negation(
            "Clinicians should review all medications to avoid interaction-related adverse effects.", passage
        )
        == []
    )
    contraindicated = "Baclofen is contraindicated in patients with hypersensitivity to the drug."
    assert check_negation("People who are hypersensitive to baclofen should not take it.", contraindicated) == []


def test_a_purpose_names_a_risk_it_does_not_deny():
    passage = (
        "Abrupt discontinuation must be avoided to prevent withdrawal symptoms such as seizures and hallucinations."
    )
    assert check_negation("Seizures and hallucinations are possible withdrawal symptoms.", passage) == []
    taper = "Providers recommend a gradual dose reduction to prevent withdrawal symptoms such as seizures."
    assert check_negation("Seizures can be a symptom of withdrawal.", taper) == []
    # what "avoided" governs is still negated
    assert check_negation("Abrupt discontinuation is the recommended way to stop.", passage)
    contraindicated = "Baclofen is contraindicated in patients with severe renal impairment."
    assert check_negation("Severe kidney impairment is not a reason to avoid baclofen.", contraindicated)


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        (
            "Nerve pain often doesn't respond to standard painkillers.",
            "Neuropathic pain is often resistant to conventional analgesics.",
        ),
        (
            "Spasticity often comes with muscle spasms the person can't control.",
            "Spasticity is increased muscle tone, often accompanied by involuntary muscle spasms.",
        ),
        (
            "Severe kidney failure rules baclofen out.",
            "Baclofen is contraindicated in patients with severe renal failure.",
        ),
        (
            "Keep the tablets where children cannot get at them.",
            "They must be kept out of reach of children.",
        ),
    ],
)
def test_a_negative_word_restates_a_negation(claim, passage):
    assert check_negation(claim, passage) == []


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        (  # the negated side uses the negative word itself: "not resistant" is no "resistant"
            "Nerve pain is not resistant to standard painkillers.",
            "Neuropathic pain is often resistant to conventional analgesics.",
        ),
        (  # the negative word speaks of something else than what the claim denies
            "In children, baclofen is officially approved and can be given without special supervision.",
            "In children, baclofen may be prescribed off-label under close medical supervision.",
        ),
        (
            "Baclofen tablets need not be kept out of children's reach.",
            "They must be kept out of reach of children.",
        ),
    ],
)
def test_a_negative_word_does_not_excuse_a_real_flip(claim, passage):
    assert check_negation(claim, passage)


def test_nothing_negates():
    passage = "By reducing the frequency of spasms, baclofen helps to relieve pain."
    assert check_negation("Baclofen does nothing for the pain that goes with spasms.", passage)
    assert check_negation("Baclofen helps relieve the pain that goes with spasms.", passage) == []


# --- direction and order -----------------------------------------------------------------------


def test_a_swapped_one_way_relation_is_caught():
    passage = "It is generally considered when the risk of spasticity outweighs the potential side effects."
    assert check_direction("It is considered when the side effects outweigh the risk of spasticity.", passage)
    assert check_direction("It is considered when the risk of spasticity outweighs the side effects.", passage) == []


def test_a_comparison_turned_round_is_the_same_claim():
    passage = "Diazepam is more sedating than tizanidine."
    assert check_direction("Tizanidine is less sedating than diazepam.", passage) == []
    assert check_direction("Tizanidine is more sedating than diazepam.", passage)
    assert check_direction("Tizanidine is less sedating than diazepam.", "Tizanidine is more sedating than diazepam.")


def test_compared_to_is_a_one_way_relation_too():
    passage = "The intrathecal route achieves higher spinal fluid concentrations compared to oral tablets."
    assert check_direction("Oral tablets give higher spinal fluid concentrations than the intrathecal route.", passage)
    assert (
        check_direction("Intrathecal dosing gives higher spinal fluid concentrations than oral tablets.", passage) == []
    )
    trial = "A meta-analysis revealed that baclofen can significantly reduce pain scores compared to placebo."
    assert check_direction("Placebo reduced pain scores more than baclofen did.", trial)
    assert check_direction("Baclofen reduced pain scores more than placebo did.", trial) == []


def test_an_adverb_does_not_turn_the_next_direction_word_round():
    passage = "Gradual dose tapering helps mitigate withdrawal risks."
    assert check_direction("Slowly lowering the dose reduces the chance of withdrawal.", passage) == []


def test_a_comparative_against_a_change_the_other_way():
    passage = "Combined with opioids or alcohol, baclofen can cause increasing sedation."
    assert check_direction("With opioids or alcohol a person becomes less sedated.", passage)
    assert check_direction("With opioids or alcohol a person becomes more sedated.", passage) == []


def test_other_forms_of_a_direction_word_count():
    passage = "By inhibiting reflexes at the spinal cord level, baclofen reduces muscle tone."
    assert check_direction("By boosting spinal cord reflexes, baclofen lowers muscle tone.", passage)


def test_not_only_does_not_turn_a_direction_round():
    passage = "In patients with MS, baclofen not only reduces spasticity but also improves pain scores."
    assert check_direction("In MS, baclofen reduces spasticity and improves pain scores.", passage) == []


def test_lower_back_is_a_place():
    passage = "Patients often experience lower back pain that worsens with prolonged standing."
    assert check_direction("Lower back pain often gets worse with long periods of standing.", passage) == []


# --- with the model: slot swaps and words aligned in context ------------------------------------


def test_slot_swaps_are_found():
    claim = "Avoid abrupt discontinuation of baclofen to prevent potentially serious bleeding complications."
    assert slot_swaps(claim, WITHDRAWAL) == (("bleeding", "withdrawal"),)
    assert slot_swaps("Avoid stopping baclofen abruptly.", WITHDRAWAL) == ()


def test_a_word_swapped_between_the_same_neighbours_is_vetoed(judge):
    claim = "Avoid abrupt discontinuation of baclofen to prevent potentially serious bleeding complications."
    verdict = judge.judge(claim, WITHDRAWAL)
    assert not verdict.supported
    assert any("'bleeding' where the passage says 'withdrawal'" in r for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Patients and carers should be taught to keep to the refill schedule of an intrathecal pump and to spot "
         "early signs of withdrawal.",
         "Patients and caregivers must be educated on adhering to refill schedules for intrathecal pumps and "
         "recognizing early signs of withdrawal."),
        ("Baclofen might not suit every patient, and prescribers should be told the patient's full medical history.",
         "Baclofen may not be suitable for everyone. Healthcare providers should be informed of a patient's full "
         "medical history."),
        ("In spinal stenosis the spaces in the spine narrow and compress the cord and nerves, which can cause pain, "
         "numbness, pins and needles, and weakness.",
         "Spinal stenosis is a condition where the spaces within the spine narrow, compressing the spinal cord and "
         "nerves. This narrowing can cause symptoms like pain, numbness, tingling, and weakness."),
    ],
)  # fmt: skip
def test_lay_paraphrases_are_accepted(judge, claim, passage):
    verdict = judge.judge(claim, passage)
    assert verdict.supported, verdict.reasons


def test_context_credit_needs_token_vectors(judge):
    """A fake encoder has no token vectors: the word-embedding credit stands in, and nothing breaks."""

    class Flat:
        model_id = "flat"

        def encode(self, texts):
            import numpy as np

            out = np.ones((len(texts), 4), dtype="float32")
            return out / 2.0

    plain = SupportJudge(Flat())
    f = plain.features("The pump is replenished by a nurse.", "The pump is refilled by a nurse.")
    assert f.ctx_coverage == f.soft_coverage
    assert plain.swap_reasons("serious bleeding complications", "serious withdrawal complications") == []
    real = judge.features("The pump is replenished by a nurse.", "The pump is refilled by a nurse.")
    assert real.ctx_coverage > real.coverage


def test_upper_is_not_lower():
    reflux = "Baclofen can reduce the number of transient lower esophageal sphincter relaxation episodes."
    assert check_entities("Baclofen reduces relaxations of the upper esophageal sphincter.", reflux)
    assert not check_entities("Baclofen reduces relaxations of the lower esophageal sphincter.", reflux)


def test_cut_is_a_direction_word():
    passage = "There is evidence that tolerance may develop, requiring dose increases over time."
    assert check_direction("Patients grow tolerant, so doses need to be cut back over time.", passage)
    assert check_direction("Patients grow tolerant, so doses need to be raised over time.", passage) == []


def test_how_often_names_a_frequency_without_claiming_one():
    passage = (
        "Intrathecal baclofen can significantly reduce spasm frequency in patients who don't respond to oral therapy."
    )
    assert check_entities("Intrathecal baclofen can markedly cut how often spasms happen.", passage) == []
    assert check_entities("Spasms commonly stop with intrathecal baclofen.", passage)


# --- session 9: forbidding phrases, negative words, levels, particles, rankings -----------------

RENAL = (
    "Renal Impairment: Baclofen is primarily excreted by the kidneys, and severe renal failure is a strong "
    "contraindication due to the risk of accumulation and toxicity."
)
INTRATHECAL = (
    "Intrathecal baclofen therapy, often reserved for patients with refractory spasticity, allows for lower doses "
    "while maximizing therapeutic effects."
)
REFLEXES = (
    "it is known to have a potent inhibitory effect on polysynaptic and, to a lesser extent, monosynaptic reflex "
    "pathways within the spinal cord."
)


def test_a_forbidding_phrase_negates():
    titration = "Allows for fine titration of doses throughout the day"
    assert check_negation("This route rules out fine titration of doses during the day.", titration)
    assert check_negation("This route allows fine titration of doses during the day.", titration) == []
    assert check_negation("Severe kidney failure rules baclofen out.", RENAL) == []
    # what a phrase at the clause's end forbids is what it follows, not the reason given before a comma
    assert check_negation("Since the kidneys clear the drug, severe kidney failure rules it out.", RENAL) == []


def test_a_negative_word_speaks_of_its_own_stretch():
    assert check_negation("Intrathecal baclofen does not allow doctors to use lower doses.", INTRATHECAL)
    kept = "Intrathecal baclofen is kept for spasticity that hasn't responded to other treatment."
    assert check_negation(kept, INTRATHECAL) == []


def test_low_and_high_are_levels():
    tone = "Spasticity is a condition of increased muscle tone and stiffness."
    assert check_direction("Spasticity means abnormally low muscle tone.", tone)
    start = "The initial oral dosage is generally low, with gradual titration to minimize side effects."
    assert check_direction("Oral treatment starts at a high dose.", start)
    assert check_direction("Oral treatment starts low and the dose is increased gradually.", start) == []
    assert check_direction("Titrate up gradually rather than starting high.", start) == []


def test_a_particle_takes_the_direction_of_a_plain_verb():
    seizures = "Epilepsy: Baclofen may lower the seizure threshold, and abrupt discontinuation can trigger seizures."
    assert check_direction("Baclofen can push the seizure threshold up.", seizures)
    assert check_direction("Baclofen can bring the seizure threshold down.", seizures) == []
    spasms = "Decreasing frequency of spasms and clonus"
    assert check_direction("It cuts down how often spasms and clonus happen.", spasms) == []
    assert check_direction("Muscles loosen up and spasms and clonus come less often.", spasms) == []


def test_less_well_is_less_effective():
    spinal = "This localized action within the spinal cord is why it's more effective against spinal spasticity."
    assert check_direction("It works less well against spinal spasticity.", spinal)
    assert check_direction("It works well against spinal spasticity.", spinal) == []


def test_to_a_lesser_extent_ranks_the_two_sides():
    assert check_direction("It inhibits monosynaptic reflex pathways more strongly than polysynaptic ones.", REFLEXES)
    assert (
        check_direction("It inhibits polysynaptic reflex pathways more strongly than monosynaptic ones.", REFLEXES)
        == []
    )
    assert (
        check_direction("It inhibits monosynaptic reflex pathways less strongly than polysynaptic ones.", REFLEXES)
        == []
    )


def test_into_is_read_with_the_change_before_it():
    calcium = "Baclofen also reduces the influx of calcium ions by inhibiting voltage-gated calcium channels."
    assert check_direction("Baclofen blocks calcium channels, so less calcium flows into nerve cells.", calcium) == []
    assert check_direction("Baclofen cuts the entry of calcium into nerve cells.", calcium) == []
    assert check_direction("Baclofen lets more calcium flow into nerve cells.", calcium)
    potassium = "The opening of potassium channels causes an outflow of potassium ions from the neuron."
    assert check_direction("Open potassium channels let potassium flow into the neuron.", potassium)


def test_an_adverb_after_a_change_is_not_its_object():
    passage = (
        "Spasticity is a condition of increased muscle tone and stiffness, often accompanied by involuntary muscle "
        "spasms. By reducing the frequency and severity of these muscle spasms, baclofen helps to relieve pain."
    )
    assert check_direction("Baclofen makes muscle spasms happen less often, which eases pain.", passage) == []
    assert check_direction("Baclofen makes muscle spasms more severe.", passage)


def test_lay_hedges_keep_a_claim_tentative():
    explored = "Baclofen has been explored as an adjunct therapy for cancer-related pain."
    assert check_hedge("Researchers have looked at baclofen as an add-on for cancer pain.", explored) == []
    assert check_hedge("Baclofen is an add-on treatment for cancer pain.", explored)
    suggest = "Studies suggest that baclofen can reduce pain intensity in postherpetic neuralgia."
    assert check_hedge("Research points to baclofen lessening pain in postherpetic neuralgia.", suggest) == []


def test_not_completely_understood_is_a_hedge_not_a_negation():
    passage = "The exact mechanism is not fully understood, but it is known to inhibit polysynaptic reflex pathways."
    claim = "How baclofen works isn't completely understood, but it inhibits polysynaptic reflex pathways."
    assert check_negation(claim, passage) == []
    assert check_hedge(claim, passage) == []
    assert check_negation("The mechanism is understood, and it inhibits polysynaptic reflex pathways.", passage) == []
    assert check_hedge("The mechanism is completely understood.", passage)


def test_a_negation_in_one_clause_does_not_deny_what_another_says_plainly():
    pump = (
        "For severe spasticity not responding to oral treatment, baclofen can be delivered directly into the "
        "spinal fluid via an implanted intrathecal pump. This method allows for effective treatment with "
        "significantly smaller doses, often 100 times less than oral administration."
    )
    assert check_negation("With an intrathecal pump, the dose is often a hundredth of the oral dose.", pump) == []
    assert check_negation("An intrathecal pump is used for severe spasticity that responds to oral treatment.", pump)


def test_a_compound_names_an_effect_and_blunt_is_down():
    passage = "Certain hypertensive agents may also amplify the hypotensive effects of baclofen."
    assert check_direction("Some blood pressure drugs can boost baclofen's pressure-lowering effect.", passage) == []
    assert check_direction("Some blood pressure drugs can blunt baclofen's pressure-lowering effect.", passage)


def test_over_the_whole_day_is_a_daily_total():
    passage = "Baclofen is commonly administered orally, starting with 5 mg three times daily."
    assert check_numbers("It starts at 15 mg spread over the whole day.", passage) == []
    assert check_numbers("It starts at 20 mg spread over the whole day.", passage)


def test_a_multiple_is_not_the_fraction():
    passage = "Requires less than one-hundredth of the oral dose concentration"
    assert check_numbers("It needs more than a hundredfold the oral dose concentration.", passage)
    assert check_numbers("It needs more than a hundred times the oral dose concentration.", passage)
    assert check_numbers("It needs a hundred times less than the oral dose concentration.", passage) == []
    assert check_numbers("It needs under 1% of the oral dose concentration.", passage) == []


def test_improving_a_capacity_increases_it():
    passage = "Baclofen has demonstrated effectiveness in:\n- Improving range of joint movement"
    assert check_direction("Baclofen has been shown to narrow the range of joint movement.", passage)
    assert check_direction("Reduced range of joint movement is one of its shown effects.", passage)
    assert check_direction("Baclofen has been shown to widen the range of joint movement.", passage) == []


def test_a_relative_clause_stays_inside_the_negation_around_it():
    passage = (
        "Caution is advised for individuals with psychotic disorders, as baclofen may worsen these conditions. "
        "It is not recommended for patients with Parkinson's disease or stroke due to a lack of reassuring data."
    )
    assert check_negation("Baclofen isn't recommended for anyone who has had a stroke.", passage) == []
    assert check_negation("Baclofen is recommended for anyone who has had a stroke.", passage)
    contraindicated = "Baclofen is contraindicated in patients with hypersensitivity to the drug."
    assert check_negation("People who are hypersensitive to baclofen must not take it.", contraindicated) == []


def test_non_responders_and_failed_therapy_say_did_not_respond():
    passage = "Intrathecal baclofen can reduce muscle tone in patients who don't respond to oral therapy."
    assert check_negation("In oral non-responders, intrathecal baclofen lowers muscle tone.", passage) == []
    assert check_negation("Where oral therapy has failed, intrathecal baclofen lowers muscle tone.", passage) == []
    assert check_negation("Intrathecal baclofen lowers muscle tone in patients who respond to oral therapy.", passage)
    failure = "Pump failure can lead to withdrawal."
    assert check_negation("Intrathecal pumps never fail.", failure)


def test_fully_understood_is_certainty_the_passage_denies():
    passage = "The exact mechanism is not fully understood, but it is known to inhibit polysynaptic reflex pathways."
    assert check_hedge("Scientists have fully worked out how baclofen inhibits reflexes.", passage)
    assert check_hedge("Nobody is quite sure how baclofen works, but it inhibits polysynaptic reflexes.", passage) == []
    assert check_negation("Nobody knows exactly how it works, but it inhibits polysynaptic reflexes.", passage) == []


def test_certain_to_and_inevitably_are_certainty():
    passage = "Baclofen may exacerbate psychotic disorders."
    assert check_hedge("Baclofen will inevitably make psychotic disorders worse.", passage)
    assert check_hedge("Baclofen is certain to worsen psychosis.", passage)
    assert check_hedge("Baclofen can make psychotic disorders worse.", passage) == []


def test_a_ceiling_must_be_the_passages_ceiling():
    passage = "The usual dose ranges from 40 to 80 mg per day, with a maximum daily dose of 100 mg."
    assert check_numbers("The highest daily dose allowed is 80 mg.", passage)
    assert check_numbers("Daily doses should not exceed 80 mg.", passage)
    assert check_numbers("The maximum is 100 mg a day.", passage) == []
    assert check_numbers("Most people take 40 to 80 mg a day; 100 mg a day is the ceiling.", passage) == []


def test_a_restated_purpose_is_not_a_dropped_negation():
    passage = "Abrupt discontinuation must be avoided to prevent withdrawal symptoms such as seizures or delirium."
    assert check_negation("Delirium can follow if the drug is stopped all of a sudden.", passage) == []
    assert check_negation("Stopping suddenly may trigger seizures.", passage) == []
    assert check_negation("Abrupt discontinuation is recommended to prevent withdrawal seizures.", passage)


def test_idioms_that_name_no_change_carry_no_direction():
    passage = "The narrowing can lead to muscle spasms, stiffness, and pain."
    assert check_direction("The narrowing can give rise to cramps, stiffness and pain.", passage) == []
    assert check_direction("Pain scores rise with baclofen.", "Baclofen lowers pain scores.")
    dose = "Doses usually range from 40 to 80 mg per day, with a maximum daily dose of 100 mg."
    assert (
        check_direction("Doses usually run from 40 to 80 mg a day, with 100 mg a day as the upper limit.", dose) == []
    )


def test_contraindicates_is_a_negation_and_indicated_is_approved():
    passage = "Severe renal failure is a strong contraindication due to the risk of accumulation."
    assert (
        check_negation("Severe renal failure strongly contraindicates it because the drug can accumulate.", passage)
        == []
    )
    assert check_negation("Severe renal failure is no obstacle, although the drug can accumulate.", passage)
    label = "Baclofen is indicated for the treatment of spasticity resulting from multiple sclerosis."
    assert check_hedge("Spasticity from multiple sclerosis is an approved use of baclofen.", label) == []
    studied = "Baclofen has been studied for spasticity resulting from multiple sclerosis."
    assert check_hedge("Spasticity from multiple sclerosis is an approved use of baclofen.", studied)


def test_both_sides_negated_in_other_words_agree():
    passage = "For severe spasticity not responding to oral treatment, a pump can deliver it into the spinal fluid."
    assert (
        check_negation("When tablets don't help severe spasticity, a pump can put it into the spinal fluid.", passage)
        == []
    )
    assert check_negation(
        "When oral treatment works for severe spasticity, a pump can put it into the spinal fluid.", passage
    )


def test_a_clause_that_agrees_among_equally_good_matches_is_enough():
    passage = (
        "The FDA label specifically states that baclofen is not indicated for skeletal muscle spasm resulting from "
        "rheumatic disorders, and its efficacy has not been established for stroke, cerebral palsy, or Parkinson's "
        "disease."
    )
    assert (
        check_negation(
            "According to the FDA label, baclofen's efficacy hasn't been established in Parkinson's disease.", passage
        )
        == []
    )
    assert check_negation("Per the label, baclofen's efficacy has been established in Parkinson's disease.", passage)


def test_less_turns_a_change_round():
    passage = "Baclofen reduces the excitability of nerves and reduces the influx of calcium ions."
    assert check_direction("Nerves become less easily excited with baclofen.", passage) == []
    assert check_direction("Nerves become more easily excited with baclofen.", passage)
    assert check_direction("With baclofen there is less calcium entry.", passage) == []
