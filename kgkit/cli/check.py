"""Checking the graph: ``kgkit validate`` (SHACL shapes) and ``kgkit eval`` (gold annotations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.cli.options import format_option
from kgkit.cli.progress import Spinner
from kgkit.errors import ValidationFailed
from kgkit.quality.evaluate import evaluate
from kgkit.quality.validate import RENDERERS, engine_for, get_renderer, validate
from kgkit.rdf.contexts import allow_remote_contexts
from kgkit.rdf.files import atomic_write

FormatOpt = Annotated[str, format_option(f"Report format: {', '.join(RENDERERS)}.")]
ShapesOpt = Annotated[
    Path | None,
    typer.Option("--shapes", help="SHACL shapes file or directory (default: the repository's shapes/)."),
]


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the kgkit command line."""
    app.command("validate", rich_help_panel="Check")(validate_command)
    app.command("eval", rich_help_panel="Check")(eval_command)


def validate_command(
    input: options.Input = Path("build"),
    format: FormatOpt = "text",
    shapes: ShapesOpt = None,
    output: options.Output = None,
    engine: Annotated[
        str, typer.Option("--engine", help="SHACL engine: auto (turbo if installed), pyshacl, turbo.")
    ] = "auto",
    store: options.Store = "auto",
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Check the graph against the SHACL shapes; exit 1 if it has violations (warnings are allowed).

    Examples:

        kgkit validate

        kgkit validate -i kg.ttl --format json -o report.json
    """
    renderer = get_renderer(format)  # an unknown format is an input error, raised before any work
    with Spinner("Validating", enabled=not quiet), allow_remote_contexts(allow_remote_context):
        report = validate(input, shapes=shapes, engine=engine, store=store)
    if verbose:
        typer.echo(f"kgkit: validated {input} with the {engine_for(engine)} engine", err=True)
    text = renderer.render(report)
    if output is None:
        if not quiet or not report.conforms:
            typer.echo(terminal.for_people(text) if format == "text" else terminal.to_stdout(text))
    else:
        with atomic_write(output) as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    if not report.conforms:
        raise ValidationFailed(
            f"the graph does not conform: {report.violations} violation(s), {report.warnings} warning(s)"
        )


def eval_command(
    gold: Annotated[Path, typer.Argument(help="Folder of gold annotation files (*.yaml) or one file.")],
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Documents to build and score (default: the bundled corpus).")
    ] = None,
    input: Annotated[
        Path | None, typer.Option("-i", "--input", help="Score an existing build instead of building.")
    ] = None,
    quiet: options.Quiet = False,
    min_precision: Annotated[float, typer.Option("--min-precision", help="Exit 1 if a class scores lower.")] = 0.0,
    min_recall: Annotated[
        float, typer.Option("--min-recall", help="Exit 1 if a class or relation scores lower.")
    ] = 0.0,
) -> None:
    """Score extraction against gold annotations: precision and recall per class and relation.

    Examples:

        kgkit eval tests/data/gold

        kgkit eval my-gold/ my-docs/ --min-precision 0.85 --min-recall 0.8
    """
    report = evaluate(gold, paths or [], source=input)
    if not quiet:
        typer.echo(terminal.for_people(report.render()))
    if not report.meets(min_precision, min_recall):
        raise ValidationFailed(f"scores below --min-precision {min_precision} / --min-recall {min_recall}")
