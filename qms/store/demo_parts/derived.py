"""The derived stage spans of the demo province (:mod:`qms.store.spans`), rebuilt last.

Every event the demo writes goes through :func:`qms.store.events.record_events_in`, which keeps
the spans of the units it touches; ``qms demo --force`` empties the event table directly, so
this part empties the derived tables with it (``TABLES``) and rebuilds them from the events once
every other part has loaded: no unit keeps rows of a history that was removed.
"""

from __future__ import annotations

from qms.store import spans

ORDER = 99
TABLES: tuple[str, ...] = spans.TABLES


def load(cur, *, demo_dir, settings, actor) -> dict[str, int]:  # noqa: ARG001 - the parts' common signature
    counts = spans.rebuild(cur)
    return {"stage_spans": counts["unit_stage_spans"]}
