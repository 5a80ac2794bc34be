"""Reading source documents: Markdown with YAML/TOML front matter, plain text and HTML, any language.

A :class:`Document` keeps the decoded text exactly (evidence offsets point into it) plus a *masked*
copy of the same length in which markup (front matter, link targets, emphasis, heading marks,
HTML tags) is blanked out, so extraction sees prose while every offset stays valid.

>>> doc = read_document("data/corpus/003_fa5dea81f7911e80.txt")  # doctest: +SKIP
>>> doc.title, doc.language                                       # doctest: +SKIP
('KubeCon / CloudNativeCon Europe 2024 Highlights', 'en')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import yaml

from kgkit.errors import DocumentError, InputError
from kgkit.terms import slug

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024

_FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
_CHARSET = re.compile(
    rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)|^\s*<\?xml[^>]+encoding=["']([A-Za-z0-9_.:-]+)""", re.I | re.M
)
_CODING = re.compile(rb"\A[^\n]*(?:-\*-\s*coding|encoding)[:=]\s*([A-Za-z0-9_.-]+)")


@dataclass
class Document:
    """One source document, decoded, with its front matter and metadata."""

    id: str  # stable identifier used in IRIs, from the file name
    path: Path
    name: str  # path relative to the build input (what the graph records)
    text: str  # the whole decoded text; evidence offsets point into it
    masked: str  # same length as text, markup blanked out
    meta: dict[str, Any]  # front matter (or HTML <meta>)
    meta_lines: dict[str, int]  # front-matter key -> 1-based line number
    body_start: int  # offset where the body (after front matter) starts
    kind: str  # "markdown", "text" or "html"
    language: str = "en"
    title: str | None = None
    title_span: tuple[int, int] | None = None
    description: str | None = None
    authors: list[tuple[str, tuple[int, int] | None, str | None]] = field(default_factory=list)
    date: dt.date | None = None
    content_hash: str = ""

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, offset) + 1

    def line_span(self, line: int) -> tuple[int, int]:
        """Character span of a 1-based line (without its newline)."""
        start = 0
        for _ in range(line - 1):
            start = self.text.index("\n", start) + 1
        end = self.text.find("\n", start)
        return start, len(self.text) if end < 0 else end


