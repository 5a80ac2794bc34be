"""kgkit: conference write-ups to a validated, queryable RDF knowledge graph.

Every CLI command is also a library function of the same name::

    import kgkit
    result = kgkit.build(["data/corpus"], out_dir="build")
    report = kgkit.validate("build")
    rows = kgkit.query("orgs-on-sustainability", source="build")
    kgkit.export("build", format="turtle", output="kg.ttl")

The functions are imported on first use, so ``from kgkit.stores import load`` does not import the
extractor, SHACL and the rest. ``kgkit.build`` is the function even after its module
``kgkit.build`` is imported (import it with ``from kgkit.build import ...``).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: each function, and the module it lives in
_FUNCTIONS = {
    "build": "kgkit.build",
    "docs": "kgkit.report",
    "evaluate": "kgkit.evaluate",
    "explain": "kgkit.explain",
    "export": "kgkit.export",
    "load": "kgkit.stores",
    "query": "kgkit.query",
    "serve": "kgkit.serve",
    "validate": "kgkit.validate",
    "viz": "kgkit.viz",
}


class _Package(ModuleType):
    """The kgkit package: its functions are looked up on first use, and importing a module of the
    same name (kgkit.build) does not replace the function (the import system sets the module as an
    attribute of its package)."""

    def __getattr__(self, name: str) -> Any:
        if name not in _FUNCTIONS:
            raise AttributeError(f"module 'kgkit' has no attribute {name!r}")
        function = getattr(importlib.import_module(_FUNCTIONS[name]), name)
        ModuleType.__setattr__(self, name, function)
        return function

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS and isinstance(value, ModuleType):
            return
        ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted({*ModuleType.__dir__(self), *_FUNCTIONS})


sys.modules[__name__].__class__ = _Package
