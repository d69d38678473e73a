"""The main text of an article page: no navigation, related lists, comments, scripts or styles.

The page is parsed into a small element tree (the standard library's HTMLParser), boilerplate
subtrees are dropped by tag, ARIA role and class/id words, the article body is chosen
(schema.org articleBody, then <article>, then <main>, then the container holding the most
paragraph text) and its blocks are written out as a clean HTML document. That document is what
`check URL` checks and what `save` writes, so a saved article gives the same findings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from quoteverify.models import BlockKind, DocFormat
from quoteverify.sources.files import safe_file_name
from quoteverify.sources.http import ARTICLE_TYPES, Fetcher, Page

__all__ = [
    "ArticleBlock",
    "ArticleText",
    "FetchedArticle",
    "article_from_page",
    "extract_article",
    "fetch_article",
]


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_VOID = _names("area base br col embed hr img input link meta param source track wbr")
# Never article text, whatever their class.
_DROP_TAGS = _names(
    "script style noscript template head svg math iframe object canvas form button select "
    "textarea input nav footer dialog menu figure picture video audio map"
)
_DROP_ROLES = _names(
    "navigation banner contentinfo complementary search dialog alertdialog menu menubar"
)
# Words of class and id values that mark boilerplate; a class is split on `-`, `_` and
# spaces and compared word by word, so `story-related` drops and `leading` does not.
_NEGATIVE = _names(
    """nav navbar navigation menu breadcrumb breadcrumbs sidebar side rail related recommended
    recirc recirculation more popular trending comment comments disqus discussion replies
    share sharing social newsletter subscribe subscription signup promo promotion ad ads advert
    advertisement sponsor sponsored outbrain taboola cookie cookies consent banner masthead
    footer header byline dateline tags tag toolbar widget modal popup paywall hidden
    visually sr print caption credit"""
)
_PULL = re.compile(r"pull-?quote|pullout|pull_quote|\bpq\b|\bpull\b", re.I)
_BR = "\x00"  # a <br> while text is gathered (NULs in the page are dropped)
_CLASS_WORD = re.compile(r"[A-Za-z0-9]+")
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "li", "dd", "dt", "pre", "address"})
_CONTAINERS = _names(
    "div section article main body html center details summary ul ol dl table tbody thead "
    "tr td th header"
)
# Implicitly closed by the start of a block (HTML's optional end tags).
_CLOSED_BY_BLOCK = frozenset({"p", "li", "dt", "dd"})
_BLOCK_START = _HEADINGS | _PARAGRAPHS | _CONTAINERS | {"blockquote", "aside", "figure", "hr"}

# A block mostly made of link text is a list of links, not prose.
LINK_DENSITY_MAX = 0.6
# A paragraph shorter than this (characters) counts little towards a container's score.
SCORE_MIN_CHARS = 25


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    parent: _Node | None
    children: list[_Node | str] = field(default_factory=list)

    def words(self) -> set[str]:
        """The words of the class and id attributes, lower-cased."""
        value = f"{self.attrs.get('class', '')} {self.attrs.get('id', '')}".lower()
        return set(_CLASS_WORD.findall(value))

    def ancestors(self) -> list[_Node]:
        out: list[_Node] = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def iter(self) -> list[_Node]:
        out: list[_Node] = [self]
        for c in self.children:
            if isinstance(c, _Node):
                out.extend(c.iter())
        return out


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unknown end tags are ignored, open blocks close implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.stack: list[_Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_START:
            while len(self.stack) > 1 and self.stack[-1].tag in _CLOSED_BY_BLOCK:
                if tag == "li" and self.stack[-1].tag != "li" and self.stack[-1].tag != "p":
                    break
                self.stack.pop()
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data.replace(_BR, ""))


def _parse(source: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    return builder.root


def _is_pull(node: _Node) -> bool:
    value = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
    return _PULL.search(value) is not None


def _hidden(node: _Node) -> bool:
    style = node.attrs.get("style", "").replace(" ", "").lower()
    return (
        "hidden" in node.attrs
        or node.attrs.get("aria-hidden", "").lower() == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _boilerplate(node: _Node) -> bool:
    """Whether a subtree is never article text (pull quotes are decided later)."""
    if node.tag in _KEEP_TAGS or "articlebody" in node.attrs.get("itemprop", "").lower():
        return False
    if node.tag in _DROP_TAGS or _hidden(node):
        return True
    if node.attrs.get("role", "").lower() in _DROP_ROLES:
        return True
    if node.tag == "header":
        return not any(a.tag in ("article", "main") for a in node.ancestors())
    if node.tag == "aside":
        return not _is_pull(node)
    return bool(node.words() & _NEGATIVE) and not _is_pull(node)


def _prune(node: _Node) -> None:
    node.children = [c for c in node.children if isinstance(c, str) or not _boilerplate(c)]
    for c in node.children:
        if isinstance(c, _Node):
            _prune(c)


def _text_of(node: _Node) -> tuple[str, int]:
    """The text of a subtree, whitespace collapsed, and how many of its characters are links."""
    parts: list[str] = []
    linked = 0

    def walk(n: _Node, in_link: bool) -> None:
        nonlocal linked
        if n.tag == "q":
            parts.append("“")
        for c in n.children:
            if isinstance(c, str):
                parts.append(c)
                if in_link:
                    linked += len(c.strip())
            elif c.tag == "br":
                parts.append(_BR)
            else:
                walk(c, in_link or c.tag == "a")
        if n.tag == "q":
            parts.append("”")

    walk(node, node.tag == "a")
    # Source newlines are spaces; only <br> breaks a paragraph's lines.
    lines = "".join(parts).replace("\n", " ").split(_BR)
    text = "\n".join(" ".join(line.split()) for line in lines)
    return text.strip("\n"), linked


def _link_heavy(node: _Node) -> bool:
    text, linked = _text_of(node)
    letters = len(text.replace(" ", "").replace("\n", ""))
    return letters > 0 and linked / letters > LINK_DENSITY_MAX


def _paragraph_score(text: str) -> float:
    if len(text) < SCORE_MIN_CHARS:
        return 0.0
    return 1.0 + text.count(",") + min(len(text) / 100, 3.0)


def _main_root(root: _Node) -> _Node:
    """The subtree holding the article body."""
    nodes = root.iter()
    for n in nodes:
        if "articlebody" in n.attrs.get("itemprop", "").lower():
            return n
    scores: dict[int, float] = {}
    by_id: dict[int, _Node] = {}
    for n in nodes:
        if n.tag != "p":
            continue
        score = _paragraph_score(_text_of(n)[0])
        for weight, anc in zip((1.0, 0.5, 0.25), n.ancestors(), strict=False):
            scores[id(anc)] = scores.get(id(anc), 0.0) + score * weight
            by_id[id(anc)] = anc

    def total(n: _Node) -> float:
        return sum(_paragraph_score(_text_of(p)[0]) for p in n.iter() if p.tag == "p")

    for tag in ("article", "main"):
        found = [n for n in nodes if n.tag == tag or n.attrs.get("role", "") == tag]
        if found:
            return max(found, key=total)
    if scores:
        return by_id[max(scores, key=lambda k: scores[k])]
    body = [n for n in nodes if n.tag == "body"]
    return body[0] if body else root


@dataclass(frozen=True)
class ArticleBlock:
    """One block of the article: a heading, a paragraph or a block quote (of paragraphs)."""

    kind: BlockKind
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ArticleText:
    """The main text of an article page and how it was cut."""

    title: str
    blocks: tuple[ArticleBlock, ...]
    url: str = ""
    pull_quotes_dropped: int = 0

    def to_html(self) -> str:
        """A clean HTML document of the blocks, one per line: what is checked and saved."""
        esc = html.escape
        lines = ["<!DOCTYPE html>", "<html>", "<head>", '<meta charset="utf-8">']
        # No <title>: the HTML loader reads it as a heading, and the <h1> already is one.
        if self.url:
            lines.append(f'<link rel="canonical" href="{esc(self.url)}">')
        lines += ["</head>", "<body>", "<article>"]
        for b in self.blocks:
            if b.kind is BlockKind.HEADING:
                lines.append(f"<h1>{esc(b.paragraphs[0], quote=False)}</h1>")
            elif b.kind is BlockKind.BLOCKQUOTE:
                lines.append("<blockquote>")
                lines += [f"<p>{esc(p, quote=False)}</p>" for p in b.paragraphs]
                lines.append("</blockquote>")
            else:
                lines += [f"<p>{esc(p, quote=False)}</p>" for p in b.paragraphs]
        lines += ["</article>", "</body>", "</html>", ""]
        return "\n".join(lines)


def _norm(text: str) -> str:
    """Letters and digits only, lower-cased, single-spaced: how pull quotes are compared."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _collect(node: _Node, out: list[tuple[ArticleBlock, bool]], pull: bool) -> None:
    """Append the blocks of a subtree in order; `pull` marks those inside a pull quote."""
    inline: list[_Node | str] = []

    def flush() -> None:
        if not inline:
            return
        holder = _Node("div", {}, None, list(inline))
        inline.clear()
        text, _ = _text_of(holder)
        paragraphs = tuple(p for p in text.split("\n") if p.strip())
        if paragraphs and not _link_heavy(holder):
            out.append((ArticleBlock(BlockKind.PARAGRAPH, paragraphs), pull))

    for c in node.children:
        if isinstance(c, str) or c.tag not in _BLOCK_START | {"br"}:
            inline.append(c)
            continue
        if c.tag == "br":
            inline.append(_BR)
            continue
        flush()
        is_pull = pull or _is_pull(c)
        if c.tag in _HEADINGS:
            text = " ".join(_text_of(c)[0].split())
            if text:
                out.append((ArticleBlock(BlockKind.HEADING, (text,)), is_pull))
        elif c.tag == "blockquote" or (is_pull and not pull):
            inner: list[tuple[ArticleBlock, bool]] = []
            _collect(c, inner, is_pull)
            paragraphs = tuple(p for b, _ in inner for p in b.paragraphs)
            if paragraphs:
                out.append((ArticleBlock(BlockKind.BLOCKQUOTE, paragraphs), is_pull))
        elif c.tag in _PARAGRAPHS and not any(
            isinstance(g, _Node) and g.tag in _BLOCK_START for g in c.children
        ):
            text, _ = _text_of(c)
            paragraphs = tuple(p for p in text.split("\n") if p.strip())
            if paragraphs and not _link_heavy(c):
                out.append((ArticleBlock(BlockKind.PARAGRAPH, paragraphs), is_pull))
        else:
            _collect(c, out, is_pull)
    flush()


