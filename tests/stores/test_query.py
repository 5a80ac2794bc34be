"""Canned queries on the hand-made fixture (tests/data/query/kg.trig), parameters, injection,
refusals, error messages, result renderers and the ``kgkit query`` command."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from kgkit.errors import InputError, QueryError, StoreError
from kgkit.rdf.read import as_dataset, load_dataset, union_graph
from kgkit.sparql.library import QUERY_DIR, list_queries, load_library, resolve
from kgkit.sparql.results import RENDERERS, QueryResult, render
from kgkit.sparql.text import check_query, with_values
from kgkit.stores import upload
from kgkit.stores.memory import MemoryStore
from kgkit.stores.query import query
from kgkit.stores.remote import SparqlStore

DATA = Path(__file__).resolve().parent.parent / "data" / "query"
KG = DATA / "kg.trig"
KGID = "https://w3id.org/kgkit/id/"
EU24 = "kgid:conference/kubecon-cloudnativecon-europe-2024"
NA23 = "kgid:conference/kubecon-cloudnativecon-north-america-2023"
INJECTION = 'x" } ; DROP ALL ; #'
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

Row = tuple[str | None, ...]


def cells(rows: list[tuple[object, ...]]) -> list[Row]:
    """Rows as strings, with the parts of " | "-joined cells sorted (GROUP_CONCAT has no order)."""

    def cell(term: object) -> str | None:
        return None if term is None else " | ".join(sorted(str(term).split(" | ")))

    return [tuple(cell(t) for t in row) for row in rows]


def run(query_name: str, **params: str) -> list[Row]:
    return cells(query(query_name, source=KG, params=params).rows)  # type: ignore[arg-type]


S_TAG = "Cloud Native Sustainability Efforts in the Community"
Q_ALICE = f'Alice Example (Acme Corp) and the TAG ENV presented "{S_TAG}".'
S_DB = "Keynote: Building IT Green at Deutsche Bahn"
DOC_A, DOC_B = "900-aaaaaaaaaaaaaaaa", "901-bbbbbbbbbbbbbbbb"
ORGS_ALL: list[Row] = [
    ("Acme Corp", Q_ALICE, S_TAG, DOC_A),
    ("CNCF TAG Environmental Sustainability", Q_ALICE, S_TAG, DOC_A),
    (
        "Deutsche Bahn",
        "Deutsche Bahn spoke about its Building IT Green initiative. | Deutsche Bahn talked about "
        "provisioning servers only when they are needed. | Keynote: Building IT Green at Deutsche Bahn",
        S_DB,
        f"{DOC_A} | {DOC_B}",
    ),
    (
        "Globex",
        "Last year in Chicago, Globex presented Green Clusters at Globex.",
        "Green Clusters at Globex",
        DOC_A,
    ),
    ("Intuit", "Bob Builder from Intuit spoke on sustainable scaling.", "", DOC_B),
    ("Shopify", "Shopify measured the carbon footprint of its clusters.", "", DOC_B),
    (
        "kube-green",
        "the kube-green project emphasized optimizing your cluster footprint to minimize CO2 emissions.",
        "",
        DOC_B,
    ),
]

EXPECTED: dict[str, tuple[list[str], list[Row]]] = {
    "orgs-on-sustainability": (["organization", "evidence", "sessions", "documents"], ORGS_ALL),
    "sessions-by-day": (
        ["day", "start", "end", "title", "kind", "url"],
        [
            (
                "Wednesday",
                "2023-11-08T10:00:00-06:00",
                "2023-11-08T10:35:00-06:00",
                "Green Clusters at Globex",
                "talk",
                None,
            ),
            (
                "Wednesday",
                "2024-03-20T11:00:00+01:00",
                "2024-03-20T11:10:00+01:00",
                "Rust for Kubernetes Controllers",
                "lightning-talk",
                None,
            ),
            (
                "Wednesday",
                "2024-03-20T14:30:00+01:00",
                "2024-03-20T15:05:00+01:00",
                S_TAG,
                "talk",
                "https://sched.co/1YeO7",
            ),
            (
                "Thursday",
                "2024-03-21T09:45:00+01:00",
                "2024-03-21T10:00:00+01:00",
                S_DB,
                "keynote",
                "https://sched.co/1YhJk",
            ),
            (
                "Friday",
                "2024-03-22T09:00:00+01:00",
                "2024-03-22T09:30:00+01:00",
                "Panel: Scaling Sustainably",
                "panel",
                None,
            ),
        ],
    ),
    "speakers-and-organizations": (
        ["person", "role", "organization", "sessions"],
        [
            ("Alice Example", "Green Software Lead", "Acme Corp", S_TAG),
            ("Bob Builder", None, "Intuit", ""),
            ("Carol Solo", None, None, "Rust for Kubernetes Controllers"),
        ],
    ),
    "projects-per-topic": (
        ["topic", "projects", "names"],
        [
            ("sustainability", "4", "Kepler | KubeCost | Kubernetes | kube-green"),
            ("energy efficiency", "2", "Kepler | Kubernetes"),
            ("Rust", "1", "Kubernetes"),
        ],
    ),
    "organizations-per-project": (
        ["project", "organizations", "names"],
        [
            ("Kubernetes", "3", "Deutsche Bahn | Google | Shopify"),
            ("Kepler", "1", "Acme Corp"),
        ],
    ),
    "documents-per-conference": (
        ["conference", "documents", "titles"],
        [
            (
                "KubeCon + CloudNativeCon Europe 2024",
                "2",
                "KubeCon EU 2024 recap | Sustainability at KubeCon EU 2024",
            ),
            ("KubeCon + CloudNativeCon North America 2023", "1", "Sustainability at KubeCon EU 2024"),
        ],
    ),
    # written in schema.org terms: nothing in a graph built without --materialize schema
    "schema-org-events": (["event", "start", "part_of", "performers"], []),
    "co-mentioned-projects": (
        ["project_a", "project_b", "mentions"],
        [
            ("Kepler", "Kubernetes", "2"),
            ("KubeCost", "Kubernetes", "1"),
            ("kube-green", "KubeCost", "1"),
            ("kube-green", "Kubernetes", "1"),
        ],
    ),
}


# --- the library ---------------------------------------------------------------------------------


def test_library_has_every_canned_query_with_a_summary() -> None:
    library = load_library()
    assert set(library) == set(EXPECTED)
    assert all(q.summary and q.path and q.path.parent == QUERY_DIR for q in library.values())
    assert "orgs-on-sustainability" in list_queries()


def test_parameters_follow_grlc_naming() -> None:
    params = {p.name: p for p in load_library()["orgs-on-sustainability"].parameters}
    assert params["root"].variable == "_root_iri" and params["root"].type == "iri" and params["root"].required
    assert params["root"].default == KGID + "topic/sustainability"
    assert params["conference"].variable == "__conference_iri" and not params["conference"].required
    since = resolve(str(DATA / "published-since.rq")).parameters[0]
    assert (since.name, since.type, since.default) == ("since", "date", "2024-01-01")
    assert load_library()["orgs-on-sustainability"].tags == ("organizations", "topics")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_rows(name: str) -> None:
    variables, rows = EXPECTED[name]
    result = query(name, source=KG)
    assert result.kind == "SELECT" and result.variables == variables
    assert cells(result.rows) == rows  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_queries_order_by_every_output_column(name: str) -> None:
    text = load_library()[name].text
    order_by = text[text.rindex("ORDER BY") :]
    assert all(f"?{v}" in order_by for v in EXPECTED[name][0])


# --- parameters ----------------------------------------------------------------------------------


def test_root_topic_parameter_narrows_the_flagship() -> None:
    rows = run("orgs-on-sustainability", root=KGID + "topic/energy-efficiency")
    assert [r[0] for r in rows] == [
        "Acme Corp",
        "CNCF TAG Environmental Sustainability",
        "Deutsche Bahn",
        "Shopify",
    ]
    assert rows[2][1:] == (
        "Deutsche Bahn talked about provisioning servers only when they are needed.",
        "",
        DOC_B,
    )
    assert (
        run("orgs-on-sustainability", root="kgid:topic/carbon-footprint")[0][0] == "Shopify"
    )  # a CURIE works


def test_conference_scope_is_optional() -> None:
    eu = run("orgs-on-sustainability", conference=EU24)
    assert eu == [r for r in ORGS_ALL if r[0] != "Globex"]
    na = run("orgs-on-sustainability", conference=NA23)
    assert na == [
        ("Deutsche Bahn", "Deutsche Bahn spoke about its Building IT Green initiative.", "", DOC_A),
        ORGS_ALL[3],
    ]
    assert run("orgs-on-sustainability", conference="") == ORGS_ALL  # "" leaves an optional parameter unbound
    assert [r[3] for r in run("sessions-by-day", conference=NA23)] == ["Green Clusters at Globex"]


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_session_reported_differently_is_one_row(tmp_path: Path, store: str) -> None:
    """Two documents give one session different times and links: one row with the lowest of each
    (validate names the session), not one row per combination of the values."""
    kg = tmp_path / "kg.nq"
    session, g1, g2 = f"<{KGID}session/s1>", f"<{KGID}graph/a>", f"<{KGID}graph/b>"
    dt = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
    a = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lines = [f"{session} {a} <https://w3id.org/kgkit/ontology#Session> {g}" for g in (g1, g2)]
    for g, day, start, end, url in ((g1, "Wednesday", "10:00", "10:35", "b"), (g2, "Thursday", "09:00", "09:30", "a")):
        lines += [
            f'{session} <https://schema.org/name> "Green Clusters"@en {g}',
            f'{session} <https://w3id.org/kgkit/ontology#day> "{day}" {g}',
            f'{session} <https://w3id.org/kgkit/ontology#startDate> "2024-03-20T{start}:00+01:00"{dt} {g}',
            f'{session} <https://w3id.org/kgkit/ontology#endDate> "2024-03-20T{end}:00+01:00"{dt} {g}',
            f"{session} <https://w3id.org/kgkit/ontology#scheduleUrl> <https://sched.co/{url}> {g}",
        ]
    kg.write_text("".join(line + " .\n" for line in lines), encoding="utf-8")
    result = query("sessions-by-day", source=kg, store=store)
    assert [tuple(None if c is None else str(c) for c in row) for row in result.rows] == [
        ("Thursday", "2024-03-20T09:00:00+01:00", "2024-03-20T09:30:00+01:00", "Green Clusters", None,
         "https://sched.co/a")
    ]
    assert isinstance(result.rows[0][5], URIRef)


def test_literal_and_typed_parameters() -> None:
    by_name = str(DATA / "org-by-name.rq")
    assert run(by_name, name="Deutsche Bahn") == [(KGID + "org/deutsche-bahn",)]
    since = str(DATA / "published-since.rq")
    assert len(run(since)) == 2
    assert run(since, since="2024-03-26") == [(KGID + "document/901-bbbbbbbbbbbbbbbb",)]
    with pytest.raises(QueryError, match="not a valid xsd:date"):
        run(since, since="last week")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs --param name"),
        ({"name": "x", "colour": "red"}, "unknown parameter 'colour'"),
    ],
)
def test_parameter_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        query(str(DATA / "org-by-name.rq"), source=KG, params=params)


@pytest.mark.parametrize(
    "value", [INJECTION, "https://x.org/a> } ; DROP ALL ; #", "has space", "no-scheme", "<a:b>"]
)
def test_iri_parameters_are_validated(value: str) -> None:
    with pytest.raises(QueryError, match="not an absolute IRI"):
        query("orgs-on-sustainability", source=KG, params={"root": value})


def test_injection_is_a_harmless_value_locally() -> None:
    ds = load_dataset(KG)
    before = len(union_graph(ds))
    by_name = str(DATA / "org-by-name.rq")
    injected = query(by_name, source=ds, params={"name": INJECTION})
    harmless = query(by_name, source=ds, params={"name": "no such organization"})
    assert injected.rows == harmless.rows == []
    assert len(union_graph(ds)) == before


@pytest.mark.external
def test_injection_is_a_harmless_value_remotely(oxigraph_url: str) -> None:
    store = SparqlStore(
        f"{oxigraph_url}/query", update_url=f"{oxigraph_url}/update", gsp_url=f"{oxigraph_url}/store"
    )
    store.clear()
    upload(store, KG)
    before = store.graph_counts()
    by_name = str(DATA / "org-by-name.rq")
    for value, expected in [
        (INJECTION, []),
        ("no such organization", []),
        ("Deutsche Bahn", [(KGID + "org/deutsche-bahn",)]),
    ]:
        result = query(by_name, endpoint=f"{oxigraph_url}/query", params={"name": value})
        assert cells(result.rows) == expected  # type: ignore[arg-type]
    assert store.graph_counts() == before
    store.clear()


def test_values_clause_opens_the_where_clause() -> None:
    text = 'PREFIX x: <http://x/>\nSELECT ?a (CONCAT("{", ?b) AS ?c) # {\nWHERE { ?a ?p ?_v }'
    bound = with_values(text, {"_v": Literal(INJECTION)})
    assert bound.endswith('WHERE { VALUES (?_v) { ("x\\" } ; DROP ALL ; #") }  ?a ?p ?_v }')
    construct = with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?_o }", {"_o": URIRef("http://x/o")})
    assert construct == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?_o) { (<http://x/o>) }  ?s ?p ?_o }"
    assert check_query(bound) == "SELECT" and check_query(construct) == "CONSTRUCT"


# --- refusals and messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }",
        "PREFIX kg: <https://w3id.org/kgkit/ontology#>\nDELETE WHERE { ?s kg:spokeOn ?o }",
        "CLEAR DEFAULT",
    ],
)
def test_updates_are_refused(update: str) -> None:
    ds = load_dataset(KG)
    before = len(union_graph(ds))
    with pytest.raises(QueryError, match=r"updates .* are refused"):
        query(update, source=ds)
    assert len(union_graph(ds)) == before


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(QueryError) as info:
        query("SELECT ?x\nWHERE { ?x ?y }", source=KG)
    message = str(info.value)
    assert "line 2, column 9" in message and "near '?x ?y }'" in message and info.value.line == 2


def test_syntax_error_in_a_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?y .\n}\n")
    with pytest.raises(QueryError) as info:
        query(str(bad), source=KG)
    assert str(info.value).startswith(f"{bad}:3: SPARQL syntax error at line 3")


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(QueryError, match="did you mean orgs-on-sustainability"):
        query("orgs-on-sustainabilty", source=KG)
    with pytest.raises(QueryError, match="query --list"):
        query("zzzz", source=KG)
    with pytest.raises(QueryError, match="no such query file"):
        query("missing.rq", source=KG)


def test_sparql_text_may_use_kgkit_prefixes_undeclared() -> None:
    result = query(
        "SELECT ?o WHERE { ?o kg:spokeOn <https://w3id.org/kgkit/id/topic/carbon-footprint> }", source=KG
    )
    assert cells(result.rows) == [(KGID + "org/shopify",)]  # type: ignore[arg-type]


def test_local_timeout() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with pytest.raises(StoreError, match="timed out"):
        MemoryStore(as_dataset(KG), timeout=0.001).query(slow)


# --- results and renderers -----------------------------------------------------------------------


def sample() -> QueryResult:
    """A result with every kind of cell: IRI, plain, tagged, typed literal, blank node, unbound."""
    return QueryResult(
        "SELECT",
        ["a", "b"],
        [
            (URIRef(KGID + "org/acme"), Literal('say "hi", then\nleave')),
            (Literal("Paris", lang="fr"), Literal("2024-03-19", datatype=XSD_DATE)),
            (BNode("b0"), None),
        ],
    )


def test_to_dicts_and_dataframe() -> None:
    assert sample().to_dicts()[1] == {"a": "Paris", "b": __import__("datetime").date(2024, 3, 19)}
    pandas = pytest.importorskip("pandas")
    frame = sample().to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and list(frame.columns) == ["a", "b"]


def test_json_renderer_is_the_w3c_format() -> None:
    doc = json.loads(render(sample(), "json"))
    assert set(doc) == {"head", "results"} and doc["head"] == {"vars": ["a", "b"]}
    bindings = doc["results"]["bindings"]
    assert bindings[0]["a"] == {"type": "uri", "value": KGID + "org/acme"}
    assert bindings[0]["b"] == {"type": "literal", "value": 'say "hi", then\nleave'}
    assert bindings[1]["a"] == {"type": "literal", "value": "Paris", "xml:lang": "fr"}
    assert bindings[1]["b"] == {"type": "literal", "value": "2024-03-19", "datatype": str(XSD_DATE)}
    assert bindings[2] == {"a": {"type": "bnode", "value": "b0"}}  # unbound: left out
    for binding in bindings:
        for value in binding.values():
            assert value["type"] in ("uri", "literal", "bnode") and isinstance(value["value"], str)
            assert not ({"xml:lang", "datatype"} <= set(value))
    assert json.loads(render(QueryResult("ASK", boolean=True), "json")) == {"head": {}, "boolean": True}


def test_csv_renderer_is_the_w3c_format() -> None:
    text = render(sample(), "csv")
    assert text.startswith("a,b\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "b"],
        [KGID + "org/acme", 'say "hi", then\nleave'],
        ["Paris", "2024-03-19"],
        ["_:b0", ""],
    ]


def test_tsv_renderer_writes_terms() -> None:
    lines = render(sample(), "tsv").splitlines()
    assert lines == [
        "?a\t?b",
        f'<{KGID}org/acme>\t"say \\"hi\\", then\\nleave"',
        f'"Paris"@fr\t"2024-03-19"^^<{XSD_DATE}>',
        "_:b0\t",
    ]


def test_table_and_markdown_renderers() -> None:
    table = render(sample(), "table").splitlines()
    assert table[0].split() == ["a", "b"] and set(table[1]) <= {"-", " "}
    assert table[2].startswith("kgid:org/acme ") and table[2].endswith('say "hi", then leave')
    assert len(table) == 5
    md = render(QueryResult("SELECT", ["x"], [(Literal("a|b"),)]), "md")
    assert md == "| x |\n| --- |\n| a\\|b |\n"
    assert render(QueryResult("ASK", boolean=False), "table") == "boolean\n-------\nfalse\n"


def test_renderers_are_a_table() -> None:
    assert set(RENDERERS) == {"table", "csv", "tsv", "json", "md"}
    with pytest.raises(QueryError, match="unknown result format"):
        render(sample(), "xlsx")


def test_construct_results_render_as_rdf() -> None:
    result = query("CONSTRUCT { ?o a kg:Organization } WHERE { ?o kg:spokeOn ?t }", source=KG)
    assert result.kind == "CONSTRUCT" and result.graph is not None and len(result.graph) == 5
    for fmt, parse_as in [("table", "turtle"), ("nt", "nt"), ("json", "json-ld"), ("xml", "xml")]:
        back = Graph().parse(data=render(result, fmt), format=parse_as)
        assert set(back) == set(result.graph)
    ask = query("ASK { ?o kg:spokeOn <https://w3id.org/kgkit/id/topic/rust> }", source=KG)
    assert ask.kind == "ASK" and ask.boolean is False and ask.empty


# --- the command line ----------------------------------------------------------------------------

CliRun = Callable[..., tuple[int, str, str]]




def test_cli_runs_a_canned_query_as_csv(run_cli: CliRun) -> None:
    code, out, _ = run_cli("query", "orgs-on-sustainability", "-i", str(KG), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["organization"] for r in rows] == [r[0] for r in ORGS_ALL]


def test_cli_params_and_formats(run_cli: CliRun) -> None:
    code, out, _ = run_cli(
        "query", "sessions-by-day", "-i", str(KG), "-p", f"conference={NA23}", "--format", "json"
    )
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) == 1
    code, out, _ = run_cli(
        "query", "--sparql", "SELECT ?n WHERE { ?x schema:name ?n } LIMIT 1", "-i", str(KG), "--format", "md"
    )
    assert code == 0 and out.startswith("| n |")
    code, out, _ = run_cli("query", "--list")
    assert code == 0 and "--param root=<iri>" in out


def test_cli_fail_on_empty(run_cli: CliRun) -> None:
    args = ("query", str(DATA / "org-by-name.rq"), "-i", str(KG), "-p", "name=Nobody")
    assert run_cli(*args)[0] == 0
    code, out, err = run_cli(*args, "--fail-on-empty")
    assert code == 1 and out == "org\n---\n" and "no results" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("query", "orgs-on-sustainabilty"), 2, "did you mean orgs-on-sustainability"),
        (("query", "--sparql", "DROP ALL"), 2, "refused"),
        (("query", "--sparql", "SELECT ?x WHERE { ?x }"), 2, "line 1, column"),
        (("query", "orgs-on-sustainability", "-p", f"root={INJECTION}"), 2, "not an absolute IRI"),
        (("query", "orgs-on-sustainability", "-p", "root"), 2, "NAME=VALUE"),
        (("query",), 2, "give a canned query name"),
        (("query", "orgs-on-sustainability", "--format", "xlsx"), 2, "unknown result format"),
        (("query", "orgs-on-sustainability", "-i", "no/such/build"), 2, "no such file"),
        pytest.param(("query", "orgs-on-sustainability", "--endpoint", "http://127.0.0.1:9/query"), 3,
                     "cannot connect", marks=pytest.mark.slow),  # three attempts, with back-off
        (("query", "orgs-on-sustainability", "--endpoint", "ftp://x"), 2, "http(s) URL"),
    ],
)
def test_cli_errors_are_one_line_with_exit_codes(
    run_cli: CliRun, args: tuple[str, ...], code: int, message: str
) -> None:
    if "-i" not in args and args != ("query",):
        args = (*args, "-i", str(KG))
    got, _, err = run_cli(*args)
    assert got == code and message in err
    assert err.startswith("kgkit: error:") and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_real_entry_point_in_a_subprocess() -> None:
    """The console script's code path end to end (all commands registered), in a fresh interpreter."""
    launcher = "from kgkit.cli import main; main()\n"
    ok = subprocess.run(
        [sys.executable, "-c", launcher, "query", "co-mentioned-projects", "-i", str(KG), "--format", "tsv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert (
        ok.stdout.splitlines()[1] == '"Kepler"\t"Kubernetes"\t"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    bad = subprocess.run(
        [sys.executable, "-c", launcher, "query", "--sparql", "DELETE WHERE { ?s ?p ?o }", "-i", str(KG)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "refused" in bad.stderr


# --- messy queries and values ----------------------------------------------------------------------


def test_syntax_error_in_a_canned_query_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "broken.rq").write_text("#+ summary: broken\nSELECT ?x\nWHERE { ?x ?y }\n", encoding="utf-8")
    canned = resolve("broken", directory=tmp_path)
    with pytest.raises(QueryError) as info:
        check_query(canned.text, path=canned.path)
    assert str(info.value).startswith(f"{tmp_path / 'broken.rq'}:3: SPARQL syntax error at line 3, column 9")
    assert "near '?x ?y }'" in str(info.value)
    with pytest.raises(QueryError, match="did you mean broken"):
        resolve("brokn", directory=tmp_path)


def test_unreadable_query_files_are_query_errors(tmp_path: Path) -> None:
    (tmp_path / "latin1.rq").write_bytes("SELECT ?x WHERE { ?x ?p \"Zürich\" }".encode("latin-1"))
    with pytest.raises(QueryError, match=r"latin1.rq: not UTF-8 text"):
        resolve(str(tmp_path / "latin1.rq"))
    (tmp_path / "folder.rq").mkdir()
    with pytest.raises(QueryError, match="no such query file"):
        resolve(str(tmp_path / "folder.rq"))


def test_an_unknown_prefix_is_located() -> None:
    with pytest.raises(QueryError) as info:
        query("SELECT ?x\nWHERE { ?x foo:bar ?y }", source=KG)
    assert str(info.value) == (
        "SPARQL error at line 2, column 12: unknown prefix 'foo:' (declare it with PREFIX) in: WHERE { ?x foo:bar ?y }"
    )


@pytest.mark.parametrize("harmless", ["no such organization", "Deutsche Bahn"])
def test_cli_injection_gives_the_same_answer_as_a_harmless_value(run_cli: CliRun, harmless: str) -> None:
    by_name = str(DATA / "org-by-name.rq")
    for value in (INJECTION, 'Deutsche Bahn" } UNION { ?org ?p ?o } #', "Deutsche Bahn'", "Deutsche\\ Bahn"):
        code, out, err = run_cli("query", by_name, "-i", str(KG), "-p", f"name={value}", "--format", "csv")
        assert (code, out, err) == (0, "org\r\n", "")
    code, out, _ = run_cli("query", by_name, "-i", str(KG), "-p", f"name={harmless}", "--format", "csv")
    assert code == 0 and out == ("org\r\n" if harmless != "Deutsche Bahn" else f"org\r\n{KGID}org/deutsche-bahn\r\n")


def test_cli_local_timeout_is_a_one_line_store_error(run_cli: CliRun) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    code, out, err = run_cli("query", "--sparql", slow, "-i", str(KG), "--timeout", "0.05")
    assert (code, out, err) == (3, "", "kgkit: error: query timed out after 0.05 s\n")


@pytest.mark.parametrize("command", [(), ("build",), ("query",), ("explain",)])
def test_help_documents_the_exit_codes(run_cli: CliRun, command: tuple[str, ...]) -> None:
    code, out, _ = run_cli(*command, "--help")
    text = " ".join(out.replace("│", " ").split())
    assert code == 0
    assert "Exit codes: 0 success; 1 validation violations, or no results with --fail-on-empty;" in text
    assert "2 usage or input error; 3 store or network error; 130 interrupted." in text


# --- the two local engines give the same answers -----------------------------------------------------

def _cells(result: QueryResult) -> list[tuple[object, ...]]:
    """Rows with joined cells ("a | b") compared as sets: GROUP_CONCAT's order is not defined."""
    return sorted(tuple(frozenset(str(c).split(" | ")) if c is not None and " | " in str(c) else c for c in row)
                  for row in result.rows)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(load_library()))
def test_oxigraph_and_rdflib_give_the_same_rows(name: str, built_dir: Path) -> None:
    for source in (KG, built_dir):
        fast = query(name, source=source, store="oxigraph")
        slow = query(name, source=source, store="memory")
        assert fast.variables == slow.variables
        assert _cells(fast) == _cells(slow), (name, source)


@pytest.mark.slow
def test_ask_and_construct_on_oxigraph(built_dir: Path) -> None:
    ask = "ASK { ?s a kg:Conference }"
    assert query(ask, source=built_dir, store="oxigraph").boolean is True
    construct = "CONSTRUCT { ?c schema:name ?n } WHERE { ?c a kg:Conference ; schema:name ?n }"
    fast, slow = (query(construct, source=built_dir, store=s).graph for s in ("oxigraph", "memory"))
    assert fast is not None and slow is not None and set(fast) == set(slow) and len(fast) > 0


def test_unknown_store() -> None:
    with pytest.raises(InputError, match="unknown store"):
        query("sessions-by-day", source=KG, store="virtuoso")


@pytest.mark.slow
def test_cli_verbose_names_the_engine(run_cli: Callable[..., tuple[int, str, str]], built_dir: Path) -> None:
    for store in ("oxigraph", "memory"):
        code, _, err = run_cli("query", "sessions-by-day", "-i", str(built_dir), "--store", store, "-v")
        assert code == 0 and err.strip().endswith(f"on {store}") and "rows from" in err


@pytest.mark.slow
def test_the_local_store_can_be_set_in_the_environment(
    run_cli: Callable[..., tuple[int, str, str]], built_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for store in ("oxigraph", "memory"):
        monkeypatch.setenv("KGKIT_LOCAL_STORE", store)
        code, _, err = run_cli("query", "sessions-by-day", "-i", str(built_dir), "-v")
        assert code == 0 and err.strip().endswith(f"on {store}")
    code, _, err = run_cli("query", "sessions-by-day", "-i", str(built_dir), "-v", "--store", "oxigraph")
    assert code == 0 and err.strip().endswith("on oxigraph")  # the option wins over the variable
def test_describe_on_oxigraph_is_told_from_construct() -> None:
    result = query("DESCRIBE <https://w3id.org/kgkit/id/org/shopify>", source=KG, store="oxigraph")
    assert result.kind == "DESCRIBE" and result.graph is not None and len(result.graph) > 0


# --- what a process keeps between queries ------------------------------------------------------------


def test_the_oxigraph_store_is_kept_while_its_file_is_unchanged(tmp_path: Path) -> None:
    from kgkit.stores import oxigraph

    copy = tmp_path / "kg.trig"
    copy.write_bytes(KG.read_bytes())
    first = oxigraph.OxigraphStore.open(copy).union
    assert oxigraph.OxigraphStore.open(copy).union is first
    ask = "ASK { <http://example.org/new> ?p ?o }"
    assert query(ask, source=copy).boolean is False
    with copy.open("a", encoding="utf-8") as out:
        out.write("\n<http://example.org/g> { <http://example.org/new> <http://example.org/p> 1 . }\n")
    assert oxigraph.OxigraphStore.open(copy).union is not first
    assert query(ask, source=copy).boolean is True
    oxigraph.forget_stores()
    assert oxigraph.OxigraphStore.open(copy).union is not first


def test_the_word_graph_outside_the_graph_keyword_keeps_the_union_store(tmp_path: Path) -> None:
    from kgkit.stores import oxigraph

    copy = tmp_path / "kg.trig"
    copy.write_bytes(KG.read_bytes())
    text = '# over the whole graph\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "graph") }'
    union = query(text, source=copy).rows
    assert oxigraph.OxigraphStore.open(copy).named is None  # no copy with the named graphs was made
    graphs = query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", source=copy)
    assert oxigraph.OxigraphStore.open(copy).named is not None and int(graphs.rows[0][0]) > 1  # type: ignore[arg-type]
    assert query(text, source=copy).rows == union  # the union store still answers the others


def test_a_changed_query_file_is_read_again(tmp_path: Path) -> None:
    import os

    rq = tmp_path / "mine.rq"
    rq.write_text("#+ summary: first\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert load_library(tmp_path)["mine"].summary == "first"
    rq.write_text("#+ summary: second\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    info = rq.stat()
    os.utime(rq, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # a new time even on a coarse clock
    assert load_library(tmp_path)["mine"].summary == "second"


# --- an engine's own refusal, placed in the user's text (issue 17, item 8) -----------------------------


@pytest.mark.parametrize("where", ["local", "remote"])
def test_an_oxigraph_syntax_error_names_the_place_in_the_users_text(
    run_cli: CliRun, tmp_path: Path, oxigraph_url: str, where: str
) -> None:
    """rdflib takes these queries; Oxigraph (embedded or a server) refuses them. The line and column
    are counted in the user's text, not from kgkit's PREFIX lines and VALUES clause, and the reason is
    said in words, not as a list of expected tokens."""
    source = ("-i", str(KG)) if where == "local" else ("--endpoint", oxigraph_url)
    grouped = tmp_path / "grouped.rq"
    grouped.write_text("#+ summary: grouped\nSELECT * WHERE { ?s ?p ?_v }\nGROUP BY ?s\n", encoding="utf-8")
    code, out, err = run_cli("query", str(grouped), "-p", "v=x", *source)
    assert (code, out) == (2, "")
    assert err == (
        f"kgkit: error: {grouped}:3: SPARQL syntax error at line 3, column 12: SELECT * is not authorized with "
        "GROUP BY (at the end of the query) in: GROUP BY ?s\n"
    )
    unbound = tmp_path / "unbound.rq"  # the VALUES clause goes in on the line of the error
    unbound.write_text("#+ summary: unbound\nSELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?_v }\n", encoding="utf-8")
    code, out, err = run_cli("query", str(unbound), "-p", "v=x", *source)
    assert (code, out) == (2, "")
    assert err == (
        f"kgkit: error: {unbound}:2: SPARQL syntax error at line 2, column 47: The SELECT contains a variable "
        "that is unbound (at the end of the query) in: SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?_v }\n"
    )
    code, out, err = run_cli("query", "--sparql", "SELECT ?s\nWHERE { ?s ?p ?o . BIND(1 AS ?s) }", *source)
    assert code == 2 and err.startswith("kgkit: error: SPARQL syntax error at line 2, column 35: ")
    assert "expected" not in err and "[_]" not in err and err.count("\n") == 1


# --- tables that fit, and formats that apply (issue 17, items 5 and 9) ---------------------------------


def test_cli_table_fits_max_width_and_other_formats_keep_every_character(run_cli: CliRun, built_dir: Path) -> None:
    code, full, _ = run_cli("query", "orgs-on-sustainability", "-i", str(built_dir), "--max-width", "0")
    assert code == 0 and max(len(line) for line in full.splitlines()) > 300  # not a terminal: nothing cut
    code, fitted, _ = run_cli("query", "orgs-on-sustainability", "-i", str(built_dir), "--max-width", "100")
    lines = fitted.splitlines()
    assert code == 0 and len(lines) == len(full.splitlines())
    assert max(len(line) for line in lines) <= 100 and "…" in fitted
    assert lines[0].split() == ["organization", "evidence", "sessions", "documents"]
    assert "Deutsche Bahn" in fitted and "Cloud Native Computing …" in fitted  # a cut cell ends in an ellipsis
    for fmt in ("csv", "tsv", "json", "md"):
        code, out, _ = run_cli("query", "orgs-on-sustainability", "-i", str(built_dir), "-f", fmt, "--max-width", "40")
        assert code == 0 and "…" not in out and max(len(line) for line in out.splitlines()) > 300, fmt


def test_cli_table_fits_the_terminal(built_dir: Path) -> None:
    """On a terminal (a pseudo-terminal here, 90 columns) the table fits its width by default."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from kgkit.cli import main; main()", "query", "orgs-on-sustainability",
         "-i", str(built_dir)],
        stdout=follower, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "90"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    lines = b"".join(chunks).decode("utf-8").splitlines()
    assert process.returncode == 0 and len(lines) > 10
    assert max(len(line) for line in lines) <= 90 and any(line.rstrip().endswith("…") for line in lines)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md"])
def test_cli_a_graph_is_refused_by_the_formats_that_hold_rows(run_cli: CliRun, fmt: str) -> None:
    construct = "CONSTRUCT { ?o a kg:Organization } WHERE { ?o kg:spokeOn ?t }"
    code, out, err = run_cli("query", "--sparql", construct, "-i", str(KG), "--format", fmt)
    assert (code, out) == (2, "")
    assert err == (
        f"kgkit: error: --format {fmt} writes rows, and a CONSTRUCT query gives a graph: choose table (Turtle), "
        "json (JSON-LD), turtle, nt, nquads, trig, jsonld or xml\n"
    )


def test_cli_a_graph_in_the_formats_that_hold_one(run_cli: CliRun) -> None:
    construct = "CONSTRUCT { ?o a kg:Organization } WHERE { ?o kg:spokeOn ?t }"
    for fmt, parse_as in [("table", "turtle"), ("json", "json-ld"), ("nt", "nt"), ("xml", "xml"), ("trig", "trig")]:
        code, out, err = run_cli("query", "--sparql", construct, "-i", str(KG), "--format", fmt)
        assert code == 0, err
        assert len(Graph().parse(data=out, format=parse_as)) == 5, fmt
    code, _, err = run_cli("query", "sessions-by-day", "-i", str(KG), "--format", "turtle")
    assert code == 2 and "it writes graphs, and a SELECT query gives rows; choose one of: table, csv" in err


# --- parameters of a known kind (issue 17, item 10) ----------------------------------------------------


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_cli_an_unknown_topic_or_conference_names_the_closest(run_cli: CliRun, store: str) -> None:
    code, out, err = run_cli("query", "orgs-on-sustainability", "-i", str(KG), "--store", store,
                             "-p", "root=kgid:topic/energy-eficiency")
    assert (code, out) == (2, "")
    assert err == ("kgkit: error: no such topic kgid:topic/energy-eficiency (parameter root); "
                   "did you mean kgid:topic/energy-efficiency?\n")
    code, _, err = run_cli("query", "sessions-by-day", "-i", str(KG), "--store", store,
                           "-p", "conference=kgid:conference/kubecon-europe-2024")
    assert code == 2 and "no such conference kgid:conference/kubecon-europe-2024 (parameter conference); " \
        "did you mean kgid:conference/kubecon-cloudnativecon-europe-2024" in err
    code, _, err = run_cli("query", "orgs-on-sustainability", "-i", str(KG), "-p", "root=kgid:org/shopify")
    assert code == 2 and "no such topic kgid:org/shopify" in err  # an IRI, but not a topic's
    code, out, _ = run_cli("query", "orgs-on-sustainability", "-i", str(KG), "-p", "root=kgid:topic/energy-efficiency")
    assert code == 0 and "Shopify" in out  # a known one still answers


def test_cli_list_verbose_shows_the_allowed_values(run_cli: CliRun) -> None:
    code, out, _ = run_cli("query", "--list", "-v", "-i", str(KG))
    assert code == 0
    block = next(b for b in out.split("\n\n") if b.startswith("orgs-on-sustainability"))
    lines = block.splitlines()
    assert "    --param root=<topic IRI>  (optional, default kgid:topic/sustainability)" in lines
    assert any(line.split() == ["kgid:topic/energy-efficiency", "energy", "efficiency"] for line in lines)
    assert "kgid:conference/kubecon-cloudnativecon-europe-2024" in {line.split()[0] for line in lines}
    code, plain, _ = run_cli("query", "--list")
    assert code == 0 and "kgid:topic/energy-efficiency" not in plain and "--param root=<iri>" in plain
