"""Long calls (a gold-set run, a quiz build, scoring a file) in a background thread of the session.

A Streamlit run is interrupted whenever the visitor touches a widget, and a gold-set run takes
minutes, so the work runs in a thread of its own; the page keeps the Job in st.session_state
and shows its messages until it is done. The thread calls only rag/, quiz/, eval/ and index/
code, never streamlit. Nothing here imports streamlit.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("bqa.ui")

# "  25/115 questions" as eval.report logs its progress.
_COUNT = re.compile(r"(\d+)\s*/\s*(\d+)")


@dataclass
class Job:
    """One background call: its messages as it goes, then its result or its error."""

    name: str
    messages: list[str] = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def log(self, message: str) -> None:
        """A Log callback for the called code (list.append is atomic under the GIL)."""
        self.messages.append(message.strip())

    def last_count(self) -> tuple[int, int] | None:
        """The latest "i/n" the called code reported, if any."""
        for message in reversed(self.messages):
            m = _COUNT.search(message)
            if m and int(m.group(2)):
                return int(m.group(1)), int(m.group(2))
        return None

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done


def start(name: str, work: Callable[[Callable[[str], None]], Any]) -> Job:
    """Run `work(log)` in a daemon thread; its return value or exception lands on the Job."""
    job = Job(name)

    def run() -> None:
        try:
            job.result = work(job.log)
        except BaseException as exc:  # noqa: BLE001 - handed to the page, which shows it as a message
            if not _is_user_error(exc):
                log.exception("%s failed", name)
            job.error = exc
        finally:
            job.finished = time.monotonic()

    job._thread = threading.Thread(target=run, name=f"bqa-{name}", daemon=True)
    job._thread.start()
    return job


def _is_user_error(exc: BaseException) -> bool:
    from index.errors import BqaError

    return isinstance(exc, BqaError)


def error_message(job: Job) -> str | None:
    """The job's failure as one line (a BqaError's own message and hint), or None."""
    from index.errors import BqaError

    exc = job.error
    if exc is None:
        return None
    if isinstance(exc, BqaError):
        return exc.one_line()
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{job.name} failed: {type(exc).__name__}" + (f": {first}" if first else "")
