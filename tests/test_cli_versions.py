"""``python -m ropa snapshot …`` and ``export/report --as-of``: exit codes, words, scoping."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import docx
import pytest

from ropa import cli, db, users
from ropa.register.activities import activity_dict, delete_activity, get_activity, update_activity

ASSIGNED, OTHER = "Janteloppet", "Allprofil AS"
PASSWORD = "correct horse battery"


def run(monkeypatch: Any, capsys: Any, url: str, *args: str, user: str = "cli-test") -> tuple[int, str, str]:
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_USER", user)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _change(url: str) -> None:
    """JL-01 gets a description, JL-02 is deleted."""
    engine = db.make_engine(url)
    with db.transaction(engine) as s:
        act = get_activity(s, ASSIGNED, "JL-01")
        data = activity_dict(act)
        data["description"] = "Endret etter revisjonen"
        update_activity(s, ASSIGNED, "JL-01", data, expected_version=act.version, actor="cli-test")
        delete_activity(s, ASSIGNED, "JL-02", actor="cli-test")
    engine.dispose()


def test_snapshot_create_list_diff_and_as_of_export(sqlite_demo_url, monkeypatch, capsys, tmp_path):
    url = sqlite_demo_url
    code, out, err = run(monkeypatch, capsys, url, "snapshot", "create", "før revisjon")
    assert code == 0, err
    assert "snapshot 1 'før revisjon'" in out and "taken by cli-test" in out
    code, _, err = run(monkeypatch, capsys, url, "snapshot", "create", "FØR REVISJON")
    assert code == 1 and "already exists" in err and "nothing was written" in err
    code, _, err = run(monkeypatch, capsys, url, "snapshot", "create", "2026-01-01")
    assert code == 1 and "would read as a moment" in err
    _change(url)

    code, out, _ = run(monkeypatch, capsys, url, "snapshot", "list", "--format", "json")
    assert code == 0 and [r["label"] for r in json.loads(out)] == ["før revisjon"]
    code, out, _ = run(monkeypatch, capsys, url, "snapshot", "diff", "før revisjon")
    assert code == 0
    assert "removed: Janteloppet / JL-02" in out and "changed: Janteloppet / JL-01" in out and "→ Endret etter revisjonen" in out
    assert "    Description: " in out
    code, out, _ = run(monkeypatch, capsys, url, "snapshot", "diff", "1", "now", "--lang", "nb")
    assert code == 0 and "fjernet: Janteloppet / JL-02" in out and "    Beskrivelse: " in out
    code, out, _ = run(monkeypatch, capsys, url, "snapshot", "diff", "før revisjon", "--format", "json")
    found = json.loads(out)
    assert [r["ref"] for r in found["removed"]] == ["JL-02"] and found["changed"][0]["changes"][0]["field"] == "description"

    then = tmp_path / "then.json"
    code, out, _ = run(monkeypatch, capsys, url, "export", "--as-of", "før revisjon", str(then))
    assert code == 0 and "snapshot 'før revisjon'" in out
    now = tmp_path / "now.json"
    assert run(monkeypatch, capsys, url, "export", str(now))[0] == 0
    acts = {a["ref"]: a for o in json.loads(then.read_text(encoding="utf-8"))["organisations"] for a in o["activities"]}
    assert "JL-02" in acts and acts["JL-01"]["description"] != "Endret etter revisjonen"
    assert "JL-02" not in now.read_text(encoding="utf-8")

    one = tmp_path / "one.json"
    assert run(monkeypatch, capsys, url, "export", "--as-of", "1", "--org", ASSIGNED, str(one))[0] == 0
    assert [o["name"] for o in json.loads(one.read_text(encoding="utf-8"))["organisations"]] == [ASSIGNED]
    code, out, _ = run(monkeypatch, capsys, url, "export", "--as-of", "2020-01-01", str(tmp_path / "early.json"))
    assert code == 0 and "0 organisations" in out
    book = tmp_path / "then.xlsx"
    assert run(monkeypatch, capsys, url, "export", "--as-of", "før revisjon", str(book), "--lang", "en")[0] == 0

    code, _, err = run(monkeypatch, capsys, url, "export", "--as-of", "no such", str(tmp_path / "x.json"))
    assert code == 2 and "no snapshot labelled 'no such'" in err and "Traceback" not in err
    code, _, err = run(monkeypatch, capsys, url, "export", "--as-of", "før revisjon", str(tmp_path / "x.csv"))
    assert code == 2 and "use .json or .xlsx" in err
    code, _, err = run(monkeypatch, capsys, url, "snapshot", "diff", "no such")
    assert code == 2 and "no snapshot labelled 'no such'" in err

    record = tmp_path / "then.docx"
    code, _, err = run(monkeypatch, capsys, url, "report", str(record), "--as-of", "før revisjon", "--org", ASSIGNED, "--lang", "nb")
    assert code == 0, err
    words = "\n".join(p.text for p in docx.Document(str(record)).paragraphs)
    words += "\n".join(c.text for t in docx.Document(str(record)).tables for row in t.rows for c in row.cells)
    assert "Registeret slik det var" in words and "JL-02" in words


@pytest.fixture
def with_users(sqlite_demo_url: str, monkeypatch: Any, capsys: Any) -> str:
    engine = db.make_engine(sqlite_demo_url)
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ASSIGNED], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[ASSIGNED], actor="ada")
    engine.dispose()
    return sqlite_demo_url


def test_snapshots_need_dpo_or_admin_and_reading_them_is_scoped(with_users, monkeypatch, capsys, tmp_path):
    url = with_users
    for who in ("ed", "vera"):
        code, _, err = run(monkeypatch, capsys, url, "snapshot", "create", f"by {who}", user=who)
        assert code == 1 and "not allowed to take snapshots of the register (register.snapshot)" in err
    for who in ("ada", "dora"):
        assert run(monkeypatch, capsys, url, "snapshot", "create", f"by {who}", user=who)[0] == 0
    out = tmp_path / "vera.json"
    assert run(monkeypatch, capsys, url, "export", "--as-of", "by dora", str(out), user="vera")[0] == 0
    assert [o["name"] for o in json.loads(out.read_text(encoding="utf-8"))["organisations"]] == [ASSIGNED]
    code, _, err = run(monkeypatch, capsys, url, "export", "--as-of", "by dora", "--org", OTHER, str(out), user="vera")
    assert code == 1 and OTHER in err
    code, text, _ = run(monkeypatch, capsys, url, "snapshot", "diff", "by ada", "by dora", "--format", "json", user="vera")
    assert code == 0 and json.loads(text)["changed"] == []
    code, text, _ = run(monkeypatch, capsys, url, "snapshot", "list", "--format", "json", user="vera")
    assert code == 0 and [r["label"] for r in json.loads(text)] == ["by dora", "by ada"]
    assert "activities" not in json.loads(text)[0]  # the whole register's counts are not a viewer's business
    code, text, _ = run(monkeypatch, capsys, url, "snapshot", "list", "--format", "json", user="dora")
    assert json.loads(text)[0]["activities"] == 37
    code, _, err = run(monkeypatch, capsys, url, "snapshot", "list", user="nobody")
    assert code == 1 and "not an enabled user" in err
