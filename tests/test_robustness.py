"""Messy input and hostile conditions: broken documents, interrupted and failing writes, two builds at once.

``tests/data/bad/`` holds one small broken document per case that can be committed (empty, binary,
invalid UTF-8, a wrong and an unknown declared encoding, broken YAML and TOML front matter, front
matter that is a list, front-matter values of the wrong types, an unknown extension, a duplicate and
two documents with the same name) next to ``good.md``, whose facts must come through untouched. The
cases that cannot be committed (a 50 MB file, symbolic link loops, a broken link, an unreadable file,
a pipe) are made in a temporary folder by :func:`messy_folder`.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from paths import CORPUS, DATA
from rdflib import Dataset, URIRef

from kgkit.documents.read import read_document
from kgkit.documents.scan import scan_documents
from kgkit.errors import DocumentError, InputError, OutputError
from kgkit.graph.build import CACHE_DIR, build
from kgkit.rdf.export import export
from kgkit.rdf.files import KG_FILE, LOCK_FILE, atomic_write, output_lock

BAD = DATA / "bad"
EXE = Path(sys.executable).parent / "kgkit"
CliRun = Callable[..., tuple[int, str, str]]
PROC_MEM = Path("/proc/self/mem")  # a regular file that cannot be read from offset 0, even by root

# file -> (what its one warning says, the line it names or None); "skipped" documents are left out
BAD_DOCUMENTS: dict[str, tuple[str, int | None]] = {
    "binary.md": ("binary file, not a text document", None),
    "broken-toml.md": ("broken TOML front matter", 3),
    "broken-yaml.md": ("broken YAML front matter", 3),
    "empty.md": ("empty document", None),
    "front-matter-list.md": ("front matter is not a mapping", 2),
    "invalid-utf8.txt": ("not valid utf-8", 3),
    "more/good.md": ("the same text as", None),
    "unknown-encoding.html": ("declares an unknown encoding 'x-klingon'", 3),
    "wrong-encoding.html": ("not valid utf-8 as declared on line 3 (byte 0xfc", 3),
}
# documents that are built, with a warning per odd value
WARNINGS: list[tuple[str, str, int | None]] = [
    ("odd-types.md", "front matter title: expected text, not a list; ignored", 2),
    ("odd-types.md", "front matter date: '2024-13-45' is not a date; ignored", 3),
    ("odd-types.md", "front matter published: 'next tuesday' is not a date; ignored", 4),
    ("odd-types.md", "front matter author: expected a name", 5),
    ("odd-types.md", "front matter lang: 7 is not a language tag", 6),
    ("same-name.txt", "has the same name as", None),
]
# made by messy_folder: what each is skipped for
GENERATED: dict[str, str] = {
    "huge.md": "too large (50 MB; the limit is 20 MB)",
    "loop-a.md": "symbolic link loop",
    "loop-b.md": "symbolic link loop",
    "sub/back": "symbolic link loop: leads back to",
    "gone.md": "broken symbolic link",
    "pipe.md": "not a regular file",
    "unreadable.md": "cannot read",
}


def kgkit(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
    preexec_fn: Callable[[], object] | None = None,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env,
                          preexec_fn=preexec_fn)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def messy_folder(tmp_path: Path) -> Path:
    """A copy of tests/data/bad plus the cases that cannot be committed."""
    folder = tmp_path / "messy"
    shutil.copytree(BAD, folder)
    with (folder / "huge.md").open("wb") as fh:  # 50 MB of perfectly good text
        line = b"KubeCon + CloudNativeCon Europe 2024 took place in Paris.\n"
        fh.write(line * (50 * 2**20 // len(line) + 1))
    (folder / "loop-a.md").symlink_to("loop-b.md")
    (folder / "loop-b.md").symlink_to("loop-a.md")
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to("..")  # a folder link back up: a loop when followed
    (folder / "gone.md").symlink_to("nowhere.md")
    os.mkfifo(folder / "pipe.md")  # reading it would wait for ever
    (folder / "unreadable.md").symlink_to(PROC_MEM)
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a document: ignored
    return folder


def graph_of(nq: Path, name: str) -> set[tuple[object, object, object]]:
    ds = Dataset()
    ds.parse(nq, format="nquads")
    return set(ds.graph(URIRef(f"https://w3id.org/kgkit/graph/doc/{name}")))


def temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


# --- bad documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_each_bad_document_is_a_document_error_naming_file_and_line(name: str) -> None:
    message, line = BAD_DOCUMENTS[name]
    if name == "more/good.md":  # a duplicate is only one in a build
        assert read_document(BAD / name).content_hash == read_document(BAD / "good.md").content_hash
        return
    with pytest.raises(DocumentError) as info:
        read_document(BAD / name)
    assert message in str(info.value) and info.value.line == line
    assert str(info.value).startswith(f"{BAD / name}:{line}: " if line else f"{BAD / name}: ")


def test_front_matter_of_the_wrong_types_gives_warnings_and_is_ignored() -> None:
    doc = read_document(BAD / "odd-types.md")
    found = [(str(w), w.line) for w in doc.warnings]
    expected = [(message, line) for file, message, line in WARNINGS if file == "odd-types.md"]
    assert len(found) == len(expected)
    for (text, line), (message, want) in zip(found, expected, strict=True):
        assert message in text and line == want and text.startswith(str(BAD / "odd-types.md"))
    assert doc.title == "A recap of KubeCon + CloudNativeCon Europe 2024"  # from the heading instead
    assert doc.date is None and doc.authors == [] and doc.language == "en"
    assert not {"title", "date", "published", "author", "lang"} & set(doc.meta)


def test_generated_bad_files_are_found_as_problems(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    scan = scan_documents([folder])
    problems = {f.path.relative_to(folder).as_posix(): str(f.problem) for f in scan.found if f.problem}
    assert scan.ignored == [folder / "notes.pdf", folder / "photo.png"]
    for name, message in GENERATED.items():
        if name in ("huge.md", "unreadable.md"):
            continue  # found as files; reading them fails (below)
        assert message in problems.pop(name), name
    assert problems == {}
    for name in ("huge.md", "unreadable.md", "pipe.md"):
        started = time.perf_counter()
        with pytest.raises(DocumentError, match=re.escape(GENERATED[name])) as info:
            read_document(folder / name)
        assert str(info.value).startswith(f"{folder / name}: ")
        assert time.perf_counter() - started < 1  # the 50 MB file is not read, the pipe not waited on


def test_a_file_one_byte_over_the_limit_is_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kgkit.documents.decode.MAX_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 1000)
    assert read_document(path).text.startswith("aaa")
    path.write_bytes(b"a" * 1001)
    with pytest.raises(DocumentError, match="too large"):
        read_document(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("# Secret\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(DocumentError, match="cannot read: Permission denied"):
        read_document(path)


@pytest.mark.slow
def test_the_messy_folder_builds_with_one_warning_per_bad_file(tmp_path: Path) -> None:
    """The issue's corpus test, through the real console script."""
    folder = messy_folder(tmp_path)
    proc = kgkit("build", str(folder), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert all(line.startswith("kgkit: warning: ") for line in lines)
    skipped = [line for line in lines if line.startswith("kgkit: warning: skipped ")]
    expected_skips = {**{k: v for k, (v, _) in BAD_DOCUMENTS.items()}, **GENERATED}
    assert len(skipped) == len(expected_skips)
    for name, message in expected_skips.items():
        line = BAD_DOCUMENTS.get(name, ("", None))[1]
        where = f"{folder / name}:{line}: " if line else f"{folder / name}: "
        assert [s for s in skipped if s.startswith(f"kgkit: warning: skipped {where}") and message in s], name
    for name, message, line in WARNINGS:
        where = f"{folder / name}:{line}: " if line else f"{folder / name}: "
        assert [s for s in lines if s.startswith(f"kgkit: warning: {where}") and message in s], (name, message)
    assert f"ignored 2 files that are not documents (.pdf, .png), such as {folder / 'notes.pdf'}" in proc.stderr
    assert len(lines) == len(skipped) + len(WARNINGS) + 1
    assert f"4 documents ({len(WARNINGS)} warnings), {len(expected_skips)} skipped, " in proc.stdout

    alone = build([BAD / "good.md"], tmp_path / "alone")  # the good document's facts are intact
    good = graph_of(alone.output, "good")
    assert len(good) > 50 and good == graph_of(tmp_path / "out" / KG_FILE, "good")
    names = {str(o) for _, _, o in good}
    assert {"Shopify", "Jane Example", "Notes from KubeCon + CloudNativeCon Europe 2024"} <= names
    assert graph_of(tmp_path / "out" / KG_FILE, "same-name") and graph_of(tmp_path / "out" / KG_FILE, "odd-types")


@pytest.mark.slow
def test_strict_stops_at_the_first_bad_file_and_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous = build([BAD / "good.md"], out).output.read_bytes()
    proc = kgkit("build", str(BAD), "-o", str(out), "--strict")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [  # the ignored PDF is not a bad document, just noted
        f"kgkit: warning: ignored 1 file that is not a document (.pdf), such as {BAD / 'notes.pdf'}",
        f"kgkit: error: {BAD / 'binary.md'}: binary file, not a text document",
    ]
    assert (out / KG_FILE).read_bytes() == previous and temps(out) == [] and not (out / LOCK_FILE).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("odd-types.md", "odd-types.md:2: front matter title: expected text"),
        ("same-name.txt", "same-name.txt: has the same name as"),
    ],
)
def test_strict_also_stops_at_documents_with_warnings(
    run_cli: CliRun, tmp_path: Path, name: str, message: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for file in {name, "same-name.md"}:
        shutil.copy(BAD / file, docs / file)
    assert run_cli("build", str(docs), "-o", str(tmp_path / "a"))[0] == 0
    code, _, err = run_cli("build", str(docs), "-o", str(tmp_path / "b"), "--strict")
    assert code == 2 and err.startswith("kgkit: error: ") and message in err and err.count("\n") == 1


def test_a_named_file_of_an_unknown_kind_is_skipped(run_cli: CliRun, tmp_path: Path) -> None:
    args = ("build", str(BAD / "notes.pdf"), str(BAD / "good.md"), "-o", str(tmp_path))
    code, out, err = run_cli(*args)
    assert code == 0 and "1 documents, 1 skipped" in out
    assert err == f"kgkit: warning: skipped {BAD / 'notes.pdf'}: not a kind of document kgkit reads (.pdf); " \
        "it reads Markdown (.md, .markdown), text (.txt, .text, no extension) and HTML (.html, .htm, .xhtml)\n"
    code, _, err = run_cli(*args, "--strict")
    assert code == 2 and err.startswith(f"kgkit: error: {BAD / 'notes.pdf'}: not a kind of document")


def test_a_named_link_loop_is_skipped_but_a_missing_path_is_an_error(run_cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "loop.md").symlink_to("loop.md")
    code, out, err = run_cli("build", str(tmp_path / "loop.md"), str(BAD / "good.md"), "-o", str(tmp_path / "o"))
    assert code == 0 and "1 skipped" in out and f"skipped {tmp_path / 'loop.md'}: symbolic link loop" in err
    code, _, err = run_cli("build", str(tmp_path / "missing.md"), "-o", str(tmp_path / "o"))
    assert code == 2 and err == f"kgkit: error: {tmp_path / 'missing.md'}: no such file or directory\n"


def test_folders_reached_through_links_are_walked_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "real").mkdir(parents=True)
    shutil.copy(BAD / "good.md", docs / "real" / "good.md")
    (docs / "alias").symlink_to("real")
    (docs / "real" / "up").symlink_to("..")  # leads back to the root: a loop
    scan = scan_documents([docs, docs / "real"])
    assert [(f.path.relative_to(docs).as_posix(), f.problem is None) for f in scan.found] == [
        ("alias/good.md", True),
        ("alias/up", False),
    ]


