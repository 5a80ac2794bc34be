"""SHACL validation: the sample conforms, each broken fixture gives exactly its violation, the CLI's
exit codes."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF, SH

from kgkit.errors import InputError
from kgkit.quality.shacl_data import FileData, GraphData, fast_path_available, shacl_data
from kgkit.quality.validate import RENDERERS, SHAPES_DIR, Finding, ValidationReport, validate
from kgkit.rdf.read import union_graph

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "sample.trig"
BROKEN = DATA / "shapes"
KGID = "https://w3id.org/kgkit/id/"
EVIDENCE = "evidence/003-fa5dea81f7911e80/5041-5176/pattern/"  # and the confidence
STATEMENT = "statement/63bd0a4fc32b96516e86839f46f616cf661d2165"  # kube-green spokeOn sustainability

CliRun = Callable[..., tuple[int, str, str]]

# fixture file -> (focus node, path, source constraint component) of its one violation
VIOLATIONS: dict[str, tuple[str, str, str]] = {
    "session-without-name.trig": ("session/untitled", "schema:name", "MinCount"),
    "bad-start-date.ttl": ("conference/kubecon-eu-2024", "kg:startDate", "Or"),
    # text for a date: reported once, not again for each session compared with it
    "conference-dates-not-dates.ttl": ("conference/kubecon-eu-2024", "kg:startDate", "Or"),
    "session-after-conference.ttl": ("session/late", "kg:startDate", "SPARQL"),
    "session-before-conference.ttl": ("session/early", "kg:startDate", "SPARQL"),
    "session-ends-before-start.ttl": ("session/backwards", "kg:endDate", "SPARQL"),
    "presenter-is-topic.trig": ("session/keynote-building-it-green", "kg:presenter", "Or"),
    "schedule-url-not-http.ttl": ("session/ftp-talk", "kg:scheduleUrl", "Pattern"),
    "two-session-kinds.ttl": ("session/keynote-panel", "kg:sessionKind", "MaxCount"),
    "unknown-session-kind.ttl": ("session/fireside", "kg:sessionKind", "Class"),
    "evidence-without-source.ttl": (EVIDENCE + "0.8", "kg:sourceDocument", "MinCount"),
    "confidence-too-high.ttl": (EVIDENCE + "1.5", "kg:confidence", "MaxInclusive"),
    "statement-without-evidence.ttl": (STATEMENT, "kg:evidence", "MinCount"),
    "selector-start-after-end.ttl": ("selector/003-fa5dea81f7911e80/p5176-5041", "oa:start",
                                     "LessThanOrEquals"),
    "topic-without-label.ttl": ("topic/green-ops", "skos:prefLabel", "MinCount"),
    "negative-attendance.ttl": ("conference/kubecon-eu-2024", "kg:attendance", "MinInclusive"),
    "bad-language.ttl": ("document/003-fa5dea81f7911e80", "kg:inLanguage", "Pattern"),
    "bad-date-published.ttl": ("document/003-fa5dea81f7911e80", "kg:datePublished", "Datatype"),
    "two-names-same-language.ttl": ("org/deutsche-bahn", "schema:name", "UniqueLang"),
    "affiliation-not-organization.ttl": ("person/rafael-franzke", "kg:affiliation", "Class"),
}




# --- the sample conforms ---------------------------------------------------------------------------


def test_sample_conforms() -> None:
    report = validate(SAMPLE)
    assert report.conforms and report.results == []
    assert report.render("text") == f"The graph conforms to {report.shape_count} shapes."
    assert report.shape_count >= 15


def test_in_memory_dataset_and_graph() -> None:
    ds = Dataset()
    ds.parse(SAMPLE, format="trig")
    assert validate(ds).conforms
    g = Graph().parse(BROKEN / "topic-without-label.ttl")
    assert [f.path for f in validate(g).results] == ["skos:prefLabel"]


def test_cli_sample_conforms(run_cli: CliRun) -> None:
    code, out, err = run_cli("validate", "-i", str(SAMPLE))
    assert (code, err) == (0, "")
    assert out.startswith("The graph conforms to")


def test_default_shapes_exist() -> None:
    assert (SHAPES_DIR / "kgkit.ttl").is_file()


# --- one broken file per constraint ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation(name: str) -> None:
    focus, path, component = VIOLATIONS[name]
    report = validate(BROKEN / name)
    assert not report.conforms
    assert [(f.severity, f.focus, f.path, f.component) for f in report.results] == [
        ("Violation", KGID + focus, path, f"sh:{component}ConstraintComponent")
    ]
    assert report.results[0].message and "{" not in report.results[0].message


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_cli_exits_1_on_violation(run_cli: CliRun, name: str) -> None:
    code, out, err = run_cli("validate", "-i", str(BROKEN / name))
    assert code == 1
    assert "1 violation, 0 warnings in 1 shape" in out
    assert err.startswith("kgkit: error:") and len(err.strip().splitlines()) == 1


def test_sparql_messages_name_the_dates() -> None:
    [finding] = validate(BROKEN / "session-after-conference.ttl").results
    assert finding.message == "The session starts on 2024-04-02, after its conference ends (2024-03-22)"
    [finding] = validate(BROKEN / "session-before-conference.ttl").results
    assert finding.message == "The session starts on 2024-03-18, before its conference begins (2024-03-19)"


@pytest.mark.parametrize(("name", "label", "component"), [
    ("unknown-cncf-maturity.ttl", "Kepler", "In"),
    ("two-attendance-figures.ttl", "KubeCon + CloudNativeCon Europe 2024", "MaxCount"),
])
def test_warning_alone_passes(run_cli: CliRun, name: str, label: str, component: str) -> None:
    report = validate(BROKEN / name)
    # SHACL's conforms is false with any result, a warning too; the exit code follows passes
    assert not report.conforms and report.passes and (report.violations, report.warnings) == (0, 1)
    assert report.results[0].component == f"sh:{component}ConstraintComponent"
    code, out, _ = run_cli("validate", "-i", str(BROKEN / name))
    assert code == 0
    assert f'"{label}"' in out and "(warning)" in out and "0 violations, 1 warning in 1 shape" in out


# --- renderers -------------------------------------------------------------------------------------


def test_text_names_focus_and_document() -> None:
    text = validate(BROKEN / "presenter-is-topic.trig").render("text")
    assert text.splitlines() == [
        "Session:",
        '  - "Keynote: Building IT Green" (document 000_dc9f1b824b07a64f.txt): '
        "A presenter must be a person or an organization [value: kgid:topic/sustainability]",
        "",
        "1 violation, 0 warnings in 1 shape",
    ]


def test_documents_from_evidence() -> None:
    [finding] = validate(BROKEN / "confidence-too-high.ttl").results
    assert finding.documents == ("003_fa5dea81f7911e80.txt",)
    assert finding.value == "1.5"


def test_json(run_cli: CliRun) -> None:
    code, out, _ = run_cli("validate", "-i", str(BROKEN / "session-without-name.trig"), "--format", "json")
    assert code == 1
    body = json.loads(out)
    assert body["conforms"] is False and body["violations"] == 1
    [result] = body["results"]
    assert result["focus"] == KGID + "session/untitled"
    assert result["message"] == "A session needs a title"
    assert result["documents"] == ["000_dc9f1b824b07a64f.txt"]


def test_turtle_is_the_shacl_report(tmp_path: Path, run_cli: CliRun) -> None:
    out_file = tmp_path / "report.ttl"
    code, out, _ = run_cli("validate", "-i", str(BROKEN / "bad-start-date.ttl"), "--format", "turtle",
                           "-o", str(out_file))
    assert (code, out) == (1, "")
    report = Graph().parse(out_file, format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 1


def test_renderer_table() -> None:
    assert set(RENDERERS) == {"text", "json", "turtle"}


# --- bad input -------------------------------------------------------------------------------------


def test_invalid_turtle_input(run_cli: CliRun) -> None:
    code, out, err = run_cli("validate", "-i", str(BROKEN / "invalid.ttl"))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "invalid.ttl" in err and "Traceback" not in err


def test_missing_input(run_cli: CliRun, tmp_path: Path) -> None:
    code, _, err = run_cli("validate", "-i", str(tmp_path / "nothing.nq"))
    assert code == 2 and "nothing.nq" in err and "Traceback" not in err


def test_unknown_format(run_cli: CliRun) -> None:
    code, _, err = run_cli("validate", "-i", str(SAMPLE), "--format", "yaml")
    assert code == 2 and "text, json, turtle" in err


def test_invalid_shapes_file(run_cli: CliRun) -> None:
    with pytest.raises(InputError) as exc_info:
        validate(SAMPLE, shapes=BROKEN / "invalid.ttl")
    assert exc_info.value.path == BROKEN / "invalid.ttl"
    code, _, err = run_cli("validate", "-i", str(SAMPLE), "--shapes", str(BROKEN / "invalid.ttl"))
    assert code == 2 and "invalid.ttl" in err and "Traceback" not in err


def test_shapes_file_without_shapes() -> None:
    with pytest.raises(InputError, match="no SHACL node shapes"):
        validate(SAMPLE, shapes=BROKEN / "topic-without-label.ttl")


# --- engines: pyshacl-turbo must report exactly what pySHACL reports ---------------------------------
# With turbo a file is read by pyoxigraph and never becomes an rdflib graph (kgkit/shacldata.py); pySHACL
# reads it with rdflib. Everything a reader sees must be the same: every field of every finding, in order.

TURBO = importlib.util.find_spec("pyshacl_turbo") is not None
needs_turbo = pytest.mark.skipif(not TURBO, reason="pyshacl-turbo not installed")


def _assert_same_report(source: Path | Graph) -> ValidationReport:
    slow, fast = validate(source, engine="pyshacl"), validate(source, engine="turbo")
    assert (fast.conforms, fast.results) == (slow.conforms, slow.results)
    assert fast.render("text") == slow.render("text")
    return fast


@pytest.mark.slow
@needs_turbo
@pytest.mark.parametrize("name", ["sample.trig", *(f"shapes/{n}" for n in sorted(VIOLATIONS)),
                                  "shapes/unknown-cncf-maturity.ttl", "shapes/two-attendance-figures.ttl"])
def test_turbo_engine_gives_pyshacl_s_report(name: str) -> None:
    _assert_same_report(DATA / name)


@pytest.mark.slow
@needs_turbo
def test_turbo_engine_on_the_built_corpus(built_dir: Path) -> None:
    _assert_same_report(built_dir)


@needs_turbo
def test_turbo_reads_files_with_pyoxigraph(built_dir: Path) -> None:
    """The fast path is taken with the installed pyshacl-turbo (it falls back to rdflib silently)."""
    assert fast_path_available()
    for source in (built_dir, SAMPLE, BROKEN / "bad-start-date.ttl"):
        assert isinstance(shacl_data(source, fast=True), FileData)
    assert isinstance(shacl_data(SAMPLE, fast=False), GraphData)
    assert isinstance(shacl_data(Graph().parse(SAMPLE), fast=True), GraphData)


# One document per graph as `kgkit build` writes them, with what the two readers may see differently:
# a triple stated in two graphs (one triple of the union, not two values), non-ASCII text and IRIs,
# typed literals not in canonical form (rdflib normalises "-007" to "-7" as it reads), blank nodes.
TRICKY = """
@prefix kg: <https://w3id.org/kgkit/ontology#> . @prefix kgid: <https://w3id.org/kgkit/id/> .
@prefix kggraph: <https://w3id.org/kgkit/graph/> . @prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kggraph:doc\\/a {
    kgid:document\\/a a kg:Document ; schema:name "Bericht über die Konferenz"@de ; kg:sourcePath "a.txt" .
    kgid:session\\/grün a kg:Session ; schema:name "Grüne Keynote – 2024"@de ;
        kg:startDate "2024-03-20T09:00:00"^^xsd:dateTime ; kg:endDate "2024-03-20T10:00:00"^^xsd:dateTime ;
        kg:topic [ a kg:Topic ; rdfs:label "ein Thema ohne Label" ] .
    [] rdf:subject kgid:session\\/grün ; kg:evidence [ a kg:Evidence ; kg:sourceDocument "not a document" ] .
    kgid:conference\\/c a kg:Conference ; schema:name "Konferenz" ; kg:attendance "-007"^^xsd:integer .
}
kggraph:doc\\/b {
    kgid:document\\/b a kg:Document ; schema:name "Zweiter Bericht"@de ; kg:sourcePath "b.txt" .
    kgid:session\\/grün a kg:Session ; schema:name "Grüne Keynote – 2024"@de ;
        kg:startDate "2024-03-20T09:00:00"^^xsd:dateTime ; kg:endDate "2024-03-20T11:00:00"^^xsd:dateTime .
}
"""


def _without_blank_ids(findings: list[Finding]) -> list[Finding]:
    return sorted((replace(f, focus=f.focus if not f.focus.startswith("_:") else "",
                           focus_label=f.focus_label if not f.focus_label.startswith("_:") else "")
                   for f in findings), key=repr)


@pytest.mark.slow
@needs_turbo
def test_turbo_engine_on_what_readers_differ_in(tmp_path: Path) -> None:
    trig = tmp_path / "tricky.trig"
    trig.write_text(TRICKY, encoding="utf-8")
    nquads = tmp_path / "kg.nq"
    dataset = Dataset()
    dataset.parse(trig, format="trig")
    nquads.write_text(dataset.serialize(format="nquads"), encoding="utf-8")
    ntriples = tmp_path / "kg.nt"
    ntriples.write_text(union_graph(dataset).serialize(format="nt"), encoding="utf-8")
    for source in (trig, nquads, tmp_path, ntriples):
        slow, fast = validate(source, engine="pyshacl"), validate(source, engine="turbo")
        blank = [f for f in fast.results if f.focus.startswith("_:")]
        assert "ein Thema ohne Label" in {f.focus_label for f in blank}  # found in the lookup store
        # a blank node's id is each reader's own (and so is the order it gives nodes named by it);
        # everything else is the same
        assert [f for f in fast.results if f not in blank] == [f for f in slow.results if not f.focus.startswith("_:")]
        assert _without_blank_ids(fast.results) == _without_blank_ids(slow.results)
        # N-Triples has one graph, with both documents in it
        attendance = ("a.txt",) if source != ntriples else ("a.txt", "b.txt")
        assert {(f.path, f.value, f.documents) for f in fast.results} >= {
            # two end times, one start time (a set): the finding names both
            ("kg:endDate", "2024-03-20T10:00:00 | 2024-03-20T11:00:00", ("a.txt", "b.txt", "not a document")),
            ("kg:attendance", "-7", attendance),
        }
        assert KGID + "session/grün" in {f.focus for f in fast.results}


@needs_turbo
def test_turbo_engine_in_memory_and_json_ld(tmp_path: Path) -> None:
    graph = Graph().parse(BROKEN / "topic-without-label.ttl")
    _assert_same_report(graph)
    jsonld = tmp_path / "broken.jsonld"
    jsonld.write_text(graph.serialize(format="json-ld"), encoding="utf-8")
    assert isinstance(shacl_data(jsonld, fast=True), GraphData)  # pyoxigraph's JSON-LD is not rdflib's
    assert [f.path for f in _assert_same_report(jsonld).results] == ["skos:prefLabel"]


@needs_turbo
def test_turbo_engine_on_turtle_with_byte_order_mark(tmp_path: Path) -> None:
    turtle = tmp_path / "bom.ttl"
    turtle.write_bytes(b"\xef\xbb\xbf" + (BROKEN / "topic-without-label.ttl").read_bytes())
    assert [f.focus_label for f in _assert_same_report(turtle).results] == ["GreenOps"]


@pytest.mark.parametrize("engine", ["pyshacl", "turbo"] if TURBO else ["pyshacl"])
def test_invalid_input_names_file_and_line(engine: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc_info:
        validate(BROKEN / "invalid.ttl", engine=engine)
    assert exc_info.value.path == BROKEN / "invalid.ttl" and "not valid turtle" in exc_info.value.message
    broken = tmp_path / "kg.nq"
    broken.write_text("<https://x/s> <https://x/p> <https://x/o> <https://x/g> .\n<https://x/s> oops .\n")
    with pytest.raises(InputError) as exc_info:
        validate(tmp_path, engine=engine)
    assert exc_info.value.path == broken and "not valid nquads" in exc_info.value.message
    assert exc_info.value.line == (2 if engine == "turbo" else None)  # rdflib's N-Quads errors name no line


@needs_turbo
def test_conforming_file_loads_no_lookup_store(monkeypatch: pytest.MonkeyPatch) -> None:
    data = shacl_data(SAMPLE, fast=True)
    monkeypatch.setattr("pyoxigraph.Store", None)  # facts of no node need no store
    assert data.facts([]) == {}


def test_unknown_engine() -> None:
    with pytest.raises(InputError, match="unknown SHACL engine"):
        validate(DATA / "sample.trig", engine="fast")


# --- reports as SHACL defines them (issue 17, item 7) -----------------------------------------------


def test_cli_a_warning_makes_the_reports_not_conform_but_exits_0(run_cli: CliRun, tmp_path: Path) -> None:
    source = str(BROKEN / "two-attendance-figures.ttl")
    code, out, err = run_cli("validate", "-i", source, "--format", "json")
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert body["conforms"] is False and (body["violations"], body["warnings"]) == (0, 1)
    [result] = body["results"]
    assert result["value"] == "12000 | 13000" and result["values"] == ["12000", "13000"]  # not null
    code, _, _ = run_cli("validate", "-i", source, "--format", "turtle", "-o", str(tmp_path / "report.ttl"))
    report = Graph().parse(tmp_path / "report.ttl", format="turtle")
    assert code == 0 and [bool(v) for v in conforms(report)] == [False]
    code, out, _ = run_cli("validate", "-i", str(SAMPLE), "--format", "turtle")
    assert code == 0 and conforms(Graph().parse(data=out)) == [True]


def conforms(report: Graph) -> list[object]:
    """The Python values of a SHACL report's sh:conforms (each must be a literal)."""
    values: list[object] = []
    for o in report.objects(None, SH.conforms):
        assert isinstance(o, Literal), o
        values.append(o.toPython())
    return values


def test_cli_conflicting_names_are_named(run_cli: CliRun) -> None:
    code, out, _ = run_cli("validate", "-i", str(BROKEN / "two-names-same-language.ttl"))
    assert code == 1
    assert '[values: "DB"@en | "Deutsche Bahn"@en]' in out
