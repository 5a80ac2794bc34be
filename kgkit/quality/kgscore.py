# Vendored verbatim from the project's shared material (shared/tools/kgscore.py) so that
# `kgkit eval` works on a fresh machine; kgkit/evaluate.py is the typed interface to it.
#!/usr/bin/env python3
"""Score a built knowledge graph against gold annotations of the documents it was built from.

Usage:
    kgscore.py --kg build/kg.nq --ontology ontology/ --gold GOLD_DIR_OR_FILE [--gold ...] [--json]
               [--answers answer.csv --answer-key orgs_on_sustainability.yaml]

The graph is read with its ontology; classes and properties are resolved to schema.org through
rdfs:subClassOf / rdfs:subPropertyOf / owl:equivalent* / owl:inverseOf, so any ontology aligned
with schema.org can be scored. Gold files are YAML with the keys conferences, events, sessions,
organizations, projects, people (see shared/gold/README.md).

Entities are matched by name (case, punctuation, accents and '&'/'and' folded; gold aliases
count). Precision: share of extracted entities that match a gold entity. Recall: share of gold
entities matched. Relations are scored on matched endpoints.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

import yaml
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, DCTERMS, FOAF

SDO = ("http://schema.org/", "https://schema.org/")


def sdo(local: str) -> set[URIRef]:
    return {URIRef(ns + local) for ns in SDO}


CLASSES = {
    "organizations": sdo("Organization") | {FOAF.Organization, URIRef("http://www.w3.org/ns/org#Organization")},
    "people": sdo("Person") | {FOAF.Person},
    "projects": sdo("SoftwareSourceCode") | sdo("SoftwareApplication") | sdo("Product")
    | {URIRef("http://usefulinc.com/ns/doap#Project")},
    "events": sdo("Event"),
}
NAME_PROPS = sdo("name") | sdo("alternateName") | sdo("headline") | {
    RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, FOAF.name}
AFFILIATION = sdo("affiliation") | sdo("worksFor") | sdo("memberOf")
AGENT_OF_EVENT = sdo("performer") | sdo("organizer") | sdo("sponsor") | sdo("contributor") | sdo("actor")
SUPER_EVENT = sdo("superEvent")
START_DATE = sdo("startDate")
TZ_OFFSETS = {"CET": "+01:00", "CEST": "+02:00", "BST": "+01:00", "GMT": "+00:00", "UTC": "+00:00",
              "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00",
              "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00"}
SUB_EVENT = sdo("subEvent")


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^\w]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def names_match(a: str, b: str) -> bool:
    """Loose equality for names and titles: equal after folding, or near-equal long titles."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 20 and short in long_:
        return True
    return len(short) >= 12 and SequenceMatcher(None, a, b).ratio() >= 0.92


