"""Concurrent use: eight threads through one loaded QASystem answer as one thread does, and two
Streamlit sessions over the one cached system see only their own questions."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rag.pipeline import QASystem
from tests.reliability.conftest import GOLD, comparable
from tests.ui.conftest import ask_on_page

THREADS = 8


@pytest.fixture(scope="module")
def varied_questions() -> list[str]:
    """Four gold questions of each category (answerable, lay, unanswerable, conflict): 16 in all."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked: list[str] = []
    for category in ("answerable", "lay", "unanswerable", "conflict"):
        of_kind = [r["question"] for r in rows if r["category"] == category]
        picked += of_kind[:: max(1, len(of_kind) // 4)][:4]
    assert len(set(picked)) == 16
    return picked


def test_eight_threads_answer_as_one_thread_does(seed_index, seed_qa, varied_questions):
    expected = {q: comparable(seed_qa.ask(q)) for q in varied_questions}  # one thread
    shared = QASystem(seed_index)  # fresh: its lazily filled caches are filled by the threads at once
    start = threading.Barrier(THREADS)

    def work(i: int) -> dict[str, dict]:
        order = varied_questions[2 * i :] + varied_questions[: 2 * i]  # each thread starts elsewhere
        start.wait()
        if i % 2:  # half the threads ask one at a time, half in a batch
            return {q: comparable(shared.ask(q)) for q in order}
        return {q: comparable(a) for q, a in zip(order, shared.ask_many(order), strict=True)}

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    for i, got in enumerate(results):
        differ = [q for q in varied_questions if got[q] != expected[q]]
        assert not differ, (i, differ)
    assert any(not a["abstained"] for a in expected.values()) and any(a["abstained"] for a in expected.values())
    assert any(a["conflicts"] for a in expected.values())


def _page(at) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.html, *at.button, *at.text_input])


def test_streamlit_sessions_share_no_state(monkeypatch, seed_corpus, seed_index_dir, encoder):
    """Two sessions of the app over the one cached QASystem: each sees only its own questions."""
    from streamlit.testing.v1 import AppTest

    import ui.resources
    from tests.ui.conftest import SHELL, TIMEOUT

    monkeypatch.setenv("BQA_INDEX_DIR", str(seed_index_dir))
    monkeypatch.setenv("BQA_CORPUS_DIR", str(seed_corpus))
    monkeypatch.setattr(ui.resources, "Encoder", lambda *args, **kwargs: encoder)  # the session's model
    first, second = "How should baclofen tablets be stored?", "What is the elimination half-life of baclofen?"

    a = ask_on_page(AppTest.from_file(str(SHELL), default_timeout=TIMEOUT).run(), first)
    system = ui.resources.qa_system(ui.resources.place())
    attributes = set(vars(system))
    b = AppTest.from_file(str(SHELL), default_timeout=TIMEOUT).run()
    assert b.session_state["ask_history"] == [] and first not in _page(b)
    ask_on_page(b, second)
    a.run()  # A's next run, after B asked
    assert [x.question for x in a.session_state["ask_history"]] == [first]
    assert [x.question for x in b.session_state["ask_history"]] == [second]
    assert second not in _page(a) and first not in _page(b)
    assert a.session_state["ask_question"] == first and b.session_state["ask_question"] == second

    # The same question in both sessions: two answers, not one shared object either could change.
    ask_on_page(b, first)
    assert b.session_state["ask_history"][-1] is not a.session_state["ask_history"][0]
    assert comparable(b.session_state["ask_history"][-1]) == comparable(a.session_state["ask_history"][0])
    # One cached system served both, and the sessions hung nothing of their own on it.
    assert ui.resources.qa_system(ui.resources.place()) is system and set(vars(system)) == attributes
