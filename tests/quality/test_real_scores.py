"""Extraction quality on the development sets of real documents (tests/data/real, tests/data/real2;
tests/data/README.md).

The floors sit a little below the current scores of both sets together: a change that costs quality on
real write-ups fails here, one that gains should raise them. The held-out set (tests/data/real2-holdout)
is never scored by the tests: it is measured once at the end of a round, so that nothing is tuned to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgkit.quality.evaluate import EvaluationReport, evaluate

DATA = Path(__file__).resolve().parent.parent / "data"
DEVELOPMENT = (DATA / "real", DATA / "real2")
HELD_OUT = DATA / "real2-holdout"

#: measure -> (precision floor, recall floor); relations: recall only (None: not held)
FLOORS: dict[str, tuple[float | None, float]] = {
    "organizations": (0.88, 0.65),
    "people": (0.91, 0.87),
    "projects": (0.84, 0.60),
    "events": (0.87, 0.72),
    "affiliation": (None, 0.64),
    "presented": (None, 0.63),
    "part_of": (None, 0.61),
    "times": (None, 0.57),
}


@pytest.fixture(scope="module")
def report() -> EvaluationReport:
    return evaluate([d / "gold" for d in DEVELOPMENT], [d / "docs" for d in DEVELOPMENT])


@pytest.mark.slow
@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_the_development_sets_keep_their_scores(report: EvaluationReport, measure: str) -> None:
    precision_floor, recall_floor = FLOORS[measure]
    scores = report.scores[measure]
    assert scores["recall"] >= recall_floor, f"{measure} R={scores['recall']:.2f} < {recall_floor}"
    if precision_floor is not None:
        assert scores["precision"] >= precision_floor, f"{measure} P={scores['precision']:.2f} < {precision_floor}"


def test_every_development_document_has_its_gold_and_no_held_out_one_is_in_them() -> None:
    held_out = {p.stem for p in (HELD_OUT / "docs").iterdir()}
    assert {p.stem for p in (HELD_OUT / "gold").glob("*.yaml")} == held_out and len(held_out) >= 8
    seen: set[str] = set()
    for folder in DEVELOPMENT:
        docs = {p.stem for p in (folder / "docs").iterdir()}
        assert docs == {p.stem for p in (folder / "gold").glob("*.yaml")}
        assert not docs & held_out and not docs & seen
        seen |= docs
    assert len(seen) >= 50