# ---------------------------------------------------------------- graph side
class KG:
    def __init__(self, kg_path: Path, ontology: list[Path]):
        ds = Dataset()
        ds.parse(kg_path, format="nquads" if kg_path.suffix == ".nq" else None)
        g = Graph()
        for quad in ds.quads((None, None, None, None)):
            g.add(quad[:3])
        for path in ontology:
            files = sorted(path.rglob("*.ttl")) if path.is_dir() else [path]
            for f in files:
                g.parse(f)
        self.g = g
        self.super_cls = self._closure(RDFS.subClassOf, OWL.equivalentClass)
        self.super_prop = self._closure(RDFS.subPropertyOf, OWL.equivalentProperty)
        self.inverse = defaultdict(set)
        for a, b in g.subject_objects(OWL.inverseOf):
            self.inverse[a].add(b)
            self.inverse[b].add(a)

    def _closure(self, sub, equiv):
        up = defaultdict(set)
        for a, b in self.g.subject_objects(sub):
            up[a].add(b)
        for a, b in self.g.subject_objects(equiv):
            up[a].add(b)
            up[b].add(a)

        def reach(x):
            seen, stack = {x}, [x]
            while stack:
                for y in up.get(stack.pop(), ()):
                    if y not in seen:
                        seen.add(y)
                        stack.append(y)
            return seen
        return reach

    def props_resolving_to(self, targets: set[URIRef]) -> tuple[set, set]:
        """Predicates that mean a target (forward), and those that mean its inverse (backward)."""
        fwd, bwd = set(), set()
        for p in set(self.g.predicates()):
            ups = self.super_prop(p)
            if ups & targets:
                fwd.add(p)
            for inv in self.inverse.get(p, ()):
                if self.super_prop(inv) & targets:
                    bwd.add(p)
        return fwd, bwd

    def pairs(self, targets: set[URIRef], inverse_targets: set[URIRef] = frozenset()) -> set[tuple]:
        out = set()
        fwd, bwd = self.props_resolving_to(set(targets))
        for p in fwd:
            out.update(self.g.subject_objects(p))
        for p in bwd:
            out.update((o, s) for s, o in self.g.subject_objects(p))
        if inverse_targets:
            ifwd, ibwd = self.props_resolving_to(set(inverse_targets))
            for p in ifwd:
                out.update((o, s) for s, o in self.g.subject_objects(p))
            for p in ibwd:
                out.update(self.g.subject_objects(p))
        return out

    def instances(self, category: str) -> set:
        wanted = CLASSES[category]
        out = set()
        for s, c in self.g.subject_objects(RDF.type):
            if self.super_cls(c) & wanted:
                out.add(s)
        return out

    def names(self, node) -> list[str]:
        fwd, _ = self.props_resolving_to(NAME_PROPS)
        return [str(o) for p in fwd | NAME_PROPS for o in self.g.objects(node, p)]


# ---------------------------------------------------------------- gold side
REL_KINDS = {
    "presented": "presented",
    "affiliated_with": "affiliation", "affiliated with": "affiliation", "works at": "affiliation",
    "works for": "affiliation", "part_of": "part_of", "part of": "part_of", "is part of": "part_of",
}


def load_gold(paths: list[Path]) -> dict:
    """Gold entities (each a list of folded names, the first canonical) and relation pairs."""
    gold: dict = {"organizations": [], "people": [], "projects": [], "events": [],
                  "affiliation": set(), "presented": set(), "part_of": set(), "times": {}}
    for path in paths:
        data = yaml.safe_load(path.read_text()) or {}
        for key in ("organizations", "people", "projects"):
            gold[key].extend(n for n in map(_names, data.get(key) or []) if n)
        for key in ("conferences", "events", "sessions"):
            # untitled sessions (title: null, our own label) cannot be matched by name: not scored
            gold["events"].extend(n for n in map(_names, data.get(key) or []) if n)
        for person in data.get("people") or []:
            if isinstance(person, dict):
                for org in _as_list(person.get("affiliation")):
                    gold["affiliation"].add((norm(person["name"]), norm(org)))
        for sess in data.get("sessions") or []:
            title = norm(sess.get("title") or "")
            if not title:
                continue
            if sess.get("date") and sess.get("start"):
                start = str(sess["start"]) if len(str(sess["start"])) > 5 else f"{sess['start']}:00"
                gold["times"][title] = (f"{sess['date']}T{start}", TZ_OFFSETS.get(str(sess.get("timezone"))))
            for agent in _as_list(sess.get("speakers")):
                gold["presented"].add((norm(agent), title))
            for conf in _as_list(sess.get("conference")) + _as_list(sess.get("part_of")):
                gold["part_of"].add((title, norm(conf)))
        for rel in data.get("relations") or []:
            if not isinstance(rel, list) or len(rel) != 3:
                continue
            kind = REL_KINDS.get(str(rel[1]).strip().lower())
            subj, obj = str(rel[0]), str(rel[2])
            if kind and not subj.startswith("[") and not obj.startswith("["):
                gold[kind].add((norm(subj), norm(obj)))
    return gold


