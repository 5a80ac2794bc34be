"""Canned SPARQL queries and the runner behind ``kgkit query``.

A canned query is a ``queries/NAME.rq`` file with grlc-style decorators in its header
(``#+ summary:``, ``#+ description:``, ``#+ tags:``, ``#+ defaults:``) and parameters named the grlc
way: ``?_name`` (required) or ``?__name`` (optional), with a type suffix ``_iri`` (an IRI),
``_xsd_date`` (any XSD datatype) or none (a plain literal). Parameter values are bound as RDF terms,
never pasted into the query text.

>>> result = query("orgs-on-sustainability", source="build")  # doctest: +SKIP
>>> print(render(result, "table"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import json
import logging
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier

import kgkit
from kgkit.errors import QueryError
from kgkit.export import serialize
from kgkit.terms import PREFIXES

if TYPE_CHECKING:
    import pandas
    from rdflib import Dataset

QUERY_DIR = Path(kgkit.__file__).parent.parent / "queries"
_KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
_PLAIN_NAME = re.compile(r"\w[\w-]*")  # a canned query's name as people type it: sessions-by-day
_PARAM = re.compile(r"[?$](__?)([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)")
# An absolute IRI with nothing that could end the <...> or break out of it (N-Triples IRIREF).
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*")


# --- canned queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One query parameter: ``?_root_iri`` is the required IRI parameter ``root``."""

    name: str
    variable: str  # without the '?': "_root_iri"
    type: str  # "iri", "literal", or an XSD datatype name such as "date"
    required: bool
    default: str | None = None

    def term(self, value: str) -> Identifier:
        """``value`` as the RDF term this parameter binds; QueryError if it is not one."""
        if self.type == "iri":
            prefix, _, local = value.partition(":")
            if prefix in PREFIXES:  # kgid:topic/sustainability
                value = PREFIXES[prefix] + local
            if not IRI.fullmatch(value):
                raise QueryError(f"parameter {self.name}: not an absolute IRI: {value!r}")
            return URIRef(value)
        if self.type == "literal":
            return Literal(value)
        rdflib_log = logging.getLogger("rdflib.term")  # logs a traceback for ill-typed literals
        rdflib_log.disabled, was_disabled = True, rdflib_log.disabled
        try:
            literal = Literal(value, datatype=XSD[self.type])
        finally:
            rdflib_log.disabled = was_disabled
        if literal.ill_typed:
            raise QueryError(f"parameter {self.name}: {value!r} is not a valid xsd:{self.type}")
        return literal


@dataclass(frozen=True)
class CannedQuery:
    """A SPARQL query with its decorators: what ``kgkit query --list`` shows."""

    name: str
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    path: Path | None = None

    @classmethod
    def parse(cls, name: str, text: str, path: Path | None = None) -> CannedQuery:
        """Read the ``#+`` header and the ``?_param`` variables of a query text."""
        header = []
        for line in text.splitlines():
            if line.startswith("#+"):
                header.append(line[3:] if line.startswith("#+ ") else line[2:])
            elif line.strip() and not line.startswith("#"):
                break
        try:
            meta = yaml.safe_load("\n".join(header)) or {}
        except yaml.YAMLError as err:
            raise QueryError(f"bad '#+' header: {str(err).splitlines()[0]}", path=path) from None
        if not isinstance(meta, dict):
            raise QueryError("bad '#+' header: expected 'key: value' lines", path=path)
        defaults: dict[str, str] = {}
        raw = meta.get("defaults") or []
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict):
                defaults.update({str(k): str(v) for k, v in item.items()})
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        params: dict[str, Parameter] = {}
        for underscores, rest in _PARAM.findall(body):
            if rest.endswith("_iri"):
                pname, ptype = rest[: -len("_iri")], "iri"
            elif "_xsd_" in rest:
                pname, _, ptype = rest.partition("_xsd_")
            else:
                pname, ptype = rest, "literal"
            params.setdefault(
                pname, Parameter(pname, underscores + rest, ptype, underscores == "_", defaults.get(pname))
            )
        return cls(
            name=name,
            text=text,
            summary=str(meta.get("summary") or ""),
            description=str(meta.get("description") or "").strip(),
            tags=tuple(str(t) for t in meta.get("tags") or ()),
            parameters=tuple(params.values()),
            path=path,
        )

    def bindings(self, params: Mapping[str, str] | None = None) -> dict[str, Identifier]:
        """Variable name -> RDF term for ``params`` (by parameter name) plus the defaults.

        An optional parameter given as "" stays unbound. QueryError for unknown names, missing
        required values and values that are not valid terms.
        """
        params = dict(params or {})
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            listed = ", ".join(known) or "none"
            raise QueryError(f"unknown parameter {unknown[0]!r} for {self.name}; its parameters: {listed}")
        bound: dict[str, Identifier] = {}
        for p in self.parameters:
            value = params.get(p.name, p.default)
            if value is None or (value == "" and not p.required):
                if p.required:
                    raise QueryError(f"{self.name} needs --param {p.name}=VALUE")
                continue
            bound[p.variable] = p.term(value)
        return bound


