"""Loading: supported formats, and bad files skipped with a warning that names them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from index.errors import CorpusError
from index.loading import load_corpus, load_file
from tests.conftest import BQA, bqa_env


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def mixed_corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good Title\nBaclofen is a muscle relaxant.\n", encoding="utf-8")
    (corpus / "notes.md").write_text("# Notes\n\n- Baclofen acts on GABA-B receptors.\n", encoding="utf-8")
    (corpus / "page.html").write_text(
        "<html><head><title>Label</title><script>alert('x')</script></head><body>"
        "<h1>Label</h1><p>Take 5 mg three times daily.</p><ul><li>Drowsiness</li></ul></body></html>",
        encoding="utf-8",
    )
    (corpus / "label.pdf").write_bytes(minimal_pdf("Baclofen is excreted by the kidneys."))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "latin1.txt").write_bytes("Caf\xe9 dose".encode("latin-1"))
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    (corpus / "fake.pdf").write_bytes(b"not a pdf at all")
    return corpus


def test_formats_load_and_bad_files_are_skipped(mixed_corpus):
    docs, skipped = load_corpus(mixed_corpus)
    by_id = {d.doc_id: d for d in docs}
    assert set(by_id) == {"good", "notes", "page", "label"}
    assert "alert" not in by_id["page"].text and "Take 5 mg three times daily." in by_id["page"].text
    assert "Baclofen is excreted by the kidneys." in by_id["label"].text
    assert by_id["good"].text == (mixed_corpus / "good.txt").read_text(encoding="utf-8")
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary content"
    assert reasons["latin1.txt"].startswith("not valid UTF-8")
    assert reasons["image.png"].startswith("unsupported file type")
    assert reasons["fake.pdf"] == "not a PDF file"


def test_crlf_offsets_match_what_a_reader_gets(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\nLine one is here.\r\nLine two.\r\n")
    doc = load_file(path)
    assert doc.text == path.read_text(encoding="utf-8")


def test_missing_or_unreadable_corpus_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable document"):
        load_corpus(tmp_path / "bad")


def test_cli_index_warns_names_skipped_files_and_fails_only_when_nothing_reads(mixed_corpus, tmp_path):
    env = bqa_env(tmp_path)
    p = subprocess.run(
        [BQA, "index", "--corpus", str(mixed_corpus)], capture_output=True, text=True, env=env, timeout=300
    )
    assert p.returncode == 0, p.stderr
    assert "binary.txt" in p.stderr and "empty.txt" in p.stderr and "latin1.txt" in p.stderr
    assert "4 documents" in p.stdout
    p = subprocess.run(
        [BQA, "index", "--corpus", str(tmp_path / "missing")], capture_output=True, text=True, env=env, timeout=60
    )
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "does not exist" in p.stderr
    assert "Traceback" not in p.stderr
