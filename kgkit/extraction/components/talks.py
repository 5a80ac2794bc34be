"""Sessions from talk titles quoted in prose, and the session helpers the talk components share."""

from __future__ import annotations

import datetime as dt
import re

from rdflib import RDF, XSD, URIRef

from kgkit.extraction.component import component
from kgkit.extraction.models import lemma
from kgkit.extraction.patterns import (
    CONF_GAZETTEER,
    CONF_PATTERN,
    CONF_STRUCTURE,
    DAY_HEADING,
    KIND_PREFIX,
    PERSON_NAME,
    TIME_AT,
    TIME_RANGE,
    TZ_OFFSETS,
    _h24,
    _session_kind,
    _times,
    is_person_name,
    literal,
)
from kgkit.extraction.state import DocState
from kgkit.extraction.topics import topics_in
from kgkit.rdf.terms import ID, KG, SCHEMA, session_kind, slug


# -------------------------------------------------------------- talk titles quoted in prose
@component('quoted-talks', requires=['sentences', 'hits', 'conference'], provides=['sessions'])
def quoted_session_facts(st: DocState) -> None:
    """Sessions from talk titles quoted in prose, with the day, time and presenter the sentence gives."""
    text = st.doc.text
    for s in st.sentences:
        chunk = text[s.start : s.end]
        for q in re.finditer(r"[“\"](?P<t>[^”\"\n]{8,160})[”\"]", chunk):
            title = q.group("t").strip().rstrip(",.")
            before = chunk[: q.start()].lower()
            if re.search(r"(?:question|say|says|said|asked|quote|stated)\W*$", before):
                continue
            words = re.findall(r"[A-Za-z][\w'+-]*", title)
            long_words = [w for w in words if len(w) > 3]
            if len(words) < 3 or sum(w[0].isupper() for w in long_words) < 0.6 * max(1, len(long_words)):
                continue
            if not re.search(
                r"\b(?:talks?|titled|session|keynote|panel|topics|caught my eye|presentation|present|presents"
                r"|presenting|will give|will deliver|speak on|speaks on)\b",
                chunk,
                re.I,
            ):
                continue
            event = st.event_of_paragraph(s)
            a = s.start + q.start("t")
            dm = DAY_HEADING.search(chunk)
            day = (dm.group("wd"), st.date_of(dm)) if dm else None
            tm, at = TIME_RANGE.search(chunk), TIME_AT.search(chunk)
            times = _times(tm) if tm else None
            if times is None and at:
                tz = (at.group("tz") or "").upper()
                times = (
                    _h24(at.group("a").replace(".", ":"), at.group("ap")),
                    "",
                    tz if tz in TZ_OFFSETS else None,
                )
            iri = session(st,
                title, (a, a + len(title)), (s.start, s.end), None, day, times, part_of=event or st.conference
            )
            # "Principal Engineer Grace Obi will present “Title”"
            who = re.search(
                rf"(?P<p>{PERSON_NAME})\s+(?:will\s+)?(?:present|presents|presented|give|gives|gave|deliver"
                rf"|delivers|delivered)\b[^“\"]*$",
                chunk[: q.start()],
            )
            if who and is_person_name(who.group("p")) and not st.gz.lookup(who.group("p")):
                person = st.entity("person", who.group("p"), (s.start, s.end), "pattern", CONF_PATTERN)
                st.add(iri, KG.presenter, person, (s.start, s.end), "pattern", CONF_PATTERN)


