"""Build: determinism, one graph per document, evidence for every fact, extraction quality."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, ROOT
from rdflib import RDF, Dataset, URIRef

from kgkit.build import BuildResult, build
from kgkit.terms import KG, OA, REFERENCE_GRAPH, VOCAB_GRAPH


def load(path: Path) -> Dataset:
    ds = Dataset()
    ds.parse(path, format="nquads")
    return ds


def test_build_is_byte_identical(built: BuildResult, tmp_path: Path) -> None:
    again = build([CORPUS], tmp_path)
    assert again.output.read_bytes() == built.output.read_bytes()
    assert built.documents == 5 and not built.skipped
    assert "5 documents" in built.summary()


def test_one_named_graph_per_document(built: BuildResult) -> None:
    ds = load(built.output)
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    docs = {g for g in graphs if "/graph/doc/" in g}
    assert len(docs) == 5
    assert str(VOCAB_GRAPH) in graphs and str(REFERENCE_GRAPH) in graphs


def test_every_fact_has_evidence_with_its_quote(built: BuildResult) -> None:
    ds = load(built.output)
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.iterdir()}
    for g in ds.graphs():
        if "/graph/doc/" not in str(g.identifier):
            continue
        evidence = {(g.value(e, RDF.subject), g.value(e, RDF.predicate), g.value(e, RDF.object))
                    for e in g.subjects(RDF.type, KG.Evidence)}
        selectors = set(g.subjects(RDF.type, OA.TextQuoteSelector)) | set(g.subjects(RDF.type, OA.TextPositionSelector))
        for s, p, o in g:
            if p == RDF.type or s in selectors or (s, RDF.type, KG.Evidence) in g:
                continue
            assert (s, p, o) in evidence, (g.identifier, s, p, o)
        doc = next(g.subjects(RDF.type, KG.Document))
        text = texts[str(g.value(doc, KG.sourcePath))]
        for sel in g.subjects(RDF.type, OA.TextPositionSelector):
            start, end = int(g.value(sel, OA.start)), int(g.value(sel, OA.end))
            quote = g.value(URIRef(str(sel).replace("/p", "/q", 1).replace(f"/p{start}", f"/q{start}")), OA.exact)
            assert quote is not None and str(quote) == text[start:end]


def test_a_documents_graph_changes_only_when_it_does(built: BuildResult, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    edited = corpus / "004_a084e6bda0ac66ed.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nIntuit talked about energy efficiency.\n",
                      encoding="utf-8")
    after = load(build([corpus], tmp_path / "out").output)
    before = load(built.output)
    for g in before.graphs():
        name = str(g.identifier)
        if "/graph/doc/" in name and not name.endswith("004-a084e6bda0ac66ed"):
            assert set(g) == set(after.graph(g.identifier)), name
    assert set(before.graph(URIRef(name_of(before, "004")))) != set(after.graph(URIRef(name_of(before, "004"))))


def name_of(ds: Dataset, prefix: str) -> str:
    return next(str(g.identifier) for g in ds.graphs() if f"/graph/doc/{prefix}" in str(g.identifier))


def test_min_confidence_drops_facts(built: BuildResult, tmp_path: Path) -> None:
    strict = build([CORPUS], tmp_path, min_confidence=0.8)
    assert strict.triples < built.triples


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kgscore", ROOT / "kgkit" / "kgscore.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_extraction_quality_on_the_corpus(built: BuildResult) -> None:
    """The issue's targets: P >= 0.95 and R >= 0.90 per class; R >= 0.90 for the relations."""
    kgscore = _scorer()
    golds = sorted(p for p in (DATA / "gold").glob("0*.yaml"))
    result = kgscore.score(built.output, [ROOT / "ontology"], golds)
    for cat in ("organizations", "people", "projects", "events"):
        assert result[cat]["precision"] >= 0.95, (cat, result[cat])
        assert result[cat]["recall"] >= 0.90, (cat, result[cat])
    for rel in ("affiliation", "presented", "part_of", "times"):
        assert result[rel]["recall"] >= 0.90, (rel, result[rel])


@pytest.mark.parametrize("name", ["unseen", "unseen2", "unseen3"])
def test_extraction_quality_on_documents_written_for_the_tests(name: str, tmp_path: Path) -> None:
    """The issue's bar for unseen documents (P >= 0.85, R >= 0.80) on tests/data/unseen*: talk lists,
    recaps, press releases, forum posts, Spanish, French and HTML pages, with hand-written gold."""
    kgscore = _scorer()
    out = build([DATA / name], tmp_path)
    golds = sorted((DATA / f"{name}-gold").glob("*.yaml"))
    result = kgscore.score(out.output, [ROOT / "ontology"], golds)
    for cat in ("organizations", "people", "projects", "events"):
        assert result[cat]["precision"] >= 0.85, (cat, result[cat])
        assert result[cat]["recall"] >= 0.80, (cat, result[cat])
    for rel in ("affiliation", "presented", "part_of", "times"):
        assert result[rel]["recall"] >= 0.80, (rel, result[rel])


def kgkit(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "kgkit"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_build(tmp_path: Path) -> None:
    proc = kgkit("build", str(CORPUS), "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Built {tmp_path / 'kg.nq'}: 5 documents")
    assert (tmp_path / "kg.nq").stat().st_size > 0


def test_cli_build_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    proc = kgkit("build", str(tmp_path / "nope"), "-o", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "nope" in proc.stderr


@pytest.mark.parametrize("strict", [False, True])
def test_cli_build_bad_document(tmp_path: Path, strict: bool) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / "003_fa5dea81f7911e80.txt", docs / "good.md")
    (docs / "broken.md").write_text("---\ntitle: [oops\n---\nBody\n", encoding="utf-8")
    proc = kgkit("build", str(docs), "-o", str(tmp_path / "out"), *(["--strict"] if strict else []))
    assert "Traceback" not in proc.stderr
    assert "broken.md" in proc.stderr
    if strict:
        assert proc.returncode == 2 and not (tmp_path / "out" / "kg.nq").exists()
    else:
        assert proc.returncode == 0 and "1 documents, 1 skipped" in proc.stdout
