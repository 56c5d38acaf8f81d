"""Sign-in in a real browser: ``streamlit run app.py`` on a register that has users, Chromium
through Playwright (see test_browser.py for how the server is started)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, streamlit_app

from ropa import db, users
from ropa.demo import open_register

PASSWORD = "correct horse battery"


@pytest.fixture
def server_with_users(sqlite_demo_url, tmp_path):
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
    engine.dispose()
    env = {"ROPA_DATABASE_URL": sqlite_demo_url, "ROPA_SIGNIN_DELAY_SECONDS": "0"}
    # No --server.address: the app's own .streamlit/config.toml keeps it on 127.0.0.1.
    with streamlit_app(tmp_path / "streamlit.log", env, bind_address=False) as url:
        yield url, sqlite_demo_url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)")
def test_sign_in_in_a_real_browser(server_with_users, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, db_url = server_with_users
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.goto(url, wait_until="domcontentloaded")
            main = page.locator('[data-testid="stMain"]')
            expect(page.locator("h1").first).to_have_text("Logg inn")
            expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)  # no pages before sign-in

            main.get_by_label("Brukernavn").fill("ed")
            main.get_by_label("Passord").fill("not the password")
            main.get_by_role("button", name="Logg inn").click()
            expect(main).to_contain_text("Feil brukernavn eller passord.")

            main.get_by_label("Passord").fill(PASSWORD)
            main.get_by_role("button", name="Logg inn").click()
            expect(page.locator("h1").first).to_have_text("Oversikt")
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(sidebar).to_contain_text("ed (redaktør; Janteloppet)")

            sidebar.get_by_role("button", name="Logg ut").click()
            expect(page.locator("h1").first).to_have_text("Logg inn")
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    engine = open_register(db_url, demo_if_new=False)
    with db.session(engine) as s:
        from sqlalchemy import select

        from ropa.models import AuditEvent

        trail = [
            (e.action, e.actor, e.source)
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.action.in_(["refused", "signin"])).order_by(AuditEvent.id)
            ).scalars()
        ]
    engine.dispose()
    assert trail == [("refused", "ed", "dashboard"), ("signin", "ed", "dashboard")]
