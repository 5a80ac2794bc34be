"""Build: documents in, ``kg.nq`` out — one named graph per document, evidence for every fact.

>>> result = build(["data/corpus"], out_dir="build")   # doctest: +SKIP
>>> result.documents, result.output                    # doctest: +SKIP
(5, PosixPath('build/kg.nq'))
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import OWL, PROV, RDF, SKOS, XSD, Literal, URIRef
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from kgkit.curation import load_curation
from kgkit.documents import find_documents, read_document
from kgkit.errors import DocumentError, InputError
from kgkit.extract import Extraction, Fact, extract, load_topics, topic_iri
from kgkit.gazetteer import DATA_DIR, load_gazetteer
from kgkit.rdfio import KG_FILE, atomic_write
from kgkit.terms import (
    ID,
    KG,
    METHOD_SCHEME,
    METHODS,
    OA,
    REFERENCE_GRAPH,
    SCHEMA,
    SESSION_KIND_SCHEME,
    SESSION_KINDS,
    TOPIC_SCHEME,
    VOCAB_GRAPH,
    document_graph,
    method,
    session_kind,
)

DEFAULT_CORPUS = DATA_DIR / "corpus"
DEFAULT_CURATION = DATA_DIR / "curation.yaml"
# the landscape snapshot shipped in data/reference (see data/reference/SOURCES.md)
LANDSCAPE_SOURCE = URIRef(
    "https://github.com/cncf/landscape/blob/153d699bddf74038d21775b14d09052f62021441/landscape.yml"
)
Quad = tuple[Node, Node, Node, URIRef]


@dataclass
class BuildResult:
    """What a build did: counts for the summary line, and the warnings for skipped documents."""

    output: Path
    documents: int
    triples: int
    entities: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    candidates: list[tuple[str, str, str]] = field(default_factory=list)  # (document, kind, name)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line: documents, triples, entities by class, time."""
        ents = ", ".join(f"{n} {cls}" for cls, n in sorted(self.entities.items()))
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"Built {self.output}: {self.documents} documents{skipped}, {self.triples} triples "
            f"({ents}) in {self.seconds:.2f} s"
        )


def build(
    paths: Sequence[str | Path] = (),
    out_dir: str | Path = "build",
    *,
    strict: bool = False,
    min_confidence: float = 0.0,
    curation: str | Path | None = DEFAULT_CURATION,
    warn: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the knowledge graph of the documents under ``paths`` (default: the bundled corpus).

    Writes ``out_dir/kg.nq`` atomically; identical input gives a byte-identical file. A document that
    cannot be read is skipped with a warning (``strict=True``: raises DocumentError instead).
    The ``curation`` file (default ``data/curation.yaml``) is applied to every document.

    >>> build(["data/corpus"], "build").summary()   # doctest: +SKIP
    'Built build/kg.nq: 5 documents, ...'
    """
    started = time.perf_counter()
    files = find_documents(paths or [DEFAULT_CORPUS])
    if not files:
        raise InputError(
            "no documents found (looked for .md, .markdown, .txt, .html files)",
            path=str(paths[0]) if paths else DEFAULT_CORPUS,
        )
    gazetteer = load_gazetteer()
    curate = load_curation(
        curation if curation is None or Path(curation).exists() or curation != DEFAULT_CURATION else None
    )
    extractions: list[Extraction] = []
    skipped: list[str] = []
    seen_ids: dict[str, Path] = {}
    for file, root in files:
        try:
            doc = read_document(file, root)
        except DocumentError as err:
            if strict:
                raise
            skipped.append(str(err))
            if warn:
                warn(f"skipped {err}")
            continue
        if doc.id in seen_ids:  # same relative name under two roots: keep both, distinctly
            doc.id = f"{doc.id}-{hashlib.sha1(str(file).encode()).hexdigest()[:8]}"
        seen_ids[doc.id] = file
        ex = extract(doc, gazetteer)
        curate.apply(ex)
        extractions.append(ex)
    quads = sorted(set(_all_quads(extractions, min_confidence)), key=_sort_key)
    lines = [_nq_row(q[:3], q[3]) for q in quads]
    lines = sorted(set(lines))
    output = Path(out_dir) / KG_FILE
    with atomic_write(output) as fh:
        fh.writelines(lines)
    entities: Counter[str] = Counter()
    typed = {(s, o) for s, p, o, _ in quads if p == RDF.type and str(o).startswith(str(KG))}
    for _, o in typed:
        entities[str(o).rsplit("#", 1)[1]] += 1
    for cls in ("Evidence", "Topic", "SessionKind", "ExtractionMethod"):
        entities.pop(cls, None)
    candidates = sorted({(e.doc.name, kind, name) for e in extractions for kind, name, _ in e.candidates})
    return BuildResult(
        output=output,
        documents=len(extractions),
        triples=len(lines),
        entities=entities,
        skipped=skipped,
        candidates=candidates,
        seconds=time.perf_counter() - started,
    )


def _sort_key(q: Quad) -> tuple[str, str, str, str]:
    return (str(q[3]), str(q[0]), str(q[1]), str(q[2]))


def _all_quads(extractions: Iterable[Extraction], min_confidence: float) -> Iterator[Quad]:
    mentioned: set[URIRef] = set()
    for ex in extractions:
        for quad in document_quads(ex, min_confidence):
            mentioned.add(quad[0])  # type: ignore[arg-type]
            yield quad
    yield from vocabulary_quads()
    yield from concept_quads()
    yield from reference_quads(mentioned)


def document_quads(ex: Extraction, min_confidence: float = 0.0) -> Iterator[Quad]:
    """The quads of one document's named graph: its facts and an evidence node for each."""
    g = document_graph(ex.doc.id)
    doc_id = ex.doc.id
    seen: set[tuple[Node, Node, Node, tuple[int, int]]] = set()
    for f in ex.facts:
        if f.confidence < min_confidence:
            continue
        yield (f.s, f.p, f.o, g)
        if f.p == RDF.type or (f.s, f.p, f.o, f.span) in seen:
            continue
        seen.add((f.s, f.p, f.o, f.span))
        yield from _evidence(f, doc_id, ex.document_iri, ex.doc.text, g)


def _evidence(f: Fact, doc_id: str, document: URIRef, text: str, g: URIRef) -> Iterator[Quad]:
    start, end = f.span
    digest = hashlib.sha1(f"{f.s}|{f.p}|{f.o.n3()}|{start}|{end}".encode()).hexdigest()[:16]
    ev = ID[f"evidence/{doc_id}/{digest}"]
    quote_sel = ID[f"selector/{doc_id}/q{start}-{end}"]
    pos_sel = ID[f"selector/{doc_id}/p{start}-{end}"]
    yield (ev, RDF.type, KG.Evidence, g)
    yield (ev, RDF.subject, f.s, g)
    yield (ev, RDF.predicate, f.p, g)
    yield (ev, RDF.object, f.o, g)
    yield (ev, KG.sourceDocument, document, g)
    yield (ev, KG.extractionMethod, method(f.method), g)
    yield (ev, KG.confidence, Literal(Decimal(str(f.confidence)), datatype=XSD.decimal), g)
    yield (ev, OA.hasSelector, quote_sel, g)
    yield (ev, OA.hasSelector, pos_sel, g)
    yield (quote_sel, RDF.type, OA.TextQuoteSelector, g)
    yield (quote_sel, OA.exact, Literal(text[start:end]), g)
    yield (pos_sel, RDF.type, OA.TextPositionSelector, g)
    yield (pos_sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger), g)
    yield (pos_sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger), g)


