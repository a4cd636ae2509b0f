"""JSON lines in, one object per line, with errors that name the line.

`bqa eval judge` (stdin), `bqa eval score` (a file or stdin) and the gold questions all read the
same format; each caller checks its own fields on the objects this yields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from index.errors import InputError


def read_objects(lines: Iterable[str], source: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Yield `(line number, where, object)` for each non-blank line; `where` is "SOURCE: line N".

    Raises:
        InputError: at the first line that is not valid JSON or not a JSON object.
    """
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}: line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        yield n, where, obj
