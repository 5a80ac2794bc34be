"""One measured operation, run in a fresh process so its peak memory is its own.

    python -m bench.probe OPERATION ARG... -> prints one JSON line {"seconds": ..., "peak_mb": ..., ...}

Operations measure kgkit (build, validate, query, export, load, load --replace) and the anchors: pyoxigraph
parsing, serializing and querying the same data, and a plain HTTP POST of the same N-Quads.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _build(corpus: str, out: str) -> dict[str, Any]:
    from kgkit.graph.build import build

    result = build([corpus], out)
    return {"documents": result.documents, "triples": result.triples}


def _build_jobs(corpus: str, out: str, jobs: str) -> dict[str, Any]:
    """kgkit build with ``jobs`` local processes (the model is loaded once in each)."""
    from kgkit.graph.build import build

    result = build([corpus], out, jobs=int(jobs))
    return {"documents": result.documents, "triples": result.triples}


def _build_dask(corpus: str, out: str, scheduler: str) -> dict[str, Any]:
    """kgkit build on the Dask cluster of ``scheduler``."""
    from kgkit.graph.build import build

    result = build([corpus], out, scheduler=scheduler)
    return {"documents": result.documents, "triples": result.triples}


def _spacy_pipe(corpus: str, processes: str) -> dict[str, Any]:
    """The anchor of a build with the model: the same spaCy pipeline kgkit uses (the same components
    enabled), loaded here, running ``nlp.pipe`` over the corpus's texts with ``processes`` processes."""
    from kgkit.extraction.models import load_model, model_package

    package = model_package("en")
    if package is None:
        raise SystemExit("no English spaCy model is installed")
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(corpus).iterdir()) if p.is_file()]
    nlp = load_model(package)
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, n_process=int(processes)))
    return {"documents": len(texts), "tokens": tokens}


def _validate(kg: str) -> dict[str, Any]:
    from kgkit.quality.validate import validate

    report = validate(kg)
    return {"conforms": report.conforms, "results": len(report.results)}


def _queries(kg: str) -> dict[str, Any]:
    """Open the build's store once (as `kgkit query` does), then time every canned query, median of 3."""
    from kgkit.sparql.library import load_library
    from kgkit.stores.oxigraph import OxigraphStore
    from kgkit.stores.query import query

    started = time.perf_counter()
    OxigraphStore.open(kg)  # builds the cached store beside kg.nq the first time
    out: dict[str, Any] = {"load_seconds": time.perf_counter() - started, "queries": {}}
    for name in sorted(load_library()):
        times = []
        rows = 0
        for _ in range(3):
            t = time.perf_counter()
            result = query(name, source=kg)
            times.append(time.perf_counter() - t)
            rows = len(result.rows)
        out["queries"][name] = {"seconds": sorted(times)[1], "rows": rows}
    return out


def _export(kg: str, fmt: str, out: str) -> dict[str, Any]:
    from kgkit.rdf.export import export

    export(kg, format=fmt, output=out)
    return {"bytes": Path(out).stat().st_size}


def _ox_parse(kg: str) -> dict[str, Any]:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=kg, format=pyoxigraph.RdfFormat.N_QUADS)
    return {"quads": len(store)}


def _ox_dump(kg: str, out: str) -> dict[str, Any]:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=kg, format=pyoxigraph.RdfFormat.N_QUADS)
    t = time.perf_counter()
    store.dump(output=out, format=pyoxigraph.RdfFormat.N_QUADS)
    return {"dump_seconds": time.perf_counter() - t}


def _ox_queries(kg: str) -> dict[str, Any]:
    """pyoxigraph running the same canned queries (default graph = union), median of 3."""
    import pyoxigraph

    from kgkit.sparql.library import load_library
    from kgkit.sparql.text import with_values

    # the default graph as the de-duplicated union of the named graphs: the semantics the canned
    # queries are written for (and what kgkit's own store holds)
    store = pyoxigraph.Store()
    default = pyoxigraph.DefaultGraph()
    store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, default)
                 for q in pyoxigraph.parse(path=kg, format=pyoxigraph.RdfFormat.N_QUADS))
    out: dict[str, Any] = {"queries": {}}
    for name, canned in sorted(load_library().items()):
        text = with_values(canned.text, canned.bindings({}))  # the defaults, as kgkit sends them remotely
        times = []
        for _ in range(3):
            t = time.perf_counter()
            rows = list(store.query(text))
            times.append(time.perf_counter() - t)
        out["queries"][name] = {"seconds": sorted(times)[1], "rows": len(rows)}
    return out


def _http_post(kg: str, url: str) -> dict[str, Any]:
    """The floor for loading: POST the N-Quads file as is (what `curl --data-binary` does)."""
    data = Path(kg).read_bytes()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return {"status": response.status}


def _load(kg: str, url: str) -> dict[str, Any]:
    """kgkit load into the store at ``url`` (a fresh server: the caller starts one)."""
    from kgkit.stores.load import load

    report = load(url, kg, timeout=3600)
    return {"triples": report.triples_sent, "graphs": len(report.graphs), "exact": report.exact}


def _load_replace(kg: str, url: str) -> dict[str, Any]:
    """kgkit load --replace: graph by graph (each into a temporary graph, then MOVEd over its own),
    the file read one graph at a time."""
    from kgkit.stores.load import load

    report = load(url, kg, replace=True, timeout=3600)
    return {"triples": report.triples_sent, "graphs": len(report.graphs), "exact": report.exact}


def _curl_post(kg: str, url: str) -> dict[str, Any]:
    """The floor for `load`: curl POSTs the N-Quads file to the Graph Store (``url`` + /store) as it is,
    streamed from disk (``--data-binary @file`` would read it into memory first, and fails above ~1 GB)."""
    import subprocess

    target = url if url.rstrip("/").endswith("/store") else url.rstrip("/") + "/store"
    run = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T", kg, "-H", "Expect:",
         "-H", "Content-Type: application/n-quads", target],
        capture_output=True, text=True, check=True,
    )
    return {"status": int(run.stdout)}


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "build": _build,
    "build-jobs": _build_jobs,
    "build-dask": _build_dask,
    "spacy-pipe": _spacy_pipe,
    "validate": _validate,
    "queries": _queries,
    "export": _export,
    "ox-parse": _ox_parse,
    "ox-dump": _ox_dump,
    "ox-queries": _ox_queries,
    "http-post": _http_post,
    "load": _load,
    "load-replace": _load_replace,
    "curl-post": _curl_post,
}


def main(argv: list[str]) -> None:
    operation, *args = argv
    started = time.perf_counter()
    result = OPERATIONS[operation](*args)
    result["seconds"] = time.perf_counter() - started
    # the largest of this process and its children (build's forked workers); Linux reports KiB
    mine, children = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF,
                                                                            resource.RUSAGE_CHILDREN))
    result["peak_mb"] = max(mine, children)
    result["peak_self_mb"], result["peak_children_mb"] = mine, children  # children: the largest worker
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