def _title(root: _Node, main: _Node) -> str:
    for scope in (main, root):
        for n in scope.iter():
            if n.tag == "h1":
                text = " ".join(_text_of(n)[0].split())
                if text:
                    return text
    for n in root.iter():
        if n.tag == "meta" and n.attrs.get("property", "").lower() == "og:title":
            text = " ".join(n.attrs.get("content", "").split())
            if text:
                return text
    for n in root.iter():
        if n.tag == "title":
            return " ".join(_text_of(n)[0].split())
    return ""


def extract_article(source: str, *, url: str = "") -> ArticleText:
    """The main text of an HTML article page, with its title as the first block."""
    root = _parse(source)
    # The title is read before pruning: it often sits in a header that is dropped.
    main_before = _main_root(root)
    title = _title(root, main_before)
    _prune(root)
    main = _main_root(root)
    found: list[tuple[ArticleBlock, bool]] = []
    _collect(main, found, False)

    body = " ".join(_norm(p) for b, pull in found if not pull for p in b.paragraphs)
    blocks: list[ArticleBlock] = []
    seen: set[tuple[str, ...]] = set()
    dropped = 0
    for block, pull in found:
        key = tuple(_norm(p) for p in block.paragraphs)
        if pull:
            # A pull quote repeats words of the body: reported once, from the body.
            if all(k and f" {k} " in f" {body} " for k in key):
                dropped += 1
                continue
            block = ArticleBlock(BlockKind.BLOCKQUOTE, block.paragraphs)
        if key in seen:
            continue  # the same block twice (a page's mobile and desktop copies)
        seen.add(key)
        blocks.append(block)
    if title and not (blocks and blocks[0].kind is BlockKind.HEADING):
        blocks.insert(0, ArticleBlock(BlockKind.HEADING, (title,)))
    return ArticleText(title=title, blocks=tuple(blocks), url=url, pull_quotes_dropped=dropped)


