"""The app's settings: one validated object, built by the entry point and passed down.

Nothing here runs at import time: ``streamlit_app.py`` and the CLI call :func:`load_settings`
once, so tests build their own object pointing at a temporary database.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

#: The project folder (where data/, checklists/ and docs/ live).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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

    @field_validator("actor")
    @classmethod
    def _actor_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("actor must not be blank")
        return v.strip()


def load_settings(db: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Settings:
    """Settings from (highest first) the explicit ``db`` argument, the environment
    (``QMS_DB``, ``QMS_ACTOR``, ``QMS_IDLE_MINUTES``, ``QMS_CHECKLISTS``, ``QMS_EXPORTS``), then the defaults."""
    env = os.environ if env is None else env
    values: dict = {}
    if db or env.get("QMS_DB"):
        values["db_path"] = Path(db or env["QMS_DB"]).expanduser()
    if env.get("QMS_IDLE_MINUTES"):
        values["idle_minutes"] = int(env["QMS_IDLE_MINUTES"])
    if env.get("QMS_ACTOR"):
        values["actor"] = env["QMS_ACTOR"]
    if env.get("QMS_CHECKLISTS"):
        values["checklists_dir"] = Path(env["QMS_CHECKLISTS"])
    if env.get("QMS_EXPORTS"):
        values["exports_dir"] = Path(env["QMS_EXPORTS"])
    return Settings(**values)
