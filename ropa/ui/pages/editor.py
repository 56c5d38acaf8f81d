"""The activity editor: every field of a processing activity, in the order of Art. 30, one tab
per section, with Save above and below the tabs.

Labels, help and articles come from :mod:`ropa.fields`, choices from :mod:`ropa.vocab`; rows
become a document through :mod:`ropa.editing`, and the document is saved by
:mod:`ropa.register.activities` with the version the user opened, so a save never overwrites somebody
else's. If the activity changes elsewhere while it is open, the page says so at once; on a
conflict the user's edits are kept and both versions are shown field by field to merge.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Optional

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ropa import audit, checks, db, dpia, editing, records, vocab
from ropa.errors import Conflict, NotFound, Problem, ValidationFailed
from ropa.fields import ACTIVITY, RECIPIENT, TRANSFER
from ropa.grammar import count_in
from ropa.register.activities import activity_dict, create_activity, get_activity, next_ref, update_activity
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import list_organisations, organisation_dict
from ropa.register.recipients import list_recipients, recipient_dict
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import record_forms as forms
from ropa.ui import state
from ropa.ui.errors import show as show_error
from ropa.ui.signin import current_actor

t = state.t
lang = state.lang()
E = "editor"  # session-state prefix
DATE_FORMAT = "DD.MM.YYYY" if lang == "nb" else "YYYY-MM-DD"  # the placeholder shows it; Streamlit's letters stay Y, M, D

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.title(t("Ny behandlingsaktivitet", "New processing activity"))
    st.info(t("Opprett først en virksomhet under «Virksomheter».", "First create an organisation under 'Organisations'."))
    st.stop()

target = st.session_state.get("edit_activity")  # (organisation, ref) or None for a new activity
if target is None:
    st.title(t("Ny behandlingsaktivitet", "New processing activity"))
    focus = state.org()
    chosen_org = st.selectbox(
        t("Virksomhet", "Organisation"),
        org_names,
        placeholder=t("Velg …", "Choose …"),
        index=org_names.index(focus) if focus is not None and focus in org_names else 0,
        key=f"{E}_new_org",
    )
    assert chosen_org is not None  # (there are organisations, and one is chosen)
    org_name: str = chosen_org
    with db.session(state.engine()) as s:
        data: dict[str, Any] = {**records.empty_activity(), "ref": next_ref(s, org_name), "name": "", "status": "draft"}
        known = {r.name: recipient_dict(r) for r in list_recipients(s, org_name)}
    version = 0
else:
    org_name, ref = target
    # The record as the user opened it: reruns keep the same data and version, so a save
    # compares against what the user saw, not against what someone else saved since.
    snap = st.session_state.get(f"{E}_snapshot")
    with db.session(state.engine()) as s:
        if snap is None or snap["target"] != target:
            try:
                act = get_activity(s, org_name, ref)
            except NotFound:
                st.session_state.pop("edit_activity", None)
                st.warning(markdown(t(f"{org_name} {ref} finnes ikke lenger.", f"{org_name} {ref} no longer exists.")))
                st.stop()
            snap = {"target": target, "data": activity_dict(act), "version": act.version}
            st.session_state[f"{E}_snapshot"] = snap
        known = {r.name: recipient_dict(r) for r in list_recipients(s, org_name)}
    data, version = snap["data"], snap["version"]
    st.title(f"{t('Rediger', 'Edit')} {markdown(ref)} · {markdown(data['name'])}")
    st.caption(f"{markdown(org_name)} · {t('versjon', 'version')} {version}")

state.show_flash()
problems: list[Problem] = st.session_state.get(f"{E}_problems", [])
conflict: dict[str, Any] | None = st.session_state.get(f"{E}_conflict")
K = f"{E}_{org_name}_{data['ref']}_{version}"  # widget keys: a fresh form for every record and version


def label(key: str, table: Any = ACTIVITY) -> str:
    spec = table[key]
    return spec.label(lang) + (f" ({spec.article})" if spec.article else "") + (" *" if spec.required else "")


def helptext(key: str, table: Any = ACTIVITY) -> str | None:
    return table[key].help(lang) or None


def errors(key: str) -> None:
    for message in editing.errors_for(problems, key):
        st.error(f"{label(key) if key in ACTIVITY else markdown(key)}: {markdown(message)}", icon=":material/error:")


ADD_HINT = t(
    "Ny rad: klikk på den tomme raden nederst (eller + over tabellen). Endre en celle: dobbeltklikk eller skriv.",
    "New row: click the empty row at the bottom (or + above the table). Change a cell: double-click or type.",
)


def grid(name: str, rows: list[dict[str, Any]], columns: list[str], config: dict[str, Any], signature: str = "", dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A list as an editable table. When its choices change (``signature``), the table is drawn afresh
    with the user's pending edits carried over, so nothing typed is lost."""
    gen_key, base_key, sig_key = f"{K}_{name}_gen", f"{K}_{name}_base", f"{K}_{name}_sig"
    gen = int(st.session_state.get(gen_key, 0))
    base = st.session_state.get(base_key, rows)
    if st.session_state.get(sig_key, signature) != signature:
        base = editing.apply_edits(base, st.session_state.get(f"{K}_{name}_{gen}"), columns)
        gen += 1
    st.session_state[gen_key], st.session_state[base_key], st.session_state[sig_key] = gen, base, signature
    frame = pd.DataFrame(base, columns=columns, dtype="object")
    for col in dates:
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    # Text that a spreadsheet would run as a formula is shown with an apostrophe (ropa.text.table) and read back without it.
    edited = st.data_editor(
        safe_table(frame), num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_{name}_{gen}", column_config=config, placeholder=""
    )
    st.caption(ADD_HINT)
    return safe_table(edited, undo=True)


