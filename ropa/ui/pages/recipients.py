"""Recipients: who an organisation discloses personal data to (Art. 30(1)(d)), shared by its
activities; create, edit and delete (a recipient an activity uses is kept).

Only choices and drawing here: the writes are :mod:`ropa.register`'s, the labels the field table's.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ropa import db, vocab
from ropa.errors import Conflict, NotFound, ValidationFailed
from ropa.fields import RECIPIENT, RECIPIENT_FIELDS, WORKBOOK
from ropa.grammar import agree, plural
from ropa.register.organisations import list_organisations
from ropa.register.recipients import (
    create_recipient,
    delete_recipient,
    get_recipient,
    list_recipients,
    may_delete_recipient,
    recipient_dict,
    recipients_in_use,
    update_recipient,
)
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import errors, state
from ropa.ui import record_forms as forms
from ropa.ui.signin import current_actor

ui = state.lang()
TEXT = {
    "title": ("Mottakere", "Recipients"),
    "intro": (
        "Mottakere eller kategorier av mottakere som personopplysningene utleveres til (art. 30 nr. 1 bokstav d). "
        "En mottaker deles av virksomhetens behandlingsaktiviteter: en endring her gjelder alle.",
        "Recipients or categories of recipients the personal data is disclosed to (Art. 30(1)(d)). A recipient "
        "is shared by the organisation's activities: a change here applies to all of them.",
    ),
    "no_orgs": (
        "Registeret har ingen virksomheter ennå. Opprett en virksomhet på siden «Virksomheter» først.",
        "The register has no organisations yet. Create one on the Organisations page first.",
    ),
    "org": ("Virksomhet", "Organisation"),
    "empty": (
        "«{org}» har ingen mottakere ennå. Legg til den første under «Ny mottaker», eller i en behandlingsaktivitet.",
        "'{org}' has no recipients yet. Add the first one under 'New recipient', or in an activity.",
    ),
    "unused": ("(ikke i bruk)", "(not used)"),
    "tab_edit": ("Rediger", "Edit"),
    "tab_new": ("Ny mottaker", "New recipient"),
    "pick": ("Mottaker som skal redigeres", "Recipient to edit"),
    "used_by": ("Brukes i {refs}. Endringer her gjelder alle disse behandlingsaktivitetene.", "Used by {refs}. Changes here apply to all of these activities."),
    "used_by_one": ("Brukes i {refs}. Endringer her gjelder også den behandlingsaktiviteten.", "Used by {refs}. Changes here apply to that activity too."),
    "not_used": ("Ingen behandlingsaktivitet bruker denne mottakeren.", "No activity uses this recipient."),
    "version": ("Du redigerer versjon {version}.", "You are editing version {version}."),
    "save": ("Lagre endringene", "Save changes"),
    "create": ("Legg til mottakeren", "Add the recipient"),
    "saved": ("Lagret «{name}».", "Saved '{name}'."),
    "created": ("La til «{name}» hos {org}.", "Added '{name}' to {org}."),
    "unchanged": ("Ingen endringer å lagre.", "No changes to save."),
    "reload": ("Hent gjeldende versjon (forkast mine endringer)", "Load the current version (discard my changes)"),
    "conflict_hint": (
        "Dine endringer står fortsatt i skjemaet. Hent gjeldende versjon og gjør endringene på nytt.",
        "Your changes are still in the form. Load the current version and make your changes again.",
    ),
    "duplicate": ("Virksomheten har allerede en mottaker med dette navnet.", "The organisation already has a recipient with this name."),
    "gone": ("«{name}» finnes ikke lenger (noen kan ha slettet den).", "'{name}' no longer exists (someone may have deleted it)."),
    "delete": ("Slett mottakeren …", "Delete the recipient …"),
    "in_use": (
        "«{name}» kan ikke slettes fordi {refs} bruker den. Fjern den fra disse behandlingsaktivitetene først.",
        "'{name}' cannot be deleted because {refs} {verb} it. Remove it from those activities first.",
    ),
    "in_use_one": (
        "«{name}» kan ikke slettes fordi {refs} bruker den. Fjern den fra behandlingsaktiviteten først.",
        "'{name}' cannot be deleted because {refs} {verb} it. Remove it from that activity first.",
    ),
    "in_use_now": (
        "«{name}» ble ikke slettet: den er tatt i bruk i mellomtiden ({detail}).",
        "'{name}' was not deleted: it has come into use meanwhile ({detail}).",
    ),
    "confirm": ("Vil du slette «{name}»? Revisjonssporet beholder historikken.", "Delete '{name}'? The audit trail keeps its history."),
    "confirm_yes": ("Ja, slett", "Yes, delete"),
    "cancel": ("Avbryt", "Cancel"),
    "deleted": ("Slettet «{name}».", "Deleted '{name}'."),
}


t = state.words(TEXT)


KEYS = [s.key for s in RECIPIENT_FIELDS]
KINDS = list(vocab.RECIPIENT_KINDS)
EDIT, NEW = "recedit_", "recnew_"
MESSAGES = {"duplicate": t("duplicate")}


def _form_fields(prefix: str, errors: dict[str, list[str]]) -> None:
    left, right = st.columns(2)
    for i, spec in enumerate(RECIPIENT_FIELDS):
        with left if i % 2 == 0 else right:
            forms.field_widget(spec, prefix + spec.key, ui, errors, options=KINDS, fmt=forms.code_format(vocab.RECIPIENT_KINDS, ui))


def _errors(outcome: dict[str, Any] | None) -> dict[str, list[str]]:
    return dict((outcome or {}).get("errors") or {})


# ---------------------------------------------------------------------------------------------
# Callbacks (they run before the page is drawn, so they may reset the widgets)


def _save() -> None:
    loaded = st.session_state.get("recs_loaded")
    if not loaded:
        return
    data = forms.read(EDIT, RECIPIENT_FIELDS)
    try:
        with db.transaction(state.engine()) as s:
            rec = update_recipient(s, loaded["org"], loaded["name"], data, expected_version=loaded["version"], actor=current_actor(), source="dashboard")
            name, unchanged = rec.name, rec.version == loaded["version"]  # the registry writes nothing then
    except ValidationFailed as err:
        st.session_state["recs_outcome"] = forms.split_problems(forms.problems_by_field(err, ui, MESSAGES), KEYS)
    except Conflict as err:
        st.session_state["recs_outcome"] = {"conflict": forms.conflict_view(err, RECIPIENT, ui)}
    except NotFound:
        st.session_state["recs_outcome"] = {"error": t("gone").format(name=loaded["name"])}
    except Exception as err:  # noqa: BLE001 - shown as a sentence, logged with its traceback
        st.session_state["recs_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        if unchanged:
            state.flash(t("unchanged"))
            st.session_state["recs_outcome"] = None
            return
        state.flash(t("saved").format(name=name))
        st.session_state["recs_loaded"] = None
        st.session_state["rec_pick"] = name


def _create(org: str) -> None:
    data = forms.read(NEW, RECIPIENT_FIELDS)
    try:
        with db.transaction(state.engine()) as s:
            name = create_recipient(s, org, data, actor=current_actor(), source="dashboard").name
    except ValidationFailed as err:
        st.session_state["recs_new_outcome"] = forms.split_problems(forms.problems_by_field(err, ui, MESSAGES), KEYS)
    except Exception as err:  # noqa: BLE001
        st.session_state["recs_new_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        st.session_state["recs_new_outcome"] = None
        state.flash(t("created").format(name=name, org=org))
        forms.clear(NEW, RECIPIENT_FIELDS)
        st.session_state["recs_loaded"] = None
        st.session_state["rec_pick"] = name


def _reload() -> None:
    st.session_state["recs_loaded"] = None


def _ask_delete(name: str) -> None:
    st.session_state["recs_confirm_delete"] = name


def _cancel_delete() -> None:
    st.session_state["recs_confirm_delete"] = None


def _delete() -> None:
    loaded = st.session_state.get("recs_loaded")
    st.session_state["recs_confirm_delete"] = None
    if not loaded:
        return
    try:
        with db.transaction(state.engine()) as s:
            delete_recipient(s, loaded["org"], loaded["name"], actor=current_actor(), expected_version=loaded["version"], source="dashboard")
    except ValidationFailed as err:  # an activity started using it meanwhile
        st.session_state["recs_outcome"] = {"other": [t("in_use_now").format(name=loaded["name"], detail=p.message) for p in err.problems]}
    except Conflict as err:
        st.session_state["recs_outcome"] = {"conflict": forms.conflict_view(err, RECIPIENT, ui)}
    except NotFound:
        st.session_state["recs_outcome"] = {"error": t("gone").format(name=loaded["name"])}
    except Exception as err:  # noqa: BLE001
        st.session_state["recs_outcome"] = {"error": errors.sentence(err, ui)}
    else:
        state.flash(t("deleted").format(name=loaded["name"]))
        st.session_state["recs_loaded"] = None
        st.session_state.pop("rec_pick", None)


# ---------------------------------------------------------------------------------------------
# The page

st.title(t("title"))
st.caption(t("intro"))
state.show_flash()

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.info(t("no_orgs"), icon=":material/domain_add:")
    st.stop()

handed = st.session_state.pop("open_recipient", None)  # (organisation, recipient) from the findings page
if handed and handed[0] in org_names:
    st.session_state["rec_org"] = handed[0]
    st.session_state["rec_pick"] = handed[1]
elif st.session_state.get("rec_org") not in org_names:
    st.session_state["rec_org"] = state.org() if state.org() in org_names else org_names[0]
org = st.selectbox(t("org"), org_names, placeholder=state.t("Velg …", "Choose …"), key="rec_org")

with db.session(state.engine()) as s:
    recipients = list_recipients(s, org)
    usage = recipients_in_use(s, org)
    rows = [
        {
            RECIPIENT["name"].label(ui): r.name,
            RECIPIENT["kind"].label(ui): vocab.term_label(vocab.RECIPIENT_KINDS, r.kind, ui),
            RECIPIENT["country"].label(ui): vocab.country_name(r.country, ui),
            WORKBOOK["country_status"].label(ui): vocab.country_status_label(r.country, ui),
            RECIPIENT["agreement"].label(ui): r.agreement or "",
            WORKBOOK["used_by"].label(ui): ", ".join(usage.get(r.name, [])) or t("unused"),
        }
        for r in recipients
    ]
names = [r.name for r in recipients]

if rows:
    st.dataframe(safe_table(rows), hide_index=True, width="stretch")
else:
    st.info(t("empty").format(org=markdown(org)), icon=":material/group_add:")

edit_tab, new_tab = st.tabs([t("tab_edit"), t("tab_new")])

with edit_tab:
    if not names:
        st.info(t("empty").format(org=markdown(org)), icon=":material/group_add:")
    else:
        if st.session_state.get("rec_pick") not in names:
            st.session_state["rec_pick"] = names[0]
        pick = st.selectbox(t("pick"), names, placeholder=state.t("Velg …", "Choose …"), key="rec_pick")

        loaded = st.session_state.get("recs_loaded")
        if not loaded or (loaded["org"], loaded["name"]) != (org, pick) or not forms.filled(EDIT, RECIPIENT_FIELDS):
            with db.session(state.engine()) as s:
                rec = get_recipient(s, org, pick)
                values = forms.flatten(recipient_dict(rec), RECIPIENT_FIELDS)
                loaded = {"org": org, "name": rec.name, "version": rec.version, "values": values}
            st.session_state["recs_loaded"] = loaded
            st.session_state["recs_outcome"] = None
            st.session_state["recs_confirm_delete"] = None
            forms.fill(EDIT, RECIPIENT_FIELDS, values)

        used = usage.get(pick, [])
        st.caption(
            (t(plural(len(used), "used_by_one", "used_by")).format(refs=markdown(", ".join(used))) if used else t("not_used"))
            + " "
            + t("version").format(version=loaded["version"])
        )
        outcome = st.session_state.get("recs_outcome")
        forms.show_outcome(outcome)
        if outcome and outcome.get("conflict"):
            st.info(t("conflict_hint"))
            st.button(t("reload"), on_click=_reload, key="recs_reload", icon=":material/refresh:")

        with st.form("rec_edit_form", border=True):
            _form_fields(EDIT, _errors(outcome))
            st.form_submit_button(t("save"), type="primary", icon=":material/save:", on_click=_save, key="recedit_submit")

        if not may_delete_recipient(used):
            st.info(
                t(plural(len(used), "in_use_one", "in_use")).format(name=markdown(pick), refs=markdown(", ".join(used)), verb=agree(len(used), "uses", "use")),
                icon=":material/link:",
            )
        elif st.session_state.get("recs_confirm_delete") == pick:
            st.warning(t("confirm").format(name=markdown(pick)), icon=":material/warning:")
            yes, no = st.columns(2)
            yes.button(t("confirm_yes"), type="primary", on_click=_delete, key="recs_delete_yes", icon=":material/delete_forever:")
            no.button(t("cancel"), on_click=_cancel_delete, key="recs_delete_no")
        else:
            st.button(t("delete"), on_click=_ask_delete, args=(pick,), key="recs_delete", icon=":material/delete:")

with new_tab:
    new_outcome = st.session_state.get("recs_new_outcome")
    forms.show_outcome(new_outcome)
    for spec in RECIPIENT_FIELDS:  # defaults, so a cleared form starts empty
        if NEW + spec.key not in st.session_state:
            st.session_state[NEW + spec.key] = "processor" if spec.key == "kind" else ""
    with st.form("rec_new_form", border=True):
        _form_fields(NEW, _errors(new_outcome))
        st.form_submit_button(t("create"), type="primary", icon=":material/group_add:", on_click=_create, args=(org,), key="recnew_submit")
