"""The lifecycle's stages as SQL writes them: the one definition every query uses.

The numbers are :data:`qms.units.rules.STAGE_ORDER` (0 not started, 1 building, 2 applying,
3 announced), the values ``unit_stage_spans.stage`` holds; a query writes ``stage = {ANNOUNCED}``,
never ``stage = 3``.  :data:`STAGE_CASE` turns an event type into the stage it moves a unit to
(:data:`qms.units.rules.STAGE_AFTER`).
"""

from __future__ import annotations

from qms.units.model import Stage
from qms.units.rules import STAGE_AFTER, STAGE_ORDER

NOT_STARTED = STAGE_ORDER[Stage.NOT_STARTED]
BUILDING = STAGE_ORDER[Stage.BUILDING]
APPLYING = STAGE_ORDER[Stage.APPLYING]
ANNOUNCED = STAGE_ORDER[Stage.ANNOUNCED]

STAGE_CASE = "CASE event_type " + " ".join(
    f"WHEN '{ev.value}' THEN {STAGE_ORDER[stage]}" for ev, stage in STAGE_AFTER.items()
) + " END"

#: The event types that move a unit to another stage, as an SQL list.
MOVING_TYPES = ", ".join(f"'{ev.value}'" for ev in STAGE_AFTER)
