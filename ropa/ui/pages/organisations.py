"""Organisations: the controllers and processors in the register, with their DPO (Art. 37) and
EU representative (Art. 27); create, edit and delete.

Only choices and drawing here: the writes are :mod:`ropa.register`'s, the labels the field table's.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ropa import db, review, vocab
from ropa.audit import local_time
from ropa.errors import MESSAGE_LANG, Conflict, NotFound, ValidationFailed
from ropa.fields import ORGANISATION, ORGANISATION_FIELDS
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, delete_organisation, list_organisations, organisation_dict, organisation_sizes, update_organisation
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import errors, signin, state
from ropa.ui import record_forms as forms
from ropa.ui.signin import current_actor

ui = state.lang()
TEXT = {
    "title": ("Virksomheter", "Organisations"),
    "intro": (
        "Behandlingsansvarlige og databehandlere i protokollen med kontaktopplysninger, personvernombud (art. 37) "
        "og representant i EU/EØS (art. 27) – det artikkel 30 nr. 1 bokstav a og nr. 2 bokstav a krever.",
        "The controllers and processors in the register with their contact details, data protection officer "
        "(Art. 37) and EU representative (Art. 27) – what Art. 30(1)(a) and 30(2)(a) ask for.",
    ),
    "nothing_to_edit": (
        "Ingen virksomhet å redigere ennå: opprett den første under «Ny virksomhet».",
        "No organisation to edit yet: create the first under 'New organisation'.",
    ),
    "empty": (
        "Registeret har ingen virksomheter ennå. Opprett den første under «Ny virksomhet», eller les inn en protokoll på importsiden.",
        "The register has no organisations yet. Create the first one under 'New organisation', or read in a register on the Import page.",
    ),
    "activities": ("Behandlingsaktiviteter", "Activities"),
    "recipients": ("Mottakere", "Recipients"),
    "tab_edit": ("Rediger", "Edit"),
    "tab_new": ("Ny virksomhet", "New organisation"),
    "pick": ("Virksomhet som skal redigeres", "Organisation to edit"),
    "general": ("Virksomheten", "The organisation"),
    "version": ("Du redigerer versjon {version}, sist endret {at}.", "You are editing version {version}, last changed {at}."),
    "save": ("Lagre endringene", "Save changes"),
    "create": ("Opprett virksomheten", "Create the organisation"),
    "saved": ("Lagret «{name}».", "Saved '{name}'."),
    "created": ("Opprettet «{name}». Den er nå valgt under «Rediger».", "Created '{name}'. It is now selected under 'Edit'."),
    "unchanged": ("Ingen endringer å lagre.", "No changes to save."),
    "reload": ("Hent gjeldende versjon (forkast mine endringer)", "Load the current version (discard my changes)"),
    "conflict_hint": (
        "Dine endringer står fortsatt i skjemaet. Hent gjeldende versjon og gjør endringene på nytt.",
        "Your changes are still in the form. Load the current version and make your changes again.",
    ),
    "duplicate": ("Det finnes allerede en virksomhet med dette navnet.", "There already is an organisation with this name."),
    "gone": ("«{name}» finnes ikke lenger (noen kan ha slettet den).", "'{name}' no longer exists (someone may have deleted it)."),
    "delete": ("Slett virksomheten …", "Delete the organisation …"),
    "confirm": (
        "Vil du slette «{name}» med {activities} behandlingsaktiviteter og {recipients} mottakere? Revisjonssporet "
        "beholder historikken, men selve postene forsvinner fra protokollen.",
        "Delete '{name}' with its {activities} activities and {recipients} recipients? The audit trail keeps "
        "their history, but the records leave the register.",
    ),
    "confirm_yes": ("Ja, slett", "Yes, delete"),
    "cancel": ("Avbryt", "Cancel"),
    "deleted": ("Slettet «{name}».", "Deleted '{name}'."),
    "interval": ("Gjennomgang hver (måneder)", "Review every (months)"),
    "interval_head": ("Gjennomgangsintervall", "Review interval"),
    "interval_help": (
        "Måneder fra en godkjenning til neste gjennomgang (1–60, standard 12). Gjelder godkjenninger fra nå av; Mine oppgaver varsler 30 dager før.",
        "Months from an approval to the next review (1–60, default 12). Applies to approvals from now on; My tasks reminds 30 days ahead.",
    ),
    "interval_save": ("Lagre intervallet", "Save the interval"),
    "interval_saved": ("«{name}»: gjennomgang hver {months}. måned.", "'{name}': review every {months} months."),
    "interval_readonly": (
        "Bare administrator eller personvernombud kan endre intervallet.",
        "Only an admin or data protection officer can change the interval.",
    ),
    "new_intro": (
        "Fyll inn det du vet; bare navnet er påkrevd. Behandlingsaktiviteter og mottakere legger du til etterpå.",
        "Fill in what you know; only the name is required. Activities and recipients come afterwards.",
    ),
}


t = state.words(TEXT)


GENERAL = [s for s in ORGANISATION_FIELDS if "." not in s.key]
DPO = [s for s in ORGANISATION_FIELDS if s.key.startswith("dpo.")]
REPRESENTATIVE = [s for s in ORGANISATION_FIELDS if s.key.startswith("representative.")]
KEYS = [s.key for s in ORGANISATION_FIELDS]
EDIT, NEW = "orgedit_", "orgnew_"
MESSAGES = {"duplicate": t("duplicate")}


def _heading(key: str) -> str:
    spec = ORGANISATION[key]
    return f"{spec.label(ui)} ({vocab.article_in(spec.article, ui)})" if spec.article else spec.label(ui)


def _form_fields(prefix: str, errors: dict[str, list[str]]) -> None:
    """Every field of the table, in three groups: the organisation, its DPO, its representative."""
    st.markdown(f"**{t('general')}**")
    left, right = st.columns(2)
    for i, spec in enumerate(GENERAL):
        with left if i % 2 == 0 else right:
            forms.field_widget(spec, prefix + spec.key, ui, errors)
    for group, head in ((DPO, "dpo.name"), (REPRESENTATIVE, "representative.name")):
        st.markdown(f"**{_heading(head)}**")
        columns = st.columns(len(group))
        for column, spec in zip(columns, group):
            with column:
                forms.field_widget(spec, prefix + spec.key, ui, errors)


def _errors(outcome: dict[str, Any] | None) -> dict[str, list[str]]:
    return dict((outcome or {}).get("errors") or {})


# ---------------------------------------------------------------------------------------------
# Callbacks (they run before the page is drawn, so they may reset the widgets)


def _save() -> None:
    loaded = st.session_state.get("orgs_loaded")
    if not loaded:
        return
    data = forms.read(EDIT, ORGANISATION_FIELDS)
    try:
        with db.transaction(state.engine()) as s:
            org = update_organisation(s, loaded["name"], forms.nest(data), expected_version=loaded["version"], actor=current_actor(), source="dashboard")
            name, unchanged = org.name, org.version == loaded["version"]  # the registry writes nothing then
    except ValidationFailed as err:
        st.session_state["orgs_outcome"] = forms.split_problems(forms.problems_by_field(err, ui, MESSAGES), KEYS)
    except Conflict as err:
        st.session_state["orgs_outcome"] = {"conflict": forms.conflict_view(err, ORGANISATION, ui)}
    except NotFound:
        st.session_state["orgs_outcome"] = {"error": t("gone").format(name=loaded["name"])}
    except Exception as err:  # noqa: BLE001 - shown as a sentence, logged with its traceback
        st.session_state["orgs_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        if unchanged:
            state.flash(t("unchanged"))
            st.session_state["orgs_outcome"] = None
            return
        state.flash(t("saved").format(name=name))
        st.session_state["orgs_loaded"] = None
        st.session_state["org_pick"] = name


def _create() -> None:
    data = forms.read(NEW, ORGANISATION_FIELDS)
    try:
        with db.transaction(state.engine()) as s:
            name = create_organisation(s, forms.nest(data), actor=current_actor(), source="dashboard").name
    except ValidationFailed as err:
        st.session_state["orgs_new_outcome"] = forms.split_problems(forms.problems_by_field(err, ui, MESSAGES), KEYS)
    except Exception as err:  # noqa: BLE001
        st.session_state["orgs_new_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        st.session_state["orgs_new_outcome"] = None
        state.flash(t("created").format(name=name))
        forms.clear(NEW, ORGANISATION_FIELDS)
        st.session_state["orgs_loaded"] = None
        st.session_state["org_pick"] = name


def _save_interval(name: str) -> None:
    st.session_state.pop("orgs_interval_failed", None)
    months = int(st.session_state.get("org_interval") or 0)
    token = MESSAGE_LANG.set(ui)
    try:
        with db.transaction(state.engine()) as s:
            review.set_interval(s, name, months, actor=current_actor(), source="dashboard")
    except Exception as err:  # noqa: BLE001 - drawn as words (ropa.ui.errors), logged there when unexpected
        st.session_state["orgs_interval_failed"] = err
    else:
        state.flash(t("interval_saved").format(name=name, months=months))
        st.session_state.pop("org_interval_for", None)
    finally:
        MESSAGE_LANG.reset(token)


def _reload() -> None:
    st.session_state["orgs_loaded"] = None


def _ask_delete(name: str) -> None:
    st.session_state["orgs_confirm_delete"] = name


def _cancel_delete() -> None:
    st.session_state["orgs_confirm_delete"] = None


def _delete() -> None:
    loaded = st.session_state.get("orgs_loaded")
    st.session_state["orgs_confirm_delete"] = None
    if not loaded:
        return
    try:
        with db.transaction(state.engine()) as s:
            delete_organisation(s, loaded["name"], actor=current_actor(), expected_version=loaded["version"], source="dashboard")
    except Conflict as err:
        st.session_state["orgs_outcome"] = {"conflict": forms.conflict_view(err, ORGANISATION, ui)}
    except NotFound:
        st.session_state["orgs_outcome"] = {"error": t("gone").format(name=loaded["name"])}
    except Exception as err:  # noqa: BLE001
        st.session_state["orgs_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        state.flash(t("deleted").format(name=loaded["name"]))
        st.session_state["orgs_loaded"] = None
        st.session_state.pop("org_pick", None)


# ---------------------------------------------------------------------------------------------
# The page

st.title(t("title"))
st.caption(t("intro"))

state.show_flash()

with db.session(state.engine()) as s:
    orgs = list_organisations(s)
    sizes = organisation_sizes(s)
    rows = [
        {
            ORGANISATION["name"].label(ui): o.name,
            ORGANISATION["country"].label(ui): vocab.country_name(o.country, ui),
            ORGANISATION["org_number"].label(ui): o.org_number or "",
            ORGANISATION["dpo.name"].label(ui): o.dpo_name or o.dpo_email or "",
            ORGANISATION["representative.name"].label(ui): " · ".join(
                x for x in (o.representative_name, vocab.country_name(o.representative_country, ui)) if x
            ),
            t("activities"): sizes.get(o.name, (0, 0))[0],
            t("recipients"): sizes.get(o.name, (0, 0))[1],
            t("interval"): review.interval_months(s, o),
        }
        for o in orgs
    ]
names = [o.name for o in orgs]

if rows:
    st.dataframe(safe_table(rows), hide_index=True, width="stretch")
else:
    st.info(t("empty"), icon=":material/domain_add:")

edit_tab, new_tab = st.tabs([t("tab_edit"), t("tab_new")])

with edit_tab:
    if not names:
        st.caption(t("nothing_to_edit"))
    else:
        handed = st.session_state.pop("open_organisation", None)  # from the findings page
        if handed in names:
            st.session_state["org_pick"] = handed
        elif st.session_state.get("org_pick") not in names:
            st.session_state["org_pick"] = state.org() if state.org() in names else names[0]
        pick = st.selectbox(t("pick"), names, placeholder=state.t("Velg …", "Choose …"), key="org_pick")

        loaded = st.session_state.get("orgs_loaded")
        if not loaded or loaded["name"] != pick or not forms.filled(EDIT, ORGANISATION_FIELDS):
            with db.session(state.engine()) as s:
                org = get_organisation(s, pick)
                values = forms.flatten(organisation_dict(org), ORGANISATION_FIELDS)
                loaded = {"name": org.name, "version": org.version, "values": values, "at": local_time(org.updated_at, ui)}
            st.session_state["orgs_loaded"] = loaded
            st.session_state["orgs_outcome"] = None
            st.session_state["orgs_confirm_delete"] = None
            forms.fill(EDIT, ORGANISATION_FIELDS, values)

        outcome = st.session_state.get("orgs_outcome")
        st.caption(t("version").format(version=loaded["version"], at=loaded["at"]))
        forms.show_outcome(outcome)
        if outcome and outcome.get("conflict"):
            st.info(t("conflict_hint"))
            st.button(t("reload"), on_click=_reload, key="orgs_reload", icon=":material/refresh:")

        with st.form("org_edit_form", border=True):
            _form_fields(EDIT, _errors(outcome))
            st.form_submit_button(t("save"), type="primary", icon=":material/save:", on_click=_save, key="orgedit_submit")

        st.markdown(f"**{t('interval_head')}**")
        may_set = review.can_set_interval(signin.principal(), pick)
        if st.session_state.get("org_interval_for") != pick:
            with db.session(state.engine()) as s:
                st.session_state["org_interval"] = review.interval_months(s, get_organisation(s, pick))
            st.session_state["org_interval_for"] = pick
            st.session_state.pop("orgs_interval_failed", None)
        failed = st.session_state.get("orgs_interval_failed")
        if failed is not None:
            errors.show(failed)
        with st.form("org_interval_form", border=True):
            st.number_input(t("interval"), min_value=1, max_value=60, step=1, key="org_interval", help=t("interval_help"), disabled=not may_set)
            if not may_set:
                st.caption(t("interval_readonly"))
            st.form_submit_button(
                t("interval_save"), on_click=_save_interval, args=(pick,), key="org_interval_submit", disabled=not may_set, icon=":material/event_repeat:"
            )

        if st.session_state.get("orgs_confirm_delete") == pick:
            n_acts, n_recs = sizes.get(pick, (0, 0))
            st.warning(t("confirm").format(name=markdown(pick), activities=n_acts, recipients=n_recs), icon=":material/warning:")
            yes, no = st.columns(2)
            yes.button(t("confirm_yes"), type="primary", on_click=_delete, key="orgs_delete_yes", icon=":material/delete_forever:")
            no.button(t("cancel"), on_click=_cancel_delete, key="orgs_delete_no")
        else:
            st.button(t("delete"), on_click=_ask_delete, args=(pick,), key="orgs_delete", icon=":material/delete:")

with new_tab:
    st.caption(t("new_intro"))
    new_outcome = st.session_state.get("orgs_new_outcome")
    forms.show_outcome(new_outcome)
    for spec in ORGANISATION_FIELDS:  # defaults, so a cleared form starts empty
        if NEW + spec.key not in st.session_state:
            st.session_state[NEW + spec.key] = False if spec.kind == "bool" else None if spec.kind == "yesno" else [] if spec.kind == "countries" else ""
    with st.form("org_new_form", border=True):
        _form_fields(NEW, _errors(new_outcome))
        st.form_submit_button(t("create"), type="primary", icon=":material/add_business:", on_click=_create, key="orgnew_submit")
