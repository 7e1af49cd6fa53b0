"""One family of errors with a human title.

Every error a user can meet is a :class:`QmsError` whose ``str()`` is one clear sentence
(naming the file, row or field at fault).  Driver errors are wrapped at the store boundary
(``raise QmsError(...) from e``) so that the UI and the CLI show that sentence once and never a
traceback.
"""

from __future__ import annotations


class QmsError(Exception):
    """Base of every error shown to a user: its message is the whole explanation.

    ``str(err)`` is the English sentence (CLI, logs); ``vi`` the Vietnamese one the pages show
    first.  Where no Vietnamese sentence was written, :meth:`text` falls back to English.
    """

    def __init__(self, message: str, *, vi: str | None = None):
        super().__init__(message)
        self.vi = vi

    def text(self, lang: str = "vi") -> str:
        return self.vi if (lang == "vi" and self.vi) else str(self)


class ValidationError(QmsError):
    """Input that breaks a rule; nothing was written."""


class NotFound(QmsError):
    """A unit, audit or record that does not exist."""


class ConflictError(QmsError):
    """A write lost a race against a newer write; the caller keeps the user's input."""


class DatabaseLocked(QmsError):
    """The DuckDB file is held by another process (usually the running app)."""


class Reason(str):
    """A refused row's reason: the English sentence (``str``, for the CLI and logs) carrying its
    Vietnamese one (``vi``), so an import's list of problems reads in the user's language."""

    vi: str | None

    def __new__(cls, en: str, vi: str | None = None) -> Reason:
        reason = super().__new__(cls, en)
        reason.vi = vi
        return reason

    @classmethod
    def of(cls, error: Exception) -> Reason:
        """The reason of a :class:`QmsError` (both languages) or any other error (its text)."""
        return cls(str(error), getattr(error, "vi", None))


class ValueReason(ValueError):
    """A ``ValueError`` (what parsers raise for one bad value) with its Vietnamese sentence."""

    def __init__(self, message: str, *, vi: str | None = None):
        super().__init__(message)
        self.vi = vi


def reason_text(why: str, lang: str = "vi") -> str:
    """``why`` in ``lang``: the Vietnamese sentence of a :class:`Reason` when it has one."""
    vi = getattr(why, "vi", None)
    return vi if lang == "vi" and vi else str(why)


class ImportRowError(QmsError):
    """One or more rows of an imported file are wrong; nothing was imported.

    ``problems`` lists ``(location, reason)`` pairs, for example ``("units.csv line 7",
    "level 'huyen' is not one of province, department, district, commune")``.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        n = len(problems)
        head = f"{source}: {n} row{'s' if n != 1 else ''} refused, nothing was imported"
        detail = "; ".join(f"{where}: {why}" for where, why in problems[:20])
        more = f"; and {n - 20} more" if n > 20 else ""
        vi_head = f"{source}: {n} dòng bị từ chối, không có gì được nhập"
        vi_detail = "; ".join(f"{where}: {reason_text(why)}" for where, why in problems[:20])
        vi_more = f"; và {n - 20} dòng khác" if n > 20 else ""
        super().__init__(f"{head}. {detail}{more}", vi=f"{vi_head}. {vi_detail}{vi_more}")
