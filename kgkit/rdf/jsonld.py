"""JSON-LD compacted with the kgkit context, written node by node from sorted quads.

What rdflib's JSON-LD serializer gives (a document whose ``@graph`` holds the default graph's nodes
and one ``{"id": graph, "@graph": [...]}`` per named graph, keys and types compacted with
``ontology/context.jsonld``), without holding the graph in memory: the quads must come sorted by
graph name, then subject (:mod:`kgkit.rdf.stream` sorts them), and each node is written once complete,
one node per line.

Keys follow JSON-LD compaction: the context's term for the predicate when the value fits its
``@type`` (``"spokeOn": "https://..."`` for an IRI, ``"confidence": "0.9"`` for an xsd:decimal),
else a term without ``@type`` with a value object (``{"@value": "...", "type": "xsd:date"}``),
else a compact IRI (``"kg:foo"``) or the full IRI.

>>> import io, pyoxigraph as ox
>>> out = io.BytesIO()
>>> write_jsonld(ox.parse(b'<https://x/a> <https://schema.org/name> "A" <https://x/g> .', ox.RdfFormat.N_QUADS), out)
>>> print(out.getvalue().decode()[-106:])
  "@graph": [
    {"id": "https://x/g", "@graph": [
      {"id": "https://x/a", "name": "A"}
    ]}
  ]
}
<BLANKLINE>
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from kgkit import resources
from kgkit.errors import InputError
from kgkit.rdf.formats import NotStreamable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_KEYWORDS = {"@id": "id", "@type": "type"}  # the context's aliases, filled in by Compactor


class NotCompactable(NotStreamable):
    """A term this writer does not compact (a blank node, a base direction, or an IRI that would be
    read back as a compact IRI); the caller uses rdflib instead."""


@dataclass
class Compactor:
    """IRIs to the keys and values of a JSON-LD context (terms, compact IRIs, aliases)."""

    context: dict[str, Any]
    prefixes: dict[str, str] = field(default_factory=dict)
    simple: dict[str, str] = field(default_factory=dict)  # IRI -> term with no @type
    typed: dict[tuple[str, str], str] = field(default_factory=dict)  # (IRI, @type IRI or "@id") -> term
    id_key: str = "@id"
    type_key: str = "@type"
    _keys: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    _vocab: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.context) & {"@base", "@vocab", "@language", "@direction", "@propagate", "@import"}:
            raise NotCompactable("a context with defaults for IRIs or languages")
        for term, definition in sorted(self.context.items()):
            if isinstance(definition, str) and definition in _KEYWORDS:
                setattr(self, "id_key" if definition == "@id" else "type_key", term)
            elif isinstance(definition, str) and definition.endswith(("/", "#")) and ":" not in term:
                self.prefixes[term] = definition
        for term, definition in sorted(self.context.items(), key=lambda item: (len(item[0]), item[0])):
            if term.startswith("@") or term in self.prefixes:
                continue
            if isinstance(definition, str) and not definition.startswith("@"):
                self.simple.setdefault(self.expand(definition), term)
            elif isinstance(definition, dict) and set(definition) <= {"@id", "@type"} and "@id" in definition:
                kind = definition.get("@type")
                iri = self.expand(definition["@id"])
                if kind is None:
                    self.simple.setdefault(iri, term)
                else:
                    self.typed.setdefault((iri, kind if kind == "@id" else self.expand(kind)), term)

    def expand(self, value: str) -> str:
        """A compact IRI of the context's prefixes as a full IRI (others unchanged)."""
        prefix, colon, local = value.partition(":")
        return self.prefixes[prefix] + local if colon and prefix in self.prefixes else value

    def vocab(self, iri: str) -> str:
        """``iri`` as a key or type: a term, else a compact IRI, else itself."""
        found = self._vocab.get(iri)
        if found is None:
            found = self.simple.get(iri) or self.compact_iri(iri)
            self._vocab[iri] = found
        return found

    def compact_iri(self, iri: str) -> str:
        """``prefix:local`` for the longest matching prefix, else ``iri`` itself."""
        best = ""
        for prefix, ns in self.prefixes.items():
            local = iri[len(ns) :]
            if iri.startswith(ns) and local and not local.startswith("//") and len(ns) > len(best):
                best = f"{prefix}:{local}"
        return best or self.check_iri(iri)

    def check_iri(self, iri: str) -> str:
        """``iri``, NotCompactable if JSON-LD would read it as a compact IRI or a term."""
        if iri.startswith(("http://", "https://")):
            return iri
        scheme, colon, _ = iri.partition(":")
        if not colon or scheme in self.context or scheme == "_":
            raise NotCompactable(iri)
        return iri

    def key(self, predicate: str, kind: str) -> tuple[str, bool]:
        """(key, whether the value is written bare) for a value of ``kind``: "@id" for an IRI, the
        datatype IRI for a literal, "" for a string with a language."""
        found = self._keys.get((predicate, kind))
        if found is None:
            term = self.typed.get((predicate, kind)) if kind else None
            found = (term, True) if term else (self.vocab(predicate), kind == XSD_STRING)
            self._keys[(predicate, kind)] = found
        return found


