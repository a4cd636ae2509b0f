"""The Streamlit script of the app, served by ui/app.py (`streamlit run ui/app.py`).

The shell only sets up the page, the navigation between the four pages (Ask, Quiz, Evaluate,
Corpus) and the sidebar with the state of the index. When there is no index yet it builds one,
with a progress bar, before any page runs. Each page lives in ui/views/ and calls rag/, quiz/,
eval/ and index/; the app itself decides nothing about answers, quizzes or scores.
"""

from __future__ import annotations

import streamlit as st

from ui import common, resources

# No page_icon: a Material icon favicon is fetched from fonts.gstatic.com, and the app works offline.
st.set_page_config(page_title="baclofen-qa", layout="wide")
# An uncaught error shows a one-line message, never a traceback (the pages catch what they can).
st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "minimal")
common.style()

pages = [
    st.Page("views/ask.py", title="Ask", icon=":material/question_answer:", url_path="ask", default=True),
    st.Page("views/quiz.py", title="Quiz", icon=":material/quiz:", url_path="quiz"),
    st.Page("views/evaluate.py", title="Evaluate", icon=":material/analytics:", url_path="evaluate"),
    st.Page("views/corpus.py", title="Corpus", icon=":material/library_books:", url_path="corpus"),
]
page = st.navigation(pages)

where = None
with common.show_errors("Checking the index"):
    where = resources.place()

if where is not None and where.status == "missing":
    # First start without `bqa index`: build now, once, so every page has an index to work with.
    st.info(f"There is no index in {where.index_dir} yet: building it from {where.corpus_dir}.")
    bar = st.progress(0.0, text="Starting…")
    with common.show_errors("Building the index"):
        resources.rebuild(where, on_progress=lambda f, m: bar.progress(f, text=m) if f >= 0 else st.warning(m))
        st.rerun()
    st.stop()

with st.sidebar:
    st.markdown("### baclofen-qa")
    if where is not None:
        if where.status == "fresh":
            with common.show_errors("Reading the index"):
                stats = resources.loaded_index(where).stats()
                docs = f"{stats['documents']} document{'s' if stats['documents'] != 1 else ''}"
                st.caption(f"Index: {docs}, {stats['sentences']} sentences. Up to date.")
        elif where.status == "stale":
            st.warning(f"The index is out of date ({where.reason}). Rebuild it on the Corpus page.")
        else:
            st.error(f"The index cannot be used ({where.reason}). Rebuild it on the Corpus page.")
    st.caption(common.DISCLAIMER)

page.run()
