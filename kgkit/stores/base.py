"""The Store protocol every backend implements.

Three backends implement it: :class:`~kgkit.stores.memory.MemoryStore` (an rdflib Dataset),
:class:`~kgkit.stores.oxigraph.OxigraphStore` (embedded Oxigraph) and
:class:`~kgkit.stores.remote.SparqlStore` (a SPARQL 1.1 endpoint). Each answers a query over the union
of all its graphs (a remote store must be set up so: Oxigraph with ``oxigraph serve
--union-default-graph``, Fuseki with ``unionDefaultGraph``; GraphDB and Virtuoso do it by default), and
says in ``capabilities`` what else it can do, rather than failing when asked:

- ``"update"``: it takes graphs (:meth:`Store.add_graph`);
- ``"clear"``: :meth:`Store.clear` empties it. Virtuoso lacks it: it keeps system graphs of its own, and
  answers ``CLEAR ALL`` without removing anything (drop the graphs you made instead);
- ``"default-graph"``: it has a default graph of its own beside the named graphs, which
  ``add_graph(None, ...)`` fills and :meth:`Store.graph_counts` reports as "". Virtuoso lacks it: its
  default graph is the union of all graphs, so a backend without it refuses ``add_graph(None, ...)``;
- ``"set-union"``: the union is a set of triples, so a triple in two graphs matches once, as with
  :func:`kgkit.rdf.read.union_graph`. The local backends have it; a SPARQL endpoint's union default
  graph may repeat such a triple once per graph (Oxigraph's and Virtuoso's do), so a
  :class:`~kgkit.stores.remote.SparqlStore` does not claim it unless told to. kgkit's canned queries
  use DISTINCT or GROUP BY and give the same rows either way;
- ``"named-graphs"``: ``GRAPH ?g`` sees each graph;
- ``"graph-store"``: it speaks the SPARQL 1.1 Graph Store HTTP Protocol;
- ``"persistent"``: what it holds outlives the process.

A SparqlStore derives its capabilities from the URLs it has (no update URL: no "update") and takes a
``capabilities`` argument for a store that differs (``SparqlStore.connect(url,
capabilities=VIRTUOSO)``, see :data:`kgkit.stores.remote.VIRTUOSO`).

Terms come back equal in value, not always in spelling: stores may write numbers canonically
(``"1.50"^^xsd:decimal`` as ``1.5``) and an ``xsd:string`` literal as the simple literal it is in RDF 1.1.

:func:`kgkit.stores.open_store` is the one way to open one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar, cast

from rdflib import Graph, URIRef
from rdflib.term import Identifier

from kgkit.errors import StoreError
from kgkit.sparql.results import QueryResult

T = TypeVar("T")
Capability = Literal["update", "clear", "default-graph", "set-union", "named-graphs", "graph-store", "persistent"]
#: What a local backend that takes graphs can do (MemoryStore, an in-memory OxigraphStore).
LOCAL_CAPABILITIES: frozenset[str] = frozenset({"update", "clear", "default-graph", "set-union", "named-graphs"})
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
        """Replace the content of graph ``name`` with ``graph`` (needs "update"; ``None``, the default
        graph, also needs "default-graph")."""
        ...

    def graph_counts(self) -> dict[str, int]:
        """Triples per non-empty graph; the default graph is "" (only with "default-graph")."""
        ...

    def clear(self) -> None:
        """Remove every triple of every graph (needs "clear")."""
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
    return cast(T, box["result"])
