"""A small GIFT reader written from Moodle's importer grammar (question/format/gift/format.php),
independent of quiz.export, to check that an exported file imports and what it imports as.

Grammar, as Moodle reads it: questions are blocks separated by blank lines; lines starting with
`//` are comments; `$CATEGORY:` switches category; escapes `\\:`, `\\#`, `\\=`, `\\{`, `\\}`, `\\~`,
`\\n` and `\\\\` are taken out first; an optional `::name::`; the answer part runs from the first
`{` to the first `}`; text after the `}` makes it a missing-word question (the stem gets "_____");
`####` starts the general feedback; the type is numerical (`#...`), multichoice (any `~`),
matching (`=` and `->`), true/false (T, TRUE, F, FALSE) or short answer (`=a =b`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

_ESCAPES = {"\\:": "\x01", "\\#": "\x02", "\\=": "\x03", "\\{": "\x04", "\\}": "\x05", "\\~": "\x06", "\\n": "\x07"}
_BACK = {"\x01": ":", "\x02": "#", "\x03": "=", "\x04": "{", "\x05": "}", "\x06": "~", "\x07": "\n", "\x08": "\\"}


class GiftError(ValueError):
    pass


@dataclass
class GiftQuestion:
    name: str
    qtype: str  # multichoice, truefalse, shortanswer, numerical, match, essay, description
    text: str
    answers: list[tuple[str, float, str]] = field(default_factory=list)  # (answer, fraction, feedback)
    correct: bool | None = None  # true/false
    general_feedback: str = ""
    category: str = ""


def _pre(text: str) -> str:
    text = text.replace("\\\\", "\x08")
    for k, v in _ESCAPES.items():
        text = text.replace(k, v)
    return text


def _post(text: str) -> str:
    for k, v in _BACK.items():
        text = text.replace(k, v)
    return text.strip()


def _weight(answer: str) -> tuple[str, float | None]:
    if answer.startswith("%"):
        end = answer.index("%", 1)
        return answer[end + 1 :], float(answer[1:end]) / 100
    return answer, None


def _split_feedback(answer: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return _post(text), _post(feedback)


def parse_question(block: str, category: str = "") -> GiftQuestion | None:
    lines = [" " if ln.strip().startswith("//") else ln for ln in block.split("\n")]
    text = "\n".join(lines).strip()
    if not text:
        return None
    text = _pre(text)
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise GiftError("unterminated question name")
        name, text = _post(text[2:end]), text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return GiftQuestion(name, "description", _post(text), category=category)
    if start < 0 or finish < 0 or finish < start:
        raise GiftError(f"brace error in question {name!r}")
    answer_text = text[start + 1 : finish].strip()
    if text.rstrip().endswith("}"):
        stem = text[:start] + text[finish + 1 :]
    else:
        stem = text[:start] + "_____" + text[finish + 1 :]
    general = ""
    if "####" in answer_text:
        answer_text, general = (
            answer_text[: answer_text.rindex("####")].strip(),
            answer_text[answer_text.rindex("####") + 4 :],
        )
    q = GiftQuestion(name, "", _post(stem), general_feedback=_post(general), category=category)
    if answer_text == "":
        q.qtype = "essay"
    elif answer_text.startswith("#"):
        q.qtype = "numerical"
    elif "~" in answer_text:
        q.qtype = "multichoice"
        parts = [p.strip() for p in answer_text.replace("=", "~=").split("~") if p.strip()]
        if len(parts) < 2:
            raise GiftError("multichoice needs at least two answers")
        for p in parts:
            if p.startswith("="):
                ans, fraction = p[1:], 1.0
            else:
                ans, w = _weight(p)
                fraction = w if w is not None else 0.0
            text_, feedback = _split_feedback(ans)
            q.answers.append((text_, fraction, feedback))
    elif "=" in answer_text and "->" in answer_text:
        q.qtype = "match"
    else:
        check = answer_text.split("#", 1)[0].strip()
        if check in ("T", "TRUE", "F", "FALSE"):
            q.qtype = "truefalse"
            q.correct = check in ("T", "TRUE")
        else:
            q.qtype = "shortanswer"
            parts = [p.strip() for p in answer_text.split("=") if p.strip()]
            if not parts:
                raise GiftError("short answer needs an answer")
            for p in parts:
                ans, w = _weight(p)
                text_, feedback = _split_feedback(ans)
                q.answers.append((text_, 1.0 if w is None else w, feedback))
    return q


def parse_gift(text: str) -> list[GiftQuestion]:
    """Every question of a GIFT file (category switches are applied, not returned)."""
    out, category, block = [], "", []
    for line in text.replace("\r\n", "\n").split("\n") + [""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            joined = "\n".join(block)
            stripped = "\n".join(b for b in block if not b.strip().startswith("//")).strip()
            if stripped.startswith("$CATEGORY:"):
                category = stripped[len("$CATEGORY:") :].strip()
            else:
                q = parse_question(joined, category)
                if q is not None:
                    out.append(q)
            block = []
    return out
