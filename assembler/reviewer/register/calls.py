"""The union's call (申报通知) of each year, as the register knows it: one the union loaded into the
register (the latest loaded for that year wins), else the call shipped with the tool, else the default
reading (the calendar year). The call is the union's, never the applicant's: intake compares the
activity period each dossier was checked against with the register's and reports any difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from assembler.core.checklist import DEFAULT_PERIOD_SOURCE, ActivityPeriod, Call, activity_period
from assembler.core.models import Finding
from assembler.errors import UsageError
from assembler.reviewer.register.db import writing
from assembler.reviewer.register.records import Record

FUNDS = ("innovation", "studio")


@dataclass(frozen=True)
class RegisterCall:
    """The call in force for one year, and where the register has it from."""

    year: int
    call: Call | None
    origin: str  # 登记簿载入 / 随工具提供 / 默认解读

    def period(self, scheme: str, measures: str = "2021") -> ActivityPeriod:
        """The activity period of `scheme` under this call (the default reading without one)."""
        from assembler.load.checklists import load_checklist

        return activity_period(self.year, scheme, load_checklist(measures, scheme), self.call)


def load_call(db: Database, path: Path, loaded_by: str, when: str) -> Call:
    """Load the union's call file `path` into the register; it rules that year from now on."""
    from assembler.load.calls import check_call, read_call
    from assembler.load.checklists import load_checklist

    if not loaded_by.strip():
        raise UsageError("请写明经办人姓名", field="reviewer")
    call = read_call(path)
    for scheme in FUNDS:
        check_call(call, str(path), load_checklist(call.measures, scheme), call.year)
    with writing(db):
        db.table("calls").insert(
            {
                "year": call.year,
                "measures": call.measures,
                "title": call.title,
                "data": json.dumps(call.model_dump(mode="json"), ensure_ascii=False, sort_keys=True),
                "source_name": path.name,
                "loaded_by": loaded_by.strip(),
                "loaded_at": when,
            }
        )
    return call


def register_call(db: Database, year: int, measures: str = "2021") -> RegisterCall:
    """The call ruling `year`: the latest one loaded into the register, else the shipped one, else none."""
    from assembler.load.calls import find_call
    from assembler.load.checklists import load_checklist

    rows = list(
        db.query(
            "SELECT data FROM calls WHERE year = ? AND measures = ? ORDER BY id DESC LIMIT 1",
            [year, measures],
        )
    )
    if rows:
        return RegisterCall(year, Call.model_validate(json.loads(rows[0]["data"])), "登记簿载入")
    shipped = find_call(load_checklist(measures, "innovation"), year)
    return RegisterCall(year, shipped, "随工具提供" if shipped is not None else "默认解读")


def call_file_text(db: Database, year: int, measures: str = "2021") -> str | None:
    """The register's loaded call of `year` as a call file's text (JSON is YAML), for checking a received
    application folder against it; None when no call was loaded."""
    rows = list(
        db.query(
            "SELECT data FROM calls WHERE year = ? AND measures = ? ORDER BY id DESC LIMIT 1",
            [year, measures],
        )
    )
    return rows[0]["data"] if rows else None


def call_findings(record: Record, ruling: RegisterCall) -> list[Finding]:
    """An error when the dossier was checked against another activity period than the union's call."""
    if record.period_start is None or record.period_end is None:
        return []
    measures = str(record.data.get("measures") or "2021")
    union = ruling.period(record.scheme, measures)
    if (record.period_start, record.period_end) == (union.start.isoformat(), union.end.isoformat()):
        return []
    theirs = f"{record.period_start} 至 {record.period_end}"
    source = record.period_source or DEFAULT_PERIOD_SOURCE
    title = ruling.call.title if ruling.call is not None else "（无申报通知，按默认解读）"
    return [
        Finding(
            "REGISTER-CALL-PERIOD",
            "error",
            f"申报材料按活动期间 {theirs} 检查（{source}），而总工会 {record.year} 年度申报通知"
            f"{title}规定的活动期间为 {union.start.isoformat()} 至 {union.end.isoformat()}："
            "活动期间以总工会的申报通知为准，不以申请单位提供的为准",
            fix="请申请单位按总工会的申报通知重新检查、生成申报材料后重新报送。",
        )
    ]
