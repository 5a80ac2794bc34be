"""The evidence model, written and read here only.

Each statement ``s p o`` of a document's graph (but its rdf:type) is reified once, as a statement node
named from the triple itself, and linked to the evidence it was read from::

    kgid:statement/{sha1}  rdf:subject s ; rdf:predicate p ; rdf:object o ;
                           kg:evidence kgid:evidence/{doc}/{start}-{end}/{method}/{confidence} .

``{sha1}`` is the SHA-1 (hex) of the triple as N-Triples writes it, without the final `` .``
(``<s> <p> <o>``), so a query that has found ``?s ?p ?o`` reaches its evidence in one look-up:
``IRI(CONCAT(".../id/statement/", SHA1(CONCAT("<", STR(?s), "> <", STR(?p), "> <", STR(?o), ">"))))``.
The same statement has the same node in every document graph that states it. A kg:Evidence node stands
for one sentence (span) of one document read by one method with one confidence, and is shared by every
statement read there so: the document (kg:sourceDocument), the method, the confidence, and two Web
Annotation selectors on the document's text, the exact quote and its character span (shared by all
evidence from that span).
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

#: What every statement node's IRI starts with; the rest is the SHA-1 of its triple (:func:`statement_iri`).
STATEMENT = ID["statement/"]
_STATEMENT_PREFIX = f"<{STATEMENT}"


def document_lines(ex: Extraction, min_confidence: float = 0.0) -> list[str]:
    """The sorted, distinct N-Quads lines of one document's named graph: the same lines as
    ``nquad`` of :func:`document_quads`, written straight as text (the hot path of a build)."""
    g = n3_iri(document_graph(ex.doc.id))
    doc_id, document, text = ex.doc.id, n3_iri(ex.document_iri), ex.doc.text
    lines: set[str] = set()
    seen: set[tuple[str, str, str, tuple[int, int]]] = set()
    statements: dict[tuple[str, str, str], str] = {}  # triple -> its statement IRI
    blocks: dict[str, tuple[list[str], set[str]]] = {}  # statement IRI -> its three lines, its evidence lines
    evidence: dict[tuple[tuple[int, int], str, float], str] = {}  # (span, method, confidence) -> its IRI
    selectors: dict[tuple[int, int], tuple[str, str]] = {}  # span -> the two selector IRIs, lines written
    for f in ex.facts:
        if f.confidence < min_confidence:
            continue
        s, p = n3_iri(f.s), n3_iri(f.p)
        o = one_line(_quoteLiteral(f.o)) if isinstance(f.o, Literal) else n3_iri(f.o)
        lines.add(f"{s} {p} {o} {g} .\n")
        if p == _RDF_TYPE or (s, p, o, f.span) in seen:
            continue
        seen.add((s, p, o, f.span))
        start, end = f.span
        if f.span not in selectors:
            quote, pos = f"<{ID}selector/{doc_id}/q{start}-{end}>", f"<{ID}selector/{doc_id}/p{start}-{end}>"
            selectors[f.span] = (quote, pos)
            exact = one_line(_quote_encode(text[start:end]))  # a plain literal, as _quoteLiteral writes it
            lines.add(f"{quote} {_RDF_TYPE} {_QUOTE} {g} .\n")
            lines.add(f"{quote} {_EXACT} {exact} {g} .\n")
            lines.add(f"{pos} {_RDF_TYPE} {_POSITION} {g} .\n")
            lines.add(f'{pos} {_START} "{start}"^^{_NNI} {g} .\n')
            lines.add(f'{pos} {_END} "{end}"^^{_NNI} {g} .\n')
        key = (f.span, f.method, f.confidence)
        ev = evidence.get(key)
        if ev is None:
            ev = evidence[key] = f"<{ID}evidence/{doc_id}/{start}-{end}/{f.method}/{_confidence(f.confidence)}>"
            quote, pos = selectors[f.span]
            lines.add(f"{ev} {_RDF_TYPE} {_EVIDENCE} {g} .\n")
            lines.add(f"{ev} {_SOURCE} {document} {g} .\n")
            lines.add(f"{ev} {_METHOD} {_method(f.method)} {g} .\n")
            lines.add(f"{ev} {_CONFIDENCE} {_decimal(f.confidence)} {g} .\n")
            lines.add(f"{ev} {_SELECTOR} {quote} {g} .\n")
            lines.add(f"{ev} {_SELECTOR} {pos} {g} .\n")
        st = statements.get((s, p, o))
        if st is None:
            st = statements[(s, p, o)] = f"<{_statement(s, p, o)}>"
            # in the order sorting gives: rdf:object, rdf:predicate, rdf:subject, then kg:evidence
            blocks[st] = ([f"{st} {_RDF_OBJECT} {o} {g} .\n", f"{st} {_RDF_PREDICATE} {p} {g} .\n",
                           f"{st} {_RDF_SUBJECT} {s} {g} .\n"], set())
        blocks[st][1].add(f"{st} {_HAS_EVIDENCE} {ev} {g} .\n")
    # The statement nodes' lines sort together (no other subject starts with the statement prefix), and
    # their IRIs have one length: sorting the nodes, each's lines in the order above, sorts the lines.
    rest = sorted(lines)
    at = bisect.bisect_left(rest, _STATEMENT_PREFIX)
    if at < len(rest) and rest[at].startswith(_STATEMENT_PREFIX):  # a curated fact about a statement node
        return sorted(lines.union(line for st in blocks for line in (*blocks[st][0], *blocks[st][1])))
    ordered = (line for st in sorted(blocks) for line in (*blocks[st][0], *sorted(blocks[st][1])))
    return [*rest[:at], *ordered, *rest[at:]]


@lru_cache(maxsize=64)
def _method(name: str) -> str:
    return n3_iri(method(name))


_RDF_TYPE, _RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = (
    f"<{t}>" for t in (RDF.type, RDF.subject, RDF.predicate, RDF.object)
)


_EVIDENCE, _HAS_EVIDENCE, _SOURCE, _METHOD, _CONFIDENCE = (
    f"<{t}>" for t in (KG.Evidence, KG.evidence, KG.sourceDocument, KG.extractionMethod, KG.confidence)
)


_SELECTOR, _QUOTE, _EXACT = f"<{OA.hasSelector}>", f"<{OA.TextQuoteSelector}>", f"<{OA.exact}>"


_POSITION, _START, _END = f"<{OA.TextPositionSelector}>", f"<{OA.start}>", f"<{OA.end}>"


_NNI = f"<{XSD.nonNegativeInteger}>"


@lru_cache(maxsize=256)
def _decimal(value: float) -> str:
    return str(_quoteLiteral(Literal(_canonical(value), datatype=XSD.decimal)))


@lru_cache(maxsize=256)
def _confidence(value: float) -> str:
    """A confidence as its xsd:decimal's lexical form ("0.8", "1.0"), as evidence IRIs end."""
    return str(_canonical(value))


