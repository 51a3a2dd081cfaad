import ast
import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils.translation.template import templatize

from ansinh.distributions import choices as distribution_choices
from ansinh.distributions.selectors import MASKED_BASIS, SPONSORSHIP_STATES
from ansinh.distributions.services import cycle_create
from ansinh.funds import choices as fund_choices
from ansinh.funds.selectors import ANONYMOUS_NAME
from ansinh.funds.services import (
    allocation_prepare,
    campaign_create,
    pledge_create,
    restriction_create,
)
from ansinh.imports.models import ImportBatch
from ansinh.stock import choices as stock_choices
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from ansinh.transparency import models as transparency_models
from ansinh.transparency.privacy import NEUTRAL_CATEGORY, OTHER_COMMUNES
from ansinh.transparency.services import snapshot_publish

# The fund section's fixtures: a commune fund, its officer and manager, a donor.
from tests.funds.conftest import DAY, donor, fund, fund_users, give, officer  # noqa: F401


def test_the_ui_is_vietnamese_by_default(login, users):
    response = login(users["commune_officer"]).get(reverse("dashboard"))
    assert "Hộ gia đình" in response.text
    assert 'lang="vi"' in response.text


def test_the_english_switch_changes_visible_labels(login, users):
    client = login(users["commune_officer"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("dashboard"))
    assert 'lang="en"' in response.text
    assert "Households" in response.text
    assert "Tiếng Việt" in response.text  # the switch back
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Hộ gia đình" in client.get(reverse("dashboard")).text


def test_an_english_page_leaves_the_thread_as_it_found_it(login, users, settings):
    """The reader's language holds for her request only: what runs next in the same thread
    (a task of the demo's worker, a command) is not in her language."""
    from django.utils import translation

    client = login(users["commune_officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Households" in client.get(reverse("dashboard")).text
    assert translation.get_language() == "vi"


def test_numbers_use_the_vietnamese_thousand_separator(login, users):
    from django.utils import translation

    from ansinh.web.templatetags.ansinh import num

    with translation.override("vi"):
        assert num(1250000) == "1.250.000"
    with translation.override("en"):
        assert num(1250000) == "1,250,000"


# ---- the English catalogue of the benefit, payroll, policy and import pages ----------------

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / app / "templates" / app
                 for app in ("enrolment", "payments", "policy", "imports",
                             "funds", "distributions", "transparency")]

# (page, query, user, English it must show, Vietnamese it must then no longer show)
PAGES = [
    pytest.param("enrolment:entitlement_list", {}, "commune_officer",
                 ["<h1>Beneficiaries</h1>", "Paying commune", "Beneficiary category",
                  "No beneficiary matches the search."],
                 ["<h1>Đối tượng hưởng</h1>", "Xã chi trả", "Nhóm đối tượng",
                  "Không có đối tượng nào khớp điều kiện tìm kiếm."],
                 id="beneficiaries"),
    pytest.param("enrolment:application_list", {}, "commune_officer",
                 ["<h1>Applications</h1>", "Public posting list", "Receive an application",
                  "Date received", "Due date", "No application matches the search."],
                 ["<h1>Hồ sơ đề nghị</h1>", "Danh sách niêm yết", "Tiếp nhận hồ sơ",
                  "Ngày tiếp nhận", "Hạn xử lý", "Không có hồ sơ nào khớp"],
                 id="applications"),
    pytest.param("payments:payroll_month", {"month": "01/2026"}, "commune_officer",
                 ["Payroll for 01/2026", "Prepare the payroll", "By commune/ward",
                  "No payroll has been prepared for this month.", "Next month"],
                 ["Bảng chi trả tháng 01/2026", "Lập bảng chi trả", "Theo xã/phường",
                  "Chưa lập bảng chi trả tháng này.", "Tháng sau"],
                 id="payroll"),
    pytest.param("policy:index", {"month": "01/2026"}, "province_admin",
                 ["Policy – standard levels, coefficients",
                  "Social assistance standard level in force in 01/2026",
                  "Standard level history", "Add a new value", "<th>Legal basis</th>", "Nationwide"],
                 ["Chính sách – mức chuẩn, hệ số", "Mức chuẩn trợ giúp xã hội áp dụng tháng",
                  "Lịch sử mức chuẩn", "Thêm giá trị mới", "<th>Căn cứ pháp lý</th>", "Toàn quốc"],
                 id="policy"),
    pytest.param("imports:start", {}, "commune_officer",
                 ["Import households and persons from Excel", "Upload and detect columns",
                  "Each row is one person."],
                 ["Nhập hộ gia đình và nhân khẩu từ Excel", "Tải lên và nhận diện cột",
                  "Mỗi dòng là một người."],
                 id="import-start"),
]


def switch(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def shows(text, present, absent):
    missing = [s for s in present if s not in text]
    left = [s for s in absent if s in text]
    assert not missing and not left, f"missing {missing}, still there {left}"


@pytest.mark.parametrize(("name", "query", "who", "english", "vietnamese"), PAGES)
def test_the_english_switch_translates_the_page_and_switching_back_restores_it(
        login, users, name, query, who, english, vietnamese):
    client = login(users[who])
    url = reverse(name)
    shows(client.get(url, query).text, vietnamese, english)
    switch(client, "en")
    response = client.get(url, query)
    assert response.status_code == 200
    assert 'lang="en"' in response.text
    shows(response.text, english, vietnamese)
    switch(client, "vi")
    shows(client.get(url, query).text, vietnamese, english)


def test_the_import_wizard_speaks_english_from_mapping_to_preview(login, users, geo,
                                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(users["commune_officer"])
    switch(client, "en")
    sheet = "Họ và tên,Ngày sinh,Giới tính,Quan hệ với chủ hộ,Mã hộ\n" \
            "Lê Văn Tám,12/08/1968,Nam,Chủ hộ,H9\nLê Thị Ba,31/02/1990,Nữ,Con,H9\n"
    upload = SimpleUploadedFile("ds.csv", sheet.encode("utf-8-sig"), "text/csv")
    response = client.post(reverse("imports:start"),
                           {"file": upload, "commune": geo["commune"].pk})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()

    mapping = client.get(reverse("imports:mapping", args=[batch.pk])).text
    shows(mapping, ["Column mapping: ds.csv", "Column in the file", "Check the data",
                    "Choose another file"],
          ["Ghép cột", "Cột trong tệp", "Kiểm tra dữ liệu", "Chọn tệp khác"])

    post = {"header_row": batch.mapping["header_row"],
            **{f"col_{i}": f for i, f in batch.mapping["columns"].items()}}
    response = client.post(reverse("imports:mapping", args=[batch.pk]), post)
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])
    preview = client.get(response["Location"]).text
    shows(preview, ["Preview: ds.csv", ">Apply<", '<span class="badge">Unchanged</span>',
                    '<span class="badge rejected">Rejected</span>', "<th>Full name</th>",
                    "Download the rejected rows"],
          ["Xem trước", ">Áp dụng<", '<span class="badge">Không đổi</span>',
           '<span class="badge rejected">Bị từ chối</span>', "Tải các dòng bị từ chối"])


def catalogue():
    """The entries of the English .po, as {(context, msgid): (msgstr, flags)}."""
    entries = {}
    for block in (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        fields, key, flags = {}, None, ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            elif line.startswith("#"):
                continue
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$',
                                   line):
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields.get("msgctxt"), fields["msgid"]] = (fields.get("msgstr"), flags)
    return entries


def test_every_catalogue_entry_is_translated_checked_and_keeps_its_placeholders():
    entries = catalogue()
    assert len(entries) > 400
    placeholders = re.compile(r"%\(\w+\)s|%s|%d")
    for (_context, msgid), (msgstr, flags) in entries.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert "fuzzy" not in flags, f"unchecked (fuzzy): {msgid!r}"
        assert sorted(placeholders.findall(msgstr)) == sorted(placeholders.findall(msgid)), \
            f"placeholders differ: {msgid!r} → {msgstr!r}"


def test_the_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [msgid for (context, msgid), (msgstr, _flags) in catalogue().items()
             if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid))
             != msgstr]
    assert not stale, f"django.mo is older than django.po for {stale[:5]}"


