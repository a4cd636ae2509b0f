"""`bqa quiz`: build a checked quiz from the corpus and write it as JSON, GIFT, CSV or Markdown.

The quiz goes to stdout (or --out FILE); what was generated and what each check dropped goes to
stderr. A bad option is one line on stderr and exit code 2; fewer valid items than --n is a
notice on stderr and exit code 0 with the valid items only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from index.errors import InputError
from index.store import stderr_log

DIFFICULTY_CHOICES = ("easy", "medium", "hard", "mixed")


def _int_option(name: str, value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {value!r}") from None


def validate(args: argparse.Namespace) -> dict:
    """The build options from the command line, or InputError (one line) for a bad value."""
    from quiz.builder import MAX_ITEMS, _normalise
    from quiz.export import FORMATS
    from quiz.items import TOPICS, TYPES

    n = _int_option("--n", args.n)
    if not 1 <= n <= MAX_ITEMS:
        raise InputError(f"--n must be from 1 to {MAX_ITEMS}, not {n}")
    fmt = str(args.format or "json").lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown --format {args.format!r}", hint=f"choose from: {' '.join(FORMATS)}")
    difficulty = str(args.difficulty or "mixed").lower()
    if difficulty not in DIFFICULTY_CHOICES:
        raise InputError(
            f"unknown --difficulty {args.difficulty!r}", hint=f"choose from: {' '.join(DIFFICULTY_CHOICES)}"
        )
    out = Path(args.out) if args.out else None
    if out is not None and (out.is_dir() or not out.parent.exists()):
        raise InputError(f"cannot write --out {str(out)!r}", hint="give a file path in an existing folder")
    return {
        "n": n,
        "types": _normalise(args.types, TYPES, "item type"),
        "topics": _normalise(args.topics, TOPICS, "topic"),
        "difficulty": difficulty,
        "seed": _int_option("--seed", args.seed),
        "format": fmt,
        "out": out,
    }


def _write(path: Path, text: str) -> None:
    """Write atomically (a temporary file renamed into place), or InputError."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write {str(path)!r} ({exc.strerror or exc})") from None


def run(args: argparse.Namespace) -> int:
    from index.cli import settings_from_args
    from index.store import ensure_index
    from quiz.builder import build_quiz
    from quiz.export import export

    options = validate(args)
    settings, corpus, index_dir = settings_from_args(args)
    index = ensure_index(corpus, index_dir, settings)
    quiz = build_quiz(
        index,
        n=options["n"],
        types=options["types"],
        topics=options["topics"],
        difficulty=options["difficulty"],
        seed=options["seed"],
        log=stderr_log,
    )
    text = export(quiz.items, options["format"])
    if options["out"] is not None:
        _write(options["out"], text)
        stderr_log(f"quiz: wrote {len(quiz.items)} items to {options['out']}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
