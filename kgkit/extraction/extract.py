"""Extraction: one document in, facts with evidence out.

The extractor reads a :class:`~kgkit.documents.Document` once, left to right:

1. structure — front matter, headings (sections and day headings), time lines, lists of talks with
   sched links, ``Title - Speaker, Org`` talk lines, quoted talk titles in prose;
2. recognition — gazetteer hits (landscape + curated entities), conference editions, and patterns
   for names the gazetteer does not know ("Name from Org", "Name, Role at Org", "Org Uses Project");
3. relations — who presented, who spoke on which topic, affiliations, what sessions mention.

Every fact carries the character span of the sentence it came from, the method and a confidence;
:mod:`kgkit.build` turns facts into triples and evidence nodes.

>>> from kgkit.documents import read_document
>>> facts = extract(read_document("data/corpus/000_dc9f1b824b07a64f.txt"))  # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.term import Node

from kgkit.documents.document import Document
from kgkit.extraction.gazetteer import DATA_DIR, Entry, Gazetteer, load_curated, load_gazetteer, lower_keeping_length
from kgkit.rdf.terms import ID, KG, SCHEMA, entity_iri, session_kind, slug

#: rdflib's Literal, remembered: building one checks and converts its value (~4 µs), and the same
#: names, days and times recur across a corpus's documents (typed: 1, 1.0 and True stay apart)
literal = lru_cache(maxsize=1 << 14, typed=True)(Literal)

# confidence by method
CONF_STRUCTURE = 0.95
CONF_GAZETTEER = 0.9
CONF_PATTERN = 0.75
CONF_WEAK = 0.6

KIND_CLASS = {
    "org": KG.Organization,
    "project": KG.Project,
    "event": KG.Event,
    "person": KG.Person,
    "conference": KG.Conference,
    "session": KG.Session,
    "place": KG.Place,
}
TZ_OFFSETS = {
    "CET": "+01:00",
    "CEST": "+02:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "BST": "+01:00",
    "GMT": "+00:00",
    "UTC": "+00:00",
    "Z": "+00:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "IST": "+05:30",
    "JST": "+09:00",
    "KST": "+09:00",
    "AEST": "+10:00",
    "AEDT": "+11:00",
    "SGT": "+08:00",
}
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DAY_HEADING = re.compile(
    rf"\b(?P<wd>{'|'.join(WEEKDAYS)}),?\s+"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)\b"
)
TIME_RANGE = re.compile(
    r"\b(?P<a>[012]?\d[:.][0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?\s*(?:[-–—]|to)\s*(?P<b>[012]?\d[:.][0-5]\d)"
    r"\s*(?P<bp>[ap]\.?m\.?)?\s*(?P<tz>[A-Z]{1,4}T?|UTC[+-]\d{1,2})?(?![\w])",
    re.I,
)
# "on Thursday, March 21 at 14:30 CET" / "at 2:30pm PST" in a sentence
TIME_AT = re.compile(r"\bat\s+(?P<a>[012]?\d[:.][0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?\s*(?P<tz>[A-Z]{2,4}T?)?\b", re.I)
DATE_RANGE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})\s*[-–]\s*(?P<d2>\d{{1,2}})\s+(?P<m>{_MONTH}),?\s+(?P<y>20\d\d)\b"
    rf"|\b(?P<m2>{_MONTH})\s+(?P<e1>\d{{1,2}})\s*[-–]\s*(?P<e2>\d{{1,2}}),?\s+(?P<y2>20\d\d)\b"
)
SCHED = re.compile(r"https?://(?:sched\.co/[\w-]+|[\w-]+\.sched\.com/event/[\w/%.-]+)")
ATTEND = re.compile(
    r"(?:over|more than|above|almost|nearly|around|some)?\s*\+?"
    r"(?P<n>\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d)?\s*[kK]|\d{3,6})\+?\s*"
    r"(?:participants|attendees|people attended|visitors|registrants|Teilnehmer(?:innen)?|Besucher"
    r"|participantes|asistentes|名参会者|名与会者|参会者|与会者)"
)
SPEECH = (  # verbs that say an agent spoke, presented or took part in a talk
    r"(?:spoke|speaks|speak|talked|talks about|talking about|presented|presents|shared|shares|discussed"
    r"|discusses|delved|delves|addressed|addresses|elaborated|explained|highlighted|showcased"
    r"|emphasi[sz]ed|emphasi[sz]ing|introduced|demonstrated|announced|opened|led|gave|hosted|outlined"
    r"|explored|put a lot of effort|was on the panel|were on the panel"
    r"|presentó|habló|explicó|mostró|sprach|präsentierte|erklärte|zeigte|a présenté|a parlé|a expliqué)"
)
ROLE_WORDS = (
    r"(?:CEO|CTO|CIO|COO|CPO|CISO|VP of [A-Z][a-z]+|Head of [A-Z][a-z]+|[Ff]ounder|[Cc]o-founder|[Mm]aintainer"
    r"|Principal Engineer|Staff Engineer|Distinguished Engineer|Developer Advocate|Product Manager)"
)
KIND_PREFIX = re.compile(
    r"^(?P<p>(?:Keynote Panel(?: Discussion)?|Keynote|Panel(?: Discussion)?|Lightning Talk|Tutorial|Workshop"
    r"|Talk|Fireside Chat|Sponsored Keynote)\s*:\s*)",
    re.I,
)
PERSON_NAME = r"[A-Z][a-zà-ÿ'’-]+(?:\s+(?:van|von|de|da|del|der|di|le|la|bin|ibn)?\s*[A-Z][a-zà-ÿ'’-]+){1,3}"
ORG_NAME = (  # capitalized words, with "for"/"of"/"&" inside ("KCP for Platforms") and "metal-stack Cloud"
    r"(?:[A-Z][\w&.'’-]*|[a-z]+-[a-z]+)"
    r"(?:\s+(?:for\s+|of\s+|&\s+|and\s+(?=[A-Z][\w-]*\s+(?:Group|Cloud|Labs|Foundation)))?"
    r"(?:[A-Z][\w&.'’-]*|[a-z]+-stack))*"
)
STOP_CAPS = {
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "They",
    "We",
    "I",
    "You",
    "He",
    "She",
    "Our",
    "Their",
    "His",
    "Her",
    "In",
    "On",
    "At",
    "For",
    "From",
    "With",
    "And",
    "But",
    "Or",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "During",
    "Day",
    "Even",
    "Next",
    "Also",
    "Some",
    "Many",
    "All",
    "Every",
    "Most",
    "Community",
    "Head",
    "Picture",
    "Reading",
    "Last",
    "Table",
    "Contents",
    "Leave",
    "More",
    "Get",
    "Join",
    "Newsletter",
    "One",
    "Two",
    "Overall",
    "Fortunately",
    "Unfortunately",
    "However",
    "Through",
    "Highlighting",
    "Discover",
    "By",
    "Kudos",
    "Several",
    "Much",
    "Notable",
    "Customer",
    "Stories",
    "Sustainability",
    "Keynote",
    "Panel",
    "Talk",
    "Session",
    "Here",
    "There",
    "Find",
    "Come",
    "TAG",
}

# The sentence patterns of pattern_facts and session_list_facts, compiled once.
_THEME = re.compile(r"theme (?:of (?:the )?day )?was (?P<t>[^,.]+)|(?P<u>[\w ]+) was a key theme")
_HAS_SPEECH = re.compile(SPEECH.replace(" ", r"\s+"))  # a speech verb anywhere: a cheap test before the costly patterns
_SPEAKERS_AFTER_LINK = re.compile(r"\)?\s*(?:[-–—|]|\bby\b)\s*(?P<sp>" + PERSON_NAME + r"\s*,\s*.+)$")
_TALK_LINE = re.compile(
    r"^\s*(?:[*+-]|\d+[.)])?\s*(?P<title>[^\n]{8,200}?)\s+[-–—]\s+(?P<speakers>" + PERSON_NAME + r"\s*,\s*[^\n]+)$"
)
_TALK_LINE_MAX = 2000
# Name, Role at Org (ACR) / Name from Org / Name (Org)
_AFFILIATED = re.compile(
    rf"(?P<person>{PERSON_NAME})"
    rf"(?:,\s+(?P<role>{ROLE_WORDS}|[A-Z][\w &-]{{2,60}}?)\s+(?:at|of)\s+(?!the\b)"
    rf"|,\s+(?P<role2>[a-zà-ÿ][\w -]{{2,40}}?)\s+(?:de|bei|von|chez|di|da)\s+"  # "ingeniero de Red Hat"
    rf"|\s+from\s+(?:the\s+)?|\s+\((?=[A-Z]))"
    rf"(?P<org>{ORG_NAME})"
)
_ROLE_THEN_NAME = re.compile(rf"\b(?P<role>{ROLE_WORDS})\s+(?P<person>{PERSON_NAME})")
_NAMED_SPEAKERS = re.compile(
    rf"(?:@\w+\s+\((?P<a>{PERSON_NAME})\)|\b(?:the\s+)?speakers?\s+(?P<b>{PERSON_NAME})"
    rf"|\bincluding\s+(?P<c>{PERSON_NAME}(?:,\s+{PERSON_NAME})*))"
)
_NAME_S_SPEECH = re.compile(rf"(?P<person>{PERSON_NAME})[’']s\s+(?:acceptance\s+)?(?:speech|talk|keynote|presentation)")
_AWARD_VERBS = r"(?:taking|took|won|wins|winning|received|receiving)"
_AWARD = re.compile(rf"(?P<org>{ORG_NAME})\s+{_AWARD_VERBS}\s+the\s+[\w\s]*(?:honou?r|award|prize)")
_AWARD_VERB = re.compile(rf"\s{_AWARD_VERBS}\s+the\s")  # in every _AWARD match: a cheap test before it
_DIGIT = re.compile(r"\d")  # in every ATTEND match
_SPEECH_FOLLOWS = re.compile(  # what follows an agent that is the subject of a speech verb
    rf"(?:[’']s\s+\w+|\s+(?:project|application|team|folks|people|group|representatives))?"
    rf"\s*(?:\w+\s+){{0,2}}?{SPEECH}\b"
)
_NAME_THEN_SPEECH = re.compile(rf"(?P<org>{ORG_NAME})\s+(?:\w+\s+){{0,1}}{SPEECH}\b")


NOT_NAME_WORDS = {
    "Principal",
    "Engineer",
    "Senior",
    "Staff",
    "Director",
    "Manager",
    "Lead",
    "Chief",
    "Officer",
    "Founder",
    "Maintainer",
    "Advocate",
    "President",
    "Vice",
    "Architect",
    "Evangelist",
    "Speaker",
    "Keynotes",
    "Foundation",
    "Group",
    "Board",
    "Platform",
    "Platforms",
    "Sustainability",
    "Environmental",
    "Cloud",
    "Technical",
    "Advisory",
    "Developer",
    "Internal",
    "User",
    "Day",
    "Week",
    "Conference",
    "Native",
    "Computing",
    "Engineering",
    "Summit",
    "Project",
    "Projects",
    "Community",
    "Open",
    "Source",
    "Data",
    "Centers",
    "Center",
    "Security",
    "Energy",
    "Kubernetes",
    "Talk",
    "Keynote",
    "Panel",
    "Session",
    "Europe",
    "America",
    "Team",
    "Labs",
    "Inc",
    "Ltd",
    "Award",
    "Awards",
    "Efficiency",
    "Infrastructure",
    "Edge",
    "Green",
    "Swag",
    "Segment",
    "Thoughts",
    "Closing",
}


def is_person_name(name: str) -> bool:
    """Two to four capitalized words, none an acronym or a word that names things rather than people."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and re.fullmatch(PERSON_NAME, name) is not None
        and words[0] not in STOP_CAPS
        and not any(w in NOT_NAME_WORDS or w.isupper() for w in words)
    )


