"""The evidence model (kgkit/graph/evidence.py): statements named from their triple, evidence shared by the
statements of a sentence, and every fact still traced to its document, quote, span, method and confidence."""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox
import pytest
from paths import CORPUS
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgkit.documents.read import read_document
from kgkit.extraction.extract import extract
from kgkit.extraction.state import Extraction
from kgkit.graph.evidence import (
    STATEMENT,
    _canonical,
    document_lines,
    document_quads,
    evidence_iri,
    evidence_of,
    statement_iri,
)
from kgkit.rdf.terms import KG, PREFIXES, document_graph, method
from kgkit.resources import queries_dir

DOCUMENTS = sorted(p.name for p in CORPUS.iterdir())


@cache
def extraction(name: str) -> Extraction:
    path = CORPUS / name
    doc = read_document(path, path.parent)
    doc.id = path.stem
    return extract(doc)


def graph_of(ex: Extraction, min_confidence: float = 0.0) -> Graph:
    g = Graph()
    for s, p, o, _ in document_quads(ex, min_confidence):
        g.add((s, p, o))
    return g


Trace = tuple[URIRef, URIRef, object, URIRef | None, URIRef | None, str, str, int, int]


def expected_traces(ex: Extraction, min_confidence: float = 0.0) -> set[Trace]:
    """What the facts say about where each was read: for each statement and span (the first fact of the
    two, as the writer keeps), the document, method, confidence, quote and span."""
    traces: dict[tuple[object, ...], Trace] = {}
    for f in ex.facts:
        if f.p == RDF.type or f.confidence < min_confidence or (f.s, f.p, f.o, f.span) in traces:
            continue
        start, end = f.span
        traces[(f.s, f.p, f.o, f.span)] = (f.s, f.p, f.o, ex.document_iri, method(f.method),
                                            str(_canonical(f.confidence)), ex.doc.text[start:end], start, end)
    return set(traces.values())


@pytest.mark.parametrize("min_confidence", [0.0, 0.75])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_fact_is_traced_to_its_document_quote_span_method_and_confidence(name: str,
                                                                               min_confidence: float) -> None:
    ex = extraction(name)
    g = graph_of(ex, min_confidence)
    traced = {(s, p, o, e.document, e.method, e.confidence, e.quote, e.start, e.end)
              for (s, p, o), e in evidence_of(g)}
    assert traced == expected_traces(ex, min_confidence)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_written_lines_are_the_graph_of_the_quads(name: str) -> None:
    ex = extraction(name)
    dataset = Dataset()
    dataset.parse(data="".join(document_lines(ex)), format="nquads")
    [name_of_graph] = {c for _, _, _, c in dataset.quads((None, None, None, None))}
    assert name_of_graph == document_graph(ex.doc.id)
    from_lines = Graph()
    for triple in dataset.graph(name_of_graph):
        from_lines.add(triple)
    assert isomorphic(from_lines, graph_of(ex))


def test_evidence_is_one_node_per_sentence_method_and_confidence() -> None:
    ex = extraction(DOCUMENTS[1])
    g = graph_of(ex)
    evidence = set(g.subjects(RDF.type, KG.Evidence))
    first: dict[tuple[object, ...], URIRef] = {}  # (statement, span) -> the evidence of its first fact
    for f in ex.facts:
        if f.p != RDF.type:
            first.setdefault((f.s, f.p, f.o, f.span), evidence_iri(ex.doc.id, f.span, f.method, f.confidence))
    assert evidence == set(first.values())
    links = set(g.subject_objects(KG.evidence))
    assert len(evidence) < len(links)  # shared: several statements of a sentence point at one node
    for st, ev in links:
        s, p, o = (g.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        assert s is not None and p is not None and o is not None
        assert st == statement_iri(s, p, o)
        assert str(ev).startswith(str(evidence_iri(ex.doc.id)))


def test_a_statement_is_named_from_its_triple_alone() -> None:
    """The same triple in two documents is one statement node; its evidence tells the documents apart."""
    a, b = extraction(DOCUMENTS[0]), extraction(DOCUMENTS[1])
    shared = {(f.s, f.p, f.o) for f in a.facts} & {(f.s, f.p, f.o) for f in b.facts}
    s, p, o = next(t for t in sorted(shared, key=str) if t[1] != RDF.type)
    g = graph_of(a) + graph_of(b)
    st = statement_iri(s, p, o)
    assert str(st).startswith(str(STATEMENT))
    assert {g.value(ev, KG.sourceDocument) for ev in g.objects(st, KG.evidence)} == {a.document_iri, b.document_iri}
    assert statement_iri(s, p, Literal("x")) != statement_iri(s, p, Literal("x", lang="en"))


def _statement_expression() -> str:
    """The expression of the flagship query that names a statement from ?s ?p ?o (the writer must agree)."""
    text = (queries_dir() / "orgs-on-sustainability.rq").read_text(encoding="utf-8")
    found = re.search(r"BIND\((COALESCE\(IRI\(CONCAT\(\"https://w3id.org/kgkit/id/statement/\",.*?\)\)\)\), rdf:nil\))"
                      r"\s+AS \?statement\)", text, re.DOTALL)
    assert found, "the flagship query no longer names statements from their triple"
    return found[1]


def test_sparql_names_a_statement_as_the_writer_does_on_rdflib_and_oxigraph() -> None:
    g = Graph()
    for name in DOCUMENTS:
        g += graph_of(extraction(name))
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    query = (f"{prefixes}SELECT ?statement ?computed WHERE {{ ?statement rdf:subject ?s ; rdf:predicate ?p ; "
             f"rdf:object ?o . FILTER(isIRI(?o)) BIND({_statement_expression()} AS ?computed) }}")
    rdflib_rows = {(str(r[0]), str(r[1])) for r in g.query(query)}  # type: ignore[index]
    store = ox.Store()
    store.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    oxigraph_rows = {(r["statement"].value, r["computed"].value) for r in store.query(query)}  # type: ignore[union-attr]
    assert len(rdflib_rows) > 100
    assert all(statement == computed for statement, computed in rdflib_rows)
    assert oxigraph_rows == rdflib_rows
