"""Pure rules: from the loaded application, its checklist and the matched evidence to findings and statuses.

Every finding has a stable rule id (documented in docs/rules.md). Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import PurePosixPath

from assembler.core.application import FIVE_SMALL, LEVEL_RANK, LedgerItem, LoadedApplication, Studio
from assembler.core.checklist import ActivityPeriod, Checklist, MaterialSpec, PartSpec
from assembler.core.dates import years_in
from assembler.core.identifiers import comparable
from assembler.core.match import Matching, MaterialFiles
from assembler.core.messages import finding
from assembler.core.models import KIND_TITLES, EvidenceFile, Finding, MaterialResult, MeetingGroup, Status

PERIOD_FIX = "只计活动期间内的项目和会议；活动期间由高新区总工会的申报通知确定，申请人不能改写。"

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
                finding(
                    "APP-FIELD-EMPTY",
                    "error",
                    {"title": title},
                    path=f"application.yaml{f' 第 {line} 行' if line else ''}",
                    fix=f"在申报信息中填写{title}。",
                    field=".".join(path),
                )
            )
    return out


def item_words(item: LedgerItem, position: int, spreadsheet: bool) -> str:
    """How people name a ledger item: by its 序号 in 附件1.2 (else its place in the list, counted from 1),
    with the spreadsheet row only as a second hint (a title row makes "第 4 行" item 2)."""
    words = f"序号 {item.seq}" if item.seq else f"第 {position} 项"
    return f"{words}（表格第 {item.row} 行）" if spreadsheet and item.row else words


def ledger_words(loaded: LoadedApplication) -> dict[int, str]:
    """Each ledger item's name as people count it (item_words), by the item's identity."""
    sheet = loaded.ledger_path is not None
    return {id(item): item_words(item, n, sheet) for n, item in enumerate(loaded.items, start=1)}


def ledger_item_field(loaded: LoadedApplication, position: int, part: str | None = None) -> str:
    """The schema field of the ledger's item at `position` (from 1): the item of an inline list, the
    ledger as a whole when it is a spreadsheet."""
    if loaded.ledger_path:
        return "innovation.projects"
    return f"innovation.projects[{position - 1}]" + (f".{part}" if part else "")


def counted_items(loaded: LoadedApplication, period: ActivityPeriod) -> tuple[LedgerItem, ...]:
    """The ledger items that count for the award: each project once (a repeated name and proposer is the
    same project) and adopted within the activity period."""
    seen: set[tuple[str, str]] = set()
    out: list[LedgerItem] = []
    for item in loaded.items:
        key = (comparable(item.name), comparable(item.proposer))
        if key in seen:
            continue
        seen.add(key)
        if item.adopted_on in period:
            out.append(item)
    return tuple(out)


def ledger_findings(loaded: LoadedApplication, period: ActivityPeriod) -> list[Finding]:
    """Duplicates, dates outside the activity period, unknown meetings and categories in the ledger."""
    app, items = loaded.app, loaded.items
    if app.innovation is None:
        return []
    where = loaded.ledger_path or "application.yaml innovation.projects"
    sheet = loaded.ledger_path is not None
    out: list[Finding] = []
    if not items:
        out.append(
            finding(
                "LEDGER-EMPTY",
                "error",
                material="3",
                path=where,
                fix="在台账中每行填写一个被采纳的项目（项目名称、提出人、采纳日期……）。",
                field="innovation.projects",
            )
        )
    meetings = {m.date for m in app.innovation.meetings}
    first: dict[tuple[str, str], str] = {}
    names: dict[str, list[str]] = defaultdict(list)
    group_name: dict[str, str] = {}
    for position, item in enumerate(items, start=1):
        words = item_words(item, position, sheet)
        shown = {"item": words, "seq": item.seq, "row": item.row, "name": item.name}
        key = (comparable(item.name), comparable(item.proposer))
        if key in first:
            out.append(
                finding(
                    "LEDGER-DUPLICATE",
                    "error",
                    {**shown, "first": first[key], "proposer": item.proposer},
                    material="3",
                    path=where,
                    fix="同一项目只能计一次，请删除重复行。",
                    field=ledger_item_field(loaded, position),
                )
            )
        else:
            first[key] = words
            names[key[0]].append(words)
            group_name.setdefault(key[0], item.name)
        if item.adopted_on not in period:
            out.append(
                finding(
                    "LEDGER-DATE-OUT-OF-PERIOD",
                    "error",
                    {**shown, "adopted_on": item.adopted_on, "start": period.start, "end": period.end},
                    material="3",
                    path=where,
                    fix=PERIOD_FIX,
                    field=ledger_item_field(loaded, position, "adopted_on"),
                )
            )
        if item.meeting is not None and item.meeting not in meetings:
            out.append(
                finding(
                    "LEDGER-MEETING-UNKNOWN",
                    "error",
                    {**shown, "meeting": item.meeting},
                    material="3",
                    path=where,
                    fix="请在申报信息的评审会议中补上该次会议，或改正日期。",
                    field=ledger_item_field(loaded, position, "meeting"),
                )
            )
        if item.category and item.category not in FIVE_SMALL:
            out.append(
                finding(
                    "LEDGER-CATEGORY-UNKNOWN",
                    "warning",
                    {**shown, "category": item.category, "allowed": "、".join(FIVE_SMALL)},
                    material="3",
                    path=where,
                    field=ledger_item_field(loaded, position, "category"),
                )
            )
    for name_key, group in names.items():
        if len(group) > 1:
            out.append(
                finding(
                    "LEDGER-SIMILAR-NAME",
                    "warning",
                    {"items": "、".join(group), "name": group_name[name_key]},
                    material="3",
                    path=where,
                    field="innovation.projects",
                )
            )
    return out


def _file_findings(number: str, spec: MaterialSpec, files: tuple[EvidenceFile, ...]) -> list[Finding]:
    out = []
    for f in files:
        if f.problem:
            out.append(
                finding(
                    "EVIDENCE-INVALID",
                    "error",
                    {"problem": f.problem},
                    material=number,
                    path=f.rel,
                    fix="请替换为能正常打开的文件。",
                )
            )
        elif f.kind not in spec.kinds:
            accepted = "、".join(KIND_TITLES[k] for k in spec.kinds)
            out.append(
                finding(
                    "EVIDENCE-KIND-NOT-ACCEPTED",
                    "error",
                    {"kind": KIND_TITLES[f.kind], "material_title": spec.title, "accepted": accepted},
                    material=number,
                    path=f.rel,
                    fix=f"请转换为{accepted}后放入。",
                )
            )
        if f.note:
            out.append(finding("EVIDENCE-NOTE", "info", {"note": f.note}, material=number, path=f.rel))
        if f.warning and not f.problem:
            out.append(
                finding("EVIDENCE-WARNING", "warning", {"warning": f.warning}, material=number, path=f.rel)
            )
    return out


def _usable(files: tuple[EvidenceFile, ...], spec: MaterialSpec) -> tuple[EvidenceFile, ...]:
    return tuple(f for f in files if f.usable and f.kind in spec.kinds)


def meeting_findings(
    loaded: LoadedApplication, mf: MaterialFiles, period: ActivityPeriod
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
            finding(
                "A4-NO-MEETINGS",
                "error",
                material=number,
                fix="在申报信息的评审会议中逐次写明评审会议的日期和名称。",
                field="innovation.meetings",
            )
        )
    seen: set[dt.date] = set()
    for index, date in enumerate(declared):
        if date in seen:
            out.append(
                finding(
                    "A4-MEETING-DUPLICATE",
                    "warning",
                    {"date": date},
                    material=number,
                    field=f"innovation.meetings[{index}].date",
                )
            )
            continue
        seen.add(date)
        if date not in period:
            out.append(
                finding(
                    "A4-MEETING-OUT-OF-PERIOD",
                    "error",
                    {"date": date, "start": period.start, "end": period.end},
                    material=number,
                    fix=PERIOD_FIX,
                    field=f"innovation.meetings[{index}].date",
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
                finding(
                    "A4-MEETING-FOLDER-MISSING",
                    "error",
                    {"date": date},
                    material=number,
                    fix=f"新建文件夹 {folder_hint.format(日期=date.isoformat())}，"
                    "放入该次会议的纪要和现场照片。",
                )
            )
            continue
        for part in spec.parts:
            if part.per_meeting and not _usable(parts.get(part.id, ()), spec):
                out.append(
                    finding(
                        part.rule,
                        "error",
                        {"date": date, "part": part.title},
                        template="PART-MISSING.meeting",
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
                finding(
                    "A4-MEETING-UNDECLARED",
                    "warning",
                    {"folder": folders[0], "date": date},
                    material=number,
                    path=folders[0],
                    fix="如是一次评审会议，请在申报信息的评审会议中补上。",
                    field="innovation.meetings",
                )
            )
    for folder in mf.undated_folders:
        out.append(
            finding(
                "A4-FOLDER-UNDATED",
                "warning",
                material=number,
                path=folder,
                fix="请把文件夹命名为会议日期，如 2026-03-18。",
            )
        )
    for part in spec.parts:
        if not part.per_meeting and not _usable(mf.parts.get(part.id, ()), spec):
            where = "文件名含" + "或".join(f"“{n}”" for n in part.names) if part.names else ""
            out.append(
                finding(
                    part.rule,
                    "error",
                    {"part": part.title},
                    template="PART-MISSING",
                    material=number,
                    fix=f"在 {spec.folder} 中放入{part.title}（{where}）。",
                )
            )
    for f in mf.unassigned:
        out.append(
            finding(
                "A4-FILE-UNASSIGNED",
                "warning",
                material=number,
                path=f.rel,
                fix="会议纪要文件名请含“纪要”，公示请含“公示”或“公告”，照片放在会议日期文件夹中。",
            )
        )
    out += _notice_findings(spec, mf, sorted(seen))
    out += _report_findings(loaded, number)
    return out, groups


NOTICE_SPAN_MONTHS = 3  # reading: one public notice may cover meetings within 3 months of each other


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def meeting_rounds(dates: list[dt.date], months: int = NOTICE_SPAN_MONTHS) -> list[list[dt.date]]:
    """Meetings grouped into rounds: each round holds the meetings within `months` of its first one."""
    rounds: list[list[dt.date]] = []
    for date in sorted(dates):
        if rounds and date <= _add_months(rounds[-1][0], months):
            rounds[-1].append(date)
        else:
            rounds.append([date])
    return rounds


def _notice_findings(spec: MaterialSpec, mf: MaterialFiles, dates: list[dt.date]) -> list[Finding]:
    """Reading: each review's result is published; fewer notices than rounds of meetings more than 3
    months apart is a warning (one notice may well cover several meetings held close together)."""
    notice = next((p for p in spec.parts if p.id == "notice" and not p.per_meeting), None)
    if notice is None:
        return []
    notices = _usable(mf.parts.get(notice.id, ()), spec)
    rounds = meeting_rounds(dates)
    if not notices or len(notices) >= len(rounds):
        return []
    spans = "；".join("、".join(d.isoformat() for d in r) for r in rounds)
    return [
        finding(
            "A4-NOTICE-PER-MEETING",
            "warning",
            {"notices": len(notices), "months": NOTICE_SPAN_MONTHS, "rounds": len(rounds), "spans": spans},
            material=spec.number,
            fix=f"为每轮评审放入各自的公示公告（文件名含“{notice.names[0] if notice.names else '公示'}”），"
            "可放在该次会议的日期文件夹中。",
        )
    ]


def _report_findings(loaded: LoadedApplication, number: str) -> list[Finding]:
    """报备 (附件1 五(二)): each review is reported to the zone union beforehand; it sends staff to one."""
    meetings = loaded.app.innovation.meetings if loaded.app.innovation else []
    if not meetings:
        return []
    out = []
    for i, m in enumerate(meetings):
        if m.reported_on is not None and m.reported_on > m.date:
            line = loaded.line_of("innovation", "meetings", i)
            out.append(
                finding(
                    "A4-REPORTED-LATE",
                    "warning",
                    {"date": m.date, "reported_on": m.reported_on},
                    material=number,
                    path=f"application.yaml{f' 第 {line} 行' if line else ''}",
                    fix="请核对报备日期是否填错。",
                    field=f"innovation.meetings[{i}].reported_on",
                )
            )
    if not any(m.reported_on or m.attended_by for m in meetings):
        out.append(
            finding(
                "A4-REPORTED",
                "info",
                material=number,
                fix="在申报信息的各次评审会议中填写报备日期和区总工会参会人员。",
                field="innovation.meetings",
            )
        )
    return out


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
                finding(
                    spec.claims.rule,
                    "error",
                    {
                        "claim": _CLAIM_FIELD_TITLES[spec.claims.field],
                        "title": entry.title,
                        "number": f"（{entry.number}）" if entry.number else "",
                        "how": how,
                    },
                    template="CLAIM-COPY-MISSING",
                    material=spec.number,
                    path=f"application.yaml{f' 第 {line} 行' if line else ''}",
                    fix=f"把复印件放入 {spec.folder}，文件名写上专利号，或在该项的 file 中写明路径。",
                    field=f"studio.{spec.claims.field}[{i - 1}]",
                )
            )
    return out


def _case_mismatch(checklist: Checklist, case: str | None, mf: MaterialFiles) -> list[Finding]:
    """Files named like the other case's material (签收单 vs 银行流水).

    The measures forbid claiming both cases (附件1 五(三)), not filing extra evidence: beside this case's
    own files such a file is a warning; when it is all the material holds, this case's material is missing
    and that is an error.
    """
    spec = mf.spec
    siblings = [m for m in checklist.materials if m.number == spec.number and m is not spec and m.names]
    other_files: list[tuple[EvidenceFile, MaterialSpec]] = []
    for f in mf.files:
        name = PurePosixPath(f.rel).name
        if any(n in name for n in spec.names):
            continue
        other = next((o for o in siblings if any(n in name for n in o.names)), None)
        if other is not None:
            other_files.append((f, other))
    only_other = bool(other_files) and len(other_files) == len(mf.files)
    out = []
    for f, other in other_files:
        other_case = checklist.case_title(other.cases[0]) if other.cases else ""
        if only_other:
            out.append(
                finding(
                    "MATERIAL-CASE-MISMATCH",
                    "error",
                    {
                        "other": other.title,
                        "other_case": other_case,
                        "case": checklist.case_title(case),
                        "wanted": spec.title,
                    },
                    material=spec.number,
                    path=f.rel,
                    fix=f"请放入{spec.title}；如申报情形选错了，请改选补贴情形。",
                    field="innovation.case",
                )
            )
        else:
            out.append(
                finding(
                    "MATERIAL-OTHER-CASE-EXTRA",
                    "warning",
                    {"other": other.title, "other_case": other_case, "case": checklist.case_title(case)},
                    material=spec.number,
                    path=f.rel,
                    fix="二者不可同时申报（附件1 五(三)）；如不需要，可把该文件移出。",
                )
            )
    return out


def _part_required(part: PartSpec, loaded: LoadedApplication, matched_from: str | None) -> bool:
    studio = loaded.app.studio
    if part.when == "always":
        return True
    if part.when == "optional" or studio is None or not studio.new:
        return False
    if part.when == "new":
        return True
    return matched_from is not None and LEVEL_RANK[studio.level] >= LEVEL_RANK[matched_from]


def part_findings(loaded: LoadedApplication, mf: MaterialFiles, checklist: Checklist) -> list[Finding]:
    """Named parts of a material without meetings (e.g. the studio's naming document in material 3)."""
    spec = mf.spec
    out = []
    for part in spec.parts:
        if not _part_required(part, loaded, checklist.award.matched_from_level):
            continue
        if part.names:  # a file may serve two parts (a naming document that states the matched amount)
            found = [
                f
                for f in _usable(mf.files, spec)
                if f.kind in part.kinds and any(n in PurePosixPath(f.rel).name for n in part.names)
            ]
        else:
            found = list(_usable(mf.parts.get(part.id, ()), spec))
        if not found:
            words = "或".join(f"“{n}”" for n in part.names)
            out.append(
                finding(
                    part.rule,
                    "error",
                    {"part": part.title},
                    template="PART-MISSING",
                    material=spec.number,
                    fix=f"在 {spec.folder} 中放入{part.title}"
                    + (f"（文件名含{words}）" if words else "")
                    + "。",
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
                finding(
                    "DUES-YEAR-MISMATCH",
                    "warning",
                    {"years": "、".join(map(str, sorted(years))), "want": want},
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
    loaded: LoadedApplication, checklist: Checklist, matching: Matching, period: ActivityPeriod
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
            extra, groups = meeting_findings(loaded, mf, period)
            here += extra
        elif spec.parts:
            here += part_findings(loaded, mf, checklist)
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
                    finding(
                        "MATERIAL-GENERATED-EXTRA",
                        "info",
                        {"material_title": spec.title, "count": len(mf.files)},
                        material=spec.number,
                    )
                )
        elif required and not usable and not spec.meetings:
            here.append(
                finding(
                    "MATERIAL-MISSING",
                    "error",
                    {"material_title": spec.title},
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
            finding(
                "EVIDENCE-UNMATCHED",
                "warning",
                {"reason": reason},
                path=f.rel,
                fix="请移到对应编号的材料文件夹（如 2-激励制度），不需要的文件请移出申请文件夹。",
            )
        )
        if f.problem:
            out.append(finding("EVIDENCE-INVALID", "warning", {"problem": f.problem}, path=f.rel))
    by_hash: dict[str, list[str]] = defaultdict(list)
    for f in evidence:
        if f.sha256 and f.size:
            by_hash[f.sha256].append(f.rel)
    for paths in by_hash.values():
        if len(paths) > 1:
            out.append(
                finding(
                    "EVIDENCE-DUPLICATE",
                    "warning",
                    {"count": len(paths), "paths": "、".join(paths)},
                    path=paths[1],
                    fix="同一份文件只需放一次；如放错了材料，请换成正确的文件。",
                )
            )
    if ignored:
        out.append(finding("EVIDENCE-IGNORED", "info", {"count": len(ignored), "example": ignored[0]}))
    return out


def studio_findings(loaded: LoadedApplication, period: ActivityPeriod) -> list[Finding]:
    """The studio's yearly requirements: at least one approved project and one applied result (附件2
    三(三)).
    """
    studio = loaded.app.studio
    if studio is None:
        return []
    out = []
    if not studio.projects:
        out.append(
            finding(
                "B-PROJECTS-MISSING",
                "error",
                path="application.yaml studio.projects",
                fix="在申报信息的课题/攻关项目中列出至少 1 项。",
                field="studio.projects",
            )
        )
    if not studio.results:
        out.append(
            finding(
                "B-RESULTS-MISSING",
                "error",
                path="application.yaml studio.results",
                fix="在申报信息的创新成果中列出至少 1 项。",
                field="studio.results",
            )
        )
    if studio.new and studio.named_on is None:
        out.append(
            finding(
                "B1-NAMED-ON-MISSING",
                "error",
                path="application.yaml studio.named_on",
                fix="按命名文件填写命名日期，如 2026-04-28。",
                field="studio.named_on",
            )
        )
    elif studio.new and studio.named_on is not None and studio.named_on not in period:
        out.append(
            finding(
                "B1-NAMED-OUT-OF-PERIOD",
                "error",
                {"named_on": studio.named_on, "start": period.start, "end": period.end},
                path="application.yaml studio.named_on",
                fix="当年新命名鼓励金只能在命名当年申报一次；其他年度请只申报年度评比。",
                field="studio.named_on",
            )
        )
    out += _studio_dates_findings(studio, period)
    out += _tier_findings(loaded)
    if studio.patents and studio.level != "national":
        out.append(finding("B4-UPGRADE-RECOMMENDED", "info", field="studio.patents"))
    return out


def _studio_dates_findings(studio: Studio, period: ActivityPeriod) -> list[Finding]:
    """Projects and results dated outside the activity period (附件2 三(三): 每年承担课题、每年完成成果).

    Reading (docs/rules.md): a result counts in the year it was completed, so one dated outside the period
    is an error; a project is undertaken in the year but may have been approved earlier, so a date outside
    the period is a warning to confirm.
    """
    window = f"不在活动期间（{period.start} 至 {period.end}）内"
    out = [
        Finding(
            "B-PROJECT-OUT-OF-PERIOD",
            "warning",
            f"第 {n} 项课题或攻关项目“{item.title}”的日期 {item.date} {window}：请核实本年度仍在承担",
            path="application.yaml studio.projects",
            field=f"studio.projects[{n - 1}].date",
            fix="如课题跨年度进行，请在说明中写明本年度的进展。",
        )
        for n, item in enumerate(studio.projects, 1)
        if item.date is not None and item.date not in period
    ]
    out += [
        Finding(
            "B-RESULT-OUT-OF-PERIOD",
            "error",
            f"第 {n} 项创新成果“{item.title}”的日期 {item.date} {window}：年度评比只计本年度完成的成果",
            path="application.yaml studio.results",
            field=f"studio.results[{n - 1}].date",
            fix="请只列本年度的成果（以前年度的成果已在当年申报）。",
        )
        for n, item in enumerate(studio.results, 1)
        if item.date is not None and item.date not in period
    ]
    return out


TIER_REASON_TITLES = {
    "plan": "年度计划完成情况",
    "patents": "发明专利、实用新型专利",
    "major_projects": "国家级、天津市级重大项目",
}


def _tier_findings(loaded: LoadedApplication) -> list[Finding]:
    """The requested B2 tier and its reasons (附件2 四(二)): the committee decides, the evidence should
    be there."""
    studio = loaded.app.studio
    assert studio is not None
    if not studio.annual or studio.tier is None:
        return []
    out = []
    reasons = "、".join(TIER_REASON_TITLES.values())
    if studio.tier == 5000 and not studio.tier_reasons:
        out.append(
            finding(
                "B2-TIER-REASONS-MISSING",
                "warning",
                {"reasons": reasons},
                path="application.yaml studio.tier_reasons",
                fix=f"在申请档次的理由中选择{reasons}，并在材料 3、4 中附佐证。",
                field="studio.tier_reasons",
            )
        )
    if "patents" in studio.tier_reasons and not studio.patents:
        out.append(
            finding(
                "B2-TIER-REASONS-MISSING",
                "warning",
                template="B2-TIER-REASONS-MISSING.patents",
                path="application.yaml studio.tier_reasons",
                fix="在申报信息的专利/重大专项中列出专利并放入复印件。",
                field="studio.tier_reasons",
            )
        )
    return out
