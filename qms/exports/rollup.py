"""National roll-up: many provinces' snapshots in, one national snapshot out (``qms rollup``).

Contract (docs/exports.md, "National roll-up"):
- Sources are snapshot folders, snapshot zips (as the app offers them), or folders holding
  either.  Each is read into a :class:`~qms.exports.rollup_rules.Candidate`: its manifest's fields, every
  file's SHA-256 against the manifest, every file's Parquet columns against the documented
  schema of its version (:mod:`qms.exports.rollup_schema`), its as-of date against the folder
  name and the coverage table, and its province (the one province unit existing on the as-of
  date in ``units.parquet``; a manifest naming a province must agree).  Which candidates are
  taken is decided by the pure :func:`qms.exports.rollup_rules.plan`.
- The national snapshot is a folder ``<as-of>_<generated>`` like a province's: for every table
  of the current schema, one Parquet file holding every taken province's rows with
  ``province_code`` as first column, ordered by province then by the table's key (older schema
  versions read through :func:`~qms.exports.rollup_schema.upgrade`); ``provinces.parquet``
  (one row per province: the source snapshot and its manifest's hash); the PAR scores
  (``par_scores.parquet``, ``par_score_units.parquet`` and the same as ``par_scores.xlsx``); and
  ``manifest.json`` (``format: qms-rollup``) naming each source, what was refused, superseded or
  left out, and each file's hash.
- Deterministic (the Parquet files depend only on the sources' rows: same sources, same bytes)
  and atomic (written into ``.<name>.partial``, then renamed; nothing on failure).
- Memory: one province's table at a time is held (a national table streams through one writer).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from qms import __version__
from qms.exports import rollup_schema
from qms.exports.par_rules import Methodology
from qms.exports.registry import SCHEMA_VERSION, default_registry
from qms.exports.rollup_rules import Candidate, Plan, manifest_problems, plan
from qms.exports.snapshot import MANIFEST, PARTIAL_SUFFIX, _fsync, folder_name, province_of, publish, remove_stale_partials, sha256_file
from qms.exports.snapshot_store import ROW_GROUP_ROWS, ParquetSink, engine_version, writer_version
from qms.kernel.errors import QmsError, ValidationError
from qms.kernel.spreadsheet_writing import write_xlsx
from qms.kernel.xlsx_reader import DAMAGED_ZIP

ROLLUP_FORMAT = "qms-rollup"
ROLLUP_VERSION = 1
#: A zip expanding beyond this is refused (a snapshot of the largest province is a few hundred MB).
MAX_ZIP_BYTES = 4 << 30
#: One province's table at most (its unpacked size and rows, from the Parquet footer, checked before
#: reading it): the national benchmark's largest province table is ~6 M / 34 checklist answers.
MAX_TABLE_BYTES = 2 << 30
MAX_TABLE_ROWS = 20_000_000
#: Rows read from a province's table at a time when writing the national one (a row group's worth).
BATCH_ROWS = ROW_GROUP_ROWS
#: Entries a snapshot zip may hold (a snapshot: a manifest and a few dozen tables).
MAX_ZIP_MEMBERS = 200


@dataclass(frozen=True)
class Source:
    """A candidate and the folder its files are read from (an extracted zip lives in a temp dir)."""

    candidate: Candidate
    folder: Path | None
    manifest: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rollup:
    path: Path
    manifest: dict
    plan: Plan


# --- reading sources -------------------------------------------------------------------------

def expand(paths: list[Path]) -> list[Path]:
    """The snapshots named by ``paths``: a snapshot folder or zip as is; a folder that is not a
    snapshot stands for the snapshot folders and zips directly inside it (hidden ones skipped)."""
    out = []
    for path in map(Path, paths):
        if not path.exists():
            raise ValidationError(f"{path}: no such file or folder.", vi=f"{path}: không có tệp hoặc thư mục này.")
        if path.is_dir() and not (path / MANIFEST).exists():
            inner = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                           and ((p.is_dir() and (p / MANIFEST).exists()) or p.suffix.lower() == ".zip"))
            if not inner:
                raise ValidationError(f"{path}: holds no snapshot (no manifest.json, no snapshot folder or zip inside).",
                                      vi=f"{path}: không chứa bản xuất nào.")
            out += inner
        else:
            out.append(path)
    return out


def _extract(zip_path: Path, into: Path) -> tuple[Path | None, str | None]:
    """The snapshot folder inside ``zip_path`` extracted under ``into``; or a problem sentence."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            if len(zf.infolist()) > MAX_ZIP_MEMBERS:
                return None, f"the zip holds {len(zf.infolist()):,} entries; a snapshot has fewer than {MAX_ZIP_MEMBERS}"
            infos = [i for i in zf.infolist() if not i.is_dir()]
            tops = {i.filename.split("/")[0] for i in infos}
            if len(tops) != 1 or any(i.filename.count("/") != 1 or i.filename.endswith("/") for i in infos):
                return None, "the zip must hold one snapshot folder with its files directly inside"
            top = tops.pop()
            if top.startswith(".") or top in ("", "..") or any(".." in i.filename or "\\" in i.filename for i in infos):
                return None, "the zip names a file outside its snapshot folder"
            if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
                return None, f"the zip expands beyond {MAX_ZIP_BYTES >> 30} GB"
            folder = into / top
            folder.mkdir(parents=True)
            for info in infos:
                with zf.open(info) as src, open(folder / Path(info.filename).name, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            return folder, None
    except DAMAGED_ZIP as e:  # encrypted members, unknown methods and broken streams included
        return None, f"not a readable zip ({e.__class__.__name__}: {e})"


def _province(units_path: Path, as_of: dt.date) -> tuple[str | None, str | None, str | None]:
    """``(code, name, problem)``: the one province unit of units.parquet existing on the as-of date."""
    found = province_of(units_path)
    if found is None:
        return None, None, f"units.parquet does not hold exactly one province existing on {as_of.isoformat()}"
    return found["code"], found["name"], None


def read_source(label: str, path: Path, workdir: Path) -> Source:
    """Read and check one source (never raises for a bad snapshot: its problems are in the candidate)."""
    def bad(problem: str, name: str | None = None, manifest_sha: str | None = None) -> Source:
        return Source(Candidate(label, name or path.name, None, None, None, None, None, None, manifest_sha, (problem,)), None)

    folder = path
    if path.is_file():
        if path.suffix.lower() != ".zip":
            return bad("neither a snapshot folder nor a snapshot zip")
        folder, problem = _extract(path, workdir / f"{len(list(workdir.iterdir())):04d}")
        if problem:
            return bad(problem)
    manifest_path = folder / MANIFEST
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as e:
        return bad(f"manifest.json cannot be read ({e})", folder.name)
    manifest_sha = hashlib.sha256(raw).hexdigest()
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    expected = set(rollup_schema.documented(version)) if version in rollup_schema.READABLE_VERSIONS else None
    problems = manifest_problems(manifest, readable_versions=rollup_schema.READABLE_VERSIONS, expected_tables=expected)
    if problems:
        return Source(Candidate(label, folder.name, None, None, None, None, version if isinstance(version, int) else None,
                                None, manifest_sha, tuple(problems)), None)
    as_of = dt.date.fromisoformat(manifest["as_of"])
    if not folder.name.startswith(as_of.isoformat() + "_"):
        problems.append(f"the folder name {folder.name} does not start with the manifest's as-of date {as_of.isoformat()}")
    listed = {t["file"] for t in manifest["tables"]}
    for entry in manifest["tables"]:
        file = folder / entry["file"]
        if not file.is_file():
            problems.append(f"{entry['file']} is listed in the manifest but missing")
            continue
        if sha256_file(file) != entry["sha256"]:
            problems.append(f"{entry['file']} does not match the SHA-256 in its manifest (changed after it was written)")
            continue
        try:
            meta = pq.read_metadata(file)
        except (OSError, pa.ArrowException) as e:
            problems.append(f"{entry['file']} is not a readable Parquet file ({e})")
            continue
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > MAX_TABLE_BYTES or meta.num_rows > MAX_TABLE_ROWS:  # what reading it would cost, before reading it
            problems.append(f"{entry['file']} holds {meta.num_rows:,} rows ({unpacked / (1 << 20):,.0f} MB unpacked), more than "
                            f"one province's table can ({MAX_TABLE_ROWS:,} rows, {MAX_TABLE_BYTES >> 20:,} MB)")
            continue
        schema_problem = rollup_schema.schema_problem(entry["name"], version, meta.schema.to_arrow_schema())
        if schema_problem:
            problems.append(f"{entry['file']}: {schema_problem}")
        elif meta.num_rows != entry["rows"]:
            problems.append(f"{entry['file']} holds {meta.num_rows} rows, the manifest says {entry['rows']}")
    problems += [f"{p.name} is in the folder but not listed in the manifest"
                 for p in sorted(folder.glob("*.parquet")) if p.name not in listed]
    code = name = None
    notes = []
    if not problems and "units.parquet" in listed:
        code, name, problem = _province(folder / "units.parquet", as_of)
        if problem:
            problems.append(problem)
        stated = manifest.get("province")
        if isinstance(stated, dict) and code is not None and stated.get("code") != code:
            problems.append(f"the manifest names province {stated.get('code')} but units.parquet's province is {code}")
        elif stated is None and code is not None:
            notes.append("the manifest names no province (written before qms recorded it): read from units.parquet")
        if not problems and "coverage_level.parquet" in listed:
            dates = set(pq.read_table(folder / "coverage_level.parquet", columns=["as_of"])["as_of"].to_pylist())
            if dates - {as_of}:
                problems.append(f"coverage_level.parquet is as of {sorted(dates - {as_of})[0]}, the manifest says {as_of.isoformat()}")
    elif not problems:
        problems.append("the snapshot has no units.parquet, so its province is unknown")
    if version != SCHEMA_VERSION:
        notes.append(f"schema version {version}, read through its documented schema; tables it did not have: "
                     + (", ".join(sorted(set(rollup_schema.current()) - set(rollup_schema.documented(version)))) or "none"))
    candidate = Candidate(label, folder.name, code, name, as_of, manifest["generated_at"], version, manifest["qms_version"],
                          manifest_sha, tuple(problems), tuple(notes))
    return Source(candidate, folder if not problems else None, manifest)


# --- writing the national snapshot -----------------------------------------------------------

def _national_schema(table: str) -> pa.Schema:
    return pa.schema([("province_code", pa.string())]
                     + [(n, rollup_schema.arrow_type(t)) for n, t in rollup_schema.current()[table]])


def _write_table(table: str, sources: list[Source], path: Path) -> int:
    schema = _national_schema(table)
    sink = ParquetSink(path, schema)
    try:
        for s in sources:  # in province order; each file is already ordered by the table's key
            entry = next((t for t in s.manifest["tables"] if t["name"] == table), None)
            if entry is None:
                continue
            for batch in pq.ParquetFile(s.folder / entry["file"]).iter_batches(batch_size=BATCH_ROWS):  # a batch at a time
                data = rollup_schema.upgrade(table, s.candidate.schema_version, pa.Table.from_batches([batch]))
                data = data.add_column(0, "province_code", pa.array([s.candidate.province_code] * data.num_rows, pa.string()))
                sink.append(data.select(schema.names))
    except BaseException:
        with contextlib.suppress(BaseException):
            sink.close()
        raise
    return sink.close()


def _write_arrow(rows: list[dict], schema: pa.Schema, path: Path) -> int:
    sink = ParquetSink(path, schema)
    sink.append(pa.Table.from_pylist(rows, schema=schema))
    return sink.close()


PROVINCES_SCHEMA = pa.schema([
    ("province_code", pa.string()), ("province_name", pa.string()), ("as_of", pa.date32()),
    ("source_snapshot", pa.string()), ("source_manifest_sha256", pa.string()), ("schema_version", pa.int32()),
    ("generated_at", pa.string()), ("qms_version", pa.string()),
])


def rollup(paths: list[Path], out_dir: Path, *, methodology: tuple[Methodology, str], as_of: dt.date | None = None,
           strict: bool = False, now: dt.datetime | None = None) -> Rollup:
    """Read, check and combine the snapshots at ``paths`` into a new national snapshot under ``out_dir``.

    Refused sources are left out and reported (``strict``: any refusal writes nothing and raises
    :class:`ValidationError` with the refusals' sentences).  Raises when no province is left."""
    from qms.exports import rollup_score

    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="qms-rollup-") as tmp:
        sources = [read_source(str(p), p, Path(tmp)) for p in expand(paths)]
        decided = plan([s.candidate for s in sources], as_of)
        if strict and decided.refused:
            raise ValidationError(" ".join(c.refusal() for c in decided.refused),
                                  vi="Có bản xuất tỉnh bị từ chối (--strict), chưa ghi gì: "
                                     + " ".join(c.refusal() for c in decided.refused))
        if not decided.taken:
            why = " ".join(decided.sentences()) or "no snapshot was given."
            raise ValidationError(f"No province snapshot can be rolled up{' as of ' + decided.as_of.isoformat() if decided.as_of else ''}: {why}",
                                  vi=f"Không có bản xuất tỉnh nào tổng hợp được: {why}")
        by_id = {id(s.candidate): s for s in sources}
        taken = [by_id[id(c)] for c in decided.taken]
        try:
            return _write(out_dir, decided, taken, methodology, now, rollup_score)
        except OSError as e:
            raise QmsError(f"The national snapshot could not be written in {out_dir}: {e.strerror or e}.",
                           vi=f"Không ghi được bản tổng hợp vào {out_dir}: {e.strerror or e}.") from e


