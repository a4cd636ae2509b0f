"""`eval run`'s report, with a small scripted system (and the real stock recipe)."""

from __future__ import annotations

import json

import pytest

from eval.baseline import CHUNK_OVERLAP, CHUNK_SIZE, StockRecipe
from eval.report import GoldQuestion, evaluate, load_gold, render_markdown, write_report
from index.errors import InputError
from index.types import Answer, AnswerSentence, Chunk, Citation, Conflict, ConflictStatement
from tests.eval.test_metrics import SubstringJudge

DOSE = "baclofen starts at 5 mg three times daily"
KIDNEY = "the drug is excreted by the kidneys"


def chunk(text: str, n: int) -> Chunk:
    return Chunk(f"d#c{n}@0-{len(text)}", "d", "Doc", "", 0, len(text), text, n)


class FakeSystem:
    """Answers from a script; retrieval returns the scripted passages."""

    def __init__(self):
        self.asked = []

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        if "price" in question:
            return Answer(question, "These documents do not answer that.", abstained=True)
        cite = Citation(1, "d", "Doc", "corpus/d.txt", "d#c0", 0, len(DOSE), DOSE)
        conflicts = []
        if "max" in question:
            conflicts = [Conflict("max dose", [ConflictStatement("100 mg", 1), ConflictStatement("80 mg", 1)])]
        return Answer(
            question,
            "baclofen starts at 5 mg [1]. It is stored in a fridge [1].",
            abstained=False,
            sentences=[AnswerSentence("baclofen starts at 5 mg", [1]), AnswerSentence("stored in a fridge", [1])],
            citations=[cite],
            conflicts=conflicts,
        )

    def retrieve(self, question: str, k: int = 5):
        return [(chunk(DOSE, 0), 0.9), (chunk(KIDNEY, 1), 0.5)][:k]


GOLD = [
    GoldQuestion("q1", "How is it started?", "answerable", "dev", [["5 mg"], ["three times daily"]],
                 [{"doc_id": "d", "quote": DOSE}], None),
    GoldQuestion("q2", "How is it cleared?", "lay", "dev", [["kidneys"]], [{"doc_id": "d", "quote": KIDNEY}], None),
    GoldQuestion("q3", "What is the max dose?", "conflict", "test", [["100 mg"], ["80 mg"]],
                 [{"doc_id": "d", "quote": "max 100 mg"}], "max dose"),
    GoldQuestion("q4", "What is the price?", "unanswerable", "dev", [], [], None),
]  # fmt: skip


