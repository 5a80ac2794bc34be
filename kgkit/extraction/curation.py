"""Curation without code: ``data/curation.yaml`` fixes extractions once and for good.

Applied to every document's extraction on every build::

    reject: ["Some Wrong Name"]                      # drop the entity and every fact that mentions it
    accept: ["Pachama"]                              # confirm a pattern-found entity (confidence 1.0)
    merge:  [{from: "Kube Cost", into: "Kubecost"}]  # one node; the old name becomes an alias
    rename: [{entity: "ZEISS Group", name: "Carl Zeiss AG"}]
    alias:  [{entity: "Deutsche Bahn", alias: "DB"}]

Entities are named by their name (any kind) or by IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef

from kgkit.errors import InputError
from kgkit.extraction.component import component
from kgkit.extraction.state import DocState, Extraction, Fact
from kgkit.rdf.terms import SCHEMA

CURATED = 1.0


@dataclass
class Curation:
    """The operations of a curation file."""

    reject: list[str] = field(default_factory=list)
    accept: list[str] = field(default_factory=list)
    merge: list[tuple[str, str]] = field(default_factory=list)
    rename: list[tuple[str, str]] = field(default_factory=list)
    alias: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, ex: Extraction) -> None:
        """Rewrite one document's facts in place."""
        if not (self.reject or self.accept or self.merge or self.rename or self.alias):
            return
        names = _names(ex)
        rejected = {i for n in self.reject for i in _iris(n, names)}
        ex.facts = [f for f in ex.facts if f.s not in rejected and f.o not in rejected]
        for source, target in self.merge:
            into = next(iter(_iris(target, names)), None) or _maybe_iri(target)
            for old in _iris(source, names):
                if into is None or old == into:
                    continue
                ex.facts = [_merged(f, old, into) for f in ex.facts]
        names = _names(ex)
        for entity, new_name in self.rename:
            for iri in _iris(entity, names):
                ex.facts = [
                    Fact(f.s, f.p, Literal(new_name), f.span, "curation", CURATED)
                    if f.s == iri and f.p == SCHEMA.name
                    else f
                    for f in ex.facts
                ]
        for entity, alias in self.alias:
            for iri in _iris(entity, names):
                span = next(f.span for f in ex.facts if f.s == iri)
                ex.facts.append(Fact(iri, SCHEMA.alternateName, Literal(alias), span, "curation", CURATED))
        accepted = {i for n in self.accept for i in _iris(n, names)}
        ex.facts = [
            Fact(f.s, f.p, f.o, f.span, "curation", CURATED)
            if f.s in accepted and f.method == "pattern" and f.p == SCHEMA.name
            else f
            for f in ex.facts
        ]
        ex.candidates = [
            c for c in ex.candidates if c[1].casefold() not in {n.casefold() for n in self.accept + self.reject}
        ]


def load_curation(path: str | Path | None) -> Curation:
    """Read a curation file; a missing default file means no curation."""
    if path is None:
        return Curation()
    p = Path(path)
    try:
        data: Any = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except OSError as err:
        raise InputError(f"cannot read curation file: {err.strerror}", path=p) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"broken YAML: {getattr(err, 'problem', err)}", path=p, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise InputError("a curation file is a mapping with reject/accept/merge/rename/alias", path=p)
    try:
        return Curation(
            reject=[str(x) for x in data.get("reject") or []],
            accept=[str(x) for x in data.get("accept") or []],
            merge=[(str(m["from"]), str(m["into"])) for m in data.get("merge") or []],
            rename=[(str(m["entity"]), str(m["name"])) for m in data.get("rename") or []],
            alias=[(str(m["entity"]), str(m["alias"])) for m in data.get("alias") or []],
        )
    except (KeyError, TypeError) as err:
        raise InputError(f"malformed curation entry (missing {err})", path=p) from None


def _names(ex: Extraction) -> dict[str, set[URIRef]]:
    out: dict[str, set[URIRef]] = {}
    for f in ex.facts:
        if f.p in (SCHEMA.name, SCHEMA.alternateName):
            out.setdefault(str(f.o).casefold(), set()).add(f.s)
    return out


def _iris(ref: str, names: dict[str, set[URIRef]]) -> set[URIRef]:
    iri = _maybe_iri(ref)
    return {iri} if iri else names.get(ref.casefold(), set())


def _maybe_iri(ref: str) -> URIRef | None:
    return URIRef(ref) if ref.startswith(("http://", "https://")) else None


def _merged(f: Fact, old: URIRef, into: URIRef) -> Fact:
    s = into if f.s == old else f.s
    o = into if f.o == old else f.o
    p = SCHEMA.alternateName if f.s == old and f.p == SCHEMA.name else f.p
    return Fact(s, p, o, f.span, f.method, f.confidence)


@component("curation", requires=["facts"], provides=["facts"])
def curate(st: DocState) -> None:
    """The curation file's reject, accept, merge, rename and alias operations (the last component)."""
    curation = st.settings.get("curation")
    if isinstance(curation, Curation):
        curation.apply(st.out)