def find_documents(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Every document file under ``paths`` as (file, root it was found under), sorted, no duplicates."""
    found: dict[Path, Path] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for f in sorted(root.rglob("*")):
                rel = f.relative_to(root)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES:
                    found.setdefault(f.resolve(), root)
        elif root.is_file():
            found.setdefault(root.resolve(), root.parent)
        else:
            raise InputError("no such file or directory", path=root)
    return sorted(((f, r) for f, r in found.items()), key=lambda fr: str(fr[0]))


def read_document(path: str | Path, root: str | Path | None = None) -> Document:
    """Read and decode one document; DocumentError (naming the file) when it cannot be used."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise DocumentError(f"cannot read: {err.strerror or err}", path=p) from None
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"too large ({len(data) // 1_000_000} MB; the limit is {MAX_BYTES // 1_000_000} MB)", path=p
        )
    if b"\x00" in data[:4096]:
        raise DocumentError("binary file, not a text document", path=p)
    text = _decode(data, p)
    if not text.strip():
        raise DocumentError("empty document", path=p)
    kind = "html" if p.suffix.lower() in HTML_SUFFIXES else "markdown"
    meta: dict[str, Any] = {}
    if kind == "html":
        text, meta = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta_lines: dict[str, int] = {}
    body_start = 0
    m = _FRONT.match(text)
    if m:
        meta, meta_lines = _parse_front_matter(m.group(1), m.group(2), p)
        body_start = m.end()
    elif kind != "html" and not re.search(r"^#{1,6} |\[[^\]]+\]\([^)]+\)", text, re.M):
        kind = "text"
    name = str(p.relative_to(root)) if root and p.is_relative_to(root) else p.name
    doc = Document(
        id=slug(Path(name).with_suffix("").as_posix(), 120),
        path=p,
        name=name,
        text=text,
        masked=mask_markup(text, body_start),
        meta=meta,
        meta_lines=meta_lines,
        body_start=body_start,
        kind=kind,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    _fill_metadata(doc)
    return doc


# ------------------------------------------------------------------------------------------ decoding
def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    declared = _CHARSET.search(data[:4096]) or _CODING.search(data[:200])
    encoding = next((g.decode("ascii") for g in (declared.groups() if declared else ()) if g), "utf-8")
    try:
        return data.decode(encoding)
    except LookupError:
        raise DocumentError(f"declares an unknown encoding {encoding!r}", path=path) from None
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DocumentError(
            f"not valid {encoding} (byte {err.start}); declare the encoding or convert to UTF-8", path=path, line=line
        ) from None


def _parse_front_matter(fence: str, block: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        meta = tomllib.loads(block) if fence == "+++" else yaml.safe_load(block)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DocumentError(f"broken YAML front matter: {problem}", path=path, line=line) from None
    except tomllib.TOMLDecodeError as err:
        raise DocumentError(f"broken TOML front matter: {err}", path=path) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("front matter is not a mapping of keys to values", path=path, line=2)
    lines: dict[str, int] = {}
    for i, line in enumerate(block.split("\n"), start=2):
        km = re.match(r"^([A-Za-z_][\w-]*)\s*[:=]", line)
        if km and km.group(1) not in lines:
            lines[km.group(1)] = i
    return {str(k): v for k, v in meta.items()}, lines


# ------------------------------------------------------------------------------------------ masking
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\(([^)\n]*)\)")
_MASKS = [
    re.compile(r"<[a-zA-Z/!][^>\n]*>"),  # inline HTML tags
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r"^\s{0,3}#{1,6}(?=\s)", re.M),  # heading marks
    re.compile(r"^\s*(?:[*+-]|\d+[.)])(?=\s)", re.M),  # list bullets
    re.compile(r"\*\*|__|`+|^>+", re.M),  # emphasis, code ticks, quote marks
]


def mask_markup(text: str, body_start: int = 0) -> str:
    """Blank out markup so that offsets into the result are offsets into ``text``.

    >>> mask_markup("See [Backstage](https://backstage.io/) now")
    'See  Backstage                          now'
    """
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    blank(0, body_start)
    for m in _IMAGE.finditer(text, body_start):
        blank(m.start(), m.end())
    for m in _LINK.finditer(text, body_start):
        blank(m.start(), m.start() + 1)  # "["
        blank(m.end(1), m.end())  # "](target)"
    for pattern in _MASKS:
        for m in pattern.finditer(text, body_start):
            blank(m.start(), m.end())
    return "".join(chars)


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


# ------------------------------------------------------------------------------------------ metadata
_DATE_KEYS = ("date", "publishdate", "publishDate", "published", "pubDate", "created")
_AUTHOR_KEYS = ("authors", "author", "by")
_BYLINE = re.compile(
    r"^(?:Picture of |Photo of |By |Written by |Author: ?|Posted by )"
    r"(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})[ \t]*$",
    re.M,
)
_TEXT_DATE = re.compile(
    r"(?:Last Updated|Updated|Published|Posted(?: on)?|Date)\s*:?\s*"
    r"(?P<d>\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{2}-\d{2}|[A-Z][a-z]+ \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
)


