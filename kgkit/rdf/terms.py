"""Ontology terms, namespaces and instance IRIs: the vocabulary every other module speaks.

The ontology itself (labels, comments, schema.org alignment) is ``ontology/kgkit.ttl``; this module
only names its terms so that code refers to ``KG.Session`` rather than to a string.

>>> str(KG.Session)
'https://w3id.org/kgkit/ontology#Session'
>>> str(entity_iri("org", "Deutsche Bahn"))
'https://w3id.org/kgkit/id/org/deutsche-bahn'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace


class _Namespace(Namespace):
    """rdflib's Namespace, remembering each term it makes: ``SCHEMA.name`` in a loop over a million
    facts is then an attribute lookup, not a new URIRef each time (the build's hot path)."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


BASE = "https://w3id.org/kgkit/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
SCHEMA = _Namespace("https://schema.org/")
OA = _Namespace("http://www.w3.org/ns/oa#")
ID = _Namespace(BASE + "id/")
GRAPH = _Namespace(BASE + "graph/")

#: Prefixes bound in every graph kgkit writes (Turtle, TriG, JSON-LD context).
PREFIXES: dict[str, str] = {
    "kg": BASE + "ontology#",
    "kgid": str(ID),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "oa": str(OA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


class KG(DefinedNamespace):
    """Terms of the kgkit ontology (``ontology/kgkit.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Conference: URIRef  # a conference edition, e.g. KubeCon + CloudNativeCon Europe 2024
    Event: URIRef  # co-located day, community week, meetup
    Session: URIRef  # keynote, panel, talk, lightning talk, tutorial (kind via sessionKind)
    Organization: URIRef
    Person: URIRef
    Project: URIRef  # open-source project or product
    Service: URIRef  # web service or platform named as a medium: YouTube, Slack, GitHub
    Topic: URIRef  # SKOS concept in the topic scheme
    Document: URIRef  # the source article
    Place: URIRef
    Evidence: URIRef  # a sentence of a document read by one method: document, method, confidence, quote and span
    SessionKind: URIRef  # SKOS concept of the session-kind scheme
    ExtractionMethod: URIRef  # SKOS concept: front matter, gazetteer, pattern, ...

    # object properties
    partOf: URIRef  # session/event -> conference/event      (schema:superEvent)
    presenter: URIRef  # event -> person/organization         (schema:performer)
    organizer: URIRef  # event -> organization/person         (schema:organizer)
    affiliation: URIRef  # person -> organization             (schema:affiliation)
    topic: URIRef  # session/document/event -> topic          (schema:about)
    mentionsProject: URIRef  # session -> project             (schema:mentions)
    featuresOrganization: URIRef  # session -> organization named in its title (schema:mentions)
    mentions: URIRef  # document -> anything it mentions      (schema:mentions)
    location: URIRef  # conference/event -> place             (schema:location)
    containedInPlace: URIRef  # place -> place                (schema:containedInPlace)
    author: URIRef  # document -> person                      (schema:author)
    sessionKind: URIRef  # session -> SessionKind concept
    spokeOn: URIRef  # person/organization/project -> topic (said so in the text)
    uses: URIRef  # organization -> project it uses or builds
    sourceDocument: URIRef  # evidence/entity -> document     (prov:wasDerivedFrom)
    extractionMethod: URIRef  # evidence -> ExtractionMethod
    evidence: URIRef  # statement (rdf:Statement) -> the Evidence it was read from   (prov:wasDerivedFrom)

    # datatype properties
    startDate: URIRef  # xsd:dateTime (with offset) or xsd:date   (schema:startDate)
    endDate: URIRef  # (schema:endDate)
    scheduleUrl: URIRef  # sched.co / *.sched.com URL         (schema:url)
    attendance: URIRef  # xsd:integer, lower bound of attendees
    datePublished: URIRef  # document -> xsd:date             (schema:datePublished)
    inLanguage: URIRef  # BCP-47 code                          (schema:inLanguage)
    day: URIRef  # the weekday as written ("Tuesday")
    timeZone: URIRef  # as written ("CET")
    confidence: URIRef  # xsd:decimal in [0, 1]
    cncfMaturity: URIRef  # sandbox / incubating / graduated / archived
    sourcePath: URIRef  # document -> file path relative to the build input
    contentHash: URIRef  # document -> sha256 of its bytes


# Each term made once, as a class attribute, rather than by DefinedNamespace's __getattr__ on every use.
for _name in KG.__annotations__:
    setattr(KG, _name, URIRef(str(KG._NS) + _name))


# Session kinds and extraction methods are SKOS concepts defined in the ontology file.
SESSION_KINDS = ("keynote", "panel", "talk", "lightning-talk", "tutorial", "workshop")
METHODS = ("front-matter", "structure", "gazetteer", "pattern", "model", "curation")

KIND_PATHS = {
    KG.Conference: "conference",
    KG.Event: "event",
    KG.Session: "session",
    KG.Organization: "org",
    KG.Person: "person",
    KG.Project: "project",
    KG.Service: "service",
    KG.Topic: "topic",
    KG.Document: "document",
    KG.Place: "place",
}

TOPIC_SCHEME = ID["topic-scheme"]
SESSION_KIND_SCHEME = URIRef(BASE + "ontology#SessionKinds")
METHOD_SCHEME = URIRef(BASE + "ontology#ExtractionMethods")
VOCAB_GRAPH = GRAPH["vocabulary"]
REFERENCE_GRAPH = GRAPH["reference"]


def session_kind(kind: str) -> URIRef:
    """IRI of a session-kind concept, e.g. ``session_kind("lightning-talk")``."""
    return URIRef(BASE + "ontology#kind-" + kind)


def method(name: str) -> URIRef:
    """IRI of an extraction-method concept, e.g. ``method("gazetteer")``."""
    return URIRef(BASE + "ontology#method-" + name)


@lru_cache(maxsize=1 << 16)
def slug(text: str, max_len: int = 80) -> str:
    """A readable, stable IRI segment: lowercase ASCII words joined by hyphens.

    Letters with no ASCII form (e.g. Chinese) are replaced by a short hash of the name, so the IRI
    stays ASCII and distinct names stay distinct.

    >>> slug("Deutsche Bahn")
    'deutsche-bahn'
    >>> slug("KubeCon + CloudNativeCon Europe 2024")
    'kubecon-cloudnativecon-europe-2024'
    """
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    lost = not text.isascii() and any(
        c.isalnum() and not unicodedata.normalize("NFKD", c).encode("ascii", "ignore") for c in text
    )
    if not s or lost:
        digest = hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:10]
        s = f"{s}-{digest}" if s else digest
    if len(s) > max_len:
        digest = hashlib.sha1(s.encode()).hexdigest()[:8]
        s = s[:max_len].rstrip("-") + "-" + digest
    return s


@lru_cache(maxsize=1 << 16)
def entity_iri(kind: str, name: str) -> URIRef:
    """The IRI of an entity of ``kind`` (a KIND_PATHS value) named ``name``."""
    return ID[f"{kind}/{slug(name)}"]


def document_graph(doc_id: str) -> URIRef:
    """The named graph holding what one document says."""
    return GRAPH[f"doc/{doc_id}"]
