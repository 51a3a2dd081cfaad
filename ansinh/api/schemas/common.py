"""Building blocks shared by the input and output schemas."""

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

MAX_ID = 2**63 - 1


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text and neither database stores lone surrogates; refuse them
    # here so they are a 422 on the field rather than a database error.
    if "\x00" in value:
        raise ValueError("Chuỗi chứa ký tự NUL không hợp lệ.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Chuỗi chứa ký tự Unicode không hợp lệ.") from exc
    return value


def Text(max_length: int = 255, min_length: int = 0):  # noqa: N802 - reads like a type
    return Annotated[
        str, Field(max_length=max_length, min_length=min_length), AfterValidator(_storable)
    ]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
CommuneCode = Annotated[
    str, Field(pattern=r"^\d{5}$", description="Mã xã/phường 5 chữ số (danh mục 2025)")
]


class InputSchema(Schema):
    """Every input object rejects fields it does not know (422 `extra_forbidden`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(Schema):
    count: int = Field(description="Tổng số bản ghi khớp bộ lọc (trong địa bàn của bạn)")
    next: str | None = Field(None, description="URL trang sau, null nếu hết")
    previous: str | None = Field(None, description="URL trang trước, null nếu là trang đầu")
