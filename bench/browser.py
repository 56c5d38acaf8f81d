"""The dashboard's speed in a real browser: Chromium (Debian's, through Playwright) against
``streamlit run app.py`` on this machine, over a synthetic register.

    .venv/bin/python bench/browser.py --activities 10000 --repeat 5 [--json]

Measures, each as the median of ``--repeat`` runs (wall time from the user's action until the
page shows its result): the first page (the overview in a new tab of a browser that has opened
the app before, so Streamlit's JavaScript comes from the browser's cache, as Streamlit serves it
immutable), the same in a browser profile that never saw the app (all of Streamlit's JavaScript
fetched and compiled), switching pages (overview -> activities and back), filtering the list by
free text (until the list's count changes), opening an activity in the editor, and saving it
(with the number and size of the WebSocket messages the server sends for each of these two,
which do not depend on the load). The first page of the first tab (cold caches) is reported on
its own, twice: once from the first start of a server on the new register (every finding
judged), then after a restart, once the app's script health check has answered (as a service's
readiness check would: the app imported, the findings an earlier start kept read back,
``ropa.findings``), where the other steps are measured; and so is the list drawn right after a
save (the first look at the register after a change). Last, Streamlit's own floor, opened the
same way as the first page: a bare page (a title and ten figures, :data:`BARE_PAGE`), and the
same page in a frame like the app's (:data:`BARE_FRAME`: wide layout, a sidebar of thirteen
pages in four sections with their icons, the language switch), in a new tab and in a browser
that never saw it; under these no page of the app can come. Target: each under 1 s at 10,000
activities. The host's load average is printed with the figures: on a shared machine,
compare runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build(db_path: Path, n: int) -> str:
    """A SQLite register of ``n`` synthetic activities (bench/synthetic.py)."""
    from bench.synthetic import register
    from ropa import db
    from ropa.register import interchange

    url = f"sqlite:///{db_path}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        interchange.import_document(s, register(n), actor="bench", source="synthetic")
    engine.dispose()
    return url


def ready(base: str) -> Optional[float]:
    """Ask the app's script health check (``.streamlit/config.toml``), as a service's start or
    readiness check does: the app runs once (imports, findings read or judged). Seconds it took,
    or None where the app does not offer it."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{base}/_stcore/script-health-check", timeout=120) as r:
            if r.read().strip() != b"ok":  # not offered: the app's page answers instead
                return None
    except OSError:  # the app failed: the first page will say
        return None
    return time.perf_counter() - t0


def serve(url: str, log: Path, script: str = "app.py") -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "ROPA_DATABASE_URL": url, "ROPA_USER": "bench"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"streamlit did not start:\n{log.read_text(errors='replace')[-2000:]}")


def overview_drawn(page: Any) -> None:
    """The overview is there when all its figures are: the register's seven and the findings' three."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stMain"] [data-testid="stMetric"]')).to_have_count(10)
    expect(page.locator('[data-testid="stMain"] [data-testid="stMetric"]').last).to_be_visible()


def first_page(page: Any, base: str) -> float:
    """Open ``base`` in ``page``: seconds until the overview (its title and all its figures) is drawn."""
    from playwright.sync_api import expect

    t0 = time.perf_counter()
    page.goto(base, wait_until="commit")
    expect(page.locator("h1").first).to_have_text("Oversikt")
    overview_drawn(page)
    return time.perf_counter() - t0


BARE_PAGE = """import streamlit as st

st.title("Oversikt")
columns = st.columns(4)
for i in range(10):
    with columns[i % 4]:
        st.metric(f"Tall {i}", i)
"""


# The same page in a frame like the app's (app.py): wide layout, the language switch, and a
# sidebar of thirteen pages in four sections, each with its icon. Streamlit's cost for any page
# of an app laid out as this one is; nothing of the register in it.
BARE_FRAME = (
    """import streamlit as st

st.set_page_config(page_title="ROPA", layout="wide")
with st.sidebar:
    st.radio("Språk / Language", ["nb", "en"], key="lang", horizontal=True)


def overview():
"""
    + "".join("    " + line + "\n" for line in BARE_PAGE.splitlines()[2:] if line)
    + """

