"""``-o`` onto what is no regular file: a device (``/dev/null``), a pipe, a symbolic link. A device or a
pipe is written to, as a shell's ``>`` would, never replaced by a regular file; a symbolic link is
followed: the file it leads to is replaced (atomically, its temporary file beside it) and the link
stays a link.

As root, a regression would replace /dev/null itself, so the tests then use a device node of their
own with /dev/null's numbers (made in the test's folder); otherwise /dev/null, which no one but root
can replace (a regression fails to write there, and the test fails).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import no_temporary_files

CliRun = Callable[..., tuple[int, str, str]]

TRIPLES = "".join(sorted(f'<http://x.example/{i}> <http://x.example/p> "{i}" .\n' for i in range(100)))  # as written


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.nt"
    path.write_text(TRIPLES, encoding="utf-8")
    return path


def null_device(folder: Path) -> Path:
    """/dev/null, or as root a character device like it in ``folder`` (see the module docs)."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = folder / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as err:  # (a container without CAP_MKNOD)
        pytest.skip(f"cannot make a device node: {err}")
    return node


def test_export_onto_a_device_writes_to_it_and_leaves_it_a_device(run_cli: CliRun, source: Path,
                                                                  tmp_path: Path) -> None:
    device = null_device(tmp_path)
    before = os.stat(device)
    code, _, err = run_cli("export", "-i", str(source), "-f", "nt", "-o", str(device))
    assert code == 0, err
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert no_temporary_files(device.parent)


def test_export_onto_a_pipe_writes_into_it(run_cli: CliRun, source: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run_cli("export", "-i", str(source), "-f", "nt", "-o", str(fifo))
    reader.join(10)
    if reader.is_alive():  # nothing opened the pipe (it was replaced): let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert code == 0 and not reader.is_alive(), err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and got == [TRIPLES.encode()]
    assert no_temporary_files(tmp_path)


def test_export_onto_a_symlink_replaces_its_target_and_keeps_the_link(run_cli: CliRun, source: Path,
                                                                      tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "kg.nt"
    target.write_text("<http://x.example/old> <http://x.example/p> <http://x.example/o> .\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.nt"
    link.symlink_to(Path("elsewhere") / "kg.nt")  # relative, as `ln -s` makes them
    code, _, err = run_cli("export", "-i", str(source), "-f", "nt", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(Path("elsewhere") / "kg.nt")
    assert target.read_text(encoding="utf-8") == TRIPLES and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert no_temporary_files(tmp_path) and no_temporary_files(elsewhere)
    # a link to a file that does not exist yet: the file is made where it leads
    dangling = tmp_path / "dangling.nt"
    dangling.symlink_to(elsewhere / "new.nt")
    code, _, err = run_cli("export", "-i", str(source), "-f", "nt", "-o", str(dangling))
    assert code == 0, err
    assert dangling.is_symlink() and (elsewhere / "new.nt").read_text(encoding="utf-8") == TRIPLES
