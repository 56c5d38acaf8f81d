"""Users: who may sign in, with which role and organisations; add, disable, enable, new password,
change role and organisations. Only for whoever may administer users (``user.admin``: an admin,
or a dpo for all organisations); the navigation shows it to no one else, and anyone else who
reaches it gets the library's refusal. Every change is :mod:`ropa.users`'s (checked and audited
there); this page only draws and collects input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from ropa import access, db, users
from ropa.audit import local_time
from ropa.errors import MESSAGE_LANG
from ropa.register.organisations import list_organisations
from ropa.text import Words, markdown
from ropa.text import table as safe_table
from ropa.ui import errors, signin, state

lang = state.lang()
TEXT = {
    "title": ("Brukere", "Users"),
    "intro": (
        "Hvem som kan logge inn, med hvilken rolle og for hvilke virksomheter. Hver endring lagres i "
        "revisjonssporet med hvem som gjorde den. Tider er norsk tid (Europe/Oslo).",
        "Who may sign in, with which role and for which organisations. Every change is recorded in the "
        "audit trail with who made it. Times are Norwegian time (Europe/Oslo).",
    ),
    "first": (
        "Registeret har ingen brukere ennå: alle på denne datamaskinen kan endre det. Den første brukeren må være "
        "administrator eller personvernombud for alle virksomheter, og fra da av kreves innlogging.",
        "The register has no users yet: anyone on this computer can change it. The first user must be an "
        "admin or data protection officer for all organisations, and from then on sign-in is required.",
    ),
    "col_name": ("Navn", "Name"),
    "col_email": ("E-post", "E-mail"),
    "col_role": ("Rolle", "Role"),
    "col_orgs": ("Virksomheter", "Organisations"),
    "col_enabled": ("Aktiv", "Enabled"),
    "col_locked": ("Låst til", "Locked until"),
    "col_last": ("Sist innlogget", "Last sign-in"),
    "all_orgs": ("alle virksomheter", "all organisations"),
    "yes": ("ja", "yes"),
    "no": ("nei", "no"),
    "tab_edit": ("Endre bruker", "Change a user"),
    "tab_new": ("Ny bruker", "New user"),
    "pick": ("Bruker", "User"),
    "role": ("Rolle", "Role"),
    "orgs": ("Virksomheter", "Organisations"),
    "orgs_help": (
        "Tomt: alle virksomheter (bare for administrator og personvernombud). Redaktører og lesere trenger minst én.",
        "Empty: all organisations (admin and dpo only). Editors and viewers need at least one.",
    ),
    "save_access": ("Lagre rolle og virksomheter", "Save role and organisations"),
    "access_saved": ("{name}: rolle og virksomheter lagret.", "{name}: role and organisations saved."),
    "disable": ("Deaktiver brukeren", "Disable the user"),
    "enable": ("Aktiver brukeren igjen", "Enable the user again"),
    "disabled": ("{name} er deaktivert og kan ikke logge inn.", "{name} is disabled and cannot sign in."),
    "enabled": ("{name} er aktiv igjen.", "{name} is enabled again."),
    "is_disabled": ("{name} er deaktivert.", "{name} is disabled."),
    "is_locked": (
        "{name} er låst til {until} etter for mange mislykkede innlogginger. Et nytt passord opphever låsen.",
        "{name} is locked until {until} after too many failed sign-ins. A new password lifts the lock.",
    ),
    "password_head": ("Nytt passord", "New password"),
    "password": ("Passord", "Password"),
    "again": ("Passord igjen", "Password again"),
    "password_help": ("Minst {n} tegn.", "At least {n} characters."),
    "set_password": ("Sett passordet (opphever en lås)", "Set the password (lifts a lock)"),
    "password_set": ("{name}: nytt passord satt.", "{name}: new password set."),
    "name": ("Brukernavn", "User name"),
    "email": ("E-post (for enkel pålogging)", "E-mail (for single sign-on)"),
    "email_help": (
        "Adressen identitetsleverandøren oppgir. Med e-post kan passordet stå tomt (bare enkel pålogging).",
        "The address the identity provider reports. With an e-mail the password may stay empty (single sign-on only).",
    ),
    "add": ("Legg til brukeren", "Add the user"),
    "added": ("La til {name}.", "Added {name}."),
}
t = state.words(TEXT)


@contextmanager
def _speaking() -> Iterator[None]:
    """The library words its problems in the page's language while a change runs."""
    token = MESSAGE_LANG.set(lang)
    try:
        yield
    finally:
        MESSAGE_LANG.reset(token)


def _role(code: str) -> str:
    return access.ROLE_LABELS.get(code, Words(code, code)).in_(lang)


def _change(step: str, run: Callable[[Any], Any], done: str, clear: tuple[str, ...] = ()) -> None:
    """A button's change in one transaction: on success a toast and the typed fields cleared,
    otherwise the error kept for :func:`_failure` to draw beside the form (nothing was saved)."""
    st.session_state.pop("users_failed", None)
    try:
        with _speaking(), db.transaction(state.engine()) as s:
            run(s)
    except Exception as err:  # noqa: BLE001 - drawn as words by ropa.ui.errors, logged there when unexpected
        st.session_state["users_failed"] = (step, err)
        return
    state.flash(done)
    for key in clear:
        st.session_state[key] = ""
    st.session_state.pop("users_loaded", None)  # reload the chosen user's role and organisations


def _failure(step: str) -> None:
    failed = st.session_state.get("users_failed")
    if failed and failed[0] == step:
        errors.show(failed[1])


