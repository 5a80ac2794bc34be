"""SHACL validation: the sample conforms, each broken fixture gives exactly its violation, the CLI's
exit codes."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

from kgkit.errors import InputError
from kgkit.validate import RENDERERS, SHAPES_DIR, ValidationReport, validate

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.trig"
BROKEN = DATA / "shapes"
KGID = "https://w3id.org/kgkit/id/"
EVIDENCE = "evidence/003-fa5dea81f7911e80/1a2b3c4d5e6f"

CliRun = Callable[..., tuple[int, str, str]]

# fixture file -> (focus node, path, source constraint component) of its one violation
VIOLATIONS: dict[str, tuple[str, str, str]] = {
    "session-without-name.trig": ("session/untitled", "schema:name", "MinCount"),
    "bad-start-date.ttl": ("conference/kubecon-eu-2024", "kg:startDate", "Or"),
    "session-after-conference.ttl": ("session/late", "kg:startDate", "SPARQL"),
    "session-before-conference.ttl": ("session/early", "kg:startDate", "SPARQL"),
    "session-ends-before-start.ttl": ("session/backwards", "kg:endDate", "SPARQL"),
    "presenter-is-topic.trig": ("session/keynote-building-it-green", "kg:presenter", "Or"),
    "schedule-url-not-http.ttl": ("session/ftp-talk", "kg:scheduleUrl", "Pattern"),
    "two-session-kinds.ttl": ("session/keynote-panel", "kg:sessionKind", "MaxCount"),
    "unknown-session-kind.ttl": ("session/fireside", "kg:sessionKind", "Class"),
    "evidence-without-source.ttl": (EVIDENCE, "kg:sourceDocument", "MinCount"),
    "confidence-too-high.ttl": (EVIDENCE, "kg:confidence", "MaxInclusive"),
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
    assert report.conforms and (report.violations, report.warnings) == (0, 1)
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

def _same_report(report: ValidationReport) -> list[tuple[str, str, str | None, str | None, str, str]]:
    return [(f.shape, f.focus, f.path, f.value, f.component, f.severity) for f in report.results]


@pytest.mark.skipif(importlib.util.find_spec("pyshacl_turbo") is None, reason="pyshacl-turbo not installed")
@pytest.mark.parametrize("name", ["sample.trig", *(f"shapes/{n}" for n in sorted(VIOLATIONS))])
def test_turbo_engine_gives_pyshacl_s_report(name: str) -> None:
    slow = validate(DATA / name, engine="pyshacl")
    fast = validate(DATA / name, engine="turbo")
    assert fast.conforms == slow.conforms
    assert _same_report(fast) == _same_report(slow)


@pytest.mark.skipif(importlib.util.find_spec("pyshacl_turbo") is None, reason="pyshacl-turbo not installed")
def test_turbo_engine_on_the_built_corpus(built_dir: Path) -> None:
    slow, fast = validate(built_dir, engine="pyshacl"), validate(built_dir, engine="turbo")
    assert (fast.conforms, _same_report(fast)) == (slow.conforms, _same_report(slow))


def test_unknown_engine() -> None:
    with pytest.raises(InputError, match="unknown SHACL engine"):
        validate(DATA / "sample.trig", engine="fast")
