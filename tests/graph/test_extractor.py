"""A Dask worker's extraction process (kgkit/graph/extractor.py), driven here without Dask: the same
results as extracting in this process, the time limit in its main thread, a process killed when a
document keeps the limit from acting (and a new one for the rest), and errors that come back as
they were raised. The Dask cluster's own tests are in test_build_dask.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import CORPUS

from kgkit.errors import InputError
from kgkit.extraction import REGISTRY
from kgkit.graph.extracting import Setup, Task, extract_document
from kgkit.graph.extractor import Extractor

STUCK = '''
import signal
import time

from kgkit.extraction import component


@component("stuck", requires=["sentences"], provides=["facts"], version="1")
def stuck(st):
    """On a document that says STUCK: SIGALRM blocked, then a minute's sleep (code that never returns
    to Python keeps the limit from acting as well); on one that says NAP, a minute's sleep."""
    if "STUCK" in st.doc.text:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    if "STUCK" in st.doc.text or "NAP" in st.doc.text:
        time.sleep(60)
'''


@pytest.fixture
def extractor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Extractor]:
    """An Extractor whose process finds the stuck component on its path (this process's), without
    the spaCy models (the process takes its environment from this one)."""
    monkeypatch.setenv("KGKIT_SPACY_MODEL_EN", "none")
    monkeypatch.setenv("KGKIT_SPACY_MODEL_FR", "none")
    module = tmp_path / "lib" / "kgkit_test_stuck.py"
    module.parent.mkdir()
    module.write_text(STUCK, encoding="utf-8")
    monkeypatch.syspath_prepend(str(module.parent))
    made = Extractor()
    try:
        yield made
    finally:
        made.stop()
        REGISTRY.pop("stuck", None)


def tasks(tmp_path: Path, texts: dict[str, str]) -> list[tuple[Task, bytes]]:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    out = []
    for i, (name, text) in enumerate(texts.items()):
        (folder / name).write_text(text, encoding="utf-8")
        out.append((Task(i, folder / name, folder, f"doc-{i}", f"key{i}"), text.encode("utf-8")))
    return out


def test_the_same_results_as_extracting_here(extractor: Extractor, tmp_path: Path) -> None:
    docs = sorted(CORPUS.iterdir())[:2]
    batch = tasks(tmp_path, {p.name: p.read_text(encoding="utf-8") for p in docs})
    setup = Setup(None, None, 0.0)
    got = extractor.extract(batch, setup, (30.0, 120.0))
    here = [extract_document(task, setup, None, data) for task, data in batch]
    assert [(o.id, o.lines, o.typed, o.error, lines) for o, lines in got] == [
        (o.id, o.lines, o.typed, o.error, lines) for o, lines in here]
    assert got[0][1] and extractor.pid is not None  # the process stays for the next batch


@pytest.mark.slow
def test_a_document_over_its_limit_is_stopped_and_the_rest_extracted(extractor: Extractor, tmp_path: Path) -> None:
    """NAP: stopped by SIGALRM at the limit (1 s), in the process. STUCK: SIGALRM blocked, so the
    process is killed at the limit plus the grace (1.25 s + 2 s) and another takes the last document."""
    batch = tasks(tmp_path, {"a.md": "# A\n\nWe met at KubeCon.\n", "nap.md": "# B\n\nNAP\n",
                             "stuck.md": "# C\n\nSTUCK\n", "d.md": "# D\n\nWe met at KubeCon again.\n"})
    setup = Setup("default,+kgkit_test_stuck:stuck", None, 0.0)
    extractor.extract(batch[:1], setup, (1.0, 0.0))  # (the process started and the pipeline made)
    first = extractor.pid
    started = time.monotonic()
    got = extractor.extract(batch, setup, (1.0, 0.0))
    took = time.monotonic() - started
    assert [o.error is None for o, _ in got] == [True, False, False, True]
    message = "took more than 1 s to read and extract (the limit for a document of its size)"
    assert [str(o.error) for o, _ in got[1:3]] == [f"{batch[1][0].path}: {message}", f"{batch[2][0].path}: {message}"]
    assert extractor.pid not in (None, first)  # a new process after the kill
    assert 1 + 3.25 <= took < 30, took


def test_errors_come_back_as_raised(extractor: Extractor, tmp_path: Path) -> None:
    batch = tasks(tmp_path, {"a.md": "# A\n\nWe met at KubeCon.\n"})
    with pytest.raises(InputError, match="no component 'nope'"):
        extractor.extract(batch, Setup("default,-nope", None, 0.0), (30.0, 120.0))
    with pytest.raises(InputError, match="cannot import 'kgkit_test_absent'"):
        extractor.extract(batch, Setup("default,+kgkit_test_absent:x", None, 0.0), (30.0, 120.0))
    assert extractor.extract(batch, Setup(None, None, 0.0), (30.0, 120.0))[0][0].error is None  # and it goes on
