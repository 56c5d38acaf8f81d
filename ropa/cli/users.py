"""``user``: the accounts who may sign in, their roles and passwords."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ropa import db
from ropa.cli.output import EXIT_OK, UsageError, print, table
from ropa.errors import ValidationFailed
from ropa.text import terminal_json


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
                table(
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
