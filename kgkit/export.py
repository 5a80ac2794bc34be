"""``kgkit export``: the built graph in any RDF format of :data:`kgkit.rdfio.FORMATS`.

Quad formats (N-Quads, TriG, JSON-LD) keep the named graphs; triple formats (Turtle, N-Triples,
RDF/XML) get the union of all graphs. N-Triples and N-Quads are sorted line by line, so the same
graph gives the same bytes on every run (given no blank nodes in N-Quads; kgkit writes none).
Turtle and TriG use the kgkit prefixes; JSON-LD is compacted with ``ontology/context.jsonld``,
embedded so the file stands alone.

>>> print(export("build", format="turtle"))  # doctest: +SKIP
>>> export("build", format="jsonld", output="kg.jsonld")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

import kgkit
from kgkit.errors import InputError
from kgkit.rdfio import RdfFormat, atomic_write, bind_prefixes, get_format, load_dataset, union_graph

CONTEXT_FILE = Path(kgkit.__file__).parent.parent / "ontology" / "context.jsonld"


def export(
    source: str | Path | Dataset | Graph = "build",
    *,
    format: str = "turtle",
    output: str | Path | None = None,
) -> str | Path:
    """``source`` (a build directory, an RDF file, a Dataset or Graph) written as ``format``.

    Returns the text when ``output`` is None, else writes it atomically and returns the path.
    """
    text = serialize(as_dataset(source), format)
    if output is None:
        return text
    with atomic_write(output) as fh:
        fh.write(text)
    return Path(output)


def serialize(data: Dataset | Graph, format: str | RdfFormat) -> str:
    """``data`` as text in ``format``: a Dataset keeps its graphs only in a quad format."""
    fmt = get_format(format) if isinstance(format, str) else format
    if fmt.quads:
        data = data if isinstance(data, Dataset) else as_dataset(data)
    elif isinstance(data, Dataset):
        data = union_graph(data)
    bind_prefixes(data)
    return WRITERS.get(fmt.name, _rdflib_writer)(data, fmt)


def as_dataset(source: str | Path | Dataset | Graph) -> Dataset:
    """A Dataset for a build directory or RDF file (see kgkit.rdfio.load_dataset) or an rdflib graph.

    A plain Graph becomes the default graph of a new Dataset; a Dataset is returned as it is.
    """
    if isinstance(source, Dataset):
        return source
    if isinstance(source, Graph):
        ds = Dataset()
        bind_prefixes(ds)
        for triple in source:
            ds.add(triple)
        return ds
    return load_dataset(source)


@functools.cache
def jsonld_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    try:
        return dict(json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"cannot read the JSON-LD context: {err}", path=CONTEXT_FILE) from None


# --- writers, one per format that needs more than rdflib's serializer ----------------------------

Writer = Callable[[Graph, RdfFormat], str]


def _rdflib_writer(data: Graph, fmt: RdfFormat) -> str:
    return data.serialize(format=fmt.rdflib_name)


def _sorted_lines(data: Graph, fmt: RdfFormat) -> str:
    """N-Triples / N-Quads, one statement a line, sorted; a triple graph's blank nodes are
    relabelled canonically first so that they too come out the same every time."""
    if not isinstance(data, Dataset) and any(isinstance(t, BNode) for triple in data for t in triple):
        data = to_canonical_graph(data)
    lines = {
        line.removesuffix("  .") + " ." if line.endswith("  .") else line  # rdflib's default-graph quads
        for line in data.serialize(format=fmt.rdflib_name).splitlines()
        if line.strip()
    }
    return "".join(line + "\n" for line in sorted(lines))


def _jsonld(data: Graph, fmt: RdfFormat) -> str:
    return data.serialize(format=fmt.rdflib_name, context=jsonld_context(), indent=2)


WRITERS: dict[str, Writer] = {"nt": _sorted_lines, "nquads": _sorted_lines, "jsonld": _jsonld}
