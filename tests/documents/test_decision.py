import dataclasses
import io
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from ansinh.documents.decision import (
    DecisionDocument,
    DecisionKind,
    render_docx,
    render_pdf,
    render_pdf_batch,
)
from tests.documents.readers import docx_text, pdf_pages, pdf_text

BASES = [
    "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
    "Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách"
    " trợ giúp xã hội đối với đối tượng bảo trợ xã hội;",
    "Căn cứ Nghị định số 147/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ",
]


def grant(**changes) -> DecisionDocument:
    fields = dict(
        kind="grant", commune_name="Ngọc Hà", number=12, signed_on=date(2026, 1, 5),
        signer_name="Trần Văn Thắng", full_name="Nguyễn Thị Hoa", gender="nữ",
        birth_date=date(1941, 3, 12), id_number="001141000123",
        residence="Thôn Đồng Tâm, xã Ngọc Hà, tỉnh Tuyên Quang",
        category_label="Người cao tuổi từ đủ 80 tuổi trở lên không có lương hưu",
        coefficient=Decimal("1.5"), monthly_amount=750_000, first_month=date(2026, 1, 1),
        legal_bases=BASES, proposer="công chức Văn hóa - Xã hội",
        recipients=["Như Điều 3;", "Bưu điện xã", "Lưu: VT, VHXH"],
    )
    fields.update(changes)
    return DecisionDocument(**fields)


EXPECTED = [
    "ỦY BAN NHÂN DÂN",
    "XÃ NGỌC HÀ",
    "Số: 12/QĐ-UBND",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Ngọc Hà, ngày 05 tháng 01 năm 2026",
    "QUYẾT ĐỊNH",
    "Về việc trợ cấp xã hội hằng tháng",
    "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ NGỌC HÀ",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Căn cứ Nghị định số 147/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ;",
    "Theo đề nghị của công chức Văn hóa - Xã hội.",
    "QUYẾT ĐỊNH:",
    "Điều 1. Trợ cấp xã hội hằng tháng đối với Bà Nguyễn Thị Hoa, cụ thể như sau:",
    "- Ngày, tháng, năm sinh: 12/03/1941;",
    "- Số định danh cá nhân: 001141000123;",
    "- Nơi cư trú: Thôn Đồng Tâm, xã Ngọc Hà, tỉnh Tuyên Quang;",
    "- Thuộc đối tượng: Người cao tuổi từ đủ 80 tuổi trở lên không có lương hưu;",
    "- Hệ số: 1,5;",
    "- Mức hưởng: 750.000 đồng/tháng (Bằng chữ: Bảy trăm năm mươi nghìn đồng/tháng);",
    "- Thời điểm hưởng: kể từ tháng 01 năm 2026.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 3.",
    "Nơi nhận:",
    "- Như Điều 3;",
    "- Bưu điện xã;",
    "- Lưu: VT, VHXH.",
    "CHỦ TỊCH",
    "Trần Văn Thắng",
]


def test_the_docx_holds_every_element_of_the_format():
    text = docx_text(render_docx(grant()))
    for expected in EXPECTED:
        assert expected in text, expected
    assert "(Đã ký)" not in text


def test_the_pdf_holds_the_same_text():
    text = pdf_text(render_pdf(grant()))
    for expected in EXPECTED:
        assert expected in text, expected


def test_the_pdf_embeds_its_font():
    reader = PdfReader(io.BytesIO(render_pdf(grant())))
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("LiberationSerif" in name for name in fonts)
    assert all("/FontFile2" in font["/DescendantFonts"][0]["/FontDescriptor"]
               for page in reader.pages for font in page["/Resources"]["/Font"].values())


