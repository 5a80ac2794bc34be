"""``kgkit serve``: a local SPARQL 1.1 Protocol endpoint over the built graph, for SPARQL clients
and notebooks.

The graph is held in an in-memory Oxigraph store (pyoxigraph), queried over the union of its graphs
(``GRAPH ?g`` still sees each document's graph), with kgkit's prefixes predeclared. It answers
``GET``/``POST`` queries at ``/sparql`` in the result format the client asks for (``Accept``, or a
``format`` parameter): SPARQL JSON, XML, CSV or TSV; Turtle, N-Triples, RDF/XML, JSON-LD for
CONSTRUCT and DESCRIBE. Read-only unless ``allow_update``: updates get 403. Bound to 127.0.0.1 by
default; on a loopback address it refuses requests naming another host (DNS rebinding) and, with
updates allowed, updates from web pages of other origins.

Hostile clients are bounded: ``SERVICE`` and ``LOAD`` are never run (the server would send requests
for whoever asks: server-side request forgery); a query's text, the time it runs
(``query_timeout``), the size of its answer (``max_result_bytes``), the queries running at once
(``max_queries``) and the connections open at once (``max_connections``) are limited; a client that
sends nothing for ``idle_timeout`` seconds is disconnected, and a slow one holds only its own thread.
Browsers of other origins may read answers only from the origins ``cors`` names.

>>> with SparqlServer("build", port=0) as server:  # doctest: +SKIP
...     server.start()
...     kgkit.query("orgs-on-sustainability", endpoint=server.url)
>>> serve("build", port=7070)  # blocks until Ctrl-C  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import http.server
import io
import ipaddress
import logging
import re
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kgkit.errors import InputError, QueryError
from kgkit.rdf.ntriples import IRI
from kgkit.rdf.terms import PREFIXES
from kgkit.sparql.text import DECLARED, refuse_fetching
from kgkit.stores.oxigraph import OxigraphStore

log = logging.getLogger(__name__)

DEFAULT_PORT = 7070
PATH = "/sparql"
MAX_BODY = 64 * 1024 * 1024  # an update, with --allow-update
MAX_QUERY = 1024 * 1024  # a query
MAX_RESULT_BYTES = 64 * 1024 * 1024
QUERY_TIMEOUT = 30.0
IDLE_TIMEOUT = 30.0
MAX_QUERIES = 8
MAX_CONNECTIONS = 256
_TURTLE_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p != "kgid"}


def _oxigraph() -> Any:
    try:
        import pyoxigraph
    except ImportError:
        raise InputError("kgkit serve needs pyoxigraph: pip install pyoxigraph") from None
    return pyoxigraph


@dataclass(frozen=True)
class _Format:
    media_type: str
    name: str  # the value of the ``format`` parameter that asks for it
    graph: bool  # an RDF format (CONSTRUCT/DESCRIBE) rather than a results format


_RESULTS = [
    _Format("application/sparql-results+json", "json", False),
    _Format("application/sparql-results+xml", "xml", False),
    _Format("text/csv", "csv", False),
    _Format("text/tab-separated-values", "tsv", False),
    _Format("application/json", "json", False),
    _Format("application/xml", "xml", False),
    _Format("text/xml", "xml", False),
]
_GRAPHS = [
    _Format("text/turtle", "turtle", True),
    _Format("application/n-triples", "nt", True),
    _Format("application/rdf+xml", "xml", True),
    _Format("application/ld+json", "jsonld", True),
    _Format("application/n-quads", "nquads", True),
    _Format("application/trig", "trig", True),
    _Format("text/plain", "nt", True),
]


def negotiate(accept: str | None, graph: bool, wanted: str | None = None) -> _Format | None:
    """The format to answer in: the ``format`` parameter, else the best ``Accept`` match (q-values
    and wildcards), else JSON / Turtle; None when nothing acceptable can be made.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", graph=False).name
    'xml'
    >>> negotiate("*/*", graph=True).media_type
    'text/turtle'
    >>> negotiate("image/png", graph=False) is None
    True
    """
    formats = _GRAPHS if graph else _RESULTS
    if wanted:  # a format this endpoint does not make is ignored (SPARQLWrapper sends format=n3, ...)
        chosen = next((f for f in formats if wanted.lower() in (f.name, f.media_type)), None)
        if chosen is not None:
            return chosen
    if not accept or not accept.strip():
        return formats[0]
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                with contextlib.suppress(ValueError):
                    q = float(value)
        if media and q > 0:
            ranges.append((q, position, media.lower()))
    for _, _, media in sorted(ranges, key=lambda r: (-r[0], r[1])):
        if media in ("*/*", "*"):
            return formats[0]
        if media.endswith("/*"):
            found = next((f for f in formats if f.media_type.startswith(media[:-1])), None)
        else:
            found = next((f for f in formats if f.media_type == media), None)
        if found:
            return found
    return None


class SparqlServer:
    """A threaded HTTP server answering the SPARQL 1.1 Protocol over ``source``'s graph.

    ``port=0`` picks a free port (see :attr:`url`). Use it as a context manager, or call
    :meth:`start` (a background thread) or :meth:`serve_forever`, then :meth:`close`.
    """

    def __init__(
        self,
        source: str | Path | Dataset | Graph = "build",
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        allow_update: bool = False,
        verbose: bool = False,
        cors: tuple[str, ...] = (),
        query_timeout: float = QUERY_TIMEOUT,
        max_result_bytes: int = MAX_RESULT_BYTES,
        idle_timeout: float = IDLE_TIMEOUT,
        max_queries: int = MAX_QUERIES,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        _oxigraph()
        # the union of the graphs as a set of triples, as local `kgkit query` answers; a copy that
        # takes updates when they are allowed (the build's cached store is read-only)
        if allow_update or isinstance(source, Dataset | Graph):
            self.store = OxigraphStore.copy_of(source)
        else:
            self.store = OxigraphStore.open(source)
        self.triples = len(self.store.union)
        self.allow_update = allow_update
        self.verbose = verbose
        self.cors = tuple(cors)
        self.query_timeout = query_timeout
        self.max_result_bytes = max_result_bytes
        self.idle_timeout = idle_timeout
        self.max_body = MAX_BODY if allow_update else MAX_QUERY
        self._queries = threading.BoundedSemaphore(max(1, max_queries))
        self._connections = threading.BoundedSemaphore(max(1, max_connections))
        try:
            self.httpd = _HTTPServer((host, port), _Handler)
        except OSError as err:
            raise InputError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        self.httpd.app = self
        self.host = host
        self.port = int(self.httpd.server_address[1])
        self.loopback = _is_loopback(host)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint's URL (``http://127.0.0.1:PORT/sparql``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PATH}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> SparqlServer:
        """Serve from a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="kgkit-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answering --

    def answer(self, request: _Request) -> tuple[int, str, bytes]:
        """(status, media type, body) for one SPARQL Protocol request: run in a thread of its own, one
        of at most ``max_queries``, for at most ``query_timeout`` seconds (a query Oxigraph cannot stop
        runs on, holding its place, until it ends)."""
        if not self._queries.acquire(timeout=min(5.0, self.query_timeout)):
            return 503, "text/plain", b"Service Unavailable: too many queries running; try again later\n"
        box: dict[str, tuple[int, str, bytes]] = {}
        deadline = time.monotonic() + self.query_timeout

        def run() -> None:
            try:
                box["answer"] = self._answer(request, deadline)
            except Exception as err:  # a bug, or the engine failing: the client hears of it, in one line
                box["answer"] = 500, "text/plain", f"query failed: {type(err).__name__}: {err}\n".encode()
            finally:
                self._queries.release()

        worker = threading.Thread(target=run, name="kgkit-query", daemon=True)
        worker.start()
        worker.join(self.query_timeout)
        if "answer" not in box:
            return 503, "text/plain", f"Service Unavailable: the query ran over {self.query_timeout:g} s\n".encode()
        return box["answer"]

    def _answer(self, request: _Request, deadline: float) -> tuple[int, str, bytes]:
        ox = _oxigraph()
        try:
            refuse_fetching(request.update or request.query or "", hint=False)
        except QueryError as err:
            return 400, "text/plain", f"{err.message}\n".encode()
        if request.update is not None:
            if not self.allow_update:
                return 403, "text/plain", b"This endpoint is read-only (start kgkit serve with --allow-update).\n"
            try:
                self.store.update(request.update, prefix=DECLARED)
            except QueryError as err:
                return 400, "text/plain", f"{err.message}\n".encode()
            except (OSError, ValueError) as err:
                return 500, "text/plain", f"update failed: {err}\n".encode()
            return 204, "text/plain", b""
        if request.query is None:
            return 200, "text/plain; charset=utf-8", _help(self).encode()
        options: dict[str, Any] = {"prefixes": PREFIXES}
        for key, graphs in (("default_graph", request.default_graphs), ("named_graphs", request.named_graphs)):
            bad = next((g for g in graphs if not IRI.fullmatch(g)), None)
            if bad is not None:
                parameter = key.replace("_graphs", "-graph-uri").replace("_graph", "-graph-uri")
                message = f"Bad Request: {parameter} must be an absolute IRI, not {bad[:100]!r}\n"
                return 400, "text/plain", message.encode()
            if graphs:
                options[key] = [ox.NamedNode(g) for g in graphs]
        try:
            result = self.store.native_query(request.query, **options)
        except QueryError as err:
            return 400, "text/plain", f"{err.message}\n".encode()
        except (OSError, ValueError) as err:
            return 500, "text/plain", f"query failed: {err}\n".encode()
        is_graph = isinstance(result, ox.QueryTriples)
        fmt = negotiate(request.accept, is_graph, request.format)
        if fmt is None:
            offered = ", ".join(f.media_type for f in (_GRAPHS if is_graph else _RESULTS))
            return 406, "text/plain", f"Not Acceptable: this result can be sent as {offered}\n".encode()
        out = _Bounded(self.max_result_bytes, deadline)
        try:
            if is_graph:
                media = "application/n-triples" if fmt.name == "nt" else fmt.media_type
                # (not kgid:, whose local names would need their slashes escaped)
                kgkit_prefixes = {"prefixes": _TURTLE_PREFIXES} if fmt.name in ("turtle", "trig") else {}
                ox.serialize(result, out, ox.RdfFormat.from_media_type(media), **kgkit_prefixes)
            else:
                result.serialize(out, getattr(ox.QueryResultsFormat, fmt.name.upper()))
        except Exception:  # the writer's refusal comes back through Oxigraph, as it likes
            if out.refused is None:
                raise
        if out.refused is not None:
            return out.refused
        charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
        return 200, fmt.media_type + charset, out.getvalue()


