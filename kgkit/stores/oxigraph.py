"""The embedded store: the graph in Oxigraph (Rust, through pyoxigraph), rdflib terms coming back.

The store's default graph is the de-duplicated union of all named graphs (set semantics, as
:func:`kgkit.rdf.read.union_graph` gives rdflib), so canned queries return the same rows on every
backend. Named graphs are there too: for a build they are loaded on first use of ``GRAPH``.

A build directory keeps its store on disk next to ``kg.nq`` (``.kgkit-oxigraph/``), rebuilt when
``kg.nq`` changes, so a second ``kgkit query`` opens it in milliseconds instead of re-parsing. Within
one process an opened store is kept and reused for as long as its file is unchanged. Processes that
find no store yet build it one at a time (a lock beside it), so concurrent first queries all succeed.

>>> store = OxigraphStore.open("build")
>>> store.query("ASK { ?s a kg:Conference }").boolean
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier

from kgkit.errors import InputError, QueryError
from kgkit.rdf.files import resolve_input
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.oxigraph import OX_FORMATS, ox_format, ox_term, reading, to_rdflib
from kgkit.rdf.read import as_dataset
from kgkit.sparql.results import QueryResult
from kgkit.sparql.text import (
    DECLARED,
    SentText,
    check_query,
    engine_error,
    refuse_fetching,
    sent_text,
    uses_named_graphs,
)
from kgkit.stores.base import LOCAL_CAPABILITIES, with_timeout

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

CACHE_DIR = ".kgkit-oxigraph"
#: How many opened build stores one process keeps (one per source file, the most recently used).
KEEP_OPEN = 4


class OxigraphStore:
    """A pyoxigraph store behind the :class:`~kgkit.stores.base.Store` protocol.

    ``OxigraphStore()`` is an empty in-memory store that takes graphs; :meth:`open` gives the store
    of a build or RDF file (read-only when it is a build's on-disk cache). ``timeout`` (seconds)
    abandons a query that runs longer. Oxigraph sends the requests of ``SERVICE`` and ``LOAD``: they
    are refused unless ``allow_service``.
    """

    name = "oxigraph"

    def __init__(self, *, timeout: float | None = None, allow_service: bool = False) -> None:
        import pyoxigraph as ox

        self.timeout = timeout
        self.allow_service = allow_service
        self.source: Path | None = None
        self.held = Held(ox.Store(), ox.Store())
        self.writable = True
        self.capabilities = LOCAL_CAPABILITIES
        self._dirty = False
        self._default_is_union = False  # the named store's default graph holds the union (a quad file's)

    @classmethod
    def copy_of(
        cls, source: str | Path | Dataset | Graph, *, timeout: float | None = None, allow_service: bool = False
    ) -> OxigraphStore:
        """A writable in-memory store holding the graphs of ``source`` (a build, an RDF file Oxigraph
        reads, or an rdflib Dataset or Graph)."""
        import pyoxigraph as ox

        store = cls(timeout=timeout, allow_service=allow_service)
        if isinstance(source, Dataset | Graph):
            data = as_dataset(source).serialize(format="nquads", encoding="utf-8")
            store.add_quads(ox.parse(data, format=ox.RdfFormat.N_QUADS))
            return store
        file = resolve_input(source)
        if format_for_path(file).name not in OX_FORMATS:
            raise InputError("JSON-LD input is read by rdflib only; use --store memory", path=file)
        with reading(file):
            store.add_quads(ox.parse(path=str(file), format=ox_format(format_for_path(file).name)))
        return store

    @classmethod
    def open(cls, source: str | Path, *, timeout: float | None = None, allow_service: bool = False) -> OxigraphStore:
        """The store of a build directory or RDF file (see the module docs); a build's is cached.

        >>> OxigraphStore.open("build").union is OxigraphStore.open("build").union
        True
        """
        file = resolve_input(source)
        if format_for_path(file).name not in OX_FORMATS:
            raise InputError("JSON-LD input is read by rdflib only; use --store memory", path=file)
        store = cls.__new__(cls)
        store.timeout = timeout
        store.allow_service = allow_service
        store.source = file
        store.held = _kept(file)
        store.writable = False
        store._dirty = False
        store._default_is_union = format_for_path(file).quads
        # read-only; a quad file's own default graph is not told from the union ("default-graph" then
        # missing); "persistent" only for a build's store on disk
        store.capabilities = frozenset(
            {"named-graphs", "set-union"}
            | (set() if store._default_is_union else {"default-graph"})
            | ({"persistent"} if store.held.on_disk else set())
        )
        return store

    @property
    def union(self) -> Any:
        """The pyoxigraph store whose default graph is the union of the graphs (made again first if
        graphs were added since)."""
        self._refresh()
        return self.held.union

    @property
    def named(self) -> Any:
        """The pyoxigraph store of the named graphs (None: a build's, not read yet)."""
        return self.held.named

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.source) if self.source else 'in memory'!r})"

    # -- queries --

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE over the union of all graphs, variables pre-bound.

        Oxigraph parses the query itself; rdflib's parser is asked only when Oxigraph refuses it (for
        the message with line and column, or the refusal of an update) and to tell DESCRIBE from
        CONSTRUCT. kgkit's prefixes (``kg:``, ``schema:``, ...) are predeclared.
        """
        sent = sent_text(sparql, bindings or {}, prefix=DECLARED)

        def run() -> QueryResult:
            try:
                answer = self.native_query(sent.text, sent=sent)
            except QueryError:
                check_query(sparql)  # rdflib's message where it has one
                raise
            got, variables, rows, boolean, graph = to_rdflib(answer)
            if got == "CONSTRUCT":
                got = check_query(sparql)  # or DESCRIBE
            return QueryResult(got, variables, rows, boolean, graph)

        return with_timeout(run, self.timeout)

    def native_query(self, sparql: str, *, sent: SentText | None = None, **options: Any) -> Any:
        """``sparql`` run as it is, the pyoxigraph result returned (for ``kgkit serve``, which writes
        the engine's own result formats); QueryError on a syntax error, placed in the user's text
        (``sent``, when kgkit added to it) and said in words.

        Without a ``GRAPH`` the query runs on the union; with one, on the named graphs.
        """
        refuse_fetching(sparql, allow_service=self.allow_service)
        store = self._store_for(sparql, options)
        try:
            return store.query(sparql, **options)
        except SyntaxError as err:
            raise engine_error(str(err), sent or SentText(sparql, sparql)) from None

    def update(self, sparql: str, *, prefix: str = "") -> None:
        """Run a SPARQL Update (``prefix``: PREFIX lines put before it) on the graphs (an in-memory
        store only); queries see it from then on."""
        self._require_writable()
        refuse_fetching(sparql, allow_service=self.allow_service)
        try:
            self.named.update(prefix + sparql)
        except SyntaxError as err:
            raise engine_error(str(err), SentText(prefix + sparql, sparql, len(prefix))) from None
        self._dirty = True

    def _store_for(self, sparql: str, options: Mapping[str, Any]) -> Any:
        self._refresh()
        if options.get("default_graph") or options.get("named_graphs") or uses_named_graphs(sparql):
            return self._named_graphs()
        return self.union

    def _named_graphs(self) -> Any:
        """The store holding the named graphs (a build's: read on first use, in memory)."""
        if self.held.named is None:
            assert self.source is not None
            self.held.named = _named_store(self.source)
        return self.held.named

    def _refresh(self) -> None:
        """Make the union again after graphs changed (queries then see them)."""
        if not self._dirty:
            return
        import pyoxigraph as ox

        union = ox.Store()
        default = ox.DefaultGraph()
        union.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in self.named)
        self.held.union, self._dirty = union, False

    # -- graphs --

    def add_graph(self, name: URIRef | None, graph: Graph) -> None:
        """Replace the content of graph ``name`` (None: the default graph) with ``graph``."""
        import pyoxigraph as ox

        self._require_writable()
        target = ox.DefaultGraph() if name is None else ox.NamedNode(str(name))
        if name is not None and self.named.contains_named_graph(target):
            self.named.remove_graph(target)
        elif name is None:
            self.named.clear_graph(target)
        self.named.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), target) for s, p, o in graph)
        self._dirty = True

    def add_quads(self, quads: Iterable[Any]) -> None:
        """Add pyoxigraph quads as they are (the graph names they carry)."""
        self._require_writable()
        self.named.extend(quads)
        self._dirty = True

    def graph_counts(self) -> dict[str, int]:
        """Triples per non-empty graph; the default graph is ""."""
        import pyoxigraph as ox

        counts: dict[str, int] = {}
        for quad in self._named_graphs():
            if isinstance(quad.graph_name, ox.DefaultGraph):
                if self._default_is_union:
                    continue
                key = ""
            else:
                key = str(quad.graph_name.value)
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def quads(self, subject: Any = None, predicate: Any = None, obj: Any = None, graph: Any = None) -> Iterator[Any]:
        """The pyoxigraph quads matching a pattern (None: any), named graphs kept."""
        return iter(self._named_graphs().quads_for_pattern(subject, predicate, obj, graph))

    def clear(self) -> None:
        """Remove every triple of every graph."""
        self._require_writable()
        self.named.clear()
        self._dirty = True

    def _require_writable(self) -> None:
        if not self.writable:
            raise QueryError(f"{self!r} is read-only (a build's cached store); open an in-memory copy to change it")


