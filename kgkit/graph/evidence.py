"""The evidence model, written and read here only: every fact reified as a kg:Evidence node.

Each statement of a document's graph (but its rdf:type) has an evidence node holding the statement
(rdf:subject/predicate/object), the document (kg:sourceDocument), the method, a confidence, and two
Web Annotation selectors on the document's text: the exact quote and its character span.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quote_encode, _quoteLiteral
from rdflib.term import Node

from kgkit.extraction.state import Extraction, Fact
from kgkit.graph.labels import NAME_PROPS
from kgkit.rdf.files import one_line
from kgkit.rdf.ntriples import Quad, n3_iri
from kgkit.rdf.terms import (
    ID,
    KG,
    OA,
    document_graph,
    method,
)


def document_lines(ex: Extraction, min_confidence: float = 0.0) -> list[str]:
    """The sorted, distinct N-Quads lines of one document's named graph: the same lines as
    ``nquad`` of :func:`document_quads`, written straight as text (the hot path of a build)."""
    g = n3_iri(document_graph(ex.doc.id))
    doc_id, document, text = ex.doc.id, n3_iri(ex.document_iri), ex.doc.text
    evidence_prefix = f"<{evidence_iri(doc_id)}"  # how every evidence node's line starts
    lines: set[str] = set()
    evidence: dict[str, tuple[str, ...]] = {}  # evidence IRI -> its lines
    seen: set[tuple[str, str, str, tuple[int, int]]] = set()
    selectors: dict[tuple[int, int], tuple[str, str]] = {}  # span -> the two selector IRIs, lines written
    for f in ex.facts:
        if f.confidence < min_confidence:
            continue
        s, p = n3_iri(f.s), n3_iri(f.p)
        if isinstance(f.o, Literal):
            o_n3: str | None = f.o.n3()
            o = one_line(_quoteLiteral(f.o))
        else:
            o_n3, o = None, n3_iri(f.o)
        lines.add(f"{s} {p} {o} {g} .\n")
        if p == _RDF_TYPE or (s, p, o, f.span) in seen:
            continue
        seen.add((s, p, o, f.span))
        start, end = f.span
        ev = f"{evidence_prefix}{_evidence_digest(f, o_n3 or o)}>"
        if f.span not in selectors:
            quote, pos = f"<{ID}selector/{doc_id}/q{start}-{end}>", f"<{ID}selector/{doc_id}/p{start}-{end}>"
            selectors[f.span] = (quote, pos)
            exact = one_line(_quote_encode(text[start:end]))  # a plain literal, as _quoteLiteral writes it
            lines.add(f"{quote} {_RDF_TYPE} {_QUOTE} {g} .\n")
            lines.add(f"{quote} {_EXACT} {exact} {g} .\n")
            lines.add(f"{pos} {_RDF_TYPE} {_POSITION} {g} .\n")
            lines.add(f'{pos} {_START} "{start}"^^{_NNI} {g} .\n')
            lines.add(f'{pos} {_END} "{end}"^^{_NNI} {g} .\n')
        quote, pos = selectors[f.span]
        evidence[ev] = (  # in the order sorting gives: by predicate, the position selector before the quote
            f"{ev} {_RDF_OBJECT} {o} {g} .\n",
            f"{ev} {_RDF_PREDICATE} {p} {g} .\n",
            f"{ev} {_RDF_SUBJECT} {s} {g} .\n",
            f"{ev} {_RDF_TYPE} {_EVIDENCE} {g} .\n",
            f"{ev} {_SELECTOR} {pos} {g} .\n",
            f"{ev} {_SELECTOR} {quote} {g} .\n",
            f"{ev} {_CONFIDENCE} {_decimal(f.confidence)} {g} .\n",
            f"{ev} {_METHOD} {_method(f.method)} {g} .\n",
            f"{ev} {_SOURCE} {document} {g} .\n",
        )
    # The evidence nodes' lines sort together (no other subject starts with the evidence prefix), and
    # their IRIs have one length: sorting the nodes, each's lines in the order above, sorts the lines.
    rest = sorted(lines)
    at = bisect.bisect_left(rest, evidence_prefix)
    if at < len(rest) and rest[at].startswith(evidence_prefix):  # a curated fact about an evidence node
        return sorted(lines.union(*evidence.values()))
    return [*rest[:at], *(line for ev in sorted(evidence) for line in evidence[ev]), *rest[at:]]


@lru_cache(maxsize=64)
def _method(name: str) -> str:
    return n3_iri(method(name))


_RDF_TYPE, _RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = (
    f"<{t}>" for t in (RDF.type, RDF.subject, RDF.predicate, RDF.object)
)


_EVIDENCE, _SOURCE, _METHOD, _CONFIDENCE = (
    f"<{t}>" for t in (KG.Evidence, KG.sourceDocument, KG.extractionMethod, KG.confidence)
)


_SELECTOR, _QUOTE, _EXACT = f"<{OA.hasSelector}>", f"<{OA.TextQuoteSelector}>", f"<{OA.exact}>"


_POSITION, _START, _END = f"<{OA.TextPositionSelector}>", f"<{OA.start}>", f"<{OA.end}>"


_NNI = f"<{XSD.nonNegativeInteger}>"


@lru_cache(maxsize=256)
def _decimal(value: float) -> str:
    return str(_quoteLiteral(Literal(_canonical(value), datatype=XSD.decimal)))


def _canonical(value: float) -> Decimal:
    """A confidence as an xsd:decimal: always with a fraction ("1.0"), the form rdflib's Turtle writer
    keeps (it writes "1" as 1.0, which reads back as another literal)."""
    return Decimal(str(float(value)))


def document_quads(ex: Extraction, min_confidence: float = 0.0) -> Iterator[Quad]:
    """The quads of one document's named graph: its facts and an evidence node for each."""
    g = document_graph(ex.doc.id)
    doc_id = ex.doc.id
    seen: set[tuple[Node, Node, Node, tuple[int, int]]] = set()
    for f in ex.facts:
        if f.confidence < min_confidence:
            continue
        yield (f.s, f.p, f.o, g)
        if f.p == RDF.type or (f.s, f.p, f.o, f.span) in seen:
            continue
        seen.add((f.s, f.p, f.o, f.span))
        yield from _evidence(f, doc_id, ex.document_iri, ex.doc.text, g)


