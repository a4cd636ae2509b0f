"""Lexical side of the index: a tokenizer shared by indexing and querying, and BM25 via bm25s.

Tokens are lower-cased words and numbers, English stop words removed, Snowball-stemmed
(PyStemmer). Hyphenated and underscored terms also yield their joined form, so "GABA-B",
"GABA_B" and "GABAB" meet on the token "gabab".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:[-_'][a-z0-9]+)*")
STOP_WORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have having
    how i if in into is it its it's itself may might me my of on or our should so such than that the their
    them then there these they this those to too was we were what when where which while who whom why will
    with would you your yours about any all also am each few more most other own same some very just
    over under again further once here both nor only s t don now""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, hyphenated terms split and also joined (no stemming)."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        tok = tok.replace("'", "")
        parts = re.split(r"[-_]", tok)
        if len(parts) > 1:
            out.extend(p for p in parts if p)
            if any(c.isalpha() for c in tok):  # "gaba-b" -> "gabab"; "70-80" stays two numbers
                out.append("".join(parts))
        else:
            out.append(tok)
    return out


def tokenize(text: str) -> list[str]:
    """BM25 tokens: words minus stop words, stemmed."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


class Bm25:
    """A BM25 index (bm25s) over token lists, saved as plain JSON and .npy files (no pickle)."""

    def __init__(self, model=None) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> Bm25:
        import bm25s

        model = bm25s.BM25()
        tokens = [tokenize(t) or [""] for t in texts]
        model.index(tokens, show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> Bm25:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), load_corpus=False, mmap=False))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every indexed text for the query tokens (unknown tokens ignored)."""
        vocab = self._model.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        n = int(self._model.scores["num_docs"])
        if not known:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    @property
    def vocabulary(self) -> list[str]:
        return [t for t in self._model.vocab_dict if t]
