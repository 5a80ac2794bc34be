"""A source document, decoded: its exact text, a masked copy for extraction, its front matter and metadata."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgkit.errors import DocumentError
from kgkit.rdf.terms import slug


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


def document_name(path: str | Path, root: str | Path | None = None) -> tuple[str, str]:
    """(name, id) of a document: its path relative to ``root``, and the IRI-safe id made from it.

    >>> document_name("data/corpus/003_fa5dea81f7911e80.txt", "data/corpus")
    ('003_fa5dea81f7911e80.txt', '003-fa5dea81f7911e80')
    """
    p = Path(path)
    name = str(p.relative_to(root)) if root and p.is_relative_to(root) else p.name
    return name, slug(Path(name).with_suffix("").as_posix(), 120)
