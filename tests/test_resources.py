"""The ontology (ontology/kgkit.ttl) and its JSON-LD context (ontology/context.jsonld).

``undeclared_terms(graph)`` is reusable: apply it to any graph kgkit writes.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, SKOS

from kgkit.rdf.terms import (
    KG,
    METHOD_SCHEME,
    METHODS,
    ONTOLOGY_IRI,
    PREFIXES,
    SCHEMA,
    SESSION_KIND_SCHEME,
    SESSION_KINDS,
    method,
    session_kind,
)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "kgkit.ttl"
CONTEXT = ROOT / "ontology" / "context.jsonld"
SAMPLE = Path(__file__).parent / "data" / "sample.trig"
VANN = Namespace("http://purl.org/vocab/vann/")

KG_TERMS = [KG[name] for name in KG.__annotations__]
REUSED = ("schema", "skos", "prov", "dcterms", "oa", "owl", "rdf", "rdfs", "xsd")
REUSED_NAMESPACES = tuple(PREFIXES[prefix] for prefix in REUSED)


def load_ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def undeclared_terms(graph: Graph, ontology: Graph | None = None) -> set[URIRef]:
    """Predicates, rdf:type objects and rdf:predicate objects used in ``graph`` (all named graphs of a
    Dataset) that are neither declared in the ontology nor from a reused vocabulary (schema, skos, prov,
    dcterms, oa, owl, rdf, rdfs, xsd)."""
    ontology = ontology if ontology is not None else load_ontology()
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    triples = (q[:3] for q in graph.quads()) if isinstance(graph, Dataset) else iter(graph)
    used: set[URIRef] = set()
    for _, p, o in triples:
        used.add(p)  # type: ignore[arg-type]
        if p in (RDF.type, RDF.predicate) and isinstance(o, URIRef):
            used.add(o)
    return {t for t in used if t not in declared and not str(t).startswith(REUSED_NAMESPACES)}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    return context


@pytest.fixture(scope="module")
def sample() -> Dataset:
    ds = Dataset()
    ds.parse(SAMPLE, format="trig")
    return ds


# --- ontology -----------------------------------------------------------------------------------------


def test_header(ontology: Graph) -> None:
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(o, DCTERMS.title) is not None
    assert ontology.value(o, DCTERMS.description) is not None
    assert ontology.value(o, DCTERMS.creator) is not None
    assert ontology.value(o, DCTERMS.license) == URIRef("https://www.apache.org/licenses/LICENSE-2.0")
    assert ontology.value(o, OWL.versionIRI) == URIRef("https://w3id.org/kgkit/ontology/0.1.0")
    assert ontology.value(o, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(o, VANN.preferredNamespacePrefix) == Literal("kg")
    assert str(ontology.value(o, VANN.preferredNamespaceUri)) == PREFIXES["kg"]


@pytest.mark.parametrize("term", KG_TERMS, ids=lambda t: t.fragment)
def test_every_term_is_declared(ontology: Graph, term: URIRef) -> None:
    kinds = set(ontology.objects(term, RDF.type))
    if term.fragment[0].isupper():
        assert kinds == {OWL.Class}
    else:
        assert len(kinds) == 1 and kinds <= {OWL.ObjectProperty, OWL.DatatypeProperty}
    label = ontology.value(term, RDFS.label)
    assert isinstance(label, Literal) and label.language == "en"
    assert ontology.value(term, RDFS.comment) is not None
    assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_no_terms_beyond_terms_py(ontology: Graph) -> None:
    """Every class and property the ontology declares is named in kgkit.terms.KG (and vice versa)."""
    declared = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                for s in ontology.subjects(RDF.type, kind)}
    assert declared == set(KG_TERMS)


def test_labels_are_unique(ontology: Graph) -> None:
    labels = Counter(str(label).lower() for label in ontology.objects(None, RDFS.label))
    assert [label for label, n in labels.items() if n > 1] == []


def test_datatype_property_kinds(ontology: Graph) -> None:
    datatype = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    assert datatype == {KG.startDate, KG.endDate, KG.attendance, KG.datePublished, KG.inLanguage, KG.day,
                        KG.timeZone, KG.confidence, KG.cncfMaturity, KG.sourcePath, KG.contentHash}
    assert (KG.scheduleUrl, RDF.type, OWL.ObjectProperty) in ontology  # its value is an IRI


SUBCLASSES = [
    (KG.Conference, SCHEMA.Event), (KG.Event, SCHEMA.Event), (KG.Session, SCHEMA.Event),
    (KG.Organization, SCHEMA.Organization), (KG.Person, SCHEMA.Person),
    (KG.Project, SCHEMA.SoftwareSourceCode), (KG.Document, SCHEMA.Article), (KG.Document, PROV.Entity),
    (KG.Place, SCHEMA.Place), (KG.Topic, SKOS.Concept), (KG.SessionKind, SKOS.Concept),
    (KG.ExtractionMethod, SKOS.Concept), (KG.Evidence, PROV.Entity),
]
SUBPROPERTIES = [
    (KG.partOf, SCHEMA.superEvent), (KG.presenter, SCHEMA.performer), (KG.organizer, SCHEMA.organizer),
    (KG.affiliation, SCHEMA.affiliation), (KG.topic, SCHEMA.about), (KG.mentionsProject, SCHEMA.mentions),
    (KG.featuresOrganization, SCHEMA.mentions), (KG.mentions, SCHEMA.mentions),
    (KG.location, SCHEMA.location), (KG.containedInPlace, SCHEMA.containedInPlace),
    (KG.author, SCHEMA.author), (KG.startDate, SCHEMA.startDate), (KG.endDate, SCHEMA.endDate),
    (KG.scheduleUrl, SCHEMA.url), (KG.datePublished, SCHEMA.datePublished),
    (KG.inLanguage, SCHEMA.inLanguage), (KG.sourceDocument, PROV.wasDerivedFrom),
    (KG.evidence, PROV.wasDerivedFrom),
]
NO_COUNTERPART = [KG.sessionKind, KG.spokeOn, KG.uses, KG.extractionMethod, KG.attendance, KG.day,
                  KG.timeZone, KG.confidence, KG.cncfMaturity, KG.sourcePath, KG.contentHash]


@pytest.mark.parametrize(("term", "parent"), SUBCLASSES)
def test_class_alignment(ontology: Graph, term: URIRef, parent: URIRef) -> None:
    assert (term, RDFS.subClassOf, parent) in ontology


@pytest.mark.parametrize(("term", "parent"), SUBPROPERTIES)
def test_property_alignment(ontology: Graph, term: URIRef, parent: URIRef) -> None:
    assert (term, RDFS.subPropertyOf, parent) in ontology


def test_alignment_is_complete_and_https(ontology: Graph) -> None:
    aligned = {t for t, _ in SUBPROPERTIES}
    assert aligned.isdisjoint(NO_COUNTERPART)
    assert aligned | set(NO_COUNTERPART) == {t for t in KG_TERMS if not t.fragment[0].isupper()}
    assert not [o for o in ontology.objects() if str(o).startswith("http://schema.org/")]


@pytest.mark.parametrize(("scheme", "concepts", "cls"), [
    (SESSION_KIND_SCHEME, [session_kind(k) for k in SESSION_KINDS], KG.SessionKind),
    (METHOD_SCHEME, [method(m) for m in METHODS], KG.ExtractionMethod),
])
def test_concept_schemes(ontology: Graph, scheme: URIRef, concepts: list[URIRef], cls: URIRef) -> None:
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    for concept in concepts:
        assert (concept, RDF.type, cls) in ontology
        assert (concept, SKOS.inScheme, scheme) in ontology
        assert ontology.value(concept, SKOS.prefLabel) is not None


# --- undeclared_terms ---------------------------------------------------------------------------------


def test_sample_uses_only_declared_terms(sample: Dataset, ontology: Graph) -> None:
    assert len(list(sample.quads())) > 100
    assert undeclared_terms(sample, ontology) == set()


def test_undeclared_terms_finds_strays(ontology: Graph) -> None:
    g = Graph()
    s = URIRef("https://w3id.org/kgkit/id/org/x")
    misspelt = URIRef(PREFIXES["kg"] + "Organisation")
    g.add((s, RDF.type, misspelt))
    g.add((s, URIRef("https://example.org/homepage"), Literal("x")))
    g.add((s, SCHEMA.name, Literal("X")))
    g.add((s, KG.spokeOn, URIRef("https://w3id.org/kgkit/id/topic/y")))
    assert undeclared_terms(g, ontology) == {misspelt, URIRef("https://example.org/homepage")}


# --- JSON-LD context ----------------------------------------------------------------------------------


def test_context_covers_every_term(context: dict[str, Any]) -> None:
    for prefix in ("kg", "kgid", "schema", "skos", "prov", "dcterms", "oa", "owl", "xsd"):
        assert context[prefix] == PREFIXES[prefix]
    for term in KG_TERMS:
        definition = context[term.fragment]
        iri = definition if isinstance(definition, str) else definition["@id"]
        assert iri == f"kg:{term.fragment}"
    for name in ("name", "alternateName", "jobTitle", "url", "codeRepository", "sameAs", "prefLabel",
                 "altLabel", "broader", "inScheme", "ConceptScheme", "TextQuoteSelector",
                 "TextPositionSelector", "hasSelector", "exact", "start", "end", "subject", "predicate",
                 "object"):
        assert name in context


def test_context_coercions(ontology: Graph, context: dict[str, Any]) -> None:
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        assert isinstance(prop, URIRef)
        assert context[prop.fragment]["@type"] == "@id", prop
    assert isinstance(context["startDate"], str) and isinstance(context["endDate"], str)  # date or dateTime
    assert context["attendance"]["@type"] == "xsd:integer"
    assert context["confidence"]["@type"] == "xsd:decimal"


def test_context_round_trip_with_pyld(sample: Dataset, context: dict[str, Any]) -> None:
    nquads = sample.serialize(format="nquads")
    expanded_in = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded_in, {"@context": context})
    keys = _keys(compacted)
    assert {"name", "partOf", "startDate", "sessionKind", "hasSelector", "confidence", "start"} <= keys
    assert not [k for k in keys if k.startswith("kg:") or "://" in k]  # every kg term has a short name
    expanded = jsonld.expand(compacted)
    back = Dataset()
    back.parse(data=jsonld.to_rdf(expanded, {"format": "application/n-quads"}), format="nquads")
    names = {g.identifier for g in sample.graphs()}
    assert names == {g.identifier for g in back.graphs()}
    for name in names:
        assert isomorphic(sample.graph(name), back.graph(name)), name


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()
