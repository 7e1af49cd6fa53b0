"""Yearly targets per level: the share of units that should have announced by the year's end."""

from __future__ import annotations

from collections.abc import Sequence

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.kernel.errors import ValidationError
from qms.units.model import Level, Target


def list_targets(db) -> list[Target]:
    rows = db.rows("SELECT level, year, target_pct, is_sample FROM targets ORDER BY year, level")
    return [Target(level=r[0], year=r[1], target_pct=r[2], is_sample=r[3]) for r in rows]


def _check_level_exists(cur, target: Target) -> None:
    """A level's target for a year in which no unit of that level exists at all (district
    targets after the 2025 reform ended the districts) is refused: nothing could meet it.  A
    database without any unit of the level yet (a province being set up) may plan ahead."""
    level = target.level.value
    if not cur.execute("SELECT count(*) FROM units WHERE level = ?", [level]).fetchall()[0][0]:
        return
    alive = cur.execute(
        "SELECT count(*) FROM units WHERE level = ? AND (valid_from IS NULL OR valid_from <= make_date(?, 12, 31))"
        " AND (valid_to IS NULL OR valid_to > make_date(?, 1, 1))", [level, target.year, target.year]).fetchall()[0][0]
    if not alive:
        last = cur.execute("SELECT max(valid_to) FROM units WHERE level = ?", [level]).fetchall()[0][0]
        when = f" (the last ended on {last:%d/%m/%Y})" if last else ""
        when_vi = f" (đơn vị cuối cùng chấm dứt ngày {last:%d/%m/%Y})" if last else ""
        raise ValidationError(
            f"No {level} unit exists in {target.year}{when}: a {level} target for {target.year} cannot be set; nothing was saved.",
            vi=f"Không có đơn vị {_LEVEL_VI[level]} nào trong năm {target.year}{when_vi}: không thể đặt chỉ tiêu năm đó; chưa lưu gì.")


_LEVEL_VI = {"department": "sở, ban, ngành", "district": "cấp huyện", "commune": "cấp xã"}


def set_targets(db, targets: Sequence[Target], *, actor: Principal) -> int:
    """Insert or change targets in one transaction; returns how many changed.

    A target a person saves is no longer a sample; unchanged values are not rewritten (the log
    shows only real changes).
    """

    def run(cur) -> int:
        who = authorize(cur, actor, Operation.SET_TARGETS)
        changed = 0
        for target in targets:
            _check_level_exists(cur, target)
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
