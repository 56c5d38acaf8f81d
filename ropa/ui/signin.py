"""Who is using the dashboard: the sign-in form (password or the identity provider), the idle
timeout, and the banner of a register without users. ``app.py`` calls :func:`gate` before any
page; nothing here decides a permission (that is :mod:`ropa.access`, below every page)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Optional

import streamlit as st

from ropa import access, db, settings, users
from ropa.text import markdown
from ropa.ui import state

USER, SEEN, PRINCIPAL, OWNER = "ropa_user", "ropa_seen", "ropa_principal", "ropa_owner"
_KEPT = {USER, SEEN, PRINCIPAL, OWNER, "lang", "ropa_signin_note"}

TEXT = {
    "banner": (
        "Ingen innlogging: alle på denne datamaskinen kan endre registeret; legg til en bruker for å kreve "
        "innlogging (`python -m ropa user add NAVN --role dpo`).",
        "No sign-in: anyone on this computer can edit; add a user to require sign-in (`python -m ropa user add NAME --role dpo`).",
    ),
    "exposed": (
        "Appen lytter på {address}, ikke bare på denne datamaskinen, og registeret har ingen brukere: alle som "
        "når porten, ville kunne lese og endre alt og gjøre seg selv til administrator. Derfor vises ingenting. "
        "Legg til en bruker på denne datamaskinen (`python -m ropa user add NAVN --role dpo`) eller start med "
        "`--server.address 127.0.0.1`.",
        "The app listens on {address}, not only on this computer, and the register has no users: anyone who "
        "reaches the port could read and change everything and make themself the administrator. So nothing is "
        "shown. Add a user on this computer (`python -m ropa user add NAME --role dpo`) or start with "
        "`--server.address 127.0.0.1`.",
    ),
    "foreign_host": (
        "Siden ble åpnet under navnet {host}, ikke som denne datamaskinen (localhost, 127.0.0.1), og registeret har "
        "ingen brukere: en annen nettside kan nå appen slik (DNS-rebinding) og lese og endre alt. Derfor vises "
        "ingenting. Åpne http://localhost:{port}, eller legg til en bruker (`python -m ropa user add NAVN --role dpo`).",
        "The page was opened under the name {host}, not as this computer (localhost, 127.0.0.1), and the register has "
        "no users: another website can reach the app that way (DNS rebinding) and read and change everything. So "
        "nothing is shown. Open http://localhost:{port}, or add a user (`python -m ropa user add NAME --role dpo`).",
    ),
    "title": ("Logg inn", "Sign in"),
    "intro": ("Registeret krever innlogging.", "The register requires sign-in."),
    "name": ("Brukernavn", "User name"),
    "password": ("Passord", "Password"),
    "submit": ("Logg inn", "Sign in"),
    "sso": ("Logg inn med {provider}", "Sign in with {provider}"),
    "sso_default": ("identitetsleverandøren", "the identity provider"),
    "expired": ("Økten var inaktiv for lenge og er logget ut. Logg inn igjen.", "The session was idle too long and has been signed out. Sign in again."),
    "gone": ("Brukeren er deaktivert eller finnes ikke lenger.", "The user is disabled or no longer exists."),
    "sign_out": ("Logg ut", "Sign out"),
    "provider_out": ("Logg ut hos identitetsleverandøren", "Sign out of the identity provider"),
}


def auth_providers() -> Optional[list[str]]:
    """The OIDC providers configured in ``.streamlit/secrets.toml`` (``[auth]``, ``[auth.NAME]``):
    None when there is no ``[auth]`` section; ``[]`` for the single unnamed provider."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
    except Exception:  # no secrets file at all
        return None
    return [k for k, v in section.items() if isinstance(v, Mapping)]


#: Who acts once a session is signed out or idle too long: no user has this name (ropa.users refuses it).
SIGNED_OUT = access.Principal(users.SIGNED_OUT, "", frozenset())


def principal() -> access.Principal:
    """Who is acting in this run (set by :func:`gate`). A button's callback runs before the gate
    of its run: a session signed out, or idle too long, acts as nobody there too."""
    found = st.session_state.get(PRINCIPAL)
    if not isinstance(found, access.Principal):
        if OWNER in st.session_state or not _local_only():  # someone signed in on this browser, and is no longer
            return SIGNED_OUT
        return access.Principal(settings.current_actor(), "admin", None, local=True)
    if found.local:  # the register had no users at this session's last run: has it now? (a callback runs before the gate)
        with db.session(state.engine()) as s:
            return SIGNED_OUT if access.users_exist(s) or not _local_only() else found
    seen = st.session_state.get(SEEN)
    if seen is not None and time.time() - float(seen) > settings.session_idle_minutes() * 60:
        return SIGNED_OUT
    return found


def _exposed() -> Optional[str]:
    """The address the app listens on when that is more than this computer (None: loopback only)."""
    address = str(st.get_option("server.address") or "")
    return None if address in ("127.0.0.1", "localhost", "::1") else address or "0.0.0.0"


_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def _request_host() -> Optional[str]:
    """The Host header of the browser's request (None when there is none, as in AppTest)."""
    try:
        host = st.context.headers.get("Host")
    except Exception:  # no request behind this run
        return None
    return str(host) if host else None