@dataclass(frozen=True)
class FetchedArticle:
    """An article fetched from a URL, as checked: `text` in `fmt` (clean HTML for pages)."""

    url: str
    page: Page
    text: str
    fmt: DocFormat
    title: str

    @property
    def suffix(self) -> str:
        """The file suffix that makes `check FILE` read `text` as `fmt`."""
        return {DocFormat.HTML: ".html", DocFormat.MARKDOWN: ".md"}.get(self.fmt, ".txt")

    def file_name(self) -> str:
        """A safe file name for saving the article: from its title, else its URL."""
        return safe_file_name(self.title, self.url, self.suffix)


def article_from_page(page: Page) -> FetchedArticle:
    """The checkable article of a fetched page: extracted HTML, or text and Markdown as sent."""
    if page.media_type in ("text/html", "application/xhtml+xml"):
        art = extract_article(page.text, url=page.url)
        return FetchedArticle(page.url, page, art.to_html(), DocFormat.HTML, art.title)
    fmt = DocFormat.MARKDOWN if "markdown" in page.media_type else DocFormat.TEXT
    first = next((line.strip() for line in page.text.splitlines() if line.strip()), "")
    return FetchedArticle(page.url, page, page.text, fmt, first.lstrip("# ")[:200])


def fetch_article(url: str, fetcher: Fetcher, *, use_cache: bool = True) -> FetchedArticle:
    """Fetch an article page (through the cache unless use_cache is False) and extract it."""
    page = fetcher.fetch(url, accept=ARTICLE_TYPES, use_cache=use_cache)
    return article_from_page(page)
