"""Where queries run and where graphs go: an in-memory rdflib Dataset or a SPARQL 1.1 triple store.

Both backends answer a query over the union of all their graphs. A remote store must do that too:
Oxigraph with ``oxigraph serve --union-default-graph``, Fuseki with ``unionDefaultGraph``; GraphDB
and Virtuoso do it by default.

:func:`load` copies a build into a store over the W3C standards every store speaks: the SPARQL 1.1
Graph Store HTTP Protocol (one request per named graph) or else SPARQL 1.1 Update (``INSERT DATA``
in batches), then checks the store's triple counts graph by graph.

>>> report = load("http://127.0.0.1:7878", "build", replace=True)  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
Replaced 7 graphs (8124 triples) in http://127.0.0.1:7878 by the Graph Store Protocol in 0.31 s.
Checked: the store holds exactly the triples sent, graph by graph.
>>> store = SparqlStore.connect("http://127.0.0.1:8890/sparql")  # doctest: +SKIP
>>> store = open_store(None, source="build")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import http.client
import io
import json
import logging
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper

from kgkit.errors import InputError, QueryError, StoreError
from kgkit.export import as_dataset
from kgkit.nqscan import SNIFF_BYTES, count_graphs, count_graphs_in, distinct_counts
from kgkit.query import QueryResult, check_query, nt_term, prepare
from kgkit.rdfio import format_for_path, resolve_input
from kgkit.terms import PREFIXES

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Environment variables read for credentials when none are given (never printed).
ENV_USER, ENV_PASSWORD, ENV_TOKEN = "KGKIT_STORE_USER", "KGKIT_STORE_PASSWORD", "KGKIT_STORE_TOKEN"
PROTOCOLS = ("auto", "gsp", "update")
STAGING_PREFIX = "urn:kgkit:staging:"


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
    credentials: Credentials | None = None,
) -> Store:
    """A SparqlStore for ``endpoint`` (an http(s) URL, see :meth:`SparqlStore.connect`), else a
    MemoryStore holding ``source``. Remote credentials default to the ``KGKIT_STORE_*`` variables."""
    if endpoint:
        return SparqlStore.connect(
            endpoint, credentials=credentials, timeout=timeout if timeout is not None else 30
        )
    return MemoryStore(as_dataset(source), timeout=timeout)


def upload(store: Store, source: str | Path | Dataset | Graph = "build") -> None:
    """Copy every graph of ``source`` into ``store``, replacing graphs of the same name."""
    for name, g in _graphs_of(as_dataset(source)):
        store.add_graph(None if name is None else URIRef(name), g)


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
        return {name or "": len(g) for name, g in _graphs_of(self.dataset)}

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


def _graphs_of(ds: Dataset) -> list[tuple[str | None, Graph]]:
    """The non-empty graphs of ``ds`` as (name, graph), the default graph named None, sorted by name."""
    graphs = [
        (None if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier), g) for g in ds.graphs() if len(g)
    ]
    return sorted(graphs, key=lambda item: item[0] or "")


# --- credentials and HTTP ------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Credentials:
    """HTTP credentials: ``user``/``password`` (Basic or Digest, whichever the store asks for:
    Virtuoso's ``/sparql-auth`` wants Digest) or a bearer ``token``. Never printed: ``repr`` hides them and
    every message kgkit makes from a store's answer has them blanked out."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(user={'***' if self.user else None}, password=***, token=***)"

    def __bool__(self) -> bool:
        return bool(self.user or self.token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """Credentials from ``KGKIT_STORE_USER``/``KGKIT_STORE_PASSWORD`` or ``KGKIT_STORE_TOKEN``."""
        env = os.environ if environ is None else environ
        found = cls(env.get(ENV_USER) or None, env.get(ENV_PASSWORD) or None, env.get(ENV_TOKEN) or None)
        return found if found else None

    def secrets(self) -> list[str]:
        """Every string that would give the credentials away (blanked out of messages)."""
        found = [s for s in (self.password, self.token) if s]
        if self.user and self.password:
            pair = f"{self.user}:{self.password}"
            found += [pair, base64.b64encode(pair.encode("utf-8")).decode("ascii"), urllib.parse.quote(pair)]
            found.append(urllib.parse.quote(self.password, safe=""))
        return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


@dataclass
class _Response:
    """A store's complete answer (what SPARQLWrapper's QueryResult reads as its ``response``)."""

    status: int
    headers: Message
    body: bytes
    url: str

    def read(self) -> bytes:
        return self.body

    def info(self) -> Message:
        return self.headers

    def geturl(self) -> str:
        return self.url

    def getcode(self) -> int:
        return self.status


class _Body(io.RawIOBase):
    """A request body read in blocks by http.client, reporting how many bytes went out."""

    def __init__(self, data: bytes, sent: Callable[[int], None] | None = None) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._sent = sent

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._data) - self._pos, 1 << 16)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        if self._sent and n:
            self._sent(self._pos)
        return n


