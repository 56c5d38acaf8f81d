"""Data shown to people must not act on them: stored text stays literal in Markdown, tables
offered for download hold no live formula, the terminal receives no control sequence, LIKE
wildcards in names are themselves, and uploads and saved mappings stay where they belong.

Each test builds its hostile input itself.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from conftest import app_page as page
from sqlalchemy import text as sql
from streamlit.testing.v1 import AppTest

from ropa import cli, db, text, uploads
from ropa.errors import ValidationFailed
from ropa.excel import mapping
from ropa.register.activities import ActivityFilter, activity_dict, count_activities, create_activity, get_activity, list_activities
from ropa.register.audit import recent_changes
from ropa.register.organisations import create_organisation

ROOT = Path(__file__).resolve().parent.parent

# An image from a host (a tracking pixel), a link that hides its target, colour, LaTeX, HTML.
ORG = "Pixel ![x](http://127.0.0.1:9/org-pixel.png) [click](http://evil.example/org) :red[ORG] $x^2$ <b>b</b>"
ACT = "Act ![y](http://127.0.0.1:9/act-pixel.png) [go](http://evil.example/act) :blue-background[ACT] $$y$$ <img src=x>"
REC = "Rec ![z](http://127.0.0.1:9/rec-pixel.png) [see](http://evil.example/rec) <script>alert(1)</script>"
MARKERS = ("org-pixel.png", "act-pixel.png", "rec-pixel.png", "evil.example")
FORMULAS = (
    '=HYPERLINK("http://evil.example/","Klikk")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    '-HYPERLINK("http://evil.example/")',
    "\t=1",
    "\r=1",
)
HARMLESS = ("+47 22 00 00 00", "-5", "-", "+1 (555) 010-0000", "1+1")  # no function can run: shown as they are
# Escape sequences a terminal obeys: set the title (OSC ... BEL), clear the screen (CSI 2J),
# C1 CSI, and a bidirectional override that reorders what follows.
PURPOSES = [*FORMULAS[:5], "'=already quoted", *HARMLESS]  # the editor trims whitespace, so none leads here
TERMINAL = "Term \x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\x7f"


def _unescape(value: str) -> str:
    """What CommonMark shows of escaped text: a backslash before ASCII punctuation is dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value)


def shown(at: AppTest) -> list[str]:
    """Every string the page hands to a Markdown renderer: bodies and widget labels."""
    out = [
        str(e.value)
        for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success", "toast")
        for e in getattr(at, kind)
    ]
    out += [str(b.label) for b in at.button] + [str(x.label) for x in at.expander] + [str(x.label) for x in at.tabs]
    out += [str(m.label) for m in at.metric]
    return out


def assert_inert(at: AppTest, *names: str) -> None:
    """Each name is on the page, and every copy of it is the escaped one: no part of it can become
    an image, a link, colour, LaTeX or HTML."""
    texts = shown(at)
    for name in names:
        assert any(text.markdown(name) in t for t in texts), f"{name!r} is not shown"
    for t in texts:
        rest = t
        for name in names:
            rest = rest.replace(text.markdown(name), "")
        for marker in MARKERS:
            assert marker not in rest, t


