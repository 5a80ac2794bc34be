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


@pytest.mark.slow
def test_importing_the_modules_does_not_replace_the_functions() -> None:
    out = _fresh("import kgkit.graph.build, kgkit.stores.query, kgkit; from kgkit.rdf.export import export; "
                 "print(callable(kgkit.build), callable(kgkit.query), kgkit.export is export)")
    assert out.split() == ["True", "True", "True"]


def test_importing_one_module_does_not_import_the_others() -> None:
    out = _fresh("import sys, kgkit.stores; print(sorted(m for m in sys.modules if m.startswith('kgkit.')))")
    assert "kgkit.stores" in out
    for heavy in ("kgkit.extraction.extract", "kgkit.quality.validate", "kgkit.graph.build", "kgkit.present.viz"):
        assert f"'{heavy}'" not in out


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing"):
        kgkit.nothing  # noqa: B018  (kgkit's module __getattr__ raises it)


@pytest.mark.slow
def test_a_command_line_run_imports_only_its_command_group() -> None:
    out = _fresh("import sys; sys.argv = ['kgkit', 'query', '--list']\n"
                 "from kgkit.cli import main\n"
                 "try:\n    main()\nexcept SystemExit:\n    pass\n"
                 "print(sorted(m for m in sys.modules if m.startswith('kgkit.cli.')))")
    assert "'kgkit.cli.ask'" in out
    for other in ("build", "check", "share", "show"):
        assert f"'kgkit.cli.{other}'" not in out


@pytest.mark.slow
def test_every_registered_command_has_its_group_in_the_table() -> None:
    from kgkit.cli import COMMAND_GROUPS

    out = _fresh("from kgkit import cli; cli._register([]); print(*(c.name for c in cli.app.registered_commands))")
    assert sorted(out.split()) == sorted(COMMAND_GROUPS)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "query", "docs"])
def test_a_command_alone_is_still_a_subcommand(command: str) -> None:
    # only its group is registered, yet `kgkit build --help` is the build command's help, not the app's
    out = _fresh(f"import sys; sys.argv = ['kgkit', {command!r}, '--help']\n"
                 "from kgkit.cli import main\n"
                 "try:\n    main()\nexcept SystemExit:\n    pass")
    assert f"Usage: kgkit {command} [OPTIONS]" in " ".join(out.split())


def test_cli_info_names_the_versions_and_engines(run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    code, out, _ = run_cli("info")
    assert code == 0 and out.startswith("kgkit ") and "rdflib" in out and "NLP models:" in out
    code, out, _ = run_cli("info", "--json")
    report = json.loads(out)
    assert report["versions"]["kgkit"] == kgkit.__version__ and "oxigraph store" in report["engines"]
