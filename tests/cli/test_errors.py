"""Every error is one line on stderr, usage errors included (issue 17, item 14): no usage block, no
"Try ... --help" line, no boxes; the line says where help is."""

from __future__ import annotations

from collections.abc import Callable

import pytest

CliRun = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("load", "--batch-size", "0", "-e", "http://127.0.0.1:9"), "Invalid value for '--batch-size'"),
        (("load", "-i", "build"), "Missing option '--endpoint'"),
        (("query", "sessions-by-day", "--bogus"), "No such option: --bogus"),
        (("query", "sessions-by-day", "--timeout", "soon"), "Invalid value for '--timeout'"),
        (("build", "-j", "0"), "Invalid value for '-j' / '--jobs'"),
        (("quer",), "No such command 'quer'"),
    ],
)
def test_usage_errors_are_one_line(run_cli: CliRun, args: tuple[str, ...], says: str) -> None:
    code, out, err = run_cli(*args)
    assert code == 2 and out == ""
    assert err.startswith(f"kgkit: error: {says}") and err.count("\n") == 1, err
    command = "kgkit" if args[0] == "quer" else f"kgkit {args[0]}"
    assert err.rstrip().endswith(f"(see `{command} --help`)")