def _canonical(value: float) -> Decimal:
    """A confidence as an xsd:decimal: always with a fraction ("1.0"), the form rdflib's Turtle writer
    keeps (it writes "1" as 1.0, which reads back as another literal)."""
    return Decimal(str(float(value)))


def document_quads(ex: Extraction, min_confidence: float = 0.0) -> Iterator[Quad]:
    """The quads of one document's named graph: its facts, a statement node for each, and the evidence
    and selectors they point at (each evidence node and selector once)."""
    g = document_graph(ex.doc.id)
    seen: set[tuple[Node, Node, Node, tuple[int, int]]] = set()
    evidence: set[tuple[tuple[int, int], str, float]] = set()
    spans: set[tuple[int, int]] = set()
    for f in ex.facts:
        if f.confidence < min_confidence:
            continue
        yield (f.s, f.p, f.o, g)
        if f.p == RDF.type or (f.s, f.p, f.o, f.span) in seen:
            continue
        seen.add((f.s, f.p, f.o, f.span))
        ev = evidence_iri(ex.doc.id, f.span, f.method, f.confidence)
        if f.span not in spans:
            spans.add(f.span)
            yield from _selectors(ex.doc.id, f.span, ex.doc.text, g)
        if (f.span, f.method, f.confidence) not in evidence:
            evidence.add((f.span, f.method, f.confidence))
            yield from _evidence(f, ev, ex.doc.id, ex.document_iri, g)
        st = statement_iri(f.s, f.p, f.o)
        yield (st, RDF.subject, f.s, g)
        yield (st, RDF.predicate, f.p, g)
        yield (st, RDF.object, f.o, g)
        yield (st, KG.evidence, ev, g)