def redraw(name: str, rows: list[dict[str, Any]]) -> None:
    """Replace a table's rows (e.g. one added by a button) and draw it afresh on the next run."""
    st.session_state[f"{K}_{name}_base"] = rows
    st.session_state[f"{K}_{name}_gen"] = int(st.session_state.get(f"{K}_{name}_gen", 0)) + 1


def list_field(key: str) -> list[str]:
    st.markdown(f"**{label(key)}**", help=helptext(key))
    rows = grid(key, editing.list_rows(data.get(key) or []), ["value"], {"value": st.column_config.TextColumn(ACTIVITY[key].label(lang), width="large")})
    errors(key)
    return editing.list_from_rows(rows.to_dict("records"))


def basis_field(key: str, terms: dict[str, vocab.Term]) -> list[dict[str, Any]]:
    st.markdown(f"**{label(key)}**", help=helptext(key))
    rows = grid(
        key,
        editing.basis_rows(data.get(key) or [], terms, lang),
        ["basis", "note", "documentation"],
        {
            "basis": st.column_config.SelectboxColumn(t("Grunnlag", "Basis"), options=list(editing.code_options(terms, lang)), width="large"),
            "note": st.column_config.TextColumn(t("Begrunnelse", "Justification"), width="medium"),
            "documentation": st.column_config.TextColumn(
                t("Dokumentasjon (interesseavveining, samtykke, lovhjemmel)", "Documentation (LIA, consent record, law)")
            ),
        },
    )
    errors(key)
    return editing.bases_from_rows(rows.to_dict("records"), terms, lang)


def taxonomy_field(key: str, kind: str, keys: list[str]) -> list[str]:
    current = list(data.get(key) or [])
    options = list(dict.fromkeys([*current, *keys]))
    value = st.multiselect(
        label(key),
        options,
        default=current,
        key=f"{K}_{key}",
        help=helptext(key),
        accept_new_options=True,
        placeholder=t("Velg fra listen eller skriv inn egne …", "Choose from the list or type your own …"),
        format_func=lambda k: vocab.taxonomy_label(kind, k, lang),
    )
    errors(key)
    return list(value)


def pick(key: str, terms: dict[str, vocab.Term], value: Any, *, table: Any = ACTIVITY, optional: bool = False, where: Any = st) -> Any:
    options = ([None] if optional else []) + list(terms)
    index = options.index(value) if value in options else 0
    chosen = where.selectbox(
        label(key, table),
        options,
        index=index,
        key=f"{K}_{key}",
        help=helptext(key, table),
        placeholder="—",
        format_func=lambda c: "—" if c is None else terms[c].display(lang),
    )
    return chosen


def day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value


def field_name(key: str) -> str:
    spec = ACTIVITY.get(key) or ACTIVITY.get(f"{key}.text") or ACTIVITY.get(f"{key}.status")
    return spec.label(lang) if spec else key


