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
PUBLIC = {**ORG, "name": "Helsedirektoratet", "public_authority": True, "dpo": {"name": "Ombud"}}


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


@pytest.mark.parametrize(
    "code, note, documentation, fires",
    [
        ("art6_1_c", None, None, True),
        ("art6_1_e", None, None, True),
        ("art6_1_c", "ikke oppgitt", None, True),  # words that say there is none name no law
        ("art6_1_e", "N/A", "", True),
        ("art6_1_c", "Bokføringsloven § 13", None, False),
        ("art6_1_e", None, "Opplæringslova (2023) § 29-1 (elevmappe)", False),
        ("art6_1_c", "«plikten til å føre regnskap basert på regnskapsloven»", None, False),  # the demo's JL-08, quoting its notice
        ("art6_1_b", None, None, False),  # a contract needs no law behind it
        ("art6_1_a", None, None, False),
    ],
)
def test_a_legal_obligation_or_public_task_must_name_its_law(code, note, documentation, fires):
    """Art. 6(3): the basis for (c) and (e) is laid down by Union or Member State law; a record that
    names none gives a warning, in both languages, citing Art. 6(3)."""
    a = act(legal_bases=[{"code": code, "note": note, "documentation": documentation}])
    hits = [f for f in found(a) if f.rule == "legal-basis-without-law"]
    assert bool(hits) == fires
    if fires:
        [f] = hits
        assert (f.article, f.severity, f.field) == ("Art. 6(3)", "warning", "legal_bases")
        assert f"Art. 6(1)({code[-1]})" in f.message_en and f"art. 6 nr. 1 bokstav {code[-1]}" in f.message_nb and "art. 6 nr. 3" in f.message_nb
    # a processor's record (Art. 30(2)) carries no basis of its own
    assert "legal-basis-without-law" not in codes(act(role="processor", controllers=["Kunde AS"], legal_bases=[{"code": code, "note": None}]))


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
    assert [f.rule for f in org_found({**HK, "offers_to_eea": False})] == ["territorial-scope-unrecorded"]  # (b) not answered
    assert [f.rule for f in org_found({**HK, "offers_to_eea": False, "monitors_eea": False})] == ["outside-territorial-scope"]
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
    assert codes(act(transfers=[transfer(None, "art46_3_b", io="WHO")]), PUBLIC) == []


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


# --- Art. 3: the GDPR's territorial scope, answered yes / no / not recorded ------------------------

OUTSIDE = {**ORG, "name": "Kowloon Trading Ltd", "country": "HK", "offers_to_eea": False, "monitors_eea": False}


def _neglected() -> dict[str, Any]:
    """An activity that would raise many findings under the GDPR."""
    return act(
        purposes=[],
        legal_bases=[],
        special_categories=["user.health_and_medical"],
        retention={"period": None, "unit": None, "trigger": None, "action": None, "text": None},
        recipients=[importer("processor", "CN", "CN Host")],
        transfers=[{**transfer("CN", "none"), "recipient": "CN Host"}],
        security_measures=[],
    )


def test_an_organisation_only_outside_the_eea_that_neither_targets_nor_monitors_is_outside_the_gdpr():
    """Art. 3(1) needs an establishment in the Union (EEA), Art. 3(2) targeting or monitoring people
    there: with neither, no Art. 30 record is owed, and nothing of its register is an error."""
    assert codes(_neglected(), OUTSIDE) == []
    [note] = org_found({**OUTSIDE, "email": None, "public_authority": True}, _neglected())
    assert (note.rule, note.severity, note.article, note.field) == ("outside-territorial-scope", "info", "Art. 3", "offers_to_eea")
    assert "Hong Kong" in note.message_en and "does not apply" in note.message_en and "Art. 3(1), 3(2)" in note.message_en
    assert "gjelder ikke" in note.message_nb and "art. 3 nr. 1 og 2" in note.message_nb
    assert "so its activity, its recipients" in note.message_en and "så behandlingsaktiviteten, mottakerne" in note.message_nb
    [two] = org_found(OUTSIDE, _neglected(), act(ref="T-02"))
    assert "its 2 activities" in two.message_en and "de 2 behandlingsaktivitetene" in two.message_nb
    assert checks.check_recipient(OUTSIDE["name"], importer("processor", "CN") | {"agreement": None}, OUTSIDE) == []
    # in batch: the one note and nothing else
    found_all = checks.check_documents([(OUTSIDE, [_neglected()], [importer("processor", "CN") | {"agreement": None}])], TODAY)
    assert [f.rule for f in found_all] == ["outside-territorial-scope"]


