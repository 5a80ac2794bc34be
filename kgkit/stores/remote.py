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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper

from kgkit.errors import StoreError
from kgkit.rdf.ntriples import nt_term
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import check_query, declare_prefixes, with_values
from kgkit.stores.base import T
from kgkit.stores.http import _SECRET_PARAM, Credentials, _check_url, _first_line, _Http, _redact_userinfo


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


class SparqlStore:
    """A SPARQL 1.1 endpoint: queries and updates via SPARQLWrapper, graphs via the Graph Store
    Protocol (``gsp_url``) or else SPARQL Update (``update_url``).

    ``auth`` is (user, password) or :class:`Credentials`; ``retries`` is how often an idempotent
    request is tried again after a 5xx answer or a dropped connection, waiting ``backoff`` seconds,
    then twice as long, ... Credentials never appear in error messages.
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
            {"named-graphs", "persistent"}
            | ({"update"} if self.update_url or self.gsp_url else set())
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
    ) -> SparqlStore:
        """The store at ``url``: a query endpoint, or a server's root URL (then ``/query`` and
        ``/sparql`` are tried, in that order). Update and Graph Store URLs not given are guessed
        (:func:`guess_endpoints`). Credentials default to the ``KGKIT_STORE_*`` variables."""
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

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        kind = check_query(sparql)
        client = self._client(self.query_url, idempotent=True)
        client.setMethod(POST)
        client.setQuery(with_values(declare_prefixes(sparql), bindings or {}))
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
            return QueryResult("ASK", boolean=bool(doc.get("boolean")))
        variables = doc["head"]["vars"]
        rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in doc["results"]["bindings"]]
        return QueryResult("SELECT", variables, rows)

    def _client(self, url: str, *, idempotent: bool, update: bool = False) -> _Wrapper:
        return _Wrapper(url, self.http, idempotent=idempotent, update=update)

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
        """Run a SPARQL Update (via SPARQLWrapper, ``application/sparql-update``)."""
        if not self.update_url:
            raise StoreError(f"{self.http.redact(self.query_url)} is read-only here: give an update or GSP URL")
        client = self._client(self.update_url, idempotent=idempotent, update=True)
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
        client.setQuery(text)
        client.query()

    # -- graphs --

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
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
        self, name: str | None, graph: Graph, *, merge: bool = False, sent: Callable[[float], None] | None = None
    ) -> int:
        """Send ``graph`` to the Graph Store: PUT replaces graph ``name``, POST (``merge``) adds to it.

        Sends N-Triples, or the same text as Turtle if the store refuses N-Triples; returns the number
        of bytes sent. ``sent`` is told the fraction of the body sent so far."""
        if not self.gsp_url:
            raise StoreError(f"{self.http.redact(self.query_url)}: no Graph Store URL (give --gsp-url)")
        data = graph.serialize(format="nt", encoding="utf-8")
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
        self, name: str | None, graph: Graph, batch_size: int, *, sent: Callable[[int], None] | None = None
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

    def move_graphs(self, moves: Sequence[tuple[str, str | None]]) -> None:
        """``MOVE GRAPH <from> TO GRAPH <to>`` (DEFAULT for None) for each pair, in one request.

        Never retried: a MOVE repeated after it succeeded would empty the target."""
        ops = [f"MOVE GRAPH {nt_term(URIRef(src))} TO {_graph_ref(dst)}" for src, dst in moves]
        self.update(" ;\n".join(ops), idempotent=False)

    def count(self, names: Sequence[str | None]) -> dict[str | None, int]:
        """Triples in each graph of ``names`` (0 for an empty or missing graph; None: default graph)."""
        counts: dict[str | None, int] = {n: 0 for n in names}
        named = [n for n in names if n is not None]
        for chunk in _chunks(named, 200):
            values = " ".join(nt_term(URIRef(n)) for n in chunk)
            result = self.query(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            )
            for g, n in result.rows:
                counts[str(g)] = int(str(n))
        if None in counts:
            counts[None] = self._default_graph_count()
        return counts

    def _default_graph_count(self) -> int:
        # Triples only in the default graph (a union-default-graph store shows all graphs there).
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        return int(str(result.rows[0][0]))

    def graph_counts(self) -> dict[str, int]:
        named = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {str(g): int(str(n)) for g, n in named.rows}
        n = self._default_graph_count()
        return {"": n, **counts} if n else counts

    def clear(self) -> None:
        """Remove every graph (``CLEAR ALL``; on Virtuoso that includes its system graphs: use
        :meth:`drop_graphs` there)."""
        if self.update_url or not self.gsp_url:
            self.update("CLEAR ALL", idempotent=True)
            return
        for name in self.graph_counts():
            self.http.send("DELETE", self._gsp_target(name or None), idempotent=True)


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper (which builds the SPARQL 1.1 Protocol request) sending through kgkit's client."""

    def __init__(self, url: str, http: _Http, *, idempotent: bool, update: bool) -> None:
        super().__init__(url, updateEndpoint=url if update else None, agent="kgkit")
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


def _has_bnodes(graph: Graph) -> bool:
    return any(isinstance(t, BNode) for triple in graph for t in triple)


def _insert_batches(name: str | None, graph: Graph, batch_size: int) -> Iterator[tuple[str, int]]:
    """``INSERT DATA`` texts of at most ``batch_size`` triples (all triples with blank nodes together,
    since a blank node label means one node only within one request), with their triple counts."""
    plain: list[str] = []
    with_bnodes: list[str] = []
    for triple in graph:
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


def _term(binding: dict[str, str]) -> Identifier:
    """An rdflib term from one value of the W3C SPARQL JSON results format."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    datatype = binding.get("datatype")
    return Literal(value, lang=binding.get("xml:lang"), datatype=URIRef(datatype) if datatype else None)
