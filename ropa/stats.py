"""The overview's figures, each one SQL aggregate: the dashboard stays fast at 10,000 activities
because nothing here loads a row per activity.

Every count of activities is :func:`ropa.register.activities.count_activities` with the filter that the
overview's "show" link opens, so the figure and the list behind it cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Optional

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa import access, vocab
from ropa.models import ActivityBasis, Organisation, ProcessingActivity, Transfer
from ropa.register.activities import ActivityFilter, count_activities_each
from ropa.register.lookup import get_organisation

A = ProcessingActivity


@dataclass(frozen=True)
class Figure:
    """A headline number, and the activities filter that lists what it counts (None: not a list of activities)."""

    key: str
    value: int
    filter: Optional[ActivityFilter] = None


@dataclass
class Overview:
    figures: dict[str, Figure] = field(default_factory=dict)
    by_legal_basis: dict[str, int] = field(default_factory=dict)  # code -> activities
    by_organisation: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    destinations: list[dict[str, Any]] = field(default_factory=list)  # country, transfers, activities, status


def change_stamp(session: Session) -> int:
    """A number that grows with every write to the register (the newest audit event's id: every
    write records one in its own transaction), so derived figures can be cached until it moves."""
    from ropa.models import AuditEvent

    return int(session.execute(select(func.max(col(AuditEvent.id)))).scalar_one() or 0)


def change_marker(session: Session) -> tuple[int, str]:
    """The newest audit event's id and time: it moves with every write to the register, and
    another database behind the same URL (a restored copy) gives another one."""
    from ropa.models import AuditEvent

    row = session.execute(select(col(AuditEvent.id), col(AuditEvent.at)).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def figure_filters(org: Optional[str], today: date) -> dict[str, ActivityFilter]:
    """The filter behind each activity figure of the overview (current activities only); the
    transfers without a mechanism and the unspecified retention are counted as findings instead
    (:data:`FINDING_FIGURES`)."""
    base = ActivityFilter(org=org, include_retired=False)
    return {
        "activities": base,
        "special_categories": replace(base, special_categories=True),
        "transfer_outside_eea": replace(base, transfer_outside_eea=True),
        "reviews_due": replace(base, review_due_by=today),
    }


def _scope(stmt: Any, org_id: Optional[int]) -> Any:
    stmt = stmt.where(col(A.status) != "retired")
    return stmt.where(col(A.organisation_id) == org_id) if org_id is not None else stmt


def _current(activity_id: Any, org_id: Optional[int]) -> Any:
    """A child row's activity is current (and of the organisation): asked of the status index,
    not of the activities' rows (joining them read the whole activity table at random: the
    overview of 100,000 activities took a second)."""
    return activity_id.in_(_scope(select(col(A.id)), org_id))


def overview(session: Session, org: Optional[str] = None, today: Optional[date] = None) -> Overview:
    """Counts and distributions of the current (not retired) activities, of one organisation or all."""
    today = today or date.today()
    scope = access.readable_orgs()
    if org is None and scope is not None:  # an editor or viewer sees the figures of the organisations assigned
        if len(scope) != 1:
            access.read_scope(["(all organisations)"])  # raises: the figures of all would show others' activities
        org = next(iter(scope))
    access.read_scope([org] if org else None)
    org_id = get_organisation(session, org).id if org else None
    out = Overview()
    n_orgs = 1 if org else int(session.execute(select(func.count()).select_from(Organisation)).scalar_one())
    out.figures["organisations"] = Figure("organisations", n_orgs)
    filters = figure_filters(org, today)
    for key, n in count_activities_each(session, filters).items():
        out.figures[key] = Figure(key, n, filters[key])
    outside = col(Transfer.country).is_(None) | col(Transfer.country).not_in(sorted(vocab.EEA_COUNTRIES))
    n_transfers = session.execute(select(func.count()).select_from(Transfer).where(outside, _current(col(Transfer.activity_id), org_id))).scalar_one()
    out.figures["transfers_outside_eea"] = Figure("transfers_outside_eea", int(n_transfers), out.figures["transfer_outside_eea"].filter)

    rows = session.execute(
        select(col(ActivityBasis.code), func.count(func.distinct(col(ActivityBasis.activity_id))))
        .where(_current(col(ActivityBasis.activity_id), org_id))
        .group_by(col(ActivityBasis.code))
    )
    counts = dict(rows.all())
    out.by_legal_basis = {code: int(counts.get(code, 0)) for code in vocab.LEGAL_BASES}
    rows = session.execute(
        _scope(
            select(col(Organisation.name), func.count(col(A.id)))
            .join(A, col(A.organisation_id) == col(Organisation.id))
            .group_by(col(Organisation.name))
            .order_by(col(Organisation.name)),
            org_id,
        )
    )
    out.by_organisation = {name: int(n) for name, n in rows.all()}
    stmt = select(col(A.status), func.count()).group_by(col(A.status))
    if org_id is not None:
        stmt = stmt.where(col(A.organisation_id) == org_id)
    counts = dict(session.execute(stmt).all())
    out.by_status = {code: int(counts.get(code, 0)) for code in vocab.STATUSES}
    rows = session.execute(
        select(col(Transfer.country), func.count(), func.count(func.distinct(col(Transfer.activity_id))))
        .where(col(Transfer.country).is_not(None), _current(col(Transfer.activity_id), org_id))
        .group_by(col(Transfer.country))
    )
    for country, n, acts in rows.all():
        status = vocab.country_status(country)
        out.destinations.append({"country": country, "transfers": int(n), "activities": int(acts), "status": status.value if status else None})
    out.destinations.sort(key=lambda d: -d["transfers"])
    return out


# Figures that are counts of findings: the overview shows the same number the findings page does,
# counted the same way (one finding per activity, or per transfer), so they cannot disagree.
FINDING_FIGURES = {
    "retention_unspecified": "retention-unspecified",  # activities: the rule fires once per activity
    "transfers_without_mechanism": "transfer-without-mechanism",  # transfers: the rule fires once per transfer
}


def finding_figures(findings: Sequence[Any], org: Optional[str] = None) -> dict[str, Figure]:
    """The overview's figures that count findings (:data:`FINDING_FIGURES`), each with the filter
    that lists the activities behind them (by reference; within one organisation when ``org``)."""
    out: dict[str, Figure] = {}
    for key, rule in FINDING_FIGURES.items():
        hits = [f for f in findings if f.rule == rule and (org is None or f.organisation == org)]
        refs = sorted({f.activity_ref for f in hits if f.activity_ref})
        flt = ActivityFilter(org=org, include_retired=False, refs=refs) if refs else None
        out[key] = Figure(key, len(hits), flt)
    return out


# Where each status is drawn on the map (EEA blue, adequate green, with conditions amber, third country red).
STATUS_COLOURS = {"eea": "#1f77b4", "adequate": "#2ca02c", "adequate_conditional": "#ff9f1c", "third_country": "#d62728"}
