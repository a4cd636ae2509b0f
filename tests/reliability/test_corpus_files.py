"""Corpus edge cases beyond tests/index/test_loading.py: empty, huge, one-line and badly named files."""

from __future__ import annotations

import time

import pytest

from index.chunking import segment
from index.loading import MAX_FILE_BYTES, corpus_hash, load_corpus
from index.settings import ChunkingSettings
from index.types import Document
from tests.reliability.test_questions import _one_error_line


def test_an_empty_corpus_is_one_line_and_exit_2(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    for command in (["index"], ["ask", "What is baclofen used for?"]):
        code, out, err = run_cli([*command, "--corpus", str(corpus), "--index-dir", str(tmp_path / "ix")])
        assert code == 2 and out == ""
        # `ask` says it is building first (progress on stderr); the error is the one last line
        progress, last = err.strip().splitlines()[:-1], err.strip().splitlines()[-1:]
        assert all(not line.startswith("bqa: error") for line in progress) and len(progress) <= 1
        assert "no readable document" in _one_error_line(last[0])


def test_a_file_over_the_size_limit_is_skipped_unread(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good\nBaclofen is a muscle relaxant.\n", encoding="utf-8")
    with (corpus / "dump.txt").open("wb") as fh:  # sparse: 21 MiB on paper, nothing on disk
        fh.truncate(MAX_FILE_BYTES + (1 << 20))
    docs, skipped = load_corpus(corpus)
    assert [d.doc_id for d in docs] == ["good"]
    assert [(s.path.rsplit("/", 1)[-1], s.reason) for s in skipped] == [("dump.txt", "file is larger than 20 MiB")]
    assert len(corpus_hash(corpus)) == 64  # hashed in blocks, never read whole


def test_a_long_one_line_document_segments_in_linear_time():
    """400 KB in one line, 5,000 sentences: the sentence splitter once took ~65 s on it (quadratic)."""
    sentence = "Baclofen is taken at 5 mg three times daily by mouth. "
    text = "Title\n" + "".join(sentence.replace("5 mg", f"{i} mg") for i in range(5_000)) + "\n"
    doc = Document(doc_id="long", title="", source="long.txt", text=text, format="txt")
    t0 = time.perf_counter()
    seg = segment(doc, ChunkingSettings())
    seconds = time.perf_counter() - t0
    assert len(seg.sentences) == 5_000
    assert all(text[s.start : s.end] == s.text for s in seg.sentences)
    assert seconds < 5, seconds


@pytest.mark.skipif(not hasattr(__import__("os"), "fsencode"), reason="POSIX file names")
def test_a_file_name_that_is_not_utf8_is_skipped_with_a_printable_warning(run_cli, tmp_path):
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good\nBaclofen is a muscle relaxant that acts on GABA-B.\n", encoding="utf-8")
    bad = os.path.join(os.fsencode(corpus), b"caf\xe9.txt")
    with open(bad, "wb") as fh:
        fh.write(b"Cafe\nBaclofen is excreted by the kidneys.\n")
    assert len(corpus_hash(corpus)) == 64
    code, out, err = run_cli(["index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "ix")])
    assert code == 0, err
    assert "1 documents" in out and "caf\ufffd.txt: file path is not valid UTF-8" in out
    assert "Traceback" not in err
