"""Our own workbook read back (sheet Metadata says ``format`` = ``ropa-workbook``), in either language.

Each activity and organisation row carries its record in the hidden ``ropa:json`` cells. A
visible cell that still shows what the JSON renders to is taken from the JSON, exactly; a cell
the DPO changed is parsed. The other sheets are read back the same way: Transfers (rows changed,
added or deleted), Recipients (kind, country, agreement, used by), Processor activities,
Organisations. Export -> import -> export is lossless. A row whose hidden ``ropa:digest`` still
matches (:func:`ropa.excel.layout.row_digest`) is as exported: an activity row then goes on as
its JSON text (:class:`~ropa.validation.ActivityJSON`, validated by pydantic straight from the text),
and a row of another sheet is skipped, so an untouched workbook of 100,000 activities is neither
decoded into dicts nor rendered again.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Optional

from ropa import vocab
from ropa.errors import PathPart, Problem, ValidationFailed
from ropa.excel import convert, layout, mapping, reader
from ropa.excel.convert import Note, say
from ropa.excel.disclosures import add_transfer_recipients
from ropa.excel.import_plan import Origin, Place, RowPlan, at_column, told
from ropa.excel.layout import Sheet
from ropa.excel.other_registers import add_activity_row
from ropa.excel.register_document import OrganisationDraft, RegisterBuilder, fields_of_row
from ropa.text import normalise_name
from ropa.validation import ActivityJSON


def is_own_workbook(book: reader.Book) -> Optional[dict[str, str]]:
    """The Metadata sheet's key/value pairs when this is a ropa workbook, else None."""
    sheet = book.sheet(layout.METADATA.en)
    if sheet is None:
        return None
    meta = {}
    for row in sheet.rows:
        if len(row) >= 2 and isinstance(row[0], str):
            meta[row[0].strip()] = convert.text(row[1]) or ""
    return meta if meta.get("format") == layout.WORKBOOK_FORMAT else None


def _same(cell: Any, rendered: Any) -> bool:
    """Does a cell still show what the record renders to (as the exporter wrote it)?"""
    if cell == rendered and cell.__class__ is rendered.__class__:
        return True
    if rendered == "" or rendered is None:
        return cell is None or (isinstance(cell, str) and not cell.strip())
    if cell is None:
        return False
    if isinstance(rendered, str):
        r = layout.ILLEGAL.sub("", rendered)[: layout.MAX_CELL].replace("\r\n", "\n")
        c = cell.replace("\r\n", "\n") if isinstance(cell, str) else convert.text(cell)
        return c == r or (c is not None and c.strip() == r.strip())
    if isinstance(rendered, date) and not isinstance(rendered, datetime):
        if isinstance(cell, datetime):
            cell = cell.date()
        return bool(cell == rendered)
    if isinstance(rendered, bool) or isinstance(cell, bool):
        return cell is rendered
    if isinstance(rendered, (int, float)):
        return bool(cell == rendered) if isinstance(cell, (int, float)) else convert.text(cell) == convert.text(rendered)
    return bool(cell == rendered)


def _columns_of(sheet: reader.SheetData, spec: Sheet, b: RegisterBuilder, header: Optional[list[Any]] = None) -> tuple[dict[str, int], Optional[int]]:
    """Where each of the layout's columns is (by header, either language), and the ropa:json column."""
    known: dict[str, str] = {}
    for c in spec.columns:
        for lang in ("nb", "en"):
            known.setdefault(" ".join(c.header(lang).split()).casefold(), c.key)
    found: dict[str, int] = {}
    if header is None:
        header = sheet.rows[0] if sheet.rows else []
    for i, h in enumerate(header):
        text = convert.text(h)
        if not text:
            continue
        key = known.get(" ".join(text.split()).casefold())
        if key is None:
            b.warn(
                at_column(sheet.name, mapping.column_letter(i), main=False),
                "unknown_column",
                say(f"'{text}' is not a column of this workbook; not imported", f"'{text}' er ikke en kolonne i denne arbeidsboken; importeres ikke"),
            )
        elif key not in found:
            found[key] = i
    return found, found.pop(layout.JSON_COLUMN, None)


