"""The data types of a checklist: what each scheme requires, as read from checklists/<revision>/<scheme>.yaml.

Reads nothing: checklists.py loads and validates the files into these types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

FileKind = Literal["pdf", "image", "word", "excel", "ofd"]
# what a file's text must show (assembler.core.crosscheck): the meeting's date, the ledger's items,
# its proposers, bonuses adding up to the ledger's total, the paying unit and the previous year
ContentCheck = Literal["meeting_date", "ledger_items", "proposers", "bonus_total", "payer_and_year"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseSpec(_Spec):
    id: str
    title: str


class PartSpec(_Spec):
    """A required part of a material, e.g. the minutes of each meeting or the public notice."""

    id: str
    title: str
    rule: str  # the finding's rule id when the part is missing
    per_meeting: bool = False  # required once in every meeting's sub-folder
    names: tuple[
        str, ...
    ] = ()  # words in the file name that identify the part; empty = any file of its kinds
    kinds: tuple[FileKind, ...] = ("pdf", "ofd", "image", "word")
    content: ContentCheck | None = None  # what the part's text must show (warnings; scans are not checked)
    # when the part is required: always | new = a newly named studio (B1) | matched = a newly named studio
    # whose B1 is matched to the higher union's standard; optional = never (a catch-all for other files)
    when: Literal["always", "new", "matched", "optional"] = "always"
    # across years: standing = the same file may come again next year (a naming document); None = as the
    # material says
    reuse: Literal["standing", "yearly"] | None = None


class ClaimSpec(_Spec):
    """Entries of application.yaml that each need a file in this material (e.g. every claimed patent)."""

    field: Literal["patents"]
    rule: str


class MaterialSpec(_Spec):
    """One numbered material of the measures' list of application materials."""

    number: str
    title: str
    folder: str  # suggested folder name (used by `init` and in messages)
    required: Literal["always", "optional", "claimed"] = "always"
    cases: tuple[str, ...] = ()  # only for these cases; empty = every case
    generated: Literal["application_form", "project_summary"] | None = None
    template: str | None = None  # the Word template (in templates/) a generated material is filled from
    kinds: tuple[FileKind, ...] = ("pdf", "ofd", "image", "word")
    content: ContentCheck | None = None  # what the part's text must show (warnings; scans are not checked)
    names: tuple[str, ...] = ()  # words that identify this material's files (used to spot a wrong-case file)
    meetings: bool = False  # one sub-folder per review meeting, named by its date
    parts: tuple[PartSpec, ...] = ()
    claims: ClaimSpec | None = None
    previous_year: bool = False  # files must concern the year before the application year
    # across years (docs/rules.md): standing = one document valid for years (the unit's policy, naming
    # documents, patent certificates), so the same file next year is fine; yearly = evidence of one year
    # (photos, minutes, 签收单, vouchers), so the same file in another year is reuse
    # (and a standing material is not checked for near-duplicates across years either)
    reuse: Literal["standing", "yearly"] = "yearly"
    hint: str = ""

    def applies_to(self, case: str | None) -> bool:
        """Whether this material is asked for in `case` (materials of other cases are not applicable)."""
        return not self.cases or case in self.cases


class CountTier(_Spec):
    """情形一: a range of adopted-item counts and its one-off award."""

    min: int
    max: int | None = None
    amount: Decimal


class BonusTier(_Spec):
    """情形二: an enterprise bonus per item in (above, upto] and the award per item."""

    above: Decimal
    upto: Decimal | None = None
    amount: Decimal


class AwardSpec(_Spec):
    """The award tables of a scheme, as the measures print them."""

    count_tiers: tuple[CountTier, ...] = ()
    bonus_tiers: tuple[BonusTier, ...] = ()
    bonus_cap: Decimal | None = None
    new_studio_zone: Decimal | None = None  # B1 for a zone-level studio; higher levels are matched
    matched_from_level: str | None = None  # from this level up, B1 is the higher union's standard
    annual_tiers: tuple[Decimal, ...] = ()  # B2 tiers


