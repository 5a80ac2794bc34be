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
from paths import CORPUS, DATA  # noqa: E402

from kgkit.graph.build import build  # noqa: E402

PINNED = {
    "corpus": "dc66c2dc1b2f5fbec6c92459246715097a84072e93a9e641315054b21d2c527e",
    "unseen": "175a6e32c9ae29167c0ec067fc436eb248b21c20b2f791eb50a42450561e1d5a",
    "unseen2": "4c1476abcc5dd2fa0ee4ff7ef1c872ab889c290188a3595208f220f4a6cabf69",
    "unseen3": "d9c0f3998617aca7c2d032c7c71b9b7a45c81b892524d5c6a0e482bbd828bb81",
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
