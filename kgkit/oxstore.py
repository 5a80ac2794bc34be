"""The fast local store: the built graph in Oxigraph (Rust), queried with rdflib terms coming back.

rdflib stays the API users see; this module only answers SPARQL faster. The store's default graph
is the de-duplicated union of all named graphs (set semantics, as :func:`kgkit.rdfio.union_graph`
gives rdflib), so canned queries return the same rows on both engines (tests/test_query.py checks
it). Named graphs are loaded too, on first use of ``GRAPH`` in a query.

A build directory keeps its store on disk next to ``kg.nq`` (``.kgkit-oxigraph/``), rebuilt when
``kg.nq`` changes, so a second ``kgkit query`` opens it in milliseconds instead of re-parsing.

>>> store = open_store("build")
>>> to_rdflib(query(store, "ASK { ?s a <https://w3id.org/kgkit/ontology#Conference> }"))[3]
True
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from kgkit.errors import InputError, QueryError
from kgkit.rdfio import format_for_path, resolve_input

CACHE_DIR = ".kgkit-oxigraph"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_MISSING: Any = object()


def available() -> bool:
    """Is pyoxigraph installed?"""
    return importlib.util.find_spec("pyoxigraph") is not None


@dataclass
class OxStore:
    """A pyoxigraph Store holding one built graph, and where it came from."""

    store: Any  # pyoxigraph.Store
    source: Path
    named_loaded: bool = False


def open_store(source: str | Path) -> OxStore:
    """An Oxigraph store of a build directory or RDF file (cached on disk for a build's kg.nq)."""
    import pyoxigraph as ox

    file = resolve_input(source)
    stamp = f"{file.stat().st_size}:{file.stat().st_mtime_ns}"
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
        _load_union(store, file)
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


def _load_union(store: Any, file: Path) -> None:
    import pyoxigraph as ox

    name = format_for_path(file).name
    if name not in OX_FORMATS:
        raise InputError("JSON-LD input is read by rdflib only; use --store memory", path=file)
    fmt = ox_format(name)
    default = ox.DefaultGraph()
    try:  # bulk_extend: Oxigraph's bulk loader (no transaction), several times faster than extend
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, default) for q in ox.parse(path=str(file), format=fmt)
        )
    except SyntaxError as err:
        raise InputError(f"not valid {format_for_path(file).name}: {err}", path=file) from None


_GRAPH = re.compile(r"\bGRAPH\b", re.I)
# IRIs, strings and comments, so that "graph" in a comment or a literal is not taken for the keyword
_NOT_KEYWORDS = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"  # an IRI
    r"|\"\"\"[\s\S]*?\"\"\"|'{3}[\s\S]*?'{3}"  # long strings
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"  # strings
    r"|#[^\n]*"  # a comment
)


def uses_graph(sparql: str) -> bool:
    r"""Does the query use the GRAPH keyword (outside IRIs, strings and comments)?

    >>> uses_graph("SELECT * { GRAPH ?g { ?s ?p ?o } }"), uses_graph("# every graph\nSELECT * { ?s ?p 'graph' }")
    (True, False)
    """
    return _GRAPH.search(_NOT_KEYWORDS.sub(" ", sparql)) is not None


def query(ox_store: OxStore, sparql: str) -> Any:
    """Run SPARQL on the store; QueryError with the engine's message on a syntax error."""
    import pyoxigraph as ox

    if uses_graph(sparql) and not ox_store.named_loaded and format_for_path(ox_store.source).quads:
        store = ox.Store()  # the cached store is read-only and holds the union only: add the named graphs
        _load_union(store, ox_store.source)
        store.bulk_load(path=str(ox_store.source), format=ox_format(format_for_path(ox_store.source).name))
        ox_store.store, ox_store.named_loaded = store, True
    try:
        return ox_store.store.query(sparql)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {str(err).splitlines()[0][:200]}") from None


def term(value: Any) -> Identifier | None:
    """An rdflib term for a pyoxigraph term (None stays None)."""
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


def to_rdflib(result: Any) -> tuple[str, list[str], list[tuple[Identifier | None, ...]], bool | None, Graph | None]:
    """(kind, variables, rows, boolean, graph) of a pyoxigraph query result."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return "ASK", [], [], bool(result), None
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        # a result repeats few distinct terms (85k rows of sessions-by-day hold 9k), and making an
        # rdflib Literal (a dateTime parsed, ...) costs far more than a dictionary lookup
        seen: dict[Any, Identifier | None] = {None: None}
        rows = []
        for solution in result:
            row = []
            for value in solution:  # in the order of the variables
                converted = seen.get(value, _MISSING)
                if converted is _MISSING:
                    converted = seen[value] = term(value)
                row.append(converted)
            rows.append(tuple(row))
        return "SELECT", variables, rows, None, None
    graph = Graph()
    for triple in result:
        graph.add((term(triple.subject), term(triple.predicate), term(triple.object)))  # type: ignore[arg-type]
    return "CONSTRUCT", [], [], None, graph
