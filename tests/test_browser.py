"""Browser smoke test: ``streamlit run app.py`` against a fresh SQLite file (filled with the demo
register on first open), driven by Debian's Chromium through Playwright.

Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); no browser is downloaded. The test skips
only when that binary is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT_COPY = Path("/tmp/ropa-browser.png")
DEMO_ORGS = ("Allprofil AS", "EnterTalkPro Ltd", "Immediate Connect", "Janteloppet")
TIMEOUT_MS = 60_000
# Streamlit's own English words that must not show on a page in bokmål (we set every placeholder; the
# uploader's "Upload" button is Streamlit's and listed in the README as untranslatable).
# Metric labels the page cuts with an ellipsis (a label is one line).
CUT_LABELS_JS = """() => [...document.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
ENGLISH_PLACEHOLDERS = (
    "Choose options",
    "Choose or add options",
    "Choose an option",
    "Choose or add an option",
    "Add options",
    "Add an option",
    "No options to select",
    "Select...",
    "Please fill out this cell.",
    "200MB per file",
    "YYYY/MM/DD",
    "Opening the register",
)
# Every page file; the sidebar of the local administrator links to each (the test visits every link it shows).
NB_PAGES = tuple(sorted(p.stem for p in (ROOT / "ropa" / "ui" / "pages").glob("*.py")))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200 and resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not answer {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


@contextlib.contextmanager
def streamlit_app(log: Path, env: dict[str, str], *, bind_address: bool = True) -> Iterator[str]:
    """``streamlit run app.py`` on a free port, with ``env`` added to the environment and its output
    in ``log``; yields its URL once it answers, and stops it afterwards. ``bind_address=False``
    leaves the address to the app's own .streamlit/config.toml."""
    port = _free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
    address = ["--server.address", "127.0.0.1"] if bind_address else []
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                *address,
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(proc, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture
def server(tmp_path):
    """The app on a free port against a new database in tmp_path; stopped afterwards."""
    log = tmp_path / "streamlit.log"
    with streamlit_app(log, {"ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'ropa.db'}", "ROPA_USER": "browser-test"}) as url:
        yield url, log


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)")
def test_the_dashboard_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log = server
    shot = tmp_path / "ropa-browser.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        try:
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.goto(url, wait_until="domcontentloaded")

            # The overview (the default page) of the register the first start filled with the demo.
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(page.locator("h1").first).to_have_text("Oversikt")
            assert page.title() == "ROPA · Protokoll / Register"  # the page title and the app's own icon, served here
            assert all(
                urlparse(h).hostname == "127.0.0.1" and urlparse(h).path.endswith(".png")
                for h in page.locator("link[rel*=icon]").evaluate_all("els => els.map(e => e.href)")
            )
            expect(sidebar).to_contain_text("ropa.db")  # shown to an administrator (here the local one, no users)
            expect(sidebar).to_contain_text("lokal administrator")
            first_metric = page.locator('[data-testid="stMetric"]').first
            expect(first_metric).to_contain_text("Virksomheter")
            expect(first_metric).to_contain_text("5")  # the five demo organisations
            expect(page.locator('[data-testid="stMain"]')).to_contain_text("Behandlingsgrunnlag")
            assert not page.evaluate(CUT_LABELS_JS), "cut labels on the overview"
            # Each bar is its button, filled by the chart's style rule: Streamlit gave the keyed element the class the rule names.
            fills = page.locator('[class*="st-key-chart_basis-bar-"] button').evaluate_all("els => els.map(e => getComputedStyle(e).backgroundImage)")
            assert len(fills) == 6 and all("linear-gradient" in f for f in fills), fills
            assert len({f for f in fills}) > 1, fills  # lengths differ with the counts

            # No page in bokmål shows Streamlit's English placeholders, an empty value as "None", or the page's own
            # words in English: every link of the sidebar, visited in turn.
            main = page.locator('[data-testid="stMain"]')
            nav = sidebar.locator('[data-testid="stSidebarNav"]')
            links = nav.locator("a")
            visited = []
            for i in range(links.count()):
                name = urlparse(links.nth(i).get_attribute("href") or "").path.strip("/").rsplit("/", 1)[-1] or "overview"
                links.nth(i).click()
                expect(page.locator("h1").first).to_be_visible()
                page.wait_for_load_state("networkidle")
                expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
                page.wait_for_timeout(500)
                shown = main.inner_text() + "\n" + "\n".join(main.locator("input, textarea").evaluate_all("els => els.map(e => e.placeholder || '')"))
                for words in ENGLISH_PLACEHOLDERS:
                    assert words not in shown, f"{words!r} on the {name} page"
                assert not re.search(r"\bNone\b", shown), f"'None' on the {name} page"
                visited.append(name)
            assert set(NB_PAGES) <= set(visited), f"pages not in the sidebar: {set(NB_PAGES) - set(visited)}"

            # The editor: a new activity with a transfer to China, found by typing "Kina"; its finding after the save.
            nav.locator('a[href$="/editor"]').click()
            expect(page.locator("h1").first).to_have_text("Ny behandlingsaktivitet")
            main.locator('input[aria-label^="Behandlingsaktivitet"]').fill("Nettbutikk i Kina")
            main.locator('input[aria-label^="Behandlingsaktivitet"]').press("Tab")
            main.get_by_role("tab", name="Mottakere og overføringer").click()
            search = main.locator('input[aria-label="Søk etter land"]')
            search.fill("Kina")
            search.press("Enter")
            expect(main.get_by_role("combobox", name="Land", exact=True)).to_have_value("Kina (CN) · Tredjestat")
            main.get_by_role("button", name="Legg til overføring").click()
            # The rerun that adds the row is over: the search field is drawn afresh, empty for the next country.
            expect(search.and_(page.locator('input[value="Kina"]'))).to_have_count(0)
            expect(search).to_have_count(1)
            expect(search).to_have_value("")
            expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
            main.get_by_role("button", name="Lagre").first.click()
            expect(main).to_contain_text("Lagret.")
            expect(main).to_contain_text("Overføring til Kina")

            # The list shows the activity just saved; its "Rediger" is a link that opens it in the editor.
            nav.locator('a[href$="/activities"]').click()
            expect(main).to_contain_text("Nettbutikk i Kina")
            main.locator('[data-testid="stPageLink-NavLink"][href*="editor?"]').click()
            expect(page.locator("h1").first).to_contain_text("Nettbutikk i Kina")
            expect(page.locator("h1").first).to_contain_text("Rediger")
            expect(main.get_by_role("tab", name="Mottakere og overføringer")).to_be_visible()

            # The sidebar navigation opens the organisations page, which lists the demo organisations.
            sidebar.locator('[data-testid="stSidebarNav"] a[href$="/organisations"]').click()
            expect(page.locator("h1").first).to_have_text("Virksomheter")
            main = page.locator('[data-testid="stMain"]')
            expect(main.get_by_text("Personvernombudets e-post").first).to_be_visible()
            picker = main.get_by_role("combobox", name="Virksomhet som skal redigeres")
            expect(picker).to_have_value(DEMO_ORGS[0])
            picker.click()
            options = page.locator('[role="option"]')
            for name in DEMO_ORGS:
                expect(options.filter(has_text=name).first).to_be_visible()
            page.keyboard.press("Escape")

            # The language switch in the sidebar changes the labels.
            sidebar.get_by_text("English", exact=True).click()
            expect(page.locator("h1").first).to_have_text("Organisations")
            expect(main.get_by_text("DPO e-mail").first).to_be_visible()
            expect(sidebar.locator('[data-testid="stSidebarNav"]')).to_contain_text("Findings")
            sidebar.locator('[data-testid="stSidebarNav"] a').first.click()  # the overview in English: no label cut either
            expect(page.locator("h1").first).to_have_text("Overview")
            expect(page.locator('[data-testid="stMetric"]').first).to_be_visible()
            assert not page.evaluate(CUT_LABELS_JS), "cut labels on the overview (English)"

            # Another page in English: the findings, counted by severity.
            sidebar.locator('[data-testid="stSidebarNav"] a[href$="/findings"]').click()
            expect(page.locator("h1").first).to_have_text("Findings")
            expect(main.get_by_text("Findings in all").first).to_be_visible()
            first_rule = main.locator('[data-testid="stExpander"]').first
            expect(first_rule).to_be_visible()
            page.screenshot(path=str(shot), full_page=True)

            # A finding about an activity opens that activity.
            first_rule.locator("summary").click()
            open_button = first_rule.get_by_role("button", name=re.compile(r"^.*Open [A-Z]+-\d+$")).first
            ref = open_button.inner_text().split("Open ")[-1].strip()
            open_button.click()
            page.wait_for_url(re.compile(r"/activities$"))
            expect(main).to_contain_text(ref)
        except BaseException:
            with contextlib.suppress(Exception):  # what the browser showed when it failed
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                shutil.copyfile(tmp_path / "failure.png", SCREENSHOT_COPY.with_name("ropa-browser-failure.png"))
            raise
        finally:
            browser.close()

    assert shot.stat().st_size > 10_000
    outside = [u for u in requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != "127.0.0.1"]
    assert not outside, f"the pages asked other hosts: {outside[:5]}"
    shutil.copyfile(shot, SCREENSHOT_COPY)
    assert "Traceback" not in log.read_text(errors="replace")
