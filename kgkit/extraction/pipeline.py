"""The extraction pipeline: named components run in order over one document's state.

>>> pipeline = Pipeline.from_spec("default,-topics")
>>> "topics" in pipeline.names, pipeline.names[:2]
(False, ['structure', 'sentences'])
>>> Pipeline(["relations"])
Traceback (most recent call last):
...
kgkit.errors.InputError: pipeline: relations needs conference, main_event, sentences, sessions, which no ...

A pipeline checks when it is made that every component's requirements are met by the components
before it, and loads every resource once (the gazetteer, curated entities, topic scheme and curation
file): a broken resource file is one error naming it, before any document is read. Its
:attr:`fingerprint` (component names, versions and settings) is part of the build cache key.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import kgkit.extraction.components.conferences
import kgkit.extraction.components.document
import kgkit.extraction.components.events
import kgkit.extraction.components.mentions
import kgkit.extraction.components.organizations
import kgkit.extraction.components.people
import kgkit.extraction.components.relations
import kgkit.extraction.components.schedule
import kgkit.extraction.components.talks
import kgkit.extraction.components.types
import kgkit.extraction.curation
import kgkit.extraction.sentences
import kgkit.extraction.topics  # noqa: F401  (each module registers its components)
from kgkit.documents import Document
from kgkit.errors import InputError
from kgkit.extraction.component import GIVEN, REGISTRY, Component
from kgkit.extraction.curation import load_curation
from kgkit.extraction.gazetteer import DATA_DIR, load_curated, load_gazetteer
from kgkit.extraction.names import names_version
from kgkit.extraction.state import DocState, Extraction
from kgkit.extraction.topics import load_topics

#: The components of a build, in order.
DEFAULT_PIPELINE: tuple[str, ...] = (
    "structure",
    "sentences",
    "gazetteer",
    "names",
    "document",
    "conferences",
    "named-events",
    "mentions",
    "linked-projects",
    "title-event",
    "talk-items",
    "quoted-talks",
    "prose-talks",
    "relations",
    "people",
    "organizations",
    "uses",
    "topics",
    "types",
    "curation",
)


class Pipeline:
    """Components by name (registered, or ``module:name`` to import a module that registers one)."""

    def __init__(
        self,
        names: Sequence[str] = DEFAULT_PIPELINE,
        *,
        curation: str | Path | None = None,
        data_dir: Path = DATA_DIR,
        cache_dir: Path | None = None,
    ) -> None:
        self.components = [_resolve(name) for name in names]
        self._check()
        self.gazetteer = load_gazetteer(data_dir, cache_dir)
        self.curated = load_curated(data_dir)
        load_topics(data_dir)
        self.curation_file = Path(curation) if curation is not None else None
        self.settings: dict[str, Any] = {"curation": load_curation(self.curation_file)}

    @classmethod
    def from_spec(cls, spec: str | None = None, **kwargs: Any) -> Pipeline:
        """A pipeline from a ``--pipeline`` value: ``default`` (or nothing), a comma-separated list of
        component names, or ``default`` changed by ``-name`` (left out) and ``+name`` (added before the
        curation component, which stays last)."""
        return cls(parse_spec(spec), **kwargs)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    @property
    def fingerprint(self) -> str:
        """What a document's extraction depends on besides kgkit's code and data: the components, their
        versions, and the settings (the curation file's content is hashed by the build)."""
        described = [[c.name, c.version, c.run.__module__] for c in self.components]
        described.append(["given-names", names_version(), ""])  # the list the names component reads
        return hashlib.sha256(json.dumps(described).encode()).hexdigest()

    def __call__(self, doc: Document) -> Extraction:
        """Run every component on ``doc``; its facts, each with its evidence span."""
        st = DocState.start(doc, self.gazetteer, self.curated, self.settings)
        for step in self.components:
            step.run(st)
        return st.out

    def describe(self) -> str:
        """The components in order, one line each (what ``kgkit build --pipeline list`` prints)."""
        return "\n".join(f"{i:2}. {c.describe()}" for i, c in enumerate(self.components, start=1)) + "\n"

    def _check(self) -> None:
        have = set(GIVEN)
        for c in self.components:
            missing = sorted(c.requires - have)
            if missing:
                raise InputError(
                    f"pipeline: {c.name} needs {', '.join(missing)}, which no component before it provides"
                )
            have |= c.provides


def parse_spec(spec: str | None) -> list[str]:
    """The component names a ``--pipeline`` value means (see :meth:`Pipeline.from_spec`).

    >>> parse_spec("default,-topics,+mypackage.talks:my-talks")[-2:]
    ['mypackage.talks:my-talks', 'curation']
    """
    items = [x.strip() for x in (spec or "default").split(",") if x.strip()]
    if not items or items[0] == "default" or items[0][0] in "+-":
        names = list(DEFAULT_PIPELINE)
        items = items[1:] if items and items[0] == "default" else items
    else:
        names = []
    for item in items:
        if item.startswith("-"):
            if item[1:] not in names:
                raise InputError(f"pipeline: no component {item[1:]!r} to leave out (it has: {', '.join(names)})")
            names.remove(item[1:])
        elif item.startswith("+"):
            at = names.index("curation") if "curation" in names else len(names)
            names.insert(at, item[1:])
        else:
            names.append(item)
    return names


def _resolve(name: str) -> Component:
    """The component called ``name``; ``module:name`` imports ``module`` first."""
    if ":" in name:
        module, _, name = name.partition(":")
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise InputError(f"pipeline: cannot import {module!r}: {err}") from None
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise InputError(f"pipeline: unknown component {name!r} (known: {known})") from None
