"""``kgkit build``: documents to the knowledge graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgkit.cli import options, terminal
from kgkit.cli.progress import ProgressBar
from kgkit.graph.build import DEFAULT_CURATION
from kgkit.graph.build import build as build_graph
from kgkit.graph.materialize import MATERIALIZERS


def build(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders of documents (default: the bundled corpus).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("-o", "--output", help="Directory to write kg.nq into.")] = Path("build"),
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Stop (exit 2) at the first bad document instead of skipping it, or building it, with a warning.",
        ),
    ] = False,
    min_confidence: Annotated[
        float, typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop facts extracted with a lower confidence.")
    ] = 0.0,
    curation: Annotated[
        Path | None,
        typer.Option("--curation", help="Curation file applied to every document (default: data/curation.yaml)."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("-j", "--jobs", min=1, help="Extract with N processes (default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="KGKIT_SCHEDULER",
            metavar="tcp://HOST:PORT",
            help="Extract on the Dask cluster of this scheduler (pip install 'kgkit[cluster]'); the documents "
            "are sent to the workers, the output is identical to a local build.",
            show_default=False,
        ),
    ] = None,
    pipeline: Annotated[
        str | None,
        typer.Option(
            "--pipeline",
            envvar="KGKIT_PIPELINE",
            help="Extraction components: 'list' shows them; 'default,-topics' leaves one out; "
            "'default,+mypkg.mod:name' adds your own; or the whole list, comma-separated.",
        ),
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Write every entity found by patterns (not in the gazetteer) to FILE as CSV: entity, kind, "
            "documents; each entity as the curation file names it.",
            show_default=False,
        ),
    ] = None,
    materialize: Annotated[
        list[str] | None,
        typer.Option(
            "--materialize",
            help="Add what the ontology entails, in a graph of its own: schema (the schema.org types and "
            "properties kgkit's terms are aligned to, so that queries in schema.org terms work on any store).",
            autocompletion=options.complete_from(lambda: MATERIALIZERS),
            show_default=False,
        ),
    ] = None,
    quiet: options.Quiet = False,
    verbose: options.Verbose = False,
) -> None:
    """Build the knowledge graph: read documents, extract facts with evidence, write DIR/kg.nq.

    Markdown with YAML/TOML front matter, plain text and HTML; one named graph per document.
    A document that cannot be read (empty, binary, badly encoded, broken front matter, too large,
    a broken link) is skipped with a one-line warning naming it; the summary counts them. kg.nq is
    replaced only when complete, and only one build at a time writes into DIR. Documents are
    extracted in parallel and cached in DIR/.kgkit-cache, so a rebuild only re-reads what changed.

    Examples:

      kgkit build                        # the bundled corpus into build/kg.nq

      kgkit build ~/writeups -o out      # your folder of write-ups into out/kg.nq

      kgkit build notes.md --strict      # fail (exit 2) on a bad document

      kgkit build --pipeline list        # the extraction components, in order

      kgkit build ~/writeups --scheduler tcp://scheduler:8786   # extract on a Dask cluster

      kgkit build --candidates new.csv   # every entity found by patterns, to check or curate

      kgkit build --materialize schema   # and the schema.org types and properties they entail
    """

    if pipeline is not None and pipeline.strip() == "list":
        from kgkit.extraction import Pipeline

        typer.echo(Pipeline.from_spec(None).describe(), nl=False)
        return

    def warn(message: str) -> None:
        typer.echo(f"kgkit: warning: {terminal.message(message)}", err=True)

    with ProgressBar("Extracting", "documents", enabled=not quiet) as bar:
        result = build_graph(
            paths or [],
            out_dir,
            strict=strict,
            min_confidence=min_confidence,
            warn=warn,
            jobs=jobs,
            scheduler=scheduler,
            progress=bar.update,
            pipeline=pipeline,
            candidates=candidates,
            materialize=materialize or (),
            curation=curation or DEFAULT_CURATION,
        )
    if quiet:
        return
    typer.echo(terminal.message(result.summary()))
    if verbose:
        sources = ", ".join(str(p) for p in paths) if paths else "the bundled corpus (data/corpus)"
        cached = result.documents - result.extracted
        typer.echo(
            f"  read {sources}: {result.extracted} documents extracted, {cached} from {out_dir / '.kgkit-cache'}"
        )
    if candidates is not None:
        typer.echo(f"kgkit: wrote the {len({c[1:] for c in result.candidates})} candidates to {candidates}", err=True)
    unsure = [c for c in result.candidates if c[1] in ("org", "person", "project", "event")]
    if unsure and result.extracted:  # a rebuild that extracted nothing has nothing new to tell
        typer.echo(f"{len(unsure)} new entities found by patterns (not in the gazetteer; check or curate them):")
        for doc, kind, name in unsure[:20]:
            typer.echo(f"  {kind:8} {terminal.message(name)}  ({terminal.message(doc)})")
        if len(unsure) > 20:
            more = "" if candidates is not None else "; all of them: --candidates FILE"
            typer.echo(f"  ... and {len(unsure) - 20} more{more}")


def register(app: typer.Typer) -> None:
    from kgkit.cli import EXIT_CODES_HELP

    app.command("build", rich_help_panel="Build", epilog=EXIT_CODES_HELP)(build)
