"""Who spoke, presented or is affiliated with whom, from sentence patterns."""

from __future__ import annotations

import re
from typing import cast

from rdflib import URIRef

from kgkit.extraction.component import component
from kgkit.extraction.patterns import (
    _AFFILIATED,
    _AWARD,
    _AWARD_VERB,
    _HAS_SPEECH,
    _NAME_S_SPEECH,
    _NAME_THEN_SPEECH,
    _NAMED_SPEAKERS,
    _ROLE_THEN_NAME,
    _SPEECH_FOLLOWS,
    _THEME,
    CONF_PATTERN,
    CONF_WEAK,
    ORG_NAME,
    STOP_CAPS,
    _looks_like_org,
    is_person_name,
)
from kgkit.extraction.state import DocState, Sentence
from kgkit.extraction.topics import topic_iri, topics_in
from kgkit.rdf.terms import ID, KG, SCHEMA


# -------------------------------------------------------------- people, affiliations, who spoke
@component('relations', requires=['sentences', 'sessions', 'conference', 'main_event'], provides=['facts'])
def pattern_facts(st: DocState) -> None:
    """People, affiliations and who spoke on what, from sentence patterns."""
    d = st.doc
    last_session: URIRef | None = None
    award_org: URIRef | None = None
    by_paragraph: dict[int, list[tuple[int, URIRef]]] = {}  # the sessions titled in each paragraph, in order
    for iri, sent, _ in st.sessions:
        if sent is not None:
            by_paragraph.setdefault(sent.paragraph, []).append((sent.start, iri))
    for s in st.sentences:
        chunk = d.masked[s.start : s.end]
        span = (s.start, s.end)
        speakers: list[URIRef] = []
        for start, iri in by_paragraph.get(s.paragraph, ()):
            if start <= s.start:
                last_session = iri
        # Name, Role at Org (ACR) / Name from Org / Name (Org)
        for m in _AFFILIATED.finditer(chunk):
            person_name = m.group("person")
            if not st.person_here(person_name, s.start + m.start("person")):
                continue
            org = st.resolve_org(m.group("org"), span)
            if org is None:
                continue
            person = st.entity("person", person_name, span, "pattern", CONF_PATTERN)
            st.add(person, KG.affiliation, org, span, "pattern", CONF_PATTERN)
            role = m.group("role") or m.group("role2")
            if role:
                st.add(person, SCHEMA.jobTitle, st.text_literal(role.strip()), span, "pattern", CONF_PATTERN)
            speakers += [person, org]
        # "Our CTO Hannah Lee", "Maintainer Jane Doe": a role word right before a name
        for m in _ROLE_THEN_NAME.finditer(chunk):
            if st.person_here(m.group("person"), s.start + m.start("person")):
                person = st.entity("person", m.group("person"), span, "pattern", CONF_PATTERN)
                st.add(person, SCHEMA.jobTitle, st.text_literal(m.group("role")), span, "pattern", CONF_PATTERN)
                speakers.append(person)
        # @handle (Name) / the speaker Name / including Name, Name
        for m in _NAMED_SPEAKERS.finditer(chunk):
            names = re.split(r",\s+", m.group("a") or m.group("b") or m.group("c"))
            for name in names:
                if not st.person_here(name, s.start + chunk.find(name)):
                    continue
                person = st.entity("person", name, span, "pattern", CONF_PATTERN)
                speakers.append(person)
                if last_session and (m.group("a") or m.group("b")):
                    st.add(last_session, KG.presenter, person, span, "pattern", CONF_PATTERN)
        for m in _NAME_S_SPEECH.finditer(chunk):
            if st.person_here(m.group("person"), s.start + m.start("person")):
                person = st.entity("person", m.group("person"), span, "pattern", CONF_PATTERN)
                speakers.append(person)
                if award_org:
                    st.add(person, KG.affiliation, award_org, span, "pattern", CONF_WEAK)
        # "<Org> taking the top honor/award" -> the award's acceptance speech is by someone of Org
        award_org = None
        am = _AWARD.search(chunk) if _AWARD_VERB.search(chunk) else None
        if am:
            award_org = st.resolve_org(am.group("org"), span, known_only=True)
        # representatives from Org and the Org / leaders from Org and Org / organizations like Org and Org
        for m in re.finditer(
            r"\b(?:representatives|leaders|speakers|folks|teams?|people|engineers|organizations|companies"
            r"|enterprises|vendors|customers|adopters)\b"
            r"(?:[^.;:]{0,160}?\s[–—-]\s|\s+[^.;:]{0,60}?\b)?(?:from|like|such as|including)\s+(?P<list>[^.;:]+)"
            r"|\b(?:[Tt]eams?|colleagues|engineers|folks)\s+at\s+(?P<list2>[^.;:]+)",
            chunk,
        ):
            for part in re.split(r",\s*|\s+and\s+(?:the\s+)?|\s+&\s+", m.group("list") or m.group("list2")):
                part = re.sub(
                    r"^(?:(?:the|and|(?:representatives|people|folks|teams?|speakers) from)\s+)+", "", part.strip()
                )
                if is_person_name(part) and not st.gz.lookup(part):
                    continue
                om = re.match(ORG_NAME, part)
                if om and om.group(0) and om.group(0).split()[0] not in STOP_CAPS:
                    org = st.resolve_org(om.group(0), span)
                    if org:
                        speakers.append(org)
                elif part and not part[0].isupper():
                    break
        # at the Org booth / at the Org1, Org2 and Org3 booths
        for m in re.finditer(r"\bat the (?P<list>[A-Z][^.]*?) booths?\b", chunk):
            for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group("list")):
                e = st.gz.lookup(part.strip())
                if e and e.kind == "org":
                    st.from_entry(e, span, part.strip())
        # agents that are the subject of a speech verb
        speech = _HAS_SPEECH.search(chunk) is not None  # both patterns below need a speech verb
        for hit in st.gz.find(d.text, d.masked, s.start, s.end) if speech else ():
            if hit.entry.kind not in ("org", "project"):
                continue
            follow = re.sub(r"\s+", " ", d.masked[hit.end : min(s.end, hit.end + 160)])
            if _SPEECH_FOLLOWS.match(follow) and not re.match(r"\s+(?:and|or|,)", follow[:5]):
                speakers.append(st.from_entry(hit.entry, span, hit.text))
        for m in _NAME_THEN_SPEECH.finditer(chunk) if speech else ():
            name = m.group("org")
            if name.split()[0] in STOP_CAPS or (m.start() > 0 and chunk[m.start() - 1].isalnum()):
                continue
            e = st.gz.lookup(name)
            if e is None and st.person_here(name, s.start + m.start("org")):
                speakers.append(st.entity("person", name, span, "pattern", CONF_WEAK))
            elif e is None and m.start() == 0 and _looks_like_org(name) and st.may_be_org(name):
                speakers.append(st.entity("org", name, span, "pattern", CONF_WEAK))
        _spoke(st, speakers, s)


