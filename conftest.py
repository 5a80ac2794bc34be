"""Doctests of kgkit's modules run in a scratch folder holding the bundled corpus built as ``build/``,
with ``data/`` and ``tests/`` of the repository reachable, so examples read as a user types them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def doctest_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kgkit.graph.build import build

    folder = tmp_path_factory.mktemp("doctest")
    for name in ("data", "tests"):
        (folder / name).symlink_to(ROOT / name)
    build([ROOT / "data" / "corpus"], folder / "build")
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
