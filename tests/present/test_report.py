"""The HTML documentation and report (kgkit/report.py): every link resolves, what each kind of page
shows, evidence with quote and document, the ontology page, escaping of hostile data, determinism
and the ``kgkit docs`` command. The browser test is tests/test_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import typer
from programs import needs_dot
from typer.testing import CliRunner

from kgkit.cli import show
from kgkit.errors import InputError
from kgkit.present.report import docs

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "viz" / "hostile.trig"
EU24_PAGE = "conference-kubecon-cloudnativecon-europe-2024.html"


class Page(HTMLParser):
    """What the tests need from a page: its links, the sources of embedded things, ids and text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, href)
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append((tag, a[key] or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def site(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the bundled corpus."""
    out = tmp_path_factory.mktemp("site")
    assert docs(out, source=built_dir) == out / "index.html"
    return out


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_every_link_resolves_and_nothing_external_is_loaded(site: Path) -> None:
    pages = {p.name: Page(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}
    assert {"index.html", "ontology.html", EU24_PAGE, "org-deutsche-bahn.html", "project-kepler.html",
            "person-gualter-barbas-baptista.html"} <= set(pages)
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9-]+)?\.html", name) for name in pages)
    for name, page in pages.items():
        for tag, href in page.links:
            url = urlsplit(href)
            if href == "data:,":  # the empty favicon: no request for /favicon.ico
                continue
            if url.scheme:
                assert tag == "a" and url.scheme in ("http", "https"), (name, tag, href)  # links out, never loads
                continue
            target = url.path or name
            assert (site / target).is_file(), (name, href)
            if url.fragment and target.endswith(".html"):
                assert url.fragment in pages[target].ids, (name, href)
    assert '<link rel="stylesheet" href="style.css">' in read(site, "index.html")


def test_conference_page_lists_sessions_with_day_time_speakers_organizations_topics(site: Path) -> None:
    page = read(site, EU24_PAGE)
    assert "<h1>KubeCon + CloudNativeCon Europe 2024" in page
    row = next(r for r in page.split("<tr>") if "Building IT Green" in r)
    assert "Thursday 09:45–10:00 CET" in row
    assert 'href="org-deutsche-bahn.html"' in row and 'href="topic-sustainability.html"' in row
    row = next(r for r in page.split("<tr>") if "Optimizing Performance and Sustainability for AI" in r)
    assert 'href="person-peter-pouliot.html"' in row  # the speaker
    assert page.index("Tuesday 10:25") < page.index("Wednesday 09:45") < page.index("Friday 16:00")  # by time
    for heading in ("Sessions", "Co-located events", "Organizations that presented", "People who presented"):
        assert f"<h2>{heading} " in page


def test_organization_page_lists_talks_and_projects(site: Path) -> None:
    page = read(site, "org-pachama.html")
    assert "The Data Pipelines Behind Forest Carbon Credits" in page
    assert "<h2>Projects it uses" in page and 'href="project-flyte.html"' in page


def test_project_page_says_who_mentions_it(site: Path) -> None:
    page = read(site, "project-flyte.html")
    for heading in ("Sessions that mention it", "Organizations that use it", "Documents that mention it"):
        assert f"<h2>{heading} " in page
    assert 'href="org-pachama.html"' in page


def test_facts_carry_quote_and_document(site: Path) -> None:
    page = read(site, "org-deutsche-bahn.html")
    facts = page[page.index('<section id="facts">'):]
    fact = next(li for li in facts.split("<li ") if "is affiliated with" in li)
    assert "Gualter Barbas Baptista from Deutsche Bahn delved into" in fact  # the quote
    assert "001_0e37d92c389ebaa4.txt" in fact and 'href="document-001-0e37d92c389ebaa4.html"' in fact
    assert re.search(r"characters \d+–\d+, text pattern, confidence 0\.\d+", fact)
    # a relation shown at the top links to its evidence, with the quote as tooltip
    ref = re.search(
        r'href="person-gualter-barbas-baptista.html">[^<]*</a><a class="ref" href="(#f-\w+)" title="([^"]*)"', page
    )
    assert ref and ref[1][1:] in Page(page).ids and "Gualter Barbas Baptista from Deutsche Bahn" in ref[2]


@needs_dot  # the class diagram
def test_ontology_page(site: Path) -> None:
    page = read(site, "ontology.html")
    ids = Page(page).ids
    assert {"Conference", "Session", "partOf", "spokeOn", "startDate", "kind-keynote", "alignment"} <= ids
    assert 'href="https://schema.org/Event"' in page  # alignment
    assert "<svg" in page  # the class diagram
    conference = page[page.index('id="Conference"'):]
    assert f'href="{EU24_PAGE}"' in conference[: conference.index("</section>")]  # an example from the graph
    part_of = page[page.index('id="partOf"'):]
    assert "→" in part_of[: part_of.index("</section>")]


def test_hostile_data_is_escaped(tmp_path: Path) -> None:
    docs(tmp_path, source=HOSTILE)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9-]+)?\.(html|css)", n) for n in names), names
    everything = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    for raw in ("<script", "<img src", "<svg onload", "<i>computing", "<b>write-up", 'href="javascript:'):
        assert raw not in everything, raw
    assert "<th>Schedule</th><td>javascript:alert(2)</td>" in read(tmp_path, "session-xss.html")  # text, not a link
    page = read(tmp_path, "session-xss.html")
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Quote &lt;/blockquote&gt;&lt;script&gt;alert(5)&lt;/script&gt; &amp; more" in page
    assert "../evil&quot;&gt;&lt;script&gt;alert(&#x27;path&#x27;)&lt;/script&gt;.md" in page


def test_output_is_deterministic(tmp_path: Path) -> None:
    docs(tmp_path / "a", source=HOSTILE)
    docs(tmp_path / "b", source=HOSTILE)
    for page in (tmp_path / "a").iterdir():
        assert page.read_bytes() == (tmp_path / "b" / page.name).read_bytes(), page.name


def test_docs_command(tmp_path: Path) -> None:
    app = typer.Typer()
    show.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["docs", "-o", str(tmp_path / "site"), "-i", str(HOSTILE)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    result = runner.invoke(app, ["docs", "-o", str(tmp_path / "x"), "-i", str(tmp_path / "missing")])
    assert isinstance(result.exception, InputError)
