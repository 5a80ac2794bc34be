"""``kgkit info``: the versions of kgkit and of what it runs on, and which engines are available.

>>> report = info()
>>> report.versions["kgkit"] == __import__("kgkit").__version__
True
>>> "rdflib" in report.versions
True
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
from dataclasses import dataclass, field

from kgkit import resources

#: Distributions whose versions ``info`` reports, by the name people know them by.
LIBRARIES = {
    "rdflib": "rdflib",
    "pyoxigraph": "pyoxigraph",
    "pySHACL": "pyshacl",
    "pyshacl-turbo": "pyshacl-turbo",
    "SPARQLWrapper": "SPARQLWrapper",
    "pyld": "PyLD",
    "spaCy": "spacy",
    "typer": "typer",
}


@dataclass(frozen=True)
class Info:
    """What ``kgkit info`` prints: versions, engines, models and where kgkit's resources are."""

    versions: dict[str, str | None]
    engines: dict[str, bool]
    models: list[dict[str, str]] = field(default_factory=list)
    resources: str = ""

    def render(self) -> str:
        """The report as aligned text lines."""
        lines = [f"kgkit {self.versions['kgkit']} (Python {self.versions['Python']})", "", "Libraries:"]
        lines += [
            f"  {name:16} {version or 'not installed'}"
            for name, version in self.versions.items()
            if name not in ("kgkit", "Python")
        ]
        lines += ["", "Engines:"]
        lines += [f"  {name:16} {'available' if ok else 'not available'}" for name, ok in self.engines.items()]
        lines += ["", "NLP models:"]
        if not self.models:
            lines.append("  none (extraction runs on rules and the gazetteer only)")
        for model in self.models:
            lines.append(f"  {model['language']:3} {model['name']} {model['version']} ({model['license']})")
            lines.append(f"      {model['source']}")
        lines += ["", f"Resources: {self.resources}"]
        return "\n".join(lines) + "\n"


def info() -> Info:
    """Versions of kgkit, its libraries and NLP models, and which engines this installation has."""
    versions: dict[str, str | None] = {"kgkit": _version("kgkit"), "Python": platform.python_version()}
    for name, distribution in LIBRARIES.items():
        versions[name] = _version(distribution)
    engines = {
        "oxigraph store": importlib.util.find_spec("pyoxigraph") is not None,
        "SHACL: pyshacl": importlib.util.find_spec("pyshacl") is not None,
        "SHACL: turbo": importlib.util.find_spec("pyshacl_turbo") is not None,
        "spaCy": importlib.util.find_spec("spacy") is not None,
        "Dask": importlib.util.find_spec("distributed") is not None,
        "Graphviz (viz)": importlib.util.find_spec("graphviz") is not None,
    }
    return Info(versions, engines, _models(), str(resources.root()))


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _models() -> list[dict[str, str]]:
    from kgkit.extraction.models import installed_models

    return installed_models()
