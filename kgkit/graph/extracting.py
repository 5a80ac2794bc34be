"""Extracting one document: what a build hands a worker (a local process, or a Dask worker), and
what it gets back. Kept apart from :mod:`kgkit.graph.build` so that the cluster module
(:mod:`kgkit.graph.cluster`) and the build both import it, and neither imports the other.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import FrameType

from rdflib import RDF

from kgkit import resources
from kgkit.documents import document_name, read_document
from kgkit.errors import DocumentError
from kgkit.extraction.pipeline import Pipeline
from kgkit.graph.evidence import document_lines
from kgkit.graph.reference import reference_lines
from kgkit.rdf.files import atomic_write
from kgkit.rdf.terms import KG

DEFAULT_CURATION = resources.curation_file()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The layers above the build, which it cannot import (the layers contract in pyproject.toml): their
# code is left out of the cache key, all the rest of the package is in it.
_NOT_BUILT_FROM = ("cli", "present", "quality", "stores")

@dataclass(frozen=True)
class Task:
    """One document to extract: where it is, the id its graph gets, and its cache key."""

    order: int
    path: Path
    root: Path
    id: str
    key: str


@dataclass
class DocOutcome:
    """What extracting one document gave (also stored beside its cached graph)."""

    id: str
    key: str
    name: str
    lines: int = 0
    typed: list[tuple[str, str]] = field(default_factory=list)  # (entity IRI, kgkit class)
    reference: list[str] = field(default_factory=list)  # reference-graph lines about the subjects of its facts
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) found by patterns
    warnings: list[DocumentError] = field(default_factory=list)
    error: DocumentError | None = None
    cached: bool = False

@dataclass(frozen=True)
class Setup:
    """How every document of a build is extracted: the pipeline spec, the curation file, the bar."""

    spec: str | None
    curation_file: Path | None
    min_confidence: float

    def pipeline(self, cache: Path | None) -> Pipeline:
        """The pipeline, made once per process (and again when the curation file changes)."""
        stamp = None
        if self.curation_file is not None and self.curation_file.exists():
            stamp = (self.curation_file.stat().st_mtime_ns, self.curation_file.stat().st_size)
        return _pipeline(self.spec, self.curation_file, stamp, cache)


@lru_cache(maxsize=4)
def _pipeline(
    spec: str | None, curation_file: Path | None, stamp: tuple[int, int] | None, cache: Path | None
) -> Pipeline:
    return Pipeline.from_spec(spec, curation=curation_file, cache_dir=cache)

@lru_cache(maxsize=1)
def _package_digest() -> bytes:
    """A hash of kgkit's code below the build's layer and of its data files, once per process."""
    h = hashlib.sha256()
    code = [p for p in sorted(PACKAGE_DIR.rglob("*.py")) if p.relative_to(PACKAGE_DIR).parts[0] not in _NOT_BUILT_FROM]
    data_dir = resources.data_dir()
    data = [
        p
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".yml") and p != DEFAULT_CURATION and "corpus" not in p.parts
    ]
    for path in code + data:
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


#: A document that takes longer than this, plus SECONDS_PER_MB for each megabyte of it, to read and
#: extract is skipped: time linear in its size, whatever patterns the text was made to trip up. (The
#: model reads about 4,000 words a second on one core, ~40 s for a megabyte of prose; the limit leaves
#: room for a loaded machine and for loading the model on a worker's first document.)
SECONDS_PER_DOCUMENT = 30.0
SECONDS_PER_MB = 120.0


class _TooSlow(BaseException):
    """Raised by the timer in the middle of reading or extracting (a BaseException, so that no
    ``except Exception`` on the way takes it for an error of its own)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """_TooSlow once ``seconds`` have passed in the block (SIGALRM: in a process's main thread only;
    elsewhere the block simply runs). Python's regular expressions stop for it too."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

Limits = tuple[float, float]  # (seconds per document, seconds per megabyte)


def process_limits() -> Limits:
    """The time limit of this process's builds (:data:`SECONDS_PER_DOCUMENT`, :data:`SECONDS_PER_MB`);
    a build on a cluster sends it with its tasks, so that the workers apply the client's."""
    return SECONDS_PER_DOCUMENT, SECONDS_PER_MB


