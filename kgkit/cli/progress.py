"""A progress bar for the command line: on stderr, only on a terminal, only after a second of work."""

from __future__ import annotations

import os
import threading
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeRemainingColumn
from rich.text import Text


class RateColumn(ProgressColumn):
    """The units done per second (rich's estimate over the last half minute), e.g. "12.5 documents/s"."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.1f} {self.unit}/s")

#: Seconds of work before a progress bar or spinner shows (``KGKIT_PROGRESS_DELAY`` sets it; 0: at once).
DELAY = float(os.environ.get("KGKIT_PROGRESS_DELAY", "1") or 1)


class ProgressBar:
    """Call :meth:`update` with the work done so far; the bar appears once the work has taken
    ``delay`` seconds, and never when stderr is not a terminal or ``enabled`` is false (--quiet)."""

    def __init__(
        self, label: str, unit: str, *, enabled: bool = True, delay: float = DELAY, console: Console | None = None
    ) -> None:
        self.label, self.unit = label, unit
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.delay = delay
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def update(self, done: int, total: int, description: str | None = None) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.started < self.delay:
                return
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn(f"{{task.completed:,.0f}}/{{task.total:,.0f}} {self.unit}"),
                RateColumn(self.unit),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=total)
        assert self.task is not None
        self.progress.update(self.task, completed=done, total=max(total, 1), description=description or self.label)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


class Spinner:
    """For work that cannot count its progress (validation, export): a spinner with ``label`` on
    stderr, shown only on a terminal and only once the work has taken ``delay`` seconds."""

    def __init__(
        self, label: str, *, enabled: bool = True, delay: float = DELAY, console: Console | None = None
    ) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.status = self.console.status(label)
        self.timer = threading.Timer(delay, self.status.start)
        self.timer.daemon = True

    def __enter__(self) -> Spinner:
        if self.enabled:
            self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        if self.enabled:
            self.status.stop()