def drop_state() -> None:
    """Forget the form of this record (its tables' rows, the conflict) so it is drawn from the register again."""
    for k in [k for k in st.session_state if str(k).startswith(f"{E}_")]:
        if k not in (f"{E}_new_org",):
            st.session_state.pop(k, None)


# --- After a save: the activity's findings ---------------------------------------------------------------
saved_target = st.session_state.pop(f"{E}_saved", None)  # shown once: the next change to the form hides it
if saved_target is not None and target is not None and tuple(saved_target) == tuple(target):
    with db.session(state.engine()) as s:  # the organisation's facts (establishments, EEA) count in the checks
        org_doc = organisation_dict(get_organisation(s, org_name))
    found = checks.check_activity(data, org_name, org=org_doc)
    with st.container(border=True):
        if found:
            st.markdown(
                t(
                    f"**Lagret.** Kontrollene fant {count_in('nb', len(found), ('avvik', 'avvik'), ('', ''))} for {markdown(data['ref'])}:",
                    f"**Saved.** The checks found {count_in('en', len(found), ('', ''), ('finding', 'findings'))} for {markdown(data['ref'])}:",
                )
            )
            for f in found:
                box = {"error": st.error, "warning": st.warning}.get(f.severity, st.info)
                box(
                    f"**{checks.severity_label(f.severity, lang)}** · {vocab.article_in(f.article, lang)} · "
                    f"{markdown(f.message(lang))}  \n→ {markdown(f.fix(lang))}",
                    icon={"error": ":material/error:", "warning": ":material/warning:"}.get(f.severity, ":material/info:"),
                )
        else:
            st.success(markdown(t(f"Lagret. Ingen avvik for {data['ref']}.", f"Saved. No findings for {data['ref']}.")), icon=":material/check_circle:")

# --- Changed elsewhere since it was opened: say so before the user types on ------------------------------
if target is not None and conflict is None:
    current_version: Optional[int]
    with db.session(state.engine()) as s:
        try:
            current_version = get_activity(s, org_name, target[1]).version
            by = sorted({e.actor for e in activity_history(s, org_name, target[1]) if e.version > version}) if current_version > version else []
        except NotFound:
            current_version, by = None, []
    if current_version is None:
        st.warning(
            t("Aktiviteten er slettet et annet sted etter at du åpnet den.", "The activity was deleted elsewhere after you opened it."),
            icon=":material/sync_problem:",
        )
    elif current_version > version:
        who = markdown(", ".join(by) or "?")
        st.warning(
            t(
                f"Noen ({who}) har lagret en nyere versjon ({current_version}) etter at du åpnet versjon {version}. "
                "Lagrer du, får du se begge versjonene felt for felt og velger selv.",
                f"Someone ({who}) saved a newer version ({current_version}) after you opened version {version}. "
                "If you save, you will see both versions field by field and choose.",
            ),
            icon=":material/sync_problem:",
        )
        if st.button(
            t("Last inn den nye versjonen (forkast mine endringer)", "Load the new version (discard my edits)"),
            icon=":material/refresh:",
            key=f"{K}_reload_newer",
        ):
            drop_state()
            st.rerun()

