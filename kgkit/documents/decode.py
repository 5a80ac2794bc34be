"""A document's bytes and their decoding: size limit, byte-order marks, declared encodings, UTF-8."""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path

from kgkit.errors import DocumentError

MAX_BYTES = 20 * 1024 * 1024


# HTML: <meta charset> / <meta http-equiv content="...; charset=..."> in the first 4 KB, or an XML declaration
_CHARSET = re.compile(
    rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)|\A\s*<\?xml[^>]+encoding=["']([A-Za-z0-9_.:-]+)""", re.I
)


# Text and Markdown: an Emacs or Vim mode line in the first two lines (as PEP 263 has it for Python)
_CODING = re.compile(
    rb"\A(?:[^\n]*\n)?[^\n]*?(?:-\*-[^\n]*?\bcoding[:=]\s*([A-Za-z0-9_.-]+)|\bvim?:[^\n]*?\bfileencoding=([A-Za-z0-9_.-]+))"
)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def stat_problem(path: Path, err: OSError) -> DocumentError:
    if err.errno == errno.ELOOP:
        return DocumentError("symbolic link loop", path=path)
    if path.is_symlink() and err.errno in (errno.ENOENT, errno.ENOTDIR):
        try:
            target = f"to {os.readlink(path)}, which does not exist"
        except OSError:
            target = "its target does not exist"
        return DocumentError(f"broken symbolic link ({target})", path=path)
    return DocumentError(f"cannot read: {err.strerror or err}", path=path)


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a document file (DocumentError if it is not a readable regular file, or too large)."""
    return _read_bytes(Path(path))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; DocumentError if it is not a readable regular file of at most MAX_BYTES."""
    limit = f"the limit is {MAX_BYTES // 2**20} MB"
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise DocumentError("is a directory, not a document", path=path)
        if not stat.S_ISREG(st.st_mode):  # reading a pipe could wait for ever
            raise DocumentError("not a regular file (a pipe, socket or device)", path=path)
        if st.st_size > MAX_BYTES:
            raise DocumentError(f"too large ({st.st_size / 2**20:.0f} MB; {limit})", path=path)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # files such as /proc ones report size 0
    except OSError as err:
        raise stat_problem(path, err) from None
    if len(data) > MAX_BYTES:
        raise DocumentError(f"too large (more than {limit})", path=path)
    return data


# ------------------------------------------------------------------------------------------ decoding
def decode(data: bytes, path: Path, *, html: bool, warnings: list[DocumentError]) -> str:
    """The text of ``data``: a byte-order mark, else the declared encoding, else UTF-8.

    HTML declares its encoding with ``<meta charset>`` (or an XML declaration), text and Markdown with
    an Emacs/Vim mode line (``-*- coding: latin-1 -*-``) in the first two lines.
    """
    bom = next((codec for mark, codec in _BOMS if data.startswith(mark)), None)
    declared_line: int | None = None
    skipped = 0
    if bom == "utf-8-sig":
        encoding, skipped = "utf-8", 3
    elif bom is not None:
        encoding = bom  # the UTF-16 and UTF-32 codecs read the mark themselves
    else:
        if b"\x00" in data[:4096]:
            raise DocumentError("binary file, not a text document", path=path)
        declared = (_CHARSET if html else _CODING).search(data[:4096] if html else data[:400])
        name = next((g.decode("ascii") for g in (declared.groups() if declared else ()) if g), None)
        encoding = "utf-8"
        if declared is not None and name is not None:
            line = data[: declared.start()].count(b"\n") + 1
            usable = _declared_encoding(name, path, line, warnings)
            if usable is not None:
                encoding, declared_line = usable, line
    try:
        return data[skipped:].decode(encoding)
    except UnicodeDecodeError as err:
        offset = err.start + skipped
        line = data[:offset].count(b"\n") + 1
        how = f" as declared on line {declared_line}" if declared_line else ""
        raise DocumentError(
            f"not valid {encoding}{how} (byte 0x{data[offset]:02x} at offset {offset}); "
            "declare the right encoding or convert the file to UTF-8",
            path=path,
            line=line,
        ) from None
    except (UnicodeError, LookupError, ValueError) as err:
        raise DocumentError(f"cannot be decoded as {encoding}: {err}", path=path, line=declared_line) from None


def _declared_encoding(name: str, path: Path, line: int, warnings: list[DocumentError]) -> str | None:
    """The codec a document declares; None (and a warning) if that cannot be how it is written."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise DocumentError(f"declares an unknown encoding {name!r}", path=path, line=line) from None
    probe = b"<meta charset=x>\n"
    try:
        compatible = codec._is_text_encoding and probe.decode(codec.name) == probe.decode("ascii")
    except (UnicodeError, LookupError, ValueError):
        compatible = False
    if not compatible:  # the declaration was readable as ASCII, so the file is not in UTF-16, EBCDIC, ...
        warnings.append(
            DocumentError(f"declares the encoding {name!r}, which it cannot be written in; read as UTF-8",
                          path=path, line=line)
        )
        return None
    return codec.name
