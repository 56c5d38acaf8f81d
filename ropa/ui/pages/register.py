"""The register at a glance: organisations and their activities."""

from __future__ import annotations

import streamlit as st

from ropa import db, registry, vocab
from ropa.ui import state

lang = state.lang()
st.title("Protokoll over behandlingsaktiviteter" if lang == "nb" else "Record of processing activities")

with db.session(state.engine()) as s:
    orgs = registry.list_organisations(s)
    if not orgs:
        st.info("Registeret er tomt. Importer en fil eller opprett en virksomhet." if lang == "nb"
                else "The register is empty. Import a file or create an organisation.")
    for org in orgs:
        acts = registry.list_activities(s, org=org.name)
        country = vocab.country_name(org.country, lang) if org.country else "—"
        with st.expander(f"{org.name} · {country} · {len(acts)}", expanded=False):
            st.dataframe(
                [
                    {
                        "Ref": a.ref,
                        ("Behandlingsaktivitet" if lang == "nb" else "Processing activity"): a.name,
                        ("Rolle" if lang == "nb" else "Role"): vocab.term_label(vocab.ROLES, a.role, lang),
                        "Status": vocab.term_label(vocab.STATUSES, a.status, lang),
                    }
                    for a in acts
                ],
                hide_index=True,
                width="stretch",
            )
