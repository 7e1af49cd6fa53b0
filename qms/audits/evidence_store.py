"""Evidence files attached to audit items, stored beside the database by their SHA-256.

The folder is ``evidence/`` next to the database file; a file lives at ``ab/abcdef…`` (its
SHA-256), so the same photo attached to two items, or twice, is stored once, and a stored file
is never rewritten: it is written to a temporary file in the same folder, flushed, then *linked*
to its name (a link fails rather than replace an existing name), so a reader never sees half a
file and two people attaching the same file at once both end with the one complete file.  The
files are written after the permission check (a refused person leaves no file behind) and the
rows (``audit_evidence``) in the same transaction after them; a transaction that fails later
leaves at most a file no row names, never a row without its file.  Two people attaching to one item at
once write different rows (different hashes): both kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qms.accounts.principals_store import authorize_on_unit
from qms.accounts.rules import Operation, Principal
from qms.audits import evidence as ev
from qms.audits import rules
from qms.audits.store import _head, _template
from qms.changelog import store as changelog
from qms.kernel.errors import NotFound, QmsError, ValidationError


@dataclass(frozen=True)
class EvidenceRow:
    audit_id: int
    item_ref: str
    sha256: str
    file_name: str
    media_type: str
    size_bytes: int
    display_sha256: str | None
    added_at: dt.datetime
    added_by: str


def evidence_root(db) -> Path:
    """``evidence/`` beside the database file."""
    if str(db.path) == ":memory:":
        raise QmsError("An in-memory database keeps no evidence files.", vi="Cơ sở dữ liệu trong bộ nhớ không lưu tệp bằng chứng.")
    return Path(db.path).resolve().parent / "evidence"


def _put_blob(root: Path, data: bytes, digest: str) -> Path:
    """Write ``data`` under its hash once, atomically; an existing file is left as it is."""
    path = root / ev.blob_name(digest)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # the same content, written by someone else meanwhile
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path


def blob_path(db, digest: str) -> Path:
    return evidence_root(db) / ev.blob_name(digest)


def read_blob(db, digest: str) -> bytes:
    path = blob_path(db, digest)
    if not path.is_file():
        raise NotFound(f"The evidence file {digest[:12]} is missing from {path.parent.parent}.",
                       vi=f"Thiếu tệp bằng chứng {digest[:12]} trong {path.parent.parent}.")
    return path.read_bytes()


def check_files(files: Sequence[tuple[str, bytes]], where: str = "") -> list[ev.EvidenceFile]:
    """Every file checked before anything is written (one refused file refuses them all)."""
    if len(files) > ev.MAX_FILES:
        raise ValidationError(f"{where}{len(files)} files at once; attach at most {ev.MAX_FILES} to an item at a time.",
                              vi=f"{where}{len(files)} tệp một lúc; mỗi lần đính kèm tối đa {ev.MAX_FILES} tệp cho một mục.")
    return [ev.check_file(name, data, where) for name, data in files]


def attach_evidence(db, audit_id: int, item_ref: str, files: Sequence[tuple[str, bytes]], *, actor: Principal,
                    keep_location: bool = False) -> list[EvidenceRow]:
    """Attach files (name, bytes) to an item of a draft audit; return the item's evidence now.

    Refused whole, nothing written: an audit that is not a draft, an item not in its checklist,
    a file that is not a JPEG/PNG/PDF or too large (:func:`qms.audits.evidence.check_file`).  A file the
    item already has is no second row.  Display copies drop the photo's location unless
    ``keep_location`` (the province's setting ``QMS_KEEP_PHOTO_LOCATION``)."""
    checked = check_files(files)
    root = evidence_root(db)

    def run(cur) -> list[EvidenceRow]:
        attach_evidence_in(cur, root, audit_id, item_ref, checked, actor=actor, keep_location=keep_location)
        return [r for r in _rows(cur, audit_id) if r.item_ref == item_ref]

    return db.write(run)


def attach_evidence_in(cur, root: Path, audit_id: int, item_ref: str, checked: Sequence[ev.EvidenceFile], *,
                       actor: Principal, keep_location: bool = False) -> int:
    """:func:`attach_evidence` of checked files inside the caller's transaction; the number of
    files added.  The files are written after the permission check, before the rows."""
    head = _head(cur, audit_id)
    username = authorize_on_unit(cur, actor, Operation.AUDIT_WRITE, head.unit_code).username
    rules.check_editable(head.status, audit_id)
    refs = {s.ref for s in rules.item_specs(_template(cur, head.template_hash), head.standard)}
    if item_ref not in refs:
        raise ValidationError(f"Audit #{audit_id}: item {item_ref} is not in its checklist; nothing was attached.",
                              vi=f"Phiếu đánh giá #{audit_id}: mục {item_ref} không có trong danh mục; chưa đính kèm gì.")
    have = {r[0] for r in cur.execute("SELECT sha256 FROM audit_evidence WHERE audit_id = ? AND item_ref = ?",
                                      [audit_id, item_ref]).fetchall()}
    added = []
    for f in checked:
        if f.sha256 in have:
            continue
        have.add(f.sha256)
        _put_blob(root, f.data, f.sha256)
        shown = ev.display_copy(f, keep_location=keep_location)
        shown_sha = None
        if shown is not None:
            shown_sha = ev.sha256(shown)
            _put_blob(root, shown, shown_sha)
        cur.execute("INSERT INTO audit_evidence (audit_id, item_ref, sha256, file_name, media_type, size_bytes,"
                    " display_sha256, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?)",
                    [audit_id, item_ref, f.sha256, f.file_name, f.media_type, len(f.data), shown_sha, username])
        added.append({"file": f.file_name, "sha256": f.sha256, "bytes": len(f.data)})
    if added:
        changelog.append(cur, actor=username, action="attach_evidence", entity="audits", key=f"audit#{audit_id}",
                         after={"item": item_ref, "files": added})
    return len(added)


def _rows(cur, audit_id: int) -> list[EvidenceRow]:
    rows = cur.execute("SELECT audit_id, item_ref, sha256, file_name, media_type, size_bytes, display_sha256, added_at, added_by"
                       " FROM audit_evidence WHERE audit_id = ? ORDER BY item_ref, added_at, sha256", [audit_id]).fetchall()
    return [EvidenceRow(*r) for r in rows]


def list_evidence(db, audit_id: int) -> dict[str, list[EvidenceRow]]:
    """The audit's evidence by item ref, oldest first."""
    cur = db.cursor()
    try:
        rows = _rows(cur, audit_id)
    finally:
        cur.close()
    out: dict[str, list[EvidenceRow]] = {}
    for r in rows:
        out.setdefault(r.item_ref, []).append(r)
    return out