# --- Conflict from the last save: both versions, field by field ------------------------------------------
if conflict is not None:
    st.error(markdown(conflict["message"]), icon=":material/sync_problem:")
    st.info(
        t(
            "Endringene dine er tatt vare på. Velg for hvert felt hvilken versjon som skal gjelde, og lagre.",
            "Your edits are kept. Choose for each field which version should stand, then save.",
        )
    )
    rows = editing.merge_fields(conflict["base"], conflict["mine"], conflict["theirs"])
    choices: dict[str, str] = {}
    head = st.columns([2, 4, 4, 2])
    for col, text in zip(head, (t("Felt", "Field"), t("Min versjon", "Mine"), t("Lagret versjon", "Theirs (saved)"), t("Velg", "Choose"))):
        col.markdown(f"**{text}**")
    for r in rows:
        c: Sequence[DeltaGenerator] = st.columns([2, 4, 4, 2])
        c[0].markdown(field_name(r["field"]) + (" :orange[●]" if r["both"] else ""))
        c[1].text(audit.value_text("activity", r["field"], json.dumps(r["mine"]), lang) or "—")
        c[2].text(audit.value_text("activity", r["field"], json.dumps(r["theirs"]), lang) or "—")
        choices[r["field"]] = c[3].radio(
            field_name(r["field"]),
            ["mine", "theirs"],
            index=0 if r["choice"] == "mine" else 1,
            key=f"{E}_merge_{r['field']}",
            label_visibility="collapsed",
            horizontal=True,
            format_func=lambda v: t("Min", "Mine") if v == "mine" else t("Lagret", "Theirs"),
        )
    if any(r["both"] for r in rows):
        st.caption(t(":orange[●] endret i begge versjonene.", ":orange[●] changed in both versions."))
    a, b = st.columns([1, 3])
    if a.button(t("Lagre sammenslått versjon", "Save the merged version"), type="primary", icon=":material/merge:"):
        doc = editing.merged(conflict["mine"], conflict["theirs"], choices)
        try:
            with db.transaction(state.engine()) as s:
                update_activity(s, org_name, conflict["ref"], doc, expected_version=conflict["version"], actor=current_actor(), source="dashboard")
        except Conflict:
            st.error(t("Aktiviteten ble endret igjen i mellomtiden. Last inn og prøv på nytt.", "The activity changed again meanwhile. Reload and try again."))
        except ValidationFailed as err:
            for p in err.problems:
                st.error(f"{field_name(next((x for x in p.path if isinstance(x, str)), ''))}: {markdown(p.message)}")
        except Exception as err:  # noqa: BLE001
            show_error(err)
        else:
            drop_state()
            st.session_state["edit_activity"] = (org_name, doc["ref"])
            st.session_state["open_activity"] = (org_name, doc["ref"])
            st.session_state[f"{E}_saved"] = (org_name, doc["ref"])
            state.flash(t(f"{doc['ref']} er lagret", f"{doc['ref']} saved"))
            st.rerun()
    if b.button(t("Forkast mine endringer og last inn den lagrede", "Discard my edits and load the saved one"), icon=":material/refresh:"):
        drop_state()
        st.rerun()
    st.stop()

# The fields the widgets below edit one by one; any other plain field gets a widget by its kind.
EDITED = frozenset(
    (
        "ref",
        "name",
        "description",
        "role",
        "controllers",
        "status",
        "owner",
        "purposes",
        "legal_bases",
        "special_categories",
        "art9_conditions",
        "criminal_data",
        "criminal_data_basis",
        "no_recipients",
        "data_subjects",
        "data_categories",
        "sources",
        "recipients",
        "transfers",
        "retention",
        "security_measures",
        "systems",
        "dpia",
        "last_review",
        "next_review",
        "transparency",
    )
)
SHOWN = (
    "ref",
    "name",
    "controllers",
    "purposes",
    "legal_bases",
    "art9_conditions",
    "data_subjects",
    "data_categories",
    "special_categories",
    "criminal_data_basis",
    "sources",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
    "systems",
    "transparency",
)
unplaced = [p for p in problems if not any(editing.errors_for([p], k) for k in SHOWN)]
if problems:
    st.error(
        t(
            f"Ikke lagret: {count_in('nb', len(problems), ('problem', 'problemer'), ('', ''))} er markert ved feltene.",
            f"Not saved: {count_in('en', len(problems), ('', ''), ('problem', 'problems'))} marked beside the fields.",
        ),
        icon=":material/error:",
    )
    for p in unplaced:
        st.error(markdown(p))

# --- The save bar, above the tabs (and again below them) --------------------------------------------------
bar = st.container(border=True)
TABS = {
    "processing": (t("Behandlingen", "The processing"), ("ref", "name", "controllers")),
    "purposes": (t("Formål og grunnlag", "Purposes and legal basis"), ("purposes", "legal_bases")),
    "data": (
        t("Registrerte og opplysninger", "Data subjects and personal data"),
        ("data_subjects", "data_categories", "special_categories", "art9_conditions", "criminal_data_basis", "sources"),
    ),
    "recipients": (t("Mottakere og overføringer", "Recipients and transfers"), ("recipients", "transfers")),
    "retention": (t("Lagring og sikkerhet", "Retention and security"), ("retention", "security_measures", "systems")),
    "dpia": (t("DPIA og gjennomgang", "DPIA and review"), ("dpia", "transparency", "last_review", "next_review")),
}
tab = dict(zip(TABS, st.tabs([name + (" ⚠" if any(editing.errors_for(problems, k) for k in keys) else "") for name, keys in TABS.values()])))

