"""HTML documentation: ``kgkit docs -o DIR`` documents the ontology and writes a browsable report of the graph.

The pages are static HTML (no scripts, no external assets, relative links), so the folder can be
opened from disk, served by any web server or zipped up:

- ``index.html``: conferences and events, organizations, projects, people, topics and documents;
- ``ontology.html``: the ontology's classes and properties, their schema.org alignment, its concept
  schemes and examples from the graph (with a class diagram when Graphviz is installed);
- one page per entity (``conference-*.html``, ``session-*.html``, ``org-*.html``, ``project-*.html``,
  ``person-*.html``, ``event-*``, ``topic-*``, ``place-*``, ``document-*``): what the graph says about
  it, and at the end every fact about it with the quote and document it came from;
- ``style.css``.

Every relation shown is followed by a ❝ link to its evidence (hover it to read the quote). All text
from the graph is HTML-escaped: documents are arbitrary input. The output is deterministic.

>>> docs("site", source="build")  # doctest: +SKIP
PosixPath('site/index.html')
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kgkit.errors import KgkitError
from kgkit.graph.evidence import EvidenceRecord, evidence_of
from kgkit.graph.labels import label
from kgkit.present.explain import predicate_label
from kgkit.present.viz import CLASS_STYLES, ONTOLOGY_FILE, load_graph, ontology_picture, svg
from kgkit.rdf.files import atomic_write, printable
from kgkit.rdf.terms import KG, KIND_PATHS, PREFIXES, SCHEMA

Fact = tuple[URIRef, URIRef, Node]  # subject, predicate, object


def esc(value: object) -> str:
    """Text made safe for HTML content and double-quoted attributes (control and bidirectional-override
    characters shown as ``\\uXXXX``: documents are arbitrary input)."""
    return html.escape(printable(str(value)), quote=True)


#: No script runs in these pages, nothing is loaded from elsewhere, no form posts anywhere: whatever a
#: document's text managed to put in a page (it cannot: everything is escaped) would stay inert.
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the quote, the document and character span, the method and confidence."""

    quote: str
    document: URIRef | None
    start: int
    end: int
    method: str
    confidence: str


# --- what each kind of page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """A section listing the entities linked to the page's entity by ``predicate`` (of ``classes``, if given)."""

    heading: str
    predicate: URIRef
    incoming: bool = False
    classes: tuple[URIRef, ...] = ()


@dataclass(frozen=True)
class Sessions:
    """A section with a table of the sessions linked to the page's entity by one of ``predicates`` (incoming)."""

    heading: str
    predicates: tuple[URIRef, ...]