@pytest.mark.parametrize("answers", [{"offers_to_eea": True}, {"monitors_eea": True}, {"offers_to_eea": True, "monitors_eea": False}])
def test_targeting_or_monitoring_brings_it_under_the_gdpr(answers):
    org = {**OUTSIDE, **answers}
    assert "art30-missing-field" in codes(_neglected(), org) and "transfer-without-mechanism" in codes(_neglected(), org)
    assert "representative-missing" in [f.rule for f in org_found(org)]


@pytest.mark.parametrize(
    "answers, field",
    [({}, "offers_to_eea"), ({"offers_to_eea": None, "monitors_eea": None}, "offers_to_eea"), ({"offers_to_eea": False}, "monitors_eea")],
)
def test_art_3_2_not_recorded_asks_for_it_once_and_the_rest_is_judged(answers, field):
    org = {k: v for k, v in {**OUTSIDE, **answers}.items() if not (k in ("offers_to_eea", "monitors_eea") and k not in answers)}
    [f] = org_found(org, _neglected(), act(ref="T-02"))
    assert (f.rule, f.severity, f.article, f.field) == ("territorial-scope-unrecorded", "warning", "Art. 3(2)", field)
    assert "does not say" in f.message_en and "Art. 27" in f.message_en and "ikke registrert" in f.message_nb and "art. 27" in f.message_nb
    assert "Art. 3(2)(a)" in f.fix_en and "art. 3 nr. 2 bokstav a" in f.fix_nb
    assert "transfer-without-mechanism" in codes(_neglected(), org)  # judged as if the GDPR applies


@pytest.mark.parametrize("org", [ORG, SE, {**OUTSIDE, "establishments": ["IE"]}, {**ORG, "country": None}])
def test_an_organisation_in_the_eea_or_of_unknown_place_is_never_asked_about_art_3_2(org):
    assert [f.rule for f in org_found(org)] == []


# --- Art. 46(2)(a), 46(3)(b): instruments between public authorities or bodies ---------------------


@pytest.mark.parametrize("mechanism, article", [("art46_2_a", "Art. 46(2)(a)"), ("art46_3_b", "Art. 46(3)(b)")])
def test_a_private_exporter_cannot_rely_on_an_instrument_between_public_bodies(mechanism, article):
    [f] = found(sent("US", mechanism, "public_authority"), ORG)
    assert (f.rule, f.severity, f.article, f.field) == ("transfer-mechanism-not-available", "error", article, "transfers[0].mechanism")
    assert "Art. 46(2)(a)" in f.message_en and "EDPB Guidelines 2/2020" in f.message_en and "Test AS" in f.message_en
    assert "art. 46 nr. 2 bokstav a" in f.message_nb and "retningslinjer 2/2020" in f.message_nb
    [g] = found(act(transfers=[transfer(None, mechanism, io="WHO")]), ORG)
    assert g.rule == "transfer-mechanism-not-available" and "international organisation WHO" in g.message_en
    # a public authority or body may, to a public body abroad or an international organisation
    assert codes(sent("US", mechanism, "public_authority", tia="2026-01-10"), PUBLIC) == []
    assert codes(act(transfers=[transfer(None, mechanism, io="WHO")]), PUBLIC) == []
    # to an adequate country the instrument is not what the transfer rests on
    assert codes(sent("CH", mechanism, "processor"), ORG) == []
    # other Art. 46 safeguards stay open to a private exporter
    assert codes(sent("US", "art46_2_c", "processor", tia="2026-01-10"), ORG) == []


