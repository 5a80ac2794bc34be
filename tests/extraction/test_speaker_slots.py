"""The organization slot of a speaker line ("Name, Org"): a company whatever the model calls it, a place
kgkit knows never."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF

from kgkit.documents.read import read_document
from kgkit.extraction import extract
from kgkit.extraction.state import known_places
from kgkit.rdf.terms import ID, KG


def test_known_places_are_the_time_zone_cities_and_countries() -> None:
    places = known_places()
    assert {"Berlin", "New York", "Sao Paulo", "Germany", "Japan"} <= places
    assert not {"Databricks", "Google", "Reddit"} & places


def test_a_company_in_the_slot_is_an_affiliation_and_a_city_is_not(tmp_path: Path) -> None:
    page = tmp_path / "schedule.md"
    page.write_text(
        "---\ntitle: ThanosCon 2024 schedule\n---\n\nOur schedule looked as follows:\n\n"
        "* 6 Learnings from Building Thanos Project - Bartłomiej Płotka, Google; Fabian Reinartz, Databricks\n"
        "* Scaling Thanos at Reddit - Ben Kochie, Reddit\n"
        "* Thanos Receiver Deep Dive - Jan Novak, Berlin\n",
        encoding="utf-8",
    )
    ex = extract(read_document(page))
    orgs = {f.s for f in ex.facts if f.p == RDF.type and f.o == KG.Organization}
    affiliations = {(f.s, f.o) for f in ex.facts if f.p == KG.affiliation}
    assert (ID["person/fabian-reinartz"], ID["org/databricks"]) in affiliations
    assert ID["org/berlin"] not in orgs and not any(o == ID["org/berlin"] for _, o in affiliations)
