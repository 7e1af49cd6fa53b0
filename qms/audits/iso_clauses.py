"""Clause numbers and titles of TCVN ISO 9001:2008 (clauses 4-8) and TCVN ISO 9001:2015 (4-10).

Contract: pure data and lookups, no I/O.  A clause is a dotted number written as a string
(``"8.2.2"``, ``"10.2"``); a top-level clause (``"8"``) is the parent of everything under it.
Only titles are kept here, never the standard's text (it is copyrighted).  Sub-clauses that the
standard numbers without a title of their own (2015: 4.4.1, 9.2.2, 10.2.1 ...) are known clauses
and carry their parent's title, so that a finding may cite them.

Why: checklist templates, findings and reports cite clauses; one table lets every part of the
application refuse a mistyped clause and show the same title.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from qms.kernel.errors import ValidationError

Title = tuple[str, str]  # (Vietnamese, English)

_2008: dict[str, Title] = {
    "4": ("Hệ thống quản lý chất lượng", "Quality management system"),
    "4.1": ("Yêu cầu chung", "General requirements"),
    "4.2": ("Yêu cầu về hệ thống tài liệu", "Documentation requirements"),
    "4.2.1": ("Khái quát", "General"),
    "4.2.2": ("Sổ tay chất lượng", "Quality manual"),
    "4.2.3": ("Kiểm soát tài liệu", "Control of documents"),
    "4.2.4": ("Kiểm soát hồ sơ", "Control of records"),
    "5": ("Trách nhiệm của lãnh đạo", "Management responsibility"),
    "5.1": ("Cam kết của lãnh đạo", "Management commitment"),
    "5.2": ("Hướng vào khách hàng", "Customer focus"),
    "5.3": ("Chính sách chất lượng", "Quality policy"),
    "5.4": ("Hoạch định", "Planning"),
    "5.4.1": ("Mục tiêu chất lượng", "Quality objectives"),
    "5.4.2": ("Hoạch định hệ thống quản lý chất lượng", "Quality management system planning"),
    "5.5": ("Trách nhiệm, quyền hạn và trao đổi thông tin",
            "Responsibility, authority and communication"),
    "5.5.1": ("Trách nhiệm và quyền hạn", "Responsibility and authority"),
    "5.5.2": ("Đại diện của lãnh đạo", "Management representative"),
    "5.5.3": ("Trao đổi thông tin nội bộ", "Internal communication"),
    "5.6": ("Xem xét của lãnh đạo", "Management review"),
    "5.6.1": ("Khái quát", "General"),
    "5.6.2": ("Đầu vào của việc xem xét", "Review input"),
    "5.6.3": ("Đầu ra của việc xem xét", "Review output"),
    "6": ("Quản lý nguồn lực", "Resource management"),
    "6.1": ("Cung cấp nguồn lực", "Provision of resources"),
    "6.2": ("Nguồn nhân lực", "Human resources"),
    "6.2.1": ("Khái quát", "General"),
    "6.2.2": ("Năng lực, đào tạo và nhận thức", "Competence, training and awareness"),
    "6.3": ("Cơ sở hạ tầng", "Infrastructure"),
    "6.4": ("Môi trường làm việc", "Work environment"),
    "7": ("Tạo sản phẩm", "Product realization"),
    "7.1": ("Hoạch định việc tạo sản phẩm", "Planning of product realization"),
    "7.2": ("Các quá trình liên quan đến khách hàng", "Customer-related processes"),
    "7.2.1": ("Xác định các yêu cầu liên quan đến sản phẩm",
              "Determination of requirements related to the product"),
    "7.2.2": ("Xem xét các yêu cầu liên quan đến sản phẩm",
              "Review of requirements related to the product"),
    "7.2.3": ("Trao đổi thông tin với khách hàng", "Customer communication"),
    "7.3": ("Thiết kế và phát triển", "Design and development"),
    "7.3.1": ("Hoạch định thiết kế và phát triển", "Design and development planning"),
    "7.3.2": ("Đầu vào của thiết kế và phát triển", "Design and development inputs"),
    "7.3.3": ("Đầu ra của thiết kế và phát triển", "Design and development outputs"),
    "7.3.4": ("Xem xét thiết kế và phát triển", "Design and development review"),
    "7.3.5": ("Kiểm tra xác nhận thiết kế và phát triển", "Design and development verification"),
    "7.3.6": ("Xác nhận giá trị sử dụng của thiết kế và phát triển",
              "Design and development validation"),
    "7.3.7": ("Kiểm soát thay đổi thiết kế và phát triển",
              "Control of design and development changes"),
    "7.4": ("Mua hàng", "Purchasing"),
    "7.4.1": ("Quá trình mua hàng", "Purchasing process"),
    "7.4.2": ("Thông tin mua hàng", "Purchasing information"),
    "7.4.3": ("Kiểm tra xác nhận sản phẩm mua vào", "Verification of purchased product"),
    "7.5": ("Sản xuất và cung cấp dịch vụ", "Production and service provision"),
    "7.5.1": ("Kiểm soát sản xuất và cung cấp dịch vụ",
              "Control of production and service provision"),
    "7.5.2": ("Xác nhận giá trị sử dụng của các quá trình sản xuất và cung cấp dịch vụ",
              "Validation of processes for production and service provision"),
    "7.5.3": ("Nhận biết và xác định nguồn gốc", "Identification and traceability"),
    "7.5.4": ("Tài sản của khách hàng", "Customer property"),
    "7.5.5": ("Bảo toàn sản phẩm", "Preservation of product"),
    "7.6": ("Kiểm soát thiết bị theo dõi và đo lường",
            "Control of monitoring and measuring equipment"),
    "8": ("Đo lường, phân tích và cải tiến", "Measurement, analysis and improvement"),
    "8.1": ("Khái quát", "General"),
    "8.2": ("Theo dõi và đo lường", "Monitoring and measurement"),
    "8.2.1": ("Sự thỏa mãn của khách hàng", "Customer satisfaction"),
    "8.2.2": ("Đánh giá nội bộ", "Internal audit"),
    "8.2.3": ("Theo dõi và đo lường các quá trình", "Monitoring and measurement of processes"),
    "8.2.4": ("Theo dõi và đo lường sản phẩm", "Monitoring and measurement of product"),
    "8.3": ("Kiểm soát sản phẩm không phù hợp", "Control of nonconforming product"),
    "8.4": ("Phân tích dữ liệu", "Analysis of data"),
    "8.5": ("Cải tiến", "Improvement"),
    "8.5.1": ("Cải tiến thường xuyên", "Continual improvement"),
    "8.5.2": ("Hành động khắc phục", "Corrective action"),
    "8.5.3": ("Hành động phòng ngừa", "Preventive action"),
}

_2015: dict[str, Title] = {
    "4": ("Bối cảnh của tổ chức", "Context of the organization"),
    "4.1": ("Hiểu tổ chức và bối cảnh của tổ chức",
            "Understanding the organization and its context"),
    "4.2": ("Hiểu nhu cầu và mong đợi của các bên quan tâm",
            "Understanding the needs and expectations of interested parties"),
    "4.3": ("Xác định phạm vi của hệ thống quản lý chất lượng",
            "Determining the scope of the quality management system"),
    "4.4": ("Hệ thống quản lý chất lượng và các quá trình của hệ thống",
            "Quality management system and its processes"),
    "5": ("Sự lãnh đạo", "Leadership"),
    "5.1": ("Sự lãnh đạo và cam kết", "Leadership and commitment"),
    "5.1.1": ("Khái quát", "General"),
    "5.1.2": ("Hướng vào khách hàng", "Customer focus"),
    "5.2": ("Chính sách", "Policy"),
    "5.2.1": ("Thiết lập chính sách chất lượng", "Establishing the quality policy"),
    "5.2.2": ("Truyền đạt chính sách chất lượng", "Communicating the quality policy"),
    "5.3": ("Vai trò, trách nhiệm và quyền hạn trong tổ chức",
            "Organizational roles, responsibilities and authorities"),
    "6": ("Hoạch định", "Planning"),
    "6.1": ("Hành động giải quyết rủi ro và cơ hội", "Actions to address risks and opportunities"),
    "6.2": ("Mục tiêu chất lượng và hoạch định để đạt được mục tiêu",
            "Quality objectives and planning to achieve them"),
    "6.3": ("Hoạch định các thay đổi", "Planning of changes"),
    "7": ("Hỗ trợ", "Support"),
    "7.1": ("Nguồn lực", "Resources"),
    "7.1.1": ("Khái quát", "General"),
    "7.1.2": ("Con người", "People"),
    "7.1.3": ("Cơ sở hạ tầng", "Infrastructure"),
    "7.1.4": ("Môi trường cho việc thực hiện các quá trình",
              "Environment for the operation of processes"),
    "7.1.5": ("Nguồn lực theo dõi và đo lường", "Monitoring and measuring resources"),
    "7.1.5.1": ("Khái quát", "General"),
    "7.1.5.2": ("Liên kết chuẩn đo lường", "Measurement traceability"),
    "7.1.6": ("Tri thức của tổ chức", "Organizational knowledge"),
    "7.2": ("Năng lực", "Competence"),
    "7.3": ("Nhận thức", "Awareness"),
    "7.4": ("Trao đổi thông tin", "Communication"),
    "7.5": ("Thông tin dạng văn bản", "Documented information"),
    "7.5.1": ("Khái quát", "General"),
    "7.5.2": ("Tạo lập và cập nhật", "Creating and updating"),
    "7.5.3": ("Kiểm soát thông tin dạng văn bản", "Control of documented information"),
    "8": ("Thực hiện", "Operation"),
    "8.1": ("Hoạch định và kiểm soát việc thực hiện", "Operational planning and control"),
    "8.2": ("Yêu cầu đối với sản phẩm và dịch vụ", "Requirements for products and services"),
    "8.2.1": ("Trao đổi thông tin với khách hàng", "Customer communication"),
    "8.2.2": ("Xác định các yêu cầu đối với sản phẩm và dịch vụ",
              "Determining the requirements for products and services"),
    "8.2.3": ("Xem xét các yêu cầu đối với sản phẩm và dịch vụ",
              "Review of the requirements for products and services"),
    "8.2.4": ("Thay đổi các yêu cầu đối với sản phẩm và dịch vụ",
              "Changes to requirements for products and services"),
    "8.3": ("Thiết kế và phát triển sản phẩm và dịch vụ",
            "Design and development of products and services"),
    "8.3.1": ("Khái quát", "General"),
    "8.3.2": ("Hoạch định thiết kế và phát triển", "Design and development planning"),
    "8.3.3": ("Đầu vào của thiết kế và phát triển", "Design and development inputs"),
    "8.3.4": ("Kiểm soát thiết kế và phát triển", "Design and development controls"),
    "8.3.5": ("Đầu ra của thiết kế và phát triển", "Design and development outputs"),
    "8.3.6": ("Thay đổi thiết kế và phát triển", "Design and development changes"),
    "8.4": ("Kiểm soát quá trình, sản phẩm và dịch vụ do bên ngoài cung cấp",
            "Control of externally provided processes, products and services"),
    "8.4.1": ("Khái quát", "General"),
    "8.4.2": ("Loại và mức độ kiểm soát", "Type and extent of control"),
    "8.4.3": ("Thông tin cho nhà cung cấp bên ngoài", "Information for external providers"),
    "8.5": ("Sản xuất và cung cấp dịch vụ", "Production and service provision"),
    "8.5.1": ("Kiểm soát sản xuất và cung cấp dịch vụ",
              "Control of production and service provision"),
    "8.5.2": ("Nhận biết và xác định nguồn gốc", "Identification and traceability"),
    "8.5.3": ("Tài sản của khách hàng hoặc nhà cung cấp bên ngoài",
              "Property belonging to customers or external providers"),
    "8.5.4": ("Bảo toàn", "Preservation"),
    "8.5.5": ("Hoạt động sau giao hàng", "Post-delivery activities"),
    "8.5.6": ("Kiểm soát thay đổi", "Control of changes"),
    "8.6": ("Thông qua sản phẩm và dịch vụ", "Release of products and services"),
    "8.7": ("Kiểm soát đầu ra không phù hợp", "Control of nonconforming outputs"),
    "9": ("Đánh giá kết quả thực hiện", "Performance evaluation"),
    "9.1": ("Theo dõi, đo lường, phân tích và đánh giá",
            "Monitoring, measurement, analysis and evaluation"),
    "9.1.1": ("Khái quát", "General"),
    "9.1.2": ("Sự thỏa mãn của khách hàng", "Customer satisfaction"),
    "9.1.3": ("Phân tích và đánh giá", "Analysis and evaluation"),
    "9.2": ("Đánh giá nội bộ", "Internal audit"),
    "9.3": ("Xem xét của lãnh đạo", "Management review"),
    "9.3.1": ("Khái quát", "General"),
    "9.3.2": ("Đầu vào xem xét của lãnh đạo", "Management review inputs"),
    "9.3.3": ("Đầu ra xem xét của lãnh đạo", "Management review outputs"),
    "10": ("Cải tiến", "Improvement"),
    "10.1": ("Khái quát", "General"),
    "10.2": ("Sự không phù hợp và hành động khắc phục", "Nonconformity and corrective action"),
    "10.3": ("Cải tiến liên tục", "Continual improvement"),
}

# Numbered in the 2015 standard without a title of their own: they carry the parent's title.
for _n in ("4.4.1", "4.4.2", "6.1.1", "6.1.2", "6.2.1", "6.2.2", "7.5.3.1", "7.5.3.2",
           "8.7.1", "8.7.2", "9.2.1", "9.2.2", "10.2.1", "10.2.2"):
    _2015[_n] = _2015[_n.rsplit(".", 1)[0]]
del _n


def _sort_key(clause: str) -> tuple[int, ...]:
    return tuple(int(p) for p in clause.split("."))


TITLES: Mapping[str, Mapping[str, Title]] = MappingProxyType({
    "2008": MappingProxyType(dict(sorted(_2008.items(), key=lambda kv: _sort_key(kv[0])))),
    "2015": MappingProxyType(dict(sorted(_2015.items(), key=lambda kv: _sort_key(kv[0])))),
})
"""``TITLES[standard][clause] == (title_vi, title_en)``, clauses in numeric order."""

CLAUSES_2008: frozenset[str] = frozenset(_2008)
CLAUSES_2015: frozenset[str] = frozenset(_2015)
TOP_CLAUSES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "2008": ("4", "5", "6", "7", "8"),
    "2015": ("4", "5", "6", "7", "8", "9", "10"),
})

_ALIASES = {"2008": "2008", "2015": "2015", "iso9001_2008": "2008", "iso9001_2015": "2015"}


def _standard(standard: str) -> str:
    """Accept "2008"/"2015" and the template spellings "iso9001_2008"/"iso9001_2015"."""
    try:
        return _ALIASES[standard]
    except (KeyError, TypeError):
        raise ValidationError(
            f"unknown ISO 9001 version {standard!r}: expected '2008' or '2015'") from None


def is_known_clause(standard: str, clause: str) -> bool:
    """True when ``clause`` (exact string, e.g. "8.2.2") is numbered in that standard version.

    An unknown ``standard`` raises :class:`ValidationError` (a wrong version is a bug, not a
    clause that merely does not exist).
    """
    return isinstance(clause, str) and clause in TITLES[_standard(standard)]


def clause_title(standard: str, clause: str, lang: str = "vi") -> str:
    """Title of a clause in Vietnamese (``lang="vi"``) or English (``lang="en"``).

    Raises :class:`ValidationError` naming the clause when it is unknown in that version.
    """
    if lang not in ("vi", "en"):
        raise ValidationError(f"unknown language {lang!r}: expected 'vi' or 'en'")
    std = _standard(standard)
    try:
        vi, en = TITLES[std][clause]
    except (KeyError, TypeError):
        raise ValidationError(
            f"clause {clause!r} does not exist in ISO 9001:{std}") from None
    return vi if lang == "vi" else en


def top_clause(clause: str) -> str:
    """The top-level clause a clause belongs to: "8.2.2" -> "8", "10" -> "10"."""
    return clause.split(".", 1)[0]


def parent_clause(clause: str) -> str | None:
    """The clause one level up ("8.2.2" -> "8.2"), or None for a top-level clause."""
    return clause.rsplit(".", 1)[0] if "." in clause else None


def clauses(standard: str) -> tuple[str, ...]:
    """Every known clause of a version, in numeric order (4, 4.1, 4.2, 4.2.1, ...)."""
    return tuple(TITLES[_standard(standard)])
