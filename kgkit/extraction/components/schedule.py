"""Talks from the document's structure: list items, table rows, lines, headings and their sub-items.

One grammar reads a talk wherever a write-up lists one: a title (a link to the talk's page, or the text
before a separator ``-`` ``–`` ``|`` ``:`` ``by`` ``with`` or parentheses), its speakers and their
organizations (:mod:`kgkit.extraction.speakers`), and its day, date, times and zone — written in the
item, in its sub-items (``When: Wednesday, March 20 • 15:25 - 16:00``), in a table's time column, or
above it in a day heading or time line. The section a talk sits in gives what it is part of: a
co-located event the heading names (an ``Observability Day``, a ``KnativeCon``), else the conference.
Times without a zone take the venue's, from its IANA time zone on that date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from rdflib import RDF, XSD, URIRef

from kgkit.documents.structure import Block
from kgkit.extraction.component import component
from kgkit.extraction.components.talks import _title_patterns
from kgkit.extraction.names import starts_with_given_name
from kgkit.extraction.patterns import (
    CONF_GAZETTEER,
    CONF_PATTERN,
    CONF_STRUCTURE,
    KIND_PREFIX,
    _session_kind,
    is_person_name,
    literal,
)
from kgkit.extraction.speakers import (
    CJK_SPEAKER_WORDS,
    PERSON,
    Judge,
    Speaker,
    confirmed,
    han_personal_name,
    list_end,
    parse_speakers,
)
from kgkit.extraction.state import DocState
from kgkit.extraction.topics import topics_in
from kgkit.extraction.when import (
    GENERIC_ZONES,
    ZONES,
    find_date,
    find_dates,
    find_times,
    offset,
    weekday_in,
    zone_in,
)
from kgkit.rdf.terms import ID, KG, SCHEMA, session_kind, slug

Span = tuple[int, int]

#: Where a talk's own page is: schedule sites and conference programmes.
TALK_URL = re.compile(
    r"sched\.co/|\.sched\.com/event|/(?:talks?|sessions?|schedule|program(?:me)?|agenda|events?)/[^/#?]+"
    r"|pretalx|sessionize\.com|/(?:talk|session)[-_]",
    re.I,
)
_PERSON_URL = re.compile(r"/(?:speakers?|people|persons?|authors?|team|members?|users?|profiles?)/", re.I)
_SEPARATORS = re.compile(
    r"\s+(?:[-–—|•]|::)\s+|\s*[|•]\s*|\s+\bby\b\s+|\s+\bwith\b\s+|\s+\bmit\b\s+|\s+\bpar\b\s+|\s+\bcom\b\s+"
)
_BREAKS = re.compile(
    r"(?i)^(?:\W*(?:coffee|tea|lunch|breakfast|dinner|break|pause|pausa|almoço|almuerzo|mittag(?:spause|essen)?"
    r"|déjeuner|dejeuner|registration|check-in|doors open|networking|reception|apéro|apero|happy hour|party"
    r"|and|&|und|et|e|y|de|du|snacks?|drinks?|end|closing|fin|ende|tbd|tba|n/?a|\d+\s*(?:min(?:ute)?s?|hrs?|hours?)"
    r"|catered|[\[(][^\])]*[\])])\W*)+$"
)
_LABEL = re.compile(r"(?i)^\W*(?:when|where|time|date|room|location|venue|wann|wo|quand|où|quando|onde|horário"
                    r"|hora|sala|raum|salle)\s*:")
_SPEAKER_LABEL = re.compile(r"(?i)^\W*(?:speakers?|presenters?|presented by|by|hosts?|moderators?|panel(?:ists)?"
                            r"|palestrantes?|sprecher(?:in)?|referent(?:en|in)?|intervenants?|orateurs?"
                            r"|" + CJK_SPEAKER_WORDS + r")\s*[:：]?\s*")
#: A title that says it is one: "议题 1：Apache APISIX 落地实践分享", "Session 3: ...", "Talk: ..."
_TITLE_LABEL = re.compile(r"(?i)\W*(?:议题|话题|主题|演讲|セッション|session|talk|topic)\s*\d{0,2}\s*[:：]\s*")
_EVENT_HEADING = re.compile(
    r"(?P<name>(?:[A-Z0-9][\w+&.'’-]*[ \t]){0,4}(?:Day|Days|Summit|Meetup|Meet-up|Hackathon|Forum|Unconference|Rejekts"
    r"|Community Days?|Contributor Summit|Workshop Day)|[A-Z][\w+-]*Con)(?:\s+(?P<year>20\d\d|'\d\d))?\b"
)
_TITLE_MIN = 8


@dataclass
class Context:
    """What is known above a block: the day and date, a time, the zone, the event, a table's columns."""

    weekday: str | None = None
    date: dt.date | None = None
    times: tuple[str, str, str | None] | None = None
    zone: str | None = None
    event: URIRef | None = None
    columns: dict[str, int] = field(default_factory=dict)
    groups: list[dict[str, int]] = field(default_factory=list)  # "Speaker | Talk | Speaker | Talk": two
    table: int | None = None
    kind: str | None = None  # "Keynotes", "Panel Discussions": the kind of the talks below


@dataclass
class Talk:
    title: str
    title_span: Span
    span: Span  # the evidence: the item, row or line
    url: str | None = None
    speakers: list[Speaker] = field(default_factory=list)
    orgs: list[tuple[str, Span]] = field(default_factory=list)
    when: str = ""  # text that may hold the day, date and time (the talk's own, then its sub-items)


