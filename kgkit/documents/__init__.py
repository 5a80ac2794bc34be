"""Reading source documents: Markdown with YAML/TOML front matter, plain text and HTML, any language.

A :class:`Document` keeps the decoded text exactly (evidence offsets point into it) plus a *masked*
copy of the same length in which markup is blanked out, so extraction sees prose while every offset
stays valid. One reader per kind of document, chosen by suffix (:data:`~kgkit.documents.kinds.READERS`).

>>> doc = read_document("data/corpus/003_fa5dea81f7911e80.txt")
>>> doc.title, doc.language
('KubeCon / CloudNativeCon Europe 2024 Highlights', 'en')
"""

from kgkit.documents.decode import MAX_BYTES, read_bytes
from kgkit.documents.document import Document, document_name
from kgkit.documents.kinds import DOCUMENT_SUFFIXES, SUFFIXES_HELP
from kgkit.documents.read import read_document
from kgkit.documents.scan import Found, Scan, find_documents, scan_documents

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_BYTES",
    "SUFFIXES_HELP",
    "Document",
    "Found",
    "Scan",
    "document_name",
    "find_documents",
    "read_bytes",
    "read_document",
    "scan_documents",
]
