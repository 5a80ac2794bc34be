"""What a query returns, and the renderers that print it (table, csv, tsv, json, md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from kgkit.errors import QueryError
from kgkit.rdf.export import serialize
from kgkit.rdf.files import printable
from kgkit.rdf.ntriples import nt_term
from kgkit.rdf.terms import PREFIXES


@dataclass
class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE)."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @property
    def empty(self) -> bool:
        """No rows, a false answer or an empty graph (what ``--fail-on-empty`` tests)."""
        if self.graph is not None:
            return len(self.graph) == 0
        if self.boolean is not None:
            return not self.boolean
        return not self.rows

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (IRIs as str, typed literals as int, date, ...)."""
        return [{v: _python(t) for v, t in zip(self.variables, row, strict=True)} for row in self.rows]

    def to_dataframe(self) -> pandas.DataFrame:
        """Rows as a pandas DataFrame (needs pandas, which kgkit does not depend on)."""
        try:
            import pandas
        except ImportError:
            raise QueryError("to_dataframe() needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.to_dicts(), columns=self.variables)


def _python(term: Identifier | None) -> Any:
    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else str(term)


def _plain(term: Identifier | None) -> str:
    """CSV value per the W3C SPARQL CSV format: lexical form, IRI, _:blank, '' when unbound."""
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _short(term: Identifier | None) -> str:
    """For people: IRIs with kgkit prefixes, literals as text, on one line, control characters
    escaped (a table or Markdown is read on a terminal)."""
    if isinstance(term, URIRef):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(ns):
                return printable(f"{prefix}:{term[len(ns) :]}", one_line=True)
    return printable(" ".join(_plain(term).split()), one_line=True)


def _cells(result: QueryResult, fmt: Callable[[Identifier | None], str]) -> tuple[list[str], list[list[str]]]:
    if result.boolean is not None:
        return ["boolean"], [[str(result.boolean).lower()]]
    return result.variables, [[fmt(t) for t in row] for row in result.rows]


def _table(result: QueryResult) -> str:
    head, rows = _cells(result, _short)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
    lines = [head, ["-" * w for w in widths], *rows]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines
    )


def _markdown(result: QueryResult) -> str:
    head, rows = _cells(result, lambda t: _short(t).replace("|", "\\|"))
    lines = [head, ["---"] * len(head), *rows]
    return "".join("| " + " | ".join(line) + " |\n" for line in lines)


def _csv(result: QueryResult) -> str:
    head, rows = _cells(result, _plain)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as the W3C format asks
    writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue()


def _tsv(result: QueryResult) -> str:
    if result.boolean is not None:
        return f"?boolean\n{str(result.boolean).lower()}\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if t is None else nt_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json(result: QueryResult) -> str:
    """The W3C SPARQL 1.1 Query Results JSON Format."""
    doc: dict[str, Any]
    if result.boolean is not None:
        doc = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if not isinstance(term, Literal):
        raise QueryError(f"cannot write {term!r} as a SPARQL JSON result")
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


@dataclass(frozen=True)
class Renderer:
    """One ``--format``: how rows and booleans are written, and which RDF format graphs take."""

    name: str
    render: Callable[[QueryResult], str]
    graph_format: str


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("table", _table, "turtle"),
        Renderer("csv", _csv, "nt"),
        Renderer("tsv", _tsv, "nt"),
        Renderer("json", _json, "jsonld"),
        Renderer("md", _markdown, "turtle"),
    )
}


def render(result: QueryResult, format: str = "table") -> str:
    """``result`` as text: a RENDERERS name, or for graph results also any kgkit.rdf.formats format."""
    renderer = RENDERERS.get(format)
    if result.graph is not None:
        return serialize(result.graph, renderer.graph_format if renderer else format)
    if renderer is None:
        raise QueryError(f"unknown result format {format!r}; choose one of: {', '.join(RENDERERS)}")
    return renderer.render(result)
