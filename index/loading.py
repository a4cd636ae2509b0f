"""Load corpus files as text: .txt and .md as they are, .html through BeautifulSoup, .pdf through pypdf.

Loading does not clean; it returns the text as loaded, the text every offset refers to. A file
that cannot be read as text (binary, bad encoding, empty, too large, unsupported, or a name that
is not UTF-8) is reported as a `Skipped` entry with a reason, never raised, so one bad file does
not stop an index build.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from index.errors import CorpusError
from index.types import Document

SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
MANIFEST_NAME = "manifest.json"
#: Files above this size are skipped (a corpus document is an article or a label, not a book dump).
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """A corpus file that was not loaded, and why."""

    path: str
    reason: str


def read_manifest(corpus_dir: Path) -> dict[str, dict]:
    """The corpus manifest's entries keyed by file name ({} when there is none or it is unreadable)."""
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["file"]: entry for entry in data.get("documents", []) if "file" in entry}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every candidate document below `corpus_dir` (sorted; the manifest and hidden files excluded)."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {str(corpus_dir)!r} does not exist",
            hint="pass --corpus DIR, a folder of .txt/.md/.html/.pdf files",
        )
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.name in (MANIFEST_NAME, "README.md", "LICENSE", "LICENSE.md"):
            continue
        files.append(path)
    return files


def corpus_hash(corpus_dir: Path) -> str:
    """A hash of every candidate file's name and bytes, and of the manifest (what an index depends on)."""
    digest = hashlib.sha256()
    paths = corpus_files(corpus_dir)
    manifest = corpus_dir / MANIFEST_NAME
    if manifest.is_file():
        paths = [*paths, manifest]
    for path in paths:
        # surrogateescape: a file name that is not UTF-8 is hashed by its bytes, not refused
        digest.update(str(path.relative_to(corpus_dir)).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(_file_sha256(path))
    return digest.hexdigest()


def _file_sha256(path: Path) -> bytes:
    """SHA-256 of a file read in 1 MiB blocks (a huge file is hashed, not held in memory)."""
    file_digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                file_digest.update(block)
    except OSError:
        return b"<unreadable>"
    return file_digest.digest()


def printable_path(path: Path) -> str:
    """The path as text that can always be printed or written as UTF-8 (bytes that are not UTF-8 -> U+FFFD)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\0" in sample:
        return True
    # Control characters other than tab, newline, carriage return and form feed.
    bad = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and bad / len(sample) > 0.05


def _read_text(path: Path) -> str:
    # Path.read_text decodes with universal newlines, exactly as a reader of `source` will,
    # so offsets into this string are offsets into what anyone gets from read_text().
    return path.read_text(encoding="utf-8")


def _html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "nav", "footer", "form"]):
        tag.decompose()
    lines = []
    block_tags = [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "li",
        "tr",
        "blockquote",
        "pre",
        "figcaption",
        "dt",
        "dd",
    ]
    body = soup.body or soup
    for element in body.find_all(block_tags):
        if element.find(block_tags):  # a container of other blocks: its children speak for it
            continue
        if element.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            text = " | ".join(cells) + " |" if cells else ""
        else:
            text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name == "li":
            text = f"- {text}"
        elif element.name == "figcaption":
            text = f"Image caption: {text}"
        lines.append(text)
    if not lines:  # no block structure: fall back to the plain text
        lines = [" ".join(line.split()) for line in body.get_text("\n").splitlines() if line.strip()]
    title = soup.title.get_text(strip=True) if soup.title else ""
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines) + "\n"


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    return "\n\n".join(p for p in pages if p) + "\n"


def load_file(path: Path, *, manifest: dict[str, dict] | None = None, source: str | None = None) -> Document:
    """Load one file as a `Document`.

    Raises:
        ValueError: with a short reason when the file cannot be read as text.
    """
    if printable_path(path) != str(path):  # Python keeps the name's non-UTF-8 bytes as lone surrogates
        raise ValueError("file path is not valid UTF-8 (rename the file or its folder)")
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unsupported file type {path.suffix or '(none)'!r}")
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    raw = path.read_bytes()
    try:
        if fmt == "pdf":
            if not raw.startswith(b"%PDF"):
                raise ValueError("not a PDF file")
            text = _pdf_text(path)
        else:
            if _looks_binary(raw):
                raise ValueError("binary content")
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
            text = _read_text(path) if fmt in ("txt", "md") else _html_text(path)
    except ValueError:
        raise
    except Exception as exc:  # a library's parse error on a damaged file
        raise ValueError(f"cannot be parsed as {fmt} ({type(exc).__name__})") from None
    if not text.strip():
        raise ValueError("no text")
    entry = (manifest or {}).get(path.name, {})
    return Document(
        doc_id=entry.get("doc_id") or path.stem,
        title=entry.get("title") or "",
        source=source or str(path),
        text=text,
        format=fmt,
        origin=entry.get("origin", ""),
    )


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Load every readable document of `corpus_dir`; report the rest as skipped.

    Raises:
        CorpusError: when the folder is missing or no document could be read.
    """
    manifest = read_manifest(corpus_dir)
    documents: list[Document] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for path in corpus_files(corpus_dir):
        try:
            doc = load_file(path, manifest=manifest)
        except (ValueError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else "cannot be read"
            skipped.append(Skipped(printable_path(path), reason))
            continue
        if doc.doc_id in seen:  # two files with one stem (a.txt and a.md): keep ids unique
            doc.doc_id = f"{doc.doc_id}.{doc.format}"
        seen.add(doc.doc_id)
        documents.append(doc)
    if not documents:
        detail = f"; skipped: {', '.join(s.path for s in skipped)}" if skipped else ""
        raise CorpusError(
            f"no readable document in {str(corpus_dir)!r}{detail}",
            hint="add .txt, .md, .html or .pdf files",
        )
    return documents, skipped
