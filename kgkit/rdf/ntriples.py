"""The one N-Triples / N-Quads writer: terms and lines in escaped, one-line form."""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Identifier, Node

from kgkit.errors import QueryError
from kgkit.rdf.files import one_line

# An absolute IRI with nothing that could end the <...> or break out of it (N-Triples IRIREF).
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*")


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


Quad = tuple[Node, Node, Node, URIRef]


def nquad(quad: Quad) -> str:
    """One N-Quads line (with its newline) for ``quad``; control characters in literals are escaped,
    so every statement is exactly one line whichever tool splits the file."""
    s, p, o, g = quad
    obj = one_line(_quoteLiteral(o)) if isinstance(o, Literal) else n3_iri(o)
    return f"{n3_iri(s)} {n3_iri(p)} {obj} {n3_iri(g)} .\n"


@lru_cache(maxsize=1 << 16)
def n3_iri(term: Node) -> str:
    """N-Triples form of an IRI (or blank node), cached: the same few thousand recur in every line."""
    return str(term.n3())
