"""The 申报信息 form ↔ application.yaml data. Textareas hold one item per line."""

from __future__ import annotations

import copy
import re

TEXT_FIELDS = [
    "applicant.name",
    "applicant.credit_code",
    "applicant.union",
    "applicant.address",
    "applicant.contact.name",
    "applicant.contact.phone",
    "applicant.bank.name",
    "applicant.bank.account",
    "studio.name",
    "studio.leader",
]


def _set(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {}) if isinstance(node.get(key), dict) or key not in node else node[key]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _number(text: str):
    text = text.strip()
    return int(text) if re.fullmatch(r"\d+", text) else (text or None)


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


def data_from_form(form, current: dict) -> dict:
    """application.yaml data from the submitted form, keeping keys the form does not show."""
    data = copy.deepcopy(current)
    if form.get("year"):
        data["year"] = _number(form["year"])
    _set(data, "filed_on", form.get("filed_on", "").strip() or None)
    for name in TEXT_FIELDS:
        if name in form and (not name.startswith("studio.") or data.get("scheme") == "studio"):
            _set(data, name, form[name].strip())
    _set(data, "applicant.employees", _number(form.get("applicant.employees", "")))
    if data.get("scheme") == "innovation":
        inn = data.setdefault("innovation", {})
        if form.get("innovation.case"):
            inn["case"] = form["innovation.case"]
        # keep what the form does not show (报备: reported_on, attended_by) for meetings whose date stays
        before = {str(m.get("date")): m for m in inn.get("meetings") or [] if isinstance(m, dict)}
        meetings = []
        for line in _lines(form.get("innovation.meetings", "")):
            date, _, title = line.partition(" ")
            kept = {k: v for k, v in before.get(date.strip(), {}).items() if k not in ("date", "title")}
            meetings.append({"date": date.strip(), "title": title.strip(), **kept})
        inn["meetings"] = meetings
    if data.get("scheme") == "studio":
        st = data.setdefault("studio", {})
        for key in ("level",):
            if form.get(f"studio.{key}"):
                st[key] = form[f"studio.{key}"]
        for key in ("members", "tier"):
            _set(st, key, _number(form.get(f"studio.{key}", "")))
        _set(st, "named_on", form.get("studio.named_on", "").strip() or None)
        _set(st, "matched_amount", form.get("studio.matched_amount", "").strip() or None)
        st["new"] = form.get("studio.new") == "on"
        st["annual"] = form.get("studio.annual") == "on"
        st["projects"] = _items(form.get("studio.projects", ""))
        st["results"] = _items(form.get("studio.results", ""))
        patents = []
        for line in _lines(form.get("studio.patents", "")):
            parts = [p.strip() for p in re.split(r"[|｜]", line)] + ["", ""]
            patents.append({k: v for k, v in zip(("title", "number", "kind"), parts[:3]) if v})
        st["patents"] = patents
    return data


def form_values(data: dict) -> dict:
    """The form's fields filled from application.yaml data."""

    def get(dotted: str, default=""):
        node = data
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return "" if node is None else node

    values = {name: get(name) for name in TEXT_FIELDS}
    values.update(
        {"year": get("year"), "filed_on": get("filed_on"), "applicant.employees": get("applicant.employees")}
    )
    inn = data.get("innovation") or {}
    values["innovation.case"] = inn.get("case", "count")
    values["innovation.projects"] = inn.get("projects") if isinstance(inn.get("projects"), str) else ""
    values["innovation.meetings"] = "\n".join(
        f"{m.get('date', '')} {m.get('title', '')}".strip() for m in inn.get("meetings") or []
    )
    st = data.get("studio") or {}
    for key in ("level", "members", "named_on", "matched_amount", "tier"):
        values[f"studio.{key}"] = "" if st.get(key) is None else st.get(key)
    values["studio.new"] = bool(st.get("new"))
    values["studio.annual"] = bool(st.get("annual"))

    def item_line(item) -> str:
        if isinstance(item, dict):
            return item.get("title", "") + (f" | {item['description']}" if item.get("description") else "")
        return str(item)

    values["studio.projects"] = "\n".join(item_line(i) for i in st.get("projects") or [])
    values["studio.results"] = "\n".join(item_line(i) for i in st.get("results") or [])
    values["studio.patents"] = "\n".join(
        " | ".join(x for x in (p.get("title", ""), p.get("number", ""), p.get("kind", "")) if x)
        for p in st.get("patents") or []
    )
    return values
