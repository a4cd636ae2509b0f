"""`bqa ask`: answer questions from the corpus with citations (text for people, JSON lines for scripts).

The index is built first when it is missing or stale (progress on stderr). Questions come from the
argument or, with --stdin, one per line (blank lines skipped); answers are printed in the same
order. An empty question is refused with one line on stderr and exit code 2; a question longer
than MAX_QUESTION_CHARS is cut, with a warning.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from index.errors import InputError
from index.settings import MAX_QUESTION_CHARS
from index.types import Answer

NOTE = "Answers are quoted from the indexed documents only; they are not medical advice."
BATCH = 64  # questions embedded together when reading --stdin


def _questions(args: argparse.Namespace) -> list[str]:
    if args.stdin and args.question:
        raise InputError("give a question or --stdin, not both")
    if args.stdin:
        try:
            lines = sys.stdin.read().splitlines()
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text", hint="send one question per line") from None
        questions = [line.strip() for line in lines if line.strip()]
        if not questions:
            raise InputError("no question on standard input", hint="send one question per line")
        return questions
    if args.question is None:
        raise InputError("no question given", hint='bqa ask "What is baclofen used for?" or --stdin')
    if not args.question.strip():
        raise InputError("the question is empty", hint='bqa ask "What is baclofen used for?"')
    return [args.question]


def _warn_long(questions: list[str]) -> list[str]:
    out = []
    for q in questions:
        q = " ".join(q.split())
        if len(q) > MAX_QUESTION_CHARS:
            print(
                f"bqa: warning: question cut to {MAX_QUESTION_CHARS} characters (it had {len(q)})",
                file=sys.stderr,
            )
            q = q[:MAX_QUESTION_CHARS]
        out.append(q)
    return out


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
    from index.cli import settings_from_args
    from index.store import stderr_log
    from rag.pipeline import QASystem

    questions = _warn_long(_questions(args))  # bad input is refused before anything loads
    settings, corpus, index_dir = settings_from_args(args)
    if getattr(args, "max_sentences", None):
        if args.max_sentences < 1:
            raise InputError("--max-sentences must be at least 1")
        settings.answer.max_sentences = args.max_sentences
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
