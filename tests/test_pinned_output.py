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
    "corpus": "c41ff879381fbe9f700975ad45dfb1f1d9298265d60ed03753bd978052bfeaae",
    "unseen": "5017a68e9db2841556967f71da8e973c879ab8c4d5a4b45e7b7914e304423653",
    "unseen2": "7e8c9fef0c8009b26d811f6919d8a2896b94998249e1f0fa70c40a61102530f1",
    "unseen3": "6ac340588ada04873e6ee2a6a167dd9f05832a1cccb4b8db93b18ab65e7e9507",
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
