"""The dashboard as a new user meets it (issue 18): settings that keep the app private and
quiet, every word in the user's language, an editor that guides, lists and figures that read
well. AppTest on the demo register."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT, app_page, rerun

from ropa.excel import reader
from ropa.register import interchange
from ropa.ui import barchart


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_streamlit_config_keeps_the_app_private_and_minimal():
    config = _config()
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "minimal"  # no Deploy button, no developer menu
    assert config["client"]["showErrorDetails"] == "none"  # `false` means "stacktrace": code in the browser
    assert config["theme"]["primaryColor"].startswith("#")
    # No full collection after every run: 0.2-0.3 s a click on a register of 10,000 activities.
    assert config["runner"]["postScriptGC"] is False
    # No magic: no page writes a bare expression, and each new first tab no longer rewrites the pages' syntax trees.
    assert config["runner"]["magicEnabled"] is False


def test_one_upload_limit_for_the_uploader_and_the_importers():
    mb = _config()["server"]["maxUploadSize"]
    assert mb * 2**20 == reader.MAX_BYTES == interchange.MAX_JSON_BYTES


def test_import_page_names_the_upload_limit_in_both_languages(demo_url):
    for lang, words in (("nb", "høyst 50 MB"), ("en", "at most 50 MB")):
        at = app_page("import", lang)
        uploader = at.get("file_uploader")[0]
        assert words in uploader.proto.label and "50 MB" in uploader.proto.help


def _widget_calls(*names: str):
    """(file, line, call) of every call of the named widget methods in the dashboard's code."""
    import ast

    for path in [ROOT / "app.py", *sorted((ROOT / "ropa" / "ui").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
                yield path.relative_to(ROOT), node.lineno, node


def test_every_picker_says_its_placeholder_in_our_words():
    """A selectbox or multiselect without a placeholder (or with an empty one) shows Streamlit's English
    ("Choose an option", "Choose options", "No options to select"); a table editor without one writes
    "None" in empty cells."""
    import ast

    missing = []
    for path, line, call in _widget_calls("selectbox", "multiselect", "data_editor"):
        given = next((k.value for k in call.keywords if k.arg == "placeholder"), None)
        if given is None or (isinstance(given, ast.Constant) and given.value == "" and call.func.attr != "data_editor"):
            missing.append(f"{path}:{line} {call.func.attr}")
    assert not missing, missing


def test_counts_verbs_and_possessives_agree():
    from ropa import grammar

    assert grammar.count_in("en", 1, ("virksomhet", "virksomheter"), ("organisation", "organisations")) == "1 organisation"
    assert grammar.count_in("nb", 2, ("virksomhet", "virksomheter"), ("organisation", "organisations")) == "2 virksomheter"
    assert grammar.count_in("en", 0, ("", ""), ("finding", "findings")) == "0 findings"
    assert grammar.agree(1, "uses", "use") == "uses" and grammar.agree(2, "uses", "use") == "use"
    assert grammar.possessive("the United States") == "the United States'" and grammar.possessive("Japan") == "Japan's"
    assert grammar.possessive("Hellas", "nb") == "Hellas'" and grammar.possessive("USA", "nb") == "USAs"


def test_the_pages_count_in_the_singular_when_there_is_one(demo_url):
    at = app_page("export", "en", export_orgs=["Janteloppet"])
    _by_label(at.button, "Create the files").click().run()
    assert not at.exception
    done = " ".join(x.value for x in at.success)
    assert "1 organisation" in done and "1 organisations" not in done
    at = app_page("recipients", "en", rec_org="Allprofil AS")
    used = " ".join(x.value for x in at.info)
    assert "because AP-06 uses it" in used, used


def test_taxonomy_labels_are_lower_case_in_both_languages():
    for terms in (vocab.DATA_CATEGORIES, vocab.DATA_SUBJECTS, vocab.DATA_USES):
        for term in terms.values():
            for label in (term.en, term.nb):
                first = label.split()[0]
                assert label[0].islower() or first.isupper() or "-" in first and first.split("-")[0].isupper(), label


def test_the_organisation_in_focus_speaks_the_language_and_keeps_the_choice_across_a_switch(demo_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "nb"
    at.run()
    focus = at.sidebar.selectbox(key="org")
    assert focus.options[0] == "Alle virksomheter"  # not "Alle / All"
    focus.set_value("Janteloppet").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    focus = at.sidebar.selectbox(key="org")
    assert focus.value == "Janteloppet" and focus.options[0] == "All organisations"


# --- The editor ------------------------------------------------------------------------------------

from ropa import db, editing, vocab  # noqa: E402
from ropa.register.activities import activity_dict, count_activities, get_activity, update_activity  # noqa: E402


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_country_search_ranks_exact_names_codes_and_aliases_first():
    assert vocab.search_countries("Kina", "nb")[0] == "CN"  # not Burkina Faso
    assert vocab.search_countries("kina", "en")[0] == "CN"  # the bokmål name works in English too
    assert vocab.search_countries("USA", "en")[0] == "US"  # not the US Virgin Islands
    assert vocab.search_countries("UK", "nb")[0] == "GB"
    assert vocab.search_countries("cn", "en")[0] == "CN" and vocab.search_countries("CHN", "nb")[0] == "CN"
    assert vocab.search_countries("Tys", "nb")[0] == "DE" and vocab.search_countries("Ger", "en")[0] == "DE"
    assert vocab.search_countries("Storbritannia", "nb")[0] == "GB"
    assert vocab.search_countries("ingen", "nb") == []
    assert len(vocab.search_countries("", "nb")) == len(vocab.countries("nb"))


def test_typing_ingen_in_the_mechanism_picker_finds_no_mechanism_first():
    labels = list(editing.mechanism_options("nb"))
    first = next(label for label in labels if "ingen" in label.lower())
    assert editing.mechanism_options("nb")[first] == "none"
    assert "annet ledd" in next(label for label in labels if "49(1) " in label)  # bokmål, not "second subparagraph"


def test_pending_table_edits_survive_a_redraw():
    rows = [{"name": "A", "kind": None}, {"name": "B", "kind": None}]
    edits = {"edited_rows": {"0": {"kind": "processor"}}, "deleted_rows": [1], "added_rows": [{"name": "C"}]}
    assert editing.apply_edits(rows, edits, ["name", "kind"]) == [{"name": "A", "kind": "processor"}, {"name": "C", "kind": None}]


def test_merge_suggests_the_side_that_changed_each_field():
    base = {"name": "N", "description": "D", "owner": "O", "version": 1}
    mine = {"name": "Mine", "description": "D", "owner": "Me"}
    theirs = {"name": "N", "description": "Theirs", "owner": "They", "version": 2}
    rows = {r["field"]: r for r in editing.merge_fields(base, mine, theirs)}
    assert rows["name"]["choice"] == "mine" and rows["description"]["choice"] == "theirs"
    assert rows["owner"]["both"] and rows["owner"]["choice"] == "mine"
    assert editing.merged(mine, theirs, {k: r["choice"] for k, r in rows.items()}) == {"name": "Mine", "description": "Theirs", "owner": "Me"}


def _activity(url, org, ref):
    engine = db.make_engine(url)
    with db.session(engine) as s:
        act = get_activity(s, org, ref)
        out = activity_dict(act), act.version
    engine.dispose()
    return out


def _open_section(at, label):
    """Click a section's tab: only the open section is drawn."""
    at.session_state["editor_tab"] = label
    return rerun(at)


def test_editor_adds_a_transfer_to_china_typed_in_bokmal_and_shows_its_findings(demo_url):
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    assert [tab.label for tab in at.tabs][:2] == ["Behandlingen", "Formål og grunnlag"]
    assert any(w.label.endswith(" *") for w in at.text_input)  # required fields are marked
    assert sum(1 for b in at.button if b.label == "Lagre") == 2  # above and below the tabs
    _open_section(at, "Mottakere og overføringer")
    _by_label(at.text_input, "Søk etter land").input("Kina").run()
    pick = _by_label(at.selectbox, "Land")
    assert pick.value == "Kina (CN) · Tredjestat"
    _by_label(at.button, "Legg til overføring").click().run()
    assert not at.exception
    assert _by_label(at.text_input, "Søk etter land").value == ""  # ready for the next one
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception, [e.value for e in at.exception]
    data, version = _activity(demo_url, "Janteloppet", "JL-01")
    assert [t["country"] for t in data["transfers"]] == ["CN"] and version == 2
    shown = "\n".join(str(x.value) for x in [*at.markdown, *at.error, *at.warning, *at.info, *at.success])
    assert "Lagret." in shown and "Kina" in shown  # the activity's findings after the save, about the new transfer


def test_only_the_open_section_is_drawn_and_what_was_typed_in_the_others_is_kept_and_saved(demo_url):
    data, version = _activity(demo_url, "Janteloppet", "JL-01")
    key = f"editor_Janteloppet_JL-01_{version}"
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    assert not any(w.label == "Søk etter land" for w in at.text_input)  # the other sections are not drawn
    at.text_input(key=f"{key}_name").input("Et nytt navn").run()
    _open_section(at, "Mottakere og overføringer")
    assert not any(w.key == f"{key}_name" for w in at.text_input)
    assert any("Ulagrede endringer" in m.value for m in at.markdown)  # the closed section's change still counts
    _by_label(at.text_input, "Søk etter land").input("Kina").run()
    _by_label(at.button, "Legg til overføring").click().run()
    _open_section(at, "Lagring og sikkerhet")
    at.text_input(key=f"{key}_trigger").input("Kontraktens slutt").run()
    _open_section(at, "Behandlingen")
    assert at.text_input(key=f"{key}_name").value == "Et nytt navn"  # as typed before the section was closed
    _open_section(at, "Lagring og sikkerhet")
    assert at.text_input(key=f"{key}_trigger").value == "Kontraktens slutt"
    next(b for b in at.button if b.label == "Lagre").click().run()
    saved, new_version = _activity(demo_url, "Janteloppet", "JL-01")
    assert new_version == version + 1 and saved["name"] == "Et nytt navn"
    assert [t["country"] for t in saved["transfers"]] == ["CN"]  # the table's row, added two sections ago
    assert saved["retention"]["trigger"] == "Kontraktens slutt"
    assert {k: v for k, v in saved.items() if k not in ("name", "transfers", "retention", "version")} == {
        k: v for k, v in data.items() if k not in ("name", "transfers", "retention", "version")
    }  # the sections never opened are saved as they were
    assert [tab.label for tab in at.tabs][4] == "Lagring og sikkerhet" and any(w.key == f"{key.rsplit('_', 1)[0]}_{new_version}_trigger" for w in at.text_input)
    assert any("Lagret." in str(x.value) for x in [*at.markdown, *at.success])  # its findings, the section still open


def test_a_value_typed_just_before_another_tab_is_clicked_is_kept(demo_url):
    """In the browser the field's own run is cut short by the click on the tab: both arrive in one run."""
    _, version = _activity(demo_url, "Janteloppet", "JL-01")
    key = f"editor_Janteloppet_JL-01_{version}"
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    at.text_input(key=f"{key}_name").input("Skrevet rett før fanebyttet")
    _open_section(at, "Mottakere og overføringer")
    assert any("Ulagrede endringer" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception
    assert _activity(demo_url, "Janteloppet", "JL-01")[0]["name"] == "Skrevet rett før fanebyttet"


def test_the_lists_edit_link_opens_the_record_in_its_address_and_the_session_keeps_it(demo_url):
    """ "Edit" on the list is a link (one run, no detour through the list's page): the editor takes the
    record from the address once, then goes by the session (a new activity instead stays new)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ropa" / "ui" / "pages" / "editor.py"), default_timeout=60)
    at.session_state["lang"] = "nb"
    at.query_params["org"], at.query_params["ref"] = "Janteloppet", "JL-02"
    rerun(at)
    assert at.title[0].value.startswith("Rediger JL-02") and at.session_state["edit_activity"] == ("Janteloppet", "JL-02")
    assert not at.query_params  # taken
    _by_label(at.button, "Ny aktivitet i stedet").click().run()
    assert at.title[0].value == "Ny behandlingsaktivitet"
    at.query_params["org"], at.query_params["ref"] = "Janteloppet", "Finnes ikke"
    rerun(at)
    assert any("finnes ikke lenger" in w.value for w in at.warning)  # a made-up address: a sentence, no traceback


def test_a_save_draws_the_form_once_and_a_value_typed_with_the_click_is_saved_too(demo_url, monkeypatch):
    from ropa.ui.editor import sections

    drawn = []
    real = sections.draw
    monkeypatch.setattr(sections, "draw", lambda f: drawn.append(f.key) or real(f))
    data, version = _activity(demo_url, "Janteloppet", "JL-01")
    key = f"editor_Janteloppet_JL-01_{version}"
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    at.text_input(key=f"{key}_owner").input("Salg").run()  # the value arrives with a run of its own (the field lost focus)
    drawn.clear()
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception
    assert drawn == [f"editor_Janteloppet_JL-01_{version + 1}"]  # the new version's form only, not the old one on the way
    assert _activity(demo_url, "Janteloppet", "JL-01")[0]["owner"] == "Salg"
    assert any("Lagret." in str(x.value) for x in [*at.markdown, *at.success])
    # Typed and clicked in one go: the form is drawn with the new value first, then saved.
    at.text_input(key=f"{key.rsplit('_', 1)[0]}_{version + 1}_owner").input("Kundeservice")
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception
    saved, new_version = _activity(demo_url, "Janteloppet", "JL-01")
    assert saved["owner"] == "Kundeservice" and new_version == version + 2


def _elements(node, out=None):
    out = [] if out is None else out
    for child in getattr(node, "children", {}).values():
        out.append(child)
        _elements(child, out)
    return out


def test_a_recipient_typed_in_this_edit_can_be_chosen_for_a_transfer_and_is_saved_with_it(demo_url):
    import json

    _, version = _activity(demo_url, "Janteloppet", "JL-01")
    key = f"editor_Janteloppet_JL-01_{version}"
    typed = {"name": "Nettbutikk Shenzhen Ltd", "kind": "databehandler", "country": None, "agreement": None}
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"), editor_tab="Mottakere og overføringer", **{f"{key}_new_recipients_base": [typed]})
    tables = [json.loads(e.proto.columns) for e in _elements(at._tree) if getattr(e, "type", "") in ("arrow_data_frame", "dataframe") and e.proto.columns]
    options = next(c["recipient"]["type_config"]["options"] for c in tables if "recipient" in c)
    assert "Nettbutikk Shenzhen Ltd" in options  # not yet saved, already a choice
    assert any(c.value.startswith("Ny rad:") for c in at.caption)  # the hint under every table
    at.session_state[f"{key}_transfers_base"] = [{"country": editing.country_option("CN", "nb"), "recipient": "Nettbutikk Shenzhen Ltd"}]
    at.session_state[f"{key}_transfers_gen"] = 1
    at.run()
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception, [e.value for e in at.exception]
    data, _ = _activity(demo_url, "Janteloppet", "JL-01")
    assert [(t["country"], t["recipient"]) for t in data["transfers"]] == [("CN", "Nettbutikk Shenzhen Ltd")]
    assert "Nettbutikk Shenzhen Ltd" in [r["name"] for r in data["recipients"]]


def test_unsaved_changes_are_flagged_and_confirmed_before_they_are_discarded(demo_url):
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    assert any(c.value == "Ingen ulagrede endringer" for c in at.caption)
    data, _ = _activity(demo_url, "Janteloppet", "JL-01")
    next(w for w in at.text_input if w.value == data["name"]).input("Et nytt navn").run()
    assert any("Ulagrede endringer" in m.value for m in at.markdown)
    _by_label(at.button, "Ny aktivitet i stedet").click().run()
    assert any("Forkaste dem?" in w.value for w in at.warning)
    _by_label(at.button, "Avbryt").click().run()
    assert next(w for w in at.text_input if w.value == "Et nytt navn")  # kept
    _by_label(at.button, "Ny aktivitet i stedet").click().run()
    _by_label(at.button, "Ja, forkast").click().run()
    assert not at.exception and at.title[0].value == "Ny behandlingsaktivitet"
    assert _activity(demo_url, "Janteloppet", "JL-01")[0]["name"] == data["name"]  # nothing saved


def test_editor_says_at_once_when_the_activity_changed_elsewhere(demo_url):
    at = app_page("editor", "en", edit_activity=("Janteloppet", "JL-01"))
    data, version = _activity(demo_url, "Janteloppet", "JL-01")
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        update_activity(s, "Janteloppet", "JL-01", {**data, "owner": "Their owner"}, expected_version=version, actor="colleague")
    engine.dispose()
    at.run()
    assert any("colleague" in w.value and "newer version (2)" in w.value for w in at.warning)


def test_a_conflict_keeps_my_edits_and_merges_field_by_field(demo_url):
    at = app_page("editor", "nb", edit_activity=("Janteloppet", "JL-01"))
    data, version = _activity(demo_url, "Janteloppet", "JL-01")
    name_box = next(w for w in at.text_input if w.value == data["name"])
    name_box.input("Mitt nye navn").run()
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        update_activity(s, "Janteloppet", "JL-01", {**data, "description": "Deres beskrivelse"}, expected_version=version, actor="kollega")
    engine.dispose()
    next(b for b in at.button if b.label == "Lagre").click().run()
    assert not at.exception
    assert any("kollega" in e.value and "Ingenting ble lagret" in e.value for e in at.error)  # the conflict, in bokmål
    shown = [x.value for x in at.text]
    assert "Mitt nye navn" in shown and "Deres beskrivelse" in shown  # both versions, field by field
    _by_label(at.button, "Lagre sammenslått versjon").click().run()
    assert not at.exception
    merged, version = _activity(demo_url, "Janteloppet", "JL-01")
    assert merged["name"] == "Mitt nye navn" and merged["description"] == "Deres beskrivelse" and version == 3


# --- Lists, figures, history ---------------------------------------------------------------------------


def test_activity_list_shows_a_findings_badge_and_a_whole_page(demo_url):
    at = app_page("activities", "nb")
    frame = at.dataframe[0].value
    engine = db.make_engine(demo_url)
    with db.session(engine) as s:
        total = count_activities(s)
    engine.dispose()
    assert len(frame) == total <= 50 and "Funn" in frame.columns  # the demo fits on one page of 50
    assert list(frame.columns).index("Funn") == list(frame.columns).index("Ref") + 1  # in sight, beside the reference
    jl01 = frame[frame["Ref"] == "JL-01"].iloc[0]["Funn"]
    assert "⚠" in jl01 or "✖" in jl01
    assert at.dataframe[0].proto.placeholder == ""  # empty cells stay empty
    assert "None" not in frame.astype(str).to_numpy().ravel().tolist()


def test_the_findings_badge_signs_are_in_a_text_font():
    """Each sign of the list's findings badge is drawn by a text font this machine has (fontconfig),
    not only by a colour-emoji font: "⛔" came out as an empty box in Debian's Chromium."""
    import shutil
    import subprocess

    import pytest

    from ropa.ui import look

    if not shutil.which("fc-list"):
        pytest.skip("fontconfig's fc-list is not installed")
    for sign in look.BADGE_SIGNS.values():
        fonts = subprocess.run(["fc-list", f":charset={ord(sign):x}", "family"], capture_output=True, text=True, check=True).stdout
        assert fonts.strip(), f"no font here draws {sign!r} (U+{ord(sign):04X})"
    assert look.badge({"error": 2, "info": 1}) == "✖ 2  ℹ 1"


def test_the_search_is_kept_when_returning_to_the_list(demo_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("ropa/ui/pages/activities.py").run()
    _by_label(at.text_input, "Search name, purpose and description").input("markedsføring").run()
    narrowed = len(at.dataframe[0].value)
    assert 0 < narrowed < 30
    at.switch_page("ropa/ui/pages/overview.py").run()
    at.switch_page("ropa/ui/pages/activities.py").run()
    assert not at.exception
    assert _by_label(at.text_input, "Search name, purpose and description").value == "markedsføring"
    assert len(at.dataframe[0].value) == narrowed


def _bars(at, chart):
    """A bar list of the overview (ropa.ui.barchart) as its buttons, in the order drawn."""
    return [b for b in at.button if b.key and b.key.startswith(f"{chart}:bar:")]


def _code(bar):
    """What a bar opens: its key is ``chart:bar:<position>:<code>``."""
    return bar.key.split(":", 3)[3]


def _fills(at, chart):
    """Each bar's filled share (per cent) as the chart's style rules draw it, by the bar's CSS class."""
    css = "".join(h.proto.body for h in at.get("html") if "<style>" in h.proto.body)
    return {m.group(1): float(m.group(2)) for m in re.finditer(rf"\.(st-key-{chart}-bar-[^ ]+) button\{{background:linear-gradient\(90deg,#\w+ ([\d.]+)%", css)}


def _map(at):
    """The transfer map: the page's one Markdown element holding an SVG picture."""
    return next(m.value for m in at.markdown if m.value.startswith("<svg"))


def test_overview_bars_are_whole_clickable_and_in_one_order(demo_url):
    for lang in ("nb", "en"):
        at = app_page("overview", lang)
        assert not at.get("vega_lite_chart") and not at.get("arrow_data_frame")  # no chart library, no grid: the page comes first
        status = _bars(at, "chart_status")
        assert [_code(b) for b in status] == ["draft", "active", "retired"]
        basis = _bars(at, "chart_basis")
        assert len(basis) == 6 and all(" – " in b.label and b.label.endswith("**") for b in basis)  # whole labels, the count in bold
        # Each bar is its button, filled as far as its count against the largest.
        counts = {barchart.key_class(b.key): int(b.label.rsplit("**", 2)[-2]) for b in basis}
        fills = _fills(at, "chart_basis")
        assert fills.keys() == counts.keys()
        assert all(abs(fills[k] - 100 * n / max(counts.values())) < 0.1 for k, n in counts.items()), (fills, counts)
        assert any(m.label.startswith(":red[:material/error:]") for m in at.metric)  # severities coloured
    # A bar opens the activities behind it.
    at = app_page("overview", "en")
    consent = next(b for b in _bars(at, "chart_basis") if _code(b) == "art6_1_a")
    n = int(consent.label.rsplit("**", 2)[-2])
    assert n > 0 and not consent.disabled
    consent.click().run()
    flt = at.session_state["activity_filter"]
    assert flt.legal_basis == ["art6_1_a"] and at.session_state["activity_filter_label"].startswith("Art. 6(1)(a)")
    lst = app_page("activities", "en", activity_filter=flt, activity_filter_label="consent")
    assert any(f"{n} processing activities" in c.value for c in lst.caption)


def test_a_bar_with_nothing_behind_it_cannot_be_clicked(demo_url):
    at = app_page("overview", "en")
    empty = [b for b in _bars(at, "chart_basis") if b.label.endswith("· **0**")]
    assert empty and all(b.disabled for b in empty)


def test_a_long_bar_list_offers_the_rest_in_a_picker_that_empties_after_use():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from ropa.ui import barchart

        rows = [(f"org{i}", f"Org *{i}*", 40 - i) for i in range(29)] + [("more", "more", 1)]  # a name that was the picker's key
        st.session_state["picked"] = barchart.bars(rows, "orgs", more=lambda n: f"{n} more")

    at = AppTest.from_function(page)
    at.run()
    assert len(_bars(at, "orgs")) == 12  # the first bars; the rest in one picker
    assert all("\\*" in b.label for b in _bars(at, "orgs"))  # stored names are escaped, not emphasis
    picker = at.selectbox(key="orgs:more")
    assert len(picker.options) == 18 and picker.placeholder == "18 more"
    picker.set_value("org20").run()
    assert at.session_state["picked"] == ["org20"]
    at.run()  # coming back: the picker is empty, nothing is opened again
    assert at.session_state["picked"] == [] and at.selectbox(key="orgs:more").value is None


def test_bars_whose_names_differ_only_in_letters_a_css_class_cannot_hold_keep_their_own_length_and_meaning():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from ropa.ui import barchart

        st.session_state["picked"] = barchart.bars([("Ås AS", "Ås AS", 10), ("Øs AS", "Øs AS", 5)], "orgs")

    at = AppTest.from_function(page)
    at.run()
    fills = _fills(at, "orgs")
    assert sorted(fills.values()) == [50.0, 100.0]  # two rules, one per bar, though both names make the class "-s-AS"
    small = next(b for b in _bars(at, "orgs") if b.label.startswith("Øs AS"))
    assert fills[barchart.key_class(small.key)] == 50.0
    small.click().run()
    assert at.session_state["picked"] == ["Øs AS"]


def test_the_transfer_map_is_drawn_from_shapes_shipped_with_the_app(demo_url):
    from ropa import stats

    at = app_page("overview", "nb")
    svg = _map(at)
    assert svg.count("<path ") > 150 and "\n" not in svg  # one line: Markdown takes it as one HTML block
    china = re.search(r'<path d="[^"]+" fill="([^"]+)" data-code="CN"><title>([^<]+)</title>', svg)
    assert china and china.group(1) == stats.STATUS_COLOURS["third_country"]
    assert china.group(2).startswith("Kina · Tredjestat · Overføringer: ")
    # countryinfo has no shape for Singapore: a dot where it is, in its colour, not a country left out
    singapore = re.search(r'<circle cx="[\d.]+" cy="-?[\d.]+" r="5" fill="([^"]+)" data-code="SG"><title>Singapore · Tredjestat', svg)
    assert singapore and singapore.group(1) == stats.STATUS_COLOURS["third_country"]
    norway = re.search(r'fill="([^"]+)" data-code="NO"><title>Norge</title>', svg)
    assert norway and norway.group(1) == "#e4e7eb"  # no transfer there: grey, its name only
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched: no tiles, no base map
    assert not at.get("deck_gl_json_chart") and not at.get("map")
    # The list beside the map opens a country's activities.
    cn = next(b for b in _bars(at, "destinations") if _code(b) == "CN")
    assert cn.label.startswith("Kina (CN) · Tredjestat · **")
    cn.click().run()
    assert at.session_state["activity_filter"].country == ["CN"]


def test_the_map_outlines_stay_within_a_pixel_of_the_shipped_shapes_and_light(demo_url):
    """Every point of every shipped outline lies within worldmap.BOUND (under 0.7 units, under a
    pixel on screen) of the outline drawn, which is written relative point to point: the whole
    picture in ~60 kB, not 133. A ring too thin to fill at this scale is left out, not misdrawn."""
    from ropa import geo
    from ropa.ui import worldmap

    def drawn(d):
        head, steps = d[1:-1].split("l")
        x, y = map(float, head.split())
        out = [(x, y)]
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", steps)]
        for dx, dy in zip(numbers[::2], numbers[1::2]):
            x, y = x + dx, y + dy
            out.append((x, y))
        return out

    kept = total = left_out = 0
    for _, shape in geo._shapes():
        for poly in [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]:
            for ring in poly:
                points = [worldmap.project(lon, lat) for lon, lat, *_ in ring]
                total += len(points)
                d = worldmap._ring(points)
                if not d:  # nothing to fill: the ring is under a unit and a half across one way (a dot or a sliver)
                    left_out += 1
                    xs, ys = [x for x, _ in points], [y for _, y in points]
                    assert min(max(xs) - min(xs), max(ys) - min(ys)) < 1.5, points
                    continue
                line = drawn(d)
                assert line[0] == line[-1] or len(line) > 2
                kept += len(line)
                segments = list(zip(line, line[1:] + line[:1]))
                for p in points:
                    assert min(worldmap.segment_distance(p, a, b) for a, b in segments) <= worldmap.BOUND + 1e-9, p
    assert kept < 0.8 * total and left_out < 0.1 * kept  # simplified, not emptied
    svg = _map(app_page("overview", "nb"))
    assert len(svg.encode()) < 80_000, len(svg.encode())


def test_a_simplified_outline_keeps_a_corner_beyond_its_neighbours():
    """The distance is to the segment drawn, not to the line through it: a spike past the end of a
    long edge (Western Sahara's north-east corner was dropped, 2 units off) is kept."""
    from ropa.ui import worldmap

    line = [(0.0, 0.0), (14.0, 0.1), (10.0, 0.0)]  # the spike is 0.1 from the line through the ends, 4 past the end
    assert worldmap.segment_distance((14.0, 0.1), (0.0, 0.0), (10.0, 0.0)) > 3.9
    assert worldmap._simplify(line) == line
    assert worldmap._simplify([(0.0, 0.0), (5.0, 0.1), (10.0, 0.0)]) == [(0.0, 0.0), (10.0, 0.0)]  # within the tolerance: dropped


def test_the_projection_keeps_the_world_in_the_picture():
    from ropa.ui import worldmap

    west, _ = worldmap.project(-180, 0)
    east, _ = worldmap.project(180, 0)
    assert abs(west) < 1e-9 and abs(east - worldmap.WIDTH) < 1e-6
    assert worldmap.project(10.75, 59.9)[1] < worldmap.project(10.75, 0)[1] < worldmap.project(18.4, -33.9)[1]  # Oslo above the equator above Cape Town
    assert worldmap.project(0, 60)[0] == worldmap.project(0, -60)[0] == worldmap.WIDTH / 2


def test_the_transfer_map_is_built_once_per_register_state_and_language(demo_url):
    from ropa.ui import worldmap

    worldmap._svg.cache_clear()
    first = _map(app_page("overview", "nb"))
    again = _map(app_page("overview", "nb"))
    info = worldmap._svg.cache_info()
    assert (info.misses, info.hits) == (1, 1) and first == again  # the second run reused the picture
    assert _map(app_page("overview", "en")) != first and worldmap._svg.cache_info().misses == 2  # another language is another map


def test_history_renders_values_as_the_workbook_does(demo_url):
    at = app_page("history", "nb", open_activity=("Janteloppet", "JL-01"))
    frame = at.dataframe[0].value
    assert set(frame["Handling"]) <= {"opprettet", "endret", "slettet"} and "opprettet" in set(frame["Handling"])
    cells = frame.astype(str).to_numpy().ravel().tolist()
    assert not any(c.startswith(("{", "[")) for c in cells) and "None" not in cells
    assert "JL-01 · Kunderegister og bestillinger" in cells
