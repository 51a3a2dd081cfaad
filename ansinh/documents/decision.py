"""An individual administrative decision (Quyết định cá biệt) in the format of Decree 30/2020/NĐ-CP.

One decision per beneficiary and event: grant, adjustment, suspension, resumption, termination,
stop on moving out, funeral support. Since 01/07/2025 the commune chairman grants, adjusts and
ends the monthly allowance (Decree 147/2025, Art. 5.1), so the defaults describe a commune
People's Committee. Who decides funeral support is not confirmed for every province, and a
ward, a special zone or a department may issue instead: the body and the signer are fields.

The wording is built once as paragraphs of runs (`decision_paragraphs`), and the .docx and the
PDF only lay them out, so the two files always say the same thing.

Layout (Decree 30/2020, Appendix I): A4; margins 20–25 mm top and bottom, 30–35 mm left,
15–20 mm right; Times New Roman (the PDF embeds the metric-compatible Liberation Serif);
issuing body upper-case bold 13 pt with a short rule below; "Số:" 13 pt; national name
upper-case bold 13 pt, motto bold 14 pt underlined; place and date italic 14 pt; type of
document and summary bold 14 pt; body 14 pt justified with a 1 cm first-line indent (the PDF
drops to 13 pt when that keeps the signature with the text); "Nơi nhận:" bold italic 12 pt and
its lines 11 pt; signer's position and name bold 14 pt; page numbers from the second page,
centred at the top.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ansinh.core.money_words import amount_in_words, format_vnd
from ansinh.documents.pdf import DocumentPDF
from ansinh.documents.text import (
    coefficient,
    dmy,
    honorific,
    listed,
    month_phrase,
    nfc,
    place_and_date,
)


class DecisionKind(StrEnum):
    GRANT = "grant"
    ADJUST = "adjust"
    SUSPEND = "suspend"
    RESUME = "resume"
    TERMINATE = "terminate"
    MOVE_OUT = "move_out"
    FUNERAL = "funeral"


@dataclass(frozen=True)
class DecisionDocument:
    """Everything printed on one decision. Text is given in normal case; titles are upper-cased
    where the format wants capitals.

    `first_month` is the first month the decision changes: the first month paid for a grant,
    an adjustment or a resumption, the first month not paid for a suspension, a termination or
    a move. `signed` prints "(Đã ký)" in the signature space, for the copy of a decision that
    has been signed; an original to be signed leaves the space blank.
    """

    kind: DecisionKind | str
    commune_name: str
    signed_on: date
    signer_name: str
    full_name: str
    number: int | str | None = None
    symbol: str = "QĐ-UBND"
    commune_kind: str = "xã"
    body_name: str = "Ủy ban nhân dân"
    parent_body: str = ""
    place: str = ""
    authority_title: str = "Chủ tịch"
    signer_title: str = "Chủ tịch"
    signer_prefix: str = ""
    signed: bool = False
    legal_bases: Sequence[str] = ()
    proposer: str = ""
    birth_date: date | str | None = None
    gender: str | None = None
    id_number: str = ""
    residence: str = ""
    benefit_label: str = "trợ cấp xã hội hằng tháng"
    category_label: str = ""
    coefficient: Decimal | float | str | None = None
    monthly_amount: int | None = None
    first_month: date | None = None
    reason: str = ""
    previous_coefficient: Decimal | float | str | None = None
    previous_monthly_amount: int | None = None
    arrears_amount: int = 0
    arrears_from: date | None = None
    arrears_to: date | None = None
    new_residence: str = ""
    death_date: date | None = None
    funeral_amount: int | None = None
    funeral_payee: str = ""
    summary: str = ""
    article_2: str = ""
    article_3: str = ""
    recipients: Sequence[str] = ()

    def __post_init__(self):
        object.__setattr__(self, "kind", DecisionKind(self.kind))
        missing = [name for name in _REQUIRED[self.kind] if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(
                f"Quyết định loại «{self.kind}» thiếu thông tin: {', '.join(missing)}."
            )

    @property
    def unit(self) -> str:
        """"xã Ngọc Hà"."""
        return f"{nfc(self.commune_kind)} {nfc(self.commune_name)}".strip()

    @property
    def number_line(self) -> str:
        # Decree 30: numbers below 10 take a leading zero; an unnumbered draft keeps the blank
        # that the records office fills in when it registers the decision.
        if self.number in (None, ""):
            return f"Số:        /{self.symbol}"
        if isinstance(self.number, int):
            return f"Số: {self.number:02d}/{self.symbol}"
        number = nfc(str(self.number)).strip()
        return f"Số: {number}" if "/" in number else f"Số: {number.zfill(2)}/{self.symbol}"

    @property
    def title_summary(self) -> str:
        if self.summary:
            return nfc(self.summary)
        benefit = nfc(self.benefit_label)
        return {
            DecisionKind.GRANT: f"Về việc {benefit}",
            DecisionKind.ADJUST: f"Về việc điều chỉnh mức {benefit}",
            DecisionKind.SUSPEND: f"Về việc tạm dừng {benefit}",
            DecisionKind.RESUME: f"Về việc tiếp tục thực hiện {benefit}",
            DecisionKind.TERMINATE: f"Về việc thôi hưởng {benefit}",
            DecisionKind.MOVE_OUT: f"Về việc thôi hưởng {benefit} do chuyển nơi cư trú",
            DecisionKind.FUNERAL: "Về việc hỗ trợ chi phí mai táng",
        }[self.kind]


_REQUIRED = {
    DecisionKind.GRANT: ("monthly_amount", "first_month"),
    DecisionKind.ADJUST: ("monthly_amount", "first_month"),
    DecisionKind.SUSPEND: ("first_month", "reason"),
    DecisionKind.RESUME: ("monthly_amount", "first_month"),
    DecisionKind.TERMINATE: ("first_month", "reason"),
    DecisionKind.MOVE_OUT: ("first_month", "new_residence"),
    DecisionKind.FUNERAL: ("funeral_amount",),
}


# --- wording -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    centred: bool = False
    indent: bool = True
    space_before: float = 0  # points
    space_after: float = 6


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _money(amount: int, per_month: bool) -> str:
    """"750.000 đồng/tháng (Bằng chữ: Bảy trăm năm mươi nghìn đồng/tháng)"."""
    per = "/tháng" if per_month else ""
    return f"{format_vnd(amount, 'đồng' + per)} (Bằng chữ: {amount_in_words(amount)}{per})"


def _person_lines(doc: DecisionDocument) -> list[str]:
    lines = []
    if doc.birth_date:
        lines.append(f"Ngày, tháng, năm sinh: {dmy(doc.birth_date)}")
    if doc.id_number:
        lines.append(f"Số định danh cá nhân: {nfc(doc.id_number)}")
    if doc.residence:
        lines.append(f"Nơi cư trú: {nfc(doc.residence)}")
    if doc.category_label:
        lines.append(f"Thuộc đối tượng: {nfc(doc.category_label)}")
    return lines


def _amount_lines(doc: DecisionDocument, label: str = "Mức hưởng") -> list[str]:
    lines = []
    if doc.coefficient not in (None, ""):
        lines.append(f"Hệ số: {coefficient(doc.coefficient)}")
    if doc.monthly_amount is not None:
        lines.append(f"{label}: {_money(doc.monthly_amount, per_month=True)}")
    return lines


def article_1(doc: DecisionDocument) -> tuple[str, list[str]]:
    """The lead sentence of Article 1 and its item lines (without the "- " bullets)."""
    honour = honorific(doc.gender)
    subject = f"{honour} {nfc(doc.full_name)}".strip()
    benefit = nfc(doc.benefit_label)
    since = month_phrase(doc.first_month) if doc.first_month else ""
    reason = [f"Lý do: {nfc(doc.reason)}"] if doc.reason else []
    kind = doc.kind
    if kind is DecisionKind.GRANT:
        lead = f"{_capitalise(benefit)} đối với {subject}, cụ thể như sau:"
        items = _person_lines(doc) + _amount_lines(doc) + [f"Thời điểm hưởng: kể từ {since}"]
    elif kind is DecisionKind.ADJUST:
        lead = f"Điều chỉnh mức {benefit} đối với {subject}, cụ thể như sau:"
        before = []
        if doc.previous_monthly_amount is not None:
            was = format_vnd(doc.previous_monthly_amount, "đồng/tháng")
            if doc.previous_coefficient not in (None, ""):
                was += f" (hệ số {coefficient(doc.previous_coefficient)})"
            before = [f"Mức đang hưởng: {was}"]
        items = (_person_lines(doc) + before + _amount_lines(doc, "Mức hưởng mới") + reason
                 + [f"Thời điểm điều chỉnh: kể từ {since}"])
    elif kind is DecisionKind.SUSPEND:
        lead = f"Tạm dừng {benefit} đối với {subject}, cụ thể như sau:"
        items = (_person_lines(doc) + _amount_lines(doc, "Mức đang hưởng")
                 + [f"Lý do tạm dừng: {nfc(doc.reason)}", f"Thời điểm tạm dừng: kể từ {since}"])
    elif kind is DecisionKind.RESUME:
        lead = f"Tiếp tục thực hiện {benefit} đối với {subject}, cụ thể như sau:"
        items = _person_lines(doc) + _amount_lines(doc) + reason
        items.append(f"Thời điểm tiếp tục hưởng: kể từ {since}")
        if doc.arrears_amount:
            line = f"Truy lĩnh: {_money(doc.arrears_amount, per_month=False)}"
            if doc.arrears_from and doc.arrears_to:
                line += (f", cho thời gian từ {month_phrase(doc.arrears_from)}"
                         f" đến {month_phrase(doc.arrears_to)}")
            items.append(line)
    elif kind is DecisionKind.TERMINATE:
        lead = f"Thôi hưởng {benefit} đối với {subject}, cụ thể như sau:"
        items = _person_lines(doc) + [f"Lý do thôi hưởng: {nfc(doc.reason)}"]
        if doc.death_date:
            items.append(f"Ngày chết: {dmy(doc.death_date)}")
        items.append(f"Thời điểm thôi hưởng: kể từ {since}")
    elif kind is DecisionKind.MOVE_OUT:
        lead = (f"Thôi hưởng {benefit} tại {doc.unit} đối với {subject} do chuyển nơi cư trú,"
                " cụ thể như sau:")
        items = (_person_lines(doc) + [f"Nơi cư trú mới: {nfc(doc.new_residence)}"] + reason
                 + [f"Thời điểm thôi hưởng tại {doc.unit}: kể từ {since}"])
    else:  # funeral
        lead = f"Hỗ trợ chi phí mai táng đối với {subject}, cụ thể như sau:"
        items = _person_lines(doc)
        if doc.death_date:
            items.append(f"Ngày chết: {dmy(doc.death_date)}")
        items.append(f"Mức hỗ trợ: {_money(doc.funeral_amount, per_month=False)}")
        if doc.funeral_payee:
            items.append(f"Người nhận hỗ trợ: {nfc(doc.funeral_payee)}")
        items += reason
    return lead, items


def _article_2(doc: DecisionDocument) -> str:
    if doc.article_2:
        return nfc(doc.article_2)
    if doc.kind is DecisionKind.MOVE_OUT:
        # Decree 147/2025: the old commune stops payment and sends the file to the new one.
        return ("Chuyển hồ sơ của người có tên tại Điều 1 đến Ủy ban nhân dân nơi cư trú mới để"
                " xem xét, quyết định theo quy định. Quyết định này có hiệu lực kể từ ngày ký.")
    return "Quyết định này có hiệu lực kể từ ngày ký."


def _article_3(doc: DecisionDocument) -> str:
    if doc.article_3:
        return nfc(doc.article_3)
    return (f"Văn phòng Hội đồng nhân dân và Ủy ban nhân dân {doc.unit}, các cơ quan, đơn vị có"
            " liên quan và các cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.")


def authority_line(doc: DecisionDocument) -> str:
    """"CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ NGỌC HÀ": who decides, above the legal bases."""
    return f"{nfc(doc.authority_title)} {nfc(doc.body_name)} {doc.unit}".upper()


def decision_paragraphs(doc: DecisionDocument) -> list[Paragraph]:
    """The body between the summary and the signature, in reading order."""
    paras = [Paragraph((Run(authority_line(doc), bold=True),), centred=True, indent=False,
                       space_before=12, space_after=12)]
    bases = []
    for basis in doc.legal_bases:
        text = nfc(basis).strip()
        bases.append(text if text.lower().startswith(("căn cứ", "theo")) else f"Căn cứ {text}")
    if doc.proposer:
        proposer = nfc(doc.proposer).strip()
        bases.append(proposer if proposer.lower().startswith("theo")
                     else f"Theo đề nghị của {proposer}")
    paras += [Paragraph((Run(line, italic=True),)) for line in listed(bases)]
    paras.append(Paragraph((Run("QUYẾT ĐỊNH:", bold=True),), centred=True, indent=False,
                           space_before=6, space_after=6))
    lead, items = article_1(doc)
    paras.append(Paragraph((Run("Điều 1. ", bold=True), Run(lead))))
    paras += [Paragraph((Run(f"- {line}"),)) for line in listed(items)]
    paras.append(Paragraph((Run("Điều 2. ", bold=True), Run(_article_2(doc)))))
    paras.append(Paragraph((Run("Điều 3. ", bold=True), Run(_article_3(doc)))))
    return paras


def _body_lines(doc: DecisionDocument) -> list[str]:
    """The issuing body's name on two lines, both bold: "ỦY BAN NHÂN DÂN" / "XÃ NGỌC HÀ" is one
    name (Decree 30, Appendix I, II.3). Only a parent body, above it, is in regular type."""
    return [nfc(doc.body_name).upper(), doc.unit.upper()]


def _recipients(doc: DecisionDocument) -> list[str]:
    return [f"- {line}" for line in listed(list(doc.recipients) or ["Như Điều 3", "Lưu: VT"])]


def _signer_lines(doc: DecisionDocument) -> list[str]:
    lines = [nfc(doc.signer_prefix).upper()] if doc.signer_prefix else []
    return lines + [nfc(doc.signer_title).upper()]


# --- .docx ---------------------------------------------------------------------------------

_FONT = "Times New Roman"


def _set_run(run, *, bold=False, italic=False, size=14, underline=False):
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = _FONT


def _para(container, text="", *, bold=False, italic=False, size=14, centred=True,
          underline=False, before=0, after=0):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = None
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    if text:
        _set_run(paragraph.add_run(text), bold=bold, italic=italic, size=size,
                 underline=underline)
    return paragraph


def _rule(container, *, width_cm: float, length_cm: float):
    """A short centred line: the bottom border of an empty paragraph indented from both sides.

    Decree 30 draws one under the issuing body and under the summary; a paragraph border moves
    with the text in Word and LibreOffice, where a drawn shape would float.
    """
    paragraph = _para(container, size=2)
    side = Cm(max(width_cm - length_cm, 0) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
    marker = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    marker.append(size)
    p_pr.append(marker)
    return paragraph


def _cell(table, row, col, width_cm):
    # Word reads the cell width, LibreOffice the table grid: set both.
    table.columns[col].width = Cm(width_cm)
    cell = table.cell(row, col)
    cell.width = Cm(width_cm)
    # A new cell holds one empty paragraph; drop it so content starts at the top.
    for paragraph in list(cell.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    return cell


def _page_number_header(section):
    """Page numbers centred at the top from the second page on (Decree 30, Appendix I)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_run(run, size=13)
    for tag, attrs, text in (("w:fldChar", {"w:fldCharType": "begin"}, None),
                             ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
                             ("w:fldChar", {"w:fldCharType": "end"}, None)):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        run._r.append(element)