def _file_blocks(path: Path, sent: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """A request body read from a file in large blocks (so that sending them holds the GIL rarely),
    reporting how many bytes went out."""
    done = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 23):
            yield block
            done += len(block)
            if sent:
                sent(done)


_RETRY_STATUS = {500, 502, 503, 504, 507, 429}
_SECRET_PARAM = re.compile(r"(?i)(access[-_]?)?token|key|password|secret")
_STREAM_ABOVE = 1 << 20  # bytes
_HINTS = {
    401: "check the credentials (--user/--password, --token or the KGKIT_STORE_* variables)",
    403: "the account may not be allowed to do this (Virtuoso: grant SPARQL_UPDATE, or use /sparql-auth)",
    404: "is this the store's URL? see `kgkit load --help` for the URLs of each store",
    405: "this URL does not take this request; give --update-url / --gsp-url",
    413: "the request was too large: lower --batch-size (with --protocol update)",
    415: "the store does not take this media type",
}


class _Http:
    """Sends requests for one store: credentials, a timeout, retries with exponential back-off on
    5xx answers and dropped connections (idempotent requests only) and one-line StoreErrors with no
    credentials in them."""

    def __init__(
        self, credentials: Credentials | None, timeout: float, retries: int = 2, backoff: float = 0.5
    ) -> None:
        self.credentials = credentials if credentials else None
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.secrets = credentials.secrets() if credentials else []
        # Authorization goes in as an "unredirected" header: urllib never carries it to a redirect.
        self._opener = urllib.request.build_opener()
        self._digest: tuple[urllib.request.HTTPDigestAuthHandler, dict[str, str]] | None = None
        self._basic = False
        self.server = ""  # the Server header of the last answer ("Oxigraph/0.5.13")

    # -- sending --

    def send(
        self,
        method: str,
        url: str,
        *,
        data: bytes | Path | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        sent: Callable[[int], None] | None = None,
    ) -> _Response:
        """One HTTP exchange, retried where safe; StoreError for anything but a 2xx answer. ``data``
        is the body, or a file whose content is the body (streamed, never held in memory)."""
        attempt, answered_challenge = 0, False
        while True:
            request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
            if isinstance(data, Path):
                request.data = _file_blocks(data, sent)
                request.add_header("Content-Length", str(data.stat().st_size))
            elif data is not None:
                # Bytes go out with the headers in one send (a file-like body is sent after them, and
                # Nagle's algorithm with delayed ACKs then stalls each request ~40 ms); a large body
                # is read in blocks, so that progress can be told.
                request.data = _Body(data, sent) if sent and len(data) > _STREAM_ABOVE else data
                request.add_header("Content-Length", str(len(data)))
            self._authorize(request)
            started = time.monotonic()
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    self.server = response.headers.get("Server") or ""
                    body = response.read()
                    log.debug("%s %s -> %s in %.2f s", method, self.redact(url), response.status,
                              time.monotonic() - started)
                    return _Response(response.status, response.headers, body, response.url)
            except urllib.error.HTTPError as err:
                message = _store_message(err)
                log.debug("%s %s -> HTTP %s", method, self.redact(url), err.code)
                if err.code == 401 and not answered_challenge and self._answer_challenge(err, url):
                    answered_challenge = True
                    continue
                if err.code in _RETRY_STATUS and idempotent and attempt < self.retries:
                    self._pause(attempt, err.headers.get("Retry-After"))
                    attempt += 1
                    continue
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                hint = _HINTS.get(err.code)
                raise self.error(
                    f"{method} {self.redact(url)}: HTTP {err.code} {_reason_phrase(err)}: {message}{tries}"
                    + (f"; {hint}" if hint else "")
                ) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
                reason = err.reason if isinstance(err, urllib.error.URLError) else err
                kind, retry_safe = _classify(reason)
                log.debug("%s %s -> %s", method, self.redact(url), kind)
                if (retry_safe or idempotent) and kind in ("refused", "dropped") and attempt < self.retries:
                    self._pause(attempt, None)
                    attempt += 1
                    continue
                raise self.error(self._describe(kind, reason, method, url, attempt)) from None

    def send_request(self, request: urllib.request.Request, *, idempotent: bool) -> _Response:
        """Send a urllib Request built by SPARQLWrapper."""
        data = request.data if isinstance(request.data, bytes) else None
        headers = {k: v for k, v in request.header_items() if k.lower() != "authorization"}
        return self.send(request.get_method(), request.full_url, data=data, headers=headers, idempotent=idempotent)

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), 30.0))
        time.sleep(delay)

    # -- credentials --

    def _authorize(self, request: urllib.request.Request) -> None:
        """Add the Authorization header: a bearer token always; a user and password once the store
        has said which scheme it wants (none is sent before, so a password never goes out as Basic
        to a store that wants Digest)."""
        creds = self.credentials
        if creds is None:
            return
        if creds.token:
            request.add_unredirected_header("Authorization", f"Bearer {creds.token}")
        elif self._digest is not None:
            handler, challenge = self._digest
            auth = handler.get_authorization(request, challenge)
            if auth:
                request.add_unredirected_header("Authorization", f"Digest {auth}")
        elif self._basic and creds.user is not None:
            pair = f"{creds.user}:{creds.password or ''}".encode()
            request.add_unredirected_header("Authorization", f"Basic {base64.b64encode(pair).decode('ascii')}")

    def _answer_challenge(self, err: urllib.error.HTTPError, url: str) -> bool:
        """After a 401: take up the scheme the store asks for (Digest, else Basic); False if there
        is nothing new to try."""
        creds = self.credentials
        if creds is None or creds.user is None or creds.token:
            return False
        for value in err.headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "digest":
                passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                parts = urllib.parse.urlsplit(url)
                root = f"{parts.scheme}://{parts.netloc}/"  # the same credentials for every path
                passwords.add_password(None, root, creds.user, creds.password or "")
                challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                self._digest = (urllib.request.HTTPDigestAuthHandler(passwords), challenge)
                return True
        if not self._basic and self._digest is None:
            self._basic = True  # a Basic challenge, or none at all
            return True
        return False

    # -- messages --

    def redact(self, text: str) -> str:
        """``text`` with credentials blanked out, and a URL without user:password@ or token params."""
        text = _redact(text) if re.match(r"https?://", text) else text
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def error(self, message: str) -> StoreError:
        return StoreError(self.redact(" ".join(message.split())))

    def _describe(self, kind: str, reason: object, method: str, url: str, attempt: int) -> str:
        parts = urllib.parse.urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        tries = f" (after {attempt + 1} attempts)" if attempt else ""
        detail = _reason_text(reason)
        if kind == "dns":
            return f"cannot connect to {host}: the host name does not resolve (DNS: {detail})"
        if kind == "refused":
            return f"cannot connect to {host}: connection refused{tries}; is the store running?"
        if kind == "tls":
            return f"cannot connect to {host}: TLS error: {detail}"
        if kind == "timeout":
            return (f"{method} {self.redact(url)}: no answer within {self.timeout:g} s (timed out); "
                    "a larger --timeout may help")
        if kind == "dropped":
            return f"{method} {self.redact(url)}: the store closed the connection ({detail}){tries}"
        return f"cannot connect to {host}: {detail}{tries}"


