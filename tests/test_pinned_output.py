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
    "corpus": "abf52e823d8888fec79055c07b37734e938a04da341665aa95ec1e6c67591d77",
    "unseen": "ba0267dfe1857ce9daf718cd291e8f28cc0c300d039459be409202594efd3ec9",
    "unseen2": "59ba1ef7dd4d699c313e2c5c2f8f267be77934dbe3a5447c8f2ec5ce4a6572a1",
    "unseen3": "825d57ec4b9a8df68dd064fe066a70b07bc2db79290df6f786e658276abac5a9",
}
SOURCES = {"corpus": CORPUS, "unseen": DATA / "unseen", "unseen2": DATA / "unseen2", "unseen3": DATA / "unseen3"}


def digest(name: str, out: Path) -> str:
    result = build([SOURCES[name]], out, jobs=1)
    return hashlib.sha256(result.output.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_kg_nq_is_byte_identical_to_the_pinned_one(name: str, tmp_path: Path) -> None:
    assert digest(name, tmp_path) == PINNED[name], f"kg.nq of {name} changed; see this module's docstring"


if __name__ == "__main__":  # print the current hashes, to pin them on purpose
    import tempfile

    for key in sorted(PINNED):
        with tempfile.TemporaryDirectory() as tmp:
            print(f'    "{key}": "{digest(key, Path(tmp))}",')
