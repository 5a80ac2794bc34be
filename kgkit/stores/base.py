"""The Store protocol every backend implements.

Three backends implement it: :class:`~kgkit.stores.memory.MemoryStore` (an rdflib Dataset),
:class:`~kgkit.stores.oxigraph.OxigraphStore` (embedded Oxigraph) and
:class:`~kgkit.stores.remote.SparqlStore` (a SPARQL 1.1 endpoint). Each answers a query over the union
of all its graphs, as a set of triples (a remote store must be set up so: Oxigraph with
``oxigraph serve --union-default-graph``, Fuseki with ``unionDefaultGraph``; GraphDB and Virtuoso do it
by default), and says in ``capabilities`` what else it can do, rather than failing when asked:

- ``"update"``: it takes graphs (:meth:`Store.add_graph`, :meth:`Store.clear`);
- ``"named-graphs"``: ``GRAPH ?g`` sees each graph;
- ``"graph-store"``: it speaks the SPARQL 1.1 Graph Store HTTP Protocol;
- ``"persistent"``: what it holds outlives the process.

:func:`kgkit.stores.open_store` is the one way to open one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar

from rdflib import Graph, URIRef
from rdflib.term import Identifier

from kgkit.errors import StoreError
from kgkit.sparql.results import QueryResult

T = TypeVar("T")
Capability = Literal["update", "named-graphs", "graph-store", "persistent"]
#: How ``open_store`` holds a local graph: "auto" (Oxigraph when installed, for files it reads), "memory"
#: (rdflib), "oxigraph" (Rust, via pyoxigraph).
LocalStore = Literal["auto", "memory", "oxigraph"]
LOCAL_STORES: tuple[LocalStore, ...] = ("auto", "memory", "oxigraph")


class Store(Protocol):
    """What every backend offers. Graph names are IRIs; ``None`` / "" is the default graph."""

    name: str  # "memory", "oxigraph" or "sparql"
    capabilities: frozenset[str]  # of Capability

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE over the union of all graphs, variables pre-bound."""
        ...

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        """Replace the content of graph ``name`` with ``graph`` (needs "update")."""
        ...

    def graph_counts(self) -> dict[str, int]:
        """Triples per non-empty graph; the default graph is ""."""
        ...

    def clear(self) -> None:
        """Remove every triple of every graph (needs "update")."""
        ...


def with_timeout(run: Callable[[], T], timeout: float | None) -> T:
    """``run()``, or StoreError if it takes longer than ``timeout`` seconds (it is then abandoned)."""
    if timeout is None:
        return run()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = run()
        except BaseException as err:
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise StoreError(f"query timed out after {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["result"]
