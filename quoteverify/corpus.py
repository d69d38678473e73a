"""Transcripts: parse our speaker-turn format and WebVTT, and load corpus folders.

The format is documented in docs/transcripts.md. Every Turn.text is a verbatim slice of the
file (`text[turn.start:turn.start + len(turn.text)] == turn.text`), so matches map back to
exact lines.
"""

from __future__ import annotations

import bisect
import datetime
import operator
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, islice, repeat
from pathlib import Path

from quoteverify.errors import CorpusError, InputFileError
from quoteverify.models import Corpus, Diagnostic, Transcript, Turn
from quoteverify.textio import read_text

TRANSCRIPT_SUFFIXES = (".txt", ".vtt")
ALIASES_FILE = "aliases.toml"

_NEWLINE = re.compile("\n")
_WS = re.compile(r"\s+")

# A label word: letters (any script, diacritics included) with dots, hyphens and apostrophes.
_WORD = r"[^\W\d_](?:[^\W\d_]|[.'’-])*"
# A label: up to six words, then a colon followed by a blank or the end of the line.
LABEL_LINE = re.compile(rf"({_WORD}(?:[ \t]+{_WORD}){{0,5}}):(?:[ \t]|$)")
# A label's words alone, for transcripts that do not declare their speakers.
_NAME = re.compile(rf"{_WORD}(?:[ \t]+{_WORD}){{0,5}}")
# Any text up to the first colon, then a blank or the line's end (a CR of a CR LF before it).
# Groups: 1 the line's start, 2 the label, 3 the blanks after the colon (across lines). A
# label of LABEL_LINE is one of these whose text is a _NAME.
_LABEL = r"([^:\s][^:\n]*):(?=[ \t]|\r?$)(?=(\s*))"
# The first line's label, matched at its start (after a BOM) ...
_FIRST = re.compile(rf"(){_LABEL}", re.M)
# ... and every other line: each line feed, with the label of the line it opens if any.
_SCAN = re.compile(rf"\n()(?:{_LABEL})?", re.M)
_LABEL_GROUP = operator.itemgetter(2)
# Lower-case name particles allowed inside a name: "Charles de Gaulle".
_PARTICLES = frozenset(
    [
        "al",
        "bin",
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "di",
        "dos",
        "du",
        "ibn",
        "la",
        "le",
        "van",
        "von",
        "y",
    ]
)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FLOW_LIST = re.compile(r"\[(.*)\]")


def display_path(corpus: str, path: str) -> str:
    """How a transcript is named in messages: the corpus folder as given, then its path."""
    return f"{corpus}{path}" if corpus.endswith("/") else f"{corpus}/{path}"


def _line_starts(text: str) -> tuple[int, ...]:
    # Only LF ends a line: CRLF files count the same and U+2028 etc. stay inside lines.
    return (0, *(m.end() for m in _NEWLINE.finditer(text)))


@dataclass(frozen=True)
class _Lines:
    """The file's lines as (start offset, content without the line ending)."""

    text: str
    starts: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def end(self, i: int) -> int:
        """Offset just past line i's content (before its CR LF or LF)."""
        stop = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        if stop > self.starts[i] and self.text[stop - 1] == "\r":
            stop -= 1
        return stop

    def content(self, i: int) -> str:
        """Line i without its line ending."""
        return self.text[self.starts[i] : self.end(i)]


def norm_label(label: str) -> str:
    """A speaker label compared with the `speakers` list: case and spacing ignored."""
    return _WS.sub(" ", label).strip().casefold()


def looks_like_name(label: str) -> bool:
    """A role or name: each word capitalised or all caps, particles aside; or Q / A."""
    words = label.split()
    for k, word in enumerate(words):
        if word[0].isupper():
            continue
        if 0 < k < len(words) - 1 and word in _PARTICLES:
            continue
        return False
    return True


def _trimmed(text: str, start: int, stop: int) -> tuple[int, str]:
    """The slice [start, stop) without surrounding whitespace, with its start offset."""
    raw = text[start:stop]
    body = raw.strip()
    if not body:
        return start, ""
    return start + (len(raw) - len(raw.lstrip())), body


# --- our format ----------------------------------------------------------------------------


