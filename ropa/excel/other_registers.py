"""Anyone else's register sheet (an authority's template, a consultant's layout, a CSV from
another tool): which sheets hold the Art. 30(1) controller or Art. 30(2) processor record, their
header and column mapping (:mod:`ropa.excel.mapping`), the details block above the header
(:mod:`ropa.excel.foreign`), and each row read into an activity (:mod:`ropa.excel.convert`).

An activity that exists (same organisation and ref, or, without a ref, the same name) keeps what
the sheet has no column for.
"""

from __future__ import annotations

import bisect
from typing import Any, Optional

from ropa.errors import Problem, ValidationFailed
from ropa.excel import convert, foreign, mapping, parse, reader
from ropa.excel.convert import Note
from ropa.excel.import_plan import Origin, RowPlan, at_column, at_row, at_sheet
from ropa.excel.register_document import OrganisationDraft, RegisterBuilder, fields_of_row
from ropa.register.organisations import list_organisations


def read_rows(
    b: RegisterBuilder,
    sheet: reader.SheetData,
    header: mapping.Header,
    role: str = "controller",
    main: bool = True,
    kept: Optional[list[tuple[int, str]]] = None,
) -> None:
    """Each row into an activity; ``kept``: the columns that are no field (index, label), kept in the description."""
    mapped = header.mapped()
    headers = {k: c.header for k, c in mapped.items()}
    joined = joined_columns(header)
    if main:
        b.main_sheet = sheet.name
    total = len(sheet.rows)
    data_seen = False
    merged_down = _merged_down(sheet)
    pending: Optional[tuple[OrganisationDraft, dict[str, Any], Origin]] = None  # the activity being read, its cells and first row

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        ob, values, origin = pending
        pending = None
        if "name" not in mapped:  # the ICO's layout: the activity is named after its purpose
            named = foreign.derive_name({"purposes": convert._items(values.get("purposes")), "description": convert.text(values.get("description"))})
            if named:
                values["name"] = named
        add_activity_row(b, ob, values, origin, role=role)

    gap = False  # the row above was empty or a title: a second table may start here
    folded = {c.index: " ".join(c.header.split()).casefold() for c in mapped.values() if c.header}  # the header, to find it again
    for r in range(header.first_data, total):
        b.tick(r, total)
        cells = sheet.rows[r]
        filled = [v for v in cells if v is not None and str(v).strip()]
        if not filled:
            gap = True
            continue
        plan = RowPlan(sheet.name, r + 1)
        b.rows.append(plan)
        origin = Origin(sheet.name, r + 1, headers, plan, main=main)
        again = sum(1 for i, h in folded.items() if i < len(cells) and isinstance(cells[i], str) and " ".join(cells[i].split()).casefold() == h)
        if again >= 2 or (gap and len(filled) > mapping.MIN_HEADER_MATCHES and mapping.fields_named(cells) > mapping.MIN_HEADER_MATCHES):
            # The header repeated (a printed register's every page), or a second table's header: the rows below are read by it.
            flush()
            width = max(len(cells), max((c.index + 1 for c in header.columns), default=0))
            texts = [convert.text(cells[i]) or "" if i < len(cells) else "" for i in range(width)]
            new = mapping.Header(row=r, rows=1, columns=mapping.map_columns(texts))
            same = {k: c.index for k, c in new.mapped().items()} == {k: c.index for k, c in mapped.items()}
            if not same:
                header = new
                mapped, joined = header.mapped(), joined_columns(header)
                headers = {k: c.header for k, c in mapped.items()}
                folded = {c.index: " ".join(c.header.split()).casefold() for c in mapped.values() if c.header}
                kept = kept_columns(b, sheet, header, main)
            plan.status = "skipped"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "header_again",
                convert.say(
                    "repeats the header row; not imported" if same else "is a second table's header: the rows below are read by its columns",
                    "gjentar overskriftsraden; importeres ikke" if same else "er overskriftene til en ny tabell: radene under leses etter dem",
                ),
                plan,
            )
            gap = False
            continue
        if len(filled) == 1 and isinstance(filled[0], str) and len(filled[0]) <= 80 and _title_above_table(sheet, r):
            # "Databehandler" / "Processor activities" above a second table: a title, and which role its rows have
            flush()
            plan.status = "skipped"
            role = "processor" if foreign.sheet_role(filled[0]) == "processor" else role
            b.warn(
                at_row(sheet.name, r + 1, main),
                "title",
                convert.say(f"a title ('{convert._short(filled[0], 40)}'); not imported", f"en tittel ('{convert._short(filled[0], 40)}'); importeres ikke"),
                plan,
            )
            gap = True
            continue
        gap = False
        example = mapping.is_example(cells)
        if example:
            plan.status = "example"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "example",
                convert.say(
                    f"looks like the template's example ('{convert._short(example, 60)}'); not imported "
                    "(delete the row, or remove the word 'example' to import it)",
                    f"ser ut som malens eksempel ('{convert._short(example, 60)}'); importeres ikke "
                    "(slett raden, eller fjern ordet 'eksempel' for å importere den)",
                ),
                plan,
            )
            continue
        totals = mapping.is_totals(cells)
        if totals:
            plan.status = "skipped"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "totals",
                convert.say(
                    f"a totals row ('{convert._short(totals, 40)}'); not imported",
                    f"en summeringsrad ('{convert._short(totals, 40)}'); importeres ikke",
                ),
                plan,
            )
            continue
        if (not data_seen and r - header.first_data < 3 and mapping.is_instruction(cells)) or mapping.is_instruction_sentence(cells):
            plan.status = "instructions"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "instructions",
                convert.say("reads as instructions for filling in the template; not imported", "er en veiledning til utfyllingen av malen; importeres ikke"),
                plan,
            )
            continue
        values = {k: (cells[c.index] if c.index < len(cells) else None) for k, c in mapped.items()}
        for c in header.columns:  # a matrix of ticks: each ticked column's item
            if c.how == "mark" and c.guess and c.index < len(cells) and foreign.marked(cells[c.index]):
                have = convert.text(values.get(c.guess))
                values[c.guess] = c.item if have is None or parse.is_empty(have) else f"{have}\n{c.item}"
        for c in joined:  # "Technical measures" beside "Organisational measures": both columns' items
            v = cells[c.index] if c.index < len(cells) else None
            if c.guess and convert.text(v) is not None and not parse.is_empty(v):
                have = convert.text(values.get(c.guess))
                values[c.guess] = v if have is None or parse.is_empty(have) else f"{have}\n{convert.text(v)}"
        if kept:
            values[convert.UNMAPPED] = [(label, cells[i]) for i, label in kept if i < len(cells) and cells[i] is not None]
        if pending is not None and _continues(sheet, r, mapped, values, merged_down):
            # One activity over several rows (its name merged down, or left empty): this row adds to it.
            _add_to(pending[1], values, headers)
            plan.status = "merged"
            name = convert.text(pending[1].get("name")) or convert.text(pending[1].get("purposes")) or ""
            b.warn(
                at_row(sheet.name, r + 1, main),
                "continuation",
                convert.say(
                    f"names no activity of its own: read as part of row {pending[2].row}'s ('{convert._short(name, 40)}')",
                    f"nevner ingen egen behandlingsaktivitet: lest som en del av rad {pending[2].row} ('{convert._short(name, 40)}')",
                ),
                plan,
            )
            continue
        if not any(convert.text(v) and not parse.is_empty(v) for k, v in values.items() if k not in ("organisation", convert.UNMAPPED)):
            plan.status = "skipped"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "no_values",
                convert.say("has values only in columns that are not imported; skipped", "har bare verdier i kolonner som ikke importeres; hoppes over"),
                plan,
            )
            continue
        data_seen = True
        flush()
        ob = b.org_for(values.get("organisation"), plan, origin)
        pending = (ob, values, origin) if ob is not None else None
    flush()
    if b.progress:
        b.progress(total, total)