def test_report_with_a_fake_system(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"claim": "starts at 5 mg", "passage": DOSE, "label": True, "split": "heldout", "kind": "copy"},
                {"claim": "starts at 9 mg", "passage": DOSE, "label": False, "split": "heldout", "kind": "number"},
                {"claim": "kidneys", "passage": KIDNEY, "label": True, "split": "calib", "kind": "copy"},
            ]
        )
    )
    system = FakeSystem()
    result = evaluate(system, GOLD, judge=SubstringJudge(), pairs_path=pairs)
    assert system.asked == [q.question for q in GOLD]
    s = result["system"]
    assert s["key_fact_recall"] == pytest.approx((0.5 + 0 + 0) / 3, abs=1e-4)  # q1 half, q2 none, q3 none
    assert s["abstention_recall"] == 1.0 and s["abstention_precision"] == 1.0
    assert s["conflicts_flagged"] == 1.0 and s["false_conflicts"] == 0.0
    assert s["citation_recall"] == pytest.approx(0.5, abs=1e-4)  # "stored in a fridge" is not in its quote
    assert s["hit_rate@5"] == pytest.approx(2 / 3, abs=1e-4)  # q3's quote is nowhere
    acc = result["acceptance"]["system retrieve top 5"]
    assert acc["n"] == 2 and acc["share"] == 1.0 and acc["meets_target"]
    assert result["judge_agreement"]["heldout"]["accuracy"] == 1.0

    paths = write_report(result, tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert names == ["key_facts_by_category.png", "latency.png", "metrics.png", "report.json", "report.md"]
    for p in paths:
        assert p.stat().st_size > 0
        if p.suffix == ".png":
            assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| q4 | unanswerable | dev |" in md and "stored in a fridge" in md
    assert "85%" in md  # ALCE's human agreement, for comparison
    # two held-out pairs, both right: the table shows how little that pins down
    lo, hi = result["judge_agreement"]["heldout"]["intervals"]["false_accept_rate"]
    assert lo == 0.0 and hi > 0.5
    assert f"0.0% (0.0%-{hi:.1%})" in md
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["system"]["n_questions"] == 4 and len(data["rows"]) == 4


def test_gold_file_errors(tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text('{"id": "a", "question": "q?"}\n{"id": "b"}\n')
    with pytest.raises(InputError, match="line 2"):
        load_gold(f)
    f.write_text('{"id": "a", "question": "q?", "split": "dev"}\n')
    with pytest.raises(InputError, match="split 'test'"):
        load_gold(f, "test")
    assert load_gold(f)[0].category == "unanswerable"  # no key facts, no support


def test_project_gold_set_loads():
    gold = load_gold()
    assert len(gold) > 60
    assert {q.category for q in gold} >= {"answerable", "lay", "conflict", "unanswerable"}
    assert all(q.quotes for q in gold if q.answerable)


def test_stock_recipe(seed_corpus, encoder):
    recipe = StockRecipe.from_corpus(seed_corpus, encoder)
    assert (CHUNK_SIZE, CHUNK_OVERLAP, recipe.k) == (1000, 200, 4)
    assert all(len(c.text) <= CHUNK_SIZE for c in recipe.chunks)
    hits = recipe.retrieve("What is the maximum daily dose of oral baclofen?")
    assert len(hits) == 4 and hits[0][1] >= hits[-1][1]
    answer = recipe.ask("What is the maximum daily dose of oral baclofen?")
    assert answer.answer == hits[0][0].text and not answer.abstained
    doc_text = (seed_corpus / f"{hits[0][0].doc_id}.txt").read_text()
    top = hits[0][0]
    assert doc_text[top.start : top.start + len(top.text)] == top.text


def test_report_names_the_model_the_judge_read():
    from types import SimpleNamespace

    from eval.report import judge_model

    result = evaluate(FakeSystem(), GOLD, judge=SubstringJudge(), pairs_path=None)
    assert "read a model beside" not in render_markdown(result | {"figures": []})
    judge = SimpleNamespace(calibration={"nli_weight": 0.6}, threshold=0.66, nli=SimpleNamespace(info={}))
    assert judge_model(judge, None) is None
    model = judge_model(judge, ".bqa/judge-model")
    assert model == {
        "path": ".bqa/judge-model",
        "nli_weight": 0.6,
        "threshold": 0.66,
        "override": None,
        "members": 1,
        "validation": None,
    }
    md = render_markdown(result | {"figures": [], "judge_model": model})
    assert "`.bqa/judge-model` (blend weight 0.60, threshold 0.660); its hard checks" in md
    ensemble = SimpleNamespace(info={}, members=[object(), object()])
    judge = SimpleNamespace(calibration={"nli_weight": 1.0}, threshold=0.9, nli_override=0.98, nli=ensemble)
    md = render_markdown(result | {"figures": [], "judge_model": judge_model(judge, "m")})
    assert "`m` (2 members averaged, blend weight 1.00, threshold 0.900); a model probability of at least 0.980" in md


def test_render_markdown_without_baseline_or_pairs():
    result = evaluate(FakeSystem(), GOLD, judge=SubstringJudge(), pairs_path=None)
    md = render_markdown(result | {"figures": []})
    assert "not run" in md and "not measured" in md


@pytest.mark.slow
def test_eval_run_on_the_real_system(request, seed_index, seed_corpus, encoder, tmp_path):
    """The whole pipeline on a dozen gold questions: the real QASystem, judge and stock recipe."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with -m slow (make test-all)")  # nothing deselects slow tests by default
    from rag.judge import SupportJudge
    from rag.pipeline import QASystem

    gold = [q for q in load_gold() if q.category in ("answerable", "unanswerable")][:12]
    judge = SupportJudge(encoder)
    result = evaluate(
        QASystem(seed_index),
        gold,
        judge=judge,
        baseline=StockRecipe.from_corpus(seed_corpus, encoder, encode=judge.encode),
        attribution=True,
    )
    assert result["system"]["n_questions"] == 12
    assert result["system"]["key_fact_recall"] >= result["baseline"]["key_fact_recall"]
    assert result["score_separation"]["good"]["citation_recall"] >= 0.9
    paths = write_report(result, tmp_path / "report")
    assert (tmp_path / "report" / "report.md").read_text().count("\n| g") == 12
    assert len(paths) == 5
