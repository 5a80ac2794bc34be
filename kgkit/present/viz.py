"""Pictures of the graph: ``kgkit viz`` draws the whole graph, one entity's neighbourhood or the ontology.

Nodes are labelled with names (never IRIs) and coloured by class; edges are labelled with the
relation. Graphviz lays the picture out: the Python ``graphviz`` package (``pip install
'kgkit[viz]'``) builds the DOT text and Graphviz's ``dot`` program (Debian package ``graphviz``)
renders it. The output format comes from the file extension, looked up in :data:`OUTPUTS`:

- ``.svg`` / ``.png`` — the picture;
- ``.html`` — a self-contained interactive page (inline SVG and a little inline JavaScript: click a
  node to highlight its neighbours, type to find a node, drag to pan, scroll to zoom; works offline);
- ``.dot`` — the Graphviz source, to lay out or style by hand.

>>> viz("KubeCon + CloudNativeCon Europe 2024", topic="sustainability",
...     output="sessions.svg")  # doctest: +SKIP
PosixPath('sessions.svg')
>>> viz(ontology=True, output="ontology.png")  # doctest: +SKIP
PosixPath('ontology.png')
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import subprocess
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, SKOS, Dataset, Graph, URIRef
from rdflib.term import Node

from kgkit import resources
from kgkit.errors import InputError
from kgkit.graph.labels import label
from kgkit.present.explain import resolve
from kgkit.rdf.files import atomic_write, printable
from kgkit.rdf.read import as_graph
from kgkit.rdf.terms import KG, PREFIXES

if TYPE_CHECKING:
    import graphviz

ONTOLOGY_FILE = resources.ontology_file()
FONT = "Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class ClassStyle:
    """How nodes of one class look: the name in the legend, the fill colour and the Graphviz shape."""

    name: str
    colour: str
    shape: str


#: The classes drawn as nodes, in order of precedence when a node has several types.
CLASS_STYLES: dict[URIRef, ClassStyle] = {
    KG.Conference: ClassStyle("Conference", "#f4a261", "box3d"),
    KG.Event: ClassStyle("Event", "#f6d38b", "box3d"),
    KG.Session: ClassStyle("Session", "#8ecae6", "note"),
    KG.Organization: ClassStyle("Organization", "#95d5b2", "box"),
    KG.Person: ClassStyle("Person", "#f4a5ae", "ellipse"),
    KG.Project: ClassStyle("Project", "#b8c0ff", "component"),
    KG.Service: ClassStyle("Online service", "#cfd8dc", "component"),
    KG.Topic: ClassStyle("Topic", "#e0c3fc", "oval"),
    KG.Place: ClassStyle("Place", "#d9d9d9", "house"),
    KG.Document: ClassStyle("Document", "#f1f1f1", "tab"),
}

#: The relations drawn as edges, with their labels.
RELATIONS: dict[URIRef, str] = {
    KG.partOf: "part of",
    KG.presenter: "presenter",
    KG.featuresOrganization: "features",
    KG.organizer: "organizer",
    KG.affiliation: "works at",
    KG.topic: "topic",
    KG.spokeOn: "spoke on",
    KG.mentionsProject: "mentions",
    KG.uses: "uses",
    KG.location: "in",
    KG.containedInPlace: "in",
    KG.author: "author",
    KG.mentions: "mentions",
    SKOS.broader: "broader",
}
#: Relations from a part to its whole, laid out whole first (left) with the arrow still on the whole.
DRAWN_BACKWARDS = {KG.partOf, KG.containedInPlace, SKOS.broader}


# --- choosing what to draw -------------------------------------------------------------------------


def class_of(graph: Graph, node: Node) -> URIRef | None:
    """The first class of CLASS_STYLES that ``node`` has, or None (evidence, selectors, literals)."""
    types = set(graph.objects(node, RDF.type))
    return next((c for c in CLASS_STYLES if c in types), None)


def neighbours(graph: Graph, node: Node, *, documents: bool = False) -> set[URIRef]:
    """The entities linked to ``node`` by one of RELATIONS, either way (documents only if asked)."""
    found = set()
    for p in RELATIONS:
        found |= {o for o in graph.objects(node, p) if isinstance(o, URIRef)}
        found |= {s for s in graph.subjects(p, node) if isinstance(s, URIRef)}
    excluded = {None} if documents else {None, KG.Document}
    return {n for n in found if class_of(graph, n) not in excluded}


def topic_and_narrower(graph: Graph, topic: URIRef) -> set[URIRef]:
    """``topic`` and every topic below it (skos:broader, transitively)."""
    found, todo = {topic}, [topic]
    while todo:
        for narrower in graph.subjects(SKOS.broader, todo.pop()):
            if isinstance(narrower, URIRef) and narrower not in found:
                found.add(narrower)
                todo.append(narrower)
    return found


def is_about(graph: Graph, node: URIRef, topics: set[URIRef]) -> bool:
    """Whether a session, event or document has one of ``topics``, or an agent or project spoke on one."""
    prop = KG.spokeOn if class_of(graph, node) in (KG.Organization, KG.Person, KG.Project) else KG.topic
    return any(t in topics for t in graph.objects(node, prop))


def select(graph: Graph, focus: list[URIRef], topics: Iterable[URIRef] | None = None) -> set[URIRef]:
    """The nodes of a picture: the whole graph (no focus, documents left out) or the focus's neighbourhood.

    A neighbourhood is the focus, its neighbours, the neighbours of its sessions (speakers,
    organizations, topics, projects, conference) and the affiliations of the people among them:
    a conference with its sessions, speakers and organizations; an organization with its talks
    and projects. With ``topics``, only the focus, the nodes about one of them or a narrower topic
    (see :func:`is_about`) and the neighbours of the sessions about one remain; ``topics``
    themselves are left out (every node is about them: the title says so).
    """
    if focus:
        with_documents = any(class_of(graph, f) == KG.Document for f in focus)
        nodes = set(focus).union(*(neighbours(graph, f, documents=with_documents) for f in focus))
        for session in [n for n in nodes if class_of(graph, n) == KG.Session]:
            nodes |= neighbours(graph, session)
    else:
        drawn = [c for c in CLASS_STYLES if c != KG.Document]
        nodes = {n for c in drawn for n in graph.subjects(RDF.type, c) if isinstance(n, URIRef)}
    if topics is not None:
        wanted = set().union(*(topic_and_narrower(graph, t) for t in topics))
        kept = set(focus) | {n for n in nodes if is_about(graph, n, wanted)}
        for session in [n for n in kept if class_of(graph, n) == KG.Session]:
            kept |= neighbours(graph, session) & nodes
        nodes = kept - (set(topics) - set(focus))
    for person in [n for n in nodes if class_of(graph, n) == KG.Person]:
        nodes |= {o for o in graph.objects(person, KG.affiliation) if isinstance(o, URIRef)}
    return nodes


def edges(graph: Graph, nodes: set[URIRef]) -> list[tuple[URIRef, URIRef, URIRef]]:
    """Every RELATIONS triple between two of ``nodes``, sorted."""
    return sorted(
        (s, p, o)
        for p in RELATIONS
        for s, o in graph.subject_objects(p)
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s in nodes and o in nodes
    )


# --- building the Graphviz picture -----------------------------------------------------------------


def _graphviz() -> Any:
    """The ``graphviz`` module, or InputError saying how to install it."""
    try:
        import graphviz
    except ImportError:
        raise InputError("pictures need the graphviz Python package: pip install 'kgkit[viz]'") from None
    return graphviz


def _text(graphviz: Any, text: str, width: int = 28, lines: int = 3) -> Any:
    """A plain-text Graphviz label (never read as an HTML label or escape sequence), wrapped."""
    wrapped = textwrap.wrap(" ".join(printable(text).split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …")]
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in wrapped))


def _heading(title: str, classes: Iterable[URIRef]) -> str:
    """A Graphviz HTML label: the title over a legend of the classes drawn."""
    cells = "".join(
        f'<td bgcolor="{CLASS_STYLES[c].colour}">{CLASS_STYLES[c].name}</td>' for c in CLASS_STYLES if c in classes
    )
    return (
        f'<<table border="0" cellspacing="4"><tr><td><font point-size="18">{html.escape(printable(title))}</font>'
        "</td></tr>"
        f'<tr><td><table border="0" cellspacing="4"><tr>{cells}</tr></table></td></tr></table>>'
    )


def picture(graph: Graph, nodes: set[URIRef], title: str, focus: Iterable[URIRef] = ()) -> graphviz.Digraph:
    """The Graphviz digraph of ``nodes`` and the edges between them, focus nodes drawn bold."""
    gv = _graphviz()
    classes = {c for c in (class_of(graph, n) for n in nodes) if c is not None}
    dot = gv.Digraph("kgkit", graph_attr={
        "rankdir": "LR", "fontname": FONT, "labelloc": "t", "label": _heading(title, classes),
        "bgcolor": "white", "pad": "0.3", "nodesep": "0.25", "ranksep": "0.9",
    })
    dot.attr("node", fontname=FONT, fontsize="11", style="filled", penwidth="1", color="#555555")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#777777", fontcolor="#444444", arrowsize="0.7")
    ordered = sorted(nodes, key=lambda n: (label(graph, n).casefold(), str(n)))
    ids = {node: f"n{i}" for i, node in enumerate(ordered)}
    focus = set(focus)
    for node in ordered:
        cls = class_of(graph, node)
        style = CLASS_STYLES[cls] if cls is not None else ClassStyle("Thing", "#ffffff", "box")
        name = label(graph, node)
        attrs = {"id": ids[node], "class": style.name, "shape": style.shape, "fillcolor": style.colour,
                 "tooltip": gv.escape(printable(f"{style.name}: {name}", one_line=True))}
        if node in focus:
            attrs |= {"penwidth": "3", "fontsize": "13"}
        dot.node(ids[node], _text(gv, name), **attrs)
    for s, p, o in edges(graph, nodes):
        # the SVG class names both ends: what the HTML page's script highlights neighbours by
        attrs = {"label": RELATIONS[p], "class": f"{ids[s]} {ids[o]}",
                 "tooltip": gv.escape(printable(f"{label(graph, s)} {RELATIONS[p]} {label(graph, o)}", one_line=True))}
        if p in DRAWN_BACKWARDS:  # laid out whole first, the arrow still pointing at the whole
            dot.edge(ids[o], ids[s], dir="back", **attrs)
        else:
            dot.edge(ids[s], ids[o], **attrs)
    return dot


def ontology_picture(ontology: Graph) -> graphviz.Digraph:
    """The ontology as a class diagram: classes with their datatype properties, subclass arrows (hollow
    heads) to the schema.org, SKOS and PROV-O classes they refine, object properties as labelled arrows."""
    gv = _graphviz()
    dot = gv.Digraph("ontology", graph_attr={
        "rankdir": "BT", "fontname": FONT, "labelloc": "t", "pad": "0.3", "nodesep": "0.35", "ranksep": "0.7",
        "label": "<<font point-size=\"18\">kgkit ontology: classes and properties</font>>",
    })
    dot.attr("node", fontname=FONT, fontsize="11", shape="plaintext")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#555555", fontcolor="#333333", arrowsize="0.7")
    ns = PREFIXES["kg"]
    classes = sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    domain_of = _domains(ontology)
    drawn: set[URIRef] = set()

    def node(term: URIRef) -> str:
        name = _qname(term)
        node_id = re.sub(r"\W", "_", name)  # "kg:Person" would read as node "kg", port "Person"
        if term not in drawn:
            drawn.add(term)
            own = term.startswith(ns)
            colour = CLASS_STYLES[term].colour if term in CLASS_STYLES else ("#eeeeee" if own else "#ffffff")
            rows = "".join(
                f'<tr><td align="left">{html.escape(_qname(p, ns))} : {html.escape(_qname(r, ns))}</td></tr>'
                for p, r in domain_of.get(term, [])
            )
            head = f"<b>{html.escape(name.removeprefix('kg:'))}</b>" if own else f"<i>{html.escape(name)}</i>"
            dot.node(node_id, f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" color="#555555">'
                           f'<tr><td bgcolor="{colour}">{head}</td></tr>{rows}</table>>',
                     id=node_id, tooltip=gv.escape(str(term)))
        return node_id

    for cls in classes:
        node(cls)
        for sup in sorted(s for s in ontology.objects(cls, RDFS.subClassOf) if isinstance(s, URIRef)):
            style = "solid" if sup.startswith(ns) else "dashed"
            dot.edge(node(cls), node(sup), arrowhead="onormal", style=style)
    for prop in sorted(p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)):
        domain = ontology.value(prop, RDFS.domain) or OWL.Thing
        range_ = ontology.value(prop, RDFS.range) or OWL.Thing
        if isinstance(domain, URIRef) and isinstance(range_, URIRef):
            dot.edge(node(domain), node(range_), label=gv.escape(_qname(prop, ns)), color="#2a6f97",
                     fontcolor="#2a6f97")
    return dot


def _domains(ontology: Graph) -> dict[URIRef, list[tuple[URIRef, URIRef]]]:
    """Class -> its datatype properties with their ranges (sorted), for the class boxes."""
    found: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for prop in sorted(p for p in ontology.subjects(RDF.type, OWL.DatatypeProperty) if isinstance(p, URIRef)):
        domain = ontology.value(prop, RDFS.domain) or OWL.Thing
        range_ = ontology.value(prop, RDFS.range) or RDFS.Literal
        if isinstance(domain, URIRef) and isinstance(range_, URIRef):
            found.setdefault(domain, []).append((prop, range_))
    return found


def _qname(term: URIRef, own: str = "") -> str:
    """``schema:Event`` for a term in a kgkit prefix; the bare local name for terms of ``own``."""
    if own and term.startswith(own):
        return term[len(own):]
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if term.startswith(ns):
            return f"{prefix}:{term[len(ns):]}"
    return str(term)


# --- writing ---------------------------------------------------------------------------------------


def render(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Lay out and render with Graphviz's ``dot`` (``fmt``: svg, png, ...); InputError if it is missing."""
    gv = _graphviz()
    try:
        return bytes(dot.pipe(format=fmt))
    except gv.ExecutableNotFound:
        raise InputError(
            "Graphviz's `dot` program is not installed (Debian/Ubuntu: apt-get install graphviz; "
            "macOS: brew install graphviz); or write the Graphviz source with -o FILE.dot"
        ) from None
    except (gv.CalledProcessError, subprocess.CalledProcessError) as err:
        raise InputError(f"Graphviz failed: {err.stderr.decode(errors='replace').strip()[:300]}") from None


