"""``kgkit load``: a build into a triple store over the W3C standards every store speaks.

The SPARQL 1.1 Graph Store HTTP Protocol (one request per named graph) or else SPARQL 1.1 Update
(``INSERT DATA`` in batches), then a check of the store's triple counts graph by graph. An N-Quads
or N-Triples file (a build) is read one graph at a time (:mod:`kgkit.rdf.bygraph`), so that a file
of any size loads in memory bounded by its largest graph; other RDF files are read into memory.

>>> report = load("http://127.0.0.1:7878", "build", replace=True)  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
Replaced 7 graphs (8124 triples) in http://127.0.0.1:7878 by the Graph Store Protocol in 0.31 s.
Checked: the store holds exactly the triples sent, graph by graph.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from rdflib import Dataset, Graph

from kgkit.errors import InputError, StoreError
from kgkit.rdf import bygraph
from kgkit.rdf.bygraph import GraphFile, GraphLines
from kgkit.rdf.files import resolve_input
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.nqscan import SNIFF_BYTES, count_graphs, count_graphs_in, distinct_counts
from kgkit.rdf.read import as_dataset, named_graphs
from kgkit.stores.http import Credentials
from kgkit.stores.remote import SparqlStore, _chunks, _graph_ref

log = logging.getLogger(__name__)


PROTOCOLS = ("auto", "gsp", "update")


#: One graph as it is sent: an rdflib Graph, or the N-Triples lines of a graph streamed from a file
GraphData = Graph | GraphLines
#: The graphs of a load as they come, one at a time: (the graph it goes into, its triples)
Graphs = Iterator[tuple[str | None, GraphData]]

STAGING_PREFIX = "urn:kgkit:staging:"
#: The graphs of a kgkit build (documents, vocabulary, reference): what ``sync`` makes the store's match.
BUILD_GRAPHS = "https://w3id.org/kgkit/graph/"


@dataclass(frozen=True)
class GraphLoad:
    """One graph of a load: its name ("" = default graph), triples sent, triples the store holds
    afterwards, and before (None when replaced, as the old content does not matter then, and when
    an N-Quads file went in one request, which counts afterwards only)."""

    name: str
    sent: int
    stored: int
    before: int | None = None


@dataclass(frozen=True)
class LoadProgress:
    """Where a load is: ``phase`` ("upload", "check", "move"), ``done`` of ``total`` triples."""

    phase: str
    done: int
    total: int


@dataclass
class LoadReport:
    """What :func:`load` did, and what the store holds afterwards (checked by triple counts)."""

    endpoint: str
    protocol: str  # "gsp" or "update"
    replaced: bool
    graphs: list[GraphLoad] = field(default_factory=list)
    seconds: float = 0.0
    bytes_sent: int = 0
    note: str | None = None  # e.g. why auto fell back from GSP to SPARQL Update
    dropped: list[str] = field(default_factory=list)  # kgkit graphs no longer in the build (``sync``)
    union: bool | None = None  # the store's default graph is the union of its graphs (None: cannot tell)
    advice: str = ""  # what to do where it is not

    @property
    def triples_sent(self) -> int:
        return sum(g.sent for g in self.graphs)

    @property
    def exact(self) -> bool:
        """Every graph holds exactly the triples sent."""
        return all(g.stored == g.sent for g in self.graphs)

    @property
    def missing(self) -> list[GraphLoad]:
        """Graphs holding fewer triples than were sent (the store lost or merged some)."""
        return [g for g in self.graphs if g.stored < g.sent]

    def summary(self) -> str:
        how = "the Graph Store Protocol" if self.protocol == "gsp" else "SPARQL Update"
        verb = "Replaced" if self.replaced else "Loaded"
        n = len(self.graphs)
        lines = [
            f"{verb} {n} graph{'s' if n != 1 else ''} ({self.triples_sent} triples) in {self.endpoint} "
            f"by {how} in {self.seconds:.2f} s."
        ]
        if self.note:
            lines.append(self.note)
        if self.dropped:
            n = len(self.dropped)
            lines.append(f"Dropped {n} graph{'s' if n != 1 else ''} no longer in the build: "
                         + ", ".join(self.dropped[:10]) + (", ..." if n > 10 else ""))
        if self.exact:
            lines.append("Checked: the store holds exactly the triples sent, graph by graph.")
        elif not self.missing:
            more = [g for g in self.graphs if g.stored > g.sent]
            lines.append(
                f"Checked: the store holds every triple sent; {len(more)} graph(s) also hold triples "
                "from before (--replace replaces them):"
            )
            lines += [f"  {g.name or '(default graph)'}: {g.stored} triples, {g.sent} sent" for g in more[:10]]
        else:
            lines.append(f"Check failed: {len(self.missing)} graph(s) hold fewer triples than were sent:")
            lines += [f"  {g.name or '(default graph)'}: {g.stored} of {g.sent}" for g in self.missing[:10]]
        if self.union is False:
            lines.append(
                "Note: the store's default graph is not the union of its graphs. `kgkit query` asks for the "
                "union itself, but other SPARQL clients see none of these triples outside GRAPH: "
                f"{self.advice}."
            )
        return "\n".join(lines)


def load(
    endpoint: str,
    source: str | Path | Dataset | Graph = "build",
    *,
    graphs: Sequence[str] | None = None,
    replace: bool = False,
    sync: bool = False,
    protocol: str = "auto",
    batch_size: int = 500,
    update_url: str | None = None,
    gsp_url: str | None = None,
    credentials: Credentials | None = None,
    timeout: float = 60,
    retries: int = 2,
    backoff: float = 0.5,
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadReport:
    """Load ``source`` (a build directory, an RDF file or a Dataset) into the store at ``endpoint``.

    Every named graph keeps its name (one per document in a kgkit build). ``graphs`` picks some of
    them by IRI; when the source has triples in its default graph only, one IRI names the graph they
    go to. ``replace`` replaces each graph sent: it is uploaded into a temporary graph, counted and
    then moved over the old one with SPARQL Update ``MOVE``, so that after a failure every graph
    holds either its old or its new content, never a part (the temporary graphs are dropped).
    Without ``replace`` the triples are added to what the graphs hold. ``sync`` replaces every graph
    and drops the store's graphs of a kgkit build (IRIs under :data:`BUILD_GRAPHS`) that ``source``
    does not have, in the same request as the last MOVEs (a document deleted since the last load
    loses its graph); the report names them.

    Afterwards kgkit asks whether the store's default graph is the union of its graphs
    (``report.union``): where it is not, ``kgkit query`` asks for the union itself, and the summary
    says how to set the store up for other clients.

    ``protocol`` is "gsp" (Graph Store Protocol: one PUT/POST per graph), "update" (``INSERT DATA``
    in batches of ``batch_size`` triples) or "auto" (GSP when the store has a Graph Store URL, SPARQL
    Update when that fails with 404/405/415/501). ``endpoint`` is a query URL or a server's root
    (see :meth:`SparqlStore.connect`); ``update_url``/``gsp_url`` name the others where a store
    splits them. Credentials default to the ``KGKIT_STORE_*`` environment variables.

    Afterwards the triple count of every graph sent is checked; StoreError if a graph holds fewer
    triples than were sent (and on any failure: unreachable store, HTTP errors, timeouts).

    >>> report = load("http://127.0.0.1:7878", "build", replace=True)  # doctest: +SKIP
    >>> report.exact, report.triples_sent  # doctest: +SKIP
    (True, 8124)
    """
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r}; choose one of: {', '.join(PROTOCOLS)}")
    if batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    if sync and graphs:
        raise InputError("--sync makes the store's kgkit graphs those of the whole build: it cannot go with --graph")
    replace = replace or sync
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        streamable = None if graphs or replace or protocol == "update" else _nquads_file(source)
        # (an N-Quads file goes in one request, which needs no reading here; else the graphs are read)
        plan = _Source.of(source, graphs, stack) if streamable is None else None
        store = SparqlStore.connect(
            endpoint,
            update_url=update_url,
            gsp_url=gsp_url,
            credentials=credentials,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )
        # the store answers (and says which authentication it wants) before any upload
        store.query("ASK {}", union=False)
        if streamable is not None:
            streamed = _load_file(store, streamable, progress)
            if streamed is not None:
                streamed.endpoint, streamed.seconds = store.http.redact(endpoint), time.monotonic() - started
                if streamed.missing:
                    raise StoreError(" ".join(streamed.summary().split("\n", 1)[-1].split()))
                return _with_union(store, streamed)
            plan = _Source.of(source, graphs, stack)
        assert plan is not None
        names = plan.names
        stale = _stale_graphs(store, names, source) if sync else []
        loader = _Loader(store, protocol, batch_size, progress, plan.total)
        if replace:
            stored = loader.replace(names, plan.graphs(), drop=stale)
            before: dict[str | None, int] = {}
        else:
            before = store.count(names) if names else {}
            loader.add(plan.graphs())
            stored = store.count(names) if names else {}
    report = LoadReport(
        endpoint=store.http.redact(endpoint),
        protocol=loader.protocol,
        replaced=replace,
        graphs=[
            GraphLoad(name or "", loader.sent.get(name, 0), stored.get(name, 0), None if replace else before.get(name))
            for name in names
        ],
        seconds=time.monotonic() - started,
        bytes_sent=loader.bytes_sent,
        note=loader.note,
        dropped=stale,
    )
    if report.missing:
        raise StoreError(" ".join(report.summary().split("\n", 1)[-1].split()))
    return _with_union(store, report)


def _with_union(store: SparqlStore, report: LoadReport) -> LoadReport:
    """``report`` told whether the store's default graph is the union of its graphs (asked anew:
    the load may have given it its first named graph)."""
    report.union = store.default_graph_is_union(refresh=True)
    report.advice = store.union_advice() if report.union is False else ""
    return report


def _stale_graphs(store: SparqlStore, selected: Sequence[str | None], source: object) -> list[str]:
    """The store's graphs of a kgkit build that are not among the graphs ``selected`` (what ``sync``
    drops); InputError when none of them is a graph of a kgkit build (sync would empty the store of
    them)."""
    names = {name for name in selected if name is not None}
    if not any(name.startswith(BUILD_GRAPHS) for name in names):
        where = f" ({source})" if isinstance(source, str | Path) else ""
        raise InputError(f"--sync needs a kgkit build{where}: it has no graph under {BUILD_GRAPHS}")
    found = store.query(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BUILD_GRAPHS}")) }}',
        union=False,
    )
    return sorted(str(g) for (g,) in found.rows if str(g) not in names)


def _nquads_file(source: str | Path | Dataset | Graph) -> Path | None:
    """The N-Quads file of ``source`` (a file or build) when :mod:`kgkit.rdf.nqscan` can count its lines
    (judged by its first ``SNIFF_BYTES``), else None."""
    if isinstance(source, Dataset | Graph):
        return None
    file = resolve_input(source)
    if format_for_path(file).name != "nquads":
        return None
    with open(file, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return file if count_graphs_in(head[: head.rfind(b"\n") + 1]) is not None else None


def _load_file(store: SparqlStore, file: Path, progress: Callable[[LoadProgress], None] | None) -> LoadReport | None:
    """Add the quads of the N-Quads ``file`` to ``store`` in one streamed POST (the store parses; the
    lines are counted per graph meanwhile, in a thread), then compare the store's counts with
    those, graph by graph. None, with nothing stored, when the store does not take a whole dataset
    that way: any store but Oxigraph (known by its Server header; others take graphs one by one, or
    put a whole dataset into one graph), or a 4xx answer. The caller then loads graph by graph."""
    if not store.gsp_url or not store.http.server.lower().startswith("oxigraph"):
        return None
    size = max(1, file.stat().st_size)
    with open(file, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    estimate = max(1, size * head.count(b"\n") // max(1, len(head)))  # for progress, until counted

    def tell(phase: str, done: int, total: int) -> None:
        if progress:
            progress(LoadProgress(phase, done, total))

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        counting = pool.submit(count_graphs, file)
        try:
            sent = store.post_dataset(file, sent=lambda n: tell("upload", estimate * n // size, estimate))
        except StoreError as err:
            if re.search(r"HTTP (400|404|405|406|415|501)\b", str(err)):
                log.debug("the store did not take N-Quads in one request (%s); loading graph by graph", err)
                return None
            raise
        counts = counting.result()
    distinct = counts is None
    if counts is None:  # a line the scan could not count, past the first ones: Oxigraph counts, graph by graph
        with GraphFile(file) as whole:
            counts = {graph.name: len(graph) for graph in whole.graphs()}
    names = sorted(counts, key=lambda n: n or "")
    total = sum(counts.values())
    tell("check", total, total)
    stored = store.count(names)
    short = [name for name in names if stored[name] < counts[name]]
    if short and not distinct:  # repeated lines count once in the store: count distinct lines before calling any short
        counts = {**counts, **distinct_counts(file, short)}
    return LoadReport(
        endpoint="",
        protocol="gsp",
        replaced=False,
        graphs=[GraphLoad(name or "", counts[name], stored[name]) for name in names],
        bytes_sent=sent,
    )


def _line_file(source: str | Path | Dataset | Graph) -> Path | None:
    """The file of ``source`` when it is N-Quads or N-Triples (read graph by graph), else None."""
    if isinstance(source, Dataset | Graph):
        return None
    file = resolve_input(source)
    return file if format_for_path(file).name in bygraph.FORMATS else None


class _Source:
    """What a load sends: ``names``, the graphs it goes into (known, with ``total`` triples, before
    anything is sent), and :meth:`graphs`, which gives each graph as it is sent, one at a time.

    An N-Quads or N-Triples file is read graph by graph (:class:`kgkit.rdf.bygraph.GraphFile`), in
    memory bounded by its largest graph; any other file, and a Dataset, is read into memory."""

    def __init__(self, plan: list[tuple[str | None, str | None]], counts: dict[str | None, int],
                 graphs: Callable[[dict[str | None, str | None]], Graphs]) -> None:
        self.plan = plan  # (the graph it goes into, the source's graph)
        self.names = [target for target, _ in plan]
        self.total = sum(counts[name] for _, name in plan)
        self._graphs = graphs

    @classmethod
    def of(cls, source: str | Path | Dataset | Graph, wanted: Sequence[str] | None,
           stack: contextlib.ExitStack) -> _Source:
        file = _line_file(source)
        if file is None:
            available = dict(named_graphs(as_dataset(source)))
            counts = {name: len(g) for name, g in available.items()}
            return cls(_plan(counts, wanted), counts,
                       lambda into: ((target, available[name]) for name, target in into.items()))
        whole = stack.enter_context(GraphFile(file))

        def streamed(into: dict[str | None, str | None]) -> Graphs:
            for graph in whole.graphs(into):
                yield into[graph.name], graph

        return cls(_plan(whole.counts, wanted), whole.counts, streamed)

    def graphs(self) -> Graphs:
        """(the graph it goes into, its triples) for each graph, as it is read."""
        return self._graphs({name: target for target, name in self.plan})


def _plan(counts: dict[str | None, int], wanted: Sequence[str] | None) -> list[tuple[str | None, str | None]]:
    """(the graph it goes into, the source's graph) for each graph to load: all the source's graphs,
    sorted by name, or those ``wanted``; InputError for a graph the source does not have."""
    available = sorted(counts, key=lambda name: name or "")
    if not wanted:
        return [(name, name) for name in available]
    for iri in wanted:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", iri):
            raise InputError(f"--graph must be an absolute IRI, not {iri!r}")
    if available == [None] and len(wanted) == 1:  # triples only: they go into the graph named
        return [(wanted[0], None)]
    unknown = [iri for iri in wanted if iri not in counts]
    if unknown:
        names = [n for n in available if n is not None]
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise InputError(f"no graph {unknown[0]} in the source (it has: {shown or 'only a default graph'})")
    return [(iri, iri) for iri in dict.fromkeys(wanted)]


class _Loader:
    """The steps of one load, with the protocol choice (and auto's fall-back) and progress."""

    def __init__(
        self,
        store: SparqlStore,
        protocol: str,
        batch_size: int,
        progress: Callable[[LoadProgress], None] | None,
        total: int,
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.report_progress = progress
        self.total = total
        self.done = 0
        self.bytes_sent = 0
        self.sent: dict[str | None, int] = {}  # triples sent into each graph
        self.note: str | None = None
        if protocol == "gsp" and not store.gsp_url:
            raise InputError("--protocol gsp needs a Graph Store URL: give --gsp-url")
        if protocol == "update" and not store.update_url:
            raise InputError("--protocol update needs an update URL: give --update-url")
        if protocol == "auto":
            protocol = "gsp" if store.gsp_url else "update"
        self.protocol = protocol
        self.auto = store.gsp_url is not None and store.update_url is not None and protocol == "gsp"

    def _tell(self, phase: str, done: int | None = None) -> None:
        if self.report_progress:
            self.report_progress(LoadProgress(phase, self.done if done is None else done, self.total))

    def send(self, name: str | None, graph: GraphData, *, merge: bool) -> None:
        """Upload one graph into graph ``name`` (replacing it unless ``merge``)."""
        try:
            self._send(name, graph, merge=merge)
        except StoreError as err:
            if name is not None or not re.search(r"HTTP (400|403|405|500|501)\b", err.message):
                raise
            raise StoreError(
                f"{err.message}; the store may not take triples outside a named graph (Virtuoso does not): "
                "load them into one with --graph IRI"
            ) from None

    def _send(self, name: str | None, graph: GraphData, *, merge: bool) -> None:
        size = len(graph)
        if self.protocol == "gsp":
            try:
                self.bytes_sent += self.store.put_graph(
                    name, graph, merge=merge, sent=lambda part: self._tell("upload", self.done + int(size * part))
                )
            except StoreError as err:
                if not (self.auto and re.search(r"HTTP (404|405|415|501)\b", str(err))):
                    raise
                self.protocol = "update"
                self.note = f"The Graph Store URL did not take the data ({_status_of(err)}); used SPARQL Update."
                self._send(name, graph, merge=merge)
                return
        else:
            if not merge:
                self.store.update(f"DROP SILENT {_graph_ref(name)}" if name else "CLEAR SILENT DEFAULT",
                                  idempotent=True)
            self.bytes_sent += self.store.insert(
                name, graph, self.batch_size, sent=lambda n: self._tell("upload", self.done + n)
            )
        self.done += size
        self._tell("upload")

    def _uploaded(self, name: str | None, graph: GraphData) -> None:
        self.sent[name] = len(graph)

    def _all_sent(self) -> None:
        """The upload is over: the total is what was sent (repeated statements of a file counted once)."""
        if self.total != self.done:
            self.total = self.done
            self._tell("upload")

    def add(self, graphs: Graphs) -> None:
        for name, graph in graphs:
            self.send(name, graph, merge=True)
            self._uploaded(name, graph)
        self._all_sent()

    def replace(self, names: Sequence[str | None], graphs: Graphs, drop: Sequence[str] = ()) -> dict[str | None, int]:
        """Stage every graph of ``graphs`` (the graphs ``names``, read one at a time), check the staged
        counts, then MOVE them over the old graphs; the graphs of ``drop`` are dropped in the request
        of the last MOVEs."""
        if not self.store.update_url:
            # Without SPARQL Update there is no MOVE: one PUT per graph, which the store applies whole.
            if self.protocol != "gsp":
                raise InputError("--replace needs an update URL or a Graph Store URL")
            for name, graph in graphs:
                self.send(name, graph, merge=False)
                self._uploaded(name, graph)
            self._all_sent()
            self.store.drop_graphs(drop)
            return self.store.count(list(names))
        run = uuid.uuid4().hex[:12]
        staging = {name: f"{STAGING_PREFIX}{run}:{i}" for i, name in enumerate(names)}
        moved: set[str | None] = set()
        with _interrupts_between_requests() as check:
            self._replace(names, graphs, staging, moved, check, drop)
        return self.store.count(list(names))

    def _replace(
        self,
        names: Sequence[str | None],
        graphs: Graphs,
        staging: dict[str | None, str],
        moved: set[str | None],
        check: Callable[[], None],
        drop: Sequence[str] = (),
    ) -> None:
        try:
            for name, graph in graphs:
                check()
                self.send(staging[name], graph, merge=False)
                self._uploaded(name, graph)
            self._all_sent()
            check()
            self._tell("check", self.total)
            staged = self.store.count([staging[name] for name in names])
            short = [(name, staged[staging[name]], n) for name in names
                     if staged[staging[name]] < (n := self.sent.get(name, 0))]
            if short:
                name, got, want = short[0]
                raise StoreError(
                    f"the store kept {got} of the {want} triples sent for {name or 'the default graph'} "
                    f"({len(short)} graph(s) short); nothing was replaced"
                )
            chunks = list(_chunks(list(names), 50)) or [[]]
            for i, chunk in enumerate(chunks):
                check()
                last = drop if i == len(chunks) - 1 else ()
                try:
                    self.store.move_graphs([(staging[name], name) for name in chunk], drop=last)
                except StoreError as err:
                    moved |= self._moved_after_failure(chunk, staging, last)
                    if len(moved & set(chunk)) == len(chunk):
                        continue  # the MOVEs happened; only the answer was lost
                    raise StoreError(
                        f"{err.message}; {len(moved)} of {len(names)} graphs were replaced when checked; "
                        "every graph holds either its old or its new content"
                    ) from None
                moved |= set(chunk)
                self._tell("move", self.total)
        finally:
            left = [staging[name] for name in names if name not in moved]
            if left:
                with contextlib.suppress(StoreError):
                    self.store.drop_graphs(left)

    def _moved_after_failure(
        self, chunk: list[str | None], staging: dict[str | None, str], dropped: Sequence[str] = ()
    ) -> set[str | None]:
        """After a MOVE request failed: the graphs whose staging graph is gone and whose target holds
        the new count (the MOVE happened), and the graphs to drop are empty (the request was done
        whole)."""
        try:
            counts = self.store.count([staging[n] for n in chunk] + list(chunk) + list(dropped))
        except StoreError:
            return set()
        if any(counts[n] for n in dropped):
            return set()
        return {n for n in chunk if counts[staging[n]] == 0 and counts[n] == self.sent.get(n, 0)}


@contextlib.contextmanager
def _interrupts_between_requests() -> Iterator[Callable[[], None]]:
    """Ctrl-C and SIGTERM (``kill``) during the block take effect between two requests, when the
    block calls the check it is given, or at its end: never while a request is out, which the store
    might carry out after kgkit dropped its temporary graphs, leaving one behind. (Each request is
    bounded by --timeout.) Only in the main thread, where signals are handled; elsewhere as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    pending: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    def check() -> None:
        if pending:
            raise KeyboardInterrupt(f"signal {pending[0]}")

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield check
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    check()


def _status_of(err: StoreError) -> str:
    found = re.search(r"HTTP \d{3}", str(err))
    return found.group() if found else "error"
