"""Programmes in Chinese and Japanese: labelled talk titles, speaker lines with full-width punctuation,
Han personal names and organizations told by the words they end with."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, URIRef

from kgkit.documents.read import read_document
from kgkit.extraction import extract
from kgkit.extraction.speakers import Judge, han_personal_name, parse_speakers
from kgkit.rdf.terms import KG, SCHEMA


def test_han_names_and_the_words_that_are_none() -> None:
    assert han_personal_name("王小明") and han_personal_name("欧阳") and han_personal_name("山田 太郎")
    assert not han_personal_name("架构师") and not han_personal_name("技术分享") and not han_personal_name("Wang")


def test_a_speaker_line_with_full_width_commas_gives_the_person_and_the_company_not_the_role() -> None:
    text = "王小明，星河科技，云平台负责人"
    people = parse_speakers(text, 0, Judge())
    assert people is not None and [(p.name, p.org) for p in people] == [("王小明", "星河科技")]
    assert parse_speakers("Platforms WG (スポンサー未定)", 0, Judge()) is None  # "sponsor to be decided"


def test_a_chinese_meetup_page_gives_its_sessions_speakers_and_their_companies(tmp_path: Path) -> None:
    page = tmp_path / "meetup.md"
    page.write_text(
        "---\ntitle: Rust & Wasm 联合 Meetup\n---\n\n"
        "本次 Meetup 邀请了多位技术专家来线上分享。\n\n"
        "### 议题 1：基于 Wasm 的边缘计算实践\n\n分享嘉宾：李华，晨光网络，高级工程师\n\n"
        "### 议题 2：Rust 在存储系统中的应用\n\n分享嘉宾：周婷，海川数据，架构师\n",
        encoding="utf-8",
    )
    ex = extract(read_document(page))
    typed = {(f.s, f.o) for f in ex.facts if f.p == RDF.type}
    names = {f.s: str(f.o) for f in ex.facts if f.p == SCHEMA.name}

    def of_class(cls: URIRef) -> set[str]:
        return {names[s] for s, o in typed if o == cls}

    assert {"李华", "周婷"} <= of_class(KG.Person)
    assert {"晨光网络", "海川数据"} <= of_class(KG.Organization)
    assert not {"高级工程师", "架构师"} & (of_class(KG.Organization) | of_class(KG.Person))
    assert {"基于 Wasm 的边缘计算实践", "Rust 在存储系统中的应用"} <= of_class(KG.Session)
    assert "Rust & Wasm 联合 Meetup" in of_class(KG.Event)
    by_name = {v: k for k, v in names.items()}
    performers = {(str(f.s), str(f.o)) for f in ex.facts if f.p == KG.presenter}
    assert (str(by_name["基于 Wasm 的边缘计算实践"]), str(by_name["李华"])) in performers
    affiliations = {(f.s, f.o) for f in ex.facts if f.p == KG.affiliation}
    assert (URIRef(by_name["周婷"]), URIRef(by_name["海川数据"])) in affiliations
