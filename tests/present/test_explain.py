"""``explain``: every fact about an entity with its evidence, on both local engines and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import CORPUS

from kgkit.documents.read import read_document
from kgkit.errors import InputError
from kgkit.present.explain import ExplainedFact, explain
from kgkit.rdf.read import load_dataset, union_graph
from kgkit.stores import open_store

KGID = "https://w3id.org/kgkit/id/"
STORES = ("memory", "oxigraph")
SHOPIFY_QUOTE = "Aparna Subramanian from Shopify addressed the pressing need for sustainable scaling of infrastructure."


def _fact(facts: list[ExplainedFact], subject: str, predicate: str, obj: str) -> ExplainedFact:
    found = [f for f in facts if (f.subject, f.predicate, f.object) == (subject, predicate, obj)]
    assert found, [(f.subject, f.predicate, f.object) for f in facts]
    return found[0]


def test_every_fact_comes_with_its_quote_span_document_method_and_confidence(built_dir: Path) -> None:
    facts = explain("Shopify", source=built_dir)
    fact = _fact(facts, "Aparna Subramanian", "is affiliated with", "Shopify")
    assert (fact.quote, fact.method, fact.confidence) == (SHOPIFY_QUOTE, "pattern", 0.75)
    doc = read_document(CORPUS / fact.document, CORPUS)  # the span is where the quote is in its text
    assert doc.text[fact.start : fact.end] == SHOPIFY_QUOTE
    assert facts == sorted(facts, key=lambda f: (f.document, f.start, f.predicate, f.object))
    assert facts[0].render().splitlines()[1] == f"    “{SHOPIFY_QUOTE}”"


def test_a_name_any_case_an_alias_and_the_iri_give_the_same_facts(built_dir: Path) -> None:
    facts = explain("Shopify", source=built_dir)
    assert explain("  sHOPIFY ", source=built_dir) == facts
    assert explain(f"{KGID}org/shopify", source=built_dir) == facts


def test_names_of_other_nodes_are_not_facts_about_the_entity(built_dir: Path) -> None:
    for fact in explain("Cloud Native Computing Foundation", source=built_dir):
        if fact.predicate in ("is named", "is also called"):
            assert fact.subject == "Cloud Native Computing Foundation"


def test_an_unknown_name_suggests_the_closest_ones(built_dir: Path) -> None:
    with pytest.raises(InputError, match=r"nothing named 'Shopfy' in the graph; did you mean 'shopify'\?"):
        explain("Shopfy", source=built_dir)
    with pytest.raises(InputError, match=r"^nothing named 'qqqqqqqq' in the graph$"):
        explain("qqqqqqqq", source=built_dir)
    with pytest.raises(InputError, match=f"no node {KGID}org/nobody in the graph"):
        explain(f"{KGID}org/nobody", source=built_dir)


@pytest.mark.slow
@pytest.mark.parametrize("entity", ["Shopify", "Deutsche Bahn", "kube-green", "Kepler", "Paris", "CNCF"])
def test_both_engines_and_an_rdflib_graph_give_the_same_facts(built_dir: Path, entity: str) -> None:
    facts = explain(entity, source=built_dir, store="memory")
    assert facts
    assert explain(entity, source=built_dir, store="oxigraph") == facts
    assert explain(entity, source=union_graph(load_dataset(built_dir))) == facts


@pytest.mark.slow
def test_both_engines_agree_on_every_named_entity(built_dir: Path) -> None:
    # each engine opened once for all names: the build's Oxigraph store is kept by the process, and rdflib
    # is handed the Dataset read here (an rdflib Graph would be copied into a Dataset on every call)
    dataset = load_dataset(built_dir)
    named = open_store(built_dir, store="oxigraph").query("SELECT DISTINCT ?s WHERE { ?s schema:name ?n }")
    iris = sorted({str(s) for s, in named.rows if str(s).startswith(KGID) and "/document/" not in str(s)})
    assert len(iris) > 50
    for iri in iris:
        assert explain(iri, source=built_dir, store="oxigraph") == explain(iri, source=dataset, store="memory"), iri


def test_the_command_prints_each_fact_and_fails_in_one_line(run_cli, built_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli("explain", "Shopify", "-i", str(built_dir))
    assert code == 0 and err == ""
    assert f"    “{SHOPIFY_QUOTE}”" in out.splitlines()
    code, out, err = run_cli("explain", "Shopfy", "-i", str(built_dir))
    assert (code, out) == (2, "")
    assert err == "kgkit: error: nothing named 'Shopfy' in the graph; did you mean 'shopify'?\n"


@pytest.mark.slow
def test_the_command_takes_the_engine_to_ask(run_cli, built_dir: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = {store: run_cli("explain", "Kepler", "-i", str(built_dir), "--store", store) for store in STORES}
    assert outputs["memory"] == outputs["oxigraph"]
    assert outputs["memory"][0] == 0 and "facts about 'Kepler'." in outputs["memory"][1]
    code, out, err = run_cli("explain", "Kepler", "-i", str(built_dir), "--store", "sqlite")
    assert (code, out) == (2, "")
    assert err.startswith("kgkit: error: unknown store 'sqlite'")


def test_facts_with_the_same_place_and_predicate_come_in_a_fixed_order(built_dir: Path) -> None:
    facts = explain("Tobias Schneck", source=built_dir)  # two facts "... has presenter Tobias Schneck" at one place
    assert len({(f.document, f.start, f.predicate, f.object) for f in facts}) < len(facts)  # ties exist
    assert facts == sorted(facts, key=lambda f: (f.document, f.start, f.predicate, f.object, f.subject, f.end))
