"""Evaluate page: run the gold set and read the report; score another system's answers.

The gold-set run is eval.report.evaluate + write_report (what `bqa eval run` does), the scoring
is eval.score.parse_records + score_records (what `bqa eval score` does); both run as background
jobs (ui/jobs.py). Per-session state: eval_job / eval_report (a report folder), score_job /
score_result ((records, per-record results, aggregate)).
"""

from __future__ import annotations

import html
import io
import json
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from ui import common, jobs, resources

state = st.session_state
MAX_FILE_BYTES = 20 * 2**20

# (key in the report's summary, label, format)
HEADLINE = [
    ("key_fact_recall", "Key-fact recall", "{:.1%}"),
    ("hit_rate@5", "Passage with the answer in top 5", "{:.1%}"),
    ("mrr@10", "MRR@10", "{:.3f}"),
    ("ndcg@10", "nDCG@10", "{:.3f}"),
    ("citation_recall", "Citation recall", "{:.1%}"),
    ("citation_precision", "Citation precision", "{:.1%}"),
    ("faithfulness", "Faithfulness", "{:.1%}"),
    ("abstention_recall", "Abstains when it should", "{:.1%}"),
    ("abstention_precision", "Abstains only when it should", "{:.1%}"),
    ("conflicts_flagged", "Conflicts flagged", "{:.1%}"),
    ("latency_p50_ms", "Latency p50", "{:.0f} ms"),
    ("latency_p95_ms", "Latency p95", "{:.0f} ms"),
]
ROW_COLUMNS = [
    "id",
    "split",
    "category",
    "question",
    "key_fact_recall",
    "hit_at_5",
    "citation_recall",
    "citation_precision",
    "faithfulness",
    "abstained",
    "conflict_flagged",
    "latency_ms",
    "answer",
]


def _fmt(value, pattern: str) -> str:
    return "n/a" if value is None else pattern.format(value)


def _metric_grid(summary: dict, baseline: dict | None) -> None:
    shown = [(k, label, f) for k, label, f in HEADLINE if k in summary]
    for row in range(0, len(shown), 4):
        cols = st.columns(4)
        for col, (key, label, pattern) in zip(cols, shown[row : row + 4], strict=False):
            value = summary.get(key)
            delta = None
            if baseline and baseline.get(key) is not None and value is not None and not key.startswith("latency"):
                delta = f"{value - baseline[key]:+.3f} vs stock recipe"
            col.metric(label, _fmt(value, pattern), delta=delta)


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, f"bqa-eval-report/{path.name}")
    return buffer.getvalue()


def show_report(folder: Path) -> None:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    summary, baseline = report["system"], report.get("baseline")
    st.success(
        f"{summary['n_questions']} questions ({report.get('split', 'all')}) from {report.get('questions_file')} "
        f"in {report.get('elapsed_s', 0):.0f} s."
    )
    _metric_grid(summary, baseline)
    for name in report.get("figures", []):
        if (folder / name).is_file():
            st.image(str(folder / name), caption=name)
    acceptance = report.get("acceptance") or {}
    if acceptance:
        st.markdown("##### Acceptance checks")
        st.dataframe(
            [{"check": name, **{k: v for k, v in row.items() if k != "misses"}} for name, row in acceptance.items()],
            hide_index=True,
        )
    agreement = report.get("judge_agreement")
    if agreement:
        st.markdown("##### The support judge against the hand labels")
        st.json(agreement, expanded=False)
    st.markdown("##### Per question")
    rows = [{k: r.get(k) for k in ROW_COLUMNS} for r in report.get("rows", [])]
    st.dataframe(rows, hide_index=True, width="stretch")
    cols = st.columns(3)
    cols[0].download_button("Download report.md", (folder / "report.md").read_bytes(), "report.md", "text/markdown")
    cols[1].download_button(
        "Download report.json", (folder / "report.json").read_bytes(), "report.json", "application/json"
    )
    cols[2].download_button("Download everything (.zip)", _zip(folder), "bqa-eval-report.zip", "application/zip")


def gold_tab() -> None:
    from eval.report import PAIRS_PATH, evaluate, load_gold, write_report

    st.markdown(
        "Runs the system on the project's gold questions (or yours) and writes the report of "
        "`bqa eval run`: retrieval, key facts, citations, abstention, conflicts, latency and figures."
    )
    with st.form("eval_form"):
        upload = st.file_uploader(
            "Your own gold questions (JSON lines; leave empty for the project's gold set)",
            type=["jsonl", "json", "txt"],
            key="eval_gold_file",
            max_upload_size=MAX_FILE_BYTES // 2**20,
        )
        cols = st.columns(3)
        split = cols[0].selectbox("Split", ["all", "dev", "test"], key="eval_split")
        with_recipe = cols[1].checkbox("Compare with the stock LangChain recipe", value=True, key="eval_baseline")
        with_pairs = cols[2].checkbox("Check the judge against the hand labels", value=True, key="eval_pairs")
        go = st.form_submit_button("Run the evaluation", type="primary")

    if go:
        with common.show_errors("Starting the evaluation"):
            where = resources.place()
            if upload is not None:
                gold_path = Path(tempfile.mkdtemp(prefix="bqa-gold-")) / "gold.jsonl"
                gold_path.write_bytes(upload.getvalue())
                name = upload.name
            else:
                gold_path, name = None, "eval/data/gold.jsonl"
            gold = load_gold(gold_path, split)  # a bad file is a message now, not after a minute
            system, judge = resources.qa_system(where), resources.judge()

            def work(log):
                recipe = None
                if with_recipe:  # built in the job (encodes the recipe's chunks), shared once built
                    log("preparing the stock LangChain recipe")
                    recipe = resources.stock_recipe(where)
                result = evaluate(
                    system,
                    gold,
                    judge=judge,
                    baseline=recipe,
                    pairs_path=PAIRS_PATH if with_pairs else None,
                    questions_file=name,
                    split=split,
                    log=log,
                )
                folder = Path(tempfile.mkdtemp(prefix="bqa-eval-"))
                write_report(result, folder)
                return folder

            state["eval_job"] = jobs.start("The evaluation", work)
            state.pop("eval_report", None)

    job = state.get("eval_job")
    if job is not None and not job.done:
        common.follow(job, what="Evaluating")
        return
    if job is not None:
        del state["eval_job"]
        if job.error is not None:
            st.error(jobs.error_message(job))
        else:
            state["eval_report"] = job.result
    if state.get("eval_report") is not None:
        with common.show_errors("Showing the report"):
            show_report(state["eval_report"])