def load_library(directory: str | Path | None = None) -> dict[str, CannedQuery]:
    """The canned queries of ``directory`` (default: the repository's ``queries/``) by name.

    A file is read and its header parsed once per process while it stays unchanged.

    >>> load_library()["sessions-by-day"].parameters[0].name
    'conference'
    """
    folder = Path(directory) if directory is not None else QUERY_DIR
    library = {}
    for f in sorted(folder.glob("*.rq")):
        try:
            info = f.stat()
        except OSError as err:
            raise QueryError(f"cannot read: {err.strerror or err}", path=f) from None
        library[f.stem] = _canned_file(f, info.st_size, info.st_mtime_ns)
    return library


@functools.lru_cache(maxsize=256)
def _canned_file(path: Path, size: int, mtime_ns: int) -> CannedQuery:
    """The canned query in ``path``; ``size`` and ``mtime_ns`` only key the cache (a changed file is read
    again)."""
    return CannedQuery.parse(path.stem, _read_query(path), path=path)


def _read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise QueryError(f"not UTF-8 text (byte {err.start})", path=path) from None
    except OSError as err:
        raise QueryError(f"cannot read: {err.strerror or err}", path=path) from None


def list_queries(directory: str | Path | None = None) -> str:
    """One paragraph per canned query (name, summary, parameters): the text of ``--list``."""
    blocks = []
    for q in load_library(directory).values():
        lines = [f"{q.name}\n    {q.summary}"]
        for p in q.parameters:
            need = "required" if p.required and p.default is None else "optional"
            default = f", default {p.default}" if p.default else ""
            lines.append(f"    --param {p.name}=<{p.type}>  ({need}{default})")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def resolve(query: str, directory: str | Path | None = None) -> CannedQuery:
    """A canned query name, a path to a ``.rq`` file, or SPARQL text, as a CannedQuery.

    >>> resolve("sessions-by-day").path.name
    'sessions-by-day.rq'
    """
    folder = Path(directory) if directory is not None else QUERY_DIR
    if _PLAIN_NAME.fullmatch(query):  # the usual case, without listing the folder
        try:
            info = (folder / f"{query}.rq").stat()
        except OSError:
            pass
        else:
            if stat.S_ISREG(info.st_mode):
                return _canned_file(folder / f"{query}.rq", info.st_size, info.st_mtime_ns)
    library = load_library(folder)
    if query in library:
        return library[query]
    if query.endswith(".rq"):
        path = Path(query)
        if not path.is_file():
            raise QueryError("no such query file", path=path)
        return CannedQuery.parse(path.stem, _read_query(path), path=path)
    if re.search(r"[\s{]", query):
        return CannedQuery.parse("sparql", query)
    close = difflib.get_close_matches(query, library, n=3, cutoff=0.4)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; see `kgkit query --list`"
    raise QueryError(f"unknown canned query {query!r}{hint}")


# --- checking ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def prepare(text: str) -> Query:
    """The parsed query (kgkit prefixes predeclared); QueryError for updates and syntax errors."""
    try:
        return prepareQuery(text, initNs=PREFIXES)
    except ParseException as err:
        if _is_update(text):
            raise QueryError(
                "SPARQL updates (INSERT, DELETE, DROP, ...) are refused; "
                "only SELECT, ASK, CONSTRUCT and DESCRIBE run"
            ) from None
        near = err.line[err.col - 1 :].strip()[:40]
        raise QueryError(
            f"SPARQL syntax error at line {err.lineno}, column {err.col}: {err.msg} "
            f"near {near!r} in: {err.line.strip()[:100]}",
            line=err.lineno,
        ) from None
    except Exception as err:  # rdflib raises plain Exception for e.g. an undeclared prefix
        prefix = re.match(r"Unknown namespace prefix : (\S*)", str(err))
        if prefix:
            line, column, text = _locate(text, rf"(?<![\w<]){re.escape(prefix.group(1))}:")
            raise QueryError(
                f"SPARQL error at line {line}, column {column}: unknown prefix {prefix.group(1) + ':'!r} "
                f"(declare it with PREFIX) in: {text}",
                line=line,
            ) from None
        first = str(err).strip().splitlines()
        raise QueryError(f"invalid SPARQL: {first[0] if first else type(err).__name__}") from None


def _locate(text: str, pattern: str) -> tuple[int, int, str]:
    """(line, column, the line's text) of the first match of ``pattern`` outside comments, 1-based."""
    for number, line in enumerate(text.splitlines(), start=1):
        m = re.search(pattern, line.split("#", 1)[0])
        if m:
            return number, m.start() + 1, line.strip()[:100]
    return 1, 1, text.strip().splitlines()[0][:100] if text.strip() else ""


def check_query(text: str, path: Path | None = None) -> str:
    """The kind of a query ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"); QueryError otherwise."""
    try:
        return _KINDS[prepare(text).algebra.name]
    except QueryError as err:
        if path is None:
            raise
        raise QueryError(err.message, path=path, line=err.line) from None


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


# --- results -------------------------------------------------------------------------------------


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


