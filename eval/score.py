"""Score another system's answers: ALCE-shape JSON lines in, per-answer and aggregate scores out.

Input, one JSON object per line (ALCE's shape):
    {"id": "...", "question": "...", "answer": "text with [1] markers", "passages": [{"title", "text"}]}
`id` defaults to the line number and `question` may be empty. Each answer is split into
sentences; `[n]` markers cite passages by 1-based position (`[1][2]`, `[1, 2]`, `[1-3]`;
out-of-range numbers count as wrong citations, sentences without markers as uncited). Scores:
ALCE citation recall and precision, and faithfulness (see `eval.metrics`); per answer, the
sentences its citations do not support are listed.

The aggregate averages the per-answer scores (as ALCE does) and also gives the sentence-level
(micro) figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.jsonl import read_objects
from eval.metrics import CitationScore, Judge, judge_plans, plan_citations, split_answer
from index.errors import InputError


@dataclass
class Record:
    """One answer to score."""

    id: str
    question: str
    answer: str
    passages: list[str]
    line: int


def _passage_text(p: Any, where: str) -> str:
    if isinstance(p, str):
        return p
    if not isinstance(p, dict):
        raise InputError(f"{where}: each passage must be an object with 'title' and 'text'")
    text = p.get("text", "")
    title = p.get("title", "")
    if not isinstance(text, str) or not isinstance(title, str):
        raise InputError(f"{where}: passage 'title' and 'text' must be strings")
    return f"{title}\n{text}" if title.strip() and text.strip() else (text or title)


def parse_records(lines: list[str], *, source: str = "<input>") -> list[Record]:
    """Validate JSON lines into records.

    Raises:
        InputError: naming the first bad line (not JSON, not an object, a field of the wrong type).
    """
    records = []
    for n, where, obj in read_objects(lines, source):
        answer = obj.get("answer")
        if not isinstance(answer, str):
            raise InputError(f"{where}: field 'answer' missing or not a string")
        passages = obj.get("passages", [])
        if not isinstance(passages, list):
            raise InputError(f"{where}: field 'passages' must be a list")
        question = obj.get("question", "")
        if not isinstance(question, str):
            raise InputError(f"{where}: field 'question' must be a string")
        rid = obj.get("id", n)
        records.append(Record(str(rid), question, answer, [_passage_text(p, where) for p in passages], n))
    return records


def read_records(path: str | Path) -> list[Record]:
    """Read and validate a JSON-lines file.

    Raises:
        InputError: the file cannot be read, is empty, or has a bad line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a JSON-lines file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror})") from None
    records = parse_records(text.splitlines(), source=str(path))
    if not records:
        raise InputError(f"{path} holds no records", hint="one JSON object per line: {id, question, answer, passages}")
    return records


def record_result(record: Record, score: CitationScore) -> dict[str, Any]:
    """The per-answer output line."""
    return {
        "id": record.id,
        "citation_recall": round(score.citation_recall, 4),
        "citation_precision": round(score.citation_precision, 4),
        "faithfulness": round(score.faithfulness, 4),
        "n_sentences": score.n_sentences,
        "n_citations": score.n_citations,
        "unsupported": score.unsupported,
        "uncited": score.uncited,
        "invalid_citations": sorted({n for s in score.sentences for n in s.invalid}),
    }


def aggregate(scores: list[CitationScore]) -> dict[str, Any]:
    """Macro averages over answers (ALCE's convention) plus sentence-level micro figures."""
    n = len(scores)
    sentences = [s for sc in scores for s in sc.sentences]
    n_cites = sum(sc.n_citations for sc in scores)

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "aggregate": True,
        "n_records": n,
        "n_sentences": len(sentences),
        "n_citations": n_cites,
        "citation_recall": mean([sc.citation_recall for sc in scores]),
        "citation_precision": mean([sc.citation_precision for sc in scores]),
        "faithfulness": mean([sc.faithfulness for sc in scores]),
        "micro_citation_recall": mean([float(s.supported) for s in sentences]),
        "micro_citation_precision": round(sum(len(s.precise) for s in sentences) / n_cites, 4) if n_cites else 0.0,
        "micro_faithfulness": mean([float(s.faithful) for s in sentences]),
        "n_unsupported": sum(not s.supported for s in sentences),
        "n_uncited": sum(not s.citations for s in sentences),
    }


def score_records(records: list[Record], judge: Judge) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Score every record with one batched judge call; (per-record results, aggregate)."""
    plans = [plan_citations(split_answer(r.answer), r.passages) for r in records]
    scores = judge_plans(plans, judge)
    return [record_result(r, s) for r, s in zip(records, scores, strict=True)], aggregate(scores)


def format_text(results: list[dict[str, Any]], agg: dict[str, Any]) -> str:
    """A readable report: one line per answer, its unsupported sentences, then the aggregate."""
    lines = [f"{'id':<16} {'recall':>6} {'prec':>6} {'faith':>6} {'sents':>5}"]
    for r in results:
        lines.append(
            f"{r['id'][:16]:<16} {r['citation_recall']:>6.2f} {r['citation_precision']:>6.2f} "
            f"{r['faithfulness']:>6.2f} {r['n_sentences']:>5}"
        )
        for s in r["unsupported"]:
            tag = "uncited" if s in r["uncited"] else "unsupported"
            lines.append(f"    {tag}: {s[:110]}")
        if r["invalid_citations"]:
            lines.append(f"    out-of-range citations: {r['invalid_citations']}")
    lines.append("")
    lines.append(
        f"{agg['n_records']} answers, {agg['n_sentences']} sentences: citation recall "
        f"{agg['citation_recall']:.3f}, citation precision {agg['citation_precision']:.3f}, "
        f"faithfulness {agg['faithfulness']:.3f}"
    )
    return "\n".join(lines)
