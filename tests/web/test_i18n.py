import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ansinh.imports.models import ImportBatch


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
                 for app in ("enrolment", "payments", "policy", "imports")]

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
        for template in sorted(folder.glob("*.html")):
            for m in marked.finditer(template.read_text(encoding="utf-8")):
                msgid, context = m.group(2) or m.group(5), m.group(4)
                if (context, msgid) not in entries:
                    missing.append(f"{template.name}: {msgid}")
    assert not missing, missing