def _write(out_dir: Path, decided: Plan, taken: list[Source], methodology: tuple[Methodology, str], now: dt.datetime,
           rollup_score) -> Rollup:
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out_dir)
    base = folder_name(decided.as_of, now)
    name, n = base, 1
    while (out_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    final, partial = out_dir / name, out_dir / f".{name}{PARTIAL_SUFFIX}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        entries = []

        def done(table: str, file: str, rows: int) -> None:
            _fsync(partial / file)
            entries.append({"name": table, "file": file, "rows": rows, "sha256": sha256_file(partial / file)})

        for table in rollup_schema.current():
            done(table, f"{table}.parquet", _write_table(table, taken, partial / f"{table}.parquet"))
        provinces = [{
            "province_code": s.candidate.province_code, "province_name": s.candidate.province_name, "as_of": s.candidate.as_of,
            "source_snapshot": s.candidate.name, "source_manifest_sha256": s.candidate.manifest_sha256,
            "schema_version": s.candidate.schema_version, "generated_at": s.candidate.generated_at,
            "qms_version": s.candidate.qms_version} for s in taken]
        done("provinces", "provinces.parquet", _write_arrow(provinces, PROVINCES_SCHEMA, partial / "provinces.parquet"))
        scores, units = rollup_score.score_provinces([(s.candidate, s.folder) for s in taken], methodology[0])
        done("par_scores", "par_scores.parquet", _write_arrow(scores, rollup_score.SCORES_SCHEMA, partial / "par_scores.parquet"))
        done("par_score_units", "par_score_units.parquet",
             _write_arrow(units, rollup_score.UNITS_SCHEMA, partial / "par_score_units.parquet"))
        (partial / "par_scores.xlsx").write_bytes(write_xlsx(rollup_score.sheets(scores, units)))
        _fsync(partial / "par_scores.xlsx")
        m, sha = methodology
        manifest = {
            "format": ROLLUP_FORMAT,
            "rollup_version": ROLLUP_VERSION,
            "schema_version": SCHEMA_VERSION,
            "schema_fingerprint": default_registry().fingerprint(),
            "as_of": decided.as_of.isoformat(),
            "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "qms_version": __version__,
            "duckdb_version": engine_version(),
            "pyarrow_version": writer_version(),
            "methodology": {"id": m.id, "version": m.version, "sample": m.sample, "sha256": sha},
            "sources": [{"province_code": p["province_code"], "province_name": p["province_name"],
                         "snapshot": p["source_snapshot"], "path": s.candidate.source,
                         "manifest_sha256": p["source_manifest_sha256"], "schema_version": p["schema_version"],
                         "generated_at": p["generated_at"], "qms_version": p["qms_version"],
                         "notes": list(s.candidate.notes)} for p, s in zip(provinces, taken)],
            "superseded": [{"path": x.candidate.source, "snapshot": x.candidate.name, "province_code": x.candidate.province_code,
                            "by": x.winner.name, "reason": x.sentence()} for x in decided.superseded],
            "refused": [{"path": c.source, "reason": c.refusal()} for c in decided.refused],
            "other_dates": [{"path": c.source, "as_of": c.as_of.isoformat()} for c in decided.other_dates],
            "tables": entries,
            "files": [{"file": "par_scores.xlsx", "sha256": sha256_file(partial / "par_scores.xlsx"),
                       "meaning": "par_scores and par_score_units as a workbook (not byte-stable: the workbook records its time)"}],
        }
        publish(partial, final, manifest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Rollup(final, manifest, decided)
