"""The register judged as a whole: the pure rules of :mod:`ropa.checks` run on every organisation,
read lean from the register. Here, not in ``ropa.checks``, so that the rules import nothing of the
register (they judge plain dicts) and the import graph runs one way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Optional

from sqlmodel import Session

from ropa.checks import Finding, check_documents
from ropa.register import reader
from ropa.register.organisations import organisation_dict
from ropa.register.recipients import recipient_dict


def check_register(session: Session, orgs: Optional[Sequence[str]] = None, today: Optional[date] = None) -> list[Finding]:
    """Every finding in the register (or in the named organisations), errors first."""

    def triples() -> Iterator[tuple[dict[str, Any], Iterator[dict[str, Any]], list[dict[str, Any]]]]:
        for row in reader.organisations(session, orgs):
            acts = reader.iter_for_checks(session, row.id)
            recs = [recipient_dict(r) for r in reader.recipients(session, row.id)]
            yield organisation_dict(row), acts, recs

    with reader.gc_paused():
        return check_documents(triples(), today)
