"""A SPARQL 1.1 store over HTTP: queries and updates (SPARQL 1.1 Protocol) and graphs (Graph Store Protocol).

>>> store = SparqlStore.connect("http://127.0.0.1:8890/sparql")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kgkit.errors import StoreError
from kgkit.rdf.bygraph import GraphLines, has_bnode
from kgkit.rdf.ntriples import nt_term
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import (
    check_query,
    engine_error,
    names_its_dataset,
    prefixes_for,
    sent_text,
    uses_named_graphs,
)
from kgkit.stores.base import T
from kgkit.stores.http import _SECRET_PARAM, Credentials, _check_url, _first_line, _Http, _redact_userinfo

#: Query URL -> (is its default graph the union of its graphs, its Server header), found out once per
#: process (:meth:`SparqlStore.default_graph_is_union`).
_UNION_DEFAULT: dict[str, tuple[bool, str]] = {}
#: Where :meth:`SparqlStore.default_graph_is_union` takes its sample triple from, in turn.
_SAMPLED_GRAPHS = (
    'STRSTARTS(STR(?g), "https://w3id.org/kgkit/graph/")',
    '!STRSTARTS(STR(?g), "http://www.openlinksw.com/")',
)


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one store: SPARQL query, SPARQL update (None: read-only) and Graph Store (None)."""

    query: str
    update: str | None = None
    gsp: str | None = None


