"""The sidebar under the language choice: which register is open, who works in it, and the
organisation in focus. Its own module, above :mod:`ropa.ui.signin` and :mod:`ropa.ui.state`,
so that neither of them has to import the other."""

from __future__ import annotations

import streamlit as st

from ropa import db
from ropa.register.organisations import list_organisations
from ropa.text import markdown
from ropa.ui import signin, state


def show() -> None:
    """Which register is open, who is working in it, and the organisation in focus."""
    with db.session(state.engine()) as s:
        names = [o.name for o in list_organisations(s)]  # those the user may read
    if signin.principal().role == "admin":  # where the register lives is an administrator's business
        st.caption(f":material/database: {markdown(state.where())}")
    signin.sidebar()
    if names:
        # "" (not None) stands for all: a None value would show as "Choose an option". With a key the
        # key alone is the widget's identity, so switching language keeps the choice.
        # A user assigned to some organisations works in one at a time.
        options = names if signin.principal().scoped else ["", *names]
        if st.session_state.get("org") not in options:
            st.session_state["org"] = options[0]
        everyone = state.t("Alle virksomheter", "All organisations")
        st.selectbox(state.t("Virksomhet i fokus", "Organisation in focus"), options, placeholder="—", key="org", format_func=lambda n: n or everyone)
