"""The one table of RDF formats: names, rdflib and Oxigraph names, media types, extensions.

>>> FORMATS["turtle"].extension
'.ttl'
>>> format_for_path("kg.nq").name
'nquads'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kgkit.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization: how rdflib and Oxigraph name it, its file extension and media type."""

    name: str
    rdflib_name: str
    extension: str
    media_type: str
    quads: bool  # keeps named graphs
    aliases: tuple[str, ...] = ()
    oxigraph_name: str | None = None  # pyoxigraph.RdfFormat member; None: left to rdflib (and pyld)


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "turtle", ".ttl", "text/turtle", False, ("ttl",), "TURTLE"),
        RdfFormat("nt", "nt", ".nt", "application/n-triples", False, ("ntriples", "n-triples"), "N_TRIPLES"),
        RdfFormat("nquads", "nquads", ".nq", "application/n-quads", True, ("nq", "n-quads"), "N_QUADS"),
        RdfFormat("trig", "trig", ".trig", "application/trig", True, (), "TRIG"),
        RdfFormat("jsonld", "json-ld", ".jsonld", "application/ld+json", True, ("json-ld",)),
        RdfFormat("xml", "xml", ".rdf", "application/rdf+xml", False, ("rdfxml", "rdf"), "RDF_XML"),
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


class NotStreamable(Exception):
    """This input cannot take the streaming path (blank nodes, or a syntax error the rdflib path
    reports in its own words); the caller uses rdflib instead."""
