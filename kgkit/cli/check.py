"""Checking the graph: ``kgkit validate`` (SHACL shapes) and ``kgkit eval`` (gold annotations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.cli.options import format_option
from kgkit.cli.progress import ProgressBar, Spinner
from kgkit.errors import ValidationFailed
from kgkit.quality.evaluate import evaluate
from kgkit.quality.validate import RENDERERS, engine_for, get_renderer, validate
from kgkit.rdf.contexts import allow_remote_contexts
from kgkit.rdf.files import atomic_write

FormatOpt = Annotated[str, format_option(f"Report format: {', '.join(RENDERERS)}.", choices=lambda: RENDERERS)]
ShapesOpt = Annotated[
    Path | None,
    typer.Option("--shapes", help="SHACL shapes file or directory (default: the repository's shapes/)."),
]


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the kgkit command line."""
    app.command("validate", rich_help_panel="Check")(validate_command)
    app.command("eval", rich_help_panel="Check")(eval_command)


@options.reads_input
def validate_command(
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
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
    """Check the graph against the SHACL shapes; exit 1 if it has violations (warnings alone exit 0).

    The turtle and json reports follow SHACL: conforms is false whenever there is any result,
    warnings included; the exit code is 0 all the same when none is a violation.

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
        if not quiet or not report.passes:
            typer.echo(terminal.for_people(text) if format == "text" else terminal.to_stdout(text))
    else:
        with atomic_write(output) as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    if not report.passes:  # warnings alone exit 0, though SHACL's sh:conforms is false then
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
    min_precision: Annotated[
        float, typer.Option("--min-precision", help="Exit 1 if a class or relation has a lower precision.")
    ] = 0.0,
    min_recall: Annotated[
        float, typer.Option("--min-recall", help="Exit 1 if a class or relation scores lower.")
    ] = 0.0,
) -> None:
    """Score extraction against gold annotations: precision and recall per class and relation, and
    the relations' precision by the confidence of their evidence. Exit 1 below a bar, naming what is.

    Examples:

        kgkit eval tests/data/gold

        kgkit eval my-gold/ my-docs/ --min-precision 0.85 --min-recall 0.8
    """
    if input is not None:
        with Spinner("Scoring", enabled=not quiet):
            report = evaluate(gold, paths or [], source=input)
    else:
        with ProgressBar("Extracting", "documents", enabled=not quiet) as bar:
            report = evaluate(
                gold, paths or [], progress=lambda done, total: bar.update(done, total, _stage(done, total))
            )
    if not quiet:
        typer.echo(terminal.for_people(report.render()))
    below = report.shortfalls(min_precision, min_recall)
    if below:
        raise ValidationFailed(f"below the bar (--min-precision {min_precision:g}, --min-recall {min_recall:g}): "
                               + "; ".join(below))


def _stage(done: int, total: int) -> str:
    return "Extracting" if done < total else "Scoring"
