"""baclofen-qa in the browser: `streamlit run ui/app.py` (what `make run` starts).

This file is the server's entry point: it serves the Streamlit script ui/shell.py through
Streamlit's ASGI `st.App`, whose start-up hook loads the embedding model, the index and the
question answerer into the shared caches (ui/resources.py) before the server accepts a
connection. The first question of the first visitor then costs a search, not a 5-20 s cold
start: the server's health check answers only once everything is loaded. A failure while
warming up is logged and left for the page to report, so the server still starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator

import streamlit as st

log = logging.getLogger("bqa.ui")


@contextlib.asynccontextmanager
async def warm_up(_app: st.App) -> AsyncIterator[None]:
    from ui import resources

    started = time.perf_counter()
    try:
        steps = await asyncio.to_thread(resources.warm_up)
    except Exception:  # the page shows the error in full when a visitor arrives
        log.exception("warming up failed; the app starts anyway")
    else:
        detail = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())
        print(f"bqa: ready in {time.perf_counter() - started:.1f} s ({detail})", file=sys.stderr, flush=True)
    yield


app = st.App("shell.py", lifespan=warm_up)
