"""The command line's progress bar: only on a terminal, only after its delay."""

from __future__ import annotations

import io
import time

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


def test_spinner_shows_only_after_its_delay_and_on_a_terminal() -> None:
    import time

    from kgkit.cli.progress import Spinner

    out = io.StringIO()
    with Spinner("Validating", console=Console(file=out, force_terminal=True, width=80), delay=0.01):
        time.sleep(0.3)
    assert "Validating" in out.getvalue()
    quick = io.StringIO()
    with Spinner("Validating", console=Console(file=quick, force_terminal=True), delay=60):
        pass
    assert quick.getvalue() == ""
    piped = io.StringIO()
    with Spinner("Validating", console=Console(file=piped, force_terminal=False), delay=0):
        time.sleep(0.05)
    assert piped.getvalue() == ""


def test_the_bar_shows_the_rate() -> None:
    out = io.StringIO()
    with ProgressBar("Extracting", "documents", console=Console(file=out, force_terminal=True, width=120),
                     delay=0) as bar:
        for done in range(1, 4):
            bar.update(done, 3)
            time.sleep(0.05)
    assert "documents/s" in out.getvalue()