def _cells(row: list[Any], cols: dict[str, int]) -> dict[str, Any]:
    return {k: (row[i] if i < len(row) else None) for k, i in cols.items()}


def _load_json(row: list[Any], j: Optional[int]) -> tuple[Optional[dict[str, Any]], bool]:
    """The row's record from its ropa:json cells; (None, damaged?)."""
    if j is None or j >= len(row):
        return None, False
    return _decode(layout.join_json(row[j:]))


def _decode(text: str) -> tuple[Optional[dict[str, Any]], bool]:
    """A ropa:json text as a record; (None, damaged?)."""
    if not text:
        return None, False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, a number too long, or nested too deep: damaged
        return None, True
    return (value, False) if isinstance(value, dict) else (None, True)


def edited(spec: Sheet, cells: dict[str, Any], record: Any, ctx: layout.Context, skip: Sequence[str] = ()) -> dict[str, Any]:
    """The cells that no longer show what ``record`` renders to."""
    out = {}
    for col in spec.columns:
        key = col.key
        if col.hidden or key in skip or key not in cells:
            continue
        cell = cells[key]
        rendered = col.render(record, ctx)
        if cell == rendered and cell.__class__ is rendered.__class__:
            continue
        if not _same(cell, rendered):
            out[key] = cell
    return out


def _headers(spec: Sheet, lang: str, rename: Optional[dict[str, str]] = None) -> dict[str, str]:
    out = {c.key: c.header(lang) for c in spec.columns}
    for k, v in (rename or {}).items():
        out[k] = out.get(v, v)
    return out


def read_own_workbook(b: RegisterBuilder, book: reader.Book, meta: dict[str, str]) -> list[str]:
    lang = meta.get("language") or "nb"
    lang = lang if lang in ("nb", "en") else "nb"
    b.lang = lang
    sheets: dict[str, reader.SheetData] = {}
    for s in book.sheets:
        key = layout.sheet_for(s.name)
        if key is None:
            key = next((k.split(":", 1)[1] for k, v in meta.items() if k.startswith("sheet:") and v == s.name), None)
        if key and key not in sheets:
            sheets[key] = s
    if "activities" not in sheets and "organisations" not in sheets:
        raise ValidationFailed(
            [
                Problem(
                    book.path.name,
                    "no_sheet",
                    say(
                        "this ropa workbook has neither a Processing activities nor an Organisations sheet",
                        "denne ropa-arbeidsboken har verken arket Behandlingsaktiviteter eller arket Virksomheter",
                    ),
                )
            ]
        )
    only = normalise_name(b.default_org).casefold() if b.default_org else None
    if "organisations" in sheets:
        _own_organisations(b, sheets["organisations"], lang, only)
    if "transfers" in sheets:
        sheets["transfers"].prefetch()  # read in the background while the activities are worked on
    if "activities" in sheets:
        _own_activities(b, sheets["activities"], lang, only)
    if "processor" in sheets:
        _own_processor(b, sheets["processor"], lang, only)
    if "transfers" in sheets:
        _own_transfers(b, sheets["transfers"], lang, only)
    if "recipients" in sheets:
        _own_recipients(b, sheets["recipients"], lang, only)
    if only and only not in b.orgs:
        raise ValidationFailed(
            [
                Problem(
                    book.path.name,
                    "not_found",
                    say(f"organisation '{b.default_org}' is not in this workbook", f"virksomheten '{b.default_org}' finnes ikke i denne arbeidsboken"),
                )
            ]
        )
    return [s.name for s in book.sheets]


def _skip_org(name: Optional[str], only: Optional[str]) -> bool:
    return bool(only and normalise_name(name or "").casefold() != only)


