"""Big tables are read in key ranges (``ExportTable.chunk``) and files are cut in fixed row
groups: the bytes must not depend on how the rows were chunked, only on the rows."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qms.exports.registry import CHUNK_ROWS, Registry, default_registry
from qms.exports.snapshot import write_snapshot
from qms.exports.snapshot_store import ROW_GROUP_ROWS, ParquetSink, chunk_bounds

from .conftest import ADMIN, AS_OF_2021, FIXED_NOW, parquet_rows


def _write(db, folder, table, methodology):
    snap = write_snapshot(db, folder, AS_OF_2021, methodology=methodology, actor=ADMIN, now=FIXED_NOW,
                          registry=Registry([table]))
    return snap.path / table.file_name


def test_audit_answers_is_read_in_chunks_of_audit_ids():
    assert default_registry().get("audit_answers").chunk[0] == "audit_id"


@pytest.mark.parametrize("name", ["audit_answers", "unit_tthc"])
def test_one_chunk_per_key_writes_the_same_bytes_as_one_query(demo_db, tmp_path, methodology, name):
    table = default_registry().get(name)
    column = table.order_by[0]
    source = {"audit_answers": "SELECT id, ? FROM audits", "unit_tthc": "SELECT DISTINCT unit_code, ? FROM unit_tthc"}[name]
    # every key weighs a whole chunk, so each key value is its own range
    tiny = dataclasses.replace(table, chunk=(column, source.replace("?", str(CHUNK_ROWS))))
    whole = dataclasses.replace(table, chunk=None)
    a = _write(demo_db, tmp_path / "chunked", tiny, methodology)
    b = _write(demo_db, tmp_path / "whole", whole, methodology)
    assert parquet_rows(a, "SELECT count(*) FROM t")[0][0] > 0
    assert a.read_bytes() == b.read_bytes()


def test_rows_outside_the_key_estimate_are_still_written(demo_db, tmp_path, methodology):
    table = default_registry().get("audit_answers")
    # the estimate only knows audit 0: every real audit lies above the last cut
    partial = dataclasses.replace(table, chunk=("audit_id", f"SELECT 0, {CHUNK_ROWS} UNION ALL SELECT 1, 1"))
    whole = dataclasses.replace(table, chunk=None)
    a = _write(demo_db, tmp_path / "partial", partial, methodology)
    b = _write(demo_db, tmp_path / "whole", whole, methodology)
    assert a.read_bytes() == b.read_bytes()


def test_chunk_bounds_cut_after_each_full_chunk():
    assert chunk_bounds([(3, 5), (1, 5), (2, 5), (4, 5)], chunk_rows=10) == [3]
    assert chunk_bounds([(1, 10), (2, 10), (3, 10)], chunk_rows=10) == [2, 3]


def test_chunk_bounds_of_nothing_is_one_chunk():
    assert chunk_bounds([], chunk_rows=10) == []
    assert chunk_bounds([(None, 50)], chunk_rows=10) == []


def test_row_groups_are_fixed_whatever_the_appended_sizes(tmp_path):
    schema = pa.schema([("n", pa.int64()), ("s", pa.string())])
    total = ROW_GROUP_ROWS * 2 + 7
    rows = pa.table({"n": list(range(total)), "s": [f"r{i}" for i in range(total)]}, schema=schema)
    files = []
    for name, sizes in (("a", [total]), ("b", [1, ROW_GROUP_ROWS, 5, total - ROW_GROUP_ROWS - 6])):
        sink = ParquetSink(tmp_path / f"{name}.parquet", schema)
        start = 0
        for size in sizes:
            sink.append(rows.slice(start, size))
            start += size
        assert sink.close() == total
        files.append(tmp_path / f"{name}.parquet")
    meta = pq.ParquetFile(files[0]).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 7]
    assert files[0].read_bytes() == files[1].read_bytes()


def test_an_empty_result_still_writes_the_declared_schema(tmp_path):
    schema = pa.schema([("d", pa.date32()), ("ok", pa.bool_())])
    sink = ParquetSink(tmp_path / "e.parquet", schema)
    assert sink.close() == 0
    assert pq.read_schema(tmp_path / "e.parquet").equals(schema)
