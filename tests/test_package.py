"""The kgkit package: every command is a function of the same name, imported on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kgkit


def _fresh(code: str) -> str:
    """What ``code`` prints in a new interpreter (so that nothing was imported before it)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_every_command_is_a_function_of_the_package() -> None:
    for name in kgkit.__all__:
        assert callable(getattr(kgkit, name)), name
    assert set(kgkit.__all__) <= set(dir(kgkit))


def test_a_module_imported_by_name_does_not_replace_its_function() -> None:
    out = _fresh("import kgkit.build, kgkit.query, kgkit; from kgkit.export import export; "
                 "print(callable(kgkit.build), callable(kgkit.query), kgkit.export is export)")
    assert out.split() == ["True", "True", "True"]


def test_importing_one_module_does_not_import_the_others() -> None:
    out = _fresh("import sys, kgkit.stores; print(sorted(m for m in sys.modules if m.startswith('kgkit.')))")
    assert "kgkit.stores" in out
    for heavy in ("kgkit.extract", "kgkit.validate", "kgkit.build", "kgkit.viz"):
        assert f"'{heavy}'" not in out


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing"):
        kgkit.nothing  # type: ignore[attr-defined]  # noqa: B018
