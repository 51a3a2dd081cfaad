"""Name pools for synthetic Vietnamese persons.

Surname shares follow the usual published estimates (Nguyễn ≈ 38 %, Trần 11 %, Lê 9.5 % …);
Hoàng/Huỳnh and Vũ/Võ are one lineage written differently north and south, so the split
depends on the province. Middle names (tên đệm) and given names (tên) depend on sex and on the
generation: Văn and Thị dominate among people born before the 1970s and thin out after.
Minority groups draw their surnames (and some given names) from their own pools.
"""

# (surname, share %) — the rest of the 100 % is spread over OTHER_SURNAMES.
MAIN_SURNAMES = [
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng|Huỳnh", 5.0),
    ("Phan", 4.5), ("Vũ|Võ", 3.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5),
]
OTHER_SURNAMES = [
    "Đào", "Đoàn", "Vương", "Trịnh", "Đinh", "Lâm", "Phùng", "Mai", "Tô", "Trương", "Hà",
    "Lương", "Tạ", "Cao", "Quách", "Lưu", "Chu", "Kiều", "Thái", "La", "Triệu", "Hứa",
    "Tăng", "Khúc", "Thân", "Nghiêm", "Văn", "Châu", "Lại", "Doãn", "Âu", "Mạc", "Lục",
    "Giang", "Tống", "Khổng", "Kim", "Lã", "Tôn", "Ninh", "Hàn", "Viên", "Đồng", "Từ",
]

# Surnames of minority groups (ethnicity code → pool). Groups not listed use the Kinh pool.
_TAY_NUNG = ["Nông", "Hoàng", "Lương", "Triệu", "Ma", "Hà", "Vi", "Lộc", "Lăng", "Bế",
             "Đàm", "Lục", "Hoàng", "Nông", "Chu"]
_HIGHLAND = ["Ksor", "Siu", "Nay", "Rah", "Niê", "Mlô", "Kpă", "Đinh", "Hồ", "Alăng",
             "Briu", "Rơ", "Y", "A", "Byă"]
ETHNIC_SURNAMES = {
    "02": _TAY_NUNG, "07": _TAY_NUNG, "15": _TAY_NUNG, "25": _TAY_NUNG,
    "03": ["Lò", "Cầm", "Lường", "Quàng", "Vì", "Hà", "Tòng", "Điêu", "Lù", "Lò"],
    "04": ["Lâm", "Trương", "Lý", "Quách", "Mã", "Diệp", "Hứa", "Lưu", "Tăng", "Trần"],
    "05": ["Thạch", "Sơn", "Danh", "Kim", "Lâm", "Châu", "Trần", "Lý", "Thạch", "Sơn"],
    "06": ["Bùi", "Đinh", "Quách", "Hà", "Xa", "Bạch", "Bùi", "Đinh"],
    "08": ["Giàng", "Thào", "Vàng", "Sùng", "Lý", "Hờ", "Mùa", "Lầu", "Vừ", "Sình",
           "Hạng", "Mua"],
    "09": ["Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Tẩn", "Lò", "Triệu", "Bàn"],
    "17": ["Đàng", "Thành", "Quảng", "Châu", "Lưu", "Bá", "Từ", "Thiên"],
    "18": ["Lam", "Tằng", "Trần", "Lỷ", "Diệp", "Lục", "Đồng"],
    "23": ["Hồ", "Côn", "Lê", "Hồ", "Kăn"],
    "29": ["Lò", "Vi", "Cụt", "Quang", "Lữ"],
    "35": ["Lý", "Pờ", "Chu", "Phu", "Sần", "Ly"],
}
for _code in ("10", "12", "13", "14", "16", "19", "20", "21", "22", "26", "27", "28", "30",
              "31"):
    ETHNIC_SURNAMES[_code] = _HIGHLAND