@component(
    "talk-items",
    requires=["blocks", "sentences", "hits", "conference", "main_event", "local_alias", "entities"],
    provides=["sessions"],
    version="1",
)
def talk_items(st: DocState) -> None:
    """Sessions from list items, table rows, lines and headings that read as talks (see the module docs)."""
    doc = st.doc
    masked = doc.masked
    judge = _judge(st)
    ctx = Context(zone=zone_in(doc.text[: min(len(doc.text), 4000)]) or _one_zone(masked) or None)
    children = _children(st.blocks)
    year = st.conf_dates[0].year if st.conf_dates else st.year
    pending: Talk | None = None  # a title alone on its line, waiting for a line of speakers
    held: list[tuple[Talk, Context]] = []  # the last block's talks: a paragraph after them may say when they are
    for i, block in enumerate(st.blocks):
        text = masked[block.start : block.end]
        if held and block.kind in ("item", "paragraph") and _when_only(text, year):
            last, context = held[-1]
            if not find_times(last.when) and context.times is None:  # "[Title](sched)\n\n**Monday, November 6
                last.when += " \n" + text  # • 9:15 am - 9:40 am**": that talk's time, not the next one's
                continue
        for done, context in held:
            _add(st, context, done, year)
        held = []
        if block.kind == "heading":
            _heading(st, ctx, block, text, year)
            talk = _talk_of_unit(st, block, block.start, block.end, judge, require_link=True)
            if talk is not None:
                _add(st, ctx, talk, year)
            pending = None if talk is not None else _title_alone(st, block, block.start, block.end)
            continue
        if block.kind == "row":
            _row(st, ctx, block, judge, year)
            pending = None
            continue
        if block.kind not in ("item", "paragraph"):
            continue
        if ctx.table is not None:
            ctx.table, ctx.columns, ctx.groups = None, {}, []
        if block.parent is not None and _LABEL.match(text):
            continue  # "When: ..." under an item: read with the item
        units = block.lines if _many_talk_lines(st, block) else [(block.start, block.end)]
        found_here: list[tuple[Talk, Context]] = []  # the block's talks: its later day and time lines are theirs
        for a, b in units:
            line = masked[a:b]
            if found_here and _when_only(line, year):  # "Title<br>Speakers<br>Wednesday, March 20 • 16:30 - 17:05"
                found_here[-1][0].when += " \n" + line
                continue
            if found_here and not found_here[-1][0].speakers:  # the line after a talk's title: its speakers?
                named = _speakers_of_title(st, found_here[-1][0], a, b, judge)
                if named is not None:
                    found_here[-1][0].speakers = named.speakers
                    continue
            if _day_line(line, year) is not None and not _SPAN_OF_DAYS.search(line):  # not "from March 19 to 22"
                _set_day(ctx, line, year)
                if len(line.strip()) < 60 and not _has_talk_link(block, a, b):
                    continue
            if _time_only(line):
                found = find_times(line)
                ctx.times = found[0][:3] if found else ctx.times
                continue
            talk = _talk_of_unit(st, block, a, b, judge, require_link=block.kind == "paragraph" and len(units) == 1)
            if talk is None and pending is not None:
                talk = _speakers_of_title(st, pending, a, b, judge)
            if talk is None:
                pending = _title_alone(st, block, a, b)
                continue
            pending = None
            found_here.append((talk, dataclasses.replace(ctx)))
            for child in children.get(i, []):
                ctext = masked[child.start : child.end]
                talk.when += " \n" + ctext
                label = _SPEAKER_LABEL.match(ctext)
                if label and not talk.speakers:
                    people = parse_speakers(ctext[label.end() :], child.start + label.end(), judge)
                    talk.speakers = people or []
                elif not label:  # "- Mikko Ylinen, Intel" under the talk: its speakers, their organizations
                    named = _speakers_of_title(st, talk, child.start, child.end, judge)
                    known = {p.name for p in talk.speakers}
                    if named is not None and (not known or known <= {p.name for p in named.speakers}):
                        talk.speakers = named.speakers
        held = found_here
    for done, context in held:
        _add(st, context, done, year)


#: Days from one to another ("March 19-22", "from March 19 to 22", "19 au 22 mars"): a conference's, no day's.
_SPAN_OF_DAYS = re.compile(
    r"(?i)\b\d{1,2}(?:st|nd|rd|th)?\s*(?:-|–|—|to|until|bis|au|a|al|até)\s*\d{1,2}(?:st|nd|rd|th)?\b(?!:)"
)


def _one_zone(text: str) -> str | None:
    """The zone of a page's times where it names one and only one beside them ("2:00 pm - 2:35 pm CST" once,
    the other slots bare: all in the conference's local time)."""
    zones = {zone for _, _, zone, _, _ in find_times(text) if zone}
    return zones.pop() if len(zones) == 1 else None


def _when_only(line: str, year: int | None) -> bool:
    """A line that says when and nothing else: a day, a date, a time, a zone, a room ("Wednesday, March 20 •
    16:30 - 17:05 CET")."""
    if _day_line(line, year) is None and not find_times(line):
        return False
    rest = line
    for *_, x, y in find_times(line):
        rest = rest[:x] + " " * (y - x) + rest[y:]
    for _, x, y in find_dates(rest, year):
        rest = rest[:x] + " " * (y - x) + rest[y:]
    words = [w for w in re.findall(r"[^\W\d_]+", rest) if not weekday_in(w) and w.upper() not in ZONES]
    return len(words) <= 3 and len(line) < 100


