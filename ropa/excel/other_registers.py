"""Anyone else's register sheet (an authority's template, a consultant's layout, a CSV from
another tool): which sheets hold the Art. 30(1) controller or Art. 30(2) processor record, their
header and column mapping (:mod:`ropa.excel.mapping`), the details block above the header
(:mod:`ropa.excel.foreign`), and each row read into an activity (:mod:`ropa.excel.convert`).

An activity that exists (same organisation and ref, or, without a ref, the same name) keeps what
the sheet has no column for.
"""

from __future__ import annotations

from typing import Any, Optional

from ropa import registry
from ropa.errors import Problem, ValidationFailed
from ropa.excel import convert, foreign, mapping, parse, reader
from ropa.excel.convert import Note
from ropa.excel.import_plan import RowPlan
from ropa.excel.register_document import OrganisationDraft, Origin, RegisterBuilder, at_column, at_row, at_sheet


def read_rows(b: RegisterBuilder, sheet: reader.SheetData, header: mapping.Header, role: str = "controller", main: bool = True) -> None:
    mapped = header.mapped()
    headers = {k: c.header for k, c in mapped.items()}
    if main:
        b.main_sheet = sheet.name
    total = len(sheet.rows)
    data_seen = False
    for r in range(header.first_data, total):
        b.tick(r, total)
        cells = sheet.rows[r]
        if not any(v is not None and str(v).strip() for v in cells):
            continue
        plan = RowPlan(sheet.name, r + 1)
        b.rows.append(plan)
        origin = Origin(sheet.name, r + 1, headers, plan, main=main)
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
        if not any(convert.text(v) and not parse.is_empty(v) for k, v in values.items() if k != "organisation"):
            plan.status = "skipped"
            b.warn(
                at_row(sheet.name, r + 1, main),
                "no_values",
                convert.say("has values only in columns that are not imported; skipped", "har bare verdier i kolonner som ikke importeres; hoppes over"),
                plan,
            )
            continue
        data_seen = True
        ob = b.org_for(values.get("organisation"), plan, origin)
        if ob is None:
            continue
        if "name" not in mapped:  # the ICO's layout: the activity is named after its purpose
            named = foreign.derive_name({"purposes": convert._items(values.get("purposes")), "description": convert.text(values.get("description"))})
            if named:
                values["name"] = named
        add_activity_row(b, ob, values, origin, role=role)
    if b.progress:
        b.progress(total, total)


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
                f"no reference: '{name}' matched the existing activity {matched} by its name",
                plan,
            )
    if not ref and name and b.mode == "create-only" and ob.by_name(name):
        if plan is not None:
            plan.status = "skipped"
        b.warn(origin.at("name"), "exists", f"'{ob.name}' already has an activity called '{name}'; not changed (create-only)", plan)
        return
    folded = " ".join((name or "").split()).casefold()
    if not convert.text(values.get("ref")) and folded in ob.named and ob.named[folded][1] != origin.sheet:
        # The same activity on another sheet of the workbook (the ICO's lawful-basis or special-category tabs
        # repeat "Business function" and "Purpose"): what this row adds goes into it.
        i, first_sheet = ob.named[folded]
        target = ob.editable(i)
        b.note(origin, convert.apply_activity(target, {k: v for k, v in values.items() if k not in ("name", "ref")}, ob.ctx(origin.headers)))
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
        return [
            (
                sheet,
                header,
                foreign.sheet_role(sheet.name, [c.header for c in header.columns]).replace("examples", "controller").replace("introduction", "controller"),
            )
        ], []
    found: list[tuple[reader.SheetData, mapping.Header, str]] = []
    skipped: list[tuple[str, str]] = []
    first_error: Optional[ValidationFailed] = None
    for sheet in book.sheets:
        if not sheet.rows:
            continue
        try:
            header = mapping.detect_header(sheet, overrides)
        except ValidationFailed as err:
            if sheet.visible and foreign.sheet_role(sheet.name) not in ("introduction",):
                first_error = first_error or err
            continue
        role = foreign.sheet_role(sheet.name, [c.header for c in header.columns])
        if role == "examples":
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
        if skipped:
            raise ValidationFailed(
                [
                    Problem(
                        book.path.name,
                        "only_examples",
                        convert.say(
                            f"the only sheet with a register, '{skipped[0][0]}', is a sheet of examples; to import it anyway, "
                            f'name it (--sheet "{skipped[0][0]}")',
                            f"det eneste arket med en protokoll, '{skipped[0][0]}', er et ark med eksempler; for å importere det likevel, "
                            f'velg det (--sheet "{skipped[0][0]}")',
                        ),
                    )
                ]
            )
        if first_error is not None:
            raise first_error
        raise ValidationFailed([Problem(book.path.name, "empty", convert.say("the file has no rows", "filen har ingen rader"))])
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
            raise ValidationFailed([Problem(book.path.name, "no_sheet", f"no sheet called '{name}' (sheets: {', '.join(s.name for s in book.sheets)})")])
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
        raise ValidationFailed([Problem(book.path.name, "empty", "the file has no rows")])
    return best[1], best[2]


def read_register_sheet(b: RegisterBuilder, sheet: reader.SheetData, header: mapping.Header, role: str, main: bool) -> None:
    """One register sheet of someone else's workbook: its columns (by header, then by values), the details above
    its header, and its rows."""
    for c, before, after in foreign.refine_by_values(sheet, header):
        if after == "-":
            b.warn(
                at_column(sheet.name, c.letter, c.header, main),
                "not_read_by_values",
                convert.say(
                    f"most of its values are not a {mapping.TARGETS[before].label('en').lower()}: not imported (map it yourself if it is)",
                    f"de fleste verdiene er ikke {mapping.TARGETS[before].label('nb').lower()}: importeres ikke (velg feltet selv hvis det er det)",
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
    for c in header.columns:
        if c.how == "duplicate":
            b.warn(
                at_column(sheet.name, c.letter, c.header, main),
                "duplicate_column",
                f"also matches '{mapping.TARGETS[c.guess].label('en') if c.guess else ''}', which column "
                f"{mapped[c.guess].letter if c.guess in mapped else '?'} already fills; not imported",
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
    read_rows(b, sheet, header, role=role, main=main)


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
        names = [o.name for o in registry.list_organisations(b.session)]
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
