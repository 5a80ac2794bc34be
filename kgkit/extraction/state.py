"""The per-document state every extraction component reads and writes."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgkit.documents.document import Document
from kgkit.documents.structure import Block
from kgkit.extraction.gazetteer import Entry, Gazetteer, Match
from kgkit.extraction.models import english_words, plain_words
from kgkit.extraction.names import starts_with_given_name
from kgkit.extraction.patterns import (
    CONF_GAZETTEER,
    CONF_PATTERN,
    KIND_CLASS,
    MONTHS,
    PERSON_NAME,
    STOP_CAPS,
    TZ_OFFSETS,
    WEEKDAYS,
    is_person_name,
    literal,
)
from kgkit.extraction.speakers import ORG_SUFFIX, ROLE_WORDS
from kgkit.rdf.terms import ID, KG, SCHEMA, entity_iri

#: Countries and regions a speaker line may give instead of a company ("Jane Doe, Germany").
_COUNTRIES = (
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Bulgaria", "Canada", "Chile", "China", "Colombia",
    "Croatia", "Czechia", "Denmark", "Egypt", "Estonia", "Europe", "Finland", "France", "Germany", "Ghana",
    "Greece", "Hungary", "India", "Indonesia", "Ireland", "Israel", "Italy", "Japan", "Kenya", "Korea", "Latvia",
    "Lithuania", "Luxembourg", "Malaysia", "Mexico", "Netherlands", "Nigeria", "Norway", "Pakistan", "Peru",
    "Philippines", "Poland", "Portugal", "Romania", "Serbia", "Singapore", "Slovakia", "Slovenia", "Spain",
    "Sweden", "Switzerland", "Taiwan", "Thailand", "Turkey", "Ukraine", "USA", "Uruguay", "Vietnam", "UK", "Africa",
    "Asia", "America",
)


@functools.lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Cities the time-zone database names (Berlin, New York, Sao Paulo, ...) and countries."""
    cities = {zone.rsplit("/", 1)[-1].replace("_", " ") for zone in zoneinfo.available_timezones() if "/" in zone}
    return frozenset(cities | set(_COUNTRIES))


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
    """A sentence (or a heading, a list line, a table cell): its span, the block it is in (blocks are
    numbered in document order, so sentences of one paragraph share it), the section it is under, and
    the model's parse of it when a model read it (a spaCy Span)."""

    start: int
    end: int
    paragraph: int
    section: Section | None
    parse: Any = None


@dataclass
class Extraction:
    """Everything one document yields: facts, and the entities it mentions by IRI."""

    doc: Document
    document_iri: URIRef
    facts: list[Fact] = field(default_factory=list)
    candidates: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, name, confidence)


