"""The offline workbook through LibreOffice Calc (headless ``soffice``, installed by ``make test``;
see ``tests/office.py``) and through the ``qms audits pack/unpack`` commands, with evidence from
a folder beside it.

LibreOffice is what an inspector's laptop without Excel has: the workbook it saves (its own
shared strings, styles and validation) must come back as the one qms wrote.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from audit_world import ISO2015
from office import through_libreoffice
from offline_world import fill_workbook

from qms.accounts.rules import system_principal
from qms.audits import workbook as wb
from qms.audits.evidence_store import list_evidence
from qms.audits.offline_store import confirm_unpack, pack_audit, preview_unpack
from qms.audits.rules import AnswerInput, AuditKind, Result
from qms.audits.store import get_audit, save_answers
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT


def test_a_workbook_saved_by_libreoffice_comes_back(world, start, tmp_path):
    audit_id = start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-03-01")
    view = get_audit(world, audit_id)
    a, b, c = (s.ref for s in view.specs[:3])
    converted = through_libreoffice(pack_audit(world, audit_id), tmp_path, "packed")
    # what LibreOffice kept: the hidden identity, the drop-down, the protection
    book = openpyxl.load_workbook(io.BytesIO(converted))
    assert book[wb.IDENTITY].sheet_state == "hidden" and book[wb.SHEET].protection.sheet
    assert book[wb.SHEET].data_validations.dataValidation
    # meanwhile a colleague answers c online; the inspector answers a, b and c in the converted file
    save_answers(world, audit_id, [AnswerInput(item_ref=c, result=Result.MINOR, note="Theo đồng nghiệp")],
                 expected_version=view.row_version, actor=system_principal("colleague"))
    edited = fill_workbook(converted, {a: ("Phù hợp", None), b: ("Không phù hợp nhẹ", "Sổ theo dõi chưa cập nhật"),
                               c: ("Phù hợp", "Đã khắc phục")})
    filled = through_libreoffice(edited, tmp_path, "filled")  # and saved by LibreOffice once more
    preview = preview_unpack(world, audit_id, filled, "filled.xlsx")
    kinds = {p.ref: p.change for p in preview.items}
    assert (kinds[a], kinds[b], kinds[c]) == (wb.Change.CHANGED, wb.Change.CHANGED, wb.Change.CONFLICT)
    assert preview.count(wb.Change.UNCHANGED) == len(view.specs) - 3
    confirm_unpack(world, preview, [c], actor=system_principal("inspector"))
    now = get_audit(world, audit_id)
    assert now.answers[b].result is Result.MINOR and now.answers[b].note == "Sổ theo dõi chưa cập nhật"
    assert now.answers[c].result is Result.CONFORM and now.answers[c].note == "Đã khắc phục"


def _photo(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="JPEG")
    return buf.getvalue()


def _qms(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(db), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120)


def test_cli_pack_and_unpack_with_evidence_folder(world, start, tmp_path):
    audit_id = start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-03-01")
    other = start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-04-01")
    a, b = (s.ref for s in get_audit(world, audit_id).specs[:2])
    db_path = Path(world.path)
    world.close()  # the CLI opens the file itself
    out = tmp_path / "phieu.xlsx"
    done = _qms("audits", "pack", str(audit_id), "--out", str(out), db=db_path)
    assert done.returncode == 0, done.stderr
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill_workbook(through_libreoffice(out.read_bytes(), tmp_path, "cli"),
                                     {a: ("Phù hợp", None), b: ("Phù hợp", None)}))
    db = open_database(db_path)  # meanwhile, online, a colleague answers b
    save_answers(db, audit_id, [AnswerInput(item_ref=b, result=Result.MINOR, note="x")],
                 expected_version=get_audit(db, audit_id).row_version, actor=system_principal("colleague"))
    db.close()
    folder = tmp_path / "bang-chung" / a
    folder.mkdir(parents=True)
    (folder / "bang-niem-yet.jpg").write_bytes(_photo((200, 10, 10)))
    (folder / "quyet-dinh.jpg").write_bytes(_photo((10, 200, 10)))
    dry = _qms("audits", "unpack", str(audit_id), str(filled), "--dry-run", "--evidence", str(tmp_path / "bang-chung"),
               "--json", db=db_path)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["changed"], report["conflicts"], report["written"], report["evidence_files"]) == (1, 1, 0, 2)
    done = _qms("audits", "unpack", str(audit_id), str(filled), "--evidence", str(tmp_path / "bang-chung"),
                "--take-workbook", b, "--json", db=db_path)
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["written"], json.loads(done.stdout)["evidence_added"]) == (2, 2)
    bad = _qms("audits", "unpack", str(other), str(filled), db=db_path)
    assert bad.returncode == 2 and "qms:" in bad.stderr and "sheet 'qms_identity'" in bad.stderr
    db = open_database(db_path)
    try:
        assert get_audit(db, audit_id).answers[a].result is Result.CONFORM
        assert get_audit(db, audit_id).answers[b].result is Result.CONFORM  # the workbook's, as asked
        assert len(list_evidence(db, audit_id)[a]) == 2
    finally:
        db.close()