def nt_term(term: Identifier) -> str:
    """``term`` in N-Triples syntax (also valid SPARQL), escaped so it can never end early."""
    if isinstance(term, URIRef):
        if not IRI.fullmatch(str(term)):
            raise QueryError(f"not an absolute IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = _ESCAPE.sub(lambda m: _ESCAPES.get(m[0], f"\\u{ord(m[0]):04X}"), str(term))
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^{nt_term(term.datatype)}' if term.datatype else f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    raise QueryError(f"cannot write {term!r} as an RDF term")


_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


# --- rendering -----------------------------------------------------------------------------------


def _plain(term: Identifier | None) -> str:
    """CSV value per the W3C SPARQL CSV format: lexical form, IRI, _:blank, '' when unbound."""
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _short(term: Identifier | None) -> str:
    """For people: IRIs with kgkit prefixes, literals as text, on one line."""
    if isinstance(term, URIRef):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(ns):
                return f"{prefix}:{term[len(ns) :]}"
    return " ".join(_plain(term).split())


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
    """``result`` as text: a RENDERERS name, or for graph results also any kgkit.rdfio format."""
    renderer = RENDERERS.get(format)
    if result.graph is not None:
        return serialize(result.graph, renderer.graph_format if renderer else format)
    if renderer is None:
        raise QueryError(f"unknown result format {format!r}; choose one of: {', '.join(RENDERERS)}")
    return renderer.render(result)


# --- running -------------------------------------------------------------------------------------


def query(
    query: str,
    *,
    source: str | Path | Dataset | Graph = "build",
    params: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    store: str = "auto",
) -> QueryResult:
    """Run a canned query (by name), a ``.rq`` file or SPARQL text.

    Locally the query sees the union of all graphs of ``source`` (a build directory, an RDF file,
    or an rdflib Dataset/Graph); with ``endpoint`` it goes to that SPARQL endpoint instead.
    ``params`` maps parameter names to values (``{"root": "kgid:topic/energy-efficiency"}``).
    ``store`` picks the local engine for a file or build: "oxigraph" (Rust, via pyoxigraph; the
    build's store is cached beside kg.nq), "memory" (rdflib), or "auto" (Oxigraph when installed).
    Both give the same rows (tests/test_query.py compares them on every canned query).

    >>> query("orgs-on-sustainability", source="build").rows[0][0]
    rdflib.term.Literal('CNCF TAG Environmental Sustainability')
    """
    from kgkit.stores import open_store  # kgkit.stores builds on this module

    canned = resolve(query)
    if endpoint is None and not isinstance(source, Graph) and _engine(store, source) == "oxigraph":
        return _on_oxigraph(canned, source, canned.bindings(params), timeout)
    check_query(canned.text, path=canned.path)
    bindings = canned.bindings(params)
    return open_store(endpoint, source=source, timeout=timeout).query(canned.text, bindings)


_DECLARED = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())


def _on_oxigraph(
    canned: CannedQuery, source: str | Path, bindings: Mapping[str, Identifier], timeout: float | None
) -> QueryResult:
    """``canned`` run by Oxigraph on the store of ``source`` (kept open for the process).

    Oxigraph parses the query itself; rdflib's parser is asked only when Oxigraph refuses it (for the
    message with line and column, or the refusal of an update) and to tell DESCRIBE from CONSTRUCT.
    """
    from kgkit import oxstore
    from kgkit.stores import _with_timeout, with_values

    ox = oxstore.open_store(source)
    # kgkit's prefixes (kg:, schema:, ...) are known without declaring them, as rdflib is told
    # them; declarations in the query itself come later and win
    text = _DECLARED + with_values(canned.text, bindings)

    def run() -> QueryResult:
        try:
            answer = oxstore.query(ox, text)
        except QueryError:
            check_query(canned.text, path=canned.path)  # rdflib's message where it has one
            raise
        got, variables, rows, boolean, graph = oxstore.to_rdflib(answer)
        if got == "CONSTRUCT":
            got = check_query(canned.text, path=canned.path)  # or DESCRIBE
        return QueryResult(got, variables, rows, boolean, graph)

    return _with_timeout(run, timeout)


STORES = ("auto", "memory", "oxigraph")


def engine_name(store: str, source: str | Path | Dataset | Graph) -> str:
    """Which local engine ``query(store=...)`` uses for ``source``: "oxigraph" or "memory" (rdflib)."""
    return _engine(store, source)


def _engine(store: str, source: str | Path | Dataset | Graph) -> str:
    """The local engine "auto" means for this source: Oxigraph for files when pyoxigraph is there."""
    from kgkit import oxstore

    if store not in STORES:
        raise QueryError(f"unknown store {store!r}; choose {', '.join(STORES)}")
    if store == "oxigraph" and not oxstore.available():
        raise QueryError("the oxigraph store needs pyoxigraph: pip install pyoxigraph")
    if isinstance(source, Graph) or store == "memory":  # an in-memory rdflib graph stays in rdflib
        return "memory"
    from kgkit.rdfio import format_for_path, resolve_input

    if format_for_path(resolve_input(source)).name == "jsonld":
        return "memory"  # Oxigraph reads JSON-LD 1.0 only partly; rdflib reads it all
    return "oxigraph" if oxstore.available() else "memory"
