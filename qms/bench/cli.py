"""``qms bench``: the national-scale benchmark (issue 8), see docs/performance.md."""

from __future__ import annotations

import sys
from pathlib import Path

from qms.kernel.errors import QmsError


def cmd_bench(args, settings) -> int:
    """Build the synthetic database, measure, print; exit 1 when the figures disagree or a step fails.

    The benchmark never opens the user's database: ``--db`` is refused (one sentence, exit 2)
    and ``QMS_DB`` is ignored (the benchmark sets it only for the overview render it drives).
    """
    from qms.bench import render_text, run_benchmark

    if getattr(args, "db", None):
        raise QmsError("qms bench builds its own throw-away database and never opens yours: leave out --db "
                       "(use --workdir to choose where the benchmark database goes).")
    if args.runs is not None and args.runs < 1:
        raise QmsError(f"--runs: {args.runs} is not a positive number of runs.")
    if args.threads is not None and args.threads < 1:
        raise QmsError(f"--threads: {args.threads} is not a positive number of threads.")
    say = None if args.quiet else (lambda msg: print(f"qms bench: {msg}", file=sys.stderr, flush=True))
    scale = args.scale
    if args.runs:
        from dataclasses import replace

        from qms.bench.scales import SCALES

        s = SCALES[scale]
        scale = replace(s, coverage_runs=max(args.runs, s.coverage_runs), baseline_runs=args.runs, render_runs=args.runs,
                        save_runs=args.runs, snapshot_runs=args.runs)
    report = run_benchmark(scale, seed=args.seed, workdir=Path(args.workdir) if args.workdir else None,
                           keep=args.keep, threads=args.threads, memory_limit=args.memory_limit, progress=say)
    print(report.to_json() if args.json else render_text(report))
    if not report.agrees:
        print("qms bench: the figures of qms and of the baseline differ (listed above); the benchmark failed.", file=sys.stderr)
    if report.errors:
        print(f"qms bench: {len(report.errors)} step(s) failed (marked FAILED above); the benchmark failed.", file=sys.stderr)
    return 0 if report.ok else 1


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench", help="benchmark qms on a synthetic province or country",
        description="Generate a seeded synthetic dataset inside a new DuckDB file (never your database: --db is refused), "
                    "then measure on this machine: the coverage query for a date (per level and per district), the "
                    "overview page render (warm, median of several runs), saving a 100-item checklist and a full Parquet "
                    "snapshot (once those features exist), the same coverage figures computed naively in pandas (the "
                    "baseline every ratio is against) and the peak memory. Prints a table (figure, median, min, max, ratio "
                    "to baseline); exits 1 if qms's figures differ from the baseline's or a step fails. National scale takes a "
                    "few minutes; see docs/performance.md.",
    )
    p.add_argument("--scale", choices=["province", "national"], default="province",
                   help="province (one average province, ~200 units) or national (~12,500 QMS units); default province")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--seed", type=int, default=2025, help="seed of the synthetic data (default 2025)")
    p.add_argument("--runs", type=int, help="timed runs per figure (default: per scale, 5 to 21)")
    p.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's own, one per core)")
    p.add_argument("--memory-limit", help="DuckDB memory limit for the measurements, e.g. 1GB (default: the app's own, "
                                           "QMS_MEMORY_LIMIT or 512MB)")
    p.add_argument("--workdir", help="folder for the benchmark database, kept afterwards (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the temporary benchmark database and print its path")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=cmd_bench)
