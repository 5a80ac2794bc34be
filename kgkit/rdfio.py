"""Reading and writing RDF files: the one table of formats, the loader behind ``-i PATH``, atomic writes.

>>> FORMATS["turtle"].extension
'.ttl'
>>> format_for_path("kg.nq").name
'nquads'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError

from kgkit.errors import InputError
from kgkit.terms import PREFIXES

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
        raise InputError(f"cannot tell the RDF format from the extension {suffix!r} (known: {known})",
                         path=path) from None


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
    except (ParserError, SyntaxError, ValueError) as err:
        line = getattr(err, "lines", None) or getattr(err, "lineno", None)
        raise InputError(f"not valid {fmt.name}: {_first_line(err)}", path=file,
                         line=line if isinstance(line, int) else None) from None
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=file) from None
    return ds


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
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only when complete.

    An exception (or Ctrl-C) inside the block leaves any previous ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if "b" in mode else "\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