@dataclass
class Fact:
    """One extracted triple and where it came from."""

    s: URIRef
    p: URIRef
    o: Node
    span: tuple[int, int]
    method: str
    confidence: float


@dataclass
class Section:
    level: int
    title: str
    span: tuple[int, int]
    topics: set[str]


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    section: Section | None


@dataclass
class Extraction:
    """Everything one document yields: facts, and the entities it mentions by IRI."""

    doc: Document
    document_iri: URIRef
    facts: list[Fact] = field(default_factory=list)
    candidates: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, name, confidence)


@lru_cache(maxsize=2)
def load_topics(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The topic scheme from ``data/topics.yaml``."""
    with (data_dir / "topics.yaml").open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@lru_cache(maxsize=2)
def _topic_automaton(data_dir: Path = DATA_DIR) -> ahocorasick.Automaton:
    """One Aho-Corasick automaton over every trigger (lower-cased), for one pass per text."""
    triggers: dict[str, list[tuple[str, str]]] = {}
    for topic in load_topics(data_dir)["topics"]:
        for trig in map(str, topic.get("triggers", [])):
            triggers.setdefault(trig.lower(), []).append((trig, topic["id"]))
    automaton = ahocorasick.Automaton()
    for low, entries in triggers.items():
        automaton.add_word(low, (low, entries))
    automaton.make_automaton()
    return automaton


def topics_in(text: str) -> set[str]:
    """Topic ids whose triggers occur in ``text``: whole words; a trigger with a capital letter must
    match its case exactly ("AI", "Rust"), an all-lower-case one matches in any case; Chinese
    triggers match anywhere.

    >>> sorted(topics_in("Measuring Application Energy Consumption with Kepler"))
    ['energy-efficiency']
    """
    low = lower_keeping_length(text)
    found: set[str] = set()
    for last, (trigger_low, entries) in _topic_automaton().iter(low):
        start, end = last - len(trigger_low) + 1, last + 1
        cjk = re.match(r"[\u3400-\u9fff]", trigger_low) is not None
        if not cjk and (_word_char(text, start - 1) or _word_char(text, end)):
            continue
        for trig, topic in entries:
            if cjk or trig.islower() or text[start:end] == trig:
                found.add(topic)
    return found


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] in "_-")


@lru_cache(maxsize=32)
def _series_regexes(pattern: str, city_alt: str, region_alt: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(f"(?:{pattern})"),
        re.compile(rf"(?:{city_alt})(?=\s+\Z)"),
        re.compile(rf"(?:\s+(?P<region>{region_alt}))?(?:\s*(?P<year>'\d\d|20\d\d)\b)?(?:\s+in\s+(?P<year2>20\d\d))?"),
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
        yield (c.start() if c else m.start()), tail.end(), (c.group() if c else None), tail
        pos = tail.end() if tail.end() > m.start() else m.start() + 1


def topic_iri(topic_id: str) -> URIRef:
    return ID[f"topic/{topic_id}"]


# ------------------------------------------------------------------------------------------ extractor
class _Extractor:
    def __init__(self, doc: Document, gazetteer: Gazetteer) -> None:
        self.doc = doc
        self.gz = gazetteer
        self.curated = load_curated()
        self.out = Extraction(doc, ID[f"document/{doc.id}"])
        self.lang = doc.language
        self.named: set[URIRef] = set()
        self.sentences = list(_sentences(doc))
        self.sentence_starts = [s.start for s in self.sentences]  # in order, not overlapping
        self.search = _unmask_meta(doc, ("title", "description"))
        self.hits = gazetteer.find(doc.text, doc.masked, doc.body_start)
        self.local_alias: dict[str, Entry] = {}
        self.conference: URIRef | None = None
        self.conf_dates: tuple[dt.date, dt.date] | None = None
        self.year = doc.date.year if doc.date else None
        self.sessions: list[tuple[URIRef, Sentence | None, set[str]]] = []
        self.organized: set[URIRef] = set()
        self.main_event: URIRef | None = None  # a co-located event the document is about (its title names it)
        self.located = False
        self._paragraph_events: dict[int, URIRef] | None = None  # (see _event_of_paragraph)

    # -------------------------------------------------------------- fact helpers
    def add(self, s: URIRef, p: URIRef, o: Node, span: tuple[int, int], method: str, conf: float) -> None:
        self.out.facts.append(Fact(s, p, o, span, method, conf))

    def text_literal(self, value: str) -> Literal:
        return literal(value, lang=self.lang)

    def entity(
        self,
        kind: str,
        name: str,
        span: tuple[int, int],
        method: str,
        conf: float,
        entry: Entry | None = None,
        surface: str | None = None,
    ) -> URIRef:
        """The IRI of an entity, typed and named in this document's graph (once)."""
        canonical = entry.name if entry else name
        iri = entity_iri(kind, canonical)
        if iri not in self.named:
            self.named.add(iri)
            self.add(iri, RDF.type, KIND_CLASS[kind], span, method, conf)
            plain = entry is not None or kind in ("conference", "place")  # canonical, language-neutral names
            name_lit = literal(canonical) if plain else self.text_literal(canonical)
            self.add(iri, SCHEMA.name, name_lit, span, method, conf)
            if entry is None and method == "pattern":
                self.out.candidates.append((kind, canonical, conf))
            if kind != "session":
                self.add(self.out.document_iri, KG.mentions, iri, span, method, conf)
        if surface and surface != canonical:
            self.add(iri, SCHEMA.alternateName, self.text_literal(surface), span, method, conf)
        return iri

    def from_entry(self, entry: Entry, span: tuple[int, int], surface: str | None = None) -> URIRef:
        return self.entity(entry.kind, entry.name, span, "gazetteer", CONF_GAZETTEER, entry, surface)

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def span_of(self, pos: int) -> tuple[int, int]:
        s = self.sentence_at(pos)
        return (s.start, s.end) if s else (pos, pos + 1)

    # -------------------------------------------------------------- the passes
    def run(self) -> Extraction:
        self.document_facts()
        self.conference_facts()
        self.mention_facts()
        self.title_event()
        self.session_list_facts()
        self.quoted_session_facts()
        self.pattern_facts()
        self.topic_facts()
        return self.out

    def document_facts(self) -> None:
        d, doc = self.doc, self.out.document_iri
        fm = "front-matter"
        whole = d.title_span or _first_line(d)
        self.add(doc, RDF.type, KG.Document, whole, "structure", 1.0)
        self.named.add(doc)
        if d.title:
            span = d.title_span or whole
            self.add(
                doc,
                SCHEMA.name,
                self.text_literal(d.title),
                span,
                fm if d.meta.get("title") else "structure",
                CONF_STRUCTURE,
            )
        self.add(doc, KG.inLanguage, literal(d.language), whole, "structure", CONF_STRUCTURE)
        self.add(doc, KG.sourcePath, literal(d.name), whole, "structure", 1.0)
        self.add(doc, KG.contentHash, literal(d.content_hash), whole, "structure", 1.0)
        if d.date:
            line = next((d.meta_lines[k] for k in ("date", "publishdate", "publishDate") if k in d.meta_lines), None)
            span = d.line_span(line) if line else whole
            self.add(
                doc,
                KG.datePublished,
                literal(d.date, datatype=XSD.date),
                span,
                fm if line else "structure",
                CONF_STRUCTURE,
            )
        for name, author_span, role in d.authors:
            if not (
                is_person_name(name) or re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[\u3040-\u30ff\u4e00-\u9fff]{2,8}", name)
            ):
                continue  # "Northwind Labs Communications", "the program committee": not a person
            where = author_span or whole
            person = self.entity("person", name, where, fm, CONF_STRUCTURE)
            self.add(doc, KG.author, person, where, fm, CONF_STRUCTURE)
            if role:
                self.add(person, SCHEMA.jobTitle, self.text_literal(role), where, "structure", CONF_PATTERN)

    # -------------------------------------------------------------- conferences
    def conference_facts(self) -> None:
        series = self.curated.get("conference_series", [])
        regions: dict[str, list[str]] = self.curated.get("regions", {})
        cities: dict[str, list[str]] = self.curated.get("cities", {})
        region_alt = "|".join(sorted((re.escape(a) for r in regions.values() for a in r), key=len, reverse=True))
        city_alt = "|".join(sorted(map(re.escape, cities), key=len, reverse=True))
        mentions: list[tuple[int, int, str, str | None, int | None, str | None, str]] = []
        text = self.search
        for s in series:
            for start, end, city, m in _series_mentions(text, s["pattern"], city_alt, region_alt):
                region = next((r for r, al in regions.items() if m.group("region") in al), None)
                if city and not region:
                    region = cities[city][1]
                y = m.group("year") or m.group("year2")
                year = (2000 + int(y[1:]) if y.startswith("'") else int(y)) if y else None
                mentions.append((start, end, s["name"], region, year, city, s.get("organizer", "")))
        if not mentions:
            return

        # the document's conference: the most specific mention in the title, else the most frequent
        def score(m: tuple[int, int, str, str | None, int | None, str | None, str]) -> tuple[int, int, int]:
            in_title = self.doc.title_span is not None and self.doc.title_span[0] <= m[0] < self.doc.title_span[1]
            return (int(in_title or m[0] < self.doc.body_start), int(m[3] is not None) + int(m[4] is not None), -m[0])

        main = max(mentions, key=score)
        main_year = main[4] or self.year
        main_region = main[3]
        if main_year:
            self.year = main_year
        for start, end, name, region, year, city, organizer in mentions:
            same = (
                region in (None, main_region)
                and year in (None, main_year)
                and name == main[2]
                and not (city and main_region and cities[city][1] != main_region)
            )
            r, y = (main_region, main_year) if same else (region, year)
            canonical = " ".join(x for x in (name, r, str(y) if y else None) if x)
            span = self.span_of(start) if start >= self.doc.body_start else (start, end)
            iri = self.entity("conference", canonical, span, "pattern", CONF_GAZETTEER, surface=text[start:end].strip())
            if same and self.conference is None:
                self.conference = iri
            # the series' organizer, when the document names it (the sentence naming it is the evidence)
            named = next((h for h in self.hits if h.entry.kind == "org" and h.entry.name == organizer), None)
            if named and iri not in self.organized:
                self.organized.add(iri)
                where = self.span_of(named.start)
                org_iri = self.from_entry(named.entry, where, named.text)
                self.add(iri, KG.organizer, org_iri, where, "gazetteer", CONF_PATTERN)
        if self.conference is None:
            return
        self.conference_details(cities)

    def conference_details(self, cities: dict[str, list[str]]) -> None:
        assert self.conference is not None
        conf = self.conference
        d = self.doc
        zones = [(d.title_span or (0, 0))] + [(0, d.body_start)] + [(s.start, s.end) for s in self.sentences]
        for a, b in zones:
            chunk = d.text[a:b]
            m = DATE_RANGE.search(chunk) if self.conf_dates is None else None
            if m:
                mon = MONTHS[(m.group("m") or m.group("m2"))[:3].lower()]
                y = int(m.group("y") or m.group("y2"))
                d1, d2 = int(m.group("d1") or m.group("e1")), int(m.group("d2") or m.group("e2"))
                try:
                    self.conf_dates = (dt.date(y, mon, d1), dt.date(y, mon, d2))
                except ValueError:
                    continue
                span = (a, b) if a >= d.body_start else self.meta_span(a, b, m.start())
                self.add(
                    conf, KG.startDate, literal(self.conf_dates[0], datatype=XSD.date), span, "pattern", CONF_PATTERN
                )
                self.add(
                    conf, KG.endDate, literal(self.conf_dates[1], datatype=XSD.date), span, "pattern", CONF_PATTERN
                )
            for cm in re.finditer(
                r"\b(?:in|to|at|en|à|a|nach)\s+(?P<city>[A-ZÀ-Ý][a-zà-ÿ]+(?: [A-Z][a-z]+)?)"
                r"(?:,\s*(?P<country>[A-Z][a-z]+))?",
                chunk,
            ):
                city = cm.group("city")
                if city in cities and not self.located:
                    self.located = True
                    span = (a, b) if a >= d.body_start else self.meta_span(a, b, cm.start())
                    english = cities[city][2] if len(cities[city]) > 2 else city
                    place = self.entity("place", english, span, "pattern", CONF_PATTERN, surface=city)
                    self.add(conf, KG.location, place, span, "pattern", CONF_PATTERN)
                    country = self.entity("place", cities[city][0], span, "pattern", CONF_PATTERN)
                    self.add(place, KG.containedInPlace, country, span, "pattern", CONF_PATTERN)
        for s in self.sentences:
            m = ATTEND.search(d.masked, s.start, s.end) if _DIGIT.search(d.masked, s.start, s.end) else None
            if m:
                raw = m.group("n").replace(",", "").replace(" ", "")
                n = int(float(raw[:-1]) * 1000) if raw[-1] in "kK" else int(raw.replace(".", ""))
                self.add(
                    conf, KG.attendance, literal(n, datatype=XSD.integer), (s.start, s.end), "pattern", CONF_PATTERN
                )

    def meta_span(self, a: int, b: int, offset: int) -> tuple[int, int]:
        line = self.doc.line_of(a + offset)
        return self.doc.line_span(line)

    # -------------------------------------------------------------- gazetteer mentions
    def mention_facts(self) -> None:
        entities = {m.entry.key for m in self.hits}
        # "TAG" alone means the one TAG this document names ("TAG ENV"), an all-caps head of an alias
        heads: dict[str, list[Entry]] = {}
        for key in entities:
            e = self.gz.entries[key]
            for alias in [e.name, *e.aliases]:
                head = alias.split()[0]
                if len(alias.split()) > 1 and head.isupper() and len(head) >= 3 and not self.gz.lookup(head):
                    heads.setdefault(head, [])
                    if e not in heads[head]:
                        heads[head].append(e)
        self.local_alias = {h: es[0] for h, es in heads.items() if len(es) == 1}
        for m in self.hits:
            if m.entry.kind == "event":
                continue  # events are handled with their context below
            if m.entry.kind == "project" and self._in_org_slot(m.start):  # "Omar Haddad, Akuity": a company
                self.entity("org", m.text, self.span_of(m.start), "pattern", CONF_PATTERN)
                continue
            self.from_entry(m.entry, self.span_of(m.start), m.text)
        self.event_facts()

    def _in_org_slot(self, pos: int) -> bool:
        """Is ``pos`` where an organization stands: after "Name, ", "Name (" or "from "?"""
        before = self.doc.masked[max(0, pos - 80) : pos]
        if re.search(r"\bfrom(?:\s+the)?\s*$", before):
            return True
        m = re.search(rf"(?P<name>{PERSON_NAME})\s*[,(]\s*$", before)
        return m is not None and is_person_name(m.group("name")) and self.gz.lookup(m.group("name")) is None

    def event_facts(self) -> None:
        text = self.doc.masked
        for m in self.hits:
            if m.entry.kind != "event":
                continue
            name = m.entry.name
            after = text[m.end : m.end + 12]
            before = text[max(0, m.start - 8) : m.start]
            y = re.match(r"\s?(20\d\d)", after) or re.search(r"(20\d\d)\s?年?$", before)
            span = self.span_of(m.start)
            if m.entry.editions and y:
                series = self.from_entry(m.entry, span)
                edition = self.entity(
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
                self.add(edition, KG.partOf, series, span, "pattern", CONF_PATTERN)
                iri = edition
            else:
                iri = self.from_entry(m.entry, span, m.text)
            if m.entry.organizer:
                org = self.gz.get("org", m.entry.organizer)
                if org:
                    self.add(iri, KG.organizer, self.from_entry(org, span), span, "gazetteer", CONF_PATTERN)
            co_located = re.search(r"co-?located\s+(?:event\s+)?$", text[max(0, m.start - 25) : m.start], re.I)
            if (m.entry.co_located or co_located) and self.conference:
                self.add(iri, KG.partOf, self.conference, span, "pattern", CONF_PATTERN)
                if self.main_event is None and self.doc.title and m.text in self.doc.title:
                    self.main_event = iri
        # "<Name> Meetup" / "<Name> Day" headings and phrases the gazetteer does not know
        for sec in self._sections():
            mm = re.fullmatch(
                r"(?P<name>(?:[A-Z][\w+-]*\s+){0,3}(?:Meetup|Meet-up|Summit|Hackathon|Day))", sec.title.strip()
            )
            if mm and self.conference and not self.gz.lookup(sec.title.strip()):
                organizer = self._org_in(sec.title)
                iri = self.entity("event", mm.group("name"), sec.span, "structure", CONF_PATTERN)
                self.add(iri, KG.partOf, self.conference, sec.span, "structure", CONF_PATTERN)
                if organizer:
                    self.add(iri, KG.organizer, organizer, sec.span, "structure", CONF_PATTERN)

    def title_event(self) -> None:
        """A meetup, summit or community day the document's title names (when it is not about a conference)."""
        title, span = self.doc.title, self.doc.title_span
        if not title or self.main_event or self.conference:
            return
        m = re.search(
            r"(?P<name>(?:[A-Z][\w+-]*\s+){1,4}(?:[Mm]eetup|Meet-up|Summit|Hackathon|Community Days?|Day))\b", title
        )
        if m and not self.gz.lookup(m.group("name")):
            where = span or _first_line(self.doc)
            self.main_event = self.entity("event", m.group("name"), where, "structure", CONF_PATTERN)

    def _org_in(self, text: str) -> URIRef | None:
        for word in text.split():
            e = self.local_alias.get(word) or (self.gz.lookup(word) if len(word) > 2 else None)
            if e and e.kind == "org":
                return entity_iri("org", e.name)
        return None

    def _sections(self) -> list[Section]:
        seen: list[Section] = []
        for s in self.sentences:
            if s.section and (not seen or seen[-1] is not s.section):
                seen.append(s.section)
        return seen

    # -------------------------------------------------------------- sessions from lists of talks
    def session_list_facts(self) -> None:
        d = self.doc
        day: tuple[str, dt.date | None] | None = None
        times: tuple[str, str, str | None] | None = None
        for line_start, line in _lines(d.text, d.body_start):
            masked_line = d.masked[line_start : line_start + len(line)]
            dm = DAY_HEADING.search(masked_line)
            if dm and len(masked_line.strip()) < 60:
                day = (dm.group("wd"), self._date_of(dm))
                times = None
                continue
            tm = TIME_RANGE.search(masked_line)
            if tm and len(masked_line.strip()) < 40:
                times = _times(tm)
                continue
            link = re.search(r"\[(?P<title>[^\]]{8,300})\]\((?P<url>[^)\s]+)", line)
            if link and SCHED.match(link.group("url")):
                start = line_start + link.start("title")
                if tm and tm.end() <= link.start():  # "2:30pm - 3:05pm CST: [Title](sched link)"
                    times = _times(tm)
                after = _SPEAKERS_AFTER_LINK.match(line[link.end() :])
                self.session(
                    link.group("title"),
                    (start, start + len(link.group("title"))),
                    (line_start, line_start + len(line)),
                    link.group("url"),
                    day,
                    times,
                    rest=line[link.end() :],
                    speakers=after.group("sp") if after else None,
                )
                times = None
                continue
            # (a talk line is short: on a line of thousands of characters the pattern would take seconds)
            talk = _TALK_LINE.match(masked_line) if len(masked_line) <= _TALK_LINE_MAX else None
            if talk and not DAY_HEADING.search(talk.group("title")):
                a = line_start + talk.start("title")
                url_m = SCHED.search(line)
                self.session(
                    line[talk.start("title") : talk.end("title")].strip(),
                    (a, a + len(talk.group("title"))),
                    (line_start, line_start + len(line)),
                    url_m.group(0) if url_m else None,
                    day,
                    times,
                    speakers=talk.group("speakers"),
                    speakers_at=line_start + talk.start("speakers"),
                )
                times = None

    def _date_of(self, m: re.Match[str]) -> dt.date | None:
        month = MONTHS[(m.group("m1") or m.group("m2"))[:3].lower()]
        dnum = int(m.group("d1") or m.group("d2"))
        year = self.conf_dates[0].year if self.conf_dates else self.year
        if not year:
            return None
        try:
            return dt.date(year, month, dnum)
        except ValueError:
            return None

    def session(
        self,
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
        parent = part_of or self.main_event or self.conference
        # a session is its title within its conference or event: the same title at two conferences is
        # two sessions; "Keynote: X" and "X" at the same conference are one
        within = str(parent).rstrip("/").rsplit("/", 1)[-1] + "/" if parent else ""
        iri = ID[f"session/{within}{slug(core)}"]
        span = line_span
        if iri not in self.named:
            self.named.add(iri)
            self.add(iri, RDF.type, KG.Session, span, "structure", CONF_STRUCTURE)
            self.add(iri, SCHEMA.name, self.text_literal(title), span, "structure", CONF_STRUCTURE)
        kind = _session_kind(title) or _session_kind(self.doc.masked[max(0, line_span[0]) : title_span[0]])
        if kind:
            self.add(iri, KG.sessionKind, session_kind(kind), span, "structure", CONF_STRUCTURE)
        if parent:
            self.add(iri, KG.partOf, parent, span, "structure", CONF_STRUCTURE)
        if url:
            self.add(iri, KG.scheduleUrl, URIRef(url), span, "structure", CONF_STRUCTURE)
        if day:
            self.add(iri, KG.day, literal(day[0]), span, "structure", CONF_STRUCTURE)
        if day and day[1] and times:
            tz = times[2] if times[2] in TZ_OFFSETS else None
            for p, t in ((KG.startDate, times[0]), (KG.endDate, times[1])):
                if not t:
                    continue
                h, mi = t.split(":")
                value = f"{day[1].isoformat()}T{int(h):02d}:{mi}:00{TZ_OFFSETS[tz] if tz else ''}"
                self.add(iri, p, literal(value, datatype=XSD.dateTime), span, "structure", CONF_STRUCTURE)
            if tz:
                self.add(iri, KG.timeZone, literal(tz), span, "structure", CONF_STRUCTURE)
        elif day and day[1]:
            self.add(iri, KG.startDate, literal(day[1], datatype=XSD.date), span, "structure", CONF_STRUCTURE)
        # what the title names: projects, organizations ("at Deutsche Bahn", "Why Pachama Uses Flyte")
        for m in self.gz.find(self.doc.text, self.doc.masked, title_span[0], title_span[1]):
            if m.entry.kind == "project":
                self.add(
                    iri, KG.mentionsProject, self.from_entry(m.entry, span, m.text), span, "gazetteer", CONF_GAZETTEER
                )
            elif m.entry.kind == "org":
                self.add(
                    iri,
                    KG.featuresOrganization,
                    self.from_entry(m.entry, span, m.text),
                    span,
                    "gazetteer",
                    CONF_GAZETTEER,
                )
        self._title_patterns(iri, title, title_span, span)
        # "brought to you by the TAG ENV" / "presented by Org" after the link
        by = re.search(
            r"\b(?:brought to you by|presented by|hosted by|by)\s+(?:the\s+)?"
            r"(?P<who>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})",
            rest,
        )
        if by and not speakers and not is_person_name(by.group("who")):
            org = self._resolve_org(by.group("who"), span)
            if org:
                self.add(iri, KG.presenter, org, span, "pattern", CONF_PATTERN)
        if " - " in title and not speakers:
            tail = title.rsplit(" - ", 1)[1]
            org = self._resolve_org(tail, span, known_only=True)
            if org:
                self.add(iri, KG.presenter, org, span, "pattern", CONF_PATTERN)
        if speakers:
            self._speaker_list(iri, speakers, speakers_at, span)
        self.sessions.append((iri, self.sentence_at(title_span[0]), topics_in(title)))
        return iri

    def _title_patterns(self, session: URIRef, title: str, title_span: tuple[int, int], span: tuple[int, int]) -> None:
        for m in re.finditer(
            r"\b(?P<org>[A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+){0,2})\s+"
            r"(?:Uses|uses|Used|used|Runs|runs|Adopts|adopts|Leverages|leverages)\s+"
            r"(?P<proj>[A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)?)",
            title,
        ):
            org_name = re.sub(r"^(?:Why|How|When)\s+", "", m.group("org"))
            org = self._resolve_org(org_name, span) or self.entity("org", org_name, span, "pattern", CONF_PATTERN)
            proj_entry = self.gz.lookup(m.group("proj"))
            proj = (
                self.from_entry(proj_entry, span, m.group("proj"))
                if proj_entry and proj_entry.kind == "project"
                else self.entity("project", m.group("proj"), span, "pattern", CONF_PATTERN)
            )
            self.add(org, KG.uses, proj, span, "pattern", CONF_PATTERN)
            self.add(session, KG.featuresOrganization, org, span, "pattern", CONF_PATTERN)
            self.add(session, KG.mentionsProject, proj, span, "pattern", CONF_PATTERN)
        core = KIND_PREFIX.sub("", title)
        pm = re.match(r"^(?P<name>[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*|[A-Z]{3,}):\s+(?:An?|The)\s+", core)
        if pm and not self.gz.lookup(pm.group("name")):
            proj = self.entity("project", pm.group("name"), span, "pattern", CONF_PATTERN)
            self.add(session, KG.mentionsProject, proj, span, "pattern", CONF_PATTERN)
        at = re.search(r"\bat\s+(?P<org>[A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+){0,3})\s*$", core)
        if at:
            featured = self._resolve_org(at.group("org"), span, known_only=len(at.group("org").split()) < 2)
            if featured:
                self.add(session, KG.featuresOrganization, featured, span, "pattern", CONF_PATTERN)

    def _resolve_org(self, name: str, span: tuple[int, int], known_only: bool = False) -> URIRef | None:
        name = name.strip().rstrip(".,;")
        known = self.gz.lookup(name)
        if known is not None and known.kind == "project" and not known_only:  # a company the landscape lists
            return self.entity("org", name, span, "pattern", CONF_PATTERN)  # as a product ("Akuity")
        e = self.local_alias.get(name.split()[0]) if name.split() and len(name.split()) <= 2 else None
        e = self.gz.lookup(name) or e
        if e and e.kind == "org":
            return self.from_entry(e, span, name)
        if known_only or not name or name.split()[0] in STOP_CAPS:
            return None
        return self.entity("org", name, span, "pattern", CONF_PATTERN)

    def _speaker_list(self, session: URIRef, text: str, at: int, span: tuple[int, int]) -> None:
        """``Name, Org & Name, Org; Name & Name, Org`` after a talk title: each org follows its people."""
        pending: list[URIRef] = []
        expect_org = False
        for token in re.split(r"\s*,\s*", text.strip()):
            parts = [p.strip() for p in re.split(r"\s*(?:&|;|\band\b)\s*", token) if p.strip()]
            for i, part in enumerate(parts):
                if expect_org and i == 0:
                    org = self._resolve_org(part, span)
                    if org is not None:
                        self.add(session, KG.presenter, org, span, "pattern", CONF_PATTERN)
                        for person in pending:
                            self.add(person, KG.affiliation, org, span, "pattern", CONF_PATTERN)
                    pending, expect_org = [], False
                elif is_person_name(part) and not self.gz.lookup(part):
                    person = self.entity("person", part, span, "pattern", CONF_PATTERN)
                    self.add(session, KG.presenter, person, span, "pattern", CONF_PATTERN)
                    pending.append(person)
                    expect_org = True

    # -------------------------------------------------------------- talk titles quoted in prose
    def quoted_session_facts(self) -> None:
        text = self.doc.text
        for s in self.sentences:
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
                event = self._event_of_paragraph(s)
                a = s.start + q.start("t")
                dm = DAY_HEADING.search(chunk)
                day = (dm.group("wd"), self._date_of(dm)) if dm else None
                tm, at = TIME_RANGE.search(chunk), TIME_AT.search(chunk)
                times = _times(tm) if tm else None
                if times is None and at:
                    tz = (at.group("tz") or "").upper()
                    times = (
                        _h24(at.group("a").replace(".", ":"), at.group("ap")),
                        "",
                        tz if tz in TZ_OFFSETS else None,
                    )
                iri = self.session(
                    title, (a, a + len(title)), (s.start, s.end), None, day, times, part_of=event or self.conference
                )
                # "Principal Engineer Grace Obi will present “Title”"
                who = re.search(
                    rf"(?P<p>{PERSON_NAME})\s+(?:will\s+)?(?:present|presents|presented|give|gives|gave|deliver"
                    rf"|delivers|delivered)\b[^“\"]*$",
                    chunk[: q.start()],
                )
                if who and is_person_name(who.group("p")) and not self.gz.lookup(who.group("p")):
                    person = self.entity("person", who.group("p"), (s.start, s.end), "pattern", CONF_PATTERN)
                    self.add(iri, KG.presenter, person, (s.start, s.end), "pattern", CONF_PATTERN)

    def _event_of_paragraph(self, sent: Sentence) -> URIRef | None:
        """The first event (not a co-located one) the gazetteer finds in ``sent``'s paragraph."""
        if self._paragraph_events is None:  # once for all paragraphs (per call, it was hits x sentences)
            found: dict[int, URIRef] = {}
            for m in self.hits:
                ms = self.sentence_at(m.start)
                if m.entry.kind == "event" and ms and not m.entry.co_located:
                    found.setdefault(ms.paragraph, entity_iri("event", m.entry.name))
            self._paragraph_events = found
        return self._paragraph_events.get(sent.paragraph)

    # -------------------------------------------------------------- people, affiliations, who spoke
    def pattern_facts(self) -> None:
        d = self.doc
        last_session: URIRef | None = None
        award_org: URIRef | None = None
        by_paragraph: dict[int, list[tuple[int, URIRef]]] = {}  # the sessions titled in each paragraph, in order
        for iri, sent, _ in self.sessions:
            if sent is not None:
                by_paragraph.setdefault(sent.paragraph, []).append((sent.start, iri))
        for s in self.sentences:
            chunk = d.masked[s.start : s.end]
            span = (s.start, s.end)
            speakers: list[URIRef] = []
            for start, iri in by_paragraph.get(s.paragraph, ()):
                if start <= s.start:
                    last_session = iri
            # Name, Role at Org (ACR) / Name from Org / Name (Org)
            for m in _AFFILIATED.finditer(chunk):
                person_name = m.group("person")
                if not is_person_name(person_name) or self.gz.lookup(person_name):
                    continue
                org = self._resolve_org(m.group("org"), span)
                if org is None:
                    continue
                person = self.entity("person", person_name, span, "pattern", CONF_PATTERN)
                self.add(person, KG.affiliation, org, span, "pattern", CONF_PATTERN)
                role = m.group("role") or m.group("role2")
                if role:
                    self.add(person, SCHEMA.jobTitle, self.text_literal(role.strip()), span, "pattern", CONF_PATTERN)
                speakers += [person, org]
            # "Our CTO Hannah Lee", "Maintainer Jane Doe": a role word right before a name
            for m in _ROLE_THEN_NAME.finditer(chunk):
                if is_person_name(m.group("person")) and not self.gz.lookup(m.group("person")):
                    person = self.entity("person", m.group("person"), span, "pattern", CONF_PATTERN)
                    self.add(person, SCHEMA.jobTitle, self.text_literal(m.group("role")), span, "pattern", CONF_PATTERN)
                    speakers.append(person)
            # @handle (Name) / the speaker Name / including Name, Name
            for m in _NAMED_SPEAKERS.finditer(chunk):
                names = re.split(r",\s+", m.group("a") or m.group("b") or m.group("c"))
                for name in names:
                    if not is_person_name(name) or self.gz.lookup(name):
                        continue
                    person = self.entity("person", name, span, "pattern", CONF_PATTERN)
                    speakers.append(person)
                    if last_session and (m.group("a") or m.group("b")):
                        self.add(last_session, KG.presenter, person, span, "pattern", CONF_PATTERN)
            for m in _NAME_S_SPEECH.finditer(chunk):
                if is_person_name(m.group("person")) and not self.gz.lookup(m.group("person")):
                    person = self.entity("person", m.group("person"), span, "pattern", CONF_PATTERN)
                    speakers.append(person)
                    if award_org:
                        self.add(person, KG.affiliation, award_org, span, "pattern", CONF_WEAK)
            # "<Org> taking the top honor/award" -> the award's acceptance speech is by someone of Org
            award_org = None
            am = _AWARD.search(chunk) if _AWARD_VERB.search(chunk) else None
            if am:
                award_org = self._resolve_org(am.group("org"), span, known_only=True)
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
                    if is_person_name(part) and not self.gz.lookup(part):
                        continue
                    om = re.match(ORG_NAME, part)
                    if om and om.group(0) and om.group(0).split()[0] not in STOP_CAPS:
                        org = self._resolve_org(om.group(0), span)
                        if org:
                            speakers.append(org)
                    elif part and not part[0].isupper():
                        break
            # at the Org booth / at the Org1, Org2 and Org3 booths
            for m in re.finditer(r"\bat the (?P<list>[A-Z][^.]*?) booths?\b", chunk):
                for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group("list")):
                    e = self.gz.lookup(part.strip())
                    if e and e.kind == "org":
                        self.from_entry(e, span, part.strip())
            # agents that are the subject of a speech verb
            speech = _HAS_SPEECH.search(chunk) is not None  # both patterns below need a speech verb
            for hit in self.gz.find(d.text, d.masked, s.start, s.end) if speech else ():
                if hit.entry.kind not in ("org", "project"):
                    continue
                follow = re.sub(r"\s+", " ", d.masked[hit.end : min(s.end, hit.end + 160)])
                if _SPEECH_FOLLOWS.match(follow) and not re.match(r"\s+(?:and|or|,)", follow[:5]):
                    speakers.append(self.from_entry(hit.entry, span, hit.text))
            for m in _NAME_THEN_SPEECH.finditer(chunk) if speech else ():
                name = m.group("org")
                if name.split()[0] in STOP_CAPS or (m.start() > 0 and chunk[m.start() - 1].isalnum()):
                    continue
                e = self.gz.lookup(name)
                if e is None and is_person_name(name):
                    speakers.append(self.entity("person", name, span, "pattern", CONF_WEAK))
                elif e is None and m.start() == 0 and _looks_like_org(name):
                    speakers.append(self.entity("org", name, span, "pattern", CONF_WEAK))
            self._spoke(speakers, s)

    def _spoke(self, agents: list[URIRef], s: Sentence) -> None:
        if not agents:
            return
        text = self.doc.masked[s.start : s.end]
        topics = topics_in(text)
        following = bisect.bisect_left(self.sentence_starts, s.end)
        nxt = self.sentences[following] if following < len(self.sentences) else None
        if (
            nxt
            and nxt.paragraph == s.paragraph
            and re.match(r"\s*(?:This|These|It|They|Their|The conversation)\b", self.doc.masked[nxt.start : nxt.end])
        ):
            topics |= topics_in(self.doc.masked[nxt.start : nxt.end])
        if s.section:
            topics |= s.section.topics
        topics |= self._theme(s)
        span = (s.start, s.end)
        for agent in dict.fromkeys(agents):
            stage = self.main_event or self.conference
            if stage and not str(agent).startswith(str(ID["project/"])):
                self.add(stage, KG.presenter, agent, span, "pattern", CONF_WEAK)
            for t in sorted(topics):
                self.add(agent, KG.spokeOn, topic_iri(t), span, "pattern", CONF_PATTERN)

    @cached_property
    def themes(self) -> dict[int, list[tuple[int, set[str]]]]:
        """Paragraph -> (start, topics) of each of its sentences that announces a theme."""
        themes: dict[int, list[tuple[int, set[str]]]] = {}
        masked = self.doc.masked
        for x in self.sentences:
            m = _THEME.search(masked, x.start, x.end) if masked.find("theme", x.start, x.end) >= 0 else None
            if m:
                themes.setdefault(x.paragraph, []).append((x.start, topics_in(m.group("t") or m.group("u"))))
        return themes

    def _theme(self, s: Sentence) -> set[str]:
        """Topics a paragraph announces as its theme ("The second day's theme was sustainability"),
        in a sentence of the paragraph up to ``s``."""
        for start, topics in self.themes.get(s.paragraph, ()):
            if start <= s.start:
                return set(topics)
        return set()

    # -------------------------------------------------------------- topics
    def topic_facts(self) -> None:
        doc = self.out.document_iri
        counts: dict[str, int] = {}
        for s in self.sentences:
            for t in topics_in(self.doc.masked[s.start : s.end]):
                counts[t] = counts.get(t, 0) + 1
        title_topics = topics_in(" ".join(x for x in (self.doc.title, self.doc.description) if x))
        whole = self.doc.title_span or _first_line(self.doc)
        heading_topics = set().union(*(sec.topics for sec in self._sections()))
        needed = 1 if len(self.sentences) < 10 else 2
        for t in sorted(set(counts) | title_topics):
            if t in title_topics or t in heading_topics or counts.get(t, 0) >= needed:
                self.add(doc, KG.topic, topic_iri(t), whole, "pattern", CONF_PATTERN)
        for iri, sent, title_topics_ in self.sessions:
            topics = set(title_topics_)
            if sent and sent.section:
                topics |= sent.section.topics
            span = (sent.start, sent.end) if sent else whole
            for t in sorted(topics):
                self.add(iri, KG.topic, topic_iri(t), span, "pattern", CONF_PATTERN)


# ------------------------------------------------------------------------------------------ helpers
def _fold(text: str) -> str:
    return re.sub(r"[^\w]+", "", text).casefold()


def _first_line(doc: Document) -> tuple[int, int]:
    m = re.search(r"\S[^\n]*", doc.text[doc.body_start :])
    return (doc.body_start + m.start(), doc.body_start + m.end()) if m else (0, max(1, len(doc.text)))


def _looks_like_org(name: str) -> bool:
    """An unknown capitalized subject that may be an organization (not "Discussions", "Scaling")."""
    words = name.split()
    if any(w in NOT_NAME_WORDS or w in STOP_CAPS for w in words):
        return False
    return len(words) > 1 or not re.search(r"(?:ions|ings?|ness|ments?|ers|ies|ity|ed|ly|s)$", name)


def _unmask_meta(doc: Document, keys: tuple[str, ...]) -> str:
    """The masked text with the front-matter lines of ``keys`` (title, description) readable again."""
    masked = doc.masked
    for key in keys:
        line = doc.meta_lines.get(key)
        if line:
            a, b = doc.line_span(line)
            masked = masked[:a] + doc.text[a:b] + masked[b:]
    return masked


def _times(m: re.Match[str]) -> tuple[str, str, str | None]:
    """(start, end, zone) in 24-hour HH:MM from a TIME_RANGE match; "2:30 - 3:05pm" is afternoon."""
    a, b = m.group("a").replace(".", ":"), m.group("b").replace(".", ":")
    bp = m.group("bp")
    ap = m.group("ap") or bp
    start, end = _h24(a, ap), _h24(b, bp)
    if not m.group("ap") and bp and start > end:  # "11:30 - 12:05pm": the start was in the morning
        start = _h24(a, "am")
    tz = m.group("tz")
    return start, end, tz.upper() if tz and tz.upper() in TZ_OFFSETS else None


def _h24(t: str, meridiem: str | None) -> str:
    h, mi = (int(x) for x in t.split(":"))
    if meridiem:
        pm = meridiem.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    return f"{h:02d}:{mi:02d}"


def _session_kind(text: str) -> str | None:
    """The kind a title (or the words before a quoted title) states; None when it says nothing."""
    t = text.lower()
    for needle, kind in (
        ("lightning talk", "lightning-talk"),
        ("keynote", "keynote"),
        ("panel", "panel"),
        ("tutorial", "tutorial"),
        ("workshop", "workshop"),
    ):
        if needle in t:
            return kind if not (kind == "keynote" and "panel" in t.split(":")[0]) else "panel"
    return None


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    pos = start
    for line in text[start:].split("\n"):
        yield pos, line
        pos += len(line) + 1


_SENT_END = re.compile(r"(?<=[.!?。！？])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9\u4e00-\u9fff@])|(?<=[。！？])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|vs|etc|Dr|Mr|Mrs|Ms|St|No|Inc|Ltd|Co|approx|ex)\.$|\b[A-Z]\.$")


def _sentences(doc: Document) -> Iterator[Sentence]:
    """Sentences of the body: blocks split at blank lines, list items and headings, then at full stops."""
    text = doc.masked
    section: Section | None = None
    stack: list[Section] = []  # enclosing headings: a section inherits the topics of its parents
    paragraph = 0
    pos = doc.body_start
    blocks = re.split(
        r"(\n\s*\n|\n(?=\s*(?:[*+-]|\d+[.)])\s)|\n(?=#{1,6}\s)|\n(?=\s*[A-Z][^\n]{0,80}\n))", doc.text[pos:]
    )
    for i, block in enumerate(blocks):
        start, pos = pos, pos + len(block)
        if i % 2 == 1 or not block.strip():
            if block.count("\n") >= 2:
                paragraph += 1
            continue
        raw_line = doc.text[start:pos].strip()
        masked_block = text[start:pos]
        stripped = masked_block.strip()
        if not stripped:
            continue
        heading = re.match(r"\s*#{1,6}\s", raw_line) is not None or _looks_like_heading(stripped, doc.kind)
        lead = len(masked_block) - len(masked_block.lstrip())
        if heading:
            level = len(re.match(r"\s*(#*)", raw_line).group(1)) or 2  # type: ignore[union-attr]
            while stack and stack[-1].level >= level:
                stack.pop()
            inherited = stack[-1].topics if stack else set()
            section = Section(
                level, stripped, (start + lead, start + lead + len(stripped)), topics_in(stripped) | inherited
            )
            stack.append(section)
            paragraph += 1
            yield Sentence(start + lead, start + lead + len(stripped), paragraph, section)
            continue
        cursor = start + lead
        end_block = start + len(masked_block.rstrip())
        for m in _SENT_END.finditer(text, cursor, end_block):
            if _ABBREV.search(text[max(cursor, m.start() - 8) : m.start()]):
                continue
            if m.start() > cursor:
                yield Sentence(cursor, m.start(), paragraph, section)
            cursor = m.end()
        if end_block > cursor:
            yield Sentence(cursor, end_block, paragraph, section)


def _looks_like_heading(block: str, kind: str) -> bool:
    if "\n" in block or kind == "markdown":
        return False
    words = block.split()
    return 2 <= len(words) <= 12 and block[0].isupper() and block[-1] not in '.!?:,;)"”' and len(block) < 90


def extract(doc: Document, gazetteer: Gazetteer | None = None) -> Extraction:
    """Extract every fact one document states, with evidence spans."""
    return _Extractor(doc, gazetteer or load_gazetteer()).run()
