"""The donor/pledge spreadsheet of a campaign: read as centres write it, checked row by row,
applied in one transaction, and idempotent."""

import csv
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds.donor_import import (
    DonorImportError,
    Target,
    parse_money,
    rejects_xlsx,
    run,
)
from ansinh.funds.models import Donor, Pledge
from ansinh.funds.services import campaign_create, donor_create

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Tên nhà tài trợ/Đơn vị", "Loại", "Mã số thuế", "Điện thoại",
          "Số tiền cam kết (đồng)", "Hiện vật cam kết", "Ngày cam kết", "Hiển thị"]


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["commune"], name="Thủ Đức nghĩa tình",
                           starts_on=date(2026, 1, 1), target_amount=5_200_000_000,
                           funds=[fund])


@pytest.fixture
def target(geo, campaign):
    return Target(area=geo["commune"], campaign=campaign)


def write_xlsx(path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(["TRUNG TÂM AN SINH XÃ HỘI"])
    sheet.append(["DANH SÁCH NHÀ TÀI TRỢ CHƯƠNG TRÌNH «THỦ ĐỨC NGHĨA TÌNH»"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append(["", "Tổng cộng", "", "", "", 0])
    book.save(path)
    return str(path)


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["DANH SÁCH NHÀ TÀI TRỢ"])
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


ROWS = [
    [1, "Công ty TNHH Xây dựng Bình An", "Doanh nghiệp", "0312345678", "0908123456",
     500_000_000, "", datetime(2026, 1, 10), "Công khai"],
    [2, "Nguyễn Thị Lan", "Cá nhân", "", "0912 345 678", "10.000.000", "", "12/01/2026",
     "Ẩn danh"],
    [3, "Trường Cao đẳng nghề Thủ Đức", "", "", "", "", "30 suất học nghề", "15/01/2026", ""],
    [4, "Ngân hàng TMCP Á Châu", "", "0301452948", "", "1,2 tỷ", "", "2026-01-20", ""],
]


def test_it_reads_title_rows_vietnamese_headers_and_creates_donors_and_pledges(
        officer, target, tmp_path):
    report = run(officer, write_xlsx(tmp_path / "ds.xlsx", ROWS), target)
    assert [r.outcome for r in report.rows] == ["new"] * 4, [r.errors for r in report.rows]
    assert [r.number for r in report.rows] == [5, 6, 7, 8]  # as Excel shows them
    lan = Donor.objects.get(name="Nguyễn Thị Lan")
    assert (lan.kind, lan.display, lan.phone) == ("individual", "anonymous", "0912345678")
    school = Donor.objects.get(name="Trường Cao đẳng nghề Thủ Đức")
    assert school.kind == "domestic_org"  # no «Loại»: read from the name
    assert Donor.objects.get(tax_code="0301452948").kind == "business"
    pledges = {p.donor.name: p for p in Pledge.objects.select_related("donor")}
    assert pledges["Công ty TNHH Xây dựng Bình An"].amount == 500_000_000
    assert pledges["Công ty TNHH Xây dựng Bình An"].pledged_on == date(2026, 1, 10)
    assert pledges["Ngân hàng TMCP Á Châu"].amount == 1_200_000_000
    assert pledges["Trường Cao đẳng nghề Thủ Đức"].in_kind == "30 suất học nghề"
    assert pledges["Trường Cao đẳng nghề Thủ Đức"].amount is None
    assert {p.campaign_id for p in pledges.values()} == {target.campaign.pk}
    assert (report.donors_created, report.pledges_created) == (4, 4)


def test_reimporting_the_same_file_changes_nothing(officer, target, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    run(officer, path, target)
    events = AuditEvent.objects.count()
    report = run(officer, path, target)
    assert [r.outcome for r in report.rows] == ["unchanged"] * 4
    assert (Donor.objects.count(), Pledge.objects.count()) == (4, 4)
    assert AuditEvent.objects.count() == events  # not even an import row
    assert not report.applied


def test_known_donors_are_matched_by_tax_code_or_folded_name(officer, geo, target, tmp_path):
    known = donor_create(officer, area=geo["commune"], kind="business",
                         name="Cty Bình An (cũ)", tax_code="0312345678")
    lan = donor_create(officer, area=geo["commune"], kind="individual", name="Nguyễn Thị Lan")
    rows = [ROWS[0], [2, "NGUYEN THI LAN", "Cá nhân", "", "0912345678", 1_000_000, "",
                      "12/01/2026", "Ẩn danh"]]
    report = run(officer, write_csv(tmp_path / "ds.csv", rows), target)
    assert [r.donor.pk for r in report.rows] == [known.pk, lan.pk]
    assert Donor.objects.count() == 2
    lan.refresh_from_db()
    # A matched donor gains what it lacked and the display wish; its name is kept.
    assert (lan.name, lan.phone, lan.display) == ("Nguyễn Thị Lan", "0912345678", "anonymous")
    assert report.rows[1].outcome == "new"  # the pledge is new
    assert report.donors_updated == 2  # the company gains its phone number


def test_a_same_named_donor_with_another_tax_code_is_a_different_donor(officer, geo, target,
                                                                       tmp_path):
    donor_create(officer, area=geo["commune"], kind="business",
                 name="Công ty TNHH Xây dựng Bình An", tax_code="0399999999")
    run(officer, write_csv(tmp_path / "ds.csv", [ROWS[0]]), target)
    assert Donor.objects.filter(name="Công ty TNHH Xây dựng Bình An").count() == 2


def test_donors_in_another_area_are_not_matched(officer, geo, target, fund_users, tmp_path):
    donor_create(fund_users["province_officer"], area=geo["sibling_commune"],
                 kind="individual", name="Nguyễn Thị Lan")
    run(officer, write_csv(tmp_path / "ds.csv", [ROWS[1]]), target)
    assert Donor.objects.filter(name="Nguyễn Thị Lan").count() == 2


def test_bad_rows_are_named_by_row_field_and_rule_and_the_rest_is_applied(officer, target,
                                                                          tmp_path):
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    rows = [
        ROWS[0],
        [2, "", "Cá nhân", "", "", 1_000_000, "", "12/01/2026", ""],
        [3, "Lê Văn Hùng", "Người ngoài hành tinh", "", "", 1_000_000, "", "12/01/2026", ""],
        [4, "Phạm Minh", "Cá nhân", "", "", "-500.000", "", "12/01/2026", ""],
        [5, "Trần Hòa", "Cá nhân", "", "", 1_000_000, "", future, ""],
        [6, "Võ Mai", "Cá nhân", "", "", "một triệu", "", "12/01/2026", ""],
        [7, "Đỗ Quyên", "Cá nhân", "12345", "", 1_000_000, "", "12/01/2026", ""],
        [8, "Hà Tâm", "Cá nhân", "", "12", 1_000_000, "", "12/01/2026", ""],
        [9, "Hope Org", "Tổ chức nước ngoài", "", "", 1_000_000, "", "12/01/2026", ""],
        [10, "Mai Hương", "Cá nhân", "", "", 1_000_000, "", "", ""],
        [11, "Bùi Lâm", "Cá nhân", "", "", 1_000_000, "", "12/01/2026", "Có thể"],
        [12, "Công ty TNHH Xây dựng Bình An", "", "0312345678", "", 500_000_000, "",
         datetime(2026, 1, 10), ""],
    ]
    report = run(officer, write_xlsx(tmp_path / "ds.xlsx", rows), target)
    errors = {r.number: r.errors for r in report.rows}
    fields = {number: [f for f, _ in errs] for number, errs in errors.items()}
    assert fields == {5: [], 6: ["name"], 7: ["kind"], 8: ["amount"], 9: ["pledged_on"],
                      10: ["amount"], 11: ["tax_code"], 12: ["phone"], 13: ["country"],
                      14: ["pledged_on"], 15: ["display"], 16: ["amount"]}
    assert "lớn hơn 0" in errors[8][0][1]
    assert "không được sau" in errors[9][0][1]
    assert "trùng với dòng 5" in errors[16][0][1]
    assert Donor.objects.count() == 1 and Pledge.objects.count() == 1
    out = tmp_path / "rejects.xlsx"
    out.write_bytes(rejects_xlsx(report))
    sheet = load_workbook(out).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][0] == "Dòng" and values[0][-1] == "Lỗi"
    assert "Tên nhà tài trợ/Đơn vị" in values[0]
    assert [v[0] for v in values[1:]] == [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    assert values[2][-1].startswith("Loại:")


def test_a_dry_run_writes_nothing(officer, target, tmp_path):
    report = run(officer, write_xlsx(tmp_path / "ds.xlsx", ROWS), target, dry_run=True)
    assert report.count("new") == 4
    assert not Donor.objects.exists() and not Pledge.objects.exists()


def test_an_officer_outside_the_area_is_refused_the_whole_file(fund_users, target, tmp_path):
    with pytest.raises(DonorImportError):
        run(fund_users["foreign_officer"], write_xlsx(tmp_path / "ds.xlsx", ROWS), target)
    assert not Donor.objects.exists()


def test_a_file_without_a_donor_column_or_not_a_spreadsheet_is_refused(officer, target,
                                                                       tmp_path):
    with pytest.raises(DonorImportError, match="tiêu đề"):
        run(officer, write_csv(tmp_path / "x.csv", [["a", "b"]], header=["Họ", "Tuổi"]),
            target)
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(DonorImportError):
        run(officer, str(bad), target)


def test_amounts_in_millions_are_refused_rather_than_misread(officer, target, tmp_path):
    header = ["Tên nhà tài trợ", "Số tiền cam kết (triệu đồng)", "Ngày cam kết"]
    path = write_csv(tmp_path / "ds.csv", [["Lý Thu", 5, "01/01/2026"]], header=header)
    with pytest.raises(DonorImportError, match="triệu"):
        run(officer, path, target)
    assert not Donor.objects.exists()


def test_the_whole_apply_is_one_transaction(officer, target, tmp_path, monkeypatch):
    from ansinh.funds import donor_import

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(donor_import.services, "pledge_create", broken)
    with pytest.raises(RuntimeError):
        run(officer, write_xlsx(tmp_path / "ds.xlsx", ROWS), target)
    assert not Donor.objects.exists()


def test_two_rows_of_one_new_donor_make_one_donor_and_two_pledges(officer, target, tmp_path):
    rows = [[1, "Nguyễn Văn Phúc", "Cá nhân", "", "", 2_000_000, "", "05/01/2026", ""],
            [2, "Nguyễn Văn Phúc", "Cá nhân", "", "", "", "100 thùng mì", "06/01/2026", ""]]
    report = run(officer, write_csv(tmp_path / "ds.csv", rows), target)
    assert [r.outcome for r in report.rows] == ["new", "new"]
    assert Donor.objects.count() == 1 and Pledge.objects.count() == 2


def test_the_import_is_audited_with_its_counts(officer, target, tmp_path):
    run(officer, write_xlsx(tmp_path / "ds.xlsx", ROWS), target)
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.object_type == "campaign" and event.changes["pledges_created"] == 4
    assert AuditEvent.objects.filter(object_type="pledge").count() == 4


def test_an_anonymous_column_marks_donors_anonymous(officer, target, tmp_path):
    header = ["Họ và tên", "Số tiền", "Ngày cam kết", "Ẩn danh"]
    rows = [["Lý Thu", 100_000, "01/01/2026", "x"], ["Lý Đông", 100_000, "01/01/2026", ""]]
    run(officer, write_csv(tmp_path / "ds.csv", rows, header=header), target)
    assert dict(Donor.objects.values_list("name", "display")) == {
        "Lý Thu": "anonymous", "Lý Đông": "named"}


@pytest.mark.parametrize("raw, expected", [
    (1_500_000, 1_500_000), (1_500_000.0, 1_500_000), ("1.500.000", 1_500_000),
    ("1,500,000 đ", 1_500_000), ("1500000 VNĐ", 1_500_000), ("5,2 tỷ", 5_200_000_000),
    ("300 triệu", 300_000_000), ("500k", 500_000), ("", None), (None, None),
])
def test_money_is_read_as_centres_write_it(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", [0, -1, 1.5, "1.5", "abc", "1,2,3", "-1.000", True,
                                 "0,00000000001 tỷ"])
def test_money_that_is_not_whole_positive_dong_is_refused(raw):
    with pytest.raises(ValueError):
        parse_money(raw)
