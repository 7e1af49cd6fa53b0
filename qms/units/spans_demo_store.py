"""The derived stage spans of the demo province (:mod:`qms.units.spans_store`), rebuilt last.

Every event the demo writes goes through :func:`qms.units.events_store.record_events_in`, which keeps
the spans of the units it touches; ``qms demo --force`` empties the event table directly, so
this part empties the derived tables with it (``TABLES``) and rebuilds them from the events once
every other part has loaded: no unit keeps rows of a history that was removed.
"""

from __future__ import annotations

from qms.units import spans_store as spans

ORDER = 99
TABLES: tuple[str, ...] = spans.TABLES


def load(cur, *, demo_dir, settings, actor) -> dict[str, int]:  # noqa: ARG001 - the parts' common signature
    counts = spans.rebuild(cur)
    return {"stage_spans": counts["unit_stage_spans"]}
