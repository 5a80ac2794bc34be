"""Finding documents: files and folders walked once each, links followed safely, sorted by path."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kgkit.documents.decode import stat_problem
from kgkit.documents.kinds import DOCUMENT_SUFFIXES, SUFFIXES_HELP
from kgkit.errors import DocumentError, InputError


@dataclass(frozen=True)
class Found:
    """A file to read as a document, found under ``root`` (names are relative to it); when ``problem``
    is set, one that cannot be read at all (a broken or looping symbolic link, an unknown extension
    given by name, a directory that cannot be listed)."""

    path: Path
    root: Path
    problem: DocumentError | None = None


@dataclass
class Scan:
    """What :func:`scan_documents` found: documents (sorted by path) and files that are not documents."""

    found: list[Found] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # in folders, with an extension kgkit does not read


def scan_documents(paths: Iterable[str | Path]) -> Scan:
    """Every document under ``paths`` (files or folders), each once, sorted by path.

    Folders are walked recursively, following symbolic links to directories (a link that leads back
    to a folder being walked is reported as a loop, not followed); hidden files and folders are
    skipped. Files with other extensions are ``ignored`` in folders, and a ``problem`` when named.
    InputError if a path does not exist.
    """
    scan = Scan()
    seen: set[str] = set()  # real paths of the files found
    walked: set[tuple[int, int]] = set()  # (device, inode) of the folders walked
    for raw in paths:
        root = Path(raw)
        try:
            st = root.stat()
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR) and not root.is_symlink():
                raise InputError("no such file or directory", path=root) from None
            scan.found.append(Found(root, root.parent, stat_problem(root, err)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(scan, root, root, {(st.st_dev, st.st_ino): root}, walked, seen)
        else:
            _add_file(scan, root, root.parent, st, seen, named=True)
    scan.found.sort(key=lambda f: str(f.path))
    scan.ignored.sort()
    return scan


def find_documents(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """The readable documents of :func:`scan_documents` as (file, root it was found under)."""
    return [(f.path, f.root) for f in scan_documents(paths).found if f.problem is None]


def _walk(
    scan: Scan,
    root: Path,
    folder: Path,
    ancestors: dict[tuple[int, int], Path],
    walked: set[tuple[int, int]],
    seen: set[str],
) -> None:
    """Add the documents under ``folder`` to ``scan``; ``ancestors`` are the folders above it, by inode."""
    walked.update(ancestors)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        scan.found.append(Found(folder, root, DocumentError(f"cannot list this folder: {err.strerror}", path=folder)))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            st = path.stat()  # follows symbolic links
        except OSError as err:
            if _is_document_name(path):
                scan.found.append(Found(path, root, stat_problem(path, err)))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                loop = DocumentError(f"symbolic link loop: leads back to {ancestors[key]}", path=path)
                scan.found.append(Found(path, root, loop))
            elif key not in walked:  # a folder reached twice through links is walked once
                _walk(scan, root, path, {**ancestors, key: path}, walked, seen)
        else:
            _add_file(scan, path, root, st, seen, named=False)


def _add_file(scan: Scan, path: Path, root: Path, st: os.stat_result, seen: set[str], *, named: bool) -> None:
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    if not _is_document_name(path):
        if named:
            suffix = path.suffix or path.name
            problem = DocumentError(f"not a kind of document kgkit reads ({suffix}); it reads {SUFFIXES_HELP}",
                                    path=path)
            scan.found.append(Found(path, root, problem))
        else:
            scan.ignored.append(path)
    elif not stat.S_ISREG(st.st_mode):
        scan.found.append(Found(path, root, DocumentError("not a regular file (a pipe, socket or device)", path=path)))
    else:
        scan.found.append(Found(path, root))


def _is_document_name(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES
