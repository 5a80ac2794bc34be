"""`kgkit build --materialize schema` (issue 17, item 17): the schema.org types and properties the
ontology aligns kgkit's terms to, in a graph of their own; exactly what owlrl's RDFS closure of the
ontology's hierarchy entails; a canned query in schema.org terms that then has rows."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import owlrl
import pytest
from paths import CORPUS, ROOT
from rdflib import RDF, RDFS, Dataset, Graph, URIRef

from kgkit.graph.materialize import SCHEMA_GRAPH

CliRun = Callable[..., tuple[int, str, str]]
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> Path:

    from kgkit.cli import main  # noqa: F401  (the CLI is what is tested; built once for the module)

    out = tmp_path_factory.mktemp("schema")
    proc = subprocess.run([sys.executable, "-c", "from kgkit.cli import main; main()", "build", str(CORPUS), "-o",
                           str(out), "--materialize", "schema", "-q"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_schema_graph_is_the_rdfs_closure_of_the_alignment(materialized: Path) -> None:
    """owlrl's RDFS closure of the ontology's subclass and subproperty statements (no domains and
    ranges) with every statement of the build: its schema.org types and properties not stated already
    are the schema graph, no more and no less."""
    ds = Dataset()
    ds.parse(materialized / "kg.nq", format="nquads")
    schema_graph = {(s, p, o) for s, p, o, g in ds.quads((None, None, None, None)) if str(g) == str(SCHEMA_GRAPH)}
    stated = {(s, p, o) for s, p, o, g in ds.quads((None, None, None, None)) if str(g) != str(SCHEMA_GRAPH)}
    ontology = Graph().parse(ROOT / "kgkit" / "resources" / "ontology" / "kgkit.ttl")
    closure = Graph()
    for triple in ontology.triples((None, None, None)):
        if triple[1] in (RDFS.subClassOf, RDFS.subPropertyOf):
            closure.add(triple)
    for triple in stated:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(closure)
    aligned = set(ontology.objects(None, RDFS.subPropertyOf))  # (owlrl's literal rules give other triples)
    entailed = {
        (s, p, o) for s, p, o in closure
        if (p == RDF.type and str(o).startswith(SCHEMA)) or (str(p).startswith(SCHEMA) and p in aligned)
    }
    entailed = {t for t in entailed if t not in stated and not str(t[0]).startswith(SCHEMA)
                and not str(t[0]).startswith("https://w3id.org/kgkit/ontology#")}
    assert schema_graph == entailed and len(schema_graph) > 300
    types = {o for _, p, o in schema_graph if p == RDF.type}
    assert {URIRef(SCHEMA + c) for c in ("Event", "Organization", "Person", "Place")} <= types
    assert any(p == URIRef(SCHEMA + "superEvent") for _, p, _ in schema_graph)


def test_cli_a_query_in_schema_org_terms_has_rows_once_materialized(
    run_cli: CliRun, materialized: Path, built_dir: Path
) -> None:
    ask = "ASK { ?e a schema:Event ; schema:superEvent ?c . ?c a schema:Event }"
    assert run_cli("query", "--sparql", ask, "-i", str(built_dir), "-f", "csv")[1].splitlines()[1] == "false"
    assert run_cli("query", "--sparql", ask, "-i", str(materialized), "-f", "csv")[1].splitlines()[1] == "true"
    code, out, err = run_cli("query", "schema-org-events", "-i", str(materialized), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and err == "" and len(rows) == 27  # every event, session and conference
    assert {"event": "KubeCon + CloudNativeCon Europe 2024", "start": "2024-03-19", "part_of": "",
            "performers": "27"} in rows
    code, out, err = run_cli("query", "schema-org-events", "-i", str(built_dir), "--format", "csv")
    assert code == 0 and out.count("\n") == 1  # not materialized: nothing, and a note saying why
    assert err == ("kgkit: note: no results: schema-org-events is written in terms the graph has once built with "
                   "`kgkit build --materialize schema`\n")


def test_cli_materialize_is_part_of_what_a_rebuild_compares(run_cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, plain, _ = run_cli("build", str(CORPUS), "-o", str(out))
    _, with_schema, _ = run_cli("build", str(CORPUS), "-o", str(out), "--materialize", "schema")
    _, again, _ = run_cli("build", str(CORPUS), "-o", str(out))
    count = [int(text.split(" triples")[0].rsplit(" ", 1)[1]) for text in (plain, with_schema, again)]
    assert count[0] == count[2] < count[1]
    code, _, err = run_cli("build", str(CORPUS), "-o", str(out), "--materialize", "owl")
    assert code == 2 and err == "kgkit: error: cannot --materialize 'owl'; choose: schema\n"
