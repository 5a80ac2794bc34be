"""The fast local store: the built graph in Oxigraph (Rust), queried with rdflib terms coming back.

rdflib stays the API users see; this module only answers SPARQL faster. The store's default graph
is the de-duplicated union of all named graphs (set semantics, as :func:`kgkit.rdfio.union_graph`
gives rdflib), so canned queries return the same rows on both engines (tests/test_query.py checks
it). Named graphs are loaded too, on first use of ``GRAPH`` in a query.

A build directory keeps its store on disk next to ``kg.nq`` (``.kgkit-oxigraph/``), rebuilt when
``kg.nq`` changes, so a second ``kgkit query`` opens it in milliseconds instead of re-parsing. Within
one process an opened store is kept and reused for as long as its file is unchanged (see
:func:`open_store`), and result terms are converted once per distinct term (see :func:`to_rdflib`).

>>> store = open_store("build")
>>> to_rdflib(query(store, "ASK { ?s a <https://w3id.org/kgkit/ontology#Conference> }"))[3]
True
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from kgkit.errors import InputError, QueryError
from kgkit.rdfio import format_for_path, resolve_input

CACHE_DIR = ".kgkit-oxigraph"
XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"


def available() -> bool:
    """Is pyoxigraph installed?"""
    return importlib.util.find_spec("pyoxigraph") is not None


@dataclass
class OxStore:
    """A pyoxigraph Store holding one built graph, and where it came from."""

    store: Any  # pyoxigraph.Store whose default graph is the union of the graphs
    source: Path
    named: Any = None  # the same in memory plus the named graphs, loaded on the first use of GRAPH


#: How many opened stores one process keeps (one per source file, the most recently used).
KEEP_OPEN = 4
_opened: OrderedDict[Path, tuple[str, OxStore]] = OrderedDict()
_opened_lock = threading.Lock()


def open_store(source: str | Path) -> OxStore:
    """An Oxigraph store of a build directory or RDF file (cached on disk for a build's kg.nq).

    The store is kept for the rest of the process and handed out again while the file's size and
    modification time stay the same, so only the first query of a process pays for opening it (or,
    for a file other than a build's kg.nq, for parsing it). :func:`forget_stores` drops them.

    >>> open_store("build") is open_store("build")
    True
    """
    file = resolve_input(source)
    stamp = _stamp(file)
    key = file.resolve()
    with _opened_lock:
        kept = _opened.get(key)
        if kept is not None and kept[0] == stamp:
            _opened.move_to_end(key)
            return kept[1]
    store = _open(file, stamp)
    with _opened_lock:
        _opened[key] = (stamp, store)
        _opened.move_to_end(key)
        while len(_opened) > KEEP_OPEN:
            _opened.popitem(last=False)
    return store


def forget_stores() -> None:
    """Drop the stores this process keeps open (the next :func:`open_store` opens them again)."""
    with _opened_lock:
        _opened.clear()


def _stamp(file: Path) -> str:
    """What tells one version of a file from the next: its size and modification time."""
    info = file.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _open(file: Path, stamp: str) -> OxStore:
    """Open (or first build) the on-disk store of ``file``; an in-memory one where it cannot be cached."""
    import pyoxigraph as ox

    cache = file.parent / CACHE_DIR
    if file.suffix == ".nq" and (cache / "stamp").is_file() and (cache / "stamp").read_text() == stamp:
        try:
            return OxStore(ox.Store.read_only(str(cache / "db")), file)
        except OSError:
            pass  # a damaged cache is rebuilt below
    if file.suffix != ".nq" or not os.access(file.parent, os.W_OK):
        store = ox.Store()
        _load_union(store, file)
        return OxStore(store, file)
    tmp = Path(tempfile.mkdtemp(prefix=f"{CACHE_DIR}.", dir=file.parent))
    try:
        store = ox.Store(str(tmp / "db"))
        _load_union(store, file, bulk=True)
        store.optimize()  # compacts what the bulk loader wrote: queries on it are ~1.7x faster
        store.flush()
        del store
        (tmp / "stamp").write_text(stamp)
        if cache.exists():
            shutil.rmtree(cache, ignore_errors=True)
        os.replace(tmp, cache)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return OxStore(ox.Store.read_only(str(cache / "db")), file)


#: kgkit's RDF formats (kgkit.rdfio.FORMATS names) that Oxigraph reads and writes, by its RdfFormat name;
#: JSON-LD is left to rdflib and pyld
OX_FORMATS = {"nquads": "N_QUADS", "nt": "N_TRIPLES", "turtle": "TURTLE", "trig": "TRIG", "xml": "RDF_XML"}


def ox_format(name: str) -> Any:
    """pyoxigraph's RdfFormat for a kgkit format name of :data:`OX_FORMATS`."""
    import pyoxigraph as ox

    return getattr(ox.RdfFormat, OX_FORMATS[name])


def _load_union(store: Any, file: Path, bulk: bool = False) -> None:
    """The union of ``file``'s graphs into the default graph of ``store``; ``bulk``: with Oxigraph's
    bulk loader (no transaction; 23 s -> 8 s for 1.3M quads into an on-disk store)."""
    import pyoxigraph as ox

    name = format_for_path(file).name
    if name not in OX_FORMATS:
        raise InputError("JSON-LD input is read by rdflib only; use --store memory", path=file)
    fmt = ox_format(name)
    default = ox.DefaultGraph()
    try:
        quads = (ox.Quad(q.subject, q.predicate, q.object, default) for q in ox.parse(path=str(file), format=fmt))
        (store.bulk_extend if bulk else store.extend)(quads)
    except SyntaxError as err:
        raise InputError(f"not valid {format_for_path(file).name}: {err}", path=file) from None


@functools.lru_cache(maxsize=256)
def uses_named_graphs(sparql: str) -> bool:
    r"""Does ``sparql`` use the GRAPH keyword (not the word in a comment, string, IRI or name)?

    >>> uses_named_graphs("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    True
    >>> uses_named_graphs('# over the whole graph\nSELECT * WHERE { ?s <http://x/graph> "graph", ?graph }')
    False
    """
    from kgkit.stores import _TOKENS  # the tokens with_values reads too (kgkit.stores builds on this module)

    return any(t.lastgroup == "word" and t.group().upper() == "GRAPH" for t in _TOKENS.finditer(sparql))


def query(ox_store: OxStore, sparql: str) -> Any:
    """Run SPARQL on the store; QueryError with the engine's message on a syntax error.

    A query that names graphs (GRAPH) runs on an in-memory copy that holds the named graphs as well,
    made on first use and kept with the store.
    """
    import pyoxigraph as ox

    store = ox_store.store
    if uses_named_graphs(sparql) and format_for_path(ox_store.source).quads:
        if ox_store.named is None:  # the cached store is read-only and holds the union only
            named = ox.Store()
            _load_union(named, ox_store.source)
            named.bulk_load(path=str(ox_store.source), format=ox_format(format_for_path(ox_store.source).name))
            ox_store.named = named
        store = ox_store.named
    try:
        return store.query(sparql)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {str(err).splitlines()[0][:200]}") from None


def term(value: Any) -> Identifier | None:
    """An rdflib term for a pyoxigraph term (None stays None).

    >>> import pyoxigraph
    >>> term(pyoxigraph.Literal("2024-03-19", datatype=pyoxigraph.NamedNode(XSD + "date")))
    rdflib.term.Literal('2024-03-19', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    import pyoxigraph as ox

    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return URIRef(value.value)
    if isinstance(value, ox.BlankNode):
        return BNode(value.value)
    if isinstance(value, ox.Literal):
        if value.language:
            return Literal(value.value, lang=value.language)
        if value.datatype.value == _XSD_STRING:  # a simple literal (RDF 1.1), as rdflib writes it
            return Literal(value.value)
        return Literal(value.value, datatype=URIRef(value.datatype.value))
    raise QueryError(f"unexpected term from Oxigraph: {value!r}")


class Terms:
    """pyoxigraph terms to rdflib terms, each distinct term converted once (rdflib parses a typed
    literal's value when it is made, which costs more than the query for a big result).

    >>> import pyoxigraph
    >>> terms = Terms()
    >>> terms(pyoxigraph.NamedNode("https://w3id.org/kgkit/id/org/acme")) is terms(
    ...     pyoxigraph.NamedNode("https://w3id.org/kgkit/id/org/acme"))
    True
    """

    def __init__(self) -> None:
        self._seen: dict[Any, Identifier] = {}

    def __call__(self, value: Any) -> Identifier | None:
        if value is None:
            return None
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = term(value)  # type: ignore[assignment]
        return found

    def rows(self, solutions: Any) -> list[tuple[Identifier | None, ...]]:
        """The rows of a SELECT result: each solution's values in the order of its variables."""
        seen = self._seen
        rows = []
        for solution in solutions:
            row = []
            for value in solution:
                found = seen.get(value)
                if found is None and value is not None:
                    found = seen[value] = term(value)  # type: ignore[assignment]
                row.append(found)
            rows.append(tuple(row))
        return rows


def to_rdflib(result: Any) -> tuple[str, list[str], list[tuple[Identifier | None, ...]], bool | None, Graph | None]:
    """(kind, variables, rows, boolean, graph) of a pyoxigraph query result."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return "ASK", [], [], bool(result), None
    terms = Terms()
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        return "SELECT", variables, terms.rows(result), None, None
    graph = Graph()
    for triple in result:
        graph.add((terms(triple.subject), terms(triple.predicate), terms(triple.object)))  # type: ignore[arg-type]
    return "CONSTRUCT", [], [], None, graph
