"""The commands that read and write the register's records: ``init``, ``export``, ``import``, ``list``,
``show`` and ``schema``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ropa import access, db, isolation
from ropa.cli.output import EXIT_OK, UsageError, print, table
from ropa.cli.snapshots import export_as_of
from ropa.grammar import count
from ropa.register import interchange
from ropa.register.activities import activity_dict, get_activity, list_activities
from ropa.register.organisations import organisation_dict
from ropa.text import terminal, terminal_json


def cmd_init(engine: Any, args: argparse.Namespace) -> int:
    db.migrate(engine)
    print(f"schema ready: {db.describe(engine)}")
    if args.demo:
        from ropa.demo import load_demo

        with db.transaction(engine) as s:
            report = load_demo(s, actor=args.actor)
        print(report.summary())
    return EXIT_OK


def cmd_export(engine: Any, args: argparse.Namespace) -> int:
    if args.as_of:
        return export_as_of(engine, args)
    access.read_scope(args.org, access.EXPORT)
    suffix = args.file.suffix.lower()
    if suffix == ".xlsx":
        from ropa.excel.export import write_workbook

        with db.session(engine) as s:
            summary = write_workbook(s, args.file, lang=args.lang, orgs=args.org)
        findings = "" if summary.findings is None else f", {count(summary.findings, 'finding', 'findings')}"
        print(
            f"wrote {args.file}: {count(summary.organisations, 'organisation', 'organisations')}, "
            f"{count(summary.activities, 'activity', 'activities')}, {count(summary.transfers, 'transfer', 'transfers')}{findings}"
        )
        return EXIT_OK
    if suffix != ".json":
        raise UsageError(f"{args.file}: cannot export to '{suffix or 'no extension'}' (use .json or .xlsx)")
    with db.session(engine) as s:
        counts = interchange.write_json(s, args.file, args.org)
    print(f"wrote {args.file}: {count(counts['organisations'], 'organisation', 'organisations')}, {count(counts['activities'], 'activity', 'activities')}")
    return EXIT_OK


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt")


def cmd_import(engine: Any, args: argparse.Namespace) -> int:
    suffix = args.file.suffix.lower()
    if suffix not in (".json", *SPREADSHEETS):
        raise UsageError(f"{args.file}: cannot import '{suffix or 'no extension'}' files (use .json, .xlsx, .xlsm, .xls, .ods or .csv)")
    from ropa import imports
    from ropa.excel import mapping

    overrides = mapping.load_mapping(args.mapping) if args.mapping else {}
    overrides.update(imports.parse_map_options(args.map))
    lang: str = args.lang or (os.environ.get("ROPA_LANG") or "en")
    lang = lang if lang in ("nb", "en") else "en"
    options = {"org": args.org, "sheet": args.sheet, "mapping_overrides": overrides or None, "mode": args.mode, "lang": lang}
    # read (and write) in a memory-limited child process: a file cannot crash the command (ropa.isolation);
    # a dry run's report carries its plan (what would change, activity by activity and field by field)
    report = isolation.import_file(engine, args.file, actor=args.actor, dry_run=args.dry_run, fork=True, **options)
    if args.save_mapping and report.columns:
        saved = mapping.save_mapping(args.save_mapping, report.columns, sheet=report.sheet)
        print(f"mapping saved as '{args.save_mapping}' ({saved})", file=sys.stderr)
    if report.columns and (args.dry_run or args.save_mapping):
        print(f"sheet '{report.sheet}', header row {report.header_row}:")
        for c in report.columns:
            if c.header:
                listed = c.guess in mapping.TARGETS and mapping.TARGETS[c.guess or ""].kind in ("list", "recipients")
                target = c.field or {
                    "ignored": "(not imported)",
                    "duplicate": f"({c.guess} is taken: " + ("its items are added)" if listed else "kept in the description)"),
                    "mark": f"(ticks: adds {c.item!r} to {c.guess})",
                }.get(c.how, "(no field: kept in the description)")
                print(f"  {c.letter:>3} {c.header!r} -> {target}" + (f"  [{c.how}]" if c.how not in ("exact", "none") else ""))
    if report.plan is not None:
        _print_changes(report.plan, lang)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(("dry run: " if args.dry_run else "") + report.summary())
    return EXIT_OK


def _print_changes(plan: Any, lang: str) -> None:
    """The dry run's changes: one line per activity created or changed, then one per changed field (old -> new)."""
    words = {"new": ("ny", "new"), "changed": ("endres", "changed")}
    for sheet, why in plan.skipped_sheets:
        print(f"{'hoppet over ark' if lang == 'nb' else 'skipped sheet'} '{terminal(sheet)}': {why}")
    for r in plan.changed_activities():
        nb, en = words[r.status]
        print(f"{nb if lang == 'nb' else en}: {terminal(r.organisation or '')} / {terminal(r.ref or '')} {terminal(r.name or '')}")
        for c in r.changes:
            print(f"    {terminal(c.line(lang))}")


