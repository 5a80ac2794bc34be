"""Files kgkit reads and writes: what ``-i PATH`` means, atomic writes, the output lock, one-line text."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kgkit.errors import InputError, OutputError
from kgkit.rdf.formats import format_for_path
from kgkit.rdf.guard import check_file

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


KG_FILE = "kg.nq"  # what `kgkit build` writes into its output directory


def resolve_input(path: str | Path) -> Path:
    """A build directory means its ``kg.nq``; a file is itself. InputError if neither exists, and for
    input made to attack a parser (compressed data, RDF/XML entities: :mod:`kgkit.rdf.guard`)."""
    p = Path(path)
    if p.is_dir():
        p = p / KG_FILE
        if not p.is_file():
            raise InputError(f"no {KG_FILE} in this directory; run `kgkit build -o {path}` first", path=path)
    elif not p.is_file():
        hint = "; run `kgkit build` first" if p.name in ("build", KG_FILE) or p.parent.name == "build" else ""
        raise InputError(f"no such file or directory{hint}", path=path)
    try:
        fmt = format_for_path(p).name
    except InputError:
        return p  # the caller says what it makes of the extension
    check_file(p, fmt)
    return p


# Characters that may stand raw in an N-Triples/N-Quads string but that line-based tools (and Python's
# str.splitlines) take for line ends or choke on: written as \uXXXX escapes, which mean the same.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")


def one_line(statement: str) -> str:
    r"""An N-Triples/N-Quads statement with its control and line-separator characters escaped, so that
    it is exactly one line whichever tool splits the file.

    >>> one_line('<s> <p> "a\x1eb" .')
    '<s> <p> "a\\u001Eb" .'
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04X}", statement)


# What must not reach a terminal (or a one-line message) raw: C0 and C1 control characters (ESC starts
# the escape sequences that move the cursor, retitle the window or write files in some terminals; BEL
# rings), DEL, the bidirectional controls that make text display in another order than it is read
# ("Trojan Source") and the Unicode line and paragraph separators.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NOT_ONE_LINE = re.compile(_NOT_PRINTABLE.pattern[:-1] + "\t\n]")


def printable(text: str, *, one_line: bool = False) -> str:
    r"""``text`` for a terminal or a web page: control, bidirectional-override and line-separator
    characters written as ``\uXXXX``; with ``one_line`` tabs and newlines too (a file name holding
    a newline must not split a one-line message).

    >>> printable("a\x1b[31mred\x07\n"), printable("two\nlines", one_line=True)
    ('a\\u001B[31mred\\u0007\n', 'two\\u000Alines')
    """
    pattern = _NOT_ONE_LINE if one_line else _NOT_PRINTABLE
    return pattern.sub(lambda m: f"\\u{ord(m[0]):04X}", text) if pattern.search(text) else text


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, durable: bool = True) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it into place only when complete.

    An exception, Ctrl-C or a full disk inside the block leaves any previous ``path`` untouched and
    removes the temporary file (only SIGKILL or a power cut can leave one behind: a hidden
    ``.NAME.*.tmp`` file, which :func:`remove_stale_temps` clears). OSError becomes OutputError.
    ``durable=False`` skips the fsyncs, for files that can be made again (the build cache).

    A symbolic link is followed: the file it leads to is replaced and the link stays. A target that is
    no regular file (``/dev/null``, ``/dev/stdout``, a pipe) is written to as it is, as a shell's
    ``>`` would, never replaced by a file.
    """
    target = Path(path)
    try:
        st: os.stat_result | None = os.stat(target)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError("cannot write: it is a directory", path=target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(target, mode, encoding=None if "b" in mode else "utf-8") as fh:
                yield fh
        except OSError as err:
            raise OutputError(f"cannot write: {err.strerror or err}", path=target) from None
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, _new_file_mode(target))  # mkstemp makes it 0600; give it the mode a new file gets
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if "b" in mode else "\n") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
        if durable:
            _fsync_directory(target.parent)
    except OSError as err:
        raise OutputError(f"cannot write: {err.strerror or err}", path=target) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def remove_stale_temps(path: str | Path) -> list[Path]:
    """Delete the temporary files a killed :func:`atomic_write` of ``path`` left behind; the ones removed.

    Only safe while holding :func:`output_lock` on the directory (else another writer's file may go).
    """
    target = Path(path)
    removed = []
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _new_file_mode(target: Path) -> int:
    """The permission bits of ``target`` if it exists, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


LOCK_FILE = ".kgkit.lock"


@contextlib.contextmanager
def output_lock(directory: str | Path, what: str = "build") -> Iterator[Path]:
    """Hold an exclusive lock on an output directory (creating it) while kgkit writes into it.

    A second process gets OutputError at once, naming the process that holds the lock. The lock is an
    ``flock`` on ``DIR/.kgkit.lock`` (which holds the owner's PID, for that message): the system
    releases it when its process dies, however it dies, so a lock file left by a killed process is
    stale by construction and simply taken over. Where there is no ``fcntl`` (Windows) nothing is locked.
    """
    folder = Path(directory)
    lock = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _acquire(lock, what)
    except OSError as err:
        raise OutputError(f"cannot write into this directory: {err.strerror or err}", path=folder) from None
    try:
        yield lock
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            os.close(fd)


def _acquire(lock: Path, what: str) -> int | None:
    if fcntl is None:  # pragma: no cover - Windows
        return None
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise OutputError(
                f"another kgkit {what}{who} is writing into this directory; try again when it has finished",
                path=lock.parent,
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the holder may have removed the file between our open and flock: lock the new one
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return fd
        os.close(fd)


def first_line(err: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), for one-line errors."""
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
