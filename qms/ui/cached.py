"""Any page's reads, cached by data version (:func:`versioned`): a page that shows the same figures
again after no write reads nothing but the version.

The key is (database file, the opening's token, the data version, the read's name and
arguments), where the data version counts the committed write transactions
(:meth:`qms.kernel.db.Database.data_version`), so a cached result is never older than the last
write.  The overview's own reads and charts: :mod:`qms.overview.cached_widgets`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from qms.kernel.db import Database

#: Results kept per read (a few versions and arguments); old versions simply age out.
_ENTRIES = 128


@st.cache_resource(show_spinner=False, max_entries=_ENTRIES)
def _read(_db: Database, path: str, token: str, version: int, name: str, args: tuple, kwargs: tuple,  # noqa: ARG001
          _read_fn: Callable[..., Any]) -> Any:
    return _read_fn(_db, *args, **dict(kwargs))


def versioned(database: Database, read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``read(database, *args, **kwargs)``, cached by data version as the overview's reads are (see the
    module's text): a page that shows the same figures again after no write reads nothing but
    the version.  ``args`` and ``kwargs`` must be hashable (dates, codes, enums, tuples) and, with the read's
    name, say everything the result depends on; the result must be treated as read-only."""
    name = f"{read.__module__}.{read.__qualname__}"
    return _read(database, database.path, database.token, database.data_version(), name, args,
                 tuple(sorted(kwargs.items())), read)
