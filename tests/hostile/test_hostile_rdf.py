"""RDF given with ``-i`` that is made to attack a parser: XML external entities and entity expansion,
JSON-LD contexts that point elsewhere, huge literals, deep nesting, invalid IRIs, bad escapes, NUL
bytes and compressed bombs. Each is refused (exit 2, one line) before it costs memory or time, by every
command and engine that reads RDF, nothing is fetched, and the previous export stays as it was.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import Recorder, assert_refused, digest, kgkit, no_temporary_files

from kgkit.rdf import contexts, guard

CliRun = Callable[..., tuple[int, str, str]]

XXE_FILE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="https://schema.org/">
  <rdf:Description rdf:about="http://x.example/a"><s:name>&xxe;</s:name></rdf:Description>
</rdf:RDF>
"""
XXE_PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "{url}/dtd"> %remote; ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>
"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "' + "lol" * 10 + '">\n'
    + "".join(f' <!ENTITY {b} "{("&" + a + ";") * 10}">\n' for a, b in zip("abcdefgh", "bcdefghi", strict=True))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="https://schema.org/">\n'
    '  <rdf:Description rdf:about="http://x.example/a"><s:name>&i;</s:name></rdf:Description>\n</rdf:RDF>\n'
)
# every command that reads -i, on each engine
READERS = [
    ("export", "-f", "nt"),
    ("export", "-f", "turtle"),
    ("query", "--sparql", "ASK {}"),
    ("query", "--store", "memory", "--sparql", "ASK {}"),
    ("validate",),
]


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_export_refused(run_cli: CliRun, source: Path, *fragments: str) -> None:
    """An export of ``source`` over an existing file fails with one line and leaves that file."""
    out = source.parent / "previous.nt"
    out.write_text("<http://x.example/old> <http://x.example/p> <http://x.example/o> .\n")
    before = digest(out)
    assert_refused(run_cli("export", "-i", str(source), "-f", "nt", "-o", str(out)), 2, *fragments)
    assert digest(out) == before and no_temporary_files(source.parent)


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_xml_external_entity_is_refused_by_every_reader(
    run_cli: CliRun, tmp_path: Path, command: tuple[str, ...]
) -> None:
    source = write(tmp_path, "xxe.rdf", XXE_FILE)
    line = assert_refused(run_cli(*command, "-i", str(source)), 2, "external entity xxe", "file:///etc/passwd")
    assert "root:" not in line


def test_xml_external_entities_fetch_nothing(run_cli: CliRun, tmp_path: Path, recorder: Recorder) -> None:
    general = write(tmp_path, "http.rdf", XXE_FILE.replace("file:///etc/passwd", f"{recorder.url}/xxe"))
    parameter = write(tmp_path, "parameter.rdf", XXE_PARAMETER.format(url=recorder.url))
    for source in (general, parameter):
        for command in READERS:
            code, _, err = run_cli(*command, "-i", str(source))
            assert code == 2 and "entity" in err, err
    assert_export_refused(run_cli, general, "external entity")
    assert recorder.requests == []


def test_billion_laughs_is_refused_in_bounded_memory_and_time(tmp_path: Path) -> None:
    source = write(tmp_path, "laughs.rdf", LAUGHS)
    for command in READERS:
        run = kgkit(*command, "-i", str(source), timeout=20)  # (2 GB of address space at most)
        assert_refused(run, 2, "in terms of other entities")
        assert run.seconds < 10


def test_many_plain_entities_are_refused_past_the_expansion_limit(run_cli: CliRun, tmp_path: Path) -> None:
    big = "x" * 10_000
    body = "".join(f'<rdf:Description rdf:about="http://x.example/{i}"><s:name>' + "&big;" * 20 + "</s:name>"
                   "</rdf:Description>" for i in range(10))
    source = write(tmp_path, "wide.rdf", f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "{big}"> ]>\n'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="https://schema.org/">'
                   f"{body}</rdf:RDF>\n")
    assert_refused(run_cli("export", "-i", str(source), "-f", "nt"), 2, "would add 2 MB when expanded")


