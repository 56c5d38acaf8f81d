"""DNS rebinding in a real browser: a website whose name is rebound to 127.0.0.1 opens the app
that serves a register without users. Chromium's host-resolver rule plays the rebinding DNS
server (the name resolves to 127.0.0.1, and the browser sends that name as Host and Origin)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, streamlit_app

EVIL = "rebind.evil.example"


@pytest.fixture
def server_without_users(sqlite_demo_url, tmp_path):
    env = {"ROPA_DATABASE_URL": sqlite_demo_url, "ROPA_USER": "browser-test"}
    with streamlit_app(tmp_path / "streamlit.log", env, bind_address=False) as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)")
def test_a_rebound_name_gets_no_page_and_this_computer_still_does(server_without_users, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url = server_without_users
    port = url.rsplit(":", 1)[1]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.goto(f"http://{EVIL}:{port}/", wait_until="domcontentloaded")
            main = page.locator('[data-testid="stMain"]')
            expect(main).to_contain_text("DNS-rebinding")
            expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)  # no pages
            expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)  # no figures of the register
            page.goto(f"http://localhost:{port}/", wait_until="domcontentloaded")
            expect(page.locator("h1").first).to_have_text("Oversikt")
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
