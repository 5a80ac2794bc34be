"""Organizations the model finds in running text that no reference data knows ("Deloitte", "HubSpot",
"Mercari"), and named groups of a community ("SIG Docs", "Policy WG", "TAG Security").

The small English model calls many capitalized phrases an organization: talk titles, headings, job
titles, technologies. A model ORG is kept only where it reads as a name: in a sentence, not a Title Case
heading or title; not a person (a known given name first); not a word or words of the language
("Engineering", "Open Source"); not a technology's acronym; and not something the gazetteer knows as
another kind. Its method is ``model`` and its confidence the model's band (0.6).
"""

from __future__ import annotations

import re

from kgkit.extraction.component import component
from kgkit.extraction.gazetteer import Match
from kgkit.extraction.models import english_words, lemma, plain_words
from kgkit.extraction.names import is_given_name, starts_with_given_name
from kgkit.extraction.patterns import CONF_PATTERN, CONF_WEAK, STOP_CAPS
from kgkit.extraction.speakers import ORG_SUFFIX
from kgkit.extraction.state import DocState
from kgkit.extraction.when import ZONES
from kgkit.rdf.terms import KG

#: Acronyms of technologies and roles, which the model often calls organizations.
_ACRONYMS = """
    API APIs CLI SDK CPU CPUs GPU GPUs TPU LLM LLMs SRE SREs SLO SLOs SLA CI CD CICD VM VMs OS UI UX IOT IoT ML AI HPC
    CRD CRDs RBAC TLS mTLS DNS HTTP HTTPS TCP UDP IP IPv6 JSON YAML SQL NoSQL REST RPC OCI CNI CSI CRI
    WASM WASI PR PRs FAQ QA Q&A CEO CTO CFO COO CIO CISO VP SVP EVP PM DevOps DevSecOps GitOps FinOps MLOps
    SIG WG TOC TAG KEP KEPs CVE CVEs SBOM SBOMs OSS FOSS EU US UK NA APAC EMEA LATAM"""
_NOT_ORG_ACRONYMS = frozenset(_ACRONYMS.split())
#: The Kubernetes project's special interest groups (its governance lists them), named "SIG Docs".
_SIGS = (
    "API Machinery|Apps|Architecture|Auth|Autoscaling|CLI|Cloud Provider|Cluster Lifecycle|Contributor Experience"
    "|Docs|Etcd|Instrumentation|K8s Infra|Multicluster|Network|Node|Release|Scalability|Scheduling|Security"
    "|Storage|Testing|UI|Usability|Windows|Service Catalog|Big Data|Cluster Ops|Azure|AWS|GCP|OpenStack|VMware"
)
#: Named groups of a community: Kubernetes SIGs, and working groups named as such.
COMMUNITY_GROUP = re.compile(
    rf"\bSIG[ -](?:{_SIGS})\b|\b(?:[A-Z][\w-]*[ ]){{1,3}}(?:Working Group|Special Interest Group)\b"
)
#: Names of events and conferences, which the model calls organizations ("KubeCon Paris", "PromCon").
_EVENTISH = re.compile(r"(?i)con\b|conf\b|summit|\bdays?\b|meetup|hackathon|forum|festival|expo|\bkcd\b")


@component("organizations", requires=["sentences", "entities", "hits", "names"], provides=["facts"])
def organizations(st: DocState) -> None:
    """Organizations the model finds in sentences, and named community groups (see the module docs)."""
    masked = st.doc.masked
    known = [(m.start, m.end) for m in st.hits]
    people = [(a, b) for label, a, b in st.entities if label == "PERSON"] + st.names
    for m in COMMUNITY_GROUP.finditer(masked, st.doc.body_start):
        name = " ".join(m.group().split())
        if st.gz.lookup(name) is None and not any(x < m.end() and m.start() < y for x, y in known):
            st.entity("org", name, st.span_of(m.start()), "pattern", CONF_PATTERN)
    words = english_words()
    found: dict[str, list[tuple[int, int]]] = {}
    for label, a, b in st.entities:
        if label != "ORG":
            continue
        name = " ".join(masked[a:b].split()).strip(" ,.;:'’\"")
        name = re.sub(r"^(?:the|The)\s+", "", name)
        name = re.sub(r"[’']s$", "", name)
        if not _name_like(st, name, words) or any(x < b and a < y for x, y in known + people):
            continue
        sentence = st.sentence_at(a)
        if sentence is None or _title_case(masked[sentence.start : sentence.end]):
            continue  # a heading or a talk's title: its capitals say nothing
        found.setdefault(name, []).append((sentence.start, sentence.end))
    for name, spans in found.items():
        # the small model's ORG alone is too often a product, a technology or a person: a company's suffix
        # ("Kubo Labs", "KubeAcademy LLC") or the model's ORG in two sentences
        if ORG_SUFFIX.search(name) or len(set(spans)) >= 2:
            st.entity("org", name, spans[0], "model", CONF_WEAK)