Section = Links | Sessions
_EVENTS = (KG.Conference, KG.Event)
_EVENT_SECTIONS: list[Section] = [
    Sessions("Sessions", (KG.partOf,)),
    Links("Co-located events", KG.partOf, incoming=True, classes=(KG.Event,)),
    Links("Part of", KG.partOf),
    Links("Organized by", KG.organizer),
    Links("Location", KG.location),
    Links("Organizations that presented", KG.presenter, classes=(KG.Organization,)),
    Links("People who presented", KG.presenter, classes=(KG.Person,)),
    Links("Topics", KG.topic),
    Links("Documents that mention it", KG.mentions, incoming=True),
]
SECTIONS: dict[URIRef, list[Section]] = {
    KG.Conference: _EVENT_SECTIONS,
    KG.Event: _EVENT_SECTIONS,
    KG.Session: [
        Links("Part of", KG.partOf),
        Links("Speakers", KG.presenter, classes=(KG.Person,)),
        Links("Presenting organizations", KG.presenter, classes=(KG.Organization,)),
        Links("Organizations named in the title", KG.featuresOrganization),
        Links("Topics", KG.topic),
        Links("Projects", KG.mentionsProject),
        Links("Documents that mention it", KG.mentions, incoming=True),
    ],
    KG.Organization: [
        Sessions("Talks", (KG.presenter, KG.featuresOrganization)),
        Links("Presented at", KG.presenter, incoming=True, classes=_EVENTS),
        Links("Organizes", KG.organizer, incoming=True),
        Links("People", KG.affiliation, incoming=True),
        Links("Projects it uses", KG.uses),
        Links("Topics it spoke on", KG.spokeOn),
        Links("Documents that mention it", KG.mentions, incoming=True),
    ],
    KG.Project: [
        Links("Sessions that mention it", KG.mentionsProject, incoming=True),
        Links("Organizations that use it", KG.uses, incoming=True),
        Links("Documents that mention it", KG.mentions, incoming=True),
        Links("Topics", KG.spokeOn),
    ],
    KG.Person: [
        Links("Affiliation", KG.affiliation),
        Sessions("Talks", (KG.presenter,)),
        Links("Presented at", KG.presenter, incoming=True, classes=_EVENTS),
        Links("Topics they spoke on", KG.spokeOn),
        Links("Documents they wrote", KG.author, incoming=True),
        Links("Documents that mention them", KG.mentions, incoming=True),
    ],
    KG.Topic: [
        Links("Broader topics", SKOS.broader),
        Links("Narrower topics", SKOS.broader, incoming=True),
        Sessions("Sessions on this topic", (KG.topic,)),
        Links("Organizations that spoke on it", KG.spokeOn, incoming=True, classes=(KG.Organization,)),
        Links("People who spoke on it", KG.spokeOn, incoming=True, classes=(KG.Person,)),
        Links("Projects", KG.spokeOn, incoming=True, classes=(KG.Project,)),
        Links("Documents about it", KG.topic, incoming=True, classes=(KG.Document,)),
    ],
    KG.Place: [
        Links("Events held here", KG.location, incoming=True),
        Links("Part of", KG.containedInPlace),
        Links("Places in it", KG.containedInPlace, incoming=True),
    ],
    KG.Document: [
        Links("Authors", KG.author),
        Links("Topics", KG.topic),
        Links("Conferences and events it mentions", KG.mentions, classes=_EVENTS),
        Links("Sessions it mentions", KG.mentions, classes=(KG.Session,)),
        Links("Organizations it mentions", KG.mentions, classes=(KG.Organization,)),
        Links("People it mentions", KG.mentions, classes=(KG.Person,)),
        Links("Projects it mentions", KG.mentions, classes=(KG.Project,)),
        Links("Places it mentions", KG.mentions, classes=(KG.Place,)),
    ],
}

#: Values shown at the top of a page, in this order.
DETAILS: dict[URIRef, str] = {
    SCHEMA.alternateName: "Also called",
    SKOS.prefLabel: "Labels",
    SKOS.altLabel: "Also called",
    KG.sessionKind: "Kind",
    KG.day: "Day",
    KG.startDate: "Starts",
    KG.endDate: "Ends",
    KG.timeZone: "Time zone",
    KG.scheduleUrl: "Schedule",
    KG.attendance: "Attendance",
    SCHEMA.jobTitle: "Role",
    KG.datePublished: "Published",
    KG.inLanguage: "Language",
    KG.sourcePath: "File",
    KG.contentHash: "SHA-256",
    KG.cncfMaturity: "CNCF maturity",
    SCHEMA.url: "Homepage",
    SCHEMA.codeRepository: "Code",
    SCHEMA.sameAs: "Same as",
}

#: The index page's sections, in order.
INDEX: list[tuple[str, tuple[URIRef, ...]]] = [
    ("Conferences and events", _EVENTS),
    ("Organizations", (KG.Organization,)),
    ("Projects", (KG.Project,)),
    ("Online services", (KG.Service,)),
    ("People", (KG.Person,)),
    ("Topics", (KG.Topic,)),
    ("Documents", (KG.Document,)),
    ("Places", (KG.Place,)),
]


# --- the report -------------------------------------------------------------------------------------


