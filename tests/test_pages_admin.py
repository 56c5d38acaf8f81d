"""The organisation, recipient and findings pages through Streamlit's AppTest on the demo register:
they render in both languages, forms write through the registry with audit, a stale save shows
the conflict and writes nothing, and the findings page counts what the checks count."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from conftest import app_page as page
from conftest import rerun
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ropa import checks, db
from ropa.fields import ACTIVITY, ORGANISATION, RECIPIENT
from ropa.models import AuditEvent
from ropa.register.activities import activity_dict, get_activity
from ropa.register.checks import check_register
from ropa.register.lookup import find_organisation, get_organisation
from ropa.register.organisations import organisation_dict, update_organisation
from ropa.register.recipients import get_recipient, list_recipients, recipient_dict, update_recipient

ROOT = Path(__file__).resolve().parent.parent
ACTOR = "page-tester"


@pytest.fixture
def demo_url(sqlite_demo_url, monkeypatch):
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    monkeypatch.setenv("ROPA_USER", ACTOR)
    st.cache_resource.clear()
    yield sqlite_demo_url
    st.cache_resource.clear()


@pytest.fixture
def engine(demo_url):
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def _plain(label: str) -> str:
    """A metric's label without the colour and icon a severity carries (":red[:material/error: Feil]" -> "Feil")."""
    import re

    m = re.fullmatch(r":\w+\[:material/\w+: (.*)\]", label)
    return m.group(1) if m else label


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def audit(engine: Any, **where: Any) -> list[AuditEvent]:
    with db.session(engine) as s:
        stmt = select(AuditEvent)
        for k, v in where.items():
            stmt = stmt.where(getattr(AuditEvent, k) == v)
        return list(s.execute(stmt.order_by(AuditEvent.id)).scalars())


DEMO_ORGS = {"Allprofil AS", "EnterTalkPro Ltd", "Immediate Connect", "Janteloppet"}
TITLES = {"organisations": ("Virksomheter", "Organisations"), "recipients": ("Mottakere", "Recipients"), "findings": ("Funn", "Findings")}


