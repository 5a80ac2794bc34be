"""Materialized inferences: the schema.org types and properties the ontology aligns kgkit's terms to.

The graph says ``kgid:session/x a kg:Session ; kg:partOf kgid:conference/y``; the ontology says
``kg:Session rdfs:subClassOf schema:Event`` and ``kg:partOf rdfs:subPropertyOf schema:superEvent``, so
``SELECT ?e { ?e a schema:Event }`` finds nothing without a reasoner. ``kgkit build --materialize
schema`` writes what RDFS entails in schema.org terms into a graph of its own,
``https://w3id.org/kgkit/graph/schema``: for each statement of the build, the schema.org superclasses of
its types (rdfs9) and the schema.org superproperties of its property (rdfs7), through the RDFS closure of
the ontology's class and property hierarchy (rdfs5, rdfs11), computed by owlrl. Domains and ranges
(rdfs2, rdfs3) are left out: they would type a node by a property used on it, not by what the
documents say it is. A query in schema.org terms then works on any store, reasoner or not.

>>> classes, properties = schema_alignment()
>>> classes["https://w3id.org/kgkit/ontology#Session"]
('https://schema.org/Event',)
>>> properties["https://w3id.org/kgkit/ontology#partOf"]
('https://schema.org/superEvent',)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from rdflib import RDF, RDFS, Graph, URIRef

from kgkit import resources
from kgkit.errors import InputError
from kgkit.rdf.terms import GRAPH, KG, SCHEMA

#: The graph the schema.org statements go into.
SCHEMA_GRAPH = GRAPH["schema"]
_TYPE = f"<{RDF.type}>"


@lru_cache(maxsize=1)
def schema_alignment() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(kgkit class -> its schema.org superclasses, kgkit property -> its schema.org superproperties),
    from the RDFS closure of the ontology (owlrl's RDFS semantics)."""
    import owlrl

    ontology = Graph().parse(resources.ontology_dir() / "kgkit.ttl", format="turtle")
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(ontology)

    def supers(relation: URIRef) -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        for sub, sup in ontology.subject_objects(relation):
            if isinstance(sub, URIRef) and str(sub).startswith(str(KG)) and str(sup).startswith(str(SCHEMA)):
                found.setdefault(str(sub), set()).add(str(sup))
        return {term: tuple(sorted(names)) for term, names in sorted(found.items())}

    return supers(RDFS.subClassOf), supers(RDFS.subPropertyOf)


def schema_lines(lines: Iterable[str]) -> list[str]:
    """The statements in schema.org terms that N-Quads ``lines`` (as kgkit writes them: one statement a
    line, single spaces between terms) entail, as sorted, distinct N-Quads lines of
    :data:`SCHEMA_GRAPH`.

    >>> [line] = schema_lines(['<https://x/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...                        '<https://w3id.org/kgkit/ontology#Person> <https://x/g> .\\n'])
    >>> line.split()[2:4]
    ['<https://schema.org/Person>', '<https://w3id.org/kgkit/graph/schema>']
    """
    classes, properties = schema_alignment()
    graph = f"<{SCHEMA_GRAPH}>"
    out: set[str] = set()
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        obj = rest[: rest.rfind(" <")]  # the object, without the graph name that ends the line
        if predicate == _TYPE:
            for cls in classes.get(obj[1:-1], ()):
                out.add(f"{subject} {_TYPE} <{cls}> {graph} .\n")
        elif predicate[1:-1] in properties:
            for sup in properties[predicate[1:-1]]:
                out.add(f"{subject} <{sup}> {obj} {graph} .\n")
    return sorted(out)


#: What ``--materialize`` can add: a name, and what writes its lines from the build's lines.
MATERIALIZERS: dict[str, Callable[[Iterable[str]], list[str]]] = {"schema": schema_lines}


def materializers(names: Iterable[str]) -> list[str]:
    """``names`` checked against :data:`MATERIALIZERS` (InputError naming them otherwise), in order."""
    wanted = list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in MATERIALIZERS]
    if unknown:
        raise InputError(f"cannot --materialize {unknown[0]!r}; choose: {', '.join(MATERIALIZERS)}")
    return wanted
