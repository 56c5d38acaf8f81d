"""The audit trail as people read it: actions in their language and values rendered as the
workbook renders them (labels, one item per line), never raw JSON, and its times in Europe/Oslo
with the zone named (:func:`local_time`). Used by the History page, the activity's History tab,
the user list and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from ropa import present, vocab
from ropa.permissions import ROLE_LABELS
from ropa.text import Words

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
    if value is None or value in ("", [], {}):
        return ""
    if isinstance(value, bool):
        return present.yes_no(value, lang)
    if isinstance(value, list):
        return "\n".join(p for p in (_plain(v, lang) for v in value) if p)
    if isinstance(value, dict):
        return ", ".join(p for p in (_plain(v, lang) for v in value.values()) if p)
    return str(value)


def _activity_field(field: str, value: Any, lang: str) -> Optional[str]:
    columns = [c for c in present.ACTIVITY_COLUMNS if not c.hidden and (c.key == field or c.key.startswith(f"{field}."))]
    if not columns:
        return None
    # Retention: every part named (the period, unit, start, end and the words), so a change of any shows.
    doc = _Blank({field: value if value is not None else _Blank()})
    ctx = present.Context(lang=lang)
    parts = []
    for col in columns:
        try:
            rendered = col.render(doc, ctx)
        except (KeyError, TypeError, AttributeError, ValueError):
            return None  # an older shape of the field: fall back to plain text
        if isinstance(rendered, bool):
            rendered = present.yes_no(rendered, lang)
        if rendered in (None, "", _Blank()):
            continue
        text = rendered.isoformat() if hasattr(rendered, "isoformat") else str(rendered)
        parts.append(text if len(columns) == 1 else f"{col.header(lang)}: {text}")
    return "\n".join(parts)


# What each kind of record is called, and the labels of the fields the audit trail names that
# are not in the field table (ropa.fields): users, settings, snapshots, an activity's review.
ENTITIES = {
    "activity": vocab.Term("activity", "processing activity", "behandlingsaktivitet"),
    "organisation": vocab.Term("organisation", "organisation", "virksomhet"),
    "recipient": vocab.Term("recipient", "recipient", "mottaker"),
    "term": vocab.Term("term", "vocabulary term", "begrep"),
    "user": vocab.Term("user", "user", "bruker"),
    "setting": vocab.Term("setting", "setting", "innstilling"),
    "snapshot": vocab.Term("snapshot", "snapshot", "øyeblikksbilde"),
}
_OWN_FIELDS = {
    "activity": {"review": vocab.Term("review", "Review and approval", "Gjennomgang og godkjenning")},
    "user": {
        f.code: f
        for f in (
            vocab.Term("name", "User name", "Brukernavn"),
            vocab.Term("email", "E-mail", "E-post"),
            vocab.Term("role", "Role", "Rolle"),
            vocab.Term("enabled", "Enabled", "Aktiv"),
            vocab.Term("organisations", "Organisations assigned", "Tildelte virksomheter"),
            vocab.Term("password", "Password", "Passord"),
            vocab.Term("locked", "Locked", "Låst"),
            vocab.Term("sso", "Single sign-on", "Felles innlogging (SSO)"),
        )
    },
    "setting": {"review_interval": vocab.Term("review_interval", "Review interval (months)", "Intervall for gjennomgang (måneder)")},
    "snapshot": {
        f.code: f
        for f in (
            vocab.Term("label", "Label", "Navn"),
            vocab.Term("organisations", "Organisations", "Virksomheter"),
            vocab.Term("activities", "Processing activities", "Behandlingsaktiviteter"),
            vocab.Term("digest", "Checksum (SHA-256)", "Kontrollsum (SHA-256)"),
        )
    },
}
REVIEW_STATES = {
    "draft": vocab.Term("draft", "draft", "utkast"),
    "in_review": vocab.Term("in_review", "in review", "til godkjenning"),
    "approved": vocab.Term("approved", "approved", "godkjent"),
}
# Words the code stores in place of a value (a password is never written to the trail).
_MARKERS = {"(hidden)": "(skjult)", "(changed)": "(endret)"}
_SOURCES = {"dashboard": ("dashbordet", "dashboard"), "cli": ("kommandolinjen", "command line"), "demo register": ("demoregisteret", "demo register")}


def field_label(entity: str, field: Optional[str], lang: str) -> str:
    """The name of a field the trail records, for its kind of record: "dpo" of an organisation is
    "Personvernombud", "name" of a recipient "Mottaker", "review_interval" of a setting the
    interval; the key itself only if nobody labelled it (a test walks every field the code writes)."""
    from ropa import fields

    if not field:
        return ""
    own = _OWN_FIELDS.get(entity, {})
    if field in own:
        return own[field].label(lang)
    table = {"activity": fields.ACTIVITY, "organisation": fields.ORGANISATION, "recipient": fields.RECIPIENT}.get(entity)
    return fields.label(field, lang, table) if table is not None else field


def entity_label(entity: str, lang: str) -> str:
    return vocab.term_label(ENTITIES, entity, lang)


def record_text(entity: str, key: str, lang: str, org: Optional[str] = None) -> str:
    """The record an event is about: "mottaker · Domeneshop"; without the organisation's name when
    the page shows one organisation (``org``)."""
    if org and key.startswith(f"{org}/"):
        key = key[len(org) + 1 :]
    return f"{entity_label(entity, lang)} · {key}"


def source_label(source: Optional[str], lang: str) -> str:
    """Where a change came from: "dashboard", "cli", "import:<file>", in the language."""
    if not source:
        return ""
    i = 0 if lang == "nb" else 1
    if source.startswith("import:"):
        name = source.split(":", 1)[1]
        return f"import: {_SOURCES[name][i] if name in _SOURCES else name}"
    return _SOURCES[source][i] if source in _SOURCES else source


def _review(value: Any, lang: str) -> str:
    """A review state ("in_review") or a review record ({"state": "approved", "version": 4})."""
    if isinstance(value, str):
        return vocab.term_label(REVIEW_STATES, value, lang)
    if isinstance(value, Mapping):
        words = {"version": ("versjon", "version"), "note": ("merknad", "note"), "owner": ("eier", "owner")}
        parts = [vocab.term_label(REVIEW_STATES, str(value["state"]), lang)] if value.get("state") else []
        parts += [f"{words[k][0 if lang == 'nb' else 1]}: {v}" for k, v in value.items() if k in words and v not in (None, "")]
        return ", ".join(parts)
    return _plain(value, lang)


def _user_value(field: Optional[str], value: Any, lang: str) -> str:
    if field == "role" and isinstance(value, str) and value in ROLE_LABELS:
        return ROLE_LABELS[value][0 if lang == "nb" else 1].split(" (")[0]
    if isinstance(value, str) and value in _MARKERS:
        return _MARKERS[value] if lang == "nb" else value
    return _plain(value, lang)


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
    if entity == "activity" and field == "review":
        return _review(value, lang)
    if entity == "user":
        return _user_value(field, value, lang)
    if entity == "organisation" and isinstance(value, Mapping):  # the DPO, the representative: each part named
        from ropa import fields

        parts = [(fields.ORGANISATION.get(f"{field}.{k}"), v) for k, v in value.items() if v not in (None, "")]
        order = list(fields.ORGANISATION)
        parts.sort(key=lambda p: order.index(p[0].key) if p[0] else len(order))
        return "\n".join(f"{spec.label(lang)}: {_plain(v, lang)}" if spec else _plain(v, lang) for spec, v in parts)
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


def oslo_today() -> date:
    """Today's date in Oslo (the server's clock may keep another zone)."""
    return in_oslo(datetime.now(UTC)).date()


def local_day(day: Optional[date | str], lang: str = "nb") -> str:
    """A calendar date (a review date) for a person: "02.12.2026" (nb), "2026-12-02" (en), as the
    date fields and the documents write it; "" for none."""
    if not day:
        return ""
    d = day if isinstance(day, date) else date.fromisoformat(str(day))
    return f"{d:%d.%m.%Y}" if lang == "nb" else d.isoformat()


def local_iso(at: Optional[datetime]) -> Optional[str]:
    """The same time for scripts (JSON output): ISO 8601 with Oslo's offset, to the second."""
    return in_oslo(at).isoformat(timespec="seconds") if at is not None else None


