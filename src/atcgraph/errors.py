"""Errors that end a run with exit code 2 and a message meant for people.

The CLI prints ``str(error)`` without a traceback, so every message must say
what is wrong and where, in the words of the person who edits the files.
"""

from __future__ import annotations


class AtcGraphError(Exception):
    """Any failure the user can fix: bad input, missing file, inconsistency."""


class InputError(AtcGraphError):
    """A file or folder is missing or unreadable; names the file (and line) to fix."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class InconsistencyError(AtcGraphError):
    """The ontology plus data is logically contradictory; lists what contradicts."""

    def __init__(self, culprits: list[str]) -> None:
        self.culprits = culprits
        lines = "\n".join(f"  - {c}" for c in culprits)
        super().__init__(f"the graph is inconsistent under OWL-RL:\n{lines}")
