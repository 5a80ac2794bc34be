"""The store contract: one set of tests, run on every backend (tests/stores/conftest.py: rdflib in memory,
embedded Oxigraph, an Oxigraph server and Virtuoso). Graphs in, counts, replace, clear; SELECT, ASK and
CONSTRUCT over the union; every canned query gives the rows of the local reference (rdflib on the same
file); parameters are bound as terms; a slow query times out; a syntax error is one line and an update
is refused. What a backend cannot do is declared in its ``capabilities`` (kgkit/stores/base.py), and a
test of it is skipped on that declaration, never because the backend failed."""

from __future__ import annotations

import functools
import math
import time
from decimal import Decimal
from typing import get_args

import pytest
from backends import EX, G1, G2, KG, MakeStore, graph, iri, made
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kgkit.errors import QueryError, StoreError
from kgkit.sparql.library import load_library
from kgkit.sparql.results import QueryResult
from kgkit.stores import Store, upload
from kgkit.stores.base import Capability
from kgkit.stores.query import query

NUMBERS = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.int, XSD.long}


def needs(store: Store, capability: str) -> None:
    assert capability in get_args(Capability)
    if capability not in store.capabilities:
        pytest.skip(f"{store!r} declares no {capability!r}")


def lacks(store: Store, capability: str) -> None:
    assert capability in get_args(Capability)
    if capability in store.capabilities:
        pytest.skip(f"{store!r} declares {capability!r}")


def value(term: object) -> object:
    """A term as RDF compares it: numbers by value (a store may write 1.50 as 1.5), an xsd:string literal
    as the simple literal it is in RDF 1.1."""
    if isinstance(term, Literal) and term.datatype in NUMBERS:
        return ("number", Decimal(str(term.toPython())))
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def normal(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows by value, with each " | "-joined cell's parts sorted (GROUP_CONCAT has no order)."""
    return [
        tuple(
            " | ".join(sorted(str(t).split(" | "))) if isinstance(t, Literal) and " | " in str(t) else value(t)
            for t in row
        )
        for row in rows
    ]


def test_capabilities_are_declared(store: Store) -> None:
    assert store.name in ("memory", "oxigraph", "sparql")
    assert store.capabilities <= set(get_args(Capability)), store.capabilities
    assert "update" in store.capabilities  # every backend of the contract takes graphs


# --- graphs in, counted, replaced, cleared ---------------------------------------------------------------


def test_add_graph_and_counts(store: Store) -> None:
    assert made(store) == {}
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "p", Literal("x", lang="en"))))
    store.add_graph(G2, graph(("c", "p", "d")))
    assert made(store) == {str(G1): 2, str(G2): 1}


def test_add_graph_replaces_the_graph(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "p", "c")))
    store.add_graph(G2, graph(("k", "p", "k")))
    store.add_graph(G1, graph(("z", "p", "z")))
    assert made(store) == {str(G1): 1, str(G2): 1}
    assert store.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s").rows == [(iri("k"),), (iri("z"),)]


def test_the_default_graph(store: Store) -> None:
    needs(store, "default-graph")
    store.add_graph(G1, graph(("a", "p", "b")))
    store.add_graph(None, graph(("e", "p", Literal(3)), ("e", "p", "f")))
    assert made(store) == {str(G1): 1, "": 2}
    store.add_graph(None, graph(("e", "p", "g")))  # replaced, as a named graph is
    assert made(store) == {str(G1): 1, "": 1}
    assert store.query(f"SELECT ?o WHERE {{ <{EX}e> ?p ?o }}").rows == [(iri("g"),)]  # in the union


def test_without_a_default_graph_of_its_own_it_is_refused(store: Store) -> None:
    lacks(store, "default-graph")
    store.add_graph(G1, graph(("a", "p", "b")))
    with pytest.raises(StoreError, match="no default graph"):
        store.add_graph(None, graph(("e", "p", "f")))
    assert made(store) == {str(G1): 1}


def test_blank_nodes_survive_add_graph(store: Store) -> None:
    g = Graph()
    node = BNode()
    g.add((iri("a"), iri("p"), node))
    g.add((node, iri("q"), Literal("deep")))
    store.add_graph(G1, g)
    assert made(store) == {str(G1): 2}
    assert store.query(f"SELECT ?v WHERE {{ <{EX}a> <{EX}p>/<{EX}q> ?v }}").rows == [(Literal("deep"),)]


