"""Typed facts from sentences: enumerations, list kinds, receptors and quantities; from the seed index."""

from __future__ import annotations

from quiz.facts import find_enumerations, list_kind


def _members(text):
    return [[text[a:b] for a, b in e.items] for e in find_enumerations(text)]


def test_enumeration_members():
    text = "Common side effects of baclofen include drowsiness, dizziness, and weakness."
    assert _members(text) == [["drowsiness", "dizziness", "weakness"]]
    text = "It is used in conditions such as traumatic spinal cord injury and brain injuries that present."
    assert _members(text) == [["traumatic spinal cord injury", "brain injuries"]]


def test_enumeration_rejects_clauses_and_pronouns():
    assert _members("This article explores its actions, administration, and important considerations.") == []
    assert (
        _members("It inhibits adenylate cyclase, which lowers AMP levels, and promoting the opening of channels.") == []
    )


def test_list_kind_from_nearest_cue():
    assert list_kind("Common adverse effects of oral baclofen include:") == "side_effect"
    assert list_kind("Some of the primary conditions for which baclofen is prescribed include:") == "condition"
    assert list_kind("Symptoms of withdrawal can include") == "symptom"
    assert list_kind("central nervous system depressants like") == "drug"
    assert list_kind("It reaches peak plasma concentrations after ingestion.") is None


def test_seed_facts_are_spans_of_indexed_sentences(view, seed_index):
    kinds = {f.kind for f in view.facts.facts}
    assert {"dose", "frequency", "duration", "percentage", "receptor", "side_effect", "condition"} <= kinds
    for f in view.facts.facts:
        assert f.sentence.text[f.start : f.end] == f.text
        doc = seed_index.documents[f.sentence.doc_id]
        assert doc.text[f.doc_start : f.doc_end] == f.text
        assert not any(r.start < f.doc_end and r.end > f.doc_start for r in doc.removed)


def test_side_effect_lists_are_found(view):
    side_effects = {f.text.lower() for f in view.facts.of_kind("side_effect")}
    assert {"drowsiness", "dizziness", "weakness", "somnolence"} <= side_effects