def _new_document(title: str, author: str, dated: date):
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(14)
    # Word picks the font per script; set every slot so no character falls back to Calibri.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), _FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.comments = props.subject = props.keywords = ""
    props.language = "vi-VN"
    # The properties carry the decision's date, not the moment a copy was printed.
    props.created = props.modified = datetime.combine(dated, time())
    props.revision = 1
    return document


def render_docx(doc: DecisionDocument) -> bytes:
    document = _new_document(f"Quyết định {doc.number_line[4:].strip()}",
                             f"{nfc(doc.body_name)} {doc.unit}", doc.signed_on)
    _page_number_header(document.sections[0])
    # The national name at 13 pt needs 9.6 cm of the 16 cm between the margins.
    left_w, right_w = 5.8, 10.2

    header = document.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    left, right = _cell(header, 0, 0, left_w), _cell(header, 0, 1, right_w)
    if doc.parent_body:
        _para(left, nfc(doc.parent_body).upper(), size=13)
    for line in _body_lines(doc):
        _para(left, line, bold=True, size=13)
    _rule(left, width_cm=left_w, length_cm=2.2)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, underline=True)
    _para(_cell(header, 1, 0, left_w), doc.number_line, size=13, before=6)
    _para(_cell(header, 1, 1, right_w), place_and_date(doc.place or doc.commune_name,
                                                        doc.signed_on),
          italic=True, size=14, before=6)

    _para(document, "QUYẾT ĐỊNH", bold=True, size=14, before=18)
    _para(document, doc.title_summary, bold=True, size=14)
    _rule(document, width_cm=16, length_cm=4)

    body = decision_paragraphs(doc)
    for index, item in enumerate(body):
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(item.space_before), Pt(item.space_after)
        # The last article goes over with the signature rather than leave it alone on a page.
        fmt.keep_with_next = index == len(body) - 1
        fmt.first_line_indent = Cm(1) if item.indent else None
        paragraph.alignment = (WD_ALIGN_PARAGRAPH.CENTER if item.centred
                               else WD_ALIGN_PARAGRAPH.JUSTIFY)
        for run in item.runs:
            _set_run(paragraph.add_run(run.text), bold=run.bold, italic=run.italic)

    footer = document.add_table(rows=1, cols=2)
    footer.autofit = False
    row_props = footer.rows[0]._tr.get_or_add_trPr()
    row_props.append(OxmlElement("w:cantSplit"))
    left, right = _cell(footer, 0, 0, 8), _cell(footer, 0, 1, 8)
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, centred=False, before=12)
    for line in _recipients(doc):
        _para(left, line, size=11, centred=False)
    first = True
    for line in _signer_lines(doc):
        _para(right, line, bold=True, size=14, before=12 if first else 0)
        first = False
    # The space a signature and seal take: about 3 cm, with the mark of a signed copy inside.
    _para(right, "(Đã ký)" if doc.signed else "", italic=True, size=14, before=30, after=30)
    _para(right, nfc(doc.signer_name), bold=True, size=14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------

_PT = 0.3528  # millimetres in a point


def _line_height(size: float, spacing: float = 1.2) -> float:
    return size * _PT * spacing


class _DecisionPDF(DocumentPDF):
    first_page_of_document = 1

    def header(self):
        if self.page_no() > self.first_page_of_document:
            self.font("", 13)
            self.set_y(10)
            self.cell(0, 5, str(self.page_no() - self.first_page_of_document + 1), align="C")


def _column(pdf, x, y, width, lines) -> float:
    """Centred lines in a column; returns the y below them. Each line: (text, style, size)."""
    for text, style, size in lines:
        pdf.font(style, size)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, _line_height(size), text, align="C")
        y = pdf.get_y()
    return y


