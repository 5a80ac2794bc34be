"""What the command line prints, made safe for a terminal: text from documents, file names and graphs
may hold ESC, BEL and other control characters, which a terminal would act on (colours, titles, cursor
moves, and worse in some terminals) or bidirectional overrides that reorder what is shown."""

from __future__ import annotations

import sys
from typing import TextIO

from kgkit.rdf.files import printable


def message(text: str) -> str:
    """A one-line message (error, warning): control characters and newlines escaped."""
    return printable(text, one_line=True)


def for_people(text: str) -> str:
    """Text for people (tables, explanations, reports): control characters escaped, newlines kept."""
    return printable(text)


def to_stdout(text: str, stream: TextIO | None = None) -> str:
    """Data for stdout (N-Triples, CSV, JSON, ...): escaped only when stdout is a terminal, so that a
    file or a pipe gets the bytes as they are."""
    out = stream or sys.stdout
    try:
        terminal = out.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    return printable(text) if terminal else text