# Tên đệm: (value, weight among people born before 1975, weight born 1975 or later).
MIDDLE_MALE = [
    ("Văn", 62, 22), ("Hữu", 6, 5), ("Đức", 6, 9), ("Minh", 3, 12), ("Quang", 4, 7),
    ("Công", 4, 4), ("Xuân", 3, 3), ("Thanh", 3, 4), ("Ngọc", 2, 4), ("Đình", 4, 4),
    ("Mạnh", 1, 3), ("Quốc", 2, 5), ("Trọng", 2, 3), ("Gia", 0.3, 5), ("Anh", 0.5, 3),
    ("Hoàng", 0.5, 4), ("Duy", 0.5, 4), ("Thành", 1, 3), ("Bá", 2, 1), ("Trung", 1, 2),
    ("Việt", 0.5, 3), ("Hải", 0.5, 2), ("Tiến", 1, 2), ("Kim", 1, 1), ("Thế", 2, 2),
    ("Văn Minh", 0.3, 0.8), ("Đức Anh", 0.1, 1.2), ("Minh Quang", 0.1, 0.8),
    ("Hoàng Gia", 0.05, 0.8), ("Ngọc Bảo", 0.05, 0.5), ("Tuấn", 0.5, 2), ("Khắc", 2, 1),
    ("Như", 1, 0.5), ("Chí", 1, 2), ("Phú", 0.5, 1), ("Bảo", 0.1, 3),
]
MIDDLE_FEMALE = [
    ("Thị", 78, 30), ("Ngọc", 3, 8), ("Thu", 3, 5), ("Thanh", 3, 5), ("Minh", 0.5, 5),
    ("Phương", 0.5, 4), ("Kim", 2, 3), ("Thúy", 1, 2), ("Hồng", 2, 3), ("Bích", 1, 2),
    ("Mai", 0.5, 2), ("Khánh", 0.1, 3), ("Bảo", 0.1, 3), ("Hoài", 0.5, 2), ("Diệu", 0.2, 2),
    ("Quỳnh", 0.1, 2), ("Hải", 0.3, 2), ("Lan", 0.3, 1), ("Tuyết", 0.5, 1), ("Thảo", 0.1, 2),
    ("Thị Thu", 2, 2), ("Thị Ngọc", 1.5, 2), ("Thị Thanh", 1.5, 1.5), ("Thị Kim", 1, 1),
    ("Thị Minh", 0.5, 1), ("Thị Hồng", 1, 1), ("Ngọc Bảo", 0.02, 1), ("Như", 0.5, 2),
    ("Cẩm", 0.5, 1), ("Vân", 0.3, 1), ("Hà", 0.3, 1),
]

