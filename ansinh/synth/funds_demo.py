"""Demo data of a provincial social-security fund, so a new user sees the module working:
two funds, a Tết campaign with its donors (named and anonymous, a business, a foreign NGO
giving in US dollars under an aid approval), pledges partly paid, a restricted scholarship
gift, goods given on numbered goods receipts into a warehouse, and an approved spending.
The money and the goods then reach people: a "Quà Tết 2027" cycle for the poor households of
the demo communes, approved by the manager and partly handed out; a scholarship cycle paid
from the restricted gift; a sponsored household; the fund's "how to give" text; and the
campaign's figures published on the public page.

Everything goes through the services, as an officer would do it, so the audit log, receipt
numbers and balance locks are the real ones. Idempotent: nothing is added when the province
already has the demo fund.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from ansinh.distributions.choices import Basis, ProofKind, SupportKind
from ansinh.distributions.selectors import candidates
from ansinh.distributions.services import (
    cycle_create,
    handout_record,
    list_approve,
    list_mark_printed,
    list_submit,
    recipient_add,
    recipients_build,
    sponsorship_create,
)
from ansinh.funds.in_kind import goods_receipt_create
from ansinh.funds.models import Fund
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    campaign_create,
    donor_create,
    fund_create,
    pledge_create,
    receipt_create,
    receipt_issue,
    restriction_create,
)
from ansinh.registry.models import Household
from ansinh.stock.models import Item
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from ansinh.transparency.services import giving_info_set, snapshot_publish

FUND_CODE = "ASXH"
TET_CYCLE = "Quà Tết 2027"
TET_CASH = 300_000  # đồng per household, beside a gift package and rice
TET_RICE_KG = 10
HANDED_OUT_SHARE = 3  # one household in three has received its package so far
SCHOLARSHIPS = 40
SCHOLARSHIP_CASH = 2_000_000


@dataclass(frozen=True)
class DemoDonor:
    kind: str
    name: str
    pledge: int | None  # đồng promised to the campaign
    paid: int  # đồng received so far
    display: str = "named"
    tax_code: str = ""


DONORS = [
    DemoDonor("business", "Công ty Cổ phần Than Hà Lầm", 500_000_000, 300_000_000,
              tax_code="5700100256"),
    DemoDonor("business", "Ngân hàng TMCP Ngoại thương – Chi nhánh Quảng Ninh", 300_000_000,
              300_000_000, tax_code="0100112437-021"),
    DemoDonor("business", "Công ty TNHH Vận tải biển Hạ Long", 150_000_000, 50_000_000,
              tax_code="5701234567"),
    DemoDonor("domestic_org", "Hội Doanh nhân trẻ tỉnh Quảng Ninh", 100_000_000, 100_000_000),
    DemoDonor("individual", "Ông Nguyễn Văn Hùng", 20_000_000, 20_000_000),
    DemoDonor("individual", "Bà Trần Thị Thu", None, 5_000_000),
    DemoDonor("individual", "Nhà hảo tâm phường Hồng Gai", None, 10_000_000, display="anonymous"),
    DemoDonor("individual", "Bà Lê Thị Hạnh", 50_000_000, 0, display="anonymous"),
]


def _days_ago(today: date, n: int) -> date:
    return today - timedelta(days=n)


@transaction.atomic
def demo_funds(province, officer, manager, *, today: date | None = None) -> Fund | None:
    """Fill the province's demo fund. Returns the fund, or None when it was already there."""
    if Fund.objects.filter(province=province, code=FUND_CODE).exists():
        return None
    today = today or date.today()
    fund = fund_create(officer, area=province, kind="social_security",
                       name=f"Quỹ An sinh xã hội {province.name}", code=FUND_CODE)
    poor_fund = fund_create(officer, area=province, kind="for_the_poor",
                            name=f"Quỹ Vì người nghèo {province.name}", code="VNN")
    start = _days_ago(today, 30)
    campaign = campaign_create(
        officer, area=province, name="Xuân nghĩa tình – Tết Đinh Mùi 2027", starts_on=start,
        ends_on=date(2027, 2, 5), target_amount=2_000_000_000,
        responsible_unit="Trung tâm An sinh xã hội tỉnh", funds=[fund])
    tet = restriction_create(officer, fund=fund, kind="campaign", description="",
                             campaign=campaign)
    donors = {}
    for n, spec in enumerate(DONORS):
        donor = donor_create(officer, area=province, kind=spec.kind, name=spec.name,
                             tax_code=spec.tax_code, display=spec.display)
        donors[spec.name] = donor
        pledge = None
        if spec.pledge:
            pledge = pledge_create(officer, donor=donor, pledged_on=start + timedelta(days=n),
                                   amount=spec.pledge, campaign=campaign, fund=fund)
        if spec.paid:
            _give(officer, fund, donor, spec.paid, on=start + timedelta(days=n + 3),
                  restriction=tet, campaign=campaign, pledge=pledge)

    # A restricted gift: scholarships only, until the end of the school year.
    bank = donor_create(officer, area=province, kind="business",
                        name="Công ty Điện lực Quảng Ninh", tax_code="5700101570")
    scholarships = restriction_create(officer, fund=fund, kind="programme",
                                      description="Học bổng cho học sinh nghèo vượt khó",
                                      donor=bank, ends_on=date(today.year + 1, 6, 30))
    _give(officer, fund, bank, 150_000_000, on=_days_ago(today, 12), restriction=scholarships)

    # Foreign aid: received only under its approval decision (Decree 313/2025).
    ngo = donor_create(officer, area=province, kind="foreign_ngo",
                       name="Quỹ Nhi đồng Hướng Thiện (Hoa Kỳ)", country="US", currency="USD")
    receipt = receipt_create(
        officer, fund=poor_fund, donor=ngo, received_on=_days_ago(today, 8),
        method="bank_transfer", total=254_000_000, currency="USD",
        original_amount_minor=1_000_000, exchange_rate=Decimal("25400"),
        aid_approval_ref="125/QĐ-UBND ngày 02/10/2026",
        lines=[{"fund": poor_fund, "amount": 254_000_000}],
        description="Viện trợ phi dự án hỗ trợ hộ nghèo")
    receipt_issue(officer, receipt)

    # Unrestricted money of the poor fund, and one approved spending from it.
    _give(officer, poor_fund, bank, 80_000_000, on=_days_ago(today, 20))
    spending = allocation_prepare(officer, fund=poor_fund, amount=60_000_000,
                                  purpose="Hỗ trợ sửa chữa 2 nhà ở cho hộ nghèo",
                                  allocated_on=_days_ago(today, 2))
    allocation_approve(manager, spending, note="Đồng ý theo biên bản xét duyệt")

    # The Tết packages were bought with the campaign's money: spent from its restriction.
    purchase = allocation_prepare(officer, fund=fund, amount=250_000_000, restriction=tet,
                                  campaign=campaign, purpose="Mua 500 phần quà Tết",
                                  allocated_on=_days_ago(today, 6))
    allocation_approve(manager, purchase)

    warehouse, goods = _demo_stock(officer, province, fund, campaign, donors, today)
    communes = _demo_communes(province)
    tet_cycle = _demo_tet_cycle(officer, manager, fund, tet, campaign, warehouse, goods,
                                communes, today)
    _demo_scholarships(officer, manager, province, fund, scholarships, communes, today)
    _demo_sponsorship(officer, donors["Công ty TNHH Vận tải biển Hạ Long"], tet_cycle,
                      campaign, today)
    giving_info_set(
        officer, fund, bank_account="1023 4567 8901", bank_name="Vietcombank – Chi nhánh "
        "Quảng Ninh", account_holder=f"Quỹ An sinh xã hội {province.name}",
        address="Trung tâm An sinh xã hội tỉnh, phường Hồng Gai", phone="0203 3825 111",
        text="Chuyển khoản ghi rõ «Ủng hộ Tết 2027 – tên người/đơn vị ủng hộ». Hiện vật "
             "(gạo, dầu ăn, quần áo còn tốt) nhận tại kho Trung tâm giờ hành chính; mỗi khoản "
             "ủng hộ đều được cấp biên nhận và công khai trên trang này.")
    snapshot_publish(officer, campaign=campaign)
    return fund


