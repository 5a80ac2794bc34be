"""Pictures (kgkit/viz.py): one SVG, PNG, HTML page and DOT file rendered and checked, the choice of
nodes (neighbourhoods, the topic filter with narrower topics), escaping of hostile names, errors and
the ``kgkit viz`` command."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from programs import needs_dot
from typer.testing import CliRunner

from kgkit.cli import show
from kgkit.errors import InputError
from kgkit.present.viz import CLASS_STYLES, OUTPUTS, viz

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "viz" / "hostile.trig"
EU24 = "KubeCon + CloudNativeCon Europe 2024"
SVG = "{http://www.w3.org/2000/svg}"



def svg_nodes(path: Path) -> dict[str, str]:
    """Node label (its text lines joined by spaces) -> fill colour, from a Graphviz SVG."""
    nodes = {}
    for g in ET.parse(path).getroot().iter(f"{SVG}g"):
        if "node" in (g.get("class") or "").split():
            text = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
            shape = next(e for e in g.iter() if e.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path"))
            nodes[text] = shape.get("fill", "")
    return nodes


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
@needs_dot
def test_svg_of_the_sustainability_sessions_of_kubecon_eu_2024(built_dir: Path, tmp_path: Path) -> None:
    out = viz(EU24, topic="sustainability", source=built_dir, output=tmp_path / "sessions.svg")
    assert out == tmp_path / "sessions.svg" and out.stat().st_size > 20_000
    text = out.read_text(encoding="utf-8")
    nodes = svg_nodes(out)
    labels = " ".join(nodes)
    for expected in ("KubeCon + CloudNativeCon Europe 2024", "Keynote: Building IT Green", "Deutsche Bahn",
                     "Kepler", "Gualter Barbas Baptista", "energy efficiency"):
        assert expected in labels, expected
    assert "sessions on sustainability" in text  # the title
    assert "eBPF Actually Works" not in labels and "Burnout" not in labels  # Rejekts sessions, other topics
    assert "w3id.org" not in text  # names, never IRIs
    colour = {style.name: style.colour for style in CLASS_STYLES.values()}
    assert nodes["Deutsche Bahn"] == colour["Organization"]
    assert nodes["Kepler"] == colour["Project"]
    assert nodes["Gualter Barbas Baptista"] == colour["Person"]
    assert nodes["KubeCon + CloudNativeCon Europe 2024"] == colour["Conference"]


@needs_dot
def test_png_of_the_ontology(tmp_path: Path) -> None:
    out = viz(ontology=True, output=tmp_path / "ontology.png")
    data = out.read_bytes()
    width, height = png_size(data)
    assert width > 600 and height > 300 and len(data) > 30_000


@pytest.mark.slow
@needs_dot
def test_interactive_html_page_is_self_contained(built_dir: Path, tmp_path: Path) -> None:
    out = viz("Deutsche Bahn", source=built_dir, output=tmp_path / "db.html")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script>" in page
    for name in ("Deutsche Bahn", "Gualter Barbas Baptista", "KubeCon + CloudNativeCon", "sustainability"):
        assert name in page
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", page)  # nothing to fetch
    assert 'class="node Organization"' in page  # what the highlighting script and colours hang on


def test_dot_source_of_an_organization_with_its_talks_and_projects(tmp_path: Path) -> None:
    dot = viz("Evil Corp <img src=x onerror=alert(3)>", source=HOSTILE, output=tmp_path / "org.dot").read_text()
    assert dot.startswith("digraph")
    for name in ("<script>alert(1)</script>", "HostCon 2024", "Tool", "green <i>computing</i>", "Mallory"):
        assert name in dot, name  # its talk, the talk's conference, its project, topic and people
    assert "Rusty" not in dot  # another session of the conference


def test_topic_filter_keeps_sessions_on_narrower_topics(tmp_path: Path) -> None:
    dot = viz('HostCon 2024 & "friends"', topic="sustainability", source=HOSTILE, output=tmp_path / "s.dot")
    text = dot.read_text()
    assert "<script>alert(1)</script>" in text  # on "green computing", narrower than sustainability
    assert "Rusty" not in text  # on Rust
    assert 'label="sustainability"' not in text  # the topic asked for is the title, not a node


@needs_dot
@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_hostile_names_are_escaped(tmp_path: Path, suffix: str) -> None:
    text = viz('HostCon 2024 & "friends"', source=HOSTILE, output=tmp_path / f"p{suffix}").read_text()
    for raw in ("<script>alert", "<img src", "<svg onload", "<i>computing", "<b>bold"):
        assert raw not in text, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Tool \\N \\l {x}" in text  # Graphviz escapes shown as written, not expanded
    if suffix == ".svg":
        ET.fromstring(text.encode())  # well-formed


@pytest.mark.slow
def test_output_is_deterministic(built_dir: Path, tmp_path: Path) -> None:
    first = viz(EU24, source=built_dir, output=tmp_path / "a.dot").read_bytes()
    assert viz(EU24, source=built_dir, output=tmp_path / "b.dot").read_bytes() == first


@pytest.mark.slow
def test_errors(built_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot draw into a \.pdf file; use one of: \.svg, \.png, \.html, \.dot"):
        viz(output=tmp_path / "x.pdf", source=tmp_path / "missing")  # checked before reading anything
    with pytest.raises(InputError, match=r"nothing named 'Deutsche Bahnn'.*did you mean 'deutsche bahn'"):
        viz("Deutsche Bahnn", source=built_dir, output=tmp_path / "x.svg")
    with pytest.raises(InputError, match=r"no topic named 'Shopify'; the topics are: .*sustainability"):
        viz(EU24, topic="Shopify", source=built_dir, output=tmp_path / "x.svg")
    with pytest.raises(InputError, match="either the ontology"):
        viz(EU24, ontology=True, output=tmp_path / "x.svg")
    assert not list(tmp_path.iterdir())
    assert set(OUTPUTS) == {".svg", ".png", ".html", ".dot"}


def test_missing_dot_program_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    with pytest.raises(InputError, match=r"Graphviz's `dot` program is not installed.*apt-get install graphviz"):
        viz(ontology=True, output=tmp_path / "o.svg")
    assert viz(ontology=True, output=tmp_path / "o.dot").read_text().startswith("digraph")  # needs no `dot`


@pytest.mark.slow
@needs_dot
def test_viz_command(built_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = typer.Typer()
    show.register(app)
    runner = CliRunner()
    out = tmp_path / "sessions.svg"
    result = runner.invoke(app, ["viz", EU24, "--topic", "sustainability", "-o", str(out), "-i", str(built_dir)])
    assert result.exit_code == 0, result.output
    assert "Deutsche Bahn" in out.read_text()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["viz", "Deutsche Bahn", "-i", str(built_dir)])
    assert result.exit_code == 0 and (tmp_path / "build" / "deutsche-bahn.svg").is_file()
    result = runner.invoke(app, ["viz", "Nobody", "-i", str(built_dir)])
    assert isinstance(result.exception, InputError)  # kgkit.cli.main turns it into a message and exit 2
