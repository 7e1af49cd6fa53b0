"""Yearly targets per level: the share of units that should have announced by the year's end."""

from __future__ import annotations

from collections.abc import Sequence

from qms.accounts import Operation, Principal
from qms.models import Level, Target
from qms.store import changelog
from qms.store.principals import authorize


def list_targets(db) -> list[Target]:
    rows = db.rows("SELECT level, year, target_pct, is_sample FROM targets ORDER BY year, level")
    return [Target(level=r[0], year=r[1], target_pct=r[2], is_sample=r[3]) for r in rows]


def set_targets(db, targets: Sequence[Target], *, actor: Principal) -> int:
    """Insert or change targets in one transaction; returns how many changed.

    A target a person saves is no longer a sample; unchanged values are not rewritten (the log
    shows only real changes).
    """

    def run(cur) -> int:
        who = authorize(cur, actor, Operation.SET_TARGETS)
        changed = 0
        for target in targets:
            old = cur.execute(
                "SELECT target_pct, is_sample FROM targets WHERE level = ? AND year = ?", [target.level.value, target.year]
            ).fetchall()
            if old and old[0][0] == target.target_pct and old[0][1] == target.is_sample:
                continue
            cur.execute(
                "INSERT OR REPLACE INTO targets (level, year, target_pct, is_sample, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, current_timestamp, ?)",
                [target.level.value, target.year, target.target_pct, target.is_sample, who.username],
            )
            changelog.append(
                cur, actor=who.username, action="update" if old else "insert", entity="targets",
                key=f"{target.level.value}/{target.year}",
                before={"target_pct": old[0][0], "is_sample": old[0][1]} if old else None, after=target,
            )
            changed += 1
        return changed

    return db.write(run)


def target_for(db, level: Level, year: int) -> float | None:
    return db.scalar("SELECT target_pct FROM targets WHERE level = ? AND year = ?", [level.value, year])


def any_sample(db) -> bool:
    return bool(db.scalar("SELECT count(*) FROM targets WHERE is_sample"))
