"""The province's clock: what day it is there, and timestamps kept in UTC.

A server in another time zone (a cloud machine on UTC, a laptop abroad) must neither move
"today" (a lifecycle event dated today refused as "in the future", the overview's default date a
day off) nor store local times in columns documented as UTC.  So:

- "today" is always :func:`province_today`: the date in ``QMS_TZ`` (default
  ``Asia/Ho_Chi_Minh``, Vietnam's only zone, UTC+7 without daylight saving), whatever the
  server's ``TZ``;
- a moment is stored in UTC: the database connection runs in UTC (``qms.kernel.db.connect``
  sets DuckDB's ``TimeZone``, so ``current_timestamp`` defaults write UTC), and Python writes
  :func:`utc_now`;
- a moment is shown in the province's time (:func:`local_time`).

``QMS_TZ`` is read where it is used, like ``QMS_MEMORY_LIMIT``: one setting for the app, the CLI
and the tests, validated once by :func:`qms.kernel.settings.load_settings`.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qms.kernel.errors import QmsError

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Ho_Chi_Minh``); else one sentence."""
    name = str(name).strip()
    try:
        if not name or name.startswith(("/", ".")):
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise QmsError(f"QMS_TZ: {name!r} is not a time zone name such as {DEFAULT_TIMEZONE}.",
                       vi=f"QMS_TZ: {name!r} không phải tên múi giờ (ví dụ {DEFAULT_TIMEZONE}).") from e
    return name


def province_zone(env: dict[str, str] | None = None) -> ZoneInfo:
    """The province's time zone: ``QMS_TZ`` or :data:`DEFAULT_TIMEZONE`."""
    env = os.environ if env is None else env
    return ZoneInfo(check_timezone(env.get("QMS_TZ") or DEFAULT_TIMEZONE))


def province_today(env: dict[str, str] | None = None) -> dt.date:
    """Today's date in the province (not the server's): the one "today" every page, command and
    default date uses."""
    return dt.datetime.now(province_zone(env)).date()


def utc_now() -> dt.datetime:
    """Now in UTC, without a zone: what the database's TIMESTAMP columns hold."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_time(stored: dt.datetime | None, env: dict[str, str] | None = None) -> dt.datetime | None:
    """A stored moment (UTC, naive or aware) in the province's time, for display."""
    if stored is None:
        return None
    aware = stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)
    return aware.astimezone(province_zone(env))


def utc_from_local(day: dt.date, at: dt.time, env: dict[str, str] | None = None) -> dt.datetime:
    """The UTC moment (naive) of a wall-clock time in the province, e.g. 16:30 of a working day."""
    return dt.datetime.combine(day, at, tzinfo=province_zone(env)).astimezone(dt.UTC).replace(tzinfo=None)
