"""The small frozen dataclasses that flow between the pipeline stages."""

from __future__ import annotations

import bisect
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range [start, end) of character offsets into one original text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


class DocFormat(enum.Enum):
    """How an article's bytes are to be read."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class BlockKind(enum.Enum):
    """The role of a block of an article."""

    HEADING = "heading"  # a title, headline or subhead
    PARAGRAPH = "paragraph"
    BLOCKQUOTE = "blockquote"


@dataclass(frozen=True)
class Block:
    """A paragraph-like block of a Document, as a span of Document.text."""

    kind: BlockKind
    span: Span


@dataclass(frozen=True)
class Document:
    """An article reduced to its visible text, with a map back to the original file.

    `text` is what the stages read: for plain text the file itself; for Markdown the file with
    markup that is not prose (code, link targets, markers) blanked to spaces, so offsets are
    unchanged; for HTML the visible text, with `offsets[i]` the offset in `source` of text[i].
    """

    source: str
    text: str
    blocks: tuple[Block, ...]
    offsets: tuple[int, ...] | None = None  # None: text and source share offsets

    def to_source(self, i: int) -> int:
        """Offset in `source` of offset i of `text` (i may equal len(text))."""
        if self.offsets is None:
            return i
        if i < len(self.offsets):
            return self.offsets[i]
        return self.offsets[-1] + 1 if self.offsets else 0

    def to_text(self, j: int) -> int:
        """Offset in `text` of the first text character at or after source offset j."""
        if self.offsets is None:
            return j
        return bisect.bisect_left(self.offsets, j)

    def source_span(self, span: Span) -> Span:
        """A span of `text` as a span of `source`; end maps past the last character."""
        if span.end == span.start:
            at = self.to_source(span.start)
            return Span(at, at)
        return Span(self.to_source(span.start), self.to_source(span.end - 1) + 1)

    def text_span(self, span: Span) -> Span:
        """A span of `source` as a span of `text`."""
        return Span(self.to_text(span.start), self.to_text(span.end))


class QuoteKind(enum.Enum):
    """What a pair of quotation marks encloses."""

    SPEECH = "speech"  # a direct quotation of spoken or written words
    SCARE = "scare"  # scare quotes, titles, names of things: not verified


@dataclass(frozen=True)
class QuotePart:
    """One contiguous quoted segment; a split quotation has several."""

    text: str  # exactly as printed, without the marks
    span: Span  # offsets of `text` in the original file


@dataclass(frozen=True)
class Quote:
    """A direct quotation found in an article."""

    parts: tuple[QuotePart, ...]
    kind: QuoteKind = QuoteKind.SPEECH
    headline: bool = False  # in a title or heading line
    blockquote: bool = False  # a Markdown/HTML block quote

    @property
    def text(self) -> str:
        """The quoted words as printed, parts joined by a single space."""
        return " ".join(p.text for p in self.parts)

    @property
    def span(self) -> Span:
        """From the first quoted character to the last, across all parts."""
        return Span(self.parts[0].span.start, self.parts[-1].span.end)


class AttributionKind(enum.Enum):
    """How the claimed speaker of a quote was found."""

    EXPLICIT = "explicit"
    PRONOUN = "pronoun"
    ANONYMOUS = "anonymous"
    NONE = "none"


@dataclass(frozen=True)
class Attribution:
    """Who the article says spoke a quote, and how we know."""

    kind: AttributionKind
    speaker: str | None = None  # the name as the article gives it, titles removed
    mention: Span | None = None  # where the name (or pronoun, or description) stands
    cue: str | None = None  # the reporting verb or phrase: "said", "according to", ...
    description: str | None = None  # the anonymous description: "a US official"
    # For a pronoun or role: how many other people (or descriptions) of a compatible gender
    # were candidates within the look-back window; 0 means the reference was uncontested.
    rivals: int = 0


@dataclass(frozen=True)
class Turn:
    """One speaker turn of a transcript."""

    index: int  # 0-based position in the transcript
    speaker: str  # the label as written, without the colon
    text: str  # the turn's text: a verbatim slice of the file, continuation lines included
    line: int  # 1-based line of the label in the transcript file
    start: int  # character offset of `text` in the transcript file


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript file."""

    path: str  # relative to its corpus folder, with forward slashes
    corpus: str  # the corpus folder as given by the user
    turns: tuple[Turn, ...]
    meta: Mapping[str, str] = field(default_factory=dict)
    speakers: tuple[str, ...] = ()  # from the front matter, or in order of first turn
    line_starts: tuple[int, ...] = ()  # offset of each line start, to map offsets to lines

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in the file."""
        return max(bisect.bisect_right(self.line_starts, offset), 1)


@dataclass(frozen=True)
class Corpus:
    """All transcripts of one run and the speaker aliases declared with them."""

    transcripts: tuple[Transcript, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> speaker label


class DiffKind(enum.Enum):
    """One word-level edit between the source passage and the quote."""

    EQUAL = "equal"
    DELETE = "delete"  # words of the source the quote leaves out
    INSERT = "insert"  # words of the quote the source does not have
    REPLACE = "replace"


@dataclass(frozen=True)
class DiffOp:
    """A run of words: what the source says and what the quote says instead."""

    kind: DiffKind
    source: tuple[str, ...]  # source words as printed
    quote: tuple[str, ...]  # quote words as printed


@dataclass(frozen=True)
class Passage:
    """A passage of a transcript aligned to a quote."""

    transcript: str  # Transcript.path
    speaker: str  # who holds the (first) turn
    turn: int  # index of the first turn
    line: int  # 1-based line in the transcript file where the passage starts
    span: Span  # offsets of the passage in the transcript file
    text: str  # the passage as printed in the transcript
    similarity: float  # 0..100 over normalised words
    ops: tuple[DiffOp, ...] = ()
    speaker_match: bool = False  # the turn belongs to the claimed speaker


@dataclass(frozen=True)
class MatchResult:
    """The best passages for a quote: anywhere, in the claimed speaker's turns, runner-up."""

    best: Passage | None
    best_for_speaker: Passage | None
    runner_up: Passage | None = None  # the best distinct passage after `best`
    searched_everywhere: bool = True  # False for short fragments
    # The transcript labels the claimed speaker resolved to: None when no speaker was
    # claimed, empty when the speaker holds no turn in the corpus.
    speaker_labels: frozenset[str] | None = None


