"""Evaluate extraction against gold annotations (the format of ``tests/data/gold/README.md``).

Scores with the project's reference scorer (:mod:`kgkit.quality.kgscore`, vendored verbatim, its steps
run on a graph it reads once; tests/quality/test_evaluate.py checks the scores are its own): precision
and recall per entity class, recall of affiliation / presented / part-of / session times, what was
missed, what was extra. The scorer gives relations recall only; their precision is computed here from
the same graph and gold with the scorer's own functions (its entity matching, its property
resolution through the ontology, its name matching), as the scorer scores relations: on matched
endpoints. A fact counts for precision when both its ends match gold entities (for "presented", the
event a gold session, as the gold names the speakers of sessions); it is right when the gold has
that pair (an organization presents a session when one of its people does). Each fact's confidence
is its evidence's (``kg:confidence`` on the ``kg:Evidence`` of the statement, the highest where there
are several), so precision is also told per confidence band.

>>> report = evaluate("tests/data/gold", ["data/corpus"])
>>> report.scores["people"]["precision"]
1.0
>>> 0.0 <= report.scores["affiliation"]["precision"] <= 1.0
True
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgkit import resources
from kgkit.errors import InputError
from kgkit.graph.build import build
from kgkit.quality import kgscore
from kgkit.rdf.files import resolve_input
from kgkit.rdf.terms import KG

ONTOLOGY_DIR = resources.ontology_dir()
CLASSES = ("organizations", "people", "projects", "events")
RELATIONS = ("affiliation", "presented", "part_of", "times")
#: The relations whose precision is scored (session times are values, scored by recall only).
PRECISION_RELATIONS = ("affiliation", "presented", "part_of")
#: Confidence bands of the precision table: (lowest confidence, label), highest band first.
BANDS = ((0.9, ">= 0.90"), (0.75, "0.75-0.89"), (0.6, "0.60-0.74"), (0.0, "< 0.60"))
NO_EVIDENCE = "no evidence"


_SCORERS_NAMES_MATCH = kgscore.names_match


@functools.lru_cache(maxsize=1 << 18)
def names_match(a: str, b: str) -> bool:
    """:func:`kgscore.names_match`, with the same answer for every pair, only faster: the scorer compares
    every gold name with every name in the graph, ~3 million pairs for 50 documents, and computed a full
    ``SequenceMatcher.ratio`` for each (9 of 10 seconds of a score). A ratio of 0.92 needs lengths within
    that ratio (``real_quick_ratio``) and enough characters in common (``quick_ratio``), both upper bounds
    of the ratio: a pair below either cannot match unless equal or contained, and is answered here; the
    others go to the scorer's own function. A pair is remembered."""
    short, long_ = sorted((a, b), key=len)
    if a and b and a != b and not (len(short) >= 20 and short in long_):
        if len(short) < 12 or 2.0 * len(short) / (len(a) + len(b)) < 0.92:  # ratio's own formula
            return False
        if SequenceMatcher(None, a, b).quick_ratio() < 0.92:
            return False
    return bool(_SCORERS_NAMES_MATCH(a, b))


kgscore.names_match = names_match  # the scorer's functions look it up when they run


