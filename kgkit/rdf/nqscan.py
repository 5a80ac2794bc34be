"""Statements per graph of an N-Quads file, counted from its lines without parsing them into terms.

``kgkit load`` sends an N-Quads file to a store as it is and checks the store's counts against
these. A line is one statement (N-Quads has no multi-line syntax); its graph name is its last
term when that is an IRI with three terms before it. A line this scan cannot be sure of (a blank
node or an escape in a graph name, a comment after the statement) makes :func:`count_graphs`
answer None, and the caller parses the file instead.

>>> import tempfile, os
>>> with tempfile.NamedTemporaryFile("wb", suffix=".nq", delete=False) as fh:
...     _ = fh.write(b'<s> <p> "a b" <http://g> .\\n<s> <p> <o> .\\n# a comment\\n<s> <q> <o> <http://g> .\\n')
>>> count_graphs(fh.name)
{'http://g': 2, None: 1}
>>> os.unlink(fh.name)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

CHUNK_BYTES = 1 << 23
#: Bytes at the head of a file that tell whether its lines can be counted here
SNIFF_BYTES = 1 << 20
_SKIP = b"#"  # a blank or comment line
_UNSURE = b"?"  # a line this scan cannot count


def graph_token(line: bytes) -> bytes:
    """The graph name of one N-Quads line as written (``b"<http://g>"``), ``b""`` for the default
    graph, ``b"#"`` for a blank or comment line and ``b"?"`` for a line it cannot be sure of.

    >>> [graph_token(x) for x in (b'<s> <p> "x" <g> .', b'<s> <p> <o> .', b'_:b <p> _:o .', b'<s> <p> <o> _:g .')]
    [b'<g>', b'', b'', b'?']
    """
    body = line.rstrip(b" \t\r\n")
    if not body.strip() or body.lstrip()[:1] == b"#":
        return _SKIP
    if body[-1:] != b".":
        return _UNSURE
    body = body[:-1].rstrip(b" \t")
    cut = max(body.rfind(b" "), body.rfind(b"\t"))
    last = body[cut + 1 :]
    if last[:1] not in (b"<", b"_") or b'"' in last:  # a literal (or its datatype or language) ends it
        return b""
    if len(body[:cut].split(None, 2)) < 3:  # subject, predicate and an IRI or blank node object
        return b""
    return last if last[:1] == b"<" and b"\\" not in last else _UNSURE


def fourth_term_at(line: bytes) -> int:
    """Where the fourth term (the graph name) of an N-Quads line written as Oxigraph and kgkit write
    them begins, -1 when there is none. Such a line has single spaces between its terms, no space in
    a subject, predicate or graph name and a ``"`` in every literal, so the last term is a graph name
    when two spaces come before it and no ``"`` inside it.

    >>> fourth_term_at(b'<s> <p> "a b" <g> .'), fourth_term_at(b'<s> <p> <o> .'), fourth_term_at(b'<s> <p> "<a> b" .')
    (14, -1, -1)
    """
    last = line.rfind(b" ", 0, -2)
    if line.find(b" ", line.find(b" ") + 1) < last and line.find(b'"', last) < 0:
        return last + 1
    return -1


def _graph_token_fast(line: bytes) -> bytes:
    """:func:`graph_token`, faster for a statement with single spaces between its terms (as Oxigraph
    and kgkit write them, see :func:`fourth_term_at`)."""
    first = line.find(b" ")
    second = line.find(b" ", first + 1)
    if line[-2:] != b" ." or second == first + 1 or line[:1] == b"#" or b"\t" in line:
        return graph_token(line)
    at = fourth_term_at(line)
    if at < 0:
        return b""
    return line[at:-2] if line[at] == 60 and line.find(b"\\", at) < 0 else _UNSURE  # 60: "<"


def count_graphs(path: str | Path) -> dict[str | None, int] | None:
    """Statement lines per graph name (None: the default graph) of an N-Quads file, in the order
    the graphs first come; None when a line cannot be counted this way (see the module docs)."""
    counts: Counter[bytes] = Counter()
    rest = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            chunk = rest + chunk
            end = chunk.rfind(b"\n") + 1
            rest = chunk[end:]
            if not _count(chunk[:end], counts):
                return None
    if rest and not _count(rest + b"\n", counts):
        return None
    return _names(counts)


def count_graphs_in(text: bytes) -> dict[str | None, int] | None:
    """:func:`count_graphs` of N-Quads ``text`` (whole lines)."""
    counts: Counter[bytes] = Counter()
    return _names(counts) if _count(text, counts) else None


def _count(text: bytes, counts: Counter[bytes]) -> bool:
    counts.update(map(_graph_token_fast, text.split(b"\n")[:-1]))
    return _UNSURE not in counts


def _names(counts: Counter[bytes]) -> dict[str | None, int]:
    counts.pop(_SKIP, None)
    return {(token[1:-1].decode("utf-8") if token else None): n for token, n in counts.items()}


def distinct_counts(path: str | Path, names: list[str | None]) -> dict[str | None, int]:
    """Distinct statement lines (spaces at their ends aside) of the graphs ``names`` of an N-Quads
    file: what a store keeps of a file that repeats lines. Holds those graphs' lines in memory."""
    wanted = {(b"<" + name.encode("utf-8") + b">" if name is not None else b""): name for name in names}
    seen: dict[str | None, set[bytes]] = {name: set() for name in names}
    with open(path, "rb") as fh:
        for line in fh:
            token = graph_token(line)
            if token in wanted:
                seen[wanted[token]].add(line.strip())
    return {name: len(lines) for name, lines in seen.items()}
