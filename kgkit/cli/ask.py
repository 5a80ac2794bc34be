"""Asking the graph: ``kgkit query`` (canned queries, .rq files, SPARQL text; local or remote) and
``kgkit explain`` (every fact about an entity with its quote)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.cli.options import format_option, timeout_option
from kgkit.errors import EXIT_FINDINGS, InputError
from kgkit.present.explain import explain
from kgkit.rdf.contexts import allow_remote_contexts
from kgkit.sparql.library import list_queries, load_library, resolve
from kgkit.sparql.results import RENDERERS, check_format, graph_formats, render
from kgkit.sparql.text import query_form
from kgkit.stores import open_store
from kgkit.stores.query import allowed_values, query
from kgkit.stores.query import engine_name as engine

QueryArg = Annotated[
    str | None,
    typer.Argument(
        help="Canned query name (see --list) or a .rq file.",
        show_default=False,
        autocompletion=options.complete_from(lambda: load_library()),
    ),
]
SparqlOpt = Annotated[str | None, typer.Option("--sparql", help="SPARQL text to run instead.")]
ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="A query parameter as NAME=VALUE (repeatable).")
]
FormatOpt = Annotated[
    str,
    format_option(
        f"Result format: {', '.join(RENDERERS)}. A CONSTRUCT or DESCRIBE graph: table (Turtle), json (JSON-LD) "
        "or any `kgkit export` format.",
        choices=lambda: [*RENDERERS, *(f for f in graph_formats() if f not in RENDERERS)],
    ),
]
MaxWidthOpt = Annotated[
    int | None,
    typer.Option(
        "--max-width",
        min=0,
        help="Fit a table into N columns, longer cells ending in '…' (default: the terminal's width on a "
        "terminal; 0: never cut). csv, tsv, json and md always hold the full values.",
        show_default=False,
    ),
]
TimeoutOpt = Annotated[float | None, timeout_option("Give up after SECONDS (exit 3), locally or at the --endpoint.")]
QueriesOpt = Annotated[
    Path | None, typer.Option("--queries", help="Folder of canned queries to use instead of kgkit's own.")
]
ListOpt = Annotated[
    bool,
    typer.Option("--list", help="List the canned queries and their parameters (-v: and the values each may take)."),
]
FailOpt = Annotated[bool, typer.Option("--fail-on-empty", help="Exit 1 when there are no results.")]


@options.reads_input
def query_command(
    name: QueryArg = None,
    sparql: SparqlOpt = None,
    param: ParamOpt = None,
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    endpoint: options.Endpoint = None,
    format: FormatOpt = "table",
    max_width: MaxWidthOpt = None,
    timeout: TimeoutOpt = None,
    list_: ListOpt = False,
    queries: QueriesOpt = None,
    fail_on_empty: FailOpt = False,
    store: options.Store = "auto",
    allow_service: options.AllowService = False,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Answer a question about the graph with a canned SPARQL query, a .rq file or --sparql text.

    Examples:

        kgkit query orgs-on-sustainability --format csv

        kgkit query sessions-by-day -p conference=kgid:conference/kubecon-cloudnativecon-europe-2024
    """
    if list_:  # with -v, the values each parameter may take, from the graph
        backend = open_store(input, store=store, endpoint=endpoint, timeout=timeout) if verbose else None
        values = (lambda p: allowed_values(p, backend=backend)) if backend is not None else None
        typer.echo(list_queries(queries, values), nl=False)
        return
    if (name is None) == (sparql is None):
        raise InputError("give a canned query name or a .rq file, or --sparql TEXT (see --list)")
    params = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--param wants NAME=VALUE, not {item!r}")
        params[key.strip()] = value
    form = query_form(resolve(name or sparql or "", queries).text)
    if form is not None:
        check_format(form, format)  # before any work
    with allow_remote_contexts(allow_remote_context):
        result = query(
            name or sparql or "", source=input, params=params, endpoint=endpoint, timeout=timeout, store=store,
            queries=queries, allow_service=allow_service,
        )
    sys.stdout.write(terminal.to_stdout(render(result, format, max_width=_table_width(max_width))))
    if not quiet:
        for note in result.notes:
            typer.echo(f"kgkit: note: {note}", err=True)
    if verbose:
        where = endpoint or f"{input} on {engine(store, input)}"
        answer = f"{len(result.rows)} rows" if result.kind == "SELECT" else f"a result to {result.kind}"
        typer.echo(f"kgkit: {answer} from {where}", err=True)
    if fail_on_empty and result.empty:
        if not quiet:
            typer.echo("kgkit: no results", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def _table_width(max_width: int | None) -> int | None:
    """The width a table must fit: --max-width (0: any), else the terminal's when stdout is one."""
    if max_width is not None:
        return max_width or None
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def register(app: typer.Typer) -> None:
    """Add ``query`` and ``explain`` to the kgkit command line."""
    from kgkit.cli import EXIT_CODES_HELP

    app.command("query", rich_help_panel="Ask", epilog=EXIT_CODES_HELP)(query_command)
    app.command("explain", rich_help_panel="Ask", epilog=EXIT_CODES_HELP)(explain_command)


@options.reads_input
def explain_command(
    entity: Annotated[
        str, typer.Argument(help="Name, alias or IRI of an entity.", autocompletion=options.complete_entity)
    ],
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    store: options.Store = "auto",
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Show every fact about an entity, each with the quote and document it came from.

    Examples:

        kgkit explain "Deutsche Bahn"

        kgkit explain https://w3id.org/kgkit/id/project/kepler -i build
    """
    with allow_remote_contexts(allow_remote_context):
        facts = explain(entity, source=input, store=store)
    for fact in facts:
        typer.echo(terminal.for_people(fact.render()))
    if not quiet:
        typer.echo(f"{len(facts)} facts about {entity!r}.")
    if verbose:
        typer.echo(f"kgkit: answered from {input} on {engine(store, input)}", err=True)