def _name_like(st: DocState, name: str, words: frozenset[str]) -> bool:
    """Can ``name`` be an organization's name: a few capitalized words, not all of them words of the
    language, no person, no acronym of a technology, nothing the gazetteer knows as another kind?"""
    parts = name.split()
    if not 1 <= len(parts) <= 4 or len(name) < 2 or not name[0].isupper() or parts[0] in STOP_CAPS:
        return False
    if any(p in _NOT_ORG_ACRONYMS or p.upper() in ZONES for p in parts):
        return False
    if re.search(r"\d{3,}|[@#/\\|<>=()\[\]+\"]", name):
        return False
    if name.isupper() or _EVENTISH.search(name) or not re.search(r"[a-z]", name):
        return False  # acronyms the model guesses at ("CFP", "DEI", "OSPO"); events
    if starts_with_given_name(name) or st.is_person(name) or (len(parts) == 1 and is_given_name(name)):
        return False
    if plain_words(parts, words):
        return False  # "Engineering", "Open Source", "Non-Functional Requirements": words, not a name
    if name.lower() in {t.lower() for t in st.curated.get("not_projects", [])}:
        return False  # a technology ("WebAssembly")
    known = st.gz.lookup(name)
    return known is None or known.kind == "org"


def _title_case(text: str) -> bool:
    long_words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return len(long_words) >= 2 and sum(w[0].isupper() for w in long_words) >= 0.75 * len(long_words)


#: Verbs that say an organization uses software: "X adopted Flux", "the setup of X is based on Flux".
_USE_LEMMAS = {"use", "adopt", "run", "deploy", "migrate", "standardize", "standardise", "rely", "base", "choose",
               "select", "leverage", "build", "operate", "move", "switch", "roll"}


@component("uses", requires=["sentences", "hits"], provides=["facts"])
def uses(st: DocState) -> None:
    """Which organization uses which project, from the parse of a sentence: the subject of a verb of use
    names the organization ("Deutsche Telekom adopted Flux", "the setup of Swisscom is based on Flux",
    "Slack has migrated to Vitess"), its object or the object of its preposition the project."""
    orgs: list[tuple[int, int, Match | None]] = [
        (m.start, m.end, m) for m in st.hits if m.entry.kind == "org" or m.entry.may_be_org
    ]
    orgs += [(a, b, None) for label, a, b in st.entities if label == "ORG"]
    projects = [m for m in st.hits if m.entry.kind == "project"]
    if not orgs or not projects:
        return
    for sentence in st.sentences:
        parse = sentence.parse
        if parse is None:
            continue
        base = sentence.start - parse.start_char
        for verb in parse:
            if verb.pos_ not in ("VERB", "AUX") or lemma(verb) not in _USE_LEMMAS:
                continue
            subject = [t for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree]
            objects = [t for c in verb.children if c.dep_ in ("dobj", "obj", "prep") for t in c.subtree]
            if not subject or not objects:
                continue
            s_lo, s_hi = base + subject[0].idx, base + subject[-1].idx + len(subject[-1])
            o_lo, o_hi = base + objects[0].idx, base + objects[-1].idx + len(objects[-1])
            org = next(((a, b, m) for a, b, m in orgs if s_lo <= a and b <= s_hi), None)
            project = next((m for m in projects if o_lo <= m.start and m.end <= o_hi), None)
            if org is None or project is None:
                continue
            a, b, match = org
            span = (sentence.start, sentence.end)
            name = " ".join(st.doc.masked[a:b].split())
            if match is not None and match.entry.kind == "org":
                org_iri = st.from_entry(match.entry, span, match.text)
            elif _name_like(st, name, english_words()) or match is not None:
                org_iri = st.entity("org", name, span, "model", CONF_WEAK)
            else:
                continue
            project_iri = st.from_entry(project.entry, span, project.text)
            st.add(org_iri, KG.uses, project_iri, span, "model", CONF_WEAK)
