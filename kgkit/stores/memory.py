"""The in-memory store: an rdflib Dataset."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from kgkit.errors import QueryError
from kgkit.rdf.read import named_graphs
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import check_query, prepare
from kgkit.stores.base import LOCAL_CAPABILITIES, with_timeout


class MemoryStore:
    """An rdflib Dataset. ``timeout`` (seconds) abandons a query that runs longer."""

    name = "memory"
    capabilities = LOCAL_CAPABILITIES

    def __init__(self, dataset: Dataset | None = None, *, timeout: float | None = None) -> None:
        self.dataset = dataset if dataset is not None else Dataset()
        self.timeout = timeout

    def __repr__(self) -> str:
        return "MemoryStore(rdflib Dataset)"

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        check_query(sparql)
        # A view of the same quads whose default graph is the union of all graphs (as with
        # kgkit.rdf.read.union_graph, but without a copy, and GRAPH ?g still works).
        union = Dataset(store=self.dataset.store, default_union=True)

        def run() -> QueryResult:
            try:
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


def _from_rdflib(result: Result) -> QueryResult:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        return QueryResult(result.type, graph=result.graph)
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    variables = [str(v) for v in result.vars or []]
    rows = [tuple(row) for row in result]  # type: ignore[arg-type]
    return QueryResult("SELECT", variables, rows)  # type: ignore[arg-type]
