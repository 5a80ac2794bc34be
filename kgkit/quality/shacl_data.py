"""What the SHACL engines validate, and what a report needs to know about the nodes that failed.

There are two ways to the same report:

* :class:`GraphData`: an rdflib Graph (with the Dataset it came from, for source documents). pySHACL
  uses it, and so does every engine for in-memory input and for files only rdflib reads (JSON-LD,
  RDF/XML).
* :class:`FileData`: an N-Quads, N-Triples, Turtle or TriG file read by pyoxigraph (Rust), for
  pyshacl-turbo. No rdflib graph of the data is built: the engine gets the union of all graphs as one
  N-Triples text, and once it has validated, a pyoxigraph store of the file answers pattern lookups
  for the focus nodes that have results, and for nothing else.

The engine sees the terms rdflib would give it: typed literals are written in the lexical form
rdflib's parsers normalise them to (``"007"^^xsd:integer`` is read as ``"7"``), so both ways report
the same findings (tests/test_validate.py compares them). The store is not the engine's input
because Oxigraph canonicalises literals when it stores them (``"5"^^xsd:nonNegativeInteger`` comes
back as ``"5"^^xsd:integer``, oxigraph/oxigraph#526), which would turn every ``sh:datatype
xsd:nonNegativeInteger`` into a violation; the lookups read only labels, types and IRIs, which it
keeps as they are.

>>> conference = URIRef("https://w3id.org/kgkit/id/conference/kubecon-cloudnativecon-europe-2024")
>>> GraphData.load("tests/data/sample.trig").facts([conference])[conference].label
'KubeCon + CloudNativeCon Europe 2024'
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, cast

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kgkit.errors import InputError
from kgkit.graph.labels import LABEL_PROPS, label_of
from kgkit.rdf.files import resolve_input
from kgkit.rdf.formats import RdfFormat, format_for_path
from kgkit.rdf.guard import OXIGRAPH_LIMIT_MESSAGE, oxigraph_limit
from kgkit.rdf.oxigraph import ox_format, ox_term, term
from kgkit.rdf.read import bind_prefixes, load_dataset, union_graph
from kgkit.rdf.terms import KG, OA
from kgkit.stores import Source, local_store
from kgkit.stores.oxigraph import OxigraphStore

LABELS = LABEL_PROPS

#: Formats :class:`FileData` reads: the ones whose parsing by pyoxigraph and by rdflib the tests compare.
FAST_FORMATS = frozenset({"nquads", "nt", "turtle", "trig"})

#: Formats whose blank nodes all have labels in the file, so two reads of it name them alike.
_LABELLED_BLANK_NODES = frozenset({"nquads", "nt"})
_BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark


@dataclass(frozen=True)
class Facts:
    """What a report says about a focus node besides the SHACL result itself."""

    label: str  # schema:name / skos:prefLabel / rdfs:label (English or untagged first), else the IRI
    types: frozenset[Node] = frozenset()  # its rdf:types, to tell which node shape a property shape serves
    documents: tuple[str, ...] = ()  # source files it comes from (kg:sourcePath)
    values: Mapping[Node, tuple[Node, ...]] = field(default_factory=dict)  # of the paths asked for, sorted


class ShaclData(Protocol):
    """A data graph as one engine validates it, and the facts about its nodes."""

    def engine_input(self) -> Any:
        """What to pass as ``data_graph`` to the engine's ``validate``."""

    def facts(self, nodes: Iterable[Node], paths: Mapping[Node, Iterable[Node]] | None = None) -> dict[Node, Facts]:
        """:class:`Facts` of each of ``nodes``, with the values of the properties ``paths`` names for it."""


