"""Export: the register as the DPO's workbook (.xlsx) and as the JSON format, for download.

Only choices and drawing here; the workbook is :func:`ropa.excel.export.write_workbook`.
"""

from __future__ import annotations

import io
from datetime import date

import streamlit as st

from ropa import db
from ropa.excel.export import write_workbook
from ropa.grammar import count_in
from ropa.register import interchange
from ropa.register.organisations import list_organisations
from ropa.ui import downloads, errors, state

ui = state.lang()
TEXT = {
    "title": ("Eksport", "Export"),
    "intro": (
        "Protokollen som Excel-arbeidsbok til ledelsen eller Datatilsynet (art. 30 nr. 4), og som JSON-fil som kan importeres igjen.",
        "The record as an Excel workbook for management or the supervisory authority (Art. 30(4)), and as a JSON file that can be imported again.",
    ),
    "lang": ("Språk i filene", "Language of the files"),  # the workbook and the document below alike
    "lang_help": (
        "Gjelder arbeidsboken og protokollen som dokument (PDF, Word). JSON-filen har koder, ikke tekst, og er lik på begge språk.",
        "For the workbook and the record as a document (PDF, Word). The JSON file holds codes, not words, and is the same in both.",
    ),
    "empty": (
        "Registeret er tomt: arbeidsboken blir en tom mal med alle kolonnene, som kan fylles ut og leses inn på importsiden.",
        "The register is empty: the workbook is a blank template with every column, to fill in and read back on the Import page.",
    ),
    "orgs": ("Virksomheter", "Organisations"),
    "all": ("Alle virksomheter", "All organisations"),
    "make": ("Lag filene", "Create the files"),
    "working": ("Skriver arbeidsboken …", "Writing the workbook …"),
    "done": ("{activities}, {transfers} og {recipients} fra {organisations}.", "{activities}, {transfers} and {recipients} from {organisations}."),
    "xlsx": ("Last ned arbeidsbok (.xlsx)", "Download workbook (.xlsx)"),
    "json": ("Last ned JSON (.json)", "Download JSON (.json)"),
    "stale": ("Valgene er endret: lag filene på nytt.", "The choices have changed: create the files again."),
}


t = state.words(TEXT)


st.title(t("title"))
st.caption(t("intro"))

with db.session(state.engine()) as s:
    names = [o.name for o in list_organisations(s)]

lang = st.radio(
    t("lang"),
    ["nb", "en"],
    index=0 if ui == "nb" else 1,
    horizontal=True,
    key="export_lang",
    format_func=lambda code: state.LANGUAGES[code],
    help=t("lang_help"),
)
if not names:
    st.caption(t("empty"))
# No list without choices: an empty one shows Streamlit's English "No results" when opened.
chosen = st.multiselect(t("orgs"), names, placeholder=t("all"), key="export_orgs") if names else []
wanted = (lang, tuple(chosen))

if st.button(t("make"), type="primary", icon=":material/download:"):
    bar = st.progress(0.0, text=t("working"))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{t('working')} {done} / {total}")

    workbook = io.BytesIO()
    with errors.reported() as outcome, db.session(state.engine()) as s:
        summary = write_workbook(s, workbook, lang=lang, orgs=chosen or None, progress=progress)
        document = interchange.dumps(interchange.export_document(s, chosen or None))
    if outcome.failed:
        bar.empty()
    else:
        bar.empty()
        st.session_state["export_result"] = {"wanted": wanted, "xlsx": workbook.getvalue(), "json": document.encode("utf-8"), "summary": summary}

result = st.session_state.get("export_result")
if result:
    if result["wanted"] != wanted:
        st.info(t("stale"))
    else:
        summary = result["summary"]
        st.success(
            t("done").format(
                activities=count_in(
                    ui, summary.activities, ("behandlingsaktivitet", "behandlingsaktiviteter"), ("processing activity", "processing activities")
                ),
                transfers=count_in(ui, summary.transfers, ("overføring", "overføringer"), ("transfer", "transfers")),
                recipients=count_in(ui, summary.recipients, ("mottaker", "mottakere"), ("recipient", "recipients")),
                organisations=count_in(ui, summary.organisations, ("virksomhet", "virksomheter"), ("organisation", "organisations")),
            )
        )
        downloads.register_files(result["xlsx"], result["json"], lang=lang, tag=date.today().isoformat(), labels=(t("xlsx"), t("json")))


# --- The Art. 30 record as a document (PDF or Word): its own block, below the workbook's ---
RECORD = {
    "record": ("Protokollen som dokument", "The record as a document"),
    "record_intro": (
        "A4 med forside (virksomheter, personvernombud, representant, registerversjon og hvem som har godkjent), "
        "innholdsfortegnelse, ett kort per behandling i rekkefølgen i artikkel 30 nr. 1 bokstav a–g og et vedlegg "
        "med mottakere og avtaler.",
        "A4 with a cover (organisations, DPO, representative, register version and who approved), a table of "
        "contents, one card per activity in the order of Article 30(1)(a)–(g) and an annex of recipients and "
        "their agreements.",
    ),
    "record_findings": ("Ta med åpne funn", "Include open findings"),
    "record_make": ("Lag dokumentet", "Create the document"),
    "record_working": ("Setter dokumentet …", "Typesetting the document …"),
    "record_pdf": ("Last ned PDF", "Download PDF"),
    "record_docx": ("Last ned Word (.docx)", "Download Word (.docx)"),
}
r = state.words(RECORD)
st.divider()
st.subheader(r("record"))
st.caption(r("record_intro"))
with_findings = st.checkbox(r("record_findings"), key="record_findings")
record_wanted = (lang, tuple(chosen), with_findings)
if st.button(r("record_make"), icon=":material/picture_as_pdf:", key="record_make"):
    from ropa.documents import report as record

    with errors.reported() as made_outcome, st.spinner(r("record_working")), db.session(state.engine()) as s:
        made = record.make_report(s, orgs=chosen or None, lang=lang, with_findings=with_findings)
        pdf = record.render_pdf(made)
        docx = io.BytesIO()
        record.render_docx(made, docx)
    if not made_outcome.failed:
        st.session_state["record_result"] = {"wanted": record_wanted, "pdf": pdf, "docx": docx.getvalue()}
made_record = st.session_state.get("record_result")
if made_record and made_record["wanted"] == record_wanted:
    stem = "behandlingsprotokoll" if lang == "nb" else "record-of-processing"
    one, two = st.columns(2)
    one.download_button(
        r("record_pdf"),
        made_record["pdf"],
        file_name=f"{stem}-{date.today().isoformat()}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
    )
    two.download_button(
        r("record_docx"),
        made_record["docx"],
        file_name=f"{stem}-{date.today().isoformat()}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/description:",
    )