def test_every_string_marked_in_the_benefit_and_import_templates_is_in_the_catalogue():
    entries = catalogue()
    marked = re.compile(r'\{% translate (["\'])(.+?)\1(?: context (["\'])(.+?)\3)? %\}'
                        r'|_\("(.+?)"\)')
    missing = []
    for folder in TEMPLATE_DIRS:
        for template in sorted(folder.rglob("*.html")):
            for m in marked.finditer(template.read_text(encoding="utf-8")):
                msgid, context = m.group(2) or m.group(5), m.group(4)
                if (context, msgid) not in entries:
                    missing.append(f"{template.name}: {msgid}")
    assert not missing, missing


# ---- the fund, stock, distribution and transparency pages -----------------------------------

@pytest.fixture
def fund_world(geo, fund_users, officer, fund, donor, give):  # noqa: F811 - fixtures
    """The Ba Đình fund with a campaign, a restricted receipt, a pledge, a disbursement waiting
    for the manager, cartons of noodles in a warehouse, a gift cycle and a published snapshot."""
    campaign = campaign_create(officer, area=geo["commune"], name="Xuân yêu thương 2026",
                               starts_on=DAY, target_amount=100_000_000, funds=[fund])
    tet = restriction_create(officer, fund=fund, kind="campaign", description="",
                             campaign=campaign)
    receipt = give(5_000_000, restriction=tet, campaign=campaign)
    pledge_create(officer, donor=donor, pledged_on=DAY, amount=20_000_000, campaign=campaign)
    allocation = allocation_prepare(officer, fund=fund, amount=1_000_000, purpose="Quà Tết",
                                    restriction=tet, campaign=campaign)
    noodles = item_create(officer, name="Mì ăn liền", unit=stock_choices.Unit.THUNG,
                          category=stock_choices.Category.FOOD, perishable=True)
    warehouse = warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"])
    stock_receive(officer, warehouse=warehouse, item=noodles, quantity=100, unit_value=80_000,
                  received_on=DAY, expiry_date=date(2027, 6, 30), donor_name="Công ty An Phú")
    cycle = cycle_create(officer, name="Quà Tết 2026", kind="gift", campaign=campaign,
                         fund=fund, restriction=tet, cash_per_recipient=500_000, starts_on=DAY,
                         criteria={"poverty": ["poor"]})
    return {"officer": officer, "manager": fund_users["manager"],
            "donor": donor, "receipt": receipt, "allocation": allocation, "cycle": cycle,
            "snapshot": snapshot_publish(officer, campaign=campaign)}