def _title_alone(st: DocState, block: Block, a: int, b: int) -> Talk | None:
    """A line that may be a talk's title whose speakers come on the next line: short, title-like (in bold,
    a link to a talk's page, or Title Case), no sentence."""
    masked = st.doc.masked
    span = _strip(masked, a, b)
    when = ""
    times = find_times(masked[span[0] : span[1]])
    if times and times[0][3] == 0:  # "17:15 - 17:30: Updates from the Community": the time first, then the title
        lead = re.match(r"[\s:–—|-]*", masked[span[0] + times[0][4] : span[1]])
        when = masked[span[0] : span[0] + times[0][4]]
        span = (span[0] + times[0][4] + (lead.end() if lead else 0), span[1])
    labelled = _TITLE_LABEL.match(masked, span[0], span[1])
    if labelled:
        span = (labelled.end(), span[1])
    title = " ".join(masked[span[0] : span[1]].split())
    if not _title_ok(title) or len(title) > 160 or re.search(r"[.!]\s*$|[.!?]\s+[A-Z]", title):
        return None
    if find_times(title) or _day_line(title, None) is not None:
        return None  # "Donnerstag, 13.06. 09:55 - 10.40, Session Track: ...": when, not what
    if list_end(title) == len(title) and parse_speakers(title, span[0], _judge(st)):
        return None  # "Jimmy Song, Ant Financial": a speaker, not a title
    link = next((x for x in block.links if a <= x.start < b and TALK_URL.search(x.url)), None)
    bold = st.doc.text[span[0] - 2 : span[0]] in ("**", "__")
    if not (link is not None or bold or labelled or _title_case(title) or when):
        return None
    talk = Talk(title, span, (a, b), link.url if link is not None else None, when=when)
    _speakers_in_title(st, talk, _judge(st))  # "Updates from the Community, Lucas Käldström"
    return talk


def _speakers_of_title(st: DocState, title: Talk, a: int, b: int, judge: Judge) -> Talk | None:
    """The talk of a title alone on its line when this line is nothing but its speakers, surely people."""
    masked = st.doc.masked
    line = masked[a:b]
    label = _SPEAKER_LABEL.match(line)
    start = a + (label.end() if label else len(line) - len(line.lstrip()))
    names = masked[start:b].rstrip(" .")
    rest = names[list_end(names) :]  # what is left after the list: nothing, or a lower-case organization
    if rest.strip() and not (rest.lstrip().startswith(",") and len(re.findall(r"\w+", rest)) <= 2):
        return None  # "Jane Doe from Acme delved into ...": a sentence about them, not a line of speakers
    people = parse_speakers(names, start, judge)
    if not people or not all(_named_person(p, judge, title.url) for p in people):
        return None
    return Talk(title.title, title.title_span, (title.span[0], b), title.url, people,
                when=f"{title.when} {masked[title.span[0] : b]}")


# --- context -----------------------------------------------------------------------------------------


def _heading(st: DocState, ctx: Context, block: Block, text: str, year: int | None) -> None:
    """What a heading says about the talks below it: a day, a co-located event, a zone, a kind."""
    if block.level <= 2:  # a new top section: what an earlier one said no longer holds
        ctx.event, ctx.kind = None, None
    if _day_line(text, year) is not None:
        _set_day(ctx, text, year)
    elif block.level <= 3 and re.search(r"(?i)\bday\s*\d\b", text):
        ctx.weekday, ctx.date, ctx.times = None, None, None
    zone = zone_in(text)
    if zone:
        ctx.zone = zone
    kind = _session_kind(text)
    ctx.kind = kind if kind else (ctx.kind if block.level > 3 else None)
    event = _event_in_heading(st, text, block)
    if event is not None:
        ctx.event = event


def _set_day(ctx: Context, text: str, year: int | None) -> None:
    date = find_date(text, year)
    ctx.weekday = weekday_in(text) or (date.strftime("%A") if date else None)
    ctx.date = date
    ctx.times = None


def _day_line(text: str, year: int | None) -> dt.date | str | None:
    """A line that names a day (a date, or a weekday alone on a short line)."""
    dates = find_dates(text, year)
    if dates:
        return dates[0][0]
    if len(text.strip()) < 40 and weekday_in(text):
        return weekday_in(text)
    return None


def _time_only(line: str) -> bool:
    """A line that holds a time and nothing a talk needs ("10:25 - 10:50 CET")."""
    found = find_times(line)
    if not found:
        return False
    rest = line[: found[0][3]] + line[found[0][4] :]
    return len(re.sub(r"[\W\d_]+", "", rest)) <= 4


def _event_in_heading(st: DocState, text: str, block: Block) -> URIRef | None:
    """A co-located event a heading names ("Platform Engineering Day", "KnativeCon"), part of the conference."""
    from kgkit.extraction.patterns import is_person_name

    span = (block.start, block.end)
    for hit in st.hits:
        if block.start <= hit.start < block.end and hit.entry.kind == "event":
            scope = st.conference if hit.entry.co_located else None
            return st.from_entry(hit.entry, span, hit.text, within=scope)
    m = _EVENT_HEADING.search(text)
    if not m or st.conference is None:
        return None
    name = " ".join(m.group("name").split())
    if is_person_name(name) or len(name) < 5 or (st.gz.lookup(name) is not None and st.gz.lookup(name).kind != "event"):  # type: ignore[union-attr]
        return None
    conference_slug = str(st.conference).rsplit("/", 1)[-1]
    if re.search(r"(?i)\b(?:kubecon|cloudnativecon)\b", name) or conference_slug.startswith(slug(name)):
        return None  # the conference itself, not an event of it
    event = st.entity("event", name, span, "structure", CONF_PATTERN, within=st.conference)
    st.add(event, KG.partOf, st.conference, span, "structure", CONF_PATTERN)
    return event


def _children(blocks: list[Block]) -> dict[int, list[Block]]:
    out: dict[int, list[Block]] = {}
    for block in blocks:
        if block.parent is not None:
            out.setdefault(block.parent, []).append(block)
    return out


# --- one talk ----------------------------------------------------------------------------------------


def _judge(st: DocState) -> Judge:
    labels: dict[tuple[int, int], str] = {}
    for label, a, b in st.entities:
        labels[(a, b)] = label

    def kind_of(name: str) -> str | None:
        entry = st.gz.lookup(name)
        return entry.kind if entry is not None else None

    def label_of(a: int, b: int) -> str | None:
        if (a, b) in labels:
            return labels[(a, b)]
        # an entity of about the same span (the model's span may take a neighbouring character or word)
        return next((lab for (x, y), lab in labels.items() if abs(x - a) <= 2 and abs(y - b) <= 2), None)

    return Judge(kind_of, label_of, read_by_model=bool(st.entities))


