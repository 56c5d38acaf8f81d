"""Attacks by a signed-in user of a lower reach. Each test is the attack; it failed before the fix it names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ropa import access, db, users, versions
from ropa.errors import PermissionDenied
from ropa.models import Snapshot

PASSWORD = "correct horse battery"


def test_a_dpo_of_one_organisation_cannot_freeze_every_organisation_in_a_snapshot(demo_engine):
    """A snapshot copies the whole register and can never be deleted (the database refuses). A
    dpo assigned to one organisation took them: permanent copies of every other organisation's
    records, which that organisation's own DPO could not remove (an erasure request, a record
    entered by mistake), as many as they liked."""
    with db.transaction(demo_engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "mal", role="dpo", orgs=["Janteloppet"], password=PASSWORD, actor="dora")
        users.add_user(s, "adam", role="admin", orgs=["Janteloppet"], password=PASSWORD, actor="dora")
    for who in ("mal", "adam"):
        with pytest.raises(PermissionDenied) as refused, db.transaction(demo_engine) as s:
            versions.create(s, f"by {who}", actor=who)
        assert refused.value.permission == access.SNAPSHOT
    with db.transaction(demo_engine) as s:
        versions.create(s, "by dora", actor="dora")
    with db.session(demo_engine) as s:
        assert s.execute(select(func.count()).select_from(Snapshot)).scalar_one() == 1
        mal = access.load_principal(s, "mal")
        assert mal is not None and not access.can(mal, access.SNAPSHOT)
