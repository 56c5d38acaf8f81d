"""``python -m ropa``: the registry for scripts and cron.

The one place where library errors become words and exit codes: 0 success, 1 input rejected
(and then nothing was written), 2 usage errors (bad arguments, unknown organisation or ref).
Everything it prints passes :func:`ropa.text.terminal` (names from imported files could hold
escape sequences that clear or retitle the terminal); JSON is written with
:func:`ropa.text.terminal_json`, which keeps it the same JSON.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from ropa import __version__, access, db
from ropa.cli.documents import cmd_check, cmd_notice, cmd_publish, cmd_report
from ropa.cli.output import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, TerminalFormatter, UsageError, print, print_problems
from ropa.cli.records import cmd_export, cmd_import, cmd_init, cmd_list, cmd_schema, cmd_show
from ropa.cli.review import cmd_review, cmd_tasks
from ropa.cli.snapshots import cmd_snapshot
from ropa.cli.users import cmd_user
from ropa.errors import Conflict, NotFound, PermissionDenied, RopaError, ValidationFailed, explain
from ropa.settings import current_actor

log = logging.getLogger("ropa")


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
    handler.setFormatter(TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
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
        print_problems(err)
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
