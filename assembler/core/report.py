"""Pure presentation of a Report: the documented JSON object and the Chinese terminal table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from assembler.core.awards import format_yuan
from assembler.core.models import MaterialResult, Report

STATUS_TITLES = {
    "ok": "齐全",
    "missing": "缺失",
    "invalid": "有误",
    "optional": "可选（未提供）",
    "not-applicable": "不适用",
}
STATUS_STYLES = {
    "ok": "green",
    "missing": "red",
    "invalid": "red",
    "optional": "dim",
    "not-applicable": "dim",
}
SEVERITY_TITLES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _json_amount(amount: Decimal | None) -> int | float | None:
    """Yuan as a JSON number: an integer when whole (3000), else with its fen (1234.5)."""
    if amount is None:
        return None
    return int(amount) if amount % 1 == 0 else float(amount)


def _period_json(report: Report) -> dict[str, Any] | None:
    p = report.period
    return None if p is None else {"start": p.start.isoformat(), "end": p.end.isoformat(), "source": p.source}


def _call_json(report: Report) -> dict[str, Any] | None:
    c = report.call
    if c is None:
        return None
    return {
        "year": c.year,
        "title": c.title,
        "filing": {"start": c.filing.start.isoformat(), "end": c.filing.end.isoformat()}
        if c.filing
        else None,
        "max_file_size_mb": c.max_file_size_mb,
        "send_to": c.send_to,
    }


def report_to_json(report: Report) -> dict[str, Any]:
    """The `check --json` object of the interface contract (stable keys; extra keys only added)."""
    return {
        "scheme": report.scheme,
        "case": report.case,
        "year": report.year,
        "measures": report.measures,
        "applicant": {"name": report.applicant, "credit_code": report.credit_code},
        "complete": report.complete,
        "award": {
            "amount_yuan": _json_amount(report.award.amount),
            "amount_fen": report.award.amount_fen,
            "lines": list(report.award.lines),
            # requested vs guaranteed: a studio's matched amount and annual tier await the committee
            "status": report.award.status,
            "pending": report.award.pending,
            "requested_yuan": _json_amount(report.award.amount),
            "minimum_yuan": _json_amount(
                report.award.minimum if report.award.pending else report.award.amount
            ),
        },
        "period": _period_json(report),
        "call": _call_json(report),
        "materials": [
            {
                "number": m.number,
                "title": m.title,
                "required": m.required,
                "status": m.status,
                "files": list(m.files),
                "generated": m.generated is not None,
                **(
                    {
                        "meetings": [
                            {
                                "date": g.date.isoformat(),
                                "folder": g.folder,
                                "parts": {k: list(v) for k, v in g.parts.items()},
                            }
                            for g in m.meetings
                        ]
                    }
                    if m.meetings
                    else {}
                ),
            }
            for m in report.materials
        ],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "material": f.material,
                "path": f.path,
                "message": f.message,
                "fix": f.fix,
                "field": f.field,
                "values": {
                    k: v if isinstance(v, int | str) or v is None else str(v) for k, v in f.values.items()
                },
            }
            for f in report.findings
        ],
        "evidence": [
            {
                "path": e.rel,
                "size": e.size,
                "sha256": e.sha256,
                "kind": e.kind,
                "pages": e.pages,
                "problem": e.problem,
            }
            for e in report.evidence
        ],
    }


def _files_cell(files: tuple[str, ...], generated: bool) -> str:
    if generated:
        extra = f"；另附 {len(files)} 个文件" if files else ""
        return f"（由本工具生成{extra}）"
    if not files:
        return "—"
    shown = [f.split("/", 1)[-1] for f in files[:3]]
    return "\n".join(shown) + (f"\n……共 {len(files)} 个文件" if len(files) > 3 else "")


def _fix_cell(report: Report, material: MaterialResult) -> str:
    """What to do about a material that is not complete: the first fix of its errors, else its hint."""
    if material.status not in ("missing", "invalid"):
        return ""
    fixes = [
        f.fix for f in report.findings if f.material == material.number and f.severity == "error" and f.fix
    ]
    return fixes[0] if fixes else material.hint


def report_renderable(report: Report) -> Group:
    """The report as rich renderables: heading, checklist table, findings, award."""
    title = report.scheme_title + (f" · {report.case_title}" if report.case_title else "")
    head = Text.assemble(
        (f"{report.applicant or '（单位名称未填写）'}", "bold"), f"  {report.year} 年度  {title}"
    )
    table = Table(title="申报材料清单", show_lines=False, expand=False)
    table.add_column("序号", justify="right")
    table.add_column("材料", overflow="fold")
    table.add_column("状态", no_wrap=True)
    table.add_column("文件", overflow="fold")
    table.add_column("处理办法", overflow="fold")
    for m in report.materials:
        table.add_row(
            m.number,
            Text(m.title),
            Text(STATUS_TITLES[m.status], style=STATUS_STYLES[m.status]),
            Text(_files_cell(m.files, m.generated is not None)),
            Text(_fix_cell(report, m)),
        )
    parts: list[Any] = [head]
    if report.period is not None:
        parts.append(Text(f"活动期间：{report.period.text()}（{report.period.source}）"))
    if report.call is not None:
        c = report.call
        extra = [
            f"申报时间 {c.filing.text()}" if c.filing else "",
            f"单个文件不超过 {c.max_file_size_mb} MB" if c.max_file_size_mb else "",
            f"报送：{c.send_to}" if c.send_to else "",
        ]
        if any(extra):
            parts.append(Text("申报通知：" + "；".join(e for e in extra if e)))
    parts.append(table)
    if report.findings:
        found = Table(title="检查发现", show_lines=False, expand=True)
        found.add_column("级别", no_wrap=True)
        found.add_column("规则", no_wrap=True)
        found.add_column("说明", overflow="fold", ratio=3)
        found.add_column("处理办法", overflow="fold", ratio=2)
        for f in report.findings:
            where = f"[{f.path}] " if f.path else ""
            found.add_row(
                Text(SEVERITY_TITLES[f.severity], style=SEVERITY_STYLES[f.severity]),
                f.rule,
                Text(where + f.message),
                Text(f.fix or ""),
            )
        parts.append(found)
    amount = report.award.amount
    if amount is None:
        award_head = "可申请鼓励金：不符合条件"
    elif report.award.pending:
        award_head = f"可申请鼓励金：{format_yuan(amount)} 元 申请（待核定）：以评审委员会核定为准"
    else:
        award_head = f"可申请鼓励金：{format_yuan(amount)} 元"
    parts.append(Text(award_head, style="bold green" if amount is not None else "bold red"))
    parts.extend(Text(f"  · {line}") for line in report.award.lines)
    errors = sum(f.severity == "error" for f in report.findings)
    warnings = sum(f.severity == "warning" for f in report.findings)
    verdict = "结论：材料齐全，可以提交" if report.complete else f"结论：有 {errors} 个错误需要改正"
    parts.append(
        Text(f"{verdict}（警告 {warnings} 个）", style="bold green" if report.complete else "bold red")
    )
    return Group(*parts)
