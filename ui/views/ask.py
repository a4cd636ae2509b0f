"""Ask page: a question in, an answer with [n] markers out, each citation shown in its document.

The answer comes from rag.pipeline.QASystem.ask; this page only lays it out. Per-session state:
`ask_history` (list of index.types.Answer, newest last) and `ask_shown` (position shown).
"""

from __future__ import annotations

import html
import json

import streamlit as st

from index.settings import MAX_QUESTION_CHARS
from index.store import Index
from index.types import Answer, Citation
from ui import common, resources
from ui.passages import (
    answer_html,
    answer_with_references,
    citation_label,
    md_escape,
    passage_html,
    quote_html,
)

# Short, in the words of a clinician between patients (docs: ../shared/USERS.md).
EXAMPLES = [
    "Usual starting oral dose?",
    "Max daily dose of oral baclofen?",
    "Can baclofen be stopped suddenly?",
    "Baclofen in kidney failure?",
    "Common side effects?",
]

state = st.session_state
state.setdefault("ask_history", [])
state.setdefault("ask_shown", None)


def source_html(citation: Citation, index: Index) -> str:
    """One cited passage: label, the span highlighted in its passage of the document, where it is."""
    doc = index.documents.get(citation.doc_id)
    if doc is not None and doc.text[citation.start : citation.end] == citation.quote:
        chunk = index.chunk_by_id.get(citation.chunk_id)
        within = (chunk.start, chunk.end) if chunk is not None and chunk.doc_id == doc.doc_id else None
        body = passage_html(doc.text, citation.start, citation.end, within=within)
    else:  # the index changed since this answer was given: show the quote as recorded
        body = quote_html(citation.quote)
    where = html.escape(f"{citation.source}, characters {citation.start}–{citation.end}")
    return (
        f'<div id="bqa-cite-{citation.n}" class="bqa-source">'
        f"<p><strong>{html.escape(citation_label(citation))}</strong></p>{body}"
        f'<p class="bqa-muted">{where}</p></div>'
    )


def show_answer(answer: Answer, index: Index) -> None:
    support = [c for c in answer.citations if not c.closest_only]
    closest = [c for c in answer.citations if c.closest_only]
    st.markdown(f"#### {md_escape(answer.question)}")
    if answer.abstained:
        st.info(
            f"**{md_escape(answer.answer)}** The passages below came closest; none of them answers the question.",
            icon=":material/help:",
        )
        closest = closest or support
        support = []
    else:
        st.html(answer_html(answer.answer))
    for conflict in answer.conflicts:
        labels = {c.n: c.title for c in answer.citations}
        sides = "\n".join(
            f"- {md_escape(s.text)} **[{s.citation}]** *{md_escape(labels.get(s.citation, ''))}*"
            for s in conflict.statements
        )
        st.warning(f"**The sources differ on {md_escape(conflict.about)}.**\n\n{sides}", icon=":material/warning:")
    if support:
        st.markdown("##### Sources")
        for citation in support:
            st.html(source_html(citation, index))
    if closest:
        st.markdown("##### Closest passages (they do not answer the question)")
        for citation in closest:
            st.html(source_html(citation, index))
    with st.expander("Copy the answer with its references"):
        text = answer_with_references(answer)
        st.code(text, language=None, wrap_lines=True)
        left, right = st.columns(2)
        left.download_button("Download as text", text, file_name="answer.txt", mime="text/plain")
        right.download_button(
            "Download as JSON",
            json.dumps(answer.to_contract(), ensure_ascii=False, indent=2),
            file_name="answer.json",
            mime="application/json",
        )
    if answer.timings:
        st.caption(f"Answered in {sum(answer.timings.values()):.2f} s.")


def _pick_example() -> None:
    """An example chip was clicked: put it in the box, ask it, and clear the chip."""
    choice = state.get("ask_example")
    if choice:
        state["ask_question"] = choice
        state["ask_pending"] = choice
    state["ask_example"] = None


st.title("Ask the baclofen documents")
st.caption(common.DISCLAIMER)

st.pills("Examples", EXAMPLES, key="ask_example", on_change=_pick_example, selection_mode="single")
with st.form("ask_form", border=False):
    question = st.text_input(
        "Your question",
        key="ask_question",
        max_chars=MAX_QUESTION_CHARS,
        placeholder="e.g. max daily dose oral baclofen?",
    )
    submitted = st.form_submit_button("Ask", type="primary")
picked = state.pop("ask_pending", None)

main, side = st.columns([3, 1], gap="large")

with main:
    if submitted or picked:
        question = (picked or question or "").strip()
        if not question:
            st.error("Type a question first.")
        else:
            where = resources.place()
            with common.show_errors("Answering"), st.spinner("Looking through the documents…"):
                answer = resources.qa_system(where).ask(question)
                state["ask_history"].append(answer)
                state["ask_shown"] = len(state["ask_history"]) - 1

    shown = state["ask_shown"]
    if shown is not None and 0 <= shown < len(state["ask_history"]):
        with common.show_errors("Showing the answer"):
            show_answer(state["ask_history"][shown], resources.loaded_index(resources.place()))

with side:
    st.markdown("##### This session's questions")
    history = state["ask_history"]
    if not history:
        st.caption("Your questions will be listed here.")
    for i in reversed(range(len(history))):
        label = history[i].question if len(history[i].question) < 80 else history[i].question[:77] + "…"
        if st.button(label, key=f"ask_history_{i}", width="stretch", disabled=i == state["ask_shown"]):
            state["ask_shown"] = i
            st.rerun()
    if history and st.button("Clear history", key="ask_clear", type="tertiary"):
        state["ask_history"] = []
        state["ask_shown"] = None
        st.rerun()
