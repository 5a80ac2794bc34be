"""Every way a store can fail over HTTP, on a small misbehaving HTTP server on 127.0.0.1 (and a real
Oxigraph server asked for what is not there): each failure is reported in one line, with exit 3 from
the CLI, and never with the credentials. What every backend does when it works is the store contract
(tests/stores/test_contract.py)."""

from __future__ import annotations

import base64
import contextlib
import http.server
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from backends import EX, G1, KG, graph
from rdflib import BNode, Graph, Literal, URIRef

from kgkit.errors import StoreError
from kgkit.stores.http import Credentials
from kgkit.stores.remote import SparqlStore

CliRun = Callable[..., tuple[int, str, str]]

@pytest.mark.external
def test_remote_errors_are_one_line_without_credentials(oxigraph_url: str) -> None:
    secret_url = oxigraph_url.replace("http://", "http://kgkit:s3cret@") + "/no-such-endpoint"
    with pytest.raises(StoreError) as info:
        SparqlStore(secret_url, auth=("kgkit", "s3cret")).query("ASK { ?s ?p ?o }")
    message = str(info.value)
    assert "HTTP 404" in message and "s3cret" not in message and "\n" not in message
    with pytest.raises(StoreError, match="HTTP 4"):
        SparqlStore(f"{oxigraph_url}/query", gsp_url=f"{oxigraph_url}/nowhere").add_graph(
            G1, graph(("a", "p", "b"))
        )


@pytest.mark.slow
def test_unreachable_endpoint() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        SparqlStore("http://127.0.0.1:9/query", timeout=2).query("ASK { ?s ?p ?o }")


# --- a misbehaving store: every failure is one line, exit 3, with no credentials -----------------

SECRET_USER, SECRET_PASSWORD, SECRET_TOKEN = "kgkit-user", "pa55-w0rd-xyz", "t0ken-abc-123"
BASIC = base64.b64encode(f"{SECRET_USER}:{SECRET_PASSWORD}".encode()).decode()
SECRETS = (SECRET_PASSWORD, SECRET_TOKEN, BASIC)
ASK_TRUE = b'{"head": {}, "boolean": true}'
NO_ROWS = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}'


