"""Putting an activity, or one of its fields, back as it was at an earlier version.

A restore is an ordinary save through the register's write path: the version the person saw
is checked (a stale one is a :class:`~ropa.errors.Conflict`), the permission too, and the
change is audited like any edit, bumping the version. The trail is never rewritten: history
only grows. An activity that was deleted comes back as a new creation with its old content
(a new record, version 1, its creation naming the version it was restored from).

Recipients are shared by an organisation's activities: a restore brings back which recipients
the activity used, each as the register holds it now (restoring one activity does not undo
changes made to a recipient for all of them); one that no longer exists is created again
with the details it had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Union

from sqlalchemy import select
from sqlmodel import Session

from ropa import access, timeline
from ropa.errors import NotFound, Problem, ValidationFailed
from ropa.models import Organisation, ProcessingActivity, Recipient
from ropa.register.activities import activity_dict, create_activity, get_activity, update_activity
from ropa.register.lookup import get_organisation
from ropa.register.recipients import recipient_dict


@dataclass
class Restored:
    """What a restore did: the fields it changed, the activity's version now, and whether the
    activity had been deleted and was created again."""

    ref: str
    changed: list[str]
    version: int
    created: bool = False
    source_version: int = 0

    def message(self, lang: str = "en") -> str:
        nb = lang == "nb"
        if self.created:
            return (
                f"{self.ref} var slettet og er opprettet på nytt med innholdet fra versjon {self.source_version} (ny post, versjon 1)"
                if nb
                else f"{self.ref} had been deleted and was created again with the content of version {self.source_version} (a new record, version 1)"
            )
        if not self.changed:
            return (
                f"{self.ref} er allerede slik versjon {self.source_version} var; ingenting ble endret"
                if nb
                else f"{self.ref} is already as version {self.source_version} was; nothing was changed"
            )
        return (
            f"{self.ref}: {len(self.changed)} felt satt tilbake til versjon {self.source_version}; nå versjon {self.version}"
            if nb
            else f"{self.ref}: {len(self.changed)} field(s) restored to version {self.source_version}; now version {self.version}"
        )


def history(session: Session, org: str, ref: str) -> list[timeline.Version]:
    """Every version of the activity ``ref`` (also a deleted one), oldest first."""
    o = get_organisation(session, org)
    access.read_scope([o.name])
    found = timeline.versions(session, "activity", f"{o.name}/{ref}", org=o.name)
    if not found:
        raise NotFound(f"'{o.name}' has no activity '{ref}' in its history")
    return found


def _version(session: Session, org: str, ref: str, version: Union[int, timeline.Version]) -> timeline.Version:
    if isinstance(version, timeline.Version):
        return version
    found = [v for v in history(session, org, ref) if v.version == version and v.action != "delete"]
    if not found:
        raise NotFound(f"activity '{ref}' of '{org}' has no version {version}")
    return max(found, key=lambda v: (v.life, v.event_id))  # the latest life that had it, its last save


def _recipients_now(session: Session, org: Organisation, old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in old:
        R = Recipient.__table__  # type: ignore[attr-defined]
        found = session.execute(select(R.c.id).where(R.c.organisation_id == org.id, R.c.name == r.get("name"))).scalar()
        rec = session.get(Recipient, found) if found is not None else None
        out.append(recipient_dict(rec, version=True) if rec is not None else {k: r.get(k) for k in timeline.RECIPIENT_KEYS})
    return out


def _source(source: Optional[str], v: timeline.Version) -> str:
    return f"restore of version {v.version}" + (f" ({source})" if source else "")


def restore_field(
    session: Session,
    org: str,
    ref: str,
    field: str,
    version: Union[int, timeline.Version],
    *,
    expected_version: int,
    actor: Union[str, access.Principal],
    source: Optional[str] = None,
) -> Restored:
    """Set one field of an existing activity back to its value at ``version``."""
    if field not in timeline.ACTIVITY_DEFAULTS:
        raise ValidationFailed([Problem(field, "unknown_field", f"'{field}' is not a field of an activity")])
    v = _version(session, org, ref, version)
    act = get_activity(session, org, ref)
    assert act.organisation is not None
    data = activity_dict(act)
    data["recipients"] = [recipient_dict(link.recipient, version=True) for link in act.recipient_links if link.recipient]
    value = v.record.get(field)
    data[field] = _recipients_now(session, act.organisation, value or []) if field == "recipients" else value
    changed = update_activity(session, org, ref, data, expected_version=expected_version, actor=actor, source=_source(source, v))
    return Restored(data["ref"], changed, expected_version + 1 if changed else expected_version, source_version=v.version)


def restore_activity(
    session: Session,
    org: str,
    ref: str,
    version: Union[int, timeline.Version],
    *,
    expected_version: Optional[int],
    actor: Union[str, access.Principal],
    source: Optional[str] = None,
) -> Restored:
    """Set a whole activity back to ``version``; a deleted one is created again with that content
    (``expected_version`` is then not used: there is no current record to be stale against)."""
    v = _version(session, org, ref, version)
    o = get_organisation(session, org)
    data = dict(v.record)
    data["recipients"] = _recipients_now(session, o, data.get("recipients") or [])
    A = ProcessingActivity.__table__  # type: ignore[attr-defined]
    current = session.execute(select(A.c.id).where(A.c.organisation_id == o.id, A.c.ref == ref)).first()
    if current is None:
        act = create_activity(session, o.name, data, actor=actor, source=_source(source, v))
        return Restored(act.ref, list(data), act.version, created=True, source_version=v.version)
    if expected_version is None:
        raise ValidationFailed([Problem("version", "missing", "restoring an existing activity needs the version you saw")])
    changed = update_activity(session, o.name, ref, data, expected_version=expected_version, actor=actor, source=_source(source, v))
    return Restored(data["ref"], changed, expected_version + 1 if changed else expected_version, source_version=v.version)


def compare(session: Session, org: str, ref: str, version: Union[int, timeline.Version]) -> list[Any]:
    """The fields that differ between ``version`` and the activity now (all of them when it was
    deleted), as :class:`ropa.versions.FieldChange` (old: now, new: the version's value)."""
    from ropa.versions import FieldChange

    v = _version(session, org, ref, version)
    try:
        now = activity_dict(get_activity(session, org, ref))
    except NotFound:
        now = {}
    then = v.record
    keys = [k for k in timeline.ACTIVITY_DEFAULTS if k in then or k in now]
    plain = lambda rs: [r.get("name") for r in rs or []]  # noqa: E731  (recipients: which, not their details)
    return [
        FieldChange(k, now.get(k), then.get(k)) for k in keys if (plain(now.get(k)) != plain(then.get(k)) if k == "recipients" else now.get(k) != then.get(k))
    ]


def deleted(session: Session, org: str) -> list[str]:
    """Refs of the organisation's activities that were deleted and not created again."""
    o = get_organisation(session, org)
    access.read_scope([o.name])
    prefix = f"{o.name}/"
    EV, A = timeline.EV, ProcessingActivity.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(EV.c.entity_key, EV.c.old_value).where(EV.c.entity == "activity", EV.c.action == "delete", EV.c.entity_key.startswith(prefix, autoescape=True))
    )
    # the deleted record's own ref says whose it was: "Foo A/S/1" may be "1" of another organisation "Foo A/S"
    refs = {ref for key, old in rows if (ref := (json.loads(old or "{}") or {}).get("ref")) and key == f"{prefix}{ref}"}
    living = set(session.execute(select(A.c.ref).where(A.c.organisation_id == o.id)).scalars())
    return sorted(refs - living)