def _has_talk_link(block: Block, a: int, b: int) -> bool:
    return any(a <= link.start < b and TALK_URL.search(link.url) for link in block.links)


def _many_talk_lines(st: DocState, block: Block) -> bool:
    """Is this paragraph or item a list of talks one a line (``<br>`` lines, lines without bullets)?"""
    if len(block.lines) < 2:
        return False
    masked = st.doc.masked
    lines = [masked[a:b].strip() for a, b in block.lines]
    if sum(1 for x in lines[1:] if x[:1].islower()) > (len(lines) - 1) * 0.2:
        return False
    return sum(1 for a, b in block.lines if _has_talk_link(block, a, b) or find_times(masked[a:b])) >= 2 or bool(
        re.search(r"</?br\s*/?>", st.doc.text[block.start : block.end], re.I)
    )


def _talk_of_unit(st: DocState, block: Block, a: int, b: int, judge: Judge, *, require_link: bool) -> Talk | None:
    """The talk one item, line or heading lists, or None."""
    masked = st.doc.masked
    bold = _bold_title_talk(st, block, a, b, judge)
    if bold is not None:
        return bold
    link = next((x for x in block.links if a <= x.start < b and TALK_URL.search(x.url)), None)
    if link is None:  # any link whose text is "Title - Speaker, Org" (a recording, a slide deck)
        for other in (x for x in block.links if a <= x.start < b):
            probe = Talk("", _strip(masked, other.start, other.end), (a, b), other.url)
            if _speakers_in_title(st, probe, judge) and _title_ok(probe.title):
                probe.when = masked[a:b]
                return probe
        first = next((x for x in block.links if a <= x.start < b), None)
        labelled = first is not None and _KIND_LABEL.fullmatch(masked[a : first.start]) is not None
        if first is not None and (labelled or not re.sub(r"[\s*_•·>-]+", "", masked[a : first.start])):
            # a unit that starts with a link to anything (a recording) titled like a talk, speakers after it:
            # "[Intro to Linkerd](https://youtu.be/...): William Morgan, Buoyant"; or with its kind before it:
            # "Tutorial: [Simplifying the build process](...) (by [Kevin Takenaga](...)), Room 104, 09:30 to 12:30"
            title_span = _strip(masked, first.start, first.end)
            title = " ".join(masked[title_span[0] : title_span[1]].split())
            if (labelled or _title_case(title)) and _title_ok(title):
                after = masked[first.end : b].replace("\n", " ")
                trimmed = re.sub(r"^[\s)\]]+", "", after)
                people = _speakers_after(trimmed, first.end + len(after) - len(trimmed), judge)
                if people:
                    return Talk(title, title_span, (a, b), first.url, people, when=masked[a:b])
    if link is None and require_link:
        return None
    if link is not None and require_link and not _title_case(masked[link.start : link.end]):
        probe = Talk("", _strip(masked, link.start, link.end), (a, b), link.url)
        named = _speakers_in_title(st, probe, judge) and all(_named_person(p, judge, link.url) for p in probe.speakers)
        if not named:
            return None  # "a panel discussion", "5 minute lightning talk": a link in prose, not a title
    if link is not None:
        title_a, title_b = _strip(masked, link.start, link.end)
        rest_a, rest_b = link.end, b
        before = masked[a : link.start]
        talk = Talk("", (title_a, title_b), (a, b), link.url)
        people = _speakers_in_title(st, talk, judge)  # "[Title - Speaker, Org](url)"
        if people is None:
            after = re.sub(r"^[\s)\]]+", "", masked[rest_a:rest_b])
            shift = rest_b - rest_a - len(after)
            after_at = rest_a + shift
            talk.speakers = _speakers_after(after, after_at, judge) or []
        talk.when = f"{before} {masked[rest_a:rest_b]}"
        if not talk.speakers:
            talk.orgs = _presenting_orgs(st, talk, masked[rest_a:rest_b], rest_a)
        return talk if _title_ok(talk.title) else None
    return _talk_of_text(st, a, b, judge)


#: A session's kind before its title: "Workshop: ", "- Tutorial: ", "Lightning talk: "
_KIND_LABEL = re.compile(
    r"(?i)[\s*_•·>-]*(?:workshop|tutorial|presentation|keynote|talk|panel|lightning talk|session|demo|bof"
    r"|vortrag|palestra|charla|conférence|atelier|taller|oficina)s?\s*:\s*"
)


_BOLD = re.compile(r"\*\*(?P<t>[^*\n]{8,200}?)\*\*|__(?P<u>[^_\n]{8,200}?)__")


def _bold_title_talk(st: DocState, block: Block, a: int, b: int, judge: Judge) -> Talk | None:
    """A unit that starts with a title in bold and names its speakers after it, plainly or as links to
    their pages: ``**Building Agile Infrastructures with Puppet** [PDF] [Video] [Teyo Tyree](/speakers/#teyo)``."""
    text, masked = st.doc.text, st.doc.masked
    pos = a
    while pos < b and text[pos] in " \t\n•·>-":
        pos += 1
    m = _BOLD.match(text, pos, b)
    if m is None:
        return None
    group = "t" if m.group("t") else "u"
    title_span = _strip(masked, m.start(group), m.end(group))
    title = " ".join(masked[title_span[0] : title_span[1]].split())
    if not (_title_case(title) or len(title.split()) >= 3) or not _title_ok(title) or judge.person(title, *title_span):
        return None
    people: list[Speaker] = []
    for link in (x for x in block.links if m.end() <= x.start < b):
        name = " ".join(masked[link.start : link.end].split())
        if _PERSON_URL.search(link.url) and PERSON.fullmatch(name) and judge.kind_of(name) is None:  # their page
            people.append(Speaker(name, (link.start, link.end)))
    if not people:  # "**Title**<br>Jane Doe, Acme": the speakers after it, links' texts (a "[PDF]") left out
        rest = re.sub(r"\[[^\]\n]{0,40}\]", lambda x: " " * len(x.group()), masked[m.end() : b].replace("\n", " "))
        trimmed = re.sub(r"^[\s:–—|-]+", "", rest)
        people = parse_speakers(trimmed, b - len(trimmed), judge) or []
        if not all(_named_person(p, judge) for p in people):
            people = []
    if not people:
        return None
    return Talk(title, title_span, (a, b), None, people, when=masked[a:b])


