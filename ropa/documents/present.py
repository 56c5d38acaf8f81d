"""One presentation layer: how the register's values read in a document, in bokmål and English.

Labels come from the field table (:mod:`ropa.fields`) and the vocabularies (:mod:`ropa.vocab`);
codes become words ("art6_1_b" -> "Art. 6(1)(b) – avtale"), taxonomy keys become labels,
countries get their names and status, and a retention rule becomes a sentence. The report,
the notices and the public register all ask this module, never the raw codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

from sqlmodel import Session

from ropa import vocab
from ropa.fields import ACTIVITY, ORGANISATION, RECIPIENT, TRANSFER, FieldSpec
from ropa.text import Words

LANGS = ("nb", "en")


def load(session: Session, orgs: Optional[Sequence[str]] = None) -> list[dict[str, Any]]:
    """The register (or the named organisations) as the JSON format's organisation dicts,
    each with its ``activities`` and every ``recipient`` it has (used or not)."""
    from ropa.register import interchange, reader
    from ropa.register.recipients import recipient_dict

    document = interchange.export_document(session, list(orgs) if orgs else None)
    rows = {r.name: r for r in reader.organisations(session, list(orgs) if orgs else None)}
    for org in document["organisations"]:
        row = rows.get(org["name"])
        org["all_recipients"] = [recipient_dict(r) for r in reader.recipients(session, row.id)] if row else []
    return list(document["organisations"])


def check_folder(path: Path) -> None:
    """A document is written beside its final name first: say plainly when the folder is missing."""
    from ropa.errors import RopaError

    if not path.parent.is_dir():
        raise RopaError(f"{path}: the folder {path.parent} does not exist; create it or choose another")


@dataclass
class Row:
    """One labelled line of a card: a label and its values (an empty list = not recorded)."""

    label: str
    values: list[str]
    article: Optional[str] = None
    note: Optional[str] = None  # a second line in smaller type, e.g. the text as written
    empty: Optional[str] = None  # what an empty value means, when not "not recorded" (e.g. "None recorded")

    @property
    def missing(self) -> bool:
        return not self.values


@dataclass
class Section:
    """A block of a card, e.g. "(b) Purposes" in Art. 30(1) order."""

    letter: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Card:
    """One activity as a document shows it."""

    ref: str
    name: str
    role: str
    status: str
    organisation: str
    sections: list[Section]


def _capital(text: str) -> str:
    """A vocabulary label that stands alone starts with a capital ("Ikke vurdert")."""
    return text[:1].upper() + text[1:]


class Presenter:
    """Words for values, in one language."""

    def __init__(self, lang: str = "nb") -> None:
        if lang not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
        self.lang = lang

    def t(self, nb: str, en: str) -> str:
        return Words(nb, en).in_(self.lang)

    @property
    def not_recorded(self) -> str:
        return self.t("Ikke registrert", "Not recorded")

    @property
    def none_recorded(self) -> str:
        """For a list whose emptiness is itself the record (no transfers, no recipients)."""
        return self.t("Ingen registrert", "None recorded")

    def not_applicable(self, why: str = "") -> str:
        return self.t("Ikke aktuelt", "Not applicable") + (f" ({why})" if why else "")

    def approval(self, review: Optional[dict[str, Any]]) -> list[str]:
        """Who approved which version of an activity, and when (the review cycle's record)."""
        if not review or not review.get("approved_by"):
            return []
        at = review.get("approved_at")
        out = self.t(
            f"Versjon {review.get('approved_version')}, godkjent av {review['approved_by']}",
            f"Version {review.get('approved_version')}, approved by {review['approved_by']}",
        )
        if at:
            out += f" ({self.date(at.date() if isinstance(at, datetime) else at)})"
        return [out]

    def review_state(self, review: Optional[dict[str, Any]]) -> str:
        state = (review or {}).get("state") or "draft"
        return {
            "draft": self.t("utkast", "draft"),
            "in_review": self.t("til godkjenning", "awaiting approval"),
            "approved": self.t("godkjent", "approved"),
        }.get(state, state)

    def label(self, key: str, table: dict[str, FieldSpec] = ACTIVITY) -> str:
        spec = table.get(key)
        return spec.label(self.lang) if spec else key

    def term(self, table: dict[str, vocab.Term], code: Optional[str]) -> str:
        return vocab.term_label(table, code, self.lang)

    def basis(self, b: dict[str, Any], table: dict[str, vocab.Term] = vocab.LEGAL_BASES) -> str:
        term = table.get(b.get("code") or "")
        text = term.display(self.lang) if term else (b.get("code") or "")
        return text + (f": {b['note']}" if b.get("note") else "")

    def subject(self, key: str) -> str:
        return vocab.taxonomy_label("data_subject", key, self.lang)

    def category(self, key: str) -> str:
        return vocab.taxonomy_label("data_category", key, self.lang)

    def country(self, code: Optional[str]) -> str:
        return vocab.country_name(code, self.lang) if code else ""

    def country_status(self, code: Optional[str]) -> str:
        return vocab.country_status_label(code, self.lang) if code else ""

    def yes_no(self, value: Optional[bool]) -> str:
        if value is None:
            return ""
        return self.t("Ja", "Yes") if value else self.t("Nei", "No")

    def date(self, value: Optional[str | date]) -> str:
        if not value:
            return ""
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
        return d.strftime("%d.%m.%Y") if self.lang == "nb" else d.isoformat()

    def period(self, period: Optional[int], unit: Optional[str]) -> str:
        if period is None or not unit:
            return ""
        words = {"days": ("dag", "dager", "day", "days"), "months": ("måned", "måneder", "month", "months"), "years": ("år", "år", "year", "years")}.get(unit)
        if not words:
            return f"{period} {unit}"
        one_nb, many_nb, one_en, many_en = words
        return f"{period} " + (self.t(one_nb, one_en) if period == 1 else self.t(many_nb, many_en))

    def retention(self, ret: dict[str, Any]) -> str:
        """The structured rule as one sentence ("6 år fra …, deretter slettes opplysningene")."""
        period = self.period(ret.get("period"), ret.get("unit"))
        if not period:
            return ""
        out = period
        if ret.get("trigger"):
            out += self.t(" regnet fra ", " from ") + ret["trigger"]
        action = ret.get("action")
        then = {
            "erase": ("deretter slettes opplysningene", "then the data are erased"),
            "anonymise": ("deretter anonymiseres opplysningene", "then the data are anonymised"),
            "review": ("deretter vurderes behovet på nytt", "then the need is reviewed"),
        }.get(action or "")
        if then:
            out += ", " + self.t(*then)
        return out

    def recipient(self, r: dict[str, Any]) -> str:
        parts = [self.term(vocab.RECIPIENT_KINDS, r.get("kind"))]
        if r.get("country"):
            parts.append(self.country(r["country"]))
        return f"{r['name']} ({', '.join(p for p in parts if p)})"

    def mechanism(self, code: Optional[str]) -> str:
        term = vocab.MECHANISMS.get(code or "unknown")
        return term.display(self.lang) if term else (code or "")

    def transfer(self, t: dict[str, Any]) -> str:
        where = self.country(t.get("country")) or (t.get("international_organisation") or "")
        status = self.country_status(t.get("country"))
        out = where + (f" ({status})" if status else "")
        if t.get("recipient"):
            out += f" – {t['recipient']}"
        out += f"; {self.label('mechanism', TRANSFER).lower()}: {self.mechanism(t.get('mechanism'))}"
        if t.get("safeguard"):
            out += f"; {self.label('safeguard', TRANSFER).lower()}: {t['safeguard']}"
        if t.get("tia_date"):
            out += f"; TIA {self.date(t['tia_date'])}"
        if t.get("frequency"):
            out += f"; {self.term(vocab.TRANSFER_FREQUENCIES, t['frequency'])}"
        return out

    def contact(self, org: dict[str, Any]) -> list[str]:
        out = [org["name"]]
        if org.get("org_number"):
            out.append(f"{self.label('org_number', ORGANISATION)} {org['org_number']}")
        for key in ("address", "email", "phone", "website"):
            if org.get(key):
                out.append(str(org[key]))
        if org.get("country"):
            out.append(self.country(org["country"]))
        return out

    def dpo(self, org: dict[str, Any]) -> list[str]:
        d = org.get("dpo") or {}
        return [v for v in (d.get("name"), d.get("email"), d.get("phone")) if v]

    def representative(self, org: dict[str, Any]) -> list[str]:
        r = org.get("representative") or {}
        return [v for v in (r.get("name"), r.get("address"), self.country(r.get("country")), r.get("email")) if v]

    # -- the Art. 30 card ---------------------------------------------------------------------

    def card(self, act: dict[str, Any], org: dict[str, Any], review: Optional[dict[str, Any]] = None) -> Card:
        """An activity's card: Art. 30(1)(a)–(g) for a controller, Art. 30(2)(a)–(d) for a
        processor, then what a DPO adds (sources, systems, DPIA, reviews and approval).

        An empty value reads "Not recorded", except where the emptiness is the record itself
        ("None recorded": no transfers, no recipients, no special categories) or the item does
        not apply (no joint controllers for a sole controller, no Art. 27 representative for an
        organisation established in the EEA)."""
        L = self.label
        none = self.none_recorded
        in_eea = vocab.country_status(org.get("country")) == vocab.CountryStatus.EEA
        representative = Row(
            L("representative.name", ORGANISATION),
            self.representative(org),
            "Art. 27",
            empty=self.not_applicable(self.t("etablert i EØS", "established in the EEA")) if in_eea else None,
        )
        ret = act.get("retention") or {}
        retention = [
            Row(self.t("Regel", "Rule"), [s] if (s := self.retention(ret)) else [], note=None),
            Row(self.t("Slik den er skrevet", "As written"), [ret["text"]] if ret.get("text") else []),
        ]
        processor = act.get("role") == "processor"
        transfers = Row(L("transfers"), [self.transfer(t) for t in act.get("transfers", [])], "Art. 30(2)(c)" if processor else "Art. 30(1)(e)", empty=none)
        security = Row(L("security_measures"), list(act.get("security_measures", [])), "Art. 30(2)(d)" if processor else "Art. 30(1)(g)")
        if processor:
            sections = [
                Section(
                    "a",
                    self.t("Databehandler og behandlingsansvarlige", "Processor and controllers"),
                    [
                        Row(self.t("Databehandler", "Processor"), self.contact(org), "Art. 30(2)(a)"),
                        Row(self.t("Behandlingsansvarlige det behandles for", "Controllers acted for"), list(act.get("controllers", []))),
                        representative,
                        Row(L("dpo.name", ORGANISATION), self.dpo(org), "Art. 37"),
                    ],
                ),
                Section(
                    "b",
                    self.t("Kategorier av behandling", "Categories of processing"),
                    [
                        Row(
                            self.t("Behandling utført for hver behandlingsansvarlig", "Processing carried out for each controller"),
                            list(act.get("purposes", [])),
                            "Art. 30(2)(b)",
                        ),
                        Row(L("data_subjects"), [self.subject(s) for s in act.get("data_subjects", [])]),
                        Row(L("data_categories"), [self.category(c) for c in act.get("data_categories", [])]),
                    ],
                ),
                Section("c", self.t("Overføringer", "Transfers"), [transfers]),
                Section("d", self.t("Sikkerhetstiltak", "Security measures"), [security]),
            ]
        else:
            controllers = list(act.get("controllers", [])) if act.get("role") == "joint_controller" else []
            sections = [
                Section(
                    "a",
                    self.t("Behandlingsansvarlig", "Controller"),
                    [
                        Row(L("name", ORGANISATION), self.contact(org), "Art. 30(1)(a)"),
                        Row(
                            self.t("Felles behandlingsansvarlige", "Joint controllers"),
                            controllers,
                            "Art. 26",
                            empty=None if act.get("role") == "joint_controller" else self.not_applicable(self.t("eget behandlingsansvar", "sole controller")),
                        ),
                        representative,
                        Row(L("dpo.name", ORGANISATION), self.dpo(org), "Art. 37"),
                    ],
                ),
                Section(
                    "b",
                    self.t("Formål", "Purposes"),
                    [
                        Row(L("purposes"), list(act.get("purposes", [])), "Art. 30(1)(b)"),
                        Row(L("legal_bases"), [self.basis(b) for b in act.get("legal_bases", [])], "Art. 6(1)"),
                    ],
                ),
                Section(
                    "c",
                    self.t("Registrerte og personopplysninger", "Data subjects and personal data"),
                    [
                        Row(L("data_subjects"), [self.subject(s) for s in act.get("data_subjects", [])], "Art. 30(1)(c)"),
                        Row(L("data_categories"), [self.category(c) for c in act.get("data_categories", [])], "Art. 30(1)(c)"),
                        Row(L("special_categories"), [self.category(c) for c in act.get("special_categories", [])], "Art. 9(1)", empty=none),
                        Row(
                            L("art9_conditions"),
                            [self.basis(b, vocab.ART9_CONDITIONS) for b in act.get("art9_conditions", [])],
                            "Art. 9(2)",
                            empty=None if act.get("special_categories") else self.not_applicable(),
                        ),
                        Row(
                            L("criminal_data"),
                            [self.yes_no(bool(act.get("criminal_data"))) + (f": {act['criminal_data_basis']}" if act.get("criminal_data_basis") else "")],
                            "Art. 10",
                        ),
                    ],
                ),
                Section(
                    "d",
                    self.t("Mottakere", "Recipients"),
                    [
                        Row(
                            L("recipients"),
                            [self.recipient(r) for r in act.get("recipients", [])],
                            "Art. 30(1)(d)",
                            empty=self.t("Utleveres ikke til noen", "Disclosed to no one") if act.get("no_recipients") else None,
                        ),
                    ],
                ),
                Section("e", self.t("Overføringer til tredjestater", "Transfers to third countries"), [transfers]),
                Section("f", self.t("Tidsfrister for sletting", "Time limits for erasure"), retention),
                Section("g", self.t("Sikkerhetstiltak", "Security measures"), [security]),
            ]
        if act.get("role") == "processor":
            sections.append(Section("", self.t("Tidsfrister for sletting", "Time limits for erasure"), retention))
        dpia = act.get("dpia") or {}
        sections.append(
            Section(
                "",
                self.t("Mer om behandlingen", "More about the processing"),
                [
                    Row(L("description"), [act["description"]] if act.get("description") else []),
                    Row(L("owner"), [act["owner"]] if act.get("owner") else []),
                    Row(L("sources"), list(act.get("sources", []))),
                    Row(L("systems"), list(act.get("systems", []))),
                    Row(
                        L("dpia.status"),
                        [_capital(self.term(vocab.DPIA_STATUSES, dpia.get("status"))) + (f" ({dpia['ref']})" if dpia.get("ref") else "")],
                        "Art. 35",
                    ),
                    Row(L("last_review"), [self.date(act.get("last_review"))] if act.get("last_review") else []),
                    Row(L("next_review"), [self.date(act.get("next_review"))] if act.get("next_review") else []),
                    Row(
                        self.t("Godkjent", "Approved"),
                        self.approval(review),
                        empty=self.t(f"Ikke godkjent ({self.review_state(review)})", f"Not approved ({self.review_state(review)})"),
                    ),
                ],
            )
        )
        for section in sections:  # each row's article as the language cites it: "art. 30 nr. 1 bokstav b" in bokmål
            for row in section.rows:
                row.article = vocab.article_in(row.article, self.lang) or None
        return Card(
            act["ref"], act["name"], _capital(self.term(vocab.ROLES, act.get("role"))), self.term(vocab.STATUSES, act.get("status")), org["name"], sections
        )

    def recipient_row(self, r: dict[str, Any]) -> list[str]:
        """A recipient in the annex: name, kind, country, agreement. A processor without an
        agreement says so (Art. 28(3) requires one); for others an empty cell means none applies."""
        agreement = r.get("agreement") or (self.not_recorded if r.get("kind") in ("processor", "sub_processor") else "")
        return [r["name"], self.term(vocab.RECIPIENT_KINDS, r.get("kind")), self.country(r.get("country")), agreement]

    def recipient_headers(self) -> list[str]:
        return [self.label(k, RECIPIENT) for k in ("name", "kind", "country", "agreement")]
