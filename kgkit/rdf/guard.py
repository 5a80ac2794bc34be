"""Checks on an RDF file before any parser reads it, against input made to attack: compressed data
(a "zip bomb" renamed ``.ttl``), RDF/XML entities (external ones: XXE; ones that expand to
gigabytes: "billion laughs"), lines too long for a statement, files too large for rdflib's memory.

kgkit never decompresses input and never lets an XML parser read an external entity or expand an
entity into another: such a file is an InputError naming what was found, before any parser runs.

>>> check_head(b"\\x1f\\x8b\\x08\\x00", "turtle")
Traceback (most recent call last):
...
kgkit.errors.InputError: gzip-compressed data, not turtle: decompress it first (kgkit never decompresses input)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kgkit.errors import InputError

#: The longest line (statement) of N-Triples, N-Quads, Turtle or TriG kgkit reads: Oxigraph's own limit
MAX_STATEMENT_BYTES = 16 * 1024 * 1024
#: The largest file rdflib (which holds ~1 KB per triple in memory) is given to read
MAX_RDFLIB_BYTES = 512 * 1024 * 1024
#: How much text the internal entities of an RDF/XML file may add when expanded
MAX_ENTITY_EXPANSION = 1024 * 1024
#: How far into an RDF/XML file its DTD may reach
MAX_PROLOG_BYTES = 1024 * 1024

_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)
_LINE_FORMATS = ("nt", "nquads", "turtle", "trig")


def check_file(file: Path, fmt_name: str) -> None:
    """InputError if ``file`` (to be read as ``fmt_name``) is compressed, or RDF/XML with entities
    kgkit refuses; cheap (reads the head of the file, all of it only for RDF/XML with a DTD)."""
    try:
        with open(file, "rb") as fh:
            head = fh.read(MAX_PROLOG_BYTES)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=file) from None
    try:
        check_head(head, fmt_name)
        if fmt_name == "xml" and b"<!DOCTYPE" in head:
            check_dtd(head, file)
    except InputError as err:
        raise InputError(err.message, path=file) from None


def check_head(head: bytes, fmt_name: str) -> None:
    """InputError if ``head`` (the first bytes of a file) starts like compressed data."""
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise InputError(
                f"{kind}-compressed data, not {fmt_name}: decompress it first (kgkit never decompresses input)"
            )


_DOCTYPE = re.compile(rb"<!DOCTYPE\b")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s%\"'>]+)\s*(?:(SYSTEM|PUBLIC)\b[^>]*|\"([^\"]*)\"|'([^']*)')\s*>")
_ENTITY_REF = re.compile(rb"&(?!#)[^;\s]+;")


def check_dtd(head: bytes, file: Path | None = None) -> None:
    """InputError for an RDF/XML DTD that declares an external or parameter entity, an entity that
    refers to another (how "billion laughs" multiplies), or internal entities that would add more than
    MAX_ENTITY_EXPANSION characters when expanded. Plain internal entities, as ontology editors write
    for namespaces (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``), are fine.

    >>> check_dtd(b'<!DOCTYPE r [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]><r>&x;</r>')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kgkit.errors.InputError: its DTD declares the external entity x (SYSTEM "file:///etc/passwd"): ...
    """
    start = _DOCTYPE.search(head)
    if start is None:
        return
    end = _subset_end(head, start.end())
    if end is None:
        raise InputError(f"its DTD does not end within its first {MAX_PROLOG_BYTES // 1024} KB")
    subset = head[start.end() : end]
    values: dict[bytes, bytes] = {}
    for m in _ENTITY.finditer(subset):
        parameter, name, external = m.group(1), m.group(2), m.group(3)
        shown = name.decode("utf-8", "replace")
        if external:
            where = " ".join(m.group(0)[m.start(3) - m.start() : -1].decode("utf-8", "replace").split())[:100]
            raise InputError(
                f"its DTD declares the external entity {shown} ({where}): kgkit never reads external entities"
            )
        if parameter:
            raise InputError(f"its DTD declares the parameter entity %{shown}: kgkit refuses parameter entities")
        value = m.group(4) if m.group(4) is not None else m.group(5) or b""
        if _ENTITY_REF.search(value):
            raise InputError(
                f"its DTD declares the entity {shown} in terms of other entities (how an entity expansion "
                "such as \"billion laughs\" grows): refused"
            )
        values[name] = value
    if b"<!ENTITY" in subset and len(values) < subset.count(b"<!ENTITY"):
        raise InputError("its DTD declares an entity kgkit cannot read: refused")
    if not values:
        return
    body = head if file is None else _whole(file, head)
    added = sum(len(values.get(ref[1:-1], b"")) for ref in _ENTITY_REF.findall(body))
    if added > MAX_ENTITY_EXPANSION:
        raise InputError(
            f"its entities would add {added / 2**20:.0f} MB when expanded (the limit is "
            f"{MAX_ENTITY_EXPANSION // 2**20} MB): refused"
        )


def _subset_end(head: bytes, at: int) -> int | None:
    """Where the DOCTYPE declaration beginning before ``at`` ends (its ``>``), skipping quoted text
    and its internal subset; None if not within ``head``."""
    quote: int | None = None
    depth = 0
    for i in range(at, len(head)):
        c = head[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in b"\"'":
            quote = c
        elif c == ord("["):
            depth += 1
        elif c == ord("]"):
            depth -= 1
        elif c == ord(">") and depth <= 0:
            return i
    return None


def _whole(file: Path, head: bytes) -> bytes:
    if len(head) < MAX_PROLOG_BYTES:
        return head
    with open(file, "rb") as fh:
        return fh.read(MAX_RDFLIB_BYTES)


def check_for_rdflib(file: Path, fmt_name: str) -> None:
    """InputError if ``file`` is too large for rdflib to hold, or (for the line-based formats) has a
    line longer than MAX_STATEMENT_BYTES: rdflib's parsers take minutes or all memory on those."""
    try:
        size = os.stat(file).st_size
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=file) from None
    if size > MAX_RDFLIB_BYTES:
        raise InputError(
            f"too large to read into memory with rdflib ({size / 2**20:.0f} MB; the limit is "
            f"{MAX_RDFLIB_BYTES // 2**20} MB): use the Oxigraph store (--store oxigraph) where the command has it",
            path=file,
        )
    if fmt_name not in _LINE_FORMATS or size <= MAX_STATEMENT_BYTES:
        return
    line, carry = 1, b""
    with open(file, "rb") as fh:
        while block := fh.read(1 << 22):
            lines = (carry + block).split(b"\n")
            carry = lines.pop()
            if len(carry) > MAX_STATEMENT_BYTES or (lines and max(map(len, lines)) > MAX_STATEMENT_BYTES):
                line += next((i for i, text in enumerate(lines) if len(text) > MAX_STATEMENT_BYTES), len(lines))
                raise InputError(
                    f"a line longer than {MAX_STATEMENT_BYTES // 2**20} MB (a statement or literal this large "
                    "is refused)",
                    path=file,
                    line=line,
                )
            line += len(lines)


def oxigraph_limit(err: MemoryError) -> bool:
    """Is ``err`` Oxigraph's refusal of a statement larger than its buffer (not the system out of memory)?"""
    return "buffer maximal size" in str(err)


OXIGRAPH_LIMIT_MESSAGE = f"a statement longer than {MAX_STATEMENT_BYTES // 2**20} MB (Oxigraph's limit): refused"
