"""`build_quiz`: facts -> candidates -> checks -> a balanced, seeded selection, with stats.

Every candidate gets the cheap checks; the support checks (the judge) run as items are picked,
so a 30-item quiz judges a few dozen candidates, not all of them. Picking goes round the
requested types in turn and, within a type, prefers the least-covered topic (and, for
true/false, alternates true and false), never two items from one source sentence, never the
same key of the same kind twice in one type, never a repeated stem.

Determinism: candidates are sorted by their content ids, then shuffled with `random.Random(seed)`;
each fact's difficulty under "mixed" and each item's option order come from string-seeded
generators. No set iteration decides anything, so the same seed and corpus give the same quiz.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from index.store import Index
from quiz.checks import CHEAP_CHECKS, CheckCounts, SupportChecker, cheap_failure
from quiz.corpus import CorpusView
from quiz.items import DIFFICULTIES, TOPICS, TYPES, Candidate, QuizItem, build_candidates
from quiz.support import Judge, default_judge

Log = Callable[[str], None]
MAX_ITEMS = 500


@dataclass
class QuizStats:
    """What happened while building a quiz (shown on stderr and by the UI).

    Attributes:
        generated: candidates built (every type, topic and difficulty asked for).
        dropped: items each check dropped (check name -> count).
        distractors_dropped: wrong answers swapped out because the corpus supports them for that stem.
        judged: candidates that went through the support checks.
        valid: candidates that passed every check (of those judged, plus the selection).
        selected: items in the quiz; shortfall = requested - selected.
    """

    requested: int
    generated: int = 0
    generated_by_type: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    distractors_dropped: int = 0
    false_statements_dropped: int = 0
    judged: int = 0
    valid: int = 0
    selected: int = 0
    shortfall: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[str, int] = field(default_factory=dict)
    judge: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One paragraph for stderr."""
        dropped = ", ".join(f"{k} {v}" for k, v in self.dropped.items() if v) or "none"
        kinds = ", ".join(f"{k} {v}" for k, v in self.by_type.items())
        return (
            f"quiz: {self.generated} candidates generated; dropped by check: {dropped}; "
            f"{self.distractors_dropped} distractors swapped out as supported by the corpus; "
            f"{self.judged} judged ({self.judge}); {self.selected} items kept ({kinds}) "
            f"in {self.seconds:.1f} s"
        )


@dataclass
class Quiz:
    items: list[QuizItem]
    stats: QuizStats

    def to_dicts(self) -> list[dict[str, Any]]:
        return [it.to_dict() for it in self.items]


_VIEWS: dict[str, CorpusView] = {}


def corpus_view(index: Index) -> CorpusView:
    """The quiz view of an index (cached per index build)."""
    key = f"{index.folder}:{index.manifest.get('build_id', '')}"
    if key not in _VIEWS:
        _VIEWS.clear()
        _VIEWS[key] = CorpusView(index)
    return _VIEWS[key]


_JUDGES: dict[str, tuple[Judge, str]] = {}


def _judge_for(index: Index) -> tuple[Judge, str]:
    """The default judge on the index's encoder, kept per index build (its embedding cache helps)."""
    key = f"{index.folder}:{index.manifest.get('build_id', '')}"
    if key not in _JUDGES:
        _JUDGES.clear()
        _JUDGES[key] = default_judge(index.encoder)
    return _JUDGES[key]