def test_namespace_entities_as_ontology_editors_write_them_still_work(run_cli: CliRun, tmp_path: Path) -> None:
    source = write(tmp_path, "onto.rdf", '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
                   '  <!ENTITY s "https://schema.org/">\n  <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n]>\n'
                   '<rdf:RDF xmlns:rdf="&rdf;" xmlns:s="&s;"><rdf:Description rdf:about="&s;x"><s:name>X</s:name>'
                   "</rdf:Description></rdf:RDF>\n")
    code, out, err = run_cli("export", "-i", str(source), "-f", "nt")
    assert code == 0 and out == '<https://schema.org/x> <https://schema.org/name> "X" .\n', err


#: JSON-LD documents that reference a context at the given base URL, in each way JSON-LD allows
JSONLD_REFERENCES: dict[str, Callable[[str], dict[str, object]]] = {
    "context URL": lambda url: {"@context": f"{url}/context.jsonld", "@id": "http://x.example/a", "name": "A"},
    "context in a list": lambda url: {"@context": [{"x": "http://x.example/"}, f"{url}/context.jsonld"],
                                      "@id": "http://x.example/a", "name": "A"},
    "@import": lambda url: {"@context": {"@version": 1.1, "@import": f"{url}/context.jsonld"},
                            "@id": "http://x.example/a", "name": "A"},
    "scoped context": lambda url: {"@context": {"knows": {"@id": "http://x.example/knows",
                                                          "@context": f"{url}/context.jsonld"}},
                                   "@id": "http://x.example/a", "knows": {"name": "B"}},
    "nested node": lambda url: {"@id": "http://x.example/a",
                                "http://x.example/p": {"@context": f"{url}/context.jsonld", "name": "B"}},
}
JSONLD_READERS = [
    ("export", "-f", "nt"),
    ("query", "--store", "memory", "--sparql", "ASK {}"),
    ("validate",),
    ("explain", "A"),
]


@pytest.mark.parametrize("shape", sorted(JSONLD_REFERENCES))
def test_remote_jsonld_contexts_are_never_fetched(
    run_cli: CliRun, tmp_path: Path, recorder: Recorder, shape: str
) -> None:
    source = write(tmp_path, "remote.jsonld", json.dumps(JSONLD_REFERENCES[shape](recorder.url)))
    for command in JSONLD_READERS:
        assert_refused(run_cli(*command, "-i", str(source)), 2, "kgkit does not fetch remote JSON-LD contexts",
                       "--allow-remote-context")
    assert_export_refused(run_cli, source, "--allow-remote-context")
    assert recorder.requests == []


def test_a_local_file_as_context_is_not_read(run_cli: CliRun, tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.json", '{"@context": {"name": "https://schema.org/name"}, "token": "s3cr3t"}')
    for ref in (secret.as_uri(), "secret.json"):
        document = {"@context": ref, "@id": "http://x.example/a", "name": "A"}
        source = write(tmp_path, "local.jsonld", json.dumps(document))
        line = assert_refused(run_cli("export", "-i", str(source), "-f", "nt"), 2, "does not fetch")
        assert "s3cr3t" not in line
        line = assert_refused(run_cli("export", "-i", str(source), "-f", "nt", "--allow-remote-context"), 2,
                              "only an http(s) URL")
        assert "s3cr3t" not in line


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.1.2.3", "10.0.0.1", "169.254.169.254",
                                  "0.0.0.0", "[::ffff:127.0.0.1]"])
def test_allowed_remote_contexts_never_go_to_loopback_or_private_addresses(
    run_cli: CliRun, tmp_path: Path, recorder: Recorder, host: str
) -> None:
    url = f"http://{host}:{recorder.port}"
    source = write(tmp_path, "remote.jsonld", json.dumps(JSONLD_REFERENCES["context URL"](url)))
    for command in JSONLD_READERS:
        assert_refused(run_cli(*command, "-i", str(source), "--allow-remote-context"), 2,
                       "a loopback or private address")
    assert recorder.requests == []


