"""Build: determinism, one graph per document, evidence for every fact, extraction quality."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from paths import CORPUS, DATA, ROOT
from rdflib import RDF, Dataset, Literal, URIRef
from scorer import fresh_scorer

from kgkit.documents.read import read_document
from kgkit.errors import DocumentError
from kgkit.extraction.extract import extract
from kgkit.extraction.state import DocState
from kgkit.graph.build import BuildResult, build
from kgkit.graph.evidence import document_lines, document_quads
from kgkit.graph.extracting import DocOutcome, Setup, Task
from kgkit.graph.reference import reference_lines, reference_quads
from kgkit.rdf.ntriples import nquad
from kgkit.rdf.terms import KG, OA, REFERENCE_GRAPH, SCHEMA, VOCAB_GRAPH

CliRun = Callable[..., tuple[int, str, str]]


def load(path: Path) -> Dataset:
    ds = Dataset()
    ds.parse(path, format="nquads")
    return ds


@pytest.mark.slow
def test_build_is_byte_identical(built: BuildResult, tmp_path: Path) -> None:
    again = build([CORPUS], tmp_path)
    assert again.output.read_bytes() == built.output.read_bytes()
    assert built.documents == 5 and not built.skipped
    assert "5 documents" in built.summary()


@pytest.mark.slow
def test_one_named_graph_per_document(built: BuildResult) -> None:
    ds = load(built.output)
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    docs = {g for g in graphs if "/graph/doc/" in g}
    assert len(docs) == 5
    assert str(VOCAB_GRAPH) in graphs and str(REFERENCE_GRAPH) in graphs


@pytest.mark.slow
def test_every_fact_has_evidence_with_its_quote(built: BuildResult) -> None:
    ds = load(built.output)
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.iterdir()}
    for g in ds.graphs():
        if "/graph/doc/" not in str(g.identifier):
            continue
        statements = {st: (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
                      for st in g.subjects(KG.evidence)}
        evidence = set(g.subjects(RDF.type, KG.Evidence))
        selectors = set(g.subjects(RDF.type, OA.TextQuoteSelector)) | set(g.subjects(RDF.type, OA.TextPositionSelector))
        for s, p, o in g:
            if p == RDF.type or s in selectors or s in evidence or s in statements:
                continue
            assert (s, p, o) in statements.values(), (g.identifier, s, p, o)
        doc = next(g.subjects(RDF.type, KG.Document))
        text = texts[str(g.value(doc, KG.sourcePath))]
        for ev in evidence:
            assert g.value(ev, KG.sourceDocument) == doc
            [quote] = [g.value(sel, OA.exact) for sel in g.objects(ev, OA.hasSelector) if (sel, OA.exact, None) in g]
            [(start, end)] = [(g.value(sel, OA.start), g.value(sel, OA.end)) for sel in g.objects(ev, OA.hasSelector)
                              if (sel, OA.start, None) in g]
            assert isinstance(start, Literal) and isinstance(end, Literal), (ev, start, end)
            assert quote is not None and str(quote) == text[int(start):int(end)]


@pytest.mark.slow
def test_a_documents_graph_changes_only_when_it_does(built: BuildResult, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    edited = corpus / "004_a084e6bda0ac66ed.txt"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nIntuit talked about energy efficiency.\n", encoding="utf-8"
    )
    after = load(build([corpus], tmp_path / "out").output)
    before = load(built.output)
    for g in before.graphs():
        name = str(g.identifier)
        if "/graph/doc/" in name and not name.endswith("004-a084e6bda0ac66ed"):
            assert set(g) == set(after.graph(g.identifier)), name
    assert set(before.graph(URIRef(name_of(before, "004")))) != set(after.graph(URIRef(name_of(before, "004"))))


def name_of(ds: Dataset, prefix: str) -> str:
    return next(str(g.identifier) for g in ds.graphs() if f"/graph/doc/{prefix}" in str(g.identifier))


@pytest.mark.slow
def test_min_confidence_drops_facts(built: BuildResult, tmp_path: Path) -> None:
    strict = build([CORPUS], tmp_path, min_confidence=0.8)
    assert strict.triples < built.triples


@pytest.mark.slow
@pytest.mark.parametrize("min_confidence", [0.0, 0.75])
def test_the_fast_writer_gives_the_lines_of_the_quads(min_confidence: float) -> None:
    """document_lines writes N-Quads text directly (the build's hot path); it must say what
    document_quads says, evidence IRIs included."""
    for path in sorted(CORPUS.iterdir()) + sorted((DATA / "unseen3").glob("*.*")):
        doc = read_document(path, path.parent)
        doc.id = path.stem
        ex = extract(doc)
        assert document_lines(ex, min_confidence) == sorted({nquad(q) for q in document_quads(ex, min_confidence)})


@pytest.mark.parametrize("prefix", ["statement", "evidence"])
def test_the_fast_writer_sorts_a_fact_about_a_statement_or_evidence_node_too(prefix: str) -> None:
    """document_lines sorts the statement nodes as one block; a fact whose subject is in that block, or
    is an evidence node (curation may merge into any IRI), must not break the order."""
    from kgkit.extraction import Fact
    from kgkit.graph.evidence import STATEMENT, evidence_iri
    from kgkit.rdf.terms import SCHEMA

    path = CORPUS / "003_fa5dea81f7911e80.txt"
    doc = read_document(path, path.parent)
    doc.id = path.stem
    ex = extract(doc)
    odd = URIRef(f"{STATEMENT}0" if prefix == "statement" else f"{evidence_iri(doc.id)}0")
    ex.facts.append(Fact(odd, SCHEMA.name, Literal("odd"), ex.facts[0].span, "curation", 1.0))
    lines = document_lines(ex)
    assert lines == sorted({nquad(q) for q in document_quads(ex)})
    assert any(line.startswith(f"<{odd}>") for line in lines)


@pytest.mark.slow
def test_reference_lines_are_those_of_the_reference_quads() -> None:
    """The build writes each entity's reference lines once per process; they must be the quads'."""
    from kgkit.extraction.gazetteer import load_gazetteer

    subjects: set[URIRef] = set()
    for path in sorted(CORPUS.iterdir()):
        subjects |= {f.s for f in extract(read_document(path, path.parent)).facts}
    gazetteer = load_gazetteer()
    lines = reference_lines(subjects, gazetteer)
    assert len(lines) > 10
    assert lines == sorted({nquad(q) for q in reference_quads(subjects, gazetteer)})
    assert reference_lines(subjects, gazetteer) == lines  # made again from what the process kept


#: The corpus gold lists four web services as products among its projects (kind: product). Issue 16 calls
#: "web services (YouTube, Zoom) typed as software projects" a failure on real documents, so kgkit types
#: them kg:Service (a schema:Service): they are scored here as found services, not as projects.
GOLD_SERVICES = {"Slack", "Zoom", "GitHub", "YouTube"}


@pytest.mark.slow
def test_extraction_quality_on_the_corpus(built: BuildResult, tmp_path: Path) -> None:
    """The issue's targets: P >= 0.95 and R >= 0.90 per class; R >= 0.90 for the relations."""
    kgscore = fresh_scorer()
    golds = []
    for path in sorted((DATA / "gold").glob("0*.yaml")):
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        gold["projects"] = [p for p in gold.get("projects") or [] if p["name"] not in GOLD_SERVICES]
        golds.append(tmp_path / path.name)
        golds[-1].write_text(yaml.safe_dump(gold, allow_unicode=True), encoding="utf-8")
    result = kgscore.score(built.output, [ROOT / "ontology"], golds)
    for cat in ("organizations", "people", "projects", "events"):
        assert result[cat]["precision"] >= 0.95, (cat, result[cat])
        assert result[cat]["recall"] >= 0.90, (cat, result[cat])
    for rel in ("affiliation", "presented", "part_of", "times"):
        assert result[rel]["recall"] >= 0.90, (rel, result[rel])
    ds = load(built.output)
    services = {s for s, _, _, _ in ds.quads((None, RDF.type, KG.Service, None))}
    assert {str(n) for s in services for _, _, n, _ in ds.quads((s, SCHEMA.name, None, None))} >= GOLD_SERVICES


@pytest.mark.slow
@pytest.mark.parametrize("name", ["unseen", "unseen2", "unseen3"])
def test_extraction_quality_on_documents_written_for_the_tests(name: str, tmp_path: Path) -> None:
    """The issue's bar for unseen documents (P >= 0.85, R >= 0.80) on tests/data/unseen*: talk lists,
    recaps, press releases, forum posts, Spanish, French and HTML pages, with hand-written gold."""
    kgscore = fresh_scorer()
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


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_control_characters_stay_inside_their_line(tmp_path: Path) -> None:
    """N-Quads may hold them raw, but str.splitlines() and other line-based tools would split there."""
    title = "KubeCon\x0b\x1c\x85\u2028 notes\x7f"
    (tmp_path / "odd.txt").write_text(f"{title}\n\nShopify spoke about sustainability.\n", encoding="utf-8")
    result = build([tmp_path / "odd.txt"], tmp_path / "out")
    text = result.output.read_text(encoding="utf-8")
    assert len(text.splitlines()) == result.triples
    assert '"KubeCon\\u000B\\u001C\\u0085\\u2028 notes\\u007F"' in text
    objects = {o for _, _, o, _ in load(result.output).quads((None, None, None, None))}
    assert {Literal(title, lang="en"), Literal(title)} & objects


def test_summary_counts_warnings_and_skipped_documents(tmp_path: Path) -> None:
    bad = DATA / "bad"
    result = build([bad / "odd-types.md", bad / "empty.md", bad / "good.md"], tmp_path)
    assert result.documents == 2 and len(result.skipped) == 1 and len(result.warnings) == 5
    assert result.summary().startswith(f"Built {result.output}: 2 documents (5 warnings), 1 skipped, ")


def test_a_document_the_extractor_fails_on_is_skipped_not_fatal(tmp_path: Path) -> None:
    from kgkit.extraction import REGISTRY, component

    @component("explode-on-same-name", requires=["sentences"])
    def explode(st: DocState) -> None:
        if st.doc.name == "same-name.md":
            raise IndexError("string index out of range\nmore detail")

    bad = DATA / "bad"
    warned: list[str] = []
    try:
        spec = "default,+explode-on-same-name"
        result = build([bad / "good.md", bad / "same-name.md"], tmp_path, warn=warned.append, pipeline=spec)
        assert result.documents == 1 and len(result.skipped) == 1
        assert warned == [
            f"skipped {bad / 'same-name.md'}: could not extract its facts "
            "(kgkit bug, please report it: IndexError: string index out of range)"
        ]
        with pytest.raises(DocumentError, match="could not extract its facts"):
            build([bad / "good.md", bad / "same-name.md"], tmp_path / "strict", strict=True, pipeline=spec)
    finally:
        REGISTRY.pop("explode-on-same-name", None)


def _many_documents(tmp_path: Path) -> Path:
    """The corpus and the documents written for the tests, in one folder (more than the 8 that
    make a build go parallel)."""
    docs = tmp_path / "docs"
    shutil.copytree(CORPUS, docs)
    for folder in ("docs", "unseen", "unseen2", "unseen3"):
        shutil.copytree(DATA / folder, docs / folder)
    return docs


@pytest.mark.slow
def test_a_strict_build_that_fails_leaves_the_last_kg_nq(tmp_path: Path) -> None:
    """kg.nq is written while documents are extracted; a build that then fails (strict, a bad
    document found) must still leave the previous file as it was, and no temporary file."""
    docs = _many_documents(tmp_path)
    out = tmp_path / "out"
    made = build([docs], out, jobs=2).output.read_bytes()
    (docs / "zz-broken.md").write_text("---\ntitle: [oops\n---\nBody\n", encoding="utf-8")
    (docs / "004_a084e6bda0ac66ed.txt").write_text("Intuit talked about energy efficiency.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"zz-broken\.md"):
        build([docs], out, jobs=2, strict=True)
    assert (out / "kg.nq").read_bytes() == made
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.slow
def test_parallel_and_sequential_builds_write_the_same_bytes(tmp_path: Path) -> None:
    docs = _many_documents(tmp_path)
    one = build([docs], tmp_path / "one", jobs=1).output.read_bytes()
    two = build([docs], tmp_path / "two", jobs=2).output.read_bytes()
    assert one == two


@pytest.mark.slow
def test_a_rebuild_extracts_only_the_documents_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_module = sys.modules["kgkit.graph.build"]  # (kgkit.build is also the function of that name)

    docs = _many_documents(tmp_path)
    out = tmp_path / "out"
    first = build([docs], out, jobs=1)
    extracted: list[str] = []
    real: Callable[[tuple[Task, Path, Setup]], DocOutcome] = build_module._extract_one

    def counted(args: tuple[Task, Path, Setup]) -> DocOutcome:
        extracted.append(args[0].id)
        return real(args)

    monkeypatch.setattr(build_module, "_extract_one", counted)
    again = build([docs], out, jobs=1)
    assert extracted == [] and again.output.read_bytes() == first.output.read_bytes()
    assert again.entities == first.entities and again.triples == first.triples
    edited = docs / "004_a084e6bda0ac66ed.txt"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nIntuit talked about energy efficiency.\n", encoding="utf-8"
    )
    build([docs], out, jobs=1)
    assert extracted == ["004-a084e6bda0ac66ed"]


@pytest.mark.slow
def test_a_rebuild_of_unchanged_documents_leaves_kg_nq_alone(tmp_path: Path) -> None:
    """Nothing changed: kg.nq is not written again (same inode and time); a kg.nq edited or removed
    since is written again, byte for byte what the documents give."""
    out = tmp_path / "out"
    first = build([CORPUS], out)
    made = first.output.read_bytes()
    before = first.output.stat()
    again = build([CORPUS], out)
    after = again.output.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert again.triples == first.triples and again.entities == first.entities
    first.output.write_bytes(made[:-100])
    assert build([CORPUS], out).output.read_bytes() == made
    first.output.unlink()
    assert build([CORPUS], out).output.read_bytes() == made
    assert build([CORPUS], out, min_confidence=0.9).output.read_bytes() != made


@pytest.mark.slow
def test_a_changed_curation_file_re_extracts_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cur = tmp_path / "curation.yaml"
    cur.write_text("reject: []\n", encoding="utf-8")
    before = build([CORPUS], out, curation=cur).output.read_text(encoding="utf-8")
    cur.write_text('reject: ["Goldman Sachs"]\n', encoding="utf-8")
    after = build([CORPUS], out, curation=cur).output.read_text(encoding="utf-8")
    assert "goldman-sachs" in before and "goldman-sachs" not in after


@pytest.mark.slow
def test_cli_build_verbose_tells_what_came_from_the_cache(tmp_path: Path) -> None:
    first = kgkit("build", str(CORPUS), "-o", str(tmp_path), "-v")
    again = kgkit("build", str(CORPUS), "-o", str(tmp_path), "-v")
    assert first.returncode == again.returncode == 0
    assert "5 documents extracted, 0 from" in first.stdout
    assert "0 documents extracted, 5 from" in again.stdout


# --- names and links as the issue tracker asked for them (issue 17, items 15 and 16) ---------------


def _ask(run_cli: CliRun, source: Path, sparql: str) -> str:
    code, out, err = run_cli("query", "--sparql", sparql, "-i", str(source), "--format", "csv")
    assert code == 0, err
    return out.splitlines()[1]


def test_names_of_people_and_organizations_are_plain_literals(run_cli: CliRun, built_dir: Path) -> None:
    """Names are in no language: `schema:name "Kai Walter"` matches, as for organizations; titles,
    descriptions and quotes keep the document's language tag."""
    assert _ask(run_cli, built_dir, 'ASK { ?p a kg:Person ; schema:name "Kai Walter" }') == "true"
    assert _ask(run_cli, built_dir, 'ASK { ?o a kg:Organization ; schema:name "Deutsche Bahn" }') == "true"
    tagged = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?x a ?class ; schema:name|schema:alternateName ?name "
        "VALUES ?class { kg:Person kg:Organization } FILTER(LANG(?name) != '') }"
    )
    assert _ask(run_cli, built_dir, tagged) == "0"
    titles = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Session ; schema:name ?t FILTER(LANG(?t) = 'en') }"
    assert int(_ask(run_cli, built_dir, titles)) > 10
    _, out, _ = run_cli("export", "-i", str(built_dir), "--frame", "conference")
    people = [node for node in _nodes(json.loads(out)) if node.get("type") in ("Person", "Organization")]
    assert people and all(isinstance(node["name"], str) for node in people if "name" in node)