def vocabulary_quads() -> Iterator[Quad]:
    """The SKOS topic scheme (data/topics.yaml) in the vocabulary graph."""
    g = VOCAB_GRAPH
    data = load_topics()
    scheme = data["scheme"]
    yield (TOPIC_SCHEME, RDF.type, SKOS.ConceptScheme, g)
    for lang, label in scheme["label"].items():
        yield (TOPIC_SCHEME, SKOS.prefLabel, Literal(label, lang=lang), g)
    for topic in data["topics"]:
        t = topic_iri(topic["id"])
        yield (t, RDF.type, KG.Topic, g)
        yield (t, RDF.type, SKOS.Concept, g)
        yield (t, SKOS.inScheme, TOPIC_SCHEME, g)
        for lang, label in topic["label"].items():
            yield (t, SKOS.prefLabel, Literal(label, lang=lang), g)
        for trig in topic.get("triggers", []):
            if str(trig).lower() != str(topic["label"].get("en", "")).lower():
                lang = "zh" if any("\u3400" <= c <= "\u9fff" for c in str(trig)) else "en"
                yield (t, SKOS.altLabel, Literal(str(trig), lang=lang), g)
        if topic.get("broader"):
            yield (t, SKOS.broader, topic_iri(topic["broader"]), g)
        else:
            yield (TOPIC_SCHEME, SKOS.hasTopConcept, t, g)


def concept_quads() -> Iterator[Quad]:
    """The session-kind and extraction-method concepts, so the graph stands alone (no ontology import)."""
    g = VOCAB_GRAPH
    for scheme, cls, names, iri_of in (
        (SESSION_KIND_SCHEME, KG.SessionKind, SESSION_KINDS, session_kind),
        (METHOD_SCHEME, KG.ExtractionMethod, METHODS, method),
    ):
        yield (scheme, RDF.type, SKOS.ConceptScheme, g)
        for name in names:
            c = iri_of(name)
            yield (c, RDF.type, cls, g)
            yield (c, RDF.type, SKOS.Concept, g)
            yield (c, SKOS.inScheme, scheme, g)
            yield (c, SKOS.prefLabel, Literal(name.replace("-", " "), lang="en"), g)


def reference_quads(mentioned: set[URIRef]) -> Iterator[Quad]:
    """Landscape and curated facts (homepage, repository, maturity) about the entities documents mention."""
    g = REFERENCE_GRAPH
    gz = load_gazetteer()
    for entry in gz.entries.values():
        iri = ID[f"{entry.kind}/{entry.key.split(':', 1)[1]}"]
        if iri not in mentioned:
            continue
        if entry.url and entry.url.startswith("http"):
            yield (iri, SCHEMA.url, URIRef(entry.url.strip()), g)
        if entry.repo and entry.repo.startswith("http"):
            yield (iri, SCHEMA.codeRepository, URIRef(entry.repo.strip()), g)
            if entry.repo.startswith("https://github.com/"):
                yield (iri, OWL.sameAs, URIRef(entry.repo.strip().rstrip("/")), g)
        if entry.maturity:
            yield (iri, KG.cncfMaturity, Literal(entry.maturity), g)
    yield (g, PROV.wasDerivedFrom, LANDSCAPE_SOURCE, g)
