"""Text a terminal would act on, from documents and file names: ESC (colours, window titles, cursor
moves), BEL, bidirectional overrides ("Trojan Source") and newlines. Whatever kgkit prints for people
(query tables and Markdown, explain, warnings and errors) shows them escaped as ``\\uXXXX``, and a
newline in a file name does not split a one-line warning.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import Run, kgkit, no_control_characters

CliRun = Callable[..., tuple[int, str, str]]

#: OSC (retitle the window, ended by BEL), SGR (red), a right-to-left override
HOSTILE = "\x1b]0;pwned\x07\x1b[31mRed\u202eevil"
ESCAPED = "\\u001B]0;pwned\\u0007\\u001B[31mRed\\u202Eevil"
BAD_NAME = "name\x1b[31m\u202e\x07.md"
BAD_NAME_SHOWN = "name\\u001B[31m\\u202E\\u0007.md"
NEWLINE_NAME = "new\nline.md"
# the same characters in YAML's escapes (raw ones are not allowed in YAML)
TALK = ('---\ntitle: "KubeCon \\e[31m\\a\\u202E 2024"\n---\n\n'
        f'Red Hat gave a talk titled "Green Cloud Native {HOSTILE} Systems" at KubeCon.\n')
LITERALS = 'SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o)) } } ORDER BY ?s ?o'


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """Three documents, one with control characters in its title and text, two with them in their
    file names (with a list as title, so that each gets a warning naming it); built with the model off."""
    folder = tmp_path_factory.mktemp("terminal")
    docs = folder / "docs"
    docs.mkdir()
    (docs / "talk.md").write_text(TALK, encoding="utf-8")
    (docs / BAD_NAME).write_text("---\ntitle: [1, 2]\n---\n\nGoogle spoke about observability at KubeCon.\n",
                                 encoding="utf-8")
    (docs / NEWLINE_NAME).write_text("---\ntitle: [3, 4]\n---\n\nMicrosoft spoke about security at KubeCon.\n",
                                     encoding="utf-8")
    out = folder / "out"
    run = kgkit("build", str(docs), "-o", str(out), "-j", "1", env={**os.environ, "KGKIT_SPACY_MODEL_EN": "none"})
    assert run.code == 0 and "3 documents" in run.out, (run.out, run.err)
    return out, run


def test_warnings_escape_file_names_and_a_newline_does_not_split_them(hostile_build: tuple[Path, Run]) -> None:
    _, run = hostile_build
    assert no_control_characters(run.err) and no_control_characters(run.out), run.err
    lines = run.err.splitlines()
    assert len(lines) == 2 and all(line.startswith("kgkit: warning: ") for line in lines), run.err
    assert any(BAD_NAME_SHOWN in line and "expected text, not a list" in line for line in lines), lines
    assert any("new\\u000Aline.md" in line and "expected text, not a list" in line for line in lines), lines


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_query_tables_and_markdown_escape_document_text_and_file_names(
    run_cli: CliRun, hostile_build: tuple[Path, Run], fmt: str
) -> None:
    out_dir, _ = hostile_build
    code, out, err = run_cli("query", "-i", str(out_dir), "--sparql", LITERALS, "-f", fmt)
    assert code == 0 and no_control_characters(out) and no_control_characters(err), err
    assert ESCAPED in out  # the quote of the talk's sentence, shown escaped
    assert "KubeCon \\u001B[31m\\u0007\\u202E 2024" in out  # the title from the front matter
    assert BAD_NAME_SHOWN in out  # the file name (kg:sourcePath)
    # a newline in a cell would break the row: shown as a space (a table's cells are on one line)
    assert "new\nline" not in out and ("new line.md" in out or "new\\u000Aline.md" in out), out


def test_explain_escapes_names_quotes_and_file_names(run_cli: CliRun, hostile_build: tuple[Path, Run]) -> None:
    out_dir, _ = hostile_build
    code, out, err = run_cli("explain", "-i", str(out_dir), "Red Hat")
    assert code == 0 and no_control_characters(out + err), out
    assert ESCAPED in out and "KubeCon \\u001B[31m\\u0007\\u202E 2024 mentions Red Hat" in out, out
    code, out, err = run_cli("explain", "-i", str(out_dir), "Google")
    assert code == 0 and no_control_characters(out + err), out
    assert f"[{BAD_NAME_SHOWN}:" in out, out
    code, out, err = run_cli("explain", "-i", str(out_dir), "Microsoft")
    assert code == 0 and no_control_characters(out + err), out
    assert "[new\\u000Aline.md:" in out and all(line.startswith(("    ", "Microsoft", "KubeCon", "4 facts"))
                                                  for line in out.splitlines()), out


def test_an_error_naming_a_hostile_file_is_one_escaped_line(run_cli: CliRun, tmp_path: Path) -> None:
    missing = tmp_path / f"gone\x1b[2J\x07\n{chr(0x202E)}.nt"
    for command in (("export", "-f", "nt"), ("query", "--sparql", "ASK {}"), ("validate",)):
        code, _, err = run_cli(*command, "-i", str(missing))
        assert code == 2 and no_control_characters(err) and len(err.strip().splitlines()) == 1, (command, err)
        assert "gone\\u001B[2J\\u0007\\u000A\\u202E.nt" in err, err