ICONS = ["list_alt", "edit_note", "rule", "history", "photo_library", "task_alt", "domain", "group", "upload", "download", "policy", "manage_accounts"]
pages = [st.Page(overview, title="Oversikt", icon=":material/dashboard:", default=True)]
pages += [st.Page(lambda: None, title=f"Side {i}", icon=f":material/{icon}:", url_path=f"side{i}") for i, icon in enumerate(ICONS)]
st.navigation({"Protokoll": pages[:7], "Virksomheter": pages[7:9], "Data": pages[9:12], "Administrasjon": pages[12:]}, expanded=True).run()
"""
)


def floors(work: Path, repeat: int) -> dict[str, list[float]]:
    """Streamlit's own share of the first page: a page of a title and ten figures (what
    :func:`overview_drawn` waits for), bare and in the app's frame, served by the same Streamlit
    with the project's settings, opened as the overview is: in new tabs of one browser (the two
    servers in turn, so both meet the same load), then the frame in browser profiles of their own."""
    from playwright.sync_api import sync_playwright

    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    took: dict[str, list[float]] = {"bare_page": [], "bare_frame": [], "bare_frame_empty_cache": []}

    def drawn(context: Any, base: str) -> float:
        page = context.new_page()
        seconds = first_page(page, base)
        page.close()
        return seconds

    try:
        for name, text in (("bare_page", BARE_PAGE), ("bare_frame", BARE_FRAME)):
            (work / f"{name}.py").write_text(text)
            servers[name] = serve("sqlite://", work / f"streamlit-{name}.log", str(work / f"{name}.py"))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            contexts = {name: browser.new_context(viewport={"width": 1400, "height": 1000}) for name in servers}
            for i in range(repeat + 1):
                for name, (_, base) in servers.items():
                    seconds = drawn(contexts[name], base)
                    if i:  # the first filled the browser's cache
                        took[name].append(seconds)
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                took["bare_frame_empty_cache"].append(drawn(context, servers["bare_frame"][1]))
                context.close()
            browser.close()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=20)
    return took


def first_tab(base: str) -> float:
    """The first page of the first tab of a server that has never seen the register (nothing
    kept from an earlier start: every finding is judged before the page is complete)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        expect.set_options(timeout=120_000)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        took = first_page(page, base)
        page.wait_for_timeout(3000)  # the server keeps what it judged (ropa.findings) a moment after
        browser.close()
    return took


