"""Rule checks: the registry judges the register, citing the article and saying what to fix.

Every rule is a pure function of plain dicts in the JSON format's shape (an activity from
:func:`ropa.register.activities.activity_dict` or :mod:`ropa.register.reader`, an organisation from
:func:`ropa.register.organisations.organisation_dict`), so the same rules judge one activity in the editor
and 100,000 in a batch, and nothing here writes. A finding carries a stable rule code, a
severity, where it is (organisation, activity ref, recipient), the article, and a message and
a fix in English and bokmål.

Retired activities are not judged: they are kept for the record, not processed. A processor's
activities are judged by Art. 30(2) (the legal basis, Art. 9(2)/10 conditions, retention and the
DPIA are its controller's). An organisation established only outside the EEA that records that it
neither offers goods or services to nor monitors people there is outside the GDPR (Art. 3): one
note says so and nothing else is judged; where Art. 3(2) is not recorded, one finding asks for it.

The rules import nothing of the register: :func:`ropa.register.checks.check_register` reads the
whole register and runs them. They live by family, and every name stays importable from here:
:mod:`ropa.rulebook` (rule codes, findings, ordering), :mod:`ropa.wording` (what free text says),
:mod:`ropa.activity_checks`, :mod:`ropa.organisation_checks` and :mod:`ropa.transfers` (Chapter V).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Optional

# The rule families live in their own modules; their names stay importable from here.
from ropa.activity_checks import check_activity, has_criminal_data, special_categories
from ropa.organisation_checks import _ANCILLARY_SUBJECTS as _ANCILLARY_SUBJECTS
from ropa.organisation_checks import _OrgFacts as _OrgFacts
from ropa.organisation_checks import activity_facts, art30_5_statement, check_organisation, check_recipient
from ropa.rulebook import (
    RULES,
    SEVERITIES,
    SEVERITY_TERMS,
    Finding,
    Rule,
    by_severity,
    counts_by_activity,
    rule_title,
    severity_label,
    summarise,
)
from ropa.rulebook import _Emit as _Emit
from ropa.rulebook import _label as _label
from ropa.transfers import _country as _country
from ropa.transfers import art3_2, establishment_countries, subject_to_gdpr, territorial_scope
from ropa.wording import has_agreement, is_open_ended_retention, is_vague_retention

__all__ = [
    "RULES",
    "SEVERITIES",
    "SEVERITY_TERMS",
    "Finding",
    "Rule",
    "activity_facts",
    "activity_findings",
    "art3_2",
    "art30_5_statement",
    "by_severity",
    "check_activity",
    "check_documents",
    "check_organisation",
    "check_recipient",
    "counts_by_activity",
    "establishment_countries",
    "has_agreement",
    "has_criminal_data",
    "is_open_ended_retention",
    "is_vague_retention",
    "rule_title",
    "severity_label",
    "special_categories",
    "subject_to_gdpr",
    "summarise",
    "territorial_scope",
]

_by_severity = by_severity


def check_documents(
    organisations: Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]], Iterable[Mapping[str, Any]]]], today: Optional[date] = None
) -> list[Finding]:
    """Findings for ``(organisation, activities, recipients)`` triples of plain dicts."""
    today = today or date.today()
    out: list[Finding] = []
    for org, activities, recipients in organisations:
        facts = _OrgFacts()
        for act in activities:
            facts.add(act)
            out.extend(check_activity(act, org["name"], today, org))
        out.extend(check_organisation(org, facts))
        for rec in recipients:
            out.extend(check_recipient(org["name"], rec, org))
    return by_severity(out)


def activity_findings(
    act: Mapping[str, Any],
    organisation: str,
    *,
    org: Optional[Mapping[str, Any]] = None,
    recipients: Optional[Mapping[str, Mapping[str, Any]]] = None,
    today: Optional[date] = None,
) -> list[Finding]:
    """What belongs to one activity: its own findings and those of the recipients it discloses to
    (``recipients``: the organisation's, by name, as stored; the activity's copy where missing)."""
    found = check_activity(act, organisation, today, org)
    for r in act.get("recipients") or []:
        found += check_recipient(organisation, (recipients or {}).get(r["name"], r), org)
    return found
