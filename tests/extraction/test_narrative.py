"""Narrative prose, written for these tests in the shapes issue 16 lists (invented people and companies):
people named in running text, sessions named by what someone did, who uses what, hard-wrapped lines."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF

from kgkit.documents.read import read_document
from kgkit.extraction import Extraction, extract
from kgkit.rdf.terms import ID, KG

RECAP = """---
title: "Fluxlike at KubeCon NA 2023"
---

Fluxlike maintainers Stefan Prodanovic & Hilde Beydaal hosted the Fluxlike project meeting at KubeCon NA 2023
in Chicago. At the booth I met Priya Sharmaa of Weavewerks and we talked about GitOps. Later, Anaïs Urlichova (Aqua
Security) talked about supply chain security, and Kingsley Barrow delivered the Fluxlike Bug Scrub session.

The setup of Swisscom is based on Flux, and Deutsche Telekom adopted Flux for its edge clusters.
Companies using Flux in production include SAP and STACKIT.

CNCF Ambassador Chris Shortley joined us too.
"""


def _facts(tmp_path: Path) -> tuple[Extraction, set[tuple[object, object, object]]]:
    path = tmp_path / "recap.md"
    path.write_text(RECAP, encoding="utf-8")
    ex = extract(read_document(path))
    return ex, {(f.s, f.p, f.o) for f in ex.facts}


def test_people_in_running_text_and_their_organizations(tmp_path: Path) -> None:
    _, got = _facts(tmp_path)
    people = {s for s, p, o in got if p == RDF.type and o == KG.Person}
    for person in ("stefan-prodanovic", "hilde-beydaal", "kingsley-barrow", "chris-shortley", "anais-urlichova"):
        assert ID[f"person/{person}"] in people
    assert (ID["person/priya-sharmaa"], KG.affiliation, ID["org/weavewerks"]) in got  # "X of Y"
    assert (ID["person/anais-urlichova"], KG.affiliation, ID["org/aqua-security"]) in got  # across a line end
    assert not any(str(s).endswith("/aqua") for s, _, _ in got)  # no project "Aqua" out of "Aqua\\nSecurity"


def test_sessions_named_by_what_someone_did_with_them(tmp_path: Path) -> None:
    _, got = _facts(tmp_path)
    scrub = ID["session/kubecon-cloudnativecon-north-america-2023/fluxlike-bug-scrub"]
    meeting = ID["session/kubecon-cloudnativecon-north-america-2023/fluxlike-project-meeting"]
    assert (scrub, KG.presenter, ID["person/kingsley-barrow"]) in got
    assert (meeting, KG.presenter, ID["person/stefan-prodanovic"]) in got
    assert (meeting, KG.presenter, ID["person/hilde-beydaal"]) in got
    # the one who talked about something else in the same sentence presented neither
    assert (scrub, KG.presenter, ID["person/anais-urlichova"]) not in got
    assert (meeting, KG.presenter, ID["person/anais-urlichova"]) not in got


def test_who_uses_what_and_users_are_no_presenters(tmp_path: Path) -> None:
    ex, got = _facts(tmp_path)
    assert (ID["org/swisscom"], KG.uses, ID["project/flux"]) in got
    assert (ID["org/deutsche-telekom"], KG.uses, ID["project/flux"]) in got
    presenters = {o for s, p, o in got if p == KG.presenter}
    assert ID["org/sap"] not in presenters and ID["org/stackit"] not in presenters
    assert all(f.method == "model" for f in ex.facts if f.p == KG.uses)
