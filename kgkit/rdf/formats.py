"""The one table of RDF formats: names, rdflib and Oxigraph names, media types, extensions.

>>> FORMATS["turtle"].extension
'.ttl'
>>> format_for_path("kg.nq").name
'nquads'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kgkit.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization: how rdflib and Oxigraph name it, its file extensions (the first is the
    one kgkit writes) and media type."""

    name: str
    rdflib_name: str
    extensions: tuple[str, ...]
    media_type: str
    quads: bool  # keeps named graphs
    aliases: tuple[str, ...] = ()
    oxigraph_name: str | None = None  # pyoxigraph.RdfFormat member; None: left to rdflib (and pyld)

    @property
    def extension(self) -> str:
        """The extension kgkit gives a file of this format."""
        return self.extensions[0]


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "turtle", (".ttl", ".turtle"), "text/turtle", False, ("ttl",), "TURTLE"),
        RdfFormat("nt", "nt", (".nt", ".ntriples"), "application/n-triples", False, ("ntriples", "n-triples"),
                  "N_TRIPLES"),
        RdfFormat("nquads", "nquads", (".nq", ".nquads"), "application/n-quads", True, ("nq", "n-quads"), "N_QUADS"),
        RdfFormat("trig", "trig", (".trig",), "application/trig", True, (), "TRIG"),
        RdfFormat("jsonld", "json-ld", (".jsonld", ".json"), "application/ld+json", True, ("json-ld",)),
        RdfFormat("xml", "xml", (".rdf", ".xml", ".owl"), "application/rdf+xml", False, ("rdfxml", "rdf"), "RDF_XML"),
    )
}
_BY_ALIAS = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}
_BY_EXTENSION = {extension: f for f in FORMATS.values() for extension in f.extensions}
#: Files whose format was said rather than told by their extension (``--input-format``): see :func:`declared`.
_DECLARED: dict[Path, RdfFormat] = {}


def get_format(name: str) -> RdfFormat:
    """The format called ``name`` (or one of its aliases); InputError naming the choices otherwise."""
    try:
        return _BY_ALIAS[name.lower()]
    except KeyError:
        raise InputError(f"unknown RDF format {name!r}; choose one of: {', '.join(FORMATS)}") from None


def format_for_path(path: str | Path) -> RdfFormat:
    """The format of a file: as :func:`declared` for it, else as its extension says (every extension
    kgkit writes, and the usual others: ``.turtle``, ``.xml``, ``.json``, ...).

    >>> format_for_path("kg.xml").name, format_for_path("kg.turtle").name, format_for_path("kg.NQ").name
    ('xml', 'turtle', 'nquads')
    """
    if _DECLARED:
        found = _DECLARED.get(Path(path).absolute())
        if found is not None:
            return found
    suffix = Path(path).suffix.lower()
    try:
        return _BY_EXTENSION[suffix]
    except KeyError:
        known = ", ".join(sorted(_BY_EXTENSION))
        raise InputError(
            f"cannot tell the RDF format from the extension {suffix!r} (known: {known}); give --input-format",
            path=path,
        ) from None


@contextlib.contextmanager
def declared(path: str | Path, format: str) -> Iterator[RdfFormat]:
    """While the block runs, ``path`` is read as ``format`` whatever its extension (``--input-format``).

    >>> with declared("notes.txt", "turtle"):
    ...     format_for_path("notes.txt").name
    'turtle'
    """
    fmt = get_format(format)
    key = Path(path).absolute()
    previous = _DECLARED.get(key)
    _DECLARED[key] = fmt
    try:
        yield fmt
    finally:
        if previous is None:
            _DECLARED.pop(key, None)
        else:
            _DECLARED[key] = previous


_STATEMENT = re.compile(
    rb'(?:<[^>\s]*>|_:\S+)\s+<[^>\s]*>\s+(?:<[^>\s]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>\s]*>)?)'
    rb"(?:\s+(?:<[^>\s]*>|_:\S+))?\s*\.\s*"
)


def sniff_format(head: bytes) -> RdfFormat:
    """The format the start of a text is in, for input without a name (standard input): JSON-LD, RDF/XML,
    N-Quads when its first statement is one (N-Triples is N-Quads too), else TriG (which reads Turtle).

    >>> texts = (b'{"@id": "x"}', b'<?xml version="1.0"?>', b'<s> <p> "o" .', b'@prefix x: <y> .')
    >>> [sniff_format(t).name for t in texts]
    ['jsonld', 'xml', 'nquads', 'trig']
    """
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        return FORMATS["jsonld"]
    if text.startswith((b"<?xml", b"<rdf:RDF")):
        return FORMATS["xml"]
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(b"#"):
            return FORMATS["nquads"] if _STATEMENT.fullmatch(line.strip()) else FORMATS["trig"]
    return FORMATS["nquads"]


class NotStreamable(Exception):
    """This input cannot take the streaming path (blank nodes, or a syntax error the rdflib path
    reports in its own words); the caller uses rdflib instead."""