def test_allowed_remote_contexts_are_fetched_once_and_redirects_are_checked(
    run_cli: CliRun, tmp_path: Path, recorder: Recorder, second_recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What --allow-remote-context does from a public address, with 127.0.0.1 standing in for one
    (the address policy is the one thing replaced); a redirect to another address is checked again."""
    monkeypatch.setattr(contexts, "public_address", lambda address: address == "127.0.0.1")
    source = write(tmp_path, "remote.jsonld", json.dumps(JSONLD_REFERENCES["@import"](recorder.url)))
    code, out, err = run_cli("export", "-i", str(source), "-f", "nt", "--allow-remote-context")
    assert code == 0 and out == '<http://x.example/a> <https://schema.org/name> "A" .\n', err
    assert [(r.method, r.path) for r in recorder.requests] == [("GET", "/context.jsonld")]
    assert recorder.requests[0].headers["Host"] == f"127.0.0.1:{recorder.port}"
    # a redirect to an address the policy refuses (127.0.0.2 standing in for a private one) is refused
    recorder.respond = lambda handler, request: recorder.answer(
        handler, 302, b"", Location=f"http://127.0.0.2:{second_recorder.port}/context.jsonld")
    assert_refused(run_cli("export", "-i", str(source), "-f", "nt", "--allow-remote-context"), 2,
                   "127.0.0.2, a loopback or private address")
    assert second_recorder.requests == []


def test_a_remote_context_that_never_ends_is_bounded(
    run_cli: CliRun, tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contexts, "public_address", lambda address: address == "127.0.0.1")
    monkeypatch.setattr(contexts, "MAX_CONTEXT_BYTES", 100_000)
    recorder.body = b'{"@context": {"x": "' + b"x" * 200_000 + b'"}}'
    source = write(tmp_path, "remote.jsonld", json.dumps(JSONLD_REFERENCES["context URL"](recorder.url)))
    assert_refused(run_cli("export", "-i", str(source), "-f", "nt", "--allow-remote-context"), 2, "larger than")


def test_a_huge_literal_is_refused_by_both_engines(run_cli: CliRun, tmp_path: Path) -> None:
    source = write(tmp_path, "big.nt", b'<http://x.example/a> <http://x.example/p> "' + b"a" * (17 * 2**20) + b'" .\n')
    for command in READERS:
        run = kgkit(*command, "-i", str(source), timeout=30)
        assert_refused(run, 2, "16 MB")
    assert_export_refused(run_cli, source, "16 MB")


def test_a_file_too_large_for_rdflib_is_refused_before_reading(
    run_cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "MAX_RDFLIB_BYTES", 1000)
    source = write(tmp_path, "many.nt", "".join(f"<http://x.example/{i}> <http://x.example/p> \"{i}\" .\n"
                                                 for i in range(100)))
    assert_refused(run_cli("query", "--store", "memory", "--sparql", "ASK {}", "-i", str(source)), 2,
                   "too large to read into memory with rdflib", "--store oxigraph")
    assert run_cli("query", "--sparql", "ASK {}", "-i", str(source))[0] == 0  # Oxigraph streams it


def test_deep_nesting_is_a_one_line_error(run_cli: CliRun, tmp_path: Path) -> None:
    n = 3000
    shapes = {
        "blank.ttl": "<http://x.example/a> <http://x.example/p> " + "[ <http://x.example/p> " * n + '"x"' + " ]" * n
                     + " .\n",
        "list.ttl": "<http://x.example/a> <http://x.example/p> " + "( " * n + '"x"' + " )" * n + " .\n",
        "deep.jsonld": '{"@id": "http://x.example/a", "http://x.example/p": ' + "[" * 100_000 + "]" * 100_000 + "}",
    }
    for name, text in shapes.items():
        source = write(tmp_path, name, text)
        assert_refused(run_cli("query", "--store", "memory", "--sparql", "ASK {}", "-i", str(source)), 2,
                       "nested too deeply")
        assert_export_refused(run_cli, source, "nested too deeply")
    chain = write(tmp_path, "chain.nt", "".join(f"_:b{i} <http://x.example/p> _:b{i + 1} .\n" for i in range(n)))
    for fmt in ("turtle", "jsonld"):
        assert_refused(run_cli("export", "-i", str(chain), "-f", fmt), 2, "nested too deeply")
    code, out, _ = run_cli("export", "-i", str(chain), "-f", "nt")  # (not relabelled: hours for rdflib)
    assert code == 0 and out.count("\n") == n


@pytest.mark.parametrize(("name", "line", "shown"), [
    ("nul.nt", b"<http://x.example/a\x00b> <http://x.example/p> \"a\" .\n", "'\\x00'"),
    ("escaped-gt.nt", b"<http://x.example/a\\u003Eb> <http://x.example/p> \"a\" .\n", "'>'"),
    ("space.ttl", b"<http://x.example/a b> <http://x.example/p> \"a\" .\n", "' '"),
    ("quote.nq", b"<http://x.example/a> <http://x.example/p> <http://x.example/\\u0022> <http://g.example/> .\n",
     "'\"'"),
])
def test_an_iri_no_syntax_can_write_is_refused(run_cli: CliRun, tmp_path: Path, name: str, line: bytes,
                                              shown: str) -> None:
    source = write(tmp_path, name, line)
    for command in READERS:
        code, _, err = run_cli(*command, "-i", str(source))
        assert code == 2 and "\n" not in err.strip() and "IRI" in err, (command, err)
    assert_export_refused(run_cli, source, "IRI")


def test_bad_escapes_are_a_one_line_error_or_read_as_text(run_cli: CliRun, tmp_path: Path) -> None:
    """Oxigraph refuses a bad escape; rdflib reads some as text (``\\q``, ``\\uZZZZ``): then what is
    written must be valid N-Triples. An escaped lone surrogate is refused by both."""
    import pyoxigraph as ox

    cases = {"q.ttl": '<http://x.example/a> <http://x.example/p> "a\\q" .\n',
             "u.nt": '<http://x.example/a> <http://x.example/p> "a\\uZZZZ" .\n',
             "surrogate.nt": '<http://x.example/a> <http://x.example/p> "a\\uD800" .\n'}
    for name, text in cases.items():
        source = write(tmp_path, name, text)
        for command in READERS:
            code, out, err = run_cli(*command, "-i", str(source))
            if code == 0 and command[0] == "export" and command[2] == "nt":
                assert list(ox.parse(out.encode(), ox.RdfFormat.N_TRIPLES)), (name, out)
            else:
                assert code in (0, 2) and len(err.strip().splitlines()) <= 1, (name, command, err)
        assert run_cli("query", "--sparql", "ASK {}", "-i", str(source))[0] == 2  # Oxigraph: an error
    assert_export_refused(run_cli, tmp_path / "surrogate.nt", "surrogate")


def test_nul_in_a_literal_is_exported_escaped_and_readable(run_cli: CliRun, tmp_path: Path) -> None:
    source = write(tmp_path, "nul.nt", b'<http://x.example/a> <http://x.example/p> "a\\u0000b\\u001bc" .\n')
    for fmt in ("nt", "nquads", "turtle", "trig"):
        code, out, err = run_cli("export", "-i", str(source), "-f", fmt)
        assert code == 0 and "\x00" not in out and "\x1b" not in out, (fmt, err)
        again = write(tmp_path, f"again.{ {'nt': 'nt', 'nquads': 'nq', 'turtle': 'ttl', 'trig': 'trig'}[fmt]}", out)
        assert run_cli("query", "--sparql", 'ASK { ?s ?p "a\\u0000b\\u001bc" }', "-i", str(again))[1].strip().endswith(
            "true")


@pytest.mark.parametrize("kind", ["gzip", "bzip2", "xz", "zip"])
def test_compressed_bombs_renamed_ttl_are_refused_unread(run_cli: CliRun, tmp_path: Path, kind: str) -> None:
    import bz2
    import lzma
    import zipfile

    zeros = b"\0" * (10 * 2**20)
    if kind == "gzip":
        data = gzip.compress(zeros)
    elif kind == "bzip2":
        data = bz2.compress(zeros)
    elif kind == "xz":
        data = lzma.compress(zeros)
    else:
        with zipfile.ZipFile(tmp_path / "z.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("kg.ttl", zeros)
        data = (tmp_path / "z.zip").read_bytes()
    source = write(tmp_path, "kg.ttl", data)
    for command in READERS:
        assert_refused(run_cli(*command, "-i", str(source)), 2, f"{kind}-compressed data", "decompress it first")
    assert_export_refused(run_cli, source, "compressed")
    build = tmp_path / "build"
    build.mkdir()
    (build / "kg.nq").write_bytes(gzip.compress(b"<http://x.example/a> <http://x.example/p> <http://x.example/o> .\n"))
    assert_refused(run_cli("query", "--sparql", "ASK {}", "-i", str(build)), 2, "gzip-compressed")
