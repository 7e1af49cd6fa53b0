"""Vietnamese names for the synthetic country: the 63 provinces before the 2025 reform, the
departments every province has, and syllables that make plausible district and commune names.

The province names and GSO codes are real; district and commune names are made up from common
place-name syllables (they look right on the overview, they are not real places), and their
codes are sequential, not GSO codes.  All text is NFC.
"""

from __future__ import annotations

#: (GSO code, name) of the 63 provinces and centrally run cities before 1 July 2025.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("01", "Thành phố Hà Nội"), ("02", "Tỉnh Hà Giang"), ("04", "Tỉnh Cao Bằng"), ("06", "Tỉnh Bắc Kạn"),
    ("08", "Tỉnh Tuyên Quang"), ("10", "Tỉnh Lào Cai"), ("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"),
    ("14", "Tỉnh Sơn La"), ("15", "Tỉnh Yên Bái"), ("17", "Tỉnh Hòa Bình"), ("19", "Tỉnh Thái Nguyên"),
    ("20", "Tỉnh Lạng Sơn"), ("22", "Tỉnh Quảng Ninh"), ("24", "Tỉnh Bắc Giang"), ("25", "Tỉnh Phú Thọ"),
    ("26", "Tỉnh Vĩnh Phúc"), ("27", "Tỉnh Bắc Ninh"), ("30", "Tỉnh Hải Dương"), ("31", "Thành phố Hải Phòng"),
    ("33", "Tỉnh Hưng Yên"), ("34", "Tỉnh Thái Bình"), ("35", "Tỉnh Hà Nam"), ("36", "Tỉnh Nam Định"),
    ("37", "Tỉnh Ninh Bình"), ("38", "Tỉnh Thanh Hóa"), ("40", "Tỉnh Nghệ An"), ("42", "Tỉnh Hà Tĩnh"),
    ("44", "Tỉnh Quảng Bình"), ("45", "Tỉnh Quảng Trị"), ("46", "Tỉnh Thừa Thiên Huế"), ("48", "Thành phố Đà Nẵng"),
    ("49", "Tỉnh Quảng Nam"), ("51", "Tỉnh Quảng Ngãi"), ("52", "Tỉnh Bình Định"), ("54", "Tỉnh Phú Yên"),
    ("56", "Tỉnh Khánh Hòa"), ("58", "Tỉnh Ninh Thuận"), ("60", "Tỉnh Bình Thuận"), ("62", "Tỉnh Kon Tum"),
    ("64", "Tỉnh Gia Lai"), ("66", "Tỉnh Đắk Lắk"), ("67", "Tỉnh Đắk Nông"), ("68", "Tỉnh Lâm Đồng"),
    ("70", "Tỉnh Bình Phước"), ("72", "Tỉnh Tây Ninh"), ("74", "Tỉnh Bình Dương"), ("75", "Tỉnh Đồng Nai"),
    ("77", "Tỉnh Bà Rịa - Vũng Tàu"), ("79", "Thành phố Hồ Chí Minh"), ("80", "Tỉnh Long An"), ("82", "Tỉnh Tiền Giang"),
    ("83", "Tỉnh Bến Tre"), ("84", "Tỉnh Trà Vinh"), ("86", "Tỉnh Vĩnh Long"), ("87", "Tỉnh Đồng Tháp"),
    ("89", "Tỉnh An Giang"), ("91", "Tỉnh Kiên Giang"), ("92", "Thành phố Cần Thơ"), ("93", "Tỉnh Hậu Giang"),
    ("94", "Tỉnh Sóc Trăng"), ("95", "Tỉnh Bạc Liêu"), ("96", "Tỉnh Cà Mau"),
)

#: (number, name, kind) of the 15 department-level QMS units of every province.
DEPARTMENTS: tuple[tuple[int, str, str], ...] = (
    (1, "Văn phòng UBND", "van_phong"), (2, "Sở Nội vụ", "so"), (3, "Sở Tư pháp", "so"),
    (4, "Sở Kế hoạch và Đầu tư", "so"), (5, "Sở Tài chính", "so"), (6, "Sở Công Thương", "so"),
    (7, "Sở Nông nghiệp và Phát triển nông thôn", "so"), (8, "Sở Giao thông Vận tải", "so"),
    (9, "Sở Xây dựng", "so"), (10, "Sở Tài nguyên và Môi trường", "so"), (11, "Sở Thông tin và Truyền thông", "so"),
    (12, "Sở Lao động - Thương binh và Xã hội", "so"), (13, "Sở Khoa học và Công nghệ", "so"),
    (14, "Sở Y tế", "so"), (15, "Thanh tra tỉnh", "thanh_tra"),
)

#: (number, name, parent department number) of the 4 sub-departments (chi cục) of every province.
SUB_DEPARTMENTS: tuple[tuple[int, str, int], ...] = (
    (1, "Chi cục Tiêu chuẩn Đo lường Chất lượng", 13), (2, "Chi cục Kiểm lâm", 7),
    (3, "Chi cục Thủy lợi", 7), (4, "Chi cục Dân số - Kế hoạch hóa gia đình", 14),
)

#: Syllables of common Vietnamese place names (two make a name: "Tân Phú", "Hòa Bình"...).
SYLLABLES: tuple[str, ...] = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Thạnh", "Long", "Phước", "Hưng", "Thành", "Mỹ", "Lộc", "Đông", "Tây",
    "Nam", "Bắc", "Trung", "Sơn", "Hải", "Thủy", "Lâm", "Quang", "Minh", "Đức", "Nghĩa", "Thịnh", "Xuân",
    "Hợp", "Tiến", "Phong", "Yên", "Cường", "Kim", "Ngọc", "Hồng", "Thắng", "Lợi", "Vĩnh", "Định", "Hiệp",
    "Châu", "Giang", "Khánh", "Lạc", "Mường", "Nậm", "Sìn", "Thượng", "Hạ", "Tả",
)


def sql_list(values) -> str:
    """A SQL list literal of fixed, trusted strings (these tables are code, never user input)."""
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"
