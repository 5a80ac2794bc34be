"""The command line's progress bar: only on a terminal, only after its delay."""

from __future__ import annotations

import io

from rich.console import Console

from kgkit.cli.progress import ProgressBar


def test_progress_bar_appears_after_the_delay() -> None:
    out = io.StringIO()
    with ProgressBar("Loading", "triples", console=Console(file=out, force_terminal=True, width=80), delay=0) as bar:
        bar.update(50, 100)
        bar.update(100, 100, "Checking")
    assert "Checking" in out.getvalue() and "triples" in out.getvalue()
    quiet = io.StringIO()
    with ProgressBar("Loading", "triples", console=Console(file=quiet, force_terminal=True), delay=60) as bar:
        bar.update(1, 100)
    assert quiet.getvalue() == ""


def test_no_progress_bar_when_not_a_terminal() -> None:
    out = io.StringIO()
    with ProgressBar("Building", "documents", console=Console(file=out, force_terminal=False), delay=0) as bar:
        bar.update(1, 2)
    assert out.getvalue() == ""
