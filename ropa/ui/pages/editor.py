"""The activity editor: every field of a processing activity, in the order of Art. 30.

Labels, help and articles come from :mod:`ropa.fields`, choices from :mod:`ropa.vocab`; rows
become a document through :mod:`ropa.editing`, and the document is saved by
:mod:`ropa.registry` with the version the user opened, so a save never overwrites somebody
else's: on a conflict the user sees the other change and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ropa import db, dpia, editing, registry, vocab
from ropa.errors import Conflict, NotFound, Problem, ValidationFailed
from ropa.fields import ACTIVITY, RECIPIENT, TRANSFER
from ropa.settings import current_actor
from ropa.ui import state

t = state.t
lang = state.lang()
E = "editor"  # session-state prefix

with db.session(state.engine()) as s:
    org_names = [o.name for o in registry.list_organisations(s)]
if not org_names:
    st.title(t("Ny behandlingsaktivitet", "New processing activity"))
    st.info(t("Opprett først en virksomhet under «Virksomheter».", "First create an organisation under 'Organisations'."))
    st.stop()

target = st.session_state.get("edit_activity")  # (organisation, ref) or None for a new activity
if target is None:
    st.title(t("Ny behandlingsaktivitet", "New processing activity"))
    org_name = st.selectbox(t("Virksomhet", "Organisation"), org_names,
                            index=org_names.index(state.org()) if state.org() in org_names else 0, key=f"{E}_new_org")
    with db.session(state.engine()) as s:
        data: dict[str, Any] = {"ref": registry.next_ref(s, org_name), "name": "", "role": "controller", "status": "draft",
                                "controllers": [], "purposes": [], "legal_bases": [], "special_categories": [], "art9_conditions": [],
                                "criminal_data": False, "criminal_data_basis": None, "data_subjects": [], "data_categories": [],
                                "sources": [], "recipients": [], "transfers": [], "retention": {}, "security_measures": [],
                                "systems": [], "dpia": {"status": "not_assessed", "ref": None, "screening": {}},
                                "last_review": None, "next_review": None, "description": None, "owner": None}
        known = {r.name: registry.recipient_dict(r) for r in registry.list_recipients(s, org_name)}
    version = 0
else:
    org_name, ref = target
    # The record as the user opened it: reruns keep the same data and version, so a save
    # compares against what the user saw, not against what someone else saved since.
    snap = st.session_state.get(f"{E}_snapshot")
    with db.session(state.engine()) as s:
        if snap is None or snap["target"] != target:
            try:
                act = registry.get_activity(s, org_name, ref)
            except NotFound:
                st.session_state.pop("edit_activity", None)
                st.warning(t(f"{org_name} {ref} finnes ikke lenger.", f"{org_name} {ref} no longer exists."))
                st.stop()
            snap = {"target": target, "data": registry.activity_dict(act), "version": act.version}
            st.session_state[f"{E}_snapshot"] = snap
        known = {r.name: registry.recipient_dict(r) for r in registry.list_recipients(s, org_name)}
    data, version = snap["data"], snap["version"]
    st.title(f"{t('Rediger', 'Edit')} {ref} · {data['name']}")
    st.caption(f"{org_name} · {t('versjon', 'version')} {version}")
    if st.button(t("Ny aktivitet i stedet", "New activity instead"), icon=":material/add:", type="tertiary"):
        st.session_state["edit_activity"] = None
        st.rerun()

state.show_flash()
problems: list[Problem] = st.session_state.get(f"{E}_problems", [])
conflict: Conflict | None = st.session_state.get(f"{E}_conflict")
K = f"{E}_{org_name}_{data['ref']}_{version}"  # widget keys: a fresh form for every record and version


def label(key: str, table: Any = ACTIVITY) -> str:
    spec = table[key]
    return spec.label(lang) + (f" ({spec.article})" if spec.article else "")


def helptext(key: str, table: Any = ACTIVITY) -> str | None:
    return table[key].help(lang) or None


def errors(key: str) -> None:
    for message in editing.errors_for(problems, key):
        st.error(f"{label(key) if key in ACTIVITY else key}: {message}", icon=":material/error:")


def list_field(key: str) -> list[str]:
    st.markdown(f"**{label(key)}**", help=helptext(key))
    rows = st.data_editor(pd.DataFrame(editing.list_rows(data.get(key) or []), columns=["value"], dtype="object"),
                          num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_{key}",
                          column_config={"value": st.column_config.TextColumn(ACTIVITY[key].label(lang), width="large")})
    errors(key)
    return editing.list_from_rows(rows.to_dict("records"))


def basis_field(key: str, terms: dict[str, vocab.Term]) -> list[dict[str, Any]]:
    st.markdown(f"**{label(key)}**", help=helptext(key))
    rows = st.data_editor(pd.DataFrame(editing.basis_rows(data.get(key) or [], terms, lang), columns=["basis", "note", "documentation"],
                                       dtype="object"),
                          num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_{key}", column_config={
                              "basis": st.column_config.SelectboxColumn(t("Grunnlag", "Basis"), options=list(editing.code_options(terms, lang)),
                                                                        width="large", required=True),
                              "note": st.column_config.TextColumn(t("Begrunnelse", "Justification"), width="medium"),
                              "documentation": st.column_config.TextColumn(
                                  t("Dokumentasjon (interesseavveining, samtykke, lovhjemmel)", "Documentation (LIA, consent record, law)")),
                          })
    errors(key)
    return editing.bases_from_rows(rows.to_dict("records"), terms, lang)


def taxonomy_field(key: str, kind: str, keys: list[str]) -> list[str]:
    current = list(data.get(key) or [])
    options = list(dict.fromkeys([*current, *keys]))
    value = st.multiselect(label(key), options, default=current, key=f"{K}_{key}", help=helptext(key), accept_new_options=True,
                           format_func=lambda k: vocab.taxonomy_label(kind, k, lang))
    errors(key)
    return list(value)


def pick(key: str, terms: dict[str, vocab.Term], value: Any, *, table: Any = ACTIVITY, optional: bool = False, where: Any = st) -> Any:
    options = ([None] if optional else []) + list(terms)
    index = options.index(value) if value in options else 0
    chosen = where.selectbox(label(key, table), options, index=index, key=f"{K}_{key}", help=helptext(key, table),
                             format_func=lambda c: "—" if c is None else terms[c].display(lang))
    return chosen


def day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value


# --- Conflict from the last save --------------------------------------------------------------------
if conflict is not None:
    st.error(str(conflict), icon=":material/sync_problem:")
    if conflict.changes:
        st.caption(t("Endringen(e) du ikke har sett:", "The change(s) you have not seen:"))
        st.dataframe(pd.DataFrame(conflict.changes), hide_index=True, width="stretch")
    if st.button(t("Last inn siste versjon (forkast mine endringer)", "Load the latest version (discard my edits)"), icon=":material/refresh:"):
        for k in ("conflict", "problems", "snapshot"):
            st.session_state.pop(f"{E}_{k}", None)
        st.rerun()
SHOWN = ("ref", "name", "controllers", "purposes", "legal_bases", "art9_conditions", "data_subjects", "data_categories",
         "special_categories", "criminal_data_basis", "sources", "recipients", "transfers", "retention", "security_measures", "systems")
unplaced = [p for p in problems if not any(editing.errors_for([p], k) for k in SHOWN)]
if problems:
    st.error(t(f"Ikke lagret: {len(problems)} problem(er) er markert ved feltene.",
               f"Not saved: {len(problems)} problem(s) are marked beside the fields."), icon=":material/error:")
    for p in unplaced:
        st.error(str(p))

# --- The form ----------------------------------------------------------------------------------------
with st.form(f"{K}_form", border=False):
    st.subheader(t("Behandlingen", "The processing"))
    c = st.columns([1, 3])
    new_ref = c[0].text_input(label("ref"), data["ref"], key=f"{K}_ref", help=helptext("ref"))
    name = c[1].text_input(label("name"), data["name"], key=f"{K}_name", help=helptext("name"))
    errors("ref")
    errors("name")
    description = st.text_area(label("description"), data.get("description") or "", key=f"{K}_description")
    c = st.columns(3)
    role = pick("role", vocab.ROLES, data.get("role"), where=c[0])
    status = pick("status", vocab.STATUSES, data.get("status"), where=c[1])
    owner = c[2].text_input(label("owner"), data.get("owner") or "", key=f"{K}_owner")
    controllers = list_field("controllers")

    st.subheader(t("Formål og grunnlag", "Purposes and legal basis"))
    purposes = list_field("purposes")
    legal_bases = basis_field("legal_bases", vocab.LEGAL_BASES)

    st.subheader(t("Registrerte og opplysninger", "Data subjects and personal data"))
    data_subjects = taxonomy_field("data_subjects", "data_subject", list(vocab.DATA_SUBJECTS))
    data_categories = taxonomy_field("data_categories", "data_category", list(vocab.DATA_CATEGORIES))
    special = taxonomy_field("special_categories", "data_category", sorted(vocab.SPECIAL_CATEGORY_KEYS))
    art9 = basis_field("art9_conditions", vocab.ART9_CONDITIONS)
    c = st.columns([1, 3])
    criminal = c[0].checkbox(label("criminal_data"), bool(data.get("criminal_data")), key=f"{K}_criminal")
    criminal_basis = c[1].text_input(label("criminal_data_basis"), data.get("criminal_data_basis") or "", key=f"{K}_criminal_basis")
    errors("criminal_data_basis")
    sources = list_field("sources")

    st.subheader(t("Mottakere og overføringer", "Recipients and transfers"))
    picked = st.multiselect(label("recipients"), list(known), default=[r["name"] for r in data.get("recipients") or [] if r["name"] in known],
                            key=f"{K}_recipients", help=t("Virksomhetens mottakere; nye legges til i tabellen under.",
                                                         "The organisation's recipients; add new ones in the table below."),
                            format_func=lambda n: f"{n} ({vocab.term_label(vocab.RECIPIENT_KINDS, known[n]['kind'], lang)})")
    kinds = editing.code_options(vocab.RECIPIENT_KINDS, lang, display=False)
    countries = editing.country_options(lang)
    new_recipients = st.data_editor(
        pd.DataFrame([{"name": r["name"], "kind": vocab.term_label(vocab.RECIPIENT_KINDS, r["kind"], lang),
                       "country": editing.country_option(r["country"], lang) if r.get("country") else None, "agreement": r.get("agreement")}
                      for r in data.get("recipients") or [] if r["name"] not in known], columns=["name", "kind", "country", "agreement"],
                     dtype="object"),
        num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_new_recipients", column_config={
            "name": st.column_config.TextColumn(t("Ny mottaker", "New recipient"), width="large"),
            "kind": st.column_config.SelectboxColumn(RECIPIENT["kind"].label(lang), options=list(kinds)),
            "country": st.column_config.SelectboxColumn(RECIPIENT["country"].label(lang), options=list(countries)),
            "agreement": st.column_config.TextColumn(label("agreement", RECIPIENT)),
        })
    errors("recipients")
    st.markdown(f"**{label('transfers')}**", help=t("Landvelgeren viser om landet er i EØS, har adekvansbeslutning (og eventuelle vilkår) "
                                                   "eller er en tredjestat.",
                                                   "The country picker shows whether the country is in the EEA, has an adequacy decision "
                                                   "(and any condition) or is a third country."))
    transfer_rows = st.data_editor(
        pd.DataFrame(editing.transfer_rows(data.get("transfers") or [], lang),
                     columns=["country", "international_organisation", "recipient", "mechanism", "safeguard", "tia_date", "frequency",
                              "adequacy_scope_confirmed", "note"]).astype({"tia_date": "datetime64[ns]"}),
        num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_transfers", column_config={
            "country": st.column_config.SelectboxColumn(TRANSFER["country"].label(lang), options=list(countries), width="medium"),
            "international_organisation": st.column_config.TextColumn(TRANSFER["international_organisation"].label(lang)),
            "recipient": st.column_config.SelectboxColumn(TRANSFER["recipient"].label(lang), options=list(known)),
            "mechanism": st.column_config.SelectboxColumn(label("mechanism", TRANSFER), options=list(editing.code_options(vocab.MECHANISMS, lang)),
                                                          width="medium"),
            "safeguard": st.column_config.TextColumn(TRANSFER["safeguard"].label(lang)),
            "tia_date": st.column_config.DateColumn(TRANSFER["tia_date"].label(lang), format="YYYY-MM-DD"),
            "frequency": st.column_config.SelectboxColumn(TRANSFER["frequency"].label(lang),
                                                          options=list(editing.code_options(vocab.TRANSFER_FREQUENCIES, lang, display=False))),
            "adequacy_scope_confirmed": st.column_config.CheckboxColumn(TRANSFER["adequacy_scope_confirmed"].label(lang)),
            "note": st.column_config.TextColumn(TRANSFER["note"].label(lang)),
        })
    errors("transfers")

    st.subheader(t("Lagring og sikkerhet", "Retention and security"))
    r = data.get("retention") or {}
    c = st.columns(4)
    period = c[0].number_input(label("retention.period"), min_value=0, value=r.get("period"), step=1, key=f"{K}_period")
    unit = pick("retention.unit", vocab.RETENTION_UNITS, r.get("unit"), optional=True, where=c[1])
    trigger = c[2].text_input(label("retention.trigger"), r.get("trigger") or "", key=f"{K}_trigger")
    action = pick("retention.action", vocab.RETENTION_ACTIONS, r.get("action"), optional=True, where=c[3])
    retention_text = st.text_area(label("retention.text"), r.get("text") or "", key=f"{K}_retention_text", height=80,
                                  help=t("Ordlyden slik den står i kilden; beholdes alltid.", "The wording as the source has it; always kept."))
    errors("retention")
    security = list_field("security_measures")
    systems = list_field("systems")

    st.subheader("DPIA")
    d = data.get("dpia") or {}
    c = st.columns([1, 2])
    dpia_status = pick("dpia.status", vocab.DPIA_STATUSES, d.get("status") or "not_assessed", where=c[0])
    dpia_ref = c[1].text_input(label("dpia.ref"), d.get("ref") or "", key=f"{K}_dpia_ref")
    stored = d.get("screening") or {}
    outcome = dpia.screen(stored)
    (st.warning if outcome.dpia_expected else st.info)(outcome.explain(lang))
    suggested = dpia.suggest(data)
    with st.expander(label("dpia.screening"), expanded=bool(stored) or bool(suggested)):
        answers: dict[str, bool | None] = {}
        notes: dict[str, str | None] = {}
        for key, term in vocab.DPIA_CRITERIA.items():
            given = (stored.get(key) or {}).get("answer")
            hint = suggested.get(key) if key not in stored else None
            c = st.columns([3, 2, 3])
            c[0].markdown(f"{term.label(lang)}  \n:gray[{term.article}]")
            options = [None, True, False]
            answers[key] = c[1].radio(term.label(lang), options, index=options.index(given), horizontal=True, key=f"{K}_scr_{key}",
                                      label_visibility="collapsed",
                                      format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v])
            notes[key] = c[2].text_input(t("Merknad", "Note"), (stored.get(key) or {}).get("note") or "", key=f"{K}_scrnote_{key}",
                                         label_visibility="collapsed",
                                         placeholder=(t("Forslag: ja – ", "Suggested: yes – ") + hint["note"]) if hint else t("Merknad", "Note"))

    # What privacy notices need beyond Art. 30 (Art. 13/14); labels and codes from the field table.
    st.subheader(t("Til personvernerklæringen (art. 13 og 14)", "For the privacy notice (Art. 13 and 14)"))
    tr = data.get("transparency") or {}
    yes_no_blank = [None, True, False]
    c = st.columns(4)
    collection = pick("transparency.collection", vocab.COLLECTION, tr.get("collection"), optional=True, where=c[0])
    sources_public = c[1].selectbox(label("transparency.sources_public"), yes_no_blank, index=yes_no_blank.index(tr.get("sources_public")),
                                    key=f"{K}_sources_public", format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v])
    provision = pick("transparency.provision", vocab.PROVISION_REQUIREMENTS, tr.get("provision"), optional=True, where=c[2])
    automated = c[3].selectbox(label("transparency.automated_decisions"), yes_no_blank, index=yes_no_blank.index(tr.get("automated_decisions")),
                               key=f"{K}_automated", format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v])
    c = st.columns(2)
    consequences = c[0].text_area(label("transparency.provision_consequences"), tr.get("provision_consequences") or "",
                                  key=f"{K}_consequences", height=80)
    logic = c[1].text_area(label("transparency.automated_logic"), tr.get("automated_logic") or "", key=f"{K}_logic", height=80)
    errors("transparency")

    st.subheader(t("Gjennomgang", "Review"))
    c = st.columns(2)
    last_review = c[0].date_input(label("last_review"), day(data.get("last_review")), key=f"{K}_last_review", format="YYYY-MM-DD")
    next_review = c[1].date_input(label("next_review"), day(data.get("next_review")), key=f"{K}_next_review", format="YYYY-MM-DD")

    saved = st.form_submit_button(t("Lagre", "Save"), type="primary", icon=":material/save:")

if saved:
    doc = {
        "ref": new_ref.strip(), "name": name.strip(), "description": description or None, "role": role, "controllers": controllers,
        "status": status, "owner": owner or None, "purposes": purposes, "legal_bases": legal_bases,
        "special_categories": special, "art9_conditions": art9, "criminal_data": criminal, "criminal_data_basis": criminal_basis or None,
        "data_subjects": data_subjects, "data_categories": data_categories, "sources": sources,
        "recipients": editing.recipients_from(picked, known, new_recipients.to_dict("records"), lang),
        "transfers": editing.transfers_from_rows(transfer_rows.to_dict("records"), lang),
        "retention": {"period": int(period) if period is not None else None, "unit": unit, "trigger": trigger or None,
                      "action": action, "text": retention_text or None},
        "security_measures": security, "systems": systems,
        "dpia": {"status": dpia_status, "ref": dpia_ref or None, "screening": editing.screening_from(answers, notes)},
        "last_review": last_review.isoformat() if last_review else None,
        "next_review": next_review.isoformat() if next_review else None,
        "transparency": {"collection": collection, "sources_public": sources_public, "provision": provision,
                         "provision_consequences": consequences or None, "automated_decisions": automated,
                         "automated_logic": logic or None},
    }
    st.session_state.pop(f"{E}_problems", None)
    st.session_state.pop(f"{E}_conflict", None)
    try:
        with db.transaction(state.engine()) as s:
            if target is None:
                registry.create_activity(s, org_name, doc, actor=current_actor(), source="dashboard")
                changed = ["*"]
            else:
                changed = registry.update_activity(s, org_name, target[1], doc, expected_version=version, actor=current_actor(),
                                                   source="dashboard")
    except ValidationFailed as err:
        st.session_state[f"{E}_problems"] = err.problems
        st.rerun()
    except Conflict as err:
        st.session_state[f"{E}_conflict"] = err
        st.rerun()
    except Exception as err:  # noqa: BLE001
        state.fail(err)
    else:
        st.session_state.pop(f"{E}_snapshot", None)
        st.session_state["edit_activity"] = (org_name, doc["ref"])
        st.session_state["open_activity"] = (org_name, doc["ref"])
        state.flash(t(f"{doc['ref']} er lagret", f"{doc['ref']} saved") if changed else t("Ingen endringer", "No changes"))
        st.rerun()
