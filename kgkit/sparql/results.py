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
from kgkit.rdf.formats import FORMATS
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
    notes: list[str] = field(default_factory=list)  # what the store had to be asked differently, and why

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


def _table(result: QueryResult, max_width: int | None = None) -> str:
    """Columns for people; with ``max_width``, the widest columns are narrowed until the lines fit and
    their longer cells end in an ellipsis (the other formats always hold the full values)."""
    head, rows = _cells(result, _short)
    widths = fit_widths([max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)], max_width)
    lines = [head, ["-" * w for w in widths], *rows]
    return "".join(
        "  ".join(_clip(c, w).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines
    )


#: A column narrowed to fit the terminal keeps at least this many characters (or its own width).
MIN_COLUMN = 8


def fit_widths(widths: list[int], max_width: int | None, gap: int = 2) -> list[int]:
    """Column widths whose sum, with ``gap`` between columns, is at most ``max_width``: the widest
    columns are cut to one width, as little as needed; none below :data:`MIN_COLUMN` (so a very
    narrow terminal still overflows).

    >>> fit_widths([5, 40, 300], 80)
    [5, 36, 35]
    >>> fit_widths([5, 40, 300], None), fit_widths([5, 40, 30], 80)
    ([5, 40, 300], [5, 40, 30])
    """
    room = None if max_width is None else max_width - gap * (len(widths) - 1)
    if room is None or sum(widths) <= room:
        return widths
    cap = max(widths)
    while cap > MIN_COLUMN and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    fitted = [min(w, cap) for w in widths]
    spare = room - sum(fitted)  # left by the rounding down: to the first cut columns
    for i, w in enumerate(widths):
        if spare <= 0:
            break
        if w > cap:
            fitted[i] += 1
            spare -= 1
    return fitted


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


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
    """One ``--format``: how rows and booleans are written, and the RDF format a graph (CONSTRUCT,
    DESCRIBE) is written in (None: this format holds no graph, and refuses one)."""

    name: str
    render: Callable[[QueryResult, int | None], str]  # (result, max_width)
    graph_format: str | None


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("table", _table, "turtle"),
        Renderer("csv", lambda result, _: _csv(result), None),
        Renderer("tsv", lambda result, _: _tsv(result), None),
        Renderer("json", lambda result, _: _json(result), "jsonld"),
        Renderer("md", lambda result, _: _markdown(result), None),
    )
}


def graph_formats() -> list[str]:
    """The ``--format`` values a graph result takes: the renderers that hold one, and the RDF formats."""
    return [name for name, r in RENDERERS.items() if r.graph_format] + [f for f in FORMATS if f not in RENDERERS]


def check_format(kind: str, format: str) -> None:
    """QueryError, naming the formats that apply, when ``format`` cannot hold a ``kind`` result: rows
    and booleans go to :data:`RENDERERS`; graphs (CONSTRUCT, DESCRIBE) to table (Turtle), json (JSON-LD)
    or an RDF format, never to csv, tsv or md, which hold rows.

    >>> check_format("CONSTRUCT", "csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kgkit.errors.QueryError: --format csv writes rows, and a CONSTRUCT query gives a graph: choose table (Turtle), ...
    """
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    renderer = RENDERERS.get(format)
    if graph and not (renderer.graph_format if renderer else format in FORMATS):
        if renderer is None:
            raise QueryError(f"unknown result format {format!r}; {_a(kind)} query gives a graph: choose {_choices()}")
        raise QueryError(f"--format {format} writes rows, and {_a(kind)} query gives a graph: choose {_choices()}")
    if not graph and renderer is None:
        rows = "rows" if kind == "SELECT" else "a boolean"
        what = "writes graphs" if format in FORMATS else "is not a result format"
        raise QueryError(
            f"unknown result format {format!r}: it {what}, and {_a(kind)} query gives {rows}; "
            f"choose one of: {', '.join(RENDERERS)}"
        )


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind}"


def _choices() -> str:
    shown = [f"{n} ({'Turtle' if RENDERERS[n].graph_format == 'turtle' else 'JSON-LD'})" if n in RENDERERS else n
             for n in graph_formats()]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def render(result: QueryResult, format: str = "table", *, max_width: int | None = None) -> str:
    """``result`` as text in ``format`` (see :func:`check_format`): a RENDERERS name, or for a graph
    also any kgkit.rdf.formats format. ``max_width`` fits a table into that many columns."""
    check_format(result.kind, format)
    renderer = RENDERERS.get(format)
    if result.graph is not None:
        return serialize(result.graph, (renderer.graph_format if renderer else None) or format)
    assert renderer is not None
    return renderer.render(result, max_width)
