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


# --- the per-document time limit on a worker ----------------------------------------------------------

SLEEPY = '''
import signal
import time

from kgkit.extraction import component


@component("sleepy", requires=["sentences"], provides=["facts"], version="1")
def sleepy(st):
    """A minute's sleep on a document that says SLEEP-NOW; on one that says BLOCK-ALARM, SIGALRM blocked
    first, as code that never returns to Python would keep the limit from acting."""
    if "BLOCK-ALARM" in st.doc.text:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    if "SLEEP-NOW" in st.doc.text or "BLOCK-ALARM" in st.doc.text:
        time.sleep(60)
'''


@pytest.fixture
def sleepy(scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pipeline spec with the sleepy component, importable here and on the workers (Dask's
    upload_file puts the module on each worker's path); the time limit made 3 s (no more per MB)."""
    from kgkit.extraction import REGISTRY
    from kgkit.graph import extracting

    module = tmp_path / "lib" / "kgkit_test_sleepy.py"
    module.parent.mkdir()
    module.write_text(SLEEPY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(module.parent))
    monkeypatch.setattr(extracting, "SECONDS_PER_DOCUMENT", 3.0)
    monkeypatch.setattr(extracting, "SECONDS_PER_MB", 0.0)
    with distributed.Client(scheduler, timeout=30, set_as_default=False) as client:
        client.upload_file(str(module))
    try:
        yield "default,+kgkit_test_sleepy:sleepy"
    finally:
        REGISTRY.pop("sleepy", None)
        sys.modules.pop("kgkit_test_sleepy", None)


@pytest.mark.slow
def test_a_document_over_its_time_limit_on_a_worker_is_skipped_as_locally(
    scheduler: str, sleepy: str, built: BuildResult, tmp_path: Path
) -> None:
    """A component that sleeps a minute on one document: the cluster stops it at the client's limit
    (3 s here) as a local build does, with the same warning, and writes the same kg.nq; a document
    that keeps the limit from acting (SIGALRM blocked) is stopped too, a little later, and the worker
    goes on with the next documents. (The model is loaded here, by ``built``, and on a worker before
    its first document's clock starts.)"""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    slow = corpus / "zz-slow.md"
    slow.write_text("# Notes\n\nWe met at KubeCon. SLEEP-NOW\n", encoding="utf-8")
    local_warnings: list[str] = []
    started = time.monotonic()
    local = build([corpus], tmp_path / "local", jobs=1, pipeline=sleepy, warn=local_warnings.append)
    assert time.monotonic() - started < 40
    remote_warnings: list[str] = []
    started = time.monotonic()
    remote = build([corpus], tmp_path / "remote", scheduler=scheduler, pipeline=sleepy, warn=remote_warnings.append)
    assert time.monotonic() - started < 40
    assert remote_warnings == local_warnings and remote.skipped == local.skipped
    (line,) = remote_warnings
    assert line == f"skipped {slow}: took more than 3 s to read and extract (the limit for a document of its size)"
    assert remote.documents == local.documents == 5
    assert remote.output.read_bytes() == local.output.read_bytes()

    slow.write_text("# Notes\n\nWe met at KubeCon. BLOCK-ALARM\n", encoding="utf-8")
    for doc in sorted(corpus.glob("00*"))[:2]:  # extracted again after it, by the same worker or another
        doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    stubborn_warnings: list[str] = []
    started = time.monotonic()
    stubborn = build([corpus], tmp_path / "remote", scheduler=scheduler, pipeline=sleepy,
                     warn=stubborn_warnings.append)
    assert time.monotonic() - started < 45  # 3 s, a grace of 2.75 s, a new extraction process
    assert stubborn_warnings == remote_warnings and stubborn.documents == 5 and stubborn.extracted == 2
    slow.unlink()
    without = build([corpus], tmp_path / "local2", jobs=1, pipeline=sleepy)
    assert stubborn.output.read_bytes() == without.output.read_bytes()
