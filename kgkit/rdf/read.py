"""RDF into rdflib: any file kgkit reads as a Dataset, the union of its graphs, kgkit's prefixes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kgkit.errors import InputError
from kgkit.rdf.contexts import inline_contexts
from kgkit.rdf.files import first_line, resolve_input
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.guard import check_for_rdflib
from kgkit.rdf.ntriples import IRI
from kgkit.rdf.terms import PREFIXES


def load_dataset(path: str | Path) -> Dataset:
    """Load a build directory or any RDF file into an rdflib Dataset (triples go to the default graph).

    >>> ds = load_dataset("build")  # doctest: +SKIP
    """
    file = resolve_input(path)
    fmt = format_for_path(file)
    check_for_rdflib(file, fmt.name)
    ds = Dataset()
    bind_prefixes(ds)
    try:
        if fmt.name == "jsonld":  # its context references resolved by kgkit, never fetched by rdflib
            ds.parse(data=_jsonld_text(file), format=fmt.rdflib_name, publicID=file.absolute().as_uri())
        elif fmt.quads:
            ds.parse(file, format=fmt.rdflib_name)
        else:
            ds.default_graph.parse(file, format=fmt.rdflib_name)
    except InputError as err:
        raise InputError(err.message, path=file, line=err.line) from None
    except RecursionError:
        raise InputError(f"not valid {fmt.name} for rdflib: {NESTED_TOO_DEEPLY}", path=file) from None
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=file) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=file) from None
    except SAXParseException as err:
        raise InputError(f"not valid {fmt.name}: {err.getMessage()}", path=file, line=err.getLineNumber()) from None
    except (ParserError, SyntaxError, ValueError) as err:
        line = getattr(err, "lines", None) or getattr(err, "lineno", None)
        raise InputError(
            f"not valid {fmt.name}: {first_line(err)}", path=file, line=line if isinstance(line, int) else None
        ) from None
    except Exception as err:  # rdflib's parsers fail on some garbage with IndexError, AssertionError, ...
        raise InputError(f"not valid {fmt.name}: {type(err).__name__}: {first_line(err)}", path=file) from None
    _check_iris(ds, file, fmt.name)
    return ds


NESTED_TOO_DEEPLY = "nested too deeply (blank nodes, collections or JSON more than ~900 levels deep)"


def _jsonld_text(file: Path) -> str:
    """The JSON-LD document of ``file`` with its context references inlined (:mod:`kgkit.rdf.contexts`)."""
    try:
        document = json.loads(file.read_bytes().decode("utf-8"))
    except RecursionError:
        raise InputError(f"not valid jsonld: {NESTED_TOO_DEEPLY}") from None
    except ValueError as err:
        line = getattr(err, "lineno", None)
        raise InputError(f"not valid jsonld: {first_line(err)}", line=line if isinstance(line, int) else None) from None
    return json.dumps(inline_contexts(document), ensure_ascii=False)


def _check_iris(ds: Dataset, file: Path, fmt_name: str) -> None:
    r"""InputError for an IRI no RDF syntax can write (rdflib reads ``<a b>``, ``<a\u0000b>``,
    ``<a\u003Eb>`` with a warning; written out, they break the file or the writer), and for a term
    holding an unpaired surrogate (``"\uD800"``), which no UTF-8 file can hold."""
    seen: set[Node] = set()
    for quad in ds.quads((None, None, None, None)):
        for node in quad:
            if node in seen or not isinstance(node, URIRef | Literal):
                continue
            seen.add(node)
            if _SURROGATE.search(node):
                kind = "an IRI" if isinstance(node, URIRef) else "a literal"
                raise InputError(f"not valid {fmt_name}: {kind} holds an unpaired surrogate (as \\uD800 writes), "
                                 "which UTF-8 cannot encode", path=file)
            if isinstance(node, URIRef) and not IRI.fullmatch(node):
                bad = next((c for c in node if c in _NOT_IN_IRIS or ord(c) <= 0x20), None)
                shown = repr(str(node)[:200])
                what = f"holds the character {bad!r}, which an IRI cannot" if bad else "is not an absolute IRI"
                raise InputError(f"not valid {fmt_name}: the IRI {shown} {what}", path=file)


_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_IN_IRIS = set('<>"{}|\\^`')


def as_graph(source: str | Path | Dataset | Graph) -> Graph:
    """All triples of a build directory, an RDF file or a Dataset in one Graph; a Graph as it is."""
    if isinstance(source, Dataset):
        return union_graph(source)
    if isinstance(source, Graph):
        return source
    return union_graph(load_dataset(source))


def union_graph(ds: Dataset) -> Graph:
    """All triples of all graphs of ``ds`` in one in-memory Graph (what SHACL and SPARQL see)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def bind_prefixes(graph: Graph) -> None:
    """Bind kgkit's prefixes (``kg:``, ``schema:`` = https://schema.org/, ...) on ``graph``."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def as_dataset(source: str | Path | Dataset | Graph) -> Dataset:
    """A Dataset for a build directory or RDF file (see kgkit.rdf.read.load_dataset) or an rdflib graph.

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


def named_graphs(ds: Dataset) -> list[tuple[str | None, Graph]]:
    """The non-empty graphs of ``ds`` as (name, graph), the default graph named None, sorted by name."""
    graphs = [
        (None if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier), g) for g in ds.graphs() if len(g)
    ]
    return sorted(graphs, key=lambda item: item[0] or "")
