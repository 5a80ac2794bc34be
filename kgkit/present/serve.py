"""``kgkit serve``: a local SPARQL 1.1 Protocol endpoint over the built graph, for SPARQL clients
and notebooks.

The graph is held in an in-memory Oxigraph store (pyoxigraph), queried over the union of its graphs
(``GRAPH ?g`` still sees each document's graph), with kgkit's prefixes predeclared. It answers
``GET``/``POST`` queries at ``/sparql`` in the result format the client asks for (``Accept``, or a
``format`` parameter): SPARQL JSON, XML, CSV or TSV; Turtle, N-Triples, RDF/XML, JSON-LD for
CONSTRUCT and DESCRIBE. Read-only unless ``allow_update``: updates get 403. Bound to 127.0.0.1 by
default; on a loopback address it refuses requests naming another host (DNS rebinding) and, with
updates allowed, updates from web pages of other origins.

>>> with SparqlServer("build", port=0) as server:  # doctest: +SKIP
...     server.start()
...     kgkit.query("orgs-on-sustainability", endpoint=server.url)
>>> serve("build", port=7070)  # blocks until Ctrl-C  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kgkit.errors import InputError, QueryError
from kgkit.rdf.terms import PREFIXES
from kgkit.sparql.text import DECLARED
from kgkit.stores.oxigraph import OxigraphStore

log = logging.getLogger(__name__)

DEFAULT_PORT = 7070
PATH = "/sparql"
MAX_BODY = 64 * 1024 * 1024
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
        """(status, media type, body) for one SPARQL Protocol request."""
        ox = _oxigraph()
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
        if request.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        if request.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
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
        if is_graph:
            rdf_format = ox.RdfFormat.from_media_type("application/n-triples" if fmt.name == "nt" else fmt.media_type)
            # (not kgid:, whose local names would need their slashes escaped)
            kgkit_prefixes = {"prefixes": _TURTLE_PREFIXES} if fmt.name in ("turtle", "trig") else {}
            body = ox.serialize(list(result), format=rdf_format, **kgkit_prefixes) or b""
        else:
            results_format = getattr(ox.QueryResultsFormat, fmt.name.upper())
            body = result.serialize(format=results_format) or b""
        charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
        return 200, fmt.media_type + charset, body


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
    app: SparqlServer


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "kgkit"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle(body=None)

    def do_HEAD(self) -> None:
        self._handle(body=None, head=True)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(411, "text/plain", b"Content-Length required\n")
            return
        if int(length) > MAX_BODY:
            self._send(413, "text/plain", b"request too large\n")
            self.close_connection = True
            return
        self._handle(body=self.rfile.read(int(length)))

    def do_PUT(self) -> None:
        self._refuse_body(405, b"Method Not Allowed: this is a SPARQL endpoint (GET or POST)\n")

    do_DELETE = do_PUT

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _refuse_body(self, status: int, message: bytes) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= MAX_BODY:
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
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in ("127.0.0.1", "localhost", "[::1]", "::1") or name.startswith("127.")

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is None or not self.server.app.loopback:
            return True
        parts = urllib.parse.urlsplit(origin)
        return _is_loopback(parts.hostname or "") and parts.port == self.server.app.port

    def _send(self, status: int, media: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if status == 403 and b"read-only" in body:
            self.send_header("Allow", "GET, HEAD, POST (queries only)")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the requests are logged by _handle
        pass


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
) -> None:
    """Serve ``source`` as a SPARQL endpoint until interrupted (Ctrl-C); ``ready`` is called with the
    server once it listens.

    >>> serve("build", port=7070)  # doctest: +SKIP
    """
    server = SparqlServer(source, host=host, port=port, allow_update=allow_update, verbose=verbose)
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
) -> Iterator[SparqlServer]:
    """A SparqlServer serving in the background while the block runs (``port=0``: a free port).

    >>> with running("build") as server:  # doctest: +SKIP
    ...     print(kgkit.query("sessions-by-day", endpoint=server.url).rows[0])
    """
    server = SparqlServer(source, host=host, port=port, allow_update=allow_update, verbose=verbose).start()
    try:
        yield server
    finally:
        server.close()
