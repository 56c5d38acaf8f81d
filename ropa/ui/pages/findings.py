"""Findings: what the rule checks say about the register, grouped by severity and rule, each
with its article, what is wrong and how to fix it, and a way to the record it is about.

Only choices and drawing here: the rules are :func:`ropa.register.checks.check_register`'s.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ropa import checks, db, vocab
from ropa.fields import ACTIVITY, ORGANISATION, RECIPIENT, WORKBOOK
from ropa.register.organisations import list_organisations, organisation_dict
from ropa.text import markdown
from ropa.ui import errors, look, state

ui = state.lang()
TEXT = {
    "title": ("Funn", "Findings"),
    "intro": (
        "Regelkontrollen av protokollen: felt artikkel 30 krever, behandlingsgrunnlag, særlige kategorier, "
        "overføringer, lagringstid, databehandleravtaler, DPIA og gjennomganger. Rett funnene i posten det gjelder.",
        "The rule checks of the register: the fields Art. 30 requires, legal bases, special categories, transfers, "
        "retention, processor agreements, DPIAs and reviews. Fix a finding in the record it is about.",
    ),
    "no_orgs": (
        "Registeret er tomt, så det er ingenting å kontrollere. Opprett en virksomhet eller importer en protokoll.",
        "The register is empty, so there is nothing to check. Create an organisation or import a register.",
    ),
    "orgs": ("Virksomheter", "Organisations"),
    "all_orgs": ("Alle virksomheter", "All organisations"),
    "severities": ("Alvorlighet", "Severity"),
    "all_severities": ("Alle", "All"),
    "rules": ("Regler", "Rules"),
    "all_rules": ("Alle regler", "All rules"),
    "search": ("Søk i funnene", "Search the findings"),
    "search_help": (
        "Treff i virksomhet, referanse, mottaker, funn og råd, på valgt språk.",
        "Matches organisation, reference, recipient, finding and advice, in the chosen language.",
    ),
    "total": ("Funn i alt", "Findings in all"),
    "checking": ("Kontrollerer protokollen …", "Checking the register …"),
    "clean": (
        "Ingen funn: protokollen oppfyller alle reglene. Kontroller igjen når noe er endret.",
        "No findings: the register passes every rule. Check again after the next change.",
    ),
    "none_match": (
        "Ingen av de {total} funnene passer filtrene. Fjern noen filtre for å se flere.",
        "None of the {total} findings match the filters. Clear some filters to see more.",
    ),
    "open_activity": ("Åpne {ref}", "Open {ref}"),
    "open_activity_help": ("Åpner behandlingsaktiviteten", "Opens the processing activity"),
    "open_organisation": ("Virksomheten", "Organisation"),
    "open_organisation_help": ("Åpner virksomheten på siden «Virksomheter»", "Opens the organisation on the Organisations page"),
    "open_recipient": ("Mottakeren", "Recipient"),
    "open_recipient_help": ("Åpner mottakeren på siden «Mottakere»", "Opens the recipient on the Recipients page"),
    "no_page": (
        "Siden «{page}» er ikke tilgjengelig her. {what} er valgt og åpnes når du går til siden.",
        "The page '{page}' is not available here. {what} is selected and opens when you go to that page.",
    ),
    "more": ("… og {n} til. Snevre inn filtrene for å se dem.", "… and {n} more. Narrow the filters to see them."),
    "organisation_level": ("hele virksomheten", "the whole organisation"),
    "error_loading": ("Kunne ikke kontrollere protokollen:", "Could not check the register:"),
}
SHOWN_PER_RULE = 30


t = state.words(TEXT)


def _go(page: str, title: str, what: str) -> None:
    """Switch to another page; without the app's navigation (a page run alone) say so instead."""
    try:
        st.switch_page(page)
    except StreamlitAPIException:
        st.warning(t("no_page").format(page=title, what=markdown(what)), icon=":material/info:")


# ---------------------------------------------------------------------------------------------
# The page

st.title(t("title"))
st.caption(t("intro"))

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.info(t("no_orgs"), icon=":material/inbox:")
    st.stop()

if "fnd_orgs" not in st.session_state:
    st.session_state["fnd_orgs"] = [state.org()] if state.org() in org_names else []
st.session_state["fnd_orgs"] = [n for n in st.session_state["fnd_orgs"] if n in org_names]

c_org, c_sev, c_rule, c_text = st.columns([3, 2, 3, 3])
chosen_orgs = c_org.multiselect(t("orgs"), org_names, key="fnd_orgs", placeholder=t("all_orgs"))
chosen_sev = c_sev.multiselect(
    t("severities"), list(checks.SEVERITIES), key="fnd_sev", placeholder=t("all_severities"), format_func=lambda sev: checks.severity_label(sev, ui)
)
chosen_rules = c_rule.multiselect(
    t("rules"), list(checks.RULES), key="fnd_rules", placeholder=t("all_rules"), format_func=lambda code: checks.rule_title(code, ui)
)
needle = c_text.text_input(t("search"), key="fnd_text", help=t("search_help")).strip().lower()

