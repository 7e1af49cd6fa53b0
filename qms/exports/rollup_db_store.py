"""A national roll-up database: the overview's data loaded from a national snapshot (``qms rollup-db``).

Design (docs/exports.md, "Reading a roll-up"): the roll-up database is an ordinary qms database
(every migration applied) holding what the overview's coverage figures read, loaded straight
from the national snapshot's Parquet files in one transaction:

- ``units``: every unit of every province, keyed ``<province code>:<unit key>`` (two provinces'
  units never collide; the code shown says which province a unit is from), the province units
  keyed by their own code; ``parent_code`` the parent on the as-of date; names as of that date;
- ``unit_parents`` (schema 3 provinces), ``qms_events`` (every lifecycle event up to the as-of
  date, renumbered in province then event order) and the derived stage spans;
- ``targets``: a level's target of the as-of year when every province has the same one (the
  overview shows no target otherwise);
- ``rollup_sources`` (migration 017): per province, the source snapshot and its manifest's hash;
  the setting ``rollup_as_of``: the overview never shows a date after it.

Audits, actions and processes stay in the national snapshot's files (the overview's panels for
them are empty here).  The database is a read model: the app opened on it shows the overview
alone (no page that writes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.exports.snapshot_store import sha256_file
from qms.kernel.db import open_database
from qms.kernel.errors import ValidationError
from qms.units import spans_store as spans

ROLLUP_SETTING = "rollup_as_of"


def _key(col: str, province: str = "province_code") -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} = {province} THEN {col} ELSE {province} || ':' || {col} END"


def build(path: Path, national: Path, *, actor: Principal) -> dict[str, int]:
    """Create the roll-up database ``path`` (which must not exist) from the national snapshot folder ``national``."""
    path, national = Path(path), Path(national)
    manifest_path = national / "manifest.json"
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw)
    except (OSError, ValueError) as e:
        raise ValidationError(f"{manifest_path}: not a readable national snapshot manifest ({e}).") from e
    if manifest.get("format") != "qms-rollup":
        raise ValidationError(f"{manifest_path}: format is {manifest.get('format')!r}, not a national roll-up ('qms-rollup').")
    if path.exists():
        raise ValidationError(f"--db: {path} already exists; a roll-up database is built new (remove it or name another file).")
    read = ("units", "unit_parents", "lifecycle_events", "coverage_level", "provinces")
    listed = {entry["file"] for entry in manifest["tables"]}
    for name in read:  # every file read must be one the manifest vouches for
        if f"{name}.parquet" not in listed:
            raise ValidationError(f"{manifest_path}: lists no {name}.parquet, which a roll-up database is built from.")
    for entry in manifest["tables"]:
        if sha256_file(national / entry["file"]) != entry["sha256"]:
            raise ValidationError(f"{national / entry['file']} does not match the SHA-256 in its manifest.")
    as_of = dt.date.fromisoformat(manifest["as_of"])
    sha = hashlib.sha256(raw).hexdigest()
    f = {name: str(national / f"{name}.parquet").replace("'", "''") for name in read}
    db = open_database(path)

    def run(cur) -> dict[str, int]:
        authorize(cur, actor, Operation.IMPORT_UNITS)
        cur.execute(f"""INSERT INTO units (code, gso_code, level, kind, parent_code, valid_from, valid_to, in_plan)
            SELECT {_key('code')}, {_key('code')}, level, kind, {_key('parent_code')}, valid_from, valid_to, in_plan
            FROM read_parquet('{f['units']}')""")
        cur.execute(f"""INSERT INTO unit_names (code, name, valid_from)
            SELECT {_key('code')}, name, DATE '1900-01-01' FROM read_parquet('{f['units']}')""")
        cur.execute(f"""INSERT INTO unit_parents (code, parent_code, valid_from)
            SELECT {_key('unit_code')}, {_key('parent_code')}, coalesce(valid_from, DATE '1900-01-01')
            FROM read_parquet('{f['unit_parents']}')""")
        # a province of schema 2 has no parent periods: its units' parent on the as-of date stands for all time
        cur.execute(f"""INSERT INTO unit_parents (code, parent_code, valid_from)
            SELECT {_key('code')}, {_key('parent_code')}, DATE '1900-01-01' FROM read_parquet('{f['units']}') u
            WHERE NOT EXISTS (SELECT 1 FROM read_parquet('{f['unit_parents']}') p WHERE p.province_code = u.province_code)""")
        cur.execute(f"""INSERT INTO qms_events (id, unit_code, event_type, event_date, decision_no, standard, scope_note, source,
                                                date_estimated, recorded_by)
            SELECT row_number() OVER (ORDER BY province_code, event_id), province_code || ':' || unit_code, event_type,
                   event_date, decision_no, standard, scope_note, source, date_estimated, recorded_by
            FROM read_parquet('{f['lifecycle_events']}')""")
        cur.execute(f"""INSERT INTO targets (level, year, target_pct, is_sample, updated_by)
            SELECT level, year(as_of), any_value(target_pct), false, ?
            FROM read_parquet('{f['coverage_level']}') GROUP BY level, year(as_of)
            HAVING count(DISTINCT target_pct) = 1 AND count(target_pct) = count(*)""", [actor.username])
        cur.execute(f"""INSERT INTO rollup_sources SELECT province_code, province_name, as_of, source_snapshot,
            source_manifest_sha256, schema_version, ?, ? FROM read_parquet('{f['provinces']}')""", [national.name, sha])
        cur.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [ROLLUP_SETTING, as_of.isoformat()])
        spans.rebuild(cur)
        return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
                for t in ("units", "qms_events", "targets", "rollup_sources")}

    try:
        return db.write(run, attempts=1)
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        raise
    finally:
        db.close()


def rollup_as_of(db) -> dt.date | None:
    """The as-of date of a roll-up database; None for a province's own database."""
    value = db.scalar("SELECT value FROM settings WHERE key = ?", [ROLLUP_SETTING])
    return dt.date.fromisoformat(value) if value else None


def sources(db) -> list[dict]:
    """The province snapshots a roll-up database was built from, by province."""
    return db.dicts("SELECT * FROM rollup_sources ORDER BY province_code")