with tab["processing"]:
    st.caption(t("Felt merket * må fylles ut.", "Fields marked * are required."))
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

with tab["purposes"]:
    purposes = list_field("purposes")
    legal_bases = basis_field("legal_bases", vocab.LEGAL_BASES)

with tab["data"]:
    data_subjects = taxonomy_field("data_subjects", "data_subject", list(vocab.DATA_SUBJECTS))
    data_categories = taxonomy_field("data_categories", "data_category", list(vocab.DATA_CATEGORIES))
    special = taxonomy_field("special_categories", "data_category", sorted(vocab.SPECIAL_CATEGORY_KEYS))
    art9 = basis_field("art9_conditions", vocab.ART9_CONDITIONS)
    c = st.columns([1, 3])
    criminal = c[0].checkbox(label("criminal_data"), bool(data.get("criminal_data")), key=f"{K}_criminal")
    criminal_basis = c[1].text_input(label("criminal_data_basis"), data.get("criminal_data_basis") or "", key=f"{K}_criminal_basis")
    errors("criminal_data_basis")
    sources = list_field("sources")

TRANSFER_COLUMNS = ["country", "international_organisation", "recipient", "mechanism", "safeguard", "tia_date", "frequency", "adequacy_scope_confirmed", "note"]
with tab["recipients"]:
    if known:
        picked = st.multiselect(
            label("recipients"),
            list(known),
            default=[r["name"] for r in data.get("recipients") or [] if r["name"] in known],
            key=f"{K}_recipients",
            placeholder=t("Velg mottakere …", "Choose recipients …"),
            help=t("Virksomhetens mottakere; nye legges til i tabellen under.", "The organisation's recipients; add new ones in the table below."),
            format_func=lambda n: f"{n} ({vocab.term_label(vocab.RECIPIENT_KINDS, known[n]['kind'], lang)})",
        )
    else:  # an empty list would only say Streamlit's English "No results" when opened
        st.markdown(f"**{label('recipients')}**")
        st.caption(
            t("Virksomheten har ingen mottakere ennå; legg dem til i tabellen under.", "The organisation has no recipients yet; add them in the table below.")
        )
        picked = []
    no_recipients = st.checkbox(label("no_recipients"), bool(data.get("no_recipients")), key=f"{K}_no_recipients", help=ACTIVITY["no_recipients"].help(lang))
    kinds = editing.code_options(vocab.RECIPIENT_KINDS, lang, display=False)
    countries = editing.country_options(lang)
    st.markdown(f"**{t('Nye mottakere', 'New recipients')}**")
    new_recipients = grid(
        "new_recipients",
        [
            {
                "name": r["name"],
                "kind": vocab.term_label(vocab.RECIPIENT_KINDS, r["kind"], lang),
                "country": editing.country_option(r["country"], lang) if r.get("country") else None,
                "agreement": r.get("agreement"),
            }
            for r in data.get("recipients") or []
            if r["name"] not in known
        ],
        ["name", "kind", "country", "agreement"],
        {
            "name": st.column_config.TextColumn(t("Ny mottaker", "New recipient"), width="large"),
            "kind": st.column_config.SelectboxColumn(RECIPIENT["kind"].label(lang), options=list(kinds)),
            "country": st.column_config.SelectboxColumn(RECIPIENT["country"].label(lang), options=list(countries)),
            "agreement": st.column_config.TextColumn(label("agreement", RECIPIENT)),
        },
    )
    errors("recipients")
    # A recipient typed above can be chosen for a transfer at once, before the activity is saved.
    typed = [n for n in (editing.clean(v) for v in new_recipients["name"].tolist()) if n] if len(new_recipients) else []
    recipient_names = list(dict.fromkeys([*known, *typed]))

    st.markdown(
        f"**{label('transfers')}**",
        help=t(
            "Landvelgeren viser om landet er i EØS, har adekvansbeslutning (og eventuelle vilkår) eller er en tredjestat.",
            "The country picker shows whether the country is in the EEA, has an adequacy decision (and any condition) or is a third country.",
        ),
    )
    transfer_rows = grid(
        "transfers",
        editing.transfer_rows(data.get("transfers") or [], lang),
        TRANSFER_COLUMNS,
        {
            "country": st.column_config.SelectboxColumn(TRANSFER["country"].label(lang), options=list(countries), width="medium"),
            "international_organisation": st.column_config.TextColumn(TRANSFER["international_organisation"].label(lang)),
            "recipient": st.column_config.SelectboxColumn(TRANSFER["recipient"].label(lang), options=recipient_names),
            "mechanism": st.column_config.SelectboxColumn(label("mechanism", TRANSFER), options=list(editing.mechanism_options(lang)), width="medium"),
            "safeguard": st.column_config.TextColumn(TRANSFER["safeguard"].label(lang)),
            "tia_date": st.column_config.DateColumn(TRANSFER["tia_date"].label(lang), format="YYYY-MM-DD"),
            "frequency": st.column_config.SelectboxColumn(
                TRANSFER["frequency"].label(lang), options=list(editing.code_options(vocab.TRANSFER_FREQUENCIES, lang, display=False))
            ),
            "adequacy_scope_confirmed": st.column_config.CheckboxColumn(TRANSFER["adequacy_scope_confirmed"].label(lang)),
            "note": st.column_config.TextColumn(TRANSFER["note"].label(lang)),
        },
        signature="\n".join(recipient_names),
        dates=("tia_date",),
    )
    errors("transfers")
    with st.container(border=True):
        st.markdown(
            t(
                "**Legg til en overføring**: skriv landets navn eller kode (f.eks. «Kina», «USA», «UK», «CN»).",
                "**Add a transfer**: type the country's name or code (e.g. 'China', 'USA', 'UK', 'CN').",
            )
        )
        c = st.columns([2, 3, 2])
        added = int(st.session_state.get(f"{K}_transfers_added", 0))  # a fresh search box after each transfer added
        query = c[0].text_input(
            t("Søk etter land", "Search for a country"), key=f"{K}_country_query_{added}", placeholder=t("Land eller ISO-kode …", "Country or ISO code …")
        )
        found_countries = editing.country_choices(query, lang) if query.strip() else {}
        chosen_country = c[1].selectbox(
            t("Land", "Country"),
            list(found_countries),
            key=f"{K}_country_pick_{query.strip().casefold()}",
            placeholder=t("Ingen treff" if query.strip() else "Skriv i søkefeltet", "No match" if query.strip() else "Type in the search box"),
            index=0 if found_countries else None,
            disabled=not found_countries,
        )
        c[2].markdown("&nbsp;")
        if c[2].button(t("Legg til overføring", "Add transfer"), icon=":material/add:", key=f"{K}_add_transfer", disabled=not chosen_country):
            current = [{k: editing.clean(v) for k, v in r.items()} for r in transfer_rows.to_dict("records")]
            redraw("transfers", [*current, {"country": chosen_country, "adequacy_scope_confirmed": False}])
            st.session_state[f"{K}_transfers_added"] = added + 1
            st.rerun()

