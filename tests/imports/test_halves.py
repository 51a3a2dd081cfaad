"""Parsing a large file in two processes gives what one process gives."""

import datetime as dt
import os

import pytest

from ansinh.imports.halves import can_fork, in_halves
from ansinh.imports.services import import_stage

needs_fork = pytest.mark.skipif(not can_fork(), reason="needs fork and two cores")


def _pids(start, end):
    return [(i, os.getpid()) for i in range(start, end)]


@needs_fork
def test_the_second_half_runs_in_another_process_and_the_halves_join_in_order():
    out = in_halves(_pids, 10, lambda a, b: a + b, min_rows=2)
    assert [i for i, _ in out] == list(range(10))
    assert {pid for _, pid in out[:5]} == {os.getpid()}
    assert {pid for _, pid in out[5:]} != {os.getpid()}


def test_below_the_threshold_or_switched_off_one_process_does_it_all():
    for n, min_rows in ((10, 11), (10, 0), (1, 1)):
        out = in_halves(_pids, n, lambda a, b: a + b, min_rows=min_rows)
        assert out == [(i, os.getpid()) for i in range(n)]


def _fails_in_child(start, end):
    if start > 0:
        raise ValueError(f"dòng {start}")
    return [start]


@needs_fork
def test_an_error_in_the_child_reaches_the_caller():
    with pytest.raises(ValueError, match="dòng 2"):
        in_halves(_fails_in_child, 4, lambda a, b: a + b, min_rows=2)


def _dies_in_child(start, end):
    if start > 0 and os.getpid() != _PARENT[0]:
        os._exit(3)  # killed, out of memory…
    return list(range(start, end))


_PARENT = [os.getpid()]


@needs_fork
def test_a_child_that_dies_leaves_its_half_to_this_process():
    _PARENT[0] = os.getpid()
    assert in_halves(_dies_in_child, 6, lambda a, b: a + b, min_rows=2) == list(range(6))


def _rows(id_number):
    """Valid households and rows with every kind of problem, spread over the whole file."""
    rows = []
    for k in range(1, 31):
        code = f"H{k:03d}"
        rows.append([len(rows) + 1, f"Nguyễn Văn An {'Bình Châu'[k % 3:]}".strip(),
                     dt.datetime(1970 + k, 1 + k % 12, 1), "Nam", id_number("M", 1970 + k),
                     "Chủ hộ", code, f"Tổ {k}", "00004", "Kinh", f"09123456{k:02d}"])
        rows.append([len(rows) + 1, "Trần Thị Bình", f"0{1 + k % 9}/06/1978", "Nữ",
                     id_number("F", 1978), "Vợ", code, "", "00004", "Kinh", ""])
        if k % 4 == 0:
            rows.append([len(rows) + 1, "Lê Văn Sai", "31/02/1990", "Nam", "123", "Con", code,
                         "", "99999", "Kinh", "12"])
        if k % 5 == 0:
            rows.append([len(rows) + 1, "Lê Thị Trùng", "1995", "Nam", rows[0][4], "Con",
                         code, "", "00004", "Mường", ""])
        if k % 7 == 0:
            rows.append([None, None, "TỔNG CỘNG", None, None])
    return rows


def _stored(batch):
    return list(batch.rows.order_by("row_number").values_list(
        "row_number", "outcome", "raw", "id_number", "commune_id", "household_code",
        "parsed_values", "errors", "local_errors", "diff"))


@needs_fork
def test_a_file_parsed_in_two_processes_stages_exactly_as_in_one(xlsx, id_number, users,
                                                                 settings):
    path = xlsx(_rows(id_number))
    officer = users["commune_officer"]
    staged = []
    for min_rows in (0, 2):
        settings.IMPORT_PARALLEL_MIN_ROWS = min_rows
        with open(path, "rb") as f:
            staged.append(import_stage(officer, f, path.name))
    one, two = staged
    assert one.counts == two.counts
    assert one.rejected_count >= 6 and one.new_count >= 60
    # Row ids and reserved registry ids differ between two batches; everything read does not.
    assert _stored(one) == _stored(two)
