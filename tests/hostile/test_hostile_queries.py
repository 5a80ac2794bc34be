"""Queries that would make kgkit's local engines send requests: ``SERVICE`` (both rdflib and Oxigraph
send it), ``LOAD``, and ``FROM <url>`` (rdflib fetches the graph, even a ``file:`` one). Refused, or
(FROM) read from the graph itself, unless ``--allow-service``; a recording server on 127.0.0.1 shows
what was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import Recorder, assert_refused

CliRun = Callable[..., tuple[int, str, str]]
ENGINES = [(), ("--store", "memory")]
EMPTY = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


def service_queries(url: str) -> dict[str, str]:
    return {
        "SERVICE": f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * WHERE {{ ?x a kg:Conference . SERVICE SILENT <{url}/sparql> {{ ?x ?p ?o }} }}",
        "lower case": f"select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
        "a \\u escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "a string closed by an escape":
            f'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <{url}/sparql> {{ ?a ?b ?c }} #" }}',
        "a variable endpoint": f"SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "in ASK": f"ASK {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    }


@pytest.mark.parametrize("engine", ENGINES, ids=["oxigraph", "memory"])
def test_service_is_refused_by_the_local_engines(
    run_cli: CliRun, built_dir: Path, recorder: Recorder, engine: tuple[str, ...]
) -> None:
    recorder.body = EMPTY
    for name, text in service_queries(recorder.url).items():
        code, out, err = run_cli("query", "--sparql", text, "-i", str(built_dir), *engine)
        # (a string an escape closes early leaves a query that does not parse: refused as that)
        why = "SPARQL syntax error" if "closed" in name else "would send a request to another server"
        assert_refused((code, out, err), 2, why)
        assert out == "", name
    assert recorder.requests == []


def test_a_query_file_with_service_is_refused_too(run_cli: CliRun, built_dir: Path, recorder: Recorder,
                                                  tmp_path: Path) -> None:
    rq = tmp_path / "remote.rq"
    rq.write_text(service_queries(recorder.url)["SERVICE"])
    assert_refused(run_cli("query", str(rq), "-i", str(built_dir)), 2, "SERVICE")
    assert recorder.requests == []


@pytest.mark.parametrize("engine", ENGINES, ids=["oxigraph", "memory"])
def test_allow_service_sends_it(run_cli: CliRun, built_dir: Path, recorder: Recorder, engine: tuple[str, ...]) -> None:
    recorder.media = "application/sparql-results+json"
    recorder.body = EMPTY
    text = service_queries(recorder.url)["SERVICE"]
    code, _, err = run_cli("query", "--sparql", text, "-i", str(built_dir), "--allow-service", *engine)
    assert code == 0, err
    assert [r.path for r in recorder.requests] == ["/sparql"]


def test_load_is_refused(run_cli: CliRun, built_dir: Path, recorder: Recorder) -> None:
    for engine in ENGINES:
        code, _, err = run_cli("query", "--sparql", f"LOAD <{recorder.url}/data.ttl>", "-i", str(built_dir), *engine)
        assert_refused((code, "", err), 2)
    assert recorder.requests == []


@pytest.mark.parametrize("engine", ENGINES, ids=["oxigraph", "memory"])
def test_from_names_a_graph_of_the_build_and_is_never_fetched(
    run_cli: CliRun, built_dir: Path, recorder: Recorder, engine: tuple[str, ...]
) -> None:
    vocabulary = "https://w3id.org/kgkit/graph/vocabulary"
    count = "SELECT (COUNT(*) AS ?n) FROM <{}> WHERE {{ ?s ?p ?o }}"
    code, out, err = run_cli("query", "--sparql", count.format(vocabulary), "-i", str(built_dir), "-f", "csv", *engine)
    assert code == 0 and int(out.split()[1]) > 100, err  # the build's vocabulary graph
    for source in (f"{recorder.url}/graph.ttl", "file:///etc/passwd"):
        code, out, err = run_cli("query", "--sparql", count.format(source), "-i", str(built_dir), "-f", "csv",
                                 *engine)
        assert code == 0 and out.split()[1] == "0", err  # no such graph in the build: nothing
        named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1".replace("WHERE", f"FROM NAMED <{source}> WHERE")
        code, out, err = run_cli("query", "--sparql", named, "-i", str(built_dir), "-f", "csv", *engine)
        assert code == 0 and "root:" not in out, err
    assert recorder.requests == []


def test_explain_and_the_library_refuse_service_too(built_dir: Path, recorder: Recorder) -> None:
    from kgkit.errors import QueryError
    from kgkit.stores import open_store

    for store in ("oxigraph", "memory"):
        with pytest.raises(QueryError, match="SERVICE"):
            open_store(built_dir, store=store).query(service_queries(recorder.url)["SERVICE"])
    assert recorder.requests == []
