"""The kinds of document kgkit reads: one reader per kind, chosen by file suffix.

>>> READERS[".htm"].kind, READERS[".md"].kind, READERS[""].kind
('html', 'markdown', 'markdown')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kgkit.documents.html import html_to_text


@dataclass(frozen=True)
class Reader:
    """How one kind of document becomes text: ``kind`` is what the Document records ("markdown" becomes
    "text" when the file has no Markdown structure), ``html`` says the encoding is declared the HTML way
    (``<meta charset>``) rather than by a mode line, ``to_text`` turns the decoded file into the text
    extraction reads and the metadata found on the way (None: the text as it is)."""

    kind: str
    suffixes: tuple[str, ...]
    html: bool = False
    to_text: Callable[[str], tuple[str, dict[str, Any]]] | None = None


_KINDS = (
    Reader("markdown", (".md", ".markdown", ".txt", ".text", "")),
    Reader("html", (".html", ".htm", ".xhtml"), html=True, to_text=html_to_text),
)
#: The reader of each suffix (lower case; "" for a file without one).
READERS: dict[str, Reader] = {suffix: reader for reader in _KINDS for suffix in reader.suffixes}
DOCUMENT_SUFFIXES = frozenset(READERS)
SUFFIXES_HELP = "Markdown (.md, .markdown), text (.txt, .text, no extension) and HTML (.html, .htm, .xhtml)"