with tab["retention"]:
    r = data.get("retention") or {}
    c = st.columns(4)
    period = c[0].number_input(label("retention.period"), min_value=0, value=r.get("period"), step=1, key=f"{K}_period", placeholder=t("antall", "number"))
    unit = pick("retention.unit", vocab.RETENTION_UNITS, r.get("unit"), optional=True, where=c[1])
    trigger = c[2].text_input(label("retention.trigger"), r.get("trigger") or "", key=f"{K}_trigger")
    action = pick("retention.action", vocab.RETENTION_ACTIONS, r.get("action"), optional=True, where=c[3])
    retention_text = st.text_area(
        label("retention.text"),
        r.get("text") or "",
        key=f"{K}_retention_text",
        height=80,
        help=t("Ordlyden slik den står i kilden; beholdes alltid.", "The wording as the source has it; always kept."),
    )
    errors("retention")
    security = list_field("security_measures")
    systems = list_field("systems")

with tab["dpia"]:
    d = data.get("dpia") or {}
    c = st.columns([1, 2])
    dpia_status = pick("dpia.status", vocab.DPIA_STATUSES, d.get("status") or "not_assessed", where=c[0])
    dpia_ref = c[1].text_input(label("dpia.ref"), d.get("ref") or "", key=f"{K}_dpia_ref")
    stored = d.get("screening") or {}
    outcome = dpia.screen(stored, data)
    (st.warning if outcome.dpia_expected else st.info)(outcome.explain(lang))
    suggested = dpia.suggest(data)
    with st.expander(label("dpia.screening"), expanded=bool(stored) or bool(suggested)):
        answers: dict[str, bool | None] = {}
        notes: dict[str, str | None] = {}
        for key, term in vocab.DPIA_CRITERIA.items():
            given = (stored.get(key) or {}).get("answer")
            hint = suggested.get(key) if key not in stored else None
            c = st.columns([3, 2, 3])
            c[0].markdown(f"{term.label(lang)}  \n:gray[{vocab.article_in(term.article, lang)}]")
            options = [None, True, False]
            answers[key] = c[1].radio(
                term.label(lang),
                options,
                index=options.index(given),
                horizontal=True,
                key=f"{K}_scr_{key}",
                label_visibility="collapsed",
                format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v],
            )
            notes[key] = c[2].text_input(
                t("Merknad", "Note"),
                (stored.get(key) or {}).get("note") or "",
                key=f"{K}_scrnote_{key}",
                label_visibility="collapsed",
                placeholder=(t("Forslag: ja – ", "Suggested: yes – ") + hint["note"]) if hint else t("Merknad", "Note"),
            )

    # What privacy notices need beyond Art. 30 (Art. 13/14); labels and codes from the field table.
    st.subheader(t("Til personvernerklæringen (art. 13 og 14)", "For the privacy notice (Art. 13 and 14)"))
    tr = data.get("transparency") or {}
    yes_no_blank = [None, True, False]
    c = st.columns(4)
    collection = pick("transparency.collection", vocab.COLLECTION, tr.get("collection"), optional=True, where=c[0])
    sources_public = c[1].selectbox(
        label("transparency.sources_public"),
        yes_no_blank,
        index=yes_no_blank.index(tr.get("sources_public")),
        key=f"{K}_sources_public",
        placeholder="—",
        format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v],
    )
    provision = pick("transparency.provision", vocab.PROVISION_REQUIREMENTS, tr.get("provision"), optional=True, where=c[2])
    automated = c[3].selectbox(
        label("transparency.automated_decisions"),
        yes_no_blank,
        index=yes_no_blank.index(tr.get("automated_decisions")),
        key=f"{K}_automated",
        placeholder="—",
        format_func=lambda v: {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v],
    )
    c = st.columns(2)
    consequences = c[0].text_area(label("transparency.provision_consequences"), tr.get("provision_consequences") or "", key=f"{K}_consequences", height=80)
    logic = c[1].text_area(label("transparency.automated_logic"), tr.get("automated_logic") or "", key=f"{K}_logic", height=80)
    errors("transparency")

    st.markdown(f"**{t('Gjennomgang', 'Review')}**")
    c = st.columns(2)
    last_review = c[0].date_input(label("last_review"), day(data.get("last_review")), key=f"{K}_last_review", format=DATE_FORMAT)
    next_review = c[1].date_input(label("next_review"), day(data.get("next_review")), key=f"{K}_next_review", format=DATE_FORMAT)

    # A plain field of the field table that no widget above shows (one added since), drawn by its kind.
    plain: dict[str, Any] = {}
    for key, spec in ACTIVITY.items():
        if key in EDITED or "." in key or spec.kind not in ("text", "longtext", "list", "bool", "date", "int"):
            continue
        value = data.get(key)
        if spec.kind == "bool":
            plain[key] = st.checkbox(label(key), bool(value), key=f"{K}_{key}", help=helptext(key))
        elif spec.kind == "date":
            picked_day = st.date_input(label(key), day(value), key=f"{K}_{key}", format=DATE_FORMAT, help=helptext(key))
            plain[key] = picked_day.isoformat() if picked_day else None
        elif spec.kind == "int":
            plain[key] = st.number_input(label(key), value=value, step=1, key=f"{K}_{key}", help=helptext(key))
        elif spec.kind == "list":
            plain[key] = [
                line.strip() for line in st.text_area(label(key), "\n".join(value or []), key=f"{K}_{key}", help=helptext(key)).splitlines() if line.strip()
            ]
        else:
            widget = st.text_area if spec.kind == "longtext" else st.text_input
            plain[key] = widget(label(key), value or "", key=f"{K}_{key}", help=helptext(key)) or None