def shacl_data(source: Source, *, fast: bool, store: str = "auto") -> ShaclData:
    """The data of a build directory, an RDF file or an in-memory graph, ready for an engine.

    ``fast`` (pyshacl-turbo is the engine) reads an N-Quads, N-Triples, Turtle or TriG file with
    Oxigraph when ``store`` (as for :func:`kgkit.stores.open_store`) picks it; everything else is loaded
    into rdflib. InputError if the file is missing or unreadable.

    >>> type(shacl_data("tests/data/sample.trig", fast=False)).__name__
    'GraphData'
    >>> type(shacl_data("tests/data/sample.trig", fast=True, store="memory")).__name__
    'GraphData'
    """
    if isinstance(source, Dataset):
        return GraphData(union_graph(source), source)
    if isinstance(source, Graph):
        return GraphData(_copy(source), None)
    file = resolve_input(source)
    fmt = format_for_path(file)
    oxigraph = local_store(store, file) == "oxigraph"
    if fast and oxigraph and fmt.name in FAST_FORMATS and fast_path_available():
        return FileData.open(file)
    return GraphData.load(file)


def fast_path_available() -> bool:
    """Can :class:`FileData` hand text to pyshacl-turbo? It needs pyoxigraph, and pyshacl-turbo's
    ``Input`` (the serialized-data input its ``validate`` takes; not part of its documented API, so
    checked rather than assumed: without it files go through rdflib, slower but with the same report).
    """
    if importlib.util.find_spec("pyoxigraph") is None or importlib.util.find_spec("pyshacl_turbo") is None:
        return False
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:
        return False
    fields = getattr(Input, "__dataclass_fields__", {})
    return {"source", "format", "base", "blank_nodes", "preserve_ids"} <= set(fields)


# --- rdflib ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphData:
    """An rdflib graph: the union of all graphs, and the Dataset it came from (None for a plain Graph)."""

    graph: Graph
    dataset: Dataset | None = None

    @classmethod
    def load(cls, source: str | Path) -> GraphData:
        """A build directory or RDF file loaded into rdflib."""
        dataset = load_dataset(source)
        return cls(union_graph(dataset), dataset)

    def engine_input(self) -> Graph:
        return self.graph

    def facts(self, nodes: Iterable[Node], paths: Mapping[Node, Iterable[Node]] | None = None) -> dict[Node, Facts]:
        return {node: self._facts(node, (paths or {}).get(node, ())) for node in nodes}

    def _facts(self, node: Node, paths: Iterable[Node]) -> Facts:
        names = [[o for o in self.graph.objects(node, prop) if isinstance(o, Literal)] for prop in LABELS]
        values: dict[Node, tuple[Node, ...]] = {
            path: tuple(sorted(self.graph.objects(node, path), key=_order))
            for path in paths
            if isinstance(path, URIRef)
        }
        return Facts(_label(names, node), frozenset(self.graph.objects(node, RDF.type)), self._documents(node), values)

    def _documents(self, focus: Node) -> tuple[str, ...]:
        """Source files of ``focus``: the document graphs it is a subject in, the kg:sourceDocument of
        evidence nodes (itself, the evidence of statements about it or of itself as a statement, or
        evidence pointing at it as a selector)."""
        data = self.graph
        evidence = {focus, *data.objects(focus, KG.evidence), *data.subjects(OA.hasSelector, focus)}
        for statement in data.subjects(RDF.subject, focus):
            evidence.update(data.objects(statement, KG.evidence))
        docs: set[Node] = {d for e in evidence for d in data.objects(e, KG.sourceDocument)}
        if self.dataset is not None:
            for context in {c for _, _, _, c in self.dataset.quads((focus, None, None, None)) if c is not None}:
                docs.update(self.dataset.graph(context).subjects(RDF.type, KG.Document))
        return tuple(sorted(document_name(d, data.objects(d, KG.sourcePath)) for d in docs))


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    bind_prefixes(copy)
    for triple in graph:
        copy.add(triple)
    return copy


