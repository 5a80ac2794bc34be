"""Reading one document: its bytes decoded, its front matter parsed, its metadata filled in.

>>> doc = read_document("data/corpus/003_fa5dea81f7911e80.txt")
>>> doc.title, doc.language
('KubeCon / CloudNativeCon Europe 2024 Highlights', 'en')
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from kgkit.documents.decode import decode, read_bytes
from kgkit.documents.document import Document, document_name
from kgkit.documents.frontmatter import FRONT, check_front_matter, parse_front_matter
from kgkit.documents.kinds import READERS
from kgkit.documents.markup import mask_markup
from kgkit.documents.metadata import fill_metadata
from kgkit.errors import DocumentError


def read_document(path: str | Path, root: str | Path | None = None, *, data: bytes | None = None) -> Document:
    """Read and decode one document; DocumentError (naming the file, and the line where known) when it
    cannot be used. What is odd but usable (a front-matter value of the wrong type) is in ``warnings``.

    ``data``, when given, is the file's bytes, read elsewhere (a build on a cluster sends them to the
    worker): ``path`` then only names the document, and is not opened."""
    p = Path(path)
    data = read_bytes(p) if data is None else data
    reader = READERS.get(p.suffix.lower(), READERS[""])
    kind = reader.kind
    warnings: list[DocumentError] = []
    text = decode(data, p, html=reader.html, warnings=warnings)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DocumentError("binary file, not a text document (it contains NUL bytes)", path=p, line=line)
    if not text.strip():
        raise DocumentError("empty document", path=p)
    meta: dict[str, Any] = {}
    if reader.to_text is not None:
        text, meta = reader.to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta_lines: dict[str, int] = {}
    body_start = 0
    m = FRONT.match(text)
    if m:
        meta, meta_lines = parse_front_matter(m.group(1), m.group(2), p)
        warnings += check_front_matter(meta, meta_lines, p)
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
    fill_metadata(doc)
    return doc
