"""HTML pages as Markdown-like text, with their metadata (title, author, date, description, lang).

The page is parsed by a real HTML parser (selectolax's Lexbor engine, which repairs markup as browsers
do) and its visible content written out as the Markdown the rest of kgkit reads: headings as ``#``
lines, paragraphs and blocks apart, list items as ``*`` lines, tables as pipe tables (a header row,
cells kept apart), links as ``[text](href)``, ``<strong>`` as ``**text**`` and ``<br>`` kept as a line
break inside its block. Scripts, styles, forms and the page's furniture are left out: ``<nav>``,
``<aside>``, ``<footer>``, ARIA navigation and complementary regions, elements whose class or id names
a menu, sidebar, breadcrumb, footer or share bar, and blocks made of many short links and little else
(a site's list of other events). Where a page marks its content (``<main>``, ``<article>``,
``role="main"``), that content is read, with the page's ``<h1>``.

>>> text, meta = html_to_text(
...     "<html lang='en'><head><title>Talks</title></head><body><nav><a href='/'>Home</a></nav>"
...     "<h2>Day 1</h2><p><strong>Observability for All</strong><br>Jane Doe, Acme</p>"
...     "<table><tr><th>Time</th><th>Talk</th></tr><tr><td>10:00</td><td>Keynote</td></tr></table></body></html>")
>>> print(text)
## Day 1
<BLANKLINE>
**Observability for All**<br>
Jane Doe, Acme
<BLANKLINE>
| Time | Talk |
| --- | --- |
| 10:00 | Keynote |
<BLANKLINE>
>>> meta["title"], meta["lang"]
('Talks', 'en')
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kgkit.documents.frontmatter import FRONT

#: Elements whose content is never read.
_HIDDEN = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "form", "button",
           "select", "textarea", "canvas", "video", "audio", "map", "dialog")
#: The page's furniture, by element and by ARIA role.
_FURNITURE = ("nav", "aside", "footer", '[role="navigation"]', '[role="complementary"]', '[role="contentinfo"]',
              '[role="search"]', '[aria-hidden="true"]', "[hidden]")
#: Class or id words of furniture ("navbar", "sidebar-left", "breadcrumbs", "site-footer", "share-buttons").
_FURNITURE_WORDS = re.compile(
    r"(?i)(?:^|[\s_-])(?:nav|navbar|navigation|menu|menubar|sidebar|breadcrumbs?|footer|cookies?|share|sharing"
    r"|social|subscribe|newsletter|skip|widget|banner-ad|advert|pagination|pager)(?:$|[\s_-])"
)
_BLOCKS = {"p", "div", "section", "article", "main", "header", "blockquote", "figure", "figcaption", "dl", "dt",
           "dd", "address", "details", "summary", "center", "fieldset", "hgroup", "body", "html"}
_OTHER_BLOCKS = {"ul", "ol", "table", "pre", "hr", "li"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def html_to_text(source: str) -> tuple[str, dict[str, Any]]:
    """Markdown-like text and metadata (title, author, date, description, lang) of an HTML page.

    Front matter before the markup (static sites keep pages so) stays as it is, at the top."""
    front = FRONT.match(source)
    if front:
        text, meta = html_to_text(source[front.end() :])
        return source[: front.end()] + "\n" + text, meta
    tree = LexborHTMLParser(source)
    meta = _metadata(tree)
    for selector in _HIDDEN:
        for node in tree.css(selector):
            node.decompose()
    _drop_furniture(tree)
    body = tree.body or tree.root
    content = _content(tree)
    out = _Writer()
    if content is not None and body is not None:
        outside = [h for h in body.css("h1") if not _inside(h, content)]
        for h in outside[:1]:
            out.block(h)
        out.block(content)
    elif body is not None:
        out.block(body)
    text = out.text()
    return text, meta


def _metadata(tree: LexborHTMLParser) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    html = tree.css_first("html")
    if html is not None and html.attributes.get("lang"):
        meta["lang"] = html.attributes["lang"]
    targets = {"author": "author", "description": "description", "og:title": "title",
               "article:published_time": "date", "date": "date", "og:description": "description"}
    for node in tree.css("meta"):
        key = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        value = node.attributes.get("content")
        if key in targets and value and targets[key] not in meta:
            meta[targets[key]] = value
    title = tree.css_first("title")
    if title is not None and title.text(strip=True) and "title" not in meta:
        meta["title"] = " ".join(title.text().split())
    time = tree.css_first("time[datetime]")
    if time is not None and "date" not in meta and time.attributes.get("datetime"):
        meta["date"] = time.attributes["datetime"]
    return meta


def _drop_furniture(tree: LexborHTMLParser) -> None:
    """Leave out navigation, sidebars, footers and blocks that are lists of short links."""
    for selector in _FURNITURE:
        for node in tree.css(selector):
            if node.css_first("h1") is None:
                node.decompose()
    for node in tree.css("[class], [id]"):
        words = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        kept = node.tag in ("html", "body", "main", "article") or node.css_first("h1") is not None
        if not kept and _FURNITURE_WORDS.search(words):
            node.decompose()
    for node in reversed(tree.css("div, ul, ol, section, td, p, span")):  # innermost first
        if _link_list(node):
            node.decompose()


def _link_list(node: LexborNode) -> bool:
    """Is ``node`` a block of many short links and little else (a site's other pages, its other events)?"""
    links = node.css("a")
    if len(links) < 5:
        return False
    text = " ".join(node.text(separator=" ").split())
    linked = [" ".join(a.text(separator=" ").split()) for a in links]
    linked_chars = sum(len(x) for x in linked)
    words = sum(len(x.split()) for x in linked) / len(links)
    if not text:
        return False
    # short links and little else; or a long run of links and nothing else ("Vancouver - Apr 15 & 16", ...)
    return (linked_chars >= 0.8 * len(text) and words <= 4) or (
        len(links) >= 8 and linked_chars >= 0.9 * len(text) and words <= 7
    )


def _content(tree: LexborHTMLParser) -> LexborNode | None:
    """The page's own content where it marks it: ``<main>``, ``role="main"``, a single ``<article>``."""
    for selector in ("main", '[role="main"]'):
        node = tree.css_first(selector)
        if node is not None and node.text(strip=True):
            return node
    articles = tree.css("article")
    return articles[0] if len(articles) == 1 and articles[0].text(strip=True) else None


def _inside(node: LexborNode, container: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == container.mem_id:
            return True
        parent = parent.parent
    return False


class _Writer:
    """Writes nodes as Markdown-like text: blocks apart, inline content joined."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line: list[str] = []

    def text(self) -> str:
        self._end_block()
        out = "\n\n".join(p for p in self.parts if p.strip())
        return out.strip() + "\n" if out.strip() else ""

    def _end_block(self) -> None:
        joined = "".join(self.line)
        lines = [" ".join(x.split()) for x in joined.split("\n")]
        block = re.sub(r"^(?:<br>\s*)+|(?:\s*<br>)+$", "", "\n".join(x for x in lines if x))
        if block:
            self.parts.append(block)
        self.line = []

    def block(self, node: LexborNode, depth: int = 0) -> None:
        tag = node.tag
        if tag in _HEADINGS:
            self._end_block()
            inline = self._inline_of(node)
            if inline:
                self.parts.append("#" * _HEADINGS[tag] + " " + inline)
            return
        if tag in ("ul", "ol"):
            self._end_block()
            items = [c for c in node.iter() if c.tag == "li"]
            for item in items:
                self._item(item, depth)
            return
        if tag == "table":
            self._end_block()
            table = _table(node, self._inline_of)
            if table:
                self.parts.append(table)
            return
        if tag in ("pre",):
            self._end_block()
            code = node.text()
            if code.strip():
                self.parts.append("```\n" + code.strip("\n") + "\n```")
            return
        if tag == "hr":
            self._end_block()
            return
        for child in node.iter(include_text=True):
            if child.tag == "-text":
                self.line.append(_escape(child.text_content or ""))
            elif child.tag in _BLOCKS or child.tag in _HEADINGS or child.tag in _OTHER_BLOCKS:
                self._end_block()
                self.block(child, depth)
                self._end_block()
            else:
                self.line.append(self._inline_of(child, keep_space=True))
        if tag in _BLOCKS:
            self._end_block()

    def _item(self, item: LexborNode, depth: int) -> None:
        inline, nested = [], []
        for child in item.iter(include_text=True):
            if child.tag in ("ul", "ol"):
                nested.append(child)
            elif child.tag == "-text":
                inline.append(_escape(child.text_content or ""))
            elif child.tag in _BLOCKS or child.tag in _HEADINGS or child.tag == "table":
                inline.append(" " + self._inline_of(child) + " ")
            else:
                inline.append(self._inline_of(child, keep_space=True))
        lines = [" ".join(x.split()) for x in "".join(inline).split("\n")]
        text = ("\n" + "  " * (depth + 1)).join(x for x in lines if x)
        if text:
            self.parts.append("  " * depth + "* " + text)
        for sub in nested:
            for li in (c for c in sub.iter() if c.tag == "li"):
                self._item(li, depth + 1)

    def _inline_of(self, node: LexborNode, keep_space: bool = False) -> str:
        """The inline text of ``node``: links, strong emphasis and line breaks kept."""
        tag = node.tag
        if tag == "br":
            return "<br>\n"
        if tag == "-text":
            return _escape(node.text_content or "")
        if tag in ("img", "wbr"):
            return ""
        inner = "".join(self._inline_of(c, keep_space=True) for c in node.iter(include_text=True))
        if tag == "a":
            label = " ".join(inner.replace("<br>\n", " ").split())
            href = (node.attributes.get("href") or "").strip()
            if not label:
                return ""
            if href and not href.startswith(("#", "javascript:")) and not re.search(r"[\s()]", href):
                return f"[{label}]({href})"
            return label
        if tag in ("strong", "b"):
            label = " ".join(inner.split())
            return f"**{label}**" if label else ""
        if keep_space:
            return inner
        return "\n".join(" ".join(x.split()) for x in inner.split("\n")).strip()


def _table(node: LexborNode, inline: Any) -> str:
    """A table as a pipe table: its rows' cells (a cell's lines joined by ``<br>``), the first row the header."""
    rows: list[list[str]] = []
    for tr in node.css("tr"):
        table = _nearest_table(tr)
        if table is None or table.mem_id != node.mem_id:
            continue
        cells = []
        for cell in tr.iter():
            if cell.tag in ("td", "th"):
                text = inline(cell)
                lines = [x.strip() for x in text.split("\n") if x.strip()]
                cells.append(" ".join(lines).replace("|", "\\|"))
        if any(cells):
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(["---"] * width) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _nearest_table(node: LexborNode) -> LexborNode | None:
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent


def _escape(text: str) -> str:
    """A text node's words: white space (line ends of the source included) is one space, as a browser shows it."""
    return re.sub(r"\s+", " ", text)