_JOINED_KINDS = ("list", "recipients")


def joined_columns(header: mapping.Header) -> list[mapping.Column]:
    """Second columns of a list field ("Technical measures" and "Organisational measures", "Processors" beside
    "Categories of recipients"): their items join the first column's."""
    mapped = header.mapped()
    return [c for c in header.columns if c.how == "duplicate" and c.guess in mapped and mapping.TARGETS[c.guess].kind in _JOINED_KINDS]


def _title_above_table(sheet: reader.SheetData, r: int) -> bool:
    """Is the next row with cells (within three) a header row naming several fields?"""
    for below in sheet.rows[r + 1 : r + 4]:
        filled = [v for v in below if v is not None and str(v).strip()]
        if filled:
            return len(filled) > mapping.MIN_HEADER_MATCHES and mapping.fields_named(below) > mapping.MIN_HEADER_MATCHES
    return False


class _MergedDown:
    """Whether a cell (0-based row, column) is covered by a merged range from a row above (its value is that row's);
    each column's ranges are gathered once, when first asked, and searched by bisection."""

    def __init__(self, sheet: reader.SheetData) -> None:
        self.sheet = sheet
        self.columns: dict[int, tuple[list[int], list[int]]] = {}

    def __contains__(self, cell: tuple[int, int]) -> bool:
        r, col = cell
        if col not in self.columns:
            spans = sorted((r0, r1) for (r0, c0), (r1, c1) in self.sheet.merged if r1 > r0 and c0 <= col <= c1)
            self.columns[col] = ([s[0] for s in spans], [s[1] for s in spans])
        starts, ends = self.columns[col]
        i = bisect.bisect_left(starts, r) - 1  # the last range starting above the row (merged ranges do not overlap)
        return i >= 0 and ends[i] >= r


