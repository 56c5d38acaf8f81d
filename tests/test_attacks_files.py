"""Attacks through a file handed to the DPO. Each test is the attack; it failed before the fix it names."""

from __future__ import annotations

import hashlib
from typing import Any

from openpyxl import load_workbook

from ropa import db, imports
from ropa.excel import layout
from ropa.excel.export import write_workbook
from ropa.register.activities import get_activity


def _public_digest(values: Any, salt: str) -> str:
    """The row fingerprint as anyone can compute it from the published source: no key."""
    return hashlib.blake2b(f"{layout.cells_text(values)}\x1e{salt}".encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def test_a_hidden_json_cell_with_a_recomputed_digest_does_not_overrule_the_visible_cells(demo_engine, tmp_path):
    """A department contact edits the hidden ropa:json of a row (the activity is no longer
    active, and its purposes are replaced) and writes the row's fingerprint again, as the
    published code computes it. The DPO sees the row as it was, and the import took the hidden
    text as an untouched row's. The fingerprint is keyed now: the row is compared cell by cell,
    and the visible cells, which the DPO can read, win."""
    book = tmp_path / "crafted.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="en")
    wb = load_workbook(book)
    ws = wb[layout.ACTIVITIES.name("en")]
    header = [c.value for c in ws[1]]
    spec_headers = [c.header("en") for c in layout.ACTIVITIES.columns]
    at = {c.key: header.index(h) + 1 for c, h in zip(layout.ACTIVITIES.columns, spec_headers)}
    visible = [c.key for c in layout.ACTIVITIES.columns if not c.hidden]
    row = next(r for r in range(2, ws.max_row + 1) if '"status":"active"' in str(ws.cell(r, at[layout.JSON_COLUMN]).value))
    org, ref = ws.cell(row, at["organisation"]).value, ws.cell(row, at["ref"]).value
    cell = ws.cell(row, at[layout.JSON_COLUMN])
    assert ws.cell(row, at[layout.JSON_COLUMN] + 1).value is None  # the record fits in one cell
    cell.value = cell.value.replace('"status":"active"', '"status":"retired"', 1)
    cell.value = cell.value.replace('"purposes":[', '"purposes":["Selling the data to anyone",', 1)
    ws.cell(row, at[layout.DIGEST_COLUMN]).value = _public_digest([ws.cell(row, at[k]).value for k in visible], cell.value)
    wb.save(book)

    with db.session(demo_engine) as s:
        plan = imports.plan(s, book)
    assert [r.status for r in plan.rows].count("changed") == 0  # the visible cells are the register's
    with db.transaction(demo_engine) as s:
        imports.import_(s, book, actor="test")
    with db.session(demo_engine) as s:
        act = get_activity(s, org, ref)
        assert act.status == "active" and "Selling the data to anyone" not in act.purposes


def test_an_untouched_workbook_is_still_recognised_by_its_digests(demo_engine, tmp_path, monkeypatch):
    from ropa.excel import own_workbook

    book = tmp_path / "as-exported.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="nb")
    compared = []
    real = own_workbook.edited
    monkeypatch.setattr(own_workbook, "edited", lambda spec, *a, **kw: compared.append(spec.key) or real(spec, *a, **kw))
    with db.session(demo_engine) as s:
        plan = imports.plan(s, book)
    assert {r.status for r in plan.rows} == {"unchanged"}
    assert "activities" not in compared  # the fast path: no row rendered and compared


def test_without_a_configured_key_one_is_made_readable_by_its_owner_alone(tmp_path, monkeypatch):
    import stat

    from ropa import settings

    monkeypatch.delenv("ROPA_WORKBOOK_KEY", raising=False)
    monkeypatch.setattr(settings, "WORKBOOK_KEY_FILE", tmp_path / "workbook.key")
    monkeypatch.setattr(settings, "_workbook_keys", {})
    key = settings.workbook_key()
    stored = (tmp_path / "workbook.key").read_text(encoding="ascii").strip()
    assert len(key) == 32 and bytes.fromhex(stored) == key
    assert stat.S_IMODE((tmp_path / "workbook.key").stat().st_mode) == 0o600
    monkeypatch.setattr(settings, "_workbook_keys", {})  # a restarted server reads the same key back
    assert settings.workbook_key() == key
    monkeypatch.setenv("ROPA_WORKBOOK_KEY", "configured")
    assert settings.workbook_key() == b"configured"
