"""What every page shares: the cached engine and the language of the session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Optional

import streamlit as st

from ropa import db
from ropa.demo import open_register
from ropa.settings import database_url
from ropa.text import markdown


@st.cache_resource(show_spinner="Åpner registeret … / Opening the register …")  # before any language is chosen
def _engine(url: str) -> Any:
    return open_register(url)


def engine() -> Any:
    """The engine for ``ROPA_DATABASE_URL`` (schema migrated, demo loaded into a new database)."""
    return _engine(database_url())


def lang() -> str:
    return str(st.session_state.get("lang", "nb"))


def where() -> str:
    return db.describe(engine())


def words(table: dict[str, tuple[str, str]]) -> Callable[..., str]:
    """A page's own words, ``{key: (bokmål, English)}``: ``t = state.words(TEXT)``, then
    ``t(key, **values)`` gives the text in the session's language, formatted with the values."""
    chosen = lang()  # fixed for this run: widgets may format their options after the script has run

    def t(key: str, **values: Any) -> str:
        nb, en = table[key]
        text = nb if chosen == "nb" else en
        return text.format(**values) if values else text

    return t


def t(nb: str, en: str) -> str:
    """The words in the session's language."""
    return nb if lang() == "nb" else en


def sidebar_status() -> None:
    """Which register is open, who is working in it, and the organisation in focus."""
    from ropa import registry
    from ropa.ui import signin

    with db.session(engine()) as s:
        names = [o.name for o in registry.list_organisations(s)]  # those the user may read
    if signin.principal().role == "admin":  # where the register lives is an administrator's business
        st.caption(f":material/database: {markdown(where())}")
    signin.sidebar()
    if names:
        # "" (not None) stands for all: a None value would show as "Choose an option". With a key the
        # key alone is the widget's identity, so switching language keeps the choice.
        # A user assigned to some organisations works in one at a time.
        options = names if signin.principal().scoped else ["", *names]
        if st.session_state.get("org") not in options:
            st.session_state["org"] = options[0]
        everyone = t("Alle virksomheter", "All organisations")
        st.selectbox(t("Virksomhet i fokus", "Organisation in focus"), options, placeholder="—", key="org",
                     format_func=lambda n: n or everyone)


def org() -> str | None:
    """The organisation in focus (sidebar), or None for all."""
    value = st.session_state.get("org")
    return str(value) if value else None


def current_actor() -> str:
    """Who acts in this run: the signed-in user, or the local administrator of a register without users."""
    from ropa.ui import signin

    return signin.principal().name


def fail(err: Exception) -> None:
    """Show an unexpected error as a sentence; the log keeps the traceback (see :mod:`ropa.ui.errors`)."""
    from ropa.ui import errors

    errors.show(err)


def flash(message: str) -> None:
    """A confirmation to show as a toast after the rerun that follows a save."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.toast(markdown(message), icon=":material/check_circle:")


@st.cache_resource(max_entries=8, show_spinner=False)
def _findings(url: str, orgs: tuple[str, ...], stamp: int, today: date) -> list[Any]:
    from ropa import checks

    with db.session(engine()) as s:
        return checks.check_register(s, orgs=list(orgs) or None, today=today)


def findings(orgs: Optional[Sequence[str]] = None) -> list[Any]:
    """The register's findings, computed once per change to the register (and per day): the
    overview and the findings page stay quick on a large register. Callers must not change
    the list (it is shared)."""
    from ropa import stats

    from ropa import access

    with db.session(engine()) as s:
        stamp = stats.change_stamp(s)
    orgs = access.read_scope(orgs, access.CHECK)  # the cache is shared: key it by what this user may see
    return _findings(database_url(), tuple(orgs or ()), stamp, date.today())
