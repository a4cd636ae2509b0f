"""Pieces every page uses: the style sheet, the medical-advice note, and errors shown as messages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import streamlit as st

from index.errors import BqaError

log = logging.getLogger("bqa.ui")

DISCLAIMER = (
    "Answers are drawn only from the documents in the corpus and quote them; they are not medical "
    "advice. Check the cited passages, and the product labelling, before acting on them."
)

# Styles for the HTML this app writes itself (passages.py); corpus text inside is always escaped.
CSS = """
<style>
.bqa-passage { white-space: pre-wrap; line-height: 1.55; font-size: 0.95rem;
  border-left: 3px solid rgba(128,128,128,0.35); padding: 0.2rem 0 0.2rem 0.8rem; }
.bqa-passage mark { background: #fde68a; color: inherit; padding: 0 0.1rem; border-radius: 2px; }
.bqa-answer { font-size: 1.1rem; line-height: 1.6; }
.bqa-ref { text-decoration: none; font-weight: 600; font-size: 0.85em; }
.bqa-muted { opacity: 0.75; font-size: 0.85rem; }
.bqa-unsupported { background: rgba(239, 68, 68, 0.15); text-decoration: underline wavy rgb(220, 38, 38); }
</style>
"""


def style() -> None:
    st.html(CSS)


@contextlib.contextmanager
def show_errors(action: str) -> Iterator[None]:
    """Run a block; a failure becomes an st.error message (never a traceback on the page).

    A BqaError is the user's to act on and shows its own one-line message and hint. Anything
    else is a bug: the page says what failed in one line and the traceback goes to the server log.
    Streamlit's own stop/rerun signals are BaseExceptions and pass through untouched.
    """
    try:
        yield
    except BqaError as exc:
        st.error(exc.one_line())
    except Exception as exc:
        log.exception("%s failed", action)
        st.error(f"{action} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))


def follow(job, *, what: str) -> None:
    """Show a running ui.jobs.Job's latest message (and i/n progress when it reports one).

    The display refreshes every second on its own (a fragment), and the whole page reruns once
    the job is done, so the page can show the result.
    """

    @st.fragment(run_every=1.0)
    def watch() -> None:
        if job.done:
            st.rerun(scope="app")
        message = job.messages[-1] if job.messages else "Starting…"
        count = job.last_count()
        text = f"{what}: {message} ({job.seconds:.0f} s)"
        if count:
            st.progress(min(1.0, count[0] / count[1]), text=text)
        else:
            st.progress(0.0, text=text)

    watch()
