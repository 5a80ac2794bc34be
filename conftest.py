"""Doctests of kgkit's modules run in a scratch folder holding the bundled corpus built as ``build/``,
with ``data/`` and ``tests/`` of the repository reachable, so examples read as a user types them. The
corpus is built once per session (``corpus_build``), for the doctests and the tests alike."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kgkit.graph.build import BuildResult

ROOT = Path(__file__).resolve().parent
#: doctests that take more than about 2 s (a doctest cannot carry a marker of its own)
SLOW_DOCTESTS = {"kgkit.quality.evaluate"}  # builds the corpus to score it against the gold


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The bundled corpus built once for the session (the tests' ``built``, the doctests' ``build/``)."""
    from kgkit.graph.build import build

    return build([ROOT / "data" / "corpus"], tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def doctest_folder(tmp_path_factory: pytest.TempPathFactory, corpus_build: BuildResult) -> Path:
    folder = tmp_path_factory.mktemp("doctest")
    for name in ("data", "tests"):
        (folder / name).symlink_to(ROOT / name)
    # a copy of the session's build (not the build itself: doctests write beside it); the Oxigraph store
    # cached beside kg.nq is left behind (it would be made again from the copy's time stamp)
    shutil.copytree(corpus_build.output.parent, folder / "build", ignore=shutil.ignore_patterns(".kgkit-oxigraph*"))
    return folder


@pytest.fixture(autouse=True)
def _doctests_in_their_folder(request: pytest.FixtureRequest) -> Iterator[None]:
    if not isinstance(request.node, pytest.DoctestItem):
        yield
        return
    folder: Path = request.getfixturevalue("doctest_folder")
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
