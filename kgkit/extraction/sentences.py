"""Structure and sentences: the document's blocks (headings, paragraphs, list items, table rows) from
real parsers, then the sentences of each block, by the language's statistical model where kgkit has
one (spaCy; its named entities are kept for the components that type mentions), by rule elsewhere.

A paragraph whose lines are a list without bullets (one talk a line) is read line by line; a
hard-wrapped paragraph across its line ends. A table row is read cell by cell, a heading whole.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator

from kgkit.documents.structure import Block, parse_blocks
from kgkit.extraction.component import component
from kgkit.extraction.models import load_model, model_package
from kgkit.extraction.patterns import _unmask_meta
from kgkit.extraction.state import DocState, Section, Sentence
from kgkit.extraction.topics import topics_in

_SENT_END = re.compile(r"(?<=[.!?。！？])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9\u4e00-\u9fff@])|(?<=[。！？])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|vs|etc|Dr|Mr|Mrs|Ms|St|No|Inc|Ltd|Co|approx|ex)\.$|\b[A-Z]\.$")
#: the labels of the model's entities that components read
ENTITY_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "EVENT", "GPE", "FAC", "NORP", "WORK_OF_ART", "DATE", "TIME"})


@component("structure", provides=["blocks"])
def structure(st: DocState) -> None:
    """The document's blocks: Markdown by a CommonMark parser, raw HTML in it by an HTML tokenizer."""
    st.blocks = parse_blocks(st.doc)


@component("sentences", requires=["blocks"], provides=["sentences", "search", "entities"], version="3")
def sentences(st: DocState) -> None:
    """Sentences of every block (the model's where there is one for the language), and its entities."""
    units = list(_units(st))
    package = model_package(st.doc.language)
    if package is None:
        for paragraph, section, a, b in units:
            st.sentences.extend(Sentence(x, y, paragraph, section) for x, y in _split(st.doc.masked, a, b))
    else:
        nlp = load_model(package)
        prose = []
        for unit in units:
            if _is_prose(st.doc.masked, unit[2], unit[3]):
                prose.append(unit)
            else:  # pages of punctuation, numbers or markup: the rules, in linear time
                number, section, a, b = unit
                st.sentences.extend(Sentence(x, y, number, section) for x, y in _split(st.doc.masked, a, b))
        texts = (st.doc.masked[a:b].replace("\n", " ") for _, _, a, b in prose)  # same length: same offsets
        for (paragraph, section, a, _), parsed in zip(prose, nlp.pipe(texts, batch_size=64), strict=True):
            for sent in parsed.sents:
                if sent.text.strip():
                    start, end = _strip(st.doc.masked, a + sent.start_char, a + sent.end_char)
                    st.sentences.append(Sentence(start, end, paragraph, section, sent))
            for e in parsed.ents:  # trimmed: an entity may take in the blanks of masked markup around it
                if e.label_ in ENTITY_LABELS:
                    x, y = _strip(st.doc.masked, a + e.start_char, a + e.end_char)
                    if x < y:
                        st.entities.append((e.label_, x, y))
    st.sentences.sort(key=lambda s: s.start)
    st.sentence_starts = [s.start for s in st.sentences]
    st.search = _unmask_meta(st.doc, ("title", "description"))


#: A unit longer than this whose characters are mostly not letters is not prose (the model's time on
#: 100 KB of "[" or of a minified table is spent for nothing)
_PROSE_CHECK_FROM = 1000


def _is_prose(text: str, a: int, b: int) -> bool:
    """Is ``text[a:b]`` worth the model: short, or at least 40% letters?"""
    if b - a < _PROSE_CHECK_FROM:
        return True
    chunk = text[a:b]
    letters = sum(1 for c in chunk if c.isalpha())
    return letters >= 0.4 * (len(chunk) - chunk.count(" "))


def _units(st: DocState) -> Iterator[tuple[int, Section | None, int, int]]:
    """(block number, section, start, end) of each part of the body read as one text."""
    masked = st.doc.masked
    stack: list[Section] = []  # enclosing headings: a section inherits the topics of its parents
    section: Section | None = None
    for number, block in enumerate(st.blocks):
        if block.kind == "code":
            continue
        if block.kind == "heading":
            a, b = _strip(masked, block.start, block.end)
            if a >= b:
                continue
            while stack and stack[-1].level >= block.level:
                stack.pop()
            inherited = stack[-1].topics if stack else set()
            title = " ".join(masked[a:b].split())
            section = Section(block.level, title, (a, b), topics_in(masked[a:b]) | inherited)
            stack.append(section)
            yield number, section, a, b
        elif block.kind == "row":
            for a, b in block.cells:
                a, b = _strip(masked, a, b)
                if a < b:
                    yield number, section, a, b
        elif _line_list(st.doc.text, masked, block):
            for a, b in block.lines:
                a, b = _strip(masked, a, b)
                if a < b:
                    yield number, section, a, b
        else:
            a, b = _strip(masked, block.start, block.end)
            if a < b:
                yield number, section, a, b


def _line_list(text: str, masked: str, block: Block) -> bool:
    """Is this a paragraph (or list item) of lines each standing alone (talks one a line, ``<br>`` lines),
    rather than prose hard-wrapped at a width?"""
    lines = [masked[a:b].strip() for a, b in block.lines]
    lines = [x for x in lines if x]
    if len(lines) < 2:
        return False
    if re.search(r"</?br\s*/?>", text[block.start : block.end], re.I):
        return True
    continued = sum(1 for x in lines[1:] if x[:1].islower())
    if continued / (len(lines) - 1) > 0.2:
        return False
    widths = [len(x) for x in lines[:-1]]
    wrapped = len(widths) >= 2 and statistics.mean(widths) > 55 and statistics.pstdev(widths) < 12
    ends = sum(1 for x in lines if x[-1] in ".,;:")
    return not wrapped and ends <= len(lines) // 2


def _split(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """Sentences of ``text[a:b]`` by rule: at full stops followed by a capital, not after abbreviations."""
    cursor = a
    for m in _SENT_END.finditer(text, a, b):
        if _ABBREV.search(text[max(cursor, m.start() - 8) : m.start()]):
            continue
        if m.start() > cursor:
            yield _strip(text, cursor, m.start())
        cursor = m.end()
    if b > cursor:
        yield _strip(text, cursor, b)


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
