"""Sentences and sections by rule: blocks split at blank lines, list items and headings, then at full stops."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgkit.documents.document import Document
from kgkit.extraction.component import component
from kgkit.extraction.patterns import _unmask_meta
from kgkit.extraction.state import DocState, Section, Sentence
from kgkit.extraction.topics import topics_in

_SENT_END = re.compile(r"(?<=[.!?。！？])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9\u4e00-\u9fff@])|(?<=[。！？])")


_ABBREV = re.compile(r"\b(?:e\.g|i\.e|vs|etc|Dr|Mr|Mrs|Ms|St|No|Inc|Ltd|Co|approx|ex)\.$|\b[A-Z]\.$")


def _sentences(doc: Document) -> Iterator[Sentence]:
    """Sentences of the body: blocks split at blank lines, list items and headings, then at full stops."""
    text = doc.masked
    section: Section | None = None
    stack: list[Section] = []  # enclosing headings: a section inherits the topics of its parents
    paragraph = 0
    pos = doc.body_start
    blocks = re.split(
        r"(\n\s*\n|\n(?=\s*(?:[*+-]|\d+[.)])\s)|\n(?=#{1,6}\s)|\n(?=\s*[A-Z][^\n]{0,80}\n))", doc.text[pos:]
    )
    for i, block in enumerate(blocks):
        start, pos = pos, pos + len(block)
        if i % 2 == 1 or not block.strip():
            if block.count("\n") >= 2:
                paragraph += 1
            continue
        raw_line = doc.text[start:pos].strip()
        masked_block = text[start:pos]
        stripped = masked_block.strip()
        if not stripped:
            continue
        heading = re.match(r"\s*#{1,6}\s", raw_line) is not None or _looks_like_heading(stripped, doc.kind)
        lead = len(masked_block) - len(masked_block.lstrip())
        if heading:
            level = len(re.match(r"\s*(#*)", raw_line).group(1)) or 2  # type: ignore[union-attr]
            while stack and stack[-1].level >= level:
                stack.pop()
            inherited = stack[-1].topics if stack else set()
            section = Section(
                level, stripped, (start + lead, start + lead + len(stripped)), topics_in(stripped) | inherited
            )
            stack.append(section)
            paragraph += 1
            yield Sentence(start + lead, start + lead + len(stripped), paragraph, section)
            continue
        cursor = start + lead
        end_block = start + len(masked_block.rstrip())
        for m in _SENT_END.finditer(text, cursor, end_block):
            if _ABBREV.search(text[max(cursor, m.start() - 8) : m.start()]):
                continue
            if m.start() > cursor:
                yield Sentence(cursor, m.start(), paragraph, section)
            cursor = m.end()
        if end_block > cursor:
            yield Sentence(cursor, end_block, paragraph, section)


def _looks_like_heading(block: str, kind: str) -> bool:
    if "\n" in block or kind == "markdown":
        return False
    words = block.split()
    return 2 <= len(words) <= 12 and block[0].isupper() and block[-1] not in '.!?:,;)"”' and len(block) < 90


@component("sentences", provides=["sentences", "search"])
def sentences(st: DocState) -> None:
    """Sentences and sections of the body, by rule (blank lines, list items, headings, full stops)."""
    st.sentences = list(_sentences(st.doc))
    st.sentence_starts = [s.start for s in st.sentences]
    st.search = _unmask_meta(st.doc, ("title", "description"))
