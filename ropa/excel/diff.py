"""What an import would change, activity by activity and field by field (old -> new), for the dry run.

The register's dict of an activity (:func:`ropa.register.activities.activity_dict`) is compared with what
the file makes of it; nested records (retention, DPIA) are compared part by part, lists as a
whole. Values are rendered as short text in the user's language, the field named by its label
(:mod:`ropa.fields`), so the CLI and the Import page can show the same lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ropa import vocab
from ropa.fields import ACTIVITY

_NESTED = ("retention", "dpia")


@dataclass
class FieldChange:
    field: str  # the key in the JSON format ("purposes", "retention.period")
    old: Any
    new: Any

    def label(self, lang: str = "en") -> str:
        spec = ACTIVITY.get(self.field)
        return spec.label(lang) if spec else self.field

    def show(self, value: Any, lang: str = "en") -> str:
        """A value of this field as one short line (a code as its label)."""
        spec = ACTIVITY.get(self.field)
        terms = getattr(vocab, spec.vocab, None) if spec and spec.kind == "code" and spec.vocab else None
        if isinstance(value, str) and isinstance(terms, dict) and value in terms:
            return str(terms[value].label(lang))
        return render(value, lang)

    def line(self, lang: str = "en") -> str:
        return f"{self.label(lang)}: {self.show(self.old, lang)} → {self.show(self.new, lang)}"


def _flat(act: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in act.items():
        if k in _NESTED and isinstance(v, dict):
            for sub, value in v.items():
                out[f"{k}.{sub}"] = value
        else:
            out[k] = v
    return out


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ, in the field table's order."""
    a, b = _flat(old), _flat(new)
    order = {k: i for i, k in enumerate(ACTIVITY)}
    keys = sorted(set(a) | set(b), key=lambda k: (order.get(k, len(order)), k))
    return [FieldChange(k, a.get(k), b.get(k)) for k in keys if _norm(a.get(k)) != _norm(b.get(k)) and k not in ("id", "version")]


def _norm(value: Any) -> Any:
    return None if value in ("", [], {}) else value


def _item(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        if "code" in value:
            term = vocab.LEGAL_BASES.get(value["code"]) or vocab.ART9_CONDITIONS.get(value["code"])
            shown = term.display(lang) if term else str(value["code"])
            return f"{shown} ({value['note']})" if value.get("note") else shown
        if "country" in value or "international_organisation" in value:
            where = vocab.country_name(value.get("country"), lang) if value.get("country") else value.get("international_organisation")
            mech = vocab.MECHANISMS.get(value.get("mechanism") or "")
            parts = [p for p in (value.get("recipient"), mech.display(lang) if mech else None) if p]
            return f"{where} ({', '.join(parts)})" if parts else str(where)
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{k}: {render(v, lang)}" for k, v in value.items() if v not in (None, "", [], {}))
    return str(value)


def render(value: Any, lang: str = "en", limit: int = 160) -> str:
    """A value as one short line: lists joined with '; ', nothing as '–'."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return ("ja" if value else "nei") if lang == "nb" else ("yes" if value else "no")
    if isinstance(value, list):
        text = "; ".join(_item(v, lang) for v in value)
    else:
        text = _item(value, lang)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
