"""Group a cleaned document's blocks into section-aware chunks and sentences.

A chunk holds consecutive content blocks of one section (never across a heading or a removed
debris span), up to about `max_chars`; a list stays with the paragraph that introduces it. A wall
of text (a group over `SPLIT_ABOVE` x `max_chars`, say a page with no paragraph breaks) is cut
between sentences into runs of about `max_chars`, so that no chunk outgrows what the embedding
model reads (256 word pieces for all-MiniLM-L6-v2, roughly 1,000 characters). Each
sentence knows its chunk, its section and the context that makes it readable on its own (the
list lead-in, the item label, the table header). Offsets are into the document as loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.cleaning import clean
from index.sentences import has_reference_markers, split_block
from index.settings import ChunkingSettings
from index.types import Block, Chunk, Document, Sentence


@dataclass
class Segmented:
    """What one document becomes: its kept blocks, sentences and chunks."""

    document: Document
    blocks: list[Block]
    sentences: list[Sentence]
    chunks: list[Chunk]


def _debris_between(doc: Document, start: int, end: int) -> bool:
    return any(r.start < end and r.end > start for r in doc.removed)


def _group_blocks(doc: Document, blocks: list[Block], settings: ChunkingSettings) -> list[list[Block]]:
    groups: list[list[Block]] = []
    current: list[Block] = []

    def flush() -> None:
        nonlocal current
        if current:
            groups.append(current)
        current = []

    for block in blocks:
        if block.kind in ("title", "heading"):
            flush()
            continue
        if current:
            prev = current[-1]
            size = block.end - current[0].start
            keeps_together = (
                prev.text.rstrip().endswith(":")  # a lead-in stays with what it introduces
                or (block.kind == prev.kind == "list_item" and size <= settings.max_chars * 1.6)
                or (block.kind == prev.kind == "table_row" and size <= settings.max_chars * 2.5)
            )
            too_big = size > settings.max_chars and (prev.end - current[0].start) >= settings.min_chars
            if _debris_between(doc, prev.end, block.start) or (too_big and not keeps_together):
                flush()
        current.append(block)
    flush()
    return groups


#: Groups longer than this many times `max_chars` are cut between sentences (the seed corpus's
#: longest chunk, a table, is 2.2 x max_chars and stays whole).
SPLIT_ABOVE = 3


def _runs(sentences: list[Sentence], max_chars: int) -> list[list[Sentence]]:
    """Consecutive sentences in runs that stop once they reach `max_chars` (a longer sentence is a run)."""
    runs: list[list[Sentence]] = [[]]
    for sent in sentences:
        if runs[-1] and sent.end - runs[-1][0].start > max_chars:
            runs.append([])
        runs[-1].append(sent)
    return [r for r in runs if r]


def _context(block: Block, blocks: list[Block]) -> str:
    parts = []
    if block.lead is not None:
        parts.append(blocks[block.lead].text)
    return " ".join(parts)


def segment(doc: Document, settings: ChunkingSettings) -> Segmented:
    """Clean `doc` and cut it into chunks and sentences (positions are filled in by the index)."""
    blocks = clean(doc)
    markers = has_reference_markers(blocks)
    chunks: list[Chunk] = []
    sentences: list[Sentence] = []
    for group in _group_blocks(doc, blocks, settings):
        start, end = group[0].start, group[-1].end
        group_sentences: list[Sentence] = []
        for block in group:
            lead_sentence = None
            if block.lead is not None:
                lead_sentence = next((s.id for s in reversed(sentences) if s.block == block.lead), None)
            for s, e in split_block(block, reference_markers=markers):
                kind = {"paragraph": "prose", "list_item": "list_item", "table_row": "table_row"}[block.kind]
                sid = f"{doc.doc_id}#s{len(sentences)}@{s}-{e}"
                sentence = Sentence(
                    sid,
                    doc.doc_id,
                    s,
                    e,
                    doc.text[s:e],
                    kind,
                    block.section,
                    block.index,
                    "",
                    -1,
                    context=_context(block, blocks),
                    label=block.label,
                    lead_sentence=lead_sentence,
                )
                sentences.append(sentence)
                group_sentences.append(sentence)
        if not group_sentences:
            continue
        if end - start > SPLIT_ABOVE * settings.max_chars:
            spans = [(run[0].start, run[-1].end, run) for run in _runs(group_sentences, settings.max_chars)]
        else:
            spans = [(start, end, group_sentences)]
        for s, e, run in spans:
            chunk_id = f"{doc.doc_id}#c{len(chunks)}@{s}-{e}"
            chunk = Chunk(chunk_id, doc.doc_id, doc.title, group[0].section, s, e, doc.text[s:e], -1)
            for sentence in run:
                sentence.chunk_id = chunk_id
                chunk.sentence_ids.append(sentence.id)
            chunks.append(chunk)
    return Segmented(doc, blocks, sentences, chunks)
