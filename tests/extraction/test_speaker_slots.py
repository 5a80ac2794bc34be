"""Speaker lines. The organization slot of one ("Name, Org"): a company whatever the model calls it, a place
kgkit knows never."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, URIRef

from kgkit.documents.read import read_document
from kgkit.extraction import extract
from kgkit.extraction.state import known_places
from kgkit.rdf.terms import ID, KG, SCHEMA


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


def test_a_kind_before_the_title_link_and_speakers_in_brackets_after_it(tmp_path: Path) -> None:
    """``Tutorial: [Title](url) (by [Name](url) and Name), Room 104, 09:30 to 12:30``: a talk whose title
    need not be in Title Case (its kind says it is one), its speakers in the brackets."""
    page = tmp_path / "talks.md"
    page.write_text(
        "---\ntitle: Our talks at SCALE 18x\n---\n\n## Thursday\n\n"
        "* Tutorial: [Simplifying the build process with buildpacks](https://example.org/p/simplifying) "
        "(by [Kevin Takenaga](https://example.org/s/kevin) and Aaron Meza), Room 104, 09:30 to 12:30\n"
        "* Workshop: [Ansible 101](https://example.org/p/ansible) (by [John Hawley](https://example.org/s/john)),"
        " Room 211, 16:00 to 18:00\n",
        encoding="utf-8",
    )
    ex = extract(read_document(page))
    names = {f.s: str(f.o) for f in ex.facts if f.p == SCHEMA.name}
    presenters = {(names[f.s], names.get(URIRef(str(f.o)), "")) for f in ex.facts if f.p == KG.presenter}
    assert ("Simplifying the build process with buildpacks", "Kevin Takenaga") in presenters
    assert ("Simplifying the build process with buildpacks", "Aaron Meza") in presenters
    assert ("Ansible 101", "John Hawley") in presenters


def test_a_role_or_a_plain_word_is_no_organization(tmp_path: Path) -> None:
    page = tmp_path / "recap.md"
    page.write_text(
        "---\ntitle: Talks we liked\n---\n\n"
        "* “Kubernetes Documentation: fixing issues” by John Mulhausen, Lead Technical Writer, Google\n"
        "* “What is OpenStack's role?” By Thierry Carrez, Director of Engineering, OpenStack Foundation\n"
        "* [Platform panel](https://example.org/sessions/panel) - Jorge Lainfiesta, Independent Contributor\n\n"
        "Then talked about personal stuff. We needed a cost-effective solution.\n",
        encoding="utf-8",
    )
    ex = extract(read_document(page))
    orgs = {str(f.o) for f in ex.facts if f.p == SCHEMA.name and "/org/" in str(f.s)}
    assert not orgs & {"Lead Technical Writer", "Engineering", "Independent Contributor", "Then", "cost-effective"}
