"""Programs from Debian packages that some tests run (.ci/apt-packages.txt lists them, .ci/run installs
them): each such test is marked ``external`` and is skipped, with the reason, when its program is missing,
except under CI (the ``CI`` variable set), where a missing program is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., object])


def which(*names: str) -> str | None:
    """The path of the first of ``names`` found on PATH, or None."""
    return next((path for path in map(shutil.which, names) if path), None)


class Needs:
    """A decorator for a test that runs ``names[0]`` (or another of ``names``) from Debian ``package``:
    marks it ``external`` and skips it when none is installed. ``marks`` is the same for ``pytestmark``."""

    def __init__(self, *names: str, package: str, what: str) -> None:
        self.program = which(*names)
        self.marks = [
            pytest.mark.external,
            pytest.mark.skipif(
                self.program is None and not os.environ.get("CI"),
                reason=f"{what} is not installed (Debian: apt-get install {package}; .ci/apt-packages.txt)",
            ),
        ]

    def __call__(self, test: F) -> F:
        for mark in self.marks:
            test = mark(test)
        return test


needs_dot = Needs("dot", package="graphviz", what="Graphviz's `dot`")
needs_rapper = Needs("rapper", package="raptor2-utils", what="Raptor's `rapper`")
needs_chromium = Needs("chromium", "chromium-browser", "google-chrome", package="chromium", what="Chromium")
