"""SPARQL text: parsing and checking a query, kgkit's predeclared prefixes, binding parameters as VALUES.

>>> check_query("SELECT * WHERE { ?s ?p ?o }")
'SELECT'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import BNode
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier

from kgkit.errors import QueryError
from kgkit.rdf.ntriples import nt_term
from kgkit.rdf.terms import PREFIXES

_KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}




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


DECLARED = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())


def declare_prefixes(sparql: str) -> str:
    """Prepend PREFIX declarations for the kgkit prefixes the text does not declare itself."""
    return prefixes_for(sparql) + sparql


TOKENS = re.compile(
    r'''
    (?P<skip> \#[^\n]*                                        # comment
            | """(?:[^"\\]|\\.|"(?!""))*""" | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
            | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'       # strings
            | <[^\x00-\x20<>"{}|^`\\]*> )                     # IRIs
  | (?P<brace>[{}]) | (?P<paren>[()]) | (?P<word>[?$]?\w[\w:.-]*)      # keywords, names, variables
''',
    re.VERBOSE,
)


def with_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (<term> "term") }`` opening its WHERE clause.

    This is how remote queries get their parameters: each term is written in escaped N-Triples
    syntax (:func:`kgkit.rdf.ntriples.nt_term`), so a value can never change the query's structure.
    """
    return sent_text(sparql, bindings).text


@dataclass(frozen=True)
class SentText:
    """A query as an engine gets it: ``text`` is the user's ``query`` with ``prefix`` (PREFIX lines)
    before it and a VALUES clause of ``inserted`` characters put in at ``at`` (an offset in the
    user's text; -1: none). An engine's error position in ``text`` is told in the user's text by
    :meth:`locate`."""

    text: str
    query: str
    prefix: int = 0
    at: int = -1
    inserted: int = 0

    def user_offset(self, offset: int) -> int:
        """The offset in the user's text of ``offset`` in ``text`` (inside kgkit's additions: where
        they go)."""
        offset -= self.prefix
        if self.at >= 0 and offset > self.at:
            offset = max(self.at, offset - self.inserted)
        return min(max(offset, 0), len(self.query))

    def locate(self, line: int, column: int) -> tuple[int, int]:
        """(line, column) in the user's text, 1-based, of 1-based ``line``:``column`` in ``text``."""
        lines = self.text.split("\n")
        line = min(max(line, 1), len(lines))
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(column - 1, 0)
        user = self.user_offset(offset)
        before = self.query[:user]
        return before.count("\n") + 1, user - (before.rfind("\n") + 1) + 1


def sent_text(sparql: str, bindings: Mapping[str, Identifier], prefix: str = "") -> SentText:
    """``prefix + sparql`` with ``bindings`` in a VALUES clause opening the WHERE clause (see
    :func:`with_values`), and where the user's text is in it."""
    if not bindings:
        return SentText(prefix + sparql, sparql, len(prefix))
    for name, term in bindings.items():
        if not re.fullmatch(r"\w+", name) or isinstance(term, BNode):
            raise QueryError(f"cannot bind ?{name} to {term!r}: need a variable name and an IRI or literal")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(nt_term(term) for term in bindings.values())
    values = f" VALUES ({names}) {{ ({terms}) }} "
    depth = parens = 0
    previous = ""
    for match in TOKENS.finditer(sparql):
        token = match.group()
        if match.lastgroup == "paren":
            parens += 1 if token == "(" else -1
        elif match.lastgroup == "brace":
            # the first top-level '{' opens the WHERE clause, unless it is a CONSTRUCT template
            if token == "{" and depth == 0 and parens == 0 and previous.upper() != "CONSTRUCT":
                at = match.end()
                return SentText(prefix + sparql[:at] + values + sparql[at:], sparql, len(prefix), at, len(values))
            depth += 1 if token == "{" else -1
        if match.lastgroup != "skip":
            previous = token
    raise QueryError("cannot bind parameters: the query has no WHERE clause")


def prefixes_for(sparql: str) -> str:
    """PREFIX lines for the kgkit prefixes ``sparql`` does not declare itself."""
    declared = {p.lower() for p in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", sparql)}
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p.lower() not in declared)


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)  # Oxigraph: "error at 12:40: expected ..."
_VIRTUOSO_LINE = re.compile(r"(SPARQL compiler, line )(\d+)")


