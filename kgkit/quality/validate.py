"""Check a kgkit graph against the SHACL shapes and report what is wrong in words people can act on.

>>> report = validate("tests/data/sample.trig")
>>> report.conforms
True
>>> print(report.render("text"))  # doctest: +ELLIPSIS
The graph conforms to ... shapes.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import SH
from rdflib.term import Node

from kgkit import resources
from kgkit.errors import InputError
from kgkit.quality.shacl_data import Facts, shacl_data
from kgkit.rdf.files import first_line
from kgkit.rdf.read import bind_prefixes
from kgkit.rdf.terms import PREFIXES
from kgkit.stores import Source

#: SHACL engines with pySHACL's ``validate`` API. "turbo" (pyshacl-turbo, Rust) gives reports identical to
#: pySHACL's on our shapes (tests/test_validate.py compares them) and, given files through pyoxigraph
#: rather than rdflib (:mod:`kgkit.quality.shacl_data`), is ~15x faster (130k triples: 3.4 s against 54 s);
#: "auto" takes it when it is installed, pySHACL otherwise.
ENGINES: dict[str, Callable[[], Callable[..., Any]]] = {
    "pyshacl": lambda: pyshacl.validate,
    "turbo": lambda: importlib.import_module("pyshacl_turbo").validate,
}


def engine_for(name: str = "auto") -> str:
    """The engine ``name`` means: "auto" is "turbo" when pyshacl-turbo is installed, else "pyshacl"."""
    if name == "auto":
        return "turbo" if importlib.util.find_spec("pyshacl_turbo") else "pyshacl"
    if name not in ENGINES:
        raise InputError(f"unknown SHACL engine {name!r}; choose auto, {', '.join(ENGINES)}")
    if name == "turbo" and not importlib.util.find_spec("pyshacl_turbo"):
        raise InputError("the turbo engine needs pyshacl-turbo: pip install 'kgkit[fast]'")
    return name


#: The shapes ``validate`` uses unless told otherwise: every ``*.ttl`` in the repository's ``shapes/``.
SHAPES_DIR = resources.shapes_dir()

_SHORT = sorted({**PREFIXES, "sh": str(SH)}.items(), key=lambda kv: -len(kv[1]))
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One validation result, resolved to labels and documents a reader recognises."""

    shape: str  # label of the shape that failed, e.g. "Session"
    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # IRI (or blank node id) of the node that failed
    focus_label: str  # its schema:name / skos:prefLabel / rdfs:label, else the IRI
    path: str | None  # property as a prefixed name, e.g. "schema:name"
    value: str | None  # offending value: prefixed IRI or literal text; the conflicting ones joined by " | "
    message: str
    component: str  # SHACL constraint component, e.g. "sh:MinCountConstraintComponent"
    documents: tuple[str, ...] = ()  # source files (kg:sourcePath) the focus node comes from
    values: tuple[str, ...] = ()  # for conflicting values (too many, two in one language): each of them


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: findings, the raw SHACL report graph and how to print them.

    ``conforms`` is SHACL's: false whenever there is any result, a warning included (and so is the
    report graph's ``sh:conforms``). ``passes`` is what ``kgkit validate``'s exit code follows: no
    violations (warnings alone exit 0).
    """

    conforms: bool  # no result at all, as the SHACL specification defines it
    results: list[Finding]
    graph: Graph = field(repr=False)  # the SHACL validation report
    shape_count: int = 0  # node shapes checked

    @property
    def passes(self) -> bool:
        """No violations (warnings and infos allowed): the exit code is 0."""
        return self.violations == 0

    @property
    def violations(self) -> int:
        return sum(f.severity == "Violation" for f in self.results)

    @property
    def warnings(self) -> int:
        return len(self.results) - self.violations

    def render(self, format: str = "text") -> str:
        """The report as ``text``, ``json`` or ``turtle`` (see :data:`RENDERERS`)."""
        return get_renderer(format).render(self)


def validate(
    source: Source = "build", *, shapes: str | Path | None = None, engine: str = "auto", store: str = "auto"
) -> ValidationReport:
    """Validate a build directory, an RDF file or an in-memory graph against the SHACL shapes.

    All named graphs are checked together (their union), without inference. ``shapes`` is a Turtle
    file or a directory of them; by default the repository's ``shapes/``. ``engine`` is "auto",
    "pyshacl" or "turbo" (see :data:`ENGINES`). With turbo, an N-Quads, N-Triples, Turtle or TriG file
    that ``store`` (as for :func:`kgkit.stores.open_store`) puts in Oxigraph never becomes an rdflib
    graph (see :mod:`kgkit.quality.shacl_data`); the report is the same.

    >>> report = validate("tests/data/sample.trig")  # doctest: +SKIP
    >>> report.conforms, report.violations  # doctest: +SKIP
    (True, 0)
    >>> [f.message for f in validate("broken.ttl").results]  # doctest: +SKIP
    ['A session needs a title']
    """
    name = engine_for(engine)
    data = shacl_data(source, fast=name == "turbo", store=store)
    shapes_graph = load_shapes(shapes)
    _, report_graph = _run(ENGINES[name](), data.engine_input(), shapes_graph, shapes)
    results = list(report_graph.subjects(RDF.type, SH.ValidationResult))
    conforms = not results  # SHACL 3.6.1: false with any result, whatever its severity
    for report_node in report_graph.subjects(RDF.type, SH.ValidationReport):
        report_graph.set((report_node, SH.conforms, Literal(conforms)))
    paths: dict[Node, set[Node]] = {}
    for r in results:
        focus, path = report_graph.value(r, SH.focusNode), report_graph.value(r, SH.resultPath)
        if focus is not None and path is not None and report_graph.value(r, SH.sourceConstraintComponent) in _MANY:
            paths.setdefault(focus, set()).add(path)
    focus_nodes = {focus for r in results if (focus := report_graph.value(r, SH.focusNode)) is not None}
    facts = data.facts(focus_nodes, paths)
    findings = [_finding(report_graph, r, shapes_graph, facts) for r in results]
    findings.sort(
        key=lambda f: (
            _SEVERITY_ORDER.get(f.severity, 3),
            f.shape,
            f.focus_label,
            f.path or "",
            f.message,
            f.value or "",
            f.focus,  # last: findings about two nodes of the same name come in the same order whatever the engine
        )
    )
    shape_count = len(set(shapes_graph.subjects(RDF.type, SH.NodeShape)))
    return ValidationReport(conforms, findings, report_graph, shape_count)


def _run(run: Callable[..., Any], data: Any, shapes_graph: Graph, shapes: str | Path | None) -> tuple[bool, Graph]:
    """(conforms, report graph) of one engine on ``data``; InputError for shapes the engine rejects."""
    try:
        conforms, report_graph, _ = run(
            data, shacl_graph=shapes_graph, inference="none", allow_warnings=True, advanced=False
        )
    except ReportableRuntimeError as err:
        raise InputError(f"invalid SHACL shapes: {first_line(err)}", path=shapes or SHAPES_DIR) from None
    assert isinstance(report_graph, Graph)
    bind_prefixes(report_graph)
    report_graph.bind("sh", SH)
    return bool(conforms), report_graph


def load_shapes(path: str | Path | None = None) -> Graph:
    """The shapes graph from a Turtle file or every ``*.ttl`` of a directory (default :data:`SHAPES_DIR`)."""
    where = Path(path) if path is not None else SHAPES_DIR
    if where.is_dir():
        files = sorted(where.glob("*.ttl"))
    elif where.is_file():
        files = [where]
    else:
        hint = "" if path is not None else "; pass --shapes PATH"
        raise InputError(f"no such SHACL shapes file or directory{hint}", path=where)
    graph = Graph()
    for file in files:
        try:
            graph.parse(file, format="turtle")
        except (ParserError, SyntaxError, ValueError) as err:
            raise InputError(f"not valid Turtle: {first_line(err)}", path=file) from None
    if not any(graph.subjects(RDF.type, SH.NodeShape)):
        raise InputError("no SHACL node shapes found", path=where)
    return graph


# --- turning a sh:ValidationResult into a Finding -----------------------------------------------------


#: Constraint components whose results are about several values of a path, and give none of them
#: (``sh:value``): the finding names them from the data.
_MANY = frozenset({SH.MaxCountConstraintComponent, SH.UniqueLangConstraintComponent})


def _finding(report: Graph, result: Node, shapes: Graph, facts: dict[Node, Facts]) -> Finding:
    focus = report.value(result, SH.focusNode)
    assert focus is not None
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    component = report.value(result, SH.sourceConstraintComponent)
    about = facts[focus]
    values: tuple[str, ...] = ()
    if value is None and component in _MANY and path is not None:
        found = about.values.get(path, ())
        if component == SH.UniqueLangConstraintComponent:  # the values that share a language
            languages = [v.language for v in found if isinstance(v, Literal) and v.language]
            found = tuple(v for v in found if isinstance(v, Literal) and v.language and languages.count(v.language) > 1)
        values = tuple(_shown(v) for v in found)
    return Finding(
        shape=_shape_label(shapes, report.value(result, SH.sourceShape), about.types),
        severity=_local(report.value(result, SH.resultSeverity)),
        focus=str(focus) if isinstance(focus, URIRef | Literal) else focus.n3(),
        focus_label=about.label,
        path=_short(path) if isinstance(path, URIRef) else (str(path) if path is not None else None),
        value=" | ".join(values) if values else None if value is None else _short(value),
        message=messages[0] if messages else _local(component),
        component=_short(component) if component is not None else "",
        documents=about.documents,
        values=values,
    )


def _shown(node: Node) -> str:
    """A conflicting value as a reader tells it from the others: a literal with its language."""
    if isinstance(node, Literal) and node.language:
        return f'"{node}"@{node.language}'
    return _short(node)


def _shape_label(shapes: Graph, shape: Node | None, focus_types: frozenset[Node]) -> str:
    """Label of the node shape a result belongs to: the shape itself, or for a property shape the node
    shape using it that targets the focus node's class."""
    if shape is None:
        return "?"
    parents = sorted(shapes.subjects(SH.property, shape), key=str)
    owner = next((p for p in parents if focus_types & set(shapes.objects(p, SH.targetClass))), None)
    owner = owner or (parents[0] if parents else shape)
    return _rdfs_label(shapes, owner) or _rdfs_label(shapes, shape) or _short(owner)


