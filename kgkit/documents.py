"""Reading source documents: Markdown with YAML/TOML front matter, plain text and HTML, any language.

A :class:`Document` keeps the decoded text exactly (evidence offsets point into it) plus a *masked*
copy of the same length in which markup (front matter, link targets, emphasis, heading marks,
HTML tags) is blanked out, so extraction sees prose while every offset stays valid.

>>> doc = read_document("data/corpus/003_fa5dea81f7911e80.txt")
>>> doc.title, doc.language
('KubeCon / CloudNativeCon Europe 2024 Highlights', 'en')
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import html
import os
import re
import stat
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
SUFFIXES_HELP = "Markdown (.md, .markdown), text (.txt, .text, no extension) and HTML (.html, .htm, .xhtml)"

_FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
# HTML: <meta charset> / <meta http-equiv content="...; charset=..."> in the first 4 KB, or an XML declaration
_CHARSET = re.compile(
    rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)|\A\s*<\?xml[^>]+encoding=["']([A-Za-z0-9_.:-]+)""", re.I
)
# Text and Markdown: an Emacs or Vim mode line in the first two lines (as PEP 263 has it for Python)
_CODING = re.compile(
    rb"\A(?:[^\n]*\n)?[^\n]*?(?:-\*-[^\n]*?\bcoding[:=]\s*([A-Za-z0-9_.-]+)|\bvim?:[^\n]*?\bfileencoding=([A-Za-z0-9_.-]+))"
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


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
    # what is wrong with it but did not stop it being read (a front-matter value of the wrong type, ...)
    warnings: list[DocumentError] = field(default_factory=list)

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


@dataclass(frozen=True)
class Found:
    """A file to read as a document, found under ``root`` (names are relative to it); when ``problem``
    is set, one that cannot be read at all (a broken or looping symbolic link, an unknown extension
    given by name, a directory that cannot be listed)."""

    path: Path
    root: Path
    problem: DocumentError | None = None


@dataclass
class Scan:
    """What :func:`scan_documents` found: documents (sorted by path) and files that are not documents."""

    found: list[Found] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # in folders, with an extension kgkit does not read


def scan_documents(paths: Iterable[str | Path]) -> Scan:
    """Every document under ``paths`` (files or folders), each once, sorted by path.

    Folders are walked recursively, following symbolic links to directories (a link that leads back
    to a folder being walked is reported as a loop, not followed); hidden files and folders are
    skipped. Files with other extensions are ``ignored`` in folders, and a ``problem`` when named.
    InputError if a path does not exist.
    """
    scan = Scan()
    seen: set[str] = set()  # real paths of the files found
    walked: set[tuple[int, int]] = set()  # (device, inode) of the folders walked
    for raw in paths:
        root = Path(raw)
        try:
            st = root.stat()
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR) and not root.is_symlink():
                raise InputError("no such file or directory", path=root) from None
            scan.found.append(Found(root, root.parent, _stat_problem(root, err)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(scan, root, root, {(st.st_dev, st.st_ino): root}, walked, seen)
        else:
            _add_file(scan, root, root.parent, st, seen, named=True)
    scan.found.sort(key=lambda f: str(f.path))
    scan.ignored.sort()
    return scan


def find_documents(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """The readable documents of :func:`scan_documents` as (file, root it was found under)."""
    return [(f.path, f.root) for f in scan_documents(paths).found if f.problem is None]


def _walk(
    scan: Scan,
    root: Path,
    folder: Path,
    ancestors: dict[tuple[int, int], Path],
    walked: set[tuple[int, int]],
    seen: set[str],
) -> None:
    """Add the documents under ``folder`` to ``scan``; ``ancestors`` are the folders above it, by inode."""
    walked.update(ancestors)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        scan.found.append(Found(folder, root, DocumentError(f"cannot list this folder: {err.strerror}", path=folder)))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            st = path.stat()  # follows symbolic links
        except OSError as err:
            if _is_document_name(path):
                scan.found.append(Found(path, root, _stat_problem(path, err)))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                loop = DocumentError(f"symbolic link loop: leads back to {ancestors[key]}", path=path)
                scan.found.append(Found(path, root, loop))
            elif key not in walked:  # a folder reached twice through links is walked once
                _walk(scan, root, path, {**ancestors, key: path}, walked, seen)
        else:
            _add_file(scan, path, root, st, seen, named=False)


def _add_file(scan: Scan, path: Path, root: Path, st: os.stat_result, seen: set[str], *, named: bool) -> None:
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    if not _is_document_name(path):
        if named:
            suffix = path.suffix or path.name
            problem = DocumentError(f"not a kind of document kgkit reads ({suffix}); it reads {SUFFIXES_HELP}",
                                    path=path)
            scan.found.append(Found(path, root, problem))
        else:
            scan.ignored.append(path)
    elif not stat.S_ISREG(st.st_mode):
        scan.found.append(Found(path, root, DocumentError("not a regular file (a pipe, socket or device)", path=path)))
    else:
        scan.found.append(Found(path, root))


def _is_document_name(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def _stat_problem(path: Path, err: OSError) -> DocumentError:
    if err.errno == errno.ELOOP:
        return DocumentError("symbolic link loop", path=path)
    if path.is_symlink() and err.errno in (errno.ENOENT, errno.ENOTDIR):
        try:
            target = f"to {os.readlink(path)}, which does not exist"
        except OSError:
            target = "its target does not exist"
        return DocumentError(f"broken symbolic link ({target})", path=path)
    return DocumentError(f"cannot read: {err.strerror or err}", path=path)


def read_document(path: str | Path, root: str | Path | None = None) -> Document:
    """Read and decode one document; DocumentError (naming the file, and the line where known) when it
    cannot be used. What is odd but usable (a front-matter value of the wrong type) is in ``warnings``."""
    p = Path(path)
    data = _read_bytes(p)
    kind = "html" if p.suffix.lower() in HTML_SUFFIXES else "markdown"
    warnings: list[DocumentError] = []
    text = _decode(data, p, html=kind == "html", warnings=warnings)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DocumentError("binary file, not a text document (it contains NUL bytes)", path=p, line=line)
    if not text.strip():
        raise DocumentError("empty document", path=p)
    meta: dict[str, Any] = {}
    if kind == "html":
        text, meta = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta_lines: dict[str, int] = {}
    body_start = 0
    m = _FRONT.match(text)
    if m:
        meta, meta_lines = _parse_front_matter(m.group(1), m.group(2), p)
        warnings += _check_front_matter(meta, meta_lines, p)
        body_start = m.end()
    elif kind != "html" and not re.search(r"^#{1,6} |\[[^\]]+\]\([^)]+\)", text, re.M):
        kind = "text"
    name, doc_id = document_name(p, root)
    doc = Document(
        id=doc_id,
        path=p,
        name=name,
        text=text,
        masked=mask_markup(text, body_start),
        meta=meta,
        meta_lines=meta_lines,
        body_start=body_start,
        kind=kind,
        content_hash=hashlib.sha256(data).hexdigest(),
        warnings=warnings,
    )
    _fill_metadata(doc)
    return doc


def document_name(path: str | Path, root: str | Path | None = None) -> tuple[str, str]:
    """(name, id) of a document: its path relative to ``root``, and the IRI-safe id made from it.

    >>> document_name("data/corpus/003_fa5dea81f7911e80.txt", "data/corpus")
    ('003_fa5dea81f7911e80.txt', '003-fa5dea81f7911e80')
    """
    p = Path(path)
    name = str(p.relative_to(root)) if root and p.is_relative_to(root) else p.name
    return name, slug(Path(name).with_suffix("").as_posix(), 120)


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a document file (DocumentError if it is not a readable regular file, or too large)."""
    return _read_bytes(Path(path))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; DocumentError if it is not a readable regular file of at most MAX_BYTES."""
    limit = f"the limit is {MAX_BYTES // 2**20} MB"
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise DocumentError("is a directory, not a document", path=path)
        if not stat.S_ISREG(st.st_mode):  # reading a pipe could wait for ever
            raise DocumentError("not a regular file (a pipe, socket or device)", path=path)
        if st.st_size > MAX_BYTES:
            raise DocumentError(f"too large ({st.st_size / 2**20:.0f} MB; {limit})", path=path)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # files such as /proc ones report size 0
    except OSError as err:
        raise _stat_problem(path, err) from None
    if len(data) > MAX_BYTES:
        raise DocumentError(f"too large (more than {limit})", path=path)
    return data


# ------------------------------------------------------------------------------------------ decoding
def _decode(data: bytes, path: Path, *, html: bool, warnings: list[DocumentError]) -> str:
    """The text of ``data``: a byte-order mark, else the declared encoding, else UTF-8.

    HTML declares its encoding with ``<meta charset>`` (or an XML declaration), text and Markdown with
    an Emacs/Vim mode line (``-*- coding: latin-1 -*-``) in the first two lines.
    """
    bom = next((codec for mark, codec in _BOMS if data.startswith(mark)), None)
    declared_line: int | None = None
    skipped = 0
    if bom == "utf-8-sig":
        encoding, skipped = "utf-8", 3
    elif bom is not None:
        encoding = bom  # the UTF-16 and UTF-32 codecs read the mark themselves
    else:
        if b"\x00" in data[:4096]:
            raise DocumentError("binary file, not a text document", path=path)
        declared = (_CHARSET if html else _CODING).search(data[:4096] if html else data[:400])
        name = next((g.decode("ascii") for g in (declared.groups() if declared else ()) if g), None)
        encoding = "utf-8"
        if declared is not None and name is not None:
            line = data[: declared.start()].count(b"\n") + 1
            usable = _declared_encoding(name, path, line, warnings)
            if usable is not None:
                encoding, declared_line = usable, line
    try:
        return data[skipped:].decode(encoding)
    except UnicodeDecodeError as err:
        offset = err.start + skipped
        line = data[:offset].count(b"\n") + 1
        how = f" as declared on line {declared_line}" if declared_line else ""
        raise DocumentError(
            f"not valid {encoding}{how} (byte 0x{data[offset]:02x} at offset {offset}); "
            "declare the right encoding or convert the file to UTF-8",
            path=path,
            line=line,
        ) from None
    except (UnicodeError, LookupError, ValueError) as err:
        raise DocumentError(f"cannot be decoded as {encoding}: {err}", path=path, line=declared_line) from None


def _declared_encoding(name: str, path: Path, line: int, warnings: list[DocumentError]) -> str | None:
    """The codec a document declares; None (and a warning) if that cannot be how it is written."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise DocumentError(f"declares an unknown encoding {name!r}", path=path, line=line) from None
    probe = b"<meta charset=x>\n"
    try:
        compatible = codec._is_text_encoding and probe.decode(codec.name) == probe.decode("ascii")
    except (UnicodeError, LookupError, ValueError):
        compatible = False
    if not compatible:  # the declaration was readable as ASCII, so the file is not in UTF-16, EBCDIC, ...
        warnings.append(
            DocumentError(f"declares the encoding {name!r}, which it cannot be written in; read as UTF-8",
                          path=path, line=line)
        )
        return None
    return codec.name


# ------------------------------------------------------------------------------------------ front matter
class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date-like value which is no date (2024-13-45) stays a string."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class _FastFrontMatterLoader(getattr(yaml, "CSafeLoader", _FrontMatterLoader)):  # type: ignore[misc]
    """The same on libyaml's scanner and parser: ~5x faster. Used for front matter that parses; what
    does not is parsed again by :class:`_FrontMatterLoader`, whose messages (and line numbers) the
    error reports quote."""


_FastFrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_YAML_FAILURES = (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError)


def _load_yaml(block: str) -> Any:
    """``block`` parsed by libyaml; if that fails, by the pure-Python loader, whose error is raised."""
    try:
        return yaml.load(block, Loader=_FastFrontMatterLoader)  # a SafeLoader
    except _YAML_FAILURES:
        return yaml.load(block, Loader=_FrontMatterLoader)  # a SafeLoader


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _parse_front_matter(fence: str, block: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        meta = tomllib.loads(block) if fence == "+++" else _load_yaml(block)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DocumentError(f"broken YAML front matter: {problem}", path=path, line=line) from None
    except tomllib.TOMLDecodeError as err:
        where = _TOML_WHERE.search(str(err))
        problem = _TOML_WHERE.sub(lambda m: f" (column {m.group(2)})", str(err))
        line = int(where.group(1)) + 1 if where else None
        if "(at end of document)" in problem:
            problem, line = problem.replace(" (at end of document)", " at the end"), block.count("\n") + 2
        raise DocumentError(f"broken TOML front matter: {problem}", path=path, line=line) from None
    except RecursionError:
        raise DocumentError("broken front matter: nested too deeply", path=path, line=2) from None
    except (ValueError, TypeError, OverflowError) as err:
        raise DocumentError(f"broken front matter: {err}", path=path, line=2) from None
    return _front_matter_lines(meta, block, path)


def _front_matter_lines(meta: Any, block: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The parsed front matter as a mapping, and the line of each top-level key."""
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


def _check_front_matter(meta: dict[str, Any], lines: dict[str, int], path: Path) -> list[DocumentError]:
    """Drop (with a warning each) the front-matter values kgkit reads that have the wrong type."""
    warnings: list[DocumentError] = []

    def drop(key: str, why: str) -> None:
        warnings.append(DocumentError(f"front matter {key}: {why}; ignored", path=path, line=lines.get(key)))
        del meta[key]

    for key in ("title", "description", "summary"):
        value = meta.get(key)
        if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
            meta[key] = str(value)
        elif value is not None and not isinstance(value, str):
            drop(key, f"expected text, not {_kind(value)}")
    for key in _DATE_KEYS:
        value = meta.get(key)
        if value is not None and parse_date(value) is None:
            drop(key, f"{_show(value)} is not a date")
    for key in _AUTHOR_KEYS:
        value = meta.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        good = [item for item in items if _author_name(item) is not None]
        if len(good) < len(items):
            bad = next(item for item in items if _author_name(item) is None)
            drop(key, f"expected a name, a list of names or objects with a name, not {_kind(bad)}")
            if good:
                meta[key] = good
    for key in ("lang", "language", "locale"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, str) and _LANG_TAG.fullmatch(value.strip())):
            drop(key, f"{_show(value)} is not a language tag such as en or de-CH")
    return warnings


def _author_name(item: Any) -> str | None:
    name = item.get("name") or item.get("title") if isinstance(item, dict) else item
    return name if isinstance(name, str) else None


def _kind(value: Any) -> str:
    kinds = {list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}
    return kinds.get(type(value), f"{_show(value)}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
    'See  Backstage                         now'
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
    if isinstance(declared, str) and _LANG_TAG.fullmatch(declared.strip()):
        return declared.strip().replace("_", "-").split("-")[0].lower()
    body = re.sub(r"\s+", " ", doc.masked[doc.body_start :])
    letters = len(re.findall(r"\w", body)) or 1
    counts = {code: len(re.findall(pat, body)) for code, pat in _SCRIPTS}
    if counts["ja"] > 20:
        return "ja"
    code, n = max(counts.items(), key=lambda kv: kv[1])
    if n / letters > 0.15:
        return code
    guess = _function_words(body[:20000])
    if guess:
        return guess
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        return str(detect(body[:5000])).split("-")[0]
    except (ImportError, LangDetectException):
        return "en"


# The commonest function words of the Latin-script languages write-ups come in: a clear majority of
# them decides the language in microseconds; otherwise the (slower, n-gram) detector does.
_FUNCTION_WORDS = {
    "en": "the and of to in is that for with on are this was as be by it at from we have",
    "de": "der die und das ist nicht mit den von zu ein eine auch auf für sich dem wir sind",
    "fr": "le la les et des est un une du pour dans que sur pas qui avec au nous sont par",
    "es": "el la los las y de que en un una es por con para del se al como más sus",
    "it": "il di che la e per un una non sono del della con gli nel anche come alla",
    "pt": "o os as e de que em um uma para com não do da dos das por mais se",
    "nl": "de het een en van is dat op te niet met voor zijn ook aan er als bij",
}
_FUNCTION_SETS = {code: set(words.split()) for code, words in _FUNCTION_WORDS.items()}


def _function_words(text: str) -> str | None:
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    scores = sorted(((sum(w in vocab for w in words), code) for code, vocab in _FUNCTION_SETS.items()), reverse=True)
    (best, code), (second, _) = scores[0], scores[1]
    return code if best >= 8 and best >= 2 * second else None
