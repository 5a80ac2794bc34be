"""Sharing the graph: ``kgkit export`` (RDF files), ``kgkit load`` (into a triple store) and
``kgkit serve`` (a local SPARQL endpoint)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.cli.options import format_option
from kgkit.cli.progress import ProgressBar, Spinner
from kgkit.present.serve import DEFAULT_PORT, SparqlServer, serve
from kgkit.rdf.contexts import allow_remote_contexts
from kgkit.rdf.export import FRAMES, export
from kgkit.rdf.formats import FORMATS, format_for_path
from kgkit.stores.http import ENV_PASSWORD, ENV_TOKEN, ENV_USER, Credentials
from kgkit.stores.load import load

FormatOpt = Annotated[
    str | None,
    format_option(f"{', '.join(FORMATS)} (default: from the -o extension, else turtle).", choices=lambda: FORMATS),
]
FrameOpt = Annotated[
    str | None,
    typer.Option(
        "--frame",
        help=f"Frame the JSON-LD: {', '.join(FRAMES)} (each conference with its sessions, speakers and "
        "organizations nested), or a JSON-LD frame file.",
    ),
]


@options.reads_input
def export_command(
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    format: FormatOpt = None,
    output: options.Output = None,
    frame: FrameOpt = None,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

    N-Quads, TriG and JSON-LD keep one named graph per document; the others write the union.

    Examples:

        kgkit export --format nquads -o kg.nq

        kgkit export -i build --format jsonld > kg.jsonld

        kgkit export --frame conference -o conferences.jsonld
    """
    if format is None:
        format = "jsonld" if frame else format_for_path(output).name if output is not None else "turtle"
    with Spinner(f"Exporting to {output}", enabled=output is not None and not quiet), allow_remote_contexts(
        allow_remote_context
    ):  # (the spinner never over stdout's data)
        result = export(input, format=format, output=output, frame=frame)
    if output is None:
        sys.stdout.write(terminal.to_stdout(str(result)))
    elif not quiet:
        typer.echo(f"kgkit: wrote {terminal.message(str(result))}", err=True)
    if verbose and output is not None:
        typer.echo(f"kgkit: {Path(result).stat().st_size} bytes of {format}", err=True)


# --- load ----------------------------------------------------------------------------------------

EndpointOpt = Annotated[
    str,
    typer.Option(
        "--endpoint",
        "-e",
        help="The store's SPARQL query URL, or its root URL (then /query and /sparql are tried).",
        show_default=False,
    ),
]
GraphOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--graph",
        "-g",
        help="Load only this named graph of the input (repeatable); for an input of triples, the graph "
        "they go to.",
    ),
]
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Replace each graph loaded (atomically per graph, via a temporary graph and MOVE) instead of "
        "adding to it: loading twice gives the same store content.",
    ),
]
SyncOpt = Annotated[
    bool,
    typer.Option(
        "--sync",
        help="Make the store's kgkit graphs exactly the build's: replace each (as --replace) and drop, in the "
        "same request, the graphs of documents no longer in the build.",
    ),
]
ProtocolOpt = Annotated[
    str,
    typer.Option(
        "--protocol",
        help="gsp (Graph Store Protocol), update (SPARQL Update INSERT DATA) or auto (GSP, else Update).",
    ),
]
BatchOpt = Annotated[
    int, typer.Option("--batch-size", min=1, help="Triples per INSERT DATA request (SPARQL Update).")
]
UpdateUrlOpt = Annotated[
    str | None, typer.Option("--update-url", help="SPARQL Update URL, if not the usual one for the store.")
]
GspUrlOpt = Annotated[
    str | None, typer.Option("--gsp-url", help="Graph Store Protocol URL, if not the usual one for the store.")
]
UserOpt = Annotated[str | None, typer.Option("--user", envvar=ENV_USER, help="User name (HTTP Basic or Digest).")]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password", envvar=ENV_PASSWORD, show_default=False, help="Password (better: the environment variable)."
    ),
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", envvar=ENV_TOKEN, show_default=False, help="Bearer token.")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer.")]
RetriesOpt = Annotated[
    int, typer.Option("--retries", min=0, help="Retries of a safe request after a 5xx answer or a dropped connection.")
]


