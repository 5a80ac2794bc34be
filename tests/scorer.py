"""A fresh copy of the vendored reference scorer (kgkit/quality/kgscore.py), loaded from its file: with its
own ``names_match``, which :mod:`kgkit.quality.evaluate` replaces in the imported module by a faster one."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from paths import ROOT


def fresh_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kgscore_fresh", ROOT / "kgkit" / "quality" / "kgscore.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
