"""The README's promises: its two commands, and the CLI examples it shows, really work."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    blocks = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    app_command, test_command = blocks[0].strip(), blocks[1].strip()
    assert app_command.endswith("streamlit run app.py")
    assert test_command.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == test_command


def test_readme_cli_examples_run(tmp_path):
    import os
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in _bash_blocks(text) if "python -m ropa init" in b)
    env = {**os.environ, "ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}"}
    for line in block.strip().splitlines():
        command = line.split("#", 1)[0].split()
        assert command[:3] == [".venv/bin/python", "-m", "ropa"], "the README calls the venv's Python: no activation needed"
        r = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{line}\n{r.stderr}"


def test_default_database_is_in_the_clone_whatever_the_folder(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "ROPA_DATABASE_URL"}
    r = subprocess.run(
        [sys.executable, "-c", "from ropa import settings; print(settings.database_url())"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"sqlite:///{ROOT / 'data' / 'ropa.db'}"


def test_the_ropa_command_is_declared_for_pip_install_e():
    import importlib
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, name = project["project"]["scripts"]["ropa"].partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["ropa*"]