def _draw_decision(pdf: _DecisionPDF, doc: DecisionDocument, *, size: float = 14,
                   break_before_last: bool = False) -> bool:
    """Draw one decision from a new page; True when the signature had to start a new page."""
    pdf.first_page_of_document = pdf.page_no() + 1
    pdf.add_page()
    x, width = pdf.l_margin, pdf.content_width
    left_w = 58
    right_x, right_w = x + left_w, width - left_w
    top = pdf.t_margin

    left_lines = [(nfc(doc.parent_body).upper(), "", 13)] if doc.parent_body else []
    left_lines += [(line, "B", 13) for line in _body_lines(doc)]
    y_left = _column(pdf, x, top, left_w, left_lines)
    pdf.font("B", 13)
    name_width = max(pdf.get_string_width(line) for line in _body_lines(doc))
    pdf.centred_rule(x, left_w, y_left + 1, min(name_width, left_w) / 2.5)

    y_right = _column(pdf, right_x, top, right_w,
                      [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", 13),
                       ("Độc lập - Tự do - Hạnh phúc", "B", 14)])
    pdf.font("B", 14)
    # The motto's rule is as long as the motto.
    pdf.centred_rule(right_x, right_w, y_right + 0.5,
                     pdf.get_string_width("Độc lập - Tự do - Hạnh phúc"))

    y = max(y_left, y_right) + 4
    y_left = _column(pdf, x, y, left_w, [(doc.number_line, "", 13)])
    y_right = _column(pdf, right_x, y, right_w,
                      [(place_and_date(doc.place or doc.commune_name, doc.signed_on), "I", 14)])

    y = max(y_left, y_right) + 8
    y = _column(pdf, x, y, width, [("QUYẾT ĐỊNH", "B", 14), (doc.title_summary, "B", 14)])
    pdf.font("B", 14)
    summary_width = min(pdf.get_string_width(doc.title_summary), width)
    pdf.centred_rule(x, width, y + 1, summary_width / 3)
    pdf.set_y(y + 2)

    paragraphs = decision_paragraphs(doc)
    if break_before_last:
        _draw_paragraphs(pdf, paragraphs[:-1], size)
        pdf.add_page()
        _draw_paragraphs(pdf, paragraphs[-1:], size)
    else:
        _draw_paragraphs(pdf, paragraphs, size)
    return _draw_signature(pdf, doc)


