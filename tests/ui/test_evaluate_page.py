"""The Evaluate page, driven by AppTest: a gold-set run with its report, and scoring another system's answers."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.ui.conftest import open_app

GOLD = Path(__file__).resolve().parents[2] / "eval" / "data" / "gold.jsonl"


def run_until(at, done, *, timeout: float = 240):
    """Rerun the page (as the page's own timer does) until `done(at)` or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        assert not at.exception, [e.value for e in at.exception]
        if done(at):
            return at
        assert time.monotonic() < deadline, "the background job did not finish"
        time.sleep(0.3)
        at.run()


def small_gold() -> bytes:
    rows = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    picked = [r for r in rows if r["id"] in ("g001", "g002")] + [r for r in rows if r["category"] == "unanswerable"][:1]
    return "".join(json.dumps(r) + "\n" for r in picked).encode()


def test_gold_set_run_shows_metrics_figures_table_and_downloads(seeded):
    at = open_app("evaluate")
    at.file_uploader(key="eval_gold_file").set_value(("mini.jsonl", small_gold(), "application/json"))
    at.checkbox(key="eval_pairs").uncheck()
    at.form_submit_button[0].click().run()
    run_until(at, lambda a: a.session_state["eval_report"] if "eval_report" in a.session_state else None)
    assert not at.error, [e.value for e in at.error]
    report = Path(at.session_state["eval_report"])
    assert (report / "report.md").is_file() and (report / "metrics.png").is_file()
    assert any("3 questions" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert "Key-fact recall" in metrics and "Citation recall" in metrics
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas and all("vs stock recipe" in d for d in deltas)  # compared with the stock recipe
    captions = [c for image in at.image for c in image.captions]
    assert "metrics.png" in captions and "latency.png" in captions  # the report's figures
    table = at.dataframe[-1].value
    assert list(table["id"]) == ["g001", "g002", "g096"]
    labels = {b.label for b in at.get("download_button")}
    assert {"Download report.md", "Download report.json", "Download everything (.zip)"} <= labels


def test_a_bad_gold_file_is_a_message(seeded):
    at = open_app("evaluate")
    at.file_uploader(key="eval_gold_file").set_value(("bad.jsonl", b'{"question": "ok?"}\nnot json\n', "text/plain"))
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("line 2 is not valid JSON" in e.value for e in at.error)
    assert "eval_job" not in at.session_state


def test_scoring_answers_marks_the_unsupported_sentences(seeded, seed_index):
    quote = "Baclofen is commonly administered orally, starting with 5 mg three times daily."
    records = [
        {
            "id": "a1",
            "question": "Starting dose?",
            "answer": "Baclofen is usually started orally at 5 mg three times daily [1]. "
            "It cures multiple sclerosis within a week [1].",
            "passages": [{"title": "Spinal stenosis review", "text": quote}],
        },
        {"id": "a2", "question": "Uncited", "answer": "Baclofen is a muscle relaxant.", "passages": []},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    at = open_app("evaluate")
    at.file_uploader(key="score_file").set_value(("answers.jsonl", data, "application/json"))
    at.form_submit_button[1].click().run()
    run_until(at, lambda a: "score_result" in a.session_state)
    assert not at.error, [e.value for e in at.error]
    _, results, agg = at.session_state["score_result"]
    assert agg["n_records"] == 2
    assert results[0]["unsupported"] == ["It cures multiple sclerosis within a week."]
    page = "\n".join(h.value for h in at.html)
    assert 'class="bqa-unsupported" title="not supported by its citations">It cures multiple sclerosis' in page
    assert "(uncited)" in page
    assert [row for row in at.dataframe[-1].value["id"]] == ["a1", "a2"]
    assert "Download the scores (JSON lines)" in {b.label for b in at.get("download_button")}


def test_a_bad_answers_file_is_a_message(seeded):
    at = open_app("evaluate")
    at.file_uploader(key="score_file").set_value(("answers.jsonl", b'{"id": 1}\n', "application/json"))
    at.form_submit_button[1].click().run()
    assert not at.exception
    assert any("field 'answer' missing" in e.value for e in at.error)
