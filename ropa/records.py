"""The record's shape: what an organisation, recipient, activity and transfer look like.

One place maps between the tables' rows and the JSON format's records (which the exports
write, the imports read and the audit trail compares), in both directions: the ORM write path
and the bulk one write the same columns, the ORM reader and the fast reader build the same
dicts. Defaults come from the validated models in :mod:`ropa.schema`, never restated; a new
activity field is added to the models, the schema, the fields table and here, with a migration
(``python -m ropa schema`` then writes the published JSON Schema anew; the workbook's columns,
the importer and the editor follow the field table).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Optional

from ropa.schema import ActivityDoc, DpiaDoc, OrganisationDoc, RecipientDoc, TransferDoc, transparency_dict


def _default(model: Any, name: str) -> Any:
    return model.model_fields[name].default


# The defaults a blank code falls back to (the models' own).
ROLE: str = _default(ActivityDoc, "role")
STATUS: str = _default(ActivityDoc, "status")
DPIA_STATUS: str = _default(DpiaDoc, "status")
MECHANISM: str = _default(TransferDoc, "mechanism")
RECIPIENT_KIND: str = _default(RecipientDoc, "kind")

# An organisation's own fields that are columns of the same name (the rest are nested: dpo, representative).
ORG_FIELDS = (
    "name",
    "org_number",
    "country",
    "address",
    "email",
    "phone",
    "website",
    "supervisory_authority",
    "public_authority",
    "offers_to_eea",
    "monitors_eea",
    "occasional_processing",
    "fewer_than_250",
    "art30_5_assessment",
    "public_fields",
)
assert set(ORG_FIELDS) <= set(OrganisationDoc.model_fields)

# The activity's columns (in the bulk insert's order) and which of them hold JSON lists or mappings, or days.
ACTIVITY_COLUMNS = (
    "ref",
    "name",
    "description",
    "role",
    "controllers",
    "status",
    "owner",
    "purposes",
    "special_categories",
    "criminal_data",
    "criminal_data_basis",
    "no_recipients",
    "data_subjects",
    "data_categories",
    "sources",
    "security_measures",
    "systems",
    "retention_period",
    "retention_unit",
    "retention_trigger",
    "retention_action",
    "retention_text",
    "dpia_status",
    "dpia_ref",
    "dpia_screening",
    "last_review",
    "next_review",
    "transparency",
)
LIST_COLUMNS = frozenset(("controllers", "purposes", "special_categories", "data_subjects", "data_categories", "sources", "security_measures", "systems"))
MAPPING_COLUMNS = frozenset(("dpia_screening", "transparency"))
DAY_COLUMNS = frozenset(("last_review", "next_review"))
TRANSFER_COLUMNS = ("country", "international_organisation", "mechanism", "safeguard", "tia_date", "frequency", "adequacy_scope_confirmed", "note")


def _day(value: Optional[date]) -> Optional[str]:
    return value.isoformat() if value else None


# ---------------------------------------------------------------------------------------------
# Rows -> records (an ORM object or a Core row: the same attribute names)


def organisation_record(org: Any) -> dict[str, Any]:
    """An organisation's own fields in the JSON format (without activities)."""
    dpo = {"name": org.dpo_name, "email": org.dpo_email, "phone": org.dpo_phone}
    rep = {
        "name": org.representative_name,
        "address": org.representative_address,
        "country": org.representative_country,
        "email": org.representative_email,
    }
    out: dict[str, Any] = {f: getattr(org, f) for f in ORG_FIELDS}
    out["establishments"] = list(org.establishments or [])
    out["dpo"] = dpo if any(dpo.values()) else None
    out["representative"] = rep if any(rep.values()) else None
    return out


def recipient_record(rec: Any, *, version: bool = False) -> dict[str, Any]:
    """A recipient in the JSON format; ``version``: with the version it was read at (exports)."""
    out: dict[str, Any] = {"name": rec.name, "kind": rec.kind, "country": rec.country, "agreement": rec.agreement}
    if version:
        out["version"] = rec.version
    return out


def basis_record(b: Any) -> dict[str, Any]:
    return {"code": b.code, "note": b.note, "documentation": b.documentation}


def transfer_record(t: Any, recipient: Optional[str]) -> dict[str, Any]:
    """A transfer row in the JSON format; ``recipient``: its recipient's name."""
    return {
        "country": t.country,
        "international_organisation": t.international_organisation,
        "recipient": recipient,
        "mechanism": t.mechanism,
        "safeguard": t.safeguard,
        "tia_date": _day(t.tia_date),
        "frequency": t.frequency,
        "adequacy_scope_confirmed": bool(t.adequacy_scope_confirmed),
        "note": t.note,
    }


