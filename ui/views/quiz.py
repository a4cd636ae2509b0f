"""Quiz page: choose number, types, topics and difficulty; generate; preview (and drop items); take
the quiz with a score; download GIFT, CSV, JSON or Markdown.

Items come from quiz.build_quiz (run as a background job, ui/jobs.py), answers are marked with
quiz.variants.accepts, files are quiz.export's. Per-session state: quiz_job, quiz_items (the
items kept, in order), quiz_stats, quiz_marks ({item id: (response, right)} once checked).
"""

from __future__ import annotations

import streamlit as st

from quiz import DIFFICULTIES, TOPICS, TYPES, QuizItem
from ui import common, jobs, resources
from ui.passages import md_escape, passage_html, quote_html

state = st.session_state
TYPE_LABELS = {
    "mcq": "Multiple choice",
    "cloze": "Fill in the blank",
    "true_false": "True or false",
    "short": "Short answer",
}
MAX_ITEMS = 100
# Material icons, not emoji: a browser without an emoji font would show empty boxes.
KEY = ":green[:material/check_circle:]"
WRONG = ":red[:material/cancel:]"


def _reset_answers() -> None:
    for key in [k for k in state if str(k).startswith("quiz_answer_")]:
        del state[key]
    state.pop("quiz_marks", None)


def _source(item: QuizItem, index) -> str:
    c = item.citation
    doc = index.documents.get(c.doc_id) if index is not None else None
    if doc is not None and doc.text[c.start : c.end] == c.quote:
        chunk = index.chunk_by_id.get(c.chunk_id)
        within = (chunk.start, chunk.end) if chunk is not None and chunk.doc_id == doc.doc_id else None
        return passage_html(doc.text, c.start, c.end, within=within)
    return quote_html(c.quote)


def _source_label(item: QuizItem) -> str:
    c = item.citation
    section = f" · {md_escape(c.section)}" if c.section and c.section != c.title else ""
    return f"Source: *{md_escape(c.title or c.doc_id)}*{section}"


def _right(item: QuizItem, response: str | None) -> bool:
    from quiz.variants import accepts

    if response is None or not str(response).strip():
        return False
    if item.type in ("mcq", "true_false"):
        return response == item.answer
    return accepts(str(response), item.accepted or [item.answer])


def preview(items: list[QuizItem], index) -> None:
    for number, item in enumerate(items, 1):
        with st.container(border=True):
            st.caption(f"{number}. {TYPE_LABELS.get(item.type, item.type)} · {item.topic} · {item.difficulty}")
            st.markdown(f"**{md_escape(item.question)}**")
            if item.options:
                st.markdown("\n".join(f"- {KEY} **{md_escape(o)}**" if o == item.answer else f"- {md_escape(o)}"
                                       for o in item.options))  # fmt: skip
            if item.answer not in item.explanation:  # the explanation usually states the answer
                st.markdown(f"{KEY} Answer: **{md_escape(item.answer)}**")
            others = [a for a in item.accepted if a != item.answer]
            if others:
                st.caption(f"Also accepted: {md_escape('; '.join(others))}")
            if item.explanation:
                st.markdown(md_escape(item.explanation))
            st.markdown(_source_label(item))
            st.html(_source(item, index))
            if st.button("Drop this item", key=f"quiz_drop_{item.id}", type="tertiary"):
                state["quiz_items"] = [it for it in state["quiz_items"] if it.id != item.id]
                _reset_answers()
                st.rerun()


def take(items: list[QuizItem], index) -> None:
    with st.form("quiz_take"):
        for number, item in enumerate(items, 1):
            label = f"{number}. {md_escape(item.question)}"
            if item.type in ("mcq", "true_false"):
                st.radio(label, item.options, index=None, key=f"quiz_answer_{item.id}")
            else:
                st.text_input(label, key=f"quiz_answer_{item.id}", placeholder="Your answer")
        checked = st.form_submit_button("Check my answers", type="primary")
    if checked:
        state["quiz_marks"] = {
            it.id: (state.get(f"quiz_answer_{it.id}"), _right(it, state.get(f"quiz_answer_{it.id}"))) for it in items
        }
    marks = state.get("quiz_marks")
    if not marks:
        return
    right = sum(1 for it in items if marks.get(it.id, (None, False))[1])
    st.metric("Your score", f"{right} / {len(items)}")
    st.caption(f"{right / len(items):.0%} right." if items else "")
    for number, item in enumerate(items, 1):
        response, ok = marks.get(item.id, (None, False))
        given = md_escape(str(response)) if response else "*(no answer)*"
        verdict = "Right" if ok else "Wrong"
        with st.container(border=True):
            st.markdown(f"{KEY if ok else WRONG} **{number}. {verdict}.** Your answer: {given} · keyed answer: "
                        f"**{md_escape(item.answer)}**")  # fmt: skip
            if item.explanation:
                st.caption(md_escape(item.explanation))
            st.html(_source(item, index))
    if st.button("Try again", key="quiz_retry"):
        _reset_answers()
        st.rerun()


