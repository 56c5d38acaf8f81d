"""What every page shares: the cached engine and the language of the session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Optional

import streamlit as st

from ropa import db
from ropa.demo import open_register
from ropa.settings import database_url
from ropa.text import Words, markdown


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
        text = Words(*table[key]).in_(chosen)
        return text.format(**values) if values else text

    return t


DATE_FORMATS = {"nb": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
LANGUAGES = {"nb": "Norsk bokmål", "en": "English"}  # each language's name in itself, the same on every page


def date_format() -> str:
    """The format a date field shows in the session's language (``st.date_input(format=...)``): 02.12.2026 in bokmål."""
    return DATE_FORMATS.get(lang(), DATE_FORMATS["en"])


def t(nb: str, en: str) -> str:
    """The words in the session's language."""
    return Words(nb, en).in_(lang())


def org() -> str | None:
    """The organisation in focus (sidebar), or None for all."""
    value = st.session_state.get("org")
    return str(value) if value else None


def flash(message: str) -> None:
    """A confirmation to show as a toast after the rerun that follows a save."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.toast(markdown(message), icon=":material/check_circle:")


def findings(orgs: Optional[Sequence[str]] = None) -> list[Any]:
    """The register's findings (of the organisations named, or all the user may see), kept
    current change by change (:mod:`ropa.findings`): the overview, the list and the findings page
    stay quick on a large register, also right after a save. Callers must not change the list
    (it is shared)."""
    from ropa import access
    from ropa import findings as kept

    orgs = access.read_scope(orgs, access.CHECK)
    with db.session(engine()) as s:
        return kept.kept(database_url()).findings(s, orgs, date.today())


def overview(org: Optional[str], today: date) -> Any:
    """The overview's figures (:func:`ropa.stats.overview`), computed once per change to the
    register, day, organisation and reader's organisations: a rerun or a return to the page
    asks the database one question instead of nine. A fresh copy each time (the page adds to it)."""
    from ropa import access, stats

    with db.session(engine()) as s:
        marker = stats.change_marker(s)
    scope = access.readable_orgs()
    return _overview(database_url(), org, today, marker, tuple(sorted(scope)) if scope is not None else None)


@st.cache_data(max_entries=32, show_spinner=False)
def _overview(url: str, org: Optional[str], today: date, marker: tuple[int, str], scope: Optional[tuple[str, ...]]) -> Any:
    from ropa import stats

    with db.session(engine()) as s:
        return stats.overview(s, org=org, today=today)


def finding_counts() -> dict[tuple[str, str], dict[str, int]]:
    """Findings by severity per ``(organisation, activity ref)``: the activity list's badges."""
    from ropa import findings as kept

    with db.session(engine()) as s:
        return kept.kept(database_url()).counts(s, date.today())
