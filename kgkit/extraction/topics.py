"""Topics: the SKOS topic scheme (``data/topics.yaml``) and the topics a text speaks of."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml
from rdflib import URIRef

from kgkit.extraction.component import component
from kgkit.extraction.gazetteer import DATA_DIR, lower_keeping_length
from kgkit.extraction.patterns import (
    CONF_PATTERN,
    _first_line,
)
from kgkit.extraction.state import DocState
from kgkit.rdf.terms import ID, KG


@lru_cache(maxsize=2)
def load_topics(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The topic scheme from ``data/topics.yaml``."""
    with (data_dir / "topics.yaml").open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@lru_cache(maxsize=2)
def _topic_automaton(data_dir: Path = DATA_DIR) -> ahocorasick.Automaton:
    """One Aho-Corasick automaton over every trigger (lower-cased), for one pass per text."""
    triggers: dict[str, list[tuple[str, str]]] = {}
    for topic in load_topics(data_dir)["topics"]:
        for trig in map(str, topic.get("triggers", [])):
            triggers.setdefault(trig.lower(), []).append((trig, topic["id"]))
    automaton = ahocorasick.Automaton()
    for low, entries in triggers.items():
        automaton.add_word(low, (low, entries))
    automaton.make_automaton()
    return automaton


def topics_in(text: str) -> set[str]:
    """Topic ids whose triggers occur in ``text``: whole words; a trigger with a capital letter must
    match its case exactly ("AI", "Rust"), an all-lower-case one matches in any case; Chinese
    triggers match anywhere.

    >>> sorted(topics_in("Measuring Application Energy Consumption with Kepler"))
    ['energy-efficiency']
    """
    low = lower_keeping_length(text)
    found: set[str] = set()
    for last, (trigger_low, entries) in _topic_automaton().iter(low):
        start, end = last - len(trigger_low) + 1, last + 1
        cjk = re.match(r"[\u3400-\u9fff]", trigger_low) is not None
        if not cjk and (_word_char(text, start - 1) or _word_char(text, end)):
            continue
        for trig, topic in entries:
            if cjk or trig.islower() or text[start:end] == trig:
                found.add(topic)
    return found


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] in "_-")


def topic_iri(topic_id: str) -> URIRef:
    return ID[f"topic/{topic_id}"]


# -------------------------------------------------------------- topics
@component('topics', requires=['sentences', 'sessions'], provides=['facts'])
def topic_facts(st: DocState) -> None:
    """Topics of the document and of each session, from the SKOS scheme's trigger terms."""
    doc = st.out.document_iri
    counts: dict[str, int] = {}
    for s in st.sentences:
        for t in topics_in(st.doc.masked[s.start : s.end]):
            counts[t] = counts.get(t, 0) + 1
    title_topics = topics_in(" ".join(x for x in (st.doc.title, st.doc.description) if x))
    whole = st.doc.title_span or _first_line(st.doc)
    heading_topics = set().union(*(sec.topics for sec in st.sections()))
    needed = 1 if len(st.sentences) < 10 else 2
    for t in sorted(set(counts) | title_topics):
        if t in title_topics or t in heading_topics or counts.get(t, 0) >= needed:
            st.add(doc, KG.topic, topic_iri(t), whole, "pattern", CONF_PATTERN)
    for iri, sent, title_topics_ in st.sessions:
        topics = set(title_topics_)
        if sent and sent.section:
            topics |= sent.section.topics
        span = (sent.start, sent.end) if sent else whole
        for t in sorted(topics):
            st.add(iri, KG.topic, topic_iri(t), span, "pattern", CONF_PATTERN)
