"""Builds on a Dask distributed cluster (``kgkit build --scheduler``): a real ``dask scheduler`` and two
``dask worker`` processes on 127.0.0.1, started once for this module and stopped after it.

The cluster build of the bundled corpus must be byte-identical to the local one, also when a worker
is killed in the middle of it (Dask runs its tasks again elsewhere); an unreachable scheduler is one
line and exit 3. The workers load the spaCy model once each, which takes a few seconds.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from paths import CORPUS

from kgkit.errors import ClusterError
from kgkit.graph.build import BuildResult, build

distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install -e '.[cluster]')")

CliRun = Callable[..., tuple[int, str, str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dask() -> str:
    beside_python = Path(sys.executable).parent / "dask"
    found = str(beside_python) if beside_python.is_file() else shutil.which("dask")
    if found is None:
        pytest.skip("the `dask` command is not installed (pip install -e '.[cluster]')")
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a fresh scheduler with two one-thread workers, all on 127.0.0.1."""
    dask = _dask()
    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        with (logs / f"{name}.log").open("wb") as log:
            processes.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, cwd=logs))

    port = address.rsplit(":", 1)[1]
    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
    for i in (1, 2):
        start(f"worker{i}", "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
              "--memory-limit", "0", "--name", f"worker{i}")
    try:
        deadline = time.monotonic() + 90
        with distributed.Client(address, timeout=90, set_as_default=False) as client:
            while len(client.nthreads()) < 2:
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    tails = {p.name: p.read_text(errors="replace")[-600:] for p in logs.glob("*.log")}
                    pytest.fail(f"the Dask cluster did not start: {tails}")
                time.sleep(0.1)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def test_unreachable_scheduler_is_one_line(run_cli: CliRun, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    code, _out, err = run_cli("build", str(CORPUS), "-o", str(tmp_path / "out"), "--scheduler", address)
    assert code == 3, err
    assert err.strip() == f"kgkit: error: cannot reach the Dask scheduler at {address}: connection refused"
    assert not (tmp_path / "out" / "kg.nq").exists()
    with pytest.raises(ClusterError, match="not a Dask scheduler address"):
        build([CORPUS], tmp_path / "out", scheduler="no-port-here")


@pytest.mark.slow
def test_a_worker_lost_mid_build_costs_only_its_tasks(scheduler: str, built: BuildResult, tmp_path: Path) -> None:
    """Killed while it runs a task (the first one of a fresh worker, which loads the model): the task
    runs again on the other worker, or on the one its nanny restarts, and the output is the same."""
    results: list[BuildResult | BaseException] = []

    def run() -> None:
        try:
            results.append(build([CORPUS], tmp_path / "lost", scheduler=scheduler))
        except BaseException as err:
            results.append(err)

    with distributed.Client(scheduler, timeout=30, set_as_default=False) as client:
        pids = client.run(os.getpid)
        thread = threading.Thread(target=run)
        thread.start()
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and thread.is_alive() and time.monotonic() < deadline:
            busy = [worker for worker, keys in client.processing().items() if keys and worker in pids]
            if busy:
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)
            time.sleep(0.01)
        thread.join(timeout=180)
    assert killed is not None, "no worker was seen running a task"
    assert len(results) == 1 and isinstance(results[0], BuildResult), results
    assert results[0].output.read_bytes() == built.output.read_bytes()


@pytest.mark.slow
def test_cluster_build_is_byte_identical(scheduler: str, built: BuildResult, tmp_path: Path, run_cli: CliRun) -> None:
    code, out, err = run_cli("build", str(CORPUS), "-o", str(tmp_path / "out"), "--scheduler", scheduler)
    assert code == 0, err
    assert out.startswith(f"Built {tmp_path / 'out' / 'kg.nq'}: 5 documents")
    assert (tmp_path / "out" / "kg.nq").read_bytes() == built.output.read_bytes()
    # the cache is on the client's side: a rebuild extracts nothing, and leaves kg.nq as it is
    again = build([CORPUS], tmp_path / "out", scheduler=scheduler)
    assert again.extracted == 0 and again.output.read_bytes() == built.output.read_bytes()
    # one changed document: only it goes to the cluster; the same file as a local build of the same
    changed = tmp_path / "corpus"
    shutil.copytree(CORPUS, changed)
    first = sorted(changed.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line, written after the first build.\n")
    remote = build([changed], tmp_path / "out", scheduler=scheduler)
    local = build([changed], tmp_path / "local", jobs=1)
    assert remote.extracted == 1
    assert remote.output.read_bytes() == local.output.read_bytes()
