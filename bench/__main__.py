"""kgkit benchmarks: throughput, peak memory and growth with size, as ratios to the Rust engines.

    python -m bench                      # N = 10, 100, 1000 documents
    python -m bench --sizes 10 100 1000 10000 --validate-max 1500000
    python -m bench --out bench/results  # JSON + PNG plot written there

For each size N it generates a seeded synthetic corpus (bench/corpus.py), then measures, each in a
fresh process (bench/probe.py) so peak memory is per operation: build, validate, every canned query,
export in each format, a load into a real Oxigraph server when the ``oxigraph`` binary is present;
and the anchors on the same data: pyoxigraph bulk load, dump and the same queries, and a plain HTTP
POST of the N-Quads file. It prints a table, the growth exponent of each operation (slope of
log time against log size) and kgkit's figures as ratios to the anchors.
"""

from __future__ import annotations

import argparse
import json
import math
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


def measure_size(n: int, work: Path, validate_max: int) -> dict[str, Any]:
    corpus, out = work / f"corpus-{n}", work / f"build-{n}"
    generate(n, corpus)
    row: dict[str, Any] = {"documents": n}
    row["build"] = probe("build", str(corpus), str(out))
    kg = str(out / "kg.nq")
    triples = row["build"].get("triples", 0)
    row["triples"] = triples
    if triples <= validate_max:
        row["validate"] = probe("validate", kg)
    row["queries"] = probe("queries", kg)
    row["export"] = {fmt: probe("export", kg, fmt, str(work / f"export-{n}.{fmt}")) for fmt in EXPORT_FORMATS}
    row["ox_parse"] = probe("ox-parse", kg)
    row["ox_dump"] = probe("ox-dump", kg, str(work / f"ox-dump-{n}.nq"))
    row["ox_queries"] = probe("ox-queries", kg)
    server = oxigraph_server(work / f"store-{n}")
    if server:
        proc, url = server
        try:
            row["http_post"] = probe("http-post", kg, f"{url}/store")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
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


def series(rows: list[dict[str, Any]]) -> dict[str, list[tuple[int, float, float]]]:
    """Operation -> [(triples, seconds, peak MB)] for the summary and the plot."""
    out: dict[str, list[tuple[int, float, float]]] = {}

    def put(name: str, row: dict[str, Any], m: dict[str, Any] | None) -> None:
        if m and "seconds" in m:
            out.setdefault(name, []).append((row["triples"], m["seconds"], m.get("peak_mb", 0.0)))

    for row in rows:
        put("build", row, row.get("build"))
        put("validate", row, row.get("validate"))
        for fmt, m in row.get("export", {}).items():
            put(f"export {fmt}", row, m)
        put("pyoxigraph load", row, row.get("ox_parse"))
        put("http POST (floor)", row, row.get("http_post"))
        for name, q in row.get("queries", {}).get("queries", {}).items():
            put(f"query {name}", row, {"seconds": q["seconds"]})
    return out


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'documents':>9} {'triples':>9} {'build s':>8} {'docs/s':>7} {'triples/s':>10} {'peak MB':>8} "
        f"{'validate s':>10} {'nq export s':>11} {'ox load s':>9}"
    ]
    for r in rows:
        b, v = r.get("build", {}), r.get("validate", {})
        secs = b.get("seconds", float("nan"))
        lines.append(
            f"{r['documents']:>9} {r['triples']:>9} {secs:>8.2f} {r['documents'] / secs:>7.0f} "
            f"{r['triples'] / secs:>10.0f} {b.get('peak_mb', 0):>8.0f} "
            f"{v.get('seconds', float('nan')):>10.2f} {r['export']['nquads'].get('seconds', float('nan')):>11.2f} "
            f"{r['ox_parse'].get('seconds', float('nan')):>9.2f}"
        )
    lines.append("")
    lines.append("growth exponents (time ~ size^k over the sizes measured):")
    for name, pts in sorted(series(rows).items()):
        k = exponent([p[0] for p in pts], [p[1] for p in pts])
        if k is not None:
            lines.append(f"  {name:40} k = {k:.2f}")
    last = rows[-1]
    lines.append("")
    lines.append(f"ratios to the anchors at {last['triples']} triples (kgkit / anchor; 1.0 = as fast):")
    ox_q = last.get("ox_queries", {}).get("queries", {})
    for name, q in sorted(last.get("queries", {}).get("queries", {}).items()):
        if name in ox_q and ox_q[name]["seconds"] > 0:
            lines.append(
                f"  query {name:32} {q['seconds'] * 1000:8.1f} ms vs pyoxigraph "
                f"{ox_q[name]['seconds'] * 1000:8.1f} ms  ratio {q['seconds'] / ox_q[name]['seconds']:.1f}"
            )
    dump = last.get("ox_dump", {}).get("dump_seconds")
    nq = last["export"]["nquads"].get("seconds")
    if dump and nq:
        lines.append(f"  export nquads {nq:.2f} s vs pyoxigraph dump {dump:.2f} s  ratio {nq / dump:.1f}")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    data = series(rows)
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 5))
    for name in (
        "build",
        "validate",
        "export nquads",
        "export turtle",
        "pyoxigraph load",
        "http POST (floor)",
        "query orgs-on-sustainability",
    ):
        if name in data:
            xs = [p[0] for p in data[name]]
            ax_t.plot(xs, [p[1] for p in data[name]], marker="o", label=name)
            if any(p[2] for p in data[name]):
                ax_m.plot(xs, [p[2] for p in data[name]], marker="o", label=name)
    for ax, label in ((ax_t, "seconds"), (ax_m, "peak memory (MB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("triples")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("kgkit benchmark (log-log)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description="kgkit benchmarks")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000], help="numbers of documents")
    ap.add_argument("--validate-max", type=int, default=1_500_000, help="skip SHACL above this many triples")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where JSON and PNG go")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kgkit-bench-") as tmp:
        work = args.work or Path(tmp)
        rows = []
        for n in args.sizes:
            print(f"measuring N={n} ...", file=sys.stderr, flush=True)
            rows.append(measure_size(n, work, args.validate_max))
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    (args.out / "latest.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2), encoding="utf-8")
    text = report(rows)
    (args.out / "latest.txt").write_text(text + "\n", encoding="utf-8")
    plotted = plot(rows, args.out / "latest.png")
    print(text)
    print(
        f"\nwrote {args.out / 'latest.json'}"
        + (f" and {args.out / 'latest.png'}" if plotted else " (no plot: pip install matplotlib)")
    )


if __name__ == "__main__":
    main()