# (page, the fixture's object it shows, user, English it must show, Vietnamese it must then
# no longer show)
FUND_PAGES = [
    pytest.param("funds:dashboard", None, "officer",
                 ["<h1>Social security fund</h1>", "Fund overview", "Available to spend",
                  "Record a pledge", "Disbursements awaiting approval", "5% of target"],
                 ["<h1>Quỹ an sinh xã hội</h1>", "Tổng quan quỹ", "Còn có thể chi",
                  "Ghi cam kết", "Khoản chi chờ phê duyệt", "% mục tiêu"],
                 id="fund-dashboard"),
    pytest.param("funds:donor_detail", "donor", "officer",
                 ["<dd>Business</dd>", "Pledged, not yet paid", "<h2>Pledges</h2>",
                  "<h2>Reports sent</h2>", ">Edit</a>"],
                 ["Doanh nghiệp", "Cam kết chưa nộp", "<h2>Cam kết</h2>", "Báo cáo đã gửi",
                  ">Sửa</a>"],
                 id="donor"),
    pytest.param("funds:donor_create", None, "officer",
                 ["Donor type", '">Individual</option>', "Two-letter ISO 3166-1 code",
                  "Managing unit"],
                 ["Loại nhà tài trợ", "Cá nhân", "Mã ISO 3166-1", "Đơn vị quản lý"],
                 id="donor-form"),
    pytest.param("funds:receipt_list", None, "officer",
                 ["<h1>Donation receipts</h1>", "<td>Bank transfer</td>", ">Issued</span>",
                  "New cash receipt", "<th>Method</th>"],
                 ["Biên nhận tài trợ", "Chuyển khoản", "Đã cấp", "Lập biên nhận tiền",
                  "<th>Hình thức</th>"],
                 id="receipts"),
    pytest.param("funds:receipt_detail", "receipt", "officer",
                 ["For a campaign: Xuân yêu thương 2026", "Print receipt (PDF)",
                  "Cancel the receipt (reversal entry)", "Reason for cancelling"],
                 ["Cho chiến dịch:", "In biên nhận (PDF)", "Hủy biên nhận", "Lý do hủy"],
                 id="receipt"),
    pytest.param("funds:allocation_detail", "allocation", "manager",
                 ["<h1>Disbursement #", ">Awaiting approval</span>", "Available to spend",
                  "Reject (give a reason)"],
                 ["Khoản chi #", "Chờ phê duyệt", "Còn có thể chi", "Từ chối (ghi lý do)"],
                 id="disbursement"),
    pytest.param("funds:warehouse_list", None, "officer",
                 ["<h1>Warehouses and distribution points", "Receive into stock", "Write off",
                  "<td>Warehouse</td>", "Stock value (đồng)"],
                 ["Kho và điểm phát", "Nhập kho", "Xuất hủy", "<td>Kho</td>",
                  "Giá trị tồn"],
                 id="warehouses"),
    pytest.param("funds:movement_list", None, "officer",
                 ["<h1>Stock movements</h1>", "<td>Received into stock</td>", "100 cartons",
                  '">Transferred out</option>', ">Receive into stock</a>"],
                 ["Nhập/xuất kho", "Nhập kho", "100 thùng", "Điều chuyển đi"],
                 id="stock-movements"),
    pytest.param("distributions:cycle_list", None, "officer",
                 ["<h1>Distribution cycles</h1>", "<td>Gifts (cash and in kind)</td>",
                  "Open a new cycle", "Cash per package (đồng)"],
                 ["Đợt phân phối hỗ trợ", "Quà (tiền và hiện vật)", "Mở đợt mới",
                  "Tiền mỗi suất"],
                 id="distribution-cycles"),
    pytest.param("distributions:cycle_detail", "cycle", "officer",
                 ["<h2>Support package</h2>", "Gifts (cash and in kind) · Per person",
                  "Build the list from the criteria", "Add a recipient by hand"],
                 ["Suất hỗ trợ", "Theo cá nhân", "Lập danh sách theo tiêu chí",
                  "Thêm người nhận thủ công"],
                 id="distribution-cycle"),
    pytest.param("transparency:manage", None, "officer",
                 ["Public transparency – management", "Preview and publish", "How to give",
                  ">Public</span>"],
                 ["Công khai minh bạch – quản lý", "Xem trước và công bố",
                  "Hướng dẫn đóng góp", "Đang công khai"],
                 id="transparency-staff"),
    pytest.param("transparency:snapshot", "snapshot", None,
                 ["Money received by fund", "Of which: restricted to a purpose",
                  "Machine-readable data", '<html lang="en">', ">Tiếng Việt</a>"],
                 ["Tiền đã nhận theo quỹ", "Trong đó", "Dữ liệu máy đọc", '<html lang="vi">'],
                 id="transparency-public"),
]


