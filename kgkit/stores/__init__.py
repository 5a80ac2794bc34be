"""Where queries run and where graphs go: the Store protocol and its three backends.

>>> store = open_store("build")                       # the build, on Oxigraph when installed
>>> store.name, "named-graphs" in store.capabilities
('oxigraph', True)
>>> open_store("build", store="memory").name          # the build in an rdflib Dataset
'memory'
>>> open_store(endpoint="http://127.0.0.1:7878").name  # a SPARQL endpoint  # doctest: +SKIP
'sparql'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef

from kgkit.errors import InputError
from kgkit.rdf.files import resolve_input
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.oxigraph import available as oxigraph_available
from kgkit.rdf.read import as_dataset, named_graphs
from kgkit.stores.base import LOCAL_STORES, LocalStore, Store

if TYPE_CHECKING:
    from kgkit.stores.http import Credentials

Source = str | Path | Dataset | Graph

__all__ = ["LOCAL_STORES", "LocalStore", "Source", "Store", "local_store", "open_store", "upload"]


def open_store(
    source: Source = "build",
    *,
    store: str = "auto",
    endpoint: str | None = None,
    timeout: float | None = None,
    credentials: Credentials | None = None,
    allow_service: bool = False,
) -> Store:
    """The store that holds ``source`` (a build directory, an RDF file, an rdflib Dataset or Graph), or
    the SPARQL endpoint at ``endpoint`` (an http(s) URL, see :meth:`SparqlStore.connect`; remote
    credentials default to the ``KGKIT_STORE_*`` variables). ``store`` picks the local backend (see
    :func:`local_store`); ``timeout`` (seconds) bounds each query. A local store refuses queries
    with ``SERVICE`` or ``LOAD`` (which would send requests) unless ``allow_service``.
    """
    if endpoint:
        from kgkit.stores.remote import SparqlStore

        return SparqlStore.connect(endpoint, credentials=credentials, timeout=timeout if timeout is not None else 30)
    if local_store(store, source) == "oxigraph":
        from kgkit.stores.oxigraph import OxigraphStore

        assert isinstance(source, str | Path)
        return OxigraphStore.open(source, timeout=timeout, allow_service=allow_service)
    from kgkit.stores.memory import MemoryStore

    return MemoryStore(as_dataset(source), timeout=timeout, allow_service=allow_service)


def local_store(store: str, source: Source) -> LocalStore:
    """The backend ``store`` means for ``source``: "oxigraph" or "memory" (rdflib).

    "auto" is Oxigraph for a build or an RDF file Oxigraph reads when pyoxigraph is installed, rdflib
    for in-memory graphs and JSON-LD (which Oxigraph reads only partly); InputError for anything else.
    """
    if store not in LOCAL_STORES:
        raise InputError(f"unknown store {store!r}; choose {', '.join(LOCAL_STORES)}")
    if store == "oxigraph" and not oxigraph_available():
        raise InputError("the oxigraph store needs pyoxigraph: pip install pyoxigraph")
    if isinstance(source, Graph) or store == "memory":  # an in-memory rdflib graph stays in rdflib
        return "memory"
    if format_for_path(resolve_input(source)).oxigraph_name is None:
        return "memory"
    return "oxigraph" if oxigraph_available() else "memory"


def upload(store: Store, source: Source = "build") -> None:
    """Copy every graph of ``source`` into ``store``, replacing graphs of the same name."""
    for name, g in named_graphs(as_dataset(source)):
        store.add_graph(None if name is None else URIRef(name), g)
