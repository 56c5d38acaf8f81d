"""The activity editor: every field of a processing activity, in the order of Art. 30, one tab
per section (only the open one is drawn), with Save above and below the tabs.

Labels, help and articles come from :mod:`ropa.fields`, choices from :mod:`ropa.vocab`; rows
become a document through :mod:`ropa.editing`, and the document is saved by
:mod:`ropa.register.activities` with the version the user opened, so a save never overwrites somebody
else's. If the activity changes elsewhere while it is open, the page says so at once; on a
conflict the user's edits are kept and both versions are shown field by field to merge. The
parts live in :mod:`ropa.ui.editor`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ropa import db, records
from ropa.errors import NotFound, Problem
from ropa.register.activities import activity_dict, get_activity, next_ref
from ropa.register.organisations import list_organisations
from ropa.register.recipients import list_recipients, recipient_dict
from ropa.text import markdown
from ropa.ui import state
from ropa.ui.editor import notices, save, sections
from ropa.ui.editor.form import E, Form

t = state.t
lang = state.lang()
with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.title(t("Ny behandlingsaktivitet", "New processing activity"))
    st.info(t("Opprett først en virksomhet under «Virksomheter».", "First create an organisation under 'Organisations'."))
    st.stop()

if st.query_params.get("org") and st.query_params.get("ref"):  # "Edit" on the list links here with the record
    st.session_state["edit_activity"] = (st.query_params["org"], st.query_params["ref"])
    st.query_params.clear()  # taken: the next run goes by the session (a save, a new activity instead)
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
form = Form(f"{E}_{org_name}_{data['ref']}_{version}", data, known, problems, lang)  # a fresh form for every record and version

saved_target = st.session_state.pop(f"{E}_saved", None)  # shown once: the next change to the form hides it
if saved_target is not None and target is not None and tuple(saved_target) == tuple(target):
    notices.findings_after_save(form, org_name)
if target is not None and conflict is None:
    notices.changed_elsewhere(form, org_name, target[1], version)
if conflict is not None:
    st.session_state.pop(f"{E}_save_done", None)
    notices.merge(form, org_name, conflict)
    st.stop()

sections.problems_summary(form)
top = st.container(border=True)  # the save bar, above the tabs (and Save again below them)
doc, dirty = sections.draw(form)
ref_saved = None if target is None else target[1]
save_top = save.bar(top, form, dirty, org_name, ref_saved, version)
save_bottom = save.button(form, "bottom", org_name, ref_saved, version)
st.session_state.pop(f"{E}_save_done", None)
if save_top or save_bottom:  # a value changed with the click, so the save waited for the form
    save.save(form, org_name, ref_saved, version, doc)
