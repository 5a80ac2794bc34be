"""Curation: reject, accept, merge, rename, alias — applied on every build."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import CORPUS
from rdflib import Graph, Literal

from kgkit.errors import InputError
from kgkit.graph.build import build
from kgkit.rdf.read import load_dataset, union_graph
from kgkit.rdf.terms import ID, SCHEMA


def built_with(tmp_path: Path, curation: str) -> Graph:
    cur = tmp_path / "curation.yaml"
    cur.write_text(curation, encoding="utf-8")
    return union_graph(load_dataset(build([CORPUS], tmp_path / "out", curation=cur).output))


@pytest.mark.slow
def test_curation_operations(tmp_path: Path) -> None:
    ds = built_with(tmp_path, """
reject: ["Goldman Sachs"]
accept: ["Pachama"]
merge: [{from: "ZEISS Group", into: "https://w3id.org/kgkit/id/org/carl-zeiss"}]
rename: [{entity: "Intuit", name: "Intuit Inc."}]
alias: [{entity: "Deutsche Bahn", alias: "DB"}]
""")
    assert (ID["org/goldman-sachs"], None, None) not in ds
    assert (ID["org/pachama"], SCHEMA.name, Literal("Pachama")) in ds  # a name, in no language
    assert (None, None, ID["org/goldman-sachs"]) not in ds
    assert (ID["org/zeiss-group"], None, None) not in ds
    assert (ID["org/carl-zeiss"], SCHEMA.alternateName, Literal("ZEISS Group")) in ds
    assert (ID["org/intuit"], SCHEMA.name, Literal("Intuit Inc.")) in ds
    assert (ID["org/deutsche-bahn"], SCHEMA.alternateName, Literal("DB")) in ds


def test_bad_curation_file(tmp_path: Path) -> None:
    cur = tmp_path / "c.yaml"
    cur.write_text("merge: [{from: x}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing"):
        build([CORPUS], tmp_path / "out", curation=cur)
