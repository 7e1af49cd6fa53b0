"""Timing, memory and machine facts: how every figure of the benchmark is taken.

A figure is the median of several runs (min and max kept, so the spread shows), wall-clock
time from :func:`time.perf_counter`.  Memory is the peak resident set size of this process
(``ru_maxrss``): DuckDB runs inside the process, so its buffers are in that figure too.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One line of the report.  ``values`` are seconds (or MB/bytes for the memory and size
    lines); ``available`` False means the step could not run yet and ``note`` says why."""

    key: str
    title: str
    unit: str
    values: list[float] = field(default_factory=list)
    goal: float | None = None
    goal_text: str | None = None
    available: bool = True
    note: str | None = None
    ratio_to_baseline: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The date the figure was measured on (ISO), when it depends on one.
    as_of: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def min(self) -> float | None:
        return min(self.values) if self.values else None

    @property
    def max(self) -> float | None:
        return max(self.values) if self.values else None

    @property
    def met(self) -> bool | None:
        """Whether the median meets the goal (None without a goal or a value)."""
        if self.goal is None or self.median is None:
            return None
        return self.median <= self.goal

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "unit": self.unit, "available": self.available, "note": self.note,
            "runs": len(self.values), "median": self.median, "min": self.min, "max": self.max,
            "ratio_to_baseline": self.ratio_to_baseline, "goal": self.goal, "goal_text": self.goal_text, "met": self.met,
            "values": self.values, "as_of": self.as_of, **({"extra": self.extra} if self.extra else {}),
        }


def unavailable(key: str, title: str, unit: str, reason: str, *, goal: float | None = None, goal_text: str | None = None) -> Figure:
    return Figure(key, title, unit, goal=goal, goal_text=goal_text, available=False, note=reason)


def timed(fn: Callable[[], Any], runs: int, *, warmup: int = 1) -> tuple[list[float], Any]:
    """Run ``fn`` ``warmup`` times untimed, then ``runs`` times timed; return the seconds and
    the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    values = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        values.append(time.perf_counter() - t0)
    return values, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - not Linux
        pass
    return platform.processor() or "unknown"


def _mem_total_mb() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:  # pragma: no cover
        pass
    return None


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def machine(db) -> dict[str, Any]:
    """The machine and the versions the figures were taken with."""
    import duckdb
    import pandas
    import pyarrow

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    threads, memory_limit = db.rows("SELECT current_setting('threads'), current_setting('memory_limit')")[0]
    try:
        from importlib.metadata import version

        streamlit_version = version("streamlit")
    except Exception:  # pragma: no cover
        streamlit_version = None
    return {
        "cpu_model": _cpu_model(), "nproc": usable, "cpu_count": os.cpu_count(), "mem_total_mb": _mem_total_mb(),
        "platform": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
        "pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "streamlit": streamlit_version,
        "duckdb_threads": threads, "duckdb_memory_limit": memory_limit,
    }
