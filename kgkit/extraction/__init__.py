"""Extraction: documents to facts, by a pipeline of small named components over one state.

>>> from kgkit.documents import read_document
>>> ex = extract(read_document("data/corpus/003_fa5dea81f7911e80.txt"))
>>> ex.facts[0].method
'structure'
"""

from kgkit.extraction.component import REGISTRY, Component, component
from kgkit.extraction.extract import default_pipeline, extract
from kgkit.extraction.pipeline import DEFAULT_PIPELINE, Pipeline, parse_spec
from kgkit.extraction.state import DocState, Extraction, Fact
from kgkit.extraction.topics import load_topics, topic_iri, topics_in

__all__ = [
    "DEFAULT_PIPELINE",
    "REGISTRY",
    "Component",
    "DocState",
    "Extraction",
    "Fact",
    "Pipeline",
    "component",
    "default_pipeline",
    "extract",
    "load_topics",
    "parse_spec",
    "topic_iri",
    "topics_in",
]
