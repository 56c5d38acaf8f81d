"""History: the audit trail (who, when, which field, old → new), of one activity or of the
latest changes in the register. Read from :mod:`ropa.registry`; the trail is append-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ropa import audit, db, registry
from ropa.errors import NotFound
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import state

t = state.t
lang = state.lang()
st.title(t("Historikk", "History"))
st.caption(t("Hver endring lagres med hvem, når, felt og gammel → ny verdi, i samme transaksjon som endringen. Loggen kan ikke endres.",
             "Every change is recorded with who, when, the field and old → new, in the same transaction as the change. "
             "The trail cannot be altered."))

with db.session(state.engine()) as s:
    org_names = [o.name for o in registry.list_organisations(s)]
if not org_names:
    st.info(t("Registeret er tomt: ingen historikk ennå.", "The register is empty: no history yet."))
    st.stop()

opened = st.session_state.get("open_activity")
focus = opened[0] if opened else state.org()
c = st.columns([2, 1, 1])
org = c[0].selectbox(t("Virksomhet", "Organisation"), org_names, index=org_names.index(focus) if focus in org_names else 0, placeholder=state.t("Velg …", "Choose …"), key="h_org")
with db.session(state.engine()) as s:
    refs = [a.ref for a in registry.list_activities(s, org=org)]
ref = c[1].selectbox(t("Aktivitet", "Activity"), [None, *refs], key="h_ref", placeholder=t("Siste endringer", "Latest changes"),
                     index=refs.index(opened[1]) + 1 if opened and opened[0] == org and opened[1] in refs else 0,
                     format_func=lambda r: t("Siste endringer", "Latest changes") if r is None else r)
limit = c[2].number_input(t("Antall", "How many"), min_value=10, max_value=5000, value=200, step=50, key="h_limit")

with db.session(state.engine()) as s:
    try:
        events = registry.activity_history(s, org, ref) if ref else registry.recent_changes(s, org=org, limit=int(limit))
    except NotFound as err:
        st.error(markdown(err))
        st.stop()
if not events:
    st.info(t("Ingen endringer registrert.", "No changes recorded."))
else:
    st.dataframe(safe_table(pd.DataFrame([{
        t("Når", "When"): e.at, t("Hvem", "Who"): e.actor, t("Handling", "Action"): audit.action_label(e.action, lang),
        t("Post", "Record"): audit.record_text(e.entity, e.entity_key, lang, org), t("Felt", "Field"): audit.field_label(e.entity, e.field, lang),
        t("Før", "Before"): audit.value_text(e.entity, e.field, e.old_value, lang),
        t("Etter", "After"): audit.value_text(e.entity, e.field, e.new_value, lang),
        t("Kilde", "Source"): audit.source_label(e.source, lang), t("Versjon", "Version"): e.version,
    } for e in (reversed(events) if ref else events)])), hide_index=True, width="stretch")
