"""The commands that make documents from the register: ``check``, ``report`` (the Art. 30 record),
``notice`` (Art. 13/14) and ``publish`` (the public site)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ropa import access, db
from ropa.cli.output import EXIT_OK, EXIT_REJECTED, UsageError, print
from ropa.cli.snapshots import print_gaps
from ropa.text import terminal_json


def cmd_check(engine: Any, args: argparse.Namespace) -> int:
    from ropa import checks, vocab
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
            print(f"{checks.severity_label(f.severity, lang)}  {f.rule}  {vocab.article_in(f.article, lang)}  {where}: {f.message(lang)}")
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
            print_gaps(state)
        r = report.write_report(s, args.file, orgs=args.org, lang=args.lang, with_findings=args.findings, as_of=state)
    acts = sum(len(o["cards"]) for o in r.organisations)
    print(f"wrote {args.file}: {len(r.organisations)} organisations, {acts} activities" + (f", {len(r.findings)} findings" if r.findings is not None else ""))
    return EXIT_OK


def cmd_notice(engine: Any, args: argparse.Namespace) -> int:
    from ropa.documents import notice_render

    if args.file.suffix.lower() not in notice_render.FORMATS:
        raise UsageError(f"{args.file}: cannot write a notice as '{args.file.suffix or 'no extension'}' (use {', '.join(notice_render.FORMATS)})")
    with db.session(engine) as s:
        n = notice_render.write_notice(s, args.file, args.org, lang=args.lang, subjects=args.subjects)
    print(f"wrote {args.file}: {len(n.activities)} activities ({', '.join(n.activities)})")
    if n.gaps:
        print(f"draft: {len(n.gaps)} items Art. 13/14 require are missing from the register:", file=sys.stderr)
        for g in n.gaps:
            print(f"  {g.cited}{' ' + g.activity if g.activity else ''}: {g.what}", file=sys.stderr)
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
