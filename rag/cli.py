"""`bqa ask`: answer questions from the corpus with citations (text for people, JSON lines for scripts).

The index is built first when it is missing or stale (progress on stderr). Questions come from the
argument or, with --stdin, one per line (blank lines skipped); answers are printed in the same
order.

Every question is made safe before anything loads (docs/RELIABILITY.md):
- bytes that are not UTF-8 become U+FFFD with a warning: on standard input they are decoded with
  replacement line by line, and in an argument Python hands them over as lone surrogates
  (surrogateescape), which are replaced the same way, so printing the answer never fails;
- ANSI escape sequences and control characters are removed (tab, newline, CR, VT and FF count as
  spaces), with a warning;
- an empty or blank question is refused: one line on stderr, exit code 2;
- a question longer than MAX_QUESTION_CHARS (2,000 characters, index.settings) is cut, with a warning.
The index folder is checked before anything loads too: a file, a path under a file, a folder
inside the corpus, or a folder that cannot be written when the index has to be built is one line
on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterator

from index.errors import InputError
from index.settings import MAX_QUESTION_CHARS
from index.types import Answer

NOTE = "Answers are quoted from the indexed documents only; they are not medical advice."
BATCH = 64  # questions embedded together when reading --stdin

# An ANSI escape sequence (a colour code pasted from a terminal): CSI ... final byte, or ESC + one byte.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_SPACES = "\t\n\r\x0b\x0c"
REPLACEMENT = "\ufffd"


def sanitize(text: str) -> tuple[str, list[str]]:
    """`text` safe to answer and print, and a note per kind of change made (for a warning).

    Lone surrogates (U+D800-U+DFFF: how Python keeps the bytes of an argument that are not
    UTF-8) become U+FFFD; ANSI escape sequences and other control characters (Unicode category
    Cc) are removed; tab, newline, CR, VT and FF become spaces.

    Example: "dose\\x1b[31m?\\x00" -> ("dose?", ["removed 2 control characters or escape sequences"]).
    """
    notes = []
    surrogates = sum(1 for ch in text if 0xD800 <= ord(ch) <= 0xDFFF)
    if surrogates:
        text = "".join(REPLACEMENT if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
        notes.append(f"replaced {surrogates} byte(s) that are not UTF-8 with U+FFFD")
    text, escapes = _ANSI.subn("", text)
    kept = []
    removed = escapes
    for ch in text:
        if ch in _SPACES:
            kept.append(" ")
        elif unicodedata.category(ch) == "Cc":
            removed += 1
        else:
            kept.append(ch)
    if removed:
        notes.append(f"removed {removed} control character(s) or escape sequence(s)")
    return "".join(kept), notes


def _warn(message: str) -> None:
    print(f"bqa: warning: {message}", file=sys.stderr)


def prepare(raw: str) -> tuple[str, list[str]]:
    """One question sanitised, white space runs made one space, cut to MAX_QUESTION_CHARS; and the warnings.

    The question is "" when nothing is left to ask (the caller refuses or skips it, and then
    the warnings about what was removed do not matter).
    """
    text, warnings = sanitize(raw)
    q = " ".join(text.split())
    if len(q) > MAX_QUESTION_CHARS:
        warnings.append(f"question cut to {MAX_QUESTION_CHARS} characters (it had {len(q)})")
        q = q[:MAX_QUESTION_CHARS]
    return q, warnings


def _stdin_lines() -> list[tuple[int, str, str | None]]:
    """(line number, text, warning) per line of standard input; a line that is not UTF-8 is
    decoded with replacement, and the warning says so."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream with no bytes underneath (an embedding program, a test)
        try:
            return [(n, line, None) for n, line in enumerate(sys.stdin.read().split("\n"), 1)]
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text", hint="send one question per line") from None
    data = buffer.read()
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark from a Windows editor
        data = data[3:]
    lines = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append((number, raw.decode("utf-8"), None))
        except UnicodeDecodeError as exc:
            warning = f"not valid UTF-8 (byte {exc.start}); undecodable bytes replaced with U+FFFD"
            lines.append((number, raw.decode("utf-8", errors="replace"), warning))
    return lines


def _questions(args: argparse.Namespace) -> list[str]:
    if args.stdin and args.question:
        raise InputError("give a question or --stdin, not both")
    if args.stdin:
        questions = []
        for number, line, decoding in _stdin_lines():
            q, warnings = prepare(line)
            if not q:  # blank, or nothing but control characters: skipped like a blank line
                continue
            for w in [decoding, *warnings] if decoding else warnings:
                _warn(f"line {number}: {w}")
            questions.append(q)
        if not questions:
            raise InputError("no question on standard input", hint="send one question per line")
        return questions
    if args.question is None:
        raise InputError("no question given", hint='bqa ask "What is baclofen used for?" or --stdin')
    q, warnings = prepare(args.question)
    if not q:
        raise InputError("the question is empty", hint='bqa ask "What is baclofen used for?"')
    for w in warnings:
        _warn(w)
    return [q]


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def format_text(answer: Answer, *, number: int | None = None) -> str:
    """An answer for people: the question (in a batch), the answer, then numbered references."""
    lines = []
    if number is not None:
        lines.append(f"Q{number}: {answer.question}")
    lines.append(answer.answer)
    if answer.citations:
        lines.append("")
        lines.append("Closest passages looked at:" if answer.abstained else "References:")
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            lines.append(f"[{c.n}] {c.title} ({c.source}, characters {c.start}-{c.end})")
            lines.append(f'    "{quote}"')
    if answer.dropped:
        lines.append("")
        lines.append(f"{len(answer.dropped)} generated sentence(s) dropped: not found in the cited passages.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from index.cli import check_index_dir, ensure_writable, settings_from_args
    from index.store import index_status, stderr_log
    from rag.pipeline import QASystem

    questions = _questions(args)  # bad input is refused before anything loads
    max_sentences = getattr(args, "max_sentences", None)
    if max_sentences is not None and max_sentences < 1:
        raise InputError("--max-sentences must be at least 1")
    settings, corpus, index_dir = settings_from_args(args)
    check_index_dir(index_dir, corpus)
    status, reason = index_status(corpus, index_dir, settings)
    if status != "fresh":
        ensure_writable(index_dir, why=f"the index has to be built there ({reason})")
    if max_sentences is not None:
        settings.answer.max_sentences = max_sentences
    llm = None
    if getattr(args, "llm", None):
        from rag.llm import load_chat_model

        llm = load_chat_model(args.llm)
    system = QASystem.from_paths(corpus, index_dir, settings, log=stderr_log, llm=llm)
    out = sys.stdout
    n = 0
    for batch in _batches(questions, BATCH):
        for answer in system.ask_many(batch):
            n += 1
            if args.json:
                out.write(json.dumps(answer.to_contract(), ensure_ascii=False) + "\n")
            else:
                if n > 1:
                    out.write("\n")
                out.write(format_text(answer, number=n if len(questions) > 1 else None) + "\n")
            out.flush()
    if not args.json:
        out.write("\n" + NOTE + "\n")
    return 0
