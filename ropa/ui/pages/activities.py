"""Processing activities: a searchable, filterable, paginated list; open one to see all of it,
its findings and its history, and edit, duplicate, retire or delete it.

Filtering and paging happen in SQL (:class:`ropa.register.activities.ActivityFilter`), so a register of
10,000 activities loads one page at a time.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ropa import audit, checks, db, present, vocab
from ropa.errors import Conflict, NotFound, RopaError
from ropa.register.activities import (
    ActivityFilter,
    activity_dict,
    count_activities,
    delete_activity,
    duplicate_activity,
    get_activity,
    list_activities,
    retire_activity,
)
from ropa.register.audit import activity_history
from ropa.register.organisations import list_organisations, organisation_dict
from ropa.register.recipients import list_recipients, recipient_dict
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import errors, look, state
from ropa.ui.signin import current_actor

PAGE_SIZE = 50
t = state.t
lang = state.lang()
if st.session_state.pop("activities_to_editor", False):  # "Edit" was clicked: open the editor before drawing the list again
    st.switch_page("ropa/ui/pages/editor.py")
state.show_flash()
st.title(t("Behandlingsaktiviteter", "Processing activities"))

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.info(
        t(
            "Registeret er tomt. Opprett en virksomhet under «Virksomheter», eller importer et regneark.",
            "The register is empty. Create an organisation under 'Organisations', or import a spreadsheet.",
        )
    )
    st.stop()


def _labels(terms: dict[str, vocab.Term], display: bool = False):  # noqa: ANN202
    return lambda code: (terms[code].display(lang) if display else terms[code].label(lang)) if code in terms else code


# --- Filters -------------------------------------------------------------------------------------
preset = st.session_state.get("activity_filter")
if preset is not None:
    c1, c2 = st.columns([5, 1])
    c1.info(f"{t('Filter fra oversikten', 'Filter from the overview')}: {markdown(st.session_state.get('activity_filter_label', ''))}")
    if c2.button(t("Fjern filter", "Clear filter"), icon=":material/filter_alt_off:"):
        st.session_state.pop("activity_filter", None)
        st.rerun()
    flt = preset
else:
    # Filters live in widget state, which Streamlit forgets on another page: keep a copy, so the
    # search is still there when the user comes back to the list.
    FILTER_KEYS = ("f_org", "f_status", "f_role", "f_basis", "f_country", "f_special", "f_text")
    for k in FILTER_KEYS:
        if k not in st.session_state and f"keep_{k}" in st.session_state:
            st.session_state[k] = st.session_state[f"keep_{k}"]
    with st.container(border=True):
        c = st.columns([2, 2, 2, 2])
        focus = state.org()
        if st.session_state.get("f_org") not in (None, *org_names):
            st.session_state.pop("f_org", None)
        org = c[0].selectbox(
            t("Virksomhet", "Organisation"),
            [None, *org_names],
            index=0 if "f_org" in st.session_state else (org_names.index(focus) + 1 if focus in org_names else 0),
            format_func=lambda n: t("Alle", "All") if n is None else n,
            key="f_org",
            placeholder=t("Alle", "All"),
        )  # None is shown as the placeholder
        status = c[1].multiselect("Status", list(vocab.STATUSES), format_func=_labels(vocab.STATUSES), key="f_status", placeholder=t("Alle", "All"))
        role = c[2].multiselect(t("Rolle", "Role"), list(vocab.ROLES), format_func=_labels(vocab.ROLES), key="f_role", placeholder=t("Alle", "All"))
        bases = c[3].multiselect(
            t("Behandlingsgrunnlag", "Legal basis"),
            list(vocab.LEGAL_BASES),
            format_func=_labels(vocab.LEGAL_BASES, display=True),
            key="f_basis",
            placeholder=t("Alle", "All"),
        )
        c = st.columns([2, 2, 4])
        countries = c[0].multiselect(
            t("Mottakerland", "Destination country"),
            [code for code, _ in vocab.countries(lang)],
            format_func=lambda code: vocab.country_name(code, lang),
            key="f_country",
            placeholder=t("Alle", "All"),
        )
        special = c[1].selectbox(
            t("Særlige kategorier", "Special categories"),
            [None, True, False],
            key="f_special",
            placeholder=t("Alle", "All"),
            format_func=lambda v: {None: t("Alle", "All"), True: t("Ja", "Yes"), False: t("Nei", "No")}[v],
        )
        text = c[2].text_input(t("Søk i navn, formål og beskrivelse", "Search name, purpose and description"), key="f_text")
    for k in FILTER_KEYS:
        if k in st.session_state:
            st.session_state[f"keep_{k}"] = st.session_state[k]
    flt = ActivityFilter(
        org=org, status=status or None, role=role or None, legal_basis=bases or None, country=countries or None, special_categories=special, text=text or None
    )

with db.session(state.engine()) as s:
    try:
        total = count_activities(s, flt)
    except NotFound as err:
        st.error(markdown(err))
        st.stop()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    c1, c2 = st.columns([4, 1])
    page = c2.number_input(t("Side", "Page"), min_value=1, max_value=pages, value=1, step=1, key="f_page") if pages > 1 else 1
    c1.caption(t(f"{total} behandlingsaktiviteter · side {page} av {pages}", f"{total} processing activities · page {page} of {pages}"))
    rows = list_activities(s, filter=flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    keys = [(a.organisation.name if a.organisation else "", a.ref) for a in rows]
    badges = state.finding_counts()  # kept current change by change, shared with the overview
    table = pd.DataFrame(
        [
            {
                t("Virksomhet", "Organisation"): a.organisation.name if a.organisation else "",
                "Ref": a.ref,
                t("Funn", "Findings"): look.badge(badges.get(key, {})),  # in sight, not past the table's right edge
                t("Behandlingsaktivitet", "Processing activity"): a.name,
                t("Rolle", "Role"): vocab.term_label(vocab.ROLES, a.role, lang),
                "Status": vocab.term_label(vocab.STATUSES, a.status, lang),
                t("Behandlingsgrunnlag", "Legal basis"): ", ".join(vocab.LEGAL_BASES[b.code].article or b.code for b in a.bases if b.code in vocab.LEGAL_BASES),
                t("Overføringer", "Transfers"): ", ".join(sorted({tr.country for tr in a.transfers if tr.country})),
                t("Neste gjennomgang", "Next review"): a.next_review or "",
            }
            for a, key in zip(rows, keys)
        ]
    )

if total == 0:
    st.info(t("Ingen aktiviteter passer filteret.", "No activity matches the filter."))
else:
    # The whole page of rows at once (no inner scroll box): 35 px a row plus the header.
    picked = st.dataframe(
        safe_table(table),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="activity_table",
        width="stretch",
        height=min(35 * (len(table) + 1) + 3, 35 * (PAGE_SIZE + 1) + 3),
        placeholder="",
    )
    signs = look.BADGE_SIGNS
    st.caption(
        t(
            f"{signs['error']} feil · {signs['warning']} advarsler · {signs['info']} merknader.",
            f"{signs['error']} errors · {signs['warning']} warnings · {signs['info']} notes.",
        )
    )  # "select a row" follows below
    if picked and picked.selection.rows:
        st.session_state["open_activity"] = keys[picked.selection.rows[0]]

c1, c2 = st.columns([1, 5])
if c1.button(t("Ny aktivitet", "New activity"), icon=":material/add:", type="primary"):
    st.session_state["edit_activity"] = None
    st.switch_page("ropa/ui/pages/editor.py")

# --- One activity ------------------------------------------------------------------------------------
opened = st.session_state.get("open_activity")
if not opened:
    st.caption(t("Velg en rad for å se hele aktiviteten.", "Select a row to see the whole activity."))
    st.stop()

org_name, ref = opened
with db.session(state.engine()) as s:
    try:
        act = get_activity(s, org_name, ref)
    except NotFound:
        st.session_state.pop("open_activity", None)
        st.warning(markdown(t(f"{org_name} {ref} finnes ikke lenger.", f"{org_name} {ref} no longer exists.")))
        st.stop()
    data = activity_dict(act)
    version = act.version
    assert act.organisation is not None  # (loaded with the activity)
    org_doc = organisation_dict(act.organisation)
    recipients = {r.name: recipient_dict(r) for r in list_recipients(s, org_name)}
    history = activity_history(s, org_name, ref)

st.divider()
st.subheader(f"{markdown(ref)} · {markdown(data['name'])}")
st.caption(f"{markdown(org_name)} · {vocab.term_label(vocab.STATUSES, data['status'], lang)} · {t('versjon', 'version')} {version}")

found = checks.activity_findings(data, org_name, org=org_doc, recipients=recipients)

b = st.columns(5)


def _edit(target: tuple[str, str]) -> None:
    st.session_state["edit_activity"] = target
    st.session_state["activities_to_editor"] = True


try:  # a link opens the editor in one run (the record in its address); a button first reruns this page to switch
    b[0].page_link("ropa/ui/pages/editor.py", label=t("Rediger", "Edit"), icon=":material/edit:", query_params={"org": org_name, "ref": ref})
except StreamlitPageNotFoundError:  # this page run on its own, without the app's navigation (tests)
    b[0].button(t("Rediger", "Edit"), icon=":material/edit:", type="primary", on_click=_edit, args=((org_name, ref),))


def _act(action, message: str) -> None:  # noqa: ANN001
    try:
        with db.transaction(state.engine()) as s:
            action(s)
    except Conflict as err:
        st.error(markdown(err))
    except RopaError as err:
        st.error(markdown(err))
    except Exception as err:  # noqa: BLE001
        errors.show(err)
    else:
        state.flash(message)
        st.rerun()


if b[1].button(t("Dupliser", "Duplicate"), icon=":material/content_copy:"):

    def dup(s):  # noqa: ANN001, ANN202
        new = duplicate_activity(s, org_name, ref, actor=current_actor(), source="dashboard")
        st.session_state["open_activity"] = (org_name, new.ref)

    _act(dup, t("Kopiert som utkast", "Copied as a draft"))
if data["status"] != "retired" and b[2].button(t("Avslutt", "Retire"), icon=":material/archive:"):
    _act(
        lambda s: retire_activity(s, org_name, ref, expected_version=version, actor=current_actor(), source="dashboard"),
        t("Aktiviteten er avsluttet", "The activity is retired"),
    )
if b[3].button(t("Slett …", "Delete …"), icon=":material/delete:"):
    st.session_state["confirm_delete"] = (org_name, ref)
if st.session_state.get("confirm_delete") == (org_name, ref):
    st.warning(
        t(
            f"Slette {markdown(ref)} for godt? Historikken beholdes, men aktiviteten forsvinner fra protokollen. «Avslutt» beholder den.",
            f"Delete {markdown(ref)} for good? Its history stays, but the activity leaves the register. 'Retire' keeps it.",
        )
    )
    y, n = st.columns([1, 5])
    if y.button(t("Ja, slett", "Yes, delete"), type="primary"):
        st.session_state.pop("confirm_delete", None)
        st.session_state.pop("open_activity", None)
        _act(lambda s: delete_activity(s, org_name, ref, actor=current_actor(), expected_version=version, source="dashboard"), t("Slettet", "Deleted"))
    if n.button(t("Avbryt", "Cancel")):
        st.session_state.pop("confirm_delete", None)
        st.rerun()

tab_all, tab_findings, tab_history = st.tabs(
    [
        t("Alle opplysninger", "Everything recorded"),
        f"{t('Funn', 'Findings')} ({len(found)})",
        f"{t('Historikk', 'History')} ({len(history)})",
    ]
)
with tab_all:
    ctx = present.Context(lang=lang, org=org_doc)
    for col in present.ACTIVITY_COLUMNS:
        if col.hidden or col.key in ("organisation",):
            continue
        value = col.render(data, ctx)
        article = f" · {vocab.article_in(col.spec.article, lang)}" if col.spec.article else ""
        left, right = st.columns([1, 3])
        left.markdown(f"**{col.header(lang)}**{article}")
        right.text(value if value not in (None, "") else "—")
    if data["transfers"]:
        st.markdown(f"**{t('Overføringer', 'Transfers')}**")
        st.dataframe(
            safe_table(
                pd.DataFrame(
                    [
                        {
                            t("Land", "Country"): vocab.country_name(tr["country"], lang) if tr["country"] else tr["international_organisation"],
                            "Status": vocab.country_status_label(tr["country"], lang),
                            t("Grunnlag", "Mechanism"): vocab.MECHANISMS[tr["mechanism"]].display(lang)
                            if tr["mechanism"] in vocab.MECHANISMS
                            else tr["mechanism"],
                            t("Mottaker", "Recipient"): tr["recipient"],
                            t("Garantier", "Safeguard"): tr["safeguard"],
                            "TIA": tr["tia_date"],
                        }
                        for tr in data["transfers"]
                    ]
                )
            ),
            hide_index=True,
        )
with tab_findings:
    if not found:
        st.success(t("Ingen funn.", "No findings."))
    for f in found:
        box = {"error": st.error, "warning": st.warning}.get(f.severity, st.info)
        box(f"**{markdown(vocab.article_in(f.article, lang))}** · {markdown(f.message(lang))}\n\n→ {markdown(f.fix(lang))}")
with tab_history:
    if history:
        st.dataframe(
            safe_table(pd.DataFrame(audit.trail_rows(reversed(history), lang, with_record=False))),
            hide_index=True,
            width="stretch",
        )