def evidence_iri(doc_id: str, f: Fact | None = None, o_n3: str = "") -> URIRef:
    """The IRI of the evidence node of fact ``f`` (whose object in N3 is ``o_n3``) in a document:
    a hash of the statement and its span, the same in :func:`document_lines` and :func:`document_quads`.
    Without ``f``: what the IRIs of the document's evidence nodes start with.

    >>> evidence_iri("recap-2024")
    rdflib.term.URIRef('https://w3id.org/kgkit/id/evidence/recap-2024/')
    """
    return ID[f"evidence/{doc_id}/{_evidence_digest(f, o_n3) if f is not None else ''}"]


def _evidence_digest(f: Fact, o_n3: str) -> str:
    start, end = f.span
    return hashlib.sha1(f"{f.s}|{f.p}|{o_n3}|{start}|{end}".encode()).hexdigest()[:16]


def _evidence(f: Fact, doc_id: str, document: URIRef, text: str, g: URIRef) -> Iterator[Quad]:
    start, end = f.span
    ev = evidence_iri(doc_id, f, f.o.n3())
    quote_sel = ID[f"selector/{doc_id}/q{start}-{end}"]
    pos_sel = ID[f"selector/{doc_id}/p{start}-{end}"]
    yield (ev, RDF.type, KG.Evidence, g)
    yield (ev, RDF.subject, f.s, g)
    yield (ev, RDF.predicate, f.p, g)
    yield (ev, RDF.object, f.o, g)
    yield (ev, KG.sourceDocument, document, g)
    yield (ev, KG.extractionMethod, method(f.method), g)
    yield (ev, KG.confidence, Literal(_canonical(f.confidence), datatype=XSD.decimal), g)
    yield (ev, OA.hasSelector, quote_sel, g)
    yield (ev, OA.hasSelector, pos_sel, g)
    yield (quote_sel, RDF.type, OA.TextQuoteSelector, g)
    yield (quote_sel, OA.exact, Literal(text[start:end]), g)
    yield (pos_sel, RDF.type, OA.TextPositionSelector, g)
    yield (pos_sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger), g)
    yield (pos_sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger), g)


