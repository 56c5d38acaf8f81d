"""The register pages through Streamlit's AppTest on the demo register: overview, activities,
editor, history; and the app's navigation and language switch."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import app_page as page
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ropa import checks, db, editing, stats, vocab
from ropa.models import AuditEvent
from ropa.register.activities import ActivityFilter, activity_dict, count_activities, get_activity, list_activities, update_activity
from ropa.register.checks import check_register
from ropa.register.organisations import list_organisations

ROOT = Path(__file__).resolve().parent.parent


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [x.value for x in at.text] + [i.value for i in at.info] + [x.value for x in at.title] + [x.value for x in at.subheader]
    parts += [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("name", ["overview", "activities", "editor", "history"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_each_page_renders_on_the_demo_register(demo_url, name, lang):
    at = page(name, lang)
    assert at.title


def test_overview_counts_equal_what_the_registry_reports(demo_url):
    at = page("overview")
    engine = db.make_engine(demo_url)
    with db.session(engine) as s:
        expected = {
            "Processing activities": count_activities(s, ActivityFilter(include_retired=False)),
            "With special categories": count_activities(s, ActivityFilter(include_retired=False, special_categories=True)),
            "Organisations": len(list_organisations(s)),
        }
        transfers = sum(1 for a in list_activities(s) for tr in a.transfers if tr.country not in vocab.EEA_COUNTRIES)
        found = check_register(s)
        summary = checks.summarise(found)
    shown = {re.sub(r"^:\w+\[:material/\w+:\] ", "", m.label): int(m.value) for m in at.metric}  # severities carry a coloured icon
    for label, value in expected.items():
        assert shown[label] == value, label
    assert shown["Transfers outside the EEA"] == transfers == 12
    assert shown["Findings: error"] == summary["error"] and shown["Findings: warning"] == summary["warning"]
    assert shown["With special categories"] == 2 and shown["Processing activities"] == 37
    # the overview and the findings count the same thing the same way (issue 15: 23 against 22, 12 against 14)
    by_rule = lambda rule: [f for f in found if f.rule == rule]  # noqa: E731
    assert shown["Retention not specified"] == len(by_rule("retention-unspecified")) == 22
    assert shown["Transfers without a mechanism"] == len(by_rule("transfer-without-mechanism")) == 12


def test_a_figure_opens_the_activities_behind_it(demo_url):
    at = page("overview")
    show = next(b for b in at.button if b.key == "show_special_categories")
    show.click().run()
    flt = at.session_state["activity_filter"]
    assert flt.special_categories is True
    lst = page("activities", activity_filter=flt, activity_filter_label="With special categories")
    assert "2 processing activities" in texts(lst)


def test_activities_filters_search_and_opening_one(demo_url):
    at = page("activities")
    assert "37 processing activities" in texts(at)
    at.text_input(key="f_text").input("kostholdskrav").run()
    assert "1 processing activities" in texts(at) or "processing activities · page 1 of 1" in texts(at)
    at = page("activities", open_activity=("Janteloppet", "JL-07"))
    body = texts(at)
    assert "JL-07" in body and "Art. 9(2)(a)" in body  # the whole record, with vocabulary labels and articles
    assert "Findings (" in " ".join(t.label for t in at.tabs)


def test_creating_an_activity_through_the_form(demo_url):
    at = page("editor", "en", edit_activity=None)
    at.selectbox(key="editor_new_org").select("Janteloppet").run()
    prefix = "editor_Janteloppet_JL-09_0"  # the next free ref, version 0 (new)
    at.text_input(key=f"{prefix}_name").input("Speaker travel bookings")
    at.text_input(key=f"{prefix}_ref").input("JL-99")
    at.text_input(key=f"{prefix}_owner").input("Events team")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    engine = db.make_engine(demo_url)
    with db.session(engine) as s:
        act = get_activity(s, "Janteloppet", "JL-99")
        assert act.name == "Speaker travel bookings" and act.owner == "Events team" and act.status == "draft"
        events = s.execute(select(AuditEvent).where(AuditEvent.entity_key == "Janteloppet/JL-99")).scalars().all()
        assert events and events[0].action == "create" and events[0].source == "dashboard"
        assert count_activities(s, ActivityFilter(text="speaker travel")) == 1
    lst = page("activities", f_text="Speaker travel")
    assert "JL-99" in str(lst.dataframe[0].value)


def test_validation_errors_appear_and_nothing_is_written(demo_url):
    at = page("editor", "en", edit_activity=("Janteloppet", "JL-01"))
    key = "editor_Janteloppet_JL-01_1_ref"
    at.text_input(key=key).input("has spaces and ? marks")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("Reference" in e.value for e in at.error)
    with db.session(db.make_engine(demo_url)) as s:
        assert get_activity(s, "Janteloppet", "JL-01").version == 1


def test_a_stale_save_shows_the_conflict_and_writes_nothing(demo_url):
    at = page("editor", "en", edit_activity=("Janteloppet", "JL-02"))
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:  # someone else saves in between
        data = activity_dict(get_activity(s, "Janteloppet", "JL-02"))
        data["owner"] = "Marketing (changed by Kari)"
        update_activity(s, "Janteloppet", "JL-02", data, expected_version=1, actor="kari")
    key = "editor_Janteloppet_JL-02_1_owner"
    at.text_input(key=key).input("Sales")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("changed by kari" in e.value and "nothing was saved" in e.value for e in at.error)
    with db.session(engine) as s:
        act = get_activity(s, "Janteloppet", "JL-02")
        assert act.owner == "Marketing (changed by Kari)" and act.version == 2


def test_delete_needs_confirmation(demo_url):
    at = page("activities", open_activity=("Immediate Connect", "IC-05"))
    next(b for b in at.button if b.label == "Delete …").click().run()
    with db.session(db.make_engine(demo_url)) as s:
        assert get_activity(s, "Immediate Connect", "IC-05")
    next(b for b in at.button if b.label == "Yes, delete").click().run()
    with db.session(db.make_engine(demo_url)) as s:
        assert count_activities(s, ActivityFilter(org="Immediate Connect")) == 4


def test_history_shows_who_changed_what(demo_url):
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        data = activity_dict(get_activity(s, "Allprofil AS", "AP-01"))
        data["owner"] = "Kundeservice"
        update_activity(s, "Allprofil AS", "AP-01", data, expected_version=1, actor="ola")
    at = page("history", "nb", open_activity=("Allprofil AS", "AP-01"))
    table = at.dataframe[0].value
    assert "ola" in set(table["Hvem"]) and "Kundeservice" in set(table["Etter"]) and "Ansvarlig enhet" in set(table["Felt"])


def test_language_switch_changes_labels_through_the_app(demo_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Oversikt"
    assert "Behandlingsaktiviteter" in [m.label for m in at.metric]
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Overview"
    assert "Processing activities" in [m.label for m in at.metric]


def test_editor_rows_round_trip_in_both_languages():
    for lang in ("nb", "en"):
        transfers = [
            {
                "country": "CN",
                "international_organisation": None,
                "recipient": "Host",
                "mechanism": "art46_2_c",
                "safeguard": "SCC 2021",
                "tia_date": "2026-02-01",
                "frequency": "regular",
                "adequacy_scope_confirmed": False,
                "note": None,
            }
        ]
        rows = editing.transfer_rows(transfers, lang)
        assert "·" in rows[0]["country"]
        assert editing.transfers_from_rows(rows + [{k: None for k in rows[0]}], lang) == transfers
        bases = [{"code": "art6_1_f", "note": "fraud", "documentation": "LIA-1"}]
        assert editing.bases_from_rows(editing.basis_rows(bases, vocab.LEGAL_BASES, lang), vocab.LEGAL_BASES, lang) == bases
    assert editing.country_option("US", "nb").startswith("USA (US) · Adekvans med vilkår")
    assert editing.country_option("CN", "en") == "China (CN) · Third country"


def test_stats_on_an_empty_register(engine):
    with db.session(engine) as s:
        ov = stats.overview(s, today=date(2026, 11, 25))
    assert ov.figures["activities"].value == 0 and ov.destinations == []


def test_overview_in_one_pass_equals_counting_each_figure_alone(demo_engine):
    """The overview counts its figures in one pass and its breakdowns from the status index; each
    equals asking the registry (or the activities themselves) one question at a time."""
    today = date(2026, 11, 25)
    with db.session(demo_engine) as s:
        orgs = [o.name for o in list_organisations(s)]
        with db.transaction(demo_engine) as w:  # one retired activity must drop out of every figure
            data = activity_dict(get_activity(w, "Janteloppet", "JL-01"))
            update_activity(w, "Janteloppet", "JL-01", {**data, "status": "retired"}, expected_version=1, actor="t")
        for org in [None, *orgs]:
            ov = stats.overview(s, org=org, today=today)
            for key, fig in ov.figures.items():
                if fig.filter is not None and key != "transfers_outside_eea":
                    assert fig.value == count_activities(s, fig.filter), (org, key)
            current = [a for a in list_activities(s, org=org) if a.status != "retired"]
            dicts = [activity_dict(a) for a in current]
            assert sum(ov.by_organisation.values()) == len(current)
            for code, n in ov.by_legal_basis.items():
                assert n == sum(any(b["code"] == code for b in d["legal_bases"]) for d in dicts), (org, code)
            countries = [t["country"] for d in dicts for t in d["transfers"] if t["country"]]
            assert {d["country"]: d["transfers"] for d in ov.destinations} == {c: countries.count(c) for c in set(countries)}


def test_finding_counts_follow_every_change(demo_url):
    """The findings are cached per change to the register: a save shows in the next render."""
    at = page("overview")
    before = {re.sub(r"^:\w+\[:material/\w+:\] ", "", m.label): int(m.value) for m in at.metric}["Findings: error"]
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        data = activity_dict(get_activity(s, "Janteloppet", "JL-01"))
        data["transfers"] = [{"country": "CN", "mechanism": "unknown"}]
        update_activity(s, "Janteloppet", "JL-01", data, expected_version=1, actor="kari")
    at.run()
    assert {re.sub(r"^:\w+\[:material/\w+:\] ", "", m.label): int(m.value) for m in at.metric}["Findings: error"] == before + 1


def test_overview_in_bokmal_labels_what_it_counts(demo_url):
    """Issue 15: the figures say what they count (activities, transfers), in bokmål too, and equal the findings."""
    at = page("overview", "nb")
    shown = {re.sub(r"^:\w+\[:material/\w+:\] ", "", m.label): int(m.value) for m in at.metric}
    with db.session(db.make_engine(demo_url)) as s:
        found = check_register(s)
    assert shown["Aktiviteter uten fastsatt lagringstid"] == sum(f.rule == "retention-unspecified" for f in found) == 22
    assert shown["Overføringer uten grunnlag"] == sum(f.rule == "transfer-without-mechanism" for f in found) == 12
