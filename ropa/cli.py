"""``python -m ropa``: the registry for scripts and cron.

The one place where library errors become words and exit codes: 0 success, 1 input rejected
(and then nothing was written), 2 usage errors (bad arguments, unknown organisation or ref).
Everything it prints passes :func:`ropa.text.terminal` (names from imported files could hold
escape sequences that clear or retitle the terminal); JSON is written with
:func:`ropa.text.terminal_json`, which keeps it the same JSON.
"""

from __future__ import annotations

import argparse
import builtins
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from ropa import __version__, access, db, interchange, isolation, registry
from ropa.errors import Conflict, NotFound, PermissionDenied, RopaError, ValidationFailed, explain
from ropa.grammar import count
from ropa.settings import current_actor
from ropa.text import terminal, terminal_json

log = logging.getLogger("ropa")

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def print(*values: Any, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False) -> None:  # noqa: A001
    """The module's print: control characters in the text are shown as escapes, never sent to
    the terminal (newlines and tabs are the output's own layout). Shadows the builtin on purpose,
    so no line of this module can print raw text."""
    builtins.print(terminal(sep.join(str(v) for v in values), keep="\n\t"), end=end, file=file, flush=flush)


class _TerminalFormatter(logging.Formatter):
    """Log lines on stderr are terminal output too."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal(super().format(record), keep="\n\t")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ropa", description="Record of processing activities (GDPR Art. 30).")
    p.add_argument("--version", action="version", version=f"ropa {__version__}")
    p.add_argument("--database-url", help="overrides ROPA_DATABASE_URL (default sqlite:///data/ropa.db)")
    p.add_argument(
        "--user",
        "--actor",
        dest="actor",
        metavar="NAME",
        help="who is acting, for the permissions and the audit trail (default ROPA_USER or the login name); once the register has users, an enabled user",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log details, with the traceback of an unexpected error")
    p.add_argument("--debug", action="store_true", help="print the traceback of an unexpected error on stderr (also ROPA_DEBUG=1)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create or upgrade the database schema")
    s.add_argument("--demo", action="store_true", help="also load the demo register (five seed organisations)")

    s = sub.add_parser("export", help="write the register to a file (.json, or .xlsx for the DPO's workbook)")
    s.add_argument("file", type=Path)
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")
    s.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the workbook (default nb)")
    s.add_argument(
        "--as-of",
        metavar="SNAPSHOT|DATE",
        help="the register as it was: a snapshot's label or number, or an ISO "
        "date/time (Europe/Oslo unless a zone is given; a date alone: the end of that day)",
    )

    s = sub.add_parser("import", help="read a register file (.json, .xlsx, .xlsm, .xls, .ods, .csv) into the database, all or nothing")
    s.add_argument("file", type=Path)
    s.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    s.add_argument("--org", metavar="NAME", help="the organisation of rows that name none (in a ropa workbook or JSON file: import only this organisation)")
    s.add_argument("--sheet", metavar="NAME", help="read this sheet (default: the one whose header names the most fields)")
    s.add_argument(
        "--map",
        action="append",
        metavar="HEADER=FIELD",
        default=[],
        help="map a column by its header text (or letter) to a field; FIELD '-' skips the column (repeatable)",
    )
    s.add_argument("--mapping", metavar="NAME", help="apply a saved column mapping")
    s.add_argument("--save-mapping", metavar="NAME", help="save the column mapping used, for the next file from this template")
    s.add_argument(
        "--mode",
        choices=("upsert", "create-only"),
        default="upsert",
        help="upsert: create new activities and update existing ones (default); create-only: leave existing ones alone",
    )
    s.add_argument("--lang", choices=("nb", "en"), default=None, help="language of the problems and of the dry run's changes (default: ROPA_LANG, else en)")

    s = sub.add_parser("list", help="list activities")
    s.add_argument("--org", metavar="NAME")
    s.add_argument("--format", choices=("table", "json"), default="table", help="table for people (labels), json for scripts (codes)")
    s.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the table (default en)")

    s = sub.add_parser("show", help="show one activity in full")
    s.add_argument("org", metavar="ORG")
    s.add_argument("ref", metavar="REF")
    s.add_argument("--format", choices=("text", "json"), default="text", help="text for people (labels), json for scripts (codes)")
    s.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the text (default en)")

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
    s.add_argument("--as-of", metavar="SNAPSHOT|DATE", help="the register as it was: a snapshot's label or number, or an ISO date/time")

    s = sub.add_parser("notice", help="draft an Art. 13/14 privacy notice (.html, .md, .docx or .pdf) from the register")
    s.add_argument("file", type=Path)
    s.add_argument("--org", required=True, metavar="NAME", help="the organisation (controller) the notice is from")
    s.add_argument("--subjects", metavar="GROUP", help='only activities about this group of people, e.g. "Kunder" or "employees"')
    s.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the notice (default nb)")

    s = sub.add_parser("publish", help="write the public register as a static HTML site into a directory")
    s.add_argument("directory", type=Path)
    s.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")

    sub.add_parser("schema", help="print the JSON Schema of the register format")

    s = sub.add_parser("review", help="the review cycle of an activity: owner, submit, approve (dpo), return (dpo); an organisation's review interval")
    rs = s.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    for verb, text in (
        ("submit", "ask for approval (draft -> in_review)"),
        ("approve", "approve the current version (dpo)"),
        ("return", "send back to the owner as a draft, saying why (dpo)"),
        ("owner", "set the owner"),
    ):
        r = rs.add_parser(verb, help=text)
        r.add_argument("org", metavar="ORG")
        r.add_argument("ref", metavar="REF")
        if verb == "return":
            r.add_argument("note", metavar="WHY")
        if verb == "owner":
            r.add_argument("owner", metavar="USER")
    r = rs.add_parser("interval", help="months from an approval to the next review, for one organisation (show, or set: admin, dpo)")
    r.add_argument("org", metavar="ORG")
    r.add_argument("months", metavar="MONTHS", type=int, nargs="?", help="1 to 60 (default 12); omit to show the interval")

    s = sub.add_parser("snapshot", help="immutable copies of the whole register: create (dpo, admin), list, diff")
    ss = s.add_subparsers(dest="snapshot_command", required=True, metavar="ACTION")
    n = ss.add_parser("create", help="store the register as it is now under a label")
    n.add_argument("label", metavar="LABEL")
    n = ss.add_parser("list", help="list the snapshots, newest first")
    n.add_argument("--format", choices=("table", "json"), default="table")
    n = ss.add_parser("diff", help="activities added, removed and changed field by field from A to B (default: now)")
    n.add_argument("a", metavar="A", help="a snapshot's label or number, or an ISO date/time")
    n.add_argument("b", metavar="B", nargs="?", help="the same, or 'now' (default)")
    n.add_argument("--org", action="append", metavar="NAME", help="only this organisation (repeatable)")
    n.add_argument("--format", choices=("text", "json"), default="text")
    n.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the text (default en)")

    s = sub.add_parser("tasks", help="what a user should do: reviews overdue or due, activities returned or awaiting approval")
    s.add_argument("--format", choices=("table", "json"), default="table")

    s = sub.add_parser("user", help="the people who sign in: add, list, disable, enable, role, password")
    us = s.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    u = us.add_parser("add", help="add a user (the first one must be an admin or dpo for all organisations)")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--role", required=True, choices=access.ROLES)
    u.add_argument("--org", action="append", default=[], metavar="NAME", help="an organisation assigned (repeatable)")
    u.add_argument("--email", help="the e-mail the identity provider reports, for single sign-on")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.add_argument("--no-password", action="store_true", help="single sign-on only (needs --email)")
    u = us.add_parser("list", help="list users")
    u.add_argument("--format", choices=("table", "json"), default="table")
    for verb, text in (("disable", "stop a user from signing in or acting"), ("enable", "let a disabled user in again")):
        u = us.add_parser(verb, help=text)
        u.add_argument("name", metavar="NAME")
    u = us.add_parser("role", help="change a user's role, and with --org or --global the organisations assigned")
    u.add_argument("name", metavar="NAME")
    u.add_argument("role", choices=access.ROLES)
    u.add_argument("--org", action="append", default=None, metavar="NAME", help="assign exactly these organisations (repeatable)")
    u.add_argument("--global", dest="all_orgs", action="store_true", help="no organisations assigned: an admin or dpo for all")
    u = us.add_parser("password", help="set a user's password (also lifts a lock)")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return p


def _print_problems(err: ValidationFailed) -> None:
    for problem in err.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"rejected: {len(err.problems)} problem(s); nothing was written", file=sys.stderr)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    rows = [[terminal(c) for c in r] for r in rows]  # a newline or tab in a name must not break the layout
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
    if args.as_of:
        return _export_as_of(engine, args)
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


def _gaps(state: Any) -> None:
    """What the audit trail could not rebuild, said on stderr (the output stays the register's)."""
    from ropa import timeline

    for line in timeline.summarise(state.gaps):
        print(f"note: {line}", file=sys.stderr)


def _export_as_of(engine: Any, args: argparse.Namespace) -> int:
    """``export --as-of``: the register as it was (a snapshot or a past moment), scoped like export."""
    from ropa import versions

    suffix = args.file.suffix.lower()
    if suffix not in (".xlsx", ".json"):
        raise UsageError(f"{args.file}: cannot export to '{suffix or 'no extension'}' (use .json or .xlsx)")
    with db.session(engine) as s:
        state = versions.state_of(s, args.as_of, orgs=args.org, permission=access.EXPORT)
        if suffix == ".xlsx":
            versions.write_workbook(s, state, args.file, lang=args.lang, orgs=args.org)
        else:
            tmp = args.file.with_name(args.file.name + ".part")
            tmp.write_text(versions.json_text(state), encoding="utf-8")
            tmp.replace(args.file)
    _gaps(state)
    print(
        f"wrote {args.file}: {state.describe()}, {count(len(state.document['organisations']), 'organisation', 'organisations')}, "
        f"{count(state.activities, 'activity', 'activities')}"
    )
    return EXIT_OK


def cmd_snapshot(engine: Any, args: argparse.Namespace) -> int:
    from ropa import versions

    if args.snapshot_command == "create":
        with db.transaction(engine) as s:
            snap = versions.create(s, args.label, actor=args.actor, source="cli")
            print(
                f"snapshot {snap.id} '{snap.label}': {count(snap.organisations, 'organisation', 'organisations')}, "
                f"{count(snap.activities, 'activity', 'activities')}, taken by {snap.created_by} at {versions.oslo(snap.created_at)}"
            )
        return EXIT_OK
    if args.snapshot_command == "list":
        with db.session(engine) as s:
            whole = versions.counts_shown()  # the counts are of the whole register: not for a scoped reader
            rows = [
                {
                    "id": x.id,
                    "label": x.label,
                    "created_at": versions.timeline.to_utc(x.created_at).isoformat(),
                    "created_by": x.created_by,
                    "digest": x.digest,
                    **({"organisations": x.organisations, "activities": x.activities} if whole else {}),
                }
                for x in versions.list_snapshots(s)
            ]
        if args.format == "json":
            print(terminal_json(rows, indent=2))
        else:
            print(
                _table(
                    [
                        [
                            str(r["id"]),
                            str(r["label"]),
                            versions.oslo(datetime.fromisoformat(str(r["created_at"]))),
                            str(r["created_by"]),
                            *([str(r["activities"])] if whole else []),
                        ]
                        for r in rows
                    ],
                    ["id", "label", "taken (Europe/Oslo)", "by", *(["activities"] if whole else [])],
                )
            )
        return EXIT_OK
    with db.session(engine) as s:
        found = versions.diff(s, args.a, args.b, orgs=args.org)
    if args.format == "json":
        print(terminal_json(found.as_dict(), indent=2, default=str))
    else:
        for line in found.lines(args.lang):
            print(line)
    _gaps(found.a)
    _gaps(found.b)
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
        acts = registry.list_activities(s, org=args.org)
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
            _table(
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
        act = registry.get_activity(s, args.org, args.ref)
        org = registry.organisation_dict(act.organisation) if act.organisation else {}
        data = registry.activity_dict(act)
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
    from ropa.schema import json_schema

    print(terminal_json(json_schema(), indent=2))
    return EXIT_OK


def cmd_check(engine: Any, args: argparse.Namespace) -> int:
    from ropa import checks
    from ropa.register.checks import check_register

    access.read_scope(args.org, access.CHECK)
    with db.session(engine) as s:
        findings = check_register(s, orgs=args.org)
    counts = checks.summarise(findings)
    if args.format == "json":
        print(terminal_json([f.as_dict() for f in findings], indent=2))
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
        state = None
        if args.as_of:
            from ropa import versions

            state = versions.state_of(s, args.as_of, orgs=args.org, permission=access.EXPORT)
            _gaps(state)
        r = report.write_report(s, args.file, orgs=args.org, lang=args.lang, with_findings=args.findings, as_of=state)
    acts = sum(len(o["cards"]) for o in r.organisations)
    print(f"wrote {args.file}: {len(r.organisations)} organisations, {acts} activities" + (f", {len(r.findings)} findings" if r.findings is not None else ""))
    return EXIT_OK


def cmd_notice(engine: Any, args: argparse.Namespace) -> int:
    from ropa.documents import notice

    if args.file.suffix.lower() not in notice.FORMATS:
        raise UsageError(f"{args.file}: cannot write a notice as '{args.file.suffix or 'no extension'}' (use {', '.join(notice.FORMATS)})")
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
    print(
        f"wrote {summary.directory}: {summary.organisations} organisations, {summary.activities} activities, "
        f"{summary.pages} pages (open {summary.directory / 'index.html'})"
    )
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    from ropa import users

    first = getpass.getpass(f"password for {args.name}: ")
    try:
        return users.confirmed(first, getpass.getpass("again: "))
    except ValidationFailed as err:
        raise UsageError(err.problems[0].message) from None


def cmd_user(engine: Any, args: argparse.Namespace) -> int:
    from ropa import users

    if args.user_command == "list":
        from ropa.audit import local_time

        with db.session(engine) as s:
            found = users.accounts(s, actor=args.actor)
        if args.format == "json":  # times as ISO 8601 with Oslo's offset
            print(terminal_json([a.as_dict() for a in found], indent=2))
        else:  # times in Europe/Oslo, the zone named
            print(
                _table(
                    [
                        [
                            a.name,
                            a.role,
                            ", ".join(a.organisations) or "(all)",
                            a.email or "",
                            "yes" if a.enabled else "no",
                            local_time(a.locked_until, "en"),
                            local_time(a.last_sign_in, "en"),
                        ]
                        for a in found
                    ],
                    ["name", "role", "organisations", "email", "enabled", "locked until", "last sign-in"],
                )
            )
        return EXIT_OK
    with db.transaction(engine) as s:
        if args.user_command == "add":
            if args.no_password and not args.email:
                raise UsageError("--no-password needs --email (the user signs in through the identity provider)")
            password = None if args.no_password else _password(args)
            user = users.add_user(s, args.name, role=args.role, orgs=args.org, email=args.email, password=password, actor=args.actor, source="cli")
            print(f"added {user.name} ({user.role}; {', '.join(args.org) or 'all organisations'}): sign-in is now required")
        elif args.user_command == "role":
            if args.all_orgs and args.org:
                raise UsageError("--global and --org exclude each other")
            orgs = [] if args.all_orgs else args.org
            user = users.set_access(s, args.name, role=args.role, orgs=orgs, actor=args.actor, source="cli")
            assigned = users.organisations_of(s, user)
            print(f"{user.name}: {user.role}; {', '.join(assigned) or 'all organisations'}")
        elif args.user_command in ("disable", "enable"):
            user = users.set_enabled(s, args.name, args.user_command == "enable", actor=args.actor, source="cli")
            print(f"{user.name}: {'enabled' if user.enabled else 'disabled'}")
        else:
            user = users.set_password(s, args.name, _password(args), actor=args.actor, source="cli")
            print(f"{user.name}: password changed")
    return EXIT_OK


def cmd_review(engine: Any, args: argparse.Namespace) -> int:
    from ropa import review

    if args.review_command == "interval":
        return _review_interval(engine, args)
    with db.transaction(engine) as s:
        if args.review_command == "submit":
            row = review.submit(s, args.org, args.ref, actor=args.actor, source="cli")
        elif args.review_command == "approve":
            version = registry.get_activity(s, args.org, args.ref).version
            row = review.approve(s, args.org, args.ref, expected_version=version, actor=args.actor, source="cli")
        elif args.review_command == "return":
            row = review.send_back(s, args.org, args.ref, args.note, actor=args.actor, source="cli")
        else:
            row = review.set_owner(s, args.org, args.ref, args.owner, actor=args.actor, source="cli")
        print(
            f"{args.org} {args.ref}: {row.state}"
            + (f", owner {row.owner}" if row.owner else "")
            + (f", version {row.approved_version} approved by {row.approved_by}" if row.state == "approved" else "")
        )
    return EXIT_OK


def _review_interval(engine: Any, args: argparse.Namespace) -> int:
    from ropa import review

    if args.months is None:
        access.read_scope([args.org])
        with db.session(engine) as s:
            org = registry.get_organisation(s, args.org)
            print(f"{org.name}: review every {review.interval_months(s, org)} months after approval")
        return EXIT_OK
    with db.transaction(engine) as s:
        old = review.set_interval(s, args.org, args.months, actor=args.actor, source="cli")
        name = registry.get_organisation(s, args.org).name
    print(f"{name}: review every {args.months} months after approval (was {old})")
    return EXIT_OK


def cmd_tasks(engine: Any, args: argparse.Namespace) -> int:
    from ropa import review

    with db.session(engine) as s:
        found = review.tasks(s, args.actor)
    if args.format == "json":
        print(terminal_json({"user": args.actor, "counts": review.counts(found), "tasks": [t.as_dict() for t in found]}, indent=2))
    else:
        from ropa.audit import local_time

        print(
            _table(
                [
                    [
                        t.kind,
                        t.organisation,
                        t.ref,
                        t.name,
                        t.next_review or "",
                        t.note or "",
                        f"{local_time(t.last_reviewed, 'en')} ({t.last_reviewed_by})" if t.last_reviewed else "",
                    ]
                    for t in found
                ],
                ["task", "organisation", "ref", "name", "next review", "note", "last reviewed (Oslo)"],
            )
        )
        print(f"\n{len(found)} tasks for {args.actor}")
    return EXIT_OK


def _act_as(engine: Any, args: argparse.Namespace) -> None:
    """Once the register has users, the CLI acts as one of them (``--user``/``ROPA_USER``) and
    reads only what that user may read; before that, as the local administrator."""
    with db.session(engine) as s:
        if not access.users_exist(s):
            return
        found = access.load_principal(s, args.actor)
    if found is None:
        raise PermissionDenied(user=args.actor, permission="user.enabled")
    args.actor = found.name
    access.set_reader(found)


COMMANDS = {
    "snapshot": cmd_snapshot,
    "report": cmd_report,
    "notice": cmd_notice,
    "publish": cmd_publish,
    "review": cmd_review,
    "tasks": cmd_tasks,
    "user": cmd_user,
    "check": cmd_check,
    "schema": cmd_schema,
    "init": cmd_init,
    "export": cmd_export,
    "import": cmd_import,
    "list": cmd_list,
    "show": cmd_show,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler()  # log lines pass the same control-character filter as output
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.ERROR, handlers=[handler])
    debug = bool(args.debug or args.verbose or os.environ.get("ROPA_DEBUG", "").strip().lower() in ("1", "true", "yes"))
    args.actor = args.actor or current_actor()
    try:
        if args.command == "schema":
            return cmd_schema(None, args)
        engine = db.make_engine(args.database_url)
        if args.command != "init":
            db.migrate(engine)
        elif db.current_revision(engine) is not None:
            db.migrate(engine)  # an existing register: its users decide who may load the demo
        if db.current_revision(engine) is not None:
            _act_as(engine, args)
        try:
            return COMMANDS[args.command](engine, args)
        finally:
            access.set_reader(None)  # main() may be called again in this thread (tests, scripts)
    except ValidationFailed as err:
        _print_problems(err)
        return EXIT_REJECTED
    except Conflict as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REJECTED
    except (NotFound, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except PermissionDenied as err:
        print(f"error: {access.deny_message(err, 'en')}", file=sys.stderr)
        if err.permission == "user.enabled":
            print("hint: name an enabled user with --user NAME or ROPA_USER (see `python -m ropa user list`)", file=sys.stderr)
        return EXIT_REJECTED
    except RopaError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:  # the reader went away (`ropa list | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second complaint at exit
        return EXIT_OK
    except Exception as err:  # no traceback or class name reaches a user unless asked for (--debug, ROPA_DEBUG=1)
        if debug:
            log.error("unexpected error", exc_info=True)
        hint = "" if debug else " (unexpected error: run with --debug or --verbose for the details)"
        print(f"error: {explain(err)}{hint}", file=sys.stderr)
        return EXIT_REJECTED