# --- Every rule: one case that must raise it and one that must not, in both languages ---------------

NOTED = {"status": "done", "ref": "DPIA-1", "screening": {}}
HEALTH = dict(special_categories=["user.health_and_medical"], dpia=NOTED)
LI_DOCUMENTED = {"code": "art6_1_f", "note": None, "documentation": "LIA 2026-01"}
CONSENT = {"code": "art6_1_a", "note": None, "documentation": "Samtykkeskjema v2"}


def _cond(code: str, note: str | None = None) -> dict[str, Any]:
    return {"code": code, "note": note, "documentation": None}


def _retention(text: str) -> dict[str, Any]:
    return {"period": None, "unit": None, "trigger": None, "action": None, "text": text}


# rule: (activity that must raise it, activity that must not, organisation, English words, bokmål words)
ACTIVITY_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any], str, str]] = {
    "art30-missing-field": (
        act(purposes=[]),
        act(role="processor", controllers=["Kunde AS"], purposes=["Drift"], data_subjects=[], data_categories=[], recipients=[], legal_bases=[]),
        ORG,
        "is empty",
        "er tomt",
    ),
    "legal-basis-missing": (act(legal_bases=[]), act(role="processor", controllers=["Kunde AS"], legal_bases=[]), ORG, "Art. 6(1)", "art. 6 nr. 1"),
    "consent-public-authority": (
        act(legal_bases=[CONSENT]),
        act(legal_bases=[CONSENT]),  # the same activity kept by a company (the quiet case is judged for ORG): no such imbalance
        PUBLIC,
        "recital 43",
        "fortalepunkt 43",
    ),
    "legal-basis-without-law": (
        act(legal_bases=[{"code": "art6_1_c", "note": None, "documentation": None}]),
        act(legal_bases=[{"code": "art6_1_c", "note": "bokføringsloven § 13", "documentation": None}]),
        ORG,
        "Art. 6(3)",
        "art. 6 nr. 3",
    ),
    "special-category-without-condition": (
        act(art9_conditions=[], **HEALTH),
        act(art9_conditions=[_cond("art9_2_a", "uttrykkelig samtykke")], **HEALTH),
        ORG,
        "Art. 9(2)",
        "art. 9 nr. 2",
    ),
    "art9-condition-without-law": (
        act(art9_conditions=[_cond("art9_2_g")], **HEALTH),
        act(art9_conditions=[_cond("art9_2_g", "personopplysningsloven § 9")], **HEALTH),
        ORG,
        "Union or Member State law",
        "ingen hjemmel er oppgitt",
    ),
    "automated-decision-without-basis": (
        act(legal_bases=[LI_DOCUMENTED], transparency={"automated_decisions": True}),
        act(legal_bases=[{"code": "art6_1_b", "note": None, "documentation": None}], transparency={"automated_decisions": True}),
        ORG,
        "Art. 22(2)",
        "art. 22 nr. 2",
    ),
    "child-consent": (
        act(legal_bases=[CONSENT], data_subjects=["customer", "barn under 13 år"]),
        act(legal_bases=[CONSENT], data_subjects=["customer"]),
        ORG,
        "parental responsibility",
        "foreldreansvaret",
    ),
    "criminal-data-without-basis": (
        act(criminal_data=True, criminal_data_basis=None),
        act(criminal_data=True, criminal_data_basis="Politiregisterloven § 30"),
        ORG,
        "Art. 10",
        "art. 10",
    ),
    "transfer-without-mechanism": (sent("IN", "none", "processor"), sent("IN", "art46_2_c", "processor", tia="2026-01-10"), ORG, "India", "India"),
    "transfer-adequacy-scope": (sent("US", "art45", "processor"), sent("US", "art45", "processor", confirmed=True), ORG, "Data Privacy Framework", "DPF"),
    "transfer-derogation-repeated": (
        act(transfers=[transfer("IN", "art49_1_b", frequency="regular")]),
        act(transfers=[transfer("IN", "art49_1_a", frequency="regular")]),  # EDPB 2/2018: (a) is not limited to occasional transfers
        ORG,
        "occasional",
        "enkeltstående",
    ),
    "recipient-transfer-missing": (
        act(recipients=[importer("processor", "IN")]),
        act(recipients=[importer("processor", "SE")]),
        ORG,
        "third country",
        "tredjestat",
    ),
    "transfer-tia-missing": (sent("IN", "art46_2_c", "processor"), sent("IN", "art46_2_c", "processor", tia="2026-01-10"), ORG, "impact", "TIA"),
    "transfer-destination-missing": (
        act(transfers=[transfer(None, "art46_2_c")]),
        act(transfers=[transfer("IN", "art46_2_c", tia="2026-01-10")]),
        ORG,
        "destination",
        "mottakerland",
    ),
    "transfer-mechanism-not-available": (
        sent("US", "art46_2_a", "public_authority"),
        sent("US", "art46_2_a", "public_authority", tia="2026-01-10"),
        ORG,  # the must-not case is judged for PUBLIC below
        "EDPB Guidelines 2/2020",
        "retningslinjer 2/2020",
    ),
    "retention-unspecified": (
        act(retention=_retention("inntil videre")),
        act(retention=_retention("3 år etter avsluttet kundeforhold")),
        ORG,
        "open-ended",
        "uten sluttpunkt",
    ),
    "legitimate-interest-without-assessment": (
        act(legal_bases=[{"code": "art6_1_f", "note": None, "documentation": None}]),
        act(legal_bases=[LI_DOCUMENTED]),
        ORG,
        "balancing test",
        "interesseavveining",
    ),
    "legitimate-interest-public-authority": (
        act(legal_bases=[LI_DOCUMENTED]),
        act(legal_bases=[LI_DOCUMENTED]),
        PUBLIC,
        "public authorit",
        "offentlig myndighet",
    ),
    "dpia-required": (
        act(dpia={"status": "not_assessed", "ref": None, "screening": {"art35_3_b": {"answer": True}}}),
        act(dpia={"status": "done", "ref": "D-1", "screening": {"art35_3_b": {"answer": True}}}),
        ORG,
        "DPIA",
        "DPIA",
    ),
    "dpia-consider": (
        act(dpia={"status": "not_assessed", "ref": None, "screening": {"evaluation_scoring": {"answer": True}}}),
        act(dpia={"status": "not_needed", "ref": None, "screening": {"evaluation_scoring": {"answer": True}}}),
        ORG,
        "consider",
        "vurder",
    ),
    "dpia-screening-missing": (
        act(
            art9_conditions=[_cond("art9_2_a", "samtykke")],
            special_categories=["user.health_and_medical"],
            dpia={"status": "not_assessed", "ref": None, "screening": {}},
        ),
        act(art9_conditions=[_cond("art9_2_a", "samtykke")], **HEALTH),
        ORG,
        "screening",
        "vurderingen",
    ),
    "review-overdue": (act(next_review="2026-01-01"), act(next_review="2027-01-10"), ORG, "overdue", "på overtid"),
    "review-missing": (
        act(next_review=None, last_review=None),
        act(next_review=None, last_review="2026-05-01"),
        ORG,
        "never been reviewed",
        "aldri gjennomgått",
    ),
}