def _front_matter(
    lines: _Lines, first: int, where: str
) -> tuple[dict[str, str], tuple[str, ...], int]:
    """Parse front matter opening at line `first`: its keys, speakers and the next line index."""
    meta: dict[str, str] = {}
    speakers: tuple[str, ...] = ()
    for i in range(first + 1, len(lines)):
        line = lines.content(i)
        if line.rstrip() == "---":
            meta.pop("speakers", None)
            return meta, speakers, i + 1
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or value[:1] not in ("", " ", "\t"):
            raise CorpusError("front matter line is not 'key: value'", file=where, line=i + 1)
        key = key.strip()
        if not _KEY.fullmatch(key):
            raise CorpusError(
                f"front matter key {key!r} is not a single word", file=where, line=i + 1
            )
        key = key.lower()
        if key in meta:
            raise CorpusError(f"duplicate front matter key {key!r}", file=where, line=i + 1)
        meta[key] = value.strip()
        if key == "date":
            _check_date(meta[key], where=where, line=i + 1)
        elif key == "speakers":
            speakers = _speaker_list(meta[key], where=where, line=i + 1)
    raise CorpusError("front matter opened with '---' is never closed", file=where, line=first + 1)


def _check_date(value: str, *, where: str, line: int) -> None:
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        datetime.date.fromisoformat(value)
    except ValueError:
        raise CorpusError(
            f"bad date {value!r}: expected YYYY-MM-DD", file=where, line=line
        ) from None


def _speaker_list(value: str, *, where: str, line: int) -> tuple[str, ...]:
    m = _FLOW_LIST.fullmatch(value)
    names = tuple(_WS.sub(" ", n).strip() for n in m.group(1).split(",")) if m else ()
    if not names or not all(names):
        raise CorpusError(
            "speakers must be a list like [First Speaker, Second Speaker]",
            file=where,
            line=line,
        )
    return names


def parse_transcript(text: str, *, path: str, corpus: str) -> Transcript:
    """Parse a transcript in our format: optional front matter, then `Speaker: text` turns."""
    where = display_path(corpus, path)
    # One search finds every line start and every label-like line opening after it.
    scan = list(_SCAN.finditer(text))
    lines = _Lines(text, (0, *map(re.Match.start, scan, repeat(1))))
    starts = lines.starts
    # A BOM is kept in the text (offsets) but is no part of the first line's content.
    bom = 1 if text.startswith("\ufeff") else 0
    meta: dict[str, str] = {}
    speakers: tuple[str, ...] = ()
    body = 0
    if lines.content(0)[bom:].rstrip() == "---":
        meta, speakers, body = _front_matter(lines, 0, where)
    declared = {norm_label(s) for s in speakers}
    body_start = max(starts[body] if body < len(starts) else len(text), bom)

    # Each distinct label text is checked once: its speaker, or "" when it is no label.
    verdicts: dict[str, str] = {}

    def speaker_of(raw: str) -> str:
        if declared:
            return raw.rstrip() if norm_label(raw) in declared else ""
        return raw if _NAME.fullmatch(raw) and looks_like_name(raw) else ""

    # (1-based line number, match) of the label-like lines of the body, in order.
    later = max(body, 1)
    candidates: Iterator[tuple[int, re.Match[str]]] = compress(
        enumerate(islice(scan, later - 1, None), later + 1),
        map(_LABEL_GROUP, islice(scan, later - 1, None)),
    )
    if body == 0 and (first := _FIRST.match(text, bom)) is not None:
        candidates = chain([(1, first)], candidates)

    # Only label lines are looked at, not every line: a turn runs to the next label's line,
    # and the lines without text before that fall away when the turn's text is stripped.
    labels: list[tuple[int, str, re.Match[str]]] = []
    for number, m in candidates:
        raw = m[2]
        speaker = verdicts.get(raw)
        if speaker is None:
            speaker = verdicts[raw] = speaker_of(raw)
        if speaker:
            labels.append((number, speaker, m))
    _no_text_before(text, body_start, labels[0][2].start(1) if labels else len(text), where, starts)
    if not labels:
        raise CorpusError("no speaker turns", file=where, line=1)

    turns: list[Turn] = []
    stops = [m.start(1) for _, _, m in islice(labels, 1, None)]
    stops.append(len(text))
    for (number, speaker, m), stop in zip(labels, stops, strict=True):
        # Group 3 is the run of blanks after the colon: the text starts where it ends, unless
        # it runs up to the next label and the turn has no text.
        start = m.end(3)
        if start < stop:
            turns.append(Turn(len(turns), speaker, text[start:stop].rstrip(), number, start))
        else:
            turns.append(Turn(len(turns), speaker, "", number, m.end(2) + 1))
    return Transcript(
        path=path,
        corpus=corpus,
        turns=tuple(turns),
        meta=meta,
        speakers=speakers or tuple(dict.fromkeys(speaker for _, speaker, _ in labels)),
        line_starts=starts,
    )