def _spoke(st: DocState, agents: list[URIRef], s: Sentence) -> None:
    if not agents:
        return
    text = st.doc.masked[s.start : s.end]
    topics = topics_in(text)
    nxt = st.next_sentence(s)
    if (
        nxt
        and nxt.paragraph == s.paragraph
        and re.match(r"\s*(?:This|These|It|They|Their|The conversation)\b", st.doc.masked[nxt.start : nxt.end])
    ):
        topics |= topics_in(st.doc.masked[nxt.start : nxt.end])
    if s.section:
        topics |= s.section.topics
    topics |= _theme(st, s)
    span = (s.start, s.end)
    for agent in dict.fromkeys(agents):
        stage = st.main_event or st.conference
        if stage and not str(agent).startswith(str(ID["project/"])):
            st.add(stage, KG.presenter, agent, span, "pattern", CONF_WEAK)
        for t in sorted(topics):
            st.add(agent, KG.spokeOn, topic_iri(t), span, "pattern", CONF_PATTERN)


def themes(st: DocState) -> dict[int, list[tuple[int, set[str]]]]:
    """Paragraph -> (start, topics) of each of its sentences that announces a theme."""
    if "themes" in st.cache:
        return cast(dict[int, list[tuple[int, set[str]]]], st.cache["themes"])
    themes: dict[int, list[tuple[int, set[str]]]] = st.cache.setdefault("themes", {})
    masked = st.doc.masked
    for x in st.sentences:
        m = _THEME.search(masked, x.start, x.end) if masked.find("theme", x.start, x.end) >= 0 else None
        if m:
            themes.setdefault(x.paragraph, []).append((x.start, topics_in(m.group("t") or m.group("u"))))
    return themes


def _theme(st: DocState, s: Sentence) -> set[str]:
    """Topics a paragraph announces as its theme ("The second day's theme was sustainability"),
    in a sentence of the paragraph up to ``s``."""
    for start, topics in themes(st).get(s.paragraph, ()):
        if start <= s.start:
            return set(topics)
    return set()