# rule: (organisation that must raise it, organisation that must not, English words, bokmål words)
ORG_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "representative-missing": (HK, {**HK, "representative": {"name": "Rep AS", "country": "NO"}}, "Art. 27", "art. 27"),
    "territorial-scope-unrecorded": ({k: v for k, v in HK.items() if k != "offers_to_eea"}, HK, "does not say", "ikke registrert"),
    "outside-territorial-scope": (OUTSIDE, HK, "does not apply", "gjelder ikke"),
    "art30-5-exemption-not-met": (
        {**ORG, "art30_5_assessment": "Liten virksomhet", "fewer_than_250": False, "occasional_processing": True},
        {**ORG, "art30_5_assessment": "Liten virksomhet", "fewer_than_250": True, "occasional_processing": True},
        "250 employees",
        "250 ansatte",
    ),
    "dpo-missing": ({**PUBLIC, "dpo": None}, ORG, "public authority", "offentlig myndighet"),
}


def test_every_rule_has_a_case_that_must_and_one_that_must_not_raise_it():
    assert set(ACTIVITY_CASES) | set(ORG_CASES) | {"processor-without-agreement"} == set(checks.RULES)


@pytest.mark.parametrize("rule", sorted(ACTIVITY_CASES))
def test_activity_rule_fires_and_stays_quiet(rule):
    fires, quiet, org, en, nb = ACTIVITY_CASES[rule]
    hits = [f for f in found(fires, org) if f.rule == rule]
    assert hits, rule
    assert all(en in f.message_en + f.fix_en and nb in f.message_nb + f.fix_nb for f in hits), hits
    quiet_org = (
        PUBLIC if rule == "transfer-mechanism-not-available" else ORG if rule in ("legitimate-interest-public-authority", "consent-public-authority") else org
    )
    assert rule not in codes(quiet, quiet_org)


