"""Sorted, distinct lines of any number in bounded memory: an external merge sort of byte lines.

Lines are added in any order; up to ``run_bytes`` of them are kept in memory, sorted and, when
more come, written to a temporary file (a *run*). Reading merges the runs. Lines sort by their
bytes, which for UTF-8 text is the order of the code points (what ``sorted()`` gives ``str``).
Whenever ``MERGE_RUNS`` runs of the same length are on disk they are merged into one longer run,
so that however many lines come, few runs are open (and buffered) at once in the last merge, and
each line is written about log(size / run_bytes) / log(MERGE_RUNS) + 1 times.

>>> with LineSorter() as lines:
...     lines.add([b"b", b"a", b"b"])
...     lines.add([b"c a"])
...     b"".join(lines.blocks())
b'a\\nb\\nc a\\n'
"""

from __future__ import annotations

import contextlib
import heapq
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

#: Bytes of lines held in memory before a run is written out (about 1.4x that in Python objects)
RUN_BYTES = 1 << 29
#: Lines in one block handed out by :meth:`LineSorter.blocks`
BLOCK_LINES = 1 << 14
#: Runs merged at once, each an open file read through a buffer of up to ``READ_BUFFER`` bytes (less
#: for a small ``run_bytes``: the buffers of a merge hold about as much as one run)
MERGE_RUNS = 64
READ_BUFFER = 1 << 20


class LineSorter:
    """Collects lines (bytes without their newline) and gives them back sorted, each once.

    A line must not hold ``b"\\n"``, nor any byte below it (tabs and other control characters
    escaped), so that a line sorts before every longer line it begins. Use it as a context
    manager: the temporary runs are removed on leaving (also on an error or Ctrl-C).
    """

    def __init__(self, run_bytes: int | None = None, directory: str | Path | None = None) -> None:
        self.run_bytes = run_bytes or RUN_BYTES
        self.directory = directory
        self._lines: list[bytes] = []
        self._size = 0
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._runs: list[Path] = []
        self._levels: list[int] = []  # of each run: 0 written from memory, n+1 merged from runs of level n
        self._made = 0
        self._buffer = min(READ_BUFFER, max(1 << 16, self.run_bytes // MERGE_RUNS))

    def __enter__(self) -> LineSorter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Drop the lines held and remove the runs written."""
        self._lines, self._size, self._runs, self._levels = [], 0, [], []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def add(self, lines: Iterable[bytes], size: int | None = None) -> None:
        """Add ``lines`` (duplicates are dropped when read); ``size`` is their bytes, if known."""
        before = len(self._lines)
        self._lines.extend(lines)
        if size is None:
            size = sum(map(len, self._lines[before:])) + len(self._lines) - before
        self._size += size
        if self._size >= self.run_bytes:
            self._spill()

    def _spill(self) -> None:
        run = self._new_run()
        with open(run, "wb") as fh:
            _write_lines(fh, _sorted_distinct(self._lines))
        self._runs.append(run)
        self._levels.append(0)
        self._lines, self._size = [], 0
        # levels never grow from left to right, so runs of one level are together at the end
        while len(self._levels) >= MERGE_RUNS and len(set(self._levels[-MERGE_RUNS:])) == 1:
            merged = self._new_run()
            merging = self._runs[-MERGE_RUNS:]
            with contextlib.ExitStack() as stack, open(merged, "wb", buffering=self._buffer) as out:
                files = [stack.enter_context(open(run, "rb", buffering=self._buffer)) for run in merging]
                out.writelines(_distinct(heapq.merge(*files)))
            for run in merging:
                run.unlink()
            level = self._levels[-1] + 1
            del self._runs[-MERGE_RUNS:], self._levels[-MERGE_RUNS:]
            self._runs.append(merged)
            self._levels.append(level)

    def _new_run(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kgkit-sort-", dir=self.directory)
        self._made += 1
        return Path(self._tmp.name) / f"run{self._made}"

    def batches(self) -> Iterator[list[bytes]]:
        """The lines, sorted and distinct, in lists of up to ``BLOCK_LINES``."""
        if not self._runs:
            lines = _sorted_distinct(self._lines)
            self._lines, self._size = [], 0
            for i in range(0, len(lines), BLOCK_LINES):
                yield lines[i : i + BLOCK_LINES]
            return
        if self._lines:
            self._spill()
        with contextlib.ExitStack() as stack:
            files = [stack.enter_context(open(run, "rb", buffering=self._buffer)) for run in self._runs]
            batch: list[bytes] = []
            size = 0
            for line in _distinct(heapq.merge(*files)):
                batch.append(line[:-1])
                size += len(line)
                if len(batch) >= BLOCK_LINES or size >= self._buffer:
                    yield batch
                    batch, size = [], 0
            if batch:
                yield batch

    def blocks(self) -> Iterator[bytes]:
        """The lines, sorted and distinct, as blocks of whole lines each ending in ``b"\\n"``."""
        for batch in self.batches():
            yield b"\n".join(batch) + b"\n"


def _sorted_distinct(lines: list[bytes]) -> list[bytes]:
    # dict.fromkeys drops duplicates and keeps the order lines came in, so runs of lines already in
    # order (a build writes each graph's lines sorted) stay runs, which sorted() (Timsort) merges fast
    return sorted(dict.fromkeys(lines))


def _distinct(lines: Iterator[bytes]) -> Iterator[bytes]:
    """``lines`` (in order) without the repetitions of a line."""
    last = None
    for line in lines:
        if line != last:
            yield line
            last = line


def _write_lines(fh: IO[bytes], lines: list[bytes]) -> None:
    for i in range(0, len(lines), BLOCK_LINES):
        fh.write(b"\n".join(lines[i : i + BLOCK_LINES]) + b"\n")