@dataclass
class EvaluationReport:
    """Scores per class and relation, as the reference scorer computes them, with relation precision
    and a precision table by confidence band (``bands[label][relation] = (right, judged)``)."""

    scores: dict[str, Any]
    bands: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def render(self) -> str:
        lines = []
        for cat in CLASSES:
            r = self.scores[cat]
            lines.append(
                f"{cat:14} P={r['precision']:.2f} R={r['recall']:.2f}  extracted={r['extracted']} "
                f"gold={r['gold']} duplicates={r['duplicates']}"
            )
            if r["missed"]:
                lines.append(f"  missed: {'; '.join(r['missed'][:12])}")
            if r["false_positives"]:
                lines.append(f"  not in gold: {'; '.join(r['false_positives'][:12])}")
        for rel in RELATIONS:
            r = self.scores[rel]
            precision = f"P={r['precision']:.2f} " if "precision" in r else " " * 7
            judged = f"  judged={r['judged']}" if "judged" in r else ""
            lines.append(f"{rel:14} {precision}R={r['recall']:.2f}  gold={r['gold']}{judged}")
            for missed in r["missed"][:5]:
                lines.append(f"  missed: {missed}")
            for wrong in r.get("wrong", [])[:5]:
                lines.append(f"  not in gold: {wrong}")
        if self.bands:
            lines += ["", "relation precision by confidence (right/judged):"]
            lines.append(f"{'confidence':14}" + "".join(f"{rel:>14}" for rel in (*PRECISION_RELATIONS, "all")))
            for band, cells in self.bands.items():
                total = (sum(r for r, _ in cells.values()), sum(n for _, n in cells.values()))
                row = [_cell(*cells.get(rel, (0, 0))) for rel in PRECISION_RELATIONS] + [_cell(*total)]
                lines.append(f"{band:14}" + "".join(f"{c:>14}" for c in row))
        return "\n".join(lines)

    def shortfalls(self, precision: float, recall: float) -> list[str]:
        """Each class or relation below a bar, named with its score: ``organizations R=0.75 < 0.80``.
        Classes are held to both bars, relations to ``recall`` and (where scored) ``precision``."""
        found = []
        for name in (*CLASSES, *RELATIONS):
            r = self.scores[name]
            if "precision" in r and (name in CLASSES or r.get("judged")) and r["precision"] < precision:
                found.append(f"{name} P={r['precision']:.2f} < {precision:g}")
            if r["recall"] < recall:
                found.append(f"{name} R={r['recall']:.2f} < {recall:g}")
        return found

    def meets(self, precision: float, recall: float) -> bool:
        """Do all classes and relations reach ``precision`` and ``recall`` (see :meth:`shortfalls`)?"""
        return not self.shortfalls(precision, recall)


def _cell(right: int, judged: int) -> str:
    return f"{right / judged:.2f} ({right}/{judged})" if judged else "-"