def _speakers_in_title(st: DocState, talk: Talk, judge: Judge) -> list[Speaker] | None:
    """Split a title holding its speakers ("Title - Speaker, Org & Speaker, Org"); None if it holds none."""
    masked = st.doc.masked
    a, b = talk.title_span
    text = masked[a:b]
    first = _speakers_first(st, talk, judge)
    for m in reversed(list(_SEPARATORS.finditer(text))):
        people = parse_speakers(text[m.end() :], a + m.end(), judge)
        weak = m.group().strip().lower() in ("with", "mit", "par", "com", "by")  # "Filters with Any Language"
        if weak and not confirmed(people, judge):
            continue
        if people and first and not any(_named_person(p, judge, talk.url) for p in people):
            break  # "Jason Diller - Long-lived DevOps and ...": the people come first
        if people and m.start() >= _TITLE_MIN:
            talk.title_span = _strip(masked, a, a + m.start())
            talk.title = " ".join(masked[talk.title_span[0] : talk.title_span[1]].split())
            talk.speakers = people
            return people
    if first:
        talk.title_span, talk.title, talk.speakers = first
        return talk.speakers
    comma = text.rfind(", ")
    if comma >= _TITLE_MIN:  # "Updates from the Community, Lucas Käldström": people after the last comma
        people = parse_speakers(text[comma + 2 :], a + comma + 2, judge)
        if people and all(_named_person(p, judge, talk.url) for p in people) and list_end(text[comma + 2 :]) == len(
            text[comma + 2 :].rstrip()
        ):
            talk.title_span = _strip(masked, a, a + comma)
            talk.title = " ".join(masked[talk.title_span[0] : talk.title_span[1]].split())
            talk.speakers = people
            return people
    paren = re.search(r"\((?P<p>[^()]+)\)\s*$", text)
    if paren:
        people = parse_speakers(paren.group("p"), a + paren.start("p"), judge)
        if people:
            talk.title_span = _strip(masked, a, a + paren.start())
            talk.title = " ".join(masked[talk.title_span[0] : talk.title_span[1]].split())
            talk.speakers = people
            return people
    talk.title = " ".join(text.split())
    return None


def _speakers_first(st: DocState, talk: Talk, judge: Judge) -> tuple[Span, str, list[Speaker]] | None:
    """``Speaker - Title`` (the people surely people): the title's span, the title and the people."""
    masked = st.doc.masked
    a, b = talk.title_span
    m = next((x for x in _SEPARATORS.finditer(masked, a, b) if x.group().strip() in ("-", "–", "—", "|", "•")), None)
    if m is None:
        return None
    people = parse_speakers(masked[a : m.start()], a, judge)
    rest = _strip(masked, m.end(), b)
    title = " ".join(masked[rest[0] : rest[1]].split())
    if people and _title_ok(title) and all(_named_person(p, judge, talk.url) for p in people):
        return rest, title, people
    return None


def _named_person(speaker: Speaker, judge: Judge, url: str | None = None) -> bool:
    """Is the speaker surely a person: a known given name first, a person by the model, or the one the
    talk's page is named after (``/program/keshav-vasudevan/``)?"""
    return (
        starts_with_given_name(speaker.name)
        or han_personal_name(speaker.name)
        or judge.label_of(*speaker.span) == "PERSON"
        or (url is not None and slug(speaker.name) in url.lower())
    )


def _speakers_after(text: str, at: int, judge: Judge) -> list[Speaker] | None:
    """Speakers right after a title: ``- Name, Org``, ``by Name``, ``(Name, Org)``; or a sentence about them."""
    m = re.match(r"\s*(?:[-–—|:•]|\bby\b|\bwith\b|\bpresented by\b)\s*(?P<p>[^\n]+)", text, re.I)
    if m:
        people = parse_speakers(m.group("p"), at + m.start("p"), judge)  # (ends where a sentence starts)
        if people:
            return people
    m = re.match(r"\s*\((?P<p>[^()]+)\)", text)
    if m:
        return parse_speakers(m.group("p"), at + m.start("p"), judge)
    return None


def _presenting_orgs(st: DocState, talk: Talk, after: str, at: int) -> list[tuple[str, Span]]:
    """Organizations a talk's line says give it: "Title - Org" (a known organization), "brought to you
    by the Org", "presented by Org", "hosted by Org"."""
    found: list[tuple[str, Span]] = []
    a, b = talk.title_span
    m = re.search(r"\s[-–—|]\s+(?P<org>[^-–—|]+)$", st.doc.masked[a:b])
    if m:
        entry = st.gz.lookup(m.group("org").strip())
        if entry is not None and entry.kind == "org":
            found.append((m.group("org").strip(), (a + m.start("org"), b)))
    by = re.search(
        r"\b(?:brought to you by|presented by|hosted by|organi[sz]ed by|by)\s+(?:the\s+)?"
        r"(?P<who>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})",
        after,
    )
    if by and not is_person_name(by.group("who")):
        found.append((by.group("who"), (at + by.start("who"), at + by.end("who"))))
    return found


