"""Transcript pages (HTML, plain text, WebVTT) -> one transcript in our speaker-turn format.

Turns are found by the labels docs/transcripts.md accepts (`NAME:`, `THE PRESIDENT:`, `Q:`),
with a parenthesised note before the colon dropped (`SMITH (voice-over):`), and by WebVTT
voice tags. The written file declares its speakers and is parsed back with
quoteverify.corpus.parse_transcript before it is written, so it always loads.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quoteverify.corpus import LABEL_LINE, looks_like_name, parse_transcript
from quoteverify.errors import CorpusError
from quoteverify.models import BlockKind
from quoteverify.sources.article import extract_article
from quoteverify.sources.errors import SourceError
from quoteverify.sources.files import atomic_write, inside, safe_file_name
from quoteverify.sources.http import TRANSCRIPT_TYPES, Fetcher, Page

__all__ = [
    "AddedTranscript",
    "TranscriptDraft",
    "add_transcript",
    "transcript_from_page",
]

_NOTE = re.compile(r"^(\S[^:()\n]{0,80}?)[ \t]*\([^()\n]{1,60}\)(:(?:[ \t]|$))")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VTT_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^\s>][^>]*)>")
_VOICE_END = re.compile(r"</v>|<v[.\s]")
_TIMING = re.compile(r"-->")
# Labels that are editorial, not speakers: such paragraphs are left out of the transcript.
NOT_SPEAKERS = frozenset(
    {
        "note",
        "notes",
        "editor's note",
        "update",
        "updated",
        "source",
        "sources",
        "photo",
        "video",
        "watch",
        "listen",
        "read more",
        "related",
        "transcript",
        "copyright",
    }
)


@dataclass(frozen=True)
class TranscriptDraft:
    """A transcript in our format, ready to write, and what was found on the page."""

    text: str
    title: str
    speakers: tuple[str, ...]
    turns: int
    dropped: int  # paragraphs before the first speaker turn, left out


@dataclass(frozen=True)
class AddedTranscript:
    """A transcript written to a corpus folder."""

    path: Path
    draft: TranscriptDraft
    page: Page


def _label(line: str) -> tuple[str, str] | None:
    """(speaker, rest of the line) when the line opens with a speaker label."""
    m = _NOTE.match(line)
    if m is not None:
        line = m.group(1) + line[m.start(2) :]
    m = LABEL_LINE.match(line)
    if m is None or not looks_like_name(m.group(1)):
        return None
    return " ".join(m.group(1).split()), line[m.end() :].strip()


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names_speaker(labels: list[str], speaker: str) -> bool:
    """Whether the page's labels include the named speaker (in full or by the last name)."""
    wanted = {_key(speaker), _key(speaker.split()[-1])}
    return any(_key(label) in wanted for label in labels)


def _html_paragraphs(page: Page) -> tuple[str, list[str]]:
    art = extract_article(page.text, url=page.url)
    paragraphs = [p for b in art.blocks if b.kind is not BlockKind.HEADING for p in b.paragraphs]
    return art.title, paragraphs


def _text_paragraphs(text: str) -> tuple[str, list[str]]:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "", [line for line in lines if line]


def _vtt_segments(text: str) -> list[tuple[str | None, str]]:
    """(voice or None, text) of each cue's voice spans, tags removed and entities decoded."""
    out: list[tuple[str | None, str]] = []
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").removeprefix("\ufeff"))
    for block in blocks[1:]:  # the first block is the WEBVTT header
        lines = block.strip("\n").split("\n")
        timing = next((k for k, line in enumerate(lines[:2]) if _TIMING.search(line)), None)
        if timing is None:
            continue  # NOTE, STYLE and REGION blocks, or stray text
        payload = "\n".join(lines[timing + 1 :])
        tags = list(_VOICE.finditer(payload))
        lead = tags[0].start() if tags else len(payload)
        spans: list[tuple[str | None, str]] = [(None, payload[:lead])]
        for tag in tags:
            end = _VOICE_END.search(payload, tag.end())
            name = " ".join(tag.group(1).split())
            spans.append((name, payload[tag.end() : end.start() if end else len(payload)]))
        for who, raw in spans:
            words = " ".join(html.unescape(_VTT_TAG.sub("", raw)).split())
            if re.search(r"[^\W_]", words):
                out.append((who, words))
    return out


def _turns_from_vtt(text: str) -> tuple[list[tuple[str, list[str]]], list[str], int]:
    turns: list[tuple[str, list[str]]] = []
    loose: list[str] = []
    dropped = 0
    current: str | None = None
    for who, words in _vtt_segments(text):
        loose.append(words)
        current = who or current
        if current is None:
            dropped += 1
            continue
        if turns and turns[-1][0] == current:
            turns[-1][1][0] += " " + words  # cues split sentences: one paragraph per turn
        else:
            turns.append((current, [words]))
    return turns, loose, dropped


