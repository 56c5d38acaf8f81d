"""The Notices page and the Export page's record button, through Streamlit's AppTest."""

from __future__ import annotations

import io
from typing import Any

import pytest
import streamlit as st
from conftest import app_page
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest


def run(name: str, lang: str, **session: Any) -> AppTest:
    return app_page(name, lang, timeout=120, **session)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_notices_page_drafts_the_guangzhou_notice_with_its_gaps(demo_url: str, lang: str):
    at = run("notices", lang, notice_org="Ukjent selskap, Panyu District, Guangzhou", notice_lang=lang)
    assert at.warning and ("Utkast" if lang == "nb" else "Draft") in at.warning[0].value
    preview = "\n".join(m.value for m in at.markdown)
    assert ("Kina" if lang == "nb" else "China") in preview and "Singapore" in preview
    assert ("art. 13 nr. 1 bokstav f" if lang == "nb" else "Art. 13(1)(f)") in preview


def test_notices_page_for_one_group(demo_url: str):
    at = run("notices", "nb", notice_org="Janteloppet", notice_lang="nb", notice_subjects="potensiell kunde")
    preview = "\n".join(m.value for m in at.markdown)
    assert "Potensielle kunder i markedsføringsdatabasen" in preview and "Regnskap" not in preview


def test_export_page_makes_the_record_as_pdf_and_word(demo_url: str):
    at = run("export", "en", export_lang="en", export_orgs=["Janteloppet"])
    at.button(key="record_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["record_result"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(result["pdf"])).pages)
    assert "Record of processing activities" in text and "JL-08" in text
    assert result["docx"][:2] == b"PK"


def test_notices_page_shows_hostile_names_as_text(engine: Any, monkeypatch: Any):
    """A name full of markup previews as typed (escaped Markdown), not as markup, HTML, LaTeX or colour."""
    from ropa import db
    from ropa.register.activities import create_activity
    from ropa.register.organisations import create_organisation

    name = "Ond <script>alert(1)</script> *AS* $x$ :red[rød] #1"
    with db.transaction(engine) as s:
        create_organisation(s, {"name": name, "email": "post@ond.no"}, actor="test")
        create_activity(
            s,
            name,
            {
                "ref": "O-1",
                "name": "Kunder #set page(width: 1cm)",
                "purposes": ["Salg *nå*"],
                "data_subjects": ["customer"],
                "legal_bases": [{"code": "art6_1_b"}],
            },
            actor="test",
        )
    monkeypatch.setenv("ROPA_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    st.cache_resource.clear()
    try:
        at = run("notices", "nb", notice_org=name, notice_lang="nb")
    finally:
        st.cache_resource.clear()
    preview = "\n".join(m.value for m in at.markdown)
    assert "\\<script\\>" in preview and "<script>" not in preview
    assert "\\*AS\\*" in preview and "\\$x\\$" in preview and "\\:red\\[rød\\]" in preview
    assert len(at.get("download_button")) == 3  # HTML, Word, Markdown: built from the hostile register without error


def test_export_page_makes_the_record_in_bokmal_with_findings_and_approvals(demo_url: str):
    at = run("export", "nb", export_lang="nb", export_orgs=["Janteloppet"])
    at.checkbox(key="record_findings").check().run()
    at.button(key="record_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["record_result"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(result["pdf"])).pages)
    assert "Protokoll over behandlingsaktiviteter" in text and "Åpne funn" in text
    assert "Godkjent av" in text and "0 av 8 behandlingsaktiviteter er godkjent" in text
    assert "Ikke aktuelt (etablert i EØS)" in text
    labels = [b.label for b in at.get("download_button")]
    assert "Last ned PDF" in labels and "Last ned Word (.docx)" in labels
