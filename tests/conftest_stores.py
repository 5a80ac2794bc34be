"""Real triple stores for the remote-store tests, each started once per test session on 127.0.0.1.

- ``oxigraph_url``: ``oxigraph serve --union-default-graph`` (``pip install oxigraph``, in the test
  extras); its /query, /update and /store.
- ``oxigraph_plain_url``: ``oxigraph serve`` without ``--union-default-graph`` (a default graph of its
  own, which queries without GRAPH read).
- ``virtuoso_url``: OpenLink Virtuoso 7 (``virtuoso-t``, Debian's ``virtuoso-opensource-7-bin``) with
  a generated virtuoso.ini in a temporary directory, its SQL and HTTP ports free ports on
  127.0.0.1, and SPARQL_UPDATE granted to the anonymous SPARQL user (so that /sparql and
  /sparql-graph-crud take updates; /sparql-auth and /sparql-graph-crud-auth take dba/dba with HTTP
  Digest authentication).

tests/conftest.py imports the fixtures, so every test can ask for them and each server starts at most
once per session. A store's tests are skipped, with the reason, only when its server binary is not
installed. Each server is stopped at the end of the session; network traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # the fresh database's administrator


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    return shutil.which("oxigraph") or (str(beside_python) if beside_python.is_file() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], probe: str, log: Path, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip()[-800:] if log.exists() else ""
                pytest.fail(f"{name} did not start ({probe}): {tail}")
            time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _oxigraph(tmp_path_factory: pytest.TempPathFactory, *options: str) -> Iterator[str]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the `oxigraph` server binary is not on PATH (pip install oxigraph)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    directory = tmp_path_factory.mktemp("oxigraph")
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}", *options],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, f"{base}/query?query=ASK%7B%7D", log, f"oxigraph on port {port}")
        yield base
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a fresh ``oxigraph serve --union-default-graph`` (/query, /update, /store)."""
    yield from _oxigraph(tmp_path_factory, "--union-default-graph")


@pytest.fixture(scope="session")
def oxigraph_plain_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a fresh ``oxigraph serve`` WITHOUT ``--union-default-graph``: its default graph is a
    graph of its own, as Fuseki's is without ``unionDefaultGraph``."""
    yield from _oxigraph(tmp_path_factory)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}
ThreadCleanupInterval = 0
ResourcesCleanupInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0
KeepAliveTimeout = 10
MaxKeepAlives = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def virtuoso_binaries() -> tuple[str, str] | None:
    """(virtuoso-t, its isql) or None. Debian names the isql client isql-vt (unixODBC has an isql)."""
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    return (server, isql) if server and isql else None


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a fresh Virtuoso 7 (/sparql, /sparql-auth, /sparql-graph-crud[-auth])."""
    binaries = virtuoso_binaries()
    if binaries is None:
        pytest.skip(
            "the Virtuoso server (virtuoso-t and isql-vt) is not installed "
            "(Debian: apt-get install virtuoso-opensource-7-bin; listed in .ci/apt-packages.txt)"
        )
    server, isql = binaries
    directory = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    log = directory / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(process, f"{base}/sparql?query=ASK%7B%7D", log, f"virtuoso on port {http_port}")
        grant = subprocess.run(
            [isql, str(sql_port), VIRTUOSO_USER, VIRTUOSO_PASSWORD, 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if grant.returncode != 0:
            pytest.fail(f"isql could not grant SPARQL_UPDATE: {grant.stdout.decode()} {grant.stderr.decode()}")
        yield base
    finally:
        _stop(process)


class Relay:
    """A plain HTTP relay on 127.0.0.1 in front of a real store: it passes every request on and every
    answer back, counts the requests (``requests``: method and body of each), and with
    ``hide_server`` leaves out the store's Server header, so that kgkit cannot tell which store it is
    (as with a store kgkit has no special case for)."""

    def __init__(self, target: str, *, hide_server: bool = False) -> None:
        self.target = urllib.parse.urlsplit(target)
        self.hide_server = hide_server
        self.requests: list[tuple[str, str]] = []
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.forward()

            do_POST = do_PUT = do_DELETE = do_GET

            def forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                relay.requests.append((self.command, urllib.parse.unquote_plus(self.path) + " " +
                                       urllib.parse.unquote_plus(body.decode("utf-8", "replace"))))
                assert relay.target.hostname is not None, relay.target
                connection = http.client.HTTPConnection(relay.target.hostname, relay.target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
                connection.close()
                self.upstream_server = answer.getheader("Server") or ""
                self.send_response(answer.status)  # with the store's Server header (version_string)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def version_string(self) -> str:
                return "relay" if relay.hide_server else getattr(self, "upstream_server", "relay")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
