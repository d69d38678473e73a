"""Article source -> Document (visible text and blocks) -> quotations with spans in the source."""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.entities import html5
from pathlib import PurePath

from quoteverify.models import Block, BlockKind, DocFormat, Document, Quote, QuotePart, Span

__all__ = [
    "ExtractWarning",
    "Extraction",
    "detect_format",
    "extract",
    "load_document",
]


@dataclass(frozen=True)
class ExtractWarning:
    """A problem met while extracting, such as a quotation mark with no partner."""

    offset: int  # in Document.source
    message: str


@dataclass(frozen=True)
class Extraction:
    """The quotes of a document, sorted by position, and what could not be read."""

    quotes: tuple[Quote, ...]
    warnings: tuple[ExtractWarning, ...]


_EXTENSIONS = {
    ".md": DocFormat.MARKDOWN,
    ".markdown": DocFormat.MARKDOWN,
    ".html": DocFormat.HTML,
    ".htm": DocFormat.HTML,
}


def detect_format(name: str) -> DocFormat:
    """The format of an article judged by its file name; stdin ("-") and unknowns are text."""
    return _EXTENSIONS.get(PurePath(name).suffix.lower(), DocFormat.TEXT)


def load_document(source: str, fmt: DocFormat) -> Document:
    """Reduce an article to its visible text and blocks, keeping a map back to the source."""
    if fmt is DocFormat.MARKDOWN:
        return _load_markdown(source)
    if fmt is DocFormat.HTML:
        return _load_html(source)
    return _load_text(source)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without leading and trailing whitespace (empty when all blank)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ------------------------------------------------------------------------------------------
# Plain text
# ------------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]+")
_TRAILING_CLOSERS = "”’\"'»)]"
# Markup left in scraped plain text (embedded tweets, links): its attribute values are not
# quotations. A start tag needs an attribute with `=`, or to be `<x/>` or a common bare tag
# (`<i>`), so prose such as `a <b and c> d` is left alone. Values may run over lines, as
# scrapers leave them, within bounds.
_TEXT_TAG = re.compile(
    r"</[A-Za-z][\w-]*\s*>"
    r"|<[A-Za-z][\w-]*\s*/>"
    r"|<(?:a|b|i|u|s|q|em|strong|span|p|br|div|small|sup|sub|cite|blockquote|li|ul|ol|h[1-6]"
    r"|tweet)\s*>"
    r"|<[A-Za-z][\w-]*(?=[^<>]{0,2000}=)"
    r"(?:\s+[A-Za-z_:][\w:.-]*(?:\s*=\s*(?:\"[^\"<>]{0,2000}\"|'[^'<>\n]{0,500}'"
    r"|[“”][^“”<>\n]{0,500}[“”]|[^\s\"'=<>`“”]+))?)+\s*/?>"
)
# A first line this short, alone in its paragraph and one sentence, is a headline even with a
# full stop (some archives add one).
_HEADLINE_MAX_WORDS = 25
_SENTENCE_BREAK = re.compile(r"[.!?][”’\"')\]]*\s+[“‘\"'(]*[A-Z0-9]")
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Rev|St|Jr|Sr|[A-Z])\.", re.I
)


def _ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip(_TRAILING_CLOSERS)[-1:] in (".", "!", "?", ":")


