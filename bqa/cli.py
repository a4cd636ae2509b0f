"""The `bqa` command line: argument parsing and dispatch, nothing heavy at import time.

Each sub-command's work lives in its package (`index.cli`, `rag.cli`, `quiz.cli`, `eval.cli`,
`bqa.bench`) and is imported only when that sub-command runs, so `bqa --help` stays fast.
Errors the user can act on (`BqaError`) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bqa import __version__

_NOTE = "Answers come from the indexed corpus only and are not medical advice."


def _dispatch(target: str):
    def run(args: argparse.Namespace) -> int:
        module, func = target.split(":")
        return getattr(importlib.import_module(module), func)(args)

    return run


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", metavar="DIR", default=None, help="corpus folder (default: ./corpus)")
    p.add_argument(
        "--index-dir",
        metavar="DIR",
        default=None,
        help="index folder (default: $BQA_INDEX_DIR or .bqa/index in the project)",
    )
    p.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        default=None,
        help="sentence-transformers model (default: $BQA_MODEL or all-MiniLM-L6-v2, offline)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bqa",
        description="baclofen-qa: offline, cited answers from a corpus of documents. " + _NOTE,
    )
    parser.add_argument("--version", action="version", version=f"bqa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="build (or refresh) the search index of the corpus")
    _add_common(p)
    p.add_argument("--rebuild", action="store_true", help="rebuild even when the index is up to date")
    p.add_argument("--json", action="store_true", help="print the index statistics as JSON")
    p.set_defaults(func=_dispatch("index.cli:run"))

    p = sub.add_parser("ask", help="answer questions from the corpus, with citations")
    p.add_argument("question", nargs="?", help="the question (or use --stdin)")
    p.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    p.add_argument("--stdin", action="store_true", help="read one question per line from stdin")
    _add_common(p)
    p.add_argument(
        "--llm",
        metavar="SPEC",
        default=None,
        help="optional chat model, e.g. ollama:llama3 or openai:URL#MODEL; output is checked",
    )
    p.add_argument("--max-sentences", type=int, default=None, help="answer length cap (default 5)")
    p.set_defaults(func=_dispatch("rag.cli:run"))

    p = sub.add_parser("quiz", help="build a quiz from the corpus (GIFT, CSV, JSON, Markdown)")
    # quiz values are checked by quiz.cli, so a bad one is a one-line error (exit 2), not argparse's usage
    p.add_argument("--n", default=10, metavar="N", help="number of items, 1-500 (default 10)")
    p.add_argument(
        "--types",
        nargs="+",
        default=None,
        metavar="TYPE",
        help="item types: mcq cloze true_false short (default: all)",
    )
    p.add_argument(
        "--topics",
        nargs="+",
        default=None,
        metavar="TOPIC",
        help="dosing mechanism safety pharmacokinetics indications (default: all)",
    )
    p.add_argument("--difficulty", default="mixed", metavar="LEVEL", help="easy, medium, hard or mixed (default)")
    p.add_argument("--format", default="json", metavar="FORMAT", help="json (default), gift, csv or md")
    p.add_argument("--seed", default=0, metavar="S", help="same seed, same quiz (default 0)")
    p.add_argument("--out", metavar="FILE", default=None, help="write to FILE instead of stdout")
    _add_common(p)
    p.set_defaults(func=_dispatch("quiz.cli:run"))

    _NLI_HELP = (
        "a local model folder read beside the judge: the pair model `make judge-model` trains, or an NLI "
        "cross-encoder (sentence-transformers CrossEncoder); its probability is blended into the judge's "
        "score, the hard checks still veto"
    )
    p = sub.add_parser("eval", help="evaluate: run the gold set, score other answers, run the judge")
    esub = p.add_subparsers(dest="eval_command", metavar="SUBCOMMAND")
    e = esub.add_parser("run", help="run the system on a gold question set and write a report")
    e.add_argument("--questions", metavar="FILE", default=None, help="gold questions (default: the project's)")
    e.add_argument("--out", metavar="DIR", default="reports/eval", help="report folder (default reports/eval)")
    e.add_argument("--split", choices=["dev", "test", "all"], default="all")
    e.add_argument("--no-baseline", action="store_true", help="skip the stock LangChain recipe baseline")
    e.add_argument("--nli", metavar="DIR", default=None, help=_NLI_HELP)
    _add_common(e)
    e.set_defaults(func=_dispatch("eval.cli:run_eval"))
    e = esub.add_parser("score", help="score another system's answers (ALCE-shape JSON lines)")
    e.add_argument("file", metavar="FILE", help="JSON lines: {id, question, answer, passages:[{title,text}]}")
    e.add_argument("--json", action="store_true", help="one JSON line per record, then the aggregate")
    e.add_argument("--nli", metavar="DIR", default=None, help=_NLI_HELP)
    e.set_defaults(func=_dispatch("eval.cli:run_score"))
    e = esub.add_parser("judge", help="the support judge: JSON lines {id, claim, passage} on stdin")
    e.add_argument("--json", action="store_true", help="JSON lines out (the default)")
    e.add_argument("--nli", metavar="DIR", default=None, help=_NLI_HELP)
    e.set_defaults(func=_dispatch("eval.cli:run_judge"))
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    p = sub.add_parser("bench", help="measure performance (index build, encode, latency, memory)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument(
        "--scale",
        nargs="*",
        type=int,
        default=None,
        metavar="N",
        help="synthetic vector counts for the index-scale part (default 10000 100000 1000000)",
    )
    p.add_argument("--quick", action="store_true", help="fewer repetitions, smaller scales")
    p.add_argument(
        "--compare",
        action="store_true",
        help="build both approximate indexes (IVF and HNSW) at every size (HNSW at 1M takes tens of minutes)",
    )
    p.add_argument("--figure", metavar="FILE", default=None, help="also save latency against size as a PNG")
    _add_common(p)
    p.set_defaults(func=_dispatch("bqa.bench:run"))
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from index.errors import BqaError

    try:
        code = args.func(args)
    except BqaError as exc:
        print(f"bqa: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("bqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback for a user; BQA_DEBUG=1 shows it
        if os.environ.get("BQA_DEBUG"):
            raise
        print(f"bqa: internal error: {type(exc).__name__}: {exc} (set BQA_DEBUG=1 for details)", file=sys.stderr)
        return 1
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
