"""Parquet snapshots for the PAR-index tool: one folder per snapshot, written atomically.

Contract:
- A snapshot is a folder ``<as-of>_<generated, UTC>`` (e.g. ``2016-12-31_20250102T030405Z``)
  holding one Parquet file per table of the registry (:mod:`qms.exports.registry`) whose source
  tables exist, and ``manifest.json`` (schema version, as-of date, generated time, qms version,
  row counts, SHA-256 of each file, methodology and checklist template versions).
- Full and deterministic: every table is read in one read-only transaction and written ordered
  by its unique key, so the same data and as-of date give byte-identical Parquet files (the
  generated time lives only in the manifest and the folder name).
- Atomic: the files are written into the hidden sibling ``.<name>.partial``, flushed to disk,
  then the folder is renamed to its final name.  On any failure the partial folder is removed
  and the error raised: a reader never sees a half-written snapshot.  A process killed while
  writing cannot remove its partial folder: the next snapshot into the same folder removes
  partial leftovers untouched for :data:`STALE_PARTIAL_AGE` (:func:`remove_stale_partials`).
- The zip a person downloads is built once per snapshot, on disk (:func:`snapshot_zip`), not in
  memory on every page run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qms import __version__
from qms.accounts.principals_store import authorize_now
from qms.accounts.rules import Operation, Principal
from qms.audits.checklists import load_templates
from qms.exports.par_rules import Methodology
from qms.exports.registry import SCHEMA_VERSION, Registry, SnapshotSource, default_registry
from qms.exports.snapshot_store import engine_version, read_snapshot, sha256_file, write_table, writer_version
from qms.kernel.errors import QmsError
from qms.kernel.settings import PROJECT_ROOT

MANIFEST = "manifest.json"
PARTIAL_SUFFIX = ".partial"
#: A partial folder (or zip) unchanged this long belongs to no running export: a writer adds a
#: file at least every table, and even a national snapshot's slowest table takes seconds.
STALE_PARTIAL_AGE = dt.timedelta(minutes=15)

#: ``progress(done, total, table_name)``: called before each table and once at the end.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Snapshot:
    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self, table: str) -> int:
        return next(t["rows"] for t in self.manifest["tables"] if t["name"] == table)


def folder_name(as_of: dt.date, generated_at: dt.datetime) -> str:
    return f"{as_of.isoformat()}_{generated_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _templates(checklists_dir: Path) -> list[dict]:
    loaded = load_templates(checklists_dir)
    return [{"id": e.template.id, "version": e.template.version, "sha256": e.hash} for e in loaded.templates]


def write_snapshot(
    db,
    out_dir: Path,
    as_of: dt.date,
    *,
    methodology: tuple[Methodology, str],
    actor: Principal,
    checklists_dir: Path = PROJECT_ROOT / "checklists",
    registry: Registry | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Write a full snapshot of ``db`` on ``as_of`` into a new folder under ``out_dir``.

    ``methodology`` is ``(methodology, sha256 of its file)`` as :func:`qms.exports.par_rules.load_methodology`
    returns it.  ``actor`` needs the export permission (the CLI and the nightly job act as the
    system; in the app, administrators).  Returns the final folder and its manifest.  Any failure (a table's query, a
    full disk) removes the partial folder and raises :class:`QmsError`; no final folder exists then.
    """
    authorize_now(db, actor, Operation.EXPORT)
    registry = registry or default_registry()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    out_dir = Path(out_dir)
    try:
        return _write(db, out_dir, as_of, now, methodology, checklists_dir, registry, progress)
    except OSError as e:
        raise QmsError(f"The snapshot could not be written in {out_dir}: {e.strerror or e}.",
                       vi=f"Không ghi được bản xuất vào {out_dir}: {e.strerror or e}.") from e