LITERALS = [
    Literal("plain"),
    Literal("tagged", lang="en"),
    Literal("2024-03-19", datatype=XSD.date),
    Literal("2024-03-19T09:45:00+01:00", datatype=XSD.dateTime),
    Literal(3),
    Literal("1.50", datatype=XSD.decimal),
    Literal("1e3", datatype=XSD.double),
    Literal(True),
    Literal("typed string", datatype=XSD.string),
    Literal('quote " backslash \\ newline \n tab \t é 😀 <tag> { } ; #'),
]


def test_terms_come_back_as_they_went_in(store: Store) -> None:
    store.add_graph(G1, graph(*((f"a{i}", "p", term) for i, term in enumerate(LITERALS))))
    rows = store.query(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}").rows
    got = {str(s): value(o) for s, o in rows}
    assert got == {EX + f"a{i}": value(term) for i, term in enumerate(LITERALS)}
    for i, term in enumerate(LITERALS):  # each one bound as a parameter finds its subject
        found = store.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?_v }}", {"_v": term}).rows
        assert found == [(iri(f"a{i}"),)], term


# --- queries over the union ------------------------------------------------------------------------------


def test_select_ask_construct_over_the_union(store: Store) -> None:
    date = Literal("2024-03-19", datatype=XSD.date)
    store.add_graph(G1, graph(("a", "p", "b")))
    store.add_graph(G2, graph(("b", "p", date)))
    select = store.query(f"SELECT ?x ?d WHERE {{ <{EX}a> <{EX}p> ?x . ?x <{EX}p> ?d }}")  # joins both graphs
    assert select.kind == "SELECT" and select.variables == ["x", "d"]
    assert select.rows == [(iri("b"), date)]
    assert store.query(f"ASK {{ <{EX}a> <{EX}p> ?x . ?x <{EX}p> ?d }}").boolean is True
    assert store.query(f"ASK {{ <{EX}zzz> ?p ?o }}").boolean is False
    construct = store.query(f"CONSTRUCT {{ ?s <{EX}r> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert construct.kind == "CONSTRUCT" and construct.graph is not None
    assert isomorphic(construct.graph, graph(("a", "r", "b"), ("b", "r", date)))


def test_a_triple_in_two_graphs(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "q", "c")))
    store.add_graph(G2, graph(("a", "p", "b")))
    assert store.query(f"SELECT DISTINCT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}").rows == [(iri("b"),)]
    needs(store, "named-graphs")
    found = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}a> <{EX}p> ?o }} }} ORDER BY ?g").rows
    assert found == [(G1,), (G2,)]


def test_the_union_is_a_set(store: Store) -> None:
    needs(store, "set-union")
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "q", "c")))
    store.add_graph(G2, graph(("a", "p", "b")))
    assert store.query(f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}").rows == [(iri("b"),)]
    count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}a> ?p ?o }}").rows
    assert count == [(Literal(2),)]


def test_clear(store: Store) -> None:
    needs(store, "clear")
    store.add_graph(G1, graph(("a", "p", "b")))
    store.add_graph(G2, graph(("a", "p", "c")))
    store.clear()
    assert store.graph_counts() == {}
    assert store.query("ASK { ?s ?p ?o }").boolean is False


def test_without_clear_it_is_refused(store: Store) -> None:
    lacks(store, "clear")
    store.add_graph(G1, graph(("a", "p", "b")))
    with pytest.raises(StoreError, match="cannot be cleared"):
        store.clear()
    assert made(store) == {str(G1): 1}


# --- the canned queries give the local reference's rows ---------------------------------------------------


@functools.cache
def reference(name: str, params: tuple[tuple[str, str], ...] = ()) -> QueryResult:
    """The rows of a canned query on the fixture, by rdflib on the file itself."""
    return query(name, source=KG, store="memory", params=dict(params))


@pytest.mark.parametrize("name", sorted(load_library()))
def test_canned_queries_give_the_reference_rows(store: Store, name: str) -> None:
    upload(store, KG)
    canned = load_library()[name]
    got = store.query(canned.text, canned.bindings())
    expected = reference(name)
    assert got.variables == expected.variables
    assert normal(got.rows) == normal(expected.rows)  # type: ignore[arg-type]
    assert got.rows or canned.materialize  # (a query of a materialized graph: tests/stores/test_union.py)