def test_same_name_under_two_roots_keeps_both_and_identical_text_once(run_cli: CliRun, tmp_path: Path) -> None:
    for root, source in (("a", "good.md"), ("b", "same-name.md"), ("c", "good.md")):
        (tmp_path / root).mkdir()
        shutil.copy(BAD / source, tmp_path / root / "index.md")
    code, out, err = run_cli("build", *(str(tmp_path / r) for r in "abc"), "-o", str(tmp_path / "out"))
    assert code == 0 and "2 documents (1 warnings), 1 skipped" in out
    assert f"{tmp_path / 'b' / 'index.md'}: has the same name as {tmp_path / 'a' / 'index.md'}; " in err
    assert f"skipped {tmp_path / 'c' / 'index.md'}: the same text as {tmp_path / 'a' / 'index.md'}" in err
    hashed = read_document(tmp_path / "b" / "index.md").content_hash[:8]
    assert graph_of(tmp_path / "out" / KG_FILE, "index") and graph_of(tmp_path / "out" / KG_FILE, f"index-{hashed}")


def test_when_no_document_can_be_read_nothing_is_written(run_cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous = build([BAD / "good.md"], out).output.read_bytes()
    code, _, err = run_cli("build", str(BAD / "empty.md"), str(BAD / "binary.md"), "-o", str(out))
    assert code == 2
    last = err.splitlines()[-1]
    assert last == f"kgkit: error: none of the documents could be read, so {out / KG_FILE} was not written"
    assert (out / KG_FILE).read_bytes() == previous


# --- atomic outputs --------------------------------------------------------------------------------


def test_atomic_write_keeps_the_previous_file_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "kg.nq"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("crash mid-way")
    assert target.read_text(encoding="utf-8") == "previous\n" and temps(tmp_path) == []


def test_atomic_write_gives_new_files_the_usual_mode_and_keeps_an_old_ones(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.txt") as fh:
            fh.write("x")
        assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644
        (tmp_path / "old.txt").write_text("x", encoding="utf-8")
        (tmp_path / "old.txt").chmod(0o600)
        with atomic_write(tmp_path / "old.txt") as fh:
            fh.write("y")
        assert (tmp_path / "old.txt").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)


def test_an_output_that_cannot_be_written_is_a_one_line_error(run_cli: CliRun, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, err = run_cli("build", str(BAD / "good.md"), "-o", str(blocker))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"kgkit: error: {blocker}: cannot write into this directory")
    code, _, err = run_cli("export", "-i", str(DATA / "query" / "kg.trig"), "-o", str(blocker / "kg.ttl"))
    assert code == 2 and err.startswith(f"kgkit: error: {blocker / 'kg.ttl'}: cannot write") and err.count("\n") == 1


@pytest.mark.slow
def test_a_full_disk_leaves_the_previous_build(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes writes past 64 KB fail with EFBIG, as a full disk fails them with ENOSPC."""
    out = tmp_path / "out"
    previous = build([BAD / "good.md"], out).output.read_bytes()

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    proc = kgkit("build", str(CORPUS), "-o", str(out), preexec_fn=small_files,
                 env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    # kg.nq itself, or a document's entry in the build cache beside it, is what could not be written
    assert proc.stderr.startswith(f"kgkit: error: {out}/") and proc.stderr.endswith(": cannot write: File too large\n")
    assert (out / KG_FILE).read_bytes() == previous and temps(out) == [] and not (out / LOCK_FILE).exists()


# A kgkit whose fsync of the finished temporary file takes a minute: a window, wide enough to hit
# every time, in which the new output is written but not yet in place.
SLOW_WRITE = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
from kgkit.cli import main
main()
"""


def start_slow(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"kgkit ended early ({proc.returncode}): {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("kgkit did not get there in time")
        time.sleep(0.005)


def written(folder: Path) -> Callable[[], bool]:
    """True once a temporary output file in ``folder`` holds the whole new output."""
    return lambda: any(t.stat().st_size > 0 for t in temps(folder) if t.exists())


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_killing_build_mid_write_keeps_the_previous_output(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    previous = build([BAD / "good.md"], out).output.read_bytes()
    proc = start_slow("build", str(CORPUS), "-o", str(out))
    wait_for(written(out), proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert (out / KG_FILE).read_bytes() == previous
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL and temps(out)  # nothing could clean up
        proc = subprocess.Popen([str(EXE), "build", str(CORPUS), "-o", str(out)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "Traceback" not in err
        assert (out / KG_FILE).read_bytes() != previous  # the next build replaces it, and the stale file
    else:
        assert proc.returncode == 130 and err == "kgkit: interrupted\n"
    assert temps(out) == [] and not (out / LOCK_FILE).exists()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killing_export_mid_write_keeps_the_previous_output(
    tmp_path: Path, built_dir: Path, sig: signal.Signals
) -> None:
    target = tmp_path / "kg.ttl"
    export(DATA / "query" / "kg.trig", format="turtle", output=target)
    previous = target.read_bytes()
    proc = start_slow("export", "-i", str(built_dir), "-o", str(target))
    wait_for(written(tmp_path), proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert target.read_bytes() == previous
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and err == "kgkit: interrupted\n" and temps(tmp_path) == []
    else:
        assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_ctrl_c_while_reading_documents_exits_130_in_one_line(tmp_path: Path) -> None:
    """The real console script, no patches: interrupted while it extracts (it holds the lock by then)."""
    out = tmp_path / "out"
    previous = build([BAD / "good.md"], out).output.read_bytes()
    proc = subprocess.Popen([str(EXE), "build", str(CORPUS), "-o", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_for((out / LOCK_FILE).exists, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (130, "", "kgkit: interrupted\n")
    assert (out / KG_FILE).read_bytes() == previous and not (out / LOCK_FILE).exists()


# --- one build at a time ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start_slow("build", str(BAD / "good.md"), "-o", str(out))
    try:
        wait_for(written(out), first)
        second = kgkit("build", str(CORPUS), "-o", str(out))
        assert second.returncode == 2
        assert second.stderr == (
            f"kgkit: error: {out}: another kgkit build (pid {first.pid}) is writing into this directory; "
            "try again when it has finished\n"
        )
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 130 and not (out / KG_FILE).exists() and temps(out) == []


def test_the_lock_is_per_directory_and_released(tmp_path: Path) -> None:
    with output_lock(tmp_path / "a") as lock:
        assert lock.read_text(encoding="ascii") == f"{os.getpid()}\n"
        busy = rf"another kgkit build \(pid {os.getpid()}\)"
        with pytest.raises(OutputError, match=busy), output_lock(tmp_path / "a"):
            pass
        with output_lock(tmp_path / "b"):
            pass
    assert not lock.exists()
    with output_lock(tmp_path / "a"):
        pass


def test_a_stale_lock_of_a_dead_process_is_taken_over(run_cli: CliRun, tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_FILE).write_text(f"{dead.pid}\n", encoding="ascii")
    (out / ".kg.nq.abc123.tmp").write_text("half a build", encoding="utf-8")  # what a SIGKILL leaves
    code, out_text, _ = run_cli("build", str(BAD / "good.md"), "-o", str(out))
    assert code == 0 and out_text.startswith(f"Built {out / KG_FILE}")
    assert sorted(p.name for p in out.iterdir()) == [CACHE_DIR, KG_FILE]


def test_input_errors_are_raised_before_the_output_folder_is_made(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        build([tmp_path / "missing"], tmp_path / "out")
    with pytest.raises(InputError, match="no documents found"):
        build([tmp_path], tmp_path / "out")
    assert not (tmp_path / "out").exists()
