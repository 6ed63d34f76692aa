"""application.yaml: the schema (pydantic v2, unknown keys forbidden) and the loader.

Errors are collected for the whole file and reported together, each with its field path,
line number and a fix in Chinese, so a user corrects everything in one pass.
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
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from assembler.errors import InputError
from assembler.identifiers import credit_code_problem, normalize_phone, parse_money
from assembler.ledger import LedgerItem, load_ledger_file
from assembler.sources import Source
from assembler.yamlio import load_yaml, read_text_file

APPLICATION_FILE = "application.yaml"

SCHEME_TITLES = {"innovation": "职工创新创效鼓励金", "studio": "劳模和工匠人才创新工作室鼓励金"}
CASE_TITLES = {"count": "情形一（按被采纳项目条数）", "bonus": "情形二（按企业行政专项奖金）"}
LEVEL_TITLES = {"enterprise": "企业级", "zone": "高新区级", "binhai": "滨海新区级", "tianjin": "天津市级",
                "national": "全国级"}
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVEL_TITLES)}


def _text_from_number(value: Any) -> Any:
    """Digits typed without quotes arrive from YAML as int; for phone/account/code fields take them as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Money = Annotated[Decimal, BeforeValidator(parse_money)]
DigitText = Annotated[str, BeforeValidator(_text_from_number)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_lists(cls, data: Any) -> Any:
        """A list key left empty in YAML (`meetings:` with only comments below) means an empty list."""
        if isinstance(data, dict):
            blanks = [k for k, v in data.items() if v is None and k in cls.model_fields
                      and cls.model_fields[k].default == []]
            if blanks:
                data = {**data, **dict.fromkeys(blanks, [])}
        return data


class Contact(_Model):
    name: str = ""
    phone: DigitText = ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and normalize_phone(value) is None:
            raise ValueError(f"电话号码“{value}”格式不对（手机 11 位，座机如 022-58001234）")
        return value


class Bank(_Model):
    name: str = ""       # 开户银行
    account: DigitText = ""  # 账号

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        digits = value.replace(" ", "").replace("-", "")
        if value and not (digits.isdigit() and 8 <= len(digits) <= 32):
            raise ValueError(f"银行账号“{value}”应为 8–32 位数字")
        return value


class Applicant(_Model):
    name: str
    credit_code: DigitText
    union: str
    contact: Contact
    address: str = ""
    employees: int | None = None
    bank: Bank = Bank()

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str) -> str:
        value = value.upper()
        if value and (problem := credit_code_problem(value)):
            raise ValueError(f"统一社会信用代码“{value}”无效：{problem}")
        return value

    @field_validator("employees")
    @classmethod
    def _employees(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("职工人数应为正整数")
        return value


class Meeting(_Model):
    date: dt.date
    title: str = ""


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
    date: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"title": value} if isinstance(value, str) else value


class Patent(_Model):
    title: NonEmpty
    number: str = ""          # 专利号, e.g. ZL202310123456.7
    kind: str = ""            # 发明专利 / 实用新型专利 / 重大专项
    file: str | None = None   # the copy's path inside the application folder, if not found by number


class Studio(_Model):
    name: str
    leader: str
    level: Literal["enterprise", "zone", "binhai", "tianjin", "national"]
    members: int | None = None
    named_on: dt.date | None = None
    new: bool = False
    matched_amount: Money | None = None
    annual: bool = False
    tier: int | None = None
    projects: list[StudioItem] = []
    results: list[StudioItem] = []
    patents: list[Patent] = []


class Period(_Model):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("申报期间的结束日期早于开始日期")
        return self


class Application(_Model):
    measures: DigitText
    year: int
    scheme: Literal["innovation", "studio"]
    filed_on: dt.date | None = None  # 填表日期 printed on the forms; left blank for handwriting when absent
    applicant: Applicant
    period: Period | None = None
    innovation: Innovation | None = None
    studio: Studio | None = None

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        if not 2021 <= value <= 2100:
            raise ValueError("申报年度应为 2021 年（办法施行）以后的四位年份")
        return value

    @model_validator(mode="after")
    def _scheme_section(self) -> Application:
        if self.scheme == "innovation" and self.innovation is None:
            raise ValueError("scheme 为 innovation 时需要 innovation: 一节（补贴情形、项目台账、评审会议）")
        if self.scheme == "studio" and self.studio is None:
            raise ValueError("scheme 为 studio 时需要 studio: 一节（工作室名称、级别等）")
        other = "studio" if self.scheme == "innovation" else "innovation"
        if getattr(self, other) is not None:
            raise ValueError(f"scheme 为 {self.scheme} 时不能同时填写 {other}: 一节（每份申请只申报一项基金）")
        return self

    @property
    def application_period(self) -> Period:
        """The period that meeting and adoption dates must fall in.

        Reading: without an explicit `period:`, from 1 January of the year before the application
        year to 31 December of the application year (the activity being rewarded precedes the filing).
        """
        return self.period or Period(start=dt.date(self.year - 1, 1, 1), end=dt.date(self.year, 12, 31))


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


