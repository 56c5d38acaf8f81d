"""The rule checks: each rule fires where it must and stays quiet where it must not; the demo
register's findings match what its seed notices say; the batch path equals the single path."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ropa import checks, db, dpia, registry
from ropa.checks import check_activity, check_organisation, check_recipient

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)

CLEAN: dict[str, Any] = {
    "ref": "T-01", "name": "Payroll", "description": "Pay employees", "role": "controller", "controllers": [],
    "status": "active", "owner": "HR", "purposes": ["Pay salaries"],
    "legal_bases": [{"code": "art6_1_c", "note": "Skattebetalingsloven", "documentation": None}],
    "special_categories": [], "art9_conditions": [], "criminal_data": False, "criminal_data_basis": None,
    "data_subjects": ["employee"], "data_categories": ["user.contact.email"], "sources": [],
    "recipients": [{"name": "Skatteetaten", "kind": "public_authority", "country": "NO", "agreement": None}],
    "transfers": [],
    "retention": {"period": 5, "unit": "years", "trigger": "end of the income year", "action": "erase", "text": None},
    "security_measures": ["Access control"], "systems": [],
    "dpia": {"status": "not_needed", "ref": None, "screening": {}},
    "last_review": "2026-01-10", "next_review": "2027-01-10",
}


def act(**changes: Any) -> dict[str, Any]:
    a = copy.deepcopy(CLEAN)
    for key, value in changes.items():
        head, _, tail = key.partition("__")
        if tail:
            a[head][tail] = value
        else:
            a[key] = value
    return a


def rules(a: dict[str, Any]) -> list[str]:
    return [f.rule for f in check_activity(a, "Test AS", TODAY)]


def transfer(country: str | None, mechanism: str | None, **kw: Any) -> dict[str, Any]:
    return {"country": country, "international_organisation": kw.get("io"), "recipient": None, "mechanism": mechanism,
            "safeguard": None, "tia_date": kw.get("tia"), "frequency": kw.get("frequency"),
            "adequacy_scope_confirmed": kw.get("confirmed", False), "note": None}


def test_a_complete_activity_has_no_findings():
    assert rules(act()) == []


def test_every_finding_is_bilingual_and_cites_an_article():
    a = act(purposes=[], legal_bases=[], transfers=[transfer("CN", "none")], retention={"period": None, "text": ""},
            next_review="2020-01-01")
    found = check_activity(a, "Test AS", TODAY)
    assert {f.rule for f in found} >= {"art30-missing-field", "legal-basis-missing", "transfer-without-mechanism",
                                       "retention-unspecified", "review-overdue"}
    for f in found:
        assert f.article.startswith("Art.") and f.message_en and f.message_nb and f.fix_en and f.fix_nb
        assert f.message_en != f.message_nb and f.severity in checks.SEVERITIES
        assert f.organisation == "Test AS" and f.activity_ref == "T-01"
        assert set(f.as_dict()) >= {"rule", "severity", "organisation", "activity_ref", "article", "message_en", "message_nb",
                                    "fix_en", "fix_nb"}


@pytest.mark.parametrize("field", ["purposes", "data_subjects", "data_categories", "recipients"])
def test_art30_missing_field_names_the_field(field):
    found = [f for f in check_activity(act(**{field: []}), "Test AS", TODAY) if f.rule == "art30-missing-field"]
    assert len(found) == 1 and found[0].field == field and found[0].severity == "error"
    assert found[0].article.startswith("Art. 30(1)")


def test_security_measures_missing_is_a_warning_where_possible():
    [f] = check_activity(act(security_measures=[]), "Test AS", TODAY)
    assert (f.rule, f.severity, f.article, f.field) == ("art30-missing-field", "warning", "Art. 30(1)(g)", "security_measures")


def test_processor_is_judged_by_art_30_2():
    p = act(role="processor", controllers=[], purposes=[], description=None, legal_bases=[], data_subjects=[])
    found = {(f.field, f.article) for f in check_activity(p, "Test AS", TODAY)}
    assert found == {("controllers", "Art. 30(2)(a)"), ("purposes", "Art. 30(2)(b)")}
    assert rules(act(role="processor", controllers=["Kunde AS"], legal_bases=[])) == []


def test_joint_controller_needs_the_other_controllers():
    assert rules(act(role="joint_controller")) == ["art30-missing-field"]
    assert rules(act(role="joint_controller", controllers=["Partner AS"])) == []


def test_legal_basis_missing_and_legitimate_interest_without_assessment():
    assert rules(act(legal_bases=[])) == ["legal-basis-missing"]
    li = {"code": "art6_1_f", "note": "fraud prevention", "documentation": None}
    assert rules(act(legal_bases=[li])) == ["legitimate-interest-without-assessment"]
    assert rules(act(legal_bases=[{**li, "documentation": "LIA-2026-04"}])) == []


def test_special_categories_need_an_art9_condition():
    assert rules(act(special_categories=["user.health_and_medical"])) == ["special-category-without-condition"]
    unscreened = act(special_categories=["user.health_and_medical"], dpia={"status": "not_assessed", "ref": None, "screening": {}})
    assert rules(unscreened) == ["special-category-without-condition", "dpia-screening-missing"]
    # implied by a data category too
    assert "special-category-without-condition" in rules(act(data_categories=["user.health_and_medical.genetic"]))
    ok = act(special_categories=["user.health_and_medical"], art9_conditions=[{"code": "art9_2_b", "note": None, "documentation": None}],
             dpia={"status": "done", "ref": "DPIA-1", "screening": {}})
    assert rules(ok) == []
    # a recorded call is not biometric data in the Art. 9 sense
    assert rules(act(data_categories=["user.biometric.voice"])) == []


def test_criminal_data_needs_an_art10_basis():
    assert "criminal-data-without-basis" in rules(act(criminal_data=True))
    assert "criminal-data-without-basis" not in rules(act(criminal_data=True, criminal_data_basis="personopplysningsloven § 11",
                                                          dpia={"status": "done", "ref": "D", "screening": {}}))


@pytest.mark.parametrize("country, mechanism, expected", [
    ("SE", "none", []),  # EEA: no transfer at all in the Chapter V sense
    ("NO", "unknown", []),
    ("CH", "art45", []),  # adequate
    ("GB", "unknown", []),  # adequate (renewed 2025)
    ("BR", "art45", []),  # adequate since 2026
    ("CN", "none", ["transfer-without-mechanism"]),  # third country
    ("SG", "unknown", ["transfer-without-mechanism"]),
    ("CN", "art45", ["transfer-adequacy-scope"]),  # adequacy claimed where there is none
    ("CN", "art46_2_c", ["transfer-tia-missing"]),
    ("US", "art45", ["transfer-adequacy-scope"]),  # adequate with conditions: DPF not confirmed
    ("US", "unknown", ["transfer-adequacy-scope"]),
    ("CA", "art45", ["transfer-adequacy-scope"]),  # commercial organisations only
    ("US", "art46_2_c", []),
    ("IN", "art49_1_a", []),  # occasional derogation
])
def test_transfers_by_class_of_country(country, mechanism, expected):
    assert rules(act(transfers=[transfer(country, mechanism)])) == expected


def test_adequacy_scope_confirmed_and_tia_recorded_silence_the_warnings():
    assert rules(act(transfers=[transfer("US", "art45", confirmed=True)])) == []
    assert rules(act(transfers=[transfer("CN", "art46_2_c", tia="2026-03-01")])) == []


def test_adequacy_scope_error_for_art45_without_decision_and_warning_for_conditional():
    [f] = check_activity(act(transfers=[transfer("CN", "art45")]), "T", TODAY)
    assert f.severity == "error" and "Kina" in f.message_nb and "China" in f.message_en
    [g] = check_activity(act(transfers=[transfer("US", "art45")]), "T", TODAY)
    assert g.severity == "warning" and "DPF" in g.message_en and g.field == "transfers[0]"


def test_derogation_for_a_regular_transfer():
    assert rules(act(transfers=[transfer("IN", "art49_1_b", frequency="regular")])) == ["transfer-derogation-repeated"]
    assert rules(act(transfers=[transfer("IN", "art49_1_b", frequency="occasional")])) == []


def test_transfer_without_destination():
    assert rules(act(transfers=[transfer(None, "art46_2_c")])) == ["transfer-destination-missing"]
    assert rules(act(transfers=[transfer(None, "art46_2_c", io="UNHCR", tia="2026-01-01")])) == []


@pytest.mark.parametrize("text, fires", [
    ("as long as necessary", True),
    ("We keep your data only as long as is necessary for the purposes", True),
    ("no longer than necessary", True),
    ("så lenge det er nødvendig", True),
    ("Vi lagrer ikke din personlige informasjon lenger enn nødvendig.", True),
    ("så lenge som nødvendig for regnskapsmessige formål", True),
    ("", True),
    (None, True),
    ("6 years after the end of the contract", False),
    ("til slutten av året for den siste avsløringen pluss 6 år", False),
    ("til et kundeforhold er etablert eller til den registrerte ber om sletting", False),
])
def test_retention_vague_and_concrete_wording(text, fires):
    a = act(retention={"period": None, "unit": None, "trigger": None, "action": None, "text": text})
    assert (rules(a) == ["retention-unspecified"]) is fires
    a["retention"]["period"] = 3  # a period always answers the question
    assert rules(a) == []


def test_dpia_screening_results():
    yes = {"answer": True, "note": None}
    assert dpia.screen({}).result == "incomplete"
    assert dpia.screen({"large_scale": yes}).result == "incomplete"
    two = dpia.screen({"large_scale": yes, "vulnerable_subjects": yes})
    assert two.result == "likely" and two.criteria == ("large_scale", "vulnerable_subjects")
    assert "2 av de ni WP248-kriteriene" in two.explain("nb") and "behandling i stor skala" in two.explain("nb")
    assert dpia.screen({"art35_3_c": yes}).result == "required"
    all_no = {k: {"answer": False} for k in dpia.vocab.DPIA_CRITERIA}
    assert dpia.screen(all_no).result == "not_needed"
    assert dpia.screen({**all_no, "innovative_technology": yes}).result == "not_needed"
    assert dpia.suggest(act(special_categories=["user.health_and_medical"]))["sensitive_data"]["answer"] is True


def test_dpia_required_unless_done():
    yes = {"answer": True, "note": None}
    likely = act(dpia={"status": "planned", "ref": None, "screening": {"large_scale": yes, "systematic_monitoring": yes}})
    [f] = check_activity(likely, "T", TODAY)
    assert (f.rule, f.severity) == ("dpia-required", "warning") and "WP248" in f.message_en
    required = act(dpia={"status": "not_assessed", "ref": None, "screening": {"art35_3_b": yes}})
    [g] = check_activity(required, "T", TODAY)
    assert (g.rule, g.severity) == ("dpia-required", "error") and "Art. 35(3)" in g.message_en
    assert rules(act(dpia={"status": "done", "ref": "DPIA-7", "screening": {"art35_3_b": yes}})) == []


def test_reviews():
    assert rules(act(next_review="2026-11-24")) == ["review-overdue"]
    assert rules(act(next_review="2026-11-25")) == []
    assert rules(act(last_review=None, next_review=None)) == ["review-missing"]
    assert rules(act(last_review="2026-01-01", next_review=None)) == []


def test_retired_activities_are_not_judged():
    assert rules(act(status="retired", purposes=[], legal_bases=[])) == []


ORG = {"name": "Test AS", "country": "NO", "email": "post@test.no", "phone": None, "address": None, "public_authority": False,
       "dpo": None, "representative": None}


def org_rules(org: dict[str, Any], *acts: dict[str, Any]) -> list[str]:
    facts = checks._OrgFacts()
    for a in acts or (act(),):
        facts.add(a)
    return [f.rule for f in check_organisation(org, facts)]


def test_representative_missing_only_outside_the_eea():
    assert org_rules(ORG) == []
    assert org_rules({**ORG, "country": "HK"}) == ["representative-missing"]
    assert org_rules({**ORG, "country": "US", "representative": {"name": "Rep GmbH"}}) == []
    [f] = check_organisation({**ORG, "country": "CN"}, _facts(act()))
    assert "Art. 27(2)" in f.fix_en and "art. 27 nr. 2" in f.fix_nb and "Kina" in f.message_nb


def _facts(*acts: dict[str, Any]) -> Any:
    facts = checks._OrgFacts()
    for a in acts:
        facts.add(a)
    return facts


def test_dpo_missing_for_public_authorities_and_large_scale_sensitive_processing():
    assert org_rules({**ORG, "public_authority": True}) == ["dpo-missing"]
    assert org_rules({**ORG, "public_authority": True, "dpo": {"name": "Kari"}}) == []
    yes = {"answer": True}
    big_health = act(special_categories=["user.health_and_medical"], dpia={"status": "done", "screening": {"large_scale": yes}})
    assert org_rules(ORG, big_health) == ["dpo-missing"]
    assert org_rules(ORG, act(dpia={"status": "done", "screening": {"large_scale": yes}})) == []


def test_controller_contact_missing():
    assert org_rules({**ORG, "email": None}) == ["art30-missing-field"]


def test_processor_without_agreement():
    assert [f.rule for f in check_recipient("T", {"name": "Host AS", "kind": "processor", "agreement": None})] == ["processor-without-agreement"]
    assert [f.rule for f in check_recipient("T", {"name": "Sub AS", "kind": "sub_processor", "agreement": ""})] == ["processor-without-agreement"]
    assert check_recipient("T", {"name": "Host AS", "kind": "processor", "agreement": "DPA-2024-01"}) == []
    assert check_recipient("T", {"name": "Skatteetaten", "kind": "public_authority", "agreement": None}) == []


# --- The demo register -----------------------------------------------------------------------


def demo_findings(engine: Any) -> list[checks.Finding]:
    with db.session(engine) as s:
        return checks.check_register(s, today=TODAY)


def keys(findings: list[checks.Finding], rule: str) -> set[tuple[str, str | None]]:
    return {(f.organisation[:12], f.activity_ref or f.recipient) for f in findings if f.rule == rule}


def test_demo_register_findings_rest_on_the_notices(demo_engine):
    found = demo_findings(demo_engine)
    # 001 (Guangzhou): "overføring til servere som er distribuert av våre tjenesteleverandører i Kina
    # eller Singapore" — and no mechanism is named: both transfers of GZP-01 and GZP-02.
    gzp = [f for f in found if f.rule == "transfer-without-mechanism" and f.activity_ref in ("GZP-01", "GZP-02")]
    assert sorted((f.activity_ref, f.field) for f in gzp) == [("GZP-01", "transfers[0]"), ("GZP-01", "transfers[1]"),
                                                               ("GZP-02", "transfers[0]"), ("GZP-02", "transfers[1]")]
    assert any("Singapore" in f.message_en for f in gzp) and any("Kina" in f.message_nb for f in gzp)
    # 000 (EnterTalkPro): "registrerte kontor i 8. etasje, China Hong Kong Tower ... Hong Kong" and
    # 001: "Vi er eit kinesisk selskap": controllers outside the EEA without an Art. 27 representative.
    assert keys(found, "representative-missing") == {("EnterTalkPro", None), ("Ukjent selsk", None)}
    # 000 10.2: "Vi beholder dine personopplysninger bare så lenge det er nødvendig": vague, every activity.
    assert {r for o, r in keys(found, "retention-unspecified") if o == "EnterTalkPro"} == {f"ETP-{i:02}" for i in range(1, 11)}
    # 003 (Allprofil): "Vi lagrer ikke din personlige informasjon lenger enn nødvendig."
    assert ("Allprofil AS", "AP-01") in keys(found, "retention-unspecified")
    # 004 (Janteloppet): "til slutten av året for den siste avsløringen av informasjon pluss 6 år": a period, no finding.
    assert not {r for o, r in keys(found, "retention-unspecified") if o == "Janteloppet"} - {"JL-04"}
    # 003: "Let’s Encrypt via Domeneshop leverer SSL-sertifikater ..." — a sub-processor, no agreement named.
    assert ("Allprofil AS", "Let's Encrypt (via Domeneshop)") in keys(found, "processor-without-agreement")
    # 000 5.2: special categories "men bare med ditt uttrykkelige samtykke": Art. 9(2)(a) recorded, no finding;
    # 004: "kostholdskrav" (health) with consent (JL-07): no finding either.
    assert keys(found, "special-category-without-condition") == set()
    # Immediate Connect's notice names no legal basis for its analytics cookies (IC-03: "Google Analytics-informasjonskapsler").
    assert ("Immediate Co", "IC-03") in keys(found, "legal-basis-missing")
    # Immediate Connect's notice gives no address, e-mail or phone for the company.
    assert ("Immediate Co", None) in keys(found, "art30-missing-field")
    # no transfer inside the EEA is flagged, and Janteloppet (Norway) has no transfer findings
    assert not [f for f in found if f.rule.startswith("transfer") and f.organisation == "Janteloppet"]


def test_batch_path_equals_single_activity_path(demo_engine):
    """check_register reads a lean snapshot; check_activity the full record: same findings."""
    batch = [f for f in demo_findings(demo_engine) if f.activity_ref]
    single = []
    with db.session(demo_engine) as s:
        for a in registry.list_activities(s):
            single.extend(check_activity(registry.activity_dict(a), a.organisation.name, TODAY))
    assert sorted(batch, key=repr) == sorted(single, key=repr)


def test_findings_for_one_organisation(demo_engine):
    with db.session(demo_engine) as s:
        found = checks.check_register(s, orgs=["Janteloppet"], today=TODAY)
    assert found and {f.organisation for f in found} == {"Janteloppet"}
    assert [checks.SEVERITIES.index(f.severity) for f in found] == sorted(checks.SEVERITIES.index(f.severity) for f in found)


def test_cli_check_json_and_fail_on(sqlite_demo_url):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ropa", "--database-url", sqlite_demo_url, "check", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    r = run("--format", "json", "--org", "Janteloppet")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data and all(set(d) >= {"rule", "severity", "organisation", "activity_ref", "article", "message_en", "message_nb",
                                   "fix_en", "fix_nb"} for d in data)
    assert {d["organisation"] for d in data} == {"Janteloppet"}
    assert run("--fail-on", "error").returncode == 1  # the demo has errors (e.g. GZP-01's transfers)
    r = run("--org", "Janteloppet", "--lang", "nb")
    assert "feil:" in r.stdout and "art. 6 nr. 1" in r.stdout
    assert run("--org", "Nobody").returncode == 2