def _rdfs_label(graph: Graph, node: Node) -> str | None:
    value = graph.value(node, RDFS.label)
    return str(value) if value is not None else None


def _short(node: Node) -> str:
    """A prefixed name (``kg:Session``, ``kgid:org/google``) or a literal's text."""
    if isinstance(node, Literal):
        return str(node)
    text = str(node)
    if isinstance(node, URIRef):
        for prefix, ns in _SHORT:
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns) :]}"
    return text if isinstance(node, URIRef) else node.n3()


def _local(node: Node | None) -> str:
    return "" if node is None else str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# --- renderers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Renderer:
    """One output format of a validation report."""

    name: str
    media_type: str
    render: Callable[[ValidationReport], str]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _render_text(report: ValidationReport) -> str:
    if not report.results:
        return f"The graph conforms to {_plural(report.shape_count, 'shape')}."
    lines: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for f in report.results:
        groups.setdefault(f.shape, []).append(f)
    for shape, findings in groups.items():
        lines.append(f"{shape}:")
        lines.extend(_text_line(f) for f in findings)
    lines.append("")
    lines.append(
        f"{_plural(report.violations, 'violation')}, {_plural(report.warnings, 'warning')} "
        f"in {_plural(len(groups), 'shape')}"
    )
    return "\n".join(lines)


