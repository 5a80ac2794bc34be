"""Extraction on documents of every kind, including ones written for these tests (not the corpus)."""

from __future__ import annotations

import pytest
from paths import CORPUS, DATA
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgkit.documents.read import read_document
from kgkit.extraction import Extraction, extract, topics_in
from kgkit.rdf.terms import ID, KG, SCHEMA


def facts(ex: Extraction) -> set[tuple[object, object, object]]:
    return {(f.s, f.p, f.o) for f in ex.facts}


def iri(path: str) -> URIRef:
    return ID[path]


@pytest.mark.slow
def test_talk_list_with_speakers_times_and_sched_links() -> None:
    ex = extract(read_document(DATA / "docs" / "talk-list.md"))
    got = facts(ex)
    s = iri("session/kubecon-cloudnativecon-north-america-2024/tracing-without-tears-opentelemetry-at-scale")
    assert (s, SCHEMA.name, Literal("Tracing Without Tears: OpenTelemetry at Scale", lang="en")) in got
    assert (s, KG.startDate, Literal("2024-11-13T11:00:00-07:00", datatype=XSD.dateTime)) in got
    assert (s, KG.scheduleUrl, URIRef("https://kccncna2024.sched.com/event/1i7kQ/tracing-without-tears")) in got
    assert (s, KG.presenter, iri("person/maria-lopez")) in got
    assert (s, KG.presenter, iri("person/tom-becker")) in got
    assert (iri("person/maria-lopez"), KG.affiliation, iri("org/globex-systems")) in got
    assert (s, KG.mentionsProject, iri("project/opentelemetry")) in got
    assert (s, KG.partOf, iri("conference/kubecon-cloudnativecon-north-america-2024")) in got
    lt = iri("session/kubecon-cloudnativecon-north-america-2024/carbon-aware-autoscaling-with-keda")
    assert (lt, KG.sessionKind, URIRef(str(KG) + "kind-lightning-talk")) in got
    assert (lt, KG.topic, iri("topic/carbon-awareness")) in got
    assert (iri("person/ana-silva"), KG.affiliation, iri("org/initech")) in got
    keynote = iri("session/kubecon-cloudnativecon-north-america-2024/observability-for-everyone")
    assert (keynote, KG.presenter, iri("org/cncf-tag-observability")) in got
    conf = iri("conference/kubecon-cloudnativecon-north-america-2024")
    assert (conf, KG.startDate, Literal("2024-11-12", datatype=XSD.date)) in got


def test_recap_people_roles_affiliations_and_topics() -> None:
    got = facts(extract(read_document(DATA / "docs" / "recap.md")))
    dana, northwind = iri("person/dana-whitfield"), iri("org/northwind-energy")
    assert (dana, KG.affiliation, northwind) in got
    assert (northwind, KG.spokeOn, iri("topic/energy-efficiency")) in got
    assert (northwind, KG.spokeOn, iri("topic/carbon-awareness")) in got  # "This helped them cut emissions"
    assert (iri("person/sam-okafor"), SCHEMA.jobTitle, Literal("Principal Engineer", lang="en")) in got
    assert (iri("person/sam-okafor"), KG.affiliation, iri("org/contoso-cloud")) in got
    conf = iri("conference/open-source-summit-europe-2025")
    assert (conf, KG.attendance, Literal(2000, datatype=XSD.integer)) in got
    assert (conf, KG.location, iri("place/amsterdam")) in got
    assert (iri("org/google"), KG.spokeOn, iri("topic/security")) in got
    assert (iri("org/google"), KG.spokeOn, iri("topic/energy-efficiency")) not in got


def test_forum_post_quoted_talk_and_unknown_org() -> None:
    got = facts(extract(read_document(DATA / "docs" / "forum.txt")))
    talk = iri("session/kubecon-cloudnativecon-europe-2025/scaling-envoy-gateways-to-a-million-routes")
    assert (talk, KG.presenter, iri("person/lucas-moreau")) in got
    assert (iri("org/fabrikam"), KG.spokeOn, iri("topic/sustainability")) in got
    assert any(s == iri("event/cloud-native-rejekts") for s, _, _ in got)


def test_non_english_html_page() -> None:
    ex = extract(read_document(DATA / "docs" / "rueckblick.html"))
    got = facts(ex)
    doc = ex.document_iri
    assert (doc, KG.inLanguage, Literal("de")) in got
    assert (doc, SCHEMA.name, Literal("Rückblick: KubeCon Europe 2024", lang="de")) in got
    conf = iri("conference/kubecon-cloudnativecon-europe-2024")
    assert (conf, KG.attendance, Literal(12000, datatype=XSD.integer)) in got
    assert (doc, KG.topic, iri("topic/sustainability")) in got


def test_corpus_schedule_page_sessions_and_times() -> None:
    ex = extract(read_document(CORPUS / "000_dc9f1b824b07a64f.txt"))
    sessions = {s for s, p, o in facts(ex) if o == KG.Session}
    assert len(sessions) == 14
    got = facts(ex)
    db = next(s for s, p, o in got if p == SCHEMA.name and str(o).startswith("Keynote: Building IT Green"))
    assert (db, KG.startDate, Literal("2024-03-21T09:45:00+01:00", datatype=XSD.dateTime)) in got
    assert (db, KG.featuresOrganization, iri("org/deutsche-bahn")) in got
    assert (db, KG.topic, iri("topic/sustainability")) in got  # from the "Sustainability related talks" heading
    tag = next(s for s, p, o in got if p == SCHEMA.name and str(o).startswith("Cloud Native Sustainability Efforts"))
    assert (tag, KG.presenter, iri("org/cncf-tag-environmental-sustainability")) in got
    assert (iri("org/pachama"), KG.uses, iri("project/flyte")) in got


@pytest.mark.slow
def test_every_fact_points_into_the_text() -> None:
    for path in sorted(CORPUS.iterdir()):
        doc = read_document(path)
        for f in extract(doc).facts:
            start, end = f.span
            assert 0 <= start < end <= len(doc.text), (path.name, f)
            assert doc.text[start:end].strip(), (path.name, f)
            assert 0.0 < f.confidence <= 1.0


def test_topic_triggers() -> None:
    assert topics_in("Unlock Energy Consumption in the Cloud with eBPF") == {"energy-efficiency", "ebpf"}
    assert "sustainability" in topics_in("CNCF云原生可持续发展周")
    assert topics_in("the spin of a disk") == set()
