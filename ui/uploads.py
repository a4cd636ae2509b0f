"""Check an uploaded document and put it into the corpus folder (the Corpus page's upload).

A file is accepted only when index.loading can read it as a document exactly as an index build
will (right suffix, real PDF, UTF-8 text that is not binary, some text in it), under a size
limit, with a plain file name that does not replace a corpus file or the manifest. It is written
under a hidden temporary name first (hidden files are not corpus files) and renamed into place, so
a half-written upload never reaches an index build. Nothing here imports streamlit.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from index.errors import InputError
from index.loading import MANIFEST_NAME, SUPPORTED, load_file

#: Largest accepted upload. A corpus document is an article or a drug label: the seed documents
#: are 5-15 kB of text, so 5 MiB leaves room for a PDF with images and still refuses a data dump.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Suffixes offered by the uploader (without the dot).
UPLOAD_TYPES = sorted({suffix.lstrip(".") for suffix in SUPPORTED})
_RESERVED = {MANIFEST_NAME.lower(), "readme.md", "license", "license.md"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class SavedUpload:
    """An upload written into the corpus folder."""

    path: Path
    chars: int  # characters of text read from it


def safe_name(name: str) -> str:
    """A plain file name for an upload: no folders, no leading dots, only [A-Za-z0-9._-].

    Example: "../My label (v2).PDF" -> "My_label_v2_.pdf".

    Raises:
        InputError: nothing usable is left of the name.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._")
    suffix = _UNSAFE.sub("", suffix).lower()
    if not stem or not suffix:
        raise InputError(f"{name!r} is not a usable file name", hint="name the file like label.pdf")
    return f"{stem}.{suffix}"


def save_upload(corpus_dir: Path, name: str, data: bytes, *, replace: bool = False) -> SavedUpload:
    """Check one uploaded file and write it into `corpus_dir`.

    Args:
        corpus_dir: the corpus folder in use (must exist).
        name: the file name as uploaded.
        data: the file's bytes.
        replace: allow replacing a corpus file of the same name.

    Raises:
        InputError: the file is refused; the message says why (type, size, content, name).
    """
    corpus_dir = Path(corpus_dir)
    filename = safe_name(name)
    suffix = "." + filename.rsplit(".", 1)[1]
    if suffix not in SUPPORTED:
        allowed = ", ".join(f".{t}" for t in UPLOAD_TYPES)
        raise InputError(f"{name}: unsupported file type {suffix!r}", hint=f"upload one of {allowed}")
    if not data:
        raise InputError(f"{name}: the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"{name}: {len(data) / 2**20:.1f} MiB is over the {MAX_UPLOAD_BYTES // 2**20} MiB upload limit"
        )
    if filename.lower() in _RESERVED:
        raise InputError(f"{name}: that name is reserved for the corpus folder's own files")
    if not corpus_dir.is_dir():
        raise InputError(f"the corpus folder {str(corpus_dir)!r} does not exist")
    target = corpus_dir / filename
    if target.exists() and not replace:
        raise InputError(f"{filename} is already in the corpus", hint="tick 'replace' to overwrite it")
    # Hidden (leading dot) so an index build running meanwhile does not pick the file up.
    tmp = corpus_dir / f".upload-{uuid.uuid4().hex}{suffix}"
    try:
        tmp.write_bytes(data)
        try:
            document = load_file(tmp)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError(f"{name}: cannot be written to the corpus folder ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return SavedUpload(target, len(document.text))
