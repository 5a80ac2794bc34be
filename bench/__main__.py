"""kgkit benchmarks: throughput, peak memory and growth with size, as ratios to the Rust engines.

    python -m bench                                  # builds of 10..10,000 docs; graphs of 100k, 1M, 5M triples
    python -m bench --sizes 10 100 --graphs 100000   # a quick run
    python -m bench --out bench/results              # JSON, text and PNG plot written there

Builds: for each number of documents N, a seeded synthetic corpus (bench/corpus.py) is built cold,
again with nothing changed, and again after one document changed. Graph operations: for each graph
size, a corpus of about that many triples is built and kgkit validates it, runs every canned query,
exports it in each format and loads it into a real ``oxigraph serve`` (as it is, in one request; and
graph by graph with ``--replace``, up to ``--replace-max`` triples: Oxigraph's MOVE takes minutes
per million); the anchors run on the same file: pyoxigraph loading and dumping it and running the
same queries, and curl POSTing it to the same server. Each measurement is a fresh process
(bench/probe.py), so peak memory is its own. It prints tables, the growth exponent of each
operation (slope of log time against log size) and kgkit's figures as ratios to the anchors.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
EXPORT_FORMATS = ("nquads", "turtle", "nt", "trig", "jsonld")


def probe(*args: str) -> dict[str, Any]:
    """Run one bench.probe operation in a fresh interpreter and return its JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.probe", *args], capture_output=True, text=True, cwd=ROOT, timeout=3600
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def oxigraph_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists() and not shutil.which("oxigraph"):
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(workdir), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None


