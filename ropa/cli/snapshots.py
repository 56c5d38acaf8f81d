"""``snapshot`` and ``export --as-of``: the register as it was, and what the audit trail could not rebuild."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from ropa import access, db
from ropa.cli.output import EXIT_OK, UsageError, print, table
from ropa.grammar import count
from ropa.text import terminal_json


def print_gaps(state: Any) -> None:
    """What the audit trail could not rebuild, said on stderr (the output stays the register's)."""
    from ropa import timeline

    for line in timeline.summarise(state.gaps):
        print(f"note: {line}", file=sys.stderr)


def export_as_of(engine: Any, args: argparse.Namespace) -> int:
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
    print_gaps(state)
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
                table(
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
    print_gaps(found.a)
    print_gaps(found.b)
    return EXIT_OK
