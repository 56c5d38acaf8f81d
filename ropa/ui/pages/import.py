"""Import: a spreadsheet or JSON file into the register, after a preview of every row.

Only choices and drawing here: reading, mapping, checking and writing are :func:`ropa.imports.plan`
(in a memory-limited child process, :mod:`ropa.isolation`) and :func:`ropa.imports.import_`. The
plan is kept in the session for the uploaded file (its digest) and the choices made; the import
writes what the plan read, so the file is read and converted once.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import streamlit as st

from ropa import db, imports, isolation, uploads
from ropa.errors import Problem, ValidationFailed
from ropa.excel import mapping
from ropa.excel.reader import MAX_BYTES as MAX_UPLOAD_BYTES
from ropa.grammar import plural
from ropa.register.organisations import list_organisations
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import errors, state
from ropa.ui.signin import current_actor

ui = state.lang()
TEXT = {
    "title": ("Import", "Import"),
    "intro": (
        "Les inn en protokoll fra Excel (.xlsx, .xlsm, .xls), LibreOffice (.ods), CSV eller JSON: vår egen eksport, "
        "Datatilsynets eller ICOs mal, eller et annet oppsett. Du ser hva som ble forstått før noe lagres, og "
        "importen lagrer alle radene eller ingen.",
        "Read a register from Excel (.xlsx, .xlsm, .xls), LibreOffice (.ods), CSV or JSON: our own export, the "
        "authority's template or any other layout. You see what was understood before anything is saved, and the "
        "import saves every row or none.",
    ),
    "upload": ("Fil (høyst {mb} MB)", "File (at most {mb} MB)"),
    "upload_help": (
        "Excel (.xlsx, .xlsm, .xls), OpenDocument (.ods), CSV eller JSON. Filer over {mb} MB avvises.",
        "Excel (.xlsx, .xlsm, .xls), OpenDocument (.ods), CSV or JSON. Files over {mb} MB are refused.",
    ),
    "org": ("Virksomhet for rader uten virksomhet", "Organisation for rows that name none"),
    "from_file": ("(fra filen)", "(from the file)"),
    "new_org": ("(ny virksomhet …)", "(new organisation …)"),
    "new_org_name": ("Navn på ny virksomhet", "Name of the new organisation"),
    "mode": ("Eksisterende behandlinger", "Existing activities"),
    "upsert": ("Oppdater dem", "Update them"),
    "create-only": ("La dem være (bare nye)", "Leave them (new only)"),
    "saved": ("Lagret kolonneoppsett", "Saved column mapping"),
    "none": ("(ingen)", "(none)"),
    "reading": ("Leser filen …", "Reading the file …"),
    "rejected": ("Filen kan ikke importeres:", "The file cannot be imported:"),
    "own": (
        "Dette er en arbeidsbok eksportert fra registeret (språk: {lang}). Alle arkene leses; endrede celler tolkes.",
        "This is a workbook exported from the register (language: {lang}). Every sheet is read; changed cells are parsed.",
    ),
    "json": ("JSON-fil i registerets format.", "A JSON file in the register's format."),
    "sheet": ("Ark", "Sheet"),
    "header": ("Overskriftsrad: {row}", "Header row: {row}"),
    "header2": ("Overskriftsrader: {row}–{row2} (to rader)", "Header rows: {row}–{row2} (two rows)"),
    "encoding": ("Tegnsett {encoding}, skilletegn «{delimiter}»", "Encoding {encoding}, separator '{delimiter}'"),
    "mapping": ("Kolonner", "Columns"),
    "mapping_help": (
        "Velg feltet hver kolonne skal leses inn i. Endringer gjelder med en gang.",
        "Choose the field each column is read into. Changes apply at once.",
    ),
    "col_letter": ("Kolonne", "Column"),
    "col_header": ("Overskrift", "Header"),
    "col_field": ("Felt", "Field"),
    "col_how": ("Gjenkjent", "Matched"),
    "not_imported": ("— (importeres ikke)", "— (not imported)"),
    "unmapped": ("Importeres ikke: {cols}", "Not imported: {cols}"),
    "kept_cols": (
        "Ikke felt i protokollen, verdiene beholdes i beskrivelsen: {cols}",
        "No field of the register, values kept in the description: {cols}",
    ),
    "save_name": ("Lagre kolonneoppsettet som", "Save the column mapping as"),
    "save": ("Lagre oppsett", "Save mapping"),
    "saved_ok": ("Kolonneoppsettet «{name}» er lagret.", "The column mapping '{name}' was saved."),
    "mapping_bad_name": (
        "«{name}» kan ikke brukes som navn på et kolonneoppsett: bruk bokstaver, tall, mellomrom, punktum, "
        "bindestrek, understrek og parenteser (høyst 80 tegn), ikke «/», «\\\\» eller «..».",
        "'{name}' cannot be used as a mapping name: use letters, digits, spaces, full stops, hyphens, "
        "underscores and brackets (at most 80 characters), not '/', '\\\\' or '..'.",
    ),
    "mapping_broken": (
        "Kolonneoppsettet «{name}» er skadet og ble ikke brukt. Lagre oppsettet på nytt under samme navn.",
        "The saved column mapping '{name}' is damaged and was not applied. Save the mapping again under the same name.",
    ),
    "mapping_gone": ("Kolonneoppsettet «{name}» finnes ikke lenger.", "The saved column mapping '{name}' no longer exists."),
    "reset": ("Tilbakestill kolonnene", "Reset the columns"),
    "preview": ("Forhåndsvisning", "Preview"),
    "row": ("Rad", "Row"),
    "status": ("Status", "Status"),
    "organisation": ("Virksomhet", "Organisation"),
    "ref": ("Ref", "Ref"),
    "name": ("Behandlingsaktivitet", "Processing activity"),
    "messages": ("Merknader", "Notes"),
    "where": ("Hvor", "Where"),
    "message": ("Hva", "What"),
    "errors": (
        "{n} feil: rett dem i filen og last den opp igjen. Ingenting blir lagret før alle radene er i orden.",
        "{n} errors: fix them in the file and upload it again. Nothing is saved until every row is right.",
    ),
    "errors_one": (
        "1 feil: rett den i filen og last den opp igjen. Ingenting blir lagret før alle radene er i orden.",
        "1 error: fix it in the file and upload it again. Nothing is saved until every row is right.",
    ),
    "warnings": ("{n} merknader", "{n} warnings"),
    "warnings_one": ("1 merknad", "1 warning"),
    "confirm": ("Importer: {parts}", "Import: {parts}"),
    "confirm_new": ("{n} nye behandlingsaktiviteter", "{n} new activities"),
    "confirm_new_one": ("1 ny behandlingsaktivitet", "1 new activity"),
    "confirm_changed": ("{n} endres", "{n} changed"),
    "confirm_changed_one": ("1 endres", "1 changed"),
    "confirm_none": ("Importer (ingen behandlingsaktiviteter endres)", "Import (no activity changes)"),
    "changes": ("Endringer", "Changes"),
    "only_changes": ("Bare endringer", "Only changes"),
    "field": ("Felt", "Field"),
    "old": ("Før", "Before"),
    "new": ("Etter", "After"),
    "no_changes": ("Ingen behandlingsaktivitet endres.", "No activity changes."),
    "sheets_read": ("Leste ark: {sheets}", "Sheets read: {sheets}"),
    "sheet_skipped": ("Hoppet over arket «{sheet}»: {why}", "Skipped sheet '{sheet}': {why}"),
    "role_controller": ("behandlingsansvarlig, art. 30 nr. 1", "controller, Art. 30(1)"),
    "role_processor": ("databehandler, art. 30 nr. 2", "processor, Art. 30(2)"),
    "result": ("Resultat av importen", "Result of the import"),
    "again": ("Les filen på nytt", "Read the file again"),
    "nothing": ("Ingenting å importere.", "Nothing to import."),
    "writing": ("Importerer …", "Importing …"),
    "done": (
        "Importert fra {source}: {created} nye, {updated} oppdaterte, {unchanged} uendrede behandlingsaktiviteter; "
        "{orgs_new} nye og {orgs_updated} oppdaterte virksomheter.",
        "Imported from {source}: {created} new, {updated} updated, {unchanged} unchanged processing activities; "
        "{orgs_new} new and {orgs_updated} updated organisations.",
    ),
    "failed": ("Importen ble avvist, ingenting ble lagret:", "The import was rejected; nothing was saved:"),
}
STATUS = {
    "new": ("ny", "new"),
    "changed": ("endret", "changed"),
    "unchanged": ("uendret", "unchanged"),
    "error": ("feil", "error"),
    "example": ("eksempel (hoppes over)", "example (skipped)"),
    "instructions": ("veiledning (hoppes over)", "instructions (skipped)"),
    "skipped": ("hoppes over", "skipped"),
    "pending": ("–", "–"),
    "merged": ("lest inn i samme aktivitet (fra et annet ark eller raden over)", "read into the same activity (from another sheet or the row above)"),
}
HOW = {
    "values": ("etter verdiene", "by its values"),
    "exact": ("ja", "yes"),
    "fuzzy": ("omtrent", "roughly"),
    "override": ("valgt", "chosen"),
    "ignored": ("valgt bort", "left out"),
    "duplicate": ("dublett", "duplicate"),
    "none": ("nei", "no"),
}
NEW_ORG = "\0new"


t = state.words(TEXT)


COUNTED = {  # the preview's figures: how many rows of each kind
    "new": ("Nye", "New"),
    "changed": ("Endrede", "Changed"),
    "unchanged": ("Uendrede", "Unchanged"),
    "error": ("Med feil", "With errors"),
    "skipped": ("Hoppes over", "Skipped"),
}


def word(table: dict[str, tuple[str, str]], key: str) -> str:
    nb, en = table.get(key, (key, key))
    return nb if ui == "nb" else en


def problem_table(problems: list[Problem]) -> None:
    st.dataframe(safe_table([{t("where"): p.where, t("message"): p.message} for p in problems]), hide_index=True, width="stretch")


st.title(t("title"))
st.caption(t("intro"))

MAX_MB = MAX_UPLOAD_BYTES // 2**20  # the importer's limit; .streamlit/config.toml's server.maxUploadSize says the same
uploaded = st.file_uploader(t("upload", mb=MAX_MB), type=["xlsx", "xlsm", "xls", "ods", "csv", "json"], key="import_uploader", help=t("upload_help", mb=MAX_MB))
if uploaded is not None:
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if (st.session_state.get("import_file") or {}).get("digest") != digest:
        st.session_state["import_file"] = {"name": uploaded.name, "data": data, "digest": digest}
        st.session_state["import_overrides"] = {}
        st.session_state.pop("import_plan", None)
upload: Optional[dict[str, Any]] = st.session_state.get("import_file")
if not upload:
    st.stop()

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
left, middle, right = st.columns(3)
org_choice = left.selectbox(
    t("org"),
    ["", *org_names, NEW_ORG],
    placeholder=state.t("Velg …", "Choose …"),
    key="import_org",
    format_func=lambda v: t("from_file") if v == "" else t("new_org") if v == NEW_ORG else v,
)
org: Optional[str] = org_choice or None
if org_choice == NEW_ORG:
    org = left.text_input(t("new_org_name"), key="import_new_org").strip() or None
mode = middle.radio(t("mode"), list(imports.MODES), key="import_mode", format_func=lambda m: t(m))
saved_names = mapping.list_mappings()
saved = right.selectbox(t("saved"), ["", *saved_names], placeholder=state.t("Velg …", "Choose …"), key="import_saved", format_func=lambda v: v or t("none"))
chosen_sheet = st.session_state.get("import_sheet") or None

overrides: dict[str, Optional[str]] = {}
if saved:
    try:
        overrides.update(mapping.load_mapping(saved))
    except ValidationFailed as err:
        gone = any(p.code == "not_found" for p in err.problems)
        st.warning(t("mapping_gone" if gone else "mapping_broken", name=markdown(saved)), icon=":material/warning:")
overrides.update(st.session_state.get("import_overrides") or {})
wanted = (upload["digest"], org, mode, chosen_sheet, tuple(sorted(overrides.items(), key=str)))

done_before = st.session_state.get("import_result")
if done_before and done_before.get("digest") == upload["digest"] and done_before.get("wanted") == wanted:
    # Just imported: the result, not the preview of a file that is now in the register.
    st.subheader(t("result"))
    st.success(t("done", **{k: markdown(v) for k, v in done_before.items() if k not in ("digest", "wanted", "rows")}))
    if done_before.get("rows"):
        st.dataframe(safe_table(done_before["rows"]), hide_index=True, width="stretch")
    if st.button(t("again"), key="import_again"):
        st.session_state.pop("import_result", None)
        st.rerun()
    st.stop()


def read_plan(file: dict[str, Any]) -> Any:
    """The file read in a memory-limited child process (ropa.isolation): no file can take the server down.
    The upload is on disk only while it is read, privately (ropa.uploads)."""
    with uploads.private_copy(file["name"], file["data"]) as path:
        return isolation.plan_file(state.engine(), path, org=org, sheet=chosen_sheet, mapping_overrides=overrides or None, mode=mode, lang=ui)


cached = st.session_state.get("import_plan")
if cached and cached["wanted"] == wanted:
    plan = cached["plan"]
else:
    with errors.reported(t("rejected")) as outcome, st.spinner(t("reading")):
        plan = read_plan(upload)
    if outcome.failed:
        if st.session_state.get("import_overrides") and st.button(t("reset")):
            st.session_state["import_overrides"] = {}
            st.rerun()
        st.stop()
    st.session_state["import_plan"] = {"wanted": wanted, "plan": plan}

# What was found: the kind of file, the sheet and header row, and the column mapping.
if plan.kind == "ropa-workbook":
    st.info(t("own", lang={"nb": "norsk bokmål", "en": "English"}.get(plan.language or "", markdown(plan.language or "?"))))
elif plan.kind == "json":
    st.info(t("json"))
else:
    a, b = st.columns([1, 2])
    if len(plan.sheets) > 1:
        picked = a.selectbox(
            t("sheet"),
            plan.sheets,
            index=plan.sheets.index(plan.sheet) if plan.sheet in plan.sheets else 0,
            key=f"import_sheet_pick_{upload['digest'][:8]}",
            placeholder=state.t("Velg …", "Choose …"),
        )
        if picked != plan.sheet:
            st.session_state["import_sheet"] = picked
            st.rerun()
    else:
        a.write(f"**{t('sheet')}:** {markdown(plan.sheet)}")
    first = plan.header_row or 1
    b.write(t("header2", row=first, row2=first + 1) if plan.header_rows == 2 else t("header", row=first))
    if plan.encoding:
        b.caption(t("encoding", encoding=markdown(plan.encoding), delimiter={"\t": "TAB"}.get(plan.delimiter or "", markdown(plan.delimiter))))

    st.subheader(t("mapping"))
    st.caption(t("mapping_help"))
    choices = imports.field_choices(ui)
    options = [t("not_imported"), *choices.values()]
    by_label = {v: k for k, v in choices.items()}
    rows = [
        {t("col_letter"): c.letter, t("col_header"): c.header, t("col_field"): choices.get(c.field or "", t("not_imported")), t("col_how"): word(HOW, c.how)}
        for c in plan.columns
        if c.header
    ]
    signature = hashlib.sha1(repr([(c.letter, c.field) for c in plan.columns]).encode()).hexdigest()[:10]
    edited = st.data_editor(
        safe_table(rows),
        hide_index=True,
        width="stretch",
        key=f"import_map_{signature}",
        placeholder="",
        disabled=[t("col_letter"), t("col_header"), t("col_how")],
        column_config={t("col_field"): st.column_config.SelectboxColumn(t("col_field"), options=options)},
    )
    changes = {}
    for before, after in zip(rows, edited):
        if after[t("col_field")] != before[t("col_field")]:
            changes[before[t("col_letter")]] = by_label.get(after[t("col_field")]) or mapping.IGNORE
    if changes:
        st.session_state["import_overrides"] = {**(st.session_state.get("import_overrides") or {}), **changes}
        st.rerun()
    skipped_cols = [c for c in plan.unmapped if c.how == "ignored"]
    kept_cols = [c for c in plan.unmapped if c.how not in ("ignored", "mark")]  # kept in the description (other_registers.kept_columns)
    if skipped_cols:
        st.caption(t("unmapped", cols=markdown(", ".join(f"{c.letter} «{c.header}»" for c in skipped_cols))))
    if kept_cols:
        st.caption(t("kept_cols", cols=markdown(", ".join(f"{c.letter} «{c.header}»" for c in kept_cols))))
    s1, s2, s3 = st.columns([2, 1, 1])
    name = s1.text_input(t("save_name"), key="import_save_name", label_visibility="collapsed", placeholder=t("save_name"))
    if s2.button(t("save"), disabled=not name.strip()):
        try:
            mapping.save_mapping(name.strip(), plan.columns, sheet=plan.sheet)
        except ValidationFailed:
            st.error(t("mapping_bad_name", name=markdown(name.strip())))
        else:
            st.success(t("saved_ok", name=markdown(name.strip())))
    if st.session_state.get("import_overrides") and s3.button(t("reset")):
        st.session_state["import_overrides"] = {}
        st.rerun()

# Every row and what would happen to it.
st.subheader(t("preview"))
counts = plan.counts()
cols = st.columns(5)
for col, key in zip(cols, ("new", "changed", "unchanged", "error", "skipped")):
    n = counts[key] + (counts["example"] + counts["instructions"] if key == "skipped" else 0)
    col.metric(word(COUNTED, key), n)
st.dataframe(
    safe_table(
        [
            {
                t("row"): r.row,
                t("status"): word(STATUS, r.status),
                t("organisation"): r.organisation or "",  # a row in error may name none: empty, not "None"
                t("ref"): r.ref or "",
                t("name"): r.name or "",
                t("messages"): " · ".join(r.messages),  # a table cell shows one line: with a newline two notes run together
            }
            for r in plan.rows
        ]
    ),
    hide_index=True,
    width="stretch",
)
if len(plan.tables) > 1 or plan.skipped_sheets:
    st.caption(t("sheets_read", sheets=markdown(", ".join(f"{tp.sheet} ({t('role_' + tp.role)})" for tp in plan.tables))))
    for sheet_name, why in plan.skipped_sheets:
        st.caption(t("sheet_skipped", sheet=markdown(sheet_name), why=markdown(why)))

# What would change, activity by activity and field by field.
st.subheader(t("changes"))
only = st.toggle(t("only_changes"), value=True, key="import_only_changes")
diff_rows = []
for r in plan.rows:
    if r.status not in ("new", "changed", "unchanged", "error"):
        continue
    if r.status == "changed" and r.changes:
        for c in r.changes:
            diff_rows.append(
                {
                    t("ref"): r.ref or "",
                    t("name"): r.name or "",
                    t("status"): word(STATUS, r.status),
                    t("field"): c.label(ui),
                    t("old"): c.show(c.old, ui),
                    t("new"): c.show(c.new, ui),
                }
            )
    elif not only or r.status in ("new", "error"):
        diff_rows.append({t("ref"): r.ref or "", t("name"): r.name or "", t("status"): word(STATUS, r.status), t("field"): "", t("old"): "", t("new"): ""})
if diff_rows:
    st.dataframe(safe_table(diff_rows), hide_index=True, width="stretch")
else:
    st.caption(t("no_changes"))

if plan.errors:
    st.error(t(plural(len(plan.errors), "errors_one", "errors"), n=len(plan.errors)))
    problem_table(plan.errors)
if plan.warnings:
    with st.expander(t(plural(len(plan.warnings), "warnings_one", "warnings"), n=len(plan.warnings)), expanded=not plan.errors):
        problem_table(plan.warnings)

to_import = counts["new"] + counts["changed"] + counts["unchanged"]
changing = counts["new"] + counts["changed"]
parts = [t(plural(n, f"confirm_{k}_one", f"confirm_{k}"), n=n) for k, n in (("new", counts["new"]), ("changed", counts["changed"])) if n]
label = t("nothing") if not to_import else t("confirm_none") if not changing else t("confirm", parts=", ".join(parts))
result = st.session_state.get("import_result")
if st.button(label, type="primary", icon=":material/upload:", disabled=bool(plan.errors) or not to_import, key="import_confirm"):
    bar = st.progress(0.0, text=t("writing"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{t('writing')} {done} / {total}")

    # What the preview read is written; the file is read again only if the register changed meanwhile.
    with errors.reported(t("failed")) as outcome, db.transaction(state.engine()) as s:
        report = imports.import_(s, read_plan(upload) if imports.stale(s, plan) else plan, actor=current_actor(), progress=progress, lang=ui)
    if outcome.failed:
        bar.empty()
    else:
        bar.progress(1.0, text=t("writing"))
        st.session_state["import_result"] = {
            "digest": upload["digest"],
            "wanted": wanted,
            "source": report.source,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "orgs_new": report.organisations_created,
            "orgs_updated": report.organisations_updated,
            "rows": [{t("status"): word(STATUS, "new"), t("ref"): key} for key in report.created]
            + [{t("status"): word(STATUS, "changed"), t("ref"): key} for key in report.updated],
        }
        st.session_state.pop("import_plan", None)  # the register changed: the preview is read again
        st.rerun()
if result and result.get("digest") == upload["digest"]:
    st.success(t("done", **{k: markdown(v) for k, v in result.items() if k not in ("digest", "wanted", "rows")}))
