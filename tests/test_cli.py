"""``python -m ropa`` as a script or cron job would run it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ropa(*args, url, cwd=ROOT):
    env = {**os.environ, "ROPA_DATABASE_URL": url, "ROPA_USER": "cli-test"}
    return subprocess.run([sys.executable, "-m", "ropa", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_init_demo_list_show_export(url, tmp_path):
    r = ropa("init", "--demo", url=url)
    assert r.returncode == 0, r.stderr
    assert "created" in r.stdout
    r = ropa("list", "--format", "json", url=url)
    assert r.returncode == 0
    rows = json.loads(r.stdout)
    assert len(rows) >= 25 and len({row["organisation"] for row in rows}) == 5
    r = ropa("list", "--org", "Janteloppet", url=url)
    assert r.returncode == 0 and "JL-01" in r.stdout and "ETP-01" not in r.stdout
    r = ropa("show", "Janteloppet", "JL-01", "--format", "json", url=url)
    assert r.returncode == 0 and json.loads(r.stdout)["ref"] == "JL-01"
    out = tmp_path / "register.json"
    r = ropa("export", str(out), url=url)
    assert r.returncode == 0 and out.exists()
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "ropa-register"


def test_import_round_trip_and_dry_run(url, tmp_path):
    assert ropa("init", "--demo", url=url).returncode == 0
    out = tmp_path / "register.json"
    assert ropa("export", str(out), url=url).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    r = ropa("import", str(out), "--dry-run", url=other)
    assert r.returncode == 0 and r.stdout.startswith("dry run:") and "would be created" in r.stdout
    assert json.loads(ropa("list", "--format", "json", url=other).stdout) == []
    r = ropa("import", str(out), url=other)
    assert r.returncode == 0, r.stderr
    again = tmp_path / "again.json"
    assert ropa("export", str(again), url=other).returncode == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def _bad_file(tmp_path, mutate):
    from ropa.demo import demo_document

    document = demo_document()
    mutate(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (
            lambda d: d["organisations"][2]["activities"][5 % len(d["organisations"][2]["activities"])].update(transfers=[{"country": "XX"}]),
            "transfers[0].country: 'XX' is not an ISO 3166 country code",
        ),
        (lambda d: d["organisations"][0]["activities"][1].update(ref=d["organisations"][0]["activities"][0]["ref"]), "organisations[0].activities[1].ref: ref"),
        (lambda d: d["organisations"][0]["activities"][0].update(role="owner"), "organisations[0].activities[0].role: 'owner' is not a role"),
        (lambda d: d["organisations"][1].pop("name"), "organisations[1].name: is required"),
    ],
)
def test_rejected_import_prints_one_line_per_problem_and_writes_nothing(url, tmp_path, mutate, expected):
    assert ropa("init", url=url).returncode == 0
    r = ropa("import", str(_bad_file(tmp_path, mutate)), url=url)
    assert r.returncode == 1
    assert expected in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert "nothing was written" in r.stderr
    assert json.loads(ropa("list", "--format", "json", url=url).stdout) == []


def test_bad_json_and_usage_errors(url, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "ropa-register", "version": 1, "organisations": [', encoding="utf-8")
    r = ropa("import", str(bad), url=url)
    assert r.returncode == 1 and "broken.json:1:" in r.stderr and "not valid JSON" in r.stderr
    r = ropa("import", str(tmp_path / "missing.json"), url=url)
    assert r.returncode == 1 and "no such file" in r.stderr
    r = ropa("frobnicate", url=url)
    assert r.returncode == 2
    r = ropa("show", "No Such Org", "X-01", url=url)
    assert r.returncode == 2 and "no organisation named 'No Such Org'" in r.stderr
    r = ropa("export", str(tmp_path / "x.pdf"), url=url)
    assert r.returncode == 2 and "cannot export" in r.stderr
    assert "Traceback" not in r.stderr


def test_schema_command_prints_the_published_schema(url):
    r = ropa("schema", url=url)
    assert r.returncode == 0
    published = json.loads((ROOT / "schema" / "ropa-register.schema.json").read_text(encoding="utf-8"))
    assert json.loads(r.stdout) == published


def test_list_and_show_speak_labels_in_the_chosen_language(url):
    assert ropa("init", "--demo", url=url).returncode == 0
    r = ropa("list", "--org", "Janteloppet", "--lang", "nb", url=url)
    assert r.returncode == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert header.split()[:2] == ["Virksomhet", "Referanse"]
    assert "behandlingsansvarlig" in r.stdout and "aktiv" in r.stdout and "controller" not in r.stdout
    assert r.stdout.rstrip().endswith("8 behandlingsaktiviteter")
    r = ropa("list", "--org", "Janteloppet", url=url)
    assert " controller " in r.stdout and r.stdout.rstrip().endswith("8 activities")

    r = ropa("show", "Janteloppet", "JL-01", url=url)
    assert r.returncode == 0, r.stderr
    assert "Art. 6(1)(b) – contract" in r.stdout and "art6_1_b" not in r.stdout
    assert "Lawful basis for processing" in r.stdout and r.stdout.splitlines()[1].split() == ["Reference", "JL-01"]
    r = ropa("show", "Janteloppet", "JL-01", "--lang", "nb", url=url)
    assert "Art. 6(1)(b) – avtale" in r.stdout and "Behandlingsgrunnlag" in r.stdout and "Referanse" in r.stdout


def test_show_text_does_not_pass_terminal_escapes_through(url, tmp_path):
    from ropa import db
    from ropa.register.activities import activity_dict, get_activity, update_activity

    assert ropa("init", "--demo", url=url).returncode == 0
    engine = db.make_engine(url)
    with db.transaction(engine) as s:
        doc = activity_dict(get_activity(s, "Janteloppet", "JL-01"))
        doc["description"] = "Evil \x1b[2J description"  # names refuse control characters; free text keeps them
        update_activity(s, "Janteloppet", "JL-01", doc, expected_version=1, actor="test")
    engine.dispose()
    r = ropa("show", "Janteloppet", "JL-01", url=url)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "Evil \\x1b[2J description" in r.stdout
    assert "\x1b" not in ropa("list", url=url).stdout


def test_a_dry_run_import_goes_through_the_door_once(tmp_path, monkeypatch, capsys):
    """One call into the import door (in its child process) reads the file, imports it, rolls back and brings
    the plan that the changes are printed from; nothing is planned separately and nothing is written."""
    from ropa import cli, db, isolation
    from ropa.register.organisations import list_organisations

    url = f"sqlite:///{tmp_path / 'r.db'}"
    path = tmp_path / "register.csv"
    path.write_text("Behandlingsaktivitet;Formål\nLønn;Utbetale lønn\nOpptak;Ta opp studenter\n", encoding="utf-8")
    calls: list[str] = []
    real = isolation.import_file
    monkeypatch.setattr(isolation, "import_file", lambda *a, **kw: calls.append("import") or real(*a, **{**kw, "fork": False}))
    monkeypatch.setattr(isolation, "plan_file", lambda *a, **kw: pytest.fail("the file was read a second time"))
    assert cli.main(["--database-url", url, "init"]) == 0
    capsys.readouterr()
    assert cli.main(["--database-url", url, "import", str(path), "--org", "Testkommune", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert calls == ["import"]
    assert "new: Testkommune / " in out and "Lønn" in out and out.strip().splitlines()[-1].startswith("dry run: 2 rows read")
    with db.session(db.make_engine(url)) as s:
        assert list_organisations(s) == []
