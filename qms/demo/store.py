"""Loading the demo province into a database, in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import yaml

from qms.accounts.principals_store import authorize, authorize_now
from qms.accounts.rules import Operation, Principal, system_principal
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import QmsError
from qms.kernel.features import feature_modules
from qms.units import demo
from qms.units.events_store import record_events_in
from qms.units.importer import parse_units_file
from qms.units.model import Level
from qms.units.store import ORIGINAL_NAME_FROM

#: Tables emptied by ``qms demo --force`` (the change log is never emptied: it records the reset).
DATA_TABLES = ("qms_events", "unit_names", "units", "targets")


def demo_parts() -> list:
    """Every feature's demo part (``qms/<feature>/demo_store.py``, :mod:`qms.demo`), in their ``ORDER``."""
    return sorted(feature_modules("demo_store"), key=lambda m: (m.ORDER, m.__name__))


def has_data(db) -> bool:
    return bool(db.scalar("SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM qms_events)"))


def load_demo(db, demo_dir: Path, *, force: bool = False, actor: Principal = system_principal("demo"),
              until: dt.date | None = None) -> dict[str, int]:
    """Load the Lai Châu demo: units, the 2020 changes, the lifecycle history and sample targets,
    the 2025 department merger and reform, and the history after it up to ``until`` (default:
    the province's today; tests pass a fixed day so that their figures never move).

    Refuses a database that already holds units or events unless ``force`` (then every data
    table is emptied first, inside the same transaction, and the reset is logged).  Returns
    counts of what was written.  The demo's parts get the acting principal (``actor``) and
    record its name.
    """
    authorize_now(db, actor, Operation.LOAD_DEMO)  # before generating the demo; checked again when writing
    settings = demo.DemoSettings.from_mapping(yaml.safe_load((demo_dir / "demo.yaml").read_text(encoding="utf-8")))
    settings = dataclasses.replace(settings, until=until or province_today())
    if settings.until <= demo.PRE_REFORM_DEMO_UNTIL:
        # The province as it was before the reforms: the 2014-2021 history alone, none of the
        # changes after 2020 (what the tests of the features that predate the reform read).
        settings = dataclasses.replace(settings, history_until=settings.until, department_merger={}, reform={})
    units_file = demo_dir / "lai_chau_units.csv"
    records = parse_units_file(units_file.read_bytes(), units_file.name)
    units = demo.apply_changes([r for _, r in records], settings)
    events = demo.generate_events(units, settings)
    targets = demo.sample_targets(settings)

    def run(cur) -> dict[str, int]:
        who = authorize(cur, actor, Operation.LOAD_DEMO)
        author = who.username
        existing = cur.execute("SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM qms_events)").fetchall()[0][0]
        if existing and not force:
            raise QmsError(
                "The database already holds units or events; `qms demo --force` replaces them with the demo province.",
                vi="Cơ sở dữ liệu đã có đơn vị hoặc sự kiện; dùng `qms demo --force` để thay bằng dữ liệu mẫu.",
            )
        parts = demo_parts()
        if existing:
            for part in reversed(parts):
                for table in part.TABLES:
                    cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            for table in DATA_TABLES:
                cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            changelog.append(cur, actor=author, action="reset", entity="database", key="demo", before={"rows": existing})
        for u in units:
            cur.execute(
                "INSERT INTO units (code, gso_code, level, kind, parent_code, valid_from, valid_to, in_plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [u.code, u.code, u.level.value, u.kind, u.parent_code, u.valid_from, u.valid_to, u.in_plan],
            )
            cur.execute("INSERT INTO unit_names (code, name, valid_from) VALUES (?, ?, ?)", [u.code, u.name, ORIGINAL_NAME_FROM])
        for code, name in settings.renamed.items():
            cur.execute("INSERT INTO unit_names (code, name, valid_from) VALUES (?, ?, ?)", [code, name, settings.merger_date])
        changelog.append(cur, actor=author, action="import", entity="units", key="demo", after=[u.code for u in units])
        record_events_in(cur, events, actor=who, today=max(province_today(), settings.history_until))
        for t in targets:
            cur.execute(
                "INSERT INTO targets (level, year, target_pct, is_sample, updated_by) VALUES (?, ?, ?, ?, ?)",
                [t.level.value, t.year, t.target_pct, t.is_sample, author],
            )
        changelog.append(cur, actor=author, action="import", entity="targets", key="demo", after=targets)
        counts = {
            "units": len(units),
            "communes": sum(1 for u in units if u.level is Level.COMMUNE),
            "events": len(events),
            "targets": len(targets),
        }
        for part in parts:
            counts.update(part.load(cur, demo_dir=demo_dir, settings=settings, actor=who))
        cur.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('demo_loaded', ?)", [province_today().isoformat()])
        return counts

    return db.write(run, attempts=1)