class _Refused(Exception):
    pass


class _Bounded(io.BytesIO):
    """Where an answer is written: refused once it grows past ``limit`` bytes or the ``deadline``
    passes (Oxigraph evaluates most queries as the answer is written, so this stops them too)."""

    def __init__(self, limit: int, deadline: float) -> None:
        super().__init__()
        self.limit, self.deadline = limit, deadline
        self.refused: tuple[int, str, bytes] | None = None

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            self.refused = 500, "text/plain", (
                f"the answer is larger than {self.limit / 2**20:g} MB: refused (add a LIMIT)\n".encode()
            )
            raise _Refused()
        if time.monotonic() > self.deadline:
            self.refused = 503, "text/plain", b"Service Unavailable: the query ran over its time\n"
            raise _Refused()
        return super().write(data)


@dataclass
class _Request:
    query: str | None = None
    update: str | None = None
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog (5 by default: a burst of clients waits seconds)
    app: SparqlServer

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, as many as ``max_connections``: one more is closed at once."""
        if not self.app._connections.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.app._connections.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, never a traceback (a client that went away, or a bug)."""
        err = sys.exc_info()[1]
        log.warning("request from %s failed: %s: %s", client_address[0], type(err).__name__, err)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "kgkit"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.app.idle_timeout)  # a client silent this long is dropped

    def do_GET(self) -> None:
        self._handle(body=None)

    def do_HEAD(self) -> None:
        self._handle(body=None, head=True)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(411, "text/plain", b"Content-Length required\n")
            return
        if int(length) > self.server.app.max_body:
            limit = self.server.app.max_body // 1024
            self._send(413, "text/plain", f"request too large (the limit is {limit} KB)\n".encode())
            self.close_connection = True
            return
        self._handle(body=self.rfile.read(int(length)))

    def do_PUT(self) -> None:
        self._refuse_body(405, b"Method Not Allowed: this is a SPARQL endpoint (GET or POST)\n")

    do_DELETE = do_PUT

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        if self._cors_origin() is not None and self.headers.get("Access-Control-Request-Method"):
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
            self.send_header("Access-Control-Max-Age", "600")
        self._cors_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _cors_origin(self) -> str | None:
        """The origin to let read the answer (CORS), when the server was asked to (``cors``)."""
        origin = self.headers.get("Origin")
        allowed = self.server.app.cors
        if origin is None or not allowed:
            return None
        return origin if origin in allowed else "*" if "*" in allowed else None

    def _cors_headers(self) -> None:
        origin = self._cors_origin()
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _refuse_body(self, status: int, message: bytes) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= self.server.app.max_body:
            self.rfile.read(int(length))
        else:
            self.close_connection = True
        self._send(status, "text/plain", message)

    def _handle(self, body: bytes | None, head: bool = False) -> None:
        started = time.monotonic()
        app = self.server.app
        url = urllib.parse.urlsplit(self.path)
        if url.path.rstrip("/") not in (PATH, ""):
            self._send(404, "text/plain", f"Not Found: the SPARQL endpoint is {PATH}\n".encode(), head)
            return
        if app.loopback and not self._host_ok():
            self._send(403, "text/plain", b"Forbidden: unexpected Host header\n", head)
            return
        if len(url.query) > MAX_QUERY:
            self._send(414, "text/plain", b"URI Too Long\n", head)
            return
        try:
            request = self._parse(url.query, body)
        except ValueError as err:
            self._send(400, "text/plain", f"Bad Request: {err}\n".encode(), head)
            return
        if request.update is not None and body is None:
            self._send(400, "text/plain", b"Bad Request: updates must be POSTed\n", head)
            return
        if request.update is not None and not self._origin_ok():
            self._send(403, "text/plain", b"Forbidden: update from another origin\n", head)
            return
        status, media, payload = app.answer(request)
        self._send(status, media, payload, head)
        if app.verbose:
            log.info("%s %s %s %.0f ms", self.command, url.path, status, (time.monotonic() - started) * 1000)

    def _parse(self, query_string: str, body: bytes | None) -> _Request:
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body is not None:
            if content_type == "application/x-www-form-urlencoded":
                for key, values in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif content_type == "application/sparql-query":
                params["query"] = [body.decode("utf-8")]
            elif content_type == "application/sparql-update":
                params["update"] = [body.decode("utf-8")]
            else:
                raise ValueError(
                    f"unsupported Content-Type {content_type or '(none)'!r}; send application/sparql-query, "
                    "application/sparql-update or a form"
                )
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) + len(updates) > 1:
            raise ValueError("give exactly one query or update")
        return _Request(
            query=queries[0] if queries else None,
            update=updates[0] if updates else None,
            accept=self.headers.get("Accept"),
            format=next(iter(params.get("format", [])), None),
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
        )

    def _host_ok(self) -> bool:
        """Does the Host header name this machine: ``localhost`` or a loopback address, with any port?
        (A page of another site that got its name to resolve to 127.0.0.1 sends that name.)"""
        return _loopback_host(self.headers.get("Host") or "")

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is None or not self.server.app.loopback:
            return True
        parts = urllib.parse.urlsplit(origin)
        return _is_loopback(parts.hostname or "") and parts.port == self.server.app.port

    def _send(self, status: int, media: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self._cors_headers()
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if status == 403 and b"read-only" in body:
            self.send_header("Allow", "GET, HEAD, POST (queries only)")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the requests are logged by _handle
        pass


def _loopback_host(header: str) -> bool:
    """Is a Host header ``localhost`` or a loopback address (a port may follow)?

    >>> [_loopback_host(h) for h in ("127.0.0.1:7070", "localhost", "[::1]:80", "127.1.2.3",
    ...                              "127.evil.example", "localhost.evil.example", "", "[::1]x")]
    [True, True, True, True, False, False, False, False]
    """
    host = header.strip().lower()
    if host.startswith("["):
        name, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not re.fullmatch(r":\d{1,5}", rest)):
            return False
    else:
        name, colon, port = host.partition(":")
        if colon and not re.fullmatch(r"\d{1,5}", port):
            return False
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _help(server: SparqlServer) -> str:
    mode = "queries and updates" if server.allow_update else "read-only"
    return (
        f"kgkit SPARQL endpoint ({mode}) over {server.triples} triples.\n"
        f"Query: GET {server.url}?query=... or POST a form or application/sparql-query.\n"
        "Results: SPARQL JSON, XML, CSV, TSV; graphs: Turtle, N-Triples, RDF/XML, JSON-LD (Accept or format=).\n"
    )


