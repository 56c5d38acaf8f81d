"""Single sign-on as the README documents it, without a real identity provider: the README's
``.streamlit/secrets.toml`` example parses and passes Streamlit's own check of an ``[auth]``
section; with it the sign-in page offers the provider; and a provider's sign-in (Streamlit's
``st.user``, faked) is mapped by e-mail to an enabled user, refused for an unknown or disabled one."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit import auth_util, config
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest

from ropa import db, users
from ropa.demo import open_register
from ropa.models import AuditEvent
from ropa.ui import signin

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def readme_secrets() -> str:
    """The ``[auth]`` example of the README's single sign-on paragraph."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, flags=re.S) if "[auth]" in b]
    assert len(blocks) == 1, "the README shows one secrets.toml example"
    return blocks[0]


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: Any) -> Secrets:
    """Streamlit's secrets read from a secrets.toml holding the README's example."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    path.write_text(readme_secrets(), encoding="utf-8")
    previous = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    fresh = Secrets()
    monkeypatch.setattr(auth_util, "secrets_singleton", fresh)
    monkeypatch.setattr(st, "secrets", fresh)
    yield fresh
    config.set_option("secrets.files", previous)


def test_the_readme_secrets_example_parses_and_streamlit_accepts_it(secrets_file):
    auth = tomllib.loads(readme_secrets())["auth"]
    assert set(auth) == {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
    assert auth["redirect_uri"].endswith("/oauth2callback") and auth["server_metadata_url"].endswith("/.well-known/openid-configuration")
    assert secrets_file.load_if_toml_exists()
    auth_util.validate_auth_credentials("default")  # what st.login() checks first: raises on a missing key
    assert signin.auth_providers() == []  # the one unnamed provider: "Sign in with the identity provider"


@pytest.fixture
def register(sqlite_demo_url: str, monkeypatch: Any) -> str:
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "anna", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "kari", role="editor", orgs=["Janteloppet"], email="kari@example.org", actor="anna")
        users.add_user(s, "per", role="viewer", orgs=["Janteloppet"], email="per@example.org", actor="anna")
        users.set_enabled(s, "per", False, actor="anna")
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    yield sqlite_demo_url
    st.cache_resource.clear()


class FakeUser:
    """What Streamlit's ``st.user`` holds after a provider's sign-in (the ID token's claims)."""

    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = {"is_logged_in": True, **claims}
        self.is_logged_in = True

    def to_dict(self) -> dict[str, Any]:
        return dict(self.claims)


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in tomllib.loads(readme_secrets()).items():
        at.secrets[key] = value
    return at


def test_with_the_readme_configuration_the_sign_in_page_offers_the_provider(register):
    at = _app("en")
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button if "identity provider" in str(b.label)] == ["Sign in with the identity provider"]


@pytest.mark.parametrize(
    ("claims", "who"),
    [
        ({"email": "KARI@example.org", "email_verified": True, "name": "Kari Nordmann"}, "kari"),
        ({"email": "someone@example.org"}, None),  # no user has that e-mail
        ({"email": "per@example.org"}, None),  # a disabled user
        ({"email": "kari@example.org", "email_verified": False}, None),  # the provider has not verified the address
    ],
)
def test_a_provider_sign_in_maps_the_e_mail_to_an_enabled_user(register, monkeypatch, claims, who):
    monkeypatch.setattr(signin, "_provider_signed_in", lambda: True)
    monkeypatch.setattr(st, "user", FakeUser(claims))
    at = _app("en")
    at.run()
    assert not at.exception, at.exception
    engine = open_register(register, demo_if_new=False)
    with db.session(engine) as s:
        events = [
            (e.actor, e.field, e.source) for e in s.execute(select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.action == "signin")).scalars()
        ]
    engine.dispose()
    if who is None:
        assert at.title[0].value == "Sign in"
        assert any("No enabled user has this e-mail address" in i.value for i in at.info)
        assert [b.label for b in at.button if "identity provider" in str(b.label)] == [
            "Sign out of the identity provider",
            "Sign in with the identity provider",
        ]
        assert events == []
        return
    assert "kari (editor; Janteloppet)" in " ".join(c.value for c in at.sidebar.caption)
    assert at.sidebar.selectbox[0].options == ["Janteloppet"]
    assert events == [("kari", "sso", "dashboard (sso)")]
