"""Documents made to cost time: YAML alias bombs and loops in front matter, a Markdown body or an HTML
page of 100 KB of "[" or "<a" (quadratic link patterns), one document of 10,000 sentences (anything
that scans every sentence or session for each one), and a document that takes longer than its time
limit. Each costs bounded time: it is built, or skipped with a one-line warning naming the file.

kgkit runs with the NLP model off (KGKIT_SPACY_MODEL_EN=none) wherever the model's own time is not
what is tested, and every bound is generous, so that the tests hold on a loaded machine.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from hostile_kit import Run, assert_refused, kgkit

from kgkit.graph import extracting
from kgkit.graph.build import build

#: An alias bomb: nine aliases on each of nine levels, 9**9 (387 million) strings once expanded, in ten lines
ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))
    + f"title: [{', '.join(['*h'] * 9)}]\n"
    "---\n\n# A bomb\n\nRed Hat gave a talk at KubeCon.\n"
)
#: An alias loop: a value that contains itself
ALIAS_LOOP = "---\ntitle: &t [*t]\n---\n\n# A loop\n\nRed Hat gave a talk at KubeCon.\n"
GOOD = "# A good one\n\nGoogle spoke about observability at KubeCon in Paris.\n"

#: 100 KB of what a link pattern or markdown-it's link scan took quadratic time on
HOSTILE_BODIES = {
    "brackets.md": "# Brackets\n\n" + "[" * 100_000 + "\n",
    "anchors.md": "# Anchors\n\n" + "<a" * 50_000 + "\n",
    "brackets.html": "<html><head><title>Brackets</title></head><body><p>" + "[" * 100_000 + "</p></body></html>\n",
    "anchors.html": "<html><head><title>Anchors</title></head><body><p>" + "<a" * 50_000 + "</p></body></html>\n",
}


def model_off() -> dict[str, str]:
    return {**os.environ, "KGKIT_SPACY_MODEL_EN": "none"}


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_run(source: Path, out: Path, *args: str, timeout: float = 60) -> Run:
    return kgkit("build", str(source), "-o", str(out), "-j", "1", *args, timeout=timeout, env=model_off())


def warnings_of(run: Run) -> list[str]:
    assert "Traceback" not in run.err, run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert all(line.startswith("kgkit: warning: ") for line in lines), run.err
    return lines


def build_seconds(run: Run) -> float:
    """The build's own time, from its summary (kgkit's start-up not counted)."""
    found = re.search(r" in ([\d.]+) s$", run.out.splitlines()[0])
    assert found, run.out
    return float(found.group(1))


@pytest.mark.parametrize(("text", "said"), [
    (ALIAS_BOMB, "once its aliases are expanded"),
    (ALIAS_LOOP, "refers to itself"),
], ids=["alias bomb", "alias loop"])
def test_yaml_alias_bombs_and_loops_are_a_one_line_warning_in_bounded_time(tmp_path: Path, text: str,
                                                                          said: str) -> None:
    source = write_docs(tmp_path / "docs", {"hostile.md": text, "good.md": GOOD})
    run = build_run(source, tmp_path / "out", timeout=30)
    assert run.code == 0 and run.seconds < 20, (run.seconds, run.err)
    assert run.out.startswith(f"Built {tmp_path / 'out' / 'kg.nq'}: 1 documents, 1 skipped"), run.out
    (line,) = warnings_of(run)
    assert "skipped" in line and "hostile.md" in line and said in line, line
    strict = build_run(source, tmp_path / "strict", "--strict", timeout=30)
    assert strict.seconds < 20
    assert_refused(strict, 2, "hostile.md", said)
    assert not (tmp_path / "strict" / "kg.nq").exists()


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_body_of_100_kb_of_brackets_or_anchors_is_built_in_bounded_time(tmp_path: Path, name: str) -> None:
    source = write_docs(tmp_path / "docs", {name: HOSTILE_BODIES[name]})
    run = build_run(source, tmp_path / "out")
    assert run.code == 0 and run.seconds < 20, (run.seconds, run.err)
    assert warnings_of(run) == []  # built, not skipped for taking too long
    assert run.out.startswith(f"Built {tmp_path / 'out' / 'kg.nq'}: 1 documents, "), run.out
    stem = name.split(".")[0]
    assert f"<https://w3id.org/kgkit/graph/doc/{stem}>" in (tmp_path / "out" / "kg.nq").read_text(encoding="utf-8")


WORDS = ["Graph", "Cloud", "Energy", "Carbon", "Native", "Scaling", "Green", "Open", "Data", "Systems"]


def talk_sentences(n: int) -> list[str]:
    """``n`` sentences, each naming an organization and a talk of its own (``n`` distinct sessions)."""
    def title(i: int) -> str:
        return " ".join(WORDS[(i // 10**k) % 10] for k in range(4)) + f" Number {i}"

    return [f'Red Hat gave a talk titled "{title(i)}" at KubeCon.' for i in range(n)]


def paragraphs(sentences: list[str]) -> str:
    return "\n\n".join(" ".join(sentences[i : i + 10]) for i in range(0, len(sentences), 10))


@pytest.mark.slow
def test_one_document_of_5000_sentences_costs_about_what_50_documents_of_100_do(tmp_path: Path) -> None:
    """Time linear in a document's length: one document of 5,000 sentences (and 5,000 talks) costs at
    most 3x the same text split into 50 documents (a ratio, measured side by side, so that it holds on
    a loaded machine; per-document work, such as detecting the language, is on the side of the 50). A
    cost quadratic in the length would make the one document 50x dearer."""
    sentences = talk_sentences(5_000)
    one = write_docs(tmp_path / "one", {"one.md": "# KubeCon EU 2024\n\n" + paragraphs(sentences) + "\n"})
    many = write_docs(tmp_path / "many", {
        f"part{k:03}.md": "# KubeCon EU 2024\n\n" + paragraphs(sentences[k * 100 : (k + 1) * 100]) + "\n"
        for k in range(50)
    })
    whole = build_run(one, tmp_path / "one-out", timeout=120)
    split = build_run(many, tmp_path / "many-out", timeout=120)
    for run, documents in ((whole, 1), (split, 50)):
        assert run.code == 0 and warnings_of(run) == [], run.err
        assert f": {documents} documents, " in run.out and "5000 Session" in run.out, run.out
    assert build_seconds(whole) <= 3 * build_seconds(split), (whole.out, split.out)


def test_a_document_over_its_time_limit_is_skipped_with_a_one_line_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit (30 s + 120 s/MB) made 1 s: a document that takes longer is stopped there and skipped;
    the others are built."""
    monkeypatch.setenv("KGKIT_SPACY_MODEL_EN", "none")
    monkeypatch.setattr(extracting, "SECONDS_PER_DOCUMENT", 1.0)
    monkeypatch.setattr(extracting, "SECONDS_PER_MB", 0.0)
    slow = "# KubeCon EU 2024\n\n" + paragraphs(talk_sentences(10_000)) + "\n"  # several seconds to extract
    source = write_docs(tmp_path / "docs", {"good.md": GOOD, "slow.md": slow})
    warnings: list[str] = []
    started = time.monotonic()
    result = build([source], tmp_path / "out", jobs=1, warn=warnings.append)
    assert time.monotonic() - started < 20
    assert result.documents == 1 and len(result.skipped) == 1, result.summary()
    (line,) = warnings
    assert "\n" not in line and "slow.md" in line and "took more than 1 s to read and extract" in line, line
    assert "/doc/good>" in (tmp_path / "out" / "kg.nq").read_text(encoding="utf-8")
