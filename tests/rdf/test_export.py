"""``kgkit export``: every format round-trips through rdflib and through independent parsers
(pyoxigraph; Raptor's rapper and pyld on the built corpus); N-Quads/N-Triples are sorted and
byte-identical; JSON-LD expands (pyld) to the source; framed JSON-LD is checked with pyld."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from paths import ROOT
from programs import needs_rapper
from pyld import jsonld
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from kgkit.errors import InputError
from kgkit.rdf.export import FRAMES, export
from kgkit.rdf.formats import FORMATS
from kgkit.rdf.jsonld import CONTEXT_FILE, jsonld_context
from kgkit.rdf.read import as_dataset, load_dataset, union_graph

KG = Path(__file__).resolve().parent.parent / "data" / "query" / "kg.trig"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

Graphs = dict[str, Graph]


def by_graph(ds: Dataset) -> Graphs:
    """Non-empty graphs by name; the default graph is ""."""
    return {
        ("" if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier)): g
        for g in ds.graphs()
        if len(g)
    }


def same_graphs(a: Graphs, b: Graphs) -> bool:
    return a.keys() == b.keys() and all(isomorphic(a[k], b[k]) for k in a)


def from_ox(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    datatype = term.datatype.value
    plain = term.language or datatype == XSD_STRING
    return Literal(term.value, lang=term.language, datatype=None if plain else URIRef(datatype))


def ox_graphs(text: str, fmt: str) -> Graphs:
    out: Graphs = {}
    for quad in ox.parse(text, format=OX_FORMATS[fmt]):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(from_ox(quad.graph_name))
        out.setdefault(name, Graph()).add(
            (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
        )
    return out


@pytest.fixture(scope="module")
def source() -> Dataset:
    return load_dataset(KG)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_round_trips(source: Dataset, fmt: str) -> None:
    text = export(source, format=fmt)
    assert isinstance(text, str)
    rdf_format = FORMATS[fmt]
    expected = by_graph(source) if rdf_format.quads else {"": union_graph(source)}
    back = Dataset()
    if rdf_format.quads:
        back.parse(data=text, format=rdf_format.rdflib_name)
    else:
        back.default_graph.parse(data=text, format=rdf_format.rdflib_name)
    assert same_graphs(by_graph(back), expected), "rdflib"
    assert same_graphs(ox_graphs(text, fmt), expected), "pyoxigraph"


def test_quad_formats_keep_the_named_graphs(source: Dataset) -> None:
    assert len(by_graph(source)) == 4
    nquads = export(source, format="nquads")
    assert isinstance(nquads, str) and "<https://w3id.org/kgkit/graph/doc/900-aaaaaaaaaaaaaaaa> ." in nquads


def test_line_formats_are_sorted_and_byte_identical() -> None:
    for fmt in ("nquads", "nt"):
        first, second = export(load_dataset(KG), format=fmt), export(load_dataset(KG), format=fmt)
        assert isinstance(first, str) and first == second
        lines = first.splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines)) and first.endswith(" .\n")


def test_ntriples_blank_nodes_are_stable() -> None:
    def load() -> Graph:
        return Graph().parse(
            data="<http://x/a> <http://x/p> [ <http://x/q> 1 ; <http://x/r> [ <http://x/s> 2 ] ] .",
            format="turtle",
        )

    first, second = export(load(), format="nt"), export(load(), format="nt")
    assert isinstance(first, str) and first == second
    assert isomorphic(Graph().parse(data=first, format="nt"), load())


def test_turtle_and_trig_use_the_kgkit_prefixes(source: Dataset) -> None:
    for fmt in ("turtle", "trig"):
        text = export(source, format=fmt)
        assert isinstance(text, str)
        assert "@prefix kg: <https://w3id.org/kgkit/ontology#> ." in text
        assert "@prefix schema: <https://schema.org/> ." in text and "schema:name" in text


def test_jsonld_is_compacted_with_the_embedded_context(source: Dataset) -> None:
    text = export(source, format="jsonld")
    assert isinstance(text, str)
    doc = json.loads(text)
    assert doc["@context"] == json.loads(CONTEXT_FILE.read_text())["@context"] == jsonld_context()
    assert '"spokeOn"' in text and '"name"' in text  # terms of the context, not full IRIs
    # pyld (an independent JSON-LD processor) expands it to the same dataset
    nquads = jsonld.to_rdf(jsonld.expand(doc), {"format": "application/n-quads"})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert same_graphs(by_graph(back), by_graph(source))


def test_plain_graph_source_and_file_output(tmp_path: Path) -> None:
    g = Graph().parse(data="<http://x/a> <http://x/p> 'v' .", format="turtle")
    out = export(g, format="nquads", output=tmp_path / "sub" / "kg.nq")
    assert out == tmp_path / "sub" / "kg.nq" and out.read_text() == '<http://x/a> <http://x/p> "v" .\n'
    assert [p.name for p in out.parent.iterdir()] == ["kg.nq"]  # no temporary file left behind
    assert isinstance(as_dataset(g), Dataset)


def test_unknown_format_is_an_input_error(source: Dataset) -> None:
    with pytest.raises(InputError, match="unknown RDF format 'yaml'"):
        export(source, format="yaml")


# --- the command line ----------------------------------------------------------------------------

CliRun = Callable[..., tuple[int, str, str]]


def test_cli_export_to_stdout_and_file(run_cli: CliRun, tmp_path: Path, source: Dataset) -> None:
    code, out, _ = run_cli("export", "-i", str(KG), "--format", "nquads")
    assert code == 0 and out == export(source, format="nquads")
    code, out, err = run_cli(
        "export", "-i", str(KG), "-o", str(tmp_path / "kg.jsonld")
    )  # format from extension
    assert code == 0 and out == "" and "kg.jsonld" in err
    back = Dataset()
    back.parse(tmp_path / "kg.jsonld", format="json-ld")
    assert same_graphs(by_graph(back), by_graph(source))
    code, out, _ = run_cli("export", "-i", str(KG))
    assert code == 0 and out.startswith("@prefix")  # turtle by default


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "-i", str(KG), "--format", "yaml"), "unknown RDF format"),
        (("export", "-i", "no/such/build"), "no such file"),
        (("export", "-i", str(KG), "-o", "kg.unknown"), "cannot tell the RDF format"),
    ],
)
def test_cli_export_errors(run_cli: CliRun, args: tuple[str, ...], message: str) -> None:
    code, _, err = run_cli(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# --- the bundled corpus through an independent parser (Raptor's rapper) --------------------------

RAPPER = needs_rapper.program
RAPPER_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "nquads": "nquads", "trig": "trig", "xml": "rdfxml"}


@pytest.fixture(scope="module")
def corpus(built_dir: Path) -> Dataset:
    return load_dataset(built_dir)


@pytest.mark.slow
@needs_rapper
@pytest.mark.parametrize("fmt", sorted(RAPPER_SYNTAX))
def test_rapper_reads_every_format_back_to_the_build(corpus: Dataset, fmt: str, tmp_path: Path) -> None:
    path = export(corpus, format=fmt, output=tmp_path / f"kg{FORMATS[fmt].extension}")
    quad_format = FORMATS[fmt].quads
    run = subprocess.run(
        [str(RAPPER), "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "nquads" if quad_format else "ntriples", str(path)],
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()[-500:]
    back = Dataset()
    if quad_format:
        back.parse(data=run.stdout.decode(), format="nquads")
    else:
        back.default_graph.parse(data=run.stdout.decode(), format="nt")
    expected = by_graph(corpus) if quad_format else {"": union_graph(corpus)}
    assert same_graphs(by_graph(back), expected)


@pytest.mark.slow
def test_pyld_reads_the_jsonld_export_back_to_the_build(corpus: Dataset) -> None:
    text = export(corpus, format="jsonld")
    assert isinstance(text, str)
    nquads = jsonld.to_rdf(json.loads(text), {"format": "application/n-quads"})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert same_graphs(by_graph(back), by_graph(corpus))


@pytest.mark.slow
def test_turtle_uses_the_ontology_prefixes(corpus: Dataset) -> None:
    prefix = re.compile(r"^@prefix (\w*):\s+<([^>]*)> \.$", re.MULTILINE)
    ontology = dict(prefix.findall((ROOT / "ontology" / "kgkit.ttl").read_text(encoding="utf-8")))
    text = export(corpus, format="turtle")
    assert isinstance(text, str)
    declared = dict(prefix.findall(text))
    shared = declared.keys() & ontology.keys()
    assert {"kg", "schema", "skos", "prov", "rdf", "xsd"} <= shared  # (rdflib declares only those it uses)
    assert set(declared) - shared <= {"kgid", "oa"}  # instances and Web Annotation: kgkit's own prefixes
    assert all(declared[p] == ontology[p] for p in shared)
    assert "kg:Conference" in text and "schema:name" in text


# --- JSON-LD framing -----------------------------------------------------------------------------

KGNS = "https://w3id.org/kgkit/ontology#"


@pytest.fixture(scope="module")
def framed_doc(corpus: Dataset) -> dict[str, Any]:
    text = export(corpus, format="jsonld", frame="conference")
    assert isinstance(text, str)
    return dict(json.loads(text))


def test_framed_conferences_nest_sessions_speakers_and_organizations(
    corpus: Dataset, framed_doc: dict[str, Any]
) -> None:
    union = union_graph(corpus)
    conferences = {str(c) for c in union.subjects(RDF.type, URIRef(KGNS + "Conference"))}
    nodes = {node["id"]: node for node in framed_doc["@graph"]}
    expand = {p: ns for p, ns in jsonld_context().items() if isinstance(ns, str) and ns.endswith(("/", "#"))}

    def iri(compact: str) -> str:
        prefix, _, local = compact.partition(":")
        return expand[prefix] + local if prefix in expand else compact

    assert {iri(i) for i in nodes} == conferences
    europe = nodes["kgid:conference/kubecon-cloudnativecon-europe-2024"]
    parts = {iri(p["id"]): p for p in europe["hasPart"]}
    expected_parts = {str(s) for s in union.subjects(URIRef(KGNS + "partOf"), URIRef(iri(europe["id"])))}
    assert set(parts) == expected_parts and len(parts) > 10
    # every presenter of every session is nested, people with their organizations
    presenters = 0
    for part_iri, part in parts.items():
        nested = part.get("presenter", [])
        nested = nested if isinstance(nested, list) else [nested]
        assert {iri(p["id"]) for p in nested} == {
            str(o) for o in union.objects(URIRef(part_iri), URIRef(KGNS + "presenter"))
        }
        for person in nested:
            presenters += 1
            assert "name" in person and "type" in person
            for org in person.get("affiliation", []) if isinstance(person.get("affiliation"), list) else [
                person["affiliation"]
            ] if "affiliation" in person else []:
                assert isinstance(org, dict) and "name" in org
    assert presenters > 0 and isinstance(europe["location"], dict) and europe["location"]["name"] == "Paris"
    assert isinstance(europe["organizer"], dict)
    # other nodes are references: no evidence, no topic scheme inside
    assert "Evidence" not in json.dumps(framed_doc["@graph"])


def test_framed_output_is_valid_jsonld_of_the_build(corpus: Dataset, framed_doc: dict[str, Any]) -> None:
    assert framed_doc["@context"]["hasPart"] == {"@reverse": "kg:partOf"}
    assert all(framed_doc["@context"][k] == v for k, v in jsonld_context().items())  # the published context
    nquads = jsonld.to_rdf(framed_doc, {"format": "application/n-quads"})  # pyld, the reference processor
    back = Graph().parse(data=nquads, format="nquads")
    union = union_graph(corpus)
    assert len(back) > 300 and all(triple in union for triple in back)


@pytest.mark.slow
def test_framing_agrees_with_pyld_on_the_plain_export(corpus: Dataset, framed_doc: dict[str, Any]) -> None:
    plain = export(corpus, format="jsonld")
    assert isinstance(plain, str)
    by_pyld = jsonld.frame(json.loads(plain), FRAMES["conference"](), {"omitDefault": True})

    def canonical(doc: Any) -> Any:
        return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads"})

    assert canonical(by_pyld) == canonical(framed_doc)


@pytest.mark.slow
def test_framed_output_is_byte_identical_across_runs(built_dir: Path, framed_doc: dict[str, Any]) -> None:
    script = (
        "import sys; from kgkit.rdf.export import export; "
        "sys.stdout.write(export(sys.argv[1], format='jsonld', frame='conference'))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(built_dir)], capture_output=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and json.loads(runs[0]) == framed_doc


@pytest.mark.slow
def test_cli_frame_options(run_cli: CliRun, built_dir: Path, tmp_path: Path) -> None:
    frame = Path(__file__).resolve().parent.parent / "data" / "frames" / "people.jsonld"
    code, out, err = run_cli("export", "-i", str(built_dir), "--frame", str(frame))
    assert code == 0, err
    people = json.loads(out)["@graph"]
    assert people and all(set(p) <= {"id", "type", "name", "jobTitle", "affiliation"} for p in people)
    code, out, err = run_cli("export", "-i", str(built_dir), "--frame", "conference", "-o", str(tmp_path / "c.jsonld"))
    assert code == 0 and json.loads((tmp_path / "c.jsonld").read_text())["@graph"]
    for args, message in [
        (("--frame", "conference", "--format", "turtle"), "--frame needs --format jsonld"),
        (("--frame", "no-such-frame"), "unknown frame 'no-such-frame'"),
    ]:
        code, _, err = run_cli("export", "-i", str(built_dir), *args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["nquads", "nt", "turtle", "trig", "xml"])
def test_the_oxigraph_path_writes_the_same_graph_as_rdflib(built_dir: Path, fmt: str, tmp_path: Path) -> None:
    """export() of a file goes through Oxigraph's parser and serializer; of a Dataset, through rdflib."""
    fast = export(built_dir, format=fmt, output=tmp_path / f"fast{FORMATS[fmt].extension}")
    slow = export(load_dataset(built_dir), format=fmt, output=tmp_path / f"slow{FORMATS[fmt].extension}")
    assert same_graphs(by_graph(load_dataset(fast)), by_graph(load_dataset(slow)))
    if fmt in ("nquads", "nt"):
        assert Path(fast).read_bytes() == Path(slow).read_bytes()  # sorted lines: the very same bytes


