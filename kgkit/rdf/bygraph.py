"""The graphs of an N-Quads or N-Triples file one at a time, in memory bounded by the largest graph.

``kgkit load`` sends a store one graph per request. :class:`GraphFile` lets it do so for a file of
any size. Oxigraph (Rust) reads the file once, to check all of it (nothing need be sent before the
file is known to be valid) and to count each graph's statements; then again, to hand out the
graphs one at a time, each as the N-Triples lines Oxigraph writes for its triples, each line once:

* in the order of the file, when each graph's statements come together in it (as ``kgkit build``
  writes them): nothing is copied;
* else (a file sorted by statement, as ``kgkit export`` writes N-Quads), sorted by graph name
  through :class:`kgkit.rdf.linesort.LineSorter`, which holds at most ``RUN_BYTES`` of lines in
  memory and the rest in runs on disk.

Python holds one graph's lines at a time (and, for a file whose graphs are interleaved, the
sorter's). A blank node keeps its label (Oxigraph's, for one reading of the file) in every line of
its graph; a graph named by a blank node is an InputError, as a store names graphs by IRI.

>>> with GraphFile(Path("build/kg.nq")) as source:  # doctest: +SKIP
...     for graph in source.graphs():
...         print(graph.name, len(graph))
"""

from __future__ import annotations

import io
import itertools
import operator
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from kgkit.errors import InputError
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.linesort import LineSorter
from kgkit.rdf.oxigraph import ox_format, reading

#: The formats a GraphFile reads (line formats: a graph can be cut out of them line by line)
FORMATS = ("nquads", "nt")
#: Statements Oxigraph parses and writes at a time (as fast as thousands; a statement may be 16 MiB)
BATCH_QUADS = 64
#: Bytes of lines the sort of a file whose graphs are interleaved holds in memory (about 1.5 times
#: that in Python objects); the rest goes to runs on disk
RUN_BYTES = 1 << 26


@dataclass(frozen=True)
class GraphLines:
    """One graph: its name (None for the default graph) and its triples as N-Triples lines (bytes,
    without their newline, each once, sorted), as Oxigraph writes them (also valid SPARQL)."""

    name: str | None
    lines: list[bytes]

    def __len__(self) -> int:
        return len(self.lines)

    def ntriples(self) -> bytes:
        """The graph as an N-Triples document."""
        return b"\n".join(self.lines) + b"\n" if self.lines else b""

    def has_bnodes(self) -> bool:
        return any(has_bnode(line) for line in self.lines)


def has_bnode(line: bytes) -> bool:
    """Does an N-Triples line as Oxigraph writes it have a blank node as its subject or object?

    >>> has_bnode(b'_:b <p> "x" .'), has_bnode(b'<s> <p> _:b .'), has_bnode(b'<s> <p> "_:b" .')
    (True, True, False)
    """
    return line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:")