def _talk_of_text(st: DocState, a: int, b: int, judge: Judge) -> Talk | None:
    """A talk written without a link: ``Title - Speakers``, ``Title (Speakers @ Org)``, ``Speakers: Title``."""
    masked = st.doc.masked
    text = masked[a:b]
    times = find_times(text)
    clean = text
    for *_, x, y in times:
        clean = clean[:x] + " " * (y - x) + clean[y:]
    for _, x, y in find_dates(clean, st.year):
        clean = clean[:x] + " " * (y - x) + clean[y:]
    clean = re.sub(r"^[\s:•|–—-]+", lambda m: " " * len(m.group()), clean)
    talk = Talk("", _strip(masked, a, b), (a, b))
    talk.when = text
    shifted = (a + len(clean) - len(clean.lstrip()))
    core = clean.strip()
    if not core:
        return None
    sub = Talk("", (shifted, shifted + len(core)), (a, b))
    people = _speakers_in_title(st, sub, judge)
    if people is None:
        m = re.match(r"(?P<p>[^:]{4,80}):\s+(?P<t>.{8,})$", core)  # "Jane Doe, Acme: The Title"
        if m:
            found = parse_speakers(m.group("p"), shifted + m.start("p"), judge)
            if found:
                sub.title_span = _strip(masked, shifted + m.start("t"), shifted + m.end("t"))
                sub.title = " ".join(masked[sub.title_span[0] : sub.title_span[1]].split())
                sub.speakers = found
    if not sub.speakers:
        return None
    sub.when = text
    return sub if _title_ok(sub.title) else None


def _title_case(text: str) -> bool:
    """Does ``text`` read as a title: most of its longer words capitalized?"""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _title_ok(title: str) -> bool:
    words = re.findall(r"\w+", title)
    return len(title) >= _TITLE_MIN and len(words) >= 2 and not _BREAKS.match(title)


# --- tables ------------------------------------------------------------------------------------------

_COLUMN_WORDS = {
    "time": r"time|zeit|uhrzeit|heure|horário|horario|hora|when|slot|時間|时间",
    "title": r"title|topic|talk|session|palestra|vortrag|thema|titel|titre|sujet|charla|tema|subject|abstract"
    r"|演讲|题目|主题|议题|タイトル|トピック|セッション|講演|제목|세션",
    "speaker": r"speakers?|presenters?|palestrantes?|sprecher(?:in)?|referent(?:en|in)?|intervenants?|orateurs?"
               r"|ponentes?|who|by|leaders?|hosts?|moderators?|panelists?|演讲者|讲师|講師|登壇者|スピーカー|発表者|講演者"
               r"|嘉宾|分享嘉宾|发言人|발표자|연사",
    "org": r"company|organi[sz]ation|firma|empresa|entreprise|affiliation|公司",
    "date": r"date|datum|data|fecha|day|tag|jour|dia|día|日期|日付|날짜",
    "place": r"room|rooms|location|venue|where|place|raum|ort|salle|lieu|sala|local|場所|会場|地点|会议室|장소",
}


def _row(st: DocState, ctx: Context, block: Block, judge: Judge, year: int | None) -> None:
    masked = st.doc.masked
    cells = [(_strip(masked, a, b)) for a, b in block.cells]
    texts = [masked[a:b] for a, b in cells]
    if block.table != ctx.table:
        ctx.table, ctx.columns, ctx.groups = block.table, {}, []
    if not ctx.columns and _time_grid(texts):  # "Time | Main Track | Track #1 | ...": a talk in every other cell
        ctx.columns = {"time": 0}
        ctx.groups = [{"time": 0, "title": i} for i in range(1, len(texts))]
        return
    if block.header or (not ctx.columns and _header_like(texts)):
        ctx.columns, ctx.groups = {}, [{}]
        for i, t in enumerate(texts):
            roles = _column_roles(t)
            if roles and roles[0] in ctx.groups[-1] and roles[0] != "time":
                ctx.groups.append({})  # a role seen again: the columns repeat, a second talk per row
            for role in roles:
                ctx.columns.setdefault(role, i)
                ctx.groups[-1].setdefault(role, i)
            zone = next((w for w in re.findall(r"[A-Z]{2,5}", t) if w in ZONES or w in GENERIC_ZONES), None)
            if roles and roles[0] == "time" and ctx.columns["time"] == i and zone:
                ctx.zone = zone  # "UTC time | EDT time": the first time column's zone
        if ctx.columns:
            return
    if texts and _column_roles(texts[0])[:1] == ["place"]:
        return  # "Room | 608/609 | 613 | ...": where the columns are, no talk
    nonempty = [t for t in texts if t.strip()]
    if len(nonempty) == 1 and _day_line(nonempty[0], year) is not None:  # "Day 1 - Thursday, August 25"
        _set_day(ctx, nonempty[0], year)
        return
    if "time" in ctx.columns and ctx.columns["time"] < len(texts) and find_times(texts[ctx.columns["time"]]):
        row_when = texts[ctx.columns["time"]]  # the time column's, not every cell with a time in it
    else:
        row_when = " ".join(t for t in texts if find_times(t) and len(re.sub(r"[\W\d_]+", "", t)) <= 12)
    for talk in _talks_of_row(st, ctx, block, cells, judge):
        talk.when = (row_when + " " + talk.when).strip()
        _add(st, ctx, talk, year)


def _column_roles(text: str) -> list[str]:
    """What a header cell says its column holds: its words ("Session Title", "UTC time", "Speaker(s)"), at
    most four of them; a column of speakers ("Session Leader(s)") is no column of titles."""
    words = re.findall(r"[^\W\d_]+", text)
    if not 1 <= len(words) <= 4:
        return []
    roles = [r for r, rx in _COLUMN_WORDS.items() if any(re.fullmatch(rf"(?:{rx})s?", w, re.I) for w in words)]
    if "speaker" in roles and "title" in roles:
        roles.remove("title")
    return sorted(roles, key=_ROLE_ORDER.index)


