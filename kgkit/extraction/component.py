"""What an extraction component is, and the registry that names them.

A component is a function over one document's :class:`~kgkit.extraction.state.DocState`, registered by
name with what it reads (``requires``) and what it writes (``provides``) on the state, and a version
that goes into the build cache key, so that a changed component re-extracts what it touched. Like
spaCy's ``@Language.component``::

    from kgkit.extraction import component

    @component("my-talks", requires=["sentences"], provides=["sessions"], version="1")
    def my_talks(st):
        ...

A module that registers components is imported by naming it: ``kgkit build --pipeline
default,+mypackage.talks:my-talks`` (the part before ``:`` is imported, the part after is the
component's registered name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgkit.extraction.state import DocState

#: What every state holds before the first component runs.
GIVEN = frozenset({"doc", "gazetteer", "curated", "settings", "facts"})


@dataclass(frozen=True)
class Component:
    """One named step of the pipeline."""

    name: str
    run: Callable[[DocState], None]
    requires: frozenset[str]
    provides: frozenset[str]
    version: str
    doc: str

    def describe(self) -> str:
        """One line: name, version, what it reads and writes, and what it does."""
        reads = ", ".join(sorted(self.requires)) or "-"
        writes = ", ".join(sorted(self.provides)) or "-"
        doc = " ".join(self.doc.split())  # a docstring's wrapped lines, as one line
        return f"{self.name} (v{self.version}): reads {reads}; writes {writes}. {doc}"


REGISTRY: dict[str, Component] = {}


def component(
    name: str, *, requires: Iterable[str] = (), provides: Iterable[str] = (), version: str = "1"
) -> Callable[[Callable[[DocState], None]], Callable[[DocState], None]]:
    """Register ``func`` as the component ``name`` (see the module docs)."""

    def register(func: Callable[[DocState], None]) -> Callable[[DocState], None]:
        doc = (func.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        REGISTRY[name] = Component(name, func, frozenset(requires), frozenset(provides), version, doc)
        return func

    return register
