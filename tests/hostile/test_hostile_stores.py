"""Stores under hostile conditions: ``user:password@`` in ``--endpoint`` (never part of the host the
resolver and the store see, sent as Authorization, never shown), ``load --replace`` killed with
SIGTERM while it stages graphs (no ``urn:kgkit:staging:*`` graph may stay in the store), and a dozen
``kgkit query`` processes at once on a fresh build (which race to make its on-disk store).

(Error messages without credentials in general, redirects, tokens: tests/stores/test_http.py.)
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_kit import EXE, Recorder, Request

from kgkit.stores.load import STAGING_PREFIX

CliRun = Callable[..., tuple[int, str, str]]

USER, PASSWORD = "alice", "s3cr3t-pw"
ASK_TRUE = b'{"head": {}, "boolean": true}'
NO_ROWS = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'  # (kgkit's probe of the store)


def answer_query(recorder: Recorder, handler: Any, request: Request) -> None:
    query = urllib.parse.unquote_plus(request.body.decode() + request.path)
    body = ASK_TRUE if re.search(r"\bASK\b", query) else NO_ROWS
    recorder.answer(handler, 200, body, "application/sparql-results+json")


@pytest.mark.parametrize("path", ["/", "/sparql"], ids=["root URL (probed)", "query URL"])
def test_user_and_password_in_the_endpoint_become_authorization_not_part_of_the_host(
    run_cli: CliRun, recorder: Recorder, path: str
) -> None:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def respond(handler: Any, request: Request) -> None:
        if request.headers.get("Authorization") == expected:
            answer_query(recorder, handler, request)
        else:
            recorder.answer(handler, 401, b"who are you?", WWW_Authenticate='Basic realm="kg"')

    recorder.respond = respond
    endpoint = f"http://{USER}:{PASSWORD}@127.0.0.1:{recorder.port}{path}"
    code, out, err = run_cli("query", "--sparql", "ASK {}", "--endpoint", endpoint)
    assert code == 0 and out.strip().endswith("true"), err
    assert recorder.requests, "nothing reached the store"
    for request in recorder.requests:
        assert request.headers.get("Host") == f"127.0.0.1:{recorder.port}", request.headers
        shown = request.path + json.dumps({k: v for k, v in request.headers.items() if k != "Authorization"})
        assert PASSWORD not in shown and USER not in shown, shown
    assert recorder.requests[-1].headers.get("Authorization") == expected
    # refused: the one-line error names the store, never the credentials
    recorder.respond = lambda handler, request: recorder.answer(
        handler, 403, f"no, {request.headers.get('Authorization')}".encode())
    for command in (("query", "--sparql", "ASK {}"), ("load", "-i", str(Path(__file__).parent.parent / "data" /
                                                                        "query" / "kg.trig"))):
        code, out, err = run_cli(*command, "--endpoint", endpoint)
        assert code == 3 and len(err.strip().splitlines()) == 1 and "HTTP 403" in err, err
        assert "127.0.0.1" in err and PASSWORD not in out + err and f"{USER}:" not in out + err, err


def sparql(base: str, query: str) -> list[str]:
    """The first column of a SELECT on the Oxigraph server at ``base``."""
    url = f"{base}/query?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    column = answer["head"]["vars"][0]
    return [row[column]["value"] for row in answer["results"]["bindings"]]


def staging_graphs(base: str) -> set[str]:
    return set(sparql(base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'))


@pytest.mark.slow
@pytest.mark.external
def test_load_replace_killed_while_staging_leaves_no_staging_graph(oxigraph_url: str, tmp_path: Path) -> None:
    """SIGTERM as soon as the first temporary graph is in the store: kgkit stops between two requests
    and drops what it staged, so that no request still out can leave one behind."""
    before = staging_graphs(oxigraph_url)  # (another test's, if any: not this one's concern)
    graphs, triples = 40, 5000  # (large graphs: the store is still busy with one when the signal comes)
    source = tmp_path / "many.nq"
    with source.open("w", encoding="utf-8") as fh:
        for g in range(graphs):
            for i in range(triples):
                fh.write(f'<http://x.example/s{i}> <http://x.example/p> "{g} {i}" <urn:x:hostile-sigterm:{g}> .\n')
    process = subprocess.Popen([str(EXE), "load", "-e", oxigraph_url, "-i", str(source), "--replace"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not staging_graphs(oxigraph_url) - before:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no temporary graph appeared"
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, (process.returncode, err)  # interrupted, not finished
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err
    time.sleep(1)  # a request the store was still carrying out would have landed by now
    assert staging_graphs(oxigraph_url) - before == set()
    loaded = sparql(oxigraph_url, 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } '
                                  'FILTER(STRSTARTS(STR(?g), "urn:x:hostile-sigterm:")) }')
    assert loaded == []  # interrupted before any MOVE: nothing was replaced


@pytest.mark.slow
def test_twelve_queries_at_once_on_a_fresh_build_all_succeed(built_dir: Path, tmp_path: Path) -> None:
    """The first query of a build makes its on-disk store; twelve at once must not trip over each
    other (one makes it, the others wait and open it)."""
    fresh = tmp_path / "build"
    fresh.mkdir()
    shutil.copy(built_dir / "kg.nq", fresh / "kg.nq")
    queries = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"]
    processes = [
        subprocess.Popen([str(EXE), "query", "-i", str(fresh), "--sparql", queries[i % 2], "-f", "csv"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(12)
    ]
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        answers.append((process.returncode, out, err))
    assert all(code == 0 and err == "" for code, _, err in answers), [a for a in answers if a[0] or a[2]]
    assert len({out for i, (_, out, _) in enumerate(answers) if i % 2 == 0}) == 1
    assert len({out for i, (_, out, _) in enumerate(answers) if i % 2 == 1}) == 1
