"""Where queries run: an in-memory rdflib Dataset or a SPARQL 1.1 endpoint, behind one protocol.

Both answer a query over the union of all their graphs. A remote store must do that too: Oxigraph
with ``oxigraph serve --union-default-graph``, Fuseki with ``unionDefaultGraph``; GraphDB and
Virtuoso do it by default.

>>> store = open_store(None, source="build")  # doctest: +SKIP
>>> oxigraph = "http://127.0.0.1:7878"
>>> store = SparqlStore(f"{oxigraph}/query", gsp_url=f"{oxigraph}/store")  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import base64
import math
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kgkit.errors import InputError, QueryError, StoreError
from kgkit.export import as_dataset
from kgkit.query import QueryResult, check_query, nt_term, prepare
from kgkit.terms import PREFIXES

T = TypeVar("T")


class Store(Protocol):
    """What both backends offer. Graph names are IRIs; ``None`` / "" is the default graph."""

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE over the union of all graphs, variables pre-bound."""
        ...

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        """Replace the content of graph ``name`` with ``graph``."""
        ...

    def graph_counts(self) -> dict[str, int]:
        """Triples per non-empty graph; the default graph is ""."""
        ...

    def clear(self) -> None:
        """Remove every triple of every graph."""
        ...


def open_store(
    endpoint: str | None = None,
    *,
    source: str | Path | Dataset | Graph = "build",
    timeout: float | None = None,
) -> Store:
    """A SparqlStore for ``endpoint`` (an http(s) URL), else a MemoryStore holding ``source``."""
    if endpoint:
        if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
            raise InputError(f"--endpoint must be an http(s) URL, not {_redact(endpoint)!r}")
        return SparqlStore(endpoint, timeout=timeout if timeout is not None else 30)
    return MemoryStore(as_dataset(source), timeout=timeout)


def upload(store: Store, source: str | Path | Dataset | Graph = "build") -> None:
    """Copy every graph of ``source`` into ``store``, replacing graphs of the same name."""
    for g in as_dataset(source).graphs():
        if len(g):
            store.add_graph(None if g.identifier == DATASET_DEFAULT_GRAPH_ID else URIRef(g.identifier), g)


# --- in memory -----------------------------------------------------------------------------------


class MemoryStore:
    """An rdflib Dataset. ``timeout`` (seconds) abandons a query that runs longer."""

    def __init__(self, dataset: Dataset | None = None, *, timeout: float | None = None) -> None:
        self.dataset = dataset if dataset is not None else Dataset()
        self.timeout = timeout

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        check_query(sparql)
        # A view of the same quads whose default graph is the union of all graphs (as with
        # kgkit.rdfio.union_graph, but without a copy, and GRAPH ?g still works).
        union = Dataset(store=self.dataset.store, default_union=True)

        def run() -> QueryResult:
            try:
                return _from_rdflib(union.query(prepare(sparql), initBindings=dict(bindings or {})))
            except QueryError:
                raise
            except Exception as err:  # an rdflib evaluation failure, not the user's fault
                raise QueryError(
                    f"rdflib could not evaluate the query: {type(err).__name__}: {err}"
                ) from None

        return _with_timeout(run, self.timeout)

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        target = self.dataset.graph(name) if name is not None else self.dataset.default_graph
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)

    def graph_counts(self) -> dict[str, int]:
        counts = {}
        for g in self.dataset.graphs():
            if len(g):
                counts["" if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier)] = len(g)
        return counts

    def clear(self) -> None:
        for g in list(self.dataset.graphs()):
            g.remove((None, None, None))


def _from_rdflib(result: Result) -> QueryResult:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        return QueryResult(result.type, graph=result.graph)
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    variables = [str(v) for v in result.vars or []]
    rows = [tuple(row) for row in result]  # type: ignore[arg-type]
    return QueryResult("SELECT", variables, rows)  # type: ignore[arg-type]


def _with_timeout(run: Callable[[], T], timeout: float | None) -> T:
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


# --- over HTTP -----------------------------------------------------------------------------------