def _draw_paragraphs(pdf: _DecisionPDF, paragraphs: list[Paragraph], size: float) -> None:
    pdf.font("", size)
    with pdf.text_columns(text_align="J", line_height=1.2) as columns:
        for item in paragraphs:
            with columns.paragraph(text_align="C" if item.centred else "J",
                                   first_line_indent=10 if item.indent else 0,
                                   top_margin=item.space_before * _PT,
                                   bottom_margin=item.space_after * _PT) as paragraph:
                for run in item.runs:
                    pdf.font(("B" if run.bold else "") + ("I" if run.italic else ""), size)
                    paragraph.write(run.text)


def _draw_signature(pdf: _DecisionPDF, doc: DecisionDocument) -> bool:
    x, width = pdf.l_margin, pdf.content_width
    left_w = 78
    recipients = _recipients(doc)
    signer = _signer_lines(doc)
    needed = max(6 + len(recipients) * _line_height(11),
                 len(signer) * _line_height(14) + 30 + _line_height(14)) + 6
    y = pdf.get_y() + 4
    moved = y + needed > pdf.h - pdf.b_margin
    if moved:
        # The recipients and the signer stay together on one page.
        pdf.add_page()
        y = pdf.t_margin

    pdf.font("BI", 12)
    pdf.set_xy(x, y + 1)
    pdf.cell(left_w, _line_height(12), "Nơi nhận:")
    pdf.font("", 11)
    line_y = y + 1 + _line_height(12)
    for line in recipients:
        pdf.set_xy(x, line_y)
        pdf.multi_cell(left_w, _line_height(11), line, align="L")
        line_y = pdf.get_y()

    right_x, right_w = x + left_w, width - left_w
    sign_y = _column(pdf, right_x, y, right_w, [(line, "B", 14) for line in signer])
    if doc.signed:
        _column(pdf, right_x, sign_y + 12, right_w, [("(Đã ký)", "I", 14)])
    end_y = _column(pdf, right_x, sign_y + 30, right_w, [(nfc(doc.signer_name), "B", 14)])
    pdf.set_y(max(end_y, line_y))
    return moved