def svg(dot: graphviz.Digraph) -> str:
    """The picture as an SVG element (no XML declaration or doctype), for embedding in HTML."""
    text = render(dot, "svg").decode("utf-8")
    return text[text.index("<svg"):]


def interactive_page(dot: graphviz.Digraph, title: str) -> str:
    """A self-contained HTML page showing the picture, with highlighting, search, pan and zoom. Its
    Content-Security-Policy lets only its own script and style run (by their hashes), nothing load."""
    return _PAGE.format(title=html.escape(printable(title)), svg=svg(dot), script=_SCRIPT, style=_STYLE, csp=PAGE_CSP)


@dataclass(frozen=True)
class Output:
    """One kind of output file: its extension, what it is, and how to make its bytes from the picture."""

    extension: str
    description: str
    make: Callable[[graphviz.Digraph, str], bytes]


OUTPUTS: dict[str, Output] = {
    o.extension: o
    for o in (
        Output(".svg", "SVG picture", lambda dot, title: render(dot, "svg")),
        Output(".png", "PNG picture", lambda dot, title: render(dot, "png")),
        Output(".html", "interactive HTML page", lambda dot, title: interactive_page(dot, title).encode()),
        Output(".dot", "Graphviz source", lambda dot, title: str(dot.source).encode()),
    )
}


