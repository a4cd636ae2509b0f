"""Cleaning and structure: page debris never reaches the index; headings, lists and tables are recognised."""

from __future__ import annotations

import pytest

from index.chunking import segment
from index.cleaning import clean
from index.settings import ChunkingSettings
from index.types import Document

SEED_DEBRIS = [
    "LEAVE A REPLY",
    "Please enter your comment",
    "Please enter your name here",
    "4o mini",
    "Shot of a young businessman",
    "How to Sleep After Cocaine Use",
    "What Does an Inflamed Amygdala Feel Like",
    "Enterotoxigenic E. Coli",
    "There are no reviews yet",
]


def test_no_seed_chunk_or_sentence_holds_debris(seed_index):
    texts = [c.text for c in seed_index.chunks] + [s.text for s in seed_index.sentences]
    assert len(seed_index.chunks) > 30
    for text in texts:
        for debris in SEED_DEBRIS:
            assert debris.lower() not in text.lower(), (debris, text[:80])
        assert not text.strip().isdigit()
    # the counters "0" and "6" of the blog page are gone, not merged into a chunk
    blog = [c for c in seed_index.chunks if c.doc_id.startswith("002_")]
    assert all(not c.text.startswith(("0", "6")) for c in blog)


def test_seed_debris_is_recorded_with_a_reason(seed_index):
    removed = {r.text: r.reason for d in seed_index.documents.values() for r in d.removed}
    assert removed["LEAVE A REPLY"] == "comment form"
    assert removed["4o mini"] == "chat artefact"
    assert removed["0"] == "counter"
    assert removed["Enterotoxigenic E. Coli: Causes, Symptoms, and Treatment"] == "related titles"
    assert (
        "caption"
        in removed["Shot of a young businessman suffering from a backache while working at his desk in his office."]
    )
    for doc in seed_index.documents.values():
        for r in doc.removed:
            assert doc.text[r.start : r.end] == r.text


GENERIC_PAGE = """Magnesium and Sleep: What the Evidence Says

12
Share
Photo by Jane Doe on Unsplash

Magnesium is a mineral involved in many enzyme reactions. Low levels have been linked to poor sleep.

Dosage

Adults commonly take 200 mg to 400 mg per day. Higher doses may cause diarrhoea.

Advertisement

Rated 4.5 out of 5
Leave a comment
Your email address will not be published. Required fields are marked *
ChatGPT said:

Related articles
Ten Foods That Boost Your Mood
Why Do Cats Purr?
The Best Running Shoes of the Year
"""


def test_generic_web_debris_is_removed_by_rule():
    doc = Document("m", "", "m.txt", GENERIC_PAGE)
    blocks = clean(doc)
    kept = " ".join(b.text for b in blocks)
    assert doc.title == "Magnesium and Sleep: What the Evidence Says"
    assert "200 mg to 400 mg per day" in kept
    assert "Low levels have been linked" in kept
    for debris in [
        "Share",
        "Photo by",
        "Advertisement",
        "Rated 4.5",
        "Leave a comment",
        "Required fields",
        "ChatGPT",
        "Related articles",
        "Ten Foods",
        "Cats Purr",
        "Running Shoes",
    ]:
        assert debris not in kept, debris
    reasons = {r.reason for r in doc.removed}
    assert {
        "counter",
        "share buttons",
        "caption",
        "site boilerplate",
        "reviews and ratings",
        "comment form",
        "chat artefact",
        "related titles",
    } <= reasons


def test_a_document_of_one_heading_keeps_it():
    doc = Document("t", "", "t.txt", "Just A Title\n")
    blocks = clean(doc)
    assert [b.kind for b in blocks] == ["title"]


def test_structure_lists_tables_and_headings(seed_index):
    by_label = {s.label: s for s in seed_index.sentences if s.label}
    renal = by_label["Renal Impairment"]
    assert renal.kind == "list_item"
    assert renal.text.startswith("Renal Impairment: Baclofen is primarily excreted by the kidneys")
    assert renal.context.endswith("include:")
    assert renal.section == "Potential Contraindications"
    dosage_row = next(s for s in seed_index.sentences if s.kind == "table_row" and s.label == "Dosage")
    assert dosage_row.text.startswith("Dosage | Higher doses required")
    assert "Oral Baclofen | Intrathecal Baclofen" in dosage_row.context
    assert not any("---|" in s.text for s in seed_index.sentences)
    sections = {c.section for c in seed_index.chunks if c.doc_id.startswith("002_")}
    assert "Neuropathic Pain" in sections  # "1. Neuropathic Pain" numbers a section


def test_reference_digits_are_left_outside_sentences(seed_index):
    texts = [s.text for s in seed_index.sentences if s.doc_id.startswith("003_")]
    assert any(t.endswith("muscular spasm resulting from rheumatic disorders.") for t in texts)
    assert "Somnolence" in texts
    assert "Spasticity of spinal origin" in texts
    assert any(t.endswith("fine titration of doses throughout the day") for t in texts)
    assert any(t.endswith("ranges from 4% to 27%") for t in texts)
    assert not any(t.rstrip(".").split()[-1].isdigit() and len(t.rstrip(".").split()[-1]) == 1 for t in texts)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Take 5 mg. Then wait.", ["Take 5 mg.", "Then wait."]),
        ("Use e.g. Tizanidine as an option. Next one.", ["Use e.g. Tizanidine as an option.", "Next one."]),
        ("Rigidity fell from 4.0 to 1.2. Spasms fell too.", ["Rigidity fell from 4.0 to 1.2.", "Spasms fell too."]),
        ("Dr. Smith agreed. So did J. Doe.", ["Dr. Smith agreed.", "So did J. Doe."]),
        ("Is it safe? Yes! It is.", ["Is it safe?", "Yes!", "It is."]),
        ("Reached on day 3.", ["Reached on day 3."]),
    ],
)
def test_sentence_splitting(text, expected):
    doc = Document("s", "Title", "s.txt", f"Title\n{text}\n")
    seg = segment(doc, ChunkingSettings())
    assert [s.text for s in seg.sentences] == expected
    for s in seg.sentences:
        assert doc.text[s.start : s.end] == s.text


def test_reference_marker_style_needs_several_markers():
    # one trailing digit in a document without the style is text, not a marker
    doc = Document("r", "T", "r.txt", "T\nPatients improved on dose 2. The scale went up to 10.\n")
    seg = segment(doc, ChunkingSettings())
    assert [s.text for s in seg.sentences] == ["Patients improved on dose 2.", "The scale went up to 10."]


def test_markdown_headings_and_bullets():
    text = "# Drug Notes\n\n## Dosage ##\n\nStart at 5 mg.\n\n* Take with food\n* Avoid alcohol\n"
    doc = Document("md", "", "n.md", text, format="md")
    blocks = clean(doc)
    assert [(b.kind, b.text) for b in blocks] == [
        ("title", "Drug Notes"),
        ("heading", "Dosage"),
        ("paragraph", "Start at 5 mg."),
        ("list_item", "Take with food"),
        ("list_item", "Avoid alcohol"),
    ]