@pytest.mark.parametrize(("name", "shown", "who", "english", "vietnamese"), FUND_PAGES)
def test_the_english_switch_translates_the_fund_pages(client, fund_world, name, shown, who,
                                                       english, vietnamese):
    if who:
        client.force_login(fund_world[who])
    url = reverse(name, args=[fund_world[shown].pk] if shown else [])
    shows(client.get(url).text, vietnamese, english)
    switch(client, "en")
    response = client.get(url)
    assert response.status_code == 200
    shows(response.text, english, vietnamese)
    switch(client, "vi")
    shows(client.get(url).text, vietnamese, english)


def test_the_fund_forms_and_their_messages_speak_english(client, geo, fund_world):
    client.force_login(fund_world["officer"])
    switch(client, "en")
    data = {"area": geo["commune"].pk, "kind": "for_the_poor", "name": "Quỹ Vì người nghèo",
            "code": ""}
    refused = client.post(reverse("funds:fund_create"), data)
    assert refused.status_code == 200
    shows(refused.text, ["Fund code: required.", ">Fund for the Poor</option>"],
          ["Ký hiệu quỹ: bắt buộc.", "Quỹ Vì người nghèo</option>"])
    saved = client.post(reverse("funds:fund_create"), {**data, "code": "VNN"}, follow=True)
    shows(saved.text, ["Added Quỹ Vì người nghèo."], ["Đã thêm"])

    client.force_login(fund_world["manager"])
    allocation = fund_world["allocation"]
    approved = client.post(reverse("funds:allocation_approve", args=[allocation.pk]),
                           {"note": ""}, follow=True)
    shows(approved.text, [f"Disbursement #{allocation.pk} approved."], ["Đã phê duyệt"])