@pytest.mark.parametrize("rule", sorted(ORG_CASES))
def test_organisation_rule_fires_and_stays_quiet(rule):
    fires, quiet, en, nb = ORG_CASES[rule]
    hits = [f for f in org_found(fires) if f.rule == rule]
    assert hits, rule
    assert all(en in f.message_en + f.fix_en and nb in f.message_nb + f.fix_nb for f in hits), hits
    assert rule not in [f.rule for f in org_found(quiet)]


def test_processor_without_agreement_fires_and_stays_quiet():
    [f] = checks.check_recipient("T", {**importer("processor", "NO"), "agreement": "ikke oppgitt"})
    assert f.rule == "processor-without-agreement" and "ikke oppgitt" in f.message_en and "databehandleravtale" in f.message_nb
    assert checks.check_recipient("T", {**importer("processor", "NO"), "agreement": "DPA-2024-03"}) == []
    assert checks.check_recipient("T", {**importer("independent_controller", "NO"), "agreement": None}) == []  # Art. 28 binds processors only


# --- Art. 9(2): each letter; (b), (g)-(j) need Union or Member State law -----------------------------


@pytest.mark.parametrize("letter", list("abcdefghij"))
def test_each_art_9_2_condition_and_the_law_it_needs(letter):
    needs_law = letter in "bghij"
    bare = codes(act(art9_conditions=[_cond(f"art9_2_{letter}")], **HEALTH))
    assert bare == (["art9-condition-without-law"] if needs_law else [])
    if needs_law:
        [f] = found(act(art9_conditions=[_cond(f"art9_2_{letter}")], **HEALTH))
        assert f.article == f"Art. 9(2)({letter})" and f"art. 9 nr. 2 bokstav {letter}" in f.message_nb and "law" in f.message_en
    assert codes(act(art9_conditions=[_cond(f"art9_2_{letter}", "helseregisterloven § 6")], **HEALTH)) == []
    # a placeholder names no law
    assert codes(act(art9_conditions=[_cond(f"art9_2_{letter}", "ikke oppgitt")], **HEALTH)) == (["art9-condition-without-law"] if needs_law else [])


# --- Art. 22: decisions based solely on automated processing ----------------------------------------


@pytest.mark.parametrize("basis", ["art6_1_a", "art6_1_b", "art6_1_c", "art6_1_e"])
def test_automated_decisions_on_contract_law_or_consent_are_allowed(basis):
    assert codes(act(legal_bases=[{"code": basis, "note": "x", "documentation": "y"}], transparency={"automated_decisions": True})) == []


