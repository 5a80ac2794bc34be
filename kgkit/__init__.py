"""kgkit: conference write-ups to a validated, queryable RDF knowledge graph.

Every CLI command is also a library function of the same name::

    import kgkit
    result = kgkit.build(["data/corpus"], out_dir="build")
    report = kgkit.validate("build")
    rows = kgkit.query("orgs-on-sustainability", source="build")
    kgkit.export("build", format="turtle", output="kg.ttl")
"""

from __future__ import annotations

from kgkit.build import build
from kgkit.evaluate import evaluate
from kgkit.explain import explain
from kgkit.export import export
from kgkit.query import query
from kgkit.report import docs
from kgkit.serve import serve
from kgkit.stores import load
from kgkit.validate import validate
from kgkit.viz import viz

__version__ = "0.1.0"
__all__ = ["build", "docs", "evaluate", "explain", "export", "load", "query", "serve", "validate", "viz"]
