"""What the store contract's tests and fixtures share: the graphs the tests make, and how to remove them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Identifier

from kgkit.stores import Store
from kgkit.stores.remote import SparqlStore

EX = "http://example.org/"
KG = Path(__file__).resolve().parent / "data" / "query" / "kg.trig"  # 4 named graphs, 351 triples
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")
KGKIT_GRAPHS = "https://w3id.org/kgkit/graph/"
#: a store of the backend with a timeout (seconds; None: the backend's default)
MakeStore = Callable[[float | None], Store]


def ours(name: str) -> bool:
    """Is graph ``name`` one the tests make ("" is the default graph)?"""
    return name == "" or name.startswith((EX, KGKIT_GRAPHS))


def made(store: Store) -> dict[str, int]:
    """``store.graph_counts()`` of the graphs the tests make only (a server holds other graphs too)."""
    return {name: n for name, n in store.graph_counts().items() if ours(name)}


def wipe(store: Store) -> None:
    """Remove the graphs the tests make (all graphs, where the backend can be cleared)."""
    if "clear" in store.capabilities:
        store.clear()
        return
    assert isinstance(store, SparqlStore)
    names = [name for name in store.graph_counts() if name and ours(name)]
    if names:
        store.drop_graphs(names)


def iri(name: str) -> URIRef:
    return URIRef(EX + name)


def graph(*triples: tuple[str, str, str | Identifier]) -> Graph:
    """A graph of ``(s, p, o)`` names under :data:`EX` (an ``o`` that is a term stays as it is)."""
    g = Graph()
    for s, p, o in triples:
        g.add((iri(s), iri(p), o if isinstance(o, Identifier) else iri(o)))
    return g
