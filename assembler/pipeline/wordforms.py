"""The Word forms (附件1.1, 附件1.2, 附件2.1): context from the checked application, docxtpl rendering with
autoescape on, and the coverage check between a template's variables and the values the tool provides.

Every value is text; an empty value prints 无, as official forms require, never "None". The
rendered .docx is normalised (fixed zip timestamps) so that the same application gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from assembler.core.application import LEVEL_TITLES, LoadedApplication
from assembler.core.awards import bonus_tier, count_tier
from assembler.core.checklist import AwardSpec, Checklist, MaterialSpec
from assembler.core.identifiers import rmb_capital
from assembler.core.models import Report
from assembler.errors import InputError, UsageError
from assembler.resources import bundled

EMPTY = "无"
BLANK_DATE = "        年      月      日"
ZIP_EPOCH = (2021, 6, 1, 0, 0, 0)
CHECKED, UNCHECKED = "■", "□"


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    return str(value)


def _money(amount: Decimal | None, suffix: str = " 元") -> str:
    return EMPTY if amount is None else f"{amount:,.2f}{suffix}"


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1)) if lines else EMPTY


def _common(loaded: LoadedApplication, report: Report) -> dict[str, Any]:
    app = loaded.app
    a = app.applicant
    amount = report.award.amount
    return {
        "year": app.year,
        "filed_on": (
            f"{app.filed_on.year} 年 {app.filed_on.month} 月 {app.filed_on.day} 日"
            if app.filed_on
            else BLANK_DATE
        ),
        "applicant_name": a.name,
        "credit_code": a.credit_code,
        "union_name": a.union,
        "address": a.address,
        "employees": f"{a.employees} 人" if a.employees else None,
        "contact_name": a.contact.name,
        "contact_phone": a.contact.phone,
        "bank_name": a.bank.name,
        "bank_account": a.bank.account,
        "amount": (_money(amount) + ("（申请，待核定）" if report.award.pending else ""))
        if amount is not None
        else "无（不符合申报条件）",
        "period": f"{report.period.start} 至 {report.period.end}" if report.period else None,
        "amount_capital": rmb_capital(amount) if amount is not None else EMPTY,
        "award_lines": "\n".join(report.award.lines),
    }


def _bonus_total(loaded: LoadedApplication) -> Decimal | None:
    bonuses = [i.bonus for i in loaded.items if i.bonus is not None]
    return sum(bonuses, Decimal(0)) if bonuses else None


def _meeting_line(m) -> str:
    """One review meeting for 附件1.1's 评审会议 row, with its 报备 (附件1 五(二)) where recorded."""
    line = f"{m.date.isoformat()} {m.title}".strip()
    filed = [
        f"{m.reported_on.isoformat()} 报备" if m.reported_on else "",
        f"总工会 {m.attended_by} 参加" if m.attended_by else "",
    ]
    filed = [f for f in filed if f]
    return line + (f"（{'，'.join(filed)}）" if filed else "")


def innovation_application_context(loaded: LoadedApplication, report: Report) -> dict[str, Any]:
    """附件1.1: the applicant, the chosen case, the item count and the requested amount."""
    inn = loaded.app.innovation
    assert inn is not None
    return {
        **_common(loaded, report),
        "case_count_box": CHECKED if inn.case == "count" else UNCHECKED,
        "case_bonus_box": CHECKED if inn.case == "bonus" else UNCHECKED,
        "item_count": len(loaded.items),
        "bonus_total": _money(_bonus_total(loaded)),  # as 附件1.2 totals it, in both cases
        "meetings": "\n".join(_meeting_line(m) for m in inn.meetings)
        + (
            ""
            if any(m.reported_on or m.attended_by for m in inn.meetings)
            else "\n（未记录向高新区总工会报备）"
        ),
    }


def _item_award(bonus: Decimal | None, award: AwardSpec | None) -> str:
    """情形二: the 鼓励金 of one item by its enterprise bonus (0.00 at or below the lowest tier)."""
    if award is None or bonus is None:
        return EMPTY
    tier = bonus_tier(bonus, award.bonus_tiers)
    return _money(tier.amount if tier else Decimal(0), "")