def _merged_down(sheet: reader.SheetData) -> _MergedDown:
    return _MergedDown(sheet)


def _continues(sheet: reader.SheetData, r: int, mapped: dict[str, mapping.Column], values: dict[str, Any], merged_down: _MergedDown) -> bool:
    """Does a row (0-based) carry on the activity of the rows above? Its name (or, without a name column, its purpose) is
    merged down from above, or it names neither a reference, a name nor a purpose."""
    key = mapped.get("name") or mapped.get("purposes")
    if key is None or convert.text(values.get(key.field or "")) is not None:
        return False
    if (r, key.index) in merged_down:
        return True
    return all(convert.text(values.get(k)) is None for k in ("ref", "name", "purposes", "organisation"))


def _add_to(values: dict[str, Any], more: dict[str, Any], headers: dict[str, str]) -> None:
    """A continuation row's cells into its activity's: lists grow by its items; a different single value (a second
    retention period, owner …) is kept in the description under its header, never dropped."""
    for key, v in more.items():
        if key == convert.UNMAPPED:
            values[key] = [*values.get(key, []), *v]
            continue
        if convert.text(v) is None or parse.is_empty(v):
            continue
        have = values.get(key)
        target = mapping.TARGETS.get(key)
        if convert.text(have) is None or parse.is_empty(have):
            values[key] = v
        elif target is not None and (target.kind in ("list", "codes", "recipients", "transfers") or key == "transfers.mechanism"):
            values[key] = f"{convert.text(have)}\n{convert.text(v)}"
        elif convert.text(have) != convert.text(v):
            values.setdefault(convert.UNMAPPED, []).append((headers.get(key, key), v))


