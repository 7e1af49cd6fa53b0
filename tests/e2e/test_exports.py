"""Journey 6: a Parquet snapshot made on the Báo cáo page, downloaded as a zip and read back.

The administrator creates a snapshot of today, downloads it with the page's button, and the
test opens the zip as the PAR-index tool would: ``manifest.json`` names every table with its
row count and SHA-256, and the Parquet files read back (pyarrow) have those row counts, which
agree with the store's facts of the demo: every unit, today's districts, the shipped checklist
templates, and every audit (with those the audit journey started this session).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from qms.audits.checklists import load_templates
from qms.kernel.settings import load_settings

from .helpers import download, expect_grid_rows, goto, grid, grid_rows, wait_idle

pytestmark = pytest.mark.e2e

#: Writing a snapshot reads every table: allow more than one interaction's wait.
SNAPSHOT_MS = 120_000


def test_a_downloaded_snapshot_reads_back_with_the_manifest_counts(page, app_server, changes, tmp_path):
    facts = app_server.facts
    goto(page, "reports")
    page.get_by_role("button", name="Tạo bản xuất", exact=True).click()
    done = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"^Đã tạo bản xuất \S+: \d+ bảng, \d+ dòng\.$"))
    expect(done).to_be_visible(timeout=SNAPSHOT_MS)
    wait_idle(page)
    name, tables, rows = re.match(r"^Đã tạo bản xuất (\S+): (\d+) bảng, (\d+) dòng\.$", done.inner_text().strip()).groups()
    assert name.startswith(facts.today.isoformat() + "_"), name
    listed = grid(page, "Bảng", "Số dòng")
    expect_grid_rows(listed, int(tables))
    expect(listed.locator("tbody tr").first).to_be_attached()
    on_page = {table: int(count) for table, count in grid_rows(listed)}  # the rows in view

    archive = download(page, "Tải bản xuất (.zip)", tmp_path)
    assert archive.name == f"{name}.zip"
    with zipfile.ZipFile(archive) as zf:
        files = {info.filename: zf.read(info) for info in zf.infolist()}
    manifest = json.loads(files[f"{name}/manifest.json"])
    counts = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    assert manifest["as_of"] == facts.today.isoformat()
    assert (len(counts), sum(counts.values())) == (int(tables), int(rows))
    assert on_page and all(counts[table] == n for table, n in on_page.items()), on_page

    for entry in manifest["tables"]:  # every file named is in the zip, intact
        data = files[f"{name}/{entry['file']}"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
    read = {table: pq.read_table(io.BytesIO(files[f"{name}/{table}.parquet"]))
            for table in ("units", "coverage_district", "checklist_templates", "audits")}
    assert {table: t.num_rows for table, t in read.items()} == {table: counts[table] for table in read}

    templates = {e.template.id for e in load_templates(load_settings().checklists_dir).templates}
    assert read["units"].num_rows == facts.unit_count
    assert sorted(read["units"].column("code").to_pylist()) == sorted(set(read["units"].column("code").to_pylist()))
    assert read["coverage_district"].num_rows == facts.district_count
    assert read["checklist_templates"].num_rows == len(templates)
    assert read["audits"].num_rows == facts.audit_count + changes.audits_started
