"""The Art. 30 record as a document an authority can read (Art. 30(4)): PDF through typst,
Word through python-docx.

A cover (organisations, DPO, representative, date, register version), a table of contents,
one card per activity in Art. 30(1) order (a)–(g) (Art. 30(2) for processor activities), an
annex of recipients and their agreements and, on request, the open findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Optional, Union

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa import access, checks, vocab
from ropa.audit import in_oslo  # the dates a reader in Norway expects (stored times are UTC)
from ropa.documents.present import Card, Presenter, _capital, check_folder, load
from ropa.errors import RopaError
from ropa.fields import ORGANISATION
from ropa.models import ActivityReview, AuditEvent, Organisation, ProcessingActivity
from ropa.register.audit import keys_of
from ropa.register.checks import check_register

FORMATS = (".pdf", ".docx")


@dataclass
class RegisterVersion:
    """Which state of the register a document shows: the last audited change and when."""

    change: int
    at: Optional[datetime]


def register_version(session: Session, until: Optional[datetime] = None) -> RegisterVersion:
    """The register's state now, or at the moment ``until`` (the changes made by then). For a reader
    of some organisations, the changes of theirs alone: the whole register's count (sign-ins
    included) would tell them when anyone acted anywhere."""
    stmt = select(func.count(col(AuditEvent.id)), func.max(col(AuditEvent.at)))
    if until is not None:
        stmt = stmt.where(col(AuditEvent.at) <= until)
    scope = access.readable_orgs()
    if scope is not None:
        stmt = stmt.where(keys_of(session, sorted(scope)))
    change, at = session.execute(stmt).one()
    return RegisterVersion(int(change or 0), at)


def approvals(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """Each activity's place in the review cycle, keyed by (organisation, ref): its state and
    who approved which version when (:mod:`ropa.review`); activities without a row are drafts."""
    rows = session.execute(
        select(
            Organisation.name,
            ProcessingActivity.ref,
            ActivityReview.state,
            ActivityReview.approved_version,  # type: ignore[call-overload]
            ActivityReview.approved_by,
            ActivityReview.approved_at,
        )
        .join(ProcessingActivity, ProcessingActivity.id == ActivityReview.activity_id)
        .join(Organisation, Organisation.id == ProcessingActivity.organisation_id)
    ).all()
    return {(org, ref): {"state": state, "approved_version": version, "approved_by": by, "approved_at": at} for org, ref, state, version, by, at in rows}


@dataclass
class Report:
    """Everything the record shows, worded in one language; the PDF and the DOCX render this."""

    lang: str
    title: str
    subtitle: str
    author: str
    made: datetime
    cover: list[tuple[str, list[str]]]
    organisations: list[dict[str, Any]]  # name, intro, cards, recipients (rows)
    findings: Optional[list[dict[str, str]]]
    p: Presenter


def build_report(
    organisations: list[dict[str, Any]],
    *,
    lang: str = "nb",
    version: Optional[RegisterVersion] = None,
    findings: Optional[list[checks.Finding]] = None,
    made: Optional[datetime] = None,
    as_of: Optional[str] = None,
    reviews: Optional[dict[tuple[str, str], dict[str, Any]]] = None,
) -> Report:
    """The record's content from the register's organisation dicts (see :func:`present.load`);
    ``as_of`` names the past state shown (a snapshot or a moment), on the cover; ``reviews``
    (see :func:`approvals`) says who approved each activity."""
    p = Presenter(lang)
    made = made or datetime.now(UTC)
    names = [o["name"] for o in organisations]
    title = p.t("Protokoll over behandlingsaktiviteter", "Record of processing activities")
    dpos = [f"{o['name']}: {', '.join(d)}" if len(organisations) > 1 else ", ".join(d) for o in organisations if (d := p.dpo(o))]
    reps = [f"{o['name']}: {', '.join(r)}" if len(organisations) > 1 else ", ".join(r) for o in organisations if (r := p.representative(o))]
    if not reps and organisations and all(vocab.country_status(o.get("country")) == vocab.CountryStatus.EEA for o in organisations):
        reps = [p.not_applicable(p.t("etablert i EØS", "established in the EEA"))]  # Art. 27 asks only of those outside
    n_acts = sum(len(o.get("activities", [])) for o in organisations)
    version_text = []
    if version is not None:
        version_text = [
            p.t(f"Endring nr. {version.change}", f"Change no. {version.change}") + (f" ({p.date(in_oslo(version.at).date())})" if version.at else "")
        ]
    reviews = reviews or {}
    keys = [(o["name"], a["ref"]) for o in organisations for a in o.get("activities", [])]
    approved = [reviews[k] for k in keys if k in reviews and reviews[k].get("approved_by")]
    approval_text: list[str] = []
    if keys:
        approval_text.append(
            p.t(f"{len(approved)} av {n_acts} behandlingsaktiviteter er godkjent", f"{len(approved)} of {n_acts} processing activities approved")
        )
        by: dict[str, Any] = {}
        for rev in approved:
            at = rev.get("approved_at")
            by[rev["approved_by"]] = max(filter(None, (by.get(rev["approved_by"]), at)), default=None)
        for name, at in sorted(by.items(), key=lambda x: x[0].casefold()):
            approval_text.append(name + (p.t(f" (sist {p.date(in_oslo(at).date())})", f" (last {p.date(in_oslo(at).date())})") if at else ""))
    cover = [
        (p.t("Virksomhet" if len(names) == 1 else "Virksomheter", "Organisation" if len(names) == 1 else "Organisations"), names),
        (p.label("dpo.name", ORGANISATION), dpos),
        (p.label("representative.name", ORGANISATION), reps),
        (p.t("Behandlingsaktiviteter", "Processing activities"), [str(n_acts)]),
        (p.t("Dato", "Date"), [p.date(in_oslo(made).date())]),
        (p.t("Registerversjon", "Register version"), version_text),
        (p.t("Godkjent av", "Approved by"), approval_text),
    ] + ([(p.t("Registeret slik det var", "The register as it was"), [as_of])] if as_of else [])
    orgs_out = []
    for org in organisations:
        cards: list[Card] = [p.card(a, org, reviews.get((org["name"], a["ref"]))) for a in org.get("activities", [])]
        orgs_out.append(
            {
                "name": org["name"],
                "intro": p.t(f"{len(cards)} behandlingsaktiviteter.", f"{len(cards)} processing activities."),
                "cards": cards,
                "recipients": [p.recipient_row(r) for r in org.get("all_recipients", org.get("recipients", []))],
            }
        )
    rows = None
    if findings is not None:
        rows = [
            {
                "severity": _capital(checks.severity_label(f.severity, lang)),
                "where": f.organisation + (f" {f.activity_ref}" if f.activity_ref else "") + (f" ({f.recipient})" if f.recipient else ""),
                "article": vocab.article_in(f.article, lang),
                "message": f.message(lang),
                "fix": f.fix(lang),
            }
            for f in findings
        ]
    return Report(lang, title, ", ".join(names), ", ".join(names) or "ropa", made, cover, orgs_out, rows, p)


def _words(r: Report) -> dict[str, Any]:
    p = r.p
    return {
        "lang": r.lang,
        "title": r.title,
        "subtitle": r.subtitle,
        "author": r.author,
        "keywords": p.t("GDPR art. 30", "GDPR Art. 30"),
        "header_left": f"{r.title} – {r.subtitle}" if len(r.subtitle) < 70 else r.title,
        "header_right": p.date(in_oslo(r.made).date()),
        "footer_left": p.t("Personvernforordningen art. 30", "GDPR Article 30"),
        "page_word": p.t("Side", "Page"),
        "of_word": p.t("av", "of"),
        "cover": r.cover,
        "not_recorded": p.not_recorded,
        "cover_note": p.t(
            "Protokollen er laget fra registeret og viser det som var registrert på datoen over. "
            "«Ikke registrert» betyr at feltet er tomt i registeret; «Ingen registrert» at registeret ikke "
            "oppgir noen (for eksempel ingen overføringer); «Ikke aktuelt» at punktet ikke gjelder behandlingen.",
            "This record was made from the register and shows what was recorded on the date above. "
            "“Not recorded” means the field is empty in the register; “None recorded” that the register "
            "lists none (no transfers, say); “Not applicable” that the item does not apply to the processing.",
        ),
        "toc_title": p.t("Innhold", "Contents"),
        "organisations": r.organisations,
        "no_activities": p.t("Ingen behandlingsaktiviteter.", "No processing activities."),
        "annex_title": p.t("Vedlegg: mottakere og avtaler", "Annex: recipients and their agreements"),
        "recipient_headers": p.recipient_headers(),
        "no_recipients": p.t("Ingen mottakere registrert.", "No recipients recorded."),
        "findings": r.findings,
        "findings_title": p.t("Åpne funn", "Open findings"),
        "finding_headers": [p.t("Alvorlighet", "Severity"), p.t("Hvor", "Where"), p.t("Artikkel", "Article"), p.t("Funn", "Finding")],
        "no_findings": p.t("Ingen åpne funn.", "No open findings."),
    }


def render_pdf(report: Report) -> bytes:
    from ropa.documents import typeset

    return typeset.render_pdf("report.typ.j2", _words(report), when=report.made)


def render_docx(report: Report, out: Union[str, Path, IO[bytes]]) -> None:
    from ropa.documents import word

    w = _words(report)
    doc = word.new_document(
        title=report.title,
        author=report.author,
        lang=report.lang,
        subject=report.subtitle,
        header=w["header_left"],
        page_word=w["page_word"],
        of_word=w["of_word"],
        running_heading=True,
    )
    doc.add_heading(report.title, 0)
    doc.add_paragraph(word._clean(report.subtitle))
    word.label_table(doc, [(label, values or [w["not_recorded"]]) for label, values in report.cover])
    doc.add_paragraph(w["cover_note"])
    word.page_break(doc)
    word.table_of_contents(doc, w["toc_title"], report.lang)
    for org in report.organisations:
        word.page_break(doc)
        doc.add_heading(word._clean(org["name"]), 1)
        doc.add_paragraph(org["intro"] if org["cards"] else w["no_activities"])
        for card in org["cards"]:
            doc.add_heading(word._clean(f"{card.ref} {card.name}"), 2)
            doc.add_paragraph(f"{card.role} · {card.status}")
            word.card_table(doc, card, w["not_recorded"])
    word.page_break(doc)
    doc.add_heading(w["annex_title"], 1)
    for org in report.organisations:
        doc.add_heading(word._clean(org["name"]), 2)
        if org["recipients"]:
            word.grid(doc, w["recipient_headers"], org["recipients"])
        else:
            doc.add_paragraph(w["no_recipients"])
    if report.findings is not None:
        word.page_break(doc)
        doc.add_heading(w["findings_title"], 1)
        if report.findings:
            word.grid(doc, w["finding_headers"], [[f["severity"], f["where"], f["article"], f"{f['message']}\n→ {f['fix']}"] for f in report.findings])
        else:
            doc.add_paragraph(w["no_findings"])
    doc.save(out)


def write_report(
    session: Session,
    path: Union[str, Path],
    *,
    orgs: Optional[Sequence[str]] = None,
    lang: str = "nb",
    with_findings: bool = False,
    as_of: Optional[Any] = None,
) -> Report:
    """Write the record to ``path`` (.pdf or .docx) and return what it shows."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RopaError(f"{path}: cannot write a record as '{suffix or 'no extension'}' (use .pdf or .docx)")
    check_folder(path)
    report = make_report(session, orgs=orgs, lang=lang, with_findings=with_findings, as_of=as_of)
    data = render_pdf(report) if suffix == ".pdf" else None
    tmp = path.with_name(path.name + ".part")
    if data is not None:
        tmp.write_bytes(data)
    else:
        render_docx(report, tmp)
    tmp.replace(path)
    return report


def make_report(
    session: Session, *, orgs: Optional[Sequence[str]] = None, lang: str = "nb", with_findings: bool = False, as_of: Optional[Any] = None
) -> Report:
    """The record of the register now, or as it was (``as_of``: a :class:`ropa.versions.AsOf`, already scoped)."""
    if as_of is not None:
        from ropa.excel.export import document_recipients

        organisations = [
            {**o, "all_recipients": [{k: r[k] for k in ("name", "kind", "country", "agreement")} for r in document_recipients(o)]}
            for o in as_of.document["organisations"]
        ]
        past = checks.check_documents((o, o["activities"], o["all_recipients"]) for o in organisations) if with_findings else None
        return build_report(organisations, lang=lang, findings=past, as_of=as_of.describe(lang), version=register_version(session, as_of.at))
    organisations = load(session, orgs)
    findings = check_register(session, orgs=list(orgs) if orgs else None) if with_findings else None
    return build_report(organisations, lang=lang, version=register_version(session), findings=findings, reviews=approvals(session))
