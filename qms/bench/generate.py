"""Build a benchmark database: ``python -m qms.bench.generate --scale S --seed N --db PATH``.

Runs in its own process (started by :func:`qms.bench.runner.run_benchmark`) so that the memory
DuckDB and Python use while generating millions of rows is not counted in the measuring
process's peak.  Prints one JSON object on stdout: row counts, generation times, the replay of
a sample through the lifecycle rules and the pure-domain reference counts for the check dates.
Progress goes to stderr.  The database must be new: this never touches an existing one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

from qms.bench import fixture_reform, prototype_spans
from qms.bench.datasets import DATASETS, unavailable_reason
from qms.bench.fixture_events import generate_events
from qms.bench.fixture_units import generate_units
from qms.bench.scales import AFTER_UNTIL, HISTORY_UNTIL, SCALES, Scale
from qms.bench.validate import communes_without_district_reference, reference_counts, replay_actions, replay_sample
from qms.kernel.db import open_database
from qms.units import spans_store as spans

#: How many units' histories are replayed through the rules (all of them at province scale).
REPLAY_SAMPLE = 1_500


def _say(message: str) -> None:
    print(f"qms bench: {message}", file=sys.stderr, flush=True)


def build(path: Path, scale: Scale, seed: int, dates: list[dt.date], *, memory_limit: str | None = None,
          reform: bool = True) -> dict:
    """Create ``path`` (which must not exist), fill it at ``scale``, check it; return the summary.

    With ``reform`` (the default) the country of today is built on top of the pre-2025 history:
    the crosswalk files are written next to the database, imported through the app's own path
    with the app's memory limit (``memory_limit``, default ``QMS_MEMORY_LIMIT`` or 512MB) and
    timed, then the history after the reform is added (:mod:`qms.bench.fixture_reform`)."""
    if path.exists():
        raise FileExistsError(f"{path} already exists; the benchmark only builds new databases")
    summary: dict = {"scale": scale.name, "seed": seed, "seconds": {}, "rows": {}, "datasets": {}}
    db = open_database(path)
    # Generation inserts millions of rows with SQL in its own process (its peak is not measured):
    # it keeps DuckDB's own limit rather than the app's, so that nothing here spills to disk.
    db.rows("RESET memory_limit")
    try:
        started = time.perf_counter()

        def core(cur) -> dict:
            return {"units": generate_units(cur, scale, seed), "events": generate_events(cur, seed)}

        core_counts = db.write(core, attempts=1)
        cur = db.cursor()
        cur.execute(
            "INSERT INTO change_log (actor, action, entity, entity_key, after) VALUES ('bench', 'bench_fixture', 'database', ?, ?)",
            [scale.name, json.dumps({"seed": seed, "scale": scale.as_dict()})],
        )
        summary["seconds"]["units_and_events"] = round(time.perf_counter() - started, 3)
        summary["fixture"] = core_counts
        _say(f"{scale.name}: {core_counts['events']['qms_events']:,} lifecycle events for "
             f"{scale.qms_units:,} QMS units in {summary['seconds']['units_and_events']:.1f} s")
        for dataset in DATASETS:
            reason = unavailable_reason(cur, dataset)
            if reason:
                summary["datasets"][dataset.key] = {"title": dataset.title, "generated": False, "reason": reason}
                continue
            t0 = time.perf_counter()
            counts = db.write(lambda c, d=dataset: d.generate(c, scale, seed), attempts=1)
            seconds = round(time.perf_counter() - t0, 3)
            summary["seconds"][dataset.key] = seconds
            summary["datasets"][dataset.key] = {"title": dataset.title, "generated": True, "rows": counts}
            _say(f"{dataset.title}: {counts} in {seconds:.1f} s")
        # The fixture inserts events with SQL, not through record_events_in: derive the stage
        # spans (migration 008) from them exactly as the migration's backfill does.
        t0 = time.perf_counter()
        summary["stage_spans"] = db.write(spans.rebuild, attempts=1)
        summary["seconds"]["stage_spans"] = round(time.perf_counter() - t0, 3)
        if reform:
            made = fixture_reform.write_crosswalks(cur, scale, seed, path.parent, prefix=path.stem)
            cur.close()
            db.close()
            summary["reform"] = _import_reform(path, made, memory_limit)
            db = open_database(path)
            db.rows("RESET memory_limit")
            cur = db.cursor()
            t0 = time.perf_counter()
            summary["after_reform"] = db.write(lambda c: fixture_reform.generate_after_reform(c, seed), attempts=1)
            summary["stage_spans"] = db.write(spans.rebuild, attempts=1)
            summary["seconds"]["after_reform"] = round(time.perf_counter() - t0, 3)
            _say(f"after the reform: {summary['after_reform']['qms_events']:,} lifecycle events of the new communes")
        t0 = time.perf_counter()
        summary["prototype_spans"] = db.write(prototype_spans.build, attempts=1)
        summary["seconds"]["prototype_spans"] = round(time.perf_counter() - t0, 3)
        cur.execute("CHECKPOINT")
        for (table,) in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall():
            summary["rows"][table] = cur.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]  # noqa: S608
        t0 = time.perf_counter()
        summary["replay"] = replay_sample(cur, seed=seed, size=REPLAY_SAMPLE, today=AFTER_UNTIL if reform else HISTORY_UNTIL)
        summary["seconds"]["replay"] = round(time.perf_counter() - t0, 3)
        if summary["datasets"].get("actions", {}).get("generated"):
            summary["replay_actions"] = replay_actions(cur, seed=seed, size=REPLAY_SAMPLE * 4)
        t0 = time.perf_counter()
        summary["reference"] = reference_counts(cur, dates)
        summary["reference_without_district"] = communes_without_district_reference(cur, dates)
        summary["seconds"]["reference"] = round(time.perf_counter() - t0, 3)
        _say(f"replayed {summary['replay']['events']:,} events of {summary['replay']['units']:,} units through the "
             "lifecycle rules: all accepted")
        cur.close()
    finally:
        db.close()
    summary["file_bytes"] = path.stat().st_size
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return summary


def _import_reform(path: Path, made: dict, memory_limit: str | None) -> dict:
    """Import the crosswalk files the way the app does: the database opened as the app opens it
    (its memory limit), each file parsed and applied; timed."""
    db = open_database(path, memory_limit=memory_limit)
    try:
        _say(f"importing the reform's crosswalks ({', '.join(Path(f).name for f in made['files'])}) through the import path")
        done = fixture_reform.import_crosswalks(db, made["files"])
        done["memory_limit"] = db.scalar("SELECT current_setting('memory_limit')")
    finally:
        db.close()
    done["expected"] = made["expected"]
    _say(f"crosswalk import: {done['seconds_apply']:.1f} s; "
         + "; ".join(f"{a['file']}: {a['new_units']:,} new, {a['continuing']:,} continuing, {a['ended']:,} ended, "
                     f"{a['ended_without_successor']:,} ended without successor, {a['actions_moved']:,} actions moved"
                     for a in done["acts"]))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", action="append", type=dt.date.fromisoformat, default=[])
    parser.add_argument("--memory-limit", help="DuckDB memory limit of the crosswalk import (default: the app's own)")
    parser.add_argument("--no-reform", action="store_true", help="the country before 2025 only (no crosswalk import)")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.db, SCALES[args.scale], args.seed, args.as_of, memory_limit=args.memory_limit,
                           reform=not args.no_reform), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
