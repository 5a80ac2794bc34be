"""Evaluate extraction against gold annotations (the format of ``tests/data/gold/README.md``).

Scores with the project's reference scorer (:mod:`kgkit.quality.kgscore`): precision and recall per entity
class, recall of affiliation / presented / part-of / session times, what was missed, what was extra.

>>> report = evaluate("tests/data/gold", ["data/corpus"])
>>> report.scores["people"]["precision"]
1.0
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgkit import resources
from kgkit.errors import InputError
from kgkit.graph.build import build
from kgkit.quality import kgscore
from kgkit.rdf.files import resolve_input

ONTOLOGY_DIR = resources.ontology_dir()
CLASSES = ("organizations", "people", "projects", "events")
RELATIONS = ("affiliation", "presented", "part_of", "times")


@dataclass
class EvaluationReport:
    """Scores per class and relation, as the reference scorer computes them."""

    scores: dict[str, Any]

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
            lines.append(f"{rel:14} R={r['recall']:.2f}  gold={r['gold']}")
            for missed in r["missed"][:5]:
                lines.append(f"  missed: {missed}")
        return "\n".join(lines)

    def meets(self, precision: float, recall: float) -> bool:
        """Do all classes reach ``precision`` and ``recall``, and all relations ``recall``?"""
        return all(
            self.scores[c]["precision"] >= precision and self.scores[c]["recall"] >= recall for c in CLASSES
        ) and all(self.scores[r]["recall"] >= recall for r in RELATIONS)


def evaluate(
    gold: str | Path, paths: Sequence[str | Path] = (), *, source: str | Path | None = None
) -> EvaluationReport:
    """Score the graph built from ``paths`` (or an existing build ``source``) against ``gold``.

    ``gold`` is a folder of gold YAML files (one per document) or one such file.
    """
    gold_path = Path(gold)
    if gold_path.is_dir():
        golds = sorted(p for p in gold_path.glob("*.yaml") if p.name != "orgs_on_sustainability.yaml")
    elif gold_path.is_file():
        golds = [gold_path]
    else:
        raise InputError("no such gold file or folder", path=gold_path)
    if not golds:
        raise InputError("no gold annotation files (*.yaml) in this folder", path=gold_path)
    if source is not None:
        return EvaluationReport(kgscore.score(resolve_input(source), [ONTOLOGY_DIR], golds))
    with tempfile.TemporaryDirectory(prefix="kgkit-eval-") as tmp:
        result = build(paths, tmp)
        return EvaluationReport(kgscore.score(result.output, [ONTOLOGY_DIR], golds))