class GraphFile:
    """An N-Quads or N-Triples ``file``, read once by Oxigraph when made (InputError, naming the file
    and line, if it is not valid): ``counts`` has each graph's statements (a repeated one each time
    it comes), in the order the graphs first come, and ``grouped`` tells whether each graph's
    statements come together. :meth:`graphs` then reads it again, graph by graph. Use it as a context
    manager: the sort's runs on disk (if any) are removed on leaving."""

    def __init__(self, file: Path, *, run_bytes: int | None = None) -> None:
        self.file = file
        self.format = format_for_path(file).name
        if self.format not in FORMATS:
            raise InputError(f"not a line format of RDF ({', '.join(FORMATS)})", path=file)
        self.run_bytes = run_bytes or RUN_BYTES
        self.grouped = True
        self._sorter: LineSorter | None = None
        counts: dict[bytes, int] = {}
        last = None
        for key, n in self._runs(count=True):
            if key != last:
                self.grouped = self.grouped and key not in counts
                last = key
            counts[key] = counts.get(key, 0) + n
        for key in counts:
            if key.startswith(b"_:"):
                raise InputError(
                    f"a graph is named by the blank node {key.decode('utf-8', 'replace')}, which a store cannot "
                    "name: give it an IRI",
                    path=file,
                )
        self._keys = set(counts)
        self.counts: dict[str | None, int] = {_name(key): n for key, n in counts.items()}

    def __enter__(self) -> GraphFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sorter is not None:
            self._sorter.close()
            self._sorter = None

    def graphs(self, wanted: Collection[str | None] | None = None) -> Iterator[GraphLines]:
        """The graphs of the file (those named in ``wanted`` only, when given), one at a time: in
        the order of the file when ``grouped``, else sorted by name (the default graph first).
        InputError if the file changed since it was read."""
        keys = None if wanted is None else {_key(name) for name in wanted}
        pairs = self._in_order(keys) if self.grouped else self._sorted(keys)
        for key, lines in pairs:
            if key not in self._keys:
                raise InputError("changed while kgkit was reading it (a graph it did not have before)", path=self.file)
            yield GraphLines(_name(key), lines)

    def _in_order(self, keys: set[bytes] | None) -> Iterator[tuple[bytes, list[bytes]]]:
        done: set[bytes] = set()
        current: bytes | None = None
        lines: list[bytes] = []
        for key, run in self._runs():
            if key != current:
                if current is not None:
                    done.add(current)
                    if lines:
                        yield current, sorted(set(lines))
                if key in done:
                    raise InputError(
                        "changed while kgkit was reading it (a graph's statements no longer come together)",
                        path=self.file,
                    )
                current, lines = key, []
            if keys is None or key in keys:
                lines += run
        if current is not None and lines:
            yield current, sorted(set(lines))

    def _sorted(self, keys: set[bytes] | None) -> Iterator[tuple[bytes, list[bytes]]]:
        self.close()
        # each line behind its graph's name and a tab, which sort the lines by graph (a tab sorts
        # below the newline LineSorter ends lines with, but no name holds one, and no statement begins
        # another, so the order in memory and in the merge of runs on disk is the same)
        self._sorter = sorter = LineSorter(self.run_bytes)
        for key, run in self._runs():
            if keys is None or key in keys:
                sorter.add([key + b"\t" + line for line in run])
        current: bytes | None = None
        lines: list[bytes] = []
        for batch in sorter.batches():  # sorted by graph name, then by line, each line once
            for item in batch:
                cut = item.index(b"\t")
                key = item[:cut]
                if key != current:
                    if current is not None:
                        yield current, lines
                    current, lines = key, []
                lines.append(item[cut + 1 :])
        if current is not None:
            yield current, lines
        self.close()

    def _runs(self, *, count: bool = False) -> Iterator[tuple[bytes, Any]]:
        """The file's statements as runs of one graph: its name as N-Quads writes it (``b"<http://g>"``,
        ``b"_:g"``, ``b""`` for the default graph) and the run's triples as N-Triples lines written by
        Oxigraph (without their newlines), or with ``count`` how many there are."""
        import pyoxigraph as ox

        names: dict[Any, bytes] = {}
        with reading(self.file):
            quads = ox.parse(path=str(self.file), format=ox_format(self.format))
            while batch := list(itertools.islice(quads, BATCH_QUADS)):
                for graph, run in itertools.groupby(batch, key=operator.attrgetter("graph_name")):
                    key = names.get(graph)
                    if key is None:
                        key = names[graph] = _key_of(graph)
                    if count:
                        yield key, sum(1 for _ in run)
                        continue
                    out = io.BytesIO()
                    ox.serialize([quad.triple for quad in run], out, ox.RdfFormat.N_TRIPLES)
                    lines = out.getvalue().split(b"\n")
                    lines.pop()  # the empty string after the last newline
                    yield key, lines


def _key_of(graph: Any) -> bytes:
    """The name of a graph of pyoxigraph as N-Quads writes it, ``b""`` for the default graph."""
    import pyoxigraph as ox

    if isinstance(graph, ox.NamedNode):
        return b"<" + graph.value.encode("utf-8") + b">"
    if isinstance(graph, ox.BlankNode):
        return b"_:" + graph.value.encode("utf-8")
    return b""


def _name(key: bytes) -> str | None:
    return key[1:-1].decode("utf-8") if key else None


def _key(name: str | None) -> bytes:
    return b"<" + name.encode("utf-8") + b">" if name is not None else b""
