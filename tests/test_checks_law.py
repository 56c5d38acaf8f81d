"""The rules against the law, case by case, as a DPO would test them: for each point of the GDPR
(and the EDPB guidance it is read with) a case that must raise its finding, in both languages
and citing its article, and a neighbouring case that must raise nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_checks import ORG, TODAY, act, transfer

from ropa import checks, vocab
from ropa.checks import check_activity, check_organisation

SE = {**ORG, "name": "Svensk AB", "country": "SE"}
HK = {**ORG, "name": "ETP Ltd", "country": "HK", "offers_to_eea": True}


def found(a: dict[str, Any], org: dict[str, Any] | None = None) -> list[checks.Finding]:
    out = check_activity(a, org["name"] if org else "T", TODAY, org or ORG)
    for f in out:  # every finding cites its article and speaks both languages
        assert f.article.startswith("Art."), f
        assert f.message_en and f.message_nb and f.message_en != f.message_nb and f.fix_en and f.fix_nb
    return out


def codes(a: dict[str, Any], org: dict[str, Any] | None = None) -> list[str]:
    return [f.rule for f in found(a, org)]


def org_found(org: dict[str, Any], *acts: dict[str, Any]) -> list[checks.Finding]:
    facts = checks._OrgFacts()
    for a in acts or (act(),):
        facts.add(a)
    out = check_organisation(org, facts)
    for f in out:
        assert f.article.startswith("Art.") and f.message_en != f.message_nb
    return out


def importer(kind: str, country: str, name: str = "Importer") -> dict[str, Any]:
    return {"name": name, "kind": kind, "country": country, "agreement": "DPA-1"}


def sent(country: str, mechanism: str, kind: str, **kw: Any) -> dict[str, Any]:
    """An activity disclosing to one importer in ``country`` under ``mechanism``."""
    return act(recipients=[importer(kind, country)], transfers=[{**transfer(country, mechanism, **kw), "recipient": "Importer"}])


# --- Art. 30(1) and 30(2): whose record it is ------------------------------------------------------


def test_a_processors_record_asks_only_what_art_30_2_asks():
    bare = dict(
        legal_bases=[],
        special_categories=["user.health_and_medical"],
        art9_conditions=[],
        criminal_data=True,
        criminal_data_basis=None,
        retention={"period": None, "unit": None, "trigger": None, "action": None, "text": None},
        dpia={"status": "not_assessed", "ref": None, "screening": {}},
        recipients=[],
    )
    assert codes(act(role="processor", controllers=["Kunde AS"], **bare)) == []
    as_controller = set(codes(act(**bare)))
    assert as_controller >= {
        "legal-basis-missing",
        "special-category-without-condition",
        "criminal-data-without-basis",
        "retention-unspecified",
        "dpia-screening-missing",
        "art30-missing-field",
    }
    [f] = found(act(role="processor", controllers=[], **bare))
    assert (f.rule, f.article, f.field) == ("art30-missing-field", "Art. 30(2)(a)", "controllers")


def test_a_processors_missing_contact_details_cite_art_30_2_a():
    [f] = org_found({**ORG, "email": None}, act(role="processor", controllers=["Kunde AS"]))
    assert f.article == "Art. 30(2)(a)" and "processor's contact details" in f.message_en and "databehandleren" in f.message_nb
    [g] = org_found({**ORG, "email": None}, act(), act(role="processor", controllers=["Kunde AS"]))
    assert g.article == "Art. 30(1)(a)" and "controller's" in g.message_en and "den behandlingsansvarlige" in g.message_nb
    assert org_found(ORG, act(role="processor", controllers=["Kunde AS"])) == []


def test_recording_that_data_go_to_no_one_answers_art_30_1_d():
    assert codes(act(recipients=[], no_recipients=True)) == []
    [f] = found(act(recipients=[]))
    assert (f.rule, f.field, f.article) == ("art30-missing-field", "recipients", "Art. 30(1)(d)")
    assert "Recipients" in f.message_en or "recipients" in f.message_en.lower()


# --- Art. 6, 9, 10 ----------------------------------------------------------------------------------


def test_an_art9_condition_does_not_replace_the_art6_basis_nor_the_other_way_round():
    health = dict(special_categories=["user.health_and_medical"], dpia={"status": "done", "ref": "D-1", "screening": {}})
    assert codes(act(art9_conditions=["art9_2_a"], legal_bases=[], **health)) == ["legal-basis-missing"]
    [f] = found(act(art9_conditions=[], **health))
    assert f.rule == "special-category-without-condition" and f.article == "Art. 9(2)" and "art. 9 nr. 2" in f.message_nb
    assert codes(act(art9_conditions=["art9_2_b"], **health)) == []


@pytest.mark.parametrize("basis", ["Legitimate interests", "berettiget interesse", "Art. 6(1)(f)", "avtale", "ikke oppgitt", "N/A", "mangler"])
def test_art10_needs_official_authority_or_law_not_an_art6_ground_or_a_placeholder(basis):
    [f] = found(act(criminal_data=True, criminal_data_basis=basis))
    assert (f.rule, f.article) == ("criminal-data-without-basis", "Art. 10")
    assert "official authority" in f.message_en and "art. 10" in f.message_nb


@pytest.mark.parametrize("basis", ["personopplysningsloven § 11 jf. art. 9 nr. 2 bokstav b", "Politiregisterloven § 30", "Union law: AML Directive"])
def test_art10_is_met_by_a_law_or_official_authority(basis):
    assert codes(act(criminal_data=True, criminal_data_basis=basis, dpia={"status": "done", "ref": "D", "screening": {}})) == []


def test_a_public_authority_cannot_rest_its_tasks_on_legitimate_interests():
    li = act(legal_bases=[{"code": "art6_1_f", "note": None, "documentation": "LIA 2026"}])
    [f] = found(li, {**ORG, "public_authority": True})
    assert (f.rule, f.article, f.severity) == ("legitimate-interest-public-authority", "Art. 6(1) second subparagraph", "warning")
    assert "public authorit" in f.message_en and "offentlig myndighet" in f.message_nb
    assert codes(li, ORG) == []
    assert codes(act(), {**ORG, "public_authority": True}) == []  # Art. 6(1)(c)


# --- Art. 37(1): the DPO -----------------------------------------------------------------------------


def test_a_public_authority_owes_a_dpo_and_a_private_one_without_core_sensitive_processing_does_not():
    [f] = org_found({**ORG, "public_authority": True})
    assert (f.rule, f.article, f.severity) == ("dpo-missing", "Art. 37(1)(a)", "error")
    assert "public authority" in f.message_en and "offentlig myndighet" in f.message_nb
    assert org_found({**ORG, "public_authority": True, "dpo": {"name": "Ombud"}}) == []
    highly_personal = act(dpia={"status": "done", "ref": "D", "screening": {"sensitive_data": {"answer": True}, "large_scale": {"answer": True}}})
    assert org_found(ORG, highly_personal) == []  # WP248's "highly personal" data are not Art. 9/10 data


# --- Art. 3, 27: who the GDPR reaches and who owes a representative ----------------------------------


def test_an_organisation_only_outside_the_eea_targeting_people_here_owes_a_representative():
    [f] = org_found(HK)
    assert (f.rule, f.article) == ("representative-missing", "Art. 27(1)")
    assert "Hong Kong" in f.message_en and "art. 3 nr. 2 bokstav a" in f.message_nb
    assert org_found({**HK, "offers_to_eea": False, "monitors_eea": True})[0].rule == "representative-missing"
    assert org_found({**HK, "offers_to_eea": False}) == []  # Art. 3(2) not recorded as applying
    assert org_found({**HK, "representative": {"name": "Rep AS"}}) == []
    for eea in ("NO", "IS", "LI", "SE"):
        assert org_found({**HK, "country": eea}) == []


def test_art_27_2_exempts_public_authorities_and_occasional_low_risk_processing():
    assert "representative-missing" not in [f.rule for f in org_found({**HK, "public_authority": True})]  # Art. 27(2)(b)
    assert org_found({**HK, "occasional_processing": True}) == []
    sensitive = act(
        special_categories=["user.health_and_medical"],
        art9_conditions=["art9_2_a"],
        dpia={"status": "done", "ref": "D", "screening": {"art35_3_b": {"answer": True}}},
    )
    assert [f.rule for f in org_found({**HK, "occasional_processing": True}, sensitive)] == ["representative-missing"]


def test_its_own_collection_abroad_is_no_transfer_but_a_disclosure_to_another_party_there_is():
    assert codes(act(transfers=[transfer("HK", "none")]), HK) == []
    [f] = found(act(recipients=[importer("processor", "HK", "HK Hosting Ltd")]), HK)
    assert (f.rule, f.recipient) == ("recipient-transfer-missing", "HK Hosting Ltd")
    assert "Hong Kong" in f.message_en and "tredjestat" in f.message_nb


def test_a_processor_in_the_eea_for_a_controller_outside_it():
    """Its records are Art. 30(2)'s; sending the data back to the controller abroad is a transfer
    (EDPB Guidelines 05/2021, example 4); it owes no representative."""
    ie = {**ORG, "name": "EU Processing Ltd", "country": "IE"}
    back = dict(role="processor", controllers=["US Corp"])
    assert codes(act(**back, transfers=[transfer("US", "art46_2_c", tia="2026-01-10")]), ie) == []
    [f] = found(act(**back, transfers=[transfer("IN", "none")]), ie)
    assert f.rule == "transfer-without-mechanism" and "India" in f.message_en and "India" in f.message_nb
    assert [g.rule for g in org_found(ie, act(**back))] == []


# --- Chapter V ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["NO", "IS", "LI", "DE", "SE"])
def test_the_eea_states_are_no_third_countries(country):
    assert codes(sent(country, "none", "processor")) == []
    assert codes(act(recipients=[importer("processor", country)])) == []
    assert codes(act(transfers=[transfer(country, "unknown")]), {**ORG, "country": "IS"}) == []


def test_partial_adequacy_canada_covers_commercial_organisations_only():
    [f] = found(sent("CA", "art45", "processor"))
    assert (f.rule, f.severity) == ("transfer-adequacy-scope", "warning") and "PIPEDA" in f.message_en and "PIPEDA" in f.message_nb
    assert codes(sent("CA", "art45", "processor", confirmed=True)) == []
    [g] = found(sent("CA", "art45", "public_authority", confirmed=True))
    assert (g.rule, g.severity) == ("transfer-adequacy-scope", "error")
    assert "does not cover the importer, a public authority" in g.message_en and "omfatter ikke mottakeren, en offentlig myndighet" in g.message_nb
    [h] = found(sent("CA", "none", "public_authority"))
    assert h.rule == "transfer-without-mechanism" and "whose adequacy decision does not cover the importer" in h.message_en
    assert "der adekvansbeslutningen ikke omfatter mottakeren" in h.message_nb
    assert codes(sent("CA", "art46_2_c", "public_authority", tia="2026-02-01")) == []


def test_partial_adequacy_the_united_states_covers_dpf_certified_organisations_only():
    [f] = found(sent("US", "art45", "processor"))
    assert (f.rule, f.severity) == ("transfer-adequacy-scope", "warning") and "Data Privacy Framework" in f.message_en and "DPF" in f.message_nb
    assert codes(sent("US", "art45", "processor", confirmed=True)) == []
    assert codes(sent("US", "none", "processor", confirmed=True)) == []
    [g] = found(sent("US", "art45", "public_authority", confirmed=True))
    assert (g.rule, g.severity) == ("transfer-adequacy-scope", "error") and "Data Privacy Framework" in g.message_en


def test_japan_covers_private_business_operators_not_public_bodies():
    assert codes(sent("JP", "art45", "processor")) == []
    [g] = found(sent("JP", "art45", "public_authority"))
    assert (g.rule, g.severity) == ("transfer-adequacy-scope", "error") and "APPI" in g.message_en and "APPI" in g.message_nb
    assert codes(sent("KR", "art45", "public_authority")) == []  # Korea's PIPA covers the public sector


def test_a_transfer_to_an_international_organisation_is_named_as_such():
    [f] = found(act(transfers=[transfer(None, "none", io="WHO")]))
    assert f.rule == "transfer-without-mechanism" and "the international organisation WHO" in f.message_en
    assert "den internasjonale organisasjonen WHO" in f.message_nb and "third country" not in f.message_en and "tredjestat" not in f.message_nb
    [g] = found(act(transfers=[transfer(None, "art45", io="WHO")]))
    assert g.rule == "transfer-adequacy-scope" and "international organisation WHO" in g.message_en
    assert codes(act(transfers=[transfer(None, "art46_3_b", io="WHO")])) == []


def test_explicit_consent_under_art_49_1_a_is_not_limited_to_occasional_transfers():
    assert codes(act(transfers=[transfer("IN", "art49_1_a", frequency="regular")])) == []
    [f] = found(act(transfers=[transfer("IN", "art49_1_b", frequency="regular")]))
    assert (f.rule, f.article) == ("transfer-derogation-repeated", "Art. 49(1)(b)")
    assert "occasional" in f.message_en and "enkeltstående" in f.message_nb


def test_compelling_legitimate_interests_must_document_the_safeguards_in_the_record():
    [f] = found(act(transfers=[transfer("IN", "art49_1_2", frequency="occasional")]))
    assert (f.rule, f.article, f.field, f.severity) == ("art30-missing-field", "Art. 30(1)(e), 49(6)", "transfers[0].safeguard", "warning")
    assert "second subparagraph" in f.message_en and "annet ledd" in f.message_nb
    assert codes(act(transfers=[transfer("IN", "art49_1_2", frequency="occasional", safeguard="Assessment and safeguards, 2026-03-01")])) == []


def test_an_onward_transfer_by_a_processor_to_its_sub_processor_abroad():
    sub = importer("sub_processor", "IN", "Offshore Support Pvt")
    [f] = found(act(role="processor", controllers=["Kunde AS"], recipients=[sub]))
    assert (f.rule, f.recipient) == ("recipient-transfer-missing", "Offshore Support Pvt")
    onward = {**transfer("IN", "art46_2_c", tia="2026-01-10"), "recipient": "Offshore Support Pvt"}
    assert codes(act(role="processor", controllers=["Kunde AS"], recipients=[sub], transfers=[onward])) == []
    assert [g.rule for g in checks.check_recipient("T", {**sub, "agreement": "mangler"})] == ["processor-without-agreement"]


# --- Adequacy dates (EEA) ----------------------------------------------------------------------------


def test_koreas_eea_incorporation_decides_for_iceland_not_for_norway():
    early = date(2022, 3, 1)  # after the adoption (2021-12-17), before the incorporation (2022-07-08)
    try:
        vocab.country_status.cache_clear()
        [f] = check_activity(act(transfers=[transfer("KR", "art45")]), "T", early, {**ORG, "country": "IS"})
        assert f.rule == "transfer-adequacy-scope" and "incorporated into the EEA Agreement on 2022-07-08" in f.message_en
        assert "innlemmet i EØS-avtalen 2022-07-08" in f.message_nb
        assert check_activity(act(transfers=[transfer("KR", "art45")]), "T", early, ORG) == []  # Norway: from the adoption
        assert check_activity(act(transfers=[transfer("KR", "art45")]), "T", early, SE) == []
        assert check_activity(act(transfers=[transfer("KR", "art45")]), "T", date(2022, 7, 8), {**ORG, "country": "IS"}) == []
    finally:
        vocab.country_status.cache_clear()


# --- Retention (Art. 5(1)(e), 30(1)(f)) --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("until no longer needed", "vague"),
        ("Deleted when no longer necessary for the purpose.", "vague"),
        ("until the purpose is fulfilled", "vague"),
        ("for the period necessary", "vague"),
        ("as long as the law requires", "vague"),
        ("Slettes når de ikke lenger er nødvendige", "vague"),
        ("Lagres til formålet er oppfylt", "vague"),
        ("i den tid det er nødvendig", "vague"),
        ("så lenge loven krever", "vague"),
        ("Permanent lagring", "open"),
        ("Vi sletter opplysningene når du ber om det", "open"),
        ("We delete them if you ask us to", "open"),
        ("så lenge det er nødvendig, likevel maks 3 år", None),
        ("as long as necessary, at most 24 months after the last order", None),
        ("5 år etter regnskapsårets slutt (bokføringsloven § 13)", None),
        ("Slettes 2 år etter siste kontakt, eller tidligere når du ber om det", None),
    ],
)
def test_retention_wording_variants(text, kind):
    a = act(retention={"period": None, "unit": None, "trigger": None, "action": None, "text": text})
    hits = [f for f in found(a) if f.rule == "retention-unspecified"]
    if kind is None:
        assert hits == []
        return
    [f] = hits
    assert f.article == "Art. 30(1)(f), 5(1)(e)"
    assert ("vaguely" if kind == "vague" else "open-ended") in f.message_en
    assert ("vagt" if kind == "vague" else "uten sluttpunkt") in f.message_nb


def test_a_representative_must_be_established_in_the_eea():
    [f] = org_found({**HK, "representative": {"name": "Rep Ltd", "country": "GB", "address": None, "email": None}})
    assert (f.rule, f.article, f.field) == ("representative-missing", "Art. 27(3)", "representative.country")
    assert "United Kingdom" in f.message_en and "art. 27 nr. 3" in f.message_nb
    assert org_found({**HK, "representative": {"name": "Rep AS", "country": "NO", "address": None, "email": None}}) == []
    assert org_found({**HK, "representative": {"name": "Rep AS", "country": None, "address": None, "email": None}}) == []
