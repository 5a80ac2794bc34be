"""Explain an entity: every fact about it, each with the quote and document it came from.

>>> for fact in explain("Shopify", source="build")[:1]:
...     print(fact.render())
KubeCon + CloudNativeCon Europe 2024 has presenter Shopify  [001_0e37d92c389ebaa4.txt:5316-5418, pattern, 0.6]
    “Aparna Subramanian from Shopify addressed the pressing need for sustainable scaling of infrastructure.”
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kgkit.errors import InputError
from kgkit.rdfio import as_graph
from kgkit.terms import KG, OA, SCHEMA

NAME_PROPS = (SCHEMA.name, SCHEMA.alternateName, SKOS.prefLabel, SKOS.altLabel)


@dataclass(frozen=True)
class ExplainedFact:
    """One fact about the entity and its evidence."""

    subject: str
    predicate: str
    object: str
    quote: str
    document: str
    method: str
    confidence: float
    start: int
    end: int

    def render(self) -> str:
        quote = " ".join(self.quote.split())
        if len(quote) > 240:
            quote = quote[:237] + "..."
        return (
            f"{self.subject} {self.predicate} {self.object}  [{self.document}:{self.start}-{self.end}, "
            f"{self.method}, {self.confidence:g}]\n    “{quote}”"
        )


def explain(entity: str, *, source: str | Path | Dataset | Graph = "build") -> list[ExplainedFact]:
    """Every extracted fact whose subject or object is ``entity`` (a name, alias or IRI), with evidence.

    Raises InputError (with the closest names) when nothing in the graph has that name.
    """
    graph = as_graph(source)
    nodes = resolve(graph, entity)
    facts: list[ExplainedFact] = []
    for node in nodes:
        evidence = set(graph.subjects(RDF.subject, node)) | set(graph.subjects(RDF.object, node))
        for ev in evidence:
            if (ev, RDF.type, KG.Evidence) not in graph:
                continue
            s, p, o = (graph.value(ev, x) for x in (RDF.subject, RDF.predicate, RDF.object))
            if s is None or p is None or o is None or (p in NAME_PROPS and s != node):
                continue
            quote, start, end = _quote(graph, ev)
            doc = graph.value(ev, KG.sourceDocument)
            path = graph.value(doc, KG.sourcePath) if doc is not None else None
            method = graph.value(ev, KG.extractionMethod)
            conf = graph.value(ev, KG.confidence)
            facts.append(
                ExplainedFact(
                    subject=label(graph, s),
                    predicate=predicate_label(graph, p),
                    object=label(graph, o),
                    quote=quote,
                    document=str(path or doc),
                    method=str(method).rsplit("method-", 1)[-1],
                    confidence=float(conf) if isinstance(conf, Literal) else 0.0,
                    start=start,
                    end=end,
                )
            )
    return sorted(set(facts), key=lambda f: (f.document, f.start, f.predicate, f.object))


def resolve(graph: Graph, entity: str) -> list[URIRef]:
    """The nodes named ``entity`` (case-insensitively), or the node with that IRI."""
    if entity.startswith(("http://", "https://")):
        node = URIRef(entity)
        if (node, None, None) in graph or (None, None, node) in graph:
            return [node]
        raise InputError(f"no node {entity} in the graph")
    wanted = entity.casefold().strip()
    names: dict[str, set[URIRef]] = {}
    for prop in NAME_PROPS:
        for s, o in graph.subject_objects(prop):
            if isinstance(s, URIRef) and (s, RDF.type, KG.Evidence) not in graph:
                names.setdefault(str(o).casefold(), set()).add(s)
    if wanted in names:
        return sorted(names[wanted])
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise InputError(f"nothing named {entity!r} in the graph{hint}")


def label(graph: Graph, node: Node) -> str:
    """A readable name for a node: its name or label, else the end of its IRI; literals as text."""
    if isinstance(node, Literal):
        return f"“{node}”"
    for prop in (SCHEMA.name, SKOS.prefLabel, RDFS.label):
        values = sorted(
            graph.objects(node, prop), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v))
        )
        if values:
            return str(values[0])
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_PREDICATES = {
    KG.spokeOn: "spoke on",
    KG.presenter: "has presenter",
    KG.affiliation: "is affiliated with",
    KG.featuresOrganization: "features",
    KG.mentionsProject: "mentions",
    KG.mentions: "mentions",
    KG.partOf: "is part of",
    KG.topic: "is about",
    KG.uses: "uses",
    KG.organizer: "is organized by",
    SCHEMA.name: "is named",
    SCHEMA.alternateName: "is also called",
    SCHEMA.jobTitle: "has the role",
    KG.author: "has author",
    KG.location: "takes place in",
    KG.attendance: "has attendance",
}


def predicate_label(graph: Graph, p: Node) -> str:
    if isinstance(p, URIRef) and p in _PREDICATES:
        return _PREDICATES[p]
    return str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _quote(graph: Graph, ev: Node) -> tuple[str, int, int]:
    quote, start, end = "", -1, -1
    for sel in graph.objects(ev, OA.hasSelector):
        exact = graph.value(sel, OA.exact)
        if exact is not None:
            quote = str(exact)
        s, e = graph.value(sel, OA.start), graph.value(sel, OA.end)
        if s is not None and e is not None:
            start, end = int(str(s)), int(str(e))
    return quote, start, end
