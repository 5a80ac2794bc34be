"""``kgkit serve`` against hostile clients: server-side request forgery (SERVICE, LOAD), DNS
rebinding, bad parameters, queries that never end or answer without end, floods of connections,
clients that stall, paths outside the endpoint, and web pages of other origins.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_kit import EXE, MEMORY_LIMIT, Recorder, _limits
from rdflib import Graph, Literal, URIRef

from kgkit.present.serve import SparqlServer, running


def get(url: str, query: str | None = None, *, headers: dict[str, str] | None = None, data: bytes | None = None,
        method: str | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes, float]:
    """(status, headers, body, seconds) of one request."""
    full = url if query is None else f"{url}{'&' if '?' in url else '?'}query={urllib.parse.quote(query)}"
    request = urllib.request.Request(full, data=data, headers=headers or {}, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read(), time.monotonic() - started


def small_graph(n: int = 2000) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"http://x.example/{i}"), URIRef("http://x.example/p"), Literal(i)))
    return g


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[SparqlServer]:
    with running(built_dir) as s:
        yield s


def test_service_is_never_run_so_no_page_can_make_the_server_fetch(server: SparqlServer, recorder: Recorder) -> None:
    for text in (f"SELECT * WHERE {{ SERVICE <{recorder.url}/sparql> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ \\u0053ERVICE <{recorder.url}/sparql> {{ ?s ?p ?o }} }}",
                 f"ASK {{ SERVICE SILENT <{recorder.url}/x> {{ }} }}"):
        status, _, body, _ = get(server.url, text)  # what an <img src> on any web page can send
        assert status == 400 and b"never runs SERVICE" in body, body
        form = urllib.parse.urlencode({"query": text}).encode()
        status, _, _, _ = get(server.url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 400
    assert recorder.requests == []


def test_load_is_never_run_even_with_updates_allowed(built_dir: Path, recorder: Recorder) -> None:
    with running(built_dir, allow_update=True) as writable:
        for update in (f"LOAD <{recorder.url}/data.ttl>", f"LOAD SILENT <{recorder.url}/x> INTO GRAPH <http://g>",
                       f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{recorder.url}/sparql> {{ ?s ?p ?o }} }}"):
            status, _, body, _ = get(writable.url, data=update.encode(),
                                     headers={"Content-Type": "application/sparql-update"})
            assert status == 400 and b"never runs" in body, body
    assert recorder.requests == []


@pytest.mark.parametrize("host", ["127.evil.example", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "evil.example:7070", "127.0.0.1@evil.example", "[::1].evil", "", "0x7f.1"])
def test_dns_rebinding_names_are_refused(server: SparqlServer, host: str) -> None:
    status, _, _, _ = get(server.url, "ASK {}", headers={"Host": host})
    assert status in (400, 403), host


@pytest.mark.parametrize("host", [None, "127.0.0.1", "localhost", "localhost:7070", "127.0.0.2:80", "[::1]:7070"])
def test_loopback_names_are_answered(server: SparqlServer, host: str | None) -> None:
    status, _, _, _ = get(server.url, "ASK {}", headers={"Host": host} if host else {})
    assert status == 200


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an IRI", "<http://x>", "http://x\u0000y", "", "relative/path"])
def test_a_graph_that_is_no_iri_is_a_400_and_the_server_lives_on(server: SparqlServer, parameter: str,
                                                                 value: str) -> None:
    url = f"{server.url}?{parameter}={urllib.parse.quote(value)}"
    status, _, body, _ = get(url, "ASK {}")
    assert status == 400 and b"absolute IRI" in body, body
    assert get(server.url, "ASK {}")[0] == 200


def test_a_cartesian_answer_is_cut_off_in_bounded_memory(built_dir: Path, tmp_path: Path) -> None:
    """8,000 x 8,000 rows would be gigabytes: the server (in 2 GB of address space) refuses past its
    limit, in seconds, and serves on."""
    process = subprocess.Popen([str(EXE), "serve", "-i", str(built_dir), "--port", "0"], stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, preexec_fn=_limits(MEMORY_LIMIT),
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stderr is not None
        line = process.stderr.readline().decode()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        status, _, body, seconds = get(url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=60)
        assert status == 500 and b"larger than 64 MB" in body and seconds < 30, (status, body[:200])
        assert get(url, "ASK {}")[0] == 200 and process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None
        rest = process.stderr.read().decode()
        assert "Traceback" not in rest, rest


def test_a_long_query_gets_503_in_time_and_others_are_answered() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
    with running(small_graph(), query_timeout=0.5, max_queries=2) as s:
        status, _, body, seconds = get(s.url, slow)
        assert status == 503 and b"ran over 0.5 s" in body and seconds < 3, body
        assert get(s.url, "ASK {}")[0] == 200


def test_answers_past_the_limit_are_refused(server: SparqlServer) -> None:
    with running(small_graph(), max_result_bytes=1 << 20) as s:
        for accept in ("application/sparql-results+json", "text/csv"):
            status, _, body, seconds = get(s.url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", headers={"Accept": accept})
            assert status == 500 and b"larger than 1 MB" in body and seconds < 5
        status, _, body, _ = get(s.url, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert status == 500 and b"larger than" in body


def test_a_query_too_large_is_refused_unread(server: SparqlServer) -> None:
    # the headers announce 2 MB and no byte of it is sent: the answer comes without reading the body
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: %d\r\n\r\n" % (2 * 1024 * 1024))
        answer = b""
        while b"\r\n\r\n" not in answer or b"too large" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.") and b" 413 " in answer.split(b"\r\n", 1)[0] and b"too large" in answer
    status, _, _, _ = get(server.url + "?query=" + "x" * (1024 * 1024 + 10))
    assert status in (400, 414)


def test_four_hundred_clients_at_once_are_all_answered_quickly(server: SparqlServer) -> None:
    """A listen queue of 5 (the default) left ~100 of them retrying their connection for a second or more:
    the kernel drops a connection the queue has no room for. All 400 connect at once, before the server
    accepts any of them, then each is answered."""
    sockets = []
    try:
        started = time.monotonic()
        for _ in range(400):
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=30))
        assert time.monotonic() - started < 1.0  # no dropped connection, no retry a second later
        request = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        for sock in sockets:
            sock.sendall(request)

        def status(sock: socket.socket) -> bytes:
            answer = b""
            while b"\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
            return answer.split(b"\r\n", 1)[0]

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            lines = list(pool.map(status, sockets))
        assert all(b" 200 " in line for line in lines), [line for line in lines if b" 200 " not in line][:3]
    finally:
        for sock in sockets:
            sock.close()


def test_a_stalled_client_neither_stalls_others_nor_stays_connected() -> None:
    with running(small_graph(10), idle_timeout=1.0) as s:
        stalled = socket.create_connection(("127.0.0.1", s.port))
        stalled.sendall(b"GET /sparql?query=ASK")  # and never the rest
        started = time.monotonic()
        assert get(s.url, "ASK {}", timeout=5)[0] == 200
        assert time.monotonic() - started < 1.0
        stalled.settimeout(10)
        assert stalled.recv(100) == b"" and time.monotonic() - started < 5  # dropped after its idle second
        stalled.close()


def test_connections_past_the_limit_are_closed_at_once() -> None:
    with running(small_graph(10), idle_timeout=2.0, max_connections=4) as s:
        idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(4)]
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", s.port))
        extra.settimeout(5)
        try:
            extra.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert extra.recv(100) == b""  # closed, not queued for ever
        except ConnectionResetError:
            pass
        for sock in idle:
            sock.close()
        time.sleep(0.3)
        assert get(s.url, "ASK {}", timeout=5)[0] == 200


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/sparql/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "//etc/passwd", "/sparql%00", "/build/kg.nq", "/.kgkit-oxigraph/db"])
def test_no_path_reaches_a_file(server: SparqlServer, path: str) -> None:
    status, _, body, _ = get(f"http://127.0.0.1:{server.port}{path}")
    assert status == 404 and b"root:" not in body and b"<https://" not in body


def test_cors_only_when_asked(built_dir: Path, server: SparqlServer) -> None:
    origin = {"Origin": "https://app.example"}
    _, headers, _, _ = get(server.url, "ASK {}", headers=origin)
    assert not any(k.lower().startswith("access-control-") for k in headers)
    _, headers, _, _ = get(server.url, method="OPTIONS",
                                headers={**origin, "Access-Control-Request-Method": "POST"})
    assert not any(k.lower().startswith("access-control-") for k in headers)
    with running(built_dir, cors=("https://app.example",)) as s:
        _, headers, _, _ = get(s.url, "ASK {}", headers=origin)
        assert headers.get("Access-Control-Allow-Origin") == "https://app.example"
        _, headers, _, _ = get(s.url, "ASK {}", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in headers
        _, headers, _, _ = get(s.url, method="OPTIONS", headers={**origin, "Access-Control-Request-Method": "POST"})
        assert "POST" in headers.get("Access-Control-Allow-Methods", "")


def test_serve_binds_loopback_and_says_loudly_when_not(built_dir: Path) -> None:
    def first_lines(*args: str) -> list[str]:
        process = subprocess.Popen([str(EXE), "serve", "-i", str(built_dir), "--port", "0", *args],
                                   stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            assert process.stderr is not None
            lines = [process.stderr.readline().decode()]
            if "127.0.0.1" not in lines[0]:
                lines.append(process.stderr.readline().decode())
            return lines
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)

    lines = first_lines()
    assert "http://127.0.0.1:" in lines[0] and len(lines) == 1
    lines = first_lines("--host", "0.0.0.0", "-q")  # said even with --quiet
    assert "warning: listening on 0.0.0.0: other machines can reach this endpoint" in lines[1]


def test_bad_requests_never_print_a_traceback(built_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "from kgkit.cli import main; main()", "serve", "-i",
                                str(built_dir), "--port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stderr is not None
        url = process.stderr.readline().decode().split(" at ", 1)[1].split(" ", 1)[0]
        junk: list[Any] = [
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64),  # TLS to a plain HTTP port
            b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
            b"GET /sparql?default-graph-uri=%00&query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nshort",
        ]
        port = int(url.split(":")[2].split("/")[0])
        for data in junk:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
                try:
                    while sock.recv(4096):
                        pass
                except OSError:
                    pass
        assert get(url, "ASK {}")[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    rest = process.stderr.read().decode()
    assert "Traceback" not in rest, rest


def test_json_of_a_refusal_is_plain_text(server: SparqlServer) -> None:
    status, headers, body, _ = get(server.url, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { } }",
                                   headers={"Accept": "application/sparql-results+json"})
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
