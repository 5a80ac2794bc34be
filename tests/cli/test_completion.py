"""Shell completion (issue 17, item 13): canned query names, --format values and entity names for
``explain``, as the shell asks for them (the completion protocol of the script `kgkit
--install-completion` installs, run in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgkit.rdf.formats import FORMATS
from kgkit.sparql.library import load_library


def complete(words: str, cwd: Path | None = None) -> list[str]:
    """What bash is offered for the last word of ``words``."""
    env = {**os.environ, "_KGKIT_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    proc = subprocess.run([sys.executable, "-c", "from kgkit.cli import main; main()"], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def test_canned_query_names() -> None:
    assert complete("kgkit query orgs") == ["orgs-on-sustainability"]
    assert complete("kgkit query s") == sorted(n for n in load_library() if n.startswith("s"))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("kgkit query sessions-by-day --format ", ["table", "csv", "tsv", "json", "md", *list(FORMATS)]),
        ("kgkit export -f t", ["turtle", "trig"]),
        ("kgkit validate --format ", ["text", "json", "turtle"]),
    ],
)
def test_format_values(words: str, expected: list[str]) -> None:
    assert complete(words) == expected


def test_entity_names_for_explain(built_dir: Path, tmp_path: Path) -> None:
    assert complete(f"kgkit explain -i {built_dir} Deutsche") == ["Deutsche Bahn", "Deutsche Bank"]
    (tmp_path / "build").symlink_to(built_dir)  # the default -i is build/ of the current folder
    assert complete("kgkit explain Kai", cwd=tmp_path) == ["Kai Walter"]
    assert complete("kgkit explain Kai", cwd=tmp_path / "build") == []  # no graph there: nothing, no error
