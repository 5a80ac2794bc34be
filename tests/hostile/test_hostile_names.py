"""Documents made to attack what kgkit writes: YAML tags that would run code, names that would break
an IRI, a line of N-Quads or a label, file names with ``..`` or newlines, and a folder of 5,000 files.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from hostile_kit import EXE
from rdflib import Dataset, Literal, URIRef

from kgkit.rdf.terms import SCHEMA

HOSTILE_NAME = 'Acme> "Corp" {x} \u202eevil\u200b'


def kgkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KGKIT_SPACY_MODEL_EN": "none"}  # (what is tested is kgkit's own handling)
    return subprocess.run([EXE, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_yaml_tag_that_would_run_code_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    (tmp_path / "tag.md").write_text(
        f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n---\nKubeCon Europe 2024 was fun.\n'
    )
    (tmp_path / "good.md").write_text("# Recap\n\nKubeCon Europe 2024 was fun.\n")
    done = kgkit("build", ".", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "tag.md" in line]
    assert len(warning) == 1 and "skipped tag.md:2: broken YAML front matter" in warning[0]
    assert not marker.exists()
    assert "1 documents, 1 skipped" in done.stdout


def test_names_with_markup_quotes_braces_and_invisible_characters_keep_every_output_well_formed(
    tmp_path: Path,
) -> None:
    text = f'---\ntitle: "{HOSTILE_NAME.replace(chr(34), chr(92) + chr(34))}"\n---\n' \
           f"Jane Doe from {HOSTILE_NAME} spoke about sustainability at KubeCon Europe 2024.\n"
    (tmp_path / "names.md").write_text(text, encoding="utf-8")
    assert kgkit("build", "names.md", "-o", "out", cwd=tmp_path).returncode == 0
    data = Dataset()
    data.parse(tmp_path / "out" / "kg.nq", format="nquads")  # every line still parses
    iris = {str(t) for quad in data.quads() for t in quad[:3] if isinstance(t, URIRef)}
    assert not [i for i in iris if any(c in i for c in '<>"{}\u202e\u200b \n')]
    titles = {str(o) for _, p, o, _ in data.quads((None, SCHEMA.name, None, None)) if isinstance(o, Literal)}
    assert HOSTILE_NAME in titles  # the label keeps the text as written
    for fmt, suffix in (("turtle", "ttl"), ("jsonld", "jsonld"), ("trig", "trig")):
        out = tmp_path / f"kg.{suffix}"
        assert kgkit("export", "-i", "out", "-f", fmt, "-o", str(out), cwd=tmp_path).returncode == 0
        again = Dataset()
        again.parse(out, format="json-ld" if fmt == "jsonld" else fmt)
        assert len(again) or sum(1 for _ in again.quads())
    assert kgkit("validate", "-i", "out", cwd=tmp_path).returncode == 0


def test_file_names_with_dots_and_newlines_name_their_graph_safely(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "up..and..down.md").write_text("# One\n\nKubeCon Europe 2024 was fun.\n")
    (folder / "two\nlines.md").write_text("# Two\n\nKubeCon Europe 2024 was long.\n")
    done = kgkit("build", "docs", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "out"]  # nothing written elsewhere
    graphs = {str(q[3]) for q in Dataset().parse(tmp_path / "out" / "kg.nq", format="nquads").quads()}
    docs = [g for g in graphs if "/graph/doc/" in g]
    assert len(docs) == 2 and not [g for g in docs if ".." in g or "\n" in g or " " in g]


@pytest.mark.slow
def test_a_folder_of_5000_tiny_files_builds_each_of_them(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5000):
        # (the language declared: what is tested is the folder, not the language detector on 5,000 notes)
        note = f"---\nlang: en\n---\n# Note {i}\n\nKubeCon Europe 2024, talk {i}.\n"
        (folder / f"note-{i:04d}.md").write_text(note)
    done = kgkit("build", "many", "-o", "out", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # (read by Oxigraph: rdflib took 15 of the test's 33 s to parse the 150,000 quads)
    quads = pyoxigraph.parse(path=tmp_path / "out" / "kg.nq", format=pyoxigraph.RdfFormat.N_QUADS)
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    assert sum(1 for g in graphs if "/graph/doc/" in g) == 5000
