"""``kgkit query``: a canned query, a ``.rq`` file or SPARQL text, run on a store.

>>> result = query("orgs-on-sustainability", source="build")
>>> result.variables[0], len(result.rows) > 5
('organization', True)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

from rdflib.term import Identifier

from kgkit.errors import QueryError
from kgkit.rdf.ntriples import nt_term
from kgkit.rdf.terms import PREFIXES
from kgkit.sparql.library import Parameter, resolve
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import check_query
from kgkit.stores import Source, Store, local_store, open_store


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
    for parameter in canned.parameters:
        if parameter.of_class and parameter.variable in bindings:
            _check_member(backend, parameter, bindings[parameter.variable])
    try:
        result = backend.query(canned.text, bindings)
        if canned.materialize and result.empty:
            result.notes.append(
                f"no results: {canned.name} is written in terms the graph has once built with "
                f"`kgkit build --materialize {canned.materialize}`"
            )
        return result
    except QueryError as err:
        if canned.path is None or err.path is not None:
            raise
        raise QueryError(err.message, path=canned.path, line=err.line) from None


def allowed_values(parameter: Parameter, *, source: Source = "build", store: str = "auto",
                   endpoint: str | None = None, backend: Store | None = None) -> list[tuple[str, str]]:
    """The values ``parameter`` may take in the graph: the instances of its class (``#+ enumerate``), as
    (CURIE or IRI, label), in order; [] for a parameter of no class.

    >>> from kgkit.sparql.library import load_library
    >>> root = load_library()["orgs-on-sustainability"].parameters[0]
    >>> ("kgid:topic/sustainability", "sustainability") in allowed_values(root, source="build")
    True
    """
    if not parameter.of_class:
        return []
    backend = backend or open_store(source, store=store, endpoint=endpoint)
    found = backend.query(
        f"SELECT ?x (MIN(STR(?l)) AS ?label) WHERE {{ ?x a <{parameter.of_class}> "
        "OPTIONAL { ?x skos:prefLabel|schema:name ?l FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) } "
        "FILTER(isIRI(?x)) } GROUP BY ?x ORDER BY ?x"
    )
    return [(_curie(str(x)), "" if label is None else str(label)) for x, label in found.rows]


def _check_member(backend: Store, parameter: Parameter, value: Identifier) -> None:
    """QueryError naming the closest values when ``value`` is not an instance of the parameter's class
    (an unknown topic would otherwise give an empty answer and no hint)."""
    if backend.query(f"ASK {{ {nt_term(value)} a <{parameter.of_class}> }}").boolean:
        return
    allowed = allowed_values(parameter, backend=backend)
    given = _curie(str(value))
    names = {v.rsplit("/", 1)[-1].lower(): v for v, _ in allowed}
    names |= {label.lower(): v for v, label in allowed if label}
    close = difflib.get_close_matches(given.rsplit("/", 1)[-1].lower(), names, n=3, cutoff=0.5)
    if close:
        hint = f"; did you mean {' or '.join(dict.fromkeys(names[c] for c in close))}?"
    elif allowed:
        hint = f"; `kgkit query --list -v` lists the {len(allowed)} there are"
    else:
        hint = f"; the graph has no {parameter.kind}"
    raise QueryError(f"no such {parameter.kind} {given} (parameter {parameter.name}){hint}")


def _curie(iri: str) -> str:
    """``iri`` with the kgkit prefix of the longest namespace it is in (as ``--param`` takes it)."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def engine_name(store: str, source: Source) -> str:
    """Which local backend ``query(store=...)`` uses for ``source``: "oxigraph" or "memory" (rdflib)."""
    return local_store(store, source)
