"""How a node is named for people: one policy for explain, the report, pictures and SHACL findings.

A node's label is the value of the first of :data:`LABEL_PROPS` it has, English or untagged values
first (language tags compared without case), then the first in text order; a node without one is
named by the end of its IRI (:func:`display_name`), or by the whole IRI where that matters, as in a
validation finding (:func:`label_of` gives None then).

>>> from rdflib import Literal, URIRef
>>> from kgkit.rdf.terms import SCHEMA
>>> label_of([(SCHEMA.name, Literal("Grün", lang="de")), (SCHEMA.name, Literal("Green", lang="EN"))])
'Green'
>>> display_name(URIRef("https://w3id.org/kgkit/id/topic/green"), [])
'green'
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDFS, SKOS, Graph, Literal
from rdflib.term import Node

from kgkit.rdf.terms import SCHEMA

#: Properties naming a node for people, in order of preference.
LABEL_PROPS = (SCHEMA.name, SKOS.prefLabel, RDFS.label)
#: Properties any of whose values is a name the node may be asked for by (explain, viz, curation).
NAME_PROPS = (SCHEMA.name, SCHEMA.alternateName, SKOS.prefLabel, SKOS.altLabel)


def label_of(candidates: Iterable[tuple[Node, Node]]) -> str | None:
    """The label among a node's (property, value) ``candidates``, or None when it has none."""
    ranked = sorted(
        (LABEL_PROPS.index(prop), (getattr(value, "language", None) or "en").lower() != "en", str(value))
        for prop, value in candidates
        if prop in LABEL_PROPS and isinstance(value, Literal)
    )
    return ranked[0][2] if ranked else None


def display_name(node: Node, candidates: Iterable[tuple[Node, Node]]) -> str:
    """What a reader sees for ``node``: its label, else the end of its IRI; a literal as quoted text."""
    if isinstance(node, Literal):
        return f"“{node}”"
    found = label_of(candidates)
    return found if found is not None else str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def label(graph: Graph, node: Node) -> str:
    """:func:`display_name` of ``node`` with its candidates read from ``graph``."""
    if isinstance(node, Literal):
        return f"“{node}”"
    return display_name(node, [(prop, value) for prop in LABEL_PROPS for value in graph.objects(node, prop)])