# --- the streaming path (a file in, Oxigraph and an external sort in between) --------------------

ODD = """
<http://x/s> <http://x/p> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://x/g1> .
<http://x/s> <http://x/p> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://x/g2> .
<http://x/s> <http://x/p> "1"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> <http://x/g1> .
<http://x/s> <http://x/p> "a\\u2028b\\u001Ec\\u0085d" <http://x/g1> .
<http://x/s> <http://x/p> "a <http://x/g1> b" .
<http://x/s> <http://x/p> <http://x/g1> .
<http://x/s> <http://x/q> "t\\u00E9\\"st"@fr <http://x/g2> .
<http://x/g1> <http://x/p> "x y" <http://x/g1> .
<http://x/s> <http://schema.org/name> "A" <http://x/g2> .
<http://x/s> <http://schema.org/name> "A" <http://x/g2> .
<http://x/s> <https://w3id.org/kgkit/ontology#confidence> "0.5"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://x/s> <https://w3id.org/kgkit/ontology#confidence> "0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://x/t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgkit/ontology#Session> <http://x/g2> .
<http://x/t> <https://w3id.org/kgkit/ontology#partOf> <http://x/s> <http://x/g2> .
"""


@pytest.fixture
def odd_file(tmp_path: Path) -> Path:
    path = tmp_path / "odd.nq"
    path.write_text(ODD.lstrip(), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("run_bytes", [None, 64])  # 64 bytes: every few lines a run, merged at the end
def test_streaming_a_file_gives_what_rdflib_gives(
    odd_file: Path, fmt: str, run_bytes: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if run_bytes:
        monkeypatch.setattr("kgkit.rdf.linesort.RUN_BYTES", run_bytes)
    if fmt == "xml":  # XML 1.0 cannot hold U+001E: both paths refuse it (tested below), so leave it out
        with pytest.raises(InputError, match="control character"):
            export(odd_file, format=fmt)
        odd_file.write_text("".join(x for x in ODD.lstrip().splitlines(True) if "u001E" not in x))
    fast = export(odd_file, format=fmt)
    slow = export(load_dataset(odd_file), format=fmt)  # a Dataset: rdflib's serializers
    assert isinstance(fast, str) and isinstance(slow, str)
    if fmt in ("nquads", "nt"):
        assert fast == slow  # sorted lines, escaped alike: the very same text
    source = load_dataset(odd_file)
    expected = by_graph(source) if FORMATS[fmt].quads else {"": union_graph(source)}
    assert same_graphs(ox_graphs(fast, fmt), expected), "pyoxigraph"
    if fmt == "jsonld":
        nquads = jsonld.to_rdf(json.loads(fast), {"format": "application/n-quads"})  # pyld, independent
        back = Dataset()
        back.parse(data=nquads, format="nquads")
        assert same_graphs(by_graph(back), expected), "pyld"
    assert '1.0"' in fast or "1.0" in fast  # the decimal keeps its lexical form (a Store would write 1)


def test_streamed_lines_are_byte_identical_across_runs(odd_file: Path, tmp_path: Path) -> None:
    for fmt in ("nquads", "nt", "turtle", "trig", "jsonld"):
        first = export(odd_file, format=fmt, output=tmp_path / f"a{FORMATS[fmt].extension}")
        second = export(odd_file, format=fmt, output=tmp_path / f"b{FORMATS[fmt].extension}")
        assert Path(first).read_bytes() == Path(second).read_bytes(), fmt
    lines = (tmp_path / "a.nq").read_text(encoding="utf-8").split("\n")[:-1]
    assert lines == sorted(set(lines)) and len(lines) == 13  # the repeated statement once
    assert all("\u2028" not in line and "\x1e" not in line for line in lines)


def test_a_file_with_blank_nodes_takes_the_rdflib_path(tmp_path: Path) -> None:
    path = tmp_path / "b.nq"
    path.write_text('_:a <http://x/p> "1" <http://x/g> .\n<http://x/s> <http://x/p> _:a .\n', encoding="utf-8")
    first, second = export(path, format="nt"), export(path, format="nt")
    assert first == second and "_:" in str(first)  # relabelled canonically, the same way every time
    assert same_graphs(ox_graphs(str(export(path, format="nquads")), "nquads"), by_graph(load_dataset(path)))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('<http://x/s> <http://x/p> "\\u0001" .', "control character"),
        ("<http://x/s> <http://example.org/0> <http://x/o> .", "no XML element name"),
    ],
)
def test_xml_refuses_in_one_line_from_a_file_too(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "x.nq"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        export(path, format="xml", output=tmp_path / "x.rdf")
    assert "\n" not in str(info.value) and not (tmp_path / "x.rdf").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x.nq"]  # no temporary file left behind


@pytest.mark.slow
def test_streamed_jsonld_of_the_build_expands_to_the_build(built_dir: Path, corpus: Dataset) -> None:
    text = export(built_dir, format="jsonld")
    assert isinstance(text, str)
    doc = json.loads(text)
    assert doc["@context"] == jsonld_context() and '"spokeOn"' in text
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert same_graphs(by_graph(back), by_graph(corpus))


def test_line_sorter_spills_and_merges(tmp_path: Path) -> None:
    from kgkit.rdf.linesort import LineSorter

    lines = [f"<http://x/{i % 37}> {'é' * (i % 5)} {i % 11} .".encode() for i in range(500)]
    with LineSorter(run_bytes=300, directory=tmp_path) as sorter:
        for i in range(0, len(lines), 7):
            sorter.add(lines[i : i + 7])
        assert len(list(tmp_path.iterdir())) == 1  # the runs' folder
        merged = b"".join(sorter.blocks())
    assert merged == b"".join(line + b"\n" for line in sorted(set(lines)))
    assert list(tmp_path.iterdir()) == []  # the runs are gone


# --- reading back what kgkit writes, any way it was named, or from standard input (issue 17, item 6) ----


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("xml", "kg.xml"), ("xml", "kg.rdf"), ("turtle", "kg.turtle"), ("turtle", "kg.ttl"), ("nt", "kg.ntriples"),
     ("nquads", "kg.nquads"), ("trig", "kg.trig"), ("jsonld", "kg.json"), ("jsonld", "kg.jsonld")],
)
def test_cli_reads_every_file_it_writes(run_cli: CliRun, built_dir: Path, tmp_path: Path, fmt: str, name: str) -> None:
    out = tmp_path / name
    code, _, err = run_cli("export", "-i", str(built_dir), "--format", fmt, "-o", str(out))
    assert code == 0, err
    code, text, err = run_cli("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Session }", "-i",
                              str(out), "--format", "csv")
    assert code == 0, err
    _, expected, _ = run_cli("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Session }", "-i",
                             str(built_dir), "--format", "csv")
    assert text == expected and int(text.splitlines()[1]) > 10