def _sentences_html(answer: str, result: dict) -> str:
    from eval.metrics import split_answer

    unsupported, uncited = set(result.get("unsupported", [])), set(result.get("uncited", []))
    parts = []
    for sentence in split_answer(answer):
        marks = "".join(f"[{n}]" for n in sentence.citations)
        text = html.escape(f"{sentence.text} {marks}".strip())
        if sentence.text in uncited:
            parts.append(f'<li><span class="bqa-unsupported" title="no citation">{text}</span> <em>(uncited)</em></li>')
        elif sentence.text in unsupported:
            parts.append(
                f'<li><span class="bqa-unsupported" title="not supported by its citations">{text}</span> '
                "<em>(not supported by its citations)</em></li>"
            )
        else:
            parts.append(f"<li>{text}</li>")
    return f'<ol class="bqa-sentences">{"".join(parts)}</ol>'


def score_tab() -> None:
    from eval.score import parse_records, score_records

    st.markdown(
        "Scores another system's answers as `bqa eval score` does. One JSON object per line, ALCE's shape: "
        '`{"id", "question", "answer": "text with [1] markers", "passages": [{"title", "text"}]}`.'
    )
    with st.form("score_form"):
        upload = st.file_uploader(
            "Answers (JSON lines)",
            type=["jsonl", "json", "txt"],
            key="score_file",
            max_upload_size=MAX_FILE_BYTES // 2**20,
        )
        go = st.form_submit_button("Score the answers", type="primary")
    if go:
        if upload is None:
            st.error("Choose a JSON-lines file first.")
        else:
            with common.show_errors("Reading the answers"):
                try:
                    text = upload.getvalue().decode("utf-8")
                except UnicodeDecodeError:
                    st.error(f"{upload.name} is not UTF-8 text.")
                else:
                    records = parse_records(text.splitlines(), source=upload.name)
                    if not records:
                        st.error(f"{upload.name} holds no records.")
                    else:
                        judge = resources.judge()
                        state["score_job"] = jobs.start(
                            "Scoring", lambda log: (records, *score_records(records, judge))
                        )
                        state.pop("score_result", None)

    job = state.get("score_job")
    if job is not None and not job.done:
        common.follow(job, what="Scoring")
        return
    if job is not None:
        del state["score_job"]
        if job.error is not None:
            st.error(jobs.error_message(job))
        else:
            state["score_result"] = job.result
    if state.get("score_result") is None:
        return
    records, results, agg = state["score_result"]
    st.success(
        f"{agg['n_records']} answers, {agg['n_sentences']} sentences: "
        f"{agg.get('n_unsupported', 0)} not supported by their citations ({agg.get('n_uncited', 0)} uncited)."
    )
    cols = st.columns(3)
    cols[0].metric("Citation recall", f"{agg['citation_recall']:.1%}")
    cols[1].metric("Citation precision", f"{agg['citation_precision']:.1%}")
    cols[2].metric("Faithfulness", f"{agg['faithfulness']:.1%}")
    table = [
        {
            "id": r["id"],
            "citation_recall": r["citation_recall"],
            "citation_precision": r["citation_precision"],
            "faithfulness": r["faithfulness"],
            "sentences": r["n_sentences"],
            "unsupported": len(r["unsupported"]),
        }
        for r in results
    ]
    st.dataframe(table, hide_index=True, width="stretch")
    for record, result in zip(records, results, strict=True):
        flag = f" · {len(result['unsupported'])} unsupported" if result["unsupported"] else ""
        with st.expander(f"{record.id}: {record.question or '(no question)'}{flag}"):
            st.html(_sentences_html(record.answer, result))
            st.caption(
                f"citation recall {result['citation_recall']:.2f} · precision {result['citation_precision']:.2f}"
                f" · faithfulness {result['faithfulness']:.2f} · {len(record.passages)} passages"
            )
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results) + json.dumps(agg) + "\n"
    st.download_button("Download the scores (JSON lines)", lines, "scores.jsonl", "application/json")


st.title("Evaluate")
gold, score = st.tabs(["Run the gold set", "Score another system's answers"])
with gold:
    gold_tab()
with score:
    score_tab()
