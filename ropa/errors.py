"""Typed errors for the registry; the edges (CLI, pages) turn them into words and exit codes.

A rejected input carries every problem found, each naming where it is (a JSON path such as
``organisations[2].activities[5].transfers[0].country`` or a row/column), so a person can fix
the source in one pass instead of one error at a time.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


# The language problems are told in (nb | en) while an import or check runs: set by the edges
# (CLI --lang, the page's language), read where messages are made.
MESSAGE_LANG: ContextVar[str] = ContextVar("ropa_message_lang", default="en")


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


class PermissionDenied(RopaError):
    """The actor may not make this change."""
