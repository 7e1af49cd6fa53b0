"""Evidence files of audit items (issue 17): content-addressed beside the database, never
duplicated or overwritten, limits, display copies without location, concurrent attaching."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from audit_world import ISO2015
from PIL import Image

from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.audits import evidence as ev
from qms.audits.evidence_store import attach_evidence, blob_path, evidence_root, list_evidence, read_blob
from qms.audits.rules import AuditKind
from qms.audits.store import get_audit
from qms.kernel.errors import QmsError, ValidationError

INSPECTOR = system_principal("inspector")


def photo(color=(200, 30, 30), size=(40, 30), gps: bool = False, fmt: str = "JPEG") -> bytes:
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (22.0, 23.0, 40.0), 3: "E", 4: (103.0, 27.0, 0.0)}
    buf = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.new("RGB", size, color).save(buf, format=fmt, **({"exif": exif.tobytes()} if gps else {}))
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(start):
    return start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-03-01")


def _ref(db, audit_id, i=0):
    return get_audit(db, audit_id).specs[i].ref


def test_files_are_stored_once_by_hash_and_never_rewritten(world, draft):
    ref, other = _ref(world, draft), _ref(world, draft, 1)
    jpg, png = photo(), photo((0, 0, 255), fmt="PNG")
    rows = attach_evidence(world, draft, ref, [("bang.jpg", jpg), ("so.png", png), ("qd.pdf", PDF)], actor=INSPECTOR)
    assert {r.sha256 for r in rows} == {ev.sha256(jpg), ev.sha256(png), ev.sha256(PDF)}
    assert {r.media_type for r in rows} == {"image/jpeg", "image/png", "application/pdf"}
    path = blob_path(world, ev.sha256(jpg))
    assert path.parent.parent == evidence_root(world) == Path(world.path).resolve().parent / "evidence"
    assert read_blob(world, ev.sha256(jpg)) == jpg  # the original, byte for byte
    stamp = path.stat().st_mtime_ns
    # the same photo again on the item: no second row; on another item: a row, the same file
    attach_evidence(world, draft, ref, [("lai-lan-nua.jpg", jpg)], actor=INSPECTOR)
    attach_evidence(world, draft, other, [("bang.jpg", jpg)], actor=INSPECTOR)
    listed = list_evidence(world, draft)
    assert len(listed[ref]) == 3 and len(listed[other]) == 1
    assert path.stat().st_mtime_ns == stamp
    blobs = [p for p in evidence_root(world).rglob("*") if p.is_file()]
    assert len(blobs) == 5  # three originals and two display copies (a PDF has none)
    assert not [p for p in blobs if p.name.startswith(".partial")]


def test_display_copy_is_downscaled_without_location_unless_kept(world, draft):
    ref = _ref(world, draft)
    big = photo(size=(4000, 3000), gps=True)
    assert ev.has_location(big)
    (row,) = attach_evidence(world, draft, ref, [("gps.jpg", big)], actor=INSPECTOR)
    shown = read_blob(world, row.display_sha256)
    assert max(Image.open(io.BytesIO(shown)).size) == ev.DISPLAY_EDGE and not ev.has_location(shown)
    assert ev.has_location(read_blob(world, row.sha256))  # the original is kept as received
    kept = attach_evidence(world, draft, _ref(world, draft, 1), [("gps.jpg", big)], actor=INSPECTOR, keep_location=True)
    assert ev.has_location(read_blob(world, kept[0].display_sha256))


@pytest.mark.parametrize("name,data,words", [
    ("rong.jpg", b"", "empty"),
    ("virus.exe", b"MZ\x90\x00" * 10, "not a JPEG, PNG or HEIC photo or a PDF"),
    ("hong.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "damaged photo"),
])
def test_refused_files_attach_nothing(world, draft, name, data, words):
    ref = _ref(world, draft)
    with pytest.raises(ValidationError, match=words):
        attach_evidence(world, draft, ref, [("tot.jpg", photo()), (name, data)], actor=INSPECTOR)
    assert list_evidence(world, draft) == {}
    assert not evidence_root(world).exists() or not any(evidence_root(world).rglob("*.*"))


def test_size_limit(world, draft, monkeypatch):
    monkeypatch.setattr(ev, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ValidationError, match="more than the 0 MB|MB, more than"):
        attach_evidence(world, draft, _ref(world, draft), [("lon.pdf", PDF + b"x" * 2000)], actor=INSPECTOR)


def test_refused_person_and_unknown_item_leave_no_file(world, draft):
    with pytest.raises(PermissionDenied):
        attach_evidence(world, draft, _ref(world, draft), [("a.jpg", photo())], actor=Principal(username="v", role=Role.VIEWER))
    with pytest.raises(QmsError, match="not in its checklist"):
        attach_evidence(world, draft, "99.99", [("a.jpg", photo())], actor=INSPECTOR)
    assert not evidence_root(world).exists() or not [p for p in evidence_root(world).rglob("*") if p.is_file()]


def test_two_people_attaching_to_one_item_at_once_lose_nothing(world, draft):
    """Threads on one real DuckDB file (as two sessions of the app): every photo of both is kept."""
    ref = _ref(world, draft)
    people = [system_principal("inspector-a"), system_principal("inspector-b")]
    files = {p.username: [(f"{p.username}-{i}.jpg", photo((i * 20, 100 if p is people[0] else 200, 50))) for i in range(6)]
             for p in people}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def attach(person):
        try:
            barrier.wait()
            for name, data in files[person.username]:
                attach_evidence(world, draft, ref, [(name, data)], actor=person)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=attach, args=(p,)) for p in people]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    listed = list_evidence(world, draft)[ref]
    assert {r.file_name for r in listed} == {n for fs in files.values() for n, _ in fs}
    for r in listed:
        assert ev.sha256(read_blob(world, r.sha256)) == r.sha256


def test_evidence_hashes_are_stable():
    assert ev.sha256(PDF) == ev.sha256(bytes(PDF))
    assert ev.blob_name("ab" + "0" * 62) == "ab/ab" + "0" * 62
    assert ev.check_file("x/y/qd.pdf", PDF).file_name == "qd.pdf"


def test_evidence_is_in_the_snapshot_with_its_hashes(world, draft, tmp_path):
    import datetime as dt

    import pyarrow.parquet as pq

    from qms.exports import indicators
    from qms.exports.snapshot import write_snapshot

    ref = _ref(world, draft)
    jpg = photo()
    attach_evidence(world, draft, ref, [("bang.jpg", jpg), ("qd.pdf", PDF)], actor=INSPECTOR)
    snap = write_snapshot(world, tmp_path / "exports", dt.date(2021, 12, 31), methodology=indicators.load(),
                          actor=system_principal("exporter"))
    rows = pq.read_table(snap.path / "audit_evidence.parquet").to_pylist()
    assert {(r["audit_id"], r["item_ref"], r["sha256"], r["size_bytes"]) for r in rows} == {
        (draft, ref, ev.sha256(jpg), len(jpg)), (draft, ref, ev.sha256(PDF), len(PDF))}
    assert all(r["unit_code"] == "105" for r in rows)
    assert snap.manifest["schema_version"] == 4


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_zipped_evidence_folder_is_read_by_item_ref():
    got = ev.read_evidence_zip(_zip({"bang-chung/1.2/a.jpg": photo(), "bang-chung/1.2/b.pdf": PDF, "1.3/c.pdf": PDF,
                                     "__MACOSX/1.2/._a.jpg": b"x", "bang-chung/.DS_Store": b"x"}), "bc.zip")
    assert {ref: sorted(n for n, _ in files) for ref, files in got.items()} == {"1.2": ["a.jpg", "b.pdf"], "1.3": ["c.pdf"]}


@pytest.mark.parametrize("data,words", [
    (b"not a zip", "bc.zip: not a zip file"),
    ("top", "bc.zip: a.jpg is not in a folder named by an item ref"),
    ("big", "bc.zip: 1.2/big.pdf is larger than"),
])
def test_a_bad_evidence_zip_is_refused_naming_it(data, words, monkeypatch):
    if data == "top":
        data = _zip({"a.jpg": photo()})
    elif data == "big":
        monkeypatch.setattr(ev, "MAX_FILE_BYTES", 100)
        data = _zip({"1.2/big.pdf": PDF + b"0" * 500})
    with pytest.raises(ValidationError, match=re.escape(words)):
        ev.read_evidence_zip(data, "bc.zip")


@pytest.mark.parametrize("damage", ["broken", "encrypted", "method"])
def test_a_damaged_evidence_zip_is_refused_in_one_sentence(damage):
    """A broken deflate stream, a password, an unknown method: zlib, RuntimeError and
    NotImplementedError from the zipfile module, each refused as the zip it came in."""
    from qms_testing import damaged_zips

    data = damaged_zips({"1.2/a.pdf": PDF + b"x" * 5000})[damage]
    with pytest.raises(ValidationError, match=re.escape("bc.zip: 1.2/a.pdf cannot be unpacked; nothing was saved.")):
        ev.read_evidence_zip(data, "bc.zip")


def test_an_evidence_zip_of_countless_hidden_entries_is_refused_before_reading():
    hidden = {f"__MACOSX/1.2/._{i}.jpg": b"" for i in range(4 * ev.MAX_ZIP_MEMBERS + 1)}
    with pytest.raises(ValidationError, match=re.escape(f"bc.zip: holds {4 * ev.MAX_ZIP_MEMBERS + 1} entries")):
        ev.read_evidence_zip(_zip(hidden), "bc.zip")


def test_a_heic_photo_is_kept_and_shown_as_jpeg_without_location(world, draft):
    heic = photo(size=(2400, 1800), gps=True, fmt="HEIF")
    assert ev.media_type(heic) == "image/heic" and ev.has_location(heic)
    (row,) = attach_evidence(world, draft, _ref(world, draft), [("IMG_0001.HEIC", heic)], actor=INSPECTOR)
    assert row.media_type == "image/heic" and read_blob(world, row.sha256) == heic
    shown = read_blob(world, row.display_sha256)
    assert shown.startswith(b"\xff\xd8\xff") and not ev.has_location(shown)
    assert max(Image.open(io.BytesIO(shown)).size) == ev.DISPLAY_EDGE


def test_the_province_setting_that_keeps_photo_location():
    from qms.kernel.settings import load_settings

    assert load_settings(env={}).keep_photo_location is False
    assert load_settings(env={"QMS_KEEP_PHOTO_LOCATION": "1"}).keep_photo_location is True
    assert load_settings(env={"QMS_KEEP_PHOTO_LOCATION": "no"}).keep_photo_location is False


def test_an_evidence_folder_file_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """The offline round trip's folder beside the workbook: each file's size is checked on disk,
    so a stray video is never loaded into memory."""
    monkeypatch.setattr(ev, "MAX_FILE_BYTES", 100)
    (tmp_path / "1.2").mkdir()
    (tmp_path / "1.2" / "ok.pdf").write_bytes(PDF)
    (tmp_path / "1.2" / "video.mp4").write_bytes(b"0" * 101)
    with pytest.raises(ValidationError, match=re.escape(f"{tmp_path / '1.2' / 'video.mp4'} is larger than 0 MB")):
        ev.read_evidence_folder(tmp_path, {"1.2"})
    (tmp_path / "1.2" / "video.mp4").unlink()
    assert ev.read_evidence_folder(tmp_path, {"1.2", "1.3"}) == {"1.2": [("ok.pdf", PDF)]}
