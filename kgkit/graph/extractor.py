"""A Dask worker's extraction process: documents extracted in a process's main thread, so that the
per-document time limit holds on a cluster as it does locally.

Dask runs a task in a worker thread, where no signal arrives (the limit of a local build is SIGALRM,
which stops even a regular expression), and cannot stop a running task: a thread cannot be
interrupted. So a worker process hands its documents to an extraction process of its own
(``python -m kgkit.graph.extractor``: the same interpreter, environment and ``sys.path``), started
when it is first given documents and kept for the next batches. That process makes the pipeline
and extracts a small English document of its own before any document's clock starts (so that a new
process costs no document the loading of the model and word lists), then extracts each document with
:func:`kgkit.graph.extracting.extract_document` in its main thread, within the same limit as
locally (the client's: it travels with the task), so that a document over it gets the same warning
and is skipped, and the build stays byte-identical to a local one. Should a document hold the
process past its limit all the same (code that never returns to Python), the worker kills the
process once the limit and a grace period (a quarter of the limit, plus 2 s) have passed, gives the
document the same outcome and starts another process for the rest.

Worker and process exchange pickles with their length in front, over the process's standard input
and output: the worker sends ``(sys.path, setup, limits, documents)``; the process answers
``("start", i)`` when document ``i``'s clock starts, ``("done", i, result)`` when it is extracted,
``("error", exception)`` when it cannot extract (a component that cannot be imported, say). The
process writes nothing else there (print() goes to standard error), and ends when its input does,
or when its worker is gone.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kgkit.graph.extracting import DocOutcome, Limits, Setup, Task, extract_document, time_limit, too_slow

Result = tuple[DocOutcome, list[str] | None]

#: Seconds past a document's limit, and share of the limit, before its process is killed
GRACE_SECONDS = 2.0
GRACE_SHARE = 0.25

_HEADER = struct.Struct("!Q")


def available() -> bool:
    """Can documents go to an extraction process here (a POSIX system: pipes that ``select`` waits on)?"""
    return os.name == "posix"


class Extractor:
    """The extraction process of one worker process, started when first needed (and again after it
    was killed). Not for several threads at once."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def extract(self, batch: Sequence[tuple[Task, bytes]], setup: Setup, of: Limits) -> list[Result]:
        """Each document of ``batch`` extracted from its bytes, within the limits ``of``."""
        results: list[Result] = []
        while len(results) < len(batch):
            rest = batch[len(results) :]
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            with contextlib.suppress(OSError):  # (it ended since: reading its answers says how)
                _write(process.stdin.fileno(), (list(sys.path), setup, of, list(rest)))
            results += self._answers(process, rest, of)
        return results

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self.stop()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kgkit.graph.extractor"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        return self._process

    def _answers(
        self, process: subprocess.Popen[bytes], rest: Sequence[tuple[Task, bytes]], of: Limits
    ) -> list[Result]:
        """The results for ``rest`` as they come, up to a document that went over its limit and past
        the grace period (the process is then killed, and the document has that outcome)."""
        assert process.stdout is not None
        results: list[Result] = []
        deadline: float | None = None
        limit = 0.0
        while len(results) < len(rest):
            try:
                message = _read(process.stdout.fileno(), deadline)
            except TimeoutError:
                self.stop()
                results.append((too_slow(rest[len(results)][0], limit), None))
                return results
            except EOFError:
                code = process.wait()
                self._process = None
                task = rest[len(results)][0]
                raise RuntimeError(
                    f"kgkit's extraction process on this worker ended ({_how(code)}) while extracting {task.path}"
                ) from None
            if message[0] == "start":
                limit = time_limit(len(rest[message[1]][1]), of)
                deadline = time.monotonic() + limit * (1 + GRACE_SHARE) + GRACE_SECONDS
            elif message[0] == "done":
                results.append(message[2])
                deadline = None
            else:
                raise message[1]
        return results

    def stop(self) -> None:
        """Kill the process, if there is one."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def _how(code: int) -> str:
    return f"signal {-code}" if code < 0 else f"exit code {code}"


def _write(fd: int, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, deadline: float | None) -> Any:
    """The next message on ``fd``: TimeoutError if none begins by ``deadline`` (None: wait as long as
    it takes), EOFError if the other end has closed it."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
    (size,) = _HEADER.unpack(_exactly(fd, _HEADER.size))
    return pickle.loads(_exactly(fd, size))


def _exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _sendable(err: BaseException) -> BaseException:
    """``err``, or a RuntimeError that says what it was when it cannot be sent (pickled) as it is."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:
        return RuntimeError(f"{type(err).__name__}: {err}")


#: What the process extracts before any document of a build, for the resources loaded on first use
WARM_UP = b"# KubeCon Europe 2024\n\nJane Doe from Acme Corp spoke about Kubernetes and Prometheus in Paris.\n"


def _warm_up(setup: Setup) -> None:
    """Load what extraction loads on first use (the English model, lists of words), so that no
    document's clock pays for it on a new process: a small document extracted and dropped. (The
    model of another language is loaded by the first document in it, as in a local build.)"""
    task = Task(0, Path("warm-up.md"), Path("."), "warm-up", "warm-up")
    extract_document(task, setup, None, WARM_UP, (600.0, 0.0))


def _end_with(parent: int) -> None:
    """End this process once its worker is gone (killed in the middle of a document, say), rather
    than finish the document for nobody."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main() -> None:
    """The extraction process: batches in on standard input, results out on the standard output it
    had when it started, until its input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C on a worker's terminal: the worker ends it)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    answers = os.dup(1)
    os.dup2(2, 1)  # what components print goes to standard error, not into the answers
    warm: set[Setup] = set()
    try:
        while True:
            try:
                paths, setup, of, batch = _read(0, None)
            except EOFError:
                return
            sys.path[:] = paths  # the worker's (a module uploaded to it is on them)
            try:
                setup.pipeline(None)  # made once, and warmed up, before any document's clock starts
                if setup not in warm:
                    _warm_up(setup)
                    warm.add(setup)
            except Exception as err:
                _write(answers, ("error", _sendable(err)))
                continue
            for i, (task, data) in enumerate(batch):
                _write(answers, ("start", i))
                try:
                    result = extract_document(task, setup, None, data, of)
                except Exception as err:
                    _write(answers, ("error", _sendable(err)))
                    break
                _write(answers, ("done", i, result))
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the worker is gone


if __name__ == "__main__":
    main()
