"""The shell and the Corpus page, driven by AppTest: documents, removed debris, upload, rebuild, errors."""

from __future__ import annotations

import shutil

from index.store import current_build
from tests.ui.conftest import open_app

NEW_DOC = (
    b"# Baclofen and grapefruit\n\n"
    b"No interaction between baclofen and grapefruit juice has been reported in this made-up note.\n"
)


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def test_corpus_page_shows_documents_what_was_removed_and_statistics(seeded, seed_index):
    at = open_app("corpus")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == str(len(seed_index.documents))
    assert metrics["Passages"] == str(len(seed_index.chunks))
    assert metrics["Sentences"] == str(len(seed_index.sentences))
    assert any("up to date" in t for t in texts(at.success))
    labels = [e.label for e in at.expander]
    for doc in seed_index.documents.values():
        assert any(label.startswith(doc.title) for label in labels), doc.title
    table = at.dataframe[0].value
    assert set(table["id"]) == set(seed_index.documents)
    # The debris the cleaner removed is listed verbatim under its document.
    doc = next(d for d in seed_index.documents.values() if d.removed)
    removed_tables = [f.value for f in at.dataframe[1:]]
    assert any(doc.removed[0].text in list(t["text"]) for t in removed_tables)
    # The sidebar states the index and the medical-advice note.
    sidebar = " ".join(texts(at.sidebar.caption))
    assert f"{len(seed_index.documents)} documents" in sidebar and "not medical advice" in sidebar


def test_first_start_builds_the_index_then_upload_and_rebuild_add_a_document(monkeypatch, tmp_path, seed_corpus):
    # A one-document corpus keeps the two builds short.
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for name in ("003_0445096204463982.txt", "manifest.json"):
        shutil.copy(seed_corpus / name, corpus / name)
    monkeypatch.setenv("BQA_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("BQA_INDEX_DIR", str(index_dir))

    at = open_app()  # no index yet: the shell builds one, then shows the Ask page
    first = current_build(index_dir)
    assert first is not None
    assert any("Index: 1 document," in t for t in texts(at.sidebar.caption))
    assert at.text_input(key="ask_question")

    at.switch_page("views/corpus.py").run()
    at.file_uploader(key="corpus_files").set_value(("grapefruit note.txt", NEW_DOC, "text/plain"))
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert (corpus / "grapefruit_note.txt").read_bytes() == NEW_DOC
    assert any("Added grapefruit_note.txt" in t for t in texts(at.success))
    assert any("out of date" in t for t in texts(at.warning))

    at.button(key="corpus_rebuild").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert current_build(index_dir).name != first.name
    assert any(t.startswith("Index rebuilt") for t in texts(at.success))
    assert {m.label: m.value for m in at.metric}["Documents"] == "2"
    assert any(e.label.startswith("Baclofen and grapefruit") for e in at.expander)
    assert any("up to date" in t for t in texts(at.success))


def test_a_bad_upload_is_refused_with_a_message(own_copy):
    corpus, _ = own_copy
    before = sorted(p.name for p in corpus.iterdir())
    at = open_app("corpus")
    at.file_uploader(key="corpus_files").set_value(
        [("label.pdf", b"not really a pdf", "application/pdf"), ("ok.md", b"# Fine\n\nText.\n", "text/markdown")]
    )
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("label.pdf: not a PDF file" in t for t in texts(at.error))
    assert sorted(p.name for p in corpus.iterdir()) == sorted([*before, "ok.md"])


def test_a_damaged_index_is_a_message_not_a_traceback(own_copy):
    _, index_dir = own_copy
    (current_build(index_dir) / "chunks.jsonl").write_text("damaged\n")
    at = open_app("corpus")
    errors = texts(at.error)
    assert any("damaged" in t and "rebuild" in t for t in errors), errors
    assert at.button(key="corpus_rebuild")  # the way out is on the page