def _add() -> None:
    ss = st.session_state
    name = str(ss.get("users_new_name") or "").strip()
    email = str(ss.get("users_new_email") or "").strip() or None
    typed, again = str(ss.get("users_new_password") or ""), str(ss.get("users_new_again") or "")

    def run(s: Any) -> None:
        password = users.confirmed(typed, again) if typed or again else None
        users.add_user(
            s,
            name,
            role=ss.get("users_new_role") or "editor",
            orgs=list(ss.get("users_new_orgs") or []),
            email=email,
            password=password,
            actor=signin.current_actor(),
            source="dashboard",
        )

    _change("add", run, t("added", name=name), clear=("users_new_name", "users_new_email", "users_new_password", "users_new_again"))


def _save_access(name: str) -> None:
    ss = st.session_state
    _change(
        "access",
        lambda s: users.set_access(
            s, name, role=ss.get("users_edit_role"), orgs=list(ss.get("users_edit_orgs") or []), actor=signin.current_actor(), source="dashboard"
        ),
        t("access_saved", name=name),
    )


def _set_enabled(name: str, enabled: bool) -> None:
    _change(
        "enabled",
        lambda s: users.set_enabled(s, name, enabled, actor=signin.current_actor(), source="dashboard"),
        t("enabled" if enabled else "disabled", name=name),
    )


def _set_password(name: str) -> None:
    typed, again = str(st.session_state.get("users_pw") or ""), str(st.session_state.get("users_pw_again") or "")
    _change(
        "password",
        lambda s: users.set_password(s, name, users.confirmed(typed, again), actor=signin.current_actor(), source="dashboard"),
        t("password_set", name=name),
        clear=("users_pw", "users_pw_again"),
    )


# ---------------------------------------------------------------------------------------------
# The page

st.title(t("title"))
with errors.reported() as outcome, db.session(state.engine()) as s:
    found = users.accounts(s, actor=signin.current_actor())  # refused unless the reader may administer users
    org_names = [o.name for o in list_organisations(s)]
if outcome.failed:
    st.stop()
st.caption(t("intro"))
state.show_flash()
if not found:
    st.info(t("first"), icon=":material/lock_open:")
else:
    st.dataframe(
        safe_table(
            [
                {
                    t("col_name"): a.name,
                    t("col_email"): a.email or "",
                    t("col_role"): _role(a.role).split(" (")[0],
                    t("col_orgs"): ", ".join(a.organisations) or t("all_orgs"),
                    t("col_enabled"): t("yes" if a.enabled else "no"),
                    t("col_locked"): local_time(a.locked_until, lang),
                    t("col_last"): local_time(a.last_sign_in, lang),
                }
                for a in found
            ]
        ),
        hide_index=True,
        width="stretch",
    )

edit_tab, new_tab = st.tabs([t("tab_edit"), t("tab_new")]) if found else (None, st.container())

if edit_tab is not None:
    with edit_tab:
        names = [a.name for a in found]
        if st.session_state.get("users_pick") not in names:
            st.session_state["users_pick"] = names[0]
        pick = st.selectbox(t("pick"), names, key="users_pick", placeholder="—")
        chosen = next(a for a in found if a.name == pick)
        if st.session_state.get("users_loaded") != pick:  # the form starts from the chosen user's values
            st.session_state["users_loaded"] = pick
            st.session_state["users_edit_role"] = chosen.role
            st.session_state["users_edit_orgs"] = [o for o in chosen.organisations if o in org_names]
        if not chosen.enabled:
            st.warning(t("is_disabled", name=markdown(pick)), icon=":material/block:")
        if chosen.locked_until is not None:
            st.warning(t("is_locked", name=markdown(pick), until=local_time(chosen.locked_until, lang)), icon=":material/lock:")
        _failure("access")
        with st.form("users_access_form"):
            st.selectbox(t("role"), list(access.ROLES), format_func=_role, key="users_edit_role", placeholder="—")
            st.multiselect(t("orgs"), org_names, key="users_edit_orgs", help=t("orgs_help"), placeholder=t("all_orgs"))
            st.form_submit_button(t("save_access"), type="primary", on_click=_save_access, args=(pick,), key="users_save_access", icon=":material/save:")
        _failure("enabled")
        st.button(
            t("enable" if not chosen.enabled else "disable"),
            on_click=_set_enabled,
            args=(pick, not chosen.enabled),
            key="users_toggle",
            icon=":material/person_check:" if not chosen.enabled else ":material/person_off:",
        )
        st.markdown(f"**{t('password_head')}**")
        _failure("password")
        with st.form("users_password_form"):
            st.text_input(t("password"), type="password", key="users_pw", help=t("password_help", n=users.MIN_PASSWORD))
            st.text_input(t("again"), type="password", key="users_pw_again")
            st.form_submit_button(t("set_password"), on_click=_set_password, args=(pick,), key="users_set_password", icon=":material/password:")

with new_tab:
    _failure("add")
    with st.form("users_new_form"):
        left, right = st.columns(2)
        left.text_input(t("name"), key="users_new_name")
        right.text_input(t("email"), key="users_new_email", help=t("email_help"))
        if "users_new_role" not in st.session_state:
            st.session_state["users_new_role"] = "editor" if found else "dpo"
        left.selectbox(t("role"), list(access.ROLES), format_func=_role, key="users_new_role", placeholder="—")
        right.multiselect(t("orgs"), org_names, key="users_new_orgs", help=t("orgs_help"), placeholder=t("all_orgs"))
        left.text_input(t("password"), type="password", key="users_new_password", help=t("password_help", n=users.MIN_PASSWORD))
        right.text_input(t("again"), type="password", key="users_new_again")
        st.form_submit_button(t("add"), type="primary", on_click=_add, key="users_add", icon=":material/person_add:")
