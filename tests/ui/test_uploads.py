"""Upload checks: only readable documents of the right kind and size reach the corpus folder."""

from __future__ import annotations

import io

import pytest

from index.errors import InputError
from index.loading import corpus_files
from ui.uploads import MAX_UPLOAD_BYTES, safe_name, save_upload


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "existing.txt").write_text("Baclofen is a muscle relaxant.\n")
    return folder


def test_a_text_file_is_saved_under_a_safe_name(corpus):
    saved = save_upload(corpus, "../../Label (v2).TXT", b"Baclofen 10 mg tablets.\n")
    assert saved.path == corpus / "Label_v2.txt"
    assert saved.path.read_bytes() == b"Baclofen 10 mg tablets.\n"
    assert saved.chars == len("Baclofen 10 mg tablets.\n")
    assert sorted(p.name for p in corpus.iterdir()) == ["Label_v2.txt", "existing.txt"]  # no temp left


def test_html_and_markdown_are_accepted(corpus):
    save_upload(corpus, "page.html", b"<html><body><h1>Baclofen</h1><p>Dose text.</p></body></html>")
    save_upload(corpus, "notes.md", b"# Baclofen\n\nSome notes.\n")
    assert {p.name for p in corpus_files(corpus)} == {"existing.txt", "page.html", "notes.md"}


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("tool.exe", b"MZ\x90\x00", "unsupported file type"),
        ("empty.txt", b"", "empty"),
        ("blob.txt", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("latin1.txt", "dos\xe9 de baclof\xe8ne".encode("latin-1"), "UTF-8"),
        ("fake.pdf", b"this is not a pdf", "not a PDF"),
        ("blank.md", b"   \n\n  ", "no text"),
        ("README.md", b"# readme\n", "reserved"),
        ("...", b"text", "not a usable file name"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(corpus, name, data, reason):
    with pytest.raises(InputError, match=reason):
        save_upload(corpus, name, data)
    assert sorted(p.name for p in corpus.iterdir()) == ["existing.txt"]


def test_a_pdf_without_text_is_refused(corpus):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(InputError, match="no text"):
        save_upload(corpus, "scan.pdf", buffer.getvalue())


def test_size_limit(corpus):
    with pytest.raises(InputError, match="upload limit"):
        save_upload(corpus, "big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))


def test_an_existing_document_is_replaced_only_when_asked(corpus):
    with pytest.raises(InputError, match="already in the corpus"):
        save_upload(corpus, "existing.txt", b"New text.\n")
    assert (corpus / "existing.txt").read_text() == "Baclofen is a muscle relaxant.\n"
    save_upload(corpus, "existing.txt", b"New text.\n", replace=True)
    assert (corpus / "existing.txt").read_text() == "New text.\n"


def test_safe_name_keeps_only_a_plain_file_name():
    assert safe_name("C:\\Users\\me\\dose chart.HTML") == "dose_chart.html"
    assert safe_name(".hidden.txt") == "hidden.txt"
