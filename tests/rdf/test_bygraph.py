"""The graphs of an N-Quads or N-Triples file one at a time (what ``kgkit load`` sends): the same
graphs rdflib reads, whether each graph's statements come together in the file (as a build writes
them) or not (sorted through runs on disk), blank nodes the same node within their graph, and
one-line InputErrors for what a store could not take."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kgkit.errors import InputError
from kgkit.rdf import linesort
from kgkit.rdf.bygraph import GraphFile, GraphLines

X = "http://x.example/"
# two graphs and the default graph; a repeated statement, blank nodes shared by lines of a graph (and
# by another graph), literals that look like terms, escapes, a comment and odd spacing
G1 = [
    f'<{X}s> <{X}p> "a b" <{X}g1> .',
    f'<{X}s> <{X}p> "<{X}g2> ." <{X}g1> .',
    f"_:n <{X}p> _:m <{X}g1> .",
    f'_:m <{X}q> "x\\"y\\\\z\\u0001\\n"@en <{X}g1> .',
    f'<{X}s> <{X}p> "a b" <{X}g1> .',
]
G2 = [
    f'<{X}s> <{X}p> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> <{X}g2> .',
    f"<{X}s>\t<{X}p>   <{X}o>  <{X}g2>.",
    f"<{X}s> <{X}p> _:n <{X}g2> .",
]
DEFAULT = [f'<{X}t> <{X}p> "default, with \u2028 in it" .', "# a comment", ""]
GROUPED = G1 + DEFAULT + G2
INTERLEAVED = [G1[0], G2[0], G1[1], DEFAULT[0], G1[2], G2[1], G1[3], G2[2], G1[4], *DEFAULT[1:]]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected(path: Path) -> dict[str | None, Graph]:
    ds = Dataset()
    ds.parse(path, format="nquads")
    return {(None if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier)): g for g in ds.graphs() if len(g)}


def as_graph(graph: GraphLines) -> Graph:
    return Graph().parse(data=graph.ntriples().decode("utf-8"), format="nt")


def check_graphs(got: list[GraphLines], want: dict[str | None, Graph]) -> None:
    assert sorted(g.name or "" for g in got) == sorted(name or "" for name in want)
    for graph in got:
        assert graph.lines == sorted(set(graph.lines)) and all(b"\n" not in line for line in graph.lines)
        assert len(graph) == len(want[graph.name]) and isomorphic(as_graph(graph), want[graph.name]), graph.name


def test_graphs_that_come_together_are_read_in_the_order_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "kg.nq", GROUPED)
    with GraphFile(path) as source:
        assert source.grouped
        assert source.counts == {f"{X}g1": 5, None: 1, f"{X}g2": 3}  # a repeated statement each time
        got = list(source.graphs())
    assert [g.name for g in got] == [f"{X}g1", None, f"{X}g2"]
    check_graphs(got, expected(path))
    assert len(got[0]) == 4  # ... and once in the graph


@pytest.mark.parametrize("run_bytes", [None, 40])  # 40 bytes: a run on disk every line or two, merged
def test_interleaved_graphs_are_sorted_by_name_through_the_disk(tmp_path: Path, run_bytes: int | None) -> None:
    path = write(tmp_path / "kg.nq", INTERLEAVED)
    with GraphFile(path, run_bytes=run_bytes) as source:
        assert not source.grouped
        got = list(source.graphs())
    assert [g.name for g in got] == [None, f"{X}g1", f"{X}g2"]
    check_graphs(got, expected(path))
    assert not list(tmp_path.glob("kgkit-sort-*"))


@pytest.mark.parametrize("lines", [GROUPED, INTERLEAVED])
def test_a_blank_node_is_one_node_within_its_graph(tmp_path: Path, lines: list[str]) -> None:
    """_:n and _:m link two statements of g1, wherever they are in the file: the graph's lines give
    each the same label in both (whatever the label is), so that one request makes them one node."""
    path = write(tmp_path / "kg.nq", lines)
    with GraphFile(path, run_bytes=40) as source:
        graphs = {g.name: g for g in source.graphs()}
    g1 = graphs[f"{X}g1"]
    assert g1.has_bnodes() and not graphs[None].has_bnodes()
    (link,) = [line.split(b" ") for line in g1.lines if line.count(b"_:") == 2]
    (typed,) = [line for line in g1.lines if line.startswith(b"_:") and line.count(b"_:") == 1]
    assert link[0].startswith(b"_:") and link[2].startswith(b"_:") and link[0] != link[2]
    assert typed.startswith(link[2] + b" ")


@pytest.mark.parametrize("lines", [GROUPED, INTERLEAVED])
def test_wanted_graphs_only(tmp_path: Path, lines: list[str]) -> None:
    path = write(tmp_path / "kg.nq", lines)
    with GraphFile(path) as source:
        got = list(source.graphs([f"{X}g2", None]))
    assert {g.name for g in got} == {f"{X}g2", None}
    check_graphs(got, {name: g for name, g in expected(path).items() if name != f"{X}g1"})


def test_a_file_of_triples_is_its_default_graph(tmp_path: Path) -> None:
    path = write(tmp_path / "kg.nt", [f"<{X}s> <{X}p> <{X}o> .", f'_:b <{X}p> "x" .'])
    with GraphFile(path) as source:
        assert source.counts == {None: 2}
        (graph,) = source.graphs()
    assert graph.name is None and graph.has_bnodes() and len(graph) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f'<{X}s> <{X}p> "unclosed <{X}g> .', "not valid nquads: .*line 2"),
        (f"<{X}s> <{X}p> <a b> .", "Invalid IRI code point"),
        (f'<{X}s> <{X}p> "\\uD800" .', "not a valid unicode character"),
        (f"<{X}s> <{X}p> <{X}o> _:g .", "named by the blank node _:g, which a store cannot name"),
    ],
)
def test_what_a_store_cannot_take_is_one_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "bad.nq", [f"<{X}s> <{X}p> <{X}o> .", line])
    with pytest.raises(InputError, match=message) as info:
        GraphFile(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))


def test_a_file_that_changes_between_readings_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "kg.nq", [f"<{X}s> <{X}p> <{X}o> <{X}g1> .", f"<{X}s> <{X}p> <{X}o> <{X}g2> ."])
    with GraphFile(path) as source:
        write(path, [f"<{X}s> <{X}p> <{X}o> <{X}g1> .", f"<{X}s> <{X}p> <{X}o> <{X}g3> ."])
        with pytest.raises(InputError, match="changed while kgkit was reading it"):
            list(source.graphs())
        write(path, [f"<{X}s> <{X}p> <{X}o> <{X}g1> .", f"<{X}s> <{X}p> <{X}o> <{X}g2> .",
                     f"<{X}t> <{X}p> <{X}o> <{X}g1> ."])
        with pytest.raises(InputError, match="no longer come together"):
            list(source.graphs())


def test_many_runs_are_merged_a_few_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sort of more runs than MERGE_RUNS merges them into longer runs as it goes: few files at once."""
    monkeypatch.setattr(linesort, "MERGE_RUNS", 3)
    lines = [f"<{X}s{i % 97}> <{X}p> \"{i % 89}\" <{X}g{i % 7}> ." for i in range(2000)]
    path = write(tmp_path / "kg.nq", lines)
    most = spills = 0
    original = linesort.LineSorter._spill

    def spill(self: linesort.LineSorter) -> None:
        nonlocal most, spills
        spills += 1
        original(self)
        most = max(most, len(self._runs))

    monkeypatch.setattr(linesort.LineSorter, "_spill", spill)
    with GraphFile(path, run_bytes=200) as source:
        got = list(source.graphs())
    check_graphs(got, expected(path))
    # ~600 runs written; at most MERGE_RUNS - 1 of each length on disk at once, for ~6 lengths
    assert spills > 300 and 3 <= most <= 2 * 7 + 1
