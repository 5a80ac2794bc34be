"""Conference editions: series mentions, the document's conference, its dates, city and attendance."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache

from rdflib import XSD

from kgkit.extraction.component import component
from kgkit.extraction.gazetteer import Match
from kgkit.extraction.patterns import (
    _DIGIT,
    ATTEND,
    CONF_GAZETTEER,
    CONF_PATTERN,
    DATE_RANGE,
    MONTHS,
    literal,
)
from kgkit.extraction.state import DocState
from kgkit.rdf.terms import KG


@lru_cache(maxsize=32)
def _series_regexes(pattern: str, city_alt: str, region_alt: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(f"(?:{pattern})"),
        re.compile(rf"(?:{city_alt})(?=\s+\Z)"),
        re.compile(
            rf"(?:\s+(?P<city>{city_alt})\b)?(?:\s+(?P<region>{region_alt}))?(?:\s*(?P<year>'\d\d|20\d\d)\b)?"
            rf"(?:\s+in\s+(?P<year2>20\d\d))?"
        ),
    )


def _series_mentions(
    text: str, pattern: str, city_alt: str, region_alt: str
) -> Iterator[tuple[int, int, str | None, re.Match[str]]]:
    """Mentions of a conference series: ``[City ]Name[ Region][ Year][ in Year]`` as (start, end, city,
    the match of the part after the name), left to right without overlaps. The name is searched
    first and the city looked for just before it: one regex starting with a list of cities would
    try every city at every position of the text."""
    name_re, city_re, tail_re = _series_regexes(pattern, city_alt, region_alt)
    pos = 0
    while (m := name_re.search(text, pos)) is not None:
        window = max(pos, m.start() - 200)
        c = city_re.search(text, window, m.start()) if city_alt else None
        tail = tail_re.match(text, m.end())
        assert tail is not None  # every part of it is optional
        city = c.group() if c else tail.group("city")  # "Paris KubeCon", "KubeCon Paris"
        yield (c.start() if c else m.start()), tail.end(), city, tail
        pos = tail.end() if tail.end() > m.start() else m.start() + 1


# -------------------------------------------------------------- conferences
@component("conferences", requires=["sentences", "search"], provides=["conference", "conf_dates", "year"])
def conference_facts(st: DocState) -> None:
    """Conference editions the text names, the document's own conference, its dates, city and attendance."""
    series = st.curated.get("conference_series", [])
    regions: dict[str, list[str]] = st.curated.get("regions", {})
    cities: dict[str, list[str]] = st.curated.get("cities", {})
    region_alt = "|".join(sorted((re.escape(a) for r in regions.values() for a in r), key=len, reverse=True))
    city_alt = "|".join(sorted(map(re.escape, cities), key=len, reverse=True))
    mentions: list[tuple[int, int, str, str | None, int | None, str | None, str]] = []
    specific: set[tuple[int, int]] = set()  # mentions that name one edition: with a city or a year
    text = st.search
    for s in series:
        for start, end, city, m in _series_mentions(text, s["pattern"], city_alt, region_alt):
            region = next((r for r, al in regions.items() if m.group("region") in al), None)
            if city and not region:
                region = cities[city][1]
            y = m.group("year") or m.group("year2")
            year = (2000 + int(y[1:]) if y.startswith("'") else int(y)) if y else None
            if s.get("by_city"):  # "DevOpsDays Berlin 2017": a series whose editions are named by city
                region = city
            elif city and year is None and s.get("editions"):  # "KubeCon Amsterdam": the edition held there
                region, year = _edition(s["editions"], city, st.doc.date.year if st.doc.date else st.year) or (
                    region,
                    year,
                )
            mentions.append((start, end, s["name"], region, year, city, s.get("organizer", "")))
            if city or y:  # "KubeCon EU" names every European edition: not one yearly edition's name
                specific.add((start, end))
    if not mentions:
        return

    # the document's conference: the most specific mention in the title, else the most frequent
    def score(m: tuple[int, int, str, str | None, int | None, str | None, str]) -> tuple[int, int, int]:
        in_title = st.doc.title_span is not None and st.doc.title_span[0] <= m[0] < st.doc.title_span[1]
        return (int(in_title or m[0] < st.doc.body_start), int(m[3] is not None) + int(m[4] is not None), -m[0])

    main = max(mentions, key=score)
    main_year = main[4] or st.year
    main_region = main[3]
    if main_region is None:  # "CloudNativeCon 2017" in the title, "CloudNativeCon Austin" in the text: one edition
        regions_named = {m[3] for m in mentions if m[2] == main[2] and m[3] and m[4] in (None, main_year)}
        if len(regions_named) == 1:
            main_region = regions_named.pop()
            city_named = next(m[5] for m in mentions if m[2] == main[2] and m[3] == main_region)
            main = (*main[:5], main[5] or city_named, main[6])
    if main_year:
        st.year = main_year
    first_org_hit: dict[str, Match] = {}
    for h in st.hits:
        if h.entry.kind == "org":
            first_org_hit.setdefault(h.entry.name, h)
    for start, end, name, region, year, city, organizer in mentions:
        same = (
            region in (None, main_region)
            and year in (None, main_year)
            and name == main[2]
            and not (city and main_region and cities[city][1] != main_region)
            and not (city and main[5] and city != main[5])  # "KubeCon Paris" and "KubeCon Amsterdam": two
        )
        r, y = (main_region, main_year) if same else (region, year)
        canonical = " ".join(x for x in (name, r, str(y) if y else None) if x)
        span = st.span_of(start) if start >= st.doc.body_start else (start, end)
        surface = text[start:end].strip()
        # "KubeCon" alone names the series, not this edition: no alternate name of it (it would name them all)
        edition = (start, end) in specific or not y  # as specific as the node: "KubeCon NA" of no year is its name
        iri = st.entity("conference", canonical, span, "pattern", CONF_GAZETTEER, surface=surface if edition else None)
        if same and st.conference is None:
            st.conference = iri
        # the series' organizer, when the document names it (the sentence naming it is the evidence)
        named = first_org_hit.get(organizer) if organizer else None
        if named and iri not in st.organized:
            st.organized.add(iri)
            where = st.span_of(named.start)
            org_iri = st.from_entry(named.entry, where, named.text)
            st.add(iri, KG.organizer, org_iri, where, "gazetteer", CONF_PATTERN)
    if st.conference is None:
        return
    if main[5] and main[5] in cities and not st.located:  # the edition's city, named with it
        _locate(st, cities, main[5], st.span_of(main[0]) if main[0] >= st.doc.body_start else (main[0], main[1]))
    conference_details(st, cities)