def _subtotals(loaded: LoadedApplication, report: Report, award: AwardSpec | None) -> list[dict[str, str]]:
    """The rows between the items and the total that show how the claimed amount is reached: per 情形二
    tier (count × amount), the 3万元 cap when it applies; in 情形一 the count's tier.
    """
    inn = loaded.app.innovation
    assert inn is not None
    if award is None:
        return []
    if inn.case == "count":
        counted = count_tier(len(loaded.items), award.count_tiers)
        if counted is None:
            return [
                {"label": f"被采纳 {len(loaded.items)} 项，未达到最低档", "amount": _money(Decimal(0), "")}
            ]
        span = f"{counted.min}—{counted.max} 条" if counted.max is not None else f"{counted.min} 条以上"
        line = f"情形一：被采纳 {len(loaded.items)} 项，属 {span} 档"
        return [{"label": line, "amount": _money(counted.amount, "")}]
    rows = []
    total = Decimal(0)
    for tier in award.bonus_tiers:
        n = sum(
            1 for i in loaded.items if i.bonus is not None and bonus_tier(i.bonus, award.bonus_tiers) == tier
        )
        if n:
            upto = f"{tier.upto:,.0f}]" if tier.upto is not None else "+∞)"
            rows.append(
                {
                    "label": f"小计：奖励金额 ({tier.above:,.0f}, {upto} 元，{n} 项 × {tier.amount:,.0f} 元",
                    "amount": _money(tier.amount * n, ""),
                }
            )
            total += tier.amount * n
    if award.bonus_cap is not None and total > award.bonus_cap:
        rows.append(
            {
                "label": f"逐项合计 {total:,.2f} 元，超过最高奖励 {award.bonus_cap:,.0f} 元，按最高奖励计",
                "amount": _money(award.bonus_cap, ""),
            }
        )
    return rows


def project_summary_context(
    loaded: LoadedApplication, report: Report, award: AwardSpec | None = None
) -> dict[str, Any]:
    """附件1.2: one row per adopted item (in 情形二 with its 鼓励金), the subtotal rows that lead to the
    claimed amount, the total row and the filler's block.
    """
    inn = loaded.app.innovation
    assert inn is not None
    common = _common(loaded, report)
    per_item = inn.case == "bonus"
    items = [
        {
            "seq": str(i),
            "name": item.name,
            "category": _text(item.category),
            "proposer": item.proposer,
            "department": _text(item.department),
            "adopted_on": item.adopted_on.isoformat(),
            "effect": _text(item.effect),
            "bonus": _money(item.bonus, ""),
            "award": _item_award(item.bonus, award) if per_item else "—",
            "meeting": _text(item.meeting.isoformat() if item.meeting else None),
        }
        for i, item in enumerate(loaded.items, start=1)
    ]
    return {
        "year": common["year"],
        "filed_on": common["filed_on"],
        "applicant_name": common["applicant_name"],
        "contact_name": common["contact_name"],
        "contact_phone": common["contact_phone"],
        "case_title": report.case_title,
        "items": items,
        "item_count": len(items),
        "bonus_total": _money(_bonus_total(loaded), ""),
        "subtotals": _subtotals(loaded, report, award),
        "award_total": _money(report.award.amount, ""),
    }


def studio_application_context(loaded: LoadedApplication, report: Report) -> dict[str, Any]:
    """附件2.1: the studio, what is claimed (new / annual tier), projects, results, patents, the amount."""
    st = loaded.app.studio
    assert st is not None

    def item_line(item) -> str:
        return item.title + (f"（{item.description}）" if item.description else "")

    common = _common(loaded, report)
    del common["address"]  # 附件2.1 names the unit, not its address
    return {
        **common,
        "studio_name": st.name,
        "level": LEVEL_TITLES[st.level],
        "leader": st.leader,
        "named_on": f"{st.named_on.year}年{st.named_on.month}月{st.named_on.day}日" if st.named_on else None,
        "members": f"{st.members} 人" if st.members else None,
        "new_box": CHECKED if st.new else UNCHECKED,
        "annual_box": CHECKED if st.annual else UNCHECKED,
        "tier": (f"{st.tier} 元" if st.tier else "由评审委员会评定") if st.annual else None,
        "projects": _numbered([item_line(p) for p in st.projects]),
        "results": _numbered([item_line(r) for r in st.results]),
        "patents": _numbered([" ".join(x for x in (p.title, p.kind, p.number) if x) for p in st.patents]),
        "plan_completion": st.plan_completion,
        "award_lines": "\n".join(form_words(line) for line in report.award.lines),
    }


# the award's explanation speaks of the measures and the form, never of keys or the tool
_FORM_WORDS = (
    (re.compile(r"各项如获批准，办法保证的最低金额合计"), "如各项均获批准，按年度评比最低档计，至少为"),
    (re.compile(r"matched_amount（([^）]*)）"), r"填报的匹配金额（\1）"),
    (re.compile(r"（annual: ?false）"), ""),
    (re.compile(r"（new）|（annual）"), ""),
    (re.compile(r"studio\.tier"), "申请档次"),
)