@dataclass
class DocState:
    """One document on its way through the pipeline: what each component read and wrote so far.

    Components write the fields they declare (``provides``) and read those they ``require``; the
    helpers below add facts and entities with their evidence span, method and confidence.
    """

    doc: Document
    gz: Gazetteer
    curated: dict[str, Any]
    out: Extraction
    settings: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"
    named: set[URIRef] = field(default_factory=set)
    blocks: list[Block] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[tuple[str, int, int]] = field(default_factory=list)  # the model's (label, start, end)
    names: list[tuple[int, int]] = field(default_factory=list)  # personal names by their given name, in order
    sentence_starts: list[int] = field(default_factory=list)  # in order, not overlapping
    search: str = ""  # the masked text with the title and description lines readable again
    hits: list[Match] = field(default_factory=list)  # gazetteer matches in the body
    local_alias: dict[str, Entry] = field(default_factory=dict)
    conference: URIRef | None = None
    conf_dates: tuple[dt.date, dt.date] | None = None
    year: int | None = None
    sessions: list[tuple[URIRef, Sentence | None, set[str]]] = field(default_factory=list)
    organized: set[URIRef] = field(default_factory=set)
    main_event: URIRef | None = None  # a co-located event the document is about (its title names it)
    located: bool = False
    cache: dict[str, Any] = field(default_factory=dict)  # what a component computes once and reads again

    @classmethod
    def start(cls, doc: Document, gazetteer: Gazetteer, curated: dict[str, Any], settings: dict[str, Any]) -> DocState:
        """The state before the first component: the document, and the resources every run shares."""
        return cls(
            doc=doc,
            gz=gazetteer,
            curated=curated,
            out=Extraction(doc, ID[f"document/{doc.id}"]),
            settings=dict(settings),
            lang=doc.language,
            year=doc.date.year if doc.date else None,
        )

    # -------------------------------------------------------------- fact helpers
    def person_here(self, name: str, start: int) -> bool:
        """Is ``name``, at ``start`` in the document, a person? It must look like a personal name, be no
        name the gazetteer knows, and, where a model read the text, be a person by the model too (or a
        person another component already found)."""
        if not is_person_name(name) or self.gz.lookup(name) is not None:
            return False
        if not self.entities:
            return True
        end = start + len(name)
        if entity_iri("person", name) in self.named:
            return True
        overlapping = [label for label, a, b in self.entities if a < end and start < b]
        if "PERSON" in overlapping:
            return True
        if overlapping:
            # the model reads it as an organization, a product, a title, a place, a date...: a known given
            # name first outweighs all but a place, a date or a time
            return starts_with_given_name(name) and not set(overlapping) & {"GPE", "LOC", "FAC", "DATE", "TIME"}
        sentence = self.sentence_at(start)
        unit = self.doc.masked[sentence.start : sentence.end] if sentence else name
        words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", unit) if len(w) > 3]
        return not (len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words))

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
        within: URIRef | None = None,
    ) -> URIRef:
        """The IRI of an entity, typed and named in this document's graph (once). ``within`` a conference, an
        event has its IRI under the conference's: the Contributor Summit or ArgoCon of one KubeCon is not
        another's."""
        name = " ".join(name.split())  # hard-wrapped text: "Aqua\n  Security" is "Aqua Security"
        surface = " ".join(surface.split()) if surface else surface
        canonical = entry.name if entry else name
        iri = entity_iri(kind, canonical)
        if within is not None:
            iri = ID[f"{kind}/{str(within).rstrip('/').rsplit('/', 1)[-1]}/{str(iri).rsplit('/', 1)[-1]}"]
        if iri not in self.named:
            self.named.add(iri)
            self.add(iri, RDF.type, KIND_CLASS[kind], span, method, conf)
            # canonical, language-neutral names; people's and organizations' names are in no language
            plain = entry is not None or kind in ("conference", "place", "person", "org")
            name_lit = literal(canonical) if plain else self.text_literal(canonical)
            self.add(iri, SCHEMA.name, name_lit, span, method, conf)
            if entry is None and method == "pattern":
                self.out.candidates.append((kind, canonical, conf))
            if kind != "session":
                self.add(self.out.document_iri, KG.mentions, iri, span, method, conf)
        if surface and surface != canonical:
            other = literal(surface) if kind in ("person", "org") else self.text_literal(surface)
            self.add(iri, SCHEMA.alternateName, other, span, method, conf)
        return iri

    def from_entry(
        self, entry: Entry, span: tuple[int, int], surface: str | None = None, within: URIRef | None = None
    ) -> URIRef:
        return self.entity(entry.kind, entry.name, span, "gazetteer", CONF_GAZETTEER, entry, surface, within)

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def span_of(self, pos: int) -> tuple[int, int]:
        s = self.sentence_at(pos)
        return (s.start, s.end) if s else (pos, pos + 1)

    # -------------------------------------------------------------- the passes
    def meta_span(self, a: int, b: int, offset: int) -> tuple[int, int]:
        line = self.doc.line_of(a + offset)
        return self.doc.line_span(line)

    def in_org_slot(self, pos: int) -> bool:
        """Is ``pos`` where an organization stands: after "Name, ", "Name (" or "from "?"""
        before = self.doc.masked[max(0, pos - 80) : pos]
        if re.search(r"\bfrom(?:\s+the)?\s*$", before):
            return True
        m = re.search(rf"(?P<name>{PERSON_NAME})\s*[,(]\s*$", before)
        return m is not None and is_person_name(m.group("name")) and self.gz.lookup(m.group("name")) is None

    def org_in(self, text: str) -> URIRef | None:
        for word in text.split():
            e = self.local_alias.get(word) or (self.gz.lookup(word) if len(word) > 2 else None)
            if e and e.kind == "org":
                return entity_iri("org", e.name)
        return None

    def sections(self) -> list[Section]:
        seen: list[Section] = []
        for s in self.sentences:
            if s.section and (not seen or seen[-1] is not s.section):
                seen.append(s.section)
        return seen

    def date_of(self, m: re.Match[str]) -> dt.date | None:
        month = MONTHS[(m.group("m1") or m.group("m2"))[:3].lower()]
        dnum = int(m.group("d1") or m.group("d2"))
        year = self.conf_dates[0].year if self.conf_dates else self.year
        if not year:
            return None
        try:
            return dt.date(year, month, dnum)
        except ValueError:
            return None

    def resolve_org(
        self, name: str, span: tuple[int, int], known_only: bool = False, slot: bool = False
    ) -> URIRef | None:
        """The organization ``name`` stands for, or None. In a speaker's ``slot`` ("Fabian Reinartz,
        Databricks") a name is an organization unless it is a place kgkit knows, whatever the model says."""
        name = name.strip().rstrip(".,;")
        known = self.gz.lookup(name)
        if known is not None and known.kind in ("project", "service"):
            if known.may_be_org and not known_only:  # a company the landscape lists as a product ("Akuity")
                return self.entity("org", name, span, "pattern", CONF_PATTERN)
            if not known.may_be_org:
                return None  # a CNCF project or another company's product is no one's employer
        e = self.local_alias.get(name.split()[0]) if name.split() and len(name.split()) <= 2 else None
        e = self.gz.lookup(name) or e
        if e and e.kind == "org":
            return self.from_entry(e, span, name)
        if known is None:
            name = self._org_before_person(name)
        if known_only or not name or name.split()[0] in STOP_CAPS or not self.may_be_org(name, slot):
            return None
        return self.entity("org", name, span, "pattern", CONF_PATTERN)

    def _org_before_person(self, name: str) -> str:
        """An unknown organization's name without the grouped speaker a pattern ran into: "Harness & Raj
        Vadheraju" is Harness (the next speaker's name follows the "&")."""
        parts = re.split(r"\s+(?:&|and|und|et|e|y)\s+", name)
        for i in range(1, len(parts)):
            words = parts[i].split()
            if any(is_person_name(" ".join(words[:k])) for k in (2, 3) if len(words) >= k) or (
                len(words) == 1 and self.is_person(parts[i])
            ):
                return " and ".join(parts[:i]) if " and " in name else " & ".join(parts[:i])
        return name

    def is_person(self, name: str) -> bool:
        """Is ``name`` a person this document names, or one the model calls a person where it stands?"""
        if entity_iri("person", name) in self.named:
            return True
        return any(label == "PERSON" and self.doc.masked[a:b].strip() == name for label, a, b in self.entities)

    def may_be_org(self, name: str, slot: bool = False) -> bool:
        """Can an unknown name stand for an organization? Not a time zone ("CET"), a weekday or month
        ("Wed"), a city the reference data knows ("Copenhagen"), a place, date or person by the model,
        or a personal name this document gives a person."""
        bare = name.rstrip(".")
        if name in TZ_OFFSETS or bare.lower() in MONTHS:
            return False
        parts = name.split()
        if all(p.strip(".,") in ROLE_WORDS for p in parts):
            return False  # "Lead Technical Writer", "Independent Contributor", "Engineering": a role
        wordy = name.islower() or name.istitle() or " " not in name  # not "metal-stack Cloud"
        lexicon = english_words()  # (none without an English model: then no name is told a plain word)
        if not slot and wordy and not ORG_SUFFIX.search(name) and lexicon and plain_words(parts, lexicon):
            return False  # "Then talked about ...", "cost-effective": words of the sentence, not a name
        if len(bare) >= 3 and any(w.startswith(bare) for w in WEEKDAYS):
            return False
        if name in (self.curated.get("cities") or {}):
            return False
        labels = {label for label, a, b in self.entities if self.doc.masked[a:b].strip() == name}
        if slot and labels & {"GPE", "LOC"}:  # the small model calls many a company a place: trust known places
            labels -= {"GPE", "LOC"} if name not in known_places() else set()
        if labels & {"GPE", "LOC", "DATE", "TIME"} and "ORG" not in labels:
            return False
        # (the document's people only: in an organization's slot the small model's PERSON is often wrong,
        # "Maria Lopez, Globex Systems"), and names that start with a given name
        return not (is_person_name(name) and (entity_iri("person", name) in self.named or starts_with_given_name(name)))

    def event_of_paragraph(self, sent: Sentence) -> URIRef | None:
        """The first event (not a co-located one) the gazetteer finds in ``sent``'s paragraph."""
        if "paragraph_events" not in self.cache:  # once for all paragraphs (per call, it was hits x sentences)
            found: dict[int, URIRef] = {}
            for m in self.hits:
                ms = self.sentence_at(m.start)
                if m.entry.kind == "event" and ms and not m.entry.co_located:
                    found.setdefault(ms.paragraph, entity_iri("event", m.entry.name))
            self.cache["paragraph_events"] = found
        events: dict[int, URIRef] = self.cache["paragraph_events"]
        return events.get(sent.paragraph)

    def next_sentence(self, s: Sentence) -> Sentence | None:
        """The first sentence that starts at or after ``s`` ends."""
        i = bisect.bisect_left(self.sentence_starts, s.end)
        return self.sentences[i] if i < len(self.sentences) else None