def _layout(scratch: _DecisionPDF, doc: DecisionDocument) -> dict:
    """How to draw `doc` so that its signature does not stand alone on the last page.

    Body text at 14 pt if the signature fits under it, else at 13 pt (both allowed by
    Decree 30), else at 14 pt with the last article carried over to the signature's page, as
    long as that adds no page. Trying a layout means drawing it on a scratch canvas.
    """
    plain_pages = None
    for options in ({"size": 14}, {"size": 13}, {"size": 14, "break_before_last": True}):
        first = scratch.page_no() + 1
        moved = _draw_decision(scratch, doc, **options)
        pages = scratch.page_no() - first + 1
        plain_pages = plain_pages or pages
        if not moved and pages <= plain_pages:
            return options
    return {"size": 14}


def render_pdf(doc: DecisionDocument) -> bytes:
    return render_pdf_batch([doc])


def render_pdf_batch(docs: Sequence[DecisionDocument]) -> bytes:
    """Several decisions in one file, each from a new page: one print job for a month's batch,
    and the fonts are loaded once instead of once per decision."""
    if not docs:
        raise ValueError("Không có quyết định nào để in.")
    first = docs[0]
    title = (f"Quyết định {first.number_line[4:].strip()}" if len(docs) == 1
             else f"{len(docs)} quyết định")
    pdf = _DecisionPDF(title=title, dated=first.signed_on)
    scratch = _DecisionPDF()
    for doc in docs:
        _draw_decision(pdf, doc, **_layout(scratch, doc))
    return pdf.to_bytes()
