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
    "corpus": "710ff8bbd1ce1efbc23b3de69824e5aa3ee5dc8b706be411cb0c933b556d5ae0",
    "unseen": "6ca553a57eb6acf376bb6aa257cb13e5aaacb02a5b3e34f32c073a7ec787a428",
    "unseen2": "63868ece93cbbcd898833cb0c16752829fc931589dc2f06aa09970736e992093",
    "unseen3": "5c3843bf379a72ffaf505e2c5da7afa5d94f8ff39851d24dbfffc6a57d0b7829",
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