# --- a build's store, kept on disk beside kg.nq and open for the process ------------------------------


@dataclass
class Held:
    """The pyoxigraph stores of one source: the union, and the named graphs (None until first used);
    ``on_disk``: the union is a build's store on disk (it outlives the process)."""

    union: Any
    named: Any = None
    on_disk: bool = False


_opened: OrderedDict[Path, tuple[str, Held]] = OrderedDict()
_opened_lock = threading.Lock()


def forget_stores() -> None:
    """Drop the stores this process keeps open (the next :meth:`OxigraphStore.open` opens them again)."""
    with _opened_lock:
        _opened.clear()


def _kept(file: Path) -> Held:
    """The stores of ``file``, kept for the rest of the process and handed out again while the file's
    size and modification time stay the same."""
    stamp = _stamp(file)
    key = file.resolve()
    with _opened_lock:
        kept = _opened.get(key)
        if kept is not None and kept[0] == stamp:
            _opened.move_to_end(key)
            return kept[1]
    stores = Held(*_open(file, stamp))
    with _opened_lock:
        _opened[key] = (stamp, stores)
        _opened.move_to_end(key)
        while len(_opened) > KEEP_OPEN:
            _opened.popitem(last=False)
    return stores


def _stamp(file: Path) -> str:
    """What tells one version of a file from the next: its size and modification time."""
    info = file.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _open(file: Path, stamp: str) -> tuple[Any, Any, bool]:
    """(union store, named store, on disk) of ``file``: the on-disk store of a build (made first if need
    be), else one in memory. The named store is None for a quad file (made on first use of ``GRAPH``),
    and the union store itself for a file of triples."""
    import pyoxigraph as ox

    cache = file.parent / CACHE_DIR
    if file.suffix != ".nq" or not os.access(file.parent, os.W_OK):
        store = ox.Store()
        _load_union(store, file)
        return store, (None if format_for_path(file).quads else store), False
    opened = _read_cache(cache, stamp)
    if opened is not None:
        return opened, None, True
    with _cache_lock(file.parent):
        opened = _read_cache(cache, stamp)  # another process may have built it meanwhile
        if opened is not None:
            return opened, None, True
        tmp = Path(tempfile.mkdtemp(prefix=f"{CACHE_DIR}.", dir=file.parent))
        try:
            store = ox.Store(str(tmp / "db"))
            _load_union(store, file, bulk=True)
            store.optimize()  # compacts what the bulk loader wrote: queries on it are ~1.7x faster
            store.flush()
            del store
            (tmp / "stamp").write_text(stamp)
            if cache.exists():
                shutil.rmtree(cache, ignore_errors=True)
            os.replace(tmp, cache)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return ox.Store.read_only(str(cache / "db")), None, True