def _own_organisations(b: RegisterBuilder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.ORGANISATIONS
    cols, j = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang)
    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        if not any(v is not None for v in row):
            continue
        cells = _cells(row, cols)
        record, damaged = _load_json(row, j)
        name = (record or {}).get("name") or convert.text(cells.get("name"))
        if not name or _skip_org(name, only):
            continue
        origin = Origin(sheet.name, r + 1, headers, main=False)
        if damaged:
            b.warn(
                origin.at(),
                "damaged_json",
                say(
                    "the hidden ropa:json cell is damaged; the visible cells were read instead",
                    "den skjulte ropa:json-cellen er skadet; de synlige cellene ble lest i stedet",
                ),
            )
        ob = b.org(name)
        ob.origin = origin
        if record is not None:
            doc = copy.deepcopy(record)
            doc.setdefault("recipients", [])
            ob.doc.clear()
            ob.doc.update(doc)
            ob.layout_ctx = layout.Context(lang=lang, org=copy.deepcopy(record), custom=ob.custom)
            edits = edited(spec, cells, record, ob.layout_ctx)
            if "name" in edits:
                b.warn(
                    origin.at("name"),
                    "rename",
                    say(
                        "an organisation cannot be renamed by import (its activities name it); the old name is kept: rename it in the register",
                        "en virksomhet kan ikke få nytt navn ved import (behandlingsaktivitetene navngir den); "
                        "det gamle navnet beholdes: endre navnet i registeret",
                    ),
                )
                edits.pop("name")
        else:
            edits = {k: v for k, v in cells.items() if k != "name" and v is not None}
        for rec in ob.doc.get("recipients") or []:
            ob.recipients.setdefault(rec["name"], rec)
        b.note(origin, convert.apply_organisation(ob.doc, edits))
        if edits or record is None:
            b.check_organisation(ob, origin)


