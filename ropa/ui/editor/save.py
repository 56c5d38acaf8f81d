"""The editor's save: a bar above the sections (Save, whether anything is unsaved, a new activity
instead with a question before unsaved changes are discarded) and Save again below them. A save
goes to the register with the version the user opened, so it never overwrites somebody else's."""

from __future__ import annotations

from typing import Any, Optional

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ropa import db
from ropa.errors import Conflict, ValidationFailed
from ropa.fields import ACTIVITY
from ropa.register import activities  # activities.x(): this module outlives a run, so a bound name would outlive a patch
from ropa.ui import record_forms as forms
from ropa.ui import state
from ropa.ui.editor import sections
from ropa.ui.editor.form import E, Form, drop_state
from ropa.ui.editor.notices import saved
from ropa.ui.errors import show as show_error
from ropa.ui.signin import current_actor

t = state.t


def bar(where: DeltaGenerator, f: Form, dirty: bool, org_name: str, ref: Optional[str], version: int) -> bool:
    """The save bar (drawn in ``where``, above the sections); True when its Save was clicked."""
    K = f.key
    with where:
        c = st.columns([1, 1, 3])
        clicked = button(f, "top", org_name, ref, version, where=c[0])
        if dirty:
            c[2].markdown(t(":orange[:material/edit: Ulagrede endringer]", ":orange[:material/edit: Unsaved changes]"))
        else:
            c[2].caption(t("Ingen ulagrede endringer", "No unsaved changes"))
        if ref is not None and c[1].button(t("Ny aktivitet i stedet", "New activity instead"), icon=":material/add:", key=f"{K}_new"):
            st.session_state[f"{E}_confirm_leave"] = True
        if st.session_state.get(f"{E}_confirm_leave"):
            if dirty:
                st.warning(t("Du har ulagrede endringer. Forkaste dem?", "You have unsaved changes. Discard them?"))
            y, n = st.columns([1, 4])
            if not dirty or y.button(t("Ja, forkast", "Yes, discard"), key=f"{K}_discard_yes"):
                drop_state()
                st.session_state["edit_activity"] = None
                st.rerun()
            if dirty and n.button(t("Avbryt", "Cancel"), key=f"{K}_discard_no"):
                st.session_state.pop(f"{E}_confirm_leave", None)
                st.rerun()
    return bool(clicked)


def button(f: Form, place: str, org_name: str, ref: Optional[str], version: int, where: Any = st) -> bool:
    """A Save button (``place``: top or bottom); True when it was clicked and the save is still to do."""
    clicked = where.button(
        t("Lagre", "Save"), type="primary", icon=":material/save:", key=f"{f.key}_save_{place}", on_click=early, args=(f, org_name, ref, version)
    )
    return bool(clicked) and not st.session_state.get(f"{E}_save_done", False)


def early(f: Form, org_name: str, ref: Optional[str], version: int) -> None:
    """Save's ``on_click``: runs before the page, so when the form's widgets hold what they held when the
    form was last drawn, the save is done here and the page draws the outcome once (the new version's
    form, or the problems, or the conflict) instead of drawing the old form on the way."""
    if not sections.unchanged_since_drawn(f) or (ref is None and st.session_state.get(f"{E}_new_org", org_name) != org_name):
        return  # a value changed with the click: the page draws it first and saves then (:func:`save`)
    if _write(f, org_name, ref, version, sections.document(f)) is None:
        st.session_state[f"{E}_save_done"] = True


def save(f: Form, org_name: str, ref: Optional[str], version: int, doc: dict[str, Any]) -> None:
    """Save from the form just drawn, and draw the outcome."""
    err = _write(f, org_name, ref, version, doc)
    if err is not None:
        show_error(err)
    else:
        st.rerun()


def _write(f: Form, org_name: str, ref: Optional[str], version: int, doc: dict[str, Any]) -> Exception | None:
    """Create the activity (``ref`` None) or update it from ``version``; the outcome goes to session
    state: the problems, or the conflict with both versions (the form keeps the user's edits), or the
    new version to open with its findings. An unexpected error is returned, for the page to show."""
    for k in ("problems", "conflict", "saved"):
        st.session_state.pop(f"{E}_{k}", None)
    try:
        with db.transaction(state.engine()) as s:
            if ref is None:
                activities.create_activity(s, org_name, doc, actor=current_actor(), source="dashboard")
                changed = ["*"]
            else:
                changed = activities.update_activity(s, org_name, ref, doc, expected_version=version, actor=current_actor(), source="dashboard")
    except ValidationFailed as err:
        st.session_state[f"{E}_problems"] = err.problems
    except Conflict as err:
        assert ref is not None  # (only a save of an existing activity meets another save)
        with db.session(state.engine()) as s:
            latest = activities.get_activity(s, org_name, ref)
            theirs, latest_version = activities.activity_dict(latest), latest.version
        st.session_state[f"{E}_conflict"] = {
            "message": forms.conflict_view(err, ACTIVITY, f.lang)["message"],
            "ref": ref,
            "base": f.data,
            "mine": doc,
            "theirs": theirs,
            "version": latest_version,
        }
    except Exception as err:  # noqa: BLE001
        return err
    else:
        saved(org_name, doc["ref"], t(f"{doc['ref']} er lagret", f"{doc['ref']} saved") if changed else t("Ingen endringer", "No changes"))
    return None