class Checklist(_Spec):
    """All materials of one scheme under one revision of the measures."""

    measures: str
    scheme: Literal["innovation", "studio"]
    title: str
    source: str
    cases: tuple[CaseSpec, ...] = ()
    readings: tuple[str, ...] = ()  # the interpretations of ambiguous text chosen for this revision
    in_force: dt.date | None = None  # the day the measures took effect: no activity period starts earlier
    materials: tuple[MaterialSpec, ...]
    award: AwardSpec = AwardSpec()

    @model_validator(mode="after")
    def _consistent(self) -> Checklist:
        case_ids = {c.id for c in self.cases}
        for m in self.materials:
            unknown = set(m.cases) - case_ids
            if unknown:
                raise ValueError(f"材料 {m.number} 的 cases 中有未定义的情形：{sorted(unknown)}")
            if (m.generated is None) != (m.template is None):
                raise ValueError(f"材料 {m.number}：generated 与 template 须同时给出")
            if m.required == "claimed" and m.claims is None:
                raise ValueError(f"材料 {m.number} 为 required: claimed，但没有 claims")
        case_ids_or_none: list[str | None] = [c.id for c in self.cases] or [None]
        for case in case_ids_or_none:
            numbers = [m.number for m in self.materials if m.applies_to(case)]
            if len(numbers) != len(set(numbers)):
                raise ValueError(f"情形 {case} 下材料编号重复：{numbers}")
        return self

    @property
    def document(self) -> str:
        """The measures' number and title (津高新工发[2021]2号《…办法》), without the annex: for covers."""
        head, sep, _ = self.source.partition("》")
        return head + sep

    @property
    def document_number(self) -> str:
        """The measures' document number alone (津高新工发[2021]2号): for PDF keywords."""
        return self.source.partition("《")[0]

    def case_title(self, case: str | None) -> str:
        """The Chinese title of a case id (empty for schemes without cases)."""
        return next((c.title for c in self.cases if c.id == case), "")


class DateRange(_Spec):
    """A span of days, both ends included."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"结束日期 {self.end} 早于开始日期 {self.start}")
        return self

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def text(self) -> str:
        """2026年1月1日至2026年12月31日."""
        return f"{_day(self.start)}至{_day(self.end)}"


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Call(_Spec):
    """The zone union's call for applications (申报通知) of one year, as checklists/<rev>/calls/<year>.yaml.

    Written by the union, never by an applicant: it sets each fund's activity period, the filing window,
    the largest file it accepts and where to send the dossier.
    """

    measures: str
    year: int
    title: str  # the notice's title and document number, as printed
    periods: dict[Literal["innovation", "studio"], DateRange]  # activity period of each fund
    filing: DateRange | None = None  # 申报时间: when dossiers are received
    max_file_size_mb: int | None = None  # the largest file the union accepts (MB)
    send_to: str = ""  # 报送方式：地址、邮箱或系统
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _both_funds(self) -> Call:
        missing = {"innovation", "studio"} - set(self.periods)
        if missing:
            raise ValueError(f"periods 缺少 {'、'.join(sorted(missing))} 的活动期间")
        return self


@dataclasses.dataclass(frozen=True)
class ActivityPeriod:
    """The period whose adopted items, meetings and namings an application may count, and its source."""

    start: dt.date
    end: dt.date
    source: str  # 申报通知《…》 or the default reading

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def text(self) -> str:
        """2026年1月1日至2026年12月31日."""
        return f"{_day(self.start)}至{_day(self.end)}"


DEFAULT_PERIOD_SOURCE = "默认解读：申报年度自然年，未找到当年的申报通知"


def activity_period(year: int, scheme: str, checklist: Checklist, call: Call | None) -> ActivityPeriod:
    """The activity period of `scheme` in `year`: the call's, else the calendar year `year`.

    Reading (每年申报一次): one activity period per 申报年度, so no item, meeting or naming counts in two
    years. Without a call it is the calendar year; a default period never starts before the measures took
    effect (the day is cut to `checklist.in_force`). A call's period is checked against that day on loading.
    """
    if call is not None:
        p = call.periods[scheme]  # type: ignore[index]
        return ActivityPeriod(p.start, p.end, f"申报通知：{call.title}")
    start = dt.date(year, 1, 1)
    if checklist.in_force is not None and start < checklist.in_force:
        start = checklist.in_force
    return ActivityPeriod(start, dt.date(year, 12, 31), DEFAULT_PERIOD_SOURCE)
