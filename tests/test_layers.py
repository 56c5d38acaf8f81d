"""The import graph runs one way: records -> register -> edges (CLI, pages, workbook, documents).

Read from the source with ``ast`` (nothing is imported), so a new import that runs back up, or
a new cycle, fails here rather than as a puzzling ImportError later.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROPA = ROOT / "ropa"

EDGES = ("ropa.ui", "ropa.cli", "ropa.excel", "ropa.documents", "ropa.imports", "ropa.__main__")
# The pre-split names, removed: nothing may import them again.
FACADES = ("ropa.registry", "ropa.snapshot", "ropa.bulk", "ropa.interchange", "ropa.excel.importer", "ropa.documents.fields")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The ropa modules a file imports (``from ropa import x`` counts as ``ropa.x`` when it is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("ropa"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ropa") and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if _exists(sub) else node.module)
    return out


def _exists(module: str) -> bool:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _sources() -> list[Path]:
    return sorted(p for p in ROPA.rglob("*.py") if "migrations" not in p.parts)


def test_records_and_the_register_import_no_edge_nor_facade():
    below = [ROPA / "records.py", *sorted((ROPA / "register").glob("*.py"))]
    wrong = {_module(p): sorted(m for m in _imports(p, top_level_only=False) if m.startswith(EDGES + FACADES)) for p in below}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_no_module_only_hands_names_on():
    """A module of nothing but imports is a facade: callers import a name from where it is defined.
    (A package's ``__init__`` may gather its names; none here does.)"""
    facades = []
    for p in _sources():
        body = ast.parse(p.read_text(encoding="utf-8")).body
        code = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        code = [n for n in code if not (isinstance(n, ast.Assign) and [getattr(t, "id", None) for t in n.targets] == ["__all__"])]
        if code and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in code):
            facades.append(_module(p))
    assert facades == []


def test_nothing_imports_a_removed_name():
    wrong = {_module(p): sorted(m for m in _imports(p, top_level_only=False) if m.startswith(FACADES)) for p in _sources()}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_records_import_nothing_of_the_register():
    assert not [m for m in _imports(ROPA / "records.py", top_level_only=False) if m.startswith(("ropa.register", *FACADES))]


def test_the_workbook_runs_no_sql_of_its_own():
    """ropa/excel/ asks the register (ropa.register.reader) for what it reads."""
    found = []
    for p in sorted((ROPA / "excel").glob("*.py")):
        text = p.read_text(encoding="utf-8")
        for needle in ("select(", "session.execute", ".execute(", "from sqlalchemy import"):
            if needle in text:
                found.append((p.name, needle))
    assert found == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # A package's own __init__ importing its children is not a cycle of layers.
    return [c for c in cycles if not any(b.startswith(a + ".") for a, b in zip(c, c[1:]))]


def test_no_cycle_among_modules_imported_at_load():
    """No cycle among ropa's modules through their top-level imports: Python could not load them."""
    graph = {_module(p): {m for m in _imports(p, top_level_only=True) if m != _module(p)} for p in _sources()}
    assert _cycles(graph) == []


def test_no_cycle_among_modules_at_any_depth():
    """No cycle either through imports inside functions, under ``TYPE_CHECKING`` or behind a module's
    ``__getattr__``: a late import hides a loop from Python, not from the reader, and the layers
    (records -> register -> edges) run one way only."""
    graph = {_module(p): {m for m in _imports(p, top_level_only=False) if m != _module(p)} for p in _sources()}
    assert _cycles(graph) == []


# Modules once tied into a loop by imports inside their functions, and what they must not import
# again, at any depth of the file: each of these ran back up a layer (the rule to the register, the
# error to the access policy, the register to the review cycle built on it).
NO_LATE_IMPORT_UP = {
    "access.py": ("ropa.registry", "ropa.register", *EDGES, *FACADES),
    "permissions.py": ("ropa.access", "ropa.errors", "ropa.register", *EDGES, *FACADES),
    "errors.py": ("ropa.access", "ropa.register", *EDGES, *FACADES),
    "checks.py": ("ropa.register", *EDGES, *FACADES),
    "rulebook.py": ("ropa.checks", "ropa.activity_checks", "ropa.organisation_checks", "ropa.register", *EDGES, *FACADES),
    "wording.py": ("ropa.checks", "ropa.rulebook", "ropa.register", *EDGES, *FACADES),
    "activity_checks.py": ("ropa.checks", "ropa.organisation_checks", "ropa.register", *EDGES, *FACADES),
    "organisation_checks.py": ("ropa.checks", "ropa.register", *EDGES, *FACADES),
    "transfers.py": ("ropa.checks", "ropa.rulebook", "ropa.activity_checks", "ropa.organisation_checks", "ropa.register", *EDGES, *FACADES),
    "models.py": ("ropa.schema", "ropa.register", *EDGES, *FACADES),
    "register/activities.py": ("ropa.review",),
    "audit.py": ("ropa.access", "ropa.excel"),
    "present.py": ("ropa.register", *EDGES, *FACADES),
    "schema.py": ("ropa.documents", "ropa.register", *EDGES, *FACADES),
    "timeline.py": ("ropa.registry", "ropa.register", *EDGES, *FACADES),
}


def test_no_import_inside_a_function_runs_back_up():
    """tests/test_layers.py's cycle test reads top-level imports only; these files' function-level
    imports are counted too, so a late import cannot bring a loop back."""
    wrong = {name: sorted(m for m in _imports(ROPA / name, top_level_only=False) if m.startswith(banned)) for name, banned in NO_LATE_IMPORT_UP.items()}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_dashboard_shows_an_activity_without_the_workbook():
    """The renderers are ropa.present's: the UI uses them, the workbook's layout builds on them."""
    ui = {_module(p): sorted(m for m in _imports(p, top_level_only=False) if m.startswith("ropa.excel.layout")) for p in sorted((ROPA / "ui").rglob("*.py"))}
    assert {k: v for k, v in ui.items() if v} == {}
