"""``kgkit info``: versions of kgkit and of what it runs on, engines and NLP models."""

from __future__ import annotations

import json

import typer

from kgkit.cli import options
from kgkit.present.info import info


def info_command(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Show the versions of kgkit, rdflib, pyoxigraph, pySHACL, spaCy and the NLP models, and the engines.

    Examples:

        kgkit info

        kgkit info --json
    """
    report = info()
    if quiet:
        return
    if as_json:
        typer.echo(json.dumps({"versions": report.versions, "engines": report.engines, "models": report.models,
                               "resources": report.resources}, indent=2))
    else:
        typer.echo(report.render(), nl=False)
    if verbose:
        typer.echo(f"kgkit: resources read from {report.resources}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``info`` to the kgkit command line."""
    app.command("info", rich_help_panel="About")(info_command)
