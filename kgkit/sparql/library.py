"""The canned-query library: ``queries/NAME.rq`` files with grlc-style decorators.

A canned query is a ``NAME.rq`` file with grlc-style decorators in its header
(``#+ summary:``, ``#+ description:``, ``#+ tags:``, ``#+ defaults:``) and parameters named the grlc
way: ``?_name`` (required) or ``?__name`` (optional), with a type suffix ``_iri`` (an IRI),
``_xsd_date`` (any XSD datatype) or none (a plain literal). Parameter values are bound as RDF terms,
never pasted into the query text.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kgkit import resources
from kgkit.errors import QueryError
from kgkit.rdf.ntriples import IRI
from kgkit.rdf.terms import PREFIXES

QUERY_DIR = resources.queries_dir()


_PLAIN_NAME = re.compile(r"\w[\w-]*")  # a canned query's name as people type it: sessions-by-day


_PARAM = re.compile(r"[?$](__?)([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)")


@dataclass(frozen=True)
class Parameter:
    """One query parameter: ``?_root_iri`` is the required IRI parameter ``root``."""

    name: str
    variable: str  # without the '?': "_root_iri"
    type: str  # "iri", "literal", or an XSD datatype name such as "date"
    required: bool
    default: str | None = None
    of_class: str | None = None  # an IRI parameter's values are instances of this class (``#+ enumerate``)

    @property
    def kind(self) -> str:
        """What a value is, in words: the class's local name ("topic"), else "value"."""
        return re.split(r"[#/:]", self.of_class)[-1].lower() if self.of_class else "value"

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
    materialize: str | None = None  # the inference the graph needs (``kgkit build --materialize NAME``)

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
        classes: dict[str, str] = {}
        raw = meta.get("enumerate") or []
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict):
                for key, value in item.items():
                    prefix, _, local = str(value).partition(":")
                    classes[str(key)] = PREFIXES[prefix] + local if prefix in PREFIXES else str(value)
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
                pname,
                Parameter(pname, underscores + rest, ptype, underscores == "_", defaults.get(pname),
                          classes.get(pname) if ptype == "iri" else None),
            )
        return cls(
            name=name,
            text=text,
            summary=str(meta.get("summary") or ""),
            description=str(meta.get("description") or "").strip(),
            tags=tuple(str(t) for t in meta.get("tags") or ()),
            parameters=tuple(params.values()),
            path=path,
            materialize=str(meta["materialize"]) if meta.get("materialize") else None,
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


#: The values a parameter may take, as (value, label), from the graph (see ``list_queries``).
Values = Callable[[Parameter], list[tuple[str, str]]]


def list_queries(directory: str | Path | None = None, values: Values | None = None) -> str:
    """One paragraph per canned query (name, summary, parameters): the text of ``--list``. With
    ``values`` (``--list -v``), each parameter of a known class lists the values it may take.

    >>> print(list_queries().split(chr(10) * 2)[0])
    co-mentioned-projects
        Pairs of projects mentioned together, by the same document or session
    """
    blocks = []
    for q in load_library(directory).values():
        lines = [f"{q.name}\n    {q.summary}"]
        for p in q.parameters:
            need = "required" if p.required and p.default is None else "optional"
            default = f", default {_curie(p.default) if p.type == 'iri' else p.default}" if p.default else ""
            shape = f"<{p.kind} IRI>" if values is not None and p.of_class else f"<{p.type}>"
            lines.append(f"    --param {p.name}={shape}  ({need}{default})")
            if values is not None and p.of_class:
                allowed = values(p)
                lines.append(f"      {len(allowed)} allowed:" if allowed else f"      (no {p.kind} in the graph)")
                width = max((len(v) for v, _ in allowed), default=0)
                lines += [f"        {v.ljust(width)}  {label}".rstrip() for v, label in allowed]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _curie(iri: str) -> str:
    """``iri`` with a kgkit prefix where one fits (as ``--param`` takes it)."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


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