def _no_text_before(text: str, start: int, stop: int, where: str, starts: tuple[int, ...]) -> None:
    """Raise for the first line in text[start:stop] (before the first label) with text in it."""
    lead = text[start:stop]
    if lead.strip():
        at = start + len(lead) - len(lead.lstrip())
        raise CorpusError(
            "text before the first speaker turn", file=where, line=bisect.bisect_right(starts, at)
        )


# --- WebVTT --------------------------------------------------------------------------------

_TIMESTAMP = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_TIMING = re.compile(rf"{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^\s>][^>]*)>")
_ALNUM = re.compile(r"[^\W_]")
_VOICE_END = re.compile(r"</v>|<v[.\s]")
_VTT_BLOCKS = ("NOTE", "STYLE", "REGION")


def _vtt_cues(lines: _Lines, where: str) -> Iterator[tuple[int, int]]:
    """Yield (first, last) payload line indexes of each cue, checking the timing lines."""
    i, n = 1, len(lines)
    while i < n and lines.content(i).strip():  # header lines after WEBVTT
        i += 1
    while i < n:
        if not lines.content(i).strip():
            i += 1
            continue
        first = i
        while i < n and lines.content(i).strip():
            i += 1
        block = range(first, i)
        head = lines.content(first)
        if "-->" not in head and head.split(maxsplit=1)[0] in _VTT_BLOCKS:
            continue
        # The timing line is the first line of a cue, or the second after an identifier.
        timing = first if "-->" in head else first + 1
        if timing not in block or "-->" not in lines.content(timing):
            raise CorpusError("cue without a timing line", file=where, line=first + 1)
        if not _TIMING.fullmatch(lines.content(timing).strip()):
            raise CorpusError("malformed cue timing line", file=where, line=timing + 1)
        if timing + 1 < i:
            yield timing + 1, i - 1


def parse_vtt(text: str, *, path: str, corpus: str) -> Transcript:
    """Parse a WebVTT file whose cues name their speakers with `<v Speaker>` voice tags."""
    where = display_path(corpus, path)
    lines = _Lines(text, _line_starts(text))
    header = lines.content(0).removeprefix("\ufeff")
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CorpusError("missing WEBVTT header", file=where, line=1)
    if _VOICE.search(text) is None:
        raise CorpusError("no speaker voice tags", file=where, line=1)

    turns: list[Turn] = []
    seen: dict[str, None] = {}
    speaker: str | None = None

    def add(who: str | None, start: int, stop: int) -> None:
        at, body = _trimmed(text, start, stop)
        line = bisect.bisect_right(lines.starts, at)
        if who is None:
            raise CorpusError("cue text before the first speaker voice tag", file=where, line=line)
        turns.append(Turn(len(turns), who, body, line, at))

    for first, last in _vtt_cues(lines, where):
        start, stop = lines.starts[first], lines.end(last)
        payload = text[start:stop]
        tags = list(_VOICE.finditer(payload))
        # Text before the first voice tag (or a cue with none) continues the last speaker;
        # a caption dash or note before the tag, with no word in it, is no turn.
        lead = tags[0].start() if tags else len(payload)
        if _ALNUM.search(payload, 0, lead):
            add(speaker, start, start + lead)
        for tag in tags:
            speaker = _WS.sub(" ", tag.group(1)).strip()
            seen.setdefault(speaker, None)
            end = _VOICE_END.search(payload, tag.end())
            add(speaker, start + tag.end(), start + (end.start() if end else len(payload)))
    return Transcript(
        path=path,
        corpus=corpus,
        turns=tuple(turns),
        meta={},
        speakers=tuple(seen),
        line_starts=lines.starts,
    )


# --- corpus folders ------------------------------------------------------------------------