@options.reads_input
def load_command(
    endpoint: EndpointOpt,
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    graph: GraphOpt = None,
    replace: ReplaceOpt = False,
    sync: SyncOpt = False,
    protocol: ProtocolOpt = "auto",
    batch_size: BatchOpt = 500,
    update_url: UpdateUrlOpt = None,
    gsp_url: GspUrlOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    token: TokenOpt = None,
    timeout: TimeoutOpt = 60.0,
    retries: RetriesOpt = 2,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Load the graph into a triple store, one named graph per document, and check the counts.

    Uses the SPARQL 1.1 Graph Store Protocol, or SPARQL 1.1 Update where the store has no Graph
    Store. Afterwards the triples of every graph loaded are counted in the store. Exit 3 on any
    store or network error (credentials are never shown).

    Examples:

        kgkit load --endpoint http://127.0.0.1:7878 --replace            # Oxigraph

        kgkit load --endpoint http://127.0.0.1:7878 --sync               # and drop the graphs of deleted documents

        KGKIT_STORE_PASSWORD=dba kgkit load --endpoint http://127.0.0.1:8890/sparql-auth --user dba --replace

        kgkit load -e http://localhost:3030/kg/sparql --update-url http://localhost:3030/kg/update --gsp-url http://localhost:3030/kg/data
    """
    credentials = Credentials(user, password, token) if (user or token) else None
    with ProgressBar("Loading", "triples", enabled=not quiet) as bar, allow_remote_contexts(allow_remote_context):
        report = load(
            endpoint,
            input,
            graphs=graph,
            replace=replace,
            sync=sync,
            protocol=protocol,
            batch_size=batch_size,
            update_url=update_url,
            gsp_url=gsp_url,
            credentials=credentials,
            timeout=timeout,
            retries=retries,
            progress=lambda u: bar.update(u.done, u.total, _PHASES.get(u.phase, u.phase)),
        )
    if not quiet:
        typer.echo(report.summary())
    if verbose:
        for g in report.graphs:
            typer.echo(f"  {g.name or '(default graph)'}: {g.sent} sent, {g.stored} stored", err=True)


_PHASES = {"upload": "Loading", "check": "Checking", "move": "Replacing"}


# --- serve ---------------------------------------------------------------------------------------


@options.reads_input
def serve_command(
    input: options.Input = Path("build"),
    input_format: options.InputFormat = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")] = DEFAULT_PORT,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    allow_update: Annotated[
        bool, typer.Option("--allow-update", help="Accept SPARQL updates (in memory only; not written back).")
    ] = False,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            help="Let web pages of this origin (https://app.example, or *) read the answers (repeatable; "
            "none by default).",
        ),
    ] = None,
    query_timeout: Annotated[
        float, typer.Option("--query-timeout", min=0.1, help="Seconds a query may run (503 after).")
    ] = 30.0,
    allow_remote_context: options.AllowRemoteContext = False,
    quiet: options.Quiet = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log each request on stderr.")] = False,
) -> None:
    """Serve the graph as a local SPARQL endpoint (SPARQL 1.1 Protocol), read-only by default.

    Answers queries at http://HOST:PORT/sparql over the union of all graphs, in JSON, XML, CSV or
    TSV results, and Turtle, N-Triples, RDF/XML or JSON-LD graphs; stops with Ctrl-C.

    Examples:

        kgkit serve                      # then: kgkit query sessions-by-day --endpoint http://127.0.0.1:7070

        kgkit serve -i out --port 8000 --allow-update -v
    """
    if verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="kgkit serve: %(message)s", stream=sys.stderr)

    def ready(server: SparqlServer) -> None:
        mode = "queries and updates" if server.allow_update else "read-only"
        if not quiet or not server.loopback:
            typer.echo(f"Serving {server.triples} triples at {server.url} ({mode}); Ctrl-C stops.", err=True)
        if not server.loopback:  # said even with --quiet
            typer.echo(f"kgkit: warning: listening on {host}: other machines can reach this endpoint", err=True)

    try:
        with allow_remote_contexts(allow_remote_context):
            serve(input, host=host, port=port, allow_update=allow_update, verbose=verbose, ready=ready,
                  cors=tuple(cors or ()), query_timeout=query_timeout)
    except KeyboardInterrupt:
        typer.echo("kgkit: stopped", err=True)


def register(app: typer.Typer) -> None:
    """Add ``export``, ``load`` and ``serve`` to the kgkit command line."""
    from kgkit.cli import EXIT_CODES_HELP

    app.command("export", rich_help_panel="Share", epilog=EXIT_CODES_HELP)(export_command)
    app.command("load", rich_help_panel="Share", epilog=EXIT_CODES_HELP)(load_command)
    app.command("serve", rich_help_panel="Share", epilog=EXIT_CODES_HELP)(serve_command)
