"""The data types of an application: application.yaml's schema, ledger items, and their titles.

Reads nothing: the loaders (application.py, ledger.py) fill these types from files, and the pure core
(match, rules, awards, report) works on them without any I/O library being imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assembler.core.dates import parse_date_text
from assembler.core.identifiers import (
    clean_code,
    clean_count,
    credit_code_problem,
    halfwidth,
    normalize_phone,
    parse_money,
)

APPLICATION_FILE = "application.yaml"
FIVE_SMALL = ("小发明", "小创造", "小革新", "小设计", "小建议")


def parse_date(value: Any) -> Any:
    """A date from a cell or text (2025-09-12, 2025/9/12, 2025.9.12, 2025年9月12日, 20250912); else
    unchanged.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value.strip():
        found = parse_date_text(value)
        if found is None:
            raise ValueError(f"“{value.strip()}”不是有效日期（应写成 2025-09-12）")
        return found
    return value


def blank_to_none(value: Any) -> Any:
    """None for an empty cell or blank text, else the value unchanged."""
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _money_or_none(value: Any) -> Decimal | None:
    value = blank_to_none(value)
    return None if value is None else parse_money(value)


def _date_or_none(value: Any) -> Any:
    value = blank_to_none(value)
    return None if value is None else parse_date(value)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


Text = Annotated[str, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_text), StringConstraints(strip_whitespace=True, min_length=1)]