class Scripted:
    """A store on 127.0.0.1 (http.server in a thread) whose answer to each request is chosen by
    ``behave(handler, body)``; ``requests`` records (method, path, Authorization header)."""

    def __init__(self, behave: Callable[[Any, bytes], None]) -> None:
        self.requests: list[tuple[str, str, str | None]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_one(self) -> None:
                scripted.requests.append((self.command, self.path, self.headers.get("Authorization")))
                length = int(self.headers.get("Content-Length") or 0)
                body = b"" if self.command == "PUT" else self.rfile.read(length)
                behave(self, body)

            do_GET = do_POST = do_PUT = do_DELETE = handle_one

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(handler: Any, status: int, body: bytes = b"", media: str = "text/plain", **headers: str) -> None:
    if handler.command == "PUT":  # the body was not read: read it now (or the client sees a reset)
        handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    handler.send_response(status)
    handler.send_header("Content-Type", media)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in headers.items():
        handler.send_header(key.replace("_", "-"), value)
    handler.end_headers()
    with contextlib.suppress(OSError):  # the client may have given up (timeouts)
        handler.wfile.write(body)


def queries_ok(handler: Any, body: bytes) -> bool:
    """Answer the queries a load makes before uploading (True when it did)."""
    if handler.command == "POST" and b"query=" in body:
        answer(handler, 200, NO_ROWS if b"COUNT" in body else ASK_TRUE, "application/sparql-results+json")
        return True
    return False


@pytest.fixture
def scripted() -> Iterator[Callable[[Callable[[Any, bytes], None]], Scripted]]:
    servers: list[Scripted] = []

    def start(behave: Callable[[Any, bytes], None]) -> Scripted:
        servers.append(Scripted(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def assert_one_line_without_secrets(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 3, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("kgkit: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    for secret in SECRETS:
        assert secret not in out + err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("status", "fragments", "attempts"),
    [
        (401, ("HTTP 401", "the store says no", "check the credentials"), 2),  # one answer to the challenge
        (403, ("HTTP 403", "the store says no"), 1),
        (404, ("HTTP 404", "the store says no", "is this the store's URL"), 1),
        (413, ("HTTP 413", "the store says no", "--batch-size"), 1),
        (500, ("HTTP 500", "the store says no", "(after 3 attempts)"), 3),
        (503, ("HTTP 503", "the store says no", "(after 3 attempts)"), 3),
    ],
)
def test_http_errors_on_upload(
    run_cli: CliRun,
    scripted: Callable[..., Scripted],
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    fragments: tuple[str, ...],
    attempts: int,
) -> None:
    def behave(handler: Any, body: bytes) -> None:
        if not queries_ok(handler, body):  # the store echoes the request's Authorization header
            answer(handler, status, f"the store says no; you sent {handler.headers.get('Authorization')}".encode(),
                   WWW_Authenticate='Basic realm="kg"', Retry_After="0")

    store = scripted(behave)
    monkeypatch.setenv("KGKIT_STORE_PASSWORD", SECRET_PASSWORD)
    code, out, err = run_cli("load", "-e", f"{store.base}/sparql", "-i", str(KG), "--user", SECRET_USER,
                             "--protocol", "gsp")
    assert_one_line_without_secrets(code, out, err, *fragments)
    assert len([p for _, p, _ in store.requests if p.startswith("/sparql-graph-crud")]) == attempts


def test_retries_then_success(scripted: Callable[..., Scripted]) -> None:
    def behave(handler: Any, body: bytes) -> None:
        if len(store.requests) <= 2:
            answer(handler, 503, b"busy", Retry_After="0")
        else:
            answer(handler, 200, ASK_TRUE, "application/sparql-results+json")

    store = scripted(behave)
    # (union=False: the query alone, without first asking what the store's default graph is)
    assert SparqlStore(f"{store.base}/sparql", backoff=0).query("ASK { ?s ?p ?o }", union=False).boolean is True
    assert len(store.requests) == 3


def test_only_idempotent_requests_are_retried(scripted: Callable[..., Scripted]) -> None:
    store = scripted(lambda handler, body: answer(handler, 500, b"internal error"))
    remote = SparqlStore(f"{store.base}/sparql", update_url=f"{store.base}/sparql", backoff=0)
    with pytest.raises(StoreError, match="HTTP 500"):
        remote.move_graphs([("urn:kgkit:staging:x:0", str(G1))])  # MOVE: never repeated
    assert len(store.requests) == 1
    with pytest.raises(StoreError, match="after 3 attempts"):
        remote.insert(str(G1), graph(("a", "p", "b")), 10)  # INSERT DATA of ground triples: repeatable
    assert len(store.requests) == 4
    with_bnode = Graph()
    with_bnode.add((BNode(), URIRef(EX + "p"), Literal("x")))
    with pytest.raises(StoreError, match="HTTP 500"):
        remote.insert(str(G1), with_bnode, 10)  # a blank node would be inserted twice
    assert len(store.requests) == 5


@pytest.mark.slow
def test_connection_dropped_mid_upload(run_cli: CliRun, scripted: Callable[..., Scripted]) -> None:
    def behave(handler: Any, body: bytes) -> None:
        if handler.command == "PUT":
            handler.rfile.read(200)  # a little of the body, then the store goes away
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif not queries_ok(handler, body):
            answer(handler, 204)

    store = scripted(behave)
    code, out, err = run_cli("load", "-e", f"{store.base}/sparql", "-i", str(KG), "--replace", "--protocol", "gsp")
    assert_one_line_without_secrets(code, out, err, "closed the connection", "(after 3 attempts)")
    assert [m for m, _, _ in store.requests].count("PUT") == 3  # PUT is idempotent: retried
    assert len(store.requests) == 1 + 3 + 1  # ASK, 3 PUTs, DROP of the temporary graph


def test_timeout(run_cli: CliRun, scripted: Callable[..., Scripted]) -> None:
    def behave(handler: Any, body: bytes) -> None:
        time.sleep(1.5)
        answer(handler, 200, ASK_TRUE, "application/sparql-results+json")

    store = scripted(behave)
    started = time.monotonic()
    code, out, err = run_cli("query", "--sparql", "ASK { ?s ?p ?o }", "--endpoint", f"{store.base}/sparql",
                             "--timeout", "0.3")
    assert_one_line_without_secrets(code, out, err, "no answer within 0.3 s (timed out)")
    assert time.monotonic() - started < 1.4 and len(store.requests) == 1  # not retried


def test_unreachable_host(run_cli: CliRun) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    code, out, err = run_cli("load", "-e", f"http://127.0.0.1:{port}/sparql", "-i", str(KG), "--retries", "0")
    assert_one_line_without_secrets(code, out, err, f"cannot connect to 127.0.0.1:{port}: connection refused")


def test_dns_failure(run_cli: CliRun, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "store.invalid":  # no DNS server is asked: the answer a resolver gives for it
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    code, out, err = run_cli("load", "-e", "http://store.invalid:8890/sparql", "-i", str(KG))
    assert_one_line_without_secrets(code, out, err, "cannot connect to store.invalid:8890", "does not resolve")


def test_tls_error(run_cli: CliRun, scripted: Callable[..., Scripted]) -> None:
    store = scripted(lambda handler, body: answer(handler, 200, ASK_TRUE))
    https = store.base.replace("http://", "https://")  # a plain-HTTP server: the TLS handshake fails
    code, out, err = run_cli("query", "--sparql", "ASK { ?s ?p ?o }", "--endpoint", f"{https}/sparql")
    assert_one_line_without_secrets(code, out, err, "TLS error")


def test_credentials_never_appear(
    run_cli: CliRun,
    scripted: Callable[..., Scripted],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def behave(handler: Any, body: bytes) -> None:
        echo = f"denied {handler.path} {handler.headers.get('Authorization')} {body[:200]!r}".encode()
        answer(handler, 401, echo, WWW_Authenticate='Basic realm="kg"')

    store = scripted(behave)
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("KGKIT_STORE_USER", SECRET_USER)
    monkeypatch.setenv("KGKIT_STORE_PASSWORD", SECRET_PASSWORD)
    code, out, err = run_cli("load", "-e", f"{store.base}/sparql", "-i", str(KG))
    assert_one_line_without_secrets(code, out, err, "HTTP 401")
    assert any(auth == f"Basic {BASIC}" for _, _, auth in store.requests)  # they were sent, once asked for
    monkeypatch.delenv("KGKIT_STORE_USER")
    monkeypatch.delenv("KGKIT_STORE_PASSWORD")
    # a bearer token, and a user:password in the URL
    code, out, err = run_cli("query", "--sparql", "ASK {}", "--endpoint", f"{store.base}/sparql?token={SECRET_TOKEN}")
    assert_one_line_without_secrets(code, out, err, "HTTP 401")
    monkeypatch.setenv("KGKIT_STORE_TOKEN", SECRET_TOKEN)
    code, out, err = run_cli("query", "--sparql", "ASK {}", "--endpoint", f"{store.base}/sparql")
    assert_one_line_without_secrets(code, out, err, "HTTP 401")
    assert store.requests[-1][2] == f"Bearer {SECRET_TOKEN}"
    url = store.base.replace("http://", f"http://{SECRET_USER}:{SECRET_PASSWORD}@")
    with pytest.raises(StoreError) as info:
        SparqlStore(f"{url}/sparql").query("ASK {}")
    shown = "".join(traceback.format_exception(info.value)) + repr(info.value) + repr(SparqlStore(f"{url}/sparql"))
    assert info.value.__context__ is None or not any(s in repr(info.value.__context__) for s in SECRETS)
    for record in caplog.records:
        shown += record.getMessage()
    for secret in SECRETS:
        assert secret not in shown


def test_credentials_object_hides_itself() -> None:
    creds = Credentials("alice", "pa55word", None)
    assert "pa55word" not in repr(creds) and "alice" not in repr(creds)


def test_redirects_do_not_carry_credentials_to_another_host(scripted: Callable[..., Scripted]) -> None:
    other = scripted(lambda handler, body: answer(handler, 200, ASK_TRUE, "application/sparql-results+json"))
    first = scripted(lambda handler, body: answer(handler, 307, b"", Location=f"{other.base}{handler.path}"))
    first.requests.clear()
    remote = SparqlStore.connect(first.base, credentials=Credentials(token=SECRET_TOKEN))  # probes with GET
    assert remote.query_url == f"{first.base}/query"
    assert first.requests[0][2] == f"Bearer {SECRET_TOKEN}" and other.requests and other.requests[0][2] is None
