"""The 申报信息 form ↔ application.yaml data.

Textareas hold one item per line (课题、成果、专利); the review meetings are rows of inputs (日期, 名称,
报备日期, 区总工会参会人员). What is typed is cleaned with the core's own functions (identifiers.py,
dates.py) before it is stored — full-width digits, thousands separators, 元/人/年, 2026年4月28日,
lower-case credit codes — so the YAML holds what `dossier check` would read anyway; text that cannot
be read is kept as typed, for the check to name.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from assembler.core.dates import parse_date_text
from assembler.core.identifiers import clean_code, clean_count, halfwidth, parse_money

TEXT_FIELDS = [
    "applicant.name",
    "applicant.credit_code",
    "applicant.union",
    "applicant.union_code",
    "applicant.address",
    "applicant.contact.name",
    "applicant.contact.phone",
    "applicant.bank.name",
    "applicant.bank.account",
    "studio.name",
    "studio.leader",
]
CODE_FIELDS = {"applicant.credit_code", "applicant.union_code"}
NUMBER_TEXT_FIELDS = {"applicant.contact.phone", "applicant.bank.account"}
MEETING_PARTS = ("date", "title", "reported_on", "attended_by")
TIER_REASONS = {
    "plan": "年度计划完成情况",
    "patents": "发明专利、实用新型专利",
    "major_projects": "国家级、天津市级重大项目",
}


def _set(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _count(text: str):
    """A whole number as typed (1,200 · 1200人 · １２００), or the text as typed, or None when blank."""
    text = text.strip()
    return clean_count(text) if text else None


def _date(text: str):
    """A date as typed (2026-04-28 · 2026/4/28 · 2026年4月28日), or the text as typed, or None when blank."""
    text = text.strip()
    if not text:
        return None
    return parse_date_text(text) or text


def _money(text: str):
    """An amount as typed (10,000元 · １００００), stored as a plain number; the text as typed when
    unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        amount = parse_money(text)
    except ValueError:
        return text
    return int(amount) if amount == amount.to_integral_value() else str(Decimal(amount))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _items(text: str) -> list:
    """Lines “标题” or “标题 | 说明” as studio items."""
    out: list = []
    for line in _lines(text):
        title, description = (part.strip() for part in re.split(r"[|｜]", line + "|", maxsplit=1))
        description = description.rstrip("|｜").strip()
        out.append({"title": title, "description": description} if description else title)
    return out


def meetings_from_form(form) -> list[dict]:
    """The meeting rows of the form (rows left blank dropped)."""
    columns = [form.getlist(f"meeting-{part}") for part in MEETING_PARTS]
    meetings = []
    for row in zip(*columns):
        values = dict(zip(MEETING_PARTS, (v.strip() for v in row)))
        if not any(values.values()):
            continue
        meeting: dict = {"date": _date(values["date"]) or "", "title": values["title"]}
        if values["reported_on"]:
            meeting["reported_on"] = _date(values["reported_on"])
        if values["attended_by"]:
            meeting["attended_by"] = values["attended_by"]
        meetings.append(meeting)
    return meetings


def data_from_form(form, current: dict) -> dict:
    """application.yaml data from the submitted form, keeping keys the form does not show."""
    data = copy.deepcopy(current)
    if "year" in form:
        _set(data, "year", _count(form["year"]))
    _set(data, "filed_on", _date(form.get("filed_on", "")))
    for name in TEXT_FIELDS:
        if name in form and (not name.startswith("studio.") or data.get("scheme") == "studio"):
            value = form[name].strip()
            if name in CODE_FIELDS:
                value = str(clean_code(value))
            elif name in NUMBER_TEXT_FIELDS:
                value = halfwidth(value).strip()
            if name == "applicant.union_code" and not value:
                _set(data, name, None)
                continue
            _set(data, name, value)
    _set(data, "applicant.employees", _count(form.get("applicant.employees", "")))
    if data.get("scheme") == "innovation":
        inn = data.setdefault("innovation", {})
        if form.get("innovation.case"):
            inn["case"] = form["innovation.case"]
        projects = form.get("innovation.projects", "").strip()
        if projects and not isinstance(inn.get("projects"), list):
            inn["projects"] = projects  # a ledger uploaded with a refused save: kept for the next one
        if "meeting-date" in form:
            inn["meetings"] = meetings_from_form(form)
    if data.get("scheme") == "studio":
        st = data.setdefault("studio", {})
        if form.get("studio.level"):
            st["level"] = form["studio.level"]
        for key in ("members", "tier"):
            _set(st, key, _count(form.get(f"studio.{key}", "")))
        _set(st, "named_on", _date(form.get("studio.named_on", "")))
        _set(st, "matched_amount", _money(form.get("studio.matched_amount", "")))
        st["new"] = form.get("studio.new") == "on"
        st["annual"] = form.get("studio.annual") == "on"
        st["tier_reasons"] = [r for r in TIER_REASONS if r in form.getlist("studio.tier_reasons")]
        st["projects"] = _items(form.get("studio.projects", ""))
        st["results"] = _items(form.get("studio.results", ""))
        patents = []
        for line in _lines(form.get("studio.patents", "")):
            parts = [p.strip() for p in re.split(r"[|｜]", line)] + ["", ""]
            patents.append({k: v for k, v in zip(("title", "number", "kind"), parts[:3]) if v})
        st["patents"] = patents
    return data


def _shown(value) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def form_values(data: dict) -> dict:
    """The form's fields filled from application.yaml data (saved, or just submitted and refused)."""

    def get(dotted: str, default=""):
        node = data
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return _shown(node)

    values: dict = {name: get(name) for name in TEXT_FIELDS}
    values.update(
        {"year": get("year"), "filed_on": get("filed_on"), "applicant.employees": get("applicant.employees")}
    )
    inn: dict = data["innovation"] if isinstance(data.get("innovation"), dict) else {}
    values["innovation.case"] = inn.get("case", "count")
    values["innovation.projects"] = inn.get("projects") if isinstance(inn.get("projects"), str) else ""
    meetings = [m for m in inn.get("meetings") or [] if isinstance(m, dict)]
    rows = [{part: _shown(m.get(part)) for part in MEETING_PARTS} for m in meetings]
    values["meetings"] = rows + [dict.fromkeys(MEETING_PARTS, "") for _ in range(2 if len(rows) < 4 else 1)]
    st: dict = data["studio"] if isinstance(data.get("studio"), dict) else {}
    for key in ("level", "members", "named_on", "matched_amount", "tier"):
        values[f"studio.{key}"] = _shown(st.get(key))
    values["studio.new"] = bool(st.get("new"))
    values["studio.annual"] = bool(st.get("annual"))
    reasons = st.get("tier_reasons")
    values["studio.tier_reasons"] = list(reasons) if isinstance(reasons, list) else []

    def item_line(item) -> str:
        if isinstance(item, dict):
            return _shown(item.get("title")) + (
                f" | {item['description']}" if item.get("description") else ""
            )
        return str(item)

    def patent_line(p) -> str:
        if not isinstance(p, dict):
            return str(p)
        return " | ".join(x for x in (_shown(p.get(k)) for k in ("title", "number", "kind")) if x)

    values["studio.projects"] = "\n".join(item_line(i) for i in st.get("projects") or [])
    values["studio.results"] = "\n".join(item_line(i) for i in st.get("results") or [])
    values["studio.patents"] = "\n".join(patent_line(p) for p in st.get("patents") or [])
    return values
