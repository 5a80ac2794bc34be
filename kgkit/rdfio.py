"""Reading and writing RDF files: the one table of formats, the loader behind ``-i PATH``, atomic writes.

>>> FORMATS["turtle"].extension
'.ttl'
>>> format_for_path("kg.nq").name
'nquads'
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.sax import SAXParseException

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError

from kgkit.errors import InputError, OutputError
from kgkit.terms import PREFIXES

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

KG_FILE = "kg.nq"  # what `kgkit build` writes into its output directory


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization: how rdflib names it, its file extension and media type."""

    name: str
    rdflib_name: str
    extension: str
    media_type: str
    quads: bool  # keeps named graphs
    aliases: tuple[str, ...] = ()


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "turtle", ".ttl", "text/turtle", False, ("ttl",)),
        RdfFormat("nt", "nt", ".nt", "application/n-triples", False, ("ntriples", "n-triples")),
        RdfFormat("nquads", "nquads", ".nq", "application/n-quads", True, ("nq", "n-quads")),
        RdfFormat("trig", "trig", ".trig", "application/trig", True),
        RdfFormat("jsonld", "json-ld", ".jsonld", "application/ld+json", True, ("json-ld",)),
        RdfFormat("xml", "xml", ".rdf", "application/rdf+xml", False, ("rdfxml", "rdf")),
    )
}
_BY_ALIAS = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}
_BY_EXTENSION = {f.extension: f for f in FORMATS.values()} | {".owl": FORMATS["xml"], ".json": FORMATS["jsonld"]}


def get_format(name: str) -> RdfFormat:
    """The format called ``name`` (or one of its aliases); InputError naming the choices otherwise."""
    try:
        return _BY_ALIAS[name.lower()]
    except KeyError:
        raise InputError(f"unknown RDF format {name!r}; choose one of: {', '.join(FORMATS)}") from None


def format_for_path(path: str | Path) -> RdfFormat:
    """The format a file's extension implies."""
    suffix = Path(path).suffix.lower()
    try:
        return _BY_EXTENSION[suffix]
    except KeyError:
        known = ", ".join(sorted(_BY_EXTENSION))
        raise InputError(
            f"cannot tell the RDF format from the extension {suffix!r} (known: {known})", path=path
        ) from None


def resolve_input(path: str | Path) -> Path:
    """A build directory means its ``kg.nq``; a file is itself. InputError if neither exists."""
    p = Path(path)
    if p.is_dir():
        p = p / KG_FILE
        if not p.is_file():
            raise InputError(f"no {KG_FILE} in this directory; run `kgkit build -o {path}` first", path=path)
    elif not p.is_file():
        hint = "; run `kgkit build` first" if p.name in ("build", KG_FILE) or p.parent.name == "build" else ""
        raise InputError(f"no such file or directory{hint}", path=path)
    return p


# Characters that may stand raw in an N-Triples/N-Quads string but that line-based tools (and Python's
# str.splitlines) take for line ends or choke on: written as \uXXXX escapes, which mean the same.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")


def one_line(statement: str) -> str:
    r"""An N-Triples/N-Quads statement with its control and line-separator characters escaped, so that
    it is exactly one line whichever tool splits the file.

    >>> one_line('<s> <p> "a\x1eb" .')
    '<s> <p> "a\\u001Eb" .'
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04X}", statement)


def load_dataset(path: str | Path) -> Dataset:
    """Load a build directory or any RDF file into an rdflib Dataset (triples go to the default graph).

    >>> ds = load_dataset("build")  # doctest: +SKIP
    """
    file = resolve_input(path)
    fmt = format_for_path(file)
    ds = Dataset()
    bind_prefixes(ds)
    try:
        if fmt.quads:
            ds.parse(file, format=fmt.rdflib_name)
        else:
            ds.default_graph.parse(file, format=fmt.rdflib_name)
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=file) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=file) from None
    except SAXParseException as err:
        raise InputError(f"not valid {fmt.name}: {err.getMessage()}", path=file, line=err.getLineNumber()) from None
    except (ParserError, SyntaxError, ValueError) as err:
        line = getattr(err, "lines", None) or getattr(err, "lineno", None)
        raise InputError(
            f"not valid {fmt.name}: {first_line(err)}", path=file, line=line if isinstance(line, int) else None
        ) from None
    except Exception as err:  # rdflib's parsers fail on some garbage with IndexError, AssertionError, ...
        raise InputError(f"not valid {fmt.name}: {type(err).__name__}: {first_line(err)}", path=file) from None
    return ds


def as_graph(source: str | Path | Dataset | Graph) -> Graph:
    """All triples of a build directory, an RDF file or a Dataset in one Graph; a Graph as it is."""
    if isinstance(source, Dataset):
        return union_graph(source)
    if isinstance(source, Graph):
        return source
    return union_graph(load_dataset(source))


def union_graph(ds: Dataset) -> Graph:
    """All triples of all graphs of ``ds`` in one in-memory Graph (what SHACL and SPARQL see)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def bind_prefixes(graph: Graph) -> None:
    """Bind kgkit's prefixes (``kg:``, ``schema:`` = https://schema.org/, ...) on ``graph``."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, durable: bool = True) -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only when complete.

    An exception, Ctrl-C or a full disk inside the block leaves any previous ``path`` untouched and
    removes the temporary file (only SIGKILL or a power cut can leave one behind: a hidden
    ``.NAME.*.tmp`` file, which :func:`remove_stale_temps` clears). OSError becomes OutputError.
    ``durable=False`` skips the fsyncs, for files that can be made again (the build cache).
    """
    target = Path(path)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, _new_file_mode(target))  # mkstemp makes it 0600; give it the mode a new file gets
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if "b" in mode else "\n") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
        if durable:
            _fsync_directory(target.parent)
    except OSError as err:
        raise OutputError(f"cannot write: {err.strerror or err}", path=target) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def remove_stale_temps(path: str | Path) -> list[Path]:
    """Delete the temporary files a killed :func:`atomic_write` of ``path`` left behind; the ones removed.

    Only safe while holding :func:`output_lock` on the directory (else another writer's file may go).
    """
    target = Path(path)
    removed = []
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _new_file_mode(target: Path) -> int:
    """The permission bits of ``target`` if it exists, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


LOCK_FILE = ".kgkit.lock"


@contextlib.contextmanager
def output_lock(directory: str | Path, what: str = "build") -> Iterator[Path]:
    """Hold an exclusive lock on an output directory (creating it) while kgkit writes into it.

    A second process gets OutputError at once, naming the process that holds the lock. The lock is an
    ``flock`` on ``DIR/.kgkit.lock`` (which holds the owner's PID, for that message): the system
    releases it when its process dies, however it dies, so a lock file left by a killed process is
    stale by construction and simply taken over. Where there is no ``fcntl`` (Windows) nothing is locked.
    """
    folder = Path(directory)
    lock = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _acquire(lock, what)
    except OSError as err:
        raise OutputError(f"cannot write into this directory: {err.strerror or err}", path=folder) from None
    try:
        yield lock
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            os.close(fd)


def _acquire(lock: Path, what: str) -> int | None:
    if fcntl is None:  # pragma: no cover - Windows
        return None
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise OutputError(
                f"another kgkit {what}{who} is writing into this directory; try again when it has finished",
                path=lock.parent,
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the holder may have removed the file between our open and flock: lock the new one
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return fd
        os.close(fd)


def first_line(err: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), for one-line errors."""
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