def time_limit(size: int, of: Limits | None = None) -> float:
    """Seconds a document of ``size`` bytes may take to read and extract."""
    per_document, per_mb = of or process_limits()
    return per_document + per_mb * size / 2**20


def too_slow(task: Task, limit: float) -> DocOutcome:
    """The outcome of a document stopped at its time limit: skipped, with a warning saying so."""
    outcome = DocOutcome(id=task.id, key=task.key, name=document_name(task.path, task.root)[0])
    outcome.error = DocumentError(
        f"took more than {limit:.0f} s to read and extract (the limit for a document of its size)", path=task.path
    )
    return outcome


def extract_document(
    task: Task, setup: Setup, cache: Path | None, data: bytes | None = None, of: Limits | None = None
) -> tuple[DocOutcome, list[str] | None]:
    """Read, extract and curate one document within its time limit (``of``: this process's
    :func:`process_limits` unless given): its outcome, and its graph's sorted N-Quads lines (None when it
    could not be built: ``outcome.error`` says why). ``data`` is the file's bytes when they were read
    elsewhere (on a cluster the worker gets them with the task). The limit holds in a process's main
    thread only (a Dask worker runs this in its extraction process: :mod:`kgkit.graph.extractor`)."""
    if data is not None:
        size = len(data)
    else:
        try:
            size = task.path.stat().st_size
        except OSError:
            size = 0
    limit = time_limit(size, of)
    setup.pipeline(cache)  # (once per process, and not on the document's time)
    try:
        with _time_limit(limit):
            return _extract_in_time(task, cache, setup, data)
    except _TooSlow:
        return too_slow(task, limit), None


def _extract_in_time(
    task: Task, cache: Path | None, setup: Setup, data: bytes | None
) -> tuple[DocOutcome, list[str] | None]:
    min_confidence = setup.min_confidence
    outcome = DocOutcome(id=task.id, key=task.key, name=document_name(task.path, task.root)[0])
    try:
        doc = read_document(task.path, task.root, data=data)
    except DocumentError as err:
        outcome.error = err
        return outcome, None
    doc.id = task.id
    outcome.warnings = list(doc.warnings)
    try:
        pipeline = setup.pipeline(cache)
        gazetteer = pipeline.gazetteer
        ex = pipeline(doc)
        lines = document_lines(ex, min_confidence)
    except Exception as err:  # a bug in kgkit, but one document must not stop the build
        reason = f"{type(err).__name__}: {err}".splitlines()[0][:200]
        outcome.error = DocumentError(
            f"could not extract its facts (kgkit bug, please report it: {reason})", path=doc.path
        )
        return outcome, None
    outcome.lines = len(lines)
    rdf_type, kg = RDF.type, str(KG)
    outcome.typed = sorted(
        {
            (str(f.s), str(f.o)[len(kg) :])
            for f in ex.facts
            if f.p == rdf_type and str(f.o).startswith(kg) and f.confidence >= min_confidence
        }
    )
    outcome.reference = reference_lines({f.s for f in ex.facts}, gazetteer)
    outcome.candidates = sorted({(kind, name) for kind, name, _ in ex.candidates})
    return outcome, lines


def keep(cache: Path, outcome: DocOutcome, lines: list[str]) -> None:
    """Write a document's cache entry: its outcome as a JSON line, then its graph's lines."""
    meta = {
        "id": outcome.id,
        "key": outcome.key,
        "name": outcome.name,
        "lines": outcome.lines,
        "typed": outcome.typed,
        "reference": outcome.reference,
        "candidates": outcome.candidates,
        "warnings": [[w.message, str(w.path) if w.path else None, w.line] for w in outcome.warnings],
    }
    with atomic_write(cache / f"{outcome.key}.nq", durable=False) as fh:
        fh.write(json.dumps(meta) + "\n")
        fh.writelines(lines)
