"""The Streamlit app opens the register and shows the demo organisations (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_on(monkeypatch):
    def run(url: str) -> AppTest:
        monkeypatch.setenv("ROPA_DATABASE_URL", url)
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return at

    yield run
    st.cache_resource.clear()


def test_first_start_on_an_empty_database_loads_the_demo_register(app_on, tmp_path):
    db_file = tmp_path / "fresh" / "ropa.db"
    at = app_on(f"sqlite:///{db_file}")
    assert db_file.exists()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Virksomheter"] == "5" and metrics["Behandlingsaktiviteter"] == "37"
    focus = at.sidebar.selectbox[0].options
    for name in ("EnterTalkPro Ltd", "Allprofil AS", "Janteloppet", "Immediate Connect"):
        assert name in focus
