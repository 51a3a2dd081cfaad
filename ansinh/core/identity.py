"""The 12-digit personal identification number (số định danh cá nhân / CCCD).

Structure `PPP G YY NNNNNN` (Decree 137/2015 Art. 13, Circular 07/2016/TT-BCA Art. 7):
PPP the province where the birth was registered (the 63 pre-2025 provinces, fixed for life),
G the century-and-sex digit, YY the last two digits of the birth year.
Never derive residence from it.
"""

import re
from dataclasses import dataclass

# Appendix to Circular 07/2016/TT-BCA: "0" + the 2004 province code.
BIRTH_PROVINCE_PREFIXES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

_DIGITS12 = re.compile(r"^\d{12}$")


class InvalidIdNumber(ValueError):
    """Carries a Vietnamese message that names the rule broken."""


@dataclass(frozen=True)
class IdParts:
    province_prefix: str
    century_sex_digit: int
    birth_year: int
    sex: str  # "M" or "F"


def normalise_id_number(raw: object) -> str:
    """Restore what spreadsheets do to IDs: numbers that lost their leading zeros, '.0', spaces.

    A value of 9–11 digits is zero-padded to 12, because Excel stored it as a number; other
    lengths are left for `parse_id_number` to reject.
    """
    if raw is None:
        return ""
    if isinstance(raw, float):
        if raw != raw or raw != int(raw):  # NaN or a fraction: not an ID
            return str(raw)
        raw = int(raw)
    text = str(raw).strip().replace(" ", "").lstrip("'")
    if text.endswith(".0"):
        text = text[:-2]
    if text.isdigit() and 9 <= len(text) < 12:
        text = text.zfill(12)
    return text


def parse_id_number(number: str) -> IdParts:
    if not _DIGITS12.match(number or ""):
        raise InvalidIdNumber("Số định danh phải gồm đúng 12 chữ số.")
    prefix = number[:3]
    if prefix not in BIRTH_PROVINCE_PREFIXES:
        raise InvalidIdNumber(
            f"Mã tỉnh nơi đăng ký khai sinh «{prefix}» không có trong danh mục (3 số đầu)."
        )
    digit = int(number[3])
    century = 1900 + (digit // 2) * 100
    return IdParts(
        province_prefix=prefix,
        century_sex_digit=digit,
        birth_year=century + int(number[4:6]),
        sex="M" if digit % 2 == 0 else "F",
    )


def check_id_number(number: str, *, sex: str | None = None, birth_year: int | None = None) -> IdParts:
    """Validate structure and its consistency with the person's sex and year of birth."""
    parts = parse_id_number(number)
    if sex in ("M", "F") and parts.sex != sex:
        expected = "nam" if parts.sex == "M" else "nữ"
        raise InvalidIdNumber(
            f"Chữ số thứ 4 ({parts.century_sex_digit}) là của người giới tính {expected}, "
            "không khớp với giới tính đã khai."
        )
    if birth_year and parts.birth_year != birth_year:
        raise InvalidIdNumber(
            f"Số định danh ghi năm sinh {parts.birth_year} (chữ số 4–6), "
            f"không khớp với năm sinh {birth_year}."
        )
    return parts


def make_id_number(prefix: str, sex: str, birth_year: int, serial: int) -> str:
    """Build a structurally valid number (for synthetic data and tests)."""
    digit = ((birth_year - 1900) // 100) * 2 + (0 if sex == "M" else 1)
    return f"{prefix}{digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"
