"""The checks every quiz item passes before it is kept, and the counts of what each one dropped.

Cheap checks (run on every candidate):

- `debris`: the citation is an indexed sentence's text, `quote == document.text[start:end]`, and
  it touches no span the cleaner removed as page debris;
- `key_outside_passage`: the keyed span lies inside the cited passage (and is one of the options);
- `not_self_contained`: the stem starts with a pronoun nothing resolves ("This method ...");
- `answer_leak`: the stem itself gives the key away;
- `distractor_kind`: fewer than three distractors that are distinct and of the key's kind.

Support checks (run with the judge, as items are selected):

- `key_unsupported`: the cited passage does not support the keyed statement;
- `supported_by_corpus`: after dropping every distractor the corpus supports as an answer to the
  same stem (the value appears for the same kind of thing in a related sentence, or the judge
  finds a passage that supports the distractor's statement), fewer than three remain; for a
  true/false item, every false variant is supported.

`duplicate_stem` is counted by the builder, which sees the quiz as a whole.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from quiz.corpus import CorpusView
from quiz.facts import Fact
from quiz.items import BLANK, N_DISTRACTORS, Candidate, tf_explanation, tf_stem
from quiz.lexicon import fold, pools
from quiz.quantities import Quantity, find_quantities
from quiz.support import Judge

CHEAP_CHECKS = ("debris", "key_outside_passage", "not_self_contained", "answer_leak", "distractor_kind")
SUPPORT_CHECKS = ("key_unsupported", "supported_by_corpus")
ALL_CHECKS = (*CHEAP_CHECKS, *SUPPORT_CHECKS, "duplicate_stem")

#: Two sentences this similar (cosine of the index's vectors) talk about the same thing.
RELATED_SIMILARITY = 0.5
#: How many neighbouring sentences' passages a distractor's statement is judged against
#: (besides its own): the nearest few hold what the corpus says on the same point.
NEIGHBOURS = 3
#: ... and only those at least this similar to it (the rest are about something else).
NEIGHBOUR_SIMILARITY = 0.4
#: A distractor or false statement scoring within this much of the judge's threshold counts as
#: supported (0: the judge's own decision; its calibration is the eval suite's business).
SUPPORT_MARGIN = 0.0
#: How many sentences a search for a wrong answer's statement brings back (dense, and BM25).
RETRIEVED = 6


@dataclass
class CheckCounts:
    """Items dropped per check, and distractors swapped out because the corpus supports them."""

    dropped: Counter = field(default_factory=Counter)
    distractors_dropped: int = 0
    false_statements_dropped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: int(self.dropped.get(name, 0)) for name in ALL_CHECKS}


def cheap_failure(view: CorpusView, c: Candidate) -> str | None:
    """The first cheap check the candidate fails, or None."""
    item, cit = c.item, c.item.citation
    doc = view.document(cit.doc_id)
    if (
        doc.text[cit.start : cit.end] != cit.quote
        or view.in_removed(cit.doc_id, cit.start, cit.end)
        or c.sentence.id not in view.index.sentence_by_id
        or not re.search(r"[A-Za-z]{3}", cit.quote)
        or (c.fact.lead is None and len(c.sentence.text.split()) < 4)
    ):
        return "debris"
    key = item.key
    if not (
        cit.start <= key["start"] < key["end"] <= cit.end
        and doc.text[key["start"] : key["end"]] == key["text"]
        and key["text"] in cit.quote
    ):
        return "key_outside_passage"
    if item.type == "mcq" and item.answer not in item.options:
        return "key_outside_passage"
    if item.type == "cloze" and item.question.count(BLANK) != 1:
        return "key_outside_passage"
    if not c.self_contained:
        return "not_self_contained"
    if c.leak:
        return "answer_leak"
    if item.type == "mcq" and len(_kind_ok(c.fact, [t for t, _ in c.wrong + c.spare])) < N_DISTRACTORS:
        return "distractor_kind"
    return None


def _quantity_in(claim: str, fact: Fact, text: str) -> Quantity | None:
    at = claim.find(text)
    for q in find_quantities(claim):
        if q.start <= at < q.end or q.text == text:
            return q
    return None


def _kind_ok(fact: Fact, options: list[str]) -> list[str]:
    """The options that are distinct from the key and each other and of the key's kind."""
    seen = {fold(fact.text)}
    out = []
    pool = {fold(t.term) for t in pools().get(fact.kind, ())}
    for text in options:
        f = fold(text)
        if f in seen:
            continue
        if fact.numeric:
            qs = find_quantities(fact.sentence.text[: fact.start] + text + fact.sentence.text[fact.end :])
            if not any(q.kind == fact.kind and q.start == fact.start for q in qs):
                continue
        else:
            base = re.sub(r"\s+receptors$", " receptor", f)
            if base not in pool and f not in pool:
                continue
        seen.add(f)
        out.append(text)
    return out


