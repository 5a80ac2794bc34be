"""HTML pages as Markdown-like text, with their metadata (title, author, date, description, lang)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any, ClassVar


# ------------------------------------------------------------------------------------------ HTML
class _HtmlText(HTMLParser):
    """HTML to Markdown-like text: headings become '#' lines, links '[text](href)', blocks new lines."""

    BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "section",
        "article",
        "br",
        "tr",
        "table",
        "ul",
        "ol",
        "header",
        "footer",
        "main",
        "blockquote",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "hr",
        "nav",
        "aside",
    }
    SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template", "svg", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.meta: dict[str, Any] = {}
        self.skip = 0
        self.href: list[str | None] = []
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html" and a.get("lang"):
            self.meta["lang"] = a["lang"]
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            key = (a.get("name") or a.get("property") or "").lower()
            value = a.get("content")
            targets = {
                "author": "author",
                "description": "description",
                "og:title": "title",
                "article:published_time": "date",
                "date": "date",
                "og:description": "description",
            }
            if key in targets and value and targets[key] not in self.meta:
                self.meta[targets[key]] = value
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n* ")
        elif tag == "a":
            self.href.append(a.get("href"))
            self.out.append("[")
        elif tag == "time" and a.get("datetime") and "date" not in self.meta:
            self.meta["date"] = a["datetime"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCK:
            self.out.append("\n\n")
        elif tag == "a" and self.href:
            href = self.href.pop()
            self.out.append(f"]({href})" if href and not href.startswith("#") else "]")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(source: str) -> tuple[str, dict[str, Any]]:
    """Markdown-like text and metadata (title, author, date, description, lang) of an HTML page."""
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"\[\s*\]", "", text)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    meta = dict(parser.meta)
    if parser.title.strip() and "title" not in meta:
        meta["title"] = html.unescape(parser.title.strip())
    return text, meta
