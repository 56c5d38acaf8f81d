"""The role matrix and the user commands through ``python -m ropa`` (a temporary SQLite file):
the CLI acts as ``--user``/``ROPA_USER`` and gets the same answers as the library."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ropa import cli

ROOT = Path(__file__).resolve().parent.parent
ASSIGNED, OTHER = "Janteloppet", "Allprofil AS"
PASSWORD = "correct horse battery"


def run(monkeypatch: Any, capsys: Any, url: str, *args: str, stdin: str = "", user: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    if user is None:
        monkeypatch.delenv("ROPA_USER", raising=False)
    else:
        monkeypatch.setenv("ROPA_USER", user)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def url(sqlite_demo_url: str, monkeypatch: Any, capsys: Any) -> str:
    for name, role, orgs, actor in (
        ("ada", "admin", [], "setup"),
        ("dora", "dpo", [], "ada"),
        ("ed", "editor", [ASSIGNED], "ada"),
        ("vera", "viewer", [ASSIGNED], "ada"),
    ):
        org_args = [a for o in orgs for a in ("--org", o)]
        code, _, err = run(
            monkeypatch, capsys, sqlite_demo_url, "--user", actor, "user", "add", name, "--role", role, *org_args, "--password-stdin", stdin=PASSWORD + "\n"
        )
        assert code == 0, err
    return sqlite_demo_url


def _document(monkeypatch: Any, capsys: Any, url: str, tmp_path: Path, org: str, change: str) -> Path:
    out = tmp_path / f"{org}-{change}.json"
    assert run(monkeypatch, capsys, url, "export", str(out), "--org", org, user="dora")[0] == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    acts = doc["organisations"][0]["activities"]
    if change == "create":
        acts.append({**acts[0], "ref": f"NEW-{len(acts)}"})
    else:
        acts[0]["description"] = "changed from the command line"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out


ALLOWED = {  # (assigned, unassigned)
    "ada": ({"export", "check", "list", "show", "user admin"},) * 2,
    "dora": ({"create", "update", "export", "check", "list", "show", "user admin", "approve"},) * 2,
    "ed": ({"create", "update", "export", "check", "list", "show"}, set()),
    "vera": ({"export", "check", "list", "show"}, set()),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_role_matrix_through_the_cli(url, who, tmp_path, monkeypatch, capsys):
    wrong = []
    for i, (place, org) in enumerate((("assigned", ASSIGNED), ("unassigned", OTHER))):
        allowed = ALLOWED[who][i]
        ops = {
            "create": ["import", str(_document(monkeypatch, capsys, url, tmp_path, org, "create"))],
            "update": ["import", str(_document(monkeypatch, capsys, url, tmp_path, org, "update"))],
            "export": ["export", str(tmp_path / f"{who}-{i}.xlsx"), "--org", org],
            "check": ["check", "--org", org, "--format", "json"],
            "list": ["list", "--org", org, "--format", "json"],
            "show": ["show", org, "JL-01" if org == ASSIGNED else "AP-01"],
            "user admin": ["user", "add", f"u-{who}-{i}", "--role", "viewer", "--org", org, "--password-stdin"],
        }
        ref = ops["show"][2]
        assert run(monkeypatch, capsys, url, "review", "submit", org, ref, user="dora")[0] == 0
        ops["approve"] = ["review", "approve", org, ref]
        for op, args in ops.items():
            code, out, err = run(monkeypatch, capsys, url, *args, user=who, stdin=PASSWORD + "\n")
            if op in allowed and code != 0:
                wrong.append(f"{who} {op} {place}: exit {code}: {err.strip()}")
            if op not in allowed and (code != 1 or "is not allowed to" not in err or "Traceback" in err):
                wrong.append(f"{who} {op} {place}: exit {code}, expected a refusal: {err.strip()}")
    assert not wrong, "\n".join(wrong)


def test_list_and_check_show_only_the_assigned_organisation(url, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, url, "list", "--format", "json", user="vera")
    assert code == 0 and {r["organisation"] for r in json.loads(out)} == {ASSIGNED}
    code, out, _ = run(monkeypatch, capsys, url, "check", "--format", "json", user="vera")
    assert code == 0 and {f["organisation"] for f in json.loads(out)} == {ASSIGNED}
    code, out, _ = run(monkeypatch, capsys, url, "list", "--format", "json", user="dora")
    assert len({r["organisation"] for r in json.loads(out)}) == 5


def test_the_cli_user_must_be_an_enabled_user_once_users_exist(url, monkeypatch, capsys):
    code, _, err = run(monkeypatch, capsys, url, "list", user="nobody")
    assert code == 1 and "'nobody' is not an enabled user" in err and "--user" in err
    assert run(monkeypatch, capsys, url, "--actor", "ada", "user", "disable", "ed")[0] == 0  # --actor is an alias
    code, _, err = run(monkeypatch, capsys, url, "list", user="ed")
    assert code == 1 and "'ed' is not an enabled user" in err
    code, out, _ = run(monkeypatch, capsys, url, "user", "list", "--format", "json", user="ada")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["ed"]["enabled"] is False and rows["vera"]["organisations"] == [ASSIGNED]
    assert rows["dora"]["organisations"] == []


def test_user_password_asked_twice_must_match(url, monkeypatch, capsys):
    answers = iter(["a new passphrase 1", "a different one 2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run(monkeypatch, capsys, url, "user", "password", "vera", user="ada")
    assert code == 2 and "differ" in err
    answers = iter(["a new passphrase 1", "a new passphrase 1"])
    assert run(monkeypatch, capsys, url, "user", "password", "vera", user="ada")[0] == 0
    from ropa import db, users
    from ropa.demo import open_register

    engine = open_register(url, demo_if_new=False)
    with db.transaction(engine) as s:
        assert users.sign_in(s, "vera", "a new passphrase 1").ok
    engine.dispose()


def test_documented_user_commands_in_a_subprocess(tmp_path):
    env = {**os.environ, "ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "ROPA_USER": "anna"}
    env.pop("ROPA_TEST_DATABASE_URL", None)

    def ropa(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ropa", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)

    assert ropa("init", "--demo").returncode == 0
    r = ropa("user", "add", "anna", "--role", "dpo", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "sign-in is now required" in r.stdout, r.stderr
    r = ropa("user", "add", "ola", "--role", "editor", "--org", ASSIGNED, "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = ropa("--user", "ola", "list", "--org", OTHER)
    assert r.returncode == 1 and "register.read" in r.stderr and "Traceback" not in r.stderr
    r = ropa("user", "list")
    assert r.returncode == 0 and "ola" in r.stdout and ASSIGNED in r.stdout


def test_readme_user_examples_run(tmp_path):
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    block = next(b for b in blocks if "user add anna" in b) + next(b for b in blocks if "review submit" in b)
    env = {
        **os.environ,
        "ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
        "PW": PASSWORD,
        "PYTHONPATH": str(ROOT),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("ROPA_USER", None)
    assert subprocess.run([sys.executable, "-m", "ropa", "init", "--demo"], env=env, cwd=tmp_path, capture_output=True, timeout=120).returncode == 0
    lines = block.strip().splitlines()
    lines.sort(key=lambda line: "user disable ola" in line)  # ola acts in the review lines: disable last
    for line in lines:
        command = line.split("  #", 1)[0].replace("python -m", f"{sys.executable} -m")
        r = subprocess.run(["bash", "-c", command], input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert r.returncode == 0, f"{line}\n{r.stderr}"
