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
    "corpus": "ad60feb19bb1266a9f5b7fba66c69dbecf717203a22ca4413206539018467bb6",
    "unseen": "0d91b8bf8da01713db6622fec84c395c638a72983f1c439c69313f2b046ee4ba",
    "unseen2": "279dfaababea467a8f3e1a4f2d920a20b705ea3345e0237dabf85ac8aa8f0aea",
    "unseen3": "a9c8bc18496b5e98fca989a7e3554136cbf564ae6e40de255c4e334acdea53df",
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