doc = {
    "ref": new_ref.strip(),
    "name": name.strip(),
    "description": description or None,
    "role": role,
    "controllers": controllers,
    "status": status,
    "owner": owner or None,
    "purposes": purposes,
    "legal_bases": legal_bases,
    "special_categories": special,
    "art9_conditions": art9,
    "criminal_data": criminal,
    "criminal_data_basis": criminal_basis or None,
    "no_recipients": no_recipients,
    "data_subjects": data_subjects,
    "data_categories": data_categories,
    "sources": sources,
    "recipients": editing.recipients_from(picked, known, new_recipients.to_dict("records"), lang),
    "transfers": editing.transfers_from_rows(transfer_rows.to_dict("records"), lang),
    "retention": {
        "period": int(period) if period is not None else None,
        "unit": unit,
        "trigger": trigger or None,
        "action": action,
        "text": retention_text or None,
    },
    "security_measures": security,
    "systems": systems,
    "dpia": {"status": dpia_status, "ref": dpia_ref or None, "screening": editing.screening_from(answers, notes)},
    "last_review": last_review.isoformat() if last_review else None,
    "next_review": next_review.isoformat() if next_review else None,
    "transparency": {
        "collection": collection,
        "sources_public": sources_public,
        "provision": provision,
        "provision_consequences": consequences or None,
        "automated_decisions": automated,
        "automated_logic": logic or None,
    },
    **plain,
}
# What the form held when first drawn: any difference since is an unsaved change.
first = st.session_state.setdefault(f"{K}_first_doc", doc)
dirty = doc != first