def test_cli_input_format_reads_a_file_whatever_its_extension(run_cli: CliRun, built_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "graph.txt"
    assert run_cli("export", "-i", str(built_dir), "--format", "turtle", "-o", str(notes))[0] == 0
    code, _, err = run_cli("validate", "-i", str(notes))
    assert code == 2 and err == (
        f"kgkit: error: {notes}: cannot tell the RDF format from the extension '.txt' (known: .json, .jsonld, "
        ".nq, .nquads, .nt, .ntriples, .owl, .rdf, .trig, .ttl, .turtle, .xml); give --input-format\n"
    )
    code, out, err = run_cli("validate", "-i", str(notes), "--input-format", "turtle")
    assert code == 0 and out.endswith("0 violations, 2 warnings in 2 shapes\n"), err
    code, _, err = run_cli("validate", "-i", str(notes), "--input-format", "yaml")
    assert code == 2 and "unknown RDF format 'yaml'" in err


@pytest.mark.parametrize("fmt", ["nquads", "turtle", "jsonld", "xml", "nt"])
def test_cli_reads_standard_input(built_dir: Path, fmt: str) -> None:
    """`-i -`: the format is told from the text (or given with --input-format)."""
    text = export(built_dir, format=fmt)
    assert isinstance(text, str)
    launcher = [sys.executable, "-c", "from kgkit.cli import main; main()"]
    count = ["query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Organization }", "-i", "-", "-f", "csv"]
    proc = subprocess.run([*launcher, *count], input=text, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "35"
    given = subprocess.run([*launcher, *count, "--input-format", fmt], input=text, capture_output=True, text=True,
                           timeout=120)
    assert given.stdout == proc.stdout


def test_cli_an_error_in_standard_input_names_it(tmp_path: Path) -> None:
    launcher = [sys.executable, "-c", "from kgkit.cli import main; main()"]
    proc = subprocess.run([*launcher, "validate", "-i", "-"], input="<http://x/a> <http://x/b> oops .\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("kgkit: error: <stdin>:1: not valid trig")
    assert proc.stderr.count("\n") == 1 and "kgkit-stdin-" not in proc.stderr