def measure(base: str, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import expect, sync_playwright

    times: dict[str, list[float]] = {
        k: [] for k in ("first_page_cold", "first_page_empty_cache", "first_page", "switch_page", "filter_list", "open_editor", "save", "list_after_save")
    }
    frames: list[int] = []  # the size of every WebSocket message the server sent to the last tab

    def sent_since(start: int, step: str) -> None:
        """The messages of one step, counted once its runs are over (they do not depend on the host's load)."""
        page.wait_for_timeout(700)
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
        got = frames[start:]
        times.setdefault(f"{step}_messages", []).append(len(got))
        times.setdefault(f"{step}_kb", []).append(round(sum(got) / 1000, 1))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        expect.set_options(timeout=120_000)
        for i in range(repeat + 1):  # each in a browser profile of its own: nothing of Streamlit's JavaScript cached
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            times["first_page_empty_cache" if i else "first_page_cold"].append(first_page(page, base))  # the first meets the server's cold caches
            context.close()
        # Then tabs of one browser, as a user opens the app again: the app's JavaScript comes from
        # the browser's cache (Streamlit serves it as immutable), the page from the server.
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        for i in range(repeat + 1):
            page = context.new_page()
            if i == repeat:
                page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
            seconds = first_page(page, base)
            if i:  # the first tab filled the cache (first_page_empty_cache measures that)
                times["first_page"].append(seconds)
            if i < repeat:
                page.close()
        nav = page.locator('[data-testid="stSidebarNav"]')
        main = page.locator('[data-testid="stMain"]')
        for _ in range(repeat):
            t0 = time.perf_counter()
            nav.locator('a[href$="/activities"]').click()
            expect(page.locator("h1").first).to_have_text("Behandlingsaktiviteter")
            expect(main.locator('[data-testid="stDataFrame"]').first).to_be_visible()
            t1 = time.perf_counter()
            nav.locator("a").first.click()
            expect(page.locator("h1").first).to_have_text("Oversikt")
            overview_drawn(page)
            times["switch_page"] += [t1 - t0, time.perf_counter() - t1]
        nav.locator('a[href$="/activities"]').click()
        expect(page.locator("h1").first).to_have_text("Behandlingsaktiviteter")
        search = main.locator('input[aria-label="Søk i navn, formål og beskrivelse"]')
        caption = main.locator('[data-testid="stCaptionContainer"]').filter(has_text="side 1 av").first
        words = ("Rekruttering", "Fakturering", "Kundeservice", "Lønnsutbetaling", "Statistikk", "Markedsføring", "Informasjonssikkerhet")
        for r in range(repeat):
            before = caption.inner_text()
            t0 = time.perf_counter()
            search.fill(words[r % len(words)] + (f" {r // len(words)}" if r >= len(words) else ""))
            search.press("Enter")
            expect(caption).not_to_have_text(before)  # the count of the filtered list, not the old caption
            times["filter_list"].append(time.perf_counter() - t0)
            expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
        search.fill("")
        search.press("Enter")
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
        idle = page.locator('[data-testid="stStatusWidget"]')
        for r in range(repeat):
            grid = main.locator('[data-testid="stDataFrame"]').first
            expect(grid).to_be_visible()
            detail = main.locator("h3").first  # the opened activity's "ref · name"
            opened = detail.inner_text() if detail.count() else None
            grid.click(position={"x": 12, "y": 35 * (r + 1) + 17})  # the row marker selects the row
            if opened is None:
                expect(detail).to_be_visible()
            else:
                expect(detail).not_to_have_text(opened)  # the row's activity, not the one opened before
            expect(idle).to_have_count(0)
            edit = main.locator('[data-testid="stPageLink-NavLink"][href*="editor?"]')  # "Rediger": a link to the editor with the record in its address
            expect(edit).to_be_visible()
            start = len(frames)
            t0 = time.perf_counter()
            edit.click()
            expect(page.locator("h1").first).to_contain_text("Rediger ")
            expect(main.get_by_role("button", name="Lagre").first).to_be_visible()
            times["open_editor"].append(time.perf_counter() - t0)
            sent_since(start, "open_editor")
            name = main.locator('input[aria-label^="Behandlingsaktivitet"]')
            name.fill(name.input_value() + " (endret)")
            name.press("Tab")
            expect(main.get_by_text("Ulagrede endringer")).to_be_visible()
            start = len(frames)
            t0 = time.perf_counter()
            main.get_by_role("button", name="Lagre").first.click()
            expect(main.get_by_text("Lagret.", exact=False).first).to_be_visible()
            times["save"].append(time.perf_counter() - t0)
            sent_since(start, "save")
            t0 = time.perf_counter()
            nav.locator('a[href$="/activities"]').click()
            expect(page.locator("h1").first).to_have_text("Behandlingsaktiviteter")
            expect(main.locator('[data-testid="stDataFrame"]').first).to_be_visible()
            expect(main.get_by_text(" · side 1 av ", exact=False).first).to_be_visible()
            times["list_after_save"].append(time.perf_counter() - t0)
        browser.close()
    return times


LABELS = {
    "first_page_new_register": "first page, first start on a new register",
    "first_page_cold": "first page, first tab after a restart",
    "first_page_empty_cache": "first page, browser never saw the app",
    "first_page": "first page (a new tab)",
    "bare_page": "bare Streamlit page (a new tab)",
    "bare_frame": "bare page in the app's frame (a new tab)",
    "bare_frame_empty_cache": "the same, browser never saw it",
    "switch_page": "switching pages",
    "filter_list": "filtering the list",
    "open_editor": "opening the editor",
    "save": "saving an activity",
    "list_after_save": "the list after a save",
}


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--activities", type=int, default=10_000, metavar="N")
    p.add_argument("--repeat", type=int, default=5, metavar="R", help="runs per measurement; the median is reported")
    p.add_argument("--json", action="store_true", help="one JSON object per measurement")
    p.add_argument("--workdir", type=Path, help="keep the database and the server log here")
    a = p.parse_args(argv)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="ropa-browser-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    url = build(work / "bench.db", a.activities)
    print(f"# register of {a.activities} activities built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    # A first start on the new register, then the measured one: a restart, as a server meets a register it served before.
    proc, base = serve(url, work / "streamlit-first.log")
    try:
        first = first_tab(base)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    proc, base = serve(url, work / "streamlit.log")
    try:
        warm = ready(base)
        if warm is not None:
            print(f"# restarted server ready (its script health check ran the app once) in {warm:.2f} s", file=sys.stderr)
        times = {"first_page_new_register": [first], **measure(base, a.repeat)}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    times.update(floors(work, a.repeat))
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# load average before the run: {load}; after: {after}", file=sys.stderr)
    sent = {k: v for k, v in times.items() if k.endswith(("_messages", "_kb"))}
    rows: list[dict[str, Any]] = [
        {
            "step": k,
            "activities": a.activities,
            "runs": len(v),
            "median_s": round(statistics.median(v), 3),
            "min_s": round(min(v), 3),
            "max_s": round(max(v), 3),
            "load_before": load,
        }
        for k, v in times.items()
        if v and k not in sent
    ]
    for r in rows:
        # Streamlit's floor is not a step of the app: it is what the first page cannot come under.
        floor = r["step"].startswith("bare_")
        r["target"] = "Streamlit's floor" if floor else "met" if r["median_s"] < 1 else "not met"
        print(
            json.dumps(r)
            if a.json
            else f"{LABELS[r['step']]:<42} median {r['median_s']:6.3f} s  (min {r['min_s']:.3f}, max {r['max_s']:.3f}, "
            f"{r['runs']} runs, {r['activities']} activities; {'' if floor else '< 1 s: '}{r['target']})"
        )
    for step in ("open_editor", "save"):  # what the server sent the browser for the step, all its runs together
        if sent.get(f"{step}_messages"):
            n, kb = statistics.median(sent[f"{step}_messages"]), statistics.median(sent[f"{step}_kb"])
            if a.json:
                print(json.dumps({"step": f"{step}_sent", "activities": a.activities, "messages": n, "kb": kb}))
            else:
                print(f"{LABELS[step] + ': sent':<42} median {n:.0f} WebSocket messages, {kb:.1f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