def test_a_public_reader_switches_the_transparency_pages_with_a_link(client, fund_world):
    url = reverse("transparency:snapshot", args=[fund_world["snapshot"].pk])
    page = client.get(url)
    assert 'href="?lang=en"' in page.text
    assert "Cookie" in page["Vary"]  # a shared cache keeps one copy per language

    response = client.get(url, {"lang": "en"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "no-store" in response["Cache-Control"]
    english = client.get(url)
    shows(english.text, ["Money received by fund", 'href="?lang=vi"'], ["Tiền đã nhận theo quỹ"])
    assert english["Cache-Control"].startswith("public")

    index = reverse("transparency:index")
    back = client.get(index, {"tinh": "01", "lang": "vi"})
    assert back["Location"] == f"{index}?tinh=01"
    assert "Công khai thu, chi và phân phối" in client.get(back["Location"]).text
    assert client.get(index, {"lang": "fr"}).status_code == 200  # not a language: ignored


def test_every_string_marked_in_the_templates_blocktranslate_included_is_in_the_catalogue():
    entries = catalogue()
    literal = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    call = re.compile(rf"\b(pgettext|gettext)\(({literal})(?:, ({literal}))?\)")
    missing = []
    for folder in TEMPLATE_DIRS:
        for template in sorted(folder.rglob("*.html")):
            for m in call.finditer(templatize(template.read_text(encoding="utf-8"))):
                first, second = (ast.literal_eval(g) if g else None for g in m.group(2, 3))
                key = (first, second) if m.group(1) == "pgettext" else (None, first)
                if key not in entries:
                    missing.append(f"{template.name}: {key}")
    assert not missing, missing


def test_every_choice_and_fixed_label_the_fund_pages_show_is_in_the_catalogue():
    """The models keep Vietnamese labels (documents and the API stay Vietnamese); the pages
    pass them through gettext, so each needs its English entry."""
    entries = catalogue()
    contexts = {fund_choices.DonorKind: "donor kind", fund_choices.AllocationStatus: "status",
                stock_choices.MovementKind: "movement"}
    labels = [(contexts.get(kind), str(label))
              for module in (fund_choices, distribution_choices, stock_choices,
                             transparency_models)
              for kind in vars(module).values()
              if isinstance(kind, type) and issubclass(kind, models.Choices)
              and kind.__module__ == module.__name__
              for label in kind.labels]
    labels += [(None, label) for label in (*map(str, SPONSORSHIP_STATES.values()), MASKED_BASIS,
                                           NEUTRAL_CATEGORY, OTHER_COMMUNES, ANONYMOUS_NAME)]
    assert len(labels) > 90
    assert not [key for key in labels if key not in entries]


GETTEXT_CALLS = {"_": 1, "gettext": 1, "gettext_lazy": 1, "pgettext": 2, "pgettext_lazy": 2}


def test_every_string_marked_in_the_fund_and_distribution_code_is_in_the_catalogue():
    """The messages the views flash (the whole-list hand-out, a cancellation and its return),
    the forms' labels and the pieces of a cycle's criteria: each marked string has its
    English entry."""
    entries = catalogue()
    missing, marked = [], 0
    for app in ("funds", "stock", "distributions", "transparency"):
        for source in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in source.parts:
                continue
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in GETTEXT_CALLS):
                    continue
                args = node.args[:GETTEXT_CALLS[node.func.id]]
                if not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                           for a in args):
                    continue
                key = (args[0].value, args[1].value) if len(args) == 2 else (None, args[0].value)
                marked += 1
                if key not in entries:
                    missing.append(f"{source.name}: {key}")
    assert marked > 300
    assert not missing, missing