# --- reading it back ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRecord:
    """Where a fact was read: the quote, the document and character span, the method and confidence."""

    quote: str
    document: URIRef | None
    start: int
    end: int
    method: URIRef | None
    confidence: str


def read_evidence(graph: Graph, ev: Node) -> EvidenceRecord:
    """The evidence node ``ev`` of ``graph`` (rdflib), as written by :func:`document_lines`."""
    quote, start, end = "", -1, -1
    for selector in graph.objects(ev, OA.hasSelector):
        quote = str(graph.value(selector, OA.exact) or quote)
        if graph.value(selector, OA.start) is not None:
            start, end = _int(graph.value(selector, OA.start)), _int(graph.value(selector, OA.end))
    doc = graph.value(ev, KG.sourceDocument)
    method = graph.value(ev, KG.extractionMethod)
    return EvidenceRecord(
        quote=quote,
        document=doc if isinstance(doc, URIRef) else None,
        start=start,
        end=end,
        method=method if isinstance(method, URIRef) else None,
        confidence=str(graph.value(ev, KG.confidence) or ""),
    )


def evidence_of(graph: Graph) -> Iterator[tuple[tuple[Node, Node, Node], EvidenceRecord]]:
    """Every (statement, evidence) of ``graph``."""
    for ev in graph.subjects(RDF.type, KG.Evidence):
        s, p, o = (graph.value(ev, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and p is not None and o is not None:
            yield (s, p, o), read_evidence(graph, ev)


def _int(value: Node | None) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1


_NAME_PREDICATES = ", ".join(f"<{p}>" for p in NAME_PROPS)
# the evidence of every statement about an entity; a name is a fact about its own subject only. (?end is
# in a nested OPTIONAL: in one group with ?start, Oxigraph takes 2 s instead of 8 ms at 1M triples.)
_EVIDENCE_QUERY = f"""SELECT ?s ?p ?o ?doc ?path ?method ?conf ?quote ?start ?end WHERE {{
  VALUES ?node {{ ?entities }}
  ?ev rdf:subject|rdf:object ?node .
  ?ev a kg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  FILTER(?s = ?node || ?p NOT IN ({_NAME_PREDICATES}))
  OPTIONAL {{ ?ev kg:sourceDocument ?doc OPTIONAL {{ ?doc kg:sourcePath ?path }} }}
  OPTIONAL {{ ?ev kg:extractionMethod ?method }}
  OPTIONAL {{ ?ev kg:confidence ?conf }}
  OPTIONAL {{ ?ev oa:hasSelector/oa:exact ?quote }}
  OPTIONAL {{ ?ev oa:hasSelector ?at . ?at oa:start ?start OPTIONAL {{ ?at oa:end ?end }} }}
}}"""


def evidence_query(nodes: Iterable[URIRef]) -> str:
    """SPARQL (kgkit's prefixes predeclared) for the evidence of every statement about ``nodes``:
    rows of ?s ?p ?o ?doc ?path ?method ?conf ?quote ?start ?end. A name is a fact about its own
    subject only. The IRIs must be checked ones (read from the graph)."""
    return _EVIDENCE_QUERY.replace("?entities", " ".join(f"<{n}>" for n in nodes))
