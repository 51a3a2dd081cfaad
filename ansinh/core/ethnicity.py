"""The 54 ethnic groups of Vietnam with the statistics office codes (Decision 121-TCTK/PPCĐ)."""

ETHNIC_GROUPS = [
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khmer"),
    ("06", "Mường"), ("07", "Nùng"), ("08", "Mông"), ("09", "Dao"), ("10", "Gia Rai"),
    ("11", "Ngái"), ("12", "Ê Đê"), ("13", "Ba Na"), ("14", "Xơ Đăng"), ("15", "Sán Chay"),
    ("16", "Cơ Ho"), ("17", "Chăm"), ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"),
    ("21", "Raglay"), ("22", "Xtiêng"), ("23", "Bru – Vân Kiều"), ("24", "Thổ"),
    ("25", "Giáy"), ("26", "Cơ Tu"), ("27", "Gié Triêng"), ("28", "Mạ"), ("29", "Khơ Mú"),
    ("30", "Co"), ("31", "Tà Ôi"), ("32", "Chơ Ro"), ("33", "Kháng"), ("34", "Xinh Mun"),
    ("35", "Hà Nhì"), ("36", "Chu Ru"), ("37", "Lào"), ("38", "La Chí"), ("39", "La Ha"),
    ("40", "Phù Lá"), ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"),
    ("45", "Mảng"), ("46", "Pà Thẻn"), ("47", "Cờ Lao"), ("48", "Cống"), ("49", "Bố Y"),
    ("50", "Si La"), ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ Măm"),
    ("55", "Người nước ngoài"),
]

_ALIASES = {"hmong": "08", "h mong": "08", "khome": "05", "kho me": "05", "e de": "12",
            "bru van kieu": "23", "van kieu": "23", "co lao": "47", "jarai": "10"}


def ethnicity_code(text: str) -> str | None:
    """Resolve a code or a name as written in a list ('Kinh', 'kinh', 'H'Mông', '01')."""
    from ansinh.core.text import fold

    value = (text or "").strip()
    if not value:
        return None
    if value.isdigit():
        code = value.zfill(2)
        return code if any(c == code for c, _ in ETHNIC_GROUPS) else None
    key = fold(value.replace("'", "").replace("–", " ").replace("-", " "))
    for code, name in ETHNIC_GROUPS:
        if fold(name.replace("–", " ")) == key:
            return code
    return _ALIASES.get(key)
