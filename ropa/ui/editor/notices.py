"""What the editor says about the record above the form: its findings right after a save, a newer
version saved elsewhere since it was opened (before the user types on), and, after a conflicting
save, both versions field by field to merge, the user's edits kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ropa import audit, checks, db, editing, vocab
from ropa.errors import Conflict, NotFound, ValidationFailed
from ropa.grammar import count_in
from ropa.register import activities  # activities.x(): this module outlives a run, so a bound name would outlive a patch
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import organisation_dict
from ropa.text import markdown
from ropa.ui import state
from ropa.ui.editor.form import E, Form, drop_state
from ropa.ui.errors import show as show_error
from ropa.ui.signin import current_actor

t = state.t


def findings_after_save(f: Form, org_name: str) -> None:
    """The activity's findings, once, right after it was saved."""
    data, lang = f.data, f.lang
    with db.session(state.engine()) as s:  # the organisation's facts (establishments, EEA) count in the checks
        org_doc = organisation_dict(get_organisation(s, org_name))
    found = checks.check_activity(data, org_name, org=org_doc)
    with st.container(border=True):
        if not found:
            st.success(markdown(t(f"Lagret. Ingen funn for {data['ref']}.", f"Saved. No findings for {data['ref']}.")), icon=":material/check_circle:")
            return
        st.markdown(
            t(
                f"**Lagret.** Kontrollene fant {count_in('nb', len(found), ('funn', 'funn'), ('', ''))} for {markdown(data['ref'])}:",
                f"**Saved.** The checks found {count_in('en', len(found), ('', ''), ('finding', 'findings'))} for {markdown(data['ref'])}:",
            )
        )
        for x in found:
            box = {"error": st.error, "warning": st.warning}.get(x.severity, st.info)
            box(
                f"**{checks.severity_label(x.severity, lang)}** · {vocab.article_in(x.article, lang)} · "
                f"{markdown(x.message(lang))}  \n→ {markdown(x.fix(lang))}",
                icon={"error": ":material/error:", "warning": ":material/warning:"}.get(x.severity, ":material/info:"),
            )


def changed_elsewhere(f: Form, org_name: str, ref: str, version: int) -> None:
    """Say so when the activity was saved (or deleted) elsewhere after this version was opened."""
    with db.session(state.engine()) as s:
        try:
            current: int | None = activities.get_activity(s, org_name, ref).version
            by = sorted({e.actor for e in activity_history(s, org_name, ref) if e.version > version}) if current and current > version else []
        except NotFound:
            current, by = None, []
    if current is None:
        st.warning(
            t("Aktiviteten er slettet et annet sted etter at du åpnet den.", "The activity was deleted elsewhere after you opened it."),
            icon=":material/sync_problem:",
        )
    elif current > version:
        who = markdown(", ".join(by) or "?")
        st.warning(
            t(
                f"Noen ({who}) har lagret en nyere versjon ({current}) etter at du åpnet versjon {version}. "
                "Lagrer du, får du se begge versjonene felt for felt og velger selv.",
                f"Someone ({who}) saved a newer version ({current}) after you opened version {version}. "
                "If you save, you will see both versions field by field and choose.",
            ),
            icon=":material/sync_problem:",
        )
        if st.button(
            t("Last inn den nye versjonen (forkast mine endringer)", "Load the new version (discard my edits)"),
            icon=":material/refresh:",
            key=f"{f.key}_reload_newer",
        ):
            drop_state()
            st.rerun()


def saved(org_name: str, ref: str, message: str) -> None:
    """After a save: open the new version (a fresh form) with its findings and ``message`` as a toast."""
    drop_state()
    st.session_state["edit_activity"] = (org_name, ref)
    st.session_state["open_activity"] = (org_name, ref)
    st.session_state[f"{E}_saved"] = (org_name, ref)
    state.flash(message)


def merge(f: Form, org_name: str, conflict: dict[str, Any]) -> None:
    """The conflict of the last save: both versions field by field, each with a choice; saving the
    merged version is checked against the version shown, like any save."""
    lang = f.lang
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
        c[0].markdown(f.field_name(r["field"]) + (" :orange[●]" if r["both"] else ""))
        c[1].text(audit.value_text("activity", r["field"], json.dumps(r["mine"]), lang) or "—")
        c[2].text(audit.value_text("activity", r["field"], json.dumps(r["theirs"]), lang) or "—")
        choices[r["field"]] = c[3].radio(
            f.field_name(r["field"]),
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
                activities.update_activity(s, org_name, conflict["ref"], doc, expected_version=conflict["version"], actor=current_actor(), source="dashboard")
        except Conflict:
            st.error(t("Aktiviteten ble endret igjen i mellomtiden. Last inn og prøv på nytt.", "The activity changed again meanwhile. Reload and try again."))
        except ValidationFailed as err:
            for p in err.problems:
                st.error(f"{f.field_name(next((x for x in p.path if isinstance(x, str)), ''))}: {markdown(p.message)}")
        except Exception as err:  # noqa: BLE001
            show_error(err)
        else:
            saved(org_name, doc["ref"], t(f"{doc['ref']} er lagret", f"{doc['ref']} saved"))
            st.rerun()
    if b.button(t("Forkast mine endringer og last inn den lagrede", "Discard my edits and load the saved one"), icon=":material/refresh:"):
        drop_state()
        st.rerun()
