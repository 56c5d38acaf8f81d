"""The Users page in a real browser (Chromium through Playwright): an editor's navigation has no
such page; a global dpo's has, the list shows, and disabling the last global administrator is
refused on the page with nothing changed."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from test_browser_signin import PASSWORD, server_with_users  # noqa: F401 - the fixture: streamlit run app.py with two users

from ropa import db, users
from ropa.demo import open_register


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)")
def test_users_page_in_a_real_browser(server_with_users, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    url, db_url = server_with_users
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            main = page.locator('[data-testid="stMain"]')
            nav = page.locator('[data-testid="stSidebarNav"]')
            sidebar = page.locator('[data-testid="stSidebar"]')

            def sign_in(name: str) -> None:
                page.goto(url, wait_until="domcontentloaded")
                expect(page.locator("h1").first).to_have_text("Logg inn")
                main.get_by_label("Brukernavn").fill(name)
                main.get_by_label("Passord").fill(PASSWORD)
                main.get_by_role("button", name="Logg inn").click()
                expect(page.locator("h1").first).to_have_text("Oversikt")

            sign_in("ed")
            expect(nav).to_contain_text("Mine oppgaver")
            expect(nav).not_to_contain_text("Brukere")
            sidebar.get_by_role("button", name="Logg ut").click()

            sign_in("dora")
            nav.get_by_text("Brukere", exact=True).click()
            expect(page.locator("h1").first).to_have_text("Brukere")
            expect(main.locator('[data-testid="stDataFrame"]').first).to_be_visible()
            main.get_by_role("button", name="Deaktiver brukeren").click()  # dora is chosen first, and the only global one
            expect(main).to_contain_text("er den siste aktive administratoren eller personvernombudet")
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    engine = open_register(db_url, demo_if_new=False)
    with db.session(engine) as s:
        assert users.get_user(s, "dora").enabled
    engine.dispose()