# --- pyoxigraph --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileData:
    """An RDF file read by pyoxigraph. ``canonical`` holds a Turtle or TriG file rewritten as N-Quads, so
    that the engine's input and the lookup store, two reads of it, give its anonymous blank nodes
    (``[ ... ]``) the same labels; an N-Quads or N-Triples file is read as it is.

    >>> data = FileData.open(Path("tests/data/shapes/topic-without-label.ttl"))
    >>> topic = URIRef("https://w3id.org/kgkit/id/topic/green-ops")
    >>> facts = data.facts([topic])[topic]
    >>> facts.label, sorted(facts.types), facts.documents
    ('GreenOps', [rdflib.term.URIRef('https://w3id.org/kgkit/ontology#Topic')], ())
    """

    file: Path
    fmt: RdfFormat
    canonical: bytes | None = field(default=None, repr=False)

    @classmethod
    def open(cls, file: Path) -> FileData:
        """``file`` (N-Quads, N-Triples, Turtle or TriG); InputError if a Turtle or TriG file is not valid."""
        fmt = format_for_path(file)
        if fmt.name in _LABELLED_BLANK_NODES:
            return cls(file, fmt)
        import pyoxigraph as ox

        data = cls(file, fmt)
        with data._reading():
            text = file.read_bytes()
            # rdflib skips a byte order mark at the start of Turtle (not of N-Triples), pyoxigraph does not
            text = text[len(_BOM) :] if text.startswith(_BOM) else text
            quads = ox.parse(text, format=ox_format(fmt.name), base_iri=file.absolute().as_uri())
            canonical = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        return cls(file, fmt, canonical)

    def engine_input(self) -> Any:
        """The union of all graphs as pyshacl-turbo's N-Triples ``Input`` (built anew on each call: it is
        the largest object of a validation, and should go as soon as the engine is done with it)."""
        from pyshacl_turbo.rdf import Input

        with self._reading():
            text = union_ntriples(self._parse())
        return Input(text, "nt", None, {}, preserve_ids=True)

    def facts(self, nodes: Iterable[Node], paths: Mapping[Node, Iterable[Node]] | None = None) -> dict[Node, Facts]:
        focus = list(nodes)
        if not focus:
            return {}  # the graph conforms: no store to load
        store = OxigraphStore()
        with self._reading():
            store.add_quads(self._parse())  # added as they are: blank nodes keep the labels the engine saw
        lookup = StoreLookup(store)
        return {node: lookup.facts(node, (paths or {}).get(node, ())) for node in focus}

    def _parse(self) -> Iterator[Any]:
        import pyoxigraph as ox

        if self.canonical is not None:
            return iter(ox.parse(self.canonical, format=ox.RdfFormat.N_QUADS))
        return iter(
            ox.parse(path=str(self.file), format=ox_format(self.fmt.name), base_iri=self.file.absolute().as_uri())
        )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """pyoxigraph's errors while the file is read, as InputError (as :func:`kgkit.rdf.read.load_dataset`)."""
        try:
            yield
        except SyntaxError as err:
            line = err.lineno if self.canonical is None else None  # canonical N-Quads lines are not the file's
            raise InputError(f"not valid {self.fmt.name}: {err.msg}", path=self.file, line=line) from None
        except MemoryError as err:
            if not oxigraph_limit(err):
                raise
            raise InputError(OXIGRAPH_LIMIT_MESSAGE, path=self.file) from None
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror or err}", path=self.file) from None


