"""The Versions page (snapshots, what changed, the register as it was for download) and the
History page's restore block, through Streamlit's AppTest, in both languages."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest

from ropa import access, db, versions
from ropa.excel import layout
from ropa.register.activities import activity_dict, delete_activity, get_activity, update_activity
from ropa.register.audit import history
from tests.conftest import app_page

ORG = "Janteloppet"


def _change(url: str) -> None:
    engine = db.make_engine(url)
    with db.transaction(engine) as s:
        act = get_activity(s, ORG, "JL-01")
        data = activity_dict(act)
        data["description"] = "Changed after the snapshot"
        update_activity(s, ORG, "JL-01", data, expected_version=act.version, actor="ola")
        delete_activity(s, ORG, "JL-02", actor="ola")
    engine.dispose()


def _button(at: Any, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "nb",
            {
                "title": "Versjoner",
                "take": "Ta øyeblikksbilde",
                "compare": "Sammenlign",
                "removed": "Aktiviteter fjernet",
                "make": "Lag filene",
                "field": "Felt",
                "what": "fjernet",
            },
        ),
        (
            "en",
            {
                "title": "Versions",
                "take": "Take snapshot",
                "compare": "Compare",
                "removed": "Activities removed",
                "make": "Create the files",
                "field": "Field",
                "what": "removed",
            },
        ),
    ],
)
def test_take_a_snapshot_compare_and_download_in_both_languages(demo_url, lang, words):
    at = app_page("versions", lang)
    assert at.title[0].value == words["title"]
    at.text_input(key="snapshot_label").input("Før revisjon")
    _button(at, words["take"]).click().run()
    assert not at.exception
    with db.session(db.make_engine(demo_url)) as s:
        assert [x.label for x in versions.list_snapshots(s)] == ["Før revisjon"]
    assert "Før revisjon" in set(at.dataframe[0].value.iloc[:, 1])

    _change(demo_url)
    at.selectbox(key="versions_a").set_value("Før revisjon")
    _button(at, words["compare"]).click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[words["removed"]] == "1"
    table = at.dataframe[1].value
    assert words["what"] in set(table.iloc[:, 0]) and "JL-02" in set(table.iloc[:, 2])
    assert words["field"] in table.columns and not any(str(c).startswith(("{", "[")) for c in table.to_numpy().ravel())

    at.selectbox(key="versions_export").set_value("Før revisjon")
    _button(at, words["make"]).click().run()
    assert not at.exception
    files = at.session_state["versions_files"]
    refs = [a["ref"] for o in json.loads(files["json"])["organisations"] for a in o["activities"]]
    assert "JL-02" in refs
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    cover = " ".join(str(c) for row in book[layout.sheet_name("cover", lang)].iter_rows(values_only=True) for c in row if c)
    assert layout.text("as_of", lang) in cover and "Før revisjon" in cover


def test_a_viewer_cannot_take_snapshots_and_downloads_only_its_organisation(demo_url):
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        versions.create(s, "year end", actor="dpo")
    vera = access.Principal("vera", "viewer", frozenset({ORG}))
    at = app_page("versions", "en", ropa_principal=vera)
    assert not [b for b in at.button if b.label == "Take snapshot"]
    assert "Only data protection officers and administrators for all organisations can take snapshots." in [c.value for c in at.caption]
    assert list(at.dataframe[0].value.columns) == ["No.", "Label", "Taken", "By"]  # no counts of the whole register
    at.selectbox(key="versions_export").set_value("year end")
    _button(at, "Create the files").click().run()
    assert not at.exception
    assert [o["name"] for o in json.loads(at.session_state["versions_files"]["json"])["organisations"]] == [ORG]


@pytest.mark.parametrize("lang, go", [("nb", "Gjenopprett"), ("en", "Restore")])
def test_history_restores_an_activity_and_brings_back_a_deleted_one(demo_url, lang, go):
    _change(demo_url)
    engine = db.make_engine(demo_url)
    at = app_page("history", lang)
    at.selectbox(key="h_org").set_value(ORG).run()  # no activity chosen: the deleted JL-02 is offered first
    assert at.selectbox(key=f"h_restore_version:{ORG}/JL-02").options[-1].startswith("v1 · ")
    at.selectbox(key="h_ref").set_value("JL-01").run()  # then JL-01: its own versions, not JL-02's
    where = f"{ORG}/JL-01"
    offered = at.selectbox(key=f"h_restore_version:{where}").options  # newest first
    assert offered[-1].startswith("v1 · ")
    at.selectbox(key=f"h_restore_version:{where}").select_index(len(offered) - 1).run()
    frame = at.dataframe[1].value
    assert "JL-02" not in set(frame.iloc[:, 2]) and len(frame) == 1  # only the description differs from v1
    at.radio(key=f"h_restore_whole:{where}").set_value(False).run()
    at.selectbox(key=f"h_restore_field:{where}").set_value("description").run()
    _button(at, go).click().run()
    assert not at.exception
    with db.session(engine) as s:
        act = get_activity(s, ORG, "JL-01")
        assert act.version == 3 and act.description != "Changed after the snapshot"
        last = history(s, "activity", act.id)[-1]
        assert last.field == "description" and last.source == "restore of version 1 (dashboard)"

    at = app_page("history", lang)
    at.selectbox(key="h_org").set_value(ORG).run()
    assert at.selectbox(key="h_restore_deleted").value == "JL-02"
    _button(at, go).click().run()
    assert not at.exception
    with db.session(engine) as s:
        assert get_activity(s, ORG, "JL-02").version == 1


def test_compare_a_date_with_now(demo_url):
    at = app_page("versions", "en")
    at.selectbox(key="versions_a").set_value("\x00date").run()  # "A date …" (yesterday first): today, rebuilt from the audit trail
    assert at.date_input(key="versions_a_date").value is not None
    from ropa.audit import oslo_today

    at.date_input(key="versions_a_date").set_value(oslo_today()).run()
    _button(at, "Compare").click().run()
    assert not at.exception
    assert "No differences." in [s.value for s in at.success]
    assert any("the register as of" in c.value for c in at.caption)