# Tên: (value, weight born before 1975, weight born 1975 or later).
GIVEN_MALE = [
    ("Hùng", 8, 5), ("Dũng", 7, 5), ("Tuấn", 4, 8), ("Minh", 4, 8), ("Hải", 6, 6),
    ("Nam", 5, 6), ("Long", 4, 6), ("Cường", 5, 5), ("Thắng", 6, 4), ("Sơn", 6, 5),
    ("Hoàng", 2, 4), ("Huy", 1, 6), ("Phong", 2, 4), ("Quân", 1, 5), ("Trung", 5, 4),
    ("Đức", 4, 5), ("Anh", 2, 8), ("Khoa", 0.5, 4), ("Bình", 6, 3), ("Tùng", 3, 4),
    ("Thành", 6, 4), ("Hiếu", 1, 5), ("Kiên", 2, 3), ("Lâm", 2, 3), ("Phúc", 1, 4),
    ("Quang", 3, 3), ("Tài", 3, 3), ("Thịnh", 2, 3), ("Toàn", 3, 3), ("Việt", 2, 3),
    ("Vinh", 4, 3), ("Hưng", 4, 4), ("Khánh", 1, 4), ("Lộc", 2, 3), ("Nghĩa", 4, 3),
    ("Nhân", 2, 2), ("Phát", 1, 3), ("Tâm", 3, 2), ("Thiện", 1, 2), ("Trí", 1, 3),
    ("Tú", 2, 2), ("Đạt", 1, 5), ("Hậu", 2, 2), ("Hòa", 5, 2), ("Hiệp", 3, 2),
    ("Lợi", 3, 2), ("Mạnh", 3, 3), ("Nhật", 0.5, 3), ("Quý", 3, 2), ("Sang", 2, 2),
    ("Thái", 3, 2), ("Tiến", 3, 3), ("Trọng", 2, 2), ("Vũ", 0.5, 3), ("Bảo", 0.2, 4),
    ("Duy", 1, 3), ("Giang", 2, 2), ("An", 2, 4), ("Chiến", 5, 2), ("Công", 4, 2),
    ("Định", 3, 1), ("Dương", 1, 3), ("Khang", 0.1, 4), ("Khôi", 0.1, 4), ("Nguyên", 1, 3),
    ("Phú", 3, 2), ("Tân", 4, 2), ("Thuận", 3, 2), ("Tín", 1, 2), ("Trường", 3, 3),
    ("Xuân", 4, 1), ("Thanh", 4, 2), ("Lực", 2, 1), ("Tám", 4, 0.2), ("Tý", 3, 0.1),
    ("Sửu", 2, 0.1), ("Dần", 2, 0.1), ("Bảy", 3, 0.2), ("Chính", 3, 1), ("Châu", 1, 1),
    ("Đông", 3, 1), ("Hạnh", 2, 0.5), ("Kỳ", 1, 1), ("Lai", 2, 0.5), ("Mười", 2, 0.1),
    ("Ngọc", 2, 1), ("Tuyên", 2, 1), ("Vượng", 2, 1), ("Đăng", 0.5, 3),
    ("Thông", 2, 2), ("Luân", 1, 1), ("Kha", 0.2, 1), ("Hào", 1, 2),
    ("Hiển", 2, 1), ("Cảnh", 2, 1), ("Doanh", 2, 1), ("Khải", 1, 2), ("Lập", 2, 1),
    ("Nhất", 1, 1), ("Sỹ", 2, 1), ("Tuân", 2, 1), ("Vĩnh", 1, 1),
]
GIVEN_FEMALE = [
    ("Lan", 8, 4), ("Hương", 7, 6), ("Hoa", 8, 3), ("Mai", 6, 5), ("Linh", 1, 8),
    ("Hà", 4, 5), ("Trang", 2, 8), ("Thảo", 2, 7), ("Hằng", 5, 5), ("Nga", 6, 3),
    ("Ngọc", 3, 5), ("Phương", 3, 5), ("Thủy", 6, 4), ("Hạnh", 6, 3), ("Huyền", 3, 5),
    ("Thu", 5, 3), ("Yến", 4, 4), ("Nhung", 5, 3), ("Oanh", 4, 2), ("Dung", 5, 3),
    ("Hiền", 5, 4), ("Loan", 5, 2), ("Tuyết", 4, 2), ("Vân", 5, 3), ("Anh", 1, 7),
    ("Chi", 0.5, 5), ("Duyên", 2, 4), ("Giang", 2, 4), ("Hậu", 3, 2), ("Hồng", 6, 2),
    ("Huệ", 5, 2), ("Khánh", 0.5, 3), ("Liên", 5, 2), ("Ly", 0.5, 4), ("My", 0.3, 4),
    ("Nhi", 0.2, 5), ("Nhàn", 4, 1), ("Nguyệt", 3, 2), ("Quyên", 1, 3), ("Quỳnh", 1, 5),
    ("Tâm", 3, 2), ("Thanh", 4, 2), ("Thoa", 4, 1), ("Thúy", 4, 3), ("Trinh", 1, 3),
    ("Uyên", 0.3, 4), ("Vy", 0.1, 4), ("Xuân", 4, 1), ("Bích", 3, 1), ("Cúc", 4, 0.5),
    ("Đào", 3, 0.5), ("Gấm", 3, 0.3), ("Hải", 2, 1), ("Hân", 0.1, 3), ("Hoài", 2, 2),
    ("Kim", 2, 1), ("Lệ", 3, 1), ("Lụa", 3, 0.2), ("Mến", 3, 0.5), ("Minh", 1, 2),
    ("Ngân", 1, 4), ("Phượng", 4, 2), ("Sen", 3, 0.5), ("Thắm", 3, 1), ("Thơm", 3, 0.3),
    ("Thương", 2, 3), ("Trâm", 0.5, 3), ("Tươi", 3, 0.5), ("Châu", 1, 2), ("Diễm", 1, 2),
    ("Hảo", 3, 1), ("Lam", 1, 1), ("Mỹ", 2, 2), ("Ngà", 2, 1), ("Sương", 2, 1),
    ("Tiên", 1, 3), ("Tú", 2, 2), ("Tám", 3, 0.1), ("Lý", 2, 1), ("Hiên", 2, 1),
    ("Na", 0.5, 2), ("Ánh", 2, 3), ("Diệp", 1, 1), ("Hường", 4, 1), ("Lành", 3, 0.3),
    ("Nương", 2, 0.3), ("An", 0.5, 3),
    ("Ngoan", 2, 0.5), ("Thơ", 2, 2), ("Vui", 2, 0.2), ("Xoan", 2, 0.2), ("Yên", 1, 1),
]

# Given names more common among some minorities (added to the general pool for that group).
ETHNIC_GIVEN = {
    "08": (["Páo", "Chứ", "Sử", "Dính", "Pó", "Sình", "Chá", "Lử", "Dế", "Tráng", "Giống"],
           ["Mỷ", "Dợ", "Pà", "Chở", "Say", "Sua", "Dua", "Súa", "Xây", "Dở"]),
    "03": (["Puôn", "Ương", "Pánh", "Khăm", "Inh", "Xiêng", "Cương"],
           ["Ẻn", "Piềng", "Ngoan", "Xuân", "Ín", "Lả", "Bun"]),
    "09": (["Phin", "Sành", "Chòi", "Quẩy", "Vảng"], ["Mẩy", "Nhất", "Sói", "Múi", "Chiêm"]),
    "05": (["Sóc", "Sa", "Phol", "Thươl", "Rươne"], ["Sary", "Sophi", "Srây", "Thươn"]),
}
# Middle names for the Mông: "A" for many men, "Thị"/"Mí" for women.
ETHNIC_MIDDLE = {"08": (["A", "Văn", "Seo", "Chứ"], ["Thị", "Mí", "Thị", "Thị"])}
