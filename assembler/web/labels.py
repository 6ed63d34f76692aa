"""The one place where application.yaml's field paths and the check's rule ids become the web form's words.

`dossier check` names a problem by file, line and dotted path (`application.yaml 第 9 行
applicant.employees：…`); the form names it by the label beside the input (`职工人数：…`) and places it there.
Both come from the same schema error or finding: only the wording differs, and it is chosen here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# form field name (= dotted path in application.yaml) → the label printed beside its input
LABELS: dict[str, str] = {
    "year": "申报年度",
    "filed_on": "填表日期",
    "measures": "办法版本",
    "scheme": "基金",
    "applicant.name": "单位名称",
    "applicant.credit_code": "统一社会信用代码",
    "applicant.union": "工会名称",
    "applicant.union_code": "基层工会统一社会信用代码",
    "applicant.address": "单位地址",
    "applicant.employees": "职工人数",
    "applicant.contact": "联系人",
    "applicant.contact.name": "联系人",
    "applicant.contact.phone": "联系电话",
    "applicant.bank": "开户银行",
    "applicant.bank.name": "开户银行",
    "applicant.bank.account": "银行账号",
    "applicant": "申请单位",
    "innovation.case": "补贴情形",
    "innovation.projects": "项目台账",
    "innovation.meetings": "评审会议",
    "innovation": "创新创效信息",
    "studio.name": "工作室名称",
    "studio.leader": "领衔人",
    "studio.level": "命名级别",
    "studio.members": "成员人数",
    "studio.named_on": "命名日期",
    "studio.new": "当年新命名",
    "studio.annual": "年度评比",
    "studio.matched_amount": "匹配金额",
    "studio.tier": "评比档次",
    "studio.tier_reasons": "申请档次的理由",
    "studio.projects": "课题/攻关项目",
    "studio.results": "创新成果",
    "studio.patents": "专利/重大专项",
    "studio": "工作室信息",
}

# the parts of one row of a list, by key
ROW_PARTS: dict[str, str] = {
    "date": "日期",
    "title": "名称",
    "reported_on": "报备日期",
    "attended_by": "区总工会参会人员",
    "description": "说明",
    "number": "专利号",
    "kind": "类别",
    "name": "项目名称",
    "proposer": "提出人",
    "adopted_on": "采纳日期",
    "bonus": "奖金",
}

# the lists the form shows one row per input group (meetings) rather than one textarea line
ROW_FIELDS = {"innovation.meetings": "meeting"}


@dataclass(frozen=True)
class FormProblem:
    """One problem as the form shows it: the input it belongs to (its id; "" for the form as a whole), its
    label, and the message in form words."""

    field: str
    label: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.label}：{self.message}" if self.label else self.message


def field_of(loc: tuple) -> tuple[str, str]:
    """The form input (its id) and the words for a schema location such as ('innovation', 'meetings', 1,
    'date') → ('meeting-1-date', '评审会议第 2 行的日期')."""
    keys = [p for p in loc if isinstance(p, str)]
    for n in range(len(loc), 0, -1):
        head = loc[:n]
        if not all(isinstance(p, str) for p in head):
            continue
        dotted = ".".join(head)
        if dotted not in LABELS:
            continue
        label = LABELS[dotted]
        rest = loc[n:]
        if rest and isinstance(rest[0], int):
            row = rest[0]
            part = next((p for p in rest[1:] if isinstance(p, str)), None)
            words = f"{label}第 {row + 1} 行" + (f"的{ROW_PARTS.get(part, '')}" if part in ROW_PARTS else "")
            if dotted in ROW_FIELDS:
                return f"{ROW_FIELDS[dotted]}-{row}-{part or 'date'}", words
            return dotted, words
        return dotted, label
    return "", "申报信息" if keys else ""


def form_problems(problems: list[tuple[tuple, str]]) -> list[FormProblem]:
    """The schema's problems (location, what is wrong) in form words."""
    out: list[FormProblem] = []
    for loc, message in problems:
        field, label = field_of(loc)
        problem = FormProblem(field, label, plain(message))
        if problem not in out:
            out.append(problem)
    return out


# dotted paths written in messages and fixes, longest first so that studio.tier_reasons wins over studio.tier
_PATHS = sorted(LABELS, key=len, reverse=True)
_PATH_IN_TEXT = re.compile(
    r"（?(" + "|".join(re.escape(p) for p in _PATHS if "." in p) + r")(?:\[(\d+)\](?:\.(\w+))?)?(?![\w.])）?"
)
_LIST_KEYS = {
    " plan / patents / major_projects": "计划完成情况、专利或重大项目",
    "plan / patents / major_projects": "计划完成情况、专利或重大项目",
    "reported_on": "报备日期",
}


def plain(text: str) -> str:
    """A message or fix of the check in form words: field paths become labels, no file names of the YAML,
    no command-line options."""
    for old, new in _LIST_KEYS.items():
        text = text.replace(old, new)
    text = re.sub(r"\[[A-Z][A-Z0-9]*(-[A-Z0-9]+)+\] ?", "", text)  # [A4-REPORTED-LATE] rule ids

    def label(m: re.Match) -> str:
        whole = m.group(0)
        if whole.startswith("（") and whole.endswith("）"):
            return ""  # “单位名称（applicant.name）尚未填写” → “单位名称尚未填写”
        words = LABELS[m.group(1)]
        if m.group(2):  # innovation.meetings[2].date → 评审会议第 2 行的日期
            part = ROW_PARTS.get(m.group(3) or "", "")
            words += f"第 {m.group(2)} 行" + (f"的{part}" if part else "")
        return f"“{words}”"

    text = _PATH_IN_TEXT.sub(label, text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=“)|(?<=”) (?=[\u4e00-\u9fff])", "", text)  # 在 “X” 中 → 在“X”中
    text = re.sub(r"在 ?application\.yaml ?中", "在“申报信息”中", text)
    text = re.sub(r" ?application\.yaml ?(中|生成)", r"申报信息\1", text)
    text = re.sub(r"application\.yaml( 第 \d+ 行)?", "申报信息", text)
    text = re.sub(r"[；;]如只需预览[^。]*--allow-incomplete[^。]*", "", text)
    text = text.replace("--allow-incomplete", "预览模式")
    text = re.sub(
        r"[；（][^；（）。]*--accept-xfa[^；（）。]*）?", "", text
    )  # the web app has no such choice
    text = re.sub(r"运行 ?`?dossier \w+`?", "在本页", text)
    text = re.sub(r"`dossier [^`]*`", "本工具", text)
    text = re.sub(r"dossier (build|check|verify|review|init|fill)\b", "本工具", text)
    return text.replace("`", "")


def finding_words(finding) -> tuple[str, str, str]:  # noqa: ANN001 - assembler.core.models.Finding
    """(where, message, fix) of a check finding for the page: no YAML path, no line numbers."""
    where = finding.path or ""
    if where.startswith("application.yaml"):
        where = "申报信息"
    return where, plain(finding.message), plain(finding.fix or "")


def finding_field(finding) -> str | None:  # noqa: ANN001 - assembler.core.models.Finding
    """The form input a check finding about the 申报信息 belongs to
    (“联系人（applicant.contact.name）尚未填写” → applicant.contact.name), or None for findings about
    files."""
    if not (finding.path or "").startswith("application.yaml"):
        return None
    for text in (finding.path, finding.message, finding.fix or ""):
        m = _PATH_IN_TEXT.search(text)
        if m and not m.group(2):
            return m.group(1)
    return None
