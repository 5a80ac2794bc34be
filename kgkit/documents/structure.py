"""A document's structure from real parsers, every part an exact span of the document's text.

Markdown (and the Markdown-like text kgkit renders HTML pages to) goes through a CommonMark parser
(markdown-it-py, with GFM tables); raw HTML inside Markdown (a ``<table>`` of talks, ``<br>``-separated
lines) through an HTML tokenizer that reports where each tag is. The result is a flat list of
:class:`Block` — headings, paragraphs, list items, table rows (with their cells), code — each with its
line spans (soft line breaks and ``<br>`` split lines; a paragraph's sentences are read across them),
its links (text span and URL), the heading it sits under, and the list item it is nested in.

>>> from kgkit.documents import read_document
>>> doc = read_document("data/corpus/000_dc9f1b824b07a64f.txt")
>>> [b.kind for b in parse_blocks(doc)][:3]
['paragraph', 'paragraph', 'heading']
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal

from markdown_it import MarkdownIt

if TYPE_CHECKING:
    from kgkit.documents.document import Document

BlockKind = Literal["heading", "paragraph", "item", "row", "code"]
Span = tuple[int, int]


@dataclass
class Link:
    """A link: the span of its text in the document, and where it points."""

    start: int
    end: int
    url: str


@dataclass
class Block:
    """One block of the document (see the module docs). ``level`` is a heading's level or a list item's
    depth (1 for a top-level item); ``heading`` the index of the heading block above it (None at the
    top); ``parent`` the index of the list item it is nested in; a row's ``cells`` are its cells' spans
    and ``header`` says it is a table's header row."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    lines: list[Span] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    cells: list[Span] = field(default_factory=list)
    heading: int | None = None
    parent: int | None = None
    header: bool = False
    table: int | None = None  # rows of one table share this number


def parse_blocks(doc: Document) -> list[Block]:
    """The blocks of ``doc``'s body, in document order."""
    text = doc.text
    body = doc.body_start
    starts = _line_starts(text)
    first_line = bisect.bisect_right(starts, body) - 1
    # the body only (front matter is metadata): the same lines, so markdown-it's line numbers map back
    source = "\n" * first_line + text[starts[first_line] :] if first_line >= 0 else text
    if body > starts[first_line]:  # a body starting inside a line (never for front matter): keep it whole
        source = "\n" * first_line + " " * (body - starts[first_line]) + text[body:]
    tokens = _MARKDOWN.parse(source)
    out: list[Block] = []
    heading: int | None = None
    items: list[int | None] = []  # enclosing list items: the index of each one's first block
    table = 0
    in_header = False
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            items.append(None)
        elif tok.type == "list_item_close":
            items.pop()
        elif tok.type == "table_open":
            table += 1
        elif tok.type == "thead_open":
            in_header = True
        elif tok.type == "thead_close":
            in_header = False
        if tok.map is None:
            continue
        a, b = _span(starts, text, tok.map)
        if tok.type == "heading_open":
            out.append(Block("heading", a, b, int(tok.tag[1]), _lines(text, a, b), heading=None))
            heading = len(out) - 1
        elif tok.type == "paragraph_open":
            inside = bool(items) and tokens[i - 1].type == "list_item_open"
            kind: BlockKind = "item" if inside else "paragraph"
            parent = next((x for x in reversed(items[:-1]) if x is not None), None) if inside else (
                next((x for x in reversed(items) if x is not None), None)
            )
            block = Block(kind, a, b, len(items) if inside else 0, _lines(text, a, b), heading=heading, parent=parent)
            out.append(block)
            if inside:
                items[-1] = len(out) - 1
        elif tok.type == "tr_open":
            out.append(Block("row", a, b, 0, _lines(text, a, b), heading=heading, cells=_cells(text, a, b),
                             header=in_header, table=table))
        elif tok.type in ("fence", "code_block"):
            out.append(Block("code", a, b, 0, [], heading=heading))
        elif tok.type == "html_block":
            for block in _html_blocks(text, a, b):
                block.heading = heading if block.kind != "heading" else None
                out.append(block)
                if block.kind == "heading":
                    heading = len(out) - 1
    for block in out:
        if block.kind != "code":
            block.links = _links(text, block.start, block.end)
    return [b for b in out if b.kind == "code" or doc.masked[b.start : b.end].strip()]


# Blocks only: links are read by _LINK and _HREF_LINK below, so markdown-it's inline pass (whose link
# label scan is quadratic on a line of thousands of "[") is never needed.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")
# Every pattern below fails fast where it cannot match: no part can run past a character that would
# start another match ("[" in a link text one level deep, "<" in a tag), and a link's text is bounded,
# so a block of 100 KB of "[" or "<a" costs linear time.
_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]\n]|\n(?![ \t]*\n))*(?:\[[^\[\]\n]*\](?:[^\[\]\n]|\n(?![ \t]*\n))*)*)\]"
    r"\((?P<url><[^<>\n]*>|[^)\s]*)(?:\s+\"[^\"\n]*\")?\)"
)
_HREF_LINK = re.compile(
    r"<a\b[^<>]*?\bhref=[\"'](?P<url>[^\"'<>]*)[\"'][^<>]*>(?P<text>(?:(?!</a>).){0,2000}?)</a>", re.S | re.I
)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _span(starts: list[int], text: str, lines: list[int]) -> Span:
    """The character span of lines ``[first, last)`` (markdown-it's ``map``), without the final newline."""
    first, last = lines
    a = starts[first] if first < len(starts) else len(text)
    b = starts[last] - 1 if last < len(starts) else len(text)
    while b > a and text[b - 1] in " \t\r\n":
        b -= 1
    return a, max(a, b)


