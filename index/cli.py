"""`bqa index`: build or refresh the index (progress and warnings on stderr).

Also the checks every sub-command makes of its --index-dir before anything slow starts: a path
that is a file (or lies under one), a folder that cannot be read, a folder inside the corpus, or
(when an index has to be built) a folder that cannot be written is one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from pathlib import Path

from index.errors import IndexWriteError, InputError
from index.settings import Settings, default_corpus_dir, default_index_dir

_HINT = "pass --index-dir with a folder you can write"


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, Path, Path]:
    """Settings, corpus folder and index folder from the common options."""
    settings = Settings()
    if getattr(args, "model", None):
        settings.model.name = args.model
    corpus = Path(args.corpus) if getattr(args, "corpus", None) else default_corpus_dir()
    index_dir = Path(args.index_dir) if getattr(args, "index_dir", None) else default_index_dir()
    return settings, corpus, index_dir


def check_index_dir(index_dir: Path, corpus_dir: Path | None = None) -> None:
    """Refuse an index folder that can never hold an index (cheap: nothing is created).

    Raises:
        IndexWriteError: `index_dir` is a file, lies under a file, or cannot be read.
        InputError: `index_dir` is the corpus folder or inside it (its files would become documents).
    """
    where = str(index_dir)
    try:
        existing = index_dir
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir():
            if existing == index_dir:
                raise IndexWriteError(f"the index folder {where!r} is a file, not a folder", hint=_HINT)
            raise IndexWriteError(
                f"the index folder {where!r} cannot be created: {str(existing)!r} is a file", hint=_HINT
            )
        if existing == index_dir:
            os.listdir(index_dir)  # a folder we may not even read
    except OSError as exc:
        raise IndexWriteError(f"cannot read the index folder {where!r} ({exc.strerror or exc})", hint=_HINT) from None
    if corpus_dir is not None:
        corpus = Path(corpus_dir).resolve()
        target = index_dir.resolve()
        if target == corpus or corpus in target.parents:
            raise InputError(
                f"the index folder {where!r} is inside the corpus folder {str(corpus_dir)!r}",
                hint="its files would be read as documents; pass --index-dir outside the corpus",
            )


def ensure_writable(index_dir: Path, *, why: str = "") -> None:
    """Create `index_dir` if needed and prove a file can be written in it.

    A probe file rather than os.access: access() says yes to root on a read-only mount.

    Raises:
        IndexWriteError: the folder cannot be created or written.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".probe-{uuid.uuid4().hex}"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        detail = f"; {why}" if why else ""
        raise IndexWriteError(
            f"cannot write the index folder {str(index_dir)!r} ({exc.strerror or exc}){detail}", hint=_HINT
        ) from None


def run(args: argparse.Namespace) -> int:
    from index.loading import corpus_files
    from index.store import build_index, index_status, load_index, stderr_log

    settings, corpus, index_dir = settings_from_args(args)
    corpus_files(corpus)  # a missing corpus folder is a one-line error before anything loads
    check_index_dir(index_dir, corpus)
    status, reason = index_status(corpus, index_dir, settings)
    if status == "fresh" and not args.rebuild:
        index = load_index(index_dir, settings)
        stderr_log(f"index is up to date ({index.folder})")
    else:
        ensure_writable(index_dir)
        if status != "missing":
            stderr_log(f"rebuilding: {reason}" if not args.rebuild else "rebuilding (--rebuild)")
        index = build_index(corpus, index_dir, settings).index
    stats = index.stats()
    if args.json:
        print(json.dumps(stats))
    else:
        print(
            f"{stats['documents']} documents, {stats['chunks']} chunks, {stats['sentences']} sentences "
            f"({stats['model']}, {stats['faiss']}) in {index_dir}"
        )
        for s in stats["skipped"]:
            print(f"skipped {s['path']}: {s['reason']}")
    return 0
