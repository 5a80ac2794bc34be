"""What the hostile-input tests share: a web server on 127.0.0.1 that records every request (so a test
can prove that nothing was fetched, or that a request carried no credentials), kgkit run in a child
process under memory and time limits (so that a regression fails instead of hanging the suite or the
machine), and the checks every case makes: one line on stderr, the exit code, no traceback, and the
previous output left as it was with no temporary file beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

EXE = Path(sys.executable).parent / "kgkit"
#: The memory a child kgkit may take (address space): a billion-laughs expansion or a runaway
#: parser hits it and dies, failing the test, rather than taking the machine
MEMORY_LIMIT = 2 * 1024**3


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """A threaded HTTP server on 127.0.0.1 keeping every request it gets in ``requests``.

    ``respond(handler, request)`` answers (default: 200 with ``body``); set it per test.
    """

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    body: bytes = b'{"@context": {"name": "https://schema.org/name"}}'
    media: str = "application/json"
    respond: Callable[[Any, Request], None] | None = None
    server: Any = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def answer(self, handler: Any, status: int, body: bytes, media: str = "text/plain", **headers: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", media)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(body)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A fresh recording server for the test (stopped afterwards)."""
    yield from _recorder()


@pytest.fixture
def second_recorder() -> Iterator[Recorder]:
    """Another one, on another port (a redirect's target)."""
    yield from _recorder()


def _recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def handle_one(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            rec.requests.append(request)
            if rec.respond is not None:
                rec.respond(self, request)
            else:
                rec.answer(self, 200, rec.body, rec.media)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that went away (kgkit gave up on purpose): nothing to say

    rec.server = Server(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{rec.port}"
    thread = threading.Thread(target=rec.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        rec.server.shutdown()
        rec.server.server_close()


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def _limits(memory: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def kgkit(*args: str, timeout: float = 30, memory: int = MEMORY_LIMIT, cwd: Path | None = None,
          env: dict[str, str] | None = None, stdin: Any = None) -> Run:
    """``kgkit ARGS`` in a child process with at most ``memory`` bytes of address space and
    ``timeout`` seconds (a test fails, rather than hangs, when either runs out)."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [str(EXE), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env,
            preexec_fn=_limits(memory), stdin=stdin if stdin is not None else subprocess.DEVNULL,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"kgkit {' '.join(args)} ran over {timeout} s")
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def assert_refused(run: Run | tuple[int, str, str], code: int, *fragments: str) -> str:
    """The run failed with ``code`` and one line on stderr holding every fragment; that line."""
    if isinstance(run, tuple):
        got, _, err = run
    else:
        got, err = run.code, run.err
    assert got == code, (got, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_temporary_files(folder: Path) -> bool:
    return not list(folder.glob(".*.tmp"))


def no_control_characters(text: str) -> bool:
    """Nothing a terminal would act on: no C0/C1 control character but newline and tab, no DEL, no
    bidirectional override."""
    bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    return not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in bidi for c in text)