def _normalise(values, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    from index.errors import InputError

    if not values:
        return allowed
    out: list[str] = []
    for v in values:
        for part in str(v).replace(",", " ").split():
            name = part.strip().lower().replace("-", "_")
            name = {"tf": "true_false", "truefalse": "true_false", "true/false": "true_false"}.get(name, name)
            if name not in allowed:
                raise InputError(f"unknown {what} {part!r}", hint=f"choose from: {' '.join(allowed)}")
            if name not in out:
                out.append(name)
    return tuple(out)


def _mode(seed: int, fact_id: str, difficulty: str) -> str:
    if difficulty in DIFFICULTIES:
        return difficulty
    return random.Random(f"{seed}:{fact_id}").choice(DIFFICULTIES)


def build_quiz(
    index: Index,
    *,
    n: int = 10,
    types: list[str] | tuple[str, ...] | None = None,
    topics: list[str] | tuple[str, ...] | None = None,
    difficulty: str = "mixed",
    seed: int = 0,
    judge: Judge | None = None,
    log: Log | None = None,
) -> Quiz:
    """Build a quiz of up to `n` checked items from an index.

    Args:
        index: a loaded index (index.store.load_index / ensure_index).
        n: how many items (1..500).
        types: any of mcq, cloze, true_false, short (default: all).
        topics: any of dosing, mechanism, safety, pharmacokinetics, indications (default: all).
        difficulty: easy, medium, hard or mixed.
        seed: same seed, same quiz.
        judge: a support judge (default: rag.judge.SupportJudge on the index's encoder).
        log: where to say what happened (e.g. a stderr printer); silent when None.

    Returns:
        Quiz(items, stats). Fewer than `n` items when fewer valid ones exist (stats.shortfall).

    Raises:
        InputError: a bad option value.
    """
    from index.errors import InputError

    t0 = time.perf_counter()
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_ITEMS:
        raise InputError(f"--n must be a whole number from 1 to {MAX_ITEMS}, not {n!r}")
    types_t = _normalise(types, TYPES, "item type")
    topics_t = _normalise(topics, TOPICS, "topic")
    if difficulty not in (*DIFFICULTIES, "mixed"):
        raise InputError(f"unknown difficulty {difficulty!r}", hint="choose from: easy medium hard mixed")
    view = corpus_view(index)
    if judge is None:
        judge, judge_name = _judge_for(index)
    else:
        judge_name = getattr(judge, "name", type(judge).__name__)
    stats = QuizStats(requested=n, judge=judge_name)
    counts = CheckCounts()

    # 1. every candidate of the requested types
    candidates: list[Candidate] = []
    for fact in view.facts.facts:
        candidates.extend(build_candidates(view, fact, types_t, _mode(seed, fact.id, difficulty)))
    candidates = [c for c in candidates if c.item.topic in topics_t]
    if difficulty != "mixed":
        candidates = [c for c in candidates if c.item.difficulty == difficulty]
    unique: dict[str, Candidate] = {}
    for c in candidates:
        unique.setdefault(c.item.id, c)
    candidates = sorted(unique.values(), key=lambda c: c.item.id)
    stats.generated = len(candidates)
    stats.generated_by_type = dict(Counter(c.item.type for c in candidates))

    # 2. cheap checks on all
    passing: list[Candidate] = []
    for c in candidates:
        failure = cheap_failure(view, c)
        if failure:
            counts.dropped[failure] += 1
        else:
            passing.append(c)

    # 3. seeded order, then balanced picking with the support checks
    rng = random.Random(seed)
    rng.shuffle(passing)
    order = {c.item.id: i for i, c in enumerate(passing)}
    queues = {t: [c for c in passing if c.item.type == t] for t in types_t}
    checker = SupportChecker(view, judge, counts)
    chosen: list[Candidate] = []
    used_sentences: set[str] = set()
    used_keys: set[tuple[str, str]] = set()
    stems: set[str] = set()
    topic_count: Counter = Counter()
    tf_truth: Counter = Counter()
    while len(chosen) < n and any(queues.values()):
        for t in types_t:
            if len(chosen) >= n:
                break
            queue = queues[t]
            while queue:
                queue.sort(key=lambda c: _priority(c, topic_count, tf_truth, order))
                c = queue.pop(0)
                if c.sentence.id in used_sentences or (t, c.fact_key) in used_keys:
                    continue
                if c.stem_key in stems:
                    counts.dropped["duplicate_stem"] += 1
                    continue
                stats.judged += 1
                failure = checker.check(c)
                if failure:
                    counts.dropped[failure] += 1
                    continue
                chosen.append(c)
                used_sentences.add(c.sentence.id)
                used_keys.add((t, c.fact_key))
                stems.add(c.stem_key)
                topic_count[c.item.topic] += 1
                tf_truth[c.item.answer] += 1 if t == "true_false" else 0
                break

    items = []
    for c in chosen:
        item = c.item
        if item.type == "mcq":
            options = list(item.options)
            random.Random(f"{seed}:{item.id}").shuffle(options)
            item.options = options
        items.append(item)

    stats.dropped = counts.as_dict()
    stats.distractors_dropped = counts.distractors_dropped
    stats.false_statements_dropped = counts.false_statements_dropped
    stats.valid = len(chosen)
    stats.selected = len(items)
    stats.shortfall = max(0, n - len(items))
    stats.by_type = dict(Counter(it.type for it in items))
    stats.by_topic = dict(Counter(it.topic for it in items))
    stats.by_difficulty = dict(Counter(it.difficulty for it in items))
    stats.seconds = round(time.perf_counter() - t0, 3)
    if log:
        log(stats.summary())
        if stats.shortfall:
            log(
                f"quiz: only {stats.selected} valid items could be made for --n {n} with these options "
                f"(types {' '.join(types_t)}; topics {' '.join(topics_t)}; difficulty {difficulty})"
            )
    return Quiz(items, stats)


def _priority(c: Candidate, topic_count: Counter, tf_truth: Counter, order: dict[str, int]) -> tuple[int, ...]:
    """For true/false the answer seen less so far first; then the least-covered topic; then the seeded order."""
    if c.item.type == "true_false":  # as many false statements as true ones, then topics
        return (tf_truth[c.item.answer], topic_count[c.item.topic], order[c.item.id])
    return (0, topic_count[c.item.topic], order[c.item.id])


__all__ = ["CHEAP_CHECKS", "Quiz", "QuizStats", "build_quiz", "corpus_view"]
