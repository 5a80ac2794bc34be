"""The reference graph: landscape and curated facts (homepage, repository, maturity) about mentioned entities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from rdflib import PROV, Literal, URIRef

from kgkit.extraction.gazetteer import Entry, Gazetteer, load_gazetteer
from kgkit.rdf.ntriples import Quad, nquad
from kgkit.rdf.terms import (
    KG,
    REFERENCE_GRAPH,
    SCHEMA,
    entity_iri,
)

# the landscape snapshot shipped in data/reference (see data/reference/SOURCES.md)
LANDSCAPE_SOURCE = URIRef(
    "https://github.com/cncf/landscape/blob/153d699bddf74038d21775b14d09052f62021441/landscape.yml"
)


@lru_cache(maxsize=2)
def _reference_index(gazetteer: Gazetteer) -> dict[URIRef, Entry]:
    """Gazetteer entries by the IRI of the entity they describe."""
    return {entity_iri(e.kind, e.name): e for e in gazetteer.entries.values()}


def reference_quads(mentioned: Iterable[URIRef], gazetteer: Gazetteer | None = None) -> Iterator[Quad]:
    """Landscape and curated facts (homepage, repository, maturity) about the entities documents mention
    (``gazetteer``: the one the build loaded; by default the bundled one)."""
    g = REFERENCE_GRAPH
    index = _reference_index(gazetteer or load_gazetteer())
    for iri in mentioned:
        entry = index.get(iri)
        if entry is not None:
            yield from _about(iri, entry)
    yield (g, PROV.wasDerivedFrom, LANDSCAPE_SOURCE, g)


def reference_lines(mentioned: Iterable[URIRef], gazetteer: Gazetteer) -> list[str]:
    """The sorted, distinct N-Quads lines of :func:`reference_quads` (each entity's lines made once
    per process: the same entities recur in document after document)."""
    lines = {nquad((REFERENCE_GRAPH, PROV.wasDerivedFrom, LANDSCAPE_SOURCE, REFERENCE_GRAPH))}
    for iri in mentioned:
        lines.update(_about_lines(iri, gazetteer))
    return sorted(lines)


@lru_cache(maxsize=1 << 14)
def _about_lines(iri: URIRef, gazetteer: Gazetteer) -> tuple[str, ...]:
    entry = _reference_index(gazetteer).get(iri)
    return tuple(nquad(q) for q in _about(iri, entry)) if entry is not None else ()


def _about(iri: URIRef, entry: Entry) -> Iterator[Quad]:
    g = REFERENCE_GRAPH
    if entry.url and entry.url.startswith("http"):
        yield (iri, SCHEMA.url, URIRef(entry.url.strip()), g)
    if entry.repo and entry.repo.startswith("http"):
        yield (iri, SCHEMA.codeRepository, URIRef(entry.repo.strip()), g)
        if entry.repo.startswith("https://github.com/"):
            # a page about the project, not the project itself: schema:sameAs, not owl:sameAs (identity)
            yield (iri, SCHEMA.sameAs, URIRef(entry.repo.strip().rstrip("/")), g)
    if entry.maturity:
        yield (iri, KG.cncfMaturity, Literal(entry.maturity), g)