def form_words(line: str) -> str:
    """One line of the award's explanation in the words of the form (no keys, no tool words)."""
    for pattern, words in _FORM_WORDS:
        line = pattern.sub(words, line)
    return line


_CONTEXTS = {
    ("innovation", "application_form"): innovation_application_context,
    ("innovation", "project_summary"): project_summary_context,
    ("studio", "application_form"): studio_application_context,
}


def form_context(
    spec: MaterialSpec, loaded: LoadedApplication, report: Report, award: AwardSpec | None = None
) -> dict[str, Any]:
    """The values for one generated material's template; empty values become 无. `award` (the
    checklist's award tables) gives 附件1.2 its per-item 鼓励金 and subtotals.
    """
    if (loaded.app.scheme, str(spec.generated)) == ("innovation", "project_summary"):
        context = project_summary_context(loaded, report, award)
    else:
        context = _CONTEXTS[(loaded.app.scheme, str(spec.generated))](loaded, report)
    return {k: (v if k in ("items", "subtotals") else _text(v)) for k, v in context.items()}


@dataclass(frozen=True)
class Coverage:
    """How a template's variables and the provided values line up."""

    template: str
    unknown: tuple[str, ...]  # used by the template, not provided by the tool: would print blank
    unused: tuple[str, ...]  # provided by the tool, not used by the template: the form leaves them out


def template_path(spec: MaterialSpec, templates: Path | None) -> Path:
    """The template file of a generated material, from --templates DIR or the bundled ones."""
    folder = templates if templates is not None else bundled("templates")
    path = folder / (spec.template or "")
    if not path.is_file():
        raise UsageError(
            f"找不到模板“{spec.template}”",
            where=str(folder),
            fix="模板文件夹中应有与内置模板同名的 .docx 文件。",
        )
    return path


def _open_template(path: Path):
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(path)
        tpl.init_docx()
        return tpl
    except Exception as exc:  # python-docx raises several types for a damaged file
        raise InputError(
            f"模板无法打开（{type(exc).__name__}）",
            where=str(path),
            fix="请在 Word/WPS 中打开后另存为 .docx。",
        ) from None


def coverage(path: Path, context: dict[str, Any]) -> Coverage:
    """Which variables the template at `path` uses that `context` lacks, and which provided values it
    ignores.
    """
    tpl = _open_template(path)
    try:
        used = set(tpl.get_undeclared_template_variables())
    except Exception as exc:  # jinja2 TemplateSyntaxError and friends
        raise InputError(
            f"模板中的 {{{{ }}}} 占位符写法有误：{exc}",
            where=str(path),
            fix="请检查花括号是否成对、{% %} 标签是否完整。",
        ) from None
    provided = set(context)
    return Coverage(path.name, tuple(sorted(used - provided)), tuple(sorted(provided - used)))


def normalize_docx(data: bytes) -> bytes:
    """The same .docx with fixed member timestamps, so equal inputs give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_form(path: Path, context: dict[str, Any]) -> bytes:
    """The template at `path` filled with `context` (autoescaped), as normalised .docx bytes."""
    tpl = _open_template(path)
    try:
        tpl.render(context, autoescape=True)
    except Exception as exc:  # jinja2 errors in a revised template
        raise InputError(f"模板填写失败：{exc}", where=str(path), fix="请检查模板中的占位符。") from None
    buf = io.BytesIO()
    tpl.save(buf)
    return normalize_docx(buf.getvalue())


@dataclass(frozen=True)
class FilledForm:
    """One filled form: which material, its output name, the .docx bytes and the coverage of its template."""

    material: MaterialSpec
    filename: str
    data: bytes
    coverage: Coverage


def fill_forms(
    loaded: LoadedApplication, report: Report, checklist: Checklist, templates: Path | None = None
) -> list[FilledForm]:
    """Fill every generated material of the application's scheme (and case) from its template.

    A template that uses variables the tool does not provide is refused (they would print blank).
    """
    case = loaded.app.innovation.case if loaded.app.innovation else None
    out = []
    for spec in checklist.materials:
        if not spec.generated or not spec.applies_to(case):
            continue
        path = template_path(spec, templates)
        context = form_context(spec, loaded, report, checklist.award)
        cov = coverage(path, context)
        if cov.unknown:
            raise InputError(
                f"模板使用了本工具不提供的变量：{'、'.join(cov.unknown)}",
                where=str(path),
                details=[f"可用的变量：{'、'.join(sorted(context))}"],
                fix="请改用可用的变量名，否则这些位置会是空白。",
            )
        out.append(FilledForm(spec, path.name, render_form(path, context), cov))
    return out