with db.session(state.engine()) as s:  # Art. 30(5) assessments of the organisations shown, beside their findings
    statements = [checks.art30_5_statement(organisation_dict(o), ui) for o in list_organisations(s) if not chosen_orgs or o.name in chosen_orgs]
for statement in filter(None, statements):
    st.info(markdown(statement), icon=":material/gavel:")

with errors.reported(t("error_loading")) as outcome, st.spinner(t("checking")):
    found = state.findings(chosen_orgs)
if outcome.failed:
    st.stop()


def _matches(f: checks.Finding) -> bool:
    if chosen_sev and f.severity not in chosen_sev:
        return False
    if chosen_rules and f.rule not in chosen_rules:
        return False
    if needle:
        hay = " ".join(x for x in (f.organisation, f.activity_ref, f.recipient, f.message(ui), f.fix(ui), checks.rule_title(f.rule, ui)) if x).lower()
        return needle in hay
    return True


shown = [f for f in found if _matches(f)]
counts = checks.summarise(shown)

cols = st.columns(len(checks.SEVERITIES) + 1)
cols[0].metric(t("total"), len(shown))
for col, sev in zip(cols[1:], checks.SEVERITIES):
    col.metric(look.severity(sev, ui), counts[sev])

if not found:
    st.success(t("clean"), icon=":material/verified:")
    st.stop()
if not shown:
    st.info(t("none_match").format(total=len(found)), icon=":material/filter_alt_off:")
    st.stop()

ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
L_ORG, L_REF, L_REC = ORGANISATION["name"].label(ui), ACTIVITY["ref"].label(ui), RECIPIENT["name"].label(ui)
L_ART, L_FIX = WORKBOOK["finding.article"].label(ui), WORKBOOK["finding.fix"].label(ui)


def _finding(i: int, f: checks.Finding) -> None:
    where = [f"{L_ORG}: **{markdown(f.organisation)}**"]
    if f.activity_ref:
        where.append(f"{L_REF}: **{markdown(f.activity_ref)}**")
    elif f.recipient:
        where.append(f"{L_REC}: **{markdown(f.recipient)}**")
    else:
        where.append(f"_{t('organisation_level')}_")
    where.append(f"{L_ART}: {markdown(vocab.article_in(f.article, ui))}")
    text, action = st.columns([4, 1], vertical_alignment="center")
    text.markdown(" · ".join(where) + f"  \n{markdown(f.message(ui))}  \n:material/build: *{L_FIX}:* {markdown(f.fix(ui))}")
    target: Optional[tuple[str, str, str]] = None
    if f.activity_ref:
        if action.button(
            t("open_activity").format(ref=markdown(f.activity_ref)),
            key=f"fnd_open_{i}",
            icon=":material/open_in_new:",
            help=t("open_activity_help"),
            width="stretch",
        ):
            st.session_state["open_activity"] = (f.organisation, f.activity_ref)
            target = ("ropa/ui/pages/activities.py", ACTIVITY["name"].label(ui), f"{f.organisation} / {f.activity_ref}")
    elif f.recipient:
        if action.button(t("open_recipient"), key=f"fnd_open_{i}", icon=":material/open_in_new:", help=t("open_recipient_help"), width="stretch"):
            st.session_state["open_recipient"] = (f.organisation, f.recipient)
            target = ("ropa/ui/pages/recipients.py", RECIPIENT["name"].label(ui), f"{f.organisation} / {f.recipient}")
    elif action.button(t("open_organisation"), key=f"fnd_open_{i}", icon=":material/open_in_new:", help=t("open_organisation_help"), width="stretch"):
        st.session_state["open_organisation"] = f.organisation
        target = ("ropa/ui/pages/organisations.py", ORGANISATION["name"].label(ui), f.organisation)
    if target:
        _go(*target)


index = 0
for sev in checks.SEVERITIES:
    of_sev = [f for f in shown if f.severity == sev]
    if not of_sev:
        continue
    st.subheader(f"{look.severity(sev, ui)} ({len(of_sev)})")
    by_rule = Counter(f.rule for f in of_sev)
    for rule, n in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        cited = checks.RULES[rule].article if rule in checks.RULES else ""
        with st.expander(f"{checks.rule_title(rule, ui)} · {vocab.article_in(cited, ui)} — {n}", icon=ICONS.get(sev)):
            of_rule = [f for f in of_sev if f.rule == rule]
            for f in of_rule[:SHOWN_PER_RULE]:
                _finding(index, f)
                index += 1
            index += max(0, len(of_rule) - SHOWN_PER_RULE)
            if len(of_rule) > SHOWN_PER_RULE:
                st.caption(t("more").format(n=len(of_rule) - SHOWN_PER_RULE))