def cmd_list(engine: Any, args: argparse.Namespace) -> int:
    from ropa import vocab
    from ropa.fields import ACTIVITY

    lang = args.lang
    with db.session(engine) as s:
        acts = list_activities(s, org=args.org)
        rows: list[dict[str, Any]] = [
            {
                "organisation": a.organisation.name if a.organisation else "",
                "ref": a.ref,
                "name": a.name,
                "role": a.role,
                "status": a.status,
                "version": a.version,
            }
            for a in acts
        ]
    if args.format == "json":
        print(terminal_json(rows, indent=2))
    else:
        headers = [ACTIVITY[k].label(lang) if k in ACTIVITY else k for k in ("organisation", "ref", "name", "role", "status")]
        headers[0] = "Virksomhet" if lang == "nb" else "Organisation"
        print(
            table(
                [
                    [
                        r["organisation"],
                        r["ref"],
                        r["name"],
                        vocab.term_label(vocab.ROLES, r["role"], lang),
                        vocab.term_label(vocab.STATUSES, r["status"], lang),
                    ]
                    for r in rows
                ],
                headers,
            )
        )
        print("\n" + count_phrase(len(rows), "behandlingsaktivitet", "behandlingsaktiviteter", "activity", "activities", lang))
    return EXIT_OK


def cmd_show(engine: Any, args: argparse.Namespace) -> int:
    access.read_scope([args.org])
    with db.session(engine) as s:
        act = get_activity(s, args.org, args.ref)
        org = organisation_dict(act.organisation) if act.organisation else {}
        data = activity_dict(act)
        out = {"organisation": act.organisation.name if act.organisation else None, "version": act.version, **data}
    if args.format == "json":
        print(terminal_json(out, indent=2))
        return EXIT_OK
    print(activity_text(data, org, act.version, args.lang))
    return EXIT_OK


def activity_text(data: dict[str, Any], org: dict[str, Any], version: int, lang: str) -> str:
    """One activity as the workbook renders it: a label, then the value (indented when it has several lines)."""
    from ropa.excel import layout

    ctx = layout.Context(lang=lang, org=org)
    width = 34  # longer labels push their value right rather than widening every line
    out = []
    for col in layout.ACTIVITIES.columns:
        if col.hidden:
            continue
        value = col.render(data, ctx)
        if isinstance(value, bool):
            value = layout.yes_no(value, lang)
        shown = "—" if value in (None, "") else terminal(str(value), keep="\n")
        first, *rest = shown.split("\n")
        out.append(f"{col.header(lang).ljust(width)}  {first}")
        indent = max(width, len(col.header(lang)))
        out.extend(f"{'':{indent}}  {line}" for line in rest)
    out.append(f"{('Versjon' if lang == 'nb' else 'Version').ljust(width)}  {version}")
    return "\n".join(out)


def count_phrase(n: int, nb_one: str, nb_many: str, en_one: str, en_many: str, lang: str) -> str:
    from ropa.grammar import count_in

    return count_in(lang, n, (nb_one, nb_many), (en_one, en_many))


def cmd_schema(engine: Any, args: argparse.Namespace) -> int:
    from ropa.validation import json_schema

    print(terminal_json(json_schema(), indent=2))
    return EXIT_OK