@pytest.mark.parametrize(
    "params",
    [
        {"root": "kgid:topic/energy-efficiency"},
        {"conference": "kgid:conference/kubecon-cloudnativecon-north-america-2023"},
    ],
)
def test_parameters_give_the_reference_rows(store: Store, params: dict[str, str]) -> None:
    upload(store, KG)
    canned = load_library()["orgs-on-sustainability"]
    got = store.query(canned.text, canned.bindings(params))
    expected = reference("orgs-on-sustainability", tuple(params.items()))
    assert normal(got.rows) == normal(expected.rows)  # type: ignore[arg-type]
    assert len(got.rows) != len(reference("orgs-on-sustainability").rows)  # the parameter did something


def test_parameters_are_bound_as_terms_not_text(store: Store) -> None:
    hostile = Literal('x" } ; DROP ALL ; #')
    store.add_graph(G1, graph(("a", "name", hostile), ("b", "name", Literal("plain")), ("c", "link", "a")))
    found = store.query(f"SELECT ?s WHERE {{ ?s <{EX}name> ?_n }}", {"_n": hostile})
    assert found.rows == [(iri("a"),)]
    assert store.query(f"SELECT ?s WHERE {{ ?s <{EX}name> ?_n }}", {"_n": Literal("x")}).rows == []
    linked = store.query(f"SELECT ?s WHERE {{ ?s <{EX}link> ?_o }}", {"_o": iri("a")})
    assert linked.rows == [(iri("c"),)]
    assert store.query(f"ASK {{ ?s <{EX}link> ?_o }}", {"_o": Literal(str(iri("a")))}).boolean is False
    assert made(store) == {str(G1): 3}


# --- errors ------------------------------------------------------------------------------------------------


def test_a_syntax_error_is_one_line_with_its_place(store: Store) -> None:
    with pytest.raises(QueryError) as info:
        store.query("SELECT ?s\nWHERE {\n  ?s ?p \n}")
    message = str(info.value)
    assert "syntax error" in message and "\n" not in message and info.value.line in (3, 4), message


@pytest.mark.parametrize(
    "update",
    ["DROP ALL", f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}x> <{EX}p> <{EX}y> }} }}", f"CLEAR GRAPH <{G1}>"],
)
def test_an_update_is_refused_by_query(store: Store, update: str) -> None:
    store.add_graph(G1, graph(("a", "p", "b")))
    with pytest.raises(QueryError, match="refused"):
        store.query(update)
    assert made(store) == {str(G1): 1}


# --- a timeout -------------------------------------------------------------------------------------------

SLOW = URIRef(EX + "slow")


def slow_query(store: Store, at_least: float = 1.0) -> tuple[str, Graph, float]:
    """A query that takes ``store`` at least ``at_least`` seconds (a filtered three-way cross product of
    a graph made as large as it takes: engines differ a hundredfold in speed), its graph, and its time."""
    text = (f'SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{EX}v> ?x . ?b <{EX}v> ?y . ?c <{EX}v> ?z '
            f'FILTER(CONCAT(?x, ?y, ?z) != "") }}')
    size = 10
    for _ in range(20):
        data = graph(*((f"s{i}", "v", Literal(f"v{i}")) for i in range(size)))
        store.add_graph(SLOW, data)
        started = time.monotonic()
        rows = store.query(text).rows
        took = time.monotonic() - started
        assert rows == [(Literal(size**3),)]
        if took >= at_least:
            return text, data, took
        size = math.ceil(size * min(3.0, max(1.2, (1.5 * at_least / max(took, 0.01)) ** (1 / 3))))
    raise AssertionError(f"{store!r}: no query as slow as {at_least} s")


@pytest.mark.slow
def test_a_slow_query_times_out_and_the_store_still_answers(make_store: MakeStore) -> None:
    text, data, took = slow_query(make_store(None))
    timeout = took / 4
    store = make_store(timeout)
    store.add_graph(SLOW, data)  # the same graph (again, on a server)
    started = time.monotonic()
    with pytest.raises(StoreError, match="timed out"):
        store.query(text)
    waited = time.monotonic() - started
    assert timeout <= waited < took * 0.75, (timeout, waited, took)  # not waiting for the answer
    assert store.query(f"ASK {{ <{EX}s0> ?p ?o }}").boolean is True
