"""Export of an RDF file in bounded memory: Oxigraph (Rust) parses and writes, Python sorts lines.

The quads stream from :func:`pyoxigraph.parse` straight into :func:`pyoxigraph.serialize` as
N-Quads (no Store in between: a Store would rewrite literals into canonical form, ``"1.0"`` into
``"1"``). Those lines go through :class:`kgkit.rdf.linesort.LineSorter` (sorted and distinct, in
bounded memory), and from there to the output:

* N-Quads: the sorted lines themselves; N-Triples: the same with the graph names dropped, which
  also makes the union of the graphs (each triple once);
* Turtle and RDF/XML: the sorted N-Triples parsed again and written by Oxigraph, so that each
  subject's triples come together;
* TriG and JSON-LD: the lines sorted by graph name first, then written by Oxigraph (TriG) or by
  :mod:`kgkit.rdf.jsonld` (JSON-LD compacted with the kgkit context).

Python holds no object per triple beyond the sorter's lines (at most ``RUN_BYTES`` of them).

>>> import io
>>> out = io.BytesIO()
>>> stream_export(Path("build/kg.nq"), get_format("nt"), out)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from kgkit.errors import InputError
from kgkit.rdf.files import one_line
from kgkit.rdf.formats import NotStreamable, RdfFormat, format_for_path
from kgkit.rdf.guard import OXIGRAPH_LIMIT_MESSAGE, oxigraph_limit
from kgkit.rdf.linesort import LineSorter
from kgkit.rdf.nqscan import fourth_term_at
from kgkit.rdf.oxigraph import OX_FORMATS, ox_format
from kgkit.rdf.terms import PREFIXES

#: Bytes of N-Quads text handled at a time between Oxigraph and the sorter
CHUNK_BYTES = 1 << 23
#: UTF-8 of the characters :func:`kgkit.rdf.files.one_line` escapes that Oxigraph writes raw
_RAW_BREAKS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")
_RAW_LAST = (b"\x85", b"\xa8", b"\xa9")  # their last bytes: one memchr each rules most chunks out
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_LOCAL_NAME = re.compile(r"[^\W\d][\w.-]*$")


def streamable(file: Path, fmt: RdfFormat) -> bool:
    """Can ``file`` be exported as ``fmt`` here (pyoxigraph installed, both formats Oxigraph's or
    JSON-LD out)?"""
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return False
    source = format_for_path(file).name
    return source in OX_FORMATS and (fmt.name in OX_FORMATS or fmt.name == "jsonld")


def stream_export(file: Path, fmt: RdfFormat, out: IO[bytes]) -> None:
    """Write ``file`` to ``out`` as ``fmt`` (see the module docs); NotStreamable when it cannot."""
    import pyoxigraph as ox

    mode = "quads" if fmt.name == "nquads" else "graph-first" if fmt.quads else "triples"
    with LineSorter() as sorter:
        predicates = _collect(file, mode, sorter, predicates=fmt.name == "xml")
        blocks: Iterator[bytes]
        if mode == "graph-first":
            blocks = (b"\n".join([line[line.find(b"\t") + 1 :] for line in batch]) + b"\n"
                      for batch in sorter.batches())
        else:
            blocks = sorter.blocks()
        if fmt.name in ("nquads", "nt"):
            for block in blocks:
                out.write(block)
            return
        if fmt.name == "xml":
            _check_xml_names(predicates)
            out = cast(IO[bytes], _XmlChecked(out))
        line_format = ox.RdfFormat.N_QUADS if fmt.quads else ox.RdfFormat.N_TRIPLES
        reader = io.BufferedReader(_BlockReader(blocks), 1 << 20)
        statements = ox.parse(reader, line_format, lenient=True)  # lines Oxigraph wrote itself
        if fmt.name == "jsonld":
            from kgkit.rdf.jsonld import write_jsonld

            write_jsonld(statements, out)
            return
        # instance IRIs (kgid:conference/...) would need "\/" escapes in prefixed names, which some
        # parsers (Raptor) refuse: they stay whole; vocabulary terms get their prefixes
        prefixes = {p: ns for p, ns in PREFIXES.items() if p != "kgid"}
        options: dict[str, Any] = {"prefixes": prefixes} if fmt.name in ("turtle", "trig") else {}
        ox.serialize(statements, out, ox_format(fmt.name), **options)


def _collect(file: Path, mode: str, sorter: LineSorter, *, predicates: bool = False) -> set[bytes]:
    """Parse ``file`` into ``sorter`` as N-Quads lines (``mode`` "quads"), N-Triples lines
    ("triples") or N-Quads lines behind their graph name and a tab ("graph-first"); the distinct
    predicates when asked (else an empty set)."""
    import pyoxigraph as ox

    seen: set[bytes] = set()

    def take(chunk: bytes) -> None:
        lines = _lines(chunk)
        if mode == "triples" and predicates:
            seen.update(line.split(b" ", 2)[1] for line in lines)
        elif mode == "graph-first":
            lines = [_graph_key(line) for line in lines]
        sorter.add(lines, len(chunk))

    sink = _ChunkSink(take)
    try:
        quads = ox.parse(path=str(file), format=ox_format(format_for_path(file).name))
        if mode == "triples":  # Oxigraph drops the graph names: 0.1 s per million, Python 1 s
            ox.serialize((q.triple for q in quads), cast(IO[bytes], sink), ox.RdfFormat.N_TRIPLES)
        else:
            ox.serialize(quads, cast(IO[bytes], sink), ox.RdfFormat.N_QUADS)
    except SyntaxError:
        raise NotStreamable("not valid") from None
    except MemoryError as err:
        if not oxigraph_limit(err):
            raise
        raise InputError(OXIGRAPH_LIMIT_MESSAGE, path=file) from None
    sink.finish()
    return seen


def _lines(chunk: bytes) -> list[bytes]:
    """The lines of ``chunk`` (N-Quads as Oxigraph writes them, whole lines), escaped as
    :func:`kgkit.rdf.files.one_line` does; NotStreamable if a blank node may be among them."""
    if chunk.startswith(b"_:") or b" _:" in chunk or b"\n_:" in chunk:
        raise NotStreamable("blank nodes")  # (or a literal holding " _:": the rdflib path is right too)
    if any(last in chunk for last in _RAW_LAST) and any(raw in chunk for raw in _RAW_BREAKS):
        chunk = one_line(chunk.decode("utf-8")).encode("utf-8")
    lines = chunk.split(b"\n")
    lines.pop()  # the empty string after the last newline
    return lines


def graph_at(line: bytes) -> int:
    """Where the graph name of an N-Quads line as Oxigraph writes it begins, -1 for the default
    graph (see :func:`kgkit.rdf.nqscan.fourth_term_at`; Oxigraph's export here has no blank nodes).

    >>> graph_at(b'<s> <p> "a b" <g> .'), graph_at(b'<s> <p> <o> .'), graph_at(b'<s> <p> "<a> b" .')
    (14, -1, -1)
    """
    at = fourth_term_at(line)
    return at if at >= 0 and line[at] == 60 else -1  # 60: "<"


def _graph_key(line: bytes) -> bytes:
    """The graph name, a tab and the line: sorting these groups the lines by graph."""
    at = graph_at(line)
    return b"\t" + line if at < 0 else line[at:-2] + b"\t" + line


def _check_xml_names(predicates: set[bytes]) -> None:
    """InputError if a predicate has no XML name (RDF/XML writes each predicate as an element)."""
    for predicate in sorted(predicates):
        iri = predicate.decode("utf-8")[1:-1]
        if not _XML_LOCAL_NAME.search(iri):
            raise InputError(f"cannot write this graph as xml: no XML element name for the predicate {iri}")


class _ChunkSink(io.RawIOBase):
    """What Oxigraph writes to, handing on ``CHUNK_BYTES`` or so of whole lines at a time."""

    def __init__(self, take: Callable[[bytes], None]) -> None:
        self._take = take
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        if self._size >= CHUNK_BYTES:
            text = b"".join(self._parts)
            end = text.rfind(b"\n") + 1
            self._parts, self._size = [text[end:]], len(text) - end
            self._take(text[:end])
        return len(data)

    def finish(self) -> None:
        text = b"".join(self._parts)
        self._parts, self._size = [], 0
        if text:
            self._take(text if text.endswith(b"\n") else text + b"\n")


class _BlockReader(io.RawIOBase):
    """A readable stream over an iterator of byte blocks (what Oxigraph's parser reads from)."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._blocks: Iterator[bytes] = iter(blocks)
        self._block = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._block:
            try:
                self._block = memoryview(next(self._blocks))
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._block))
        buffer[:n] = self._block[:n]
        self._block = self._block[n:]
        return n


class _XmlChecked(io.RawIOBase):
    """Passes RDF/XML on to ``out``, with InputError for a character XML 1.0 cannot hold."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if _NOT_XML.search(data):
            raise InputError(
                "cannot write this graph as xml: a literal holds a control character XML 1.0 cannot "
                "carry; use nquads, trig or turtle"
            )
        return self._out.write(data)
