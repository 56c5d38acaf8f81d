"""Overview: the register's headline figures, where they come from, and where data go.

Figures come from :func:`ropa.stats.overview` (SQL aggregates); every figure opens what is
behind it: "show" under a number, a click on a bar or on a country in the list beside the map
opens the activities list with the filter that produced it. The bars are Streamlit's own buttons
and the map a picture the server draws from country shapes shipped with the app (:mod:`ropa.geo`):
no chart library for the browser to load first, and nothing asked of the internet.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from ropa import checks, db, review, stats, vocab
from ropa.register.activities import ActivityFilter
from ropa.text import markdown
from ropa.ui import barchart, look, signin, state, worldmap

t = state.t
lang = state.lang()
st.title(t("Oversikt", "Overview"))
org = state.org()
st.caption(t("Nåværende behandlingsaktiviteter (ikke avsluttede)", "Current processing activities (not retired)") + (f" · {markdown(org)}" if org else ""))

ov = state.overview(org, date.today())  # the figures, kept until the register changes
with db.session(state.engine()) as s:
    my_tasks = review.counts(review.tasks(s, signin.principal()))
if any(my_tasks.values()):
    st.page_link(
        "ropa/ui/pages/tasks.py",
        icon=":material/task_alt:",
        label=t(
            "Mine oppgaver: {overdue} forfalt, {due} snart, {returned} sendt tilbake, {awaiting_approval} venter på godkjenning",
            "My tasks: {overdue} overdue, {due} due soon, {returned} returned, {awaiting_approval} awaiting approval",
        ).format(**my_tasks),
    )
if not ov.figures["activities"].value:
    st.info(
        t(
            "Ingen behandlingsaktiviteter ennå. Opprett en under «Rediger aktivitet», eller importer et regneark under «Import».",
            "No processing activities yet. Create one under 'Edit activity', or import a spreadsheet under 'Import'.",
        )
    )

LABELS = {
    "organisations": ("Virksomheter", "Organisations"),
    "activities": ("Behandlingsaktiviteter", "Processing activities"),
    "special_categories": ("Med særlige kategorier", "With special categories"),
    "transfers_outside_eea": ("Overføringer ut av EØS", "Transfers outside the EEA"),
    "transfers_without_mechanism": ("Overføringer uten grunnlag", "Transfers without a mechanism"),  # short: a metric's label is one line
    "retention_unspecified": ("Aktiviteter uten fastsatt lagringstid", "Retention not specified"),
    "reviews_due": ("Gjennomgang forfalt", "Reviews due"),
}
HELP = {
    "transfers_outside_eea": (
        "Antall overføringer; «Vis» lister aktivitetene som har dem.",
        "Number of transfers; 'Show' lists the activities that have them.",
    ),
    "transfers_without_mechanism": (
        "Antall overføringer til tredjestat eller internasjonal organisasjon uten overføringsgrunnlag: "
        "de samme som funnene «Overføring til tredjestat eller internasjonal organisasjon uten overføringsgrunnlag»; «Vis» lister aktivitetene.",
        "Number of transfers to a third country or international organisation without a mechanism: the same "
        "as the findings 'Transfer to a third country or international organisation without a mechanism'; 'Show' lists the activities.",
    ),
    "reviews_due": (
        "Antall aktiviteter der neste planlagte gjennomgang er i dag eller tidligere (fra dagen etter gir den funnet «Gjennomgang på overtid»). "
        "Aktiviteter som aldri er gjennomgått og ikke har noen gjennomgang planlagt, telles ikke her: de står under "
        "«Funn» som «Aldri gjennomgått, ingen gjennomgang planlagt».",
        "Number of activities whose next planned review is today or earlier (from the day after, it is the finding 'Review overdue'). Activities never "
        "reviewed and with no review planned are not counted here: they are under 'Findings' as 'Never reviewed, "
        "no review planned'.",
    ),
    "retention_unspecified": (
        "Antall aktiviteter uten lagringstid, med bare vag tekst («så lenge det er nødvendig») eller uten "
        "sluttpunkt («inntil videre»): de samme som funnene «Lagringstiden er ikke angitt».",
        "Number of activities with no retention period, only vague wording ('as long as necessary') or an "
        "open-ended one ('until further notice'): the same as the findings 'Retention not specified'.",
    ),
}


def open_list(key: str) -> None:
    st.session_state["activity_filter"] = ov.figures[key].filter
    st.session_state["activity_filter_label"] = t(*LABELS[key])


keys = list(LABELS)
cols = [c for row in (keys[:4], keys[4:]) for c in st.columns(4)[: len(row)]]


def figure(col: Any, key: str) -> None:
    fig = ov.figures[key]
    with col:
        st.metric(t(*LABELS[key]), fig.value, help=t(*HELP[key]) if key in HELP else None)
        if key == "organisations":
            if st.button(t("Vis", "Show"), key="show_organisations", icon=":material/arrow_forward:", type="tertiary"):
                st.switch_page("ropa/ui/pages/organisations.py")
        elif fig.filter is not None and fig.value:
            if st.button(t("Vis", "Show"), key=f"show_{key}", icon=":material/arrow_forward:", type="tertiary"):
                open_list(key)
                st.switch_page("ropa/ui/pages/activities.py")


# The register's own figures first, then those that count findings: the findings take longest
# (all of them are judged once after a start), and the page is drawn as it goes.
for col, key in zip(cols[:4], keys[:4]):
    figure(col, key)
found = state.findings([org] if org else None)
findings = checks.summarise(found)
ov.figures.update(stats.finding_figures(found, org))
for col, key in zip(cols[4:], keys[4:]):
    figure(col, key)

for col, sev in zip(st.columns(3), checks.SEVERITIES):
    with col:
        st.metric(f":{look.SEVERITY_COLOURS[sev]}[{look.SEVERITY_ICONS[sev]}] {t('Funn', 'Findings')}: {checks.severity_label(sev, lang)}", findings[sev])
        if findings[sev] and st.button(t("Vis", "Show"), key=f"show_findings_{sev}", icon=":material/arrow_forward:", type="tertiary"):
            st.session_state["fnd_sev"] = [sev]
            st.switch_page("ropa/ui/pages/findings.py")

base = ov.figures["activities"].filter
assert base is not None  # (the activities figure always has the filter that lists them)


def bars(rows: list[tuple[str, str, int]], key: str) -> list[str]:
    """Horizontal bars with whole labels, in the rows' order; the codes of the bar clicked."""
    return barchart.bars(
        rows,
        key,
        more=lambda n: t(f"{n} til: velg for å se aktivitetene", f"{n} more: choose one to see its activities"),
    )