def _as_list(value) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    return [i if isinstance(i, str) else (i.get("name") or "") for i in items if i]


def _names(item) -> list[str]:
    if isinstance(item, str):
        return [norm(item)]
    names = [item.get("name") or item.get("title") or ""] + list(item.get("aliases") or [])
    return [norm(n) for n in names if n]


# ---------------------------------------------------------------- scoring
def match_entities(kg: KG, category: str, gold_items: list[list[str]]):
    """Map extracted nodes to gold items. A gold entity annotated in several documents is several
    items; one node may match all of them."""
    extracted = kg.instances(category)
    node_to_gold: dict = {}
    matched: set[int] = set()
    for node in extracted:
        node_names = [norm(n) for n in kg.names(node)]
        hits = [gi for gi, gnames in enumerate(gold_items)
                if any(names_match(a, b) for a in node_names for b in gnames)]
        if hits:
            node_to_gold[node] = hits[0]
            matched.update(hits)
    canon = {gold_items[i][0] for i in range(len(gold_items))}
    found = {gold_items[i][0] for i in matched}
    dups = len(node_to_gold) - len({gold_items[i][0] for i in node_to_gold.values()})
    unmatched = sorted({(kg.names(n) or [str(n)])[0] for n in extracted - set(node_to_gold)})
    return {
        "extracted": len(extracted), "gold": len(canon),
        "precision": len(node_to_gold) / len(extracted) if extracted else 0.0,
        "recall": len(found) / len(canon) if canon else 1.0,
        "duplicates": dups, "false_positives": unmatched, "missed": sorted(canon - found),
    }, node_to_gold


def score_answers(csv_path: Path, key_path: Path) -> dict:
    """Score a canned query's answer (first CSV column = names) against an answer key whose
    organizations carry a confidence: recall over high+medium, precision over all tiers."""
    import csv
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    answers = {norm(r[0]) for r in rows[1:] if r and r[0].strip()}
    key = yaml.safe_load(key_path.read_text())["organizations"]
    tiers = [(_names(o), o.get("confidence", "high")) for o in key]
    must = [n for n, c in tiers if c in ("high", "medium")]
    ok = {a for a in answers if any(names_match(a, b) for n, _ in tiers for b in n)}
    hit = [n for n in must if any(names_match(a, b) for a in answers for b in n)]
    return {"answers": len(answers), "precision": len(ok) / len(answers) if answers else 0.0,
            "recall": len(hit) / len(must) if must else 1.0,
            "missed": sorted(n[0] for n in must if n not in hit), "extra": sorted(answers - ok)}


def canonical(gold_items, gi):
    return gold_items[gi][0]


def score_relation(kg_pairs, left_map, right_map, left_gold, right_gold, gold_pairs):
    def gold_key(mapping, items, node):
        gi = mapping.get(node)
        return None if gi is None else items[gi]

    found = set()
    for a, b in kg_pairs:
        ga, gb = gold_key(left_map, left_gold, a), gold_key(right_map, right_gold, b)
        if ga is None or gb is None:
            continue
        for ga_name in ga:
            for gb_name in gb:
                for pa, pb in gold_pairs:
                    if names_match(ga_name, pa) and names_match(gb_name, pb):
                        found.add((pa, pb))
    return {"gold": len(gold_pairs), "recall": len(found) / len(gold_pairs) if gold_pairs else 1.0,
            "missed": sorted(gold_pairs - found)[:15]}


