"""An index built with another embedding model is never used: rebuilt, or refused in one line."""

from __future__ import annotations

import json
import shutil

import pytest

from index.errors import IndexDamagedError
from index.store import build_index, current_build, ensure_index, index_status, load_index, quiet_log


def test_an_index_of_another_model_is_detected_rebuilt_or_refused(tmp_path, encoder, run_cli):
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Alpha Drug\nAlpha is taken at 5 mg daily. It is excreted by the kidneys.\n", encoding="utf-8"
    )
    build_index(corpus, ix, encoder=encoder, log=quiet_log)
    # The manifest now names another model (as `bqa index --model other` would have written it).
    manifest_path = current_build(ix) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model"] = "other-model"
    manifest_path.write_text(json.dumps(manifest))

    status, reason = index_status(corpus, ix)
    assert status == "stale" and "other-model" in reason
    with pytest.raises(IndexDamagedError, match="built with model 'other-model'"):
        load_index(ix)  # loading it directly is refused too (e.g. the app with BQA_MODEL changed)

    # Without the corpus there is nothing to rebuild from: `bqa ask` refuses, never answers from it.
    shutil.move(corpus, tmp_path / "away")
    code, out, err = run_cli(["ask", "What is alpha?", "--corpus", str(corpus), "--index-dir", str(ix)])
    assert code == 2 and out == "" and "Traceback" not in err
    assert "built with model 'other-model'" in err
    last = err.strip().splitlines()[-1]  # the error line itself names the model and the missing corpus
    assert last.startswith("bqa: error: ") and "other-model" in last and "not there to rebuild it" in last

    # With the corpus back it is rebuilt with a notice, and then it is the current model's.
    shutil.move(tmp_path / "away", corpus)
    notices = []
    index = ensure_index(corpus, ix, encoder=encoder, log=notices.append)
    assert any("other-model" in n for n in notices)
    assert index.manifest["model"] == encoder.model_id
    assert index_status(corpus, ix)[0] == "fresh"