def guess_endpoints(url: str) -> Endpoints:
    """The update and Graph Store URLs that usually go with a query URL.

    >>> guess_endpoints("http://127.0.0.1:7878/query")  # Oxigraph
    Endpoints(query='http://127.0.0.1:7878/query', update='http://127.0.0.1:7878/update', gsp='http://127.0.0.1:7878/store')
    >>> guess_endpoints("http://127.0.0.1:8890/sparql").gsp  # Virtuoso
    'http://127.0.0.1:8890/sparql-graph-crud'
    >>> guess_endpoints("http://127.0.0.1:7200/repositories/kg").update  # GraphDB, RDF4J
    'http://127.0.0.1:7200/repositories/kg/statements'
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit(parts._replace(path=new_path))

    head, _, last = path.rpartition("/")
    if last == "query":  # Oxigraph (Fuseki and Stardog also answer updates at .../update)
        return Endpoints(url, at(f"{head}/update"), at(f"{head}/store"))
    if last in ("sparql", "sparql-auth"):  # Virtuoso, Neptune, kgkit serve
        crud = "sparql-graph-crud-auth" if last == "sparql-auth" else "sparql-graph-crud"
        return Endpoints(url, url, at(f"{head}/{crud}"))
    if re.fullmatch(r".*/repositories/[^/]+", path):  # GraphDB, RDF4J
        return Endpoints(url, at(f"{path}/statements"), at(f"{path}/rdf-graphs/service"))
    return Endpoints(url, url, None)  # one URL for query and update (SPARQL 1.1 Protocol)


#: The capabilities of a Virtuoso 7 endpoint (``/sparql``, which takes updates once SPARQL_UPDATE is
#: granted, and ``/sparql-graph-crud``): no default graph of its own (its default graph is the union of
#: all graphs) and no "clear" (it keeps system graphs, and answers ``CLEAR ALL`` without removing
#: anything). ``SparqlStore.connect(url, capabilities=VIRTUOSO)``.
VIRTUOSO: frozenset[str] = frozenset({"update", "named-graphs", "graph-store", "persistent"})


class SparqlStore:
    """A SPARQL 1.1 endpoint: queries via SPARQLWrapper, updates as SPARQL 1.1 Protocol POSTs, graphs
    via the Graph Store Protocol (``gsp_url``) or else SPARQL Update (``update_url``).

    ``auth`` is (user, password) or :class:`Credentials`; ``retries`` is how often an idempotent
    request is tried again after a 5xx answer or a dropped connection, waiting ``backoff`` seconds,
    then twice as long, ... Credentials never appear in error messages.

    ``capabilities`` (see :mod:`kgkit.stores.base`) are derived from the URLs given: "update" and
    "clear" with an update or Graph Store URL, "graph-store" with a Graph Store URL, and always
    "named-graphs", "default-graph" and "persistent" (never "set-union": an endpoint's union default
    graph may repeat a triple that is in two graphs). Give them for a store that differs, such as
    :data:`VIRTUOSO`; :meth:`add_graph` of the default graph and :meth:`clear` then refuse what the
    store cannot do, with a StoreError, before sending anything.
    """

    name = "sparql"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: tuple[str, str] | Credentials | None = None,
        timeout: float = 30,
        *,
        retries: int = 2,
        backoff: float = 0.5,
        capabilities: Iterable[str] | None = None,
    ) -> None:
        credentials = Credentials(*auth) if isinstance(auth, tuple) else auth
        for url in (query_url, update_url, gsp_url):
            if url is not None:
                _check_url(url)
        parts = urllib.parse.urlsplit(query_url)
        if parts.username is not None and not credentials:  # http://user:password@host/query
            credentials = Credentials(
                urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
            )
        self.http = _Http(credentials, timeout, retries, backoff)
        for url in (query_url, update_url, gsp_url):  # an access token in a URL is a secret too
            for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url or "").query):
                if _SECRET_PARAM.fullmatch(key) and len(value) >= 3:
                    self.http.secrets.append(value)
        self.query_url = _redact_userinfo(query_url)
        self.update_url = _redact_userinfo(update_url) if update_url else None
        self.gsp_url = _redact_userinfo(gsp_url) if gsp_url else None
        self.timeout = timeout
        self._graph_media_type = "application/n-triples"
        self.capabilities = frozenset(
            capabilities
            if capabilities is not None
            else {"named-graphs", "default-graph", "persistent"}
            | ({"update", "clear"} if self.update_url or self.gsp_url else set())
            | ({"graph-store"} if self.gsp_url else set())
        )

    def __repr__(self) -> str:
        return f"SparqlStore({self.http.redact(self.query_url)!r})"

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = 30,
        retries: int = 2,
        backoff: float = 0.5,
        capabilities: Iterable[str] | None = None,
    ) -> SparqlStore:
        """The store at ``url``: a query endpoint, or a server's root URL (then ``/query`` and
        ``/sparql`` are tried, in that order). Update and Graph Store URLs not given are guessed
        (:func:`guess_endpoints`). Credentials default to the ``KGKIT_STORE_*`` variables;
        ``capabilities`` as for the constructor."""
        if credentials is None:
            credentials = Credentials.from_env()
        parts = _check_url(url)
        if parts.username is not None or parts.password is not None:  # http://user:password@host/...
            if not credentials:
                user, password = urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or "")
                credentials = Credentials(user, password or None)
            url = _redact_userinfo(url)  # never sent as it is: the name resolver would see user:password@host
            parts = urllib.parse.urlsplit(url)
        query_url = url
        if parts.path in ("", "/") and not parts.query:
            query_url = cls._find_query_url(url, credentials, timeout, retries, backoff)
        guess = guess_endpoints(query_url)
        return cls(
            query_url,
            update_url or guess.update,
            gsp_url or guess.gsp,
            credentials,
            timeout,
            retries=retries,
            backoff=backoff,
            capabilities=capabilities,
        )

    @staticmethod
    def _find_query_url(
        root: str, credentials: Credentials | None, timeout: float, retries: int, backoff: float
    ) -> str:
        base = root.rstrip("/")
        probe = _Http(credentials, timeout, retries, backoff)
        tried = []
        for path in ("/query", "/sparql", "/"):
            candidate = base + path
            tried.append(path)
            try:
                answer = probe.send(
                    "GET",
                    f"{candidate}?query={urllib.parse.quote('ASK {}')}",
                    headers={"Accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9"},
                    idempotent=True,
                )
            except StoreError as err:
                if re.search(r"HTTP (40[045]|415)", str(err)):
                    continue
                raise
            kind = answer.headers.get("Content-Type", "")
            if "sparql-results" in kind or answer.body.lstrip().startswith((b"{", b"<?xml", b"<sparql")):
                return candidate if path != "/" else root
        raise StoreError(
            f"no SPARQL endpoint at {probe.redact(base)} (tried {', '.join(tried)}); give the query URL"
        )

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.query_url, self.update_url, self.gsp_url)

    # -- queries --

    def query(
        self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *, union: bool = True
    ) -> QueryResult:
        """Run a query at the endpoint, ``bindings`` in a VALUES clause.

        With ``union`` (the Store contract) the query reads the union of all graphs even where the
        store's default graph is not that union (:meth:`default_graph_is_union`): on Oxigraph
        through its ``union-default-graph`` parameter, elsewhere with each graph as a
        ``default-graph-uri``; the result's ``notes`` say so. A query naming its own dataset (FROM)
        is sent as it is, and so is every query with ``union=False``. A query the store refuses
        (HTTP 400) is a QueryError placed in the user's text.
        """
        kind = check_query(sparql)
        sent = sent_text(sparql, bindings or {}, prefix=prefixes_for(sparql))
        client = self._client(self.query_url, idempotent=True)
        client.setMethod(POST)
        client.setQuery(sent.text)
        notes = self._ask_for_union(client, sparql) if union and not names_its_dataset(sparql) else []
        try:
            result = self._run(client, kind)
        except StoreError as err:
            if re.search(r": HTTP 400\b", err.message):
                raise engine_error(err.message.split(": ", 2)[-1], sent) from None
            raise
        result.notes = notes
        return result

    def _run(self, client: _Wrapper, kind: str) -> QueryResult:
        if kind in ("CONSTRUCT", "DESCRIBE"):
            client.addCustomHttpHeader(
                "Accept", "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
            )
            response = client.query().response
            media = (response.info().get("Content-Type") or "application/n-triples").split(";")[0].strip()
            fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(media, "nt")
            return QueryResult(kind, graph=self._parse(response.read(), fmt))
        client.setReturnFormat(JSON)
        doc = self._json(client.query().response.read())
        if kind == "ASK":
            return QueryResult("ASK", boolean=_boolean(doc))
        if not isinstance(doc.get("head", {}).get("vars"), list) or "results" not in doc:
            raise self.http.error(f"{self.query_url}: the answer to a SELECT is not SPARQL results with variables")
        variables = doc["head"]["vars"]
        rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in doc["results"]["bindings"]]
        return QueryResult("SELECT", variables, rows)

    # -- the default graph --

    def default_graph_is_union(self, *, refresh: bool = False) -> bool | None:
        """Does a query without GRAPH see the triples of the named graphs (Oxigraph with
        ``--union-default-graph``, Virtuoso, GraphDB, kgkit serve), or only the default graph's
        own (Oxigraph without it, Fuseki without ``unionDefaultGraph``)? None when no named graph
        holds a triple, so that nothing tells them apart.

        One triple of a named graph is looked for without GRAPH. The answer is kept for the query URL
        for the rest of the process (``refresh`` asks again; a load does).
        """
        if not refresh and self.query_url in _UNION_DEFAULT:
            return _UNION_DEFAULT[self.query_url][0]
        sample = QueryResult("SELECT")
        for graphs in _SAMPLED_GRAPHS:  # a graph of kgkit's first, else any but Virtuoso's system graphs
            sample = self.query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && isIRI(?o) && {graphs}) }} "
                "LIMIT 1",
                union=False,
            )
            if sample.rows:
                break
        if not sample.rows:
            _UNION_DEFAULT.pop(self.query_url, None)
            return None
        s, p, o = (cast(Identifier, t) for t in sample.rows[0])
        union = bool(self.query(f"ASK {{ {nt_term(s)} {nt_term(p)} {nt_term(o)} }}", union=False).boolean)
        _UNION_DEFAULT[self.query_url] = (union, self.http.server)
        return union

    @property
    def is_oxigraph(self) -> bool:
        server = _UNION_DEFAULT.get(self.query_url, (None, self.http.server))[1]
        return server.lower().startswith("oxigraph")

    def union_advice(self) -> str:
        """What to do so that every SPARQL client sees the union in the default graph."""
        if self.is_oxigraph:
            return "start Oxigraph with `oxigraph serve --union-default-graph`"
        return ("set the store's union default graph (Fuseki: tdb2:unionDefaultGraph true; Stardog: "
                "query.all.graphs=true; Virtuoso and GraphDB have it by default)")

    def _ask_for_union(self, client: _Wrapper, sparql: str) -> list[str]:
        """Make ``client``'s query read the union of the graphs where the default graph is not that
        union; what was done, as notes (none when nothing needed doing)."""
        if self.default_graph_is_union() is not False:
            return []
        where = self.http.redact(self.query_url)
        if self.is_oxigraph:
            client.addParameter("union-default-graph", "true")
            how = "Oxigraph's union-default-graph parameter"
        else:
            graphs = self.graph_names()
            for name in graphs:
                client.addDefaultGraph(name)
                if uses_named_graphs(sparql):
                    client.addNamedGraph(name)
            how = f"each of its {len(graphs)} graphs as a default-graph-uri"
        return [
            f"the default graph of {where} is not the union of its graphs; kgkit asked for the union ({how}), "
            f"but other SPARQL clients see only the default graph: {self.union_advice()}"
        ]

    def graph_names(self) -> list[str]:
        """The IRIs of the store's named graphs (``GRAPH ?g {}``, else every graph that holds a triple)."""
        for pattern in ("GRAPH ?g { }", "GRAPH ?g { ?s ?p ?o }"):
            found = self.query(f"SELECT DISTINCT ?g WHERE {{ {pattern} }}", union=False)
            names = sorted(str(g) for g, *_ in found.rows if isinstance(g, URIRef))
            if names:
                return names
        return []

    def _client(self, url: str, *, idempotent: bool) -> _Wrapper:
        return _Wrapper(url, self.http, idempotent=idempotent)

    def _json(self, body: bytes) -> dict[str, Any]:
        try:
            doc = json.loads(body.decode("utf-8"))
            if not isinstance(doc, dict) or ("boolean" not in doc and "results" not in doc):
                raise ValueError("not SPARQL JSON results")
            return doc
        except ValueError as err:
            raise self.http.error(
                f"{self.query_url}: the answer is not SPARQL JSON results ({err}): {_first_line(body)}"
            ) from None

    def _parse(self, body: bytes, fmt: str) -> Graph:
        try:
            return Graph().parse(data=body, format=fmt)
        except Exception as err:
            raise self.http.error(f"{self.query_url}: cannot read the graph the store sent: {err}") from None

    # -- updates --

    def update(self, text: str, *, idempotent: bool) -> None:
        """Run a SPARQL Update: a POST of ``application/sparql-update`` (SPARQL 1.1 Protocol) with the
        headers SPARQLWrapper sends, but not through it: its regular expressions, which tell the kind
        of request from the whole text, read about 1.7 MB/s (59 of the 70 s of replacing 100 MB of
        N-Quads by INSERT DATA went into them)."""
        if not self.update_url:
            raise StoreError(f"{self.http.redact(self.query_url)} is read-only here: give an update or GSP URL")
        headers = {"Content-Type": "application/sparql-update", "Accept": "application/sparql-results+xml",
                   "User-Agent": "kgkit"}
        self.http.send("POST", self.update_url, data=text.encode("utf-8"), headers=headers, idempotent=idempotent)

    # -- graphs --

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        if name is None and "default-graph" not in self.capabilities:
            raise StoreError(
                f"{self.http.redact(self.query_url)} has no default graph of its own (its default graph is "
                "the union of its graphs): give the graph a name"
            )
        key = None if name is None else str(name)
        if self.gsp_url:
            self.put_graph(key, graph)
            return
        batches = list(_insert_batches(key, graph, 500))
        where = f"GRAPH {nt_term(URIRef(key))}" if key is not None else "DEFAULT"
        first = f"CLEAR SILENT {where} ;\n" + (batches[0][0] if batches else "")
        self.update(first, idempotent=not _has_bnodes(graph))
        for text, _ in batches[1:]:
            self.update(text, idempotent=not _has_bnodes(graph))

    def put_graph(
        self,
        name: str | None,
        graph: Graph | GraphLines,
        *,
        merge: bool = False,
        sent: Callable[[float], None] | None = None,
    ) -> int:
        """Send ``graph`` (an rdflib Graph, or the N-Triples lines of one) to the Graph Store: PUT
        replaces graph ``name``, POST (``merge``) adds to it.

        Sends N-Triples, or the same text as Turtle if the store refuses N-Triples; returns the number
        of bytes sent. ``sent`` is told the fraction of the body sent so far."""
        if not self.gsp_url:
            raise StoreError(f"{self.http.redact(self.query_url)}: no Graph Store URL (give --gsp-url)")
        data = graph.ntriples() if isinstance(graph, GraphLines) else graph.serialize(format="nt", encoding="utf-8")
        url = self._gsp_target(name)
        idempotent = not merge or not _has_bnodes(graph)
        for media in dict.fromkeys([self._graph_media_type, "application/n-triples", "text/turtle"]):
            try:
                self.http.send(
                    "POST" if merge else "PUT",
                    url,
                    data=data,
                    headers={"Content-Type": f"{media}; charset=utf-8" if media == "text/turtle" else media},
                    idempotent=idempotent,
                    sent=(lambda n: sent(n / len(data))) if sent else None,
                )
                self._graph_media_type = media
                return len(data)
            except StoreError as err:
                if "HTTP 415" not in str(err) or media == "text/turtle":
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def post_dataset(self, path: Path, *, sent: Callable[[int], None] | None = None) -> int:
        """Send the N-Quads file ``path`` as it is, in one POST to the Graph Store URL (no graph named):
        each quad is added to its graph. Oxigraph takes this; a store that takes graphs only answers
        4xx. Streamed from the file; returns the bytes sent, ``sent`` is told them as they go."""
        if not self.gsp_url:
            raise StoreError(f"{self.http.redact(self.query_url)}: no Graph Store URL (give --gsp-url)")
        self.http.send("POST", self.gsp_url, data=path, headers={"Content-Type": "application/n-quads"},
                       idempotent=False, sent=sent)
        return path.stat().st_size

    def _gsp_target(self, name: str | None) -> str:
        assert self.gsp_url is not None
        target = f"graph={urllib.parse.quote(name, safe='')}" if name is not None else "default"
        return f"{self.gsp_url}{'&' if '?' in self.gsp_url else '?'}{target}"

    def insert(
        self,
        name: str | None,
        graph: Graph | GraphLines,
        batch_size: int,
        *,
        sent: Callable[[int], None] | None = None,
    ) -> int:
        """Add ``graph`` to graph ``name`` with ``INSERT DATA`` requests of ``batch_size`` triples
        (triples sharing a blank node go in one request); returns the bytes sent."""
        total, done = 0, 0
        idempotent = not _has_bnodes(graph)
        for text, n in _insert_batches(name, graph, batch_size):
            self.update(text, idempotent=idempotent)
            total += len(text.encode("utf-8"))
            done += n
            if sent:
                sent(done)
        return total

    def drop_graphs(self, names: Sequence[str]) -> None:
        """``DROP SILENT GRAPH`` each of ``names`` (or a Graph Store DELETE when there is no update URL)."""
        for chunk in _chunks(list(names), 100):
            if self.update_url:
                self.update(" ;\n".join(f"DROP SILENT GRAPH {nt_term(URIRef(n))}" for n in chunk), idempotent=True)
            else:
                for n in chunk:
                    with contextlib.suppress(StoreError):
                        self.http.send("DELETE", self._gsp_target(n), idempotent=True)

    def move_graphs(self, moves: Sequence[tuple[str, str | None]], *, drop: Sequence[str] = ()) -> None:
        """``MOVE GRAPH <from> TO GRAPH <to>`` (DEFAULT for None) for each pair, and ``DROP SILENT
        GRAPH`` each of ``drop``, in one request.

        Never retried: a MOVE repeated after it succeeded would empty the target."""
        ops = [f"MOVE GRAPH {nt_term(URIRef(src))} TO {_graph_ref(dst)}" for src, dst in moves]
        ops += [f"DROP SILENT GRAPH {nt_term(URIRef(name))}" for name in drop]
        if ops:
            self.update(" ;\n".join(ops), idempotent=False)

    def count(self, names: Sequence[str | None]) -> dict[str | None, int]:
        """Triples in each graph of ``names`` (0 for an empty or missing graph; None: default graph)."""
        counts: dict[str | None, int] = {n: 0 for n in names}
        named = [n for n in names if n is not None]
        for chunk in _chunks(named, 200):
            values = " ".join(nt_term(URIRef(n)) for n in chunk)
            result = self.query(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
                union=False,
            )
            for g, n in result.rows:
                counts[str(g)] = int(str(n))
        if None in counts:
            counts[None] = self._default_graph_count()
        return counts

    def _default_graph_count(self) -> int:
        """Triples in the default graph itself. Where the default graph is its own, a COUNT; where it
        is the union of the graphs, the Graph Store's copy of the default graph, counted (a store
        without one: the triples outside every named graph, which misses those also in one)."""
        if not self.default_graph_is_union():
            result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=False)
            return int(str(result.rows[0][0]))
        if self.gsp_url:
            with contextlib.suppress(StoreError):
                answer = self.http.send(
                    "GET", self._gsp_target(None), headers={"Accept": "application/n-triples"}, idempotent=True
                )
                if answer.headers.get("Content-Type", "").startswith("application/n-triples"):
                    return sum(1 for line in answer.body.splitlines() if line.strip() and not line.startswith(b"#"))
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }", union=False
        )
        return int(str(result.rows[0][0]))

    def graph_counts(self) -> dict[str, int]:
        named = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False)
        counts = {str(g): int(str(n)) for g, n in named.rows}
        n = self._default_graph_count()
        return {"": n, **counts} if n else counts

    def clear(self) -> None:
        """Remove every graph (``CLEAR ALL``, or a Graph Store DELETE of each); StoreError for a store
        without "clear" (Virtuoso: use :meth:`drop_graphs` on the graphs you made)."""
        if "clear" not in self.capabilities:
            raise StoreError(
                f"{self.http.redact(self.query_url)} cannot be cleared (it keeps graphs of its own); "
                "drop the graphs you made instead"
            )
        if self.update_url or not self.gsp_url:
            self.update("CLEAR ALL", idempotent=True)
            return
        for name in self.graph_counts():
            self.http.send("DELETE", self._gsp_target(name or None), idempotent=True)


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper (which builds the SPARQL 1.1 Protocol request) sending through kgkit's client."""

    def __init__(self, url: str, http: _Http, *, idempotent: bool) -> None:
        super().__init__(url, agent="kgkit")
        self._kgkit_http = http
        self._idempotent = idempotent

    def _query(self) -> tuple[Any, str]:
        request = self._createRequest()
        return self._kgkit_http.send_request(request, idempotent=self._idempotent), self.returnFormat