def _foreign_host() -> Optional[str]:
    """The host name the page was opened under when that is not this computer's: a page of another
    site that rebinds its name to 127.0.0.1 (DNS rebinding) reaches the app as a same-origin
    request, and Streamlit does not check the name."""
    host = _request_host()
    if host is None:
        return None
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return None if name.lower() in _LOCAL_NAMES else host


def _local_only() -> bool:
    """Whether the local administrator (no users yet) may act in this run."""
    return _exposed() is None and _foreign_host() is None


def current_actor() -> str:
    """Who acts in this run: the signed-in user, or the local administrator of a register without users."""
    return principal().name


def _belongs_to(p: access.Principal) -> None:
    """What the pages keep in the browser session (results, files made, widget choices) belongs
    to one principal: when another signs in on that browser, or the same one with another role or
    organisations, it is dropped (a dpo's whole-register export is not a viewer's to download)."""
    owner = (p.name, p.role, p.orgs, p.local)
    if st.session_state.get(OWNER) != owner:
        for key in [k for k in st.session_state if k not in _KEPT]:
            del st.session_state[key]
        st.session_state[OWNER] = owner


def _forget(message: Optional[str] = None) -> None:
    for key in (USER, SEEN, PRINCIPAL):
        st.session_state.pop(key, None)
    if message:
        st.session_state["ropa_signin_note"] = message


def sign_out() -> None:
    """Forget the signed-in user (and leave the identity provider's session too)."""
    _forget()
    if auth_providers() is not None and _provider_signed_in():
        st.logout()


def _provider_signed_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def gate() -> access.Principal:
    """The principal of this run; without one, the sign-in form is drawn and the run stops.

    The user is looked up again on every run, so disabling someone or changing their
    organisations takes effect at their next click.
    """
    t = state.words(TEXT)
    access.set_reader(None)
    engine = state.engine()
    with db.session(engine) as s:
        has_users = access.users_exist(s)
    if not has_users:
        _forget()
        address, host = _exposed(), _foreign_host()
        if address is not None or host is not None:  # the local administrator is for this computer only
            if address is not None:
                st.error(t("exposed", address=address), icon=":material/warning:")
            else:
                st.error(t("foreign_host", host=markdown(host), port=st.get_option("server.port")), icon=":material/warning:")
            st.stop()
        p = access.Principal(settings.current_actor(), "admin", None, local=True)
        st.session_state[PRINCIPAL] = p
        _belongs_to(p)
        st.warning(t("banner"), icon=":material/lock_open:")
        return p
    now = time.time()
    name = st.session_state.get(USER)
    if name and now - float(st.session_state.get(SEEN, now)) > settings.session_idle_minutes() * 60:
        _forget(t("expired"))
        name = None
        if auth_providers() is not None and _provider_signed_in():
            st.logout()  # else the provider's cookie signs the idle browser straight in again
    if not name and auth_providers() is not None and _provider_signed_in():
        with db.transaction(engine) as s:
            result = users.sign_in_oidc(s, st.user.to_dict())
        if result.ok:
            assert result.principal is not None
            name = st.session_state[USER] = result.principal.name
        else:
            st.session_state["ropa_signin_note"] = result.message(state.lang())
    if name:
        with db.session(engine) as s:
            found = access.load_principal(s, name)
        if found is not None:
            st.session_state[SEEN] = now
            st.session_state[PRINCIPAL] = found
            _belongs_to(found)
            access.set_reader(found)
            return found
        _forget(t("gone"))
    _form(engine)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def _form(engine: Any) -> None:
    t = state.words(TEXT)
    st.title(t("title"))
    note = st.session_state.pop("ropa_signin_note", None)
    if note:
        st.info(note)
    else:
        st.caption(t("intro"))
    with st.form("signin"):
        name = st.text_input(t("name"), key="signin_name")
        password = st.text_input(t("password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("submit"), type="primary")
    if submitted and name:
        with db.transaction(engine) as s:
            result = users.sign_in(s, name, password or "", source="dashboard")
        users.pause(result)  # once the failure is recorded and the account's row free again
        if result.ok:
            assert result.principal is not None
            st.session_state[USER] = result.principal.name
            st.session_state[SEEN] = time.time()
            st.rerun()
        st.error(result.message(state.lang()))
    providers = auth_providers()
    if providers is not None:
        if _provider_signed_in():  # signed in there, but no user here has that e-mail
            st.button(t("provider_out"), on_click=st.logout, key="signin_provider_out")
        named: list[Optional[str]] = list(providers)
        for provider in named or [None]:
            label = t("sso", provider=provider or t("sso_default"))
            st.button(label, key=f"signin_sso_{provider or 'default'}", icon=":material/key:", on_click=(lambda p=provider: st.login(p) if p else st.login()))


def sidebar() -> None:
    """The signed-in user and the sign-out button."""
    p = principal()
    st.caption(f":material/person: {markdown(access.describe(p, state.lang()))}")
    if not p.local:
        st.button(state.words(TEXT)("sign_out"), on_click=sign_out, key="signout", icon=":material/logout:")
