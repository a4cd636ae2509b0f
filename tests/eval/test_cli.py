"""The eval sub-commands end to end (each pays a model load, so there are few of these)."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import BQA, bqa_env

RECORD = {
    "id": "r1",
    "question": "How is baclofen started?",
    "answer": "Baclofen is started at 5 mg three times daily [1]. It is stored in a fridge [2]. Uncited.",
    "passages": [
        {"title": "Dosing", "text": "Baclofen is commonly administered orally, starting with 5 mg three times daily."},
        {"title": "Storage", "text": "Baclofen tablets should be stored at room temperature."},
    ],
}


def run(args, tmp_path, stdin=None):
    return subprocess.run([BQA, *args], input=stdin, capture_output=True, text=True, env=bqa_env(tmp_path), timeout=300)


def test_eval_score_json_and_bad_line(tmp_path):
    f = tmp_path / "answers.jsonl"
    f.write_text(json.dumps(RECORD) + "\n")
    p = run(["eval", "score", "--json", str(f)], tmp_path)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert lines[0]["id"] == "r1" and lines[0]["n_sentences"] == 3
    assert lines[0]["unsupported"] == ["It is stored in a fridge.", "Uncited."]
    assert lines[-1]["n_records"] == 1 and lines[-1]["citation_recall"] == round(1 / 3, 4)
    f.write_text(json.dumps(RECORD) + "\nnot json\n")
    p = run(["eval", "score", str(f)], tmp_path)
    assert p.returncode == 2 and "line 2" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_eval_judge_stdin(tmp_path):
    pairs = [
        {"id": "a", "claim": "Baclofen is started at 5 mg.", "passage": RECORD["passages"][0]["text"]},
        {"id": "b", "claim": "Baclofen is started at 50 mg.", "passage": RECORD["passages"][0]["text"]},
    ]
    p = run(["eval", "judge", "--json"], tmp_path, stdin="\n".join(json.dumps(x) for x in pairs) + "\n")
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert [(o["id"], o["supported"]) for o in out] == [("a", True), ("b", False)]
    assert all(isinstance(o["score"], float) for o in out)
    p = run(["eval", "judge"], tmp_path, stdin='{"id": 1, "claim": "x"}\n')
    assert p.returncode == 2 and "line 1" in p.stderr and "passage" in p.stderr
    # a missing NLI model folder is a one-line error, not a traceback
    p = run(["eval", "judge", "--nli", str(tmp_path / "no-such-model")], tmp_path, stdin=json.dumps(pairs[0]) + "\n")
    assert p.returncode == 2 and "NLI model folder not found" in p.stderr and "Traceback" not in p.stderr
