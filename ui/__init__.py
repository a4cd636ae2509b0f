"""The Streamlit front end: pages that call rag/, quiz/, eval/ and index/, with no logic of their own.

`ui/app.py` is the entry point (`streamlit run ui/app.py`). The helpers in `ui/passages.py` and
`ui/uploads.py` do not import streamlit, so they can be tested without an app.
"""
