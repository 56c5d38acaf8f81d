"""Times are stored in UTC and shown in Europe/Oslo with the zone named: one function
(:func:`ropa.audit.local_time`), used by the History page, the activity's History tab, the user
list (page and CLI), the lock message and the record's dates; JSON gets ISO 8601 with the offset."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ropa import audit, cli, db, users
from ropa.demo import open_register
from ropa.models import AuditEvent, UserAccount
from ropa.register.activities import get_activity
from tests.conftest import app_page

WINTER = datetime(2026, 12, 2, 7, 15, tzinfo=UTC)  # 08:15 in Oslo, CET (+01:00)
SUMMER = datetime(2026, 7, 1, 6, 15, tzinfo=UTC)  # 08:15 in Oslo, CEST (+02:00)
PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("at", "nb", "en", "iso"),
    [
        (WINTER, "02.12.2026 08:15 CET", "2 Dec 2026 08:15 CET", "2026-12-02T08:15:00+01:00"),
        (SUMMER, "01.07.2026 08:15 CEST", "1 Jul 2026 08:15 CEST", "2026-07-01T08:15:00+02:00"),
        # the night summer time starts (29 March 2026, 01:00 UTC) and a date that changes in Oslo
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29.03.2026 01:59 CET", "29 Mar 2026 01:59 CET", "2026-03-29T01:59:00+01:00"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29.03.2026 03:00 CEST", "29 Mar 2026 03:00 CEST", "2026-03-29T03:00:00+02:00"),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "01.01.2027 00:30 CET", "1 Jan 2027 00:30 CET", "2027-01-01T00:30:00+01:00"),
    ],
)
def test_local_time_in_both_languages_and_iso_with_the_offset(at, nb, en, iso):
    assert audit.local_time(at, "nb") == nb
    assert audit.local_time(at, "en") == en
    assert audit.local_iso(at) == iso
    naive = at.replace(tzinfo=None)  # SQLite gives the stored UTC time back without its zone
    assert (audit.local_time(naive, "nb"), audit.local_iso(naive)) == (nb, iso)


def test_no_time_is_blank():
    assert audit.local_time(None, "en") == "" and audit.local_iso(None) is None


def test_the_lock_message_names_oslo_time_and_zone():
    locked = users.SignIn(reason="locked", until=WINTER)
    assert locked.message("nb") == "For mange mislykkede forsøk: kontoen er låst til 02.12.2026 08:15 CET."
    assert locked.message("en") == "Too many failed attempts: the account is locked until 2 Dec 2026 08:15 CET."


def _event(engine: Any, at: datetime, description: str) -> None:
    """An audit event at a known moment (the trail takes inserts; it refuses updates)."""
    with db.transaction(engine) as s:
        act = get_activity(s, "Janteloppet", "JL-01")
        assert act.id is not None
        s.add(
            AuditEvent(
                at=at,
                actor="tester",
                action="update",
                entity="activity",
                entity_id=act.id,
                entity_key="Janteloppet/JL-01",
                field="description",
                old_value=json.dumps("before"),
                new_value=json.dumps(description),
                version=act.version,
                source="test",
            )
        )


@pytest.fixture
def timed(demo_url: str) -> str:
    engine = open_register(demo_url, demo_if_new=False)
    _event(engine, WINTER, "winter change")
    _event(engine, SUMMER, "summer change")
    engine.dispose()
    return demo_url


def _when_column(at: Any, head: str) -> list[str]:
    frames = [d.value for d in at.dataframe if head in d.value.columns]
    assert frames, f"no table with a '{head}' column"
    return [str(v) for v in frames[0][head]]


@pytest.mark.parametrize(
    ("lang", "head", "winter", "summer"),
    [
        ("nb", "Når", "02.12.2026 08:15 CET", "01.07.2026 08:15 CEST"),
        ("en", "When", "2 Dec 2026 08:15 CET", "1 Jul 2026 08:15 CEST"),
    ],
)
def test_history_page_and_activity_history_tab_show_oslo_times(timed, lang, head, winter, summer):
    at = app_page("history", lang, open_activity=("Janteloppet", "JL-01"))
    shown = _when_column(at, head)
    assert winter in shown and summer in shown
    assert all(s.endswith((" CET", " CEST")) for s in shown)
    at = app_page("activities", lang, open_activity=("Janteloppet", "JL-01"))
    shown = _when_column(at, head)
    assert winter in shown and summer in shown


def test_cli_user_list_shows_oslo_times_and_json_iso_offsets(sqlite_demo_url, monkeypatch, capsys):
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
        ed = users.get_user(s, "ed")
        s.add(AuditEvent(at=SUMMER, actor="ed", action="signin", entity="user", entity_id=ed.id, entity_key="ed", version=0, source="dashboard"))
        lock = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)
        s.execute(UserAccount.__table__.update().where(UserAccount.name == "dora").values(locked_until=lock))
    with db.session(engine) as s:
        assert s.execute(select(AuditEvent.at).where(AuditEvent.entity == "user", AuditEvent.action == "signin")).first()
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    assert cli.main(["--user", "dora", "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "1 Jul 2026 08:15 CEST" in out and "last sign-in" in out and "locked until" in out
    assert audit.local_time(lock, "en") in out
    assert cli.main(["--user", "dora", "user", "list", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["ed"]["last_sign_in"] == "2026-07-01T08:15:00+02:00"
    assert rows["dora"]["locked_until"] == audit.local_iso(lock) and rows["dora"]["last_sign_in"] is None


def test_the_record_dates_its_register_version_by_the_oslo_calendar():
    from ropa.documents.report import RegisterVersion, build_report

    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January 2027 in Oslo
    r = build_report([], lang="nb", version=RegisterVersion(7, late), made=late)
    cover = dict(r.cover)
    assert cover["Dato"] == ["01.01.2027"] and cover["Registerversjon"] == ["Endring nr. 7 (01.01.2027)"]


def test_tasks_show_when_the_dpo_returned_an_activity_in_oslo_time(sqlite_demo_url, monkeypatch, capsys):
    from ropa import access, review
    from ropa.models import ActivityReview

    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
        review.set_owner(s, "Janteloppet", "JL-02", "ed", actor="dora")
        review.submit(s, "Janteloppet", "JL-02", actor="ed")
        review.send_back(s, "Janteloppet", "JL-02", "name the retention period", actor="dora")
    with db.transaction(engine) as s:
        act = get_activity(s, "Janteloppet", "JL-02")
        s.execute(ActivityReview.__table__.update().where(ActivityReview.activity_id == act.id).values(last_reviewed_at=SUMMER))
    with db.session(engine) as s:
        ed = access.load_principal(s, "ed")
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    import streamlit as st

    st.cache_resource.clear()
    for lang, head, shown in (("nb", "Sist gjennomgått", "01.07.2026 08:15 CEST (dora)"), ("en", "Last reviewed", "1 Jul 2026 08:15 CEST (dora)")):
        at = app_page("tasks", lang, ropa_principal=ed)
        assert _when_column(at, head) == [shown]
    st.cache_resource.clear()
    assert cli.main(["--user", "ed", "tasks"]) == 0
    assert "1 Jul 2026 08:15 CEST (dora)" in capsys.readouterr().out
    assert cli.main(["--user", "ed", "tasks", "--format", "json"]) == 0
    task = json.loads(capsys.readouterr().out)["tasks"][0]
    assert (task["kind"], task["last_reviewed"], task["last_reviewed_by"]) == ("returned", "2026-07-01T08:15:00+02:00", "dora")
