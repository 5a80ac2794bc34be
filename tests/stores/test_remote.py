"""What is particular to remote stores (kgkit/stores/remote.py): the endpoints guessed from a URL,
graphs sent by SPARQL Update when there is no Graph Store, canned queries with parameters through
``query(endpoint=...)`` and the backend ``open_store`` picks. The tests every backend passes are the store
contract (tests/stores/test_contract.py); HTTP failures are tests/stores/test_http.py."""

from __future__ import annotations

import pytest
from backends import G1, KG, graph
from rdflib import Literal

from kgkit.errors import StoreError
from kgkit.stores import open_store, upload
from kgkit.stores.memory import MemoryStore
from kgkit.stores.query import query
from kgkit.stores.remote import Endpoints, SparqlStore, guess_endpoints


@pytest.mark.external
def test_remote_parameters_match_local(oxigraph_url: str) -> None:
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


@pytest.mark.external
def test_sparql_update_is_used_without_a_graph_store(oxigraph_url: str) -> None:
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


@pytest.mark.external
def test_open_store_picks_the_backend(oxigraph_url: str) -> None:
    assert isinstance(open_store(KG, store="memory"), MemoryStore)
    assert isinstance(open_store(endpoint=f"{oxigraph_url}/query"), SparqlStore)


def test_guess_endpoints() -> None:
    assert guess_endpoints("http://h:3030/kg/query") == Endpoints(
        "http://h:3030/kg/query", "http://h:3030/kg/update", "http://h:3030/kg/store"
    )
    assert guess_endpoints("https://h/sparql-auth").gsp == "https://h/sparql-graph-crud-auth"
    assert guess_endpoints("https://neptune:8182/sparql").update == "https://neptune:8182/sparql"
    assert guess_endpoints("http://h:7200/repositories/kg").gsp == "http://h:7200/repositories/kg/rdf-graphs/service"
    assert guess_endpoints("http://h/other") == Endpoints("http://h/other", "http://h/other", None)
