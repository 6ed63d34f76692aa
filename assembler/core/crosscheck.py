"""Content cross-checks: what the evidence's text says against the application (pure: texts in, findings out).

Each check is named in the checklist (`content:` of a material or part), so a revision of the measures
changes data, not code. They are warnings: a reviewer reads the files anyway, but an applicant should
hear before filing that the minutes do not mention the meeting's date, or the notice lists few of the
ledger's items. Files without a text layer (scans, photos) are listed as not checked, never an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

from assembler.core.application import LoadedApplication
from assembler.core.checklist import Checklist, ContentCheck
from assembler.core.identifiers import comparable
from assembler.core.messages import finding
from assembler.core.models import Finding, MaterialResult

MIN_SHARE = Decimal("0.5")  # a notice or receipt naming fewer than half of the ledger's items or people
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d])")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，／－", "0123456789.,/-")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FULL_WIDTH))


def _dates(day: dt.date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    return [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}.{m}.{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{m}月{d}日",
    ]


def _share(found: int, total: int) -> str:
    return f"{found}/{total}"


def _check(
    check: ContentCheck,
    texts: list[str],
    loaded: LoadedApplication,
    material: str,
    where: str,
    day: dt.date | None = None,
) -> list[Finding]:
    raw = "\n".join(texts).translate(_FULL_WIDTH)
    joined = _flat(raw)
    app = loaded.app
    if check == "meeting_date" and day is not None:
        if not any(form in joined for form in _dates(day)):
            return [
                finding(
                    "CONTENT-MINUTES-DATE",
                    "warning",
                    {"date": day.isoformat()},
                    material=material,
                    path=where,
                    fix="请确认放入的是这次会议的纪要（文件夹日期与纪要中的会议日期应一致）。",
                )
            ]
    elif check == "ledger_items" and loaded.items:
        haystack = comparable(joined)
        names = [comparable(i.name) for i in loaded.items]
        found = sum(1 for n in names if n and n in haystack)
        if Decimal(found) < MIN_SHARE * len(names):
            return [
                finding(
                    "CONTENT-NOTICE-ITEMS",
                    "warning",
                    {"share": _share(found, len(names)), "found": found, "of": len(names)},
                    material=material,
                    path=where,
                    fix="公示应列出被采纳的项目；请核对公示内容与项目台账是否一致。",
                )
            ]
        return [
            finding(
                "CONTENT-NOTICE-ITEMS",
                "info",
                {"share": _share(found, len(names)), "found": found, "of": len(names)},
                template="CONTENT-NOTICE-ITEMS.found",
                material=material,
                path=where,
            )
        ]
    elif check == "proposers" and loaded.items:
        haystack = comparable(joined)
        people = sorted({p for i in loaded.items for p in re.split(r"[、,，;；/\s]+", i.proposer) if p})
        found = sum(1 for p in people if comparable(p) in haystack)
        if Decimal(found) < MIN_SHARE * len(people):
            return [
                finding(
                    "CONTENT-RECEIPT-NAMES",
                    "warning",
                    {"share": _share(found, len(people)), "found": found, "of": len(people)},
                    material=material,
                    path=where,
                    fix="签收单应由获得奖励的提出人签字；请核对签收单与项目台账的提出人。",
                )
            ]
    elif check == "bonus_total":
        total = sum((i.bonus for i in loaded.items if i.bonus is not None), Decimal(0))
        amounts = sum(
            (Decimal(m.group(1).replace(",", "") + "." + m.group(2)) for m in _AMOUNT.finditer(raw)),
            Decimal(0),
        )
        if total and amounts < total:
            return [
                finding(
                    "CONTENT-BANK-TOTAL",
                    "warning",
                    {"amounts": f"{amounts:,.2f}", "total": f"{total:,.2f}"},
                    material=material,
                    path=where,
                    fix="请放入全部专项奖金的发放流水或回单。",
                )
            ]
    elif check == "payer_and_year":
        missing = []
        if (
            comparable(app.applicant.name) not in comparable(joined)
            and app.applicant.credit_code not in joined
        ):
            missing.append(f"单位名称或信用代码（{app.applicant.name}）")
        if str(app.year - 1) not in joined:
            missing.append(f"上一年度（{app.year - 1} 年）")
        if missing:
            return [
                finding(
                    "CONTENT-DUES-PAYER",
                    "warning",
                    {"missing": "、".join(missing)},
                    material=material,
                    path=where,
                    fix="请放入本单位上一年度的工会经费缴纳凭证。",
                )
            ]
    return []


def content_findings(
    loaded: LoadedApplication,
    checklist: Checklist,
    materials: Sequence[MaterialResult],
    texts: dict[str, str | None],
    case: str | None,
) -> list[Finding]:
    """The content cross-checks the checklist names, over the text of each file (None: not checked)."""
    specs = {m.number: m for m in checklist.materials if m.applies_to(case)}
    found: list[Finding] = []
    for material in materials:
        spec = specs.get(material.number)
        if spec is None or material.status in ("missing", "not-applicable"):
            continue
        groups: list[tuple[ContentCheck, list[str], str, dt.date | None]] = []
        if spec.content is not None:
            groups.append((spec.content, list(material.files), spec.folder, None))
        for part in spec.parts:
            if part.content is None:
                continue
            if part.per_meeting:
                for meeting in material.meetings:
                    rels = list(meeting.parts.get(part.id, ()))
                    groups.append((part.content, rels, meeting.folder or spec.folder, meeting.date))
            else:
                rels = list(material.parts.get(part.id, ()))
                rels += [r for m in material.meetings for r in m.parts.get(part.id, ()) if r not in rels]
                groups.append((part.content, rels, spec.folder, None))
        unchecked: list[str] = []
        for check, rels, where, day in groups:
            readable = [texts[r] or "" for r in rels if texts.get(r)]
            unchecked += [r for r in rels if not texts.get(r)]
            if readable:
                found += _check(check, readable, loaded, material.number, where, day)
        if unchecked:
            found.append(
                finding(
                    "CONTENT-NOT-CHECKED",
                    "info",
                    {"count": len(unchecked)},
                    material=material.number,
                    path=spec.folder,
                )
            )
    return found


def content_files(checklist: Checklist, materials: Sequence[MaterialResult], case: str | None) -> list[str]:
    """The files whose text the cross-checks read."""
    specs = {m.number: m for m in checklist.materials if m.applies_to(case)}
    rels: list[str] = []
    for material in materials:
        spec = specs.get(material.number)
        if spec is None:
            continue
        if spec.content is not None:
            rels += material.files
        for part in spec.parts:
            if part.content is not None:
                rels += material.parts.get(part.id, ())
                rels += [r for m in material.meetings for r in m.parts.get(part.id, ())]
    return sorted(set(rels))
