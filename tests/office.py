"""Headless LibreOffice Calc for the tests (installed by ``make test``: the Makefile's ``office``
target): a workbook opened and saved again as LibreOffice saves it.

In CI (``CI=true``) a missing ``soffice`` fails the test loudly; elsewhere it skips naming the
command that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("soffice (LibreOffice Calc) is missing in CI: `make test` installs libreoffice-calc-nogui; check the "
                    "Makefile's `office` target.")
    pytest.skip("LibreOffice is not installed here: run `sudo apt-get install libreoffice-calc-nogui` (or `make test`).")


def through_libreoffice(data: bytes, tmp_path: Path, name: str) -> bytes:
    """``data`` opened and saved again as .xlsx by headless LibreOffice Calc, with a private
    profile under ``tmp_path`` (never the user's) and a time limit."""
    binary = soffice()
    work = tmp_path / f"lo-{name}"
    (work / "out").mkdir(parents=True)
    source = work / f"{name}.xlsx"
    source.write_bytes(data)
    done = subprocess.run([binary, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
                           "--convert-to", "xlsx", "--outdir", str(work / "out"), str(source)],
                          capture_output=True, text=True, timeout=180)
    converted = work / "out" / f"{name}.xlsx"
    assert done.returncode == 0 and converted.is_file(), f"soffice failed: {done.stdout}\n{done.stderr}"
    return converted.read_bytes()