def _nodes(value: object) -> list[dict[str, object]]:
    if isinstance(value, dict):
        return [value, *(n for v in value.values() for n in _nodes(v))]
    if isinstance(value, list):
        return [n for v in value for n in _nodes(v)]
    return []


def test_a_project_links_its_repository_page_without_asserting_identity(run_cli: CliRun, built_dir: Path) -> None:
    assert _ask(run_cli, built_dir, "ASK { ?x owl:sameAs ?y }") == "false"
    linked = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Project ; schema:sameAs ?page ; schema:codeRepository ?repo "
        "FILTER(STRSTARTS(STR(?page), 'https://github.com/')) }"
    )
    assert int(_ask(run_cli, built_dir, linked)) > 5


def test_cli_candidates_file_and_a_quiet_no_op_rebuild(run_cli: CliRun, tmp_path: Path) -> None:
    """`--candidates FILE` writes every pattern-found entity as CSV, each named as the curation file
    takes it; a rebuild that extracted nothing prints the summary only (issue 17, item 12)."""
    out, first = tmp_path / "out", tmp_path / "candidates.csv"
    code, stdout, err = run_cli("build", str(CORPUS), "-o", str(out), "--candidates", str(first))
    assert code == 0, err
    listed = [line.split() for line in stdout.splitlines()[2:]]
    assert stdout.splitlines()[1].endswith("found by patterns (not in the gazetteer; check or curate them):")
    rows = list(csv.DictReader(io.StringIO(first.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["entity", "kind", "documents"]
    assert {"entity": "Pachama", "kind": "org", "documents": "000_dc9f1b824b07a64f.txt"} in rows
    assert len(rows) >= len(listed) and all(r["documents"] for r in rows)
    assert f"kgkit: wrote the {len(rows)} candidates to {first}" in err
    again = tmp_path / "again.csv"
    code, stdout, _ = run_cli("build", str(CORPUS), "-o", str(out), "--candidates", str(again))
    assert code == 0 and len(stdout.splitlines()) == 1 and stdout.startswith("Built ")  # nothing new to tell
    assert again.read_bytes() == first.read_bytes()  # the cached documents' candidates too
    # the file's names are the curation file's: accepting one by its entity makes it curated
    curation = tmp_path / "curation.yaml"
    curation.write_text('accept: ["Pachama"]\n', encoding="utf-8")
    code, _, err = run_cli("build", str(CORPUS), "-o", str(tmp_path / "curated"), "--curation", str(curation), "-q")
    assert code == 0, err
    curated = ('ASK { ?e schema:name "Pachama" . ?st rdf:subject ?e ; rdf:predicate schema:name ; '
               "kg:evidence/kg:extractionMethod kg:method-curation }")
    assert _ask(run_cli, tmp_path / "curated", curated) == "true" and _ask(run_cli, out, curated) == "false"
