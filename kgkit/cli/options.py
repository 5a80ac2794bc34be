"""The options every command shares, defined once, so they have the same names and help everywhere:
``-i/--input`` (with ``--input-format``, and ``-`` for standard input), ``-o/--output``, ``-f/--format``,
``--store``, ``-e/--endpoint``, ``--timeout``, ``-q/--quiet``, ``-v/--verbose`` and ``--allow-remote-context``."""

from __future__ import annotations

import contextlib
import functools
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer

from kgkit.errors import KgkitError
from kgkit.rdf.files import resolve_input
from kgkit.rdf.formats import FORMATS, declared, get_format, sniff_format

Input = Annotated[
    Path, typer.Option("-i", "--input", help="Build directory or RDF file (-: standard input; see --input-format).")
]
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


def format_option(help: str, choices: Callable[[], Iterable[str]] | None = None) -> typer.models.OptionInfo:
    """``-f/--format`` with the choices of one command (completed by the shell)."""
    completion = complete_from(choices) if choices else None
    return cast(typer.models.OptionInfo, typer.Option("-f", "--format", help=help, autocompletion=completion))


def timeout_option(help: str = "Give up after SECONDS (exit 3).") -> typer.models.OptionInfo:
    """``--timeout`` in seconds."""
    return cast(typer.models.OptionInfo, typer.Option("--timeout", min=0.0, help=help))


InputFormat = Annotated[
    str | None,
    typer.Option(
        "--input-format",
        help=f"Read -i as this RDF format ({', '.join(FORMATS)}) whatever its extension. -i - reads standard "
        "input (its format told from the text unless given).",
        show_default=False,
    ),
]

STDIN = "<stdin>"


@contextlib.contextmanager
def reading(path: Path | None, input_format: str | None) -> Iterator[Path | None]:
    """``-i PATH`` as the library takes it: ``-`` (standard input) copied to a temporary file in the
    format ``--input-format`` names or the text shows, and errors about that file naming ``<stdin>``;
    a file (or a build's kg.nq) read as ``--input-format`` says, whatever its extension."""
    if path is not None and str(path) == "-":
        data = sys.stdin.buffer.read()
        fmt = get_format(input_format) if input_format else sniff_format(data[: 1 << 16])
        with tempfile.TemporaryDirectory(prefix="kgkit-stdin-") as folder:
            file = Path(folder) / f"stdin{fmt.extension}"
            file.write_bytes(data)
            try:
                yield file
            except KgkitError as err:
                raise _renamed(err, file) from None
        return
    if path is None or input_format is None:
        yield path
        return
    with declared(resolve_input(path), input_format):
        yield path


def _renamed(err: KgkitError, file: Path) -> KgkitError:
    """``err`` naming standard input where it names the temporary file that holds it."""
    if err.path is not None and err.path == file:
        err.path = Path(STDIN)
    err.message = err.message.replace(str(file), STDIN)
    err.args = (str(err),)
    return err


F = TypeVar("F", bound=Callable[..., Any])


def reads_input(command: F) -> F:
    """A command whose ``input`` and ``input_format`` parameters go through :func:`reading`."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with reading(kwargs.get("input"), kwargs.get("input_format")) as path:
            kwargs["input"] = path
            return command(*args, **kwargs)

    return cast(F, run)


# --- shell completion -------------------------------------------------------------------------------


def complete_from(choices: Callable[[], Iterable[str]]) -> Callable[[str], list[str]]:
    """A completion function offering those of ``choices()`` that start with what was typed."""

    def complete(incomplete: str) -> list[str]:
        return [c for c in choices() if c.startswith(incomplete)]

    return complete


def complete_entity(ctx: typer.Context, incomplete: str) -> list[str]:
    """Names of the entities of the graph given with -i (default build/) that start with what was typed
    (in any case); nothing when there is no graph yet."""
    from kgkit.graph.labels import NAME_PROPS
    from kgkit.stores import open_store

    try:
        store = open_store(ctx.params.get("input") or Path("build"), store=ctx.params.get("store") or "auto")
        props = " ".join(f"<{p}>" for p in NAME_PROPS)
        found = store.query(f"SELECT DISTINCT ?n WHERE {{ VALUES ?p {{ {props} }} ?e ?p ?n }}")
    except KgkitError:
        return []
    names = sorted({str(row[0]) for row in found.rows if row[0] is not None})
    return [n for n in names if n.casefold().startswith(incomplete.casefold())]