def session(
    st: DocState,
    title: str,
    title_span: tuple[int, int],
    line_span: tuple[int, int],
    url: str | None,
    day: tuple[str, dt.date | None] | None,
    times: tuple[str, str, str | None] | None,
    rest: str = "",
    speakers: str | None = None,
    speakers_at: int = 0,
    part_of: URIRef | None = None,
) -> URIRef:
    title = re.sub(r"\s+", " ", title).strip()
    split = re.match(r"^(?P<title>.+?)\s+[-–—]\s+(?P<speakers>" + PERSON_NAME + r"\s*,\s*.+)$", title)
    if split and speakers is None and is_person_name(split.group("speakers").split(",")[0].strip()):
        speakers, speakers_at = split.group("speakers"), title_span[0] + split.start("speakers")
        title = split.group("title")
        title_span = (title_span[0], title_span[0] + len(title))
    core = KIND_PREFIX.sub("", title)
    parent = part_of or st.main_event or st.conference
    # a session is its title within its conference or event: the same title at two conferences is
    # two sessions; "Keynote: X" and "X" at the same conference are one
    within = str(parent).rstrip("/").rsplit("/", 1)[-1] + "/" if parent else ""
    iri = ID[f"session/{within}{slug(core)}"]
    span = line_span
    if iri not in st.named:
        st.named.add(iri)
        st.add(iri, RDF.type, KG.Session, span, "structure", CONF_STRUCTURE)
        st.add(iri, SCHEMA.name, st.text_literal(title), span, "structure", CONF_STRUCTURE)
    kind = _session_kind(title) or _session_kind(st.doc.masked[max(0, line_span[0]) : title_span[0]])
    if kind:
        st.add(iri, KG.sessionKind, session_kind(kind), span, "structure", CONF_STRUCTURE)
    if parent:
        st.add(iri, KG.partOf, parent, span, "structure", CONF_STRUCTURE)
    if url:
        st.add(iri, KG.scheduleUrl, URIRef(url), span, "structure", CONF_STRUCTURE)
    if day:
        st.add(iri, KG.day, literal(day[0]), span, "structure", CONF_STRUCTURE)
    if day and day[1] and times:
        tz = times[2] if times[2] in TZ_OFFSETS else None
        for p, t in ((KG.startDate, times[0]), (KG.endDate, times[1])):
            if not t:
                continue
            h, mi = t.split(":")
            value = f"{day[1].isoformat()}T{int(h):02d}:{mi}:00{TZ_OFFSETS[tz] if tz else ''}"
            st.add(iri, p, literal(value, datatype=XSD.dateTime), span, "structure", CONF_STRUCTURE)
        if tz:
            st.add(iri, KG.timeZone, literal(tz), span, "structure", CONF_STRUCTURE)
    elif day and day[1]:
        st.add(iri, KG.startDate, literal(day[1], datatype=XSD.date), span, "structure", CONF_STRUCTURE)
    # what the title names: projects, organizations ("at Deutsche Bahn", "Why Pachama Uses Flyte")
    for m in st.gz.find(st.doc.text, st.doc.masked, title_span[0], title_span[1]):
        if m.entry.kind == "project":
            st.add(
                iri, KG.mentionsProject, st.from_entry(m.entry, span, m.text), span, "gazetteer", CONF_GAZETTEER
            )
        elif m.entry.kind == "org":
            st.add(
                iri,
                KG.featuresOrganization,
                st.from_entry(m.entry, span, m.text),
                span,
                "gazetteer",
                CONF_GAZETTEER,
            )
    _title_patterns(st, iri, title, title_span, span)
    # "brought to you by the TAG ENV" / "presented by Org" after the link
    by = re.search(
        r"\b(?:brought to you by|presented by|hosted by|by)\s+(?:the\s+)?"
        r"(?P<who>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})",
        rest,
    )
    if by and not speakers and not is_person_name(by.group("who")):
        org = st.resolve_org(by.group("who"), span)
        if org:
            st.add(iri, KG.presenter, org, span, "pattern", CONF_PATTERN)
    if " - " in title and not speakers:
        tail = title.rsplit(" - ", 1)[1]
        org = st.resolve_org(tail, span, known_only=True)
        if org:
            st.add(iri, KG.presenter, org, span, "pattern", CONF_PATTERN)
    if speakers:
        _speaker_list(st, iri, speakers, speakers_at, span)
    st.sessions.append((iri, st.sentence_at(title_span[0]), topics_in(title)))
    return iri


def _title_patterns(
    st: DocState, session: URIRef, title: str, title_span: tuple[int, int], span: tuple[int, int]
) -> None:
    for m in re.finditer(
        r"\b(?P<org>[A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+){0,2})\s+"
        r"(?:Uses|uses|Used|used|Runs|runs|Adopts|adopts|Leverages|leverages)\s+"
        r"(?P<proj>[A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)?)",
        title,
    ):
        org_name = re.sub(r"^(?:Why|How|When)\s+", "", m.group("org"))
        org = st.resolve_org(org_name, span) or st.entity("org", org_name, span, "pattern", CONF_PATTERN)
        proj_entry = st.gz.lookup(m.group("proj"))
        proj = (
            st.from_entry(proj_entry, span, m.group("proj"))
            if proj_entry and proj_entry.kind == "project"
            else st.entity("project", m.group("proj"), span, "pattern", CONF_PATTERN)
        )
        st.add(org, KG.uses, proj, span, "pattern", CONF_PATTERN)
        st.add(session, KG.featuresOrganization, org, span, "pattern", CONF_PATTERN)
        st.add(session, KG.mentionsProject, proj, span, "pattern", CONF_PATTERN)
    core = KIND_PREFIX.sub("", title)
    pm = re.match(r"^(?P<name>[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*|[A-Z]{3,}):\s+(?:An?|The)\s+", core)
    if pm and not st.gz.lookup(pm.group("name")):
        proj = st.entity("project", pm.group("name"), span, "pattern", CONF_PATTERN)
        st.add(session, KG.mentionsProject, proj, span, "pattern", CONF_PATTERN)
    at = re.search(r"\bat\s+(?P<org>[A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+){0,3})\s*$", core)
    if at:
        featured = st.resolve_org(at.group("org"), span, known_only=len(at.group("org").split()) < 2)
        if featured:
            st.add(session, KG.featuresOrganization, featured, span, "pattern", CONF_PATTERN)