def _classify(reason: object) -> tuple[str, bool]:
    """(kind of network failure, whether the request surely never reached the store)."""
    if isinstance(reason, socket.gaierror):
        return "dns", True
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return "tls", True
    if isinstance(reason, ConnectionRefusedError):
        return "refused", True
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timeout", False
    if isinstance(
        reason, ConnectionResetError | BrokenPipeError | ConnectionAbortedError | http.client.HTTPException
    ):
        return "dropped", False
    return "other", False


def _reason_text(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return str(reason.verify_message or reason.reason or "certificate verify failed")
    if isinstance(reason, ssl.SSLError):
        return str(reason.reason or reason.strerror or "TLS handshake failed")
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(reason, http.client.RemoteDisconnected):
        return "no answer"
    if isinstance(reason, http.client.IncompleteRead):
        return "answer cut short"
    text = str(reason).strip()
    return text or type(reason).__name__


def _reason_phrase(err: urllib.error.HTTPError) -> str:
    return str(err.reason or http.client.responses.get(err.code, "")).strip()


def _store_message(err: urllib.error.HTTPError) -> str:
    """The first meaningful line of a store's error answer (HTML tags dropped), at most 300 chars."""
    try:
        body = err.read()
    except (OSError, http.client.HTTPException):
        body = b""
    text = body.decode("utf-8", "replace")
    if "html" in (err.headers.get("Content-Type") or "") or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", "\n", text)
    return _first_line(text.encode("utf-8"))


def _redact(url: str) -> str:
    """``url`` without any user:password@ part, and with token-like query parameters blanked."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    query = re.sub(r"(?i)\b((?:access[-_]?)?token|key|password|secret)=[^&]*", r"\1=***", parts.query)
    # (the same names as _SECRET_PARAM)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


def _first_line(body: bytes) -> str:
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no message)"


# --- over HTTP -----------------------------------------------------------------------------------


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
        client.setQuery(with_values(_declare_prefixes(sparql), bindings or {}))
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

    def _update(self, text: str) -> None:  # kept for callers of the old name
        self.update(text, idempotent=True)

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


def _check_url(url: str) -> urllib.parse.SplitResult:
    """The parts of an http(s) URL; InputError (with no credentials in it) for anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number, a bad IPv6 address
        valid = False
    if not valid or any(c.isspace() for c in url):
        try:
            shown = repr(_redact(url))
        except ValueError:
            shown = "this"
        raise InputError(f"--endpoint must be an http(s) URL, not {shown}")
    return parts


def _redact_userinfo(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))


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


