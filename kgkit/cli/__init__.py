"""The ``kgkit`` command line: a thin layer over the library, one module per command group.

Each module registers its commands on the shared Typer app; :func:`main` is the only place that
turns library exceptions into one-line messages and exit codes.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import typer

from kgkit.errors import EXIT_INPUT, EXIT_INTERRUPTED, KgkitError
from kgkit.rdf.files import printable

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


@app.callback()
def _kgkit() -> None:
    # a group even when only one command is registered (see _register), so `kgkit build` stays `build`
    pass


# the command-group module that registers each command: a run imports only the one it needs
COMMAND_GROUPS = {
    "build": "build",
    "validate": "check",
    "eval": "check",
    "query": "ask",
    "explain": "ask",
    "export": "share",
    "load": "share",
    "serve": "share",
    "viz": "show",
    "docs": "show",
    "info": "about",
}
_registered: set[str] = set()


def _register(argv: list[str] | None = None) -> None:
    """Add commands to ``app`` (each group once per process): only the group of the command named in
    ``argv`` when it names one (importing every group costs ~0.3 s), else all of them (``--help``)."""
    command = next((arg for arg in argv or [] if not arg.startswith("-")), None)
    wanted = [COMMAND_GROUPS[command]] if command in COMMAND_GROUPS else list(dict.fromkeys(COMMAND_GROUPS.values()))
    for group in wanted:
        if group not in _registered:
            importlib.import_module(f"kgkit.cli.{group}").register(app)
            _registered.add(group)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM (``kill``, a CI timeout) interrupt like Ctrl-C does: a KeyboardInterrupt unwinds
    every ``finally`` and context manager, so partial outputs are removed and locks released."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _OneLine(logging.Formatter):
    """A library's log record as one line: its message's first line, never the traceback it carries."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines()
        text = f"kgkit: warning: {record.name.split('.')[0]}: {lines[0] if lines else record.levelname}"
        return printable(text, one_line=True)


@contextlib.contextmanager
def _quiet_libraries() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it reads (``"abc"^^xsd:integer``) and warns
    about each odd IRI; a user wants neither. Its errors still show, one line each."""
    logger = logging.getLogger("rdflib")
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine())
    saved = logger.level, logger.propagate
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def main() -> None:
    """Console-script entry point: run the app, map errors to exit codes, never a traceback."""
    try:
        with _sigterm_interrupts(), _quiet_libraries():
            _register(sys.argv[1:])
            code = app(standalone_mode=False, prog_name="kgkit")
    except KgkitError as err:
        _error(str(err))
        sys.exit(err.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _error("interrupted", prefix="kgkit: ")
        sys.exit(EXIT_INTERRUPTED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing argument
        _error(usage_error(exc))
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `kgkit query ... | head`: the reader has all it wants
        _silence_stdout()
        sys.exit(0)
    except OSError as err:  # a file the user named that cannot be read or written
        where = f"{err.filename}: " if err.filename else ""
        _error(f"{where}{err.strerror or err}")
        sys.exit(EXIT_INPUT)
    if code == EXIT_INTERRUPTED:  # Typer turns a KeyboardInterrupt into a silent exit 130
        _error("interrupted", prefix="kgkit: ")
    sys.exit(code if isinstance(code, int) else 0)


def usage_error(exc: typer.TyperException) -> str:
    """A usage error (unknown option, bad value, missing argument) as one line, with where help is,
    instead of click's usage block:

    >>> usage_error(typer.BadParameter("0 is not in the range x>=1.", param_hint="'--batch-size'"))
    "Invalid value for '--batch-size': 0 is not in the range x>=1."
    """
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        message += f" (see `{ctx.command_path} {ctx.help_option_names[0]}`)"
    return message


def _error(message: str, prefix: str = "kgkit: error: ") -> None:
    with contextlib.suppress(OSError):
        typer.echo(f"{prefix}{printable(message, one_line=True)}", err=True)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not complain about the pipe."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
