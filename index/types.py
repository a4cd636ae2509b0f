"""Boundary types shared by every stage: documents, blocks, sentences, chunks, hits and answers.

Offsets (`start`, `end`) are always character offsets into `Document.text`, the document as
loaded, so `document.text[start:end] == text` holds for every block, sentence, chunk and citation.
These are plain dataclasses with `to_dict`/`from_dict` so they serialise to JSON without pickle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

BlockKind = Literal["title", "heading", "paragraph", "list_item", "table_row"]
SentenceKind = Literal["prose", "list_item", "table_row"]


class _Serialisable:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Removed(_Serialisable):
    """A span the cleaner dropped as page debris (kept for the UI's "what was removed" view)."""

    start: int
    end: int
    text: str
    reason: str  # e.g. "comment form", "caption", "related titles"


@dataclass
class Document(_Serialisable):
    """One source document as loaded.

    Attributes:
        doc_id: stable id, the file's stem (e.g. "000_71818bd2c44fe6e2").
        title: from the corpus manifest, else the document's first heading, else the file name.
        source: path of the original file, as given on the command line (e.g. "corpus/x.txt").
        text: the full text as loaded (for .txt/.md the file text; for .html/.pdf the extracted text).
        format: "txt", "md", "html" or "pdf".
        origin: where the document came from (manifest), free text.
        text_path: for converted formats, a file holding `text` (so a quote can be checked).
        removed: spans the cleaner dropped as debris.
    """

    doc_id: str
    title: str
    source: str
    text: str
    format: str = "txt"
    origin: str = ""
    text_path: str | None = None
    removed: list[Removed] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["removed"] = [Removed(**r) for r in data.get("removed", [])]
        return super().from_dict(data)


@dataclass
class Block(_Serialisable):
    """A structural unit of a cleaned document: a heading, a paragraph, a list item or a table row.

    `start`/`end` cover the content only (a list item's "- " marker and a trailing reference
    digit are outside the span). `label` is a list item's or table row's lead label
    ("Renal Impairment" in "- Renal Impairment: Baclofen is ..."), `lead` the index of the
    paragraph that introduces a list ("... include:") or of a table's header row.
    """

    index: int
    kind: BlockKind
    start: int
    end: int
    text: str
    section: str
    label: str | None = None
    lead: int | None = None


@dataclass
class Sentence(_Serialisable):
    """One sentence (or list item, or table row) of a cleaned document, the unit an answer cites.

    Attributes:
        id: "<doc_id>#s<n>@<start>-<end>".
        position: index of the sentence in the whole index (row of the sentence vector matrix).
        context: text that gives the sentence its meaning when read alone (the list lead-in,
            the item label, the table header), used for embedding and lexical search, never quoted.
    """

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    kind: SentenceKind
    section: str
    block: int
    chunk_id: str
    position: int
    context: str = ""
    label: str | None = None
    lead_sentence: str | None = None


@dataclass
class Chunk(_Serialisable):
    """A retrieval passage: consecutive blocks of one section of one document.

    Attributes:
        id: "<doc_id>#c<n>@<start>-<end>", which document and where.
        sentence_ids: the sentences inside the chunk, in order.
    """

    id: str
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    text: str
    position: int
    sentence_ids: list[str] = field(default_factory=list)


@dataclass
class Hit(_Serialisable):
    """A retrieved chunk or sentence with its fused score and the ranks that produced it."""

    id: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass
class Citation(_Serialisable):
    """A verbatim source passage backing an answer sentence (CONTRACT.md `citations[]`)."""

    n: int
    doc_id: str
    title: str
    source: str
    chunk_id: str
    start: int
    end: int
    quote: str
    section: str = ""
    sentence_id: str | None = None
    closest_only: bool = False  # true when listed as a passage looked at, not as support


@dataclass
class AnswerSentence(_Serialisable):
    """One sentence of an answer and the citation numbers that support it."""

    text: str
    citations: list[int]


@dataclass
class ConflictStatement(_Serialisable):
    text: str
    citation: int


@dataclass
class Conflict(_Serialisable):
    """A point on which the cited sources disagree, each side with its citation."""

    about: str
    statements: list[ConflictStatement]


@dataclass
class Answer(_Serialisable):
    """A composed answer (CONTRACT.md `bqa ask --json`)."""

    question: str
    answer: str
    abstained: bool
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # LLM sentences the judge rejected
    timings: dict[str, float] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of CONTRACT.md (plus the optional fields added since)."""
        return self.to_dict()
