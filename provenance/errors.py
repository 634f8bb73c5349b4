"""The domain error tree.

Every error a user can cause is a ``ProvError``; the CLI turns it into
``Error: …`` on stderr and its ``exit_code`` in one place (``cli/errors.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


class ProvError(Exception):
    """A failure the user can act on: bad input, a missing record, a refusal."""

    exit_code = 1


class NotFound(ProvError):
    """A referenced outlet, actor, article or claim does not exist."""


class InvalidInput(ProvError):
    """A value that cannot be accepted: a bad date, an unknown stance, a cycle."""


class Conflict(ProvError):
    """The record already exists or would break a uniqueness rule."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record of an import, located precisely."""

    source: str  # file name, or "<stdin>"
    where: str  # "line 12" for CSV, "claims[3].assertions[0]" for documents
    field: str
    why: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.source}, {self.where}:{field} {self.why}"


class ImportRefused(ProvError):
    """An import with at least one bad record; nothing of it was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        n = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"import refused, nothing written: {n} problem{'s' if n != 1 else ''}\n{lines}"
        )