def _turns_from_lines(paragraphs: list[str]) -> tuple[list[tuple[str, list[str]]], int]:
    turns: list[tuple[str, list[str]]] = []
    dropped = 0
    for p in paragraphs:
        found = _label(p)
        if found is not None and _key(found[0]) in NOT_SPEAKERS:
            dropped += 1
        elif found is not None:
            who, rest = found
            turns.append((who, [rest] if rest else []))
        elif turns:
            turns[-1][1].append(p)
        else:
            dropped += 1
    return turns, dropped


def _check_meta(value: str, what: str) -> str:
    value = " ".join(value.split())
    if what == "speaker" and any(c in value for c in ",[]:"):
        raise SourceError(f"speaker name {value!r} cannot hold a comma, bracket or colon")
    return value


def _render(
    meta: list[tuple[str, str]],
    speakers: list[str],
    turns: list[tuple[str, list[str]]],
    *,
    flat: bool,
) -> str:
    lines = ["---", *(f"{k}: {v}" for k, v in meta if v)]
    lines += [f"speakers: [{', '.join(speakers)}]", "---"]
    for k, (who, paras) in enumerate(turns):
        if k:
            lines.append("")
        body = [" ".join(paras)] if flat else paras or [""]
        lines.append(f"{who}: {body[0]}".rstrip())
        lines += body[1:]
    return "\n".join(lines) + "\n"


def transcript_from_page(
    page: Page,
    *,
    fetched: datetime.date,
    speaker: str | None = None,
    title: str | None = None,
    date: str | None = None,
) -> TranscriptDraft:
    """Turn a fetched page into our transcript format, or raise SourceError when it has no turns."""
    if date is not None:
        try:
            if not _DATE.fullmatch(date):
                raise ValueError
            datetime.date.fromisoformat(date)
        except ValueError:
            raise SourceError(f"bad date {date!r}: expected YYYY-MM-DD", file=page.url) from None
    if speaker is not None:
        speaker = _check_meta(speaker, "speaker")
    body = page.text.removeprefix("\ufeff")
    page_title = ""
    if page.media_type == "text/vtt" or body.startswith("WEBVTT"):
        turns, loose, dropped = _turns_from_vtt(body)
    else:
        if page.media_type in ("text/html", "application/xhtml+xml"):
            page_title, loose = _html_paragraphs(page)
        else:
            page_title, loose = _text_paragraphs(body)
        turns, dropped = _turns_from_lines(loose)
    labels = list(dict.fromkeys(who for who, _ in turns))
    if speaker is not None and not _names_speaker(labels, speaker):
        # The page is the named speaker's alone: label-like lines are part of the text.
        turns, dropped, labels = [(speaker, loose)] if loose else [], 0, [speaker]
    if not turns or not any(p for _, paras in turns for p in paras):
        raise SourceError(
            "no speaker turns found on the page (name the single speaker with --speaker)",
            file=page.url,
        )
    if any(c in label for label in labels for c in ",[]"):
        raise SourceError("a speaker label holds a comma or bracket", file=page.url)
    shown_title = " ".join((title or page_title).split())
    meta = [
        ("title", shown_title),
        ("date", date or ""),
        ("source", page.url),
        ("fetched", fetched.isoformat()),
        ("sha256", page.sha256),
    ]
    for flat in (False, True):
        text = _render(meta, labels, turns, flat=flat)
        try:
            parsed = parse_transcript(text, path="page.txt", corpus=page.url)
        except CorpusError:
            continue
        # A paragraph that reads as a label would start a turn of its own: written flat,
        # every turn is one line and cannot be split.
        if [t.speaker for t in parsed.turns] == [who for who, _ in turns]:
            return TranscriptDraft(text, shown_title, tuple(labels), len(turns), dropped)
    raise SourceError("the page's turns cannot be written as a transcript", file=page.url)


def add_transcript(
    url: str,
    corpus: Path,
    fetcher: Fetcher,
    *,
    speaker: str | None = None,
    title: str | None = None,
    date: str | None = None,
    force: bool = False,
    today: Callable[[], datetime.date] = datetime.date.today,
    file_name: str | None = None,
) -> AddedTranscript:
    """Fetch a transcript page and write it into the corpus folder; overwrite only with force."""
    if not corpus.is_dir():
        raise SourceError("no such corpus folder", file=str(corpus))
    page = fetcher.fetch(url, accept=TRANSCRIPT_TYPES)
    draft = transcript_from_page(page, fetched=today(), speaker=speaker, title=title, date=date)
    name = file_name or safe_file_name(draft.title, url, ".txt", date=date)
    path = inside(corpus, name)
    atomic_write(path, draft.text.encode("utf-8"), overwrite=force)
    return AddedTranscript(path, draft, page)