#: A note after a title: its length, a room's shape, who may come ("[50 mins]", "(2 hrs; open to all)").
_NOTE = re.compile(r"\s*[\[(][^\])\n]*\b(?:mins?|minutes|hrs?|hours?|open to all)\b[^\])\n]*[\])]\s*$", re.I)
_ROLE_ORDER = ["speaker", "time", "date", "org", "place", "title"]


def _time_grid(texts: list[str]) -> bool:
    """A header row of a grid of tracks: a time column first, then columns that are no other role (rooms,
    tracks)."""
    return len(texts) >= 3 and _column_roles(texts[0])[:1] == ["time"] and not any(_column_roles(t) for t in texts[1:])


def _header_like(texts: list[str]) -> bool:
    return sum(1 for t in texts if _column_roles(t)) >= 2


def _talks_of_row(st: DocState, ctx: Context, block: Block, cells: list[Span], judge: Judge) -> list[Talk]:
    masked = st.doc.masked
    span = (block.start, block.end)
    groups = [g for g in ctx.groups if "title" in g] if len(ctx.groups) > 1 else [ctx.columns]
    if groups and "title" in groups[0] and groups[0]["title"] < len(cells):
        talks_of_groups: list[Talk] = []
        for cols in groups:  # one talk per group of columns
            if cols["title"] >= len(cells):
                continue
            ta, tb = cells[cols["title"]]
            talk = _cell_talk(st, block, ta, tb, span, judge)
            if talk is None:
                continue
            if "speaker" in cols and cols["speaker"] < len(cells) and not talk.speakers:
                sa, sb = cells[cols["speaker"]]
                talk.speakers = _cell_speakers(st, sa, sb, judge)
            if "org" in cols and cols["org"] < len(cells) and talk.speakers:
                oa, ob = cells[cols["org"]]
                if masked[oa:ob].strip():
                    for p in talk.speakers:
                        p.org, p.org_span = p.org or masked[oa:ob].strip(), p.org_span or (oa, ob)
            talks_of_groups.append(talk)
        return talks_of_groups
    # no header: each cell a talk of its own ("Title (Speaker @ Org)"), or a speaker cell beside a title cell
    talks: list[Talk] = []
    used: set[int] = set()
    for i, (a, b) in enumerate(cells):
        if i in used or not masked[a:b].strip() or _time_only(masked[a:b]):
            continue
        talk = _cell_talk(st, block, a, b, span, judge)
        if talk is not None and talk.speakers:
            talks.append(talk)
            continue
        people = _cell_speakers(st, a, b, judge)
        neighbour = i + 1 if people else None
        if people and neighbour is not None and neighbour < len(cells):
            na, nb = cells[neighbour]
            other = _cell_talk(st, block, na, nb, span, judge, title_only=True)
            if other is not None:
                other.speakers = people
                talks.append(other)
                used.add(neighbour)
                continue
        if talk is not None and (talk.url or len(cells) >= 2):
            for j, (ca, cb) in enumerate(cells):
                if j != i and j not in used:
                    found = _cell_speakers(st, ca, cb, judge)
                    if found:
                        talk.speakers = found
                        used.add(j)
                        break
            if talk.url or talk.speakers:
                talks.append(talk)
    return talks


def _cell_talk(st: DocState, block: Block, a: int, b: int, span: Span, judge: Judge, *,
               title_only: bool = False) -> Talk | None:
    masked = st.doc.masked
    if not masked[a:b].strip() or _time_only(masked[a:b]):
        return None
    link = next((x for x in block.links if a <= x.start < b and (TALK_URL.search(x.url) or (
        x.url.startswith("/") and not _PERSON_URL.search(x.url)))), None)
    if link is not None:
        la, lb = _strip(masked, link.start, link.end)
        linked = Talk(" ".join(masked[la:lb].split()), (la, lb), span, link.url)
        _speakers_in_title(st, linked, judge)
        return linked if _title_ok(linked.title) else None
    talk = _talk_of_text(st, a, b, judge)
    if talk is not None:
        talk.span = span
        return talk
    ta, tb = _first_line(masked, a, b)
    title = " ".join(masked[ta:tb].split()).strip(" *_\"“”")
    if title_only or _title_ok(title):
        t = Talk(title, (ta, tb), span)
        return t if _title_ok(title) and not judge.person(title, ta, tb) else None
    return None


def _cell_speakers(st: DocState, a: int, b: int, judge: Judge) -> list[Speaker]:
    """The people of a speaker cell: lines (``Name<br>Org``), or one speaker list."""
    masked = st.doc.masked
    lines = [x for x in (_strip(masked, x, y) for x, y in _cell_lines(st.doc.text, a, b)) if x[0] < x[1]]
    if not lines:
        return []
    whole = parse_speakers(" ".join(masked[x:y] for x, y in lines), lines[0][0], judge) if len(lines) == 1 else None
    if whole:
        return whole
    people: list[Speaker] = []
    for x, y in lines:
        found = parse_speakers(masked[x:y], x, judge)
        if found:
            people.extend(found)
        elif people and judge.org(masked[x:y]) and people[-1].org is None:  # "Julius Volz<br>Prometheus"
            for p in people:
                if p.org is None:
                    p.org, p.org_span = masked[x:y].strip(), (x, y)
        else:
            return people
    return people


def _cell_lines(text: str, a: int, b: int) -> list[Span]:
    out, pos = [], a
    for m in re.finditer(r"\n|</?br\s*/?>", text[a:b], re.I):
        out.append((pos, a + m.start()))
        pos = a + m.end()
    out.append((pos, b))
    return out


def _first_line(masked: str, a: int, b: int) -> Span:
    for x, y in _cell_lines(masked, a, b):
        x, y = _strip(masked, x, y)
        if x < y:
            return x, y
    return a, a


