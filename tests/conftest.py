"""Shared fixtures: the bundled corpus built once per test session, and the real triple stores
(tests/conftest_stores.py: ``oxigraph_url``, ``virtuoso_url``), each started at most once per session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest_stores import oxigraph_plain_url, oxigraph_url, virtuoso_url  # noqa: F401  (fixtures for every test)

from kgkit.graph.build import BuildResult


@pytest.fixture(scope="session")
def built(corpus_build: BuildResult) -> BuildResult:
    """The bundled corpus built into a temporary directory (``built.output`` is its kg.nq), once per
    session (``corpus_build`` in the repository's conftest.py, shared with the doctests)."""
    return corpus_build


@pytest.fixture(scope="session")
def built_dir(built: BuildResult) -> Path:
    return built.output.parent


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``kgkit ARGS`` in-process through the real entry point (all commands, the one place that maps
    errors to exit codes); returns (exit code, stdout, stderr) and asserts no traceback was printed."""
    from kgkit import cli

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["kgkit", *args])
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        code = exit_info.value.code
        return (code if isinstance(code, int) else 0), out, err

    return run
