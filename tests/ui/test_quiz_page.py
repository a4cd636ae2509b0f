"""The Quiz page, driven by AppTest: generate, preview with sources, drop an item, take it with a score, download."""

from __future__ import annotations

import html

from tests.ui.conftest import open_app
from tests.ui.test_evaluate_page import run_until


def test_generate_preview_drop_take_and_download(seeded, seed_index):
    at = open_app("quiz")
    at.number_input(key="quiz_n").set_value(4)
    at.number_input(key="quiz_seed").set_value(3)
    at.form_submit_button[0].click().run()
    run_until(at, lambda a: "quiz_items" in a.session_state and "quiz_job" not in a.session_state)
    assert not at.error, [e.value for e in at.error]
    items = at.session_state["quiz_items"]
    assert 1 <= len(items) <= 4
    assert any(c.value.startswith("quiz:") for c in at.caption)  # the builder's summary

    # Preview: every item with its keyed answer and its source sentence marked in the document.
    page = "\n".join(h.value for h in at.html)
    for item in items:
        c = item.citation
        assert seed_index.documents[c.doc_id].text[c.start : c.end] == c.quote
        assert f"<mark>{html.escape(c.quote)}</mark>" in page
    assert {b.label for b in at.get("download_button")} == {
        "GIFT (Moodle)",
        "CSV",
        "JSON",
        "Markdown (printable)",
    }

    # Take the quiz: all right but the first, which is left unanswered.
    for item in items[1:]:
        widget = at.radio(key=f"quiz_answer_{item.id}") if item.options else at.text_input(key=f"quiz_answer_{item.id}")
        widget.set_value(item.answer)
    at.button(key="FormSubmitter:quiz_take-Check my answers").click().run()
    assert not at.exception
    score = {m.label: m.value for m in at.metric}["Your score"]
    assert score == f"{len(items) - 1} / {len(items)}"
    marks = at.session_state["quiz_marks"]
    assert marks[items[0].id] == (None, False) and all(marks[it.id][1] for it in items[1:])

    # Drop the first item: the quiz keeps the rest, in order, and the marks are reset.
    at.button(key=f"quiz_drop_{items[0].id}").click().run()
    assert [it.id for it in at.session_state["quiz_items"]] == [it.id for it in items[1:]]
    assert "quiz_marks" not in at.session_state


def test_no_type_chosen_is_a_message(seeded):
    at = open_app("quiz")
    at.multiselect(key="quiz_types").set_value([])
    at.form_submit_button[0].click().run()
    assert [e.value for e in at.error] == ["Pick at least one item type and one topic."]
    assert "quiz_job" not in at.session_state