class SupportChecker:
    """Runs the support checks with a judge over the corpus's passages."""

    def __init__(self, view: CorpusView, judge: Judge, counts: CheckCounts) -> None:
        self.view = view
        self.judge = judge
        self.counts = counts
        self._passages: dict[str, list[str]] = {}

    def _passage(self, sentence) -> str:
        """A sentence as a passage; a list item with its lead-in ("... include: Drowsiness")."""
        if sentence.lead_sentence and sentence.lead_sentence in self.view.index.sentence_by_id:
            lead = self.view.index.sentence_by_id[sentence.lead_sentence]
            return f"{lead.text} {sentence.text}"
        return sentence.text

    def passages(self, c: Candidate) -> list[str]:
        """The cited sentence and the sentences most similar to it (each with its list lead-in).

        Sentences, not whole chunks: the judge embeds every unit of a passage, and a distractor's
        statement is about one point, which the nearest few sentences of the corpus cover.
        """
        sid = c.sentence.id
        if sid not in self._passages:
            out = [self._passage(c.sentence)]
            for s, score in self.view.similar(c.sentence, k=NEIGHBOURS):
                if score < NEIGHBOUR_SIMILARITY:
                    break
                text = self._passage(s)
                if text not in out:
                    out.append(text)
            self._passages[sid] = out
        return self._passages[sid]

    def value_supported(self, c: Candidate, option: str, claim: str) -> bool:
        """Does the corpus give this value for the same kind of thing in a related sentence?

        "80 mg" is no fair wrong answer to "a maximum daily dose of ___" when another document
        says "reaching up to 80 mg per day": same kind (dose), overlapping value, similar sentence.
        """
        fact = c.fact
        if not fact.numeric:
            return False
        q = _quantity_in(claim, fact, option)
        if q is None:
            return True  # cannot tell what it is: do not offer it
        for other in self.view.facts.of_kind(fact.kind):
            oq = other.quantity
            if oq is None or not oq.overlaps(q):
                continue
            if other.sentence.id == fact.sentence.id:
                return True
            if self.view.similarity(fact.sentence, other.sentence) >= RELATED_SIMILARITY:
                return True
        return False

    def retrieved(self, claims: list[str]) -> list[list[str]]:
        """For each claim, the corpus sentences the index's own search finds for it (dense and BM25)."""
        from index.lexical import tokenize

        index = self.view.index
        try:
            vectors = index.encoder.encode(claims)
        except Exception:  # no model: lexical search only
            vectors = None
        out = []
        for i, claim in enumerate(claims):
            positions: list[int] = []
            if vectors is not None:
                _scores, dense = index.search_dense(vectors[i : i + 1], RETRIEVED, level="sentence")
                positions += [int(p) for p in dense[0] if p >= 0]
            bm25 = index.sentence_bm25.scores(tokenize(claim))
            positions += [int(p) for p in np.argsort(-bm25, kind="stable")[:RETRIEVED] if bm25[int(p)] > 0]
            out.append([self._passage(index.sentences[p]) for p in dict.fromkeys(positions)])
        return out

    def claims_supported(self, c: Candidate, claims: list[str]) -> list[bool]:
        """Is each claim supported by some passage: the cited sentence, its nearest neighbours, or
        what a search of the corpus for the claim itself finds?"""
        own = self.passages(c)[:2]  # the cited sentence and its nearest neighbour
        per_claim = [list(dict.fromkeys(own + found)) for found in self.retrieved(claims)]
        pairs = [(claim, p) for claim, passages in zip(claims, per_claim, strict=True) for p in passages]
        verdicts = self.judge.judge_many(pairs) if pairs else []
        threshold = getattr(self.judge, "threshold", None)
        near = None if threshold is None else float(threshold) - SUPPORT_MARGIN

        def counts_as_support(v) -> bool:
            # a wrong answer must be clearly unsupported: a score just under the judge's threshold
            # is too close to call, so that option is not offered
            return bool(v.supported) or (near is not None and float(getattr(v, "score", 0.0)) >= near)

        out, at = [], 0
        for passages in per_claim:
            out.append(any(counts_as_support(v) for v in verdicts[at : at + len(passages)]))
            at += len(passages)
        return out

    def key_supported(self, c: Candidate) -> bool:
        """Does the cited passage (the quote, or the sentence with its list lead-in) support the key?"""
        passages = [c.item.citation.quote, self._passage(c.sentence)]
        previous = self.view.previous(c.sentence)
        if previous is not None and previous.block == c.sentence.block:
            # "It reaches peak plasma ..." supports "Baclofen reaches ..." read after "Baclofen is ..."
            passages.append(f"{previous.text} {c.sentence.text}")
        passages = list(dict.fromkeys(passages))
        verdict = self.judge.judge_many([(c.key_claim, p) for p in passages])
        return any(bool(v.supported) for v in verdict)

    def check(self, c: Candidate) -> str | None:
        """Run the support checks; on success, fix the candidate's final options. The failure name or None."""
        if not self.key_supported(c):
            return "key_unsupported"
        if c.item.type not in ("mcq", "true_false") or not c.wrong:
            return None
        options = c.wrong + c.spare
        if c.item.type == "mcq":
            allowed = set(_kind_ok(c.fact, [t for t, _ in options]))
            options = [(t, claim) for t, claim in options if t in allowed]
        keep: list[tuple[str, str]] = []
        pending = [(t, claim) for t, claim in options if not self.value_supported(c, t, claim)]
        dropped = len(options) - len(pending)
        need = N_DISTRACTORS if c.item.type == "mcq" else 1
        # judge in small batches, in preference order, until enough wrong answers hold up
        while pending and len(keep) < need:
            batch, pending = pending[: need - len(keep) + 1], pending[need - len(keep) + 1 :]
            for (t, claim), sup in zip(batch, self.claims_supported(c, [x for _, x in batch]), strict=True):
                if sup:
                    dropped += 1
                else:
                    keep.append((t, claim))
        keep.extend(pending)  # not judged, not needed now: kept as spares in order
        if c.item.type == "mcq":
            self.counts.distractors_dropped += dropped
            if len(keep) < N_DISTRACTORS:
                return "supported_by_corpus"
            c.wrong, c.spare = keep[:N_DISTRACTORS], []
            c.item.options = [c.item.answer] + [t for t, _ in c.wrong]
            return None
        # true_false: the first unsupported false variant becomes the statement
        self.counts.false_statements_dropped += dropped
        if not keep:
            return "supported_by_corpus"
        statement = keep[0][0]
        if statement != c.wrong[0][0]:
            c.item.question = tf_stem(self.view, c.fact, statement)
            c.item.explanation = tf_explanation(c.item.citation, False, c.changes.get(statement))
            c.wrong = [keep[0]]
        return None
