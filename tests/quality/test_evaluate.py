"""``kgkit eval`` (issue 17, item 11): relation precision, by confidence band, computed here with the
vendored scorer's functions (the scorer stays byte-identical to the shared one); a bar not met names
what is below it; progress on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from paths import CORPUS, DATA, ROOT
from scorer import fresh_scorer

from kgkit.quality import kgscore
from kgkit.quality.evaluate import BANDS, ONTOLOGY_DIR, ScoredGraph, names_match, score

CliRun = Callable[..., tuple[int, str, str]]
GOLD = DATA / "gold"


def test_the_scorer_is_the_shared_one_verbatim() -> None:
    shared = ROOT.parent / "shared" / "tools" / "kgscore.py"
    vendored = (ROOT / "kgkit" / "quality" / "kgscore.py").read_text(encoding="utf-8")
    assert "def score_relation" in vendored and "precision" not in vendored.split("def score_relation")[1][:600]
    if shared.is_file():  # beside the repository on the project's machines
        assert vendored.split("\n", 2)[2] == shared.read_text(encoding="utf-8")  # after the two lines of where from


def test_the_scores_are_the_reference_scorer_s(built_dir: Path) -> None:
    """evaluate runs the scorer's steps on a graph read once (its property resolution remembered):
    every score is what the untouched kgscore.score gives."""
    golds = sorted(p for p in GOLD.glob("*.yaml") if p.name != "orgs_on_sustainability.yaml")
    kg_path = built_dir / "kg.nq"
    ours, _ = score(ScoredGraph(kg_path, [ONTOLOGY_DIR]), kgscore.load_gold(golds))
    reference = fresh_scorer()
    assert reference.names_match is not names_match
    assert ours == reference.score(kg_path, [ONTOLOGY_DIR], golds)


NAMES = st.text(alphabet="abcde fghij", min_size=0, max_size=40)


@settings(max_examples=3000, deadline=None)
@given(NAMES, NAMES)
def test_the_fast_name_match_answers_as_the_scorer_s(a: str, b: str) -> None:
    reference = _REFERENCE.names_match
    assert names_match(a, b) == reference(a, b)
    assert names_match(a, a + "x" * (len(a) // 12)) == reference(a, a + "x" * (len(a) // 12))  # near the bound


_REFERENCE = fresh_scorer()


def test_cli_eval_reports_relation_precision_by_confidence(run_cli: CliRun, built_dir: Path) -> None:
    code, out, err = run_cli("eval", str(GOLD), "-i", str(built_dir))
    assert code == 0, err
    lines = out.splitlines()
    assert "affiliation    P=1.00 R=1.00  gold=6  judged=6" in lines
    assert "presented      P=1.00 R=1.00  gold=3  judged=3" in lines
    assert any(line.startswith("part_of        P=0.9") for line in lines)
    table = lines[lines.index("relation precision by confidence (right/judged):") + 1 :]
    assert table[0].split() == ["confidence", "affiliation", "presented", "part_of", "all"]
    assert {row[:14].strip() for row in table[1:]} <= {label for _, label in BANDS}
    assert table[1].startswith(">= 0.90")
    # every judged fact is in one band: the bands' counts add up to the judged ones
    for i, rel in enumerate(("affiliation", "presented", "part_of")):
        found = re.search(rf"^{rel} .*judged=(\d+)", out, re.M)
        assert found is not None
        cells = [row[14 + 14 * i : 28 + 14 * i] for row in table[1:]]
        assert sum(int(m.group(1)) for c in cells if (m := re.search(r"/(\d+)\)", c))) == int(found.group(1))


def test_cli_eval_names_what_is_below_the_bar(run_cli: CliRun, built_dir: Path) -> None:
    code, _, err = run_cli("eval", str(GOLD), "-i", str(built_dir), "--min-recall", "0.99", "-q")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("kgkit: error: below the bar (--min-precision 0, --min-recall 0.99): ")
    assert "organizations R=0.95 < 0.99" in err and "events R=0.93 < 0.99" in err and "people" not in err
    code, _, err = run_cli("eval", str(GOLD), "-i", str(built_dir), "--min-precision", "0.95", "--min-recall", "0.85",
                           "-q")
    assert code == 1 and err.rstrip().endswith("(--min-precision 0.95, --min-recall 0.85): part_of P=0.91 < 0.95")


def test_cli_eval_shows_progress_on_a_terminal() -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from kgkit.cli import main; main()", "eval", str(GOLD), str(CORPUS)],
        stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "KGKIT_PROGRESS_DELAY": "0", "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    assert process.returncode == 0 and b"organizations" in out
    assert b"Extracting" in seen or b"Scoring" in seen
    assert b"documents" in seen  # the bar's unit
