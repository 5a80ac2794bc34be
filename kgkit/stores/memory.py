"""The in-memory store: an rdflib Dataset.

rdflib would send a request for ``SERVICE`` and fetch the graph a ``FROM <url>`` names (even a
``file:`` URL); here ``SERVICE`` is refused and ``FROM`` names a graph of the dataset, as on Oxigraph,
unless the store is made with ``allow_service=True``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from kgkit.errors import QueryError
from kgkit.rdf.read import named_graphs
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import check_query, prepare, refuse_fetching
from kgkit.stores.base import LOCAL_CAPABILITIES, with_timeout


class MemoryStore:
    """An rdflib Dataset. ``timeout`` (seconds) abandons a query that runs longer."""

    name = "memory"
    capabilities = LOCAL_CAPABILITIES

    def __init__(
        self, dataset: Dataset | None = None, *, timeout: float | None = None, allow_service: bool = False
    ) -> None:
        self.dataset = dataset if dataset is not None else Dataset()
        self.timeout = timeout
        self.allow_service = allow_service

    def __repr__(self) -> str:
        return "MemoryStore(rdflib Dataset)"

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        check_query(sparql)
        refuse_fetching(sparql, allow_service=self.allow_service)
        # A view of the same quads whose default graph is the union of all graphs (as with
        # kgkit.rdf.read.union_graph, but without a copy, and GRAPH ?g still works).
        union = Dataset(store=self.dataset.store, default_union=True)

        def run() -> QueryResult:
            try:
                with _loading_graphs(self.allow_service):
                    return _from_rdflib(union.query(prepare(sparql), initBindings=dict(bindings or {})))
            except QueryError:
                raise
            except Exception as err:  # an rdflib evaluation failure, not the user's fault
                raise QueryError(
                    f"rdflib could not evaluate the query: {type(err).__name__}: {err}"
                ) from None

        return with_timeout(run, self.timeout)

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        target = self.dataset.graph(name) if name is not None else self.dataset.default_graph
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)

    def graph_counts(self) -> dict[str, int]:
        return {name or "": len(g) for name, g in named_graphs(self.dataset)}

    def clear(self) -> None:
        for g in list(self.dataset.graphs()):
            g.remove((None, None, None))


# rdflib dereferences FROM <url> unless told not to (its one switch is module-wide): kgkit tells it not
# to, and lets it only for a query of a store that allows fetching
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
_LOADING = threading.Lock()


@contextmanager
def _loading_graphs(allowed: bool) -> Iterator[None]:
    if not allowed:
        yield
        return
    with _LOADING:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = True
        try:
            yield
        finally:
            rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def _from_rdflib(result: Result) -> QueryResult:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        return QueryResult(result.type, graph=result.graph)
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    variables = [str(v) for v in result.vars or []]
    rows = [tuple(row) for row in result]  # type: ignore[arg-type]
    return QueryResult("SELECT", variables, rows)  # type: ignore[arg-type]
