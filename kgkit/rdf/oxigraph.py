"""pyoxigraph and rdflib terms, each to the other, and Oxigraph's names for kgkit's formats.

rdflib stays the API users see; Oxigraph (Rust) parses, stores and answers faster.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kgkit.errors import InputError, QueryError
from kgkit.rdf.formats import FORMATS, format_for_path
from kgkit.rdf.guard import OXIGRAPH_LIMIT_MESSAGE, oxigraph_limit

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"


def available() -> bool:
    """Is pyoxigraph installed?"""
    return importlib.util.find_spec("pyoxigraph") is not None


#: kgkit's RDF formats (names of :data:`kgkit.rdf.formats.FORMATS`) that Oxigraph reads and writes, by
#: its RdfFormat name; JSON-LD is left to rdflib and pyld
OX_FORMATS = {f.name: f.oxigraph_name for f in FORMATS.values() if f.oxigraph_name}


def ox_format(name: str) -> Any:
    """pyoxigraph's RdfFormat for a kgkit format name of :data:`OX_FORMATS`."""
    import pyoxigraph as ox

    return getattr(ox.RdfFormat, OX_FORMATS[name])


@contextlib.contextmanager
def reading(file: Path) -> Iterator[None]:
    """Oxigraph's parse errors while reading ``file`` as one-line InputErrors naming it (its memory
    limit too; any other MemoryError stays what it is)."""
    try:
        yield
    except SyntaxError as err:
        raise InputError(f"not valid {format_for_path(file).name}: {err}", path=file) from None
    except MemoryError as err:
        if not oxigraph_limit(err):
            raise
        raise InputError(OXIGRAPH_LIMIT_MESSAGE, path=file) from None


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


def ox_term(node: Node) -> Any:
    """The pyoxigraph term for an rdflib term (the inverse of :func:`term`).

    >>> ox_term(URIRef("https://w3id.org/kgkit/id/org/google"))
    <NamedNode value=https://w3id.org/kgkit/id/org/google>
    """
    import pyoxigraph as ox

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise QueryError(f"not an RDF term: {node!r}")