def _edition(editions: dict[str, dict[int, str]], city: str, year: int | None) -> tuple[str, int] | None:
    """(region, year) of the edition of a series held in ``city`` nearest ``year`` (the latest without one)."""
    held = [(region, y) for region, by_year in editions.items() for y, c in by_year.items() if c == city]
    if not held:
        return None
    return min(held, key=lambda e: (abs(e[1] - year), e[1]) if year else (-e[1], 0))


def _locate(st: DocState, cities: dict[str, list[str]], city: str, span: tuple[int, int]) -> None:
    """The document's conference takes place in ``city`` (and its country)."""
    assert st.conference is not None
    st.located = True
    english = cities[city][2] if len(cities[city]) > 2 else city
    st.cache["city"] = english
    place = st.entity("place", english, span, "pattern", CONF_PATTERN, surface=city)
    st.add(st.conference, KG.location, place, span, "pattern", CONF_PATTERN)
    country = st.entity("place", cities[city][0], span, "pattern", CONF_PATTERN)
    st.add(place, KG.containedInPlace, country, span, "pattern", CONF_PATTERN)


def conference_details(st: DocState, cities: dict[str, list[str]]) -> None:
    assert st.conference is not None
    conf = st.conference
    d = st.doc
    zones = [(d.title_span or (0, 0))] + [(0, d.body_start)] + [(s.start, s.end) for s in st.sentences]
    for a, b in zones:
        chunk = d.text[a:b]
        m = DATE_RANGE.search(chunk) if st.conf_dates is None else None
        if m:
            mon = MONTHS[(m.group("m") or m.group("m2"))[:3].lower()]
            y = int(m.group("y") or m.group("y2"))
            d1, d2 = int(m.group("d1") or m.group("e1")), int(m.group("d2") or m.group("e2"))
            try:
                st.conf_dates = (dt.date(y, mon, d1), dt.date(y, mon, d2))
            except ValueError:
                continue
            span = (a, b) if a >= d.body_start else st.meta_span(a, b, m.start())
            st.add(conf, KG.startDate, literal(st.conf_dates[0], datatype=XSD.date), span, "pattern", CONF_PATTERN)
            st.add(conf, KG.endDate, literal(st.conf_dates[1], datatype=XSD.date), span, "pattern", CONF_PATTERN)
        for cm in re.finditer(
            r"\b(?:in|to|at|en|à|a|nach)\s+(?P<city>[A-ZÀ-Ý][a-zà-ÿ]+(?: [A-Z][a-z]+)?)"
            r"(?:,\s*(?P<country>[A-Z][a-z]+))?",
            chunk,
        ):
            city = cm.group("city")
            if city in cities and not st.located:
                _locate(st, cities, city, (a, b) if a >= d.body_start else st.meta_span(a, b, cm.start()))
    for s in st.sentences:
        m = ATTEND.search(d.masked, s.start, s.end) if _DIGIT.search(d.masked, s.start, s.end) else None
        if m:
            raw = m.group("n").replace(",", "").replace(" ", "")
            n = int(float(raw[:-1]) * 1000) if raw[-1] in "kK" else int(raw.replace(".", ""))
            st.add(conf, KG.attendance, literal(n, datatype=XSD.integer), (s.start, s.end), "pattern", CONF_PATTERN)