class Report:
    """The graph indexed for writing pages: each entity's page name and each fact's evidence."""

    def __init__(self, graph: Graph, ontology: Graph) -> None:
        self.graph = graph
        self.ontology = ontology
        self.classes: dict[URIRef, URIRef] = {}
        for cls in CLASS_STYLES:  # in order of precedence, like kgkit.viz.class_of
            for node in graph.subjects(RDF.type, cls):
                if isinstance(node, URIRef):
                    self.classes.setdefault(node, cls)
        self.names = {node: label(graph, node) for node in self.classes}
        self.pages: dict[URIRef, str] = {}
        taken: set[str] = set()
        for node in sorted(self.classes):
            self.pages[node] = _page_name(KIND_PATHS[self.classes[node]], node, taken)
            taken.add(self.pages[node])
        self.evidence: dict[Fact, list[Evidence]] = defaultdict(list)
        for (s, p, o), record in evidence_of(graph):
            if isinstance(s, URIRef) and isinstance(p, URIRef):
                self.evidence[(s, p, o)].append(self._evidence(record))
        self.facts_of: dict[URIRef, list[Fact]] = defaultdict(list)
        for fact in sorted(self.evidence, key=self._fact_key):
            self.evidence[fact].sort(key=lambda e: (self.path(e.document), e.start, e.quote))
            self.facts_of[fact[0]].append(fact)
            if isinstance(fact[2], URIRef) and fact[2] != fact[0]:
                self.facts_of[fact[2]].append(fact)

    def _evidence(self, record: EvidenceRecord) -> Evidence:
        method = record.method
        name = "" if method is None else str(self.ontology.value(method, SKOS.prefLabel) or label(self.graph, method))
        return Evidence(record.quote, record.document, record.start, record.end, name, record.confidence)

    def _fact_key(self, fact: Fact) -> tuple[str, ...]:
        s, p, o = fact
        return (self.name(s).casefold(), self.predicate(p), self.name(o).casefold(), str(fact))

    # --- small pieces of HTML ---

    def name(self, node: Node) -> str:
        """The node's display name (literals as their text)."""
        if isinstance(node, URIRef) and node in self.names:
            return self.names[node]
        return str(node) if isinstance(node, Literal) else label(self.graph, node)

    def path(self, document: URIRef | None) -> str:
        """A document's file name (kg:sourcePath), else its name."""
        if document is None:
            return "unknown document"
        return str(self.graph.value(document, KG.sourcePath) or self.name(document))

    def link(self, node: Node) -> str:
        """The node's name linked to its page (plain text if it has none)."""
        if isinstance(node, URIRef) and node in self.pages:
            cls = CLASS_STYLES[self.classes[node]].name
            return f'<a class="e c-{cls}" href="{esc(self.pages[node])}">{esc(self.name(node))}</a>'
        if isinstance(node, Literal):
            return f"<q>{esc(node)}</q>"
        if isinstance(node, URIRef) and _is_web(node) and not any(self.graph.objects(node, SKOS.prefLabel)):
            return f'<a class="out" href="{esc(node)}">{esc(node)}</a>'
        return esc(self.name(node))  # a concept such as a session kind

    def predicate(self, p: URIRef) -> str:
        """How facts read: 'has presenter', else the ontology's label ('kind of session'), else the local name."""
        text = predicate_label(p)
        if text == str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]:
            text = str(self.ontology.value(p, RDFS.label) or text)
        return text

    def ref(self, fact: Fact, here: URIRef | None) -> str:
        """A ❝ link to the fact's evidence, the first quote as its tooltip ('' if it has no evidence)."""
        evidence = self.evidence.get(fact)
        if not evidence:
            return ""
        subject, _, obj = fact  # a fact is listed on the pages of its subject and object: link to this one
        home = here if here in (subject, obj) else subject if subject in self.pages else obj
        page = self.pages.get(home, "") if isinstance(home, URIRef) and home != here else ""
        tip = f"“{_shorten(evidence[0].quote, 300)}” ({self.path(evidence[0].document)})"
        return f'<a class="ref" href="{esc(page)}#{_fact_id(fact)}" title="{esc(tip)}">❝</a>'

    def related(
        self, node: URIRef, predicate: URIRef, incoming: bool = False, classes: Iterable[URIRef] = ()
    ) -> list[tuple[URIRef, Fact]]:
        """Entities linked to ``node`` by ``predicate`` (optionally only of ``classes``), by name."""
        wanted = set(classes)
        found: list[tuple[URIRef, Fact]] = []
        if incoming:
            found = [(s, (s, predicate, node)) for s in self.graph.subjects(predicate, node) if isinstance(s, URIRef)]
        else:
            found = [(o, (node, predicate, o)) for o in self.graph.objects(node, predicate) if isinstance(o, URIRef)]
        found = [(n, f) for n, f in found if not wanted or self.classes.get(n) in wanted]
        return sorted(set(found), key=lambda item: (self.name(item[0]).casefold(), str(item[0])))

    def linked_list(self, items: list[tuple[URIRef, Fact]], here: URIRef | None, inline: bool = False) -> str:
        """Linked names, each with its evidence link, as a list (or comma-separated, ``inline``)."""
        parts = [f"{self.link(n)}{self.ref(fact, here)}" for n, fact in items]
        if inline:
            return ", ".join(parts)
        return '<ul class="links">' + "".join(f"<li>{p}</li>" for p in parts) + "</ul>"

    # --- pages ---

    def entity_page(self, node: URIRef) -> str:
        """The page of one entity: details, its class's sections, then every fact with its evidence."""
        cls = self.classes[node]
        style = CLASS_STYLES[cls]
        parts = [
            f'<h1>{esc(self.name(node))} <span class="badge c-{style.name}">{style.name}</span></h1>',
            f'<p class="iri">{esc(node)}</p>',
            self.details(node),
        ]
        for section in SECTIONS.get(cls, []):
            if isinstance(section, Sessions):
                parts.append(self.sessions_section(node, section))
            else:
                items = self.related(node, section.predicate, section.incoming, section.classes)
                if items:
                    parts.append(_section(section.heading, self.linked_list(items, node), len(items)))
        parts.append(self.facts_section(node))
        return _page(self.name(node), "".join(parts))

    def details(self, node: URIRef) -> str:
        """The table at the top of a page: names, dates, times, kind, links out (DETAILS), with evidence."""
        rows = []
        for prop, title in DETAILS.items():
            values = sorted(self.graph.objects(node, prop), key=lambda v: (str(v), getattr(v, "language", "") or ""))
            if prop == SKOS.prefLabel and len(values) < 2:
                continue
            cells = [f"{self._value(v)}{_lang(v)}{self.ref((node, prop, v), node)}" for v in values]
            if cells:
                rows.append(f"<tr><th>{esc(title)}</th><td>{', '.join(cells)}</td></tr>")
        return f'<table class="details">{"".join(rows)}</table>' if rows else ""

    def _value(self, value: Node) -> str:
        return esc(value) if isinstance(value, Literal) else self.link(value)

    def sessions_section(self, node: URIRef, spec: Sessions) -> str:
        """A table of the sessions linked to ``node``, by time: when, title, kind, speakers, organizations, ..."""
        facts: dict[URIRef, list[Fact]] = defaultdict(list)  # session -> its links to the page's entity
        for predicate in spec.predicates:
            for session, fact in self.related(node, predicate, incoming=True, classes=(KG.Session,)):
                facts[session].append(fact)
        if not facts:
            return ""
        order = sorted(facts, key=lambda s: (self._start(s), self.name(s).casefold(), str(s)))
        columns = ["When", "Session", "Kind", "Part of", "Speakers", "Organizations", "Topics", "Projects"]
        rows = [self._session_row(s, facts[s], node) for s in order]
        own = all(self.related(s, KG.partOf) == [(node, (s, KG.partOf, node))] for s in order)
        keep = [i for i, column in enumerate(columns)  # no empty columns; no "Part of" on the event's own page
                if i < 2 or (any(row[i] for row in rows) and not (column == "Part of" and own))]
        head = "".join(f"<th>{columns[i]}</th>" for i in keep)
        body = "".join("<tr>" + "".join(f"<td>{row[i]}</td>" for i in keep) + "</tr>" for row in rows)
        table = f'<table class="sessions"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        return _section(spec.heading, table, len(order))

    def _session_row(self, session: URIRef, facts: list[Fact], here: URIRef) -> list[str]:
        """The cells of a sessions table row: when, title, kind, event, speakers, organizations, topics, projects."""
        organizations = self.related(session, KG.presenter, classes=(KG.Organization,))
        organizations += [i for i in self.related(session, KG.featuresOrganization) if i[0] not in dict(organizations)]
        return [
            esc(self._when(session)),
            self.link(session) + "".join(self.ref(f, here) for f in facts),
            ", ".join(esc(self.name(k)) for k in sorted(self.graph.objects(session, KG.sessionKind), key=str)),
            self.linked_list(self.related(session, KG.partOf), here, inline=True),
            self.linked_list(self.related(session, KG.presenter, classes=(KG.Person,)), here, inline=True),
            self.linked_list(sorted(organizations, key=lambda i: self.name(i[0]).casefold()), here, inline=True),
            self.linked_list(self.related(session, KG.topic), here, inline=True),
            self.linked_list(self.related(session, KG.mentionsProject), here, inline=True),
        ]

    def _start(self, session: URIRef) -> str:
        return str(self.graph.value(session, KG.startDate) or "~")  # sessions without a time go last

    def _when(self, session: URIRef) -> str:
        """'Thursday 09:45–10:00 CET' from kg:day, kg:startDate, kg:endDate and kg:timeZone."""
        g = self.graph
        day = str(g.value(session, KG.day) or "")
        start, end = (g.value(session, p) for p in (KG.startDate, KG.endDate))
        times = "–".join(_clock(t) for t in (start, end) if t is not None)
        if start is not None and not day:
            day = str(start)[:10]
        return " ".join(x for x in (day, times, str(g.value(session, KG.timeZone) or "")) if x)

    def facts_section(self, node: URIRef) -> str:
        """Every fact whose subject or object is ``node``, each with all its quotes and where they are."""
        items = []
        for fact in self.facts_of.get(node, []):
            s, p, o = fact
            quotes = "".join(
                f'<blockquote>{esc(e.quote)}</blockquote><p class="cite">— {self.cite(e)}</p>'
                for e in self.evidence[fact]
            )
            items.append(
                f'<li id="{_fact_id(fact)}"><p class="fact">{self.link(s)} '
                f'<span class="p">{esc(self.predicate(p))}</span> {self.link(o)}</p>{quotes}</li>'
            )
        if not items:
            return ""
        return _section("Facts and evidence", f'<ol class="facts">{"".join(items)}</ol>', len(items), "facts")

    def cite(self, e: Evidence) -> str:
        """'003_fa5d….txt (linked to the document's page), characters 10–90, text pattern, confidence 0.8'."""
        doc = esc(self.path(e.document))
        if e.document in self.pages:
            doc = f'<a class="e c-Document" href="{esc(self.pages[e.document])}">{doc}</a>'
        return f"{doc}, characters {e.start}–{e.end}, {esc(e.method)}, confidence {esc(e.confidence)}"

    def index_page(self) -> str:
        """index.html: every conference, event, organization, project, person, topic, document and place."""
        counts = ", ".join(
            f"{sum(1 for c in self.classes.values() if c == cls)} {style.name.lower()}s"
            for cls, style in CLASS_STYLES.items()
            if cls in self.classes.values()
        )
        parts = [
            "<h1>Knowledge graph report</h1>",
            f"<p>{esc(counts)}; {len(self.evidence)} facts with evidence. Every fact links (❝) to the quote and "
            'document it came from. The vocabulary is documented in <a href="ontology.html">the ontology</a>.</p>',
        ]
        for heading, classes in INDEX:
            nodes = sorted((n for n, c in self.classes.items() if c in classes),
                           key=lambda n: (self.name(n).casefold(), str(n)))
            if nodes:
                items = "".join(f"<li>{self.link(n)}{self._summary(n)}</li>" for n in nodes)
                parts.append(_section(heading, f'<ul class="index">{items}</ul>', len(nodes)))
        return _page("Knowledge graph report", "".join(parts))

    def _summary(self, node: URIRef) -> str:
        """A few words after an entity's name on the index page."""
        g, cls = self.graph, self.classes[node]
        bits: list[str] = []
        if cls in _EVENTS:
            start, end = g.value(node, KG.startDate), g.value(node, KG.endDate)
            bits += [" – ".join(str(d) for d in (start, end) if d is not None)]
            bits += [self.name(p) for p in sorted(g.objects(node, KG.location), key=str)]
            bits += [_count(len(self.related(node, KG.partOf, incoming=True, classes=(KG.Session,))), "session")]
        elif cls == KG.Organization:
            talks = {s for p in (KG.presenter, KG.featuresOrganization) for s, _ in self.related(node, p, True)}
            sessions = sum(1 for t in talks if self.classes.get(t) == KG.Session)
            events = len(talks) - sessions
            bits += [_count(sessions, "session"), f"presented at {_count(events, 'event')}" if events else ""]
        elif cls == KG.Person:
            bits += [self.name(o) for o in sorted(g.objects(node, KG.affiliation), key=str)]
        elif cls == KG.Project:
            bits += [str(m) for m in g.objects(node, KG.cncfMaturity)]
        elif cls == KG.Document:
            bits += [self.path(node), str(g.value(node, KG.datePublished) or "")]
        text = "; ".join(b for b in bits if b)
        return f' <span class="summary">{esc(text)}</span>' if text else ""

    def ontology_page(self) -> str:
        """The ontology's documentation, with examples from the graph."""
        o = self.ontology
        onto = next((s for s in o.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), None)
        title = str(o.value(onto, DCTERMS.title) or "kgkit ontology")
        desc = str(o.value(onto, DCTERMS.description) or "")
        version = str(o.value(onto, OWL.versionInfo) or "")
        classes = sorted(c for c in o.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
        kinds = [(OWL.ObjectProperty, "Object properties"), (OWL.DatatypeProperty, "Datatype properties")]
        props = {k: sorted(p for p in o.subjects(RDF.type, k) if isinstance(p, URIRef)) for k, _ in kinds}
        parts = [
            f"<h1>{esc(title)}</h1>",
            f'<table class="details"><tr><th>IRI</th><td>{esc(onto or "")}</td></tr>'
            f"<tr><th>Version</th><td>{esc(version)}</td></tr>"
            f'<tr><th>Namespace</th><td><code>kg:</code> {esc(PREFIXES["kg"])}</td></tr></table>',
            f"<p>{esc(' '.join(desc.split()))}</p>",
            "<p>Every class and property is aligned with <a class=\"out\" href=\"https://schema.org/\">schema.org</a>; "
            "SKOS, PROV-O, DCTERMS and the W3C Web Annotation vocabulary are reused directly. Contents: "
            '<a href="#diagram">class diagram</a>, <a href="#classes">classes</a>, '
            '<a href="#properties">properties</a>, <a href="#alignment">schema.org alignment</a>, '
            '<a href="#schemes">concept schemes</a>.</p>',
            _section("Class diagram", _diagram(o), None, "diagram"),
            _section("Classes", "".join(self._term(o, c) for c in classes), len(classes), "classes"),
            '<section id="properties"><h2>Properties</h2>'
            + "".join(_section(title, "".join(self._term(o, p) for p in props[k]), len(props[k]), level=3)
                      for k, title in kinds)
            + "</section>",
            _section("Alignment with schema.org and other vocabularies", _alignment(o), None, "alignment"),
            _section("Concept schemes", _schemes(o), None, "schemes"),
        ]
        return _page(title, "".join(parts))

    def _term(self, o: Graph, term: URIRef) -> str:
        """One class or property: label, comment, alignment, domain and range, examples from the graph."""
        local = term.rsplit("#", 1)[-1]
        rows = [("IRI", esc(term))]
        for prop, title in ((RDFS.subClassOf, "Subclass of"), (RDFS.subPropertyOf, "Subproperty of"),
                            (RDFS.domain, "Domain"), (RDFS.range, "Range")):
            values = sorted(v for v in o.objects(term, prop) if isinstance(v, URIRef))
            if values:
                rows.append((title, ", ".join(_term_link(v) for v in values)))
        if (term, RDF.type, OWL.Class) in o:
            used = [p for p in o.subjects(RDFS.domain, term) if isinstance(p, URIRef)]
            if used:
                rows.append(("Properties", ", ".join(_term_link(p) for p in sorted(used))))
            instances = sorted((n for n, c in self.classes.items() if c == term), key=lambda n: self.name(n).casefold())
            if instances:
                more = f" and {len(instances) - 5} more" if len(instances) > 5 else ""
                rows.append(("In the graph", f"{len(instances)}: " + ", ".join(self.link(n) for n in instances[:5])
                             + esc(more)))
        else:
            examples = sorted(((s, v) for s, v in self.graph.subject_objects(term) if isinstance(s, URIRef)),
                              key=lambda sv: (self.name(sv[0]).casefold(), str(sv)))
            if examples:
                rows.append(("Examples", "<br>".join(
                    f"{self.link(s)} → {self.link(v)}{self.ref((s, term, v), None)}" for s, v in examples[:3])))
        table = "".join(f"<tr><th>{t}</th><td>{v}</td></tr>" for t, v in rows)
        comment = " ".join(str(o.value(term, RDFS.comment) or "").split())
        name = str(o.value(term, RDFS.label) or "")
        name = "" if name.replace(" ", "").casefold() == local.casefold() else name
        return (f'<section class="term" id="{esc(local)}"><h3>{esc(local)} <span class="label">'
                f'{esc(name)}</span></h3><p>{esc(comment)}</p>'
                f'<table class="details">{table}</table></section>')


# --- writing -------------------------------------------------------------------------------------------


def docs(output_dir: str | Path, *, source: str | Path | Dataset | Graph = "build") -> Path:
    """Write the ontology documentation and the HTML report of the graph into ``output_dir``.

    Returns the path of the report's ``index.html``. Files already in the folder are replaced, others
    are left alone. InputError if ``source`` cannot be read.

    >>> docs("site")  # doctest: +SKIP
    PosixPath('site/index.html')
    """
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    report = Report(load_graph(source), ontology)
    pages = {"index.html": report.index_page(), "ontology.html": report.ontology_page(), "style.css": _css()}
    pages |= {name: report.entity_page(node) for node, name in report.pages.items()}
    out = Path(output_dir)
    for name, text in sorted(pages.items()):
        with atomic_write(out / name) as fh:
            fh.write(text)
    return out / "index.html"


# --- helpers ---------------------------------------------------------------------------------------------


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{esc(title)}</title>\n<link rel="icon" href="data:,">\n<link rel="stylesheet" href="style.css">\n'
        '</head>\n<body>\n<nav><a href="index.html">Report</a> · <a href="ontology.html">Ontology</a></nav>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _section(heading: str, body: str, count: int | None, anchor: str = "", level: int = 2) -> str:
    number = f' <span class="count">{count}</span>' if count is not None else ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<section{ident}><h{level}>{esc(heading)}{number}</h{level}>{body}</section>"


def _page_name(kind: str, node: URIRef, taken: set[str]) -> str:
    """``org-deutsche-bahn.html`` from the IRI's last segment; a hash when that is not a plain slug."""
    digest = hashlib.sha1(str(node).encode("utf-8")).hexdigest()
    tail = str(node).rstrip("/").rsplit("/", 1)[-1]
    stem = tail if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,100}", tail) else digest[:12]
    name = f"{kind}-{stem}.html"
    return f"{kind}-{stem}-{digest[:8]}.html" if name in taken else name


