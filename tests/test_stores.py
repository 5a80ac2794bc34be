"""One suite, two backends: the in-memory rdflib store and a real Oxigraph server over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_stores import oxigraph_url  # noqa: F401  (fixture)
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgkit.errors import QueryError, StoreError
from kgkit.query import load_library, query
from kgkit.stores import MemoryStore, SparqlStore, Store, open_store, upload

KG = Path(__file__).parent / "data" / "query" / "kg.trig"
EX = "http://example.org/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")


def graph(*triples: tuple[str, str, str | Literal]) -> Graph:
    g = Graph()
    for s, p, o in triples:
        g.add((URIRef(EX + s), URIRef(EX + p), o if isinstance(o, Literal) else URIRef(EX + o)))
    return g


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store of each backend (the Oxigraph one is cleared before and after)."""
    if request.param == "memory":
        yield MemoryStore()
        return
    base = request.getfixturevalue("oxigraph_url")
    remote = SparqlStore(f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store")
    remote.clear()
    yield remote
    remote.clear()


def test_add_graph_and_counts(store: Store) -> None:
    assert store.graph_counts() == {}
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "p", Literal("x", lang="en"))))
    store.add_graph(G2, graph(("c", "p", "d")))
    store.add_graph(None, graph(("e", "p", Literal(3))))
    assert store.graph_counts() == {str(G1): 2, str(G2): 1, "": 1}


def test_add_graph_replaces_the_graph(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b"), ("a", "p", "c")))
    store.add_graph(G1, graph(("z", "p", "z")))
    assert store.graph_counts() == {str(G1): 1}
    result = store.query(f"SELECT ?s WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert result.rows == [(URIRef(EX + "z"),)]


def test_blank_nodes_survive_add_graph(store: Store) -> None:
    g = Graph()
    node = BNode()
    g.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
    g.add((node, URIRef(EX + "q"), Literal("deep")))
    store.add_graph(G1, g)
    result = store.query(f"SELECT ?v WHERE {{ <{EX}a> <{EX}p>/<{EX}q> ?v }}")
    assert result.rows == [(Literal("deep"),)]


def test_select_ask_construct(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b")))
    store.add_graph(
        G2, graph(("b", "p", Literal("2024-03-19", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    )
    # both graphs are seen as one: the union
    select = store.query(f"SELECT ?x ?d WHERE {{ <{EX}a> <{EX}p> ?x . ?x <{EX}p> ?d }}")
    assert select.kind == "SELECT" and select.variables == ["x", "d"]
    assert select.rows == [
        (URIRef(EX + "b"), Literal("2024-03-19", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))
    ]
    assert store.query(f"ASK {{ <{EX}a> ?p ?o }}").boolean is True
    assert store.query(f"ASK {{ <{EX}zzz> ?p ?o }}").boolean is False
    construct = store.query(f"CONSTRUCT {{ ?s <{EX}r> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert construct.kind == "CONSTRUCT" and construct.graph is not None
    assert isomorphic(
        construct.graph,
        graph(
            ("a", "r", "b"),
            ("b", "r", Literal("2024-03-19", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))),
        ),
    )


def test_bindings_are_terms_not_text(store: Store) -> None:
    store.add_graph(G1, graph(("a", "name", Literal('x" } ; DROP ALL ; #')), ("b", "name", Literal("plain"))))
    found = store.query(f"SELECT ?s WHERE {{ ?s <{EX}name> ?_n }}", {"_n": Literal('x" } ; DROP ALL ; #')})
    assert found.rows == [(URIRef(EX + "a"),)]
    assert store.graph_counts() == {str(G1): 2}


def test_updates_are_refused(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b")))
    with pytest.raises(QueryError, match="refused"):
        store.query("DROP ALL")
    assert store.graph_counts() == {str(G1): 1}


def test_clear(store: Store) -> None:
    store.add_graph(G1, graph(("a", "p", "b")))
    store.add_graph(None, graph(("a", "p", "c")))
    store.clear()
    assert store.graph_counts() == {}


@pytest.mark.parametrize("name", sorted(load_library()))
def test_canned_queries_answer_the_same(store: Store, name: str) -> None:
    upload(store, KG)
    expected = query(name, source=KG)
    got = store.query(load_library()[name].text, load_library()[name].bindings())

    def normal(rows: list[tuple[object, ...]]) -> list[tuple[str | None, ...]]:
        return [
            tuple(None if t is None else " | ".join(sorted(str(t).split(" | "))) for t in row) for row in rows
        ]

    assert got.variables == expected.variables
    assert normal(got.rows) == normal(expected.rows) and got.rows  # type: ignore[arg-type]


def test_remote_parameters_match_local(oxigraph_url: str) -> None:  # noqa: F811
    remote = SparqlStore(
        f"{oxigraph_url}/query", update_url=f"{oxigraph_url}/update", gsp_url=f"{oxigraph_url}/store"
    )
    remote.clear()
    upload(remote, KG)
    try:
        for params in (
            {"root": "kgid:topic/energy-efficiency"},
            {"conference": "kgid:conference/kubecon-cloudnativecon-north-america-2023"},
        ):
            local = query("orgs-on-sustainability", source=KG, params=params)
            there = query("orgs-on-sustainability", endpoint=f"{oxigraph_url}/query", params=params)
            assert [r[0] for r in there.rows] == [r[0] for r in local.rows]
    finally:
        remote.clear()


def test_sparql_update_is_used_without_a_graph_store(oxigraph_url: str) -> None:  # noqa: F811
    remote = SparqlStore(f"{oxigraph_url}/query", update_url=f"{oxigraph_url}/update")
    remote.clear()
    remote.add_graph(G1, graph(("a", "p", Literal('quote " and \\ and \n newline'))))
    remote.add_graph(None, graph(("a", "p", "b")))
    assert remote.graph_counts() == {str(G1): 1, "": 1}
    value = remote.query(f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}").rows[0][0]
    assert value == Literal('quote " and \\ and \n newline')
    remote.clear()
    with pytest.raises(StoreError, match="read-only"):
        SparqlStore(f"{oxigraph_url}/query").add_graph(G1, graph(("a", "p", "b")))


def test_remote_errors_are_one_line_without_credentials(oxigraph_url: str) -> None:  # noqa: F811
    secret_url = oxigraph_url.replace("http://", "http://kgkit:s3cret@") + "/no-such-endpoint"
    with pytest.raises(StoreError) as info:
        SparqlStore(secret_url, auth=("kgkit", "s3cret")).query("ASK { ?s ?p ?o }")
    message = str(info.value)
    assert "HTTP 404" in message and "s3cret" not in message and "\n" not in message
    with pytest.raises(StoreError, match="HTTP 4"):
        SparqlStore(f"{oxigraph_url}/query", gsp_url=f"{oxigraph_url}/nowhere").add_graph(
            G1, graph(("a", "p", "b"))
        )


def test_unreachable_endpoint() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        SparqlStore("http://127.0.0.1:9/query", timeout=2).query("ASK { ?s ?p ?o }")


def test_open_store_picks_the_backend(oxigraph_url: str) -> None:  # noqa: F811
    assert isinstance(open_store(None, source=KG), MemoryStore)
    assert isinstance(open_store(f"{oxigraph_url}/query"), SparqlStore)
