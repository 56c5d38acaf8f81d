"""What every page shares: the cached engine and the language of the session."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ropa import db
from ropa.demo import open_register
from ropa.settings import database_url


@st.cache_resource(show_spinner="Opening the register …")
def _engine(url: str) -> Any:
    return open_register(url)


def engine() -> Any:
    """The engine for ``ROPA_DATABASE_URL`` (schema migrated, demo loaded into a new database)."""
    return _engine(database_url())


def lang() -> str:
    return str(st.session_state.get("lang", "nb"))


def where() -> str:
    return db.describe(engine())
