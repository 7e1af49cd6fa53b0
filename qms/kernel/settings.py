"""The app's settings: one validated object, built by the entry point and passed down.

Nothing here runs at import time: ``streamlit_app.py`` and the CLI call :func:`load_settings`
once, so tests build their own object pointing at a temporary database.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from qms.accounts.rules import Principal, system_principal
from qms.kernel.clock import DEFAULT_TIMEZONE, check_timezone
from qms.kernel.errors import QmsError

#: The project folder (where data/, checklists/ and docs/ live).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: DuckDB's memory limit when ``QMS_MEMORY_LIMIT`` is not set.  DuckDB's own default (80% of the
#: RAM) let one snapshot sort hold ~1.8 GB; with a limit, large sorts spill to a temporary folder
#: next to the database instead (docs/performance.md).
DEFAULT_MEMORY_LIMIT = "512MB"

_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def check_memory_limit(text: str) -> str:
    """``text`` if it is a size DuckDB accepts (digits and a unit: ``512MB``, ``1GB``, ``1.5GiB``);
    otherwise ValueError naming it.  Checked here because ``SET memory_limit`` takes no bound
    parameter: only a validated size ever reaches that SQL."""
    text = str(text).strip()
    if not _SIZE.fullmatch(text):
        raise ValueError(f"memory limit {text!r} is not a size such as 512MB or 1GB")
    return text


def memory_limit_from_env(env: dict[str, str] | None = None) -> str:
    """DuckDB's memory limit for every connection qms opens: ``QMS_MEMORY_LIMIT`` or
    :data:`DEFAULT_MEMORY_LIMIT` (read where the connection is opened, so the app, the CLI, the
    benchmark and the tests all run with the same limit unless told otherwise)."""
    env = os.environ if env is None else env
    return check_memory_limit(env.get("QMS_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    db_path: Path = PROJECT_ROOT / "data" / "qms.duckdb"
    demo_dir: Path = PROJECT_ROOT / "data" / "demo"
    checklists_dir: Path = PROJECT_ROOT / "checklists"
    exports_dir: Path = PROJECT_ROOT / "data" / "exports"
    #: Who the CLI records as the author of a change (the web app records the signed-in user).
    actor: str = "qms-cli"
    #: A web session idle this long is signed out.
    idle_minutes: int = 30
    #: DuckDB's memory limit (``QMS_MEMORY_LIMIT``); bigger sorts spill to ``<db file>.tmp``.
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    #: The province's time zone (``QMS_TZ``): what "today" is (:mod:`qms.kernel.clock`).
    timezone: str = DEFAULT_TIMEZONE

    #: How people sign in to the web app: ``local`` accounts (default, no outside service) or the
    #: province's OpenID Connect provider through ``st.login`` (``oidc``; README, "Single sign-on").
    auth: Literal["local", "oidc"] = "local"
    #: The provider's name under ``[auth]`` in ``.streamlit/secrets.toml`` (None: the default one).
    oidc_provider: str | None = None
    #: The identity claim that names the local account, and the e-mail domain to strip from it.
    oidc_claim: str = "preferred_username"
    oidc_domain: str | None = None
    #: Keep a photo's EXIF location in the copy qms shows (``QMS_KEEP_PHOTO_LOCATION=1``); by
    #: default it is stripped from what is shown (the original file is kept as received).
    keep_photo_location: bool = False

    def principal(self) -> Principal:
        """The CLI's author of every change: the system acting explicitly under :attr:`actor`
        (whoever holds the database file holds the data).  Only the CLI calls this."""
        return system_principal(self.actor)

    @field_validator("memory_limit")
    @classmethod
    def _memory_limit_is_size(cls, v: str) -> str:
        return check_memory_limit(v)

    @field_validator("timezone")
    @classmethod
    def _timezone_is_known(cls, v: str) -> str:
        try:
            return check_timezone(v)
        except QmsError as e:
            raise ValueError(str(e).removeprefix("QMS_TZ: ")) from e

    @field_validator("actor")
    @classmethod
    def _actor_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("actor must not be blank")
        return v.strip()


def load_settings(db: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Settings:
    """Settings from (highest first) the explicit ``db`` argument, the environment
    (``QMS_DB``, ``QMS_ACTOR``, ``QMS_IDLE_MINUTES``, ``QMS_CHECKLISTS``, ``QMS_EXPORTS``,
    ``QMS_MEMORY_LIMIT``, ``QMS_TZ``, ``QMS_AUTH``, ``QMS_OIDC_PROVIDER``, ``QMS_OIDC_CLAIM``,
    ``QMS_OIDC_DOMAIN``, ``QMS_KEEP_PHOTO_LOCATION``), then the defaults.  A value that breaks its rule is one sentence
    naming the setting (:class:`QmsError`), not a validation report."""
    env = os.environ if env is None else env
    values: dict = {}
    if db or env.get("QMS_DB"):
        values["db_path"] = Path(db or env["QMS_DB"]).expanduser()
    if env.get("QMS_IDLE_MINUTES"):
        values["idle_minutes"] = env["QMS_IDLE_MINUTES"]  # pydantic checks it is a whole number
    if env.get("QMS_ACTOR"):
        values["actor"] = env["QMS_ACTOR"]
    if env.get("QMS_CHECKLISTS"):
        values["checklists_dir"] = Path(env["QMS_CHECKLISTS"])
    if env.get("QMS_EXPORTS"):
        values["exports_dir"] = Path(env["QMS_EXPORTS"])
    if env.get("QMS_MEMORY_LIMIT"):
        values["memory_limit"] = env["QMS_MEMORY_LIMIT"]
    if env.get("QMS_TZ"):
        values["timezone"] = env["QMS_TZ"]
    if env.get("QMS_KEEP_PHOTO_LOCATION"):
        values["keep_photo_location"] = env["QMS_KEEP_PHOTO_LOCATION"].strip().lower() in ("1", "true", "yes")
    for name in ("auth", "oidc_provider", "oidc_claim", "oidc_domain"):
        if env.get(f"QMS_{name.upper()}"):
            values[name] = env[f"QMS_{name.upper()}"].strip()
    try:
        return Settings(**values)
    except ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ").rstrip(".")
        raise QmsError(f"{_ENV_NAMES.get(field, field)}: {message}.") from e


#: The environment variable behind each setting, for error messages.
_ENV_NAMES = {"db_path": "QMS_DB", "idle_minutes": "QMS_IDLE_MINUTES", "actor": "QMS_ACTOR", "checklists_dir": "QMS_CHECKLISTS",
              "exports_dir": "QMS_EXPORTS", "memory_limit": "QMS_MEMORY_LIMIT", "timezone": "QMS_TZ", "auth": "QMS_AUTH",
              "oidc_provider": "QMS_OIDC_PROVIDER", "oidc_claim": "QMS_OIDC_CLAIM", "oidc_domain": "QMS_OIDC_DOMAIN",
              "keep_photo_location": "QMS_KEEP_PHOTO_LOCATION"}
