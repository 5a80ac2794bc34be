"""The files kgkit ships inside the package: the one place that knows where they are.

Canned queries, SHACL shapes, the ontology and its JSON-LD context, the topic scheme, curated
entities, the default curation file, the CNCF landscape snapshot and the bundled sample corpus are
package data (read through :mod:`importlib.resources`), so an installed kgkit works from any
directory. The repository's top-level ``data/``, ``ontology/``, ``queries/`` and ``shapes/`` are
links to the folders here.

>>> (queries_dir() / "orgs-on-sustainability.rq").is_file()
True
>>> sorted(p.name for p in corpus_dir().iterdir())[0]
'000_dc9f1b824b07a64f.txt'
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path


@functools.cache
def root() -> Path:
    """The folder holding kgkit's bundled resources."""
    location = files(__name__)
    if not isinstance(location, Path):  # pragma: no cover - kgkit is always installed as files
        raise RuntimeError(f"kgkit's resources are not files on disk ({location!r}); install kgkit unzipped")
    return location


def queries_dir() -> Path:
    """The canned SPARQL queries (``*.rq``)."""
    return root() / "queries"


def shapes_dir() -> Path:
    """The SHACL shapes (``*.ttl``)."""
    return root() / "shapes"


def ontology_dir() -> Path:
    """The ontology (``kgkit.ttl``), its JSON-LD context and its README."""
    return root() / "ontology"


def ontology_file() -> Path:
    """The OWL ontology, in Turtle."""
    return ontology_dir() / "kgkit.ttl"


def context_file() -> Path:
    """The published JSON-LD context."""
    return ontology_dir() / "context.jsonld"


def data_dir() -> Path:
    """Topic scheme, curated entities, curation file, landscape snapshot (``reference/``), corpus."""
    return root() / "data"


def corpus_dir() -> Path:
    """The bundled sample corpus: what ``kgkit build`` reads when given no documents."""
    return data_dir() / "corpus"


def curation_file() -> Path:
    """The default curation file, applied to every build unless another is named."""
    return data_dir() / "curation.yaml"


def landscape_file() -> Path:
    """The CNCF landscape snapshot (Apache-2.0, see ``reference/SOURCES.md``)."""
    return data_dir() / "reference" / "cncf-landscape.yml"