def test_automated_decisions_on_special_categories_need_explicit_consent_or_substantial_public_interest():
    auto = dict(transparency={"automated_decisions": True}, legal_bases=[{"code": "art6_1_b", "note": None, "documentation": None}], **HEALTH)
    [f] = found(act(art9_conditions=[_cond("art9_2_h", "pasientjournalloven")], **auto))
    assert (f.rule, f.article) == ("automated-decision-without-basis", "Art. 22(4)") and "9(2)(a)" in f.message_en and "bokstav a" in f.message_nb
    assert codes(act(art9_conditions=[_cond("art9_2_a", "uttrykkelig samtykke")], **auto)) == []
    assert codes(act(art9_conditions=[_cond("art9_2_g", "lov om X § 1")], **auto)) == []
    # no automated decision recorded (or not answered): nothing to judge
    assert codes(act(art9_conditions=[_cond("art9_2_h", "pasientjournalloven")], **{**auto, "transparency": {"automated_decisions": None}})) == []


# --- Art. 8: a child's consent to an information society service -------------------------------------


@pytest.mark.parametrize(
    ("subjects", "categories"),
    [(["elever"], []), (["customer"], ["user.childrens"]), (["Children using the app"], []), (["Mindreårige deltakere"], [])],
)
def test_consent_from_children_is_a_note_naming_the_age_in_norway_and_elsewhere(subjects, categories):
    child = act(legal_bases=[CONSENT], data_subjects=subjects, data_categories=["user.name", *categories])
    [f] = [f for f in found(child) if f.rule == "child-consent"]
    assert (f.severity, f.article, f.field) == ("info", "Art. 8(1)", "legal_bases")
    # The age follows the children the service is offered to, not only where the controller is.
    assert "13 for children in Norway (personopplysningsloven § 5), elsewhere 16 or the lower age (not below 13)" in f.message_en
    assert "13 år for barn i Norge" in f.message_nb and "ikke under 13" in f.message_nb
    [abroad] = [f for f in found(child, {**ORG, "country": "SE"}) if f.rule == "child-consent"]
    assert abroad.message_en == f.message_en


def test_children_without_consent_or_in_a_processors_record_raise_no_art_8_note():
    contract = {"code": "art6_1_b", "note": None, "documentation": None}
    assert "child-consent" not in codes(act(legal_bases=[contract], data_subjects=["elever"]))  # Art. 8 is about consent only
    assert "child-consent" not in codes(act(legal_bases=[CONSENT], data_subjects=["employee"], data_categories=["user.name"]))
    assert "child-consent" not in codes(act(role="processor", controllers=["Skole AS"], legal_bases=[CONSENT], data_subjects=["elever"]))
    # words that only contain the letters: "barnehageansatte" (kindergarten staff) are not children
    assert "child-consent" not in codes(act(legal_bases=[CONSENT], data_subjects=["barnehageansatte"]))
    # their parents or guardians are not the children; a category about minor offences names no child
    for parents in ("Foreldre til barn i barnehagen", "foresatte til elever", "Parents of pupils"):
        assert "child-consent" not in codes(act(legal_bases=[CONSENT], data_subjects=[parents]))
    assert "child-consent" not in codes(act(legal_bases=[CONSENT], data_subjects=["customer"], data_categories=["minor offences"]))
    assert "child-consent" not in codes(act(legal_bases=[CONSENT], data_subjects=["barns lærere", "elevenes foresatte"]))  # someone else's


# --- Joint controllers (Art. 26), processors (Art. 30(2)), security (Art. 30(1)(g)) -------------------


def test_a_joint_controller_names_the_others():
    [f] = found(act(role="joint_controller", controllers=[]))
    assert (f.rule, f.article, f.field) == ("art30-missing-field", "Art. 26, 30(1)(a)", "controllers") and "art. 26" in f.fix_nb
    assert codes(act(role="joint_controller", controllers=["Partner AS"])) == []


