"""Evidence files of an audit item (photos of notice boards, scans of decisions): the rules.

Pure (bytes in, bytes and facts out; no database, no UI):

- **what is accepted** (:func:`check_file`): JPEG, PNG, HEIC (an iPhone's default, read through
  pillow-heif) and PDF, told by their first bytes (a name's suffix can lie), each at most
  :data:`MAX_FILE_BYTES`; a photo of more than
  :data:`MAX_PIXELS` pixels is refused before it is decoded (a decompression bomb);
- **what is shown** (:func:`display_copy`): a photo downscaled to :data:`DISPLAY_EDGE` pixels on
  its long side, turned upright, re-encoded as JPEG **without its EXIF** (GPS location included)
  unless the province keeps the location, in which case the EXIF travels with it.  The original
  is kept as received, byte for byte: its SHA-256 is what the snapshot lists;
- **where a file lives** (:func:`blob_name`): content-addressed, ``ab/abcdef…`` by SHA-256, so
  one file attached twice is stored once and a stored file is never rewritten.

A HEIC original is kept as received; what is shown is its JPEG display copy (browsers do not
show HEIC).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path, PurePath

from qms.kernel.errors import ValidationError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000
DISPLAY_EDGE = 1600
#: Files attached to one item at once.
MAX_FILES = 20

_KINDS = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))
#: The brands of an ISO base-media file that are HEIF/HEIC photos.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
SUFFIXES = ("jpg", "jpeg", "png", "heic", "heif", "pdf")


@dataclass(frozen=True)
class EvidenceFile:
    """A checked file: its name as sent, its kind, its bytes and their SHA-256."""

    file_name: str
    media_type: str
    data: bytes
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_name(digest: str) -> str:
    """The file's place under the evidence folder: two hex digits, then the whole hash."""
    return f"{digest[:2]}/{digest}"


def media_type(data: bytes) -> str | None:
    for magic, kind in _KINDS:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def check_file(file_name: str, data: bytes, where: str = "") -> EvidenceFile:
    """The file as evidence, or one sentence naming it: empty, too large, not a JPEG/PNG/PDF,
    a photo that cannot be read or has too many pixels."""
    name = PurePath(file_name).name or "file"
    place = f"{where}{name}"
    if not data:
        raise ValidationError(f"{place} is empty; nothing was attached.", vi=f"{place} rỗng; chưa đính kèm gì.")
    if len(data) > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // (1024 * 1024)
        raise ValidationError(f"{place} is {len(data) / 1048576:.1f} MB, more than the {mb} MB an evidence file may be; "
                              "nothing was attached.",
                              vi=f"{place} có dung lượng {len(data) / 1048576:.1f} MB, vượt mức {mb} MB của một tệp bằng chứng; "
                                 "chưa đính kèm gì.")
    kind = media_type(data)
    if kind is None:
        raise ValidationError(f"{place} is not a JPEG, PNG or HEIC photo or a PDF; nothing was attached.",
                              vi=f"{place} không phải ảnh JPEG, PNG, HEIC hay tệp PDF; chưa đính kèm gì.")
    if kind.startswith("image/"):
        _open_image(data, place)
    return EvidenceFile(name, kind, data, sha256(data))


def _open_image(data: bytes, place: str):
    from PIL import Image, UnidentifiedImageError

    if data[4:8] == b"ftyp":
        import pillow_heif

        pillow_heif.register_heif_opener()  # idempotent: HEIC/HEIF through Pillow's own API

    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(f"{place} is a damaged photo that cannot be read; nothing was attached.",
                              vi=f"{place} là ảnh hỏng, không đọc được; chưa đính kèm gì.") from None
    if width * height > MAX_PIXELS:
        raise ValidationError(f"{place} has {width}×{height} pixels, more than a photo may have; nothing was attached.",
                              vi=f"{place} có {width}×{height} điểm ảnh, quá mức cho phép; chưa đính kèm gì.")
    return image


def display_copy(file: EvidenceFile, *, keep_location: bool = False) -> bytes | None:
    """The JPEG shown for a photo (None for a PDF): upright, at most :data:`DISPLAY_EDGE` on its
    long side, without EXIF unless ``keep_location`` (then the original's EXIF, GPS included)."""
    if not file.is_image:
        return None
    from PIL import Image, ImageOps

    image = _open_image(file.data, file.file_name)
    exif = image.getexif()
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        extra = {}
        if keep_location and exif:
            exif[0x0112] = 1  # turned upright above
            extra["exif"] = exif.tobytes()
        image.save(out, format="JPEG", quality=85, optimize=True, **extra)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(f"{file.file_name} is a damaged photo that cannot be read; nothing was attached.",
                              vi=f"{file.file_name} là ảnh hỏng, không đọc được; chưa đính kèm gì.") from None
    return out.getvalue()


def has_location(jpeg: bytes) -> bool:
    """Whether a photo's EXIF holds a GPS block (what the display copy drops)."""
    from PIL import Image

    return bool(Image.open(io.BytesIO(jpeg)).getexif().get_ifd(0x8825))


#: A zip of the evidence folder (the web page's way to bring the folder beside the workbook).
MAX_ZIP_MEMBERS = 200
MAX_ZIP_BYTES = 200 * 1024 * 1024


