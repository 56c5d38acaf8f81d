"""Typed errors for the registry; the edges (CLI, pages) turn them into words and exit codes.

A rejected input carries every problem found, each naming where it is (a JSON path such as
``organisations[2].activities[5].transfers[0].country`` or a row/column), so a person can fix
the source in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which field, a stable code and a message."""

    where: str
    code: str
    message: str
    severity: str = "error"  # "error" rejects the input; "warning" is reported only

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class RopaError(Exception):
    """Base of every error the registry raises on purpose."""


@dataclass
class ValidationFailed(RopaError):
    """The input was rejected; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class NotFound(RopaError):
    """The organisation, activity or recipient asked for does not exist."""


@dataclass
class Conflict(RopaError):
    """Someone else saved the record after the editor loaded it; nothing was written.

    ``changes`` lists the other saves (audit events newer than the version the editor saw),
    so the user can see what they would have overwritten.
    """

    entity: str
    key: str
    expected_version: int
    current_version: int
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        who = sorted({c["actor"] for c in self.changes if c.get("actor")})
        by = f" by {', '.join(who)}" if who else ""
        return (
            f"{self.entity} {self.key} was changed{by} after you opened it "
            f"(you edited version {self.expected_version}, it is now version "
            f"{self.current_version}); nothing was saved"
        )


class Busy(RopaError):
    """The SQLite register stayed locked by another write (an import holds the lock for its
    whole run) for longer than a save waits; nothing was saved, and trying again will work."""

    def __init__(self, waited: float) -> None:
        super().__init__(waited)
        self.waited = waited

    def message(self, lang: str = "en") -> str:
        if lang == "nb":
            return (f"Registeret er opptatt: en import (eller en annen stor lagring) pågår, og vi ventet i {self.waited:g} "
                    "sekunder. Ingenting ble lagret; prøv igjen når importen er ferdig.")
        return (f"The register is busy: an import (or another large save) is running, and we waited {self.waited:g} "
                "seconds. Nothing was saved; try again when the import has finished.")

    def __str__(self) -> str:  # both languages where the edge does not know the user's
        return f"{self.message('en')} / {self.message('nb')}"


class PermissionDenied(RopaError):
    """The actor may not make this change."""
