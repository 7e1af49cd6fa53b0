"""Which province snapshots a national roll-up takes: pure decisions over facts already read.

Pure: no file, no database, no Parquet.  :mod:`qms.exports.rollup` reads each source (folder or
zip), checks its files against its manifest and hands one :class:`Candidate` per source here;
:func:`plan` decides:

- a candidate with a problem is **refused** (quarantined: left out, named in the report and the
  national manifest with its one sentence);
- the as-of date is ``as_of`` when given, else the latest as-of date of the sound candidates;
  sound candidates of another date are left out and listed (``other_dates``);
- two sound candidates of one province for the date: the **newest** (latest ``generated_at``,
  then name) wins; the other is listed as superseded, with the winner's name;
- what remains is taken, ordered by province code (the national files' order).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

#: A province code: the GSO code of a province (two digits) or a test/sample code of letters and digits.
PROVINCE_CODE = re.compile(r"^[0-9A-Za-z]{1,8}$")
#: ``qms_version`` as the writer records it (``0.1.0``, ``1.2.3.dev4``...).
VERSION = re.compile(r"^\d+(\.\d+){1,3}([.\-+][0-9A-Za-z.]+)?$")


@dataclass(frozen=True)
class Candidate:
    """One source snapshot as read: where it is, what its manifest says, what is wrong with it."""

    source: str  # the folder or zip as given (what every sentence names)
    name: str  # the snapshot's folder name
    province_code: str | None
    province_name: str | None
    as_of: dt.date | None
    generated_at: str | None
    schema_version: int | None
    qms_version: str | None
    manifest_sha256: str | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def sound(self) -> bool:
        return not self.problems

    def refusal(self) -> str:
        """The one sentence naming the source and its first problem (the others follow)."""
        more = f" (and {len(self.problems) - 1} more problem(s): {'; '.join(self.problems[1:])})" if len(self.problems) > 1 else ""
        return f"{self.source}: refused: {self.problems[0]}{more}."


@dataclass(frozen=True)
class Superseded:
    candidate: Candidate
    winner: Candidate

    def sentence(self) -> str:
        return (f"{self.candidate.source}: province {self.candidate.province_code} has a newer snapshot for "
                f"{self.candidate.as_of.isoformat()}: {self.winner.name} (generated {self.winner.generated_at}) was taken, "
                f"not this one (generated {self.candidate.generated_at}).")


@dataclass(frozen=True)
class Plan:
    as_of: dt.date | None
    taken: list[Candidate]
    refused: list[Candidate] = field(default_factory=list)
    superseded: list[Superseded] = field(default_factory=list)
    other_dates: list[Candidate] = field(default_factory=list)

    def sentences(self) -> list[str]:
        """What the report says about every source that was not taken."""
        out = [c.refusal() for c in self.refused]
        out += [s.sentence() for s in self.superseded]
        out += [f"{c.source}: as of {c.as_of.isoformat()}, not {self.as_of.isoformat()}: left out." for c in self.other_dates]
        return out


def manifest_problems(manifest: object, *, readable_versions: set[int], expected_tables: set[str] | None) -> list[str]:
    """Problems of a manifest's own fields (before any file is looked at).

    ``expected_tables``: the tables the manifest's schema version documents (None when the
    version is unknown, already a problem)."""
    if not isinstance(manifest, dict):
        return ["manifest.json is not a JSON object"]
    problems = []
    if manifest.get("format") != "qms-snapshot":
        problems.append(f"manifest.json: format is {manifest.get('format')!r}, not 'qms-snapshot'")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        problems.append(f"manifest.json: schema_version {version!r} is not a number")
    elif version not in readable_versions:
        newest = max(readable_versions)
        why = "written by a newer qms; upgrade qms to read it" if version > newest else "not a documented version"
        problems.append(f"manifest.json: schema version {version} is {why} (this qms reads {sorted(readable_versions)})")
    as_of = manifest.get("as_of")
    try:
        dt.date.fromisoformat(str(as_of))
    except ValueError:
        problems.append(f"manifest.json: as_of {as_of!r} is not a date YYYY-MM-DD")
    if not isinstance(manifest.get("generated_at"), str) or not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", manifest["generated_at"]):
        problems.append(f"manifest.json: generated_at {manifest.get('generated_at')!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    if not isinstance(manifest.get("qms_version"), str) or not VERSION.match(manifest["qms_version"]):
        problems.append(f"manifest.json: qms_version {manifest.get('qms_version')!r} is not a version number")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(isinstance(t, dict) and {"name", "file", "rows", "sha256"} <= set(t) for t in tables):
        problems.append("manifest.json: tables is not a list of {name, file, rows, sha256}")
        return problems
    skipped = {s.get("name") for s in manifest.get("skipped_tables") or [] if isinstance(s, dict)}
    listed = {t["name"] for t in tables}
    for t in tables:
        if t["file"] != f"{t['name']}.parquet":
            problems.append(f"manifest.json: table {t['name']!r} has file {t['file']!r}, not {t['name']}.parquet")
    if expected_tables is not None:
        missing = sorted(expected_tables - listed - skipped)
        if missing:
            problems.append(f"table {missing[0]} of schema version {version} is neither in the snapshot nor listed as skipped"
                            + (f" (nor {', '.join(missing[1:])})" if missing[1:] else ""))
        unknown = sorted(listed - expected_tables)
        if unknown:
            problems.append(f"table {unknown[0]} is not in schema version {version}")
    return problems


def plan(candidates: list[Candidate], as_of: dt.date | None = None) -> Plan:
    """Decide which candidates the roll-up takes (see the module's contract)."""
    refused = [c for c in candidates if not c.sound]
    sound = [c for c in candidates if c.sound]
    date = as_of or max((c.as_of for c in sound), default=None)
    other = sorted((c for c in sound if c.as_of != date), key=lambda c: (c.province_code or "", c.source))
    on_date = [c for c in sound if c.as_of == date]
    by_province: dict[str, list[Candidate]] = {}
    for c in on_date:
        by_province.setdefault(c.province_code, []).append(c)
    taken, superseded = [], []
    for code in sorted(by_province):
        ranked = sorted(by_province[code], key=lambda c: (c.generated_at, c.name, c.source), reverse=True)
        taken.append(ranked[0])
        superseded += [Superseded(c, ranked[0]) for c in ranked[1:]]
    return Plan(as_of=date, taken=taken, refused=refused, superseded=superseded, other_dates=other)