def read_evidence_zip(data: bytes, filename: str) -> dict[str, list[tuple[str, bytes]]]:
    """The files of a zip of the evidence folder by item ref: members ``<ref>/<file>`` (a folder
    above the refs, as zipping the folder itself gives, is dropped; hidden files and macOS's
    ``__MACOSX`` are skipped).  Refused in one sentence naming the zip or the member: not a zip,
    too many members, a member too large (by its declared size, and by what it really unpacks
    to), a file outside an item folder."""
    import zipfile

    def refuse(en: str, vi: str) -> ValidationError:
        return ValidationError(f"{filename}: {en}; nothing was saved.", vi=f"{filename}: {vi}; chưa lưu gì.")

    from qms.kernel.xlsx_reader import DAMAGED_ZIP

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        entries = book.infolist()
    except DAMAGED_ZIP:
        raise refuse("not a zip file", "không phải tệp zip") from None
    if len(entries) > 4 * MAX_ZIP_MEMBERS:  # counted before skipping anything: folders and macOS's copies included
        raise refuse(f"holds {len(entries)} entries, more than {4 * MAX_ZIP_MEMBERS}",
                     f"có {len(entries)} mục, quá {4 * MAX_ZIP_MEMBERS} mục")
    infos = [i for i in entries if not i.is_dir()
             and not any(p.startswith(".") or p == "__MACOSX" for p in PurePath(i.filename).parts)]
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refuse(f"holds {len(infos)} files, more than {MAX_ZIP_MEMBERS}", f"có {len(infos)} tệp, quá {MAX_ZIP_MEMBERS} tệp")
    if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
        raise refuse(f"unpacks to more than {MAX_ZIP_BYTES // 1048576} MB", f"giải nén ra hơn {MAX_ZIP_BYTES // 1048576} MB")
    out: dict[str, list[tuple[str, bytes]]] = {}
    for info in infos:
        parts = PurePath(info.filename).parts
        if len(parts) < 2:
            raise refuse(f"{info.filename} is not in a folder named by an item ref", f"{info.filename} không nằm trong thư mục "
                         "đặt tên theo mã mục")
        if info.file_size > MAX_FILE_BYTES:
            raise refuse(f"{info.filename} is larger than {MAX_FILE_BYTES // 1048576} MB",
                         f"{info.filename} lớn hơn {MAX_FILE_BYTES // 1048576} MB")
        try:
            with book.open(info) as member:
                content = member.read(MAX_FILE_BYTES + 1)
        except DAMAGED_ZIP:  # a broken stream, an unknown method, a password
            raise refuse(f"{info.filename} cannot be unpacked", f"không giải nén được {info.filename}") from None
        if len(content) > MAX_FILE_BYTES:
            raise refuse(f"{info.filename} is larger than {MAX_FILE_BYTES // 1048576} MB",
                         f"{info.filename} lớn hơn {MAX_FILE_BYTES // 1048576} MB")
        out.setdefault(parts[-2], []).append((parts[-1], content))
    return out


def read_evidence_folder(folder: Path, refs: set[str]) -> dict[str, list[tuple[str, bytes]]]:
    """Files of ``folder/<item ref>/`` (the offline round trip's folder beside the workbook), with
    the evidence zip's limits checked on each file's size before it is read: a sub-folder that is
    no item of the audit, a file above :data:`MAX_FILE_BYTES`, more than :data:`MAX_ZIP_MEMBERS`
    files or :data:`MAX_ZIP_BYTES` in all are refused in one sentence; nothing is read then."""

    def refuse(en: str, vi: str) -> ValidationError:
        return ValidationError(f"{en}; nothing was saved.", vi=f"{vi}; chưa lưu gì.")

    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder.", vi=f"{folder} không phải thư mục.")
    found: dict[str, list[Path]] = {}
    for sub in sorted(folder.iterdir()):
        if sub.name.startswith("."):
            continue
        if not sub.is_dir() or sub.name not in refs:
            raise refuse(f"{sub}: evidence goes in a folder named by an item ref of the audit (e.g. {min(refs)})",
                         f"{sub}: bằng chứng phải nằm trong thư mục đặt tên theo mã mục của cuộc đánh giá (vd. {min(refs)})")
        files = [p for p in sorted(sub.iterdir()) if p.is_file() and not p.name.startswith(".")]
        for p in files:
            if p.stat().st_size > MAX_FILE_BYTES:
                raise refuse(f"{p} is larger than {MAX_FILE_BYTES // 1048576} MB", f"{p} lớn hơn {MAX_FILE_BYTES // 1048576} MB")
        if files:
            found[sub.name] = files
    paths = [p for files in found.values() for p in files]
    if len(paths) > MAX_ZIP_MEMBERS:
        raise refuse(f"{folder} holds {len(paths)} files, more than {MAX_ZIP_MEMBERS}",
                     f"{folder} có {len(paths)} tệp, quá {MAX_ZIP_MEMBERS} tệp")
    if sum(p.stat().st_size for p in paths) > MAX_ZIP_BYTES:
        raise refuse(f"{folder} holds more than {MAX_ZIP_BYTES // 1048576} MB", f"{folder} chứa hơn {MAX_ZIP_BYTES // 1048576} MB")
    return {ref: [(p.name, p.read_bytes()) for p in files] for ref, files in found.items()}

