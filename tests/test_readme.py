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
        assert command[:3] == ["python", "-m", "ropa"]
        r = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{line}\n{r.stderr}"
