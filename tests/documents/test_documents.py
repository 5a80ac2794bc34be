"""Reading documents: front matter shapes, plain text, HTML, encodings, languages, masking."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from paths import CORPUS, DATA

from kgkit.documents.frontmatter import parse_date
from kgkit.documents.markup import mask_markup
from kgkit.documents.read import read_document
from kgkit.documents.scan import find_documents
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


# --- encodings and front matter of messy documents -------------------------------------------------


def test_byte_order_marks_choose_the_encoding(tmp_path: Path) -> None:
    text = "# Rückblick\n\nKubeCon in Paris.\n"
    for codec, bom in (("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                       ("utf-32-le", b"\xff\xfe\x00\x00")):
        doc = read_document(write(tmp_path, f"{codec}.md", bom + text.encode(codec)))
        assert doc.text == text and doc.title == "Rückblick", codec
    with pytest.raises(DocumentError, match=r"not valid utf-8 \(byte 0xff at offset 9\)"):
        read_document(write(tmp_path, "bom.txt", b"\xef\xbb\xbfhello \xff"))
    with pytest.raises(DocumentError, match="not valid utf-16"):
        read_document(write(tmp_path, "odd.txt", b"\xff\xfeA\x00B"))


def test_only_real_declarations_choose_the_encoding(tmp_path: Path) -> None:
    latin1 = "# -*- coding: latin-1 -*-\nMünchen\n".encode("latin-1")
    assert "München" in read_document(write(tmp_path, "emacs.txt", latin1)).text
    # prose and code samples that look like declarations are not: the file is UTF-8
    prose = "# Video encoding: H264 at KubeCon\n\nSee `<?xml version=\"1.0\" encoding=\"UTF-16\"?>` in Zürich.\n"
    doc = read_document(write(tmp_path, "prose.md", prose))
    assert doc.text == prose and not doc.warnings


def test_an_html_declaration_it_cannot_be_written_in_is_ignored_with_a_warning(tmp_path: Path) -> None:
    page = '<html>\n<head><meta charset="utf-16"><title>Zürich</title></head><body><p>x</p></body></html>'
    doc = read_document(write(tmp_path, "page.html", page))
    assert doc.title == "Zürich"
    assert [(str(w).split(": ", 1)[1], w.line) for w in doc.warnings] == [
        ("declares the encoding 'utf-16', which it cannot be written in; read as UTF-8", 2)
    ]


@pytest.mark.parametrize(("content", "message", "line"), [
    (b"a" * 5000 + b"\x00 hello", "binary file, not a text document (it contains NUL bytes)", 1),
    pytest.param(b"---\ntitle: " + b"[" * 5000 + b"\n---\nbody\n", "broken front matter: nested too deeply", 2,
                 marks=pytest.mark.slow),
    (b"+++\ntitle = 'x'\ndate = 2024-13-45\n+++\nbody\n", "broken TOML front matter", 3),
    (b"---\n? [a, b]\n: c\n---\nbody\n", "broken YAML front matter: found unhashable key", 2),
    (b'<meta charset="x-klingon">hello', "declares an unknown encoding 'x-klingon'", 1),
])
def test_more_bad_documents(tmp_path: Path, content: bytes, message: str, line: int) -> None:
    path = write(tmp_path, "bad.html" if content.startswith(b"<") else "bad.md", content)
    with pytest.raises(DocumentError, match=re.escape(message)) as err:
        read_document(path)
    assert err.value.line == line


def test_front_matter_is_read_by_libyaml_and_its_errors_worded_by_pyyaml(tmp_path: Path) -> None:
    """Front matter that parses is read by libyaml (fast, and a tab inside a value is text as YAML
    says, where PyYAML's own scanner stops); what does not parse is reported in PyYAML's words and
    lines, as every other error is."""
    doc = read_document(write(tmp_path, "tab.md", "---\ntitle: KubeCon\tnotes\nauthor: Dana Ortiz\n---\nText.\n"))
    assert doc.title == "KubeCon\tnotes" and not doc.warnings
    with pytest.raises(DocumentError, match=re.escape("broken YAML front matter: expected ',' or ']'")) as err:
        read_document(write(tmp_path, "bad.md", "---\ntitle: ok\ntags: [a, b\nauthor: x\n---\nText.\n"))
    assert err.value.line is not None and err.value.line >= 4


def test_a_date_shaped_value_that_is_no_date_is_a_warning(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "d.md", "---\ntitle: 2024\ndate: 2024-02-30\n---\nText.\n"))
    assert doc.title == "2024" and doc.date is None
    assert [(w.message, w.line) for w in doc.warnings] == [
        ("front matter date: '2024-02-30' is not a date; ignored", 3)
    ]


def test_author_lists_keep_their_good_names(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "a.md", "---\nauthors: [Ann Lee, [x], {name: Bo Chen}, 3]\n---\nText.\n"))
    assert [a for a, _, _ in doc.authors] == ["Ann Lee", "Bo Chen"]
    assert len(doc.warnings) == 1 and "front matter authors: expected a name" in str(doc.warnings[0])


def test_names_are_relative_to_the_folder_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    write(tmp_path / "docs" / "sub", "a.md", "# A\n")
    monkeypatch.chdir(tmp_path)
    for root in ("docs", tmp_path / "docs"):  # the same name (and graph) however the folder is given
        [(path, found_under)] = find_documents([root])
        assert read_document(path, found_under).name == "sub/a.md"


@pytest.mark.parametrize(("text", "language"), [
    ("Die Konferenz war groß und wir haben viel über die Nachhaltigkeit von Kubernetes gelernt, auch wenn "
     "nicht alle Vorträge für uns interessant waren. Es ist die beste Konferenz, die wir kennen.", "de"),
    ("La conférence était très intéressante et nous avons appris beaucoup sur le cloud native. Les "
     "présentations sur la durabilité étaient les meilleures pour nous, et pas seulement pour les équipes.", "fr"),
    ("La conferencia fue muy interesante y aprendimos mucho sobre la sostenibilidad de los clústeres. Las "
     "charlas más populares eran las de seguridad, con muchos asistentes de la comunidad.", "es"),
])
def test_undeclared_languages_are_detected(tmp_path: Path, text: str, language: str) -> None:
    assert read_document(write(tmp_path, "post.md", f"# Notes\n\n{text}\n")).language == language


def test_raw_html_in_markdown_closes_unclosed_blocks_as_a_browser_does(tmp_path: Path) -> None:
    """``<div><strong>Ignites</strong><p> ... </div>``: the ``</div>`` ends the ``<p>`` (a programme
    generated by a static site lost every talk of such boxes); ``<p>a<p>b`` is two paragraphs."""
    from kgkit.documents.structure import parse_blocks

    page = tmp_path / "program.md"
    page.write_text(
        "# Program\n\n<div class=\"box\">\n  <strong>Ignites</strong><p>\n"
        '    <a href="/p/ana/">Ana Lima - Chasing the Elk</a></br>\n'
        '    <a href="/p/bo/">Bo Chen - Fighting Ransomware</a></br>\n</div>\n'
        "<div><p>first<p>second</div>\n",
        encoding="utf-8",
    )
    doc = read_document(page)
    texts = [" ".join(doc.masked[b.start : b.end].split()) for b in parse_blocks(doc)]
    assert "Ana Lima - Chasing the Elk Bo Chen - Fighting Ransomware" in texts
    assert "first" in texts and "second" in texts
