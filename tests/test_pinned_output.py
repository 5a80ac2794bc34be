"""The bytes of ``kg.nq`` for the bundled corpus and the unseen sets, pinned by SHA-256.

A refactoring must not change what kgkit writes. When extraction is changed *on purpose*, run
``python tests/test_pinned_output.py`` and commit the new hashes with the change that explains them.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paths import CORPUS, DATA

from kgkit.graph.build import build

PINNED = {
    "corpus": "29118edcdaade4db5d8f386233726e696c06f2907cec849c69ffd5d54fe282c0",
    "unseen": "3325330dfb752edbe3e17bb251e0fbb45008a0b59bd0f872d2105e8d07213c54",
    "unseen2": "895fc5b37ce8362e904a3f9606bc0a7436b41557f6e81c8ffb903ea13c8ec0a0",
    "unseen3": "3b47c2aff7f75dd7f9be1a1c16d1bad48aa5565957811e8981b90d3424a3f72a",
}
SOURCES = {"corpus": CORPUS, "unseen": DATA / "unseen", "unseen2": DATA / "unseen2", "unseen3": DATA / "unseen3"}


def digest(name: str, out: Path) -> str:
    result = build([SOURCES[name]], out, jobs=1)
    return hashlib.sha256(result.output.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PINNED))
def test_kg_nq_is_byte_identical_to_the_pinned_one(name: str, tmp_path: Path) -> None:
    assert digest(name, tmp_path) == PINNED[name], f"kg.nq of {name} changed; see this module's docstring"


if __name__ == "__main__":  # print the current hashes, to pin them on purpose
    import tempfile

    for key in sorted(PINNED):
        with tempfile.TemporaryDirectory() as tmp:
            print(f'    "{key}": "{digest(key, Path(tmp))}",')