def write_jsonld(quads: Iterable[Any], out: IO[bytes]) -> None:
    """Write ``quads`` (pyoxigraph Quads sorted by graph name, then subject) to ``out`` as JSON-LD
    compacted with the kgkit context; NotCompactable for what this writer leaves to rdflib."""
    import pyoxigraph as ox


    context = jsonld_context()
    c = Compactor(context)
    head = json.dumps({"@context": context}, indent=2, ensure_ascii=False)
    out.write((head[:-2] + ',\n  "@graph": [').encode("utf-8"))
    graph: Any = None
    subject: Any = None
    node: dict[str, Any] = {}
    first_node = first_graph = True
    indent = "\n    "

    def flush() -> None:
        nonlocal first_node
        if node:
            text = json.dumps(node, ensure_ascii=False)  # "id" first, then by predicate (lines are sorted)
            out.write(((indent if first_node else "," + indent) + text).encode("utf-8"))
            first_node = False

    for quad in quads:
        s, p, o = quad.subject, quad.predicate, quad.object
        if quad.graph_name != graph:
            flush()
            node, subject = {}, None
            if graph is not None and not isinstance(graph, ox.DefaultGraph):
                out.write(b"\n    ]}")
            graph = quad.graph_name
            if not isinstance(graph, ox.DefaultGraph):
                opening = json.dumps({c.id_key: c.check_iri(graph.value)}, ensure_ascii=False)[:-1]
                comma = "" if first_graph else ","
                out.write(f'{comma}\n    {opening}, "@graph": ['.encode())
                indent, first_node = "\n      ", True
            else:
                indent, first_node = "\n    ", first_graph
            first_graph = False
        if s != subject:
            flush()
            if isinstance(s, ox.BlankNode):
                raise NotCompactable("blank node")
            subject, node = s, {c.id_key: c.check_iri(s.value)}
        _add(node, c, p.value, o)
    flush()
    if graph is not None and not isinstance(graph, ox.DefaultGraph):
        out.write(b"\n    ]}")
    out.write(b"\n  ]\n}\n")


def _add(node: dict[str, Any], c: Compactor, predicate: str, o: Any) -> None:
    """Add the value ``o`` of ``predicate`` to ``node``."""
    import pyoxigraph as ox

    value: str | dict[str, str]
    if isinstance(o, ox.NamedNode):
        if predicate == RDF_TYPE:
            key, value = c.type_key, c.vocab(o.value)
        else:
            key, bare = c.key(predicate, "@id")
            value = c.check_iri(o.value) if bare else {c.id_key: c.check_iri(o.value)}
    elif isinstance(o, ox.Literal):
        if getattr(o, "direction", None):
            raise NotCompactable("a literal with a base direction")
        datatype = o.datatype.value
        if o.language:
            key, _ = c.key(predicate, "")
            value = {"@value": o.value, "@language": o.language}
        else:
            key, bare = c.key(predicate, datatype)
            value = o.value if bare else {"@value": o.value, c.type_key: c.vocab(datatype)}
    else:
        raise NotCompactable("blank node or triple term")
    present = node.get(key)
    if present is None:
        node[key] = value
    elif isinstance(present, list):
        present.append(value)
    else:
        node[key] = [present, value]


CONTEXT_FILE = resources.context_file()


@functools.cache
def jsonld_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    try:
        return dict(json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"cannot read the JSON-LD context: {err}", path=CONTEXT_FILE) from None
