"""Extraction: one document in, facts with evidence out.

>>> from kgkit.documents import read_document
>>> ex = extract(read_document("data/corpus/000_dc9f1b824b07a64f.txt"))
>>> len(ex.facts) > 100
True

The work is done by the components of a :class:`~kgkit.extraction.pipeline.Pipeline`; every fact
carries the character span of the sentence it came from, the method and a confidence, and
:mod:`kgkit.graph.evidence` turns facts into triples and evidence nodes.
"""

from __future__ import annotations

import functools

from kgkit.documents import Document
from kgkit.extraction.gazetteer import Gazetteer
from kgkit.extraction.pipeline import Pipeline
from kgkit.extraction.state import Extraction


@functools.cache
def default_pipeline() -> Pipeline:
    """The default pipeline without a curation file, made once per process."""
    return Pipeline()


def extract(doc: Document, gazetteer: Gazetteer | None = None, *, pipeline: Pipeline | None = None) -> Extraction:
    """Extract every fact one document states, with evidence spans (``pipeline``: the default one)."""
    chosen = pipeline or default_pipeline()
    if gazetteer is not None and gazetteer is not chosen.gazetteer:
        chosen = Pipeline(chosen.names)
        chosen.gazetteer = gazetteer
    return chosen(doc)