# --- loading a build into a store ----------------------------------------------------------------


@dataclass(frozen=True)
class GraphLoad:
    """One graph of a load: its name ("" = default graph), triples sent, triples the store holds
    afterwards, and before (None when replaced, as the old content does not matter then, and when
    an N-Quads file went in one request, which counts afterwards only)."""

    name: str
    sent: int
    stored: int
    before: int | None = None


@dataclass(frozen=True)
class LoadProgress:
    """Where a load is: ``phase`` ("upload", "check", "move"), ``done`` of ``total`` triples."""

    phase: str
    done: int
    total: int


@dataclass
class LoadReport:
    """What :func:`load` did, and what the store holds afterwards (checked by triple counts)."""

    endpoint: str
    protocol: str  # "gsp" or "update"
    replaced: bool
    graphs: list[GraphLoad] = field(default_factory=list)
    seconds: float = 0.0
    bytes_sent: int = 0
    note: str | None = None  # e.g. why auto fell back from GSP to SPARQL Update

    @property
    def triples_sent(self) -> int:
        return sum(g.sent for g in self.graphs)

    @property
    def exact(self) -> bool:
        """Every graph holds exactly the triples sent."""
        return all(g.stored == g.sent for g in self.graphs)

    @property
    def missing(self) -> list[GraphLoad]:
        """Graphs holding fewer triples than were sent (the store lost or merged some)."""
        return [g for g in self.graphs if g.stored < g.sent]

    def summary(self) -> str:
        how = "the Graph Store Protocol" if self.protocol == "gsp" else "SPARQL Update"
        verb = "Replaced" if self.replaced else "Loaded"
        n = len(self.graphs)
        lines = [
            f"{verb} {n} graph{'s' if n != 1 else ''} ({self.triples_sent} triples) in {self.endpoint} "
            f"by {how} in {self.seconds:.2f} s."
        ]
        if self.note:
            lines.append(self.note)
        if self.exact:
            lines.append("Checked: the store holds exactly the triples sent, graph by graph.")
        elif not self.missing:
            more = [g for g in self.graphs if g.stored > g.sent]
            lines.append(
                f"Checked: the store holds every triple sent; {len(more)} graph(s) also hold triples "
                "from before (--replace replaces them):"
            )
            lines += [f"  {g.name or '(default graph)'}: {g.stored} triples, {g.sent} sent" for g in more[:10]]
        else:
            lines.append(f"Check failed: {len(self.missing)} graph(s) hold fewer triples than were sent:")
            lines += [f"  {g.name or '(default graph)'}: {g.stored} of {g.sent}" for g in self.missing[:10]]
        return "\n".join(lines)


