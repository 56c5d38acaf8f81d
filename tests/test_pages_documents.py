"""The Notices page and the Export page's record button, through Streamlit's AppTest."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from conftest import app_page



def run(name: str, lang: str, **session: Any) -> AppTest:
    return app_page(name, lang, timeout=120, **session)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_notices_page_drafts_the_guangzhou_notice_with_its_gaps(demo_url: str, lang: str):
    at = run("notices", lang, notice_org="Ukjent selskap, Panyu District, Guangzhou", notice_lang=lang)
    assert at.warning and ("Utkast" if lang == "nb" else "Draft") in at.warning[0].value
    preview = "\n".join(m.value for m in at.markdown)
    assert ("Kina" if lang == "nb" else "China") in preview and "Singapore" in preview
    assert "Art. 13(1)(f)" in preview


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
