"""``kgkit export``: the graph in another RDF format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kgkit.export import export
from kgkit.rdfio import FORMATS, format_for_path

InputOpt = Annotated[Path, typer.Option("-i", "--input", help="Build directory or RDF file.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help=f"{', '.join(FORMATS)} (default: from the -o extension, else turtle)."
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")]


def export_command(
    input: InputOpt = Path("build"), format: FormatOpt = None, output: OutputOpt = None
) -> None:
    """Write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

    N-Quads, TriG and JSON-LD keep one named graph per document; the others write the union.

    Examples:

        kgkit export --format nquads -o kg.nq

        kgkit export -i build --format jsonld > kg.jsonld
    """
    if format is None:
        format = format_for_path(output).name if output is not None else "turtle"
    result = export(input, format=format, output=output)
    if output is None:
        sys.stdout.write(str(result))
    else:
        typer.echo(f"kgkit: wrote {result}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``export`` to the kgkit command line."""
    app.command("export", rich_help_panel="Share")(export_command)