def load(
    endpoint: str,
    source: str | Path | Dataset | Graph = "build",
    *,
    graphs: Sequence[str] | None = None,
    replace: bool = False,
    protocol: str = "auto",
    batch_size: int = 500,
    update_url: str | None = None,
    gsp_url: str | None = None,
    credentials: Credentials | None = None,
    timeout: float = 60,
    retries: int = 2,
    backoff: float = 0.5,
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadReport:
    """Load ``source`` (a build directory, an RDF file or a Dataset) into the store at ``endpoint``.

    Every named graph keeps its name (one per document in a kgkit build). ``graphs`` picks some of
    them by IRI; when the source has triples in its default graph only, one IRI names the graph they
    go to. ``replace`` replaces each graph sent: it is uploaded into a temporary graph, counted and
    then moved over the old one with SPARQL Update ``MOVE``, so that after a failure every graph
    holds either its old or its new content, never a part (the temporary graphs are dropped).
    Without ``replace`` the triples are added to what the graphs hold.

    ``protocol`` is "gsp" (Graph Store Protocol: one PUT/POST per graph), "update" (``INSERT DATA``
    in batches of ``batch_size`` triples) or "auto" (GSP when the store has a Graph Store URL, SPARQL
    Update when that fails with 404/405/415/501). ``endpoint`` is a query URL or a server's root
    (see :meth:`SparqlStore.connect`); ``update_url``/``gsp_url`` name the others where a store
    splits them. Credentials default to the ``KGKIT_STORE_*`` environment variables.

    Afterwards the triple count of every graph sent is checked; StoreError if a graph holds fewer
    triples than were sent (and on any failure: unreachable store, HTTP errors, timeouts).

    >>> report = load("http://127.0.0.1:7878", "build", replace=True)  # doctest: +SKIP
    >>> report.exact, report.triples_sent  # doctest: +SKIP
    (True, 8124)
    """
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r}; choose one of: {', '.join(PROTOCOLS)}")
    if batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    started = time.monotonic()
    streamable = None if graphs or replace or protocol == "update" else _nquads_file(source)
    selected = _select_graphs(as_dataset(source), graphs) if streamable is None else []
    store = SparqlStore.connect(
        endpoint,
        update_url=update_url,
        gsp_url=gsp_url,
        credentials=credentials,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
    )
    store.query("ASK {}")  # the store answers (and says which authentication it wants) before any upload
    if streamable is not None:
        streamed = _load_file(store, streamable, progress)
        if streamed is not None:
            streamed.endpoint, streamed.seconds = store.http.redact(endpoint), time.monotonic() - started
            if streamed.missing:
                raise StoreError(" ".join(streamed.summary().split("\n", 1)[-1].split()))
            return streamed
        selected = _select_graphs(as_dataset(source), graphs)
    loader = _Loader(store, protocol, batch_size, progress, sum(len(g) for _, g in selected))
    if replace:
        stored = loader.replace(selected)
        before: dict[str | None, int] = {}
    else:
        before = store.count([name for name, _ in selected]) if selected else {}
        loader.add(selected)
        stored = store.count([name for name, _ in selected]) if selected else {}
    report = LoadReport(
        endpoint=store.http.redact(endpoint),
        protocol=loader.protocol,
        replaced=replace,
        graphs=[
            GraphLoad(name or "", len(g), stored.get(name, 0), None if replace else before.get(name, 0))
            for name, g in selected
        ],
        seconds=time.monotonic() - started,
        bytes_sent=loader.bytes_sent,
        note=loader.note,
    )
    if report.missing:
        raise StoreError(" ".join(report.summary().split("\n", 1)[-1].split()))
    return report