class Verdict(enum.Enum):
    """The judgement on one quote."""

    VERIFIED = "verified"
    ALTERED = "altered"
    MISATTRIBUTED = "misattributed"
    NOT_FOUND = "not_found"
    UNATTRIBUTED = "unattributed"


class WaivedBy(enum.Enum):
    """What accepted a finding so that it never fails the gate."""

    INLINE = "inline"  # a <!-- quoteverify: accept reason="..." --> comment before the quote
    BASELINE = "baseline"  # an entry of the baseline file


@dataclass(frozen=True)
class Finding:
    """Everything known about one quote: where it is, who said it, the verdict."""

    file: str  # as given by the user ("-" or the path)
    line: int  # 1-based line of the first quoted character
    column: int  # 1-based column, in characters
    quote: Quote
    attribution: Attribution
    verdict: Verdict
    confidence: float  # 0..1
    similarity: float  # 0..100
    passage: Passage | None
    diff: str | None  # word-level difference, for altered quotes
    reasons: tuple[str, ...] = ()  # why: "number changed", "editorial insertion [...]"
    fails: bool = False  # at or above the gate of the run's Config
    # Where the quote ends, and both ends in UTF-8 bytes, for the CI formats (reviewdog counts
    # bytes, GitHub and SARIF characters). Ends are exclusive: one past the last quoted
    # character, on its line. None when not computed (a hand-built Finding).
    end_line: int | None = None  # 1-based line of the last quoted character
    end_column: int | None = None  # 1-based, in characters, exclusive
    byte_column: int | None = None  # 1-based column of the first quoted character, in bytes
    end_byte_column: int | None = None  # 1-based, in bytes, exclusive
    waived: WaivedBy | None = None  # accepted by an editor: reported, never failing


@dataclass(frozen=True)
class Diagnostic:
    """A problem with an input file: an error (the run exits 2) or a warning."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Report:
    """The outcome of one run."""

    findings: tuple[Finding, ...]
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    files: int = 0  # articles read
    settings: Mapping[str, object] = field(default_factory=dict)  # thresholds that applied

    @property
    def failing(self) -> int:
        """How many findings fail the gate."""
        return sum(1 for f in self.findings if f.fails)

    @property
    def waived(self) -> int:
        """How many findings an inline waiver or the baseline accepted."""
        return sum(1 for f in self.findings if f.waived is not None)

    def counts(self) -> dict[str, int]:
        """Findings per verdict, every verdict present, in enum order."""
        out = {v.value: 0 for v in Verdict}
        for f in self.findings:
            out[f.verdict.value] += 1
        return out