def get_output(path: str | Path) -> Output:
    """The Output for a file name's extension; InputError naming the choices otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUTS:
        raise InputError(f"cannot draw into a {suffix or 'extensionless'} file; use one of: {', '.join(OUTPUTS)}",
                         path=path)
    return OUTPUTS[suffix]


def viz(
    entity: str | None = None,
    *,
    source: str | Path | Dataset | Graph = "build",
    output: str | Path,
    topic: str | None = None,
    ontology: bool = False,
) -> Path:
    """Draw the graph, the neighbourhood of ``entity`` (a name, alias or IRI) or the ontology into ``output``.

    ``topic`` (a topic name or IRI) keeps only sessions on that topic or a narrower one, and the
    people, organizations and projects that spoke on it. The format follows ``output``'s extension
    (see OUTPUTS). Returns ``output`` as a Path. InputError for an unknown entity or topic, an
    unsupported extension, or a missing Graphviz.

    >>> viz("Deutsche Bahn", output="deutsche-bahn.html")  # doctest: +SKIP
    PosixPath('deutsche-bahn.html')
    """
    out = get_output(output)
    if ontology:
        if entity is not None or topic is not None:
            raise InputError("draw either the ontology (--ontology) or the graph, not both")
        onto = Graph().parse(ONTOLOGY_FILE, format="turtle")
        dot, title = ontology_picture(onto), "kgkit ontology"
    else:
        graph = load_graph(source)
        focus = resolve(graph, entity) if entity is not None else []
        topics = _topics(graph, topic) if topic is not None else None
        title = " / ".join(label(graph, f) for f in focus) or "The knowledge graph"
        if topics is not None:
            title += ": sessions on " + " / ".join(label(graph, t) for t in topics)
        nodes = select(graph, focus, topics)
        dot = picture(graph, nodes, title, focus)
    data = out.make(dot, title)
    with atomic_write(output, "wb") as fh:
        fh.write(data)
    return Path(output)


def _topics(graph: Graph, topic: str) -> list[URIRef]:
    """The topics named ``topic``; InputError listing the topics if there is none."""
    all_topics = [t for t in graph.subjects(RDF.type, KG.Topic) if isinstance(t, URIRef)]
    try:
        found = [t for t in resolve(graph, topic) if t in all_topics]
    except InputError:
        found = []
    if not found:
        names = ", ".join(sorted({label(graph, t) for t in all_topics}, key=str.casefold))
        raise InputError(f"no topic named {topic!r}; the topics are: {names or 'none'}")
    return found


load_graph = as_graph  # the union of all graphs of a build, RDF file, Dataset or Graph


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { padding: .5em 1em; border-bottom: 1px solid #ddd; display: flex; gap: 1em; align-items: center; }
header h1 { font-size: 1.2em; margin: 0; }
header p { margin: 0; color: #666; font-size: .9em; }
#picture svg { width: 100%; height: calc(100vh - 4em); cursor: grab; }
g.dim { opacity: .15; }
g.hit polygon, g.hit ellipse, g.hit path { stroke: #d00; stroke-width: 3; }
"""