def _give(officer, fund, donor, amount, *, on, restriction=None, campaign=None, pledge=None):
    receipt = receipt_create(officer, fund=fund, donor=donor, received_on=on,
                             method="bank_transfer", total=amount, pledge=pledge,
                             document_ref=f"FT{on:%y%m%d}{donor.pk:05d}",
                             lines=[{"fund": fund, "amount": amount, "restriction": restriction,
                                     "campaign": campaign}])
    return receipt_issue(officer, receipt)


def _item(officer, name, unit, category, perishable=False) -> Item:
    found = Item.objects.filter(name=name, unit=unit).first()
    return found or item_create(officer, name=name, unit=unit, category=category,
                                perishable=perishable)


def _demo_stock(officer, province, fund, campaign, donors, today: date):
    """The warehouse, filled by two donors' goods receipts (numbered, valued, into stock when
    issued) and by the packages bought with the campaign's money."""
    warehouse = warehouse_create(officer, name="Kho Trung tâm An sinh xã hội tỉnh",
                                 province=province, address="Phường Hồng Gai")
    rice = _item(officer, "Gạo tẻ", "kg", "food")
    oil = _item(officer, "Dầu ăn", "chai", "food", perishable=True)
    package = _item(officer, "Phần quà Tết", "phan_qua", "gift")
    gifts = [
        (donors["Công ty Cổ phần Than Hà Lầm"], 10, "Ủng hộ gạo cho hộ nghèo dịp Tết",
         [{"item": rice, "warehouse": warehouse, "quantity": 5_000, "unit_value": 18_000,
           "campaign": campaign}]),
        (donors["Hội Doanh nhân trẻ tỉnh Quảng Ninh"], 9, "Ủng hộ dầu ăn",
         [{"item": oil, "warehouse": warehouse, "quantity": 1_000, "unit_value": 45_000,
           "expiry_date": date(today.year + 1, 9, 30), "campaign": campaign}]),
    ]
    for donor, days, description, lines in gifts:
        receipt = goods_receipt_create(officer, fund=fund, donor=donor,
                                       received_on=_days_ago(today, days), lines=lines,
                                       description=description)
        receipt_issue(officer, receipt)
    stock_receive(officer, warehouse=warehouse, item=package, quantity=500, unit_value=500_000,
                  received_on=_days_ago(today, 5), source="purchase",
                  note="Mua từ nguồn chiến dịch Xuân nghĩa tình")
    return warehouse, {"rice": rice, "oil": oil, "package": package}


