"""What the store contract's tests and fixtures share: the graphs the tests make, and how to remove them."""

from __future__ import annotations

from collections.abc import Callable

from kgkit.stores import Store
from kgkit.stores.remote import SparqlStore

EX = "http://example.org/"
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
