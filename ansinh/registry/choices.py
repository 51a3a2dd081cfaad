from django.db import models

from ansinh.core.text import fold


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class Relationship(models.TextChoices):
    HEAD = "head", "Chủ hộ"
    SPOUSE = "spouse", "Vợ/chồng"
    CHILD = "child", "Con"
    PARENT = "parent", "Cha/mẹ"
    GRANDPARENT = "grandparent", "Ông/bà"
    GRANDCHILD = "grandchild", "Cháu"
    SIBLING = "sibling", "Anh/chị/em"
    CHILD_IN_LAW = "child_in_law", "Con dâu/con rể"
    OTHER = "other", "Khác"


class DisabilityLevel(models.TextChoices):
    NONE = "", "Không"
    MILD = "mild", "Nhẹ"
    SEVERE = "severe", "Nặng"
    EXTREMELY_SEVERE = "extremely_severe", "Đặc biệt nặng"


class DisabilityType(models.TextChoices):
    NONE = "", "—"
    MOBILITY = "mobility", "Khuyết tật vận động"
    HEARING_SPEECH = "hearing_speech", "Khuyết tật nghe, nói"
    VISUAL = "visual", "Khuyết tật nhìn"
    MENTAL = "mental", "Khuyết tật thần kinh, tâm thần"
    INTELLECTUAL = "intellectual", "Khuyết tật trí tuệ"
    OTHER = "other", "Khuyết tật khác"


class Poverty(models.TextChoices):
    NONE = "", "Không"
    POOR = "poor", "Hộ nghèo"
    NEAR_POOR = "near_poor", "Hộ cận nghèo"


class DocumentType(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", "Giấy khai sinh"
    OLD_ID = "cmnd", "CMND 9 số"
    PASSPORT = "passport", "Hộ chiếu"
    DISABILITY_CERTIFICATE = "disability_certificate", "Giấy xác nhận khuyết tật"
    OTHER = "other", "Khác"


def _index(pairs: dict[str, str]) -> dict[str, str]:
    return {fold(k): v for k, v in pairs.items()}


SEX_WORDS = _index({"nam": "M", "male": "M", "m": "M", "trai": "M", "1": "M",
                    "nữ": "F", "nu": "F", "female": "F", "f": "F", "gái": "F", "0": "F"})

RELATIONSHIP_WORDS = _index({
    "chủ hộ": "head", "chu ho": "head", "ch": "head", "head": "head", "bản thân": "head",
    "vợ": "spouse", "chồng": "spouse", "vợ/chồng": "spouse", "spouse": "spouse",
    "con": "child", "con trai": "child", "con gái": "child", "con đẻ": "child",
    "con nuôi": "child", "child": "child",
    "cha": "parent", "bố": "parent", "mẹ": "parent", "cha/mẹ": "parent", "bố đẻ": "parent",
    "mẹ đẻ": "parent", "parent": "parent",
    "ông": "grandparent", "bà": "grandparent", "ông nội": "grandparent",
    "bà nội": "grandparent", "ông ngoại": "grandparent", "bà ngoại": "grandparent",
    "cháu": "grandchild", "cháu nội": "grandchild", "cháu ngoại": "grandchild",
    "anh": "sibling", "chị": "sibling", "em": "sibling", "anh trai": "sibling",
    "chị gái": "sibling", "em trai": "sibling", "em gái": "sibling",
    "con dâu": "child_in_law", "con rể": "child_in_law",
    "khác": "other", "other": "other",
})

DISABILITY_WORDS = _index({
    "nhẹ": "mild", "mild": "mild", "nặng": "severe", "severe": "severe",
    "đặc biệt nặng": "extremely_severe", "extremely_severe": "extremely_severe",
    "extremely severe": "extremely_severe", "không": "", "": "",
})

POVERTY_WORDS = _index({
    "nghèo": "poor", "hộ nghèo": "poor", "poor": "poor", "hn": "poor",
    "cận nghèo": "near_poor", "hộ cận nghèo": "near_poor", "near_poor": "near_poor",
    "near poor": "near_poor", "hcn": "near_poor", "không": "", "": "",
})
