"""The data types of a checklist: what each scheme requires, as read from checklists/<revision>/<scheme>.yaml.

Reads nothing: checklists.py loads and validates the files into these types.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

FileKind = Literal["pdf", "image", "word", "excel", "ofd"]


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
    kinds: tuple[FileKind, ...] = ("pdf", "image", "word")


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
    kinds: tuple[FileKind, ...] = ("pdf", "image", "word")
    names: tuple[str, ...] = ()  # words that identify this material's files (used to spot a wrong-case file)
    meetings: bool = False  # one sub-folder per review meeting, named by its date
    parts: tuple[PartSpec, ...] = ()
    claims: ClaimSpec | None = None
    previous_year: bool = False  # files must concern the year before the application year
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
