"""Builds with the statistical model: kgkit against spaCy's own ``nlp.pipe``, 1 and 2 local processes, a
2-worker Dask cluster on this machine.

    python -m bench.model                      # 100 and 1,000 documents
    python -m bench.model --sizes 100 1000 10000
    python -m bench.model --large              # the same as adding 10000

For each number of documents N, a seeded synthetic corpus (bench/corpus.py) is built cold (a fresh
output directory, so no cache) with ``-j 1``, with ``-j 2`` and on a fresh Dask cluster of two
one-thread workers started on 127.0.0.1 (``dask scheduler`` / ``dask worker``; their start is not
timed, their model load is, as a local worker's is); the anchor is the spaCy pipeline kgkit uses (the
same components enabled) running ``nlp.pipe`` over the same files' texts with 1 and 2 processes.
Every measurement is a fresh process (bench/probe.py) and includes importing and loading the model.
Reported: seconds, documents/s, words/s (whitespace-separated words of the files), the peak memory of
the process doing the extraction (the largest worker when there are several), kgkit's time as a ratio
to ``nlp.pipe`` with the same number of processes, the speed-up from 1 to 2 processes, the Dask
cluster against 2 local processes, and the growth exponent of each over the sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.__main__ import ROOT, exponent, probe
from bench.corpus import generate

RUNS = ("kgkit -j 1", "kgkit -j 2", "kgkit dask 2 workers", "nlp.pipe 1 process", "nlp.pipe 2 processes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dask_cluster(workers: int, logs: Path) -> Iterator[str]:
    """A fresh ``dask scheduler`` and ``workers`` one-thread ``dask worker`` processes on 127.0.0.1."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    if not Path(dask).exists():
        dask = shutil.which("dask") or "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        with (logs / f"{name}.log").open("wb") as log:
            procs.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, cwd=logs))

    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    for i in range(workers):
        start(f"worker{i}", "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
              "--memory-limit", "0")
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def worker_peaks(address: str) -> list[float]:
    """The peak resident memory (MB) of what extracts on each worker of the cluster, so far: its
    extraction process (kgkit.graph.extractor, which loads the model), else the worker process."""
    import resource

    from distributed import Client

    def peak() -> float:
        from kgkit.graph import cluster

        pid = cluster._EXTRACTOR.pid
        if pid is not None:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with Client(address, timeout=30, set_as_default=False) as client:
        return sorted(client.run(peak).values())


def measure(n: int, work: Path) -> dict[str, Any]:
    corpus = work / f"model-corpus-{n}"
    paths = generate(n, corpus)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    row: dict[str, Any] = {"documents": n, "words": words, "runs": {}}
    runs = row["runs"]
    for jobs in (1, 2):
        out = work / f"model-build-{n}-j{jobs}"
        m = probe("build-jobs", str(corpus), str(out), str(jobs))
        m["worker_peak_mb"] = m.get("peak_self_mb" if jobs == 1 else "peak_children_mb", 0.0)
        runs[f"kgkit -j {jobs}"] = m
        shutil.rmtree(out, ignore_errors=True)
    try:
        with dask_cluster(2, work / f"dask-logs-{n}") as address:
            out = work / f"model-build-{n}-dask"
            m = probe("build-dask", str(corpus), str(out), address)
            peaks = worker_peaks(address)
            m["worker_peak_mb"] = max(peaks) if peaks else 0.0
            m["client_peak_mb"] = m.get("peak_self_mb", 0.0)
            runs["kgkit dask 2 workers"] = m
            shutil.rmtree(out, ignore_errors=True)
    except ImportError:
        runs["kgkit dask 2 workers"] = {"error": "Dask is not installed (pip install -e '.[cluster]')"}
    for processes in (1, 2):
        m = probe("spacy-pipe", str(corpus), str(processes))
        m["worker_peak_mb"] = m.get("peak_self_mb" if processes == 1 else "peak_children_mb", 0.0)
        runs[f"nlp.pipe {processes} process" + ("es" if processes > 1 else "")] = m
    shutil.rmtree(corpus, ignore_errors=True)
    return row


def _s(m: dict[str, Any] | None, key: str = "seconds") -> float:
    return float(m[key]) if m and key in m else float("nan")


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "builds with the model (cold; seconds include importing and loading the model):",
        f"{'documents':>9} {'words':>9} {'run':<22} {'seconds':>8} {'docs/s':>7} {'words/s':>8} {'worker MB':>9}",
    ]
    for r in rows:
        for name in RUNS:
            m = r["runs"].get(name)
            secs = _s(m)
            if m is None or "error" in m:
                lines.append(f"{r['documents']:>9} {r['words']:>9} {name:<22} {m.get('error', '-') if m else '-'}")
                continue
            lines.append(
                f"{r['documents']:>9} {r['words']:>9} {name:<22} {secs:>8.2f} {r['documents'] / secs:>7.1f} "
                f"{r['words'] / secs:>8.0f} {_s(m, 'worker_peak_mb'):>9.0f}"
            )
    lines += ["", "ratios (time / time; targets: kgkit / nlp.pipe <= 1.3, speed-up >= 1.7, dask / -j 2 <= 1.2):"]
    for r in rows:
        t = {name: _s(r["runs"].get(name)) for name in RUNS}
        lines.append(
            f"  {r['documents']:>6} documents: kgkit/nlp.pipe 1 process "
            f"{t['kgkit -j 1'] / t['nlp.pipe 1 process']:.2f}, "
            f"2 processes {t['kgkit -j 2'] / t['nlp.pipe 2 processes']:.2f}; "
            f"speed-up -j 1 -> -j 2 {t['kgkit -j 1'] / t['kgkit -j 2']:.2f} "
            f"(nlp.pipe {t['nlp.pipe 1 process'] / t['nlp.pipe 2 processes']:.2f}); "
            f"dask / -j 2 {t['kgkit dask 2 workers'] / t['kgkit -j 2']:.2f}"
        )
    lines += ["", "growth exponents (time ~ documents^k):"]
    for name in RUNS:
        pts = [(r["documents"], _s(r["runs"].get(name))) for r in rows]
        pts = [p for p in pts if p[1] == p[1]]
        k = exponent([p[0] for p in pts], [p[1] for p in pts])
        if k is not None:
            lines.append(f"  {name:24} k = {k:.2f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description="kgkit builds with the model, against spaCy's nlp.pipe")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="numbers of documents")
    ap.add_argument("--large", action="store_true", help="also 10,000 documents (about half an hour here)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where model.json/.txt go")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    args = ap.parse_args()
    sizes = sorted(set(args.sizes) | ({10_000} if args.large else set()))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kgkit-bench-model-") as tmp:
        work = args.work or Path(tmp)
        for n in sizes:
            print(f"builds with the model, N={n} documents ...", file=sys.stderr, flush=True)
            rows.append(measure(n, work))
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": "python -m bench.model " + " ".join(sys.argv[1:]),
    }
    (args.out / "model.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2), encoding="utf-8")
    text = report(rows)
    (args.out / "model.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwrote {args.out / 'model.json'} and {args.out / 'model.txt'}")


if __name__ == "__main__":
    main()