def _fact_id(fact: Fact) -> str:
    return "f-" + hashlib.sha1(" ".join(map(str, fact)).encode("utf-8")).hexdigest()[:12]


def _is_web(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(("https://", "http://"))


def _int(value: Node | None) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _count(n: int, noun: str) -> str:
    """'1 session', '3 sessions', '' for none."""
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else ""


def _lang(value: Node) -> str:
    if isinstance(value, Literal) and value.language and value.language != "en":
        return f' <span class="lang">{esc(value.language)}</span>'
    return ""


def _clock(value: Node) -> str:
    """'09:45' from an xsd:dateTime literal; the literal as text otherwise."""
    match = re.match(r"\d{4}-\d\d-\d\dT(\d\d:\d\d)", str(value))
    return match[1] if match else str(value)


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _term_link(term: URIRef) -> str:
    """A link to a term's documentation: this page for kgkit terms, the vocabulary's site otherwise."""
    kg = PREFIXES["kg"]
    if term.startswith(kg):
        return f'<a href="#{esc(term[len(kg):])}"><code>kg:{esc(term[len(kg):])}</code></a>'
    for prefix, ns in PREFIXES.items():
        if term.startswith(ns):
            return f'<a class="out" href="{esc(term)}"><code>{esc(prefix)}:{esc(term[len(ns):])}</code></a>'
    return f'<a class="out" href="{esc(term)}">{esc(term)}</a>' if _is_web(term) else esc(term)


def _alignment(o: Graph) -> str:
    rows = []
    kg = PREFIXES["kg"]
    for prop, word in ((RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "subproperty of")):
        for s, v in sorted(o.subject_objects(prop)):
            if isinstance(s, URIRef) and isinstance(v, URIRef) and s.startswith(kg):
                rows.append(f"<tr><td>{_term_link(s)}</td><td>{word}</td><td>{_term_link(v)}</td></tr>")
    return f'<table class="plain"><tr><th>kgkit term</th><th></th><th>aligned with</th></tr>{"".join(rows)}</table>'


def _schemes(o: Graph) -> str:
    parts = []
    for scheme in sorted(s for s in o.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)):
        concepts = sorted(c for c in o.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef))
        rows = "".join(
            f'<tr><td id="{esc(c.rsplit("#", 1)[-1])}"><code>kg:{esc(c.rsplit("#", 1)[-1])}</code></td>'
            f"<td>{esc(o.value(c, SKOS.prefLabel) or '')}</td><td>{esc(o.value(c, SKOS.definition) or '')}</td></tr>"
            for c in concepts
        )
        comment = esc(o.value(scheme, RDFS.comment) or "")
        parts.append(_section(str(o.value(scheme, SKOS.prefLabel) or scheme), f'<p>{comment}</p><table class="plain">'
                              f"{rows}</table>", len(concepts), level=3))
    return "".join(parts)


