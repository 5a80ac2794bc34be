"""``kgkit serve``: a SPARQL 1.1 Protocol endpoint on 127.0.0.1 over the built graph, used through
SPARQLWrapper, ``kgkit query --endpoint`` and plain HTTP (content negotiation, read-only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import pytest
from rdflib import Dataset, Graph, URIRef
from SPARQLWrapper import CSV, JSON, N3, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kgkit.present.serve import SparqlServer, negotiate, running
from kgkit.rdf.read import as_dataset
from kgkit.sparql.library import load_library
from kgkit.sparql.text import with_values
from kgkit.stores.query import query

CliRun = Callable[..., tuple[int, str, str]]
PREFIX = "PREFIX kg: <https://w3id.org/kgkit/ontology#>\n"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KG_ORG = URIRef("https://w3id.org/kgkit/ontology#Organization")


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[SparqlServer]:
    with running(built_dir) as running_server:
        yield running_server


@pytest.fixture(scope="module")
def corpus(built_dir: Path) -> Dataset:
    return as_dataset(built_dir)


def http(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def normal(rows: list[tuple[Any, ...]]) -> list[tuple[str | None, ...]]:
    return [tuple(None if t is None else " | ".join(sorted(str(t).split(" | "))) for t in row) for row in rows]


def test_binds_loopback_and_serves_every_triple(server: SparqlServer, corpus: Dataset) -> None:
    assert server.host == "127.0.0.1" and server.loopback
    assert server.httpd.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/sparql"
    # the union of the graphs as a set of triples, as local `kgkit query` sees it (issue 17: not the quads)
    assert server.triples == len({(s, p, o) for s, p, o, _ in corpus.quads((None, None, None, None))})


@pytest.mark.parametrize("name", sorted(load_library()))
def test_canned_queries_answer_as_locally(server: SparqlServer, built_dir: Path, name: str) -> None:
    local = query(name, source=built_dir)
    remote = query(name, endpoint=server.url)
    assert remote.variables == local.variables
    assert normal(remote.rows) == normal(local.rows)
    assert local.rows or load_library()[name].materialize  # (its graph: tests/stores/test_union.py)


def test_cli_query_against_the_endpoint(run_cli: CliRun, server: SparqlServer, built_dir: Path) -> None:
    code, remote, err = run_cli("query", "sessions-by-day", "--endpoint", server.url, "--format", "csv")
    assert code == 0, err
    code, local, _ = run_cli("query", "sessions-by-day", "-i", str(built_dir), "--format", "csv")
    assert remote == local
    root = server.url.rsplit("/", 1)[0]  # a server's root URL finds /sparql
    code, remote, err = run_cli("query", "speakers-and-organizations", "--endpoint", root, "--format", "json")
    assert code == 0, err and json.loads(remote)["results"]["bindings"]


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_results_format(server: SparqlServer, fmt: str) -> None:
    client = SPARQLWrapper(server.url)
    client.setQuery(PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Session }")
    client.setReturnFormat(fmt)
    result = client.query()
    converted = result.convert()
    if fmt == JSON:
        assert isinstance(converted, dict) and int(converted["results"]["bindings"][0]["n"]["value"]) > 10
    elif fmt == XML:
        assert isinstance(converted, Document) and "sparql-results" in converted.toxml()
    else:
        text = converted.decode() if isinstance(converted, bytes) else str(converted)
        assert text.splitlines()[0] in ("n", "?n") and int(text.splitlines()[1].split("^^")[0].strip('"')) > 10


def test_sparqlwrapper_ask_construct_and_post(server: SparqlServer, corpus: Dataset) -> None:
    client = SPARQLWrapper(server.url)
    client.setMethod(POST)
    client.setQuery(PREFIX + "ASK { ?s a kg:Conference }")
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict) and answer["boolean"] is True
    for fmt in (TURTLE, N3):
        client = SPARQLWrapper(server.url)
        client.setQuery(PREFIX + "CONSTRUCT { ?s a kg:Conference } WHERE { ?s a kg:Conference }")
        client.setReturnFormat(fmt)
        data = client.query().convert()
        g = Graph().parse(data=data, format="turtle")  # type: ignore[arg-type]
        assert len(g) == 3


def test_content_negotiation(server: SparqlServer) -> None:
    select = urllib.parse.quote(PREFIX + "SELECT ?c WHERE { ?c a kg:Conference } ORDER BY ?c")
    construct = urllib.parse.quote(PREFIX + "CONSTRUCT { ?c a kg:Conference } WHERE { ?c a kg:Conference }")
    cases = [
        (select, "application/sparql-results+xml;q=0.5, text/csv", "text/csv"),
        (select, "application/sparql-results+json", "application/sparql-results+json"),
        (select, "text/tab-separated-values", "text/tab-separated-values"),
        (select, "*/*", "application/sparql-results+json"),
        (select, "", "application/sparql-results+json"),
        (construct, "application/n-triples", "application/n-triples"),
        (construct, "application/rdf+xml", "application/rdf+xml"),
        (construct, "application/ld+json", "application/ld+json"),
        (construct, "text/*", "text/turtle"),
    ]
    for text, accept, expected in cases:
        status, media, body = http(f"{server.url}?query={text}", headers={"Accept": accept} if accept else {})
        assert status == 200 and media.split(";")[0] == expected, (accept, media)
        assert body
    status, media, body = http(f"{server.url}?query={construct}&format=nt", headers={"Accept": "text/turtle"})
    assert media.startswith("application/n-triples") and body.count(b"\n") == 3
    status, _, body = http(f"{server.url}?query={select}", headers={"Accept": "image/png"})
    assert status == 406 and b"text/csv" in body
    assert negotiate("text/turtle;q=0, application/n-triples;q=0.1", graph=True).name == "nt"  # type: ignore[union-attr]


def test_turtle_results_use_the_kgkit_prefixes(server: SparqlServer) -> None:
    text = urllib.parse.quote(PREFIX + "CONSTRUCT { ?c a kg:Conference } WHERE { ?c a kg:Conference }")
    _, _, body = http(f"{server.url}?query={text}", headers={"Accept": "text/turtle"})
    assert b"@prefix kg: <https://w3id.org/kgkit/ontology#>" in body and b" a kg:Conference" in body


def test_post_query_forms(server: SparqlServer) -> None:
    text = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Person }"
    accept = {"Accept": "text/csv"}
    direct = http(server.url, data=text.encode(), headers={**accept, "Content-Type": "application/sparql-query"})
    form = http(server.url, data=urllib.parse.urlencode({"query": text}).encode(),
                headers={**accept, "Content-Type": "application/x-www-form-urlencoded"})
    assert direct[0] == form[0] == 200 and direct[2] == form[2]
    bad = http(server.url, data=b"x", headers={"Content-Type": "image/png"})
    assert bad[0] == 400


def test_dataset_parameters(server: SparqlServer, corpus: Dataset) -> None:
    vocabulary = "https://w3id.org/kgkit/graph/vocabulary"
    text = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    _, _, body = http(f"{server.url}?query={text}&default-graph-uri={urllib.parse.quote(vocabulary)}&format=json")
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n == len(corpus.graph(URIRef(vocabulary)))
    graphs = urllib.parse.quote("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    _, _, body = http(f"{server.url}?query={graphs}&format=json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "7"  # one graph per document, and 2


def test_errors(server: SparqlServer) -> None:
    status, _, body = http(f"{server.url}?query={urllib.parse.quote('SELEC nothing')}")
    assert status == 400 and b"syntax error" in body
    assert http(server.url.replace("/sparql", "/elsewhere"))[0] == 404
    assert http(server.url, data=b"x", method="PUT", headers={"Content-Type": "text/turtle"})[0] == 405
    status, _, body = http(server.url)
    assert status == 200 and b"read-only" in body  # no query: a short description
    status, _, _ = http(f"{server.url}?query=ASK%7B%7D", headers={"Host": "attacker.example"})
    assert status == 403  # DNS rebinding: only loopback host names are answered


def test_updates_are_refused_by_default(server: SparqlServer) -> None:
    before = server.triples
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }"
    status, _, body = http(server.url, data=insert.encode(), headers={"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    client = SPARQLWrapper(server.url)
    client.setMethod(POST)
    client.setQuery(insert)
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        client.query()
    assert len(server.store.union) == before


def test_allow_update(built_dir: Path) -> None:
    with running(built_dir, allow_update=True) as writable:
        insert = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> 1 } }"
        client = SPARQLWrapper(writable.url)
        client.setMethod(POST)
        client.setQuery(insert)
        client.query()
        assert query("ASK { <http://example.org/a> ?p ?o }", endpoint=writable.url).boolean is True
        foreign = http(writable.url, data=b"CLEAR ALL",
                       headers={"Content-Type": "application/sparql-update", "Origin": "https://example.com"})
        assert foreign[0] == 403  # a web page elsewhere cannot post updates to it
        assert query("ASK { <http://example.org/a> ?p ?o }", endpoint=writable.url).boolean is True


@pytest.mark.slow
def test_cli_serve_runs_until_interrupted(built_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from kgkit.cli import main; main()", "serve", "-i", str(built_dir), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline().decode()
        assert line.startswith("Serving ") and "read-only" in line, line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/sparql")
        assert query("sessions-by-day", endpoint=url).rows
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) in (0, 130)  # Ctrl-C: "stopped", or the CLI's "interrupted"
        message = process.stderr.read().decode()
        assert "stopped" in message or "interrupted" in message
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- serve answers as local `kgkit query` does (issue 17, item 2) ------------------------------------


@pytest.fixture(scope="module")
def served(built_dir: Path) -> Iterator[str]:
    """`kgkit serve` started by its command line, as a user starts it; its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from kgkit.cli import main; main()", "serve", "-i", str(built_dir), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline().decode()
        assert line.startswith("Serving "), line
        yield line.split(" at ", 1)[1].split(" ", 1)[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _client_rows(url: str, text: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """What a plain SPARQLWrapper client gets: columns, and rows of values (the " | "-joined cells'
    parts sorted, as their order is not fixed)."""
    client = SPARQLWrapper(url)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    doc = client.queryAndConvert()
    assert isinstance(doc, dict)
    variables = doc["head"]["vars"]
    return variables, [
        tuple(" | ".join(sorted(b[v]["value"].split(" | "))) if v in b else None for v in variables)
        for b in doc["results"]["bindings"]
    ]


@pytest.mark.parametrize("name", sorted(load_library()))
def test_a_sparqlwrapper_client_of_kgkit_serve_gets_the_local_rows(
    served: str, run_cli: CliRun, built_dir: Path, name: str
) -> None:
    canned = load_library()[name]
    code, local, err = run_cli("query", name, "-i", str(built_dir), "--format", "json")
    assert code == 0, err
    doc = json.loads(local)
    expected = doc["head"]["vars"], [
        tuple(" | ".join(sorted(b[v]["value"].split(" | "))) if v in b else None for v in doc["head"]["vars"])
        for b in doc["results"]["bindings"]
    ]
    # the canned text with its default parameters as a VALUES clause, as any client would send it
    assert _client_rows(served, with_values(canned.text, canned.bindings())) == expected
    assert expected[1] or canned.materialize  # (a query of a materialized graph: tests/stores/test_union.py)


def test_serve_counts_triples_as_a_set_not_quads(
    served: str, run_cli: CliRun, built_dir: Path, corpus: Dataset
) -> None:
    """A triple stated in two documents' graphs is one triple of the union (8124 quads, fewer triples)."""
    distinct = len({(s, p, o) for s, p, o, _ in corpus.quads((None, None, None, None))})
    quads = len(list(corpus.quads((None, None, None, None))))
    assert distinct < quads
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _client_rows(served, count)[1] == [(str(distinct),)]
    _, out, _ = run_cli("query", "--sparql", count, "-i", str(built_dir), "--format", "csv")
    assert out.splitlines()[1] == str(distinct)
    orgs = PREFIX + "SELECT ?o WHERE { ?o a kg:Organization }"
    organizations = {s for s, _, _, _ in corpus.quads((None, URIRef(RDF_TYPE), KG_ORG, None))}
    assert len(_client_rows(served, orgs)[1]) == len(organizations) == 35  # not one row per document stating it