def _headline(text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether the first line of a plain-text article is its headline."""
    line = text[first[0] : first[1]]
    if not _ends_sentence(line):
        return True
    if len(line.split()) > _HEADLINE_MAX_WORDS or text.count("\n", first[1], second[0]) < 2:
        return False  # not followed by a blank line: the first paragraph of running text
    return _SENTENCE_BREAK.search(_ABBREVIATIONS.sub("", line)) is None


def _strip_tags(source: str) -> str:
    """The source with markup tags blanked (newlines kept), or the source itself if it has none."""
    if "<" not in source:
        return source
    work: list[str] | None = None
    for m in _TEXT_TAG.finditer(source):
        if work is None:
            work = list(source)
        for k in range(m.start(), m.end()):
            if work[k] not in "\r\n":
                work[k] = " "
    return source if work is None else "".join(work)


def _load_text(source: str) -> Document:
    text = _strip_tags(source)
    spans: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        start, end = _trimmed(text, m.start(), m.end())
        if start < end:
            spans.append((start, end))
    blocks = [Block(BlockKind.PARAGRAPH, Span(s, e)) for s, e in spans]
    # News text files put the headline alone on the first line.
    if len(spans) > 1 and _headline(text, spans[0], spans[1]):
        blocks[0] = Block(BlockKind.HEADING, blocks[0].span)
    return Document(source=source, text=text, blocks=tuple(blocks))


# ------------------------------------------------------------------------------------------
# Markdown: blank what is not prose, keeping every offset
# ------------------------------------------------------------------------------------------

_MD_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?:.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.S)
_MD_BQ = re.compile(r" {0,3}>[ \t]?")
_MD_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_MD_RAW_HTML = re.compile(r" {0,3}<(script|style|pre|textarea)\b", re.I)
_MD_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]+|$)")
_MD_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_MD_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_MD_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_LIST = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_MD_REFDEF = re.compile(r" {0,3}\[((?:[^\]\\]|\\.)+)\]:[ \t]*\S")
_MD_CODE_RUN = re.compile(r"`+")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[A-Za-z_:][^\s\"'=<>`/]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
    r"\s*/?>"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"
    r"|<[^\s<>@]+@[^\s<>]+>"
)
_MD_EMPHASIS = re.compile(r"\*+|_+|~~+")
_MD_LINK_WINDOW = 2000  # bounds the search for a reference label so scanning stays linear
# A link target: `(`, a destination (<...> or without spaces, one level of parentheses),
# an optional title in "", '' or (), `)`.
_MD_TARGET = re.compile(
    r"\(\s*(?:<[^<>\n]*>|[^\s()<]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]{0,1000}\"|'[^']{0,1000}'|\([^()]{0,1000}\)))?\s*\)"
)
_DASH_LINE = re.compile(r"[\s>]*(?:—|–|―|--|-)")


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class _MdState:
    work: list[str]
    blocks: list[tuple[BlockKind, int, int]] = field(default_factory=list)
    kind: BlockKind | None = None  # of the open block
    start: int = 0
    end: int = 0
    para_open: bool = False  # a paragraph line can be continued by the next line
    in_list: bool = False
    refs: set[str] = field(default_factory=set)

    def blank(self, start: int, end: int) -> None:
        work = self.work
        for k in range(start, end):
            if work[k] != "\n":
                work[k] = " "

    def close(self) -> None:
        if self.kind is not None:
            self.blocks.append((self.kind, self.start, self.end))
        self.kind = None
        self.para_open = False

    def add(self, kind: BlockKind, start: int, end: int) -> None:
        if self.kind is None:
            self.kind, self.start = kind, start
        self.end = end


def _indent(content: str) -> int:
    cols = 0
    for ch in content:
        if ch == " ":
            cols += 1
        elif ch == "\t":
            cols += 4 - cols % 4
        else:
            break
    return cols


def _md_lines(st: _MdState, text: str, pos: int) -> None:
    """The block structure: which lines are code, headings, block quotes, paragraphs."""
    fence: str | None = None
    raw_tag: str | None = None
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        ls, line, pos = pos, text[pos:end], end + 1
        if raw_tag is not None:
            st.blank(ls, end)
            if f"</{raw_tag}" in line.lower():
                raw_tag = None
            continue
        p, bq = 0, False
        while (m := _MD_BQ.match(line, p)) is not None:
            st.blank(ls + m.start(), ls + m.end())
            p, bq = m.end(), True
        content, cs = line[p:], ls + p
        if "\0" in content:
            if not content.replace("\0", "").strip():
                continue  # only a comment: leaves the blocks as they are
            bare = content.lstrip("\0")
            content, cs = bare, cs + len(content) - len(bare)
        if fence is not None:
            st.blank(cs, end)
            if re.match(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", content):
                fence = None
            continue
        if (st.kind is BlockKind.BLOCKQUOTE) != bq:
            st.close()
        if not content.strip():
            if bq:
                st.para_open = False
            else:
                st.close()
            continue
        _md_line(st, content, cs, end, bq)
        if (m := _MD_FENCE.match(content)) is not None:
            fence = m.group(1)
        elif (m := _MD_RAW_HTML.match(content)) is not None:
            tag = m.group(1).lower()
            raw_tag = None if f"</{tag}" in content.lower() else tag
    st.close()


def _md_line(st: _MdState, content: str, cs: int, end: int, bq: bool) -> None:
    """One non-blank line (block-quote markers already removed)."""
    kind = BlockKind.BLOCKQUOTE if bq else BlockKind.PARAGRAPH
    if _MD_FENCE.match(content) or _MD_RAW_HTML.match(content):
        st.blank(cs, end)
        if not bq:
            st.close()
        return
    indent = _indent(content)
    if indent >= 4 and not st.para_open and not st.in_list:
        st.blank(cs, end)  # indented code
        if not bq:
            st.close()
        return
    if (m := _MD_ATX.match(content)) is not None:
        st.blank(cs, cs + m.end())
        if (c := _MD_ATX_CLOSE.search(content, m.end())) is not None:
            st.blank(cs + c.start(), end)
        if not bq:
            st.close()
            st.add(BlockKind.HEADING, cs, end)
            st.close()
        else:
            st.add(kind, cs, end)
        return
    if st.para_open and st.kind is BlockKind.PARAGRAPH and _MD_SETEXT.match(content):
        st.kind = BlockKind.HEADING
        st.blank(cs, end)
        st.close()
        return
    if _MD_RULE.match(content):
        st.blank(cs, end)
        if not bq:
            st.close()
        return
    if not st.para_open and (m := _MD_REFDEF.match(content)) is not None:
        st.refs.add(_label(m.group(1)))
        st.blank(cs, end)
        return
    if (m := _MD_LIST.match(content)) is not None:
        st.blank(cs, cs + m.end())
        if not bq:
            st.close()
            st.in_list = True
    elif indent == 0 and not st.para_open:
        st.in_list = False
    st.add(kind, cs, end)
    st.para_open = True


def _md_inline(st: _MdState, start: int, end: int) -> None:
    """Blank the inline markup of one block: code spans, tags, link targets, emphasis."""
    work = st.work
    s = "".join(work[start:end])
    runs = [(m.start(), m.end()) for m in _MD_CODE_RUN.finditer(s)]
    following: list[int] = [-1] * len(runs)  # next run of the same length: its closing partner
    last: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        width = runs[k][1] - runs[k][0]
        following[k] = last.get(width, -1)
        last[width] = k
    k = 0
    while k < len(runs):
        j = following[k]
        if j < 0:
            k += 1
            continue
        st.blank(start + runs[k][0], start + runs[j][1])
        k = j + 1
    s = "".join(work[start:end])
    protected: set[int] = set()
    for m in _MD_ESCAPE.finditer(s):
        work[start + m.start()] = " "
        protected.add(m.start() + 1)
    for m in _MD_TAG.finditer(s):
        if m.start() not in protected:
            st.blank(start + m.start(), start + m.end())
    s = "".join(work[start:end])
    _md_links(st, s, start, protected)
    s = "".join(work[start:end])
    for m in _MD_EMPHASIS.finditer(s):
        a, b = m.start(), m.end()
        if a in protected:
            continue
        prev = s[a - 1] if a > 0 else " "
        nxt = s[b] if b < len(s) else " "
        if prev.isspace() and nxt.isspace():
            continue
        if m.group()[0] == "_" and prev.isalnum() and nxt.isalnum():
            continue  # snake_case, not emphasis
        st.blank(start + a, start + b)


def _md_links(st: _MdState, s: str, start: int, protected: set[int]) -> None:
    """Blank link and image targets and the brackets around link text; keep `[sic]`."""
    for i, j in _md_brackets(s, protected):
        image = i > 0 and s[i - 1] == "!" and i - 1 not in protected
        after = s[j + 1] if j + 1 < len(s) else ""
        target = -1  # end of what follows `]` and is markup
        if after == "(":
            target = _md_close_paren(s, j + 1)
        elif after == "[":
            k = s.find("]", j + 2, j + 2 + _MD_LINK_WINDOW)
            if k >= 0 and (_label(s[j + 2 : k]) or _label(s[i + 1 : j])) in st.refs:
                target = k + 1
        if target < 0 and _label(s[i + 1 : j]) not in st.refs:
            continue  # not a link: an editorial bracket such as [sic]
        if image:
            # Alt text is not article prose either.
            st.blank(start + i - 1, start + (target if target >= 0 else j + 1))
        else:
            st.blank(start + i, start + i + 1)
            st.blank(start + j, start + (target if target >= 0 else j + 1))


def _md_brackets(s: str, protected: set[int]) -> list[tuple[int, int]]:
    """Matching `[` `]` pairs, innermost first, in one pass."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for m in re.finditer(r"[\[\]]", s):
        k = m.start()
        if k in protected:
            continue
        if s[k] == "[":
            stack.append(k)
        elif stack:
            pairs.append((stack.pop(), k))
    return pairs


def _md_close_paren(s: str, i: int) -> int:
    """The end (past `)`) of a link target `(url "title")` opening at i, or -1."""
    m = _MD_TARGET.match(s, i)
    return -1 if m is None else m.end()


def _md_comments(source: str) -> list[tuple[int, int]]:
    """Spans of `<!-- ... -->`; an unterminated one is left as text."""
    spans: list[tuple[int, int]] = []
    a = source.find("<!--")
    while a >= 0:
        b = source.find("-->", a + 4)
        if b < 0:
            break
        spans.append((a, b + 3))
        a = source.find("<!--", b + 3)
    return spans


def _load_markdown(source: str) -> Document:
    st = _MdState(work=list(source))
    comments = _md_comments(source)
    for a, b in comments:
        st.blank(a, b)
    pos = 0
    if (front := _MD_FRONT_MATTER.match(source)) is not None:
        st.blank(0, front.end())
        pos = front.end()
    # Comments become NUL for the block pass: not blank lines and not indentation.
    marked = list(source)
    for a, b in comments:
        for k in range(a, b):
            if marked[k] != "\n":
                marked[k] = "\0"
    _md_lines(st, "".join(marked), pos)
    for _, start, end in st.blocks:
        _md_inline(st, start, end)
    text = "".join(st.work)
    blocks = []
    for kind, start, end in st.blocks:
        s, e = _trimmed(text, start, end)
        if s < e:
            blocks.append(Block(kind, Span(s, e)))
    return Document(source=source, text=text, blocks=tuple(blocks))


# ------------------------------------------------------------------------------------------
# HTML: visible text with a map to source offsets
# ------------------------------------------------------------------------------------------


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_HTML_SKIP = _names(
    "script style noscript template head nav aside form button svg iframe select textarea "
    "object canvas math"
)
_HTML_RAW = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
)
_HTML_BLOCK = _names(
    "address article aside blockquote body br caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer h1 h2 h3 h4 h5 h6 header hr html legend li main ol p "
    "pre section summary table tbody td tfoot th thead title tr ul"
)
_HTML_VOID = _names("area base br col embed hr img input link meta param source track wbr")
_HTML_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "title"})
_HTML_START = re.compile(r"<([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_HTML_START_LOOSE = re.compile(r"<([A-Za-z][^\s/>]*)([^>]*)>")
_HTML_END = re.compile(r"</([A-Za-z][^\s/>]*)[^>]*>")
_HTML_WORD = re.compile(r"[^\s&]+|&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)?")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_LEGACY_ENTITIES = frozenset(k for k in html5 if not k.endswith(";"))


def _decode_entity(ref: str) -> tuple[str, int]:
    """The text an entity reference stands for and how many characters of `ref` it used."""
    if ref.endswith(";") or ref.startswith("&#"):
        decoded = html.unescape(ref)
        return (decoded, len(ref)) if decoded != ref else ("&", 1)
    for k in range(len(ref), 1, -1):  # legacy references without `;`: longest known prefix
        if ref[1:k] in _LEGACY_ENTITIES:
            return html5[ref[1:k]], k
    return "&", 1


@dataclass
class _HtmlText:
    chunks: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    start: int | None = None  # text offset where the open block starts
    kind: BlockKind = BlockKind.PARAGRAPH
    space: int | None = None  # source offset of pending whitespace inside the block
    brk: int | None = None  # source offset of the tag that ended the last block
    soft: int | None = None  # a paragraph break inside a block quote, not yet written
    bq_depth: int = 0
    heading_depth: int = 0

    def emit(self, s: str, offsets: Iterable[int], first: int) -> None:
        n = len(self.offsets)
        if self.start is None:
            if n:
                at = first if self.brk is None else self.brk
                self.chunks.append("\n\n")
                self.offsets += (at, at)
                n += 2
            self.start, self.brk, self.soft, self.space = n, None, None, None
            self.kind = (
                BlockKind.BLOCKQUOTE
                if self.bq_depth
                else BlockKind.HEADING
                if self.heading_depth
                else BlockKind.PARAGRAPH
            )
        elif self.soft is not None:
            self.chunks.append("\n\n")
            self.offsets += (self.soft, self.soft)
        elif self.space is not None:
            self.chunks.append(" ")
            self.offsets.append(self.space)
        self.soft = self.space = None
        self.chunks.append(s)
        self.offsets.extend(offsets)

    def whitespace(self, at: int) -> None:
        if self.start is not None and self.space is None:
            self.space = at

    def block_break(self, at: int) -> None:
        if self.start is not None and self.kind is BlockKind.BLOCKQUOTE and self.bq_depth:
            if self.soft is None:
                self.soft = at
            return
        self.end_block(at)

    def end_block(self, at: int) -> None:
        if self.start is not None:
            self.blocks.append(Block(self.kind, Span(self.start, len(self.offsets))))
            self.start = None
        self.space = self.soft = None
        if self.brk is None:
            self.brk = at

    def text(self, src: str, a: int, b: int) -> None:
        pos = a
        for m in _HTML_WORD.finditer(src, a, b):
            start = m.start()
            if start > pos:
                self.whitespace(pos)
            pos = m.end()
            word = m.group()
            if word[0] != "&":
                self.emit(word, range(start, pos), start)
                continue
            decoded, used = _decode_entity(word)
            if decoded.isspace():
                self.whitespace(start)
            else:
                self.emit(decoded, [start] * len(decoded), start)
            if used < len(word):
                self.text(src, start + used, pos)
        if pos < b:
            self.whitespace(pos)


def _html_tag(out: _HtmlText, skip: list[str], name: str, at: int, closing: bool) -> None:
    """Update block structure and skipped regions for one start or end tag."""
    if closing:
        if name in skip:
            del skip[len(skip) - 1 - skip[::-1].index(name) :]
            return
        if skip:
            return
        if name == "q":
            out.emit("”", (at,), at)
    else:
        if "head" in skip and name in _HTML_BLOCK and name not in ("html", "title"):
            skip.remove("head")  # body content ends a head left open, as in browsers
        if name in _HTML_SKIP:
            skip.append(name)
            return
        if skip:
            return
        if name == "q":
            out.emit("“", (at,), at)
    if name == "blockquote":
        out.end_block(at)
        out.bq_depth = max(0, out.bq_depth + (-1 if closing else 1))
    elif name in _HTML_HEADINGS:
        out.block_break(at)
        out.heading_depth = max(0, out.heading_depth + (-1 if closing else 1))
    elif name in _HTML_BLOCK:
        out.block_break(at)


def _load_html(source: str) -> Document:
    out = _HtmlText()
    skip: list[str] = []  # open elements whose content is not visible
    i, n = 0, len(source)
    last_gt = source.rfind(">")  # no tag starts after it: the rest is text
    while i < n:
        j = source.find("<", i)
        if j < 0 or j > last_gt:
            j = n
        if j > i and not skip:
            out.text(source, i, j)
        if j >= n:
            break
        if source.startswith("<!--", j):
            k = source.find("-->", j + 4)
            i = n if k < 0 else k + 3
            continue
        if source.startswith(("<!", "<?"), j):
            k = source.find(">", j)
            i = n if k < 0 else k + 1
            continue
        if (m := _HTML_END.match(source, j)) is not None:
            _html_tag(out, skip, m.group(1).lower(), j, closing=True)
            i = m.end()
            continue
        # Quoted attribute values may hold `>`; a bounded look keeps broken quotes linear.
        m = _HTML_START.match(source, j, min(n, j + 4096)) or _HTML_START_LOOSE.match(source, j)
        if m is None:
            if not skip:
                out.text(source, j, j + 1)
            i = j + 1
            continue
        name = m.group(1).lower()
        i = m.end()
        self_closing = m.group(2).rstrip().endswith("/") or name in _HTML_VOID
        if name in _HTML_RAW and not self_closing:
            i = _html_raw(out, skip, source, name, j, i)
        elif not (self_closing and name in _HTML_SKIP):
            _html_tag(out, skip, name, j, closing=False)
            if self_closing and name not in _HTML_VOID:
                _html_tag(out, skip, name, j, closing=True)
    out.end_block(n)
    return Document(
        source=source,
        text="".join(out.chunks),
        blocks=tuple(out.blocks),
        offsets=tuple(out.offsets),
    )


def _html_raw(out: _HtmlText, skip: list[str], source: str, name: str, at: int, i: int) -> int:
    """Read a raw-text element (script, title ...) whose content is not markup; return its end."""
    close = re.compile(rf"</{name}(?=[\s/>])[^>]*>?", re.I).search(source, i)
    content_end = len(source) if close is None else close.start()
    if name == "title" and all(s == "head" for s in skip):
        held, skip[:] = list(skip), []
        _html_tag(out, skip, name, at, closing=False)
        out.text(source, i, content_end)
        _html_tag(out, skip, name, content_end, closing=True)
        skip[:] = held
    return len(source) if close is None else close.end()


# ------------------------------------------------------------------------------------------
# Quotation marks
# ------------------------------------------------------------------------------------------

_MARKS = re.compile("[\"“”„«»‘’‹›']")
_OPEN_PUNCT = frozenset("([{<—–―-/\"'“‘„«‹")
_SINGLE_OPENERS = {"‘": "’", "‹": "›"}
# A straight ' never opens a quotation, but real text does close a ‘ with it: ‘Hi,'”
_SINGLE_CLOSERS = {"’": "‘", "'": "‘", "›": "‹"}
# ‘ before these is an apostrophe of elision: rock ‘n’ roll, the ‘90s, ‘em, ‘til.
_ELISION = re.compile(r"(?:n[’‘']|\d\ds?(?!\w)|em\b|til\b|tis\b|twas\b|cause\b|bout\b)", re.I)
_OPEN, _CLOSE = 1, 2
# Longest quotation within one block, in characters; an opener further back is a stray.
_MAX_QUOTE_CHARS = 3000


def _opening_context(prev: str) -> bool:
    # Invisible format characters (U+202A ...) stand where a space would.
    return prev == "" or prev.isspace() or prev in _OPEN_PUNCT or unicodedata.category(prev) == "Cf"


def _double_role(ch: str, prev: str, nxt: str, open_double: bool, top: str) -> int:
    """Whether a double mark opens or closes, judged by its neighbours and what is open."""
    if ch in "„«":
        return _OPEN
    if ch == "»":
        return _CLOSE
    if ch == "“":
        if top == "„":
            return _CLOSE  # German „…“
        if open_double and not nxt:
            return _CLOSE  # nothing follows to be quoted: a ” typed as “ at a block's end
        closes = not _opening_context(prev) and not nxt.isalnum()
        return _CLOSE if open_double and closes else _OPEN
    if ch == "”":
        if not open_double and _opening_context(prev) and nxt.isalnum():
            return _OPEN  # ”…” as some writers and languages use it
        return _CLOSE
    # A straight mark: the neighbours decide.
    if _opening_context(prev):
        return _OPEN if nxt and not nxt.isspace() else _CLOSE
    if open_double:
        return _CLOSE
    return _OPEN if nxt.isalnum() else _CLOSE


@dataclass
class _Scan:
    """The quotation marks of one block, paired."""

    pairs: dict[int, int] = field(default_factory=dict)  # opening -> closing position
    unclosed: list[int] = field(default_factory=list)  # openers left open at the block's end
    strays: list[tuple[int, bool]] = field(default_factory=list)  # (mark, is an opener)
    lead: int = -1  # an opener that is the block's first character


def _scan_block(text: str, start: int, end: int) -> _Scan:
    scan = _Scan()
    stack: deque[int] = deque()
    n_double = 0
    for m in _MARKS.finditer(text, start, end):
        i = m.start()
        ch = text[i]
        while stack and i - stack[0] > _MAX_QUOTE_CHARS:
            far = stack.popleft()  # a stray: pairing it now would swallow the block
            scan.strays.append((far, True))
            n_double -= text[far] not in _SINGLE_OPENERS
        prev = text[i - 1] if i > start else ""
        nxt = text[i + 1] if i + 1 < end else ""
        top = text[stack[-1]] if stack else ""
        if ch in _SINGLE_CLOSERS:
            if top == _SINGLE_CLOSERS[ch] and _single_closes(text, i, start, prev, nxt):
                scan.pairs[stack.pop()] = i
            continue
        if ch in _SINGLE_OPENERS:
            if ch == "‹" or (
                _opening_context(prev)
                and nxt
                and not nxt.isspace()
                and not _ELISION.match(text, i + 1)
            ):
                stack.append(i)
                if i == start:
                    scan.lead = i
            continue
        if ch in '”"' and prev.isdigit() and _INCHES.search(text, max(start, i - 5), i):
            continue
        if ch == '"' and nxt == "“" and _opening_context(prev):
            continue  # a doubled opener typed twice, `"“`: the typographic one opens
        role = _double_role(ch, prev, nxt, n_double > 0, top)
        if role == _CLOSE and n_double == 0 and _reversed_opener(text, i, end, prev, nxt):
            role = _OPEN
        if role == _OPEN:
            stack.append(i)
            n_double += 1
            if i == start:
                scan.lead = i
        elif n_double == 0:
            scan.strays.append((i, False))
        else:
            while text[stack[-1]] in _SINGLE_OPENERS:
                scan.strays.append((stack.pop(), True))
            scan.pairs[stack.pop()] = i
            n_double -= 1
    scan.unclosed = list(stack)
    return scan


_DOUBLE_MARKS = re.compile('["“”]')
# Feet and inches: the ” of 5’2” or 6'1" is no quotation mark.
_INCHES = re.compile(r"(?<![\w.])\d[’']\d{1,2}$")


def _reversed_opener(text: str, i: int, end: int, prev: str, nxt: str) -> bool:
    """Whether a ” that closes nothing opens a quotation typed with the wrong mark.

    Real copy has `He says,” there are…”` and paragraphs that open with `” …`: the mark
    follows a space, a comma or a colon, is followed by a space, and the next double mark
    is a closing one.
    """
    if text[i] != "”" or not nxt.isspace() or not (prev == "" or prev in ",:" or prev.isspace()):
        return False
    m = _DOUBLE_MARKS.search(text, i + 1, min(end, i + _MAX_QUOTE_CHARS))
    return m is not None and m.group() == "”"


def _single_closes(text: str, i: int, start: int, prev: str, nxt: str) -> bool:
    """Whether ’ closes a single quotation rather than being an apostrophe."""
    if not prev or prev.isspace() or nxt.isalpha():
        return False
    # The second mark of ’n’ / ‘n’ (rock ’n’ roll).
    return not (
        prev in "nN"
        and i - 2 >= start
        and text[i - 2] in "‘’'"
        and (i - 3 < start or text[i - 3].isspace())
    )


# ------------------------------------------------------------------------------------------
# From paired marks to quotes
# ------------------------------------------------------------------------------------------


@dataclass
class _Item:
    """A candidate quote: its quoted ranges of text and where it opens and closes."""

    ranges: list[tuple[int, int]]
    open_block: int
    close_block: int
    close: int  # position of the closing mark; -1 when it runs on past its block
    mark: str = ""  # the opening quotation mark; none for a block quote without marks
    parent: int = -1  # index of the item it was merged into (split quotation)


def _interruption(text: str, first: _Item, gap: str) -> bool:
    """Whether `gap` (between two quotes) is a speech tag splitting one quotation in two."""
    gap = gap.strip()
    if len(gap) > 160 or not gap.endswith((",", ":")):
        return False
    if re.match(r",?\s*(?:by|(?:and|or)\s+(?:the|a|an|his|her|its|their))\s", gap):
        # a title and its byline, then the article: `“Title,” by Jo Roe: “Text”`; two
        # items of a list: `“Title,” and the drama “Other,”`
        return False
    a, b = first.ranges[-1]
    if not (gap.startswith(",") or text[a:b].rstrip().endswith(",")):
        return False
    body = _ABBREVIATIONS.sub("", gap)
    words = body.split()
    if not 1 <= len(words) <= 8 or any(c in body for c in ".!?"):
        return False
    return any(c.isalpha() for c in body)


def _attribution_cut(doc: Document, start: int, end: int) -> int:
    """End of a block quote's quoted text: before a final line that starts with a dash."""
    text = doc.text
    nl = max(text.rfind("\n", start, end), start - 1)
    a = nl + 1
    line = text[a:end] if doc.offsets is not None else doc.source[a:end]
    if _DASH_LINE.match(line) and nl >= start:
        return nl
    return end


def _paragraph_ranges(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    a = start
    for m in re.finditer(r"\n[^\S\n]*\n", text[start:end]):
        out.append((a, start + m.start()))
        a = start + m.end()
    out.append((a, end))
    return out


def _block_items(
    doc: Document,
    k: int,
    scan: _Scan,
    runs_on: dict[int, int],
    items: list[_Item],
    item_of: dict[tuple[int, int], int],
) -> list[int]:
    """The outermost quotes of block k, in order (indices into items)."""
    text = doc.text
    block = doc.blocks[k]
    intervals = sorted(scan.pairs.items())
    if k in runs_on:
        intervals.append((runs_on[k], block.span.end))
        intervals.sort()
    outer: list[int] = []
    reach = -1
    for o, c in intervals:
        if o <= reach:
            continue  # nested in a quote already taken
        reach = c
        idx = item_of.get((k, o))
        if idx is None:
            idx = len(items)
            items.append(_Item([(o + 1, c)], k, k, c, text[o]))
        outer.append(idx)
    if block.kind is BlockKind.BLOCKQUOTE:
        cut = _attribution_cut(doc, block.span.start, block.span.end)
        if not any(items[i].ranges[0][0] < cut for i in outer):
            ranges = _paragraph_ranges(text, block.span.start, cut)
            items.append(_Item(ranges, k, k, -1))
            outer.insert(0, len(items) - 1)
    return outer


def _chains(
    doc: Document, scans: list[_Scan], items: list[_Item], item_of: dict[tuple[int, int], int]
) -> dict[int, int]:
    """Link quotations continued over paragraphs; return block -> opener that runs on."""
    blocks = doc.blocks
    link: dict[int, int] = {}
    for k in range(len(blocks) - 1):
        lead = scans[k + 1].lead
        if not scans[k].unclosed or lead < 0:
            continue
        if blocks[k].kind is BlockKind.HEADING or blocks[k + 1].kind is not blocks[k].kind:
            continue
        mark = doc.text[lead]
        unclosed = scans[k].unclosed
        # A paragraph that itself continues a quotation passes it on, whatever else it opens.
        own = scans[k].lead
        if own in unclosed and k - 1 in link and doc.text[own] == mark:
            link[k] = own
            continue
        for o in reversed(unclosed):
            if doc.text[o] == mark:  # the same mark reopens: “ after “, " after "
                link[k] = o
                break
    runs_on: dict[int, int] = {}
    for k, o in sorted(link.items()):
        if link.get(k - 1, -1) >= 0 and scans[k].lead == o:
            continue  # the middle of a chain already followed
        chain = [(k, o)]
        m = k
        while link.get(m) == chain[-1][1]:
            m += 1
            chain.append((m, scans[m].lead))
        last = chain[-1][1]
        close = scans[m].pairs.get(last)
        if close is None:
            # The closing mark is missing (scraped copy loses it, or the next paragraph opens
            # with another kind of mark): each paragraph that opened with a mark the next one
            # repeated is still quoted to its end, and so is the last when it runs to its end.
            if last not in scans[m].unclosed:
                continue
            close = -1
        ranges = [(op + 1, doc.blocks[b].span.end) for b, op in chain[:-1]]
        ranges.append((last + 1, close if close >= 0 else doc.blocks[m].span.end))
        idx = len(items)
        items.append(_Item(ranges, k, m, close, doc.text[chain[0][1]]))
        for b, op in chain:
            item_of[(b, op)] = idx
        for b, op in chain if close < 0 else chain[:-1]:
            runs_on[b] = op
    _broken(doc, scans, items, item_of, runs_on)
    return runs_on


def _broken(
    doc: Document,
    scans: list[_Scan],
    items: list[_Item],
    item_of: dict[tuple[int, int], int],
    runs_on: dict[int, int],
) -> None:
    """Join a quotation cut by a stray paragraph break: `“We will ⏎ win,” she said.`

    The last mark of a paragraph opens and is never closed, and the first mark of the next
    paragraph (which does not open with a mark) closes with nothing open: one quotation.
    """
    blocks, text = doc.blocks, doc.text
    for k in range(len(blocks) - 1):
        scan, nxt = scans[k], scans[k + 1]
        if k in runs_on or not scan.unclosed or nxt.lead >= 0:
            continue
        if blocks[k].kind is not BlockKind.PARAGRAPH or blocks[k + 1].kind is not blocks[k].kind:
            continue
        o = scan.unclosed[-1]
        if (k, o) in item_of or text[o] in _SINGLE_OPENERS:
            continue
        if _DOUBLE_MARKS.search(text, o + 1, blocks[k].span.end) is not None:
            continue
        first = _DOUBLE_MARKS.search(text, blocks[k + 1].span.start, blocks[k + 1].span.end)
        if first is None or (first.start(), False) not in nxt.strays:
            continue
        c = first.start()
        nxt.strays.remove((c, False))
        ranges = [(o + 1, blocks[k].span.end), (blocks[k + 1].span.start, c)]
        if _credit(text, ranges):
            # A pull quote: `“Text.⏎Jane Roe, Mayor.”` quotes the text, not its credit line.
            ranges, c = ranges[:1], -1
        item_of[(k, o)] = len(items)
        items.append(_Item(ranges, k, k + 1 if c >= 0 else k, c, text[o]))
        runs_on[k] = o


# The longest credit line (in words) under a pull quote: `Jane Roe, Mayor of Springfield.`
_CREDIT_MAX_WORDS = 8


def _credit(text: str, ranges: list[tuple[int, int]]) -> bool:
    """Whether the second paragraph of a broken quotation is the first one's credit line."""
    said = text[ranges[0][0] : ranges[0][1]].rstrip(_TRAILING_CLOSERS + " ")
    credit = text[ranges[1][0] : ranges[1][1]].strip()
    words = credit.split()
    return (
        said.endswith((".", "!", "?"))
        and 0 < len(words) <= _CREDIT_MAX_WORDS
        and credit[0].isupper()
        and credit.endswith(".")
    )


def _source_span(doc: Document, a: int, b: int) -> Span:
    span = doc.source_span(Span(a, b))
    if doc.offsets is not None and span.end and doc.source[span.end - 1] == "&":
        m = _ENTITY.match(doc.source, span.end - 1)
        if m is not None:
            span = Span(span.start, m.end())
    return span


def _marker_free(doc: Document, a: int, b: int) -> list[tuple[int, int]]:
    """Split a range of Markdown at lines that start with blanked markers (`>`, `-`).

    Each piece is then printed exactly as in the source, and the quote's text (parts joined
    by a space) reads as the quoted words.
    """
    if doc.offsets is not None or doc.text is doc.source:
        return [(a, b)]
    text, source = doc.text, doc.source
    pieces: list[tuple[int, int]] = []
    nl = text.find("\n", a, b)
    while nl >= 0:
        j = nl + 1
        while j < b and text[j] in " \t" and source[j] in " \t":
            j += 1
        if j < b and text[j] == " ":  # a blanked marker
            pieces.append((a, nl))
            a = j
        nl = text.find("\n", nl + 1, b)
    pieces.append((a, b))
    return pieces


def _quote(doc: Document, ranges: list[tuple[int, int]], block: Block) -> Quote | None:
    parts = []
    for a, b in (piece for r in ranges for piece in _marker_free(doc, *r)):
        a, b = _trimmed(doc.text, a, b)
        if a < b:
            parts.append(QuotePart(doc.text[a:b], _source_span(doc, a, b)))
    if not any(ch.isalnum() for p in parts for ch in p.text):
        return None
    return Quote(
        parts=tuple(parts),
        headline=block.kind is BlockKind.HEADING,
        blockquote=block.kind is BlockKind.BLOCKQUOTE,
    )


def _single_in_body(doc: Document, item: _Item) -> bool:
    return (
        item.mark in _SINGLE_OPENERS and doc.blocks[item.open_block].kind is not BlockKind.HEADING
    )


def _single_primary(doc: Document, items: list[_Item], outers: list[list[int]]) -> bool:
    """Whether the body text quotes with single marks (British style) rather than double.

    American style, which most English news follows, quotes with double marks and keeps single
    ones for quotes within quotes and for headlines; there a top-level ‘…’ in running text is
    a scare quote or a nickname, not a quotation.
    """
    single = double = 0
    for idx in {i for outer in outers for i in outer}:
        item = items[idx]
        if not item.mark or doc.blocks[item.open_block].kind is BlockKind.HEADING:
            continue
        if item.mark in _SINGLE_OPENERS:
            single += 1
        else:
            double += 1
    return single > double


def extract(doc: Document) -> Extraction:
    """Find the quotations of a document: paired marks, split and continued quotes, block quotes."""
    text = doc.text
    scans = [_scan_block(text, b.span.start, b.span.end) for b in doc.blocks]
    items: list[_Item] = []
    item_of: dict[tuple[int, int], int] = {}
    runs_on = _chains(doc, scans, items, item_of)
    warnings: list[ExtractWarning] = []
    outers: list[list[int]] = []
    for k, scan in enumerate(scans):
        for i, opening in scan.strays:
            warnings.append(_stray(doc, i, opening=opening))
        for o in scan.unclosed:
            if (k, o) not in item_of:
                warnings.append(_stray(doc, o, opening=True))
        outers.append(_block_items(doc, k, scan, runs_on, items, item_of))
    if not _single_primary(doc, items, outers):
        outers = [[i for i in outer if not _single_in_body(doc, items[i])] for outer in outers]
    outer_items: set[int] = set()
    for k, outer in enumerate(outers):
        outer_items.update(outer)
        for x, y in itertools.pairwise(outer):
            first, second = items[x], items[y]
            if first.close_block != k or first.close < 0 or second.open_block != k:
                continue
            if _interruption(text, first, text[first.close + 1 : second.ranges[0][0] - 1]):
                second.parent = x if first.parent < 0 else first.parent
                items[second.parent].ranges.extend(second.ranges)
                items[second.parent].close_block = second.close_block
                items[second.parent].close = second.close
    quotes: list[Quote] = []
    for idx in sorted(outer_items):
        item = items[idx]
        if item.parent >= 0:
            continue
        q = _quote(doc, item.ranges, doc.blocks[item.open_block])
        if q is not None:
            quotes.append(q)
    quotes.sort(key=lambda q: (q.span.start, q.span.end))
    warnings.sort(key=lambda w: w.offset)
    return Extraction(quotes=tuple(quotes), warnings=tuple(warnings))


def _stray(doc: Document, i: int, *, opening: bool) -> ExtractWarning:
    which = "opening" if opening else "closing"
    return ExtractWarning(
        doc.to_source(i), f"unmatched {which} quotation mark {doc.text[i]} skipped"
    )