def test_a_processors_record_is_not_judged_on_the_controllers_fields():
    processor = act(
        role="processor",
        controllers=["Kunde AS"],
        data_subjects=[],
        data_categories=[],
        recipients=[],
        legal_bases=[],
        retention=_retention("inntil videre"),
        transparency={"automated_decisions": True},
        art9_conditions=[_cond("art9_2_g")],
        special_categories=["user.health_and_medical"],
        dpia={"status": "not_assessed", "ref": None, "screening": {}},
    )
    assert codes(processor) == []


def test_security_measures_where_possible_art_30_1_g_and_30_2_d():
    [f] = found(act(security_measures=[]))
    assert (f.rule, f.severity, f.article) == ("art30-missing-field", "warning", "Art. 30(1)(g)") and "art. 32" in f.fix_nb
    [g] = found(act(role="processor", controllers=["Kunde AS"], security_measures=[]))
    assert g.article == "Art. 30(2)(d)"
    assert codes(act(security_measures=["Tilgangsstyring", "Kryptering"])) == []


# --- Retention in months, years and events ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "36 mnd",
        "18 måneder etter siste innlogging",
        "Slettes etter avsluttet kundeforhold",
        "3 år etter avsluttet kundeforhold",
        "6 months after the end of the contract",
    ],
)
def test_retention_stated_in_months_years_or_by_an_event_is_a_schedule(text):
    assert codes(act(retention=_retention(text))) == []


@pytest.mark.parametrize("period, unit", [(18, "months"), (5, "years")])
def test_a_structured_retention_period_is_a_schedule(period, unit):
    assert codes(act(retention={"period": period, "unit": unit, "trigger": None, "action": "erase", "text": None})) == []


# --- Adequate and non-adequate destinations ---------------------------------------------------------


@pytest.mark.parametrize("country", ["GB", "CH", "IL", "AR"])
def test_adequate_countries_need_no_mechanism_but_the_transfer_is_recorded(country):
    assert codes(sent(country, "none", "processor")) == [] and codes(sent(country, "art45", "processor")) == []
    [f] = found(act(recipients=[importer("processor", country)]))
    assert f.rule == "recipient-transfer-missing" and "adequacy decision may cover it" in f.message_en and "adekvansbeslutning" in f.message_nb


def test_the_united_states_without_the_dpf_needs_another_mechanism():
    [f] = found(sent("US", "none", "processor"))
    assert (f.rule, f.severity) == ("transfer-adequacy-scope", "warning") and "DPF" in f.fix_en and "DPF" in f.fix_nb
    assert codes(sent("US", "art46_2_c", "processor", tia="2026-01-10")) == []
    # the TIA may rely on the Commission's assessment of US law in the DPF decision (EDPB information note, July 2023)
    assert codes(sent("US", "art46_2_c", "processor")) == []


@pytest.mark.parametrize("mechanism", ["art49_1_a", "art49_1_d", "art49_1_f", "art49_1_g"])
def test_derogations_not_limited_to_occasional_transfers_stay_quiet_when_regular(mechanism):
    assert codes(act(transfers=[transfer("IN", mechanism, frequency="regular")])) == []


# --- Art. 49(3): public authorities in the exercise of their public powers ---------------------------


@pytest.mark.parametrize("mechanism", ["art49_1_a", "art49_1_b", "art49_1_c", "art49_1_2"])
def test_a_public_authority_cannot_rely_on_consent_contract_or_compelling_interests(mechanism):
    a = act(transfers=[transfer("IN", mechanism, frequency="occasional", safeguard="Vurdering 2026-03")])
    [f] = [f for f in found(a, PUBLIC) if f.rule == "transfer-mechanism-not-available"]
    assert (f.article, f.severity) == ("Art. 49(3)", "warning") and "public powers" in f.message_en and "art. 49 nr. 3" in f.message_nb
    assert "transfer-mechanism-not-available" not in codes(a, ORG)
    assert codes(act(transfers=[transfer("IN", "art49_1_d", frequency="occasional")]), PUBLIC) == []
