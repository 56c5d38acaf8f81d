"""Attacks through stored text: what a department contact or an imported file writes into a
field, shown to the DPO. Each test is the attack; it failed before the fix it names."""

from __future__ import annotations

import re

from ropa import text
from ropa.documents import notice_render
from ropa.register.activities import create_activity, list_activities
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, organisation_dict, update_organisation

# CommonMark ends a line at CR as well as LF: a carriage return inside stored text (an Excel
# cell's line break, a pasted note) starts a new line, where "-", "1." or "===" make a list or a heading.
CR = ("fine\r- a list item", "fine\r1. a numbered item", "fine\r===", "fine\r  + item", "fine\r\n- item")


def _unescape(value: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value)


def _line_starts(markdown: str) -> list[str]:
    return re.split(r"\r\n?|\n", markdown)


def test_a_carriage_return_does_not_start_a_list_or_heading_in_the_dashboard():
    for hostile in CR:
        escaped = text.markdown(hostile)
        assert _unescape(escaped) == hostile  # shown exactly as stored
        for line in _line_starts(escaped):
            assert not re.match(r"[ \t]*([-+=>]|\d+[.)])", line), (hostile, escaped)


def test_a_carriage_return_does_not_start_a_list_or_heading_in_a_notice():
    for hostile in CR:
        escaped = notice_render.escape_markdown(hostile)
        for line in _line_starts(escaped):
            assert not re.match(r"\s*([-+=]|\d+[.)])", line), (hostile, escaped)


# ---------------------------------------------------------------------------------------------
# An organisation number that reads like another organisation's name


def test_an_organisation_number_set_to_another_organisations_name_does_not_capture_it(engine):
    """A dpo of one organisation sets its number to another's name in lower case ("janteloppet"):
    the lookup took whichever row came first, so `--org janteloppet` (or a file naming it so) read,
    wrote and imported into the wrong organisation."""
    from ropa import db, users

    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Mallory AS", "country": "NO"}, actor="setup")
        create_organisation(s, {"name": "Janteloppet", "country": "NO"}, actor="setup")
        users.add_user(s, "anna", role="dpo", password="correct horse battery", actor="setup")
        users.add_user(s, "mal", role="dpo", orgs=["Mallory AS"], password="correct horse battery", actor="anna")
    with db.transaction(engine) as s:
        org = get_organisation(s, "Mallory AS")
        update_organisation(s, "Mallory AS", {**organisation_dict(org), "org_number": "janteloppet"}, expected_version=org.version, actor="mal")
    with db.session(engine) as s:
        assert get_organisation(s, "janteloppet").name == "Janteloppet"
        assert get_organisation(s, "JANTELOPPET").name == "Janteloppet"
        assert get_organisation(s, "Janteloppet").name == "Janteloppet"
    with db.transaction(engine) as s:
        create_activity(s, "janteloppet", {"ref": "JL-1", "name": "Påmelding"}, actor="anna")
    with db.session(engine) as s:
        assert [a.organisation.name for a in list_activities(s)] == ["Janteloppet"]


# ---------------------------------------------------------------------------------------------
# What a viewer of one organisation learns from the Art. 30 record's cover


def test_the_record_cover_of_a_viewer_of_one_organisation_counts_only_its_changes(demo_engine):
    """The cover's "register version" counted every audit event of the register: a viewer of one
    organisation saw it move (and when) whenever anyone signed in, or changed another organisation."""
    from ropa import access, db, users
    from ropa.documents import report

    with db.transaction(demo_engine) as s:
        users.add_user(s, "dora", role="dpo", password="correct horse battery", actor="setup")
        users.add_user(s, "vera", role="viewer", orgs=["Janteloppet"], password="correct horse battery", actor="dora")
    with db.session(demo_engine) as s:
        vera = access.load_principal(s, "vera")
        with access.reading_as(vera):
            before = report.register_version(s)
        everyone = report.register_version(s)
    assert 0 < before.change < everyone.change
    with db.transaction(demo_engine) as s:
        users.sign_in(s, "dora", "correct horse battery")
        users.sign_in(s, "dora", "wrong password!")
        org = get_organisation(s, "Allprofil AS")
        update_organisation(s, "Allprofil AS", {**organisation_dict(org), "phone": "+47 22 00 00 00"}, expected_version=org.version, actor="dora")
    with db.session(demo_engine) as s:
        with access.reading_as(vera):
            assert report.register_version(s) == before
            made = report.make_report(s, lang="en")
        assert report.register_version(s).change > everyone.change
    assert any(f"Change no. {before.change}" in v for _, values in made.cover for v in values)