def _strip(text: str, a: int, b: int) -> Span:
    while a < b and (text[a].isspace() or text[a] in "*_\"“”[(`"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "*_\"“”])`:,"):
        closing = text[b - 1] in ")]"
        if closing and text.count("([" [text[b - 1] == "]"], a, b) >= text.count(text[b - 1], a, b):
            break  # "Jane Doe (Acme)": the parenthesis closes one inside
        b -= 1
    return a, b


# --- the session ---------------------------------------------------------------------------------------


def _add(st: DocState, ctx: Context, talk: Talk, year: int | None) -> URIRef | None:
    """The session of ``talk``: typed, named, part of its event or conference, with its times and people
    (None when what is left of its title is a handle or a room number)."""
    masked = st.doc.masked
    if not talk.title:
        talk.title = " ".join(masked[talk.title_span[0] : talk.title_span[1]].split())
    title = _NOTE.sub("", talk.title).strip(" :-–—|")  # "KEP BoF [50 mins]", "Docs Planning (2 hrs; open to all)"
    wordless = len(re.findall(r"[^\W\d_]{2,}", title)) < 2 and not re.search(r"[^\W\d_]{4,}", title)
    if title.startswith("@") or wordless:
        return None  # a handle or a room number, no title
    core = KIND_PREFIX.sub("", title)
    parent = ctx.event or st.main_event or st.conference
    within = str(parent).rstrip("/").rsplit("/", 1)[-1] + "/" if parent else ""
    iri = ID[f"session/{within}{slug(core)}"]
    span = talk.span
    method, conf = "structure", CONF_STRUCTURE
    if iri not in st.named:
        st.named.add(iri)
        st.add(iri, RDF.type, KG.Session, span, method, conf)
        st.add(iri, SCHEMA.name, st.text_literal(title), span, method, conf)
    kind = _session_kind(title) or ctx.kind
    if kind:
        st.add(iri, KG.sessionKind, session_kind(kind), span, method, conf)
    if parent:
        st.add(iri, KG.partOf, parent, span, method, conf)
    if talk.url and talk.url.startswith(("http://", "https://")) and " " not in talk.url:
        st.add(iri, KG.scheduleUrl, URIRef(talk.url), span, method, conf)
    _times(st, ctx, iri, talk, span, year)
    for m in st.gz.find(st.doc.text, masked, talk.title_span[0], talk.title_span[1]):
        if m.entry.kind == "project":
            st.add(iri, KG.mentionsProject, st.from_entry(m.entry, span, m.text), span, "gazetteer", CONF_GAZETTEER)
        elif m.entry.kind == "org":
            featured = st.from_entry(m.entry, span, m.text)
            st.add(iri, KG.featuresOrganization, featured, span, "gazetteer", CONF_GAZETTEER)
    _title_patterns(st, iri, title, talk.title_span, span)
    for name, _ in talk.orgs:
        org = st.resolve_org(name, span, slot=True)
        if org is not None:
            st.add(iri, KG.presenter, org, span, "pattern", CONF_PATTERN)
    for person in talk.speakers:
        p = _person(st, person, span)
        if p is None:
            continue
        st.add(iri, KG.presenter, p, span, "structure", CONF_PATTERN)
        if person.org:
            org = st.resolve_org(person.org, span, slot=True)
            if org is not None:
                st.add(p, KG.affiliation, org, span, "structure", CONF_PATTERN)
                st.add(iri, KG.presenter, org, span, "structure", CONF_PATTERN)
    st.sessions.append((iri, st.sentence_at(talk.title_span[0]), topics_in(title)))
    return iri


def _person(st: DocState, speaker: Speaker, span: Span) -> URIRef | None:
    entry = st.gz.lookup(speaker.name)
    if entry is not None and entry.kind != "person":
        return None
    return st.entity("person", " ".join(speaker.name.split()), span, "structure", CONF_PATTERN)


def _times(st: DocState, ctx: Context, iri: URIRef, talk: Talk, span: Span, year: int | None) -> None:
    when = talk.when
    date = find_date(when, year) or ctx.date
    weekday = weekday_in(when) or ctx.weekday or (date.strftime("%A") if date else None)
    if date is None and weekday:  # "Monday Schedule", with "Monday, Dec 10th, 2018" said elsewhere
        date = _date_of_weekday(st, weekday, year)
    found = find_times(when)
    times = found[0][:3] if found else ctx.times
    if weekday:
        st.add(iri, KG.day, literal(weekday), span, "structure", CONF_STRUCTURE)
    if date is None:
        return
    if times is None:
        st.add(iri, KG.startDate, literal(date, datatype=XSD.date), span, "structure", CONF_STRUCTURE)
        return
    zone = times[2] or ctx.zone
    off = offset(zone, _venue_zone(st), date)
    for p, t in ((KG.startDate, times[0]), (KG.endDate, times[1])):
        if t:
            value = f"{date.isoformat()}T{t}:00{off or ''}"
            st.add(iri, p, literal(value, datatype=XSD.dateTime), span, "structure", CONF_STRUCTURE)
    if zone and not zone.startswith("UTC"):
        st.add(iri, KG.timeZone, literal(zone), span, "structure", CONF_STRUCTURE)


def _date_of_weekday(st: DocState, weekday: str, year: int | None) -> dt.date | None:
    """The one date the document names that falls on ``weekday`` (an English or other weekday name), if
    there is exactly one."""
    if "dates" not in st.cache:
        st.cache["dates"] = {d for d, _, _ in find_dates(st.doc.masked, year)}
    wanted = _WEEKDAY_NUMBER.get(weekday.lower()[:3])
    days = {d for d in st.cache["dates"] if d.weekday() == wanted}
    return days.pop() if len(days) == 1 else None


_WEEKDAY_NUMBER = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _venue_zone(st: DocState) -> str | None:
    """The IANA zone of the conference's city, when the document names it."""
    city = st.cache.get("city")
    zones: dict[str, str] = st.curated.get("city_zones", {})
    return zones.get(city) if isinstance(city, str) else None

