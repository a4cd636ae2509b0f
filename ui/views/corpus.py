"""Corpus page: the indexed documents, what cleaning removed, uploads, rebuild, index statistics.

Reads index.store.Index (documents and their `removed` spans, `stats()`); uploads go through
ui.uploads.save_upload into the corpus folder in use; the rebuild is index.store.build_index
(through ui.resources.rebuild, which reports progress).
"""

from __future__ import annotations

import streamlit as st

from index.errors import BqaError
from ui import common, resources
from ui.passages import md_plain
from ui.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES, save_upload

state = st.session_state

st.title("Corpus and index")
where = resources.place()
st.caption(f"Corpus folder: `{where.corpus_dir}` · index folder: `{where.index_dir}`")

for kind, message in state.pop("corpus_notices", []):
    # messages name corpus files, whose names are not ours: shown as text, never as markdown
    (st.success if kind == "success" else st.warning if kind == "warning" else st.error)(md_plain(message))

# --- rebuild ------------------------------------------------------------------------------------
status_text = {
    "fresh": "The index is up to date with the corpus.",
    "stale": f"The index is out of date: {md_plain(where.reason)}.",
    "damaged": f"The index cannot be used: {md_plain(where.reason)}.",
    "missing": f"There is no index yet: {md_plain(where.reason)}.",
}[where.status]
(st.success if where.status == "fresh" else st.warning)(status_text)

if st.button("Rebuild the index", type="primary" if where.status != "fresh" else "secondary", key="corpus_rebuild"):
    bar = st.progress(0.0, text="Starting…")
    warnings: list[str] = []

    def on_progress(fraction: float, message: str) -> None:
        if fraction < 0:
            warnings.append(message)
        else:
            bar.progress(min(fraction, 1.0), text=message)

    built = None
    with common.show_errors("Rebuilding the index"):
        built = resources.rebuild(where, on_progress=on_progress)
    if built is not None:
        stats = built.index.stats()
        notices = [
            (
                "success",
                f"Index rebuilt in {built.seconds:.1f} s: {stats['documents']} documents, "
                f"{stats['chunks']} passages, {stats['sentences']} sentences.",
            )
        ]
        notices += [("warning", w) for w in warnings]
        state["corpus_notices"] = notices
        st.rerun()

# --- upload -------------------------------------------------------------------------------------
st.subheader("Add documents")
with st.form("corpus_upload", clear_on_submit=True):
    files = st.file_uploader(
        f"Text, Markdown, HTML or PDF, up to {MAX_UPLOAD_BYTES // 2**20} MiB each",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        max_upload_size=max(1, MAX_UPLOAD_BYTES // 2**20),
        key="corpus_files",
    )
    replace = st.checkbox("Replace a document of the same name", key="corpus_replace")
    add = st.form_submit_button("Add to the corpus")
if add:
    if not files:
        st.error("Choose one or more files first.")
    notices = []
    with common.show_errors("Adding the files"):
        for f in files or []:
            try:
                saved = save_upload(where.corpus_dir, f.name, f.getvalue(), replace=replace)
            except BqaError as exc:
                notices.append(("error", exc.one_line()))
            else:
                notices.append(("success", f"Added {saved.path.name} ({saved.chars:,} characters of text)."))
    if any(kind == "success" for kind, _ in notices):
        notices.append(("warning", "The index does not include the new documents yet: rebuild it."))
    if notices:
        state["corpus_notices"] = notices
        st.rerun()

# --- statistics and documents -------------------------------------------------------------------
if where.build_id is None:
    st.stop()
index = None
with common.show_errors("Loading the index"):
    index = resources.loaded_index(where)
if index is None:
    st.stop()

stats = index.stats()
st.subheader("Index statistics")
cols = st.columns(4)
cols[0].metric("Documents", stats["documents"])
cols[1].metric("Passages", stats["chunks"])
cols[2].metric("Sentences", stats["sentences"])
cols[3].metric("Build time", f"{stats['build_seconds']:.1f} s" if stats.get("build_seconds") else "–")
st.caption(f"Model {stats['model']} ({stats['dimension']} dimensions), {stats['faiss']}, built {stats['built']}.")
for skipped in stats.get("skipped", []):
    st.warning(f"Skipped {md_plain(skipped['path'])}: {md_plain(skipped['reason'])}")

st.subheader("Documents")
chunks_per_doc: dict[str, int] = {}
for chunk in index.chunks:
    chunks_per_doc[chunk.doc_id] = chunks_per_doc.get(chunk.doc_id, 0) + 1
rows = [
    {
        "title": doc.title,
        "id": doc.doc_id,
        "source": doc.source,
        "format": doc.format,
        "characters": len(doc.text),
        "passages": chunks_per_doc.get(doc.doc_id, 0),
        "removed spans": len(doc.removed),
        "removed characters": sum(r.end - r.start for r in doc.removed),
    }
    for doc in index.documents.values()
]
st.dataframe(rows, hide_index=True, width="stretch")

st.markdown("##### What cleaning removed from each document")
for doc in index.documents.values():
    removed_chars = sum(r.end - r.start for r in doc.removed)
    label = md_plain(doc.title or doc.doc_id)  # a title is a document's first line: text, not markdown
    with st.expander(f"{label} · {len(doc.removed)} spans, {removed_chars:,} characters removed"):
        st.caption(md_plain(f"{doc.source} · {doc.origin}" if doc.origin else doc.source))
        if not doc.removed:
            st.write("Nothing was removed from this document.")
        else:
            st.dataframe(
                [{"reason": r.reason, "start": r.start, "end": r.end, "text": r.text} for r in doc.removed],
                hide_index=True,
                width="stretch",
            )
