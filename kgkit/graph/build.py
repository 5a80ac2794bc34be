"""Build: documents in, ``kg.nq`` out — one named graph per document, evidence for every fact.

>>> result = build(["data/corpus"], out_dir="build")
>>> result.documents, result.output
(5, PosixPath('build/kg.nq'))
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kgkit import resources
from kgkit.documents import SUFFIXES_HELP, Found, document_name, read_bytes, scan_documents
from kgkit.errors import DocumentError, InputError
from kgkit.extraction.curation import load_curation
from kgkit.extraction.pipeline import DEFAULT_PIPELINE, Pipeline, parse_spec
from kgkit.graph.extracting import (
    DocOutcome,
    Setup,
    Task,
    _package_digest,
    extract_document,
    keep,
)
from kgkit.graph.materialize import MATERIALIZERS, materializers
from kgkit.graph.vocabulary import concept_quads, vocabulary_quads
from kgkit.rdf.files import KG_FILE, atomic_write, output_lock, remove_stale_temps
from kgkit.rdf.ntriples import nquad

DEFAULT_CORPUS = resources.corpus_dir()
DEFAULT_CURATION = resources.curation_file()


@dataclass
class BuildResult:
    """What a build did: counts for the summary line, and the warnings about documents.

    ``skipped`` has one message per document left out (unreadable, broken, a duplicate),
    ``warnings`` one per problem in a document that was built all the same (a front-matter value of
    the wrong type, a name another document has), ``ignored`` the files in folders that are not
    documents (unknown extensions).
    """

    output: Path
    documents: int
    triples: int
    entities: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    candidates: list[tuple[str, str, str]] = field(default_factory=list)  # (document, kind, name)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    extracted: int = 0  # documents extracted afresh (the others came from the build cache)

    def candidates_csv(self) -> str:
        """Every entity found by patterns and not in the gazetteer, one CSV row each: ``entity`` (its
        name, as the curation file's accept, reject, merge, rename and alias take it), ``kind`` and
        the ``documents`` it was found in (joined with " | "), sorted by kind and name.

        >>> print(BuildResult(Path("kg.nq"), 2, 0, candidates=[("a.md", "org", "Acme"), ("b.md", "org", "Acme")])
        ...       .candidates_csv(), end="")
        entity,kind,documents
        Acme,org,a.md | b.md
        """
        found: dict[tuple[str, str], list[str]] = {}
        for doc, kind, name in self.candidates:
            found.setdefault((kind, name), []).append(doc)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["entity", "kind", "documents"])
        for (kind, name), docs in sorted(found.items()):
            writer.writerow([name, kind, " | ".join(sorted(set(docs)))])
        return out.getvalue()

    def summary(self) -> str:
        """One line: documents, triples, entities by class, time."""
        ents = ", ".join(f"{n} {cls}" for cls, n in sorted(self.entities.items()))
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        warned = f" ({len(self.warnings)} warnings)" if self.warnings else ""
        return (
            f"Built {self.output}: {self.documents} documents{warned}{skipped}, {self.triples} triples "
            f"({ents}) in {self.seconds:.2f} s"
        )


def build(
    paths: Sequence[str | Path] = (),
    out_dir: str | Path = "build",
    *,
    strict: bool = False,
    min_confidence: float = 0.0,
    curation: str | Path | None = DEFAULT_CURATION,
    warn: Callable[[str], None] | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    pipeline: str | None = None,
    candidates: str | Path | None = None,
    materialize: Sequence[str] = (),
    scheduler: str | None = None,
) -> BuildResult:
    """Build the knowledge graph of the documents under ``paths`` (default: the bundled corpus).

    Writes ``out_dir/kg.nq`` atomically, holding a lock on ``out_dir`` (a second build into it fails
    with OutputError); identical input gives a byte-identical file. A document that cannot be read
    is skipped, and one with odd but usable content built; ``warn`` gets one line for each, naming
    the file (and line), in path order. ``strict=True`` raises DocumentError at the first of either
    instead. When no document can be read nothing is written (InputError): the previous output stays.
    The ``curation`` file (default ``data/curation.yaml``) is applied to every document.

    Documents are extracted in parallel (``jobs`` processes, default one per core) and each one's
    graph is kept in ``out_dir/.kgkit-cache/`` under a hash of its bytes, its name and everything
    extraction depends on (kgkit's code, data/ and the curation file), so a rebuild re-extracts only
    the documents that changed. ``progress(done, total)`` hears of each document extracted.
    ``pipeline`` changes the extraction components (see :meth:`kgkit.extraction.Pipeline.from_spec`).
    ``candidates`` names a CSV file to write every entity found by patterns into
    (:meth:`BuildResult.candidates_csv`), cached documents' included. ``materialize`` names inferences
    to add in graphs of their own (:data:`kgkit.graph.materialize.MATERIALIZERS`: "schema", the schema.org
    types and properties the ontology aligns kgkit's terms to).

    ``scheduler`` (``tcp://HOST:PORT``) sends the extraction to a Dask distributed cluster instead of
    local processes (:mod:`kgkit.graph.cluster`): the documents' bytes go to the workers with the tasks,
    the cache and ``kg.nq`` stay here, and the output is byte-identical to a local build. ClusterError
    when the scheduler cannot be reached or the cluster fails; ``jobs`` is then not used.

    >>> build(["data/corpus"], "build").summary()   # doctest: +ELLIPSIS
    'Built build/kg.nq: 5 documents, ...'
    """
    started = time.perf_counter()
    inferred = materializers(materialize)
    scan = scan_documents(paths or [DEFAULT_CORPUS])
    if not scan.found:
        raise InputError(
            f"no documents found (kgkit reads {SUFFIXES_HELP})",
            path=str(paths[0]) if paths else DEFAULT_CURATION.parent / "corpus",
        )
    if scan.ignored and warn:
        kinds = sorted({p.suffix.lower() or p.name for p in scan.ignored})
        n = len(scan.ignored)
        files = "1 file that is not a document" if n == 1 else f"{n} files that are not documents"
        more = ", ..." if len(kinds) > 5 else ""
        warn(f"ignored {files} ({', '.join(kinds[:5])}{more}), such as {scan.ignored[0]}")
    curation_file = _curation_file(curation)
    setup = Setup(pipeline, curation_file, min_confidence)
    parse_spec(pipeline)  # a broken component list or curation file fails before any work
    load_curation(curation_file)
    output = Path(out_dir) / KG_FILE
    cache = output.parent / CACHE_DIR
    # connected before any work, so that an unreachable scheduler fails at once
    with _cluster(scheduler) as cluster, output_lock(output.parent):
        remove_stale_temps(output)  # left by a build that was killed while writing
        cache.mkdir(parents=True, exist_ok=True)
        chosen = setup.pipeline(cache)  # every resource loaded (and checked) once, before any document
        plan, problems = _plan(scan.found, cache, _fingerprint(curation_file, min_confidence, chosen))
        plan.sort(key=lambda task: task.id)  # the order of the graphs in kg.nq
        known = {task.order: _cached(cache, task) for task in plan}
        # with every document cached, kg.nq may already be what they give; else it is written while
        # the documents are extracted, each graph as soon as it and those before it are done
        stamp = _stamp([d for d in known.values() if d is not None], inferred) if all(known.values()) else None
        triples = _unchanged(output, cache, stamp) if stamp is not None else None
        docs: list[DocOutcome] = []
        with contextlib.ExitStack() as writing:
            out = None if triples is not None else writing.enter_context(atomic_write(output, "wb"))
            for task, outcome in _run(plan, known, cache, setup, jobs, progress, cluster):
                problems += [(task.order, False, w) for w in outcome.warnings]
                if outcome.error is not None:
                    problems.append((task.order, True, outcome.error))
                    continue
                docs.append(outcome)
                if out is not None:
                    _append_graph(out, cache, outcome)
            skipped, warnings = _report(problems, strict, warn)  # raising here leaves kg.nq as it was
            if not docs:
                raise InputError(f"none of the documents could be read, so {output} was not written")
            if out is not None:
                triples = _append_shared(out, docs, cache, inferred)
        assert triples is not None  # counted above, or remembered from the build that wrote kg.nq
        if out is not None:
            _remember(output, cache, stamp or _stamp(docs, inferred), triples)
        _prune(cache, {d.key for d in docs})
    entities: Counter[str] = Counter(cls for _, cls in {tuple(t) for d in docs for t in d.typed})
    found = sorted({(d.name, kind, name) for d in docs for kind, name in d.candidates})
    result = BuildResult(
        output=output,
        extracted=sum(not d.cached for d in docs),
        documents=len(docs),
        triples=triples,
        entities=entities,
        skipped=skipped,
        candidates=found,
        seconds=time.perf_counter() - started,
        warnings=warnings,
        ignored=scan.ignored,
    )
    if candidates is not None:
        with atomic_write(candidates) as fh:
            fh.write(result.candidates_csv())
    return result


# ------------------------------------------------------------------------------------------ planning
CACHE_DIR = ".kgkit-cache"


Problem = tuple[int, bool, DocumentError]  # (position in path order, skip the document?, the problem)


def _plan(found: Sequence[Found], cache: Path, fingerprint: str) -> tuple[list[Task], list[Problem]]:
    """Decide, in path order and before any extraction, which files are documents, their graph ids
    (a/index.md and b/index.md both kept, distinctly) and cache keys; duplicates are skipped."""
    tasks: list[Task] = []
    problems: list[Problem] = []
    by_id: dict[str, Path] = {}
    by_content: dict[str, Path] = {}
    for order, item in enumerate(found):
        if item.problem is not None:
            problems.append((order, True, item.problem))
            continue
        try:
            digest = hashlib.sha256(read_bytes(item.path)).hexdigest()
        except DocumentError as err:
            problems.append((order, True, err))
            continue
        if digest in by_content:
            problems.append(
                (order, True, DocumentError(f"the same text as {by_content[digest]}: a duplicate", path=item.path))
            )
            continue
        name, doc_id = document_name(item.path, item.root)
        if doc_id in by_id:
            new_id = f"{doc_id}-{digest[:8]}"
            clash = f"has the same name as {by_id[doc_id]}; its graph is named after {new_id!r}"
            problems.append((order, False, DocumentError(clash, path=item.path)))
            doc_id = new_id
        by_id[doc_id] = by_content[digest] = item.path
        key = hashlib.sha256(f"{fingerprint}|{digest}|{name}|{doc_id}".encode()).hexdigest()[:32]
        tasks.append(Task(order, item.path, item.root, doc_id, key))
    return tasks, problems


def _fingerprint(curation_file: Path | None, min_confidence: float, pipeline: Pipeline) -> str:
    """A hash of everything a document's graph depends on besides its own bytes: the code of every
    module the build can import, kgkit's data files (but the sample corpus), the pipeline's components
    and the curation file."""
    h = hashlib.sha256(f"{min_confidence}".encode())
    if pipeline.names != list(DEFAULT_PIPELINE):  # (the default adds nothing: keys stay as they were)
        h.update(pipeline.fingerprint.encode())
    h.update(_package_digest())
    if curation_file is not None:
        h.update(curation_file.read_bytes())
    return h.hexdigest()


def _curation_file(curation: str | Path | None) -> Path | None:
    if curation is None or (Path(curation) == DEFAULT_CURATION and not DEFAULT_CURATION.exists()):
        return None
    return Path(curation)


# ------------------------------------------------------------------------------------------ extracting
Cluster = tuple[Any, str]  # a Dask client and the scheduler's address


@contextlib.contextmanager
def _cluster(scheduler: str | None) -> Iterator[Cluster | None]:
    """A client of the Dask scheduler at ``scheduler`` (closed afterwards), or None: extract locally."""
    if scheduler is None:
        yield None
        return
    from kgkit.graph.cluster import connect  # (Dask is imported only for a build on a cluster)

    client = connect(scheduler)
    try:
        yield client, scheduler
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)


def _run(
    plan: list[Task],
    known: dict[int, DocOutcome | None],
    cache: Path,
    setup: Setup,
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
    cluster: Cluster | None = None,
) -> Iterator[tuple[Task, DocOutcome]]:
    """Each planned document's outcome in plan order, as soon as it is known: from the cache
    (``known``), or extracted, in parallel when there are several, or on a Dask ``cluster``."""
    todo = [task for task in plan if known[task.order] is None]
    if cluster is not None:
        extracted = _extract_on_cluster(todo, cache, setup, cluster, progress)
    else:
        extracted = _extract_all(todo, cache, setup, jobs, progress)
    for task in plan:
        yield task, known[task.order] or next(extracted)


def _extract_on_cluster(
    todo: list[Task], cache: Path, setup: Setup, cluster: Cluster, progress: Callable[[int, int], None] | None
) -> Iterator[DocOutcome]:
    """Extract the documents of ``todo`` on the Dask cluster; the cache entries are written here."""
    from kgkit.graph.cluster import extract_on_cluster

    client, address = cluster
    for i, (outcome, lines) in enumerate(extract_on_cluster(client, address, todo, setup)):
        if lines is not None:
            keep(cache, outcome, lines)
        yield _tell(progress, i, len(todo), outcome)


def _extract_all(
    todo: list[Task],
    cache: Path,
    setup: Setup,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> Iterator[DocOutcome]:
    """Extract the documents of ``todo``: their outcomes in order, each as soon as it is done."""
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    args = [(task, cache, setup) for task in todo]
    if workers > 1 and len(todo) >= 8 and "fork" in multiprocessing.get_all_start_methods():
        setup.pipeline(cache)  # made once here, shared with the forked workers
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunk = max(1, min(32, len(todo) // (4 * workers)))
            for i, outcome in enumerate(pool.map(_extract_one, args, chunksize=chunk)):
                yield _tell(progress, i, len(todo), outcome)
    else:
        for i, a in enumerate(args):
            yield _tell(progress, i, len(todo), _extract_one(a))


def _tell(progress: Callable[[int, int], None] | None, i: int, total: int, outcome: DocOutcome) -> DocOutcome:
    if progress is not None:
        progress(i + 1, total)
    return outcome


def _extract_one(args: tuple[Task, Path, Setup]) -> DocOutcome:
    """Read, extract and curate one document within its time limit; write its graph's sorted lines to
    the cache."""
    task, cache, setup = args
    outcome, lines = extract_document(task, setup, cache)
    if lines is not None:
        keep(cache, outcome, lines)
    return outcome


def _cached(cache: Path, task: Task) -> DocOutcome | None:
    """The outcome of an earlier extraction of exactly this document, if its cache entry is whole
    (written atomically, so it is either whole or absent)."""
    try:
        with (cache / f"{task.key}.nq").open(encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        meta = json.loads(first)
        warnings = [DocumentError(m, path=p, line=line) for m, p, line in meta.pop("warnings")]
        outcome = DocOutcome(**meta, warnings=warnings, cached=True)
    except (ValueError, TypeError, KeyError):
        return None  # a damaged entry is simply extracted again
    outcome.typed = [(a, b) for a, b in outcome.typed]
    outcome.candidates = [(a, b) for a, b in outcome.candidates]
    return outcome


def _report(problems: list[Problem], strict: bool, warn: Callable[[str], None] | None) -> tuple[list[str], list[str]]:
    """Tell of every problem in path order (``strict``: raise the first); (skipped, warnings)."""
    skipped: list[str] = []
    warnings: list[str] = []
    for _, skip, err in sorted(problems, key=lambda p: p[0]):
        if strict:
            raise err
        (skipped if skip else warnings).append(str(err))
        if warn:
            warn(f"skipped {err}" if skip else str(err))
    return skipped, warnings


# ------------------------------------------------------------------------------------------ writing
# kg.nq: each document's graph in id order, then the reference and vocabulary graphs. Graph by graph
# in IRI order, lines sorted within each: deterministic, and streamed.
def _append_graph(out: IO[bytes], cache: Path, doc: DocOutcome) -> None:
    """Copy a document's graph from its cache entry to the end of ``out``."""
    with (cache / f"{doc.key}.nq").open("rb") as part:
        part.readline()  # the document's outcome (see _extract_one)
        shutil.copyfileobj(part, out, 1 << 20)


def _append_shared(out: IO[bytes], docs: list[DocOutcome], cache: Path, inferred: Sequence[str] = ()) -> int:
    """Write the shared graphs after the documents' ones, then the graphs of the ``inferred``
    materializers (from the documents' cached lines and the shared ones); the number of statements in
    all of them."""
    shared = sorted({line for d in docs for line in d.reference}) + sorted(
        {nquad(q) for q in (*vocabulary_quads(), *concept_quads())}
    )
    out.write("".join(shared).encode("utf-8"))
    added = 0
    for name in inferred:
        lines = MATERIALIZERS[name](itertools.chain(_cached_lines(cache, docs), shared))
        out.write("".join(lines).encode("utf-8"))
        added += len(lines)
    return sum(d.lines for d in docs) + len(shared) + added


def _cached_lines(cache: Path, docs: list[DocOutcome]) -> Iterator[str]:
    """The N-Quads lines of the documents' graphs, from their cache entries."""
    for doc in docs:
        with (cache / f"{doc.key}.nq").open(encoding="utf-8") as part:
            part.readline()  # the document's outcome (see _extract_one)
            yield from part


_STAMP = "output.stamp"  # in the cache: what kg.nq was last written from, and the file it became


def _stamp(docs: list[DocOutcome], inferred: Sequence[str] = ()) -> str:
    """A hash of everything kg.nq is made of: the documents' cache keys in output order (each key
    covers the document, its id, kgkit's code and data/, from which the shared graphs follow) and the
    inferences materialized."""
    made = "\n".join([*(f"{d.id} {d.key}" for d in docs), *(f"materialize {name}" for name in inferred)])
    return hashlib.sha256(made.encode()).hexdigest()


def _unchanged(output: Path, cache: Path, stamp: str) -> int | None:
    """The number of statements in ``output`` when it is the file the documents of ``stamp`` give, as
    the last build wrote it (same inputs, same size and modification time since); else None."""
    try:
        last = json.loads((cache / _STAMP).read_text(encoding="utf-8"))
        st = output.stat()
        if [last["stamp"], last["size"], last["mtime_ns"]] == [stamp, st.st_size, st.st_mtime_ns]:
            return int(last["triples"])
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def _remember(output: Path, cache: Path, stamp: str, triples: int) -> None:
    st = output.stat()
    last = {"stamp": stamp, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "triples": triples}
    with atomic_write(cache / _STAMP, durable=False) as fh:
        fh.write(json.dumps(last))


def _prune(cache: Path, keep: set[str]) -> None:
    """Remove cache entries of documents no longer part of the build, and any a killed build left half
    written (we hold the output lock, so no other build is writing them)."""
    for entry in cache.iterdir():
        if entry.suffix in (".tmp", ".json") or (entry.suffix == ".nq" and entry.stem not in keep):
            entry.unlink(missing_ok=True)