def evaluate(
    gold: str | Path | Sequence[str | Path],
    paths: Sequence[str | Path] = (),
    *,
    source: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Score the graph built from ``paths`` (or an existing build ``source``) against ``gold``.

    ``gold`` is a folder of gold YAML files (one per document) or one such file, or several of them.
    ``progress(done, total)`` hears of each document extracted when building.

    >>> evaluate("tests/data/gold", source="build").scores["organizations"]["recall"] > 0.9  # doctest: +SKIP
    True
    """
    golds = [g for place in ([gold] if isinstance(gold, str | Path) else gold) for g in _gold_files(Path(place))]
    if source is not None:
        return _scored(resolve_input(source), golds)
    with tempfile.TemporaryDirectory(prefix="kgkit-eval-") as tmp:
        result = build(paths, tmp, progress=progress)
        return _scored(result.output, golds)


def _gold_files(gold_path: Path) -> list[Path]:
    if gold_path.is_dir():
        golds = sorted(p for p in gold_path.glob("*.yaml") if p.name != "orgs_on_sustainability.yaml")
    elif gold_path.is_file():
        golds = [gold_path]
    else:
        raise InputError("no such gold file or folder", path=gold_path)
    if not golds:
        raise InputError("no gold annotation files (*.yaml) in this folder", path=gold_path)
    return golds


def _scored(kg_path: Path, golds: list[Path]) -> EvaluationReport:
    kg = ScoredGraph(kg_path, [ONTOLOGY_DIR])
    gold = kgscore.load_gold(golds)
    scores, maps = score(kg, gold)
    bands = relation_precision(kg, gold, maps, golds, scores)
    return EvaluationReport(scores, bands)


class ScoredGraph(kgscore.KG):
    """The scorer's graph, answering :meth:`props_resolving_to` once per set of targets: the scorer
    asks it again for every node it names, each time going through every statement of the graph
    (5 s for the bundled corpus; a fraction of a second so). Same answers, as the scorer's class."""

    def __init__(self, kg_path: Path, ontology: list[Path]) -> None:
        super().__init__(kg_path, ontology)
        self._resolved: dict[frozenset[URIRef], tuple[set[Node], set[Node]]] = {}

    def props_resolving_to(self, targets: set[URIRef]) -> tuple[set[Node], set[Node]]:
        key = frozenset(targets)
        if key not in self._resolved:
            self._resolved[key] = super().props_resolving_to(targets)
        forward, backward = self._resolved[key]
        return set(forward), set(backward)


def score(kg: kgscore.KG, gold: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[Node, int]]]:
    """:func:`kgscore.score` on a graph already read, and its entity matches: the same steps with the
    scorer's own functions (tests/quality/test_evaluate.py checks the result is the scorer's)."""
    result: dict[str, Any] = {}
    maps: dict[str, dict[Node, int]] = {}
    for cat in CLASSES:
        result[cat], maps[cat] = kgscore.match_entities(kg, cat, gold[cat])
    agents_map = {**maps["organizations"], **{k: v + 10**6 for k, v in maps["people"].items()}}
    agents_gold = {**dict(enumerate(gold["organizations"])),
                   **{i + 10**6: g for i, g in enumerate(gold["people"])}}
    events_gold = dict(enumerate(gold["events"]))
    orgs_gold = dict(enumerate(gold["organizations"]))
    people_gold = dict(enumerate(gold["people"]))
    aff = kg.pairs(kgscore.AFFILIATION)
    result["affiliation"] = _score_relation(aff, maps["people"], maps["organizations"],
                                                   people_gold, orgs_gold, gold["affiliation"])
    performed = {(agent, ev) for ev, agent in kg.pairs(kgscore.AGENT_OF_EVENT)}
    performed |= {(org, ev) for (person, ev) in list(performed) for (p2, org) in aff if p2 == person}
    result["presented"] = _score_relation(performed, agents_map, maps["events"],
                                                 agents_gold, events_gold, gold["presented"])
    result["times"] = kgscore.score_times(kg, maps["events"], gold)
    part = kg.pairs(kgscore.SUPER_EVENT, kgscore.SUB_EVENT)
    result["part_of"] = _score_relation(part, maps["events"], maps["events"],
                                               events_gold, events_gold, gold["part_of"])
    return result, maps


# --- relation precision -----------------------------------------------------------------------------

Fact = tuple[Node, Node, Node]  # (subject, predicate, object) as stated in the graph


