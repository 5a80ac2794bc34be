"""Gazetteer mentions: landscape and curated entities named in the text, co-located events."""

from __future__ import annotations

import re

from kgkit.extraction.component import component
from kgkit.extraction.gazetteer import Entry, lower_keeping_length
from kgkit.extraction.patterns import (
    CONF_GAZETTEER,
    CONF_PATTERN,
    _first_line,
)
from kgkit.extraction.state import DocState
from kgkit.rdf.terms import KG


# -------------------------------------------------------------- gazetteer mentions
@component("gazetteer", provides=["hits"])
def gazetteer(st: DocState) -> None:
    """Every landscape and curated name in the body (one Aho-Corasick pass, whole words, case rules)."""
    st.hits = st.gz.find(st.doc.text, st.doc.masked, st.doc.body_start)


@component("mentions", requires=["sentences", "hits", "conference"], provides=["local_alias", "main_event"])
def mention_facts(st: DocState) -> None:
    """Entities of the gazetteer the text names, and co-located events (part of the conference)."""
    entities = {m.entry.key for m in st.hits}
    # "TAG" alone means the one TAG this document names ("TAG ENV"), an all-caps head of an alias
    heads: dict[str, list[Entry]] = {}
    for key in entities:
        e = st.gz.entries[key]
        for alias in [e.name, *e.aliases]:
            head = alias.split()[0]
            if len(alias.split()) > 1 and head.isupper() and len(head) >= 3 and not st.gz.lookup(head):
                heads.setdefault(head, [])
                if e not in heads[head]:
                    heads[head].append(e)
    st.local_alias = {h: es[0] for h, es in heads.items() if len(es) == 1}
    for m in st.hits:
        if m.entry.kind == "event":
            continue  # events are handled with their context below
        if m.entry.may_be_org and st.in_org_slot(m.start):  # "Omar Haddad, Akuity": a company
            st.entity("org", m.text, st.span_of(m.start), "pattern", CONF_PATTERN)
            continue
        # YouTube, Zoom, Slack are services (kg:Service), never projects: from_entry types them so
        st.from_entry(m.entry, st.span_of(m.start), m.text)
    event_facts(st)


def event_facts(st: DocState) -> None:
    text = st.doc.masked
    for m in st.hits:
        if m.entry.kind != "event":
            continue
        name = m.entry.name
        after = text[m.end : m.end + 12]
        before = text[max(0, m.start - 8) : m.start]
        y = re.match(r"\s?(20\d\d)", after) or re.search(r"(20\d\d)\s?年?$", before)
        span = st.span_of(m.start)
        if m.entry.editions and y:
            series = st.from_entry(m.entry, span)
            edition = st.entity(
                "event",
                f"{name} {y.group(1)}",
                span,
                "pattern",
                CONF_GAZETTEER,
                surface=text[
                    m.start - (len(y.group(0)) if y and before.endswith(y.group(0)) else 0) : m.end
                    + (len(y.group(0)) if after.startswith(y.group(0)) else 0)
                ].strip(),
            )
            st.add(edition, KG.partOf, series, span, "pattern", CONF_PATTERN)
            iri = edition
        else:
            co_located = re.search(r"co-?located\s+(?:event\s+)?$", text[max(0, m.start - 25) : m.start], re.I)
            scope = st.conference if (m.entry.co_located or co_located) and st.conference else None
            iri = st.from_entry(m.entry, span, m.text, within=scope)
        if m.entry.organizer:
            org = st.gz.get("org", m.entry.organizer)
            if org:
                st.add(iri, KG.organizer, st.from_entry(org, span), span, "gazetteer", CONF_PATTERN)
        co_located = re.search(r"co-?located\s+(?:event\s+)?$", text[max(0, m.start - 25) : m.start], re.I)
        if (m.entry.co_located or co_located) and st.conference:
            st.add(iri, KG.partOf, st.conference, span, "pattern", CONF_PATTERN)
            if st.main_event is None and st.doc.title and m.text in st.doc.title:
                st.main_event = iri
    # "<Name> Meetup" / "<Name> Day" headings and phrases the gazetteer does not know
    for sec in st.sections():
        mm = re.fullmatch(
            r"(?P<name>(?:[A-Z][\w+-]*\s+){0,3}(?:Meetup|Meet-up|Summit|Hackathon|Day))", sec.title.strip()
        )
        if mm and st.conference and not st.gz.lookup(sec.title.strip()):
            organizer = st.org_in(sec.title)
            iri = st.entity("event", mm.group("name"), sec.span, "structure", CONF_PATTERN, within=st.conference)
            st.add(iri, KG.partOf, st.conference, sec.span, "structure", CONF_PATTERN)
            if organizer:
                st.add(iri, KG.organizer, organizer, sec.span, "structure", CONF_PATTERN)


_REPO = re.compile(
    r"https?://(?:www\.)?(?:github|gitlab|codeberg)\.(?:com|org)/[\w.-]+/(?P<repo>[\w.-]+?)(?:\.git)?/?$"
)
_HOST = re.compile(r"https?://(?:www\.)?(?P<host>[^/?#]+)")


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", lower_keeping_length(text))


@component("linked-projects", requires=["blocks", "hits"], provides=["facts"])
def linked_projects(st: DocState) -> None:
    """Projects named by a link to their repository ("[Cloud Hypervisor](https://github.com/org/repo)") or
    their homepage ("[kata containers](https://katacontainers.io)"), whatever the letter case of the link
    text."""
    hit_at = {m.start for m in st.hits}
    for block in st.blocks:
        for link in block.links:
            text = " ".join(st.doc.text[link.start : link.end].split()).strip("`*_ ")
            if not text or link.start in hit_at or not 1 <= len(text.split()) <= 4 or len(_fold(text)) < 3:
                continue
            entry = st.gz.lookup(text)
            repo = _REPO.match(link.url)
            host = _HOST.match(link.url)
            span = st.span_of(link.start)
            if entry is not None:
                if entry.kind == "project" and host and _fold(entry.name) in _fold(host.group("host")):
                    st.from_entry(entry, span, text)
            elif repo and _fold(repo.group("repo")) == _fold(text):
                st.entity("project", text, span, "pattern", CONF_PATTERN)


@component("title-event", requires=["conference", "main_event"], provides=["main_event"])
def title_event(st: DocState) -> None:
    """A meetup, summit or community day the document's title names (when it is not about a conference)."""
    title, span = st.doc.title, st.doc.title_span
    if not title or st.main_event or st.conference:
        return
    m = re.search(
        r"(?P<name>[A-Z][\w+-]*\s+(?:(?:[A-Z][\w+-]*|&|[\u4e00-\u9fff]{1,4})\s+){0,4}"  # "A & B 联合 Meetup"
        r"(?:[Mm]eetup|Meet-up|Summit|Hackathon|Community Days?|Day))\b",
        title,
    )
    if m and not st.gz.lookup(m.group("name")):
        where = span or _first_line(st.doc)
        st.main_event = st.entity("event", m.group("name"), where, "structure", CONF_PATTERN)
