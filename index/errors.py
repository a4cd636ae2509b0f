"""The project's error tree.

Every error carries a message that says what went wrong and what to do next; the CLI prints it
as one line and exits with code 2. Nothing here imports anything heavy.
"""

from __future__ import annotations


class BqaError(Exception):
    """Base class: an error the user can act on (printed as one line, exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        """The message and the hint, on one line."""
        text = str(self).replace("\n", " ").strip()
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class InputError(BqaError):
    """Bad input from the user: an empty question, a bad option value, an unreadable file."""


class CorpusError(BqaError):
    """The corpus folder is missing or holds no readable document."""


class IndexMissingError(BqaError):
    """There is no index where one was expected."""


class IndexDamagedError(BqaError):
    """An index exists but is incomplete, corrupted, or was built with another model."""


class IndexWriteError(BqaError):
    """The index folder cannot be created or written."""


class ModelError(BqaError):
    """The embedding model cannot be found or loaded."""
