"""Streamlit entry point: a router over the pages in ropa/ui/pages, nothing of substance."""

from pathlib import Path

import streamlit as st

from ropa import access
from ropa.ui import sidebar, signin, state, warm

ICON = Path(__file__).resolve().parent / "ropa" / "ui" / "icon.png"  # served by the app: no icon font from the internet

st.set_page_config(
    page_title="ROPA · Protokoll / Register",
    page_icon=str(ICON),
    layout="wide",
    menu_items={"About": "ROPA: protokoll over behandlingsaktiviteter (personvernforordningen art. 30) / record of processing activities (GDPR Art. 30)."},
)

lang = state.lang()
me = signin.gate()  # the sign-in form (and nothing else) until someone signs in, once the register has users
with st.sidebar:
    st.radio("Språk / Language", ["nb", "en"], key="lang", horizontal=True, format_func=lambda code: {"nb": "Norsk bokmål", "en": "English"}[code])
    sidebar.show()


def _t(nb: str, en: str) -> str:
    return nb if lang == "nb" else en


# Each page file is one entry; sections group them in the sidebar.
PAGES = {
    _t("Protokoll", "Register"): [
        st.Page("ropa/ui/pages/overview.py", title=_t("Oversikt", "Overview"), icon=":material/dashboard:", default=True),
        st.Page("ropa/ui/pages/activities.py", title=_t("Behandlingsaktiviteter", "Processing activities"), icon=":material/list_alt:"),
        st.Page("ropa/ui/pages/editor.py", title=_t("Rediger aktivitet", "Edit activity"), icon=":material/edit_note:"),
        st.Page("ropa/ui/pages/findings.py", title=_t("Funn", "Findings"), icon=":material/rule:"),
        st.Page("ropa/ui/pages/history.py", title=_t("Historikk", "History"), icon=":material/history:"),
        st.Page("ropa/ui/pages/versions.py", title=_t("Versjoner", "Versions"), icon=":material/photo_library:"),
        st.Page("ropa/ui/pages/tasks.py", title=_t("Mine oppgaver", "My tasks"), icon=":material/task_alt:"),
    ],
    _t("Virksomheter", "Organisations"): [
        st.Page("ropa/ui/pages/organisations.py", title=_t("Virksomheter", "Organisations"), icon=":material/domain:"),
        st.Page("ropa/ui/pages/recipients.py", title=_t("Mottakere", "Recipients"), icon=":material/group:"),
    ],
    _t("Data", "Data"): [
        st.Page("ropa/ui/pages/import.py", title=_t("Import", "Import"), icon=":material/upload:"),
        st.Page("ropa/ui/pages/export.py", title=_t("Eksport", "Export"), icon=":material/download:"),
        st.Page("ropa/ui/pages/notices.py", title=_t("Personvernerklæring", "Privacy notice"), icon=":material/policy:"),
    ],
}
if access.can(me, access.ADMIN_USERS):  # the page itself asks ropa.users, which refuses anyone else
    PAGES[_t("Administrasjon", "Administration")] = [
        st.Page("ropa/ui/pages/users.py", title=_t("Brukere", "Users"), icon=":material/manage_accounts:"),
    ]
page = st.navigation(PAGES, expanded=True)  # thirteen pages: all in sight, no "View more"
try:
    page.run()
finally:  # after the page is drawn (also when it stops or switches): see ropa.ui.warm
    warm.modules()