def serve(
    source: str | Path | Dataset | Graph = "build",
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    allow_update: bool = False,
    verbose: bool = False,
    ready: Callable[[SparqlServer], None] | None = None,
    **limits: Any,
) -> None:
    """Serve ``source`` as a SPARQL endpoint until interrupted (Ctrl-C); ``ready`` is called with the
    server once it listens. ``limits`` are :class:`SparqlServer`'s (``cors``, ``query_timeout``, ...).

    >>> serve("build", port=7070)  # doctest: +SKIP
    """
    server = SparqlServer(source, host=host, port=port, allow_update=allow_update, verbose=verbose, **limits)
    try:
        if ready:
            ready(server)
        server.serve_forever()
    finally:
        server.close()


@contextlib.contextmanager
def running(
    source: str | Path | Dataset | Graph = "build",
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    allow_update: bool = False,
    verbose: bool = False,
    **limits: Any,
) -> Iterator[SparqlServer]:
    """A SparqlServer serving in the background while the block runs (``port=0``: a free port).

    >>> with running("build") as server:  # doctest: +SKIP
    ...     print(kgkit.query("sessions-by-day", endpoint=server.url).rows[0])
    """
    server = SparqlServer(
        source, host=host, port=port, allow_update=allow_update, verbose=verbose, **limits
    ).start()
    try:
        yield server
    finally:
        server.close()