def _live_formula(value: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula that can call something."""
    head = value.lstrip(" ")[:1]
    return head != "" and (head in "=@\t\r" or (head in "+-" and re.search(r"[^0-9 .,+\-()/]", value) is not None))


def assert_no_formula(at: AppTest) -> None:
    """No text cell of any table offered for download would run as a formula."""
    for frame in at.dataframe:
        for value in frame.value.astype(object).to_numpy().ravel():
            if isinstance(value, str):
                assert not _live_formula(value), value


@pytest.fixture
def hostile_url(tmp_path, monkeypatch):
    """A register holding an organisation, activity and recipient with hostile names."""
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        create_organisation(s, {"name": ORG, "country": "NO"}, actor="t")
        create_activity(
            s,
            ORG,
            {
                "ref": "HX-1",
                "name": ACT,
                "status": "active",
                "purposes": PURPOSES,
                "security_measures": list(FORMULAS[5:]),
                "description": FORMULAS[0],
                "recipients": [{"name": REC, "kind": "processor", "country": "US"}],
                "transfers": [{"country": "US", "recipient": REC, "mechanism": "none", "safeguard": FORMULAS[1]}],
            },
            actor="t",
        )
        create_activity(s, ORG, {"ref": "HX-2", "name": FORMULAS[0], "description": FORMULAS[2]}, actor="t")
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_MAPPINGS_DIR", str(tmp_path / "maps"))
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


# ---------------------------------------------------------------------------------------------
# Markdown


def test_the_escape_makes_every_markdown_construct_literal():
    for hostile in (
        ORG,
        ACT,
        REC,
        "# Heading",
        "- item",
        "+ item",
        "1. item",
        "12) item",
        "> quote",
        "===",
        "`code`",
        "**b** _i_ ~~s~~",
        "a | b",
        "<http://evil.example/>",
        "&lt;b&gt;",
        ":red[x] :material/home: www.vg.no https://a.b",
        "\\![x](y)",
        "x\n- y\n  2. z",
    ):
        escaped = text.markdown(hostile)
        assert _unescape(escaped).replace("\u200b", "") == hostile  # shown exactly as stored
        assert not re.search(r"(?<!\\):[A-Za-z]|https?://|www\.", escaped), escaped  # no directive, no bare URL
        bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)  # what is left unescaped
        assert not set(bare) & set("\\`*_~[]<>|$&#"), (hostile, escaped)
        assert not re.search(r"^[ \t]*([-+=>]|\d+[.)])", escaped, re.MULTILINE), (hostile, escaped)
    assert text.markdown(None) == ""
    assert text.markdown("Created 'Fjellbygda kommune'. JL-03 (a), b!") == "Created 'Fjellbygda kommune'. JL-03 (a), b!"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_overview_shows_the_organisation_in_focus_literally(hostile_url, lang):
    assert_inert(page("overview", lang, org=ORG), ORG)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_an_opened_activity_shows_its_names_literally(hostile_url, lang):
    at = page("activities", lang, open_activity=(ORG, "HX-1"))
    assert_inert(at, ORG, ACT, REC)
    assert_no_formula(at)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_editor_shows_the_names_literally(hostile_url, lang):
    assert_inert(page("editor", lang, edit_activity=(ORG, "HX-1")), ORG, ACT)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_findings_show_the_names_literally(hostile_url, lang):
    at = page("findings", lang, fnd_orgs=[ORG])
    assert at.expander, "the hostile register has findings"
    assert_inert(at, ORG, REC)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_organisation_delete_question_shows_the_name_literally(hostile_url, lang):
    at = page("organisations", lang, org_pick=ORG)
    at.button(key="orgs_delete").click().run()
    assert not at.exception
    assert at.warning
    assert_inert(at, ORG)
    assert_no_formula(at)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_recipient_in_use_shows_its_name_literally(hostile_url, lang):
    at = page("recipients", lang, rec_org=ORG, rec_pick=REC)
    assert_inert(at, REC)
    assert_no_formula(at)


def test_a_toast_after_a_save_shows_the_name_literally(hostile_url):
    at = page("activities", "en", flash=f"Saved '{ORG}'")
    assert_inert(at, ORG)


# ---------------------------------------------------------------------------------------------
# Tables offered for download


def test_a_formula_cell_gets_an_apostrophe_and_reads_back_unchanged():
    for value in (*FORMULAS, " =1", "'=1", "''+x", "'plain", "plain", "", *HARMLESS):
        shown_value = text.cell(value)
        assert not _live_formula(shown_value)
        assert text.uncell(shown_value) == value
    assert all(text.cell(v) == v for v in HARMLESS)
    assert all(text.cell(v) == "'" + v for v in FORMULAS)
    assert text.cell(5) == 5 and text.cell(None) is None


def test_every_table_on_the_pages_holds_no_live_formula(hostile_url):
    assert_no_formula(page("activities", "en"))
    assert_no_formula(page("activities", "en", open_activity=(ORG, "HX-1")))
    assert_no_formula(page("history", "en", h_org=ORG))
    assert_no_formula(page("history", "en", h_org=ORG, h_ref="HX-1"))


def test_saving_the_editor_unchanged_keeps_formula_like_text_as_stored(hostile_url):
    at = page("editor", "en", edit_activity=(ORG, "HX-1"))
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    engine = db.make_engine(hostile_url)
    with db.session(engine) as s:
        act = get_activity(s, ORG, "HX-1")
        assert activity_dict(act)["purposes"] == PURPOSES
        assert act.version == 1  # nothing changed, so nothing was written
        assert activity_dict(act)["transfers"][0]["safeguard"] == FORMULAS[1]
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# The terminal


def _no_control(out: str) -> None:
    bad = [c for c in out if c not in "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u202e\u2066\u2069")]
    assert not bad, bad


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for item in items for s in _strings(item)]


@pytest.fixture
def terminal_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'term.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Term AS", "country": "NO"}, actor="t")
        create_activity(s, "Term AS", {"ref": "T-1", "name": "placeholder", "recipients": [{"name": "placeholder", "kind": "processor"}]}, actor="t")
    _store_raw(engine, "T-1", TERMINAL)
    engine.dispose()
    return url


def _store_raw(engine, ref: str, name: str) -> None:
    """Names refuse control characters on input now; a register written before that (or by another
    tool) may still hold them, and the terminal must stay safe all the same."""
    with engine.begin() as conn:
        conn.execute(sql("UPDATE processing_activity SET name = :n WHERE ref = :r"), {"n": name, "r": ref})
        conn.execute(sql("UPDATE recipient SET name = :n WHERE name = 'placeholder'"), {"n": name})


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["show", "Term AS", "T-1"],
        ["check"],
        ["check", "--lang", "nb"],
        ["list", "--format", "json"],
        ["check", "--format", "json"],
        ["show", "Term AS", "NOPE\x1b[2J"],
        ["show", "Term AS", "T-1", "--format", "json"],
    ],
)
def test_cli_output_holds_no_control_character(terminal_url, argv, capsys):
    cli.main(["--database-url", terminal_url, *argv])
    out, err = capsys.readouterr()
    _no_control(out)
    _no_control(err)
    shown = argv[0] != "show" or "T-1" in argv
    if shown and argv[0] != "show":
        assert "Term " in out
    if "json" in argv:
        data = json.loads(out)  # still JSON, and the same value
        assert TERMINAL in _strings(data) or any(TERMINAL in v for v in _strings(data))
    elif shown:
        assert "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eevil\\x7f" in out  # visible, not obeyed


def test_the_table_keeps_its_columns_when_a_name_holds_a_newline(terminal_url, capsys):
    engine = db.make_engine(terminal_url)
    with db.transaction(engine) as s:
        create_activity(s, "Term AS", {"ref": "T-2", "name": "placeholder 2"}, actor="t")
    _store_raw(engine, "T-2", "two\nlines\tand tab")
    engine.dispose()
    cli.main(["--database-url", terminal_url, "list"])
    out = capsys.readouterr().out
    assert "two\\x0alines\\x09and tab" in out
    assert len(out.splitlines()) == 2 + 2 + 2  # header, rule, two rows, blank, count


# ---------------------------------------------------------------------------------------------
# LIKE wildcards (both backends)


def test_history_of_an_organisation_with_an_underscore_is_its_own(engine):
    with db.transaction(engine) as s:
        for name in ("A_S", "ABS", "A%S", "AxxS"):
            create_organisation(s, {"name": name, "country": "NO"}, actor="t")
            create_activity(s, name, {"ref": "R-1", "name": f"activity of {name}"}, actor="t")
    with db.session(engine) as s:
        for name in ("A_S", "A%S"):
            keys = {e.entity_key for e in recent_changes(s, org=name)}
            assert keys == {name, f"{name}/R-1"}, keys


def test_the_activity_search_takes_percent_and_underscore_literally(engine):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Shop", "country": "NO"}, actor="t")
        for ref, name in (("S-1", "50% off"), ("S-2", "500 off"), ("S-3", "a_b list"), ("S-4", "axb list"), ("S-5", "slash / here"), ("S-6", "back\\slash")):
            create_activity(s, "Shop", {"ref": ref, "name": name}, actor="t")
    with db.session(engine) as s:

        def found(needle: str) -> list[str]:
            return [a.ref for a in list_activities(s, filter=ActivityFilter(text=needle))]

        assert found("50%") == ["S-1"]
        assert found("a_b") == ["S-3"]
        assert found("/") == ["S-5"]
        assert found("\\") == ["S-6"]
        assert found("off") == ["S-1", "S-2"]
        assert count_activities(s, ActivityFilter(text="%")) == 1


# ---------------------------------------------------------------------------------------------
# Uploads on disk


def test_an_upload_copy_is_private_and_gone_after_use(tmp_path):
    with uploads.private_copy("../../etc/Register 2024.xlsx", b"data", folder=tmp_path) as path:
        assert path.read_bytes() == b"data" and path.name == "Register 2024.xlsx"
        assert path.parent.parent == tmp_path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.exists() and not path.parent.exists()
    with pytest.raises(RuntimeError), uploads.private_copy("..", b"x", folder=tmp_path) as path:
        assert path.parent.parent == tmp_path and path.name == "upload"
        raise RuntimeError("the read failed")
    assert list(tmp_path.iterdir()) == []


def test_stale_upload_copies_are_swept_and_fresh_ones_kept(tmp_path):
    old, fresh = tmp_path / f"{uploads.PREFIX}old", tmp_path / f"{uploads.PREFIX}fresh"
    legacy = tmp_path / uploads.LEGACY / "0123abcd"
    for d in (old, fresh, legacy):
        d.mkdir(parents=True)
        (d / "register.xlsx").write_bytes(b"personal data")
    day_ago = time.time() - uploads.STALE_AFTER - 60
    os.utime(old, (day_ago, day_ago))
    os.utime(legacy, (day_ago, day_ago))
    other = tmp_path / "someone-elses"
    other.mkdir()
    os.utime(other, (day_ago, day_ago))
    assert uploads.sweep(folder=tmp_path) == 2
    assert not old.exists() and not legacy.exists() and fresh.exists() and other.exists()


def test_the_import_page_leaves_no_copy_of_the_upload(hostile_url, tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    data = b"ref;name\nX-1;" + ACT.encode() + b"\n"
    at = page("import", "en", import_file={"name": "list.csv", "data": data, "digest": hashlib.sha256(data).hexdigest()}, import_org=ORG)
    assert at.dataframe, "the preview is shown"
    assert list((tmp_path / "tmp").iterdir()) == []
    assert_no_formula(at)


# ---------------------------------------------------------------------------------------------
# Saved mappings


def test_mapping_names_cannot_leave_the_folder_or_collide(tmp_path):
    folder = tmp_path / "maps"
    for bad in ("../../x", "a/b", "a\\b", "..", ".hidden", "x..y", "", " ", "a" * 81, "tab\there"):
        with pytest.raises(ValidationFailed) as err:
            mapping.save_mapping(bad, {"A": "name"}, folder=folder)
        assert err.value.problems[0].code == "bad_name"
    names = ("x", "a b", "a-b", "a_b", "a.b", "Bergen kommune (2024)", "Mal for Ålesund")
    for i, name in enumerate(names):
        mapping.save_mapping(name, {f"H{i}": "name"}, folder=folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n.casefold()}.json" for n in names)
    assert all(p.parent == folder for p in folder.iterdir()) and not (tmp_path / "x.json").exists()
    for i, name in enumerate(names):
        assert mapping.load_mapping(name, folder=folder) == {f"H{i}": "name"}
    assert sorted(mapping.list_mappings(folder=folder)) == sorted(names)


@pytest.mark.parametrize("content", [b"[1,2]", b"{not json", b'{"columns": [1]}', b'{"columns": {"A": 5}}', b"\xff\xfe{"])
def test_a_damaged_mapping_file_is_reported_not_raised(tmp_path, content):
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "broken.json").write_bytes(content)
    mapping.save_mapping("good", {"A": "name"}, folder=folder)
    assert mapping.list_mappings(folder=folder) == ["broken", "good"]
    with pytest.raises(ValidationFailed) as err:
        mapping.load_mapping("broken", folder=folder)
    assert err.value.problems[0].code == "bad_mapping"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_import_page_survives_a_damaged_mapping_and_a_bad_name(hostile_url, tmp_path, lang):
    import hashlib

    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "broken.json").write_text("[1,2]")
    data = "Behandlingsaktivitet;Formål\nLønn;Utbetale lønn\n".encode()
    at = page("import", lang, import_file={"name": "list.csv", "data": data, "digest": hashlib.sha256(data).hexdigest()}, import_org=ORG)
    at.selectbox(key="import_saved").set_value("broken").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("broken" in w.value for w in at.warning)
    at.text_input(key="import_save_name").input("../../x").run()
    next(b for b in at.button if b.label in ("Lagre oppsett", "Save mapping")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(("«../../x»" if lang == "nb" else "'../../x'") in e.value for e in at.error), [e.value for e in at.error]
    assert not (tmp_path / "x.json").exists() and sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["broken.json"]


# ---------------------------------------------------------------------------------------------
# In a real browser: the escaped name renders as text and loads nothing


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing")
def test_a_hostile_name_loads_nothing_in_a_real_browser(tmp_path):
    import http.server
    import threading

    from playwright.sync_api import expect, sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app

    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    pixel = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=pixel.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{pixel.server_address[1]}"
    name = f"Pixel ![x](http://{host}/org-pixel.png) [click](http://{host}/hidden) :red[REDORG] $x^2$ <b>boldorg</b> <img src='http://{host}/html-pixel.png'>"
    url = f"sqlite:///{tmp_path / 'ropa.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        create_organisation(s, {"name": name, "country": "NO"}, actor="t")
    engine.dispose()

    try:
        with streamlit_app(tmp_path / "streamlit.log", {"ROPA_DATABASE_URL": url}) as app_url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page_ = browser.new_page(viewport={"width": 1400, "height": 1000})
                page_.set_default_timeout(60_000)
                expect.set_options(timeout=60_000)
                page_.goto(app_url, wait_until="domcontentloaded")
                sidebar = page_.locator('[data-testid="stSidebar"]')
                sidebar.get_by_role("combobox").click()
                page_.locator('[role="option"]').filter(has_text="Pixel").first.click()
                main = page_.locator('[data-testid="stMain"]')
                caption = main.locator('[data-testid="stCaptionContainer"]').filter(has_text="Pixel").first
                # Every character as stored: the image, link, colour, LaTeX and HTML syntax is visible text.
                expect(caption).to_contain_text("boldorg")
                shown_text = caption.inner_text().replace("\u200b", "")  # what a reader sees
                assert shown_text.endswith(f" · {name}"), shown_text
                assert caption.locator("img, a, .katex, b, strong, em, span[class*=color]").count() == 0
                assert caption.locator("[style*=color]").count() == 0
                page_.wait_for_timeout(1000)
            finally:
                browser.close()
    finally:
        pixel.shutdown()
    assert hits == [], hits  # nothing was fetched from the host named in the data