class StoreLookup:
    """The facts :class:`GraphData` finds with rdflib, found with pattern lookups on an Oxigraph store
    of the same quads (named graphs kept: a document's graph says what it states)."""

    def __init__(self, store: OxigraphStore) -> None:
        import pyoxigraph as ox

        self.store = store
        self._type = ox.NamedNode(str(RDF.type))
        self._labels = [ox.NamedNode(str(p)) for p in LABELS]
        self._source_document = ox.NamedNode(str(KG.sourceDocument))
        self._evidence = ox.NamedNode(str(KG.evidence))
        self._subject = ox.NamedNode(str(RDF.subject))
        self._selector = ox.NamedNode(str(OA.hasSelector))
        self._in_graph: dict[Any, set[Any]] = {}  # graph -> the kg:Documents typed in it
        self._names: dict[Any, str] = {}  # document -> its file name

    def facts(self, node: Node, paths: Iterable[Node] = ()) -> Facts:
        """Facts of ``node``, as :meth:`GraphData.facts` gives them."""
        import pyoxigraph as ox

        focus = ox_term(node)
        quads = [] if isinstance(node, Literal) else list(self.store.quads(focus, None, None, None))
        values: dict[Node, tuple[Node, ...]] = {
            path: tuple(sorted({_rdflib(q.object) for q in quads if q.predicate == ox_term(path)}, key=_order))
            for path in paths
            if isinstance(path, URIRef)
        }
        names = [[_rdflib(q.object) for q in quads if q.predicate == p and isinstance(q.object, ox.Literal)]
                 for p in self._labels]
        types = frozenset(_rdflib(q.object) for q in quads if q.predicate == self._type)
        docs = {q.object for q in quads if q.predicate == self._source_document}
        docs.update(self._evidence_documents(focus))
        for graph in {q.graph_name for q in quads}:
            docs.update(self._documents_in(graph))
        return Facts(_label(names, node), types, tuple(sorted(self._name(d) for d in docs)), values)

    def _evidence_documents(self, focus: Any) -> set[Any]:
        """kg:sourceDocument of the evidence of statements about ``focus``, of ``focus`` as a statement,
        or pointing at it as a selector (pattern lookups: SPARQL with ``?focus`` substituted scans all
        evidence, a quarter second a node). Its own kg:sourceDocument the caller has."""
        import pyoxigraph as ox

        statements = {q.subject for q in self.store.quads(None, self._subject, focus)}
        if not isinstance(focus, ox.Literal):
            statements.add(focus)
        evidence = {q.object for st in statements for q in self.store.quads(st, self._evidence, None)}
        evidence.update(q.subject for q in self.store.quads(None, self._selector, focus))
        return {q.object for e in evidence for q in self.store.quads(e, self._source_document, None)}

    def _documents_in(self, graph: Any) -> set[Any]:
        import pyoxigraph as ox

        if graph not in self._in_graph:
            document = ox.NamedNode(str(KG.Document))
            self._in_graph[graph] = {q.subject for q in self.store.quads(None, self._type, document, graph)}
        return self._in_graph[graph]

    def _name(self, doc: Any) -> str:
        import pyoxigraph as ox

        if doc not in self._names:
            path = ox.NamedNode(str(KG.sourcePath))
            quads = [] if isinstance(doc, ox.Literal) else self.store.quads(doc, path, None)
            self._names[doc] = document_name(_rdflib(doc), (_rdflib(q.object) for q in quads))
        return self._names[doc]


def _order(node: Node) -> tuple[str, str]:
    """One order of the values of a property, the same whichever reader found them."""
    return type(node).__name__, node.n3()


def _rdflib(value: Any) -> Any:
    """The rdflib term of a pyoxigraph term (typed Any: a label is a Literal, a type a URIRef)."""
    return term(value)


# --- the engine's input: one N-Triples text -----------------------------------------------------------