def add_activity_row(b: RegisterBuilder, ob: OrganisationDraft, values: dict[str, Any], origin: Origin, role: Optional[str] = None) -> None:
    plan = origin.plan
    ref = convert.text(values.get("ref"))
    name = convert.text(values.get("name"))
    if not ref and name and b.mode == "upsert":
        matched = ob.by_name(name)
        if matched and matched not in ob.by_ref:
            ref = matched
            b.warn(
                origin.at("ref") if "ref" in origin.headers else origin.at(),
                "matched_by_name",
                convert.say(
                    f"no reference: '{name}' matched the existing activity {matched} by its name",
                    f"ingen referanse: '{name}' ble koblet til den eksisterende behandlingsaktiviteten {matched} etter navnet",
                ),
                plan,
            )
    if not ref and name and b.mode == "create-only" and ob.by_name(name):
        if plan is not None:
            plan.status = "skipped"
        b.warn(
            origin.at("name"),
            "exists",
            convert.say(
                f"'{ob.name}' already has an activity called '{name}'; not changed (create-only)",
                f"'{ob.name}' har allerede en behandlingsaktivitet som heter '{name}'; ikke endret (bare nye)",
            ),
            plan,
        )
        return
    folded = " ".join((name or "").split()).casefold()
    if not convert.text(values.get("ref")) and folded in ob.named and ob.named[folded][1] != origin.sheet:
        # The same activity on another sheet of the workbook (the ICO's lawful-basis or special-category tabs
        # repeat "Business function" and "Purpose"): what this row adds goes into it.
        i, first_sheet = ob.named[folded]
        target = ob.editable(i)
        added = {k: v for k, v in values.items() if k not in ("name", "ref")}
        b.note(origin, convert.apply_activity(target, added, ob.ctx(origin.headers)))
        b.changed(ob, i, fields_of_row(origin, added))  # what this row added: told here
        if plan is not None:
            if plan.status != "error":
                plan.status = "merged"
            plan.organisation, plan.ref, plan.name = ob.name, target.get("ref"), target.get("name")
            plan.messages.append(
                convert.say(
                    f"the same activity as on sheet '{first_sheet}': read into {target.get('ref')}",
                    f"samme behandlingsaktivitet som på arket '{first_sheet}': lest inn i {target.get('ref')}",
                )
            )
        return
    base = ob.db_acts.get(ref) if ref and ob.db is not None else None
    act = convert.copy_activity(base) if base else convert.empty_activity()
    if role == "processor" and not convert.text(values.get("role")):
        act["role"] = "processor"  # a row of the Art. 30(2) sheet
    b.note(origin, convert.apply_activity(act, values, ob.ctx(origin.headers)))
    if not act.get("name"):
        b.note(
            origin,
            [
                Note(
                    "name",
                    "missing",
                    convert.say(
                        "is empty: every activity needs a name (or a purpose to name it by)",
                        "er tom: hver behandlingsaktivitet trenger et navn (eller et formål å kalle den etter)",
                    ),
                    "error",
                )
            ],
        )
        return
    if ref:
        act["ref"] = ref
    else:
        act["ref"] = ob.new_ref()
        if plan is not None:
            plan.messages.append(
                convert.say(f"row {origin.row}: no reference; it gets {act['ref']}", f"rad {origin.row}: ingen referanse; den får {act['ref']}")
            )
    for r in act.get("recipients") or []:
        ob.recipients.setdefault(r["name"], r)
    b.add(ob, act, origin)
    if not b.own and act.get("name") and ob.activities and ob.activities[-1] is act:
        ob.named.setdefault(" ".join(act["name"].split()).casefold(), (len(ob.activities) - 1, origin.sheet))


