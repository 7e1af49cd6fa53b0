"""The national-scale benchmark (``qms bench``): synthetic country, measured figures, checks.

A tool package: it may use the store modules, SQL and the domain, never the UI.
Public entry points:

- :func:`run_benchmark` (in :mod:`qms.bench.runner`) -> :class:`BenchReport`;
- :func:`render_text` (in :mod:`qms.bench.report`) for the printed table, and
  ``BenchReport.to_json()`` for ``--json``;
- :data:`SCALES` (``province``, ``national``).

How the figures are taken and what they mean: ``docs/performance.md``.
"""

from qms.bench.report import render_text
from qms.bench.runner import BenchReport, run_benchmark
from qms.bench.scales import SCALES

__all__ = ["SCALES", "BenchReport", "render_text", "run_benchmark"]