def _lines(text: str, a: int, b: int) -> list[Span]:
    """The non-blank lines of ``text[a:b]``, a ``<br>`` ending a line as a newline does."""
    out: list[Span] = []
    pos = a
    for m in re.finditer(r"\n|</?br\s*/?>", text[a:b], re.I):
        end = a + m.start()
        if text[pos:end].strip():
            out.append(_trim(text, pos, end))
        pos = a + m.end()
    if text[pos:b].strip():
        out.append(_trim(text, pos, b))
    return out


def _trim(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _cells(text: str, a: int, b: int) -> list[Span]:
    """The cells of a pipe-table row: spans between unescaped ``|``, without the outer pipes."""
    line = text[a:b]
    bounds = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
    edges = [-1, *bounds, len(line)]
    cells = []
    for left, right in itertools.pairwise(edges):
        if (left == -1 and not line[:right].strip()) or (right == len(line) and not line[left + 1 :].strip()):
            continue  # the empty space before a leading pipe or after a trailing one
        cells.append(_trim(text, a + left + 1, a + right))
    return cells


def _links(text: str, a: int, b: int) -> list[Link]:
    chunk = text[a:b]
    links = [
        Link(a + m.start("text"), a + m.end("text"), m.group("url").strip("<>")) for m in _LINK.finditer(chunk)
    ]
    links += [Link(a + m.start("text"), a + m.end("text"), m.group("url")) for m in _HREF_LINK.finditer(chunk)]
    return sorted(links, key=lambda link: link.start)


# --- raw HTML inside Markdown --------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "blockquote", "section"}
_CELL_TAGS = {"td", "th"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav"}
_REACH = 32  # how many open blocks an end tag may close at once


class _Walker(HTMLParser):
    """Blocks of an HTML fragment, with offsets into the document (HTMLParser says where each tag is)."""

    def __init__(self, text: str, start: int, end: int) -> None:
        super().__init__(convert_charrefs=False)
        self.text, self.base, self.end = text, start, end
        self.starts = _line_starts(text[start:])
        self.blocks: list[Block] = []
        self.open: list[tuple[str, int, list[Span]]] = []  # block tag, content start, cells
        self.cell: int | None = None
        self.skip = 0
        self.depth = 0

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.base + self.starts[line - 1] + col

    def _tag_end(self) -> int:
        return self._pos() + len(self.get_starttag_text() or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        if self.skip:
            return
        if tag in ("ul", "ol"):
            self.depth += 1
        if tag in _BLOCK_TAGS:
            if tag in ("p", "li") and self.open and self.open[-1][0] == tag:  # "<p>a<p>b": the first ends here
                self._close(self._pos())
            self.open.append((tag, self._tag_end(), []))
        elif tag in _CELL_TAGS:
            self.cell = self._tag_end()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        here = self._pos()
        if tag in ("ul", "ol"):
            self.depth = max(0, self.depth - 1)
        if tag in _CELL_TAGS and self.cell is not None and self.open:
            self.open[-1][2].append(_trim(self.text, self.cell, here))
            self.cell = None
        elif tag in _BLOCK_TAGS and any(name == tag for name, _, _ in self.open[-_REACH:]):
            # an end tag closes what is still open inside it, as browsers do ("<div>...<p>...</div>"); looked
            # for among the innermost blocks only, so that 50,000 unclosed tags cost no quadratic time
            while self.open and self.open[-1][0] != tag:
                self._close(here)
            self._close(here)

    def close(self) -> None:
        super().close()
        while self.open:  # blocks never closed end with the fragment
            self._close(self.end)

    def _close(self, here: int) -> None:
        name, start, cells = self.open.pop()
        a, b = _trim(self.text, start, here)
        if a >= b and not cells:
            return
        if name == "tr":
            self.blocks.append(Block("row", a, b, cells=[c for c in cells if c[0] < c[1]] or [(a, b)],
                                     lines=_lines(self.text, a, b)))
        elif name[0] == "h" and name[1:].isdigit():
            self.blocks.append(Block("heading", a, b, int(name[1]), _lines(self.text, a, b)))
        elif not any(start <= x.start and x.end <= here for x in self.blocks):  # innermost blocks only
            kind: BlockKind = "item" if name == "li" else "paragraph"
            self.blocks.append(Block(kind, a, b, self.depth if name == "li" else 0, _lines(self.text, a, b)))


def _html_blocks(text: str, a: int, b: int) -> list[Block]:
    walker = _Walker(text, a, b)
    try:
        walker.feed(text[a:b])
        walker.close()
    except (AssertionError, ValueError):  # a fragment HTMLParser gives up on: one paragraph
        return [Block("paragraph", a, b, 0, _lines(text, a, b))]
    found = sorted(walker.blocks, key=lambda x: (x.start, -x.end))
    if not found:
        return [Block("paragraph", a, b, 0, _lines(text, a, b))]
    table = None
    for block in found:
        if block.kind == "row":
            block.table = table = table or 10_000 + a  # one table per HTML block
    return found