def _fill_metadata(doc: Document) -> None:
    meta = doc.meta
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        doc.title = title.strip()
        line = doc.meta_lines.get("title")
        doc.title_span = doc.line_span(line) if line else None
    else:
        m = re.search(r"^#\s+(.+)$", doc.text[doc.body_start :], re.M)
        m = m or re.search(r"^\s*(\S.*)$", doc.text[doc.body_start :], re.M)
        if m:
            doc.title = re.sub(r"[*_`#]", "", m.group(1)).strip()
            start = doc.body_start + m.start(1)
            doc.title_span = (start, doc.body_start + m.end(1))
    desc = meta.get("description") or meta.get("summary")
    doc.description = desc.strip() if isinstance(desc, str) else None
    doc.authors = _authors(doc)
    doc.date = _date(doc)
    doc.language = detect_language(doc)


def _authors(doc: Document) -> list[tuple[str, tuple[int, int] | None, str | None]]:
    out: list[tuple[str, tuple[int, int] | None, str | None]] = []
    for key in _AUTHOR_KEYS:
        value = doc.meta.get(key)
        if value is None:
            continue
        line = doc.meta_lines.get(key)
        span = doc.line_span(line) if line else None
        items = value if isinstance(value, list) else [value]
        for item in items:
            name = item.get("name") or item.get("title") if isinstance(item, dict) else item
            if not isinstance(name, str):
                continue
            for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", name):
                if part.strip() and not any(part.strip() == a for a, _, _ in out):
                    out.append((part.strip(), span, None))
        if out:
            return out
    head = doc.masked[doc.body_start : doc.body_start + 1500]
    for m in _BYLINE.finditer(head):
        name = m.group("name")
        start = doc.body_start + m.start("name")
        rest = head[m.end() :].lstrip("\n").split("\n")
        role = None
        # "Picture of Name" / "Name" / "Role": the line after a repeated name is the role
        if rest and rest[0].strip() == name and len(rest) > 1 and 0 < len(rest[1].strip()) < 60:
            role = rest[1].strip() if not re.search(r"\d|:", rest[1]) else None
        out.append((name, (start, start + len(name)), role))
        break
    return out


def _date(doc: Document) -> dt.date | None:
    for key in _DATE_KEYS:
        value = doc.meta.get(key)
        if value is not None:
            parsed = parse_date(value)
            if parsed:
                return parsed
    m = _TEXT_DATE.search(doc.masked[doc.body_start : doc.body_start + 3000])
    return parse_date(m.group("d")) if m else None


def parse_date(value: Any) -> dt.date | None:
    """A date from front-matter values or common written forms; None if it is not a date.

    >>> parse_date("22.03.2024"), parse_date("2024-05-30 10:00:00 +0000")
    (datetime.date(2024, 3, 22), datetime.date(2024, 5, 30))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", s)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        for fmt in ("%B %d, %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y"):
            try:
                return dt.datetime.strptime(s, fmt).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


# ------------------------------------------------------------------------------------------ language
_SCRIPTS = [
    ("zh", r"[\u4e00-\u9fff]"),
    ("ja", r"[\u3040-\u30ff]"),
    ("ko", r"[\uac00-\ud7af]"),
    ("ru", r"[\u0400-\u04ff]"),
    ("el", r"[\u0370-\u03ff]"),
    ("ar", r"[\u0600-\u06ff]"),
    ("he", r"[\u0590-\u05ff]"),
]


def detect_language(doc: Document) -> str:
    """BCP-47 code: declared in front matter / HTML, else from the script, else a seeded detector."""
    declared = doc.meta.get("lang") or doc.meta.get("language") or doc.meta.get("locale")
    if isinstance(declared, str) and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", declared.strip()):
        return declared.strip().replace("_", "-").split("-")[0].lower()
    body = re.sub(r"\s+", " ", doc.masked[doc.body_start :])
    letters = len(re.findall(r"\w", body)) or 1
    counts = {code: len(re.findall(pat, body)) for code, pat in _SCRIPTS}
    if counts["ja"] > 20:
        return "ja"
    code, n = max(counts.items(), key=lambda kv: kv[1])
    if n / letters > 0.15:
        return code
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        return str(detect(body[:5000])).split("-")[0]
    except (ImportError, LangDetectException):
        return "en"
