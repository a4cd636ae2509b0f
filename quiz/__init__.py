"""The quiz builder: grounded quiz items from the indexed corpus, checked, exported.

Public API:
    quiz.build_quiz(index, n=10, types=None, topics=None, difficulty="mixed", seed=0) -> Quiz
    Quiz(items: list[QuizItem], stats: QuizStats)
    quiz.export.to_json / to_gift / to_csv / to_markdown(items) -> str

Layout: quantities.py (numbers and units) and facts.py (typed facts from the index's sentences),
distractors.py and variants.py (wrong and accepted answers), items.py (the four item builders),
checks.py and support.py (the checks and the support judge), builder.py (selection and stats),
export.py (JSON, GIFT, CSV, Markdown), cli.py (`bqa quiz`), lexicon.json (curated domain data).
"""

from __future__ import annotations

from quiz.builder import Quiz, QuizStats, build_quiz
from quiz.items import DIFFICULTIES, TOPICS, TYPES, ItemCitation, QuizItem

__all__ = ["DIFFICULTIES", "TOPICS", "TYPES", "ItemCitation", "Quiz", "QuizItem", "QuizStats", "build_quiz"]