class SparqlStore:
    """A SPARQL 1.1 endpoint: queries via SPARQLWrapper, writes via the Graph Store Protocol
    (``gsp_url``) or else SPARQL Update (``update_url``). ``auth`` is (user, password) for HTTP
    Basic authentication; it never appears in error messages."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 30,
    ) -> None:
        parts = urllib.parse.urlsplit(query_url)
        if parts.username is not None and auth is None:  # http://user:password@host/query
            auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        self.query_url, self.update_url, self.gsp_url = _redact(query_url), update_url, gsp_url
        self.auth = auth
        self.timeout = timeout

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        kind = check_query(sparql)
        client = SPARQLWrapper(self.query_url)
        client.setMethod(POST)
        client.setQuery(with_values(_declare_prefixes(sparql), bindings or {}))
        client.setTimeout(max(1, math.ceil(self.timeout)))
        if self.auth:
            client.setCredentials(*self.auth)
        if kind in ("CONSTRUCT", "DESCRIBE"):
            client.addCustomHttpHeader("Accept", "application/n-triples")
            body = self._send(client).response.read()
            return QueryResult(kind, graph=Graph().parse(data=body, format="nt"))
        client.setReturnFormat(JSON)
        doc = self._send(client).convert()
        if kind == "ASK":
            return QueryResult("ASK", boolean=bool(doc["boolean"]))
        variables = doc["head"]["vars"]
        rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in doc["results"]["bindings"]]
        return QueryResult("SELECT", variables, rows)

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        data = graph.serialize(format="nt", encoding="utf-8")
        if self.gsp_url:
            target = f"graph={urllib.parse.quote(str(name), safe='')}" if name is not None else "default"
            sep = "&" if "?" in self.gsp_url else "?"
            self._http("PUT", f"{self.gsp_url}{sep}{target}", data, "application/n-triples")
            return
        where = f"GRAPH {nt_term(name)}" if name is not None else "DEFAULT"
        inner = data.decode("utf-8")
        insert = (
            f"INSERT DATA {{ GRAPH {nt_term(name)} {{ {inner} }} }}"
            if name is not None
            else f"INSERT DATA {{ {inner} }}"
        )
        self._update(f"CLEAR SILENT {where} ;\n{insert}")

    def graph_counts(self) -> dict[str, int]:
        named = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {str(g): int(str(n)) for g, n in named.rows}
        # Triples only in the default graph (a union-default-graph store shows all graphs there).
        default = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        n = int(str(default.rows[0][0]))
        return {"": n, **counts} if n else counts

    def clear(self) -> None:
        if self.update_url or not self.gsp_url:
            self._update("CLEAR ALL")
            return
        for name in self.graph_counts():
            target = f"graph={urllib.parse.quote(name, safe='')}" if name else "default"
            sep = "&" if "?" in self.gsp_url else "?"
            self._http("DELETE", f"{self.gsp_url}{sep}{target}", None, None)

    def _update(self, update: str) -> None:
        if not self.update_url:
            raise StoreError(f"{_redact(self.query_url)} is read-only here: give an update or GSP URL")
        self._http("POST", self.update_url, update.encode("utf-8"), "application/sparql-update")

    def _http(self, method: str, url: str, data: bytes | None, content_type: str | None) -> None:
        request = urllib.request.Request(url, data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.auth:
            token = base64.b64encode(":".join(self.auth).encode("utf-8")).decode("ascii")
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            raise StoreError(f"{method} {_redact(url)}: HTTP {err.code}: {_first_line(err.read())}") from None
        except OSError as err:
            raise StoreError(f"{method} {_redact(url)}: cannot connect: {_reason(err)}") from None

    def _send(self, client: SPARQLWrapper) -> Any:
        where = _redact(self.query_url)
        try:
            return client.query()
        except SPARQLWrapperException as err:
            status = _STATUS.get(type(err), "error")
            raise StoreError(f"{where}: HTTP {status}: {_wrapper_message(err)}") from None
        except urllib.error.HTTPError as err:
            raise StoreError(f"{where}: HTTP {err.code}: {_first_line(err.read())}") from None
        except OSError as err:
            raise StoreError(f"{where}: cannot connect: {_reason(err)}") from None


_STATUS = {
    QueryBadFormed: 400,
    Unauthorized: 401,
    EndPointNotFound: 404,
    URITooLong: 414,
    EndPointInternalError: 500,
}


def _term(binding: dict[str, str]) -> Identifier:
    """An rdflib term from one value of the W3C SPARQL JSON results format."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    datatype = binding.get("datatype")
    return Literal(value, lang=binding.get("xml:lang"), datatype=URIRef(datatype) if datatype else None)


def _declare_prefixes(sparql: str) -> str:
    """Prepend PREFIX declarations for the kgkit prefixes the text does not declare itself."""
    declared = {p.lower() for p in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", sparql)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p.lower() not in declared]
    return "\n".join([*missing, sparql]) if missing else sparql


_TOKENS = re.compile(
    r'''
    (?P<skip> \#[^\n]*                                        # comment
            | """(?:[^"\\]|\\.|"(?!""))*""" | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
            | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'       # strings
            | <[^\x00-\x20<>"{}|^`\\]*> )                     # IRIs
  | (?P<brace>[{}]) | (?P<paren>[()]) | (?P<word>[?$]?\w[\w:.-]*)      # keywords, names, variables
''',
    re.VERBOSE,
)


def with_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (<term> "term") }`` opening its WHERE clause.

    This is how remote queries get their parameters: each term is written in escaped N-Triples
    syntax (:func:`kgkit.query.nt_term`), so a value can never change the query's structure.
    """
    if not bindings:
        return sparql
    for name, term in bindings.items():
        if not re.fullmatch(r"\w+", name) or isinstance(term, BNode):
            raise QueryError(f"cannot bind ?{name} to {term!r}: need a variable name and an IRI or literal")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(nt_term(term) for term in bindings.values())
    values = f" VALUES ({names}) {{ ({terms}) }} "
    depth = parens = 0
    previous = ""
    for match in _TOKENS.finditer(sparql):
        token = match.group()
        if match.lastgroup == "paren":
            parens += 1 if token == "(" else -1
        elif match.lastgroup == "brace":
            # the first top-level '{' opens the WHERE clause, unless it is a CONSTRUCT template
            if token == "{" and depth == 0 and parens == 0 and previous.upper() != "CONSTRUCT":
                return sparql[: match.end()] + values + sparql[match.end() :]
            depth += 1 if token == "{" else -1
        if match.lastgroup != "skip":
            previous = token
    raise QueryError("cannot bind parameters: the query has no WHERE clause")


def _redact(url: str) -> str:
    """``url`` without any user:password@ part."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _first_line(body: bytes) -> str:
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no message)"


def _wrapper_message(err: SPARQLWrapperException) -> str:
    """The server's message inside a SPARQLWrapper exception (it keeps only a repr of the body)."""
    _, found, body = str(err).partition("Response:\n")
    if not found:
        return err.msg
    try:
        return _first_line(ast.literal_eval(body))
    except (ValueError, SyntaxError):
        return _first_line(body.encode())


def _reason(err: OSError) -> str:
    reason = getattr(err, "reason", None) or err.strerror or type(err).__name__
    return str(reason)