def _read_cache(cache: Path, stamp: str) -> Any:
    """The cached store when it was made from this version of the file, else None."""
    import pyoxigraph as ox

    try:
        if (cache / "stamp").read_text() == stamp:
            return ox.Store.read_only(str(cache / "db"))
    except OSError:
        pass  # none yet, or damaged: made again
    return None


@contextlib.contextmanager
def _cache_lock(folder: Path) -> Iterator[None]:
    """One process at a time makes a build's store (the others wait, then open what it made)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder / f"{CACHE_DIR}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _load_union(store: Any, file: Path, bulk: bool = False) -> None:
    """The union of ``file``'s graphs into the default graph of ``store``; ``bulk``: with Oxigraph's
    bulk loader (no transaction; 23 s -> 8 s for 1.3M quads into an on-disk store)."""
    import pyoxigraph as ox

    fmt = ox_format(format_for_path(file).name)
    default = ox.DefaultGraph()
    with reading(file):
        quads = (ox.Quad(q.subject, q.predicate, q.object, default) for q in ox.parse(path=str(file), format=fmt))
        (store.bulk_extend if bulk else store.extend)(quads)


def _named_store(file: Path) -> Any:
    """An in-memory store of ``file`` with its named graphs, and the union in its default graph."""
    import pyoxigraph as ox

    named = ox.Store()
    _load_union(named, file)
    with reading(file):
        named.bulk_load(path=str(file), format=ox_format(format_for_path(file).name))
    return named