def relation_precision(
    kg: kgscore.KG,
    gold: dict[str, Any],
    maps: dict[str, dict[Node, int]],
    golds: list[Path],
    scores: dict[str, Any],
) -> dict[str, dict[str, tuple[int, int]]]:
    """Add ``precision``, ``judged`` and ``wrong`` to the relations of ``scores``; the (right, judged)
    counts per confidence band and relation."""
    confidence = _confidences(kg)
    agents = {**maps["organizations"], **{k: v + 10**6 for k, v in maps["people"].items()}}
    agents_gold = {**dict(enumerate(gold["organizations"])), **{i + 10**6: g for i, g in enumerate(gold["people"])}}
    events_gold = dict(enumerate(gold["events"]))
    people_gold, orgs_gold = dict(enumerate(gold["people"])), dict(enumerate(gold["organizations"]))
    affiliated = {(a, b) for a, b in gold["affiliation"]}
    # an organization presents a session when the gold has one of its people presenting it
    presented = set(gold["presented"]) | {
        (org, title) for person, title in gold["presented"] for p2, org in affiliated if p2 == person
    }
    relations = {
        "affiliation": (_facts(kg, kgscore.AFFILIATION), maps["people"], people_gold, maps["organizations"],
                        orgs_gold, gold["affiliation"]),
        "presented": (_facts(kg, kgscore.sdo("performer"), inverse=True), agents, agents_gold, maps["events"],
                      events_gold, presented),
        "part_of": (_facts(kg, kgscore.SUPER_EVENT, kgscore.SUB_EVENT), maps["events"], events_gold, maps["events"],
                    events_gold, gold["part_of"]),
    }
    sessions = _session_names(golds)
    bands: dict[str, dict[str, tuple[int, int]]] = {}
    for rel, (facts, left, left_gold, right, right_gold, pairs) in relations.items():
        right_n, judged, wrong = 0, 0, []
        for (a, b), fact in facts:
            ga, gb = left.get(a), right.get(b)
            if ga is None or gb is None:
                continue  # an end the gold does not know: scored by the entities' precision
            if rel == "presented" and not sessions.intersection(right_gold[gb]):
                continue  # the gold's speakers are those of sessions: presenting at a conference is not judged
            ok = any(kgscore.names_match(x, pa) and kgscore.names_match(y, pb)
                     for x in left_gold[ga] for y in right_gold[gb] for pa, pb in pairs)
            judged += 1
            right_n += ok
            if not ok:
                wrong.append(f"{left_gold[ga][0]} -> {right_gold[gb][0]}")
            band = _band(confidence.get(fact))
            got = bands.setdefault(band, {}).get(rel, (0, 0))
            bands[band][rel] = (got[0] + ok, got[1] + 1)
        scores[rel]["precision"] = right_n / judged if judged else 1.0
        scores[rel]["judged"] = judged
        scores[rel]["wrong"] = sorted(set(wrong))[:15]
    order = [label for _, label in BANDS] + [NO_EVIDENCE]
    return {label: bands[label] for label in order if label in bands}


def _session_names(golds: list[Path]) -> set[str]:
    """The folded names of the gold's sessions (its "presented" pairs are about sessions only)."""
    names: set[str] = set()
    for path in golds:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for session in data.get("sessions") or []:
            names.update(kgscore._names(session))
    return names


def _facts(
    kg: kgscore.KG, targets: set[URIRef], inverse_targets: Iterable[URIRef] = (), *, inverse: bool = False
) -> list[tuple[tuple[Node, Node], Fact]]:
    """((left, right), the statement) for every statement meaning one of ``targets`` (or, read
    backwards, ``inverse_targets``), resolved as :meth:`kgscore.KG.pairs` resolves them; ``inverse``
    puts the object on the left (the agent of ``performer``)."""
    out = []
    forward, backward = kg.props_resolving_to(set(targets))
    inv_forward, inv_backward = kg.props_resolving_to(set(inverse_targets)) if inverse_targets else (set(), set())
    for predicates, flip in ((forward, False), (backward, True), (inv_forward, True), (inv_backward, False)):
        for p in predicates:
            for s, o in kg.g.subject_objects(p):
                pair = (o, s) if flip != inverse else (s, o)
                out.append((pair, (s, p, o)))
    return sorted(set(out), key=str)


def _confidences(kg: kgscore.KG) -> dict[Fact, float]:
    """The confidence of each statement with evidence: the highest of its kg:Evidence nodes'."""
    found: dict[Fact, float] = {}
    g = kg.g
    for statement, evidence in g.subject_objects(KG.evidence):
        s, p, o = (g.value(statement, prop) for prop in (RDF.subject, RDF.predicate, RDF.object))
        value = g.value(evidence, KG.confidence)
        if s is None or p is None or o is None or not isinstance(value, Literal):
            continue
        fact = (s, p, o)
        found[fact] = max(found.get(fact, 0.0), float(value.toPython()))
    return found


def _band(confidence: float | None) -> str:
    if confidence is None:
        return NO_EVIDENCE
    return next(label for low, label in BANDS if confidence >= low)


#: The reference scorer's relation scoring (kgscore.py is vendored byte-identical, untyped)
_score_relation: Callable[..., dict[str, Any]] = kgscore.score_relation