def score_times(kg: KG, events_map: dict, gold: dict) -> dict:
    """Session start times: local date-time must equal the gold one; the UTC offset too where the
    text gives a time zone."""
    fwd, _ = kg.props_resolving_to(START_DATE)
    by_title: dict = {}
    for node, gi in events_map.items():
        for p in fwd:
            for o in kg.g.objects(node, p):
                by_title.setdefault(gi, set()).add(str(o))
    items = gold["events"]
    right, wrong = 0, []
    for title, (local, offset) in gold["times"].items():
        gis = [i for i, names in enumerate(items) if any(names_match(title, n) for n in names)]
        values = set().union(*(by_title.get(i, set()) for i in gis)) if gis else set()
        ok = any(v.startswith(local) and (offset is None or v[len(local):].startswith(offset)
                 or (offset == "+00:00" and v[len(local):].startswith("Z"))) for v in values)
        right += ok
        if not ok:
            wrong.append(f"{title[:40]}: want {local}{offset or ''}, got {sorted(values) or 'none'}")
    n = len(gold["times"])
    return {"gold": n, "recall": right / n if n else 1.0, "missed": wrong[:10]}


def score(kg_path: Path, ontology: list[Path], gold_paths: list[Path]) -> dict:
    kg = KG(kg_path, ontology)
    gold = load_gold(gold_paths)
    result, maps = {}, {}
    for cat in ("organizations", "people", "projects", "events"):
        result[cat], maps[cat] = match_entities(kg, cat, gold[cat])
    agents_map = {**maps["organizations"], **{k: v + 10**6 for k, v in maps["people"].items()}}
    agents_gold = {**dict(enumerate(gold["organizations"])),
                   **{i + 10**6: g for i, g in enumerate(gold["people"])}}
    events_gold = dict(enumerate(gold["events"]))
    orgs_gold = dict(enumerate(gold["organizations"]))
    people_gold = dict(enumerate(gold["people"]))
    aff = kg.pairs(AFFILIATION)
    result["affiliation"] = score_relation(aff, maps["people"], maps["organizations"],
                                           people_gold, orgs_gold, gold["affiliation"])
    performed = {(agent, ev) for ev, agent in kg.pairs(AGENT_OF_EVENT)}
    # an organization presents a session through its affiliated speakers too
    performed |= {(org, ev) for (person, ev) in list(performed) for (p2, org) in aff if p2 == person}
    result["presented"] = score_relation(performed, agents_map, maps["events"],
                                         agents_gold, events_gold, gold["presented"])
    result["times"] = score_times(kg, maps["events"], gold)
    part = kg.pairs(SUPER_EVENT, SUB_EVENT)
    result["part_of"] = score_relation(part, maps["events"], maps["events"],
                                       events_gold, events_gold, gold["part_of"])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kg", required=True, type=Path)
    ap.add_argument("--ontology", action="append", type=Path, default=[])
    ap.add_argument("--gold", action="append", type=Path, required=True,
                    help="gold YAML file or folder (repeatable)")
    ap.add_argument("--answers", type=Path, help="CSV of a canned query's answer (first column names)")
    ap.add_argument("--answer-key", type=Path, help="answer key YAML for --answers")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    golds = [p for g in args.gold for p in (sorted(g.glob("*.yaml")) if g.is_dir() else [g])
             if p.name != "orgs_on_sustainability.yaml"]
    res = score(args.kg, args.ontology, golds)
    if args.answers and args.answer_key:
        res["answers"] = score_answers(args.answers, args.answer_key)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    for cat in ("organizations", "people", "projects", "events"):
        r = res[cat]
        print(f"{cat:14} P={r['precision']:.2f} R={r['recall']:.2f}  extracted={r['extracted']} "
              f"gold={r['gold']} duplicates={r['duplicates']}")
        if r["missed"]:
            print(f"  missed: {'; '.join(r['missed'][:12])}")
        if r["false_positives"]:
            print(f"  not in gold: {'; '.join(r['false_positives'][:12])}")
    for rel in ("affiliation", "presented", "part_of", "times"):
        r = res[rel]
        print(f"{rel:14} R={r['recall']:.2f}  gold={r['gold']}")
    if "answers" in res:
        r = res["answers"]
        print(f"{'answers':14} P={r['precision']:.2f} R={r['recall']:.2f}  answers={r['answers']}")
        if r["missed"]:
            print(f"  missed: {'; '.join(r['missed'])}")
        if r["extra"]:
            print(f"  not in key: {'; '.join(r['extra'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