def _graph_ref(name: str | None) -> str:
    return "DEFAULT" if name is None else f"GRAPH {nt_term(URIRef(name))}"


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _has_bnodes(graph: Graph | GraphLines) -> bool:
    if isinstance(graph, GraphLines):
        return graph.has_bnodes()
    return any(isinstance(t, BNode) for triple in graph for t in triple)


def _insert_batches(name: str | None, graph: Graph | GraphLines, batch_size: int) -> Iterator[tuple[str, int]]:
    """``INSERT DATA`` texts of at most ``batch_size`` triples (all triples with blank nodes together,
    since a blank node label means one node only within one request), with their triple counts."""
    plain: list[str] = []
    with_bnodes: list[str] = []
    if isinstance(graph, GraphLines):  # N-Triples lines as Oxigraph writes them, which SPARQL reads too
        for raw in graph.lines:
            (with_bnodes if has_bnode(raw) else plain).append(raw.decode("utf-8"))
    for triple in graph if isinstance(graph, Graph) else ():
        s, p, o = (cast(Identifier, t) for t in triple)
        line = f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ."
        (with_bnodes if isinstance(s, BNode) or isinstance(o, BNode) else plain).append(line)
    batches = [with_bnodes] if with_bnodes else []
    batches += list(_chunks(sorted(plain), max(1, batch_size)))
    for lines in batches:
        body = "\n".join(lines)
        if name is None:
            yield f"INSERT DATA {{\n{body}\n}}", len(lines)
        else:
            yield f"INSERT DATA {{ GRAPH {nt_term(URIRef(name))} {{\n{body}\n}} }}", len(lines)


def _boolean(doc: dict[str, Any]) -> bool:
    """The answer to an ASK: ``boolean``, or as Virtuoso 7 gives it in JSON, one row of one value
    (``__ASK_RETVAL`` = 1 or 0).

    >>> _boolean({"head": {}, "boolean": True}), _boolean({"results": {"bindings": [{"x": {"value": "0"}}]}})
    (True, False)
    """
    if "boolean" in doc:
        return bool(doc["boolean"])
    rows = doc.get("results", {}).get("bindings") or [{}]
    values = [v.get("value") for v in rows[0].values()]
    return values in (["1"], ["true"])


def _term(binding: dict[str, str]) -> Identifier:
    """An rdflib term from one value of the W3C SPARQL JSON results format."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    datatype = binding.get("datatype")
    return Literal(value, lang=binding.get("xml:lang"), datatype=URIRef(datatype) if datatype else None)