def downloads(items: list[QuizItem]) -> None:
    from quiz import export

    st.markdown("The same items in four formats; GIFT imports into Moodle as it is.")
    cols = st.columns(4)
    files = [
        ("GIFT (Moodle)", export.to_gift, "baclofen-quiz.gift", "text/plain"),
        ("CSV", export.to_csv, "baclofen-quiz.csv", "text/csv"),
        ("JSON", export.to_json, "baclofen-quiz.json", "application/json"),
        ("Markdown (printable)", export.to_markdown, "baclofen-quiz.md", "text/markdown"),
    ]
    for col, (label, writer, name, mime) in zip(cols, files, strict=True):
        with common.show_errors(f"Writing {label}"):
            col.download_button(label, writer(items), file_name=name, mime=mime, key=f"quiz_download_{name}")


st.title("Build a quiz")
st.caption(
    "Every keyed answer is checked against a quoted sentence of the corpus, and wrong options are ones the "
    "corpus does not support for that question."
)

with st.form("quiz_form"):
    cols = st.columns(3)
    n = cols[0].number_input("Number of items", min_value=1, max_value=MAX_ITEMS, value=10, key="quiz_n")
    difficulty = cols[1].selectbox("Difficulty", ["mixed", *DIFFICULTIES], key="quiz_difficulty")
    seed = cols[2].number_input(
        "Seed", min_value=0, max_value=10**9, value=0, key="quiz_seed", help="The same seed gives the same quiz."
    )
    types = st.multiselect(
        "Item types", list(TYPES), default=list(TYPES), format_func=lambda t: TYPE_LABELS.get(t, t), key="quiz_types"
    )
    topics = st.multiselect("Topics", list(TOPICS), default=list(TOPICS), key="quiz_topics")
    go = st.form_submit_button("Generate", type="primary")

if go:
    if not types or not topics:
        st.error("Pick at least one item type and one topic.")
    else:
        with common.show_errors("Starting the quiz builder"):
            from quiz import build_quiz

            index = resources.loaded_index(resources.place())
            judge = resources.judge()
            options = {"n": int(n), "types": types, "topics": topics, "difficulty": difficulty, "seed": int(seed)}
            state["quiz_job"] = jobs.start(
                "Building the quiz", lambda log: build_quiz(index, **options, judge=judge, log=log)
            )

job = state.get("quiz_job")
if job is not None and not job.done:
    common.follow(job, what="Building the quiz")
    st.stop()
if job is not None:
    del state["quiz_job"]
    if job.error is not None:
        st.error(jobs.error_message(job))
    else:
        state["quiz_items"] = list(job.result.items)
        state["quiz_stats"] = job.result.stats
        _reset_answers()

items: list[QuizItem] = state.get("quiz_items") or []
stats = state.get("quiz_stats")
if stats is not None:
    st.caption(stats.summary())
    if stats.shortfall:
        st.warning(
            f"Only {stats.selected} of the {stats.requested} items asked for passed every check; "
            "widen the types or topics for more."
        )
if not items:
    if stats is not None:
        st.info("No item is left in this quiz. Generate a new one.")
    st.stop()

index = None
with common.show_errors("Loading the documents"):
    index = resources.loaded_index(resources.place())

tab_preview, tab_take, tab_download = st.tabs([f"Preview ({len(items)} items)", "Take the quiz", "Download"])
with tab_preview:
    preview(items, index)
with tab_take:
    take(items, index)
with tab_download:
    downloads(items)
