"""One type for one name in a document, decided from all the evidence for it.

Components type a name by where they find it: the gazetteer calls "Snyk" a product, "Matt Jarvis from
Snyk" makes it an organization; a talk item's organization slot can hold a person's name that the
text elsewhere gives as a speaker. When one name ends up as two kinds in a document, this component
keeps one node:

- organization and project: the organization when the name may be one (a company's eponymous product,
  a name the reference data does not know), else the project (a CNCF project, another company's
  product);
- person and organization: the person, unless the reference data knows the name as an organization.
"""

from __future__ import annotations

from rdflib import RDF, URIRef

from kgkit.extraction.component import component
from kgkit.extraction.state import DocState, Fact
from kgkit.rdf.terms import ID, KG, SCHEMA

_SWAP = {KG.mentionsProject: KG.featuresOrganization, KG.featuresOrganization: KG.mentionsProject}


@component("types", requires=["facts"], provides=["facts"])
def resolve_types(st: DocState) -> None:
    """One node per name: an organization or a project, a person or an organization."""
    names: dict[URIRef, str] = {}
    for f in st.out.facts:
        if f.p == SCHEMA.name and isinstance(f.s, URIRef) and f.s not in names:
            names[f.s] = str(f.o)
    by_kind: dict[str, dict[str, URIRef]] = {}
    for iri in names:
        kind, _, key = str(iri)[len(str(ID)) :].partition("/")
        by_kind.setdefault(kind, {})[key] = iri
    orgs, projects, people = (by_kind.get(k, {}) for k in ("org", "project", "person"))
    merges: dict[URIRef, URIRef] = {}
    for key in orgs.keys() & projects.keys():
        org, project = orgs[key], projects[key]
        entry = st.gz.get("project", names[project]) or st.gz.lookup(names[project])
        if entry is None or entry.kind != "project" or entry.may_be_org:
            merges[project] = org
        else:
            merges[org] = project
    for key in people.keys() & orgs.keys():
        known = st.gz.lookup(names[orgs[key]])
        if (known is None or known.kind != "org") and orgs[key] not in merges:
            merges[orgs[key]] = people[key]
    if merges:
        st.out.facts = [g for f in st.out.facts if (g := _merged(f, merges)) is not None]


def _merged(f: Fact, merges: dict[URIRef, URIRef]) -> Fact | None:
    old_s = f.s if f.s in merges else None
    if old_s is not None and f.p in (RDF.type, SCHEMA.name):
        return None  # the kept node has its own type and name
    if f.o in merges and f.p == KG.mentions:
        return None
    s = merges.get(f.s, f.s)
    o = merges.get(f.o, f.o) if isinstance(f.o, URIRef) else f.o
    if s == o:
        return None
    p = f.p
    if f.o in merges and p == KG.featuresOrganization and str(o).startswith(str(ID["person/"])):
        return None  # a person is no featured organization (their talk says what they presented)
    if f.o in merges and p in _SWAP and str(o).startswith(str(ID["org/"])) != (p == KG.featuresOrganization):
        p = _SWAP[p]
    return Fact(s, p, o, f.span, f.method, f.confidence)
