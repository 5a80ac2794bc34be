"""``kgkit export``: the built graph in any RDF format of :data:`kgkit.rdf.formats.FORMATS`.

Quad formats (N-Quads, TriG, JSON-LD) keep the named graphs; triple formats (Turtle, N-Triples,
RDF/XML) get the union of all graphs. N-Triples and N-Quads are sorted line by line, so the same
graph gives the same bytes on every run (given no blank nodes in N-Quads; kgkit writes none).
Turtle and TriG use the kgkit prefixes; JSON-LD is compacted with ``ontology/context.jsonld``,
embedded so the file stands alone.

JSON-LD can also be *framed* (JSON-LD 1.1 Framing, by pyld): ``frame="conference"`` writes each
conference with its parts (co-located events and sessions, through the reverse term ``hasPart``),
their speakers with their organizations, the place and the organizer nested inside it; other
nodes are referred to by IRI. A frame is a view: it holds only what the frame reaches. A path to a
JSON-LD frame file works too (without an ``@context`` it gets the kgkit context).

>>> print(export("build", format="turtle"))  # doctest: +SKIP
>>> export("build", format="jsonld", output="kg.jsonld")
PosixPath('kg.jsonld')
>>> export("build", format="jsonld", frame="conference", output="conferences.jsonld")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from kgkit.errors import InputError
from kgkit.rdf.files import atomic_write, one_line, resolve_input
from kgkit.rdf.formats import NotStreamable, RdfFormat, get_format
from kgkit.rdf.jsonld import jsonld_context
from kgkit.rdf.read import as_dataset, bind_prefixes, union_graph
from kgkit.rdf.stream import stream_export, streamable


def export(
    source: str | Path | Dataset | Graph = "build",
    *,
    format: str = "turtle",
    output: str | Path | None = None,
    frame: str | Path | Mapping[str, Any] | None = None,
) -> str | Path:
    """``source`` (a build directory, an RDF file, a Dataset or Graph) written as ``format``.

    ``frame`` (JSON-LD only) is a frame name of :data:`FRAMES`, a frame file or a frame object.
    Returns the text when ``output`` is None, else writes it atomically and returns the path.
    """
    if frame is not None:
        if get_format(format).name != "jsonld":
            raise InputError(f"--frame needs --format jsonld, not {format}")
        text = framed(as_dataset(source), frame)
    else:
        fast = None if isinstance(source, Graph) else _streamed(source, get_format(format), output)
        if fast is not None:
            return fast
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


Writer = Callable[[Graph, RdfFormat], str]


def _rdflib_writer(data: Graph, fmt: RdfFormat) -> str:
    try:
        text = data.serialize(format=fmt.rdflib_name)
    except ValueError as err:  # e.g. RDF/XML has no name for a predicate such as http://example.org/0
        raise InputError(f"cannot write this graph as {fmt.name}: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise InputError(f"cannot write this graph as {fmt.name}: {_TOO_DEEP}") from None
    if fmt.name == "xml" and _NOT_XML.search(text):
        raise InputError(
            "cannot write this graph as xml: a literal holds a control character XML 1.0 cannot "
            "carry; use nquads, trig or turtle"
        )
    return text


#: Blank nodes up to which a graph's are relabelled canonically (rdflib's canonicalization takes
#: seconds for hundreds of them in a chain, hours for thousands)
MAX_CANONICAL_BNODES = 200
_TOO_DEEP = "blank nodes nested too deeply for rdflib's writer; use nt or nquads"


def _sorted_lines(data: Graph, fmt: RdfFormat) -> str:
    """N-Triples / N-Quads, one statement a line, sorted; a triple graph's blank nodes (up to
    MAX_CANONICAL_BNODES of them) are relabelled canonically first so that they too come out the
    same every time."""
    if not isinstance(data, Dataset):
        bnodes = {t for triple in data for t in triple if isinstance(t, BNode)}
        if 0 < len(bnodes) <= MAX_CANONICAL_BNODES:
            data = to_canonical_graph(data)
    lines = {  # split at "\n" only: str.splitlines() would also split at U+001E, U+2028, ... in a literal
        one_line(line.removesuffix("  .") + " ." if line.endswith("  .") else line)
        for line in data.serialize(format=fmt.rdflib_name).split("\n")
        if line.strip()
    }
    return "".join(line + "\n" for line in sorted(lines))


def _jsonld(data: Graph, fmt: RdfFormat) -> str:
    try:
        return data.serialize(format=fmt.rdflib_name, context=jsonld_context(), indent=2)
    except RecursionError:
        raise InputError(f"cannot write this graph as {fmt.name}: {_TOO_DEEP}") from None


WRITERS: dict[str, Writer] = {"nt": _sorted_lines, "nquads": _sorted_lines, "jsonld": _jsonld}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _streamed(source: str | Path | Dataset, fmt: RdfFormat, output: str | Path | None) -> str | Path | None:
    """``source`` (a file or build) exported by :func:`kgkit.rdf.stream.stream_export`, 20-40x faster
    than rdflib and in bounded memory: the text (``output`` None) or the path written; None when
    this path does not apply (pyoxigraph missing, JSON-LD in, blank nodes, which only the rdflib path
    relabels canonically, or a syntax error, which the rdflib path reports in its words). The same
    graph as the rdflib path, in the same line order for N-Triples and N-Quads (tests/test_export.py
    compares both)."""
    if isinstance(source, Dataset):
        return None
    file = resolve_input(source)
    if not streamable(file, fmt):
        return None
    try:
        if output is None:
            buffer = io.BytesIO()
            stream_export(file, fmt, buffer)
            return buffer.getvalue().decode("utf-8")
        with atomic_write(output, "wb") as fh:
            stream_export(file, fmt, fh)
        return Path(output)
    except NotStreamable:
        return None


def conference_frame() -> dict[str, Any]:
    """Each conference with its parts (events, sessions), speakers, organizations, place, organizer.

    Built from the published context: every IRI-valued term not named here is written as a
    reference (``@embed: @never``), so that the nesting stops where the frame says.
    """
    context = {**jsonld_context(), "hasPart": {"@reverse": "kg:partOf"}}
    references = [t for t, d in context.items() if isinstance(d, dict) and d.get("@type") == "@id"]
    never = {term: {"@embed": "@never"} for term in [*references, "hasPart"]}

    def node(**nested: dict[str, Any]) -> dict[str, Any]:
        # "@type": {} matches any typed node, so a node need not have the nested properties
        return {"@type": {}, **never, **nested, "@embed": "@always"}

    speaker = node(affiliation=node())
    part = node(presenter=speaker, featuresOrganization=node(), location=node())
    return {
        "@context": context,
        "@type": "Conference",
        **never,
        "location": node(containedInPlace=node()),
        "organizer": node(),
        "presenter": speaker,
        "hasPart": {**part, "hasPart": part},  # sessions of co-located events too
    }


#: Frames by name (``kgkit export --frame NAME``).
FRAMES: dict[str, Callable[[], dict[str, Any]]] = {"conference": conference_frame}


def framed(data: Dataset | Graph, frame: str | Path | Mapping[str, Any]) -> str:
    """The union of ``data``'s graphs as JSON-LD framed by ``frame`` (a name, a file or an object),
    compacted with the frame's context; the same input gives the same bytes."""
    try:
        from pyld import jsonld
    except ImportError:
        raise InputError("--frame needs the JSON-LD processor pyld: pip install pyld") from None
    frame_doc = _frame_document(frame)
    graph = union_graph(data) if isinstance(data, Dataset) else data
    expanded = _sorted_json(json.loads(graph.serialize(format="json-ld")))

    def no_remote_documents(url: str, options: Any = None) -> Any:
        raise jsonld.JsonLdError(
            f"kgkit does not load remote JSON-LD documents ({url})",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )

    try:
        result = jsonld.frame(expanded, frame_doc, {"omitDefault": True, "documentLoader": no_remote_documents})
    except jsonld.JsonLdError as err:
        raise InputError(f"cannot frame the graph: {_jsonld_message(err)}") from None
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def _frame_document(frame: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(frame, Mapping):
        doc = dict(frame)
    elif str(frame) in FRAMES:
        return FRAMES[str(frame)]()
    else:
        path = Path(frame)
        if not path.is_file():
            raise InputError(f"unknown frame {str(frame)!r}: give one of {', '.join(FRAMES)} or a JSON-LD frame file")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read the frame: {err}", path=path) from None
        if not isinstance(doc, dict):
            raise InputError("a JSON-LD frame must be a JSON object", path=path)
    doc.setdefault("@context", jsonld_context())
    return doc


def _sorted_json(value: Any) -> Any:
    """``value`` with every array sorted (node objects by @id): a canonical order for framing."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld_message(err: Exception) -> str:
    message = str(getattr(err, "message", "") or err).strip().splitlines()
    return message[0] if message else type(err).__name__