HEADS = {
    "at": Words(nb="Når", en="When"),
    "actor": Words(nb="Hvem", en="Who"),
    "action": Words(nb="Handling", en="Action"),
    "record": Words(nb="Post", en="Record"),
    "field": Words(nb="Felt", en="Field"),
    "old": Words(nb="Før", en="Before"),
    "new": Words(nb="Etter", en="After"),
    "source": Words(nb="Kilde", en="Source"),
    "version": Words(nb="Versjon", en="Version"),
}


def trail_rows(events: Iterable[Any], lang: str, *, org: Optional[str] = None, with_record: bool = True) -> list[dict[str, Any]]:
    """Audit events as the History page and an activity's History tab show them: one row an
    event, headed in the reader's language (the record left out where the page names it)."""

    def head(key: str) -> str:
        return HEADS[key].in_(lang)

    rows = []
    for e in events:
        row: dict[str, Any] = {head("at"): local_time(e.at, lang), head("actor"): e.actor, head("action"): action_label(e.action, lang)}
        if with_record:
            row[head("record")] = record_text(e.entity, e.entity_key, lang, org)
        row.update(
            {
                head("field"): field_label(e.entity, e.field, lang),
                head("old"): value_text(e.entity, e.field, e.old_value, lang),
                head("new"): value_text(e.entity, e.field, e.new_value, lang),
                head("source"): source_label(e.source, lang),
                head("version"): e.version,
            }
        )
        rows.append(row)
    return rows
