"""``qms rollup``: many provinces' snapshots into one national snapshot (docs/exports.md)."""

from __future__ import annotations

from pathlib import Path

from qms.kernel.cli_format import print_json
from qms.kernel.dates import parse_iso
from qms.kernel.errors import ValidationError


def cmd_rollup(args, settings) -> int:
    from qms.exports import indicators
    from qms.exports.rollup import rollup

    if getattr(args, "db", None):
        raise ValidationError("qms rollup reads snapshots, never a database: leave out --db.")
    as_of = parse_iso(args.as_of, field="--as-of") if args.as_of else None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValidationError(f"--out: {out} is a file, not a folder.", vi=f"--out: {out} là một tệp, không phải thư mục.")
    if args.methodology and not Path(args.methodology).is_file():
        raise ValidationError(f"--methodology: {args.methodology}: no such file.")
    methodology = indicators.load(Path(args.methodology) if args.methodology else None)
    result = rollup([Path(p) for p in args.snapshots], out, methodology=methodology, as_of=as_of, strict=args.strict)
    if args.json:
        print_json({"path": str(result.path), "manifest": result.manifest})
        return 0
    m = result.manifest
    print(f"National snapshot as of {m['as_of']} written to {result.path}: {len(m['sources'])} provinces "
          f"({', '.join(s['province_code'] for s in m['sources'])}).")
    for s in m["sources"]:
        print(f"  {s['province_code']} {s['province_name']}: {s['snapshot']} (manifest SHA-256 {s['manifest_sha256'][:12]}…)"
              + (f"; {'; '.join(s['notes'])}" if s["notes"] else ""))
    for sentence in result.plan.sentences():
        print(sentence)
    return 0


def cmd_rollup_db(args, settings) -> int:
    from qms.accounts.rules import system_principal
    from qms.exports.rollup_db_store import build

    if getattr(args, "db", None):
        raise ValidationError("qms rollup-db builds a new database: name it after the command (rollup-db FOLDER --db FILE).")
    counts = build(Path(args.db_file), Path(args.national), actor=system_principal("qms rollup-db"))
    print(f"Roll-up database {args.db_file} built from {args.national}: {counts['rollup_sources']} provinces, "
          f"{counts['units']} units, {counts['qms_events']} lifecycle events. Open it with QMS_DB={args.db_file} "
          "(the app then shows the overview alone).")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rollup", help="combine provinces' snapshots into one national snapshot",
        description="Read the Parquet snapshots of many provinces (snapshot folders, snapshot zips, or folders holding them), "
                    "check each against its manifest (file hashes, schema version, as-of date, province, qms version), "
                    "leave out a bad one with one sentence naming it, keep the newest snapshot of a province for the date, "
                    "and write one national snapshot (same tables with province_code first, provinces.parquet, the PAR scores "
                    "per province as Parquet and .xlsx, manifest.json naming each source and its hash). See docs/exports.md.")
    p.add_argument("snapshots", nargs="+", metavar="DIR", help="a snapshot folder or zip, or a folder holding snapshots")
    p.add_argument("--out", required=True, help="folder to write the national snapshot into")
    p.add_argument("--as-of", help="the date YYYY-MM-DD to roll up (default: the latest as-of date of the sound snapshots)")
    p.add_argument("--methodology", help="PAR methodology file (default: data/par/methodology.yaml, else the sample)")
    p.add_argument("--strict", action="store_true", help="write nothing (exit 2) when any snapshot is refused")
    p.add_argument("--json", action="store_true", help="print the folder and the manifest as JSON")
    p.set_defaults(func=cmd_rollup)

    p = subparsers.add_parser(
        "rollup-db", help="build a roll-up database the overview reads from a national snapshot",
        description="Build a new qms database from a national snapshot written by qms rollup: every province's units, "
                    "their lifecycle events up to the as-of date and the targets they share, with the province snapshot "
                    "each came from. The app opened on it (QMS_DB) shows the overview alone: provinces, then a "
                    "province's communes. See docs/exports.md.")
    p.add_argument("national", help="the national snapshot folder (written by qms rollup)")
    p.add_argument("--db", dest="db_file", required=True, help="the database file to create (must not exist)")
    p.set_defaults(func=cmd_rollup_db)