_TYPE_WORDS = {
    "string_type": "应为文字", "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（如 2026-03-18）", "date_parsing": "应为日期（如 2026-03-18）",
    "date_from_datetime_inexact": "应为日期（不带时间）", "date_from_datetime_parsing": "应为日期（如 2026-03-18）",
    "list_type": "应为列表（每项以“- ”开头）", "dict_type": "应为若干“字段: 值”", "model_type": "应为若干“字段: 值”",
    "model_attributes_type": "应为若干“字段: 值”", "decimal_type": "应为数字", "decimal_parsing": "应为数字",
}


def _describe(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return "缺少必填字段"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "extra_forbidden":
        return "未知字段（可能拼写错误），请删除或改正"
    if kind == "literal_error":
        return f"取值“{err.get('input')}”无效，允许的值：{err['ctx']['expected']}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind in _TYPE_WORDS:
        return f"{_TYPE_WORDS[kind]}，实际为“{err.get('input')}”"
    if kind.startswith("union"):
        return "格式不对"
    return err["msg"]


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member tags (e.g. 'list[LedgerItem]', 'constrained-str') from an error location."""
    return tuple(p for p in loc if isinstance(p, int) or not ("[" in p or "-" in p or p in {"str", "int", "list"}))


def validation_messages(exc: ValidationError, lines: dict, source: str, prefix: tuple = ()) -> list[str]:
    """One Chinese line per schema error: file, line, dotted field path, what is wrong.

    Where a field accepts several forms (a ledger file name or an inline list), only the errors of
    the form the user chose are shown: an error whose location another error goes deeper into is dropped.
    """
    errors = [(prefix + _clean_loc(e["loc"]), e) for e in exc.errors()]
    out: list[str] = []
    for loc, err in errors:
        if any(len(other) > len(loc) and other[:len(loc)] == loc for other, _ in errors):
            continue
        probe = loc
        while probe and probe not in lines:
            probe = probe[:-1]
        line = lines.get(probe)
        dotted = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in loc).replace(".[", "[")
        text = f"{source}{f' 第 {line} 行' if line else ''} {dotted or '（顶层）'}：{_describe(err)}"
        if text not in out:
            out.append(text)
    return out


def load_application(source: Source) -> LoadedApplication:
    """Read, validate and resolve the application of a folder or zip; raise InputError naming every problem."""
    if not source.exists(APPLICATION_FILE):
        raise InputError(
            f"找不到 {APPLICATION_FILE}", where=source.display,
            fix=f"每份申请的文件夹里都要有 {APPLICATION_FILE}；可用 `dossier init 文件夹 --scheme innovation` 新建。",
        )
    text = read_text_file(source.read_bytes(APPLICATION_FILE), APPLICATION_FILE)
    data, lines = load_yaml(text, APPLICATION_FILE)
    if not isinstance(data, dict):
        raise InputError("内容应为若干“字段: 值”", where=APPLICATION_FILE,
                         fix="请参照 `dossier init` 生成的示例填写。")
    try:
        app = Application.model_validate(data)
    except ValidationError as exc:
        details = validation_messages(exc, lines, APPLICATION_FILE)
        raise InputError(f"{APPLICATION_FILE} 有 {len(details)} 处错误", details=details,
                         fix="按上面每行所说改正后再运行。") from None
    items: tuple[LedgerItem, ...] = ()
    ledger_path = None
    if app.innovation is not None:
        if isinstance(app.innovation.projects, str):
            ledger_path = app.innovation.projects
            items = tuple(load_ledger_file(source, ledger_path,
                                           yaml_where=f"{APPLICATION_FILE} 第 {lines.get(('innovation', 'projects'))} 行"))
        else:
            items = tuple(item.model_copy(update={"row": i}) for i, item in
                          enumerate(app.innovation.projects, start=1))
    return LoadedApplication(app=app, items=items, ledger_path=ledger_path, lines=lines, raw=data)
