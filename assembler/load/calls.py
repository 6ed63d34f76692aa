"""The zone union's call for applications (申报通知) as data: checklists/<revision>/calls/<year>.yaml, or a
file given with --call.

The call, not the applicant, sets each fund's activity period. Without a call for the application year the
default reading applies (specs.activity_period): the calendar year of the 申报年度.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from assembler.core.checklist import Call, Checklist
from assembler.errors import InputError, UsageError
from assembler.load.application import validation_messages
from assembler.load.yamlio import load_yaml
from assembler.resources import checklist_dir

CALLS_FOLDER = "calls"


def call_path(measures: str, year: int, checklists: Path | None = None) -> Path:
    """Where the bundled (or --checklists) call of `year` under revision `measures` would be."""
    return checklist_dir(measures, checklists) / CALLS_FOLDER / f"{year}.yaml"


def read_call(path: Path) -> Call:
    """Read and validate one call file; InputError naming each problem."""
    if not path.is_file():
        raise UsageError(
            "找不到申报通知文件", where=str(path), fix="请检查申报通知文件的路径。", rule="CALL-NOT-FOUND"
        )
    data, lines = load_yaml(path.read_text(encoding="utf-8"), str(path))
    try:
        return Call.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            "申报通知文件有错误",
            where=str(path),
            details=validation_messages(exc, lines, path.name),
            fix="请按 docs/checklists.md 中“申报通知”一节的说明改正。",
        ) from None


def check_call(call: Call, where: str, checklist: Checklist, year: int | None = None) -> None:
    """A call must be for this revision and year, and no period may start before the measures took effect."""
    if call.measures != checklist.measures:
        raise InputError(
            f"申报通知适用 {call.measures} 版办法，而申请为 {checklist.measures} 版", where=where
        )
    if year is not None and call.year != year:
        raise InputError(
            f"申报通知是 {call.year} 年度的，而申请的申报年度为 {year} 年",
            where=where,
            fix="请使用申报年度对应的申报通知。",
        )
    if checklist.in_force is not None:
        for fund, period in call.periods.items():
            if period.start < checklist.in_force:
                raise InputError(
                    f"{fund} 的活动期间从 {period.start} 开始，早于办法施行日 {checklist.in_force}（第七条）",
                    where=where,
                    fix=f"活动期间不能早于 {checklist.in_force}。",
                )


def find_call(checklist: Checklist, year: int, override: Path | None = None, checklists: Path | None = None):
    """The call in use for `year`: the file `override` (--call), else the bundled one, else None."""
    path = override if override is not None else call_path(checklist.measures, year, checklists)
    if override is None and not path.is_file():
        return None
    call = read_call(path)
    check_call(call, str(path), checklist, year)
    return call


def available_calls(measures: str, checklists: Path | None = None) -> list[tuple[Path, Call]]:
    """Every call file of a revision, for `dossier schemes`."""
    folder = checklist_dir(measures, checklists) / CALLS_FOLDER
    if not folder.is_dir():
        return []
    return [(p, read_call(p)) for p in sorted(folder.glob("*.yaml"))]