def show_activities(flt: ActivityFilter, what: str) -> None:
    st.session_state["activity_filter"] = flt
    st.session_state["activity_filter_label"] = what
    st.switch_page("ropa/ui/pages/activities.py")


st.divider()
st.caption(t("Klikk på en stolpe for å se aktivitetene bak den.", "Click a bar to see the activities behind it."))
left, right = st.columns(2)
with left:
    st.subheader(t("Behandlingsgrunnlag", "Legal basis"))
    for code in bars([(c, vocab.LEGAL_BASES[c].display(lang), n) for c, n in ov.by_legal_basis.items()], "chart_basis"):
        show_activities(replace(base, legal_basis=[code]), vocab.LEGAL_BASES[code].display(lang))
    st.subheader("Status")
    # The same order in both languages: the life of an activity, not the alphabet.
    for code in bars([(c, vocab.STATUSES[c].label(lang).capitalize(), ov.by_status.get(c, 0)) for c in vocab.STATUSES], "chart_status"):
        # The status chart counts retired activities too: its filter is the status alone.
        show_activities(ActivityFilter(org=org, status=[code]), f"Status: {vocab.STATUSES[code].label(lang)}")
with right:
    st.subheader(t("Per virksomhet", "By organisation"))
    for code in bars([(name, name, n) for name, n in ov.by_organisation.items()], "chart_org"):
        show_activities(replace(base, org=code), code)

st.divider()
st.subheader(t("Hvor opplysningene overføres", "Where personal data are transferred"))
if not ov.destinations:
    st.caption(t("Ingen overføringer er registrert.", "No transfers are recorded."))
else:
    legend = " · ".join(f"<span style='color:{c}'>●</span> {vocab.COUNTRY_STATUSES[k].label(lang)}" for k, c in stats.STATUS_COLOURS.items())
    st.markdown(legend, unsafe_allow_html=True)
    map_col, list_col = st.columns([3, 2])
    with map_col:
        # An SVG picture, one line of markup the server built from shipped shapes (ropa.ui.worldmap).
        st.markdown(worldmap.svg(ov.destinations, lang, t("Overføringer", "Transfers")), unsafe_allow_html=True)
    with list_col:
        st.caption(t("Overføringer per land; klikk for å se aktivitetene.", "Transfers by country; click to see the activities."))
        rows = [
            (
                d["country"],
                # The status as the legend names it (the conditions of an adequacy are on the activity's findings).
                f"{vocab.country_name(d['country'], lang)} ({d['country']})" + (f" · {vocab.COUNTRY_STATUSES[d['status']].label(lang)}" if d["status"] else ""),
                d["transfers"],
            )
            for d in ov.destinations
        ]
        for country in bars(rows, "destinations"):
            show_activities(replace(base, country=[country]), f"{t('Overføring til', 'Transfer to')} {vocab.country_name(country, lang)}")