def _demo_communes(province) -> list[str]:
    """The codes of the province's communes that have households in the demo registry."""
    return sorted(set(Household.objects.filter(province=province)
                      .values_list("commune__code", flat=True)))


def _demo_tet_cycle(officer, manager, fund, tet, campaign, warehouse, goods, communes,
                    today: date):
    """Cash, a gift package and rice for every poor household of the demo communes: the list
    built from the registry, approved by the manager, and the first third handed out against
    signatures on the printed list."""
    cycle = cycle_create(
        officer, name=TET_CYCLE, kind="gift", unit="household", campaign=campaign, fund=fund,
        restriction=tet, cash_per_recipient=TET_CASH, warehouse=warehouse,
        components=[(goods["package"], 1), (goods["rice"], TET_RICE_KG)],
        criteria={"poverty": ["poor"], "communes": communes}, starts_on=today,
        ends_on=date(2027, 2, 5))
    rlist, added = recipients_build(officer, cycle)
    if not added:
        return cycle
    list_submit(officer, rlist)
    list_approve(manager, rlist, note="Đúng danh sách hộ nghèo do xã/phường xác nhận")
    list_mark_printed(officer, rlist)
    handed = rlist.lines.order_by("pk")[:max(1, added // HANDED_OUT_SHARE)]
    for line in handed:
        handout_record(officer, line, proof_kind=ProofKind.SIGNATURE, handed_out_on=today,
                       note="Ký nhận tại nhà văn hóa khu phố")
    return cycle


def _demo_scholarships(officer, manager, province, fund, restriction, communes,
                       today: date) -> None:
    """Scholarships for pupils of poor and near-poor households, paid from the power
    company's restricted gift: the first places go to those the criteria find."""
    campaign = campaign_create(
        officer, area=province, name="Học bổng vượt khó năm học 2026–2027",
        starts_on=_days_ago(today, 20), ends_on=date(today.year + 1, 6, 30),
        responsible_unit="Trung tâm An sinh xã hội tỉnh", funds=[fund])
    cycle = cycle_create(
        officer, name="Học bổng học sinh nghèo vượt khó 2026–2027", kind="scholarship",
        unit="person", campaign=campaign, fund=fund, restriction=restriction,
        cash_per_recipient=SCHOLARSHIP_CASH, places=SCHOLARSHIPS,
        criteria={"poverty": ["poor", "near_poor"], "communes": communes, "age_min": 6,
                  "age_max": 17}, starts_on=today)
    pupils = list(candidates(officer, cycle).order_by("pk")[:SCHOLARSHIPS])
    for pupil in pupils:
        recipient_add(officer, cycle, person=pupil)
    if pupils:
        rlist = cycle.lists.get()
        list_submit(officer, rlist)
        list_approve(manager, rlist, note="Theo đề nghị của các trường")


def _demo_sponsorship(officer, donor, tet_cycle, campaign, today: date) -> None:
    """A business sponsors one poor household of the Tết list, monthly, until it leaves
    poverty."""
    line = tet_cycle.recipients.filter(basis=Basis.POOR).order_by("-pk").first()
    if line is None:
        return
    sponsorship_create(officer, donor=donor, household=line.household,
                       starts_on=_days_ago(today, 15), support=SupportKind.MONTHLY,
                       amount=1_000_000, campaign=campaign,
                       note="Hỗ trợ sinh kế đến khi hộ thoát nghèo")
