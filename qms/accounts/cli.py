"""``qms users``: local accounts from the command line (the first administrator, resets)."""

from __future__ import annotations

import getpass
import json
import sys

from qms.accounts import store as accounts
from qms.accounts.rules import Role
from qms.kernel.db import opened
from qms.kernel.errors import QmsError


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise QmsError("The two passwords differ; nothing was saved.")
    return first


def cmd_add(args, settings) -> int:
    password = _read_password(args)
    with opened(settings.db_path) as db:
        user = accounts.create_user(
            db, username=args.username, display_name=args.display_name or args.username, role=Role(args.role),
            password=password, units=args.unit or (), districts=args.district or (), actor=settings.principal(),
        )
    print(f"Account {user.username} ({user.role.value}) created.")
    return 0


def cmd_list(args, settings) -> int:
    with opened(settings.db_path) as db:
        users = accounts.list_users(db)
    if args.json:
        print(json.dumps([{"username": u.username, "display_name": u.display_name, "role": u.role.value, "active": u.active,
                           "units": list(u.units), "districts": list(u.districts)} for u in users], ensure_ascii=False, indent=2))
    else:
        for u in users:
            scope = ", ".join([*u.units, *(f"district {d}" for d in u.districts)])
            print(f"{u.username:<20} {u.role.value:<8} {'active' if u.active else 'inactive':<9} {scope}")
    return 0


def cmd_password(args, settings) -> int:
    password = _read_password(args)
    with opened(settings.db_path) as db:
        accounts.set_password(db, args.username, password, actor=settings.principal())
    print(f"Password of {args.username} changed.")
    return 0


def cmd_role(args, settings) -> int:
    with opened(settings.db_path) as db:
        accounts.set_role(db, args.username, Role(args.role), units=args.unit or (), districts=args.district or (),
                          actor=settings.principal())
    print(f"Account {args.username} is now {args.role}; the change applies at its next step, even in an open session.")
    return 0


def cmd_active(args, settings) -> int:
    with opened(settings.db_path) as db:
        accounts.set_active(db, args.username, args.users_command == "activate", actor=settings.principal())
    print(f"Account {args.username} {args.users_command}d.")
    return 0


def register(sub) -> None:
    p = sub.add_parser("users", help="manage local accounts (qms users add|list|password|role|deactivate|activate)",
                       description="Local accounts of the web app. On an empty database the first account must be an "
                                   "administrator; there is no default password.")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    a = users.add_parser("add", help="create an account", description="Create an account; the password is asked twice, "
                         "or read from one line of standard input with --password-stdin (at least 10 characters).")
    a.add_argument("--username", required=True)
    a.add_argument("--role", required=True, choices=[r.value for r in Role])
    a.add_argument("--display-name")
    a.add_argument("--unit", action="append", help="unit code in scope (officer: exactly one; auditor: any number)")
    a.add_argument("--district", action="append", help="district code whose units an auditor covers")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.set_defaults(func=cmd_add)

    ls = users.add_parser("list", help="list accounts", description="List accounts with role, state and scope (never passwords).")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)

    pw = users.add_parser("password", help="set an account's password", description="Set an account's password.")
    pw.add_argument("--username", required=True)
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pw.set_defaults(func=cmd_password)

    r = users.add_parser("role", help="change an account's role and scope",
                         description="Change an account's role and scope (replacing the old scope). It applies at the "
                                     "account's next step, even in a web session signed in before.")
    r.add_argument("--username", required=True)
    r.add_argument("--role", required=True, choices=[r.value for r in Role])
    r.add_argument("--unit", action="append", help="unit code in scope (officer: exactly one; auditor: any number)")
    r.add_argument("--district", action="append", help="district code whose units an auditor covers")
    r.set_defaults(func=cmd_role)

    for name, short, long in (
        ("deactivate", "stop an account signing in or writing, at once",
         "Deactivate an account: it can no longer sign in, and a web session it already has is refused at its next step."),
        ("activate", "let a deactivated account sign in again", "Reactivate a deactivated account."),
    ):
        a = users.add_parser(name, help=short, description=long)
        a.add_argument("--username", required=True)
        a.set_defaults(func=cmd_active)
