"""Streamlit entry point: a router over the pages in ropa/ui/pages, nothing of substance."""

import streamlit as st

from ropa.ui import state

st.set_page_config(page_title="ROPA", page_icon=":material/fact_check:", layout="wide")

with st.sidebar:
    st.radio("Språk / Language", ["nb", "en"], key="lang", horizontal=True,
             format_func=lambda code: {"nb": "Norsk bokmål", "en": "English"}[code])
    st.caption(state.where())

# Each page file is one entry; sections group them in the sidebar.
PAGES = {
    "Register": [
        st.Page("ropa/ui/pages/register.py", title="Register", icon=":material/list_alt:", default=True),
    ],
    "Data": [
        st.Page("ropa/ui/pages/export.py", title="Eksport / Export", icon=":material/download:"),
    ],
}
page = st.navigation({section: pages for section, pages in PAGES.items() if pages})
page.run()