with bar:
    c = st.columns([1, 1, 3])
    save_top = c[0].button(t("Lagre", "Save"), type="primary", icon=":material/save:", key=f"{K}_save_top")
    if dirty:
        c[2].markdown(t(":orange[:material/edit: Ulagrede endringer]", ":orange[:material/edit: Unsaved changes]"))
    else:
        c[2].caption(t("Ingen ulagrede endringer", "No unsaved changes"))
    if target is not None and c[1].button(t("Ny aktivitet i stedet", "New activity instead"), icon=":material/add:", key=f"{K}_new"):
        st.session_state[f"{E}_confirm_leave"] = True
    if st.session_state.get(f"{E}_confirm_leave"):
        if dirty:
            st.warning(t("Du har ulagrede endringer. Forkaste dem?", "You have unsaved changes. Discard them?"))
        y, n = st.columns([1, 4])
        if not dirty or y.button(t("Ja, forkast", "Yes, discard"), key=f"{K}_discard_yes"):
            drop_state()
            st.session_state["edit_activity"] = None
            st.rerun()
        if dirty and n.button(t("Avbryt", "Cancel"), key=f"{K}_discard_no"):
            st.session_state.pop(f"{E}_confirm_leave", None)
            st.rerun()

save_bottom = st.button(t("Lagre", "Save"), type="primary", icon=":material/save:", key=f"{K}_save_bottom")

if save_top or save_bottom:
    st.session_state.pop(f"{E}_problems", None)
    st.session_state.pop(f"{E}_conflict", None)
    st.session_state.pop(f"{E}_saved", None)
    try:
        with db.transaction(state.engine()) as s:
            if target is None:
                create_activity(s, org_name, doc, actor=current_actor(), source="dashboard")
                changed = ["*"]
            else:
                changed = update_activity(s, org_name, target[1], doc, expected_version=version, actor=current_actor(), source="dashboard")
    except ValidationFailed as err:
        st.session_state[f"{E}_problems"] = err.problems
        st.rerun()
    except Conflict as err:
        assert target is not None  # (only a save of an existing activity meets another save)
        with db.session(state.engine()) as s:
            latest = get_activity(s, org_name, target[1])
            theirs = activity_dict(latest)
            latest_version = latest.version
        st.session_state[f"{E}_conflict"] = {
            "message": forms.conflict_view(err, ACTIVITY, lang)["message"],
            "ref": target[1],
            "base": data,
            "mine": doc,
            "theirs": theirs,
            "version": latest_version,
        }
        st.rerun()
    except Exception as err:  # noqa: BLE001
        show_error(err)
    else:
        drop_state()
        st.session_state["edit_activity"] = (org_name, doc["ref"])
        st.session_state["open_activity"] = (org_name, doc["ref"])
        st.session_state[f"{E}_saved"] = (org_name, doc["ref"])
        state.flash(t(f"{doc['ref']} er lagret", f"{doc['ref']} saved") if changed else t("Ingen endringer", "No changes"))
        st.rerun()
