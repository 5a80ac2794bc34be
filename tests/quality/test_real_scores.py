"""Extraction quality on the development set of real documents (tests/data/real, tests/data/README.md).

The floors sit a little below the current scores: a change that costs quality on real write-ups fails
here, one that gains should raise them. The held-out set (tests/data/real-holdout) is never scored by
the tests: it is measured once at the end of a round, so that nothing is tuned to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgkit.quality.evaluate import EvaluationReport, evaluate

REAL = Path(__file__).resolve().parent.parent / "data" / "real"

#: measure -> (precision floor, recall floor); relations: recall only (None: not held)
FLOORS: dict[str, tuple[float | None, float]] = {
    "organizations": (0.83, 0.60),
    "people": (0.91, 0.72),
    "projects": (0.79, 0.53),
    "events": (0.89, 0.63),
    "affiliation": (None, 0.59),
    "presented": (None, 0.49),
    "part_of": (None, 0.42),
    "times": (None, 0.28),
}


@pytest.fixture(scope="module")
def report() -> EvaluationReport:
    return evaluate(REAL / "gold", [REAL / "docs"])


@pytest.mark.slow
@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_the_development_set_keeps_its_scores(report: EvaluationReport, measure: str) -> None:
    precision_floor, recall_floor = FLOORS[measure]
    scores = report.scores[measure]
    assert scores["recall"] >= recall_floor, f"{measure} R={scores['recall']:.2f} < {recall_floor}"
    if precision_floor is not None:
        assert scores["precision"] >= precision_floor, f"{measure} P={scores['precision']:.2f} < {precision_floor}"


def test_every_development_document_has_its_gold_and_no_held_out_one_is_in_it() -> None:
    docs = {p.stem for p in (REAL / "docs").iterdir()}
    gold = {p.stem for p in (REAL / "gold").glob("*.yaml")}
    held_out = {p.stem for p in (REAL.parent / "real-holdout" / "docs").iterdir()}
    assert docs == gold and len(docs) >= 25
    assert not docs & held_out
