"""The Chinese sentences of the findings, one template per message id, and the one function that fills them.

A finding carries its rule id, severity, material, the schema field it is about and the values that went
into its sentence; the sentence itself is rendered here from the template. Front ends place a finding by
its `field` and never read the sentence, so a template can be reworded without breaking any of them.

A message id is the rule id, or the rule id and a suffix after a dot where one rule says different things
("B2-TIER-REASONS-MISSING.patents"). Placeholders are `str.format` fields named by the values.
"""

from __future__ import annotations

from collections.abc import Mapping

from assembler.core.models import Finding, Severity

TEMPLATES: dict[str, str] = {
    # the application's own fields
    "APP-FIELD-EMPTY": "{title}尚未填写",
    # the ledger (附件1.2): an item is named by its 序号 as people count them, the spreadsheet row second
    "LEDGER-EMPTY": "项目台账中没有任何被采纳的项目",
    "LEDGER-DUPLICATE": "{item}与{first}重复（{name}，{proposer}）",
    "LEDGER-DATE-OUT-OF-PERIOD": "{item}“{name}”的采纳日期 {adopted_on} 不在活动期间（{start} 至 {end}）内",
    "LEDGER-MEETING-UNKNOWN": "{item}“{name}”的评审会议 {meeting} 不在申报信息的评审会议中",
    "LEDGER-CATEGORY-UNKNOWN": "{item}的类别“{category}”不是“五小”之一（{allowed}）",
    "LEDGER-SIMILAR-NAME": "{items}名称相同（{name}）但提出人不同，请确认不是同一项目",
    # the files of the application (a problem or note found when the file was inspected is its own sentence)
    "EVIDENCE-INVALID": "{problem}",
    "EVIDENCE-NOTE": "{note}",
    "EVIDENCE-WARNING": "{warning}",
    "EVIDENCE-KIND-NOT-ACCEPTED": "{kind}不能作为“{material_title}”的材料（可用：{accepted}）",
    "EVIDENCE-UNMATCHED": "{reason}，不会放入申报材料",
    "EVIDENCE-DUPLICATE": "内容完全相同的文件出现了 {count} 次：{paths}",
    "EVIDENCE-IGNORED": "已忽略 {count} 个系统或隐藏文件（如 {example}）",
    # materials and their parts (the rule ids of parts come from the checklists)
    "PART-MISSING": "缺少{part}",
    "PART-MISSING.meeting": "评审会议 {date} 缺少{part}",
    "MATERIAL-MISSING": "缺少“{material_title}”",
    "MATERIAL-GENERATED-EXTRA": "“{material_title}”由本工具生成；"
    "此文件夹中的 {count} 个文件将附在生成的表格之后",
    "MATERIAL-OTHER-CASE-EXTRA": "该文件像是“{other}”（{other_case}所需）；本申请按{case}申报，"
    "它将作为附加材料放入，不按另一情形计算",
    "DUES-YEAR-MISMATCH": "文件名中的年份 {years} 不是申报年度的上一年（{want} 年）",
    # review meetings (material 4)
    "A4-MEETING-FOLDER-MISSING": "评审会议 {date} 没有对应的材料文件夹",
    "A4-FOLDER-UNDATED": "子文件夹名中没有日期，无法判断属于哪次评审会议",
    "A4-FILE-UNASSIGNED": "无法判断该文件是会议纪要、现场照片还是公示公告",
    "A4-NOTICE-PER-MEETING": "只有 {notices} 份公示公告，而评审会议相隔超过 {months} 个月，"
    "可分为 {rounds} 轮（{spans}）；每轮评审结果应分别公示",
    "A4-NO-MEETINGS": "申报信息中没有列出任何评审会议",
    "A4-MEETING-DUPLICATE": "评审会议 {date} 写了两次",
    "A4-MEETING-OUT-OF-PERIOD": "评审会议 {date} 不在活动期间（{start} 至 {end}）内",
    "A4-MEETING-UNDECLARED": "文件夹 {folder} 的日期 {date} 不在申报信息的评审会议中",
    "A4-REPORTED": "没有一次评审会议记录了向高新区总工会报备的日期或总工会参会人员；"
    "办法要求每次评审前报备，总工会派员参加其中一次",
    "CLAIM-COPY-MISSING": "申报的{claim}“{title}”{number}没有{how}",
    "MATERIAL-CASE-MISMATCH": "该文件像是“{other}”（{other_case}所需），但所选{case}需要“{wanted}”",
    "B4-UPGRADE-RECOMMENDED": "有专利或重大专项的工作室将优先推荐评选升级为上一档次（附件2 四(三)）",
    "A4-REPORTED-LATE": "评审会议 {date} 的报备日期 {reported_on} 晚于会议日期（应在评审前报备）",
    # content cross-checks (core/crosscheck.py)
    "CONTENT-MINUTES-DATE": "会议纪要中没有找到会议日期 {date}",
    "CONTENT-NOTICE-ITEMS": "公示中只找到台账 {share} 个项目的名称",
    "CONTENT-NOTICE-ITEMS.found": "公示中找到台账 {share} 个项目的名称",
    "CONTENT-RECEIPT-NAMES": "签收单中只找到台账 {share} 位提出人的姓名",
    "CONTENT-BANK-TOTAL": "银行流水中的金额合计 {amounts} 元，少于台账奖励金额合计 {total} 元",
    "CONTENT-DUES-PAYER": "工会经费凭证中没有找到{missing}",
    "CONTENT-NOT-CHECKED": "{count} 个文件是扫描件或图片（没有文字层），内容未核对",
    # awards
    "A1-TOO-FEW": "被采纳项目 {count} 条，不足 {lowest} 条，不符合情形一的申报条件",
    "A2-BONUS-MISSING": "{item}“{name}”没有填写企业奖励金额",
    "A2-ITEM-BELOW-MIN": "{count} 项企业奖金不超过 {lowest} 元，不计鼓励金（{items}）",
    "A2-CAPPED": "合计 {total} 元，超过最高 {cap} 元，按上限计",
    "B2-TIER-MISSING": "年度评比：未填写申请档次，按最低档 {lowest} 元计入申请"
    "（{tiers} 元，由评审委员会评定）",
    "A2-NO-ELIGIBLE": "没有企业奖金超过下限的项目，不符合情形二的申报条件",
    # the studio (附件2)
    "B-LEVEL-TOO-LOW": "工作室级别为{level}，须为高新区级及以上才能申报",
    "B-NOTHING-CLAIMED": "既未申报当年新命名鼓励金，也未申报年度评比",
    "B1-MATCHED-IGNORED": "{level}工作室的新命名鼓励金固定为 {fixed} 元，匹配金额（{matched} 元）不予采用",
    "B1-MATCHED-MISSING": "新命名{level}工作室按上级工会标准匹配，但未填写匹配金额",
    "B2-TIER-INVALID": "年度评比档次 {tier} 元无效，只有 {tiers} 元两档",
    "B2-TIER-IGNORED": "填写了档次 {tier} 元但未申报年度评比，档次不予采用",
    "B-PROJECTS-MISSING": "未列出本年度企业立项的创新课题或攻关项目（至少 1 项）",
    "B-RESULTS-MISSING": "未列出本年度完成并推广应用的创新成果（至少 1 项）",
    "B1-NAMED-ON-MISSING": "申报当年新命名鼓励金，但未填写命名日期",
    "B1-NAMED-OUT-OF-PERIOD": "命名日期 {named_on} 不在活动期间（{start} 至 {end}）内，不属于“当年新命名”",
    "B2-TIER-REASONS-MISSING": "申请 5,000 元档但未说明理由；评审委员会依据{reasons}评定档次",
    "B2-TIER-REASONS-MISSING.patents": "以专利作为申请档次的理由，但没有列出专利",
}


def render(template: str, values: Mapping[str, object]) -> str:
    """The Chinese sentence of message `template` (a key of TEMPLATES) filled with `values`."""
    return TEMPLATES[template].format_map(values)


def finding(
    rule: str,
    severity: Severity,
    values: Mapping[str, object] | None = None,
    *,
    template: str | None = None,
    material: str | None = None,
    path: str | None = None,
    fix: str | None = None,
    field: str | None = None,
) -> Finding:
    """A finding whose message is rendered from its template (`rule` unless given) and `values`, which it
    keeps, so that a program reads the values and a front end words or places it without parsing."""
    key = template or rule
    data = dict(values or {})
    return Finding(
        rule,
        severity,
        render(key, data),
        material=material,
        path=path,
        fix=fix,
        field=field,
        values=data,
        template=key,
    )
