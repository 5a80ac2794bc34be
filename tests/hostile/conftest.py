"""The hostile-input tests' fixtures (defined in tests/hostile_kit.py, with the helpers they share)."""

from hostile_kit import recorder, second_recorder  # noqa: F401