def _nquads_file(source: str | Path | Dataset | Graph) -> Path | None:
    """The N-Quads file of ``source`` (a file or build) when :mod:`kgkit.nqscan` can count its lines
    (judged by its first ``SNIFF_BYTES``), else None."""
    if isinstance(source, Dataset | Graph):
        return None
    file = resolve_input(source)
    if format_for_path(file).name != "nquads":
        return None
    with open(file, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return file if count_graphs_in(head[: head.rfind(b"\n") + 1]) is not None else None


def _load_file(store: SparqlStore, file: Path, progress: Callable[[LoadProgress], None] | None) -> LoadReport | None:
    """Add the quads of the N-Quads ``file`` to ``store`` in one streamed POST (the store parses; the
    lines are counted per graph meanwhile, in a thread), then compare the store's counts with
    those, graph by graph. None, with nothing stored, when the store does not take a whole dataset
    that way: any store but Oxigraph (known by its Server header; others take graphs one by one, or
    put a whole dataset into one graph), or a 4xx answer. The caller then loads graph by graph."""
    if not store.gsp_url or not store.http.server.lower().startswith("oxigraph"):
        return None
    size = max(1, file.stat().st_size)
    with open(file, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    estimate = max(1, size * head.count(b"\n") // max(1, len(head)))  # for progress, until counted

    def tell(phase: str, done: int, total: int) -> None:
        if progress:
            progress(LoadProgress(phase, done, total))

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        counting = pool.submit(count_graphs, file)
        try:
            sent = store.post_dataset(file, sent=lambda n: tell("upload", estimate * n // size, estimate))
        except StoreError as err:
            if re.search(r"HTTP (400|404|405|406|415|501)\b", str(err)):
                log.debug("the store did not take N-Quads in one request (%s); loading graph by graph", err)
                return None
            raise
        counts = counting.result()
    if counts is None:  # a line the scan could not count, past the first ones: count with rdflib
        counts = {name: len(g) for name, g in _graphs_of(as_dataset(file))}
    names = sorted(counts, key=lambda n: n or "")
    total = sum(counts.values())
    tell("check", total, total)
    stored = store.count(names)
    short = [name for name in names if stored[name] < counts[name]]
    if short:  # repeated lines count once in the store: count distinct lines before calling any short
        counts = {**counts, **distinct_counts(file, short)}
    return LoadReport(
        endpoint="",
        protocol="gsp",
        replaced=False,
        graphs=[GraphLoad(name or "", counts[name], stored[name]) for name in names],
        bytes_sent=sent,
    )


def _select_graphs(ds: Dataset, wanted: Sequence[str] | None) -> list[tuple[str | None, Graph]]:
    available = _graphs_of(ds)
    if not wanted:
        return available
    by_name = {name: g for name, g in available}
    for iri in wanted:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", iri):
            raise InputError(f"--graph must be an absolute IRI, not {iri!r}")
    if set(by_name) == {None} and len(wanted) == 1:  # triples only: they go into the graph named
        return [(wanted[0], by_name[None])]
    unknown = [iri for iri in wanted if iri not in by_name]
    if unknown:
        names = [n for n in by_name if n is not None]
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise InputError(f"no graph {unknown[0]} in the source (it has: {shown or 'only a default graph'})")
    return [(iri, by_name[iri]) for iri in dict.fromkeys(wanted)]


class _Loader:
    """The steps of one load, with the protocol choice (and auto's fall-back) and progress."""

    def __init__(
        self,
        store: SparqlStore,
        protocol: str,
        batch_size: int,
        progress: Callable[[LoadProgress], None] | None,
        total: int,
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.report_progress = progress
        self.total = total
        self.done = 0
        self.bytes_sent = 0
        self.note: str | None = None
        if protocol == "gsp" and not store.gsp_url:
            raise InputError("--protocol gsp needs a Graph Store URL: give --gsp-url")
        if protocol == "update" and not store.update_url:
            raise InputError("--protocol update needs an update URL: give --update-url")
        if protocol == "auto":
            protocol = "gsp" if store.gsp_url else "update"
        self.protocol = protocol
        self.auto = store.gsp_url is not None and store.update_url is not None and protocol == "gsp"

    def _tell(self, phase: str, done: int | None = None) -> None:
        if self.report_progress:
            self.report_progress(LoadProgress(phase, self.done if done is None else done, self.total))

    def send(self, name: str | None, graph: Graph, *, merge: bool) -> None:
        """Upload one graph into graph ``name`` (replacing it unless ``merge``)."""
        size = len(graph)
        if self.protocol == "gsp":
            try:
                self.bytes_sent += self.store.put_graph(
                    name, graph, merge=merge, sent=lambda part: self._tell("upload", self.done + int(size * part))
                )
            except StoreError as err:
                if not (self.auto and re.search(r"HTTP (404|405|415|501)\b", str(err))):
                    raise
                self.protocol = "update"
                self.note = f"The Graph Store URL did not take the data ({_status_of(err)}); used SPARQL Update."
                self.send(name, graph, merge=merge)
                return
        else:
            if not merge:
                self.store.update(f"DROP SILENT {_graph_ref(name)}" if name else "CLEAR SILENT DEFAULT",
                                  idempotent=True)
            self.bytes_sent += self.store.insert(
                name, graph, self.batch_size, sent=lambda n: self._tell("upload", self.done + n)
            )
        self.done += size
        self._tell("upload")

    def add(self, selected: list[tuple[str | None, Graph]]) -> None:
        for name, graph in selected:
            self.send(name, graph, merge=True)

    def replace(self, selected: list[tuple[str | None, Graph]]) -> dict[str | None, int]:
        """Stage every graph, check the staged counts, then MOVE them over the old graphs."""
        if not self.store.update_url:
            # Without SPARQL Update there is no MOVE: one PUT per graph, which the store applies whole.
            if self.protocol != "gsp":
                raise InputError("--replace needs an update URL or a Graph Store URL")
            for name, graph in selected:
                self.send(name, graph, merge=False)
            return self.store.count([name for name, _ in selected])
        run = uuid.uuid4().hex[:12]
        staging = {name: f"{STAGING_PREFIX}{run}:{i}" for i, (name, _) in enumerate(selected)}
        moved: set[str | None] = set()
        try:
            for name, graph in selected:
                self.send(staging[name], graph, merge=False)
            self._tell("check", self.total)
            staged = self.store.count(list(staging.values()))
            short = [(name, staged[staging[name]], len(g)) for name, g in selected if staged[staging[name]] < len(g)]
            if short:
                name, got, want = short[0]
                raise StoreError(
                    f"the store kept {got} of the {want} triples sent for {name or 'the default graph'} "
                    f"({len(short)} graph(s) short); nothing was replaced"
                )
            for chunk in _chunks([name for name, _ in selected], 50):
                try:
                    self.store.move_graphs([(staging[name], name) for name in chunk])
                except StoreError as err:
                    moved |= self._moved_after_failure(chunk, staging, dict(selected))
                    if len(moved & set(chunk)) == len(chunk):
                        continue  # the MOVEs happened; only the answer was lost
                    raise StoreError(
                        f"{err.message}; {len(moved)} of {len(selected)} graphs were replaced when checked; "
                        "every graph holds either its old or its new content"
                    ) from None
                moved |= set(chunk)
                self._tell("move", self.total)
        finally:
            left = [staging[name] for name, _ in selected if name not in moved]
            if left:
                with contextlib.suppress(StoreError):
                    self.store.drop_graphs(left)
        return self.store.count([name for name, _ in selected])

    def _moved_after_failure(
        self, chunk: list[str | None], staging: dict[str | None, str], graphs: dict[str | None, Graph]
    ) -> set[str | None]:
        """After a MOVE request failed: the graphs whose staging graph is gone and whose target holds
        the new count (the MOVE happened)."""
        try:
            counts = self.store.count([staging[n] for n in chunk] + list(chunk))
        except StoreError:
            return set()
        return {n for n in chunk if counts[staging[n]] == 0 and counts[n] == len(graphs[n])}


def _status_of(err: StoreError) -> str:
    found = re.search(r"HTTP \d{3}", str(err))
    return found.group() if found else "error"
