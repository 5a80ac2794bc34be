"""Reading documents: front matter shapes, plain text, HTML, encodings, languages, masking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import CORPUS, DATA

from kgkit.documents import find_documents, mask_markup, parse_date, read_document
from kgkit.errors import DocumentError, InputError


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def test_yaml_front_matter_title_authors_date() -> None:
    doc = read_document(CORPUS / "002_d5928a6f751d00b7.txt")
    assert doc.title == "CNCF Cloud Native Sustainability Week 2024 is underway and why YOU should care"
    assert [a for a, _, _ in doc.authors] == ["Michel Murabito", "Nancy Chauhan", "Julie Chenadec"]
    assert doc.date == dt.date(2024, 5, 30)
    assert doc.language == "zh"
    assert doc.text[doc.title_span[0]: doc.title_span[1]].startswith("title:")  # type: ignore[index]


def test_hugo_author_objects_and_publishdate() -> None:
    doc = read_document(CORPUS / "003_fa5dea81f7911e80.txt")
    assert [a for a, _, _ in doc.authors] == ["Rafael Franzke"]
    assert doc.date == dt.date(2024, 4, 5)
    assert doc.language == "en"


def test_plain_text_title_byline_role_and_date() -> None:
    doc = read_document(CORPUS / "001_0e37d92c389ebaa4.txt")
    assert doc.kind == "text"
    assert doc.title is not None and doc.title.startswith("KubeCon + CloudNativeCon Europe 2024 Day 3")
    assert doc.authors == [("Stefan Tsankov", doc.authors[0][1], "DevOps and Cloud Engineer")]
    start, end = doc.authors[0][1]  # type: ignore[misc]
    assert doc.text[start:end] == "Stefan Tsankov"
    assert doc.date == dt.date(2024, 3, 22)


def test_toml_front_matter(tmp_path: Path) -> None:
    doc = read_document(DATA / "docs" / "recap.md")
    assert doc.title == "Our week at Open Source Summit Europe 2025"
    assert doc.date == dt.date(2025, 9, 1)
    assert [a for a, _, _ in doc.authors] == ["Lena Vogt"]


def test_html_with_declared_latin1_encoding() -> None:
    doc = read_document(DATA / "docs" / "rueckblick.html")
    assert doc.kind == "html"
    assert doc.language == "de"
    assert doc.title == "Rückblick: KubeCon Europe 2024"
    assert [a for a, _, _ in doc.authors] == ["Jürgen Müller"]
    assert doc.date == dt.date(2024, 3, 28)
    assert "[Kepler](https://sustainable-computing.io/)" in doc.text


def test_masking_keeps_offsets() -> None:
    text = "See [Backstage](https://backstage.io/) and **Kepler** ![logo](x.png)"
    masked = mask_markup(text)
    assert len(masked) == len(text)
    assert masked[masked.index("Backstage"):].startswith("Backstage")
    assert text.index("Backstage") == masked.index("Backstage")
    assert "https" not in masked and "logo" not in masked and "**" not in masked


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    (b"---\ntitle: [unclosed\n---\nbody\n", "broken YAML front matter"),
    (b"---\n- a\n- b\n---\nbody\n", "front matter is not a mapping"),
    (b"ok line\nbad \xff\xfe byte\n", "not valid utf-8"),
])
def test_bad_documents_raise_document_error_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, "bad.md", content)
    with pytest.raises(DocumentError) as err:
        read_document(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_invalid_utf8_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", b"line one\nline two\nbad \xff here\n")
    with pytest.raises(DocumentError) as err:
        read_document(path)
    assert err.value.line == 3


def test_front_matter_with_unexpected_types_is_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.md", "---\ntitle: [a, b]\ndate: not a date\nauthor: 42\n---\n# Heading\n\nText.\n")
    doc = read_document(path)
    assert doc.title == "Heading" and doc.date is None and doc.authors == []


def test_find_documents_sorted_and_filtered(tmp_path: Path) -> None:
    write(tmp_path, "b.md", "# B\n")
    write(tmp_path, "a.txt", "A\n")
    write(tmp_path, "image.png", b"\x89PNG")
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden", "c.md", "# C\n")
    assert [f.name for f, _ in find_documents([tmp_path])] == ["a.txt", "b.md"]
    with pytest.raises(InputError):
        find_documents([tmp_path / "missing"])


def test_parse_date_forms() -> None:
    assert parse_date("22.03.2024") == dt.date(2024, 3, 22)
    assert parse_date("March 5, 2024") == dt.date(2024, 3, 5)
    assert parse_date(dt.datetime(2024, 1, 2, 3, 4)) == dt.date(2024, 1, 2)
    assert parse_date("soon") is None and parse_date(["x"]) is None
