"""kgkit: conference write-ups to a validated, queryable RDF knowledge graph.

Every CLI command is also a library function of the same name::

    import kgkit
    result = kgkit.build(["data/corpus"], out_dir="build")
    report = kgkit.validate("build")
    rows = kgkit.query("orgs-on-sustainability", source="build")
    kgkit.export("build", format="turtle", output="kg.ttl")

The package is layered; each layer imports only from the layers below it (checked by import-linter,
see ``pyproject.toml``):

- ``kgkit.cli`` — the command line, one module per command group;
- ``kgkit.present`` — labels, explain, pictures, the HTML report, the SPARQL server;
- ``kgkit.quality`` — SHACL validation and scoring against gold annotations;
- ``kgkit.stores`` — the Store protocol (in memory, embedded Oxigraph, remote SPARQL), queries, loads;
- ``kgkit.graph`` — facts to quads: the build, the evidence model, vocabulary and reference graphs;
- ``kgkit.extraction`` — documents to facts;
- ``kgkit.documents`` — files to ``Document`` objects;
- ``kgkit.sparql`` — query text, results and renderers, the canned-query library;
- ``kgkit.rdf`` — terms, the format table, reading and writing RDF, atomic files;
- ``kgkit.errors``, ``kgkit.resources`` — typed exceptions, the bundled files.

The functions are imported on first use, so ``import kgkit`` costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgkit.graph.build import build
    from kgkit.present.explain import explain
    from kgkit.present.info import info
    from kgkit.present.report import docs
    from kgkit.present.serve import serve
    from kgkit.present.viz import viz
    from kgkit.quality.evaluate import evaluate
    from kgkit.quality.validate import validate
    from kgkit.rdf.export import export
    from kgkit.stores.load import load
    from kgkit.stores.query import query

__version__ = "0.2.0"
__all__ = ["build", "docs", "evaluate", "explain", "export", "info", "load", "query", "serve", "validate", "viz"]

#: each function, and the module it lives in
_FUNCTIONS = {
    "build": "kgkit.graph.build",
    "docs": "kgkit.present.report",
    "evaluate": "kgkit.quality.evaluate",
    "explain": "kgkit.present.explain",
    "export": "kgkit.rdf.export",
    "info": "kgkit.present.info",
    "load": "kgkit.stores.load",
    "query": "kgkit.stores.query",
    "serve": "kgkit.present.serve",
    "validate": "kgkit.quality.validate",
    "viz": "kgkit.present.viz",
}


def __getattr__(name: str) -> Any:
    if name not in _FUNCTIONS:
        raise AttributeError(f"module 'kgkit' has no attribute {name!r}")
    function = getattr(importlib.import_module(_FUNCTIONS[name]), name)
    globals()[name] = function
    return function


def __dir__() -> list[str]:
    return sorted({*globals(), *_FUNCTIONS})