def remove_stale_partials(out_dir: Path, *, older_than: dt.timedelta = STALE_PARTIAL_AGE) -> list[str]:
    """Remove the hidden ``.*.partial`` folders and files under ``out_dir`` (left by a process
    killed while writing a snapshot or its zip) not modified for ``older_than``; return their
    names.  Younger ones may belong to an export running now and are left."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    limit = time.time() - older_than.total_seconds()
    removed = []
    for path in out_dir.iterdir():
        if not (path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)):
            continue
        try:
            if path.stat().st_mtime > limit:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        except FileNotFoundError:  # removed meanwhile by another export's clean-up
            continue
        removed.append(path.name)
    return sorted(removed)


def _write(db, out_dir: Path, as_of: dt.date, now: dt.datetime, methodology: tuple[Methodology, str], checklists_dir: Path,
           registry: Registry, progress: Progress | None) -> Snapshot:
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out_dir)
    base = folder_name(as_of, now)
    name, n = base, 1
    while (out_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    final = out_dir / name
    partial = out_dir / f".{name}{PARTIAL_SUFFIX}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        with read_snapshot(db) as reader:
            included, skipped = registry.split(reader.tables())
            src = SnapshotSource(reader=reader, as_of=as_of, methodology=methodology[0], methodology_sha256=methodology[1])
            entries = []
            for i, table in enumerate(included):
                if progress:
                    progress(i, len(included), table.name)
                path = partial / table.file_name
                try:
                    rows = write_table(table, src, path)
                except QmsError as e:
                    raise QmsError(f"The snapshot was not written: table {table.name}: {e}",
                                   vi=f"Chưa tạo được bản xuất: bảng {table.name} lỗi ({e}).") from e
                _fsync(path)
                entries.append({"name": table.name, "file": table.file_name, "rows": rows, "sha256": sha256_file(path)})
        m, sha = methodology
        manifest = {
            "format": "qms-snapshot",
            "province": province_of(partial / "units.parquet") if (partial / "units.parquet").is_file() else None,
            "schema_version": SCHEMA_VERSION,
            "schema_fingerprint": registry.fingerprint(),
            "as_of": as_of.isoformat(),
            "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "qms_version": __version__,
            "duckdb_version": engine_version(),
            "pyarrow_version": writer_version(),
            "methodology": {"id": m.id, "version": m.version, "sample": m.sample, "sha256": sha},
            "checklist_templates": _templates(checklists_dir),
            "tables": entries,
            "skipped_tables": [{"name": t.name, "requires": list(t.requires)} for t in skipped],
        }
        publish(partial, final, manifest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if progress:
        progress(len(included), len(included), MANIFEST)
    return Snapshot(final, manifest)


def publish(partial: Path, final: Path, manifest: dict) -> None:
    """Write ``manifest.json`` into the written ``partial`` folder, flush it, and rename the folder
    to ``final`` (same parent): the moment the snapshot appears whole (the caller removes
    ``partial`` on failure)."""
    manifest_path = partial / MANIFEST
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _fsync(manifest_path)
    _fsync(partial)
    os.rename(partial, final)
    _fsync(final.parent)


def province_of(units_path: Path) -> dict | None:
    """``{code, name}`` of the one province unit existing on the as-of date in a written
    ``units.parquet`` (None when there is not exactly one: a database being set up)."""
    import pyarrow.parquet as pq

    rows = [r for r in pq.read_table(units_path, columns=["code", "name", "level", "exists_on_as_of"]).to_pylist()
            if r["level"] == "province" and r["exists_on_as_of"]]
    return {"code": rows[0]["code"], "name": rows[0]["name"]} if len(rows) == 1 else None


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise QmsError(f"{path}: not a readable snapshot manifest ({e}).",
                       vi=f"{path}: không đọc được tệp manifest của bản xuất ({e}).") from e


def verify(folder: Path) -> list[str]:
    """Problems of a snapshot folder (missing or extra file, hash mismatch); empty when sound."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    listed = {t["file"] for t in manifest["tables"]}
    for entry in manifest["tables"]:
        path = folder / entry["file"]
        if not path.is_file():
            problems.append(f"{entry['file']}: missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['file']}: SHA-256 differs from the manifest")
    for path in sorted(folder.glob("*.parquet")):
        if path.name not in listed:
            problems.append(f"{path.name}: not listed in the manifest")
    return problems


def _write_zip(folder: Path, target) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def zip_bytes(folder: Path) -> bytes:
    """The snapshot folder as a zip (files under the folder's name, fixed timestamps: the same
    folder always gives the same bytes)."""
    buffer = io.BytesIO()
    _write_zip(Path(folder), buffer)
    return buffer.getvalue()


def snapshot_zip(folder: Path) -> Path:
    """The snapshot as a zip file, built once: ``.<name>-<manifest sha>.zip`` next to the folder
    (hidden, so it is no snapshot), written atomically (via a ``.partial`` file) the first time
    and reused after, so a page offering the download never rebuilds it.  The manifest's hash in
    the name means a folder whose manifest changed gets a new zip.  Same bytes as
    :func:`zip_bytes`."""
    folder = Path(folder)
    digest = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()[:16]
    target = folder.parent / f".{folder.name}-{digest}.zip"
    if target.is_file():
        return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}{PARTIAL_SUFFIX}")
    try:
        with open(partial, "wb") as out:
            _write_zip(folder, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class SnapshotInfo:
    name: str
    path: Path
    as_of: dt.date
    generated_at: str
    tables: int
    rows: int


def list_snapshots(out_dir: Path) -> list[SnapshotInfo]:
    """Finished snapshots under ``out_dir``, newest first (partial and unreadable folders are skipped)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    found = []
    for folder in out_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith(".") or not (folder / MANIFEST).is_file():
            continue
        try:
            m = read_manifest(folder)
            found.append(SnapshotInfo(folder.name, folder, dt.date.fromisoformat(m["as_of"]), m["generated_at"],
                                      len(m["tables"]), sum(t["rows"] for t in m["tables"])))
        except (QmsError, KeyError, ValueError):
            continue
    return sorted(found, key=lambda s: (s.generated_at, s.name), reverse=True)