def statement_iri(s: Node, p: Node, o: Node) -> URIRef:
    """The IRI of the statement node of ``s p o``: :data:`STATEMENT` and the SHA-1 (hex) of the triple as
    N-Triples writes it, without the final " ." -- for IRIs, what SPARQL computes as
    ``SHA1(CONCAT("<", STR(?s), "> <", STR(?p), "> <", STR(?o), ">"))``.

    >>> from rdflib import Namespace
    >>> ex = Namespace("http://example.org/")
    >>> statement_iri(ex.a, ex.p, ex.b)
    rdflib.term.URIRef('https://w3id.org/kgkit/id/statement/dbbfaea61196768a0622b25a581e2e347c9703a3')
    """
    obj = one_line(_quoteLiteral(o)) if isinstance(o, Literal) else n3_iri(o)
    return URIRef(_statement(n3_iri(s), n3_iri(p), obj))


def _statement(s: str, p: str, o: str) -> str:
    """The statement IRI (as text) of the triple whose terms are ``s``, ``p``, ``o`` in N-Triples."""
    return f"{STATEMENT}{hashlib.sha1(f'{s} {p} {o}'.encode()).hexdigest()}"


def evidence_iri(doc_id: str, span: tuple[int, int] | None = None, method: str = "", confidence: float = 0.0) -> URIRef:
    """The IRI of the evidence node of a document's span read by ``method`` with ``confidence``: the same
    in :func:`document_lines` and :func:`document_quads`. Without a span: what the IRIs of the document's
    evidence nodes start with.

    >>> evidence_iri("recap-2024", (120, 260), "pattern", 0.8)
    rdflib.term.URIRef('https://w3id.org/kgkit/id/evidence/recap-2024/120-260/pattern/0.8')
    >>> evidence_iri("recap-2024")
    rdflib.term.URIRef('https://w3id.org/kgkit/id/evidence/recap-2024/')
    """
    if span is None:
        return ID[f"evidence/{doc_id}/"]
    return ID[f"evidence/{doc_id}/{span[0]}-{span[1]}/{method}/{_confidence(confidence)}"]


def _selectors(doc_id: str, span: tuple[int, int], text: str, g: URIRef) -> Iterator[Quad]:
    start, end = span
    quote_sel = ID[f"selector/{doc_id}/q{start}-{end}"]
    pos_sel = ID[f"selector/{doc_id}/p{start}-{end}"]
    yield (quote_sel, RDF.type, OA.TextQuoteSelector, g)
    yield (quote_sel, OA.exact, Literal(text[start:end]), g)
    yield (pos_sel, RDF.type, OA.TextPositionSelector, g)
    yield (pos_sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger), g)
    yield (pos_sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger), g)


def _evidence(f: Fact, ev: URIRef, doc_id: str, document: URIRef, g: URIRef) -> Iterator[Quad]:
    start, end = f.span
    yield (ev, RDF.type, KG.Evidence, g)
    yield (ev, KG.sourceDocument, document, g)
    yield (ev, KG.extractionMethod, method(f.method), g)
    yield (ev, KG.confidence, Literal(_canonical(f.confidence), datatype=XSD.decimal), g)
    yield (ev, OA.hasSelector, ID[f"selector/{doc_id}/q{start}-{end}"], g)
    yield (ev, OA.hasSelector, ID[f"selector/{doc_id}/p{start}-{end}"], g)


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
    """Every (statement, evidence) of ``graph``: one for each link from a statement node to its evidence."""
    records: dict[Node, EvidenceRecord] = {}  # an evidence node is shared by the statements of its sentence
    for st, ev in graph.subject_objects(KG.evidence):
        s, p, o = (graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and p is not None and o is not None:
            if ev not in records:
                records[ev] = read_evidence(graph, ev)
            yield (s, p, o), records[ev]


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
  ?statement rdf:subject|rdf:object ?node .
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?ev .
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
