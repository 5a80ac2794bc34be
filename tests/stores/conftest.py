"""The backends of the store contract (tests/stores/test_contract.py): each test that asks for ``store``
runs on every one of them, each starting empty.

- ``memory``: :class:`~kgkit.stores.memory.MemoryStore` (rdflib);
- ``oxigraph``: :class:`~kgkit.stores.oxigraph.OxigraphStore` in memory (embedded);
- ``oxigraph-server``: ``oxigraph serve --union-default-graph`` over HTTP (/query, /update, /store);
- ``virtuoso``: Virtuoso 7 over HTTP (/sparql, /sparql-graph-crud), declared with
  :data:`~kgkit.stores.remote.VIRTUOSO`'s capabilities.

The servers are shared with other tests and Virtuoso keeps system graphs of its own, so a test only
ever looks at the graphs it made (:func:`backends.made`): names under ``http://example.org/`` and kgkit's graph
names, plus the default graph where the backend has one. They are dropped before and after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from backends import MakeStore, wipe

from kgkit.stores import Store
from kgkit.stores.memory import MemoryStore
from kgkit.stores.oxigraph import OxigraphStore
from kgkit.stores.remote import VIRTUOSO, SparqlStore


@pytest.fixture(
    params=[
        "memory",
        "oxigraph",
        pytest.param("oxigraph-server", marks=pytest.mark.external),
        pytest.param("virtuoso", marks=[pytest.mark.external, pytest.mark.slow]),  # seconds to start
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of each backend in turn (the servers are skipped, with the reason, when not installed)."""
    return str(request.param)


@pytest.fixture
def make_store(backend: str, request: pytest.FixtureRequest) -> Iterator[MakeStore]:
    """Opens stores of ``backend``; a server's are views of one server, wiped before and after the test."""
    if backend == "memory":
        yield lambda timeout: MemoryStore(timeout=timeout)
        return
    if backend == "oxigraph":
        yield lambda timeout: OxigraphStore(timeout=timeout)
        return
    if backend == "oxigraph-server":
        base = request.getfixturevalue("oxigraph_url")

        def make(timeout: float | None) -> Store:
            return SparqlStore(f"{base}/query", f"{base}/update", f"{base}/store",
                               timeout=30 if timeout is None else timeout, retries=0)

    else:
        base = request.getfixturevalue("virtuoso_url")

        def make(timeout: float | None) -> Store:
            return SparqlStore.connect(f"{base}/sparql", capabilities=VIRTUOSO,
                                       timeout=30 if timeout is None else timeout, retries=0)

    wipe(make(None))
    yield make
    wipe(make(None))


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    """An empty store of each backend (as far as the graphs the tests make go)."""
    return make_store(None)
