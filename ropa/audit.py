"""The audit trail as people read it: actions in their language and values rendered as the
workbook renders them (labels, one item per line), never raw JSON, and its times in Europe/Oslo
with the zone named (:func:`local_time`). Used by the History page, the activity's History tab,
the user list and the CLI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from ropa import vocab

ACTIONS = {
    "create": vocab.Term("create", "created", "opprettet"),
    "update": vocab.Term("update", "changed", "endret"),
    "delete": vocab.Term("delete", "deleted", "slettet"),
    "retire": vocab.Term("retire", "retired", "avsluttet"),
    "import": vocab.Term("import", "imported", "importert"),
    # the review cycle and the accounts (ropa.review, ropa.users)
    "submit": vocab.Term("submit", "sent for approval", "sendt til godkjenning"),
    "approve": vocab.Term("approve", "approved", "godkjent"),
    "return": vocab.Term("return", "returned", "sendt tilbake"),
    "signin": vocab.Term("signin", "signed in", "logget inn"),
    "refused": vocab.Term("refused", "sign-in refused", "innlogging avvist"),
    "lock": vocab.Term("lock", "account locked", "konto låst"),
}


def action_label(action: str, lang: str) -> str:
    """ "update" -> "endret" / "changed"."""
    return vocab.term_label(ACTIONS, action, lang)


class _Blank(dict):
    """An activity document with only some keys: the rest read as empty."""

    def __missing__(self, key: str) -> Any:
        return _Blank()


def _decode(raw: Optional[str]) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _plain(value: Any, lang: str) -> str:
    """Any decoded value as lines of text: dicts as "key: value", lists one item a line."""
    from ropa.excel import layout

    if value is None or value in ("", [], {}):
        return ""
    if isinstance(value, bool):
        return layout.yes_no(value, lang)
    if isinstance(value, list):
        return "\n".join(p for p in (_plain(v, lang) for v in value) if p)
    if isinstance(value, dict):
        return ", ".join(p for p in (_plain(v, lang) for v in value.values()) if p)
    return str(value)


def _activity_field(field: str, value: Any, lang: str) -> Optional[str]:
    from ropa.excel import layout

    columns = [c for c in layout.ACTIVITIES.columns if not c.hidden and (c.key == field or c.key.startswith(f"{field}."))]
    if not columns:
        return None
    summary = [c for c in columns if c.key == f"{field}.text"]  # retention: the sentence the workbook writes
    columns = summary or columns
    doc = _Blank({field: value if value is not None else _Blank()})
    ctx = layout.Context(lang=lang)
    parts = []
    for col in columns:
        try:
            rendered = col.render(doc, ctx)
        except (KeyError, TypeError, AttributeError, ValueError):
            return None  # an older shape of the field: fall back to plain text
        if isinstance(rendered, bool):
            rendered = layout.yes_no(rendered, lang)
        if rendered in (None, "", _Blank()):
            continue
        text = rendered.isoformat() if hasattr(rendered, "isoformat") else str(rendered)
        parts.append(text if len(columns) == 1 else f"{col.header(lang)}: {text}")
    return "\n".join(parts)


_CODED = {"role": vocab.ROLES, "status": vocab.STATUSES, "kind": vocab.RECIPIENT_KINDS}


def value_text(entity: str, field: Optional[str], raw: Optional[str], lang: str) -> str:
    """One audit value (stored as JSON) as the workbook would show it; a whole record (a creation or
    deletion) as its name."""
    value = _decode(raw)
    if value is None:
        return ""
    if field is None:  # the whole record
        if isinstance(value, Mapping):
            name = value.get("name") or value.get("label") or ""  # a snapshot has a label
            return f"{value['ref']} · {name}" if value.get("ref") else str(name)
        return _plain(value, lang)
    if entity == "activity":
        shown = _activity_field(field, value, lang)
        if shown is not None:
            return shown
    if field in _CODED and isinstance(value, str):
        return vocab.term_label(_CODED[field], value, lang)
    if field == "country" and isinstance(value, str):
        return f"{vocab.country_name(value, lang)} ({value})"
    return _plain(value, lang)


# ---------------------------------------------------------------------------------------------
# Times as people read them: stored in UTC, shown in Oslo with the zone named

OSLO = ZoneInfo("Europe/Oslo")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def in_oslo(at: datetime) -> datetime:
    """A stored time in Europe/Oslo; a time without a zone (SQLite drops it) is UTC."""
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(OSLO)


def local_time(at: Optional[datetime], lang: str = "nb") -> str:
    """An audit or sign-in time for a person: "02.12.2026 08:15 CET" (nb), "2 Dec 2026 08:15 CET" (en);
    "" for none. Summer time reads CEST. Month names are fixed, not the server's locale."""
    if at is None:
        return ""
    t = in_oslo(at)
    if lang == "nb":
        return f"{t:%d.%m.%Y %H:%M} {t.tzname()}"
    return f"{t.day} {_MONTHS_EN[t.month - 1]} {t.year} {t:%H:%M} {t.tzname()}"


def local_iso(at: Optional[datetime]) -> Optional[str]:
    """The same time for scripts (JSON output): ISO 8601 with Oslo's offset, to the second."""
    return in_oslo(at).isoformat(timespec="seconds") if at is not None else None