def _runs_with(document, text, *, exact=False):
    return [run for paragraph in _all_paragraphs(document) for run in paragraph.runs
            if (run.text == text if exact else text in run.text)]


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def test_the_docx_is_styled_as_decree_30_asks():
    document = Document(io.BytesIO(render_docx(grant())))
    section = document.sections[0]
    # Lengths are stored in twentieths of a point: compare in whole millimetres.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.top_margin.mm) == 20
    assert document.styles["Normal"].font.name == "Times New Roman"

    (unit,) = _runs_with(document, "XÃ NGỌC HÀ", exact=True)
    assert unit.bold and unit.font.size == Pt(13)
    (motto,) = _runs_with(document, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.underline
    (dated,) = _runs_with(document, "ngày 05 tháng 01 năm 2026")
    assert dated.italic and not dated.bold
    bases = _runs_with(document, "Căn cứ")
    assert len(bases) == 3 and all(run.italic for run in bases)
    (article,) = _runs_with(document, "Điều 1.")
    assert article.bold
    (recipients,) = _runs_with(document, "Nơi nhận:")
    assert recipients.bold and recipients.italic and recipients.font.size == Pt(12)
    sizes = {run.font.size for p in _all_paragraphs(document) for run in p.runs if run.text}
    assert sizes <= {Pt(11), Pt(12), Pt(13), Pt(14)}


def test_a_signed_copy_shows_the_mark_in_the_signature_space():
    document = grant(signed=True)
    assert "(Đã ký)" in docx_text(render_docx(document))
    assert "(Đã ký)" in pdf_text(render_pdf(document))


@pytest.mark.parametrize(
    "number, line",
    [(5, "Số: 05/QĐ-UBND"), ("7", "Số: 07/QĐ-UBND"), ("123/QĐ-CT", "Số: 123/QĐ-CT")],
)
def test_numbers_below_ten_take_a_leading_zero(number, line):
    assert grant(number=number).number_line == line


def test_an_unnumbered_draft_keeps_the_blank_for_the_records_office():
    assert grant(number=None).number_line.startswith("Số:  ")
    assert grant(number=None).number_line.endswith("/QĐ-UBND")


def test_only_january_and_february_take_a_leading_zero_in_dates():
    text = docx_text(render_docx(grant(signed_on=date(2026, 3, 9),
                                       first_month=date(2026, 3, 1))))
    assert "Ngọc Hà, ngày 09 tháng 3 năm 2026" in text
    assert "kể từ tháng 3 năm 2026" in text


def test_decomposed_input_is_printed_composed():
    name = unicodedata.normalize("NFD", "Đặng Thị Lựu")
    assert name != "Đặng Thị Lựu"
    document = grant(full_name=name)
    assert "Đặng Thị Lựu" in docx_text(render_docx(document))
    assert "Đặng Thị Lựu" in pdf_text(render_pdf(document))


KIND_WORDING = {
    "adjust": (dict(previous_monthly_amount=500_000, previous_coefficient=1, coefficient=2,
                    monthly_amount=1_000_000, reason="Xác định lại mức độ khuyết tật"),
               ["Về việc điều chỉnh mức trợ cấp xã hội hằng tháng",
                "Mức đang hưởng: 500.000 đồng/tháng (hệ số 1,0)",
                "Mức hưởng mới: 1.000.000 đồng/tháng (Bằng chữ: Một triệu đồng/tháng)",
                "Thời điểm điều chỉnh: kể từ tháng 01 năm 2026"]),
    "suspend": (dict(reason="Không nhận trợ cấp 3 tháng liên tục"),
                ["Về việc tạm dừng trợ cấp xã hội hằng tháng",
                 "Lý do tạm dừng: Không nhận trợ cấp 3 tháng liên tục",
                 "Thời điểm tạm dừng: kể từ tháng 01 năm 2026."]),
    "resume": (dict(arrears_amount=2_250_000, arrears_from=date(2025, 10, 1),
                    arrears_to=date(2025, 12, 1)),
               ["Về việc tiếp tục thực hiện trợ cấp xã hội hằng tháng",
                "Truy lĩnh: 2.250.000 đồng (Bằng chữ: Hai triệu hai trăm năm mươi nghìn đồng),"
                " cho thời gian từ tháng 10 năm 2025 đến tháng 12 năm 2025."]),
    "terminate": (dict(reason="Đối tượng chết", death_date=date(2025, 12, 20),
                       first_month=date(2026, 1, 1)),
                  ["Về việc thôi hưởng trợ cấp xã hội hằng tháng",
                   "Lý do thôi hưởng: Đối tượng chết", "Ngày chết: 20/12/2025",
                   "Thời điểm thôi hưởng: kể từ tháng 01 năm 2026."]),
    "move_out": (dict(new_residence="Phường Hà Giang 1, tỉnh Tuyên Quang"),
                 ["Về việc thôi hưởng trợ cấp xã hội hằng tháng do chuyển nơi cư trú",
                  "Nơi cư trú mới: Phường Hà Giang 1, tỉnh Tuyên Quang",
                  "Chuyển hồ sơ của người có tên tại Điều 1 đến Ủy ban nhân dân nơi cư trú mới"]),
    "funeral": (dict(funeral_amount=10_000_000, death_date=date(2025, 12, 20),
                     funeral_payee="Ông Nguyễn Văn Bình (con trai)", monthly_amount=None,
                     coefficient=None),
                ["Về việc hỗ trợ chi phí mai táng",
                 "Điều 1. Hỗ trợ chi phí mai táng đối với Bà Nguyễn Thị Hoa",
                 "Mức hỗ trợ: 10.000.000 đồng (Bằng chữ: Mười triệu đồng)",
                 "Người nhận hỗ trợ: Ông Nguyễn Văn Bình (con trai)"]),
}


@pytest.mark.parametrize("kind", sorted(KIND_WORDING))
def test_each_kind_of_decision_says_what_it_decides(kind):
    changes, expected = KIND_WORDING[kind]
    document = grant(kind=kind, **changes)
    docx, pdf = docx_text(render_docx(document)), pdf_text(render_pdf(document))
    for line in expected:
        assert line in docx, line
        assert line in pdf, line


def test_every_kind_has_a_wording():
    assert set(KIND_WORDING) | {"grant"} == {kind.value for kind in DecisionKind}


@pytest.mark.parametrize(
    "kind, missing",
    [("grant", dict(monthly_amount=None)), ("suspend", dict(reason="")),
     ("move_out", dict(new_residence="")), ("funeral", dict(funeral_amount=None))],
)
def test_a_decision_missing_what_it_must_state_is_refused(kind, missing):
    with pytest.raises(ValueError, match="thiếu thông tin"):
        grant(kind=kind, **missing)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        grant(kind="promote")


def test_a_vice_chairman_signs_for_the_chairman():
    document = grant(signer_prefix="KT. Chủ tịch", signer_title="Phó Chủ tịch")
    text = docx_text(render_docx(document))
    assert "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ NGỌC HÀ" in text  # the authority does not change


def test_the_signature_never_stands_alone_on_the_last_page():
    long_bases = BASES + [f"Quyết định số {n}/QĐ-UBND ngày 01 tháng 7 năm 2025 của Ủy ban"
                          " nhân dân tỉnh về việc quy định mức chuẩn trợ giúp xã hội trên địa"
                          " bàn tỉnh" for n in range(1, 5)]
    pages = pdf_pages(render_pdf(grant(legal_bases=long_bases)))
    assert len(pages) == 2
    last = pages[-1]
    assert "Trần Văn Thắng" in last and "Điều" in last


def test_a_batch_prints_each_decision_from_a_new_page_and_numbers_its_own_pages():
    first, second = grant(), grant(full_name="Lê Văn Ượng", number=13, gender="nam")
    pages = pdf_pages(render_pdf_batch([first, second]))
    starts = [i for i, page in enumerate(pages) if page.startswith("ỦY BAN NHÂN DÂN")]
    assert len(starts) == 2
    assert "Bà Nguyễn Thị Hoa" in pages[starts[0]]
    assert "Ông Lê Văn Ượng" in pages[starts[1]]
    with pytest.raises(ValueError):
        render_pdf_batch([])


def test_the_same_decision_gives_the_same_pdf():
    assert render_pdf(grant()) == render_pdf(grant())


def test_the_dataclass_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        grant().full_name = "x"