def measure_build(n: int, work: Path) -> dict[str, Any]:
    """Build N documents cold, again with nothing changed (warm), and after one document changed."""
    corpus, out = work / f"corpus-{n}", work / f"build-{n}"
    paths = generate(n, corpus)
    row: dict[str, Any] = {"documents": n, "build": probe("build", str(corpus), str(out))}
    row["triples"] = row["build"].get("triples", 0)
    row["warm"] = probe("build", str(corpus), str(out))
    with paths[len(paths) // 2].open("a", encoding="utf-8") as fh:
        fh.write("\nOne more line, written after the first build.\n")
    row["incremental"] = probe("build", str(corpus), str(out))
    shutil.rmtree(out, ignore_errors=True)
    return row


def triples_per_document(builds: list[dict[str, Any]]) -> float:
    """Statements per synthetic document, from the first build of at least 100 documents (else ~1,300)."""
    return next((r["triples"] / r["documents"] for r in builds if r["documents"] >= 100 and r["triples"]), 1300.0)


def measure_graph(n: int, target: int, work: Path, validate_max: int, replace_max: int) -> dict[str, Any]:
    """Every operation on a built graph of ``n`` documents (about ``target`` triples), and the anchors
    on the same file."""
    corpus, out = work / f"gcorpus-{n}", work / f"gbuild-{n}"
    generate(n, corpus)
    built = probe("build", str(corpus), str(out))
    kg = str(out / "kg.nq")
    row: dict[str, Any] = {"documents": n, "triples": built.get("triples", 0), "target": target}
    if row["triples"] <= validate_max:
        row["validate"] = probe("validate", kg)
    row["queries"] = probe("queries", kg)
    row["export"] = {fmt: probe("export", kg, fmt, str(work / f"export-{n}.{fmt}")) for fmt in EXPORT_FORMATS}
    for fmt in EXPORT_FORMATS:
        (work / f"export-{n}.{fmt}").unlink(missing_ok=True)
    row["ox_parse"] = probe("ox-parse", kg)
    row["ox_dump"] = probe("ox-dump", kg, str(work / f"ox-dump-{n}.nq"))
    (work / f"ox-dump-{n}.nq").unlink(missing_ok=True)
    row["ox_queries"] = probe("ox-queries", kg)
    loads = [("load", "load"), ("http_post", "curl-post")]
    if row["triples"] <= replace_max:
        loads.insert(1, ("load_replace", "load-replace"))
    for name, op in loads:
        server = oxigraph_server(work / f"store-{n}-{name}")
        if server:
            proc, url = server
            try:
                row[name] = probe(op, kg, url)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            shutil.rmtree(work / f"store-{n}-{name}", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)
    return row


def exponent(sizes: list[float], seconds: list[float]) -> float | None:
    """Least-squares slope of log(seconds) against log(size): ~1 is linear, ~2 quadratic."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(sizes, seconds, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def _put(out: dict[str, list[tuple[int, float, float]]], name: str, size: int, m: dict[str, Any] | None) -> None:
    if m and "seconds" in m:
        out.setdefault(name, []).append((size, m["seconds"], m.get("peak_mb", 0.0)))


def series(results: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[int, float, float]]]:
    """Operation -> [(size, seconds, peak MB)]: builds by documents, the rest by triples."""
    out: dict[str, list[tuple[int, float, float]]] = {}
    for row in results["builds"]:
        for name in ("build", "warm", "incremental"):
            _put(out, f"{name} (docs)", row["documents"], row.get(name))
    for row in results["graphs"]:
        t = row["triples"]
        _put(out, "validate", t, row.get("validate"))
        for fmt, m in row.get("export", {}).items():
            _put(out, f"export {fmt}", t, m)
        _put(out, "load (kgkit)", t, row.get("load"))
        _put(out, "load --replace (kgkit)", t, row.get("load_replace"))
        _put(out, "pyoxigraph load", t, row.get("ox_parse"))
        _put(out, "http POST (curl)", t, row.get("http_post"))
        for name, q in row.get("queries", {}).get("queries", {}).items():
            _put(out, f"query {name}", t, {"seconds": q["seconds"]})
    return out


def _s(m: dict[str, Any] | None, key: str = "seconds") -> float:
    return float(m[key]) if m and key in m else float("nan")


def report(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "build (cold, then nothing changed, then one document changed):",
        f"{'documents':>9} {'triples':>10} {'cold s':>7} {'docs/s':>7} {'triples/s':>10} {'peak MB':>8} "
        f"{'warm s':>7} {'one changed s':>13}",
    ]
    for r in results["builds"]:
        secs = _s(r.get("build"))
        lines.append(
            f"{r['documents']:>9} {r['triples']:>10} {secs:>7.2f} {r['documents'] / secs:>7.0f} "
            f"{r['triples'] / secs:>10.0f} {_s(r.get('build'), 'peak_mb'):>8.0f} "
            f"{_s(r.get('warm')):>7.2f} {_s(r.get('incremental')):>13.2f}"
        )
    lines += [
        "",
        "graph operations (seconds; peak MB in brackets):",
        f"{'triples':>10} {'validate':>14} {'nq export':>14} {'ttl export':>14} {'kgkit load':>14} "
        f"{'load --replace':>15} {'curl POST':>10} {'ox load':>8} {'ox dump':>8}",
    ]
    for r in results["graphs"]:

        def cell(m: dict[str, Any] | None) -> str:
            return f"{_s(m):.2f} [{_s(m, 'peak_mb'):.0f}]" if m and "seconds" in m else "-"

        lines.append(
            f"{r['triples']:>10} {cell(r.get('validate')):>14} {cell(r['export'].get('nquads')):>14} "
            f"{cell(r['export'].get('turtle')):>14} {cell(r.get('load')):>14} {cell(r.get('load_replace')):>15} "
            f"{_s(r.get('http_post')):>10.2f} "
            f"{_s(r.get('ox_parse')):>8.2f} {_s(r.get('ox_dump'), 'dump_seconds'):>8.2f}"
        )
    lines += ["", "growth exponents (time ~ size^k over the sizes measured; builds by documents):"]
    for name, pts in sorted(series(results).items()):
        k = exponent([p[0] for p in pts], [p[1] for p in pts])
        if k is not None:
            lines.append(f"  {name:40} k = {k:.2f}")
    for last in results["graphs"]:
        lines.append("")
        lines.append(f"ratios to the anchors at {last['triples']} triples (kgkit / anchor; 1.0 = as fast):")
        ox_q = last.get("ox_queries", {}).get("queries", {})
        for name, q in sorted(last.get("queries", {}).get("queries", {}).items()):
            if name in ox_q and ox_q[name]["seconds"] > 0:
                lines.append(
                    f"  query {name:32} {q['seconds'] * 1000:8.1f} ms vs pyoxigraph "
                    f"{ox_q[name]['seconds'] * 1000:8.1f} ms  ratio {q['seconds'] / ox_q[name]['seconds']:.1f}"
                )
        dump = _s(last.get("ox_dump"))  # pyoxigraph reading the file and writing N-Quads, like an export
        for fmt, m in sorted(last.get("export", {}).items()):
            if "seconds" in m and dump == dump:
                lines.append(
                    f"  export {fmt:31} {m['seconds']:8.2f} s  vs pyoxigraph load+dump {dump:.2f} s  "
                    f"ratio {m['seconds'] / dump:.1f}  ({last['triples'] / m['seconds']:,.0f} triples/s)"
                )
        load, post = _s(last.get("load")), _s(last.get("http_post"))
        if load == load and post == post:
            lines.append(
                f"  load into oxigraph serve          {load:8.2f} s  vs curl POST {post:.2f} s  ratio {load / post:.2f}"
            )
    return "\n".join(lines)


def plot(results: dict[str, list[dict[str, Any]]], path: Path) -> bool:
    """Log-log time and peak memory against size: builds by documents (left), graph operations by triples."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    data = series(results)
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    panels = (
        (axes[0][0], axes[1][0], "documents", ("build (docs)", "warm (docs)", "incremental (docs)")),
        (
            axes[0][1],
            axes[1][1],
            "triples",
            (
                "validate",
                "export nquads",
                "export turtle",
                "load (kgkit)",
                "load --replace (kgkit)",
                "http POST (curl)",
                "pyoxigraph load",
                "query orgs-on-sustainability",
                "query sessions-by-day",
            ),
        ),
    )
    for ax_t, ax_m, unit, names in panels:
        for name in names:
            if name not in data:
                continue
            xs = [p[0] for p in data[name]]
            ax_t.plot(xs, [p[1] for p in data[name]], marker="o", label=name)
            if any(p[2] for p in data[name]):
                ax_m.plot(xs, [p[2] for p in data[name]], marker="o", label=name)
        for ax, label in ((ax_t, "seconds"), (ax_m, "peak memory (MB)")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(unit)
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.suptitle("kgkit benchmark (log-log)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description="kgkit benchmarks")
    ap.add_argument(
        "--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000], help="numbers of documents to build"
    )
    ap.add_argument(
        "--graphs", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000], help="graph sizes (triples)"
    )
    ap.add_argument("--validate-max", type=int, default=10_000_000, help="skip SHACL above this many triples")
    ap.add_argument("--replace-max", type=int, default=1_500_000,
                    help="skip load --replace (graph by graph) above this many triples")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where JSON and PNG go")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {"builds": [], "graphs": []}
    with tempfile.TemporaryDirectory(prefix="kgkit-bench-") as tmp:
        work = args.work or Path(tmp)
        for n in args.sizes:
            print(f"building N={n} documents ...", file=sys.stderr, flush=True)
            results["builds"].append(measure_build(n, work))
            shutil.rmtree(work / f"corpus-{n}", ignore_errors=True)
        per_doc = triples_per_document(results["builds"])
        for t in args.graphs:
            n = max(1, round(t / per_doc))
            print(f"graph of ~{t} triples ({n} documents) ...", file=sys.stderr, flush=True)
            results["graphs"].append(measure_graph(n, t, work, args.validate_max, args.replace_max))
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": "python -m bench " + " ".join(sys.argv[1:]),
    }
    (args.out / "latest.json").write_text(json.dumps({"meta": meta, **results}, indent=2), encoding="utf-8")
    text = report(results)
    (args.out / "latest.txt").write_text(text + "\n", encoding="utf-8")
    plotted = plot(results, args.out / "latest.png")
    print(text)
    print(
        f"\nwrote {args.out / 'latest.json'}"
        + (f" and {args.out / 'latest.png'}" if plotted else " (no plot: pip install matplotlib)")
    )


if __name__ == "__main__":
    main()