def _own_activities(b: RegisterBuilder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.ACTIVITIES
    visible = [c.key for c in spec.columns if not c.hidden]
    total, rows = sheet.stream()  # one row at a time: the sheet is never held whole
    cols, j = _columns_of(sheet, spec, b, next(rows, []))
    headers = _headers(spec, lang)
    b.main_sheet = sheet.name
    org_col = cols.get("organisation")
    at_visible = [cols.get(k) for k in visible]
    at_digest, at_ref, at_name = cols.get(layout.DIGEST_COLUMN), cols.get("ref"), cols.get("name")
    for r, row in enumerate(rows, 1):
        b.tick(r, total)
        if not any(v is not None for v in row):
            continue
        width = len(row)
        org_cell = row[org_col] if org_col is not None and org_col < width else None
        if _skip_org(convert.text(org_cell) or b.default_org, only):
            continue
        plan = RowPlan(sheet.name, r + 1)
        b.rows.append(plan)
        origin = Origin(sheet.name, r + 1, headers, plan)
        ob = b.org_for(org_cell, plan, origin)
        if ob is None:
            continue
        text = layout.join_json(row[j:]) if j is not None and j < width else ""
        digest = row[at_digest] if at_digest is not None and at_digest < width else None
        if text and digest and digest == layout.row_digest([row[i] if i is not None and i < width else None for i in at_visible], text):
            # Untouched since the export, JSON included: keep the text as it is, decode nothing.
            ref = convert.text(row[at_ref]) if at_ref is not None and at_ref < width else None
            name = convert.text(row[at_name]) if at_name is not None and at_name < width else None
            kept = ob.originals[ref or ""] = ActivityJSON.of(text)
            b.add(ob, kept, origin, ref=ref or "", name=name, untouched=True)
            continue
        cells = _cells(row, cols)
        cells.pop(layout.DIGEST_COLUMN, None)
        record, damaged = _decode(text)
        if damaged:
            b.warn(
                origin.at(),
                "damaged_json",
                say(
                    "the hidden ropa:json cell is damaged; the visible cells were read instead",
                    "den skjulte ropa:json-cellen er skadet; de synlige cellene ble lest i stedet",
                ),
                plan,
            )
        if record is None:
            values = {k: v for k, v in cells.items() if k != "organisation"}
            add_activity_row(b, ob, values, origin)
            continue
        edits = edited(spec, cells, record, ob.layout_ctx, skip=("organisation",))
        kept = ActivityJSON.of(text)
        act: Any = kept
        if edits:
            act = convert.copy_activity(record)
            b.note(origin, convert.apply_activity(act, edits, ob.ctx(headers)))
            if not act.get("ref"):
                act["ref"] = ob.new_ref()
            if act["ref"] != record.get("ref"):
                ob.renamed[str(record.get("ref"))] = act["ref"]
                b.warn(
                    origin.at("ref"),
                    "new_ref",
                    say(
                        f"the ref was changed from {record.get('ref')} to {act['ref']}: this makes "
                        f"a new activity {act['ref']}; {record.get('ref')} stays in the register "
                        "(delete it there if it is gone)",
                        f"referansen ble endret fra {record.get('ref')} til {act['ref']}: dette lager "
                        f"en ny behandlingsaktivitet {act['ref']}; {record.get('ref')} blir stående i registeret "
                        "(slett den der hvis den er borte)",
                    ),
                    plan,
                )
        ref = act["ref"] if edits else record.get("ref")
        ob.originals[ref or ""] = kept
        ob.edited[ref or ""] = set(edits)
        b.add(ob, act, origin, ref=ref, name=record.get("name"), untouched=not edits)
    if b.progress:
        b.progress(total, total)


def _own_processor(b: RegisterBuilder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.PROCESSOR
    cols, _ = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang)
    org_level = ("processor_contact", "dpo.name", "representative.name")
    visible = [c.key for c in spec.columns if not c.hidden]
    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        cells = _cells(row, cols)
        digest = cells.pop(layout.DIGEST_COLUMN, None)
        org_name, ref = convert.text(cells.get("organisation")), convert.text(cells.get("ref"))
        if not any(v is not None for v in row) or _skip_org(org_name, only):
            continue
        origin = Origin(sheet.name, r + 1, headers, main=False)
        ob = b.orgs.get((org_name or "").casefold())
        ref = ob.renamed.get(ref or "", ref) if ob else ref
        if ob is None or ref not in ob.by_ref:
            b.warn(
                origin.at("ref"),
                "unknown_activity",
                say(
                    f"{org_name} / {ref} is not on the Processing activities sheet; this row was not imported (add processor activities there)",
                    f"{org_name} / {ref} står ikke på arket Behandlingsaktiviteter; denne raden ble ikke importert (legg til databehandleraktiviteter der)",
                ),
            )
            continue
        if ref not in ob.originals:
            continue  # a row added on the activities sheet: its details are read from there
        if digest and digest == layout.row_digest(cells.get(k) for k in visible):
            continue  # untouched since the export: it says nothing new
        original = ob.original(ref)
        edits = edited(spec, cells, original, ob.layout_ctx, skip=("organisation", "ref"))
        for key in list(edits):
            if key in org_level:
                b.warn(
                    origin.at(key),
                    "not_here",
                    say(
                        "organisation details are changed on the Organisations sheet; not imported",
                        "opplysninger om virksomheten endres på arket Virksomheter; importeres ikke",
                    ),
                )
                edits.pop(key)
        if "processing_categories" in edits:
            edits["purposes"] = edits.pop("processing_categories")
        _apply_second(b, ob, ref, edits, origin, headers)
        if edits:
            b.changed(ob, ob.by_ref[ref], fields_of_row(origin, edits))  # what this row changed: told here


def _apply_second(b: RegisterBuilder, ob: OrganisationDraft, ref: str, edits: dict[str, Any], origin: Origin, headers: dict[str, str]) -> None:
    """Edits of an activity made on a second sheet; a field changed differently on two sheets is an error."""
    if not edits:
        return
    act = ob.editable(ob.by_ref[ref])
    trial = convert.copy_activity(act)
    b.note(origin, convert.apply_activity(trial, edits, ob.ctx(headers)))
    main = ob.edited.setdefault(ref, set())
    for key in edits:
        top = key.split(".")[0]
        if key in main and trial.get(top) != act.get(top):
            first = ob.origins[ob.by_ref[ref]]
            b.error(
                origin.at(key),
                "conflict",
                say(
                    f"changed here and on {first.sheet} {first.where(key)} to different values; keep one of the two",
                    f"endret her og på {first.sheet} {told(first.where(key), 'nb')} til ulike verdier; behold én av de to",
                ),
                first.plan,
            )
        else:
            act[top] = trial.get(top)
            main.add(key)
    if "transfers" in edits:
        act["recipients"] = trial.get("recipients", act.get("recipients"))


def _own_transfers(b: RegisterBuilder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.TRANSFERS
    _, rows = sheet.stream()
    cols, _ = _columns_of(sheet, spec, b, next(rows, []))
    headers = _headers(spec, lang, {"country_code": "country"})
    visible = [c.key for c in spec.columns if not c.hidden]

    at_org, at_ref, at_digest = cols.get("organisation"), cols.get("ref"), cols.get(layout.DIGEST_COLUMN)
    at_visible = [cols.get(k) for k in visible]

    def group_of(row: list[Any]) -> Optional[tuple[str, str]]:
        width = len(row)
        org_name = convert.text(row[at_org]) if at_org is not None and at_org < width else None
        ref = convert.text(row[at_ref]) if at_ref is not None and at_ref < width else None
        if _skip_org(org_name, only):
            return None
        ob = b.orgs.get((org_name or "").casefold())
        return (org_name or "").casefold(), (ob.renamed.get(ref or "", ref) if ob else ref) or ""

    # (organisation, ref) -> its rows: (row index, the place its digest vouches for: "k" or "k$" (the
    # last), or None). An activity whose rows all still are as exported, in order, is left alone
    # without decoding it; the others are compared cell by cell. The sheet is streamed, and read a
    # second time only for the rows of activities that need comparing.
    groups: dict[tuple[str, str], list[tuple[int, Optional[str]]]] = {}
    for r, row in enumerate(rows, 1):
        if not any(v is not None for v in row):
            continue
        key = group_of(row)
        if key is None:
            continue
        found = groups.setdefault(key, [])
        width = len(row)
        place, digest = None, row[at_digest] if at_digest is not None and at_digest < width else None
        if digest:
            text = layout.cells_text([row[i] if i is not None and i < width else None for i in at_visible])
            place = next(
                (p for p in (layout.transfer_salt(len(found), True), layout.transfer_salt(len(found), False)) if layout.salted_digest(text, p) == digest), None
            )  # most activities have one transfer: last first
        found.append((r, place))
    # Activities whose transfers all left the sheet lose them, as the sheet now says.
    for org_key, draft in b.orgs.items():
        for ref in draft.originals:
            if (org_key, ref) not in groups and (draft.original(ref) or {}).get("transfers"):
                groups[(org_key, ref)] = []
    compare: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for key, found in groups.items():
        ob = b.orgs.get(key[0])
        if ob is None or key[1] not in ob.by_ref:
            number = found[0][0] + 1 if found else 0
            b.error(
                Place(("sheet", sheet.name, "row", number, "column", headers["ref"]), f"{sheet.name} row {number}, '{headers['ref']}'", "ref"),
                "unknown_activity",
                say(
                    f"'{key[1]}' is not an activity on the Processing activities sheet; its transfer cannot be imported",
                    f"'{key[1]}' er ikke en behandlingsaktivitet på arket Behandlingsaktiviteter; overføringen kan ikke importeres",
                ),
            )
        elif not found or [p for _, p in found] != [layout.transfer_salt(i, i == len(found) - 1) for i in range(len(found))]:
            compare[key] = []
        # else: every row as exported, none missing: the transfers are the JSON's
    if any(groups[key] for key in compare):
        _, rows = sheet.stream()
        next(rows, None)
        for r, row in enumerate(rows, 1):
            if any(v is not None for v in row) and (key := group_of(row)) in compare:
                cells = _cells(row, cols)
                cells.pop(layout.DIGEST_COLUMN, None)
                compare[key].append((r + 1, cells))
    for (org_key, ref), found_cells in compare.items():
        ob = b.orgs[org_key]
        # A row added on the activities sheet has no JSON: its transfers cell is what the rows are compared with.
        original = ob.original(ref) or ob.record(ob.by_ref[ref])
        ctx = layout.Context(lang=lang, org=ob.layout_ctx.org, custom=ob.custom, activity=original)
        _match_transfers(b, ob, ref, original, found_cells, spec, ctx, sheet.name, headers)


def _match_transfers(
    b: RegisterBuilder,
    ob: OrganisationDraft,
    ref: str,
    original: dict[str, Any],
    rows: list[tuple[int, dict[str, Any]]],
    spec: Sheet,
    ctx: layout.Context,
    sheet_name: str,
    headers: dict[str, str],
) -> None:
    before = list(original.get("transfers") or [])
    free = list(range(len(before)))
    result: list[Optional[dict[str, Any]]] = [None] * len(rows)
    changed = False
    skip = ("organisation", "ref", "name", "country_status")
    # Rows still showing a transfer exactly are that transfer, wherever they were moved.
    for i, (_, cells) in enumerate(rows):
        for k in free:
            if not edited(spec, cells, before[k], ctx, skip=skip):
                result[i] = before[k]
                free.remove(k)
                break
    for i, (number, cells) in enumerate(rows):
        if result[i] is not None:
            continue
        origin = Origin(sheet_name, number, headers, main=False)
        changed = True
        if free:
            k = free.pop(0)
            t = copy.deepcopy(before[k])
            edits = edited(spec, cells, before[k], ctx, skip=("organisation", "ref"))
        else:
            t = convert.empty_transfer()
            edits = {k: v for k, v in cells.items() if v is not None and k not in ("organisation", "ref")}
        for key in ("name", "country_status"):
            if key in edits:
                edits.pop(key)
                if key == "name":
                    b.warn(
                        origin.at("name"),
                        "not_here",
                        say(
                            "the activity's name is changed on the Processing activities sheet; not imported",
                            "navnet på behandlingsaktiviteten endres på arket Behandlingsaktiviteter; importeres ikke",
                        ),
                    )
        b.note(origin, [Note(n.field, n.code, n.message, n.severity) for n in convert.apply_transfer(t, edits)])
        result[i] = t
    if free:
        changed = True
        first = ob.origins[ob.by_ref[ref]]
        for k in free:
            t = before[k]
            where = vocab.country_name(t.get("country"), ctx.lang) if t.get("country") else t.get("international_organisation")
            b.warn(
                first.at("transfers"),
                "removed",
                say(
                    f"the transfer to {where} is no longer on the {sheet_name} sheet; it is removed",
                    f"overføringen til {where} står ikke lenger på arket {sheet_name}; den fjernes",
                ),
                first.plan,
            )
    if not changed:
        return
    act = ob.editable(ob.by_ref[ref])
    if "transfers" in ob.edited.get(ref, set()):
        first = ob.origins[ob.by_ref[ref]]
        b.warn(
            first.at("transfers"),
            "both_edited",
            say(
                f"transfers were changed here and on the {sheet_name} sheet; the {sheet_name} sheet is used",
                f"overføringene ble endret her og på arket {sheet_name}; arket {sheet_name} brukes",
            ),
            first.plan,
        )
    act["transfers"] = [t for t in result if t is not None]
    add_transfer_recipients(act, act["transfers"], ob.recipients)
    ob.edited.setdefault(ref, set()).add("transfers")

    def transfer_row(path: tuple[PathPart, ...]) -> Optional[tuple[Origin, tuple[PathPart, ...]]]:
        """A problem of transfer k: at the k-th row of the sheet (the transfers are in its rows' order)."""
        if path[:1] == ("transfers",) and len(path) > 1 and isinstance(path[1], int) and path[1] < len(rows):
            return Origin(sheet_name, rows[path[1]][0], headers, main=False), path[2:]
        return None

    b.changed(ob, ob.by_ref[ref], part=transfer_row)


def _own_recipients(b: RegisterBuilder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.RECIPIENTS
    cols, _ = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang, {"country_code": "country"})
    visible = [c.key for c in spec.columns if not c.hidden]
    originals: dict[str, dict[str, dict[str, Any]]] = {}  # org key -> name -> recipient with used_by

    def exported(org_key: str) -> dict[str, dict[str, Any]]:
        """The organisation's recipients as exported, with the activities that used them (decoded
        the first time a row of it was edited)."""
        if org_key not in originals:
            ob = b.orgs.get(org_key)
            recs: dict[str, dict[str, Any]] = {}
            if ob is not None:
                for ref in sorted(ob.originals):
                    for r in (ob.original(ref) or {}).get("recipients") or []:
                        recs.setdefault(r["name"], {**r, "used_by": []})["used_by"].append(ref)
                for r in ob.layout_ctx.org.get("recipients") or []:
                    recs.setdefault(r["name"], {**r, "used_by": []})
            originals[org_key] = recs
        return originals[org_key]

    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        if not any(v is not None for v in row):
            continue
        cells = _cells(row, cols)
        digest = cells.pop(layout.DIGEST_COLUMN, None)
        org_name, name = convert.text(cells.get("organisation")), convert.text(cells.get("name"))
        if _skip_org(org_name, only) or not name:
            continue
        if digest and digest == layout.row_digest(cells.get(k) for k in visible):
            continue  # untouched since the export: it says nothing new
        origin = Origin(sheet.name, r + 1, headers, main=False)
        ob = b.orgs.get((org_name or "").casefold())
        if ob is None:
            ob = b.org_for(org_name, RowPlan(sheet.name, r + 1), origin)
            if ob is None:
                continue
        original = exported((org_name or "").casefold()).get(name)
        ctx = ob.layout_ctx
        if original is not None:
            edits = edited(spec, cells, original, ctx, skip=("organisation", "name"))
            if "used_by" in edits and _refs(edits["used_by"]) == set(original["used_by"]):
                edits.pop("used_by")
            if not edits:
                continue
            rec: dict[str, Any] = {k: original[k] for k in ("name", "kind", "country", "agreement", "version") if k in original}
            used_before = set(original["used_by"])
        else:
            edits = {k: v for k, v in cells.items() if v is not None and k not in ("organisation", "name")}
            rec = {"name": name, "kind": "other", "country": None, "agreement": None}
            used_before = set()
        used = {ob.renamed.get(x, x) for x in _refs(edits.pop("used_by"))} if "used_by" in edits else used_before
        b.note(origin, convert.apply_recipient(rec, edits))
        b.check_recipient(rec, origin)
        ob.recipients[name] = rec
        _place_recipient(b, ob, rec, used, used_before, origin)


def _refs(value: Any) -> set[str]:
    return {x.strip() for x in re.split(r"[,;\n]", convert.text(value) or "") if x.strip()}


def _place_recipient(b: RegisterBuilder, ob: OrganisationDraft, rec: dict[str, Any], used: set[str], used_before: set[str], origin: Origin) -> None:
    """A recipient changed on the Recipients sheet: every activity that uses it, and those added or removed in 'used by'."""
    for unknown in sorted(used - {r for r in ob.by_ref if r is not None}):
        b.error(
            origin.at("used_by"),
            "unknown_activity",
            say(
                f"'{unknown}' is not an activity of '{ob.name}' in this workbook",
                f"'{unknown}' er ikke en behandlingsaktivitet hos '{ob.name}' i denne arbeidsboken",
            ),
        )
    placed = False

    def recipient_row(path: tuple[PathPart, ...], *, act: dict[str, Any]) -> Optional[tuple[Origin, tuple[PathPart, ...]]]:
        """A problem of this recipient in an activity: at the recipient's row."""
        if path[:1] == ("recipients",) and len(path) > 1 and isinstance(path[1], int) and path[1] < len(act["recipients"]):
            if act["recipients"][path[1]].get("name") == rec["name"]:
                return origin, path[2:]
        return None

    for ref, i in ob.by_ref.items():
        has = any(r["name"] == rec["name"] for r in ob.record(i).get("recipients") or [])
        if not has and ref not in used:
            continue
        act = ob.editable(i)
        if ref in used:
            placed = True
            if has:
                act["recipients"] = [dict(rec) if r["name"] == rec["name"] else r for r in act["recipients"]]
            else:
                act.setdefault("recipients", []).append(dict(rec))
        else:
            act["recipients"] = [r for r in act["recipients"] if r["name"] != rec["name"]]
            for t in act.get("transfers") or []:
                if t.get("recipient") == rec["name"]:
                    t["recipient"] = None
            b.warn(
                origin.at("used_by"),
                "removed",
                say(f"'{rec['name']}' is no longer used by {ref}: removed from it", f"'{rec['name']}' brukes ikke lenger av {ref}: fjernet derfra"),
            )
        b.changed(ob, i, part=functools.partial(recipient_row, act=act))
    org_level = ob.doc.setdefault("recipients", [])
    ob.doc["recipients"] = [r for r in org_level if r["name"] != rec["name"]]
    if not placed:
        ob.doc["recipients"].append(dict(rec))
