"""The document itself: its title, language, path, hash, date and authors."""

from __future__ import annotations

import re

from rdflib import RDF, XSD

from kgkit.extraction.component import component
from kgkit.extraction.patterns import (
    CONF_PATTERN,
    CONF_STRUCTURE,
    _first_line,
    is_person_name,
    literal,
)
from kgkit.extraction.state import DocState
from kgkit.rdf.terms import KG, SCHEMA


@component('document', requires=[], provides=['facts'])
def document_facts(st: DocState) -> None:
    """The document node: title, language, source path, content hash, date, authors."""
    d, doc = st.doc, st.out.document_iri
    fm = "front-matter"
    whole = d.title_span or _first_line(d)
    st.add(doc, RDF.type, KG.Document, whole, "structure", 1.0)
    st.named.add(doc)
    if d.title:
        span = d.title_span or whole
        st.add(
            doc,
            SCHEMA.name,
            st.text_literal(d.title),
            span,
            fm if d.meta.get("title") else "structure",
            CONF_STRUCTURE,
        )
    st.add(doc, KG.inLanguage, literal(d.language), whole, "structure", CONF_STRUCTURE)
    st.add(doc, KG.sourcePath, literal(d.name), whole, "structure", 1.0)
    st.add(doc, KG.contentHash, literal(d.content_hash), whole, "structure", 1.0)
    if d.date:
        line = next((d.meta_lines[k] for k in ("date", "publishdate", "publishDate") if k in d.meta_lines), None)
        span = d.line_span(line) if line else whole
        st.add(
            doc,
            KG.datePublished,
            literal(d.date, datatype=XSD.date),
            span,
            fm if line else "structure",
            CONF_STRUCTURE,
        )
    for name, author_span, role in d.authors:
        if not (
            is_person_name(name) or re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[\u3040-\u30ff\u4e00-\u9fff]{2,8}", name)
        ):
            continue  # "Northwind Labs Communications", "the program committee": not a person
        where = author_span or whole
        person = st.entity("person", name, where, fm, CONF_STRUCTURE)
        st.add(doc, KG.author, person, where, fm, CONF_STRUCTURE)
        if role:
            st.add(person, SCHEMA.jobTitle, st.text_literal(role), where, "structure", CONF_PATTERN)
