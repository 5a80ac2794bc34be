"""The ``kgkit`` command line: a thin layer over the library, one module per command group.

Each module registers its commands on the shared Typer app; :func:`main` is the only place that
turns library exceptions into one-line messages and exit codes.
"""

from __future__ import annotations

import sys

import typer

from kgkit.errors import EXIT_INTERRUPTED, KgkitError

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 validation violations, or no results with --fail-on-empty; "
    "2 usage or input error; 3 store or network error; 130 interrupted."
)

app = typer.Typer(
    name="kgkit",
    help="Turn conference write-ups into a validated RDF knowledge graph and query it.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


_registered: list[bool] = []


def _register() -> None:
    """Add every command group's commands to ``app`` (once per process)."""
    if _registered:
        return
    from kgkit.cli import ask, build, check, share

    for module in (build, check, ask, share):
        module.register(app)
    _registered.append(True)


def main() -> None:
    """Console-script entry point: run the app, map errors to exit codes, never a traceback."""
    _register()
    try:
        code = app(standalone_mode=False)
    except KgkitError as err:
        typer.echo(f"kgkit: error: {err}", err=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        typer.echo("kgkit: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.Abort:
        typer.echo("kgkit: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing argument
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
