"""Pure rules: from the loaded application, its checklist and the matched evidence to findings and statuses.

Every finding has a stable rule id (documented in docs/rules.md). Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import PurePosixPath

from assembler.dates import years_in
from assembler.identifiers import comparable
from assembler.match import Matching, MaterialFiles
from assembler.models import KIND_TITLES, EvidenceFile, Finding, MaterialResult, MeetingGroup, Status
from assembler.schema import FIVE_SMALL, LedgerItem, LoadedApplication
from assembler.specs import Checklist, MaterialSpec

REQUIRED_TEXT = {
    ("applicant", "name"): "单位名称",
    ("applicant", "credit_code"): "统一社会信用代码",
    ("applicant", "union"): "工会名称",
    ("applicant", "contact", "name"): "联系人",
    ("applicant", "contact", "phone"): "联系电话",
    ("studio", "name"): "工作室名称",
    ("studio", "leader"): "领衔人",
}


def _get(data: object, path: tuple[str, ...]) -> object:
    for key in path:
        data = getattr(data, key, None)
    return data


def application_findings(loaded: LoadedApplication) -> list[Finding]:
    """Fields left empty (as a fresh `dossier init` leaves them)."""
    out = []
    for path, title in REQUIRED_TEXT.items():
        if path[0] == "studio" and loaded.app.studio is None:
            continue
        if not _get(loaded.app, path):
            line = loaded.line_of(*path)
            out.append(
                Finding(
                    "APP-FIELD-EMPTY",
                    "error",
                    f"{title}（{'.'.join(path)}）尚未填写",
                    path=f"application.yaml{f' 第 {line} 行' if line else ''}",
                    fix=f"在 application.yaml 中填写{title}。",
                )
            )
    return out


def ledger_findings(loaded: LoadedApplication) -> list[Finding]:
    """Duplicates, dates outside the period, unknown meetings and categories in the project ledger."""
    app, items = loaded.app, loaded.items
    if app.innovation is None:
        return []
    where = loaded.ledger_path or "application.yaml innovation.projects"
    out: list[Finding] = []
    if not items:
        out.append(
            Finding(
                "LEDGER-EMPTY",
                "error",
                "项目台账中没有任何被采纳的项目",
                material="3",
                path=where,
                fix="在台账中每行填写一个被采纳的项目（项目名称、提出人、采纳日期……）。",
            )
        )
    period = app.application_period
    meetings = {m.date for m in app.innovation.meetings}
    first: dict[tuple[str, str], int] = {}
    names: dict[str, list[LedgerItem]] = defaultdict(list)
    for item in items:
        key = (comparable(item.name), comparable(item.proposer))
        if key in first:
            out.append(
                Finding(
                    "LEDGER-DUPLICATE",
                    "error",
                    f"第 {item.row} 项与第 {first[key]} 项重复（{item.name}，{item.proposer}）",
                    material="3",
                    path=where,
                    fix="同一项目只能计一次，请删除重复行。",
                )
            )
        else:
            first[key] = item.row or 0
            names[key[0]].append(item)
        if not period.start <= item.adopted_on <= period.end:
            out.append(
                Finding(
                    "LEDGER-DATE-OUT-OF-PERIOD",
                    "error",
                    f"第 {item.row} 项“{item.name}”的采纳日期 {item.adopted_on} 不在申报期间"
                    f"（{period.start} 至 {period.end}）内",
                    material="3",
                    path=where,
                    fix="只计申报期间内采纳的项目；如期间不同，请在 application.yaml 的 period 中写明。",
                )
            )
        if item.meeting is not None and item.meeting not in meetings:
            out.append(
                Finding(
                    "LEDGER-MEETING-UNKNOWN",
                    "error",
                    f"第 {item.row} 项“{item.name}”的评审会议 {item.meeting} 不在 innovation.meetings 中",
                    material="3",
                    path=where,
                    fix="请在 application.yaml 的 meetings 中补上该次会议，或改正日期。",
                )
            )
        if item.category and item.category not in FIVE_SMALL:
            out.append(
                Finding(
                    "LEDGER-CATEGORY-UNKNOWN",
                    "warning",
                    f"第 {item.row} 项的类别“{item.category}”不是“五小”之一（{'、'.join(FIVE_SMALL)}）",
                    material="3",
                    path=where,
                )
            )
    for group in names.values():
        if len(group) > 1:
            rows = "、".join(str(i.row) for i in group)
            out.append(
                Finding(
                    "LEDGER-SIMILAR-NAME",
                    "warning",
                    f"第 {rows} 项名称相同（{group[0].name}）但提出人不同，请确认不是同一项目",
                    material="3",
                    path=where,
                )
            )
    return out


def _file_findings(number: str, spec: MaterialSpec, files: tuple[EvidenceFile, ...]) -> list[Finding]:
    out = []
    for f in files:
        if f.problem:
            out.append(
                Finding(
                    "EVIDENCE-INVALID",
                    "error",
                    f.problem,
                    material=number,
                    path=f.rel,
                    fix="请替换为能正常打开的文件。",
                )
            )
        elif f.kind not in spec.kinds:
            accepted = "、".join(KIND_TITLES[k] for k in spec.kinds)
            out.append(
                Finding(
                    "EVIDENCE-KIND-NOT-ACCEPTED",
                    "error",
                    f"{KIND_TITLES[f.kind]}不能作为“{spec.title}”的材料（可用：{accepted}）",
                    material=number,
                    path=f.rel,
                    fix=f"请转换为{accepted}后放入。",
                )
            )
        if f.note:
            out.append(Finding("EVIDENCE-NOTE", "info", f.note, material=number, path=f.rel))
    return out


def _usable(files: tuple[EvidenceFile, ...], spec: MaterialSpec) -> tuple[EvidenceFile, ...]:
    return tuple(f for f in files if f.usable and f.kind in spec.kinds)


def meeting_findings(
    loaded: LoadedApplication, mf: MaterialFiles
) -> tuple[list[Finding], list[MeetingGroup]]:
    """Per declared meeting: its dated folder with every per-meeting part; plus the material-wide parts."""
    spec, number = mf.spec, mf.spec.number
    app = loaded.app
    declared = [m.date for m in app.innovation.meetings] if app.innovation else []
    out: list[Finding] = []
    groups: list[MeetingGroup] = []
    folder_hint = f"{spec.folder}/{{日期}}"
    if not declared:
        out.append(
            Finding(
                "A4-NO-MEETINGS",
                "error",
                "application.yaml 中没有列出任何评审会议",
                material=number,
                fix="在 innovation.meetings 中逐次写明评审会议的日期和名称。",
            )
        )
    period = app.application_period
    seen: set[dt.date] = set()
    for date in declared:
        if date in seen:
            out.append(
                Finding(
                    "A4-MEETING-DUPLICATE",
                    "warning",
                    f"评审会议 {date} 在 meetings 中写了两次",
                    material=number,
                )
            )
            continue
        seen.add(date)
        if not period.start <= date <= period.end:
            out.append(
                Finding(
                    "A4-MEETING-OUT-OF-PERIOD",
                    "error",
                    f"评审会议 {date} 不在申报期间（{period.start} 至 {period.end}）内",
                    material=number,
                    fix="只提交申报期间内的评审会议；如期间不同，请在 application.yaml 的 period 中写明。",
                )
            )
        folders = mf.meeting_folders.get(date)
        parts = mf.meeting_parts.get(date, {})
        groups.append(
            MeetingGroup(
                date,
                folders[0] if folders else None,
                {p: tuple(f.rel for f in files) for p, files in parts.items()},
            )
        )
        if not folders:
            out.append(
                Finding(
                    "A4-MEETING-FOLDER-MISSING",
                    "error",
                    f"评审会议 {date} 没有对应的材料文件夹",
                    material=number,
                    fix=f"新建文件夹 {folder_hint.format(日期=date.isoformat())}，"
                    "放入该次会议的纪要和现场照片。",
                )
            )
            continue
        for part in spec.parts:
            if part.per_meeting and not _usable(parts.get(part.id, ()), spec):
                out.append(
                    Finding(
                        part.rule,
                        "error",
                        f"评审会议 {date} 缺少{part.title}",
                        material=number,
                        path=folders[0],
                        fix=f"在 {folders[0]} 中放入{part.title}"
                        + (f"（文件名含“{part.names[0]}”）" if part.names else "")
                        + "。",
                    )
                )
    for date, folders in mf.meeting_folders.items():
        if date not in seen:
            out.append(
                Finding(
                    "A4-MEETING-UNDECLARED",
                    "warning",
                    f"文件夹 {folders[0]} 的日期 {date} 不在 innovation.meetings 中",
                    material=number,
                    path=folders[0],
                    fix="如是一次评审会议，请在 application.yaml 的 meetings 中补上。",
                )
            )
    for folder in mf.undated_folders:
        out.append(
            Finding(
                "A4-FOLDER-UNDATED",
                "warning",
                "子文件夹名中没有日期，无法判断属于哪次评审会议",
                material=number,
                path=folder,
                fix="请把文件夹命名为会议日期，如 2026-03-18。",
            )
        )
    for part in spec.parts:
        if not part.per_meeting and not _usable(mf.parts.get(part.id, ()), spec):
            where = "文件名含" + "或".join(f"“{n}”" for n in part.names) if part.names else ""
            out.append(
                Finding(
                    part.rule,
                    "error",
                    f"缺少{part.title}",
                    material=number,
                    fix=f"在 {spec.folder} 中放入{part.title}（{where}）。",
                )
            )
    for f in mf.unassigned:
        out.append(
            Finding(
                "A4-FILE-UNASSIGNED",
                "warning",
                "无法判断该文件是会议纪要、现场照片还是公示公告",
                material=number,
                path=f.rel,
                fix="会议纪要文件名请含“纪要”，公示请含“公示”或“公告”，照片放在会议日期文件夹中。",
            )
        )
    if declared:
        out.append(
            Finding(
                "A4-REPORTED",
                "info",
                "办法要求每次评审前向高新区总工会报备，总工会将派员参加其中一次评审会议",
                material=number,
            )
        )
    return out, groups


_CLAIM_FIELD_TITLES = {"patents": "专利或重大专项"}


def claim_findings(loaded: LoadedApplication, mf: MaterialFiles) -> list[Finding]:
    """Every entry the application claims (e.g. a patent) needs its own copy in the material."""
    spec = mf.spec
    assert spec.claims is not None
    entries = getattr(loaded.app.studio, spec.claims.field, []) if loaded.app.studio else []
    usable = _usable(mf.files, spec)
    out = []
    for i, entry in enumerate(entries, start=1):
        number = comparable(entry.number)
        if entry.file:
            found = any(f.rel == entry.file for f in usable)
            how = f"文件 {entry.file}"
        else:
            found = any(
                (number and number in comparable(PurePosixPath(f.rel).name))
                or comparable(entry.title) in comparable(PurePosixPath(f.rel).name)
                for f in usable
            )
            how = "文件名含专利号或名称的复印件"
        if not found:
            line = loaded.line_of("studio", spec.claims.field, i - 1)
            out.append(
                Finding(
                    spec.claims.rule,
                    "error",
                    f"申报的{_CLAIM_FIELD_TITLES[spec.claims.field]}“{entry.title}”"
                    f"{f'（{entry.number}）' if entry.number else ''}没有{how}",
                    material=spec.number,
                    path=f"application.yaml{f' 第 {line} 行' if line else ''}",
                    fix=f"把复印件放入 {spec.folder}，文件名写上专利号，或在该项的 file 中写明路径。",
                )
            )
    return out


def _case_mismatch(checklist: Checklist, case: str | None, mf: MaterialFiles) -> list[Finding]:
    spec = mf.spec
    siblings = [m for m in checklist.materials if m.number == spec.number and m is not spec and m.names]
    out = []
    for f in mf.files:
        name = PurePosixPath(f.rel).name
        if any(n in name for n in spec.names):
            continue
        for other in siblings:
            if any(n in name for n in other.names):
                other_case = checklist.case_title(other.cases[0]) if other.cases else ""
                out.append(
                    Finding(
                        "MATERIAL-CASE-MISMATCH",
                        "error",
                        f"该文件像是“{other.title}”（{other_case}所需），但所选{checklist.case_title(case)}"
                        f"需要“{spec.title}”",
                        material=spec.number,
                        path=f.rel,
                        fix=f"请放入{spec.title}；如申报情形选错了，请改 innovation.case。",
                    )
                )
    return out


def _previous_year(loaded: LoadedApplication, mf: MaterialFiles) -> list[Finding]:
    want = loaded.app.year - 1
    out = []
    for f in mf.files:
        years = years_in(PurePosixPath(f.rel).name)
        if years and want not in years:
            out.append(
                Finding(
                    "DUES-YEAR-MISMATCH",
                    "warning",
                    f"文件名中的年份 {'、'.join(map(str, sorted(years)))} 不是申报年度的上一年（{want} 年）",
                    material=mf.spec.number,
                    path=f.rel,
                    fix=f"需要 {want} 年度的工会经费缴纳凭证。",
                )
            )
    return out


_INVALID_RULES = {"EVIDENCE-INVALID", "EVIDENCE-KIND-NOT-ACCEPTED", "MATERIAL-CASE-MISMATCH"}


def _status(
    spec: MaterialSpec, required: bool, files: tuple[EvidenceFile, ...], findings: list[Finding]
) -> Status:
    errors = {f.rule for f in findings if f.severity == "error"}
    if spec.generated:
        return "ok"
    if errors & _INVALID_RULES:
        return "invalid"
    if errors:
        return "missing"
    if not files:
        return "missing" if required else "optional"
    return "ok"


def material_results(
    loaded: LoadedApplication, checklist: Checklist, matching: Matching
) -> tuple[list[MaterialResult], list[Finding]]:
    """Each material of the checklist in order, with its status, files and findings."""
    case = loaded.app.innovation.case if loaded.app.innovation else None
    results: list[MaterialResult] = []
    findings: list[Finding] = []
    for spec in checklist.materials:
        if not spec.applies_to(case):
            if not any(m.number == spec.number and m.applies_to(case) for m in checklist.materials):
                results.append(
                    MaterialResult(spec.number, spec.title, False, "not-applicable", hint=spec.hint)
                )
            continue
        mf = matching.materials[spec.number]
        here = _file_findings(spec.number, spec, mf.files)
        groups: list[MeetingGroup] = []
        if spec.meetings:
            extra, groups = meeting_findings(loaded, mf)
            here += extra
        if spec.claims is not None:
            here += claim_findings(loaded, mf)
        if spec.names:
            here += _case_mismatch(checklist, case, mf)
        if spec.previous_year:
            here += _previous_year(loaded, mf)
        required = spec.required == "always" or (
            spec.required == "claimed"
            and spec.claims is not None
            and bool(loaded.app.studio and getattr(loaded.app.studio, spec.claims.field))
        )
        usable = _usable(mf.files, spec)
        if spec.generated:
            if mf.files:
                here.append(
                    Finding(
                        "MATERIAL-GENERATED-EXTRA",
                        "info",
                        f"“{spec.title}”由本工具生成；"
                        f"此文件夹中的 {len(mf.files)} 个文件将附在生成的表格之后",
                        material=spec.number,
                    )
                )
        elif required and not usable and not spec.meetings:
            here.append(
                Finding(
                    "MATERIAL-MISSING",
                    "error",
                    f"缺少“{spec.title}”",
                    material=spec.number,
                    fix=f"{spec.hint}（文件夹：{spec.folder}）"
                    if spec.hint
                    else f"请把文件放入文件夹 {spec.folder}。",
                )
            )
        status = _status(spec, required, mf.files, here)
        parts = {p: tuple(f.rel for f in fs) for p, fs in mf.parts.items()}
        results.append(
            MaterialResult(
                spec.number,
                spec.title,
                required,
                status,
                tuple(f.rel for f in mf.files),
                generated=spec.generated,
                parts=parts,
                meetings=tuple(groups),
                hint=spec.hint,
            )
        )
        findings += here
    return results, findings


def evidence_findings(evidence: list[EvidenceFile], matching: Matching, ignored: list[str]) -> list[Finding]:
    """Files outside every material, the same content filed twice, and ignored system files."""
    out = []
    for f, reason in matching.unmatched:
        out.append(
            Finding(
                "EVIDENCE-UNMATCHED",
                "warning",
                f"{reason}，不会放入申报材料",
                path=f.rel,
                fix="请移到对应编号的材料文件夹（如 2-激励制度），不需要的文件请移出申请文件夹。",
            )
        )
        if f.problem:
            out.append(Finding("EVIDENCE-INVALID", "warning", f.problem, path=f.rel))
    by_hash: dict[str, list[str]] = defaultdict(list)
    for f in evidence:
        if f.sha256 and f.size:
            by_hash[f.sha256].append(f.rel)
    for paths in by_hash.values():
        if len(paths) > 1:
            out.append(
                Finding(
                    "EVIDENCE-DUPLICATE",
                    "warning",
                    f"内容完全相同的文件出现了 {len(paths)} 次：{'、'.join(paths)}",
                    path=paths[1],
                    fix="同一份文件只需放一次；如放错了材料，请换成正确的文件。",
                )
            )
    if ignored:
        out.append(
            Finding("EVIDENCE-IGNORED", "info", f"已忽略 {len(ignored)} 个系统或隐藏文件（如 {ignored[0]}）")
        )
    return out


def studio_findings(loaded: LoadedApplication) -> list[Finding]:
    """The studio's yearly requirements: at least one approved project and one applied result (附件2
    三(三)).
    """
    studio = loaded.app.studio
    if studio is None:
        return []
    out = []
    if not studio.projects:
        out.append(
            Finding(
                "B-PROJECTS-MISSING",
                "error",
                "未列出本年度企业立项的创新课题或攻关项目（至少 1 项）",
                path="application.yaml studio.projects",
                fix="在 studio.projects 中列出课题或攻关项目。",
            )
        )
    if not studio.results:
        out.append(
            Finding(
                "B-RESULTS-MISSING",
                "error",
                "未列出本年度完成并推广应用的创新成果（至少 1 项）",
                path="application.yaml studio.results",
                fix="在 studio.results 中列出创新成果。",
            )
        )
    period = loaded.app.application_period
    if studio.new and studio.named_on and not period.start <= studio.named_on <= period.end:
        out.append(
            Finding(
                "B1-NAMED-OUT-OF-PERIOD",
                "warning",
                f"命名日期 {studio.named_on} 不在申报期间内，可能不属于“当年新命名”",
                path="application.yaml studio.named_on",
            )
        )
    if studio.patents:
        out.append(
            Finding(
                "B4-UPGRADE-RECOMMENDED",
                "info",
                "有专利或重大专项的工作室将优先推荐评选升级为上一档次（附件2 四(三)）",
            )
        )
    return out
