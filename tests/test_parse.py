"""Cell values as people write them, in bokmål and English, into the register's codes."""

from __future__ import annotations

from datetime import date

import pytest

from ropa.excel import parse


@pytest.mark.parametrize(
    "text,codes",
    [
        ("Art. 6(1)(b)", ["art6_1_b"]),
        ("6.1.b", ["art6_1_b"]),
        ("artikkel 6 nr. 1 bokstav b", ["art6_1_b"]),
        ("GDPR 6 (1) f", ["art6_1_f"]),
        ("Consent", ["art6_1_a"]),
        ("samtykke", ["art6_1_a"]),
        ("contract", ["art6_1_b"]),
        ("avtale", ["art6_1_b"]),
        ("legal obligation", ["art6_1_c"]),
        ("rettslig forpliktelse", ["art6_1_c"]),
        ("Legitimate interests", ["art6_1_f"]),
        ("berettiget interesse", ["art6_1_f"]),
        ("Art. 6(1)(b)\nArt. 6(1)(c) – bokføringsloven", ["art6_1_b", "art6_1_c"]),
        ("samtykke; berettiget interesse", ["art6_1_a", "art6_1_f"]),
        ("contract, legal obligation", ["art6_1_b", "art6_1_c"]),
    ],
)
def test_legal_bases(text, codes):
    parsed = parse.parse_legal_bases(text)
    assert parsed.codes == codes
    assert parsed.unrecognised == []


def test_unrecognised_basis_is_kept_as_text():
    parsed = parse.parse_legal_bases("because we must; Art. 6(1)(c)")
    assert parsed.codes == ["art6_1_c"]
    assert parsed.unrecognised == ["because we must"]


@pytest.mark.parametrize(
    "text,codes",
    [
        ("Art. 9(2)(a)", ["art9_2_a"]),
        ("9.2.h", ["art9_2_h"]),
        ("artikkel 9 nr. 2 bokstav f", ["art9_2_f"]),
        ("explicit consent", ["art9_2_a"]),
        ("uttrykkelig samtykke", ["art9_2_a"]),
    ],
)
def test_art9_conditions(text, codes):
    assert parse.parse_art9_conditions(text).codes == codes


@pytest.mark.parametrize(
    "text,code",
    [
        ("SCC", "art46_2_c"),
        ("standard contractual clauses", "art46_2_c"),
        ("Standardpersonvernbestemmelser", "art46_2_c"),
        ("BCR", "art46_2_b"),
        ("adequacy", "art45"),
        ("Adekvansbeslutning", "art45"),
        ("DPF", "art45"),
        ("Art. 49(1)(a)", "art49_1_a"),
        ("art46_2_c", "art46_2_c"),
        ("ingen", "none"),
        ("ukjent", "unknown"),
    ],
)
def test_mechanisms(text, code):
    assert parse.parse_mechanism(text) == (code, None)


def test_unknown_mechanism_is_returned_as_text():
    assert parse.parse_mechanism("we trust them") == (None, "we trust them")


@pytest.mark.parametrize(
    "text,code",
    [
        ("Kina", "CN"),
        ("China", "CN"),
        ("CN", "CN"),
        ("USA", "US"),
        ("Storbritannia", "GB"),
        ("UK", "GB"),
    ],
)
def test_countries(text, code):
    assert parse.parse_country(text) == (code, None)


@pytest.mark.parametrize(
    "text,period,unit,trigger",
    [
        ("3 år", 3, "years", None),
        ("36 months", 36, "months", None),
        ("6 years after the end of the contract", 6, "years", "the end of the contract"),
        ("til slutten av året for den siste avsløringen av informasjon pluss 6 år", 6, "years", "slutten av året for den siste avsløringen av informasjon"),
        ("Slettes etter 90 dager", 90, "days", None),
        ("to uker", 14, "days", None),
        ("Generelt sett vil vi bevare din informasjon i3 år.", 3, "years", None),
    ],
)
def test_retention_recognised(text, period, unit, trigger):
    r = parse.parse_retention(text)
    assert (r.period, r.unit, r.trigger, r.text) == (period, unit, trigger, text)


@pytest.mark.parametrize("text", ["så lenge det er nødvendig", "As long as necessary for the purposes"])
def test_vague_retention_keeps_the_text_without_a_period(text):
    r = parse.parse_retention(text)
    assert r.period is None and r.vague and r.text == text


def test_lists_split_on_lines_semicolons_and_bullets():
    assert parse.split_list("• Navn\n• E-post; Telefon\r\n1. Adresse") == ["Navn", "E-post", "Telefon", "Adresse"]
    assert parse.split_list("Navn, e-post og telefon") == ["Navn, e-post og telefon"]


def test_scalars():
    assert parse.parse_bool("Ja") == (True, None) and parse.parse_bool("no") == (False, None)
    assert parse.parse_date("31.12.2026") == (date(2026, 12, 31), None)
    assert parse.parse_date("2026-01-05") == (date(2026, 1, 5), None)
    assert parse.parse_date("soon") == (None, "soon")
    assert parse.parse_int(3.0) == (3, None)
