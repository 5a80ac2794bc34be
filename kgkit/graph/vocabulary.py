"""The vocabulary graph: the SKOS topic scheme, the session kinds and the extraction methods."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import RDF, SKOS, Literal

from kgkit.extraction.topics import load_topics, topic_iri
from kgkit.rdf.ntriples import Quad
from kgkit.rdf.terms import (
    KG,
    METHOD_SCHEME,
    METHODS,
    SESSION_KIND_SCHEME,
    SESSION_KINDS,
    TOPIC_SCHEME,
    VOCAB_GRAPH,
    method,
    session_kind,
)


def vocabulary_quads() -> Iterator[Quad]:
    """The SKOS topic scheme (data/topics.yaml) in the vocabulary graph."""
    g = VOCAB_GRAPH
    data = load_topics()
    scheme = data["scheme"]
    yield (TOPIC_SCHEME, RDF.type, SKOS.ConceptScheme, g)
    for lang, label in scheme["label"].items():
        yield (TOPIC_SCHEME, SKOS.prefLabel, Literal(label, lang=lang), g)
    for topic in data["topics"]:
        t = topic_iri(topic["id"])
        yield (t, RDF.type, KG.Topic, g)
        yield (t, RDF.type, SKOS.Concept, g)
        yield (t, SKOS.inScheme, TOPIC_SCHEME, g)
        for lang, label in topic["label"].items():
            yield (t, SKOS.prefLabel, Literal(label, lang=lang), g)
        for trig in topic.get("triggers", []):
            if str(trig).lower() != str(topic["label"].get("en", "")).lower():
                lang = "zh" if any("\u3400" <= c <= "\u9fff" for c in str(trig)) else "en"
                yield (t, SKOS.altLabel, Literal(str(trig), lang=lang), g)
        if topic.get("broader"):
            yield (t, SKOS.broader, topic_iri(topic["broader"]), g)
        else:
            yield (TOPIC_SCHEME, SKOS.hasTopConcept, t, g)


def concept_quads() -> Iterator[Quad]:
    """The session-kind and extraction-method concepts, so the graph stands alone (no ontology import)."""
    g = VOCAB_GRAPH
    for scheme, cls, names, iri_of in (
        (SESSION_KIND_SCHEME, KG.SessionKind, SESSION_KINDS, session_kind),
        (METHOD_SCHEME, KG.ExtractionMethod, METHODS, method),
    ):
        yield (scheme, RDF.type, SKOS.ConceptScheme, g)
        for name in names:
            c = iri_of(name)
            yield (c, RDF.type, cls, g)
            yield (c, RDF.type, SKOS.Concept, g)
            yield (c, SKOS.inScheme, scheme, g)
            yield (c, SKOS.prefLabel, Literal(name.replace("-", " "), lang="en"), g)
