"""The options every command shares, defined once, so they have the same names and help everywhere:
``-i/--input``, ``-o/--output``, ``-f/--format``, ``--store``, ``-e/--endpoint``, ``--timeout``,
``-q/--quiet``, ``-v/--verbose`` and ``--allow-remote-context``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Input = Annotated[Path, typer.Option("-i", "--input", help="Build directory or RDF file.")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")]
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing but errors.")]
Verbose = Annotated[bool, typer.Option("-v", "--verbose", help="Say more about what was done, on stderr.")]
Store = Annotated[
    str,
    typer.Option(
        "--store",
        envvar="KGKIT_LOCAL_STORE",
        help="How a local graph is held: auto (Oxigraph when installed), oxigraph (Rust, fast), memory (rdflib).",
    ),
]
Endpoint = Annotated[
    str | None,
    typer.Option("-e", "--endpoint", help="Ask this SPARQL endpoint URL instead of a local graph.", show_default=False),
]


AllowRemoteContext = Annotated[
    bool,
    typer.Option(
        "--allow-remote-context",
        help="Fetch the remote @context a JSON-LD input refers to (from public addresses only; refused by default).",
    ),
]
AllowService = Annotated[
    bool,
    typer.Option(
        "--allow-service",
        help="Let a local query's SERVICE, LOAD and FROM <url> send requests to other servers (refused by default).",
    ),
]


def format_option(help: str) -> typer.models.OptionInfo:
    """``-f/--format`` with the choices of one command."""
    return typer.Option("-f", "--format", help=help)


def timeout_option(help: str = "Give up after SECONDS (exit 3).") -> typer.models.OptionInfo:
    """``--timeout`` in seconds."""
    return typer.Option("--timeout", min=0.0, help=help)