_SCRIPT = """
const svg = document.querySelector("#picture svg");
const nodes = [...svg.querySelectorAll("g.node")];
const edges = [...svg.querySelectorAll("g.edge")];
function highlight(id) {  // dim everything not linked to node `id`; null shows all
  const keep = new Set([id]);
  for (const e of edges) if (e.classList.contains(id)) e.classList.forEach(c => keep.add(c));
  for (const n of nodes) n.classList.toggle("dim", id !== null && !keep.has(n.id));
  for (const e of edges) e.classList.toggle("dim", id !== null && !e.classList.contains(id));
}
for (const n of nodes) n.addEventListener("click", ev => { ev.stopPropagation(); highlight(n.id); });
svg.addEventListener("click", () => highlight(null));
document.querySelector("#find").addEventListener("input", ev => {
  const q = ev.target.value.trim().toLowerCase();
  for (const n of nodes) n.classList.toggle("hit", q !== "" && n.textContent.toLowerCase().includes(q));
});
const box = svg.viewBox.baseVal;
svg.addEventListener("wheel", ev => {  // zoom around the pointer
  ev.preventDefault();
  const k = ev.deltaY > 0 ? 1.15 : 1 / 1.15, r = svg.getBoundingClientRect();
  const x = box.x + (ev.clientX - r.left) / r.width * box.width;
  const y = box.y + (ev.clientY - r.top) / r.height * box.height;
  box.x = x - (x - box.x) * k; box.y = y - (y - box.y) * k; box.width *= k; box.height *= k;
}, { passive: false });
let drag = null;
svg.addEventListener("pointerdown", ev => { drag = [ev.clientX, ev.clientY]; });
svg.addEventListener("pointerup", () => { drag = null; });
svg.addEventListener("pointermove", ev => {
  if (!drag) return;
  const r = svg.getBoundingClientRect(), s = Math.max(box.width / r.width, box.height / r.height);
  box.x -= (ev.clientX - drag[0]) * s; box.y -= (ev.clientY - drag[1]) * s; drag = [ev.clientX, ev.clientY];
});
"""

def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


PAGE_CSP = (
    f"default-src 'none'; script-src {_sha256(_SCRIPT)}; style-src {_sha256(_STYLE)}; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>{style}</style>
</head>
<body>
<header><h1>{title}</h1><input id="find" type="search" placeholder="Find a node">
<p>Click a node to show its neighbours, the background to show all; drag to pan, scroll to zoom.</p></header>
<main id="picture">
{svg}</main>
<script>{script}</script>
</body>
</html>
"""