def transcript_files(root: Path) -> Iterator[Path]:
    """Transcript files under root, recursively, in sorted order; hidden and README skipped."""
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.upper().startswith("README"):
                continue
            if name.lower().endswith(TRANSCRIPT_SUFFIXES):
                yield Path(folder, name)


def read_aliases(path: Path, *, where: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """The alias table of one aliases.toml and its warnings; a bad file is a CorpusError."""
    try:
        text, warnings = read_text(path, name=where)
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except InputFileError as exc:
        raise CorpusError(exc.message, file=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"bad TOML: {exc}", file=where) from None
    diags = [Diagnostic(where, w) for w in warnings]
    diags += [
        Diagnostic(where, f"unknown key {key!r} ignored (expected an [aliases] table)")
        for key in data
        if key != "aliases"
    ]
    table = data.get("aliases", {})
    if not isinstance(table, dict):
        raise CorpusError("'aliases' must be a table: [aliases]", file=where)
    aliases: dict[str, str] = {}
    for alias, speaker in table.items():
        if not isinstance(speaker, str) or not speaker.strip():
            raise CorpusError(f"alias {alias!r} must map to a speaker name (a string)", file=where)
        aliases[alias] = speaker
    return aliases, diags


def _load_folder(corpus: str) -> tuple[list[Transcript], dict[str, str], list[Diagnostic]]:
    root = Path(corpus)
    if not root.exists():
        raise CorpusError("corpus folder not found", file=corpus)
    if not root.is_dir():
        raise CorpusError("corpus path is not a folder", file=corpus)
    transcripts: list[Transcript] = []
    diags: list[Diagnostic] = []
    for file in transcript_files(root):
        rel = file.relative_to(root).as_posix()
        where = display_path(corpus, rel)
        try:
            text, warnings = read_text(file, name=where)
        except InputFileError as exc:
            raise CorpusError(exc.message, file=where) from None
        diags += (Diagnostic(where, w) for w in warnings)
        parse = parse_vtt if rel.lower().endswith(".vtt") else parse_transcript
        transcripts.append(parse(text, path=rel, corpus=corpus))
    if not transcripts:
        raise CorpusError("no transcripts (.txt, .vtt) found", file=corpus)
    aliases: dict[str, str] = {}
    alias_path = root / ALIASES_FILE
    if alias_path.is_file():
        aliases, alias_diags = read_aliases(alias_path, where=display_path(corpus, ALIASES_FILE))
        diags += alias_diags
    return transcripts, aliases, diags


def _unknown_speakers(
    aliases: Mapping[str, str], where: Mapping[str, str], transcripts: Sequence[Transcript]
) -> list[Diagnostic]:
    """A warning for each alias whose speaker holds no turn anywhere: likely a typo."""
    known = {norm_label(t.speaker) for tr in transcripts for t in tr.turns}
    return [
        Diagnostic(where[alias], f"alias {alias!r} names {speaker!r}, who has no turns")
        for alias, speaker in aliases.items()
        if norm_label(speaker) not in known
    ]


def merge_aliases(
    table: dict[str, str], where_of: dict[str, str], folder: Mapping[str, str], where: str
) -> None:
    """Add one folder's aliases to the table; one alias naming two speakers is an error."""
    for alias, speaker in folder.items():
        if alias in table and table[alias] != speaker:
            raise CorpusError(
                f"alias {alias!r} names {speaker!r} here but {table[alias]!r} in {where_of[alias]}",
                file=where,
            )
        table[alias] = speaker
        where_of[alias] = where


def load_corpus(dirs: Sequence[str]) -> tuple[Corpus, tuple[Diagnostic, ...]]:
    """Load every transcript under the given folders; warnings come back as Diagnostics."""
    if not dirs:
        raise CorpusError("no corpus folder given")
    transcripts: list[Transcript] = []
    aliases: dict[str, str] = {}
    alias_where: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for corpus in dirs:
        found, folder_aliases, folder_diags = _load_folder(corpus)
        transcripts += found
        diags += folder_diags
        merge_aliases(aliases, alias_where, folder_aliases, display_path(corpus, ALIASES_FILE))
    diags += _unknown_speakers(aliases, alias_where, transcripts)
    transcripts.sort(key=lambda t: (t.corpus, t.path))
    return Corpus(transcripts=tuple(transcripts), aliases=aliases), tuple(diags)
