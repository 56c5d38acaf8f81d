"""Export: the register as the DPO's workbook (.xlsx) and as the JSON format, for download.

Only choices and drawing here; the workbook is :func:`ropa.excel.export.write_workbook`.
"""

from __future__ import annotations

import io
from datetime import date

import streamlit as st

from ropa import db, interchange, registry
from ropa.excel.export import write_workbook
from ropa.grammar import count_in
from ropa.text import markdown
from ropa.ui import errors, state

ui = state.lang()
TEXT = {
    "title": ("Eksport", "Export"),
    "intro": ("Protokollen som Excel-arbeidsbok til ledelsen eller Datatilsynet (art. 30 nr. 4), og som JSON-fil "
              "som kan importeres igjen.",
              "The record as an Excel workbook for management or the supervisory authority (Art. 30(4)), and as a "
              "JSON file that can be imported again."),
    "lang": ("Språk i arbeidsboken", "Language of the workbook"),
    "orgs": ("Virksomheter", "Organisations"),
    "all": ("Alle virksomheter", "All organisations"),
    "make": ("Lag filene", "Create the files"),
    "working": ("Skriver arbeidsboken …", "Writing the workbook …"),
    "done": ("{activities}, {transfers} og {recipients} fra {organisations}.",
             "{activities}, {transfers} and {recipients} from {organisations}."),
    "xlsx": ("Last ned arbeidsbok (.xlsx)", "Download workbook (.xlsx)"),
    "json": ("Last ned JSON (.json)", "Download JSON (.json)"),
    "stale": ("Valgene er endret: lag filene på nytt.", "The choices have changed: create the files again."),
}


t = state.words(TEXT)


st.title(t("title"))
st.caption(t("intro"))

with db.session(state.engine()) as s:
    names = [o.name for o in registry.list_organisations(s)]

lang = st.radio(t("lang"), ["nb", "en"], index=0 if ui == "nb" else 1, horizontal=True, key="export_lang",
                format_func=lambda code: {"nb": "Norsk bokmål", "en": "English"}[code])
chosen = st.multiselect(t("orgs"), names, placeholder=t("all"), key="export_orgs")
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
        st.session_state["export_result"] = {"wanted": wanted, "xlsx": workbook.getvalue(), "json": document.encode("utf-8"),
                                             "summary": summary}

result = st.session_state.get("export_result")
if result:
    if result["wanted"] != wanted:
        st.info(t("stale"))
    else:
        summary = result["summary"]
        st.success(t("done").format(
            activities=count_in(ui, summary.activities, ("behandlingsaktivitet", "behandlingsaktiviteter"),
                                ("processing activity", "processing activities")),
            transfers=count_in(ui, summary.transfers, ("overføring", "overføringer"), ("transfer", "transfers")),
            recipients=count_in(ui, summary.recipients, ("mottaker", "mottakere"), ("recipient", "recipients")),
            organisations=count_in(ui, summary.organisations, ("virksomhet", "virksomheter"), ("organisation", "organisations"))))
        stem = "behandlingsprotokoll" if lang == "nb" else "record-of-processing"
        today = date.today().isoformat()
        left, right = st.columns(2)
        left.download_button(t("xlsx"), result["xlsx"], file_name=f"{stem}-{today}.xlsx", icon=":material/table:",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
        right.download_button(t("json"), result["json"], file_name=f"ropa-register-{today}.json",
                              mime="application/json", icon=":material/data_object:")