def _speaker_list(st: DocState, session: URIRef, text: str, at: int, span: tuple[int, int]) -> None:
    """``Name, Org & Name, Org; Name & Name, Org`` after a talk title: each org follows its people."""
    pending: list[URIRef] = []
    expect_org = False
    for token in re.split(r"\s*,\s*", text.strip()):
        parts = [p.strip() for p in re.split(r"\s*(?:&|;|\band\b)\s*", token) if p.strip()]
        for i, part in enumerate(parts):
            if expect_org and i == 0:
                org = st.resolve_org(part, span)
                if org is not None:
                    st.add(session, KG.presenter, org, span, "pattern", CONF_PATTERN)
                    for person in pending:
                        st.add(person, KG.affiliation, org, span, "pattern", CONF_PATTERN)
                pending, expect_org = [], False
            elif is_person_name(part) and not st.gz.lookup(part):
                person = st.entity("person", part, span, "pattern", CONF_PATTERN)
                st.add(session, KG.presenter, person, span, "pattern", CONF_PATTERN)
                pending.append(person)
                expect_org = True


# -------------------------------------------------------------- talks named in prose by what was done
#: Verbs whose object is a session someone gave ("delivered the Flux Bug Scrub session").
_GAVE = {"deliver", "give", "host", "run", "lead", "present", "moderate", "chair", "facilitate", "organize",
         "organise", "teach", "co-host", "cohost", "keynote"}
_SESSION_NOUN = re.compile(
    r"^(?:the|a|an|their|our|his|her|its)\s+(?P<title>[A-Z][\w'’+.&-]*(?:\s+[\w'’+.&-]+){0,7}?)\s+"
    r"(?P<kind>session|talk|keynote|workshop|panel|meeting|presentation|demo|tutorial|AMA|office hours|lightning talk"
    r"|bug scrub|contribfest|hackathon|roundtable|BoF)s?$",
    re.I,
)


@component(
    "prose-talks", requires=["sentences", "entities", "names", "conference", "main_event"], provides=["sessions"]
)
def prose_talks(st: DocState) -> None:
    """Sessions named in prose by what someone did with them, and who did it: "Kingdon Barrett delivered
    the Flux Bug Scrub session", "Flux maintainers A & B hosted the Flux project meeting" (the subject's
    people are the presenters). Read from the model's parse, so only in languages with a model."""
    people = [(a, b) for label, a, b in st.entities if label == "PERSON"] + st.names
    for sentence in st.sentences:
        parse = sentence.parse
        if parse is None:
            continue
        base = sentence.start - parse.start_char
        for verb in parse:
            if verb.pos_ != "VERB" or lemma(verb) not in _GAVE:
                continue
            obj = next((c for c in verb.children if c.dep_ in ("dobj", "obj")), None)
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if obj is None or not subjects:
                continue
            phrase = st.doc.masked[base + obj.left_edge.idx : base + obj.idx + len(obj)]  # up to the noun
            m = _SESSION_NOUN.match(" ".join(phrase.split()))
            if m is None:
                continue
            words = m.group("title").split()
            if sum(w[0].isupper() for w in words) < max(1, len(words) // 2):
                continue  # "the opening session", "a great talk": no name
            kind = m.group("kind").lower()
            named = m.group("title")
            title = named if kind in ("session", "talk", "presentation") else f"{named} {m.group('kind')}"
            a = base + obj.left_edge.idx + phrase.index(m.group("title").split()[0])
            span = (sentence.start, sentence.end)
            iri = session(st, title, (a, a + len(title)), span, None, None, None)
            lo = base + min(x.left_edge.idx for x in subjects)
            hi = max(base + x.right_edge.idx + len(x.right_edge) for x in subjects)
            for x, y in people:
                if lo <= x and y <= hi:
                    person = st.entity("person", st.doc.masked[x:y], span, "model", CONF_PATTERN)
                    st.add(iri, KG.presenter, person, span, "model", CONF_PATTERN)