def engine_error(message: str, sent: SentText) -> QueryError:
    """An engine's syntax error about ``sent`` as kgkit tells rdflib's: the line and column in the
    user's text, what is wrong in words (not a list of expected tokens) and the text there.

    >>> sent = sent_text("SELECT * {} GROUP BY ?s", {}, prefix=DECLARED)
    >>> print(engine_error('error at 12:24: expected one of "$", SELECT * is not authorized with GROUP BY', sent))
    ... # doctest: +NORMALIZE_WHITESPACE
    SPARQL syntax error at line 1, column 24: SELECT * is not authorized with GROUP BY (at the end of the query)
    in: SELECT * {} GROUP BY ?s
    """
    first = " ".join(message.split())
    found = _ENGINE_POSITION.search(first)
    if found is None:
        virtuoso = _VIRTUOSO_LINE.search(first)
        if virtuoso is not None:
            line, _ = sent.locate(int(virtuoso.group(2)), 1)
            first = first[: virtuoso.start(2)] + str(line) + first[virtuoso.end(2) :]
            return QueryError(f"SPARQL error: {first[:300]}", line=line)
        return QueryError(f"SPARQL syntax error: {first[:300]}")
    line, column = sent.locate(int(found.group(1)), int(found.group(2)))
    lines = sent.query.split("\n")
    if not "\n".join(lines[line - 1 :])[column - 1 :].strip():  # at the end: where the text ends
        before = sent.query.rstrip()
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    near = " ".join("\n".join(lines[line - 1 :])[column - 1 :].split())[:40]
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {_in_words(found.group(3))} "
        f"{f'near {near!r}' if near else '(at the end of the query)'} in: {lines[line - 1].strip()[:100]}",
        line=line,
    )


def _in_words(expected: str) -> str:
    """What Oxigraph's list of expected tokens says in words: its own sentence when one is in the list
    ("SELECT * is not authorized with GROUP BY"), else that the text is not SPARQL from there on."""
    for item in re.split(r", (?=[^,]*(?:$|,))", expected.removeprefix("expected one of ").removeprefix("expected ")):
        words = item.strip()
        if re.fullmatch(r"[A-Z][\w*()?]*(?: [\w*()?]+){2,}", words) and not words.isupper():
            return words
    return "not valid SPARQL 1.1 from here on"


def query_form(sparql: str) -> str | None:
    """The form a query's text says it is, from its first keyword ("SELECT", "ASK", "CONSTRUCT",
    "DESCRIBE"), without parsing it (None: none of them; :func:`check_query` says what is wrong).

    >>> query_form("PREFIX x: <http://x/> # SELECT?\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    for token in TOKENS.finditer(sparql):
        if token.lastgroup == "word" and token.group().upper() in _FORMS:
            return token.group().upper()
    return None


_FORMS = frozenset(_KINDS.values())


def names_its_dataset(sparql: str) -> bool:
    """Does ``sparql`` say which graphs it reads (FROM, FROM NAMED)?

    >>> names_its_dataset("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }"), names_its_dataset("SELECT * { ?s ?p ?o }")
    (True, False)
    """
    return any(t.lastgroup == "word" and t.group().upper() == "FROM" for t in TOKENS.finditer(sparql))
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FETCHING = ("SERVICE", "LOAD")
_TARGET = re.compile(r"\s*(?:SILENT\s+)?(<[^>\s]*>|[?$]\w+|[^\s{]+)?", re.I)


def codepoints_unescaped(sparql: str) -> str:
    r"""``sparql`` with its ``\uXXXX`` and ``\UXXXXXXXX`` escapes replaced by the characters they
    stand for, as SPARQL engines do before they parse (so ``\u0053ERVICE`` is ``SERVICE``).

    >>> codepoints_unescaped(r"\u0053ERVICE")
    'SERVICE'
    """
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _CODEPOINT.sub(char, sparql)


@functools.lru_cache(maxsize=256)
def fetching_clauses(sparql: str) -> tuple[str, ...]:
    """The clauses of ``sparql`` (a query or update) that make a local engine send a request to
    another server: ``SERVICE <url>`` (rdflib and Oxigraph both send it) and ``LOAD <url>``.

    >>> fetching_clauses("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    ('SERVICE <http://example.org/sparql>',)
    >>> fetching_clauses('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    ()
    """
    text = codepoints_unescaped(sparql)
    found = []
    for token in TOKENS.finditer(text):
        if token.lastgroup == "word" and token.group().upper() in _FETCHING:
            target = _TARGET.match(text, token.end())
            found.append(f"{token.group().upper()} {target.group(1) if target and target.group(1) else ''}".strip())
    return tuple(found)


def refuse_fetching(sparql: str, *, allow_service: bool = False, hint: bool = True) -> None:
    """QueryError if ``sparql`` would make a local engine send a request (:func:`fetching_clauses`)
    and that is not allowed; ``hint`` names the option that allows it."""
    found = fetching_clauses(sparql)
    if found and not allow_service:
        how = "; pass --allow-service to allow it" if hint else "; this endpoint never runs SERVICE or LOAD"
        raise QueryError(f"{found[0][:200]} would send a request to another server: refused{how}")


@functools.lru_cache(maxsize=256)
def uses_named_graphs(sparql: str) -> bool:
    r"""Does ``sparql`` use the GRAPH or FROM keyword (not the word in a comment, string, IRI or name)?

    >>> uses_named_graphs("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    True
    >>> uses_named_graphs('# over the whole graph\nSELECT * WHERE { ?s <http://x/graph> "graph", ?graph }')
    False
    """
    return any(t.lastgroup == "word" and t.group().upper() in ("GRAPH", "FROM") for t in TOKENS.finditer(sparql))
