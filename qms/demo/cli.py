"""``qms demo``: load the Lai Châu demo province (every feature's demo part, one transaction)."""

from __future__ import annotations

from qms.accounts import demo_store as demo_accounts
from qms.demo import store as demo_store
from qms.kernel.dates import parse_iso
from qms.kernel.db import opened
from qms.kernel.settings import Settings

#: Where its commands stand in ``qms --help`` (features without one follow, by name).
ORDER = 10


def cmd_demo(args, settings: Settings) -> int:
    with opened(settings.db_path) as db:
        if args.if_empty and demo_store.has_data(db):
            print(f"{settings.db_path} already holds data; the demo was not loaded.")
            return 0
        until = parse_iso(args.until, field="--until") if args.until else None
        counts = demo_store.load_demo(db, settings.demo_dir, force=args.force, until=until)
    extra = ", ".join(f"{n} {k}" for k, n in counts.items() if k not in ("units", "communes", "events", "targets") and isinstance(n, int))
    print(
        f"Loaded the Lai Châu demo into {settings.db_path}: {counts['units']} units "
        f"({counts['communes']} communes), {counts['events']} lifecycle events, {counts['targets']} sample targets"
        + (f", {extra}." if extra else ".")
    )
    passwords = counts.get("account_passwords") or {}
    if passwords:
        print("Demo accounts (passwords shown once; change them in the app: the sidebar's 'Đổi mật khẩu', "
              "or an administrator's reset on 'Tài khoản'; with the app stopped: `qms users password`):")
        for username, password, role in demo_accounts.described(passwords):
            print(f"  {username:<16} {password:<18} {role}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="load the Lai Châu demo province",
                       description="Load the Lai Châu demo province: its 8 districts and 108 communes until the 2025 reform, "
                                   "the 38 communes and no districts since 01/07/2025, its departments (the 2025 merger included), "
                                   "a seeded lifecycle history from 2014 to the day loaded (the same up to 30/06/2025 on every "
                                   "run) and sample targets. Refuses a database holding data unless --force.")
    p.add_argument("--force", action="store_true", help="replace the units, events and targets already in the database")
    p.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) when the database already holds data")
    p.add_argument("--until", help="the last day of the history YYYY-MM-DD (default: today in the province)")
    p.set_defaults(func=cmd_demo)
