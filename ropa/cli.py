"""``python -m ropa``: the registry for scripts and cron.

The one place where library errors become words and exit codes: 0 success, 1 input rejected
(and then nothing was written), 2 usage errors (bad arguments, unknown organisation or ref).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from ropa import __version__, db, interchange, registry
from ropa.errors import Conflict, NotFound, RopaError, ValidationFailed
from ropa.settings import current_actor

log = logging.getLogger("ropa")

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ropa", description="Record of processing activities (GDPR Art. 30).")
    p.add_argument("--version", action="version", version=f"ropa {__version__}")
    p.add_argument("--database-url", help="overrides ROPA_DATABASE_URL (default sqlite:///data/ropa.db)")
    p.add_argument("--actor", help="who is making the change, for the audit trail (default ROPA_USER or login name)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create or upgrade the database schema")
    s.add_argument("--demo", action="store_true", help="also load the demo register (five seed organisations)")

    s = sub.add_parser("export", help="write the register to a file (.json, or .xlsx for the DPO's workbook)")
    s.add_argument("file", type=Path)
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")
    s.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the workbook (default nb)")

    s = sub.add_parser("import", help="read a register file (.json, .xlsx, .xlsm, .xls, .ods, .csv) into the database, all or nothing")
    s.add_argument("file", type=Path)
    s.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    s.add_argument("--org", metavar="NAME", help="the organisation of rows that name none (in a ropa workbook or JSON file: "
                                                 "import only this organisation)")
    s.add_argument("--sheet", metavar="NAME", help="read this sheet (default: the one whose header names the most fields)")
    s.add_argument("--map", action="append", metavar="HEADER=FIELD", default=[],
                   help="map a column by its header text (or letter) to a field; FIELD '-' skips the column (repeatable)")
    s.add_argument("--mapping", metavar="NAME", help="apply a saved column mapping")
    s.add_argument("--save-mapping", metavar="NAME", help="save the column mapping used, for the next file from this template")
    s.add_argument("--mode", choices=("upsert", "create-only"), default="upsert",
                   help="upsert: create new activities and update existing ones (default); create-only: leave existing ones alone")

    s = sub.add_parser("list", help="list activities")
    s.add_argument("--org", metavar="NAME")
    s.add_argument("--format", choices=("table", "json"), default="table")

    s = sub.add_parser("show", help="show one activity in full")
    s.add_argument("org", metavar="ORG")
    s.add_argument("ref", metavar="REF")

    s = sub.add_parser("check", help="judge the register: findings with their article and fix")
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the text report (default en)")
    s.add_argument("--fail-on", choices=("error", "warning"), help="exit 1 when a finding of this severity (or worse) exists")

    s = sub.add_parser("report", help="write the Art. 30 record as a document (.pdf or .docx) for the authority or management")
    s.add_argument("file", type=Path)
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")
    s.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the document (default nb)")
    s.add_argument("--findings", action="store_true", help="add the open findings as a last chapter")

    s = sub.add_parser("notice", help="draft an Art. 13/14 privacy notice (.html, .md, .docx or .pdf) from the register")
    s.add_argument("file", type=Path)
    s.add_argument("--org", required=True, metavar="NAME", help="the organisation (controller) the notice is from")
    s.add_argument("--subjects", metavar="GROUP", help='only activities about this group of people, e.g. "Kunder" or "employees"')
    s.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the notice (default nb)")

    s = sub.add_parser("publish", help="write the public register as a static HTML site into a directory")
    s.add_argument("directory", type=Path)
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")

    sub.add_parser("schema", help="print the JSON Schema of the register format")
    return p


def _print_problems(err: ValidationFailed) -> None:
    for problem in err.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"rejected: {len(err.problems)} problem(s); nothing was written", file=sys.stderr)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    def fmt(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])


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
    suffix = args.file.suffix.lower()
    if suffix == ".xlsx":
        from ropa.excel.export import write_workbook

        with db.session(engine) as s:
            summary = write_workbook(s, args.file, lang=args.lang, orgs=args.org)
        findings = "" if summary.findings is None else f", {summary.findings} findings"
        print(f"wrote {args.file}: {summary.organisations} organisations, {summary.activities} activities, "
              f"{summary.transfers} transfers{findings}")
        return EXIT_OK
    if suffix != ".json":
        raise UsageError(f"{args.file}: cannot export to '{suffix or 'no extension'}' (use .json or .xlsx)")
    with db.session(engine) as s:
        counts = interchange.write_json(s, args.file, args.org)
    print(f"wrote {args.file}: {counts['organisations']} organisations, {counts['activities']} activities")
    return EXIT_OK


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt")


def cmd_import(engine: Any, args: argparse.Namespace) -> int:
    suffix = args.file.suffix.lower()
    if suffix not in (".json", *SPREADSHEETS):
        raise UsageError(f"{args.file}: cannot import '{suffix or 'no extension'}' files "
                         "(use .json, .xlsx, .xlsm, .xls, .ods or .csv)")
    if suffix == ".json" and not (args.org or args.mode != "upsert" or args.map or args.mapping or args.sheet):
        return _import_json(engine, args)
    from ropa.excel import importer, mapping

    overrides = mapping.load_mapping(args.mapping) if args.mapping else {}
    overrides.update(importer.parse_map_options(args.map))
    options = {"org": args.org, "sheet": args.sheet, "mapping_overrides": overrides or None, "mode": args.mode}
    if args.dry_run:
        with db.session(engine) as s:
            report = importer.import_file(s, args.file, actor=args.actor, dry_run=True, **options)
    else:
        with db.transaction(engine) as s:
            report = importer.import_file(s, args.file, actor=args.actor, **options)
    if args.save_mapping and report.columns:
        saved = mapping.save_mapping(args.save_mapping, report.columns, sheet=report.sheet)
        print(f"mapping saved as '{args.save_mapping}' ({saved})", file=sys.stderr)
    if report.columns and (args.dry_run or args.save_mapping):
        print(f"sheet '{report.sheet}', header row {report.header_row}:")
        for c in report.columns:
            if c.header:
                target = c.field or ("(not imported)" if c.how != "duplicate" else f"(not imported: {c.guess} is taken)")
                print(f"  {c.letter:>3} {c.header!r} -> {target}" + (f"  [{c.how}]" if c.how not in ("exact", "none") else ""))
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(("dry run: " if args.dry_run else "") + report.summary())
    return EXIT_OK


def _import_json(engine: Any, args: argparse.Namespace) -> int:
    data = interchange.read_json(args.file)
    if args.dry_run:
        with db.session(engine) as s:
            try:
                report = interchange.import_document(s, data, actor=args.actor, source=args.file.name, dry_run=True)
            finally:
                s.rollback()
    else:
        with db.transaction(engine) as s:
            report = interchange.import_document(s, data, actor=args.actor, source=args.file.name)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(("dry run: " if args.dry_run else "") + report.summary())
    return EXIT_OK


def cmd_list(engine: Any, args: argparse.Namespace) -> int:
    with db.session(engine) as s:
        acts = registry.list_activities(s, org=args.org)
        rows = [
            {"organisation": a.organisation.name if a.organisation else "", "ref": a.ref, "name": a.name,
             "role": a.role, "status": a.status, "version": a.version}
            for a in acts
        ]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(_table([[r["organisation"], r["ref"], r["name"], r["role"], r["status"]] for r in rows],
                     ["organisation", "ref", "name", "role", "status"]))
        print(f"\n{len(rows)} activities")
    return EXIT_OK


def cmd_show(engine: Any, args: argparse.Namespace) -> int:
    with db.session(engine) as s:
        act = registry.get_activity(s, args.org, args.ref)
        out = {"organisation": act.organisation.name if act.organisation else None, "version": act.version,
               **registry.activity_dict(act)}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_schema(engine: Any, args: argparse.Namespace) -> int:
    from ropa.schema import json_schema
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_check(engine: Any, args: argparse.Namespace) -> int:
    from ropa import checks

    with db.session(engine) as s:
        findings = checks.check_register(s, orgs=args.org)
    counts = checks.summarise(findings)
    if args.format == "json":
        json.dump([f.as_dict() for f in findings], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        lang = args.lang
        for f in findings:
            where = f.organisation + (f" {f.activity_ref}" if f.activity_ref else "") + (f" ({f.recipient})" if f.recipient else "")
            print(f"{checks.severity_label(f.severity, lang)}  {f.rule}  {f.article}  {where}: {f.message(lang)}")
            print(f"    → {f.fix(lang)}")
        print(", ".join(f"{checks.severity_label(k, lang)}: {n}" for k, n in counts.items()))
    failing = {"error": ("error",), "warning": ("error", "warning")}.get(args.fail_on or "", ())
    return EXIT_REJECTED if any(counts[k] for k in failing) else EXIT_OK


def cmd_report(engine: Any, args: argparse.Namespace) -> int:
    from ropa.documents import report

    if args.file.suffix.lower() not in report.FORMATS:
        raise UsageError(f"{args.file}: cannot write a record as '{args.file.suffix or 'no extension'}' (use .pdf or .docx)")
    with db.session(engine) as s:
        r = report.write_report(s, args.file, orgs=args.org, lang=args.lang, with_findings=args.findings)
    acts = sum(len(o["cards"]) for o in r.organisations)
    print(f"wrote {args.file}: {len(r.organisations)} organisations, {acts} activities"
          + (f", {len(r.findings)} findings" if r.findings is not None else ""))
    return EXIT_OK


def cmd_notice(engine: Any, args: argparse.Namespace) -> int:
    from ropa.documents import notice

    if args.file.suffix.lower() not in notice.FORMATS:
        raise UsageError(f"{args.file}: cannot write a notice as '{args.file.suffix or 'no extension'}' "
                         f"(use {', '.join(notice.FORMATS)})")
    with db.session(engine) as s:
        n = notice.write_notice(s, args.file, args.org, lang=args.lang, subjects=args.subjects)
    print(f"wrote {args.file}: {len(n.activities)} activities ({', '.join(n.activities)})")
    if n.gaps:
        print(f"draft: {len(n.gaps)} items Art. 13/14 require are missing from the register:", file=sys.stderr)
        for g in n.gaps:
            print(f"  {g.article}{' ' + g.activity if g.activity else ''}: {g.what}", file=sys.stderr)
    return EXIT_OK


def cmd_publish(engine: Any, args: argparse.Namespace) -> int:
    from ropa.documents import publish

    with db.session(engine) as s:
        summary = publish.publish_register(s, args.directory, orgs=args.org)
    print(f"wrote {summary.directory}: {summary.organisations} organisations, {summary.activities} activities, "
          f"{summary.pages} pages (open {summary.directory / 'index.html'})")
    return EXIT_OK


COMMANDS = {"report": cmd_report, "notice": cmd_notice, "publish": cmd_publish, "check": cmd_check, "schema": cmd_schema, "init": cmd_init, "export": cmd_export, "import": cmd_import, "list": cmd_list, "show": cmd_show}


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    args.actor = args.actor or current_actor()
    try:
        if args.command == "schema":
            return cmd_schema(None, args)
        engine = db.make_engine(args.database_url)
        if args.command != "init":
            db.migrate(engine)
        return COMMANDS[args.command](engine, args)
    except ValidationFailed as err:
        _print_problems(err)
        return EXIT_REJECTED
    except Conflict as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REJECTED
    except (NotFound, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except RopaError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as err:  # no traceback reaches a user; the log keeps the detail
        log.debug("unexpected error", exc_info=True)
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_REJECTED
