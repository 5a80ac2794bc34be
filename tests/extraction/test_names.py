"""Given names: the list, and the people they tell in text a model reads wrongly or does not read."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF

from kgkit.documents.read import read_document
from kgkit.extraction import extract
from kgkit.extraction.names import AMBIGUOUS, given_names, is_given_name, starts_with_given_name
from kgkit.extraction.speakers import Judge
from kgkit.rdf.terms import ID, KG


def test_the_list_knows_names_of_many_countries_and_leaves_out_words() -> None:
    given = given_names()
    assert {"Neeraj", "Sveinung", "Kjetil", "Yacine", "Mitch", "Hans"} <= given
    assert not {"The", "Una", "Will", "May", "Mark", "Paris"} & given  # function words, ambiguous words
    assert AMBIGUOUS.isdisjoint(given)
    assert is_given_name("Vinícius") and is_given_name("Fábio")  # without its accents the list has them
    assert starts_with_given_name("Jean-Pierre Dupont") and not starts_with_given_name("Mitch")


def test_a_given_name_outweighs_the_models_organization_label() -> None:
    judge = Judge(label_of=lambda a, b: "ORG", read_by_model=True)
    assert judge.person("Mitch Connors", 0, 13)
    assert not judge.person("Kubernetes Community", 0, 20)
    place = Judge(label_of=lambda a, b: "GPE", read_by_model=True)
    assert not place.person("Santa Clara", 0, 11)


def test_people_in_a_language_without_a_model(tmp_path: Path) -> None:
    doc = tmp_path / "blogg.md"
    doc.write_text(
        "---\ntitle: DevOpsDays\nlang: nb\n---\n\n"
        "BEKK hadde bidrag også av denne typen. Sveinung Dalatun og Kjetil Valle holdt et foredrag om "
        "hvordan provisjonering av servere gjøres. Keynoten av Hans Kristian Flaatten handlet om kata.\n",
        encoding="utf-8",
    )
    ex = extract(read_document(doc))
    people = {f.s for f in ex.facts if f.p == RDF.type and f.o == KG.Person}
    assert {ID["person/sveinung-dalatun"], ID["person/kjetil-valle"], ID["person/hans-kristian-flaatten"]} <= people
    assert all(f.method == "pattern" or f.method == "model" for f in ex.facts if f.s in people)


def test_names_stop_at_other_scripts_and_known_names(tmp_path: Path) -> None:
    doc = tmp_path / "zh.md"
    doc.write_text("---\ntitle: 贡献者峰会\nlang: zh\n---\n\nRob Keilty將幫助您運行Prow測試環境。\n", encoding="utf-8")
    ex = extract(read_document(doc))
    names = {str(f.o) for f in ex.facts if f.s == ID["person/rob-keilty"] and f.p.endswith("name")}
    assert names == {"Rob Keilty"}
