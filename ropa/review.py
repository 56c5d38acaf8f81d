"""The review cycle of an activity: an owner, ``draft`` -> ``in_review`` -> ``approved``, who
approved which version, and when it is due again.

Approval needs the ``dpo`` role (``activity.approve``) and records the version approved and the
record as it was, so it stays visible after a later edit; any change to an approved activity
sends it back to ``in_review`` (:func:`changed`, called by the register's update). Each step is
an audit event (entity ``activity``, field ``review``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Optional, Union

from sqlalchemy import or_, select
from sqlmodel import Session, col

from ropa import access
from ropa.access import Principal
from ropa.errors import Problem, ValidationFailed
from ropa.models import ActivityReview, Organisation, ProcessingActivity, ReviewInterval, UserAccount, utcnow
from ropa.register.activities import activity_dict, audit_review, back_to_review, get_activity, update_activity
from ropa.register.audit import record_event
from ropa.register.lookup import get_organisation

DUE_WITHIN_DAYS = 30


def _row(session: Session, act: ProcessingActivity) -> ActivityReview:
    row = session.get(ActivityReview, act.id)
    if row is None:
        assert act.id is not None
        row = ActivityReview(activity_id=act.id)
        session.add(row)
    return row


def review_of(session: Session, org: str, ref: str) -> ActivityReview:
    """The activity's review record (a draft without an owner when it has none yet)."""
    act = get_activity(session, org, ref)
    return session.get(ActivityReview, act.id) or ActivityReview(activity_id=act.id or 0)


def interval_months(session: Session, org: Organisation) -> int:
    row = session.get(ReviewInterval, org.id)
    return row.months if row else 12


def can_set_interval(p: Principal, org: str) -> bool:
    """Whether ``p`` may change ``org``'s review interval: a settings holder, or whoever may change the organisation."""
    return access.can(p, access.SETTINGS) or access.can(p, access.EDIT_ORGANISATION, org)


def set_interval(session: Session, org: str, months: int, *, actor: Union[str, Principal], source: Optional[str] = None) -> int:
    """Months from an approval to the next review, for one organisation: a setting (``admin``,
    ``dpo``) or part of the organisation (whoever may change it). Audited as entity ``setting``
    under the organisation's name; returns the months before the change. Approvals from now on
    use it; next review dates already set stay until the next approval."""
    from ropa.errors import MESSAGE_LANG

    o = get_organisation(session, org)
    p = access.principal(session, actor)
    who = access.require(session, p, access.SETTINGS if access.can(p, access.SETTINGS) else access.EDIT_ORGANISATION, o.name)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 60:
        raise ValidationFailed(
            [
                Problem(
                    "months",
                    "out_of_range",
                    "gjennomgangsintervallet er 1 til 60 måneder" if MESSAGE_LANG.get() == "nb" else "the review interval is 1 to 60 months",
                )
            ]
        )
    old = interval_months(session, o)
    if months != old:
        row = session.get(ReviewInterval, o.id) or ReviewInterval(organisation_id=o.id or 0)
        row.months = months
        session.add(row)
        assert o.id is not None
        record_event(
            session,
            actor=who,
            action="update",
            entity="setting",
            entity_id=o.id,
            key=o.name,
            version=0,
            source=source,
            field="review_interval",
            old=old,
            new=months,
        )
        session.flush()
    return old


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def set_owner(session: Session, org: str, ref: str, owner: str, *, actor: Union[str, Principal], source: Optional[str] = None) -> ActivityReview:
    """Make a user the owner (who keeps the activity current and is reminded when it is due)."""
    name = access.require(session, actor, access.EDIT_ACTIVITY, org)
    act = get_activity(session, org, ref)
    user = session.execute(select(UserAccount).where(col(UserAccount.name) == owner)).scalar_one_or_none()
    if user is None or not user.enabled:
        raise ValidationFailed([Problem("owner", "unknown", f"no enabled user named '{owner}'")])
    row = _row(session, act)
    audit_review(session, act, actor=name, action="update", old={"owner": row.owner}, new={"owner": owner}, source=source)
    row.owner = owner
    session.flush()
    return row


def submit(session: Session, org: str, ref: str, *, actor: Union[str, Principal], source: Optional[str] = None) -> ActivityReview:
    """Ask for approval: draft -> in_review."""
    name = access.require(session, actor, access.EDIT_ACTIVITY, org)
    act = get_activity(session, org, ref)
    row = _row(session, act)
    if row.state != "draft":
        raise ValidationFailed([Problem("review", "not_draft", f"{ref} is {row.state}, not a draft")])
    audit_review(session, act, actor=name, action="submit", old=row.state, new="in_review", source=source)
    row.state, row.note = "in_review", None
    session.flush()
    return row


