"""Vocabularies: complete code lists, both languages, and every class of country."""

from __future__ import annotations

from datetime import date

import pytest

from ropa import vocab
from ropa.vocab import CountryStatus


def test_code_lists_are_complete():
    assert list(vocab.LEGAL_BASES) == [f"art6_1_{x}" for x in "abcdef"]
    assert list(vocab.ART9_CONDITIONS) == [f"art9_2_{x}" for x in "abcdefghij"]
    expected = {"art45", *(f"art46_2_{x}" for x in "abcdef"), "art46_3_a", "art46_3_b", *(f"art49_1_{x}" for x in "abcdefg"), "art49_1_2", "none", "unknown"}
    assert set(vocab.MECHANISMS) == expected
    assert vocab.MECHANISMS["art46_2_c"].nb.startswith("standardpersonvernbestemmelser")
    assert len(vocab.DPIA_CRITERIA) == 12 + len(vocab.DPIA_LIST_NO) and len(vocab.WP248_CRITERIA) == 9


def test_every_term_speaks_both_languages():
    for table in (
        vocab.LEGAL_BASES,
        vocab.ART9_CONDITIONS,
        vocab.MECHANISMS,
        vocab.ROLES,
        vocab.STATUSES,
        vocab.RECIPIENT_KINDS,
        vocab.RETENTION_UNITS,
        vocab.RETENTION_ACTIONS,
        vocab.DPIA_STATUSES,
        vocab.DPIA_CRITERIA,
        vocab.TRANSFER_FREQUENCIES,
    ):
        for term in table.values():
            assert term.en and term.nb
        assert sum(t.en != t.nb for t in table.values()) >= len(table) - 1
    assert vocab.LEGAL_BASES["art6_1_b"].display("nb") == "Art. 6(1)(b) – avtale"
    assert vocab.LEGAL_BASES["art6_1_f"].display("en") == "Art. 6(1)(f) – legitimate interests"
    assert vocab.term_label(vocab.ROLES, "no-such-code", "nb") == "no-such-code"


@pytest.mark.parametrize(
    "code,lang,name",
    [("CN", "nb", "Kina"), ("DE", "nb", "Tyskland"), ("SG", "en", "Singapore"), ("US", "nb", "USA"), ("GB", "nb", "Storbritannia"), ("NO", "en", "Norway")],
)
def test_country_names(code, lang, name):
    assert vocab.country_name(code, lang) == name


@pytest.mark.parametrize(
    "text,code",
    [
        ("Kina", "CN"),
        ("China", "CN"),
        ("CN", "CN"),
        ("chn", "CN"),
        ("USA", "US"),
        ("Storbritannia", "GB"),
        ("UK", "GB"),
        ("Sør-Korea", "KR"),
        ("Atlantis", None),
    ],
)
def test_find_country(text, code):
    assert vocab.find_country(text) == code


@pytest.mark.parametrize(
    "codes,status",
    [
        (["NO", "DE", "IS", "LI"], CountryStatus.EEA),
        (["CH", "GB", "BR", "NZ"], CountryStatus.ADEQUATE),
        (["US", "CA", "JP", "KR"], CountryStatus.ADEQUATE_CONDITIONAL),
        (["CN", "SG", "HK", "IN"], CountryStatus.THIRD_COUNTRY),
    ],
)
def test_every_class_of_country(codes, status):
    for code in codes:
        assert vocab.country_status(code) == status, code


def test_adequacy_dates_and_table():
    assert vocab.country_status("BR", on=date(2025, 12, 31)) == CountryStatus.THIRD_COUNTRY
    assert vocab.country_status("BR", on=date(2026, 1, 26)) == CountryStatus.ADEQUATE
    assert vocab.country_status(None) is None and vocab.country_status("XX") is None
    assert len(vocab.EEA_COUNTRIES) == 30
    for code, decision in vocab.ADEQUACY_DECISIONS.items():
        assert vocab.is_country(code) and code not in vocab.EEA_COUNTRIES and decision.scope("nb")
    assert "Data Privacy Framework" in vocab.country_status_label("US", "en")


def test_countries_sorted_the_norwegian_way():
    names = [n for _, n in vocab.countries("nb")]
    assert names.index("Zimbabwe") < names.index("Østerrike") < names.index("Åland")


def test_taxonomy():
    assert len(vocab.DATA_SUBJECTS) == 15
    assert all(t.nb != t.en for t in vocab.DATA_SUBJECTS.values())
    assert "user.health_and_medical" in vocab.SPECIAL_CATEGORY_KEYS
    assert vocab.taxonomy_label("data_category", "user.contact.email", "nb") == "e-postadresse"
    assert vocab.taxonomy_label("data_category", "kostholdskrav", "nb") == "kostholdskrav"
    custom = {"kostholdskrav": vocab.Term("kostholdskrav", "dietary requirements", "kostholdskrav")}
    assert vocab.taxonomy_label("data_category", "kostholdskrav", "en", custom) == "dietary requirements"


def test_citations_in_bokmal_read_as_norwegian_law_writes_them():
    from ropa.terms import article_in

    assert article_in("Art. 30(1)(f), 5(1)(e)", "nb") == "art. 30 nr. 1 bokstav f, 5 nr. 1 bokstav e"
    assert article_in("Art. 49(1) second subparagraph", "nb") == "art. 49 nr. 1 annet ledd"
    assert article_in("recital 111", "nb") == "fortalepunkt 111"
    assert article_in("Art. 30(1)/(2)", "nb") == "art. 30 nr. 1/nr. 2"  # the role field's: a controller's or a processor's record
    assert article_in("Art. 13(1)(a)–(b), 14(1)(a)–(b)", "nb") == "art. 13 nr. 1 bokstav a–b, 14 nr. 1 bokstav a–b"  # a notice's section
    assert article_in("Art. 30(1)(f), 5(1)(e)", "en") == "Art. 30(1)(f), 5(1)(e)"
    # The vocabulary's names keep the short citation: they are what workbooks hold and imports match.
    assert vocab.LEGAL_BASES["art6_1_b"].display("nb") == "Art. 6(1)(b) – avtale"


def test_the_findings_page_and_the_editor_cite_articles_in_bokmal(demo_url):
    import re

    from conftest import app_page

    at = app_page("findings", "nb")
    labels = [e.label for e in at.expander]
    assert labels and not [x for x in labels if re.search(r"Art\. \d+\(", x)], labels
    assert any(" nr. 1 bokstav " in x for x in labels)
    from test_pages_ux import _open_section

    editor = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    _open_section(editor, "Formål og grunnlag")
    shown = [m.value for m in editor.markdown]  # the lists' headings carry the field's label and article
    assert "**Formålene med behandlingen (art. 30 nr. 1 bokstav b) \\***" in shown, shown
    assert not [x for x in shown if re.search(r"\(Art\. \d+\(", x)]
