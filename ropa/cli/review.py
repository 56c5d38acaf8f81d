"""``review`` and ``tasks``: the review cycle of an activity (owner, draft, review, approval)."""

from __future__ import annotations

import argparse
from typing import Any

from ropa import access, db
from ropa.cli.output import EXIT_OK, print, table
from ropa.register.activities import get_activity
from ropa.register.lookup import get_organisation
from ropa.text import terminal_json


def cmd_review(engine: Any, args: argparse.Namespace) -> int:
    from ropa import review

    if args.review_command == "interval":
        return _review_interval(engine, args)
    with db.transaction(engine) as s:
        if args.review_command == "submit":
            row = review.submit(s, args.org, args.ref, actor=args.actor, source="cli")
        elif args.review_command == "approve":
            version = get_activity(s, args.org, args.ref).version
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
            org = get_organisation(s, args.org)
            print(f"{org.name}: review every {review.interval_months(s, org)} months after approval")
        return EXIT_OK
    with db.transaction(engine) as s:
        old = review.set_interval(s, args.org, args.months, actor=args.actor, source="cli")
        name = get_organisation(s, args.org).name
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
            table(
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
