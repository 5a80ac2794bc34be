"""Extraction on a Dask distributed cluster: ``kgkit build --scheduler tcp://HOST:PORT``.

The client (the process running the build) plans the build as a local one does, reads each document's
bytes and sends them to the cluster in small batches, one task each; a worker extracts them with a
pipeline (and spaCy model) made once per worker process, and sends back each document's outcome and
graph lines. The client writes the cache entries and ``kg.nq``, in document order, so the output is
byte-identical to a local build, and the workers need no shared filesystem, only the same kgkit (and
NLP models) installed: every result says what the worker runs, and a worker that runs other code or
models stops the build (its graphs would differ). Tasks of a worker lost mid-build are run again
elsewhere by Dask's scheduler. A worker extracts in an extraction process of its own
(:mod:`kgkit.graph.extractor`), in whose main thread the per-document time limit holds, the
client's limit, as in a local build.

Dask (``pip install 'kgkit[cluster]'``) is imported only when a build is sent to a cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import logging
import os
import socket
import tempfile
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgkit.documents import document_name, read_bytes
from kgkit.errors import ClusterError, DocumentError
from kgkit.extraction.models import installed_models
from kgkit.graph import extractor
from kgkit.graph.extracting import DocOutcome, Limits, Setup, Task, _package_digest, extract_document, process_limits

if TYPE_CHECKING:
    from distributed import Client

#: Seconds to wait for the scheduler to answer when connecting.
CONNECT_TIMEOUT = 10.0
#: At most this many documents, and about this many bytes, in one task.
BATCH_DOCUMENTS = 16
BATCH_BYTES = 4 << 20

Result = tuple[DocOutcome, list[str] | None]


@dataclass(frozen=True)
class RemoteSetup:
    """What a worker needs to make the build's pipeline: the spec, the curation file's bytes (the
    worker has no access to the client's files), the confidence bar, and what the client runs; and
    the client's time limit of a document (:func:`kgkit.graph.extracting.process_limits`)."""

    spec: str | None
    curation: bytes | None
    curation_suffix: str
    min_confidence: float
    environment: str
    limits: Limits = field(default_factory=process_limits)

    @classmethod
    def of(cls, setup: Setup) -> RemoteSetup:
        data = setup.curation_file.read_bytes() if setup.curation_file is not None else None
        suffix = setup.curation_file.suffix if setup.curation_file is not None else ""
        return cls(setup.spec, data, suffix, setup.min_confidence, environment(), process_limits())

    def local(self) -> Setup:
        """The Setup on this worker: the curation file written once to its temporary directory."""
        path = None
        if self.curation is not None:
            digest = hashlib.sha256(self.curation).hexdigest()[:24]
            path = Path(tempfile.gettempdir()) / f"kgkit-curation-{digest}{self.curation_suffix}"
            if not path.exists() or path.read_bytes() != self.curation:
                scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                scratch.write_bytes(self.curation)
                scratch.replace(path)
        return Setup(self.spec, path, self.min_confidence)


def environment() -> str:
    """What a document's graph depends on besides the document and the build's options, on this
    machine: kgkit's code and data, spaCy's version and the NLP models extraction would use."""
    try:
        spacy = importlib.metadata.version("spacy")
    except importlib.metadata.PackageNotFoundError:
        spacy = "none"
    models = ", ".join(f"{m['language']}: {m['package']} {m['version']}" for m in installed_models()) or "none"
    return f"kgkit code {_package_digest().hex()[:16]}, spaCy {spacy}, models {models}"


_WORKER_LOCK = threading.Lock()  # one extraction process per worker process, given one batch at a time
_EXTRACTOR = extractor.Extractor()


def extract_batch(batch: Sequence[tuple[Task, bytes]], remote: RemoteSetup) -> tuple[str, list[Result]]:
    """The Dask task, run on a worker: extract each document of ``batch`` from its bytes, each within
    the client's time limit; this worker's :func:`environment` and the results, in order. The
    pipeline is made once per worker process, in its extraction process (:mod:`kgkit.graph.extractor`;
    on a system without one, in the worker's thread, where the time limit does not hold)."""
    with _WORKER_LOCK:
        mine = environment()
        if mine != remote.environment:
            return mine, []
        setup = remote.local()
        if not extractor.available():
            return mine, [extract_document(task, setup, None, data, remote.limits) for task, data in batch]
        return mine, _EXTRACTOR.extract(batch, setup, remote.limits)


def check_address(address: str) -> None:
    """ClusterError at once when a ``tcp://HOST:PORT`` (or ``HOST:PORT``) address refuses connections
    or its host has no address, rather than after the connection timeout."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls://, ws://, ...: Dask's client connects and says what went wrong
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise ClusterError(f"{address!r} is not a Dask scheduler address (tcp://HOST:PORT)")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except socket.gaierror:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: the host {host!r} is not known") from None
    except OSError as err:
        reason = err.strerror or type(err).__name__
        if isinstance(err, TimeoutError):
            reason = f"no answer in {CONNECT_TIMEOUT:.0f} s"
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason.lower()}") from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A Dask client of the scheduler at ``address``; ClusterError (one line, naming the address) when
    Dask is not installed or the scheduler cannot be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "building on a Dask cluster needs Dask's distributed scheduler: pip install 'kgkit[cluster]'"
        ) from None
    check_address(address)

    class _Client(Client):
        """A client that, when it fails to connect, closes quietly instead of at exit with a traceback."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
            except BaseException:
                with contextlib.suppress(Exception):
                    self.close(timeout=1)  # type: ignore[no-untyped-call]
                raise

        def __del__(self) -> None:
            with contextlib.suppress(Exception):
                if self.status != "closed":
                    self.close(timeout=1)  # type: ignore[no-untyped-call]

    try:
        with _quiet_logs():
            return _Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {_reason(err)}") from None
    except Exception as err:
        raise ClusterError(
            f"no Dask scheduler answered at {address} (is it one, of a compatible Dask version?): {_reason(err)}"
        ) from None


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's own log lines about connecting stay out of kgkit's one-line errors."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reason(err: BaseException) -> str:
    text = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def batches(todo: Sequence[Task], size: int) -> Iterator[list[tuple[Task, bytes | DocumentError]]]:
    """The documents of ``todo`` with their bytes (or why they cannot be read), ``size`` documents
    (fewer past BATCH_BYTES) at a time, in order."""
    batch: list[tuple[Task, bytes | DocumentError]] = []
    held = 0
    for task in todo:
        try:
            data: bytes | DocumentError = read_bytes(task.path)
        except DocumentError as err:
            data = err
        batch.append((task, data))
        held += len(data) if isinstance(data, bytes) else 0
        if len(batch) >= size or held >= BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def extract_on_cluster(client: Client, address: str, todo: Sequence[Task], setup: Setup) -> Iterator[Result]:
    """Each document of ``todo`` extracted on the cluster of ``client``: its outcome and graph lines,
    in order, each batch as soon as it and those before it are back. At most a few batches per worker
    thread are in flight, so the client holds only their bytes, however large the corpus."""
    remote = RemoteSetup.of(setup)
    threads = max(1, sum(client.nthreads().values()))
    size = max(1, min(BATCH_DOCUMENTS, len(todo) // (4 * threads)))
    window = max(16, 4 * threads)
    pending: deque[tuple[list[tuple[Task, bytes | DocumentError]], Any]] = deque()
    stream = batches(todo, size)
    try:
        for batch in stream:
            sent = [(task, data) for task, data in batch if isinstance(data, bytes)]
            future = client.submit(extract_batch, sent, remote, pure=False) if sent else None
            pending.append((batch, future))
            if len(pending) >= window:
                yield from _gather(*pending.popleft(), address, remote)
        while pending:
            yield from _gather(*pending.popleft(), address, remote)
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()


def _gather(
    batch: list[tuple[Task, bytes | DocumentError]], future: Any, address: str, remote: RemoteSetup
) -> Iterator[Result]:
    results: list[Result] = []
    if future is not None:
        try:
            theirs, results = future.result()
        except Exception as err:
            raise ClusterError(_failure(address, err, batch)) from None
        if theirs != remote.environment:
            raise ClusterError(
                f"a worker of the Dask cluster at {address} runs other code or models ({theirs}) than this "
                f"client ({remote.environment}): install the same kgkit and NLP models on every worker"
            )
    done = iter(results)
    for task, data in batch:
        if isinstance(data, DocumentError):  # unreadable since it was planned: skipped, as locally
            yield DocOutcome(id=task.id, key=task.key, name=document_name(task.path, task.root)[0], error=data), None
        else:
            yield next(done)


def _failure(address: str, err: BaseException, batch: list[tuple[Task, bytes | DocumentError]]) -> str:
    """One line on a task that failed: its worker died too often, the connection was lost, or the
    worker could not run kgkit at all."""
    first, last = batch[0][0].path, batch[-1][0].path
    docs = f"{first}" if first == last else f"{first} ... {last}"
    kind = type(err).__name__
    if kind == "KilledWorker":
        return (
            f"the Dask cluster at {address} lost the workers that ran {docs} again and again (out of memory?): "
            f"{_reason(err)}"
        )
    if isinstance(err, ImportError | AttributeError):
        return (
            f"a worker of the Dask cluster at {address} cannot run kgkit's extraction ({kind}: {_reason(err)}): "
            "install the same kgkit on every worker"
        )
    return f"the Dask cluster at {address} failed while extracting {docs}: {kind}: {_reason(err)}"
