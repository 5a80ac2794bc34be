"""The same canned query gives the same rows locally, through ``kgkit serve``, on Oxigraph with and
without ``--union-default-graph``, on Virtuoso and on a store kgkit knows nothing about (issue 17,
items 1 and 2). A store whose default graph is not the union of its graphs is found out once per
endpoint; kgkit then asks for the union itself (Oxigraph's ``union-default-graph`` parameter, else
every graph as a ``default-graph-uri``), and a load or query says what to set so that other SPARQL
clients see the union too. Real servers on 127.0.0.1 (tests/conftest_stores.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest_stores import Relay, oxigraph_plain_url, oxigraph_url, virtuoso_url  # noqa: F401  (fixtures)
from paths import CORPUS

from kgkit.graph.build import build
from kgkit.sparql.library import load_library
from kgkit.stores.load import load
from kgkit.stores.remote import SparqlStore

CliRun = Callable[..., tuple[int, str, str]]
STORES = {"oxigraph": "oxigraph_url", "oxigraph-plain": "oxigraph_plain_url", "virtuoso": "virtuoso_url"}


def _wipe(url: str) -> None:
    store = SparqlStore.connect(url)
    names = [n for n in store.graph_counts() if n.startswith(("https://w3id.org/kgkit/graph/", "urn:kgkit:"))]
    if names:
        store.drop_graphs(names)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built with `--materialize schema`, so that every canned query (the one in
    schema.org terms too) has rows."""
    out = tmp_path_factory.mktemp("materialized")
    build([CORPUS], out, materialize=["schema"])
    return out


@pytest.fixture(scope="module")
def served(corpus_dir: Path) -> Iterator[str]:
    """`kgkit serve` over the built corpus, started by its command line; its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from kgkit.cli import main; main()", "serve", "-i", str(corpus_dir), "--port", "0"],
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


@pytest.fixture(scope="module")
def endpoints(request: pytest.FixtureRequest, corpus_dir: Path, served: str) -> Iterator[dict[str, str | None]]:
    """Where the corpus can be asked: `kgkit serve`, and each real store it was loaded into (None for
    a store that is not installed)."""
    urls: dict[str, str | None] = {"serve": served}
    for name, fixture in STORES.items():
        try:
            urls[name] = request.getfixturevalue(fixture)
        except pytest.skip.Exception:
            urls[name] = None
            continue
        _wipe(urls[name] or "")
        load(urls[name] or "", corpus_dir, sync=True)
    yield urls
    for name in STORES:
        if urls[name]:
            _wipe(urls[name] or "")


def url_of(endpoints: dict[str, str | None], where: str) -> str:
    url = endpoints[where]
    if url is None:
        pytest.skip(f"{where} is not installed (see tests/conftest_stores.py)")
    return url


def rows(json_results: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """Columns and rows of SPARQL JSON results, each " | "-joined cell's parts sorted (their order is
    not fixed)."""
    doc = json.loads(json_results)
    variables = doc["head"]["vars"]
    return variables, [
        tuple(" | ".join(sorted(b[v]["value"].split(" | "))) if v in b else None for v in variables)
        for b in doc["results"]["bindings"]
    ]


@pytest.mark.parametrize("where", ["serve", "oxigraph", "oxigraph-plain", "virtuoso"])
@pytest.mark.parametrize("name", sorted(load_library()))
def test_a_canned_query_gives_the_same_rows_everywhere(
    run_cli: CliRun, endpoints: dict[str, str | None], corpus_dir: Path, name: str, where: str
) -> None:
    url = url_of(endpoints, where)
    code, local, err = run_cli("query", name, "-i", str(corpus_dir), "--format", "json")
    assert code == 0, err
    code, remote, err = run_cli("query", name, "--endpoint", url, "--format", "json")
    assert code == 0, err
    assert rows(remote) == rows(local) and rows(local)[1]  # every one has rows: the graph is materialized


def test_a_query_on_a_store_without_a_union_default_graph_says_what_to_do(
    run_cli: CliRun, endpoints: dict[str, str | None]
) -> None:
    url = url_of(endpoints, "oxigraph-plain")
    store = SparqlStore.connect(url)
    assert store.default_graph_is_union() is False
    # what a SPARQL client that asks the default graph sees there: none of the corpus
    assert store.query("ASK { ?s a kg:Session }", union=False).boolean is False
    code, out, err = run_cli("query", "sessions-by-day", "--endpoint", url, "--format", "csv")
    assert code == 0 and out.count("\n") > 10
    [note] = err.splitlines()
    assert note.startswith("kgkit: note: the default graph of ") and "union-default-graph parameter" in note
    assert note.endswith("start Oxigraph with `oxigraph serve --union-default-graph`")
    assert run_cli("query", "sessions-by-day", "--endpoint", url, "-q")[2] == ""
    for union_store in ("oxigraph", "serve"):  # nothing to say where the default graph is the union
        assert run_cli("query", "sessions-by-day", "--endpoint", url_of(endpoints, union_store))[2] == ""


def test_a_load_says_when_the_default_graph_is_not_the_union(
    run_cli: CliRun, endpoints: dict[str, str | None], corpus_dir: Path
) -> None:
    code, out, err = run_cli("load", "--endpoint", url_of(endpoints, "oxigraph-plain"), "-i", str(corpus_dir),
                             "--replace")
    assert code == 0, err
    assert "Checked: the store holds exactly the triples sent" in out
    assert out.splitlines()[-1] == (
        "Note: the store's default graph is not the union of its graphs. `kgkit query` asks for the union "
        "itself, but other SPARQL clients see none of these triples outside GRAPH: start Oxigraph with "
        "`oxigraph serve --union-default-graph`."
    )
    code, out, err = run_cli("load", "--endpoint", url_of(endpoints, "oxigraph"), "-i", str(corpus_dir), "--replace")
    assert code == 0 and "Note:" not in out


def test_a_store_kgkit_does_not_know_gets_every_graph_as_a_default_graph_uri(
    run_cli: CliRun, endpoints: dict[str, str | None], corpus_dir: Path
) -> None:
    """Behind a relay that hides the Server header the plain Oxigraph is a store without a known
    switch: each graph goes as a default-graph-uri (the SPARQL 1.1 Protocol's own way)."""
    relay = Relay(url_of(endpoints, "oxigraph-plain"), hide_server=True)
    try:
        code, remote, err = run_cli("query", "speakers-and-organizations", "-e", relay.url, "--format", "json")
        assert code == 0, err
        assert "each of its 8 graphs as a default-graph-uri" in err and "tdb2:unionDefaultGraph" in err
        assert any("default-graph-uri=https://w3id.org/kgkit/graph/vocabulary" in sent for _, sent in relay.requests)
        _, local, _ = run_cli("query", "speakers-and-organizations", "-i", str(corpus_dir), "--format", "json")
        assert rows(remote) == rows(local)
    finally:
        relay.close()


def test_an_endpoint_is_probed_once_per_process(endpoints: dict[str, str | None]) -> None:
    relay = Relay(url_of(endpoints, "oxigraph-plain"))
    try:
        first = SparqlStore.connect(f"{relay.url}/query").query("ASK { ?s a kg:Session }")
        probed = len(relay.requests)
        assert first.boolean is True and probed == 3  # a triple of a named graph, an ASK for it, the query
        again = SparqlStore.connect(f"{relay.url}/query").query("ASK { ?s a kg:Session }")
        assert again.boolean is True and len(relay.requests) == probed + 1
        assert "union-default-graph=true" in relay.requests[-1][1]
    finally:
        relay.close()