class LedgerItem(BaseModel):
    """One adopted improvement/innovation/suggestion (one row of 附件1.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: RequiredText
    proposer: RequiredText
    adopted_on: Annotated[dt.date, BeforeValidator(parse_date)]
    category: Text = ""
    department: Text = ""
    effect: Text = ""
    bonus: Annotated[Decimal | None, BeforeValidator(_money_or_none)] = None
    meeting: Annotated[dt.date | None, BeforeValidator(_date_or_none)] = None
    seq: Text = ""
    row: int | None = None  # where the item stands in its source (spreadsheet row or list position)


LEVEL_TITLES = {
    "enterprise": "企业级",
    "zone": "高新区级",
    "binhai": "滨海新区级",
    "tianjin": "天津市级",
    "national": "全国级",
}
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVEL_TITLES)}


def _text_from_number(value: Any) -> Any:
    """Digits typed without quotes arrive from YAML as int; for phone/account/code fields take them as
    text.
    """
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Money = Annotated[Decimal, BeforeValidator(parse_money)]
DigitText = Annotated[str, BeforeValidator(_text_from_number)]
Count = Annotated[int, BeforeValidator(clean_count)]  # 1,200 · 1200人 · １２００ · 5000元 · 2026年
Code = Annotated[str, BeforeValidator(clean_code)]  # a credit code: upper-case ASCII, no spaces
Date = Annotated[dt.date, BeforeValidator(parse_date)]  # 2026-04-28 · 2026/4/28 · 2026.4.28 · 2026年4月28日
OptionalDate = Annotated[dt.date | None, BeforeValidator(_date_or_none)]


def _halfwidth_text(value: Any) -> Any:
    value = _text_from_number(value)
    return halfwidth(value) if isinstance(value, str) else value


NumberText = Annotated[str, BeforeValidator(_halfwidth_text)]  # phones, accounts: full-width digits allowed


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_lists(cls, data: Any) -> Any:
        """A list key left empty in YAML (`meetings:` with only comments below) means an empty list."""
        if isinstance(data, dict):
            blanks = [
                k
                for k, v in data.items()
                if v is None and k in cls.model_fields and cls.model_fields[k].default == []
            ]
            if blanks:
                data = {**data, **dict.fromkeys(blanks, [])}
        return data


class Contact(_Model):
    name: str = ""
    phone: NumberText = ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and normalize_phone(value) is None:
            raise ValueError(f"电话号码“{value}”格式不对（手机 11 位，座机如 022-58001234）")
        return value


class Bank(_Model):
    name: str = ""  # 开户银行
    account: NumberText = ""  # 账号

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        digits = value.replace(" ", "").replace("-", "")
        if value and not (digits.isdigit() and 8 <= len(digits) <= 32):
            raise ValueError(f"银行账号“{value}”应为 8–32 位数字")
        return value


class Applicant(_Model):
    name: str
    credit_code: Code
    union: str
    contact: Contact
    address: str = ""
    employees: Count | None = None
    bank: Bank = Bank()
    union_code: Code = ""  # 基层工会的统一社会信用代码 (optional)

    @field_validator("credit_code", "union_code")
    @classmethod
    def _credit_code(cls, value: str, info: ValidationInfo) -> str:
        value = value.upper()
        if value and (problem := credit_code_problem(value)):
            whose = "工会的统一社会信用代码" if info.field_name == "union_code" else "统一社会信用代码"
            raise ValueError(f"{whose}“{value}”无效：{problem}")
        return value

    @field_validator("employees")
    @classmethod
    def _employees(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("职工人数应为正整数")
        return value


class Meeting(_Model):
    date: Date
    title: str = ""
    reported_on: OptionalDate = (
        None  # 报备: the day the meeting was reported to the zone union (附件1 五(二))
    )
    attended_by: str = ""  # who the zone union sent to it, if anyone


class Innovation(_Model):
    case: Literal["count", "bonus"]
    projects: str | list[LedgerItem] = []
    meetings: list[Meeting] = []

    @field_validator("case", mode="before")
    @classmethod
    def _one_case(cls, value: Any) -> Any:
        if isinstance(value, list):
            raise ValueError("只能选择一种补贴情形（count 或 bonus），二者不可同时申报（附件1 五(三)）")
        return value


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class StudioItem(_Model):
    title: NonEmpty
    description: str = ""
    date: OptionalDate = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"title": value} if isinstance(value, str) else value


class Patent(_Model):
    title: NonEmpty
    number: str = ""  # 专利号, e.g. ZL202310123456.7
    kind: str = ""  # 发明专利 / 实用新型专利 / 重大专项
    file: str | None = None  # the copy's path inside the application folder, if not found by number


class Studio(_Model):
    name: str
    leader: str
    level: Literal["enterprise", "zone", "binhai", "tianjin", "national"]
    members: Count | None = None
    named_on: OptionalDate = None
    new: bool = False
    matched_amount: Money | None = None
    annual: bool = False
    tier: Count | None = None  # the requested B2 tier; the committee decides it (附件2 四(二))
    tier_reasons: list[Literal["plan", "patents", "major_projects"]] = []  # why the tier is requested
    plan_completion: str = ""  # 年度计划完成情况, the first criterion of 附件2 四(二), printed on 附件2.1
    projects: list[StudioItem] = []
    results: list[StudioItem] = []
    patents: list[Patent] = []


class Application(_Model):
    measures: DigitText
    year: Count
    scheme: Literal["innovation", "studio"]
    filed_on: OptionalDate = None  # 填表日期 printed on the forms; left blank for handwriting when absent
    applicant: Applicant
    period: Any = Field(
        default=None, exclude=True
    )  # removed: the zone union's call sets the period; kept only to say so
    innovation: Innovation | None = None
    studio: Studio | None = None

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        if not 2021 <= value <= 2100:
            raise ValueError("申报年度应为 2021 年（办法施行）以后的四位年份")
        return value

    @field_validator("period")
    @classmethod
    def _no_period(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError(
                "申报期间不再由申请人填写：由高新区总工会当年的申报通知确定（没有通知时为申报年度的"
                "1 月 1 日至 12 月 31 日）。请删除 period 一节"
            )
        return value

    @model_validator(mode="after")
    def _scheme_section(self) -> Application:
        if self.scheme == "innovation" and self.innovation is None:
            raise ValueError("scheme 为 innovation 时需要 innovation: 一节（补贴情形、项目台账、评审会议）")
        if self.scheme == "studio" and self.studio is None:
            raise ValueError("scheme 为 studio 时需要 studio: 一节（工作室名称、级别等）")
        other = "studio" if self.scheme == "innovation" else "innovation"
        if getattr(self, other) is not None:
            raise ValueError(
                f"scheme 为 {self.scheme} 时不能同时填写 {other}: 一节（每份申请只申报一项基金）"
            )
        return self


@dataclass(frozen=True)
class LoadedApplication:
    """A validated application with its ledger resolved, plus where each key stood in the YAML."""

    app: Application
    items: tuple[LedgerItem, ...] = ()
    ledger_path: str | None = None
    lines: dict[tuple, int] = field(default_factory=dict, compare=False)
    raw: dict = field(default_factory=dict, compare=False)

    def line_of(self, *path: Any) -> int | None:
        """The line in application.yaml where the key at `path` stands (or its nearest parent)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None
