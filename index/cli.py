"""`bqa index`: build or refresh the index (progress and warnings on stderr)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.settings import Settings, default_corpus_dir, default_index_dir


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, Path, Path]:
    """Settings, corpus folder and index folder from the common options."""
    settings = Settings()
    if getattr(args, "model", None):
        settings.model.name = args.model
    corpus = Path(args.corpus) if getattr(args, "corpus", None) else default_corpus_dir()
    index_dir = Path(args.index_dir) if getattr(args, "index_dir", None) else default_index_dir()
    return settings, corpus, index_dir


def run(args: argparse.Namespace) -> int:
    from index.loading import corpus_files
    from index.store import build_index, index_status, load_index, stderr_log

    settings, corpus, index_dir = settings_from_args(args)
    corpus_files(corpus)  # a missing corpus folder is a one-line error before anything loads
    status, reason = index_status(corpus, index_dir, settings)
    if status == "fresh" and not args.rebuild:
        index = load_index(index_dir, settings)
        stderr_log(f"index is up to date ({index.folder})")
    else:
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
