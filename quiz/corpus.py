"""A read-only view of the index for the quiz builder: sentences, facts, subjects, neighbours.

It resolves a sentence-initial "It" or "The drug" to the document's subject when the previous
sentence is about that subject ("It reaches peak plasma concentrations..." after "Baclofen is
rapidly absorbed..."), finds the sentences most similar to a given one (the index's own sentence
vectors, so nothing is encoded), and tells whether a span overlaps text the cleaner removed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.store import Index
from index.types import Chunk, Document, Sentence
from quiz.distractors import CorpusTerms
from quiz.facts import FactTable, extract_facts
from quiz.lexicon import leading_pronouns, lexicon

_SMALL = r"(?:of|in|and|or|for|the|to|on|with|vs)"
_INLINE_LABEL = re.compile(rf"^((?:[A-Z][\w’'()-]*)(?: (?:[A-Z][\w’'()-]*|{_SMALL})){{0,6}}):\s+(?=[A-Z])")
_FIRST_WORD = re.compile(r"^[\"'“(]*([A-Za-z][\w’'-]*)")


@dataclass(frozen=True)
class Resolved:
    """A sentence as a question can use it: leading pronoun replaced, or `ok` False when it cannot be."""

    text: str
    shift: int  # added to offsets into the original sentence to get offsets into `text`
    ok: bool


class CorpusView:
    """What the quiz builder reads from an index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.sentences: list[Sentence] = [s for s in index.sentences]
        self.facts: FactTable = extract_facts(self.sentences)
        self.terms = CorpusTerms.build([s.text for s in self.sentences] + [d.title for d in index.documents.values()])
        self._by_doc: dict[str, list[Sentence]] = {}
        for s in self.sentences:
            self._by_doc.setdefault(s.doc_id, []).append(s)
        self.subjects = {doc_id: self._subject(items) for doc_id, items in self._by_doc.items()}
        # words written capitalised inside a sentence are names ("Parkinson", "GABA"); others are
        # capitalised only because they start one, and may be lower-cased after "According to X, "
        self._names = {
            m.group(0)
            for s in self.sentences
            if s.kind != "table_row"
            for m in re.finditer(r"(?<=[a-z,;] )[A-Z][\w’'-]*", s.text[len(s.label or "") :])
        }

    # -- documents ---------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        return self.index.documents[doc_id]

    def chunk(self, sentence: Sentence) -> Chunk:
        return self.index.chunk_by_id[sentence.chunk_id]

    def in_removed(self, doc_id: str, start: int, end: int) -> bool:
        """Does [start, end) overlap a span the cleaner removed as page debris?"""
        return any(r.start < end and r.end > start for r in self.document(doc_id).removed)

    # -- subjects and pronouns ---------------------------------------------------------------
    @staticmethod
    def _subject(items: list[Sentence]) -> str | None:
        """The word most sentences of a document start with, if it is a name (e.g. "Baclofen")."""
        stop = leading_pronouns() | {"the", "a", "an", "in", "for", "when", "while", "as", "by", "if"}
        counts = Counter()
        for s in items:
            m = _FIRST_WORD.match(s.text)
            if m and m.group(1)[0].isupper() and m.group(1).lower() not in stop:
                counts[m.group(1)] += 1
        if not counts:
            return None
        word, n = counts.most_common(1)[0]
        return word if n >= 3 else None

    def previous(self, sentence: Sentence) -> Sentence | None:
        items = self._by_doc[sentence.doc_id]
        i = next(k for k, s in enumerate(items) if s.id == sentence.id)
        return items[i - 1] if i > 0 else None

    def _about_subject(self, sentence: Sentence | None, subject: str, depth: int = 0) -> bool:
        if sentence is None or depth > 3:
            return False
        m = _FIRST_WORD.match(sentence.text)
        first = m.group(1) if m else ""
        if first == subject:
            return True
        if first.lower() in ("it", "its"):
            return self._about_subject(self.previous(sentence), subject, depth + 1)
        return False

    def resolve(self, sentence: Sentence) -> Resolved:
        """The sentence with a leading "It"/"Its"/"The drug" put as the document's subject."""
        text = sentence.text
        label = sentence.label
        if not label:
            m = _INLINE_LABEL.match(text)  # "Withdrawal Risk: Avoid abrupt discontinuation ..."
            label = m.group(1) if m else None
        if label and text.startswith(label + ":"):
            body = text[len(label) + 1 :].lstrip()
            shift = -(len(text) - len(body))
            text = body
        else:
            shift = 0
        m = _FIRST_WORD.match(text)
        first = m.group(1) if m else ""
        lowered = first.lower()
        subject = self.subjects.get(sentence.doc_id)
        nouns = sorted(lexicon()["subject_nouns"], key=len, reverse=True)
        noun = next((n for n in nouns if text.lower().startswith(n + " ")), None)
        if (
            subject
            and noun
            and (
                self._mentions_subject_nearby(sentence, subject)
                or self._about_subject(self.previous(sentence), subject)
            )
        ):
            new = subject + text[len(noun) :]
            return Resolved(new, shift + len(subject) - len(noun), True)
        if lowered in ("it", "its") and subject and self._about_subject(self.previous(sentence), subject):
            replacement = subject if lowered == "it" else subject + "’s"
            new = replacement + text[len(first) :]
            return Resolved(new, shift + len(replacement) - len(first), True)
        return Resolved(text, shift, lowered not in leading_pronouns())

    def _mentions_subject_nearby(self, sentence: Sentence, subject: str) -> bool:
        prev = self.previous(sentence)
        return subject.lower() in (sentence.section + " " + (prev.text if prev else "")).lower()

    def lower_first(self, text: str) -> str:
        """Lower-case the first word when the corpus writes it in lower case elsewhere ("Baclofen")."""
        m = _FIRST_WORD.match(text)
        if not m:
            return text
        word = m.group(1)
        if word[1:].islower() and word not in self._names:
            return text[: m.start(1)] + word[0].lower() + text[m.start(1) + 1 :]
        return text

    # -- term similarity ---------------------------------------------------------------------
    def nearness(self, key: str, terms: list[str]) -> list[float] | None:
        """Cosine similarity of `key` to each term (the index's embedding model), or None when the
        model cannot be loaded. Each text is encoded once and cached."""
        if not hasattr(self, "_term_vectors"):
            self._term_vectors: dict[str, np.ndarray] = {}
        todo = [t for t in dict.fromkeys([key, *terms]) if t not in self._term_vectors]
        if todo:
            try:
                vectors = self.index.encoder.encode(todo)
            except Exception:  # no model: fall back to the pools' own order
                return None
            for text, vec in zip(todo, vectors, strict=True):
                self._term_vectors[text] = vec
        k = self._term_vectors[key]
        # rounded: the order must not hang on the last bits of a float
        return [round(float(k @ self._term_vectors[t]), 3) for t in terms]

    # -- neighbours --------------------------------------------------------------------------
    def similar(self, sentence: Sentence, k: int = 8) -> list[tuple[Sentence, float]]:
        """The k sentences most similar to `sentence` (cosine of the index's vectors), itself excluded."""
        vectors = self.index.sentence_vectors
        scores = vectors @ vectors[sentence.position]
        order = np.argsort(-scores, kind="stable")
        out = []
        for pos in order[: k + 1]:
            s = self.sentences[int(pos)]
            if s.id != sentence.id:
                out.append((s, float(scores[int(pos)])))
        return out[:k]

    def similarity(self, a: Sentence, b: Sentence) -> float:
        v = self.index.sentence_vectors
        return float(v[a.position] @ v[b.position])
