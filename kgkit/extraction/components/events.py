"""Events the text names that no series in the curated list covers: ``PromCon 2016``, ``StrimziCon``,
``CHAOSScon``, ``Platform Engineering Day``, ``OpenJS Summit``, ``DevOpsDays Brasília 2017``.

A name of that shape in the title or the first heading, when the document names no conference of a
known series, is the document's own conference (its dates and city are then read as for a series
conference); elsewhere it is an event, part of the document's conference when one is named and the
event has no year of its own that differs.
"""

from __future__ import annotations

import re

from kgkit.extraction.component import component
from kgkit.extraction.components.conferences import conference_details
from kgkit.extraction.patterns import CONF_PATTERN, STOP_CAPS
from kgkit.extraction.state import DocState
from kgkit.extraction.when import MONTHS, WEEKDAYS
from kgkit.rdf.terms import KG

_YEAR = r"(?:[ \t](?P<year>20\d\d|'\d\d))"
_PLACE = r"(?:[ \t](?P<place>(?:[A-ZÀ-Ý][\wÀ-ÿ.-]+)(?:[ \t][A-ZÀ-Ý][\wÀ-ÿ.-]+){0,2}))"
NAMED_EVENT = re.compile(
    r"(?<![\w-])(?P<name>"
    r"[A-Z][A-Za-z0-9]*[a-z0-9](?:Con|CON|Conf)|[A-Z][A-Z0-9]{1,}(?:con|CON|conf)"  # PromCon, SUSECON, CHAOSScon
    r"|[a-z]+[A-Z][A-Za-z0-9]*(?:Con|Conf)"  # gRPConf
    r"|(?:[A-Z][\w+.&-]*[ \t]){1,3}(?:Days?|Summit|Forum|Hackathon|Symposium|Conference|Konferenz|Conférence|Fest"
    r"|Festival)"
    r"|DevOps\s?Days|Kubernetes Community Days?|Cloud Native Rejekts"
    rf")(?!\w)(?:{_PLACE}(?=[ \t](?:20\d\d|'\d\d)\b))?{_YEAR}?"
)
#: An event named only by what is said of it: "the final schedule for Container Plumbing 2023".
PROGRAMME_OF = re.compile(
    r"(?i:\b(?:schedule|program|programme|agenda|edition|speakers|talks|sessions|recap|videos|welcome)\s+"
    r"(?:of|for|at|to)\s+(?:the\s+)?)(?P<name>(?:[A-Z][\w+.&-]*[ \t]){1,4})(?P<year>20\d\d)\b"
)
_NOT_FIRST = STOP_CAPS | {m.capitalize() for m in MONTHS} | {w.capitalize() for w in WEEKDAYS} | {
    "Every", "Each", "Last", "First", "Second", "Third", "Final", "Whole", "Full", "Same", "Big", "Great", "Busy",
    "Pre", "Pre-event", "Post", "Opening", "Closing", "Main", "Day", "Conference", "Summit",
}
#: How far into the body a page about one event names it (its first paragraphs).
_OPENING = 1000
_SERIES = re.compile(r"(?i)^(?:kubecon|cloudnativecon|kubecon\s*[+&/]\s*cloudnativecon)$")


@component(
    "named-events", requires=["sentences", "search", "conference"], provides=["conference", "events", "main_event"]
)
def named_events(st: DocState) -> None:
    """Events and conferences named like ``XCon 2024`` or ``Platform Engineering Day`` (see the module docs)."""
    text = st.search
    found = []
    for m in NAMED_EVENT.finditer(text, st.doc.body_start if st.doc.title_span is None else 0):
        name = " ".join(m.group("name").split())
        first = name.split()[0]
        if first in _NOT_FIRST or _SERIES.match(name) or len(name) < 5:
            continue
        entry = st.gz.lookup(name)
        if entry is not None:
            continue  # "Falcon", a project; a known event, named by the mentions component
        year = m.group("year")
        year_n = (2000 + int(year[1:]) if year.startswith("'") else int(year)) if year else None
        place = m.group("place") if year else None
        full = " ".join(x for x in (name, place, str(year_n) if year_n else None) if x)
        found.append((m.start(), m.end(), full, year_n))
    for m in PROGRAMME_OF.finditer(text, st.doc.body_start):
        name = " ".join(m.group("name").split())
        known = name.split()[0] in _NOT_FIRST or st.gz.lookup(name) is not None or _SERIES.match(name)
        if not known and not any(a <= m.start("name") < b for a, b, _, _ in found):
            found.append((m.start("name"), m.end(), f"{name} {m.group('year')}", int(m.group("year"))))
    found.sort()
    if not found:
        return
    heading_end = _first_heading_end(st)
    if st.conference is None:
        main = next((f for f in found if f[0] < heading_end and f[3] is not None), None) or next(
            (f for f in found if f[0] < heading_end), None
        )
        if main is None:  # a page about one event names it with its year early on ("program for X 2017")
            main = next((f for f in found if f[0] < st.doc.body_start + _OPENING and f[3] is not None), None)
        if main is not None:
            span = st.span_of(main[0]) if main[0] >= st.doc.body_start else (main[0], main[1])
            st.conference = st.entity("conference", main[2], span, "pattern", CONF_PATTERN,
                                      surface=text[main[0] : main[1]].strip())
            if main[3]:
                st.year = main[3]
            conference_details(st, st.curated.get("cities", {}))
    for start, end, name, year in found:
        span = st.span_of(start) if start >= st.doc.body_start else (start, end)
        series = name.rsplit(" ", 1)[0]
        conference_like = re.search(r"(?i)con$|conference|konferenz|days?$", series) is not None
        kind = "conference" if year is not None and conference_like else "event"
        scoped = kind == "event" and st.conference is not None and year in (None, st.year)  # one of the conference's
        if kind == "conference" or not scoped:
            iri = st.entity(kind, name, span, "pattern", CONF_PATTERN, surface=text[start:end].strip())
        else:
            iri = st.entity(kind, name, span, "pattern", CONF_PATTERN, surface=text[start:end].strip(),
                            within=st.conference)
        if iri == st.conference or st.conference is None:
            continue
        if kind == "event" and (year is None or year == st.year):
            st.add(iri, KG.partOf, st.conference, span, "pattern", CONF_PATTERN)
            if start < heading_end and st.main_event is None:  # the page is about this event of the conference
                st.main_event = iri

def _first_heading_end(st: DocState) -> int:
    """Where the title, the front matter and the first heading end (a name there is the document's own)."""
    ends = [st.doc.body_start]
    if st.doc.title_span is not None:
        ends.append(st.doc.title_span[1])
    first = next((b for b in st.blocks if b.kind == "heading"), None)
    if first is not None and first.start < st.doc.body_start + 600:
        ends.append(first.end)
    return max(ends)