def _text_line(f: Finding) -> str:
    where = f" ({'document' if len(f.documents) == 1 else 'documents'} {', '.join(f.documents)})" if f.documents else ""
    value = f" [values: {f.value}]" if f.values else f" [value: {f.value}]" if f.value is not None else ""
    severity = "" if f.severity == "Violation" else f" ({f.severity.lower()})"
    return f'  - "{f.focus_label}"{where}: {f.message}{value}{severity}'


def _render_json(report: ValidationReport) -> str:
    body = {
        "conforms": report.conforms,
        "violations": report.violations,
        "warnings": report.warnings,
        "results": [asdict(f) | {"documents": list(f.documents), "values": list(f.values)} for f in report.results],
    }
    return json.dumps(body, indent=2, ensure_ascii=False)


def _render_turtle(report: ValidationReport) -> str:
    return report.graph.serialize(format="turtle")


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("text", "text/plain", _render_text),
        Renderer("json", "application/json", _render_json),
        Renderer("turtle", "text/turtle", _render_turtle),
    )
}


def get_renderer(name: str) -> Renderer:
    """The renderer called ``name``; InputError naming the choices otherwise."""
    try:
        return RENDERERS[name.lower()]
    except KeyError:
        raise InputError(f"unknown report format {name!r}; choose one of: {', '.join(RENDERERS)}") from None