_PLAIN = frozenset({"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})


def union_ntriples(quads: Iterable[Any]) -> str:
    r"""The triples of pyoxigraph ``quads``, whatever graph they are in, as one N-Triples text, with
    typed literals in rdflib's lexical form and every non-ASCII character escaped (``\u00E9``): an
    ASCII ``str`` takes a byte a character and needs no UTF-8 copy when handed to Rust, a third of
    what the text would otherwise cost. Duplicates (a triple in several graphs) are left to the engine,
    which holds a set.

    >>> import pyoxigraph as ox
    >>> print(union_ntriples(ox.parse(b'<s> <p> "caf\xc3\xa9", "007"^^<http://www.w3.org/2001/XMLSchema#int> .',
    ...                               format=ox.RdfFormat.TURTLE, base_iri="http://x/")), end="")
    <http://x/s> <http://x/p> "caf\u00E9" .
    <http://x/s> <http://x/p> "7"^^<http://www.w3.org/2001/XMLSchema#int> .
    """
    import pyoxigraph as ox

    sink = _AsciiSink()
    ox.serialize(_rdflib_triples(quads), output=cast(IO[bytes], sink), format=ox.RdfFormat.N_TRIPLES)
    return sink.text()


def _rdflib_triples(quads: Iterable[Any]) -> Iterator[Any]:
    """The triples of ``quads``, typed literals in the lexical form rdflib reads them as."""
    import pyoxigraph as ox

    normal: dict[tuple[str, str], Any] = {}
    literal_type = ox.Literal
    with _quiet_rdflib_terms():
        for quad in quads:
            obj = quad.object
            if type(obj) is literal_type and (datatype := obj.datatype.value) not in _PLAIN:
                key = (obj.value, datatype)
                if key not in normal:
                    normal[key] = _rdflib_literal(obj)
                yield ox.Triple(quad.subject, quad.predicate, normal[key])
            else:
                yield quad.triple


def _rdflib_literal(literal: Any) -> Any:
    """A pyoxigraph typed literal as rdflib's parsers read it (the same object when nothing changes).

    >>> import pyoxigraph as ox
    >>> _rdflib_literal(ox.Literal("1.0e0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")))
    <Literal value=1.0 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#double>>
    """
    import pyoxigraph as ox

    lexical = str(Literal(literal.value, datatype=URIRef(literal.datatype.value)))
    return literal if lexical == literal.value else ox.Literal(lexical, datatype=literal.datatype)


@contextlib.contextmanager
def _quiet_rdflib_terms() -> Iterator[None]:
    """Without rdflib's traceback for each ill-typed literal (kept as written, like rdflib does)."""
    log = logging.getLogger("rdflib.term")
    log.disabled, was_disabled = True, log.disabled
    try:
        yield
    finally:
        log.disabled = was_disabled


_NON_ASCII = re.compile(rb"[\x80-\xff]+")


class _AsciiSink:
    """A binary file for pyoxigraph's serializer (which only writes to it, in blocks of some kB) that
    keeps what it is given as ASCII text."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._tail = b""  # the start of a character cut by the end of a write

    def write(self, chunk: bytes) -> int:
        data = self._tail + bytes(chunk)
        cut = len(data)
        while cut and data[cut - 1] >= 0x80:
            cut -= 1
        data, self._tail = data[:cut], data[cut:]
        self._parts.append((data if data.isascii() else _NON_ASCII.sub(_escape, data)).decode("ascii"))
        return len(chunk)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        if self._tail:
            self._parts.append(_NON_ASCII.sub(_escape, self._tail).decode("ascii"))
            self._tail = b""
        text = "".join(self._parts)
        self._parts = []
        return text


def _escape(match: re.Match[bytes]) -> bytes:
    """UTF-8 characters as N-Triples escapes, valid in IRIs and strings (blank node labels from
    pyoxigraph are ASCII)."""
    return "".join(
        f"\\u{ord(c):04X}" if ord(c) < 0x10000 else f"\\U{ord(c):08X}" for c in match[0].decode("utf-8")
    ).encode("ascii")


# --- shared by both ----------------------------------------------------------------------------------


def document_name(doc: Node, paths: Iterable[Node]) -> str:
    """A source document as its kg:sourcePath (the first in order, should there be several), else the
    last segment of its IRI.

    >>> document_name(URIRef("https://w3id.org/kgkit/id/document/003"), [Literal("003.txt")])
    '003.txt'
    >>> document_name(URIRef("https://w3id.org/kgkit/id/document/003"), [])
    '003'
    """
    return min((str(p) for p in paths), default=str(doc).rsplit("/", 1)[-1])


def _label(names: Sequence[Sequence[Literal]], node: Node) -> str:
    """A focus node's label (kgkit.graph.labels' policy) from its literals of each of LABELS, else its
    whole IRI (or blank node id): a finding names exactly the node it is about."""
    found = label_of((prop, value) for prop, values in zip(LABELS, names, strict=True) for value in values)
    if found is not None:
        return found
    return str(node) if isinstance(node, URIRef | Literal) else node.n3()
