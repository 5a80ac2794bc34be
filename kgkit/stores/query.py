"""``kgkit query``: a canned query, a ``.rq`` file or SPARQL text, run on a store.

>>> result = query("orgs-on-sustainability", source="build")
>>> result.variables[0], len(result.rows) > 5
('organization', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kgkit.errors import QueryError
from kgkit.sparql.library import resolve
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import check_query
from kgkit.stores import Source, local_store, open_store


def query(
    query: str,
    *,
    source: Source = "build",
    params: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    store: str = "auto",
    queries: str | Path | None = None,
    allow_service: bool = False,
) -> QueryResult:
    """Run a canned query (by name), a ``.rq`` file or SPARQL text.

    Locally the query sees the union of all graphs of ``source`` (a build directory, an RDF file,
    or an rdflib Dataset/Graph); with ``endpoint`` it goes to that SPARQL endpoint instead.
    ``params`` maps parameter names to values (``{"root": "kgid:topic/energy-efficiency"}``).
    ``store`` picks the local backend for a file or build: "oxigraph" (Rust, via pyoxigraph; the
    build's store is cached beside kg.nq), "memory" (rdflib), or "auto" (Oxigraph when installed).
    Every backend gives the same rows (the store contract tests compare them on every canned query).
    ``queries`` is a folder of canned queries to use instead of kgkit's own. Locally a query with
    ``SERVICE`` or ``LOAD`` (which the engines would send to other servers) is refused, and ``FROM``
    names a graph of ``source`` (never fetched), unless ``allow_service``.

    >>> query("orgs-on-sustainability", source="build").rows[0][0]
    rdflib.term.Literal('CNCF TAG Environmental Sustainability')
    """
    canned = resolve(query, queries)
    if endpoint is not None or local_store(store, source) == "memory":
        check_query(canned.text, path=canned.path)  # rdflib parses first; Oxigraph parses for itself
    bindings = canned.bindings(params)
    backend = open_store(source, store=store, endpoint=endpoint, timeout=timeout, allow_service=allow_service)
    try:
        return backend.query(canned.text, bindings)
    except QueryError as err:
        if canned.path is None or err.path is not None:
            raise
        raise QueryError(err.message, path=canned.path, line=err.line) from None


def engine_name(store: str, source: Source) -> str:
    """Which local backend ``query(store=...)`` uses for ``source``: "oxigraph" or "memory" (rdflib)."""
    return local_store(store, source)
