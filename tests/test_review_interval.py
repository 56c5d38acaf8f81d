"""Each organisation's review interval (months from an approval to the next review): set by an
admin or dpo through :func:`ropa.review.set_interval` (audited), shown and edited on the
Organisations page and by ``python -m ropa review interval``; approvals and My tasks follow it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ropa import access, cli, db, review, users
from ropa.demo import open_register
from ropa.errors import PermissionDenied, ValidationFailed
from ropa.models import AuditEvent
from ropa.register.activities import get_activity, list_activities
from ropa.register.lookup import get_organisation
from tests.conftest import app_page

ORG, OTHER = "Janteloppet", "Allprofil AS"
PASSWORD = "correct horse battery"


def _seed(engine: Any) -> None:
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="ada")
        users.add_user(s, "dana", role="dpo", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[ORG], actor="ada")


@pytest.fixture
def register(demo_engine: Any) -> Any:
    _seed(demo_engine)
    return demo_engine


def _months(engine: Any, org: str) -> int:
    with db.session(engine) as s:
        return review.interval_months(s, get_organisation(s, org))


@pytest.mark.parametrize(
    ("who", "org", "allowed"),
    [
        ("ada", ORG, True),
        ("ada", OTHER, True),
        ("dora", OTHER, True),
        ("dana", ORG, True),
        ("dana", OTHER, False),
        ("ed", ORG, False),
        ("vera", ORG, False),
    ],
)
def test_who_may_set_the_interval(register, who, org, allowed):
    if allowed:
        with db.transaction(register) as s:
            assert review.set_interval(s, org, 6, actor=who, source="test") == 12
        assert _months(register, org) == 6
        with db.session(register) as s:
            event = s.execute(select(AuditEvent).where(AuditEvent.field == "review_interval")).scalar_one()
        assert (event.entity, event.entity_key, event.actor, event.old_value, event.new_value, event.source) == ("setting", org, who, "12", "6", "test")
        return
    with pytest.raises(PermissionDenied) as err, db.transaction(register) as s:
        review.set_interval(s, org, 6, actor=who)
    assert err.value.permission == "organisation.edit" and err.value.organisation == org
    assert _months(register, org) == 12


@pytest.mark.parametrize("months", [0, 61, -3])
def test_the_interval_is_one_to_sixty_months(register, months):
    with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
        review.set_interval(s, ORG, months, actor="dora")
    assert err.value.problems[0].code == "out_of_range" and err.value.problems[0].where == "months"
    assert _months(register, ORG) == 12


def test_approval_and_tasks_follow_the_interval(register):
    with db.transaction(register) as s:
        review.set_interval(s, ORG, 6, actor="dora")
        review.set_owner(s, ORG, "JL-01", "ed", actor="dora")
        review.submit(s, ORG, "JL-01", actor="ed")
    with db.transaction(register) as s:
        version = get_activity(s, ORG, "JL-01").version
        review.approve(s, ORG, "JL-01", expected_version=version, actor="dora", today=date(2026, 3, 31))
    with db.session(register) as s:
        act = get_activity(s, ORG, "JL-01")
        assert (act.last_review, act.next_review) == (date(2026, 3, 31), date(2026, 9, 30))  # six months, not twelve
        kinds = {
            day: [t.kind for t in review.tasks(s, "ed", today=day) if t.ref == "JL-01"] for day in (date(2026, 8, 30), date(2026, 9, 1), date(2026, 10, 1))
        }
    assert kinds == {date(2026, 8, 30): [], date(2026, 9, 1): ["due"], date(2026, 10, 1): ["overdue"]}
    # Another organisation keeps the default of 12 months.
    with db.transaction(register) as s:
        ref = list_activities(s, org=OTHER)[0].ref
        review.submit(s, OTHER, ref, actor="dora")
        version = get_activity(s, OTHER, ref).version
        review.approve(s, OTHER, ref, expected_version=version, actor="dora", today=date(2026, 3, 31))
        assert get_activity(s, OTHER, ref).next_review == date(2027, 3, 31)


def test_review_interval_in_the_cli(sqlite_demo_url, monkeypatch, capsys):
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    _seed(engine)
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    monkeypatch.delenv("ROPA_USER", raising=False)
    assert cli.main(["--user", "ed", "review", "interval", ORG]) == 0
    assert capsys.readouterr().out.strip() == f"{ORG}: review every 12 months after approval"
    assert cli.main(["--user", "ed", "review", "interval", ORG, "3"]) == 1
    assert "not allowed to change organisations in 'Janteloppet' (organisation.edit)" in capsys.readouterr().err
    assert cli.main(["--user", "ada", "review", "interval", "janteloppet", "3"]) == 0
    assert capsys.readouterr().out.strip() == f"{ORG}: review every 3 months after approval (was 12)"
    assert cli.main(["--user", "dora", "review", "interval", ORG, "72"]) == 1
    assert "months: the review interval is 1 to 60 months" in capsys.readouterr().err
    assert cli.main(["--user", "ed", "review", "interval", OTHER]) == 1  # not ed's to read
    capsys.readouterr()
    assert cli.main(["--user", "ed", "review", "owner", ORG, "JL-02", "ed"]) == 0
    assert cli.main(["--user", "ed", "review", "submit", ORG, "JL-02"]) == 0
    assert cli.main(["--user", "dora", "review", "approve", ORG, "JL-02"]) == 0
    capsys.readouterr()
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.session(engine) as s:
        act = get_activity(s, ORG, "JL-02")
        assert act.next_review == review._add_months(act.last_review, 3)
    engine.dispose()
    assert cli.main(["--user", "ed", "tasks", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"] == []  # approved today: due only in 3 months


def _number(at: Any) -> Any:
    return at.number_input(key="org_interval")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_organisations_page_shows_and_saves_the_interval(demo_url, lang):
    at = app_page("organisations", lang, org_pick=ORG)
    head = {"nb": "Gjennomgang hver (måneder)", "en": "Review every (months)"}[lang]
    table = at.dataframe[0].value
    assert set(table[head]) == {12}
    assert _number(at).value == 12 and not _number(at).disabled and _number(at).label == head
    _number(at).set_value(18)
    at.button(key="org_interval_submit").click()
    at.run()
    assert not at.exception and not at.error
    engine = open_register(demo_url, demo_if_new=False)
    assert _months(engine, ORG) == 18 and _months(engine, OTHER) == 12
    engine.dispose()
    assert dict(zip(at.dataframe[0].value.iloc[:, 0], at.dataframe[0].value[head]))[ORG] == 18
    assert _number(at).value == 18


def test_organisations_page_interval_is_read_only_for_an_editor(demo_url):
    engine = open_register(demo_url, demo_if_new=False)
    _seed(engine)
    with db.transaction(engine) as s:
        review.set_interval(s, ORG, 9, actor="dora")
    with db.session(engine) as s:
        ed = access.load_principal(s, "ed")
    engine.dispose()
    at = app_page("organisations", "en", ropa_principal=ed, org_pick=ORG)
    assert _number(at).value == 9 and _number(at).disabled
    assert at.button(key="org_interval_submit").disabled
    assert any("Only an admin or data protection officer" in c.value for c in at.caption)
