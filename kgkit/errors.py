"""Typed exceptions raised by the library. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from pathlib import Path

#: Exit codes, documented in the README and in ``kgkit --help``.
EXIT_OK = 0
EXIT_FINDINGS = 1  # validation violations, or no results where --fail-on-empty was asked
EXIT_INPUT = 2  # usage or input error
EXIT_STORE = 3  # store or network error
EXIT_INTERRUPTED = 130


class KgkitError(Exception):
    """Base of every error kgkit raises on purpose; ``exit_code`` is what the CLI exits with."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # pickled as (message, path, line), so that one sent back from another process (a worker of a
        # parallel or cluster build) still names its file and line apart from the message
        return (_remake, (type(self), self.message, self.path, self.line))


def _remake(cls: type[KgkitError], message: str, path: Path | None, line: int | None) -> KgkitError:
    return cls(message, path=path, line=line)


class InputError(KgkitError):
    """A document, graph file, option value or query the user gave us is unusable."""


class DocumentError(InputError):
    """One source document cannot be read or parsed."""


class QueryError(InputError):
    """A SPARQL query is malformed, unknown, or its parameters are wrong."""


class OutputError(KgkitError):
    """An output cannot be written (full disk, no permission, a directory in the way) or another kgkit
    process is writing the same output directory. The previous output is left as it was."""


class ValidationFailed(KgkitError):
    """The graph does not conform to the SHACL shapes (a finding, not a crash)."""

    exit_code = EXIT_FINDINGS


class StoreError(KgkitError):
    """A triple store or SPARQL endpoint failed or could not be reached."""

    exit_code = EXIT_STORE


class ClusterError(KgkitError):
    """A Dask cluster a build was sent to could not be reached, or failed while it worked."""

    exit_code = EXIT_STORE