def choose_sheets(
    book: reader.Book, name: Optional[str], overrides: Optional[dict[str, Optional[str]]]
) -> tuple[list[tuple[reader.SheetData, mapping.Header, str]], list[tuple[str, str]]]:
    """The sheets that hold the register, best first, each with its header and role (controller: Art. 30(1),
    processor: Art. 30(2)); and the sheets left out with the reason (examples are never read silently)."""
    if name:
        sheet, header = choose_sheet(book, name, overrides)
        foreign.read_matrix(sheet, header)
        role = foreign.sheet_role(sheet.name, [c.header for c in header.columns])
        return [(sheet, header, role if role in ("controller", "processor") else "controller")], []
    found: list[tuple[reader.SheetData, mapping.Header, str]] = []
    skipped: list[tuple[str, str]] = []
    unread: list[str] = []  # visible sheets with cells but no header row
    first_error: Optional[ValidationFailed] = None
    examples: list[str] = []
    several = book.kind != "csv" and sum(1 for s in book.sheets if s.rows) > 1  # a CSV's sheet is named after the file
    for sheet in book.sheets:
        if not sheet.rows:
            continue
        if several and foreign.sheet_role(sheet.name) == "lists":
            if sheet.visible:
                skipped.append(
                    (
                        sheet.name,
                        convert.say(
                            "the choices of the template's drop-down lists: not imported (name it with --sheet to import it)",
                            "valgene i malens nedtrekkslister: importeres ikke (velg det med --sheet for å importere det)",
                        ),
                    )
                )
            continue
        try:
            header = mapping.detect_header(sheet, overrides)
        except ValidationFailed as err:
            if sheet.visible and foreign.sheet_role(sheet.name) not in ("introduction",):
                first_error = first_error or err
                unread.append(sheet.name)
            continue
        foreign.read_matrix(sheet, header)
        role = foreign.sheet_role(sheet.name, [c.header for c in header.columns])
        if role == "examples":
            examples.append(sheet.name)
            skipped.append(
                (
                    sheet.name,
                    convert.say(
                        "a sheet of examples: not imported (rename it to import it)",
                        "et ark med eksempler: importeres ikke (gi det et annet navn for å importere det)",
                    ),
                )
            )
            continue
        if role == "introduction":
            continue
        found.append((sheet, header, role))
    if not found:
        if examples:
            raise ValidationFailed(
                [
                    Problem(
                        book.path.name,
                        "only_examples",
                        convert.say(
                            f"the only sheet with a register, '{examples[0]}', is a sheet of examples; to import it anyway, "
                            f'name it (--sheet "{examples[0]}")',
                            f"det eneste arket med en protokoll, '{examples[0]}', er et ark med eksempler; for å importere det likevel, "
                            f'velg det (--sheet "{examples[0]}")',
                        ),
                    )
                ]
            )
        if first_error is not None:
            raise first_error
        raise ValidationFailed([Problem(book.path.name, "empty", convert.say("the file has no rows", "filen har ingen rader"))])
    for name in unread:  # never passed over in silence: a sheet of the register may be laid out as a form
        skipped.append(
            (
                name,
                convert.say(
                    "no header row naming the register's fields was found: not read (to read it, name it with --sheet and map "
                    'its columns with --map "Header=field")',
                    "fant ingen overskriftsrad med feltene i protokollen: leses ikke (for å lese det, velg det med --sheet og "
                    'velg feltene med --map "Overskrift=felt")',
                ),
            )
        )
    visible = [f for f in found if f[0].visible] or found
    best = max(len(h.mapped()) for _, h, _ in visible)
    # Another sheet is read too when it names enough fields: half the best sheet's, or, for an Art. 30(2)
    # processor sheet (which asks for fewer), three.
    keep = [
        f
        for f in visible
        if len(f[1].mapped()) >= max(mapping.MIN_HEADER_MATCHES + 1, best // 2 if f[2] != "processor" else 0)
        and ({"name", "purposes"} & set(f[1].mapped()) or len(f[1].mapped()) == best)
    ]
    keep.sort(key=lambda f: -len(f[1].mapped()))
    if not keep:
        keep = [max(visible, key=lambda f: len(f[1].mapped()))]
    for sheet, header, _ in found:
        if all(sheet is not k[0] for k in keep):
            skipped.append(
                (
                    sheet.name,
                    convert.say(
                        f"only {len(header.mapped())} of its columns are register fields: not read",
                        f"bare {len(header.mapped())} av kolonnene er felt i protokollen: leses ikke",
                    ),
                )
            )
    # Controller sheets first, then processor sheets, each in the workbook's order.
    order = {id(s): i for i, s in enumerate(book.sheets)}
    keep.sort(key=lambda f: (f[2] != "controller", order[id(f[0])]))
    return keep, skipped


def choose_sheet(book: reader.Book, name: Optional[str], overrides: Optional[dict[str, Optional[str]]]) -> tuple[reader.SheetData, mapping.Header]:
    """The named sheet, or the one whose header row names the most fields."""
    if name:
        sheet = book.sheet(name)
        if sheet is None:
            sheets = ", ".join(s.name for s in book.sheets)
            message = convert.say(f"no sheet called '{name}' (sheets: {sheets})", f"ingen ark som heter '{name}' (arkene: {sheets})")
            raise ValidationFailed([Problem(book.path.name, "no_sheet", message)])
        return sheet, mapping.detect_header(sheet, overrides)
    best: Optional[tuple[int, reader.SheetData, mapping.Header]] = None
    first_error: Optional[ValidationFailed] = None
    for sheet in sorted(book.sheets, key=lambda s: not s.visible):
        if not sheet.rows:
            continue
        try:
            header = mapping.detect_header(sheet, overrides)
        except ValidationFailed as err:
            first_error = first_error or err
            continue
        n = len(header.mapped())
        if best is None or n > best[0]:
            best = (n, sheet, header)
    if best is None:
        if first_error is not None:
            raise first_error
        raise ValidationFailed([Problem(book.path.name, "empty", convert.say("the file has no rows", "filen har ingen rader"))])
    return best[1], best[2]


def read_register_sheet(b: RegisterBuilder, sheet: reader.SheetData, header: mapping.Header, role: str, main: bool) -> None:
    """One register sheet of someone else's workbook: its columns (by header, then by values), the details above
    its header, and its rows."""
    matrices: dict[str, list[mapping.Column]] = {}
    for c in header.columns:
        if c.how == "mark" and c.guess:
            matrices.setdefault(c.guess, []).append(c)
    for key, cols in matrices.items():
        b.warn(
            at_column(sheet.name, f"{cols[0].letter}–{cols[-1].letter}", None, main),
            "matrix",
            convert.say(
                f"ticks per activity: each ticked column adds its name ({', '.join(repr(c.item) for c in cols[:4])}"
                f"{' …' if len(cols) > 4 else ''}) to {mapping.TARGETS[key].label('en').lower()}",
                f"kryss per behandlingsaktivitet: hver kolonne med kryss legger navnet sitt ({', '.join(repr(c.item) for c in cols[:4])}"
                f"{' …' if len(cols) > 4 else ''}) til {mapping.TARGETS[key].label('nb').lower()}",
            ),
        )
    for c, before, after in foreign.refine_by_values(sheet, header):
        if after == "-":
            b.warn(
                at_column(sheet.name, c.letter, c.header, main),
                "not_read_by_values",
                convert.say(
                    f"most of its values are not a {mapping.TARGETS[before].label('en').lower()}: kept in the description as they are "
                    "(map it yourself if it is one)",
                    f"de fleste verdiene er ikke {mapping.TARGETS[before].label('nb').lower()}: beholdes i beskrivelsen som de er "
                    "(velg feltet selv hvis det er det)",
                ),
            )
            continue
        b.warn(
            at_column(sheet.name, c.letter, c.header, main),
            "read_by_values",
            convert.say(
                f"holds {mapping.TARGETS[after].label('en').lower()} rather than "
                f"{mapping.TARGETS[before].label('en').lower() if before in mapping.TARGETS else 'nothing we know'}: read as such",
                f"inneholder {mapping.TARGETS[after].label('nb').lower()}, ikke "
                f"{mapping.TARGETS[before].label('nb').lower() if before in mapping.TARGETS else 'noe kjent felt'}: lest slik",
            ),
        )
    mapped = header.mapped()
    joined = joined_columns(header)
    for c in joined:
        b.warn(
            at_column(sheet.name, c.letter, c.header, main),
            "joined_column",
            convert.say(
                f"also names '{mapping.TARGETS[c.guess or ''].label('en')}': its items are added to column {mapped[c.guess or ''].letter}'s",
                f"gjelder også '{mapping.TARGETS[c.guess or ''].label('nb')}': verdiene legges til kolonne {mapped[c.guess or ''].letter} sine",
            ),
        )
    for c in header.columns:
        if c.how == "duplicate" and c not in joined:
            b.warn(
                at_column(sheet.name, c.letter, c.header, main),
                "duplicate_column",
                convert.say(
                    f"also matches '{mapping.TARGETS[c.guess].label('en') if c.guess else ''}', which column "
                    f"{mapped[c.guess].letter if c.guess in mapped else '?'} already fills; its values are kept in the description",
                    f"passer også til '{mapping.TARGETS[c.guess].label('nb') if c.guess else ''}', som kolonne "
                    f"{mapped[c.guess].letter if c.guess in mapped else '?'} allerede fyller; verdiene beholdes i beskrivelsen",
                ),
            )
    if "name" not in mapped:
        source = next((k for k in ("purposes", "description") if k in mapped), None)
        if source is None:
            raise ValidationFailed(
                [
                    Problem(
                        sheet.name,
                        "no_name_column",
                        convert.say(
                            "no column was recognised as the activity's name ('Processing activity' / 'Behandlingsaktivitet') or its "
                            "purpose ('Purpose of processing'); map one yourself (--map \"Header=name\")",
                            "ingen kolonne ble gjenkjent som behandlingsaktivitetens navn ('Behandlingsaktivitet') eller formål "
                            "('Formålet med behandlingen'); velg en selv (--map \"Overskrift=name\")",
                        ),
                    )
                ]
            )
        b.warn(
            at_sheet(sheet.name),
            "names_from_purpose",
            convert.say(
                f"has no column for the activity's name: each activity is named after its '{mapped[source].header}' "
                "(first sentence) and gets a reference" + (f"; '{mapped['owner'].header}' is read as the owner" if "owner" in mapped else ""),
                f"har ingen kolonne for behandlingsaktivitetens navn: hver aktivitet får navn etter '{mapped[source].header}' "
                "(første setning) og en referanse" + (f"; '{mapped['owner'].header}' leses som ansvarlig enhet" if "owner" in mapped else ""),
            ),
        )
    apply_details(b, sheet, header, main)
    read_rows(b, sheet, header, role=role, main=main, kept=kept_columns(b, sheet, header, main))


def kept_columns(b: RegisterBuilder, sheet: reader.SheetData, header: mapping.Header, main: bool) -> list[tuple[int, str]]:
    """The columns with values that are no field of the register (a notes column, "Risk level", a hidden helper
    column, one without a header): never dropped silently, each is named once and its values are kept in the
    description as "Header: value" lines. A column the user chose to skip (``--map "Header=-"``) is left out."""
    out = []
    width = max((len(r) for r in sheet.rows[header.first_data :]), default=0)
    taken = {c.index for c in header.columns if c.field or c.how in ("ignored", "mark")} | {c.index for c in joined_columns(header)}
    headers = {c.index: c for c in header.columns}
    for i in range(width):
        if i in taken:
            continue
        if not any(i < len(row) and row[i] is not None and str(row[i]).strip() and not parse.is_empty(row[i]) for row in sheet.rows[header.first_data :]):
            continue
        c = headers.get(i)
        letter = mapping.column_letter(i)
        shown = c.header.split(" / ")[-1] if c is not None and header.rows == 2 else c.header if c is not None else ""
        label = " ".join(shown.split()) if shown else convert.say(f"Column {letter}", f"Kolonne {letter}")
        out.append((i, label))
        if c is not None and c.how in ("duplicate", "values"):
            continue  # said above
        b.warn(
            at_column(sheet.name, letter, c.header if c is not None and c.header else None, main),
            "column_kept_as_note",
            convert.say(
                "is no field of the register: its values are kept in each activity's description "
                f"('{convert._short(label, 40)}: …'; map it to a field with --map, or skip it with \"=-\")",
                "er ikke et felt i protokollen: verdiene beholdes i beskrivelsen av hver behandlingsaktivitet "
                f"('{convert._short(label, 40)}: …'; velg et felt for den med --map, eller hopp over den med \"=-\")",
            ),
        )
    return out


def apply_details(b: RegisterBuilder, sheet: reader.SheetData, header: mapping.Header, main: bool) -> None:
    """The details block above the header fills what the organisation's record lacks, each value named."""
    details = foreign.read_details(sheet, header.row - header.rows + 1, width=max(12, len(header.columns)))
    if not details:
        return
    by_field = {d.field: d for d in details}
    name = by_field.pop("name", None)
    if name is not None and b.default_org and " ".join(name.value.split()).casefold() != " ".join(b.default_org.split()).casefold():
        b.warn(
            at_row(sheet.name, name.row, main),
            "details_other_org",
            convert.say(
                f"the details above the header are about '{name.value}', not '{b.default_org}': not used",
                f"opplysningene over overskriftene gjelder '{name.value}', ikke '{b.default_org}': brukes ikke",
            ),
        )
        return
    if name is not None and not b.default_org:
        b.default_org = name.value
        b.warn(
            at_row(sheet.name, name.row, main),
            "org_from_details",
            convert.say(
                f"rows that name no organisation go to '{name.value}', named in the details above the header",
                f"rader som ikke nevner en virksomhet hører til '{name.value}', som er oppgitt over overskriftene",
            ),
        )
    target = b.default_org
    if not target:
        names = [o.name for o in list_organisations(b.session)]
        target = names[0] if len(names) == 1 else None
    if not target:
        return
    ob = b.org(target)
    lang = 0 if b.ui_lang != "nb" else 1
    for d in by_field.values():
        head, _, tail = d.field.partition(".")
        current = (ob.doc.get(head) or {}).get(tail) if tail else ob.doc.get(head)
        label = foreign.LABELS[d.field][lang]
        if current:
            if str(current).strip() != d.value.strip():
                b.warn(
                    at_row(sheet.name, d.row, main),
                    "details_differ",
                    convert.say(
                        f"'{ob.name}': the register's {label} '{current}' is kept (the file says '{d.value}')",
                        f"'{ob.name}': registerets {label} '{current}' beholdes (filen sier '{d.value}')",
                    ),
                )
            continue
        if tail:
            sub = dict(ob.doc.get(head) or {})
            sub[tail] = d.value
            ob.doc[head] = sub
        else:
            ob.doc[head] = d.value
        b.warn(
            at_row(sheet.name, d.row, main),
            "from_details",
            convert.say(
                f"'{ob.name}': {label} set to '{d.value}' (from '{d.label}' above the header; the register had none)",
                f"'{ob.name}': {label} settes til '{d.value}' (fra '{d.label}' over overskriftene; registeret hadde ingen)",
            ),
        )
