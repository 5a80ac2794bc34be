"""``kgkit export``: every format round-trips through rdflib and through an independent parser
(pyoxigraph); N-Quads/N-Triples are sorted and byte-identical; JSON-LD expands (pyld) to the source."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from kgkit.errors import InputError
from kgkit.export import CONTEXT_FILE, as_dataset, export, jsonld_context
from kgkit.rdfio import FORMATS, load_dataset, union_graph

KG = Path(__file__).parent / "data" / "query" / "kg.trig"
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