@pytest.mark.parametrize("name", ["organisations", "recipients", "findings"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_each_page_renders_on_the_demo_register(demo_url, name, lang):
    at = page(name, lang)
    assert at.title[0].value == TITLES[name][0 if lang == "nb" else 1]
    assert not errors(at)
    if name != "findings":
        shown = at.dataframe[0].value
        assert len(shown) >= 4
    if name == "organisations":
        assert DEMO_ORGS <= set(at.selectbox(key="org_pick").options)
        assert set(at.dataframe[0].value[ORGANISATION["name"].label(lang)]) >= DEMO_ORGS
    if name == "recipients":
        assert DEMO_ORGS <= set(at.selectbox(key="rec_org").options)


def test_an_empty_register_says_what_to_do_next(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)  # migrated but empty: no demo is loaded into a register that already exists
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_USER", ACTOR)
    st.cache_resource.clear()
    try:
        orgs = page("organisations", "en")
        assert "The register has no organisations yet. Create the first one under 'New organisation'" in orgs.info[0].value
        assert not orgs.dataframe
        assert "Create one on the Organisations page first" in page("recipients", "en").info[0].value
        assert "The register is empty, so there is nothing to check" in page("findings", "en").info[0].value

        orgs.text_input(key="orgnew_name").input("Første AS")
        orgs.button(key="orgnew_submit").click()
        rerun(orgs)
        assert orgs.selectbox(key="org_pick").value == "Første AS"
        rec = page("recipients", "nb")
        assert "«Første AS» har ingen mottakere ennå" in rec.info[0].value
    finally:
        st.cache_resource.clear()
        engine.dispose()


def test_the_organisation_form_has_every_field_of_the_field_table(demo_url):
    at = page("organisations", "en")
    keys = {w.key for kind in (at.text_input, at.text_area, at.selectbox, at.checkbox, at.multiselect) for w in kind}
    for prefix in ("orgedit_", "orgnew_"):
        assert {prefix + k for k in ORGANISATION} <= keys
    assert at.checkbox(key="orgnew_public_authority").label == ORGANISATION["public_authority"].label("en")
    assert at.multiselect(key="orgnew_establishments").label == ORGANISATION["establishments"].label("en")
    targets = at.selectbox(key="orgnew_offers_to_eea")  # Art. 3(2): yes, no, or not recorded
    assert targets.label == ORGANISATION["offers_to_eea"].label("en") and targets.value is None
    assert targets.options == ["Not recorded", "Yes", "No"]
    rep_country = at.selectbox(key="orgnew_representative.country")
    assert rep_country.label == ORGANISATION["representative.country"].label("en")
    assert "Germany (DE) · EEA" in rep_country.options and "United States (US) · Adequacy with conditions" in rep_country.options


def test_creating_an_organisation_writes_it_with_an_audit_event(demo_url, engine):
    at = page("organisations", "en")
    at.text_input(key="orgnew_name").input("Fjellbygda kommune")
    at.text_input(key="orgnew_org_number").input("944 000 001")
    at.selectbox(key="orgnew_country").set_value("NO")
    at.checkbox(key="orgnew_public_authority").check()
    at.text_input(key="orgnew_dpo.name").input("Kari Nordmann")
    at.text_input(key="orgnew_dpo.email").input("personvern@fjellbygda.kommune.no")
    at.text_input(key="orgnew_representative.name").input("EU Rep GmbH")
    at.selectbox(key="orgnew_representative.country").set_value("DE")
    at.selectbox(key="orgnew_monitors_eea").set_value(False)  # "No", kept apart from offers_to_eea's "Not recorded"
    at.button(key="orgnew_submit").click()
    rerun(at)

    assert not errors(at)
    assert [x.value for x in at.toast] == ["Created 'Fjellbygda kommune'. It is now selected under 'Edit'."]
    assert at.selectbox(key="org_pick").value == "Fjellbygda kommune"
    assert at.text_input(key="orgnew_name").value == ""  # the new form starts empty again
    assert "Fjellbygda kommune" in list(at.dataframe[0].value[ORGANISATION["name"].label("en")])

    with db.session(engine) as s:
        org = get_organisation(s, "Fjellbygda kommune")
        saved = organisation_dict(org)
    assert saved["org_number"] == "944 000 001" and saved["country"] == "NO" and saved["public_authority"] is True
    assert saved["dpo"] == {"name": "Kari Nordmann", "email": "personvern@fjellbygda.kommune.no", "phone": None}
    assert saved["representative"] == {"name": "EU Rep GmbH", "address": None, "country": "DE", "email": None}
    assert (saved["offers_to_eea"], saved["monitors_eea"]) == (None, False)
    events = audit(engine, entity="organisation", entity_key="Fjellbygda kommune")
    assert [(e.action, e.actor, e.source) for e in events] == [("create", ACTOR, "dashboard")]


def test_problems_are_shown_beside_the_field_and_nothing_is_written(demo_url, engine):
    at = page("organisations", "en")
    before = len(audit(engine))
    at.text_input(key="orgnew_name").input("Janteloppet")  # taken
    at.button(key="orgnew_submit").click()
    rerun(at)
    assert errors(at) == ["There already is an organisation with this name."]
    assert at.text_input(key="orgnew_name").value == "Janteloppet"  # the user's input stays

    at.text_input(key="orgedit_name").input("")  # the name is required
    at.button(key="orgedit_submit").click()
    rerun(at)
    assert "Required." in errors(at)
    assert len(audit(engine)) == before


def test_editing_an_organisation_saves_with_the_version_seen(demo_url, engine):
    at = page("organisations", "en", org_pick="Janteloppet")
    assert at.text_input(key="orgedit_website").value == "https://www.janteloppet.com"
    at.text_input(key="orgedit_dpo.email").input("dpo@janteloppet.com")
    at.button(key="orgedit_submit").click()
    rerun(at)
    assert not errors(at)
    assert [x.value for x in at.toast] == ["Saved 'Janteloppet'."]
    with db.session(engine) as s:
        org = get_organisation(s, "Janteloppet")
        assert (org.version, org.dpo_email) == (2, "dpo@janteloppet.com")
    (event,) = audit(engine, entity="organisation", action="update")
    assert (event.field, event.actor, event.version) == ("dpo", ACTOR, 2)

    # The form now holds version 2: a second save goes through too.
    at.text_input(key="orgedit_phone").input("+47 99 99 99 99")
    at.button(key="orgedit_submit").click()
    rerun(at)
    assert not errors(at)
    with db.session(engine) as s:
        assert get_organisation(s, "Janteloppet").version == 3

    # A new name: the page follows the organisation under its new name.
    at.text_input(key="orgedit_name").input("Janteloppet AS")
    at.button(key="orgedit_submit").click()
    rerun(at)
    assert at.selectbox(key="org_pick").value == "Janteloppet AS"
    assert at.text_input(key="orgedit_name").value == "Janteloppet AS"
    with db.session(engine) as s:
        assert get_organisation(s, "Janteloppet AS").version == 4


def test_an_unexpected_error_is_a_sentence_and_the_log_keeps_the_detail(demo_url, engine, monkeypatch, caplog):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("ropa.register.organisations.update_organisation", broken)
    at = page("organisations", "en", org_pick="Janteloppet")
    at.text_input(key="orgedit_phone").input("+47 12 34 56 78")
    with caplog.at_level("ERROR", logger="ropa.ui"):
        at.button(key="orgedit_submit").click()
        rerun(at)
    assert errors(at) == ["Something went wrong and nothing was saved. The details are in the server log."]
    assert "Traceback" not in " ".join(errors(at))
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)
    with db.session(engine) as s:
        assert get_organisation(s, "Janteloppet").phone is None


def test_a_stale_save_shows_the_conflict_and_writes_nothing(demo_url, engine):
    at = page("organisations", "en", org_pick="Janteloppet")
    # Someone else saves between the user opening the form and pressing save.
    with db.transaction(engine) as s:
        data = organisation_dict(get_organisation(s, "Janteloppet"))
        update_organisation(s, "Janteloppet", {**data, "phone": "+47 11 11 11 11"}, expected_version=1, actor="colleague")
    events_before = len(audit(engine))

    at.text_input(key="orgedit_website").input("https://example.org")
    at.button(key="orgedit_submit").click()
    rerun(at)

    assert any("was changed by colleague after you opened it (you edited version 1, it is now version 2); nothing was saved" in e for e in errors(at))
    other = at.dataframe[1].value  # the other save, next to the register's table
    assert list(other["Who"]) == ["colleague"] and list(other["After"]) == ["+47 11 11 11 11"]
    assert at.text_input(key="orgedit_website").value == "https://example.org"  # the user's edit is still there
    with db.session(engine) as s:
        org = get_organisation(s, "Janteloppet")
        assert (org.version, org.website, org.phone) == (2, "https://www.janteloppet.com", "+47 11 11 11 11")
    assert len(audit(engine)) == events_before

    # Loading the current version shows the other change and lets the user save on top of it.
    at.button(key="orgs_reload").click()
    rerun(at)
    assert at.text_input(key="orgedit_phone").value == "+47 11 11 11 11"
    at.text_input(key="orgedit_website").input("https://example.org")
    at.button(key="orgedit_submit").click()
    rerun(at)
    assert not errors(at)
    with db.session(engine) as s:
        org = get_organisation(s, "Janteloppet")
        assert (org.version, org.website, org.phone) == (3, "https://example.org", "+47 11 11 11 11")


def test_deleting_an_organisation_asks_first(demo_url, engine):
    at = page("organisations", "en", org_pick="Immediate Connect")
    at.button(key="orgs_delete").click()
    rerun(at)
    assert "Delete 'Immediate Connect' with its 5 activities and 5 recipients?" in at.warning[0].value
    at.button(key="orgs_delete_no").click()
    rerun(at)
    assert not at.warning
    with db.session(engine) as s:
        assert find_organisation(s, "Immediate Connect") is not None

    at.button(key="orgs_delete").click()
    rerun(at)
    at.button(key="orgs_delete_yes").click()
    rerun(at)
    assert [x.value for x in at.toast] == ["Deleted 'Immediate Connect'."]
    assert "Immediate Connect" not in at.selectbox(key="org_pick").options
    with db.session(engine) as s:
        assert find_organisation(s, "Immediate Connect") is None
    assert [e.actor for e in audit(engine, entity="organisation", action="delete")] == [ACTOR]


def test_a_recipient_created_appears_in_the_registry(demo_url, engine):
    at = page("recipients", "en", rec_org="Janteloppet")
    at.text_input(key="recnew_name").input("Tidtaking AS")
    at.selectbox(key="recnew_kind").set_value("sub_processor")
    at.selectbox(key="recnew_country").set_value("SE")
    at.text_input(key="recnew_agreement").input("DBA-2025-07")
    at.button(key="recnew_submit").click()
    rerun(at)

    assert not errors(at)
    assert [x.value for x in at.toast] == ["Added 'Tidtaking AS' to Janteloppet."]
    with db.session(engine) as s:
        recs = {r.name: recipient_dict(r) for r in list_recipients(s, "Janteloppet")}
    assert recs["Tidtaking AS"] == {"name": "Tidtaking AS", "kind": "sub_processor", "country": "SE", "agreement": "DBA-2025-07"}
    table = at.dataframe[0].value
    row = table[table[RECIPIENT["name"].label("en")] == "Tidtaking AS"].iloc[0]
    assert row[RECIPIENT["kind"].label("en")] == "sub-processor" and row[RECIPIENT["country"].label("en")] == "Sweden"
    assert row["Used by (activities)"] == "(not used)"
    assert [(e.action, e.actor) for e in audit(engine, entity="recipient", entity_key="Janteloppet/Tidtaking AS")] == [("create", ACTOR)]

    # Not used by any activity, so it can be deleted (after confirming).
    assert at.selectbox(key="rec_pick").value == "Tidtaking AS"
    at.button(key="recs_delete").click()
    rerun(at)
    at.button(key="recs_delete_yes").click()
    rerun(at)
    with db.session(engine) as s:
        assert "Tidtaking AS" not in {r.name for r in list_recipients(s, "Janteloppet")}


def test_editing_a_recipient_changes_it_for_every_activity_and_a_used_one_is_not_deleted(demo_url, engine):
    name = "Autoriserte tjenesteleverandører (kundeservice, programvare, analyse, markedsundersøkelser, kampanjer)"
    users = ("JL-01", "JL-03", "JL-04", "JL-06", "JL-07")
    at = page("recipients", "en", rec_org="Janteloppet", rec_pick=name)
    assert f"Used by {', '.join(users)}." in " ".join(c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "recs_delete"]
    assert f"'{name}' cannot be deleted because {', '.join(users)} use it." in at.info[0].value

    at.text_input(key="recedit_agreement").input("Avtale 2025-3")
    at.button(key="recedit_submit").click()
    rerun(at)
    assert not errors(at)
    with db.session(engine) as s:
        for ref in users:
            act = activity_dict(get_activity(s, "Janteloppet", ref))
            assert {"name": name, "kind": "processor", "country": None, "agreement": "Avtale 2025-3"} in act["recipients"]


def test_a_stale_recipient_save_shows_the_conflict_and_writes_nothing(demo_url, engine):
    name = "Google Analytics"
    at = page("recipients", "nb", rec_org="Immediate Connect", rec_pick=name)
    with db.transaction(engine) as s:
        update_recipient(s, "Immediate Connect", name, {"name": name, "kind": "processor", "country": "US"}, expected_version=1, actor="colleague")
    at.text_input(key="recedit_agreement").input("DPA")
    at.button(key="recedit_submit").click()
    rerun(at)
    assert any("ble endret av colleague etter at du åpnet den" in e and "Ingenting ble lagret" in e for e in errors(at))
    with db.session(engine) as s:
        rec = get_recipient(s, "Immediate Connect", name)
        assert (rec.version, rec.country, rec.agreement) == (2, "US", None)


def test_findings_page_shows_the_counts_of_checks_summarise(demo_url, engine):
    with db.session(engine) as s:
        found = check_register(s)
    summary = checks.summarise(found)
    assert summary["error"] > 0 and summary["warning"] > 0 and summary["info"] > 0

    at = page("findings", "en")
    metrics = {_plain(m.label): int(m.value) for m in at.metric}
    assert metrics == {"Findings in all": len(found), "Error": summary["error"], "Warning": summary["warning"], "Note": summary["info"]}
    # One expander per rule, its count in the label, grouped under a heading per severity.
    assert [_plain(h.value.rsplit(" (", 1)[0]) + " (" + h.value.rsplit(" (", 1)[1] for h in at.subheader] == [
        f"Error ({summary['error']})",
        f"Warning ({summary['warning']})",
        f"Note ({summary['info']})",
    ]
    # (a rule such as art30-missing-field can find errors and warnings: one expander under each)
    per_rule = Counter((f.severity, f.rule) for f in found)
    labels = [e.label for e in at.expander]
    assert len(labels) == len(per_rule)
    for (_, rule), n in per_rule.items():
        assert any(label.startswith(checks.rule_title(rule, "en")) and label.endswith(f"— {n}") for label in labels), rule
    first = found[0]
    assert any(first.message("en") in m.value.replace("\\", "") and first.fix("en") in m.value.replace("\\", "") for m in at.markdown)

    at.multiselect(key="fnd_sev").select("error")
    rerun(at)
    assert int(at.metric[0].value) == summary["error"]
    at.multiselect(key="fnd_sev").unselect("error")
    at.multiselect(key="fnd_orgs").select("Janteloppet")
    at.text_input(key="fnd_text").input("JL-05")
    rerun(at)
    with db.session(engine) as s:
        expected = [f for f in check_register(s, orgs=["Janteloppet"]) if f.activity_ref == "JL-05"]
    assert int(at.metric[0].value) == len(expected) > 0

    at.text_input(key="fnd_text").input("no such finding anywhere")
    rerun(at)
    assert "None of the" in at.info[0].value


def test_a_finding_opens_the_activity_it_is_about(demo_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    rerun(at)
    at.switch_page("ropa/ui/pages/findings.py")
    rerun(at)
    assert at.title[0].value == "Findings"
    at.text_input(key="fnd_text").input("JL-05")
    rerun(at)
    buttons = [b for b in at.button if b.key and b.key.startswith("fnd_open_")]
    assert buttons and all(b.label == "Open JL-05" for b in buttons)
    buttons[0].click()
    rerun(at)
    assert at.session_state["open_activity"] == ("Janteloppet", "JL-05")
    assert at.title[0].value != "Findings"  # now on the activities page
    assert "JL-05" in " ".join(str(x.value) for x in [*at.markdown, *at.subheader, *at.header, *at.caption, *at.title])


def test_a_finding_opened_without_the_app_navigation_explains_instead_of_failing(demo_url):
    at = page("findings", "en")
    button = next(b for b in at.button if b.key and b.key.startswith("fnd_open_") and b.label.startswith("Open "))
    button.click()
    rerun(at)
    assert at.session_state["open_activity"]
    assert "is not available here" in at.warning[0].value


def test_an_organisation_finding_opens_the_organisation_page_on_it(demo_url):
    at = page("organisations", "en", open_organisation="EnterTalkPro Ltd")
    assert at.selectbox(key="org_pick").value == "EnterTalkPro Ltd"
    assert at.text_input(key="orgedit_org_number").value == "3264433"
    rec = page("recipients", "en", open_recipient=("Immediate Connect", "Google Analytics"))
    assert (rec.selectbox(key="rec_org").value, rec.selectbox(key="rec_pick").value) == ("Immediate Connect", "Google Analytics")


def test_the_language_switch_changes_labels(demo_url):
    at = page("organisations", "nb")
    assert at.title[0].value == "Virksomheter"
    assert at.text_input(key="orgedit_dpo.email").label == ORGANISATION["dpo.email"].label("nb") == "Personvernombudets e-post"
    assert at.selectbox(key="orgedit_country").label == "Land"
    assert "Tyskland (DE) · EØS" in at.selectbox(key="orgedit_country").options
    at.session_state["lang"] = "en"
    rerun(at)
    assert at.title[0].value == "Organisations"
    assert at.text_input(key="orgedit_dpo.email").label == ORGANISATION["dpo.email"].label("en") == "DPO e-mail"
    assert "Germany (DE) · EEA" in at.selectbox(key="orgedit_country").options

    rec = page("recipients", "nb", rec_org="Allprofil AS")
    assert rec.selectbox(key="recnew_kind").label == RECIPIENT["kind"].label("nb")
    assert "Art. 28 – databehandler" in rec.selectbox(key="recnew_kind").options
    assert "databehandler" in set(rec.dataframe[0].value[RECIPIENT["kind"].label("nb")])
    rec.session_state["lang"] = "en"
    rerun(rec)
    assert "Art. 28 – processor" in rec.selectbox(key="recnew_kind").options
    assert "processor" in set(rec.dataframe[0].value[RECIPIENT["kind"].label("en")])

    fnd = page("findings", "nb")
    assert {_plain(m.label) for m in fnd.metric} == {"Funn i alt", "Feil", "Advarsel", "Merknad"}
    fnd.session_state["lang"] = "en"
    rerun(fnd)
    assert {_plain(m.label) for m in fnd.metric} == {"Findings in all", "Error", "Warning", "Note"}


def test_the_public_fields_of_an_organisation_are_chosen_from_the_publishable_ones(demo_url, engine):
    from ropa.public_fields import PUBLISHABLE

    at = page("organisations", "en")
    chooser = at.multiselect(key="orgnew_public_fields")
    assert chooser.label == ORGANISATION["public_fields"].label("en") and list(chooser.options) == [ACTIVITY[k].label("en") for k in PUBLISHABLE]


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "Janteloppet records an Art. 30(5) assessment (fewer than 250 employees): Two events a year."),
        ("nb", "Janteloppet har vurdert unntaket i art. 30 nr. 5 (færre enn 250 ansatte): Two events a year."),
    ],
)
def test_findings_page_shows_the_art_30_5_assessment(demo_url, engine, lang, said):
    """Issue 15: the findings page shows an organisation's Art. 30(5) assessment beside its findings,
    and the exemption claimed without its conditions is a finding there."""
    with db.transaction(engine) as s:
        org = get_organisation(s, "Janteloppet")
        data = {**organisation_dict(org), "fewer_than_250": True, "art30_5_assessment": "Two events a year."}
        update_organisation(s, "Janteloppet", data, expected_version=org.version, actor=ACTOR)
    at = page("findings", lang)
    assert any(i.value.replace("\\", "") == said for i in at.info), [i.value for i in at.info]
    with db.session(engine) as s:
        found = check_register(s, orgs=["Janteloppet"])
    assert "art30-5-exemption-not-met" in {f.rule for f in found}  # not recorded as occasional