def _diagram(o: Graph) -> str:
    """The class diagram as inline SVG, or a note saying how to get it when Graphviz is missing."""
    try:
        return f'<div class="diagram">{svg(ontology_picture(o))}</div>'
    except KgkitError as err:
        return f"<p>(No class diagram: {esc(err.message)}.)</p>"


def _css() -> str:
    colours = "".join(f".c-{s.name} {{ --c: {s.colour}; }}\n" for s in CLASS_STYLES.values())
    return colours + _STYLE


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1f; line-height: 1.45; }
nav { background: #264653; padding: .5em 1.5em; }
nav a { color: #fff; font-weight: 600; text-decoration: none; }
main { max-width: 72em; margin: 0 auto; padding: 1em 1.5em 3em; }
h1 { font-size: 1.7em; margin: .4em 0 .1em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 2px solid #e9ecef; padding-bottom: .2em; }
h3 { font-size: 1.05em; margin-bottom: .2em; }
a { color: #1d5f8a; }
a.e { text-decoration: none; border-bottom: 3px solid var(--c, #ccc); }
a.e:hover { background: var(--c, #eee); }
a.ref { text-decoration: none; font-size: .8em; vertical-align: super; margin-left: .1em; color: #888; }
.badge { font-size: .5em; vertical-align: middle; padding: .15em .6em; border-radius: 1em; background: var(--c); }
.iri, .summary, .count, .lang, .label, .cite { color: #6c757d; }
.iri { font-family: ui-monospace, monospace; font-size: .85em; margin-top: 0; word-break: break-all; }
.count { font-size: .8em; font-weight: normal; }
table { border-collapse: collapse; }
table.details th { text-align: left; padding: .15em 1em .15em 0; color: #495057; vertical-align: top; }
table.sessions, table.plain { width: 100%; font-size: .92em; }
table.sessions th, table.plain th { text-align: left; background: #f1f3f5; }
table.sessions td, table.sessions th, table.plain td, table.plain th { padding: .35em .5em; vertical-align: top; }
table.sessions tr, table.plain tr { border-bottom: 1px solid #e9ecef; }
ul.index, ul.links { columns: 18em; padding-left: 1.2em; }
ul.index li, ul.links li { break-inside: avoid; }
ol.facts li { margin-bottom: .8em; }
.fact { margin: 0; }
.p { color: #6c757d; font-style: italic; }
blockquote { margin: .2em 0 .1em; padding: .2em .8em; border-left: 3px solid #adb5bd; background: #f8f9fa; }
.cite { margin: 0 0 .3em; font-size: .85em; }
.diagram svg { max-width: 100%; height: auto; }
section.term { border-top: 1px solid #e9ecef; }
"""