def approve(
    session: Session, org: str, ref: str, *, expected_version: int, actor: Union[str, Principal], source: Optional[str] = None, today: Optional[date] = None
) -> ActivityReview:
    """Approve the version the DPO read (a newer one is a Conflict): record it whole, who and
    when, and set the next review date the organisation's interval ahead."""
    name = access.require(session, actor, access.APPROVE, org)
    act = get_activity(session, org, ref)
    assert act.organisation is not None
    row = _row(session, act)
    if row.state != "in_review":
        raise ValidationFailed([Problem("review", "not_in_review", f"{ref} is {row.state}: only an activity in review can be approved")])
    today = today or date.today()
    data = activity_dict(act)
    data["last_review"] = today.isoformat()
    data["next_review"] = _add_months(today, interval_months(session, act.organisation)).isoformat()
    update_activity(session, org, ref, data, expected_version=expected_version, actor=name, source=source)
    act = get_activity(session, org, ref)
    row.state, row.note = "approved", None
    row.approved_version, row.approved_record = act.version, activity_dict(act)
    row.approved_at = row.last_reviewed_at = utcnow()
    row.approved_by = row.last_reviewed_by = name
    audit_review(session, act, actor=name, action="approve", old="in_review", new={"state": "approved", "version": act.version}, source=source)
    session.flush()
    return row


def send_back(session: Session, org: str, ref: str, note: str, *, actor: Union[str, Principal], source: Optional[str] = None) -> ActivityReview:
    """The DPO returns an activity in review to its owner as a draft, saying why."""
    name = access.require(session, actor, access.APPROVE, org)
    act = get_activity(session, org, ref)
    row = _row(session, act)
    if row.state != "in_review":
        raise ValidationFailed([Problem("review", "not_in_review", f"{ref} is {row.state}, not in review")])
    audit_review(session, act, actor=name, action="return", old=row.state, new={"state": "draft", "note": note}, source=source)
    row.state, row.note = "draft", note
    row.last_reviewed_at, row.last_reviewed_by = utcnow(), name
    session.flush()
    return row


def changed(session: Session, act: ProcessingActivity, *, actor: str, source: Optional[str]) -> None:
    """An approved activity was edited: back to ``in_review``; the approved record stays."""
    back_to_review(session, act, actor=actor, source=source)


@dataclass
class Task:
    organisation: str
    ref: str
    name: str
    kind: str  # overdue | due | returned | awaiting_approval
    owner: Optional[str]
    next_review: Optional[str]
    note: Optional[str] = None
    last_reviewed: Optional[datetime] = None  # when the DPO last approved or returned it (UTC)
    last_reviewed_by: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        """For JSON: the time as ISO 8601 with Oslo's offset."""
        from ropa.audit import local_iso

        return {**self.__dict__, "last_reviewed": local_iso(self.last_reviewed)}


def tasks(session: Session, user: Union[str, Principal], today: Optional[date] = None) -> list[Task]:
    """What ``user`` should do: activities they own that are overdue, due within 30 days,
    returned or waiting for approval; for whoever may approve, everything waiting for approval
    in their organisations."""
    p = access.principal(session, user)
    today = today or date.today()
    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    approver = access.can(p, access.APPROVE)
    stmt = (
        select(ProcessingActivity, ActivityReview, col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(ProcessingActivity.organisation_id))
        # Every task needs a review row (an owner, or a state other than draft): the join keeps
        # the overview quick on a register of 100,000 activities, few of them in the cycle.
        .join(ActivityReview, col(ActivityReview.activity_id) == col(ProcessingActivity.id))
        .where(col(ProcessingActivity.status) != "retired", or_(col(ActivityReview.state) == "in_review", col(ActivityReview.owner) == p.name))
        .order_by(col(Organisation.name), col(ProcessingActivity.ref))
    )
    out = []
    for act, row, org in session.execute(stmt).all():
        if not p.assigned(org) and not p.local:
            continue
        state = row.state if row else "draft"
        mine = (row.owner if row else None) == p.name
        base = dict(
            organisation=org,
            ref=act.ref,
            name=act.name,
            owner=row.owner if row else None,
            next_review=act.next_review.isoformat() if act.next_review else None,
            last_reviewed=row.last_reviewed_at,
            last_reviewed_by=row.last_reviewed_by,
        )
        if state == "in_review" and (approver or mine):
            out.append(Task(kind="awaiting_approval", **base))
        if not mine:
            continue
        if state == "draft" and row is not None and row.note:
            out.append(Task(kind="returned", note=row.note, **base))
        if act.next_review is not None and act.next_review < today:
            out.append(Task(kind="overdue", **base))
        elif act.next_review is not None and act.next_review <= soon:
            out.append(Task(kind="due", **base))
    return out


def counts(task_list: list[Task]) -> dict[str, int]:
    out = dict.fromkeys(("overdue", "due", "returned", "awaiting_approval"), 0)
    for t in task_list:
        out[t.kind] += 1
    return out
