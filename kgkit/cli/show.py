"""Showing the graph to people: ``kgkit viz`` (pictures) and ``kgkit docs`` (HTML documentation and report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.present.report import docs
from kgkit.present.viz import OUTPUTS, viz
from kgkit.rdf.contexts import allow_remote_contexts
from kgkit.rdf.terms import slug


@options.reads_input
def viz_command(
    entity: Annotated[
        str | None,
        typer.Argument(help="Name, alias or IRI of the entity to draw with its neighbourhood (default: everything).",
                       show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help=f"Picture file: {', '.join(OUTPUTS)} (default: build/NAME.svg).",
                     show_default=False),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Only sessions on this topic (or a narrower one).")
    ] = None,
    ontology: Annotated[bool, typer.Option("--ontology", help="Draw the ontology as a class diagram.")] = False,
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Draw the graph, one entity's neighbourhood or the ontology (SVG, PNG, interactive HTML or DOT).

    Examples:

        kgkit viz "KubeCon + CloudNativeCon Europe 2024" --topic sustainability -o sessions.svg

        kgkit viz "Deutsche Bahn" -o deutsche-bahn.html

        kgkit viz --ontology -o ontology.png
    """
    if output is None:
        output = Path("build") / (("ontology" if ontology else slug(entity) if entity else "kg") + ".svg")
    with allow_remote_contexts(allow_remote_context):
        written = viz(entity, source=input, output=output, topic=topic, ontology=ontology)
    if not quiet:
        typer.echo(f"kgkit: wrote {terminal.message(str(written))}", err=True)
    if verbose:
        typer.echo(f"kgkit: {written.stat().st_size} bytes", err=True)


@options.reads_input
def docs_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the pages into.")] = Path(
        "build/docs"
    ),
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Write HTML documentation of the ontology and a browsable report of the graph, every fact with its quote.

    Examples:

        kgkit docs -o site    (then open site/index.html in a browser)
    """
    with allow_remote_contexts(allow_remote_context):
        index = docs(output, source=input)
    if not quiet:
        typer.echo(
            f"kgkit: wrote {index} (open it in a browser; the ontology is documented in ontology.html)", err=True
        )
    if verbose:
        typer.echo(f"kgkit: {sum(1 for _ in Path(output).rglob('*.html'))} pages in {output}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``viz`` and ``docs`` to the kgkit command line."""
    app.command("viz", rich_help_panel="Show")(viz_command)
    app.command("docs", rich_help_panel="Show")(docs_command)
