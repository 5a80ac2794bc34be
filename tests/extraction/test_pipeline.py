"""The extraction pipeline: components by name, checked requirements, user components with evidence."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from paths import CORPUS
from rdflib import RDF, Dataset, Literal, URIRef

from kgkit.errors import InputError
from kgkit.extraction import DEFAULT_PIPELINE, REGISTRY, Pipeline, parse_spec
from kgkit.graph.build import build
from kgkit.rdf.terms import KG, OA

CUSTOM = '''
from rdflib import Literal, URIRef
from kgkit.extraction import component

@component("shouts", requires=["sentences"], provides=["facts"], version="7")
def shouts(st):
    """Every sentence that ends with an exclamation mark, as a kg:shout of the document."""
    for s in st.sentences:
        text = st.doc.text[s.start:s.end].strip()
        if text.endswith("!"):
            st.add(st.out.document_iri, URIRef("https://example.org/shout"), Literal(text), (s.start, s.end),
                   "pattern", 0.5)
'''


@pytest.fixture
def custom_module(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "kgkit_test_shouts.py").write_text(textwrap.dedent(CUSTOM), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield "kgkit_test_shouts"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("kgkit_test_shouts", None)
        REGISTRY.pop("shouts", None)


def test_the_default_pipeline_ends_with_curation() -> None:
    pipeline = Pipeline()
    assert pipeline.names == list(DEFAULT_PIPELINE) and pipeline.names[-1] == "curation"
    assert "talk-items" in pipeline.describe()


def test_specs_leave_out_and_add_components() -> None:
    assert "topics" not in parse_spec("default,-topics")
    assert parse_spec("+a.b:c")[-2:] == ["a.b:c", "curation"]
    assert parse_spec("sentences,gazetteer") == ["sentences", "gazetteer"]
    with pytest.raises(InputError, match="no component 'nope'"):
        parse_spec("default,-nope")


def test_a_requirement_no_earlier_component_meets_is_an_error() -> None:
    with pytest.raises(InputError, match=r"relations needs .*sentences"):
        Pipeline(["relations", "sentences"])


def test_an_unknown_component_names_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown component 'sentense'.*sentences"):
        Pipeline(["sentense"])


def test_a_users_component_adds_facts_with_evidence(custom_module: str, tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "note.md"
    doc.parent.mkdir()
    doc.write_text("# Notes\n\nWe met at KubeCon. What a week!\n", encoding="utf-8")
    result = build([doc.parent], tmp_path / "out", pipeline=f"default,+{custom_module}:shouts", jobs=1)
    ds = Dataset()
    ds.parse(result.output, format="nquads")
    shout = URIRef("https://example.org/shout")
    said = [(s, o) for s, _, o, _ in ds.quads((None, shout, None, None))]
    assert [str(o) for _, o in said] == ["What a week!"]
    statements = [st for st, _, _, _ in ds.quads((None, RDF.predicate, shout, None))]
    assert len(statements) == 1
    g = ds.graph(next(c for _, _, _, c in ds.quads((statements[0], None, None, None))))
    [evidence] = g.objects(statements[0], KG.evidence)
    assert g.value(evidence, KG.confidence) == Literal("0.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
    quotes = {str(g.value(sel, OA.exact)) for sel in g.objects(evidence, OA.hasSelector) if g.value(sel, OA.exact)}
    assert quotes == {"What a week!"}


@pytest.mark.slow
def test_the_pipeline_is_part_of_the_cache_key(custom_module: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build([CORPUS], out, jobs=1)
    again = build([CORPUS], out, jobs=1, pipeline=f"default,+{custom_module}:shouts")
    assert again.extracted == first.documents  # every document extracted afresh
    assert build([CORPUS], out, jobs=1, pipeline=f"default,+{custom_module}:shouts").extracted == 0


def test_cli_lists_the_pipeline(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run_cli("build", "--pipeline", "list")
    assert code == 0 and out.splitlines()[0].lstrip().startswith("1. structure")
    code, _, err = run_cli("build", "--pipeline", "default,-nope", "-o", "unused")
    assert code == 2 and "no component 'nope'" in err
