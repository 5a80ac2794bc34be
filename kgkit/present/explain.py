"""Explain an entity: every fact about it, each with the quote and document it came from.

>>> for fact in explain("Shopify", source="build")[:1]:
...     print(fact.render())
KubeCon + CloudNativeCon Europe 2024 has presenter Shopify  [001_0e37d92c389ebaa4.txt:5316-5418, pattern, 0.6]
    “Aparna Subramanian from Shopify addressed the pressing need for sustainable scaling of infrastructure.”
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kgkit.errors import InputError
from kgkit.graph.evidence import evidence_query
from kgkit.graph.labels import LABEL_PROPS, NAME_PROPS, display_name
from kgkit.rdf.files import printable
from kgkit.rdf.terms import KG, SCHEMA
from kgkit.stores import Source, open_store

Row = tuple[Identifier | None, ...]  # a row of a SELECT result


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
        """Two lines for people: the fact and where it was read, then the quote (control characters and
        line breaks of names, file names and quotes escaped: they are shown on a terminal)."""
        quote = " ".join(self.quote.split())
        if len(quote) > 240:
            quote = quote[:237] + "..."
        subject, obj, document, quote = (printable(t, one_line=True) for t in (self.subject, self.object,
                                                                              self.document, quote))
        return (
            f"{subject} {self.predicate} {obj}  [{document}:{self.start}-{self.end}, "
            f"{self.method}, {self.confidence:g}]\n    “{quote}”"
        )


def explain(
    entity: str, *, source: Source = "build", store: str = "auto"
) -> list[ExplainedFact]:
    """Every extracted fact whose subject or object is ``entity`` (a name, alias or IRI), with evidence.

    The graph is asked with three SPARQL queries, on the engine ``store`` picks as for
    :func:`kgkit.stores.open_store` (Oxigraph's store cached beside a build, or rdflib), so a large build is
    explained in well under a second, without reading it into memory.
    Raises InputError (with the closest names) when nothing in the graph has that name.
    """
    backend = open_store(source, store=store)  # opened (or read into memory) once for the three queries

    def select(sparql: str) -> list[Row]:
        return backend.query(sparql).rows  # kgkit's prefixes are predeclared

    nodes = _resolve(entity, select)  # never empty
    facts: set[ExplainedFact] = set()
    rows = select(evidence_query(nodes))
    named = sorted({n for row in rows for n in row[:3:2] if isinstance(n, URIRef)})
    candidates: dict[Node, list[tuple[Node, Node]]] = {}
    for node, prop, value in select(_LABELS.replace("?entities", _iris(named))) if named else []:
        if node is not None and prop is not None and value is not None:
            candidates.setdefault(node, []).append((prop, value))
    for s, p, o, doc, path, method, conf, quote, start, end in rows:
        assert s is not None and p is not None and o is not None  # required in the evidence query
        at = (int(str(start)), int(str(end))) if start is not None and end is not None else (-1, -1)
        facts.add(
            ExplainedFact(
                subject=display_name(s, candidates.get(s, ())),
                predicate=predicate_label(p),
                object=display_name(o, candidates.get(o, ())),
                quote="" if quote is None else str(quote),
                document=str(path or doc or ""),
                method=str(method or "").rsplit("method-", 1)[-1],
                confidence=float(conf) if isinstance(conf, Literal) else 0.0,
                start=at[0],
                end=at[1],
            )
        )
    return sorted(facts, key=_reading_order)


def _reading_order(f: ExplainedFact) -> tuple[str, int, str, str, str, int, str, str, float]:
    """Facts by document and place in it; ties broken by every other field, so the order is fixed."""
    return (f.document, f.start, f.predicate, f.object, f.subject, f.end, f.quote, f.method, f.confidence)


def _iris(nodes: Iterable[URIRef], separator: str = " ") -> str:
    """IRIs written for SPARQL; each read from the graph or checked by :func:`_resolve`."""
    return separator.join(f"<{n}>" for n in nodes)


# Property paths and FILTERs rather than joins with a VALUES list: rdflib evaluates them 10x faster.
_NAMES = f"""SELECT DISTINCT ?node ?name WHERE {{
  ?node {_iris(NAME_PROPS, "|")} ?name .
  FILTER(isIRI(?node))
  FILTER NOT EXISTS {{ ?node a kg:Evidence }}
}}"""
_ANY = "SELECT * WHERE { { ?entity ?p ?o } UNION { ?s ?p ?entity } } LIMIT 1"
_LABELS = f"""SELECT ?node ?p ?label WHERE {{
  VALUES ?node {{ ?entities }}
  ?node ?p ?label .
  FILTER(?p IN ({_iris(LABEL_PROPS, ", ")}))
}}"""


def _resolve(entity: str, select: Callable[[str], list[Row]]) -> list[URIRef]:
    """The nodes named ``entity`` (as :func:`resolve`), asked with SPARQL."""
    from kgkit.rdf.ntriples import IRI

    if entity.startswith(("http://", "https://")):
        node = URIRef(entity)
        if IRI.fullmatch(entity) and select(_ANY.replace("?entity", _iris([node]))):
            return [node]
        raise InputError(f"no node {entity} in the graph")
    return _named(entity, ((s, name) for s, name in select(_NAMES) if isinstance(s, URIRef) and name is not None))


def resolve(graph: Graph, entity: str) -> list[URIRef]:
    """The nodes named ``entity`` (case-insensitively), or the node with that IRI."""
    if entity.startswith(("http://", "https://")):
        node = URIRef(entity)
        if (node, None, None) in graph or (None, None, node) in graph:
            return [node]
        raise InputError(f"no node {entity} in the graph")
    pairs = (
        (s, o)
        for prop in NAME_PROPS
        for s, o in graph.subject_objects(prop)
        if isinstance(s, URIRef) and (s, RDF.type, KG.Evidence) not in graph
    )
    return _named(entity, pairs)


def _named(entity: str, pairs: Iterable[tuple[URIRef, Node]]) -> list[URIRef]:
    """The nodes among (node, name) ``pairs`` with the name ``entity``, case-insensitively; else
    InputError with the closest names."""
    wanted = entity.casefold().strip()
    names: dict[str, set[URIRef]] = {}
    for s, o in pairs:
        names.setdefault(str(o).casefold(), set()).add(s)
    if wanted in names:
        return sorted(names[wanted])
    close = difflib.get_close_matches(wanted, sorted(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise InputError(f"nothing named {entity!r} in the graph{hint}")



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


def predicate_label(p: Node) -> str:
    if isinstance(p, URIRef) and p in _PREDICATES:
        return _PREDICATES[p]
    return str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]