def activity_record(a: Any, bases: Sequence[Any], recipients: list[dict[str, Any]], transfers: list[dict[str, Any]]) -> dict[str, Any]:
    """An activity row with its children in the JSON format: what export writes and what the
    audit trail compares. ``bases``: its basis rows in order; ``recipients`` and ``transfers``:
    already records (:func:`recipient_record`, :func:`transfer_record`)."""
    return {
        "ref": a.ref,
        "name": a.name,
        "description": a.description,
        "role": a.role,
        "controllers": list(a.controllers or []),
        "status": a.status,
        "owner": a.owner,
        "purposes": list(a.purposes or []),
        "legal_bases": [basis_record(b) for b in bases if b.code.startswith("art6")],
        "special_categories": list(a.special_categories or []),
        "art9_conditions": [basis_record(b) for b in bases if b.code.startswith("art9")],
        "criminal_data": bool(a.criminal_data),
        "criminal_data_basis": a.criminal_data_basis,
        "no_recipients": bool(a.no_recipients),
        "data_subjects": list(a.data_subjects or []),
        "data_categories": list(a.data_categories or []),
        "sources": list(a.sources or []),
        "recipients": recipients,
        "transfers": transfers,
        "retention": {
            "period": a.retention_period,
            "unit": a.retention_unit,
            "trigger": a.retention_trigger,
            "action": a.retention_action,
            "text": a.retention_text,
        },
        "security_measures": list(a.security_measures or []),
        "systems": list(a.systems or []),
        "dpia": {"status": a.dpia_status, "ref": a.dpia_ref, "screening": dict(a.dpia_screening or {})},
        "last_review": _day(a.last_review),
        "next_review": _day(a.next_review),
        "transparency": transparency_dict(a.transparency),
    }


# ---------------------------------------------------------------------------------------------
# Records -> rows (from a validated document)


def activity_columns(doc: ActivityDoc) -> dict[str, Any]:
    """A validated activity's own columns (Python values, keys in :data:`ACTIVITY_COLUMNS`' order)."""
    r, dpia = doc.retention, doc.dpia
    # (the document's lists are never None once validated; ``or []`` tells the type checker)
    return {
        "ref": doc.ref,
        "name": doc.name,
        "description": doc.description,
        "role": doc.role or ROLE,
        "controllers": doc.controllers or [],
        "status": doc.status or STATUS,
        "owner": doc.owner,
        "purposes": doc.purposes or [],
        "special_categories": doc.special_categories or [],
        "criminal_data": doc.criminal_data,
        "criminal_data_basis": doc.criminal_data_basis,
        "no_recipients": doc.no_recipients,
        "data_subjects": doc.data_subjects or [],
        "data_categories": doc.data_categories or [],
        "sources": doc.sources or [],
        "security_measures": doc.security_measures or [],
        "systems": doc.systems or [],
        "retention_period": r.period,
        "retention_unit": r.unit,
        "retention_trigger": r.trigger,
        "retention_action": r.action,
        "retention_text": r.text,
        "dpia_status": dpia.status or DPIA_STATUS,
        "dpia_ref": dpia.ref,
        "dpia_screening": {k: a.model_dump() for k, a in dpia.screening.items()},
        "last_review": doc.last_review,
        "next_review": doc.next_review,
        "transparency": {k: v for k, v in doc.transparency.model_dump().items() if v is not None},
    }


def basis_columns(doc: ActivityDoc) -> Iterable[tuple[int, str, Optional[str], Optional[str]]]:
    """``(position, code, note, documentation)`` of the activity's legal bases then Art. 9 conditions."""
    for i, b in enumerate([*doc.legal_bases, *doc.art9_conditions]):
        yield i, b.code or "", b.note, b.documentation


def transfer_columns(t: TransferDoc) -> dict[str, Any]:
    """A validated transfer's own columns (its recipient is a link: the caller's)."""
    return {
        "country": t.country,
        "international_organisation": t.international_organisation,
        "mechanism": t.mechanism or MECHANISM,
        "safeguard": t.safeguard,
        "tia_date": t.tia_date,
        "frequency": t.frequency,
        "adequacy_scope_confirmed": t.adequacy_scope_confirmed,
        "note": t.note,
    }


def recipient_columns(doc: RecipientDoc) -> dict[str, Any]:
    """A validated recipient's own columns."""
    return {"name": doc.name, "kind": doc.kind or RECIPIENT_KIND, "country": doc.country, "agreement": doc.agreement}


# ---------------------------------------------------------------------------------------------
# Empty records (what a new one starts as)


def _empty_value(model: Any, name: str) -> Any:
    info = model.model_fields[name]
    if info.default_factory is not None:
        value = info.default_factory()
        return value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    return None if info.is_required() else copy.deepcopy(info.default)


def _empty(model: Any, *, leave: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: _empty_value(model, name) for name in model.model_fields if name not in leave}


def _fresh(value: Any) -> Any:
    """A copy of an empty record's template (its lists and mappings new), cheaper than deepcopy:
    the importer asks for one per row."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return list(value) if isinstance(value, list) else value


_EMPTY_ACTIVITY = _empty(ActivityDoc, leave=("version",))
_EMPTY_TRANSFER = _empty(TransferDoc)
_EMPTY_DPIA = _empty(DpiaDoc)


def empty_activity() -> dict[str, Any]:
    """A new activity with the format's defaults (the model's own), ref and name still empty."""
    return _fresh(_EMPTY_ACTIVITY)


def empty_transfer() -> dict[str, Any]:
    """A new transfer with the format's defaults."""
    return _fresh(_EMPTY_TRANSFER)


def empty_dpia() -> dict[str, Any]:
    """A DPIA not yet assessed, with no screening."""
    return _fresh(_EMPTY_DPIA)
