"""The zone union's profile on the web: the page where the register's office sets the issuer, the
发文字号 prefix, the contact and the periods used by the year's documents. Kept as union.yaml next to
the register (not in the register's database), the same file `dossier outputs` reads.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from assembler.errors import DossierError
from assembler.load.union import (
    FIELDS,
    UNION_FILE,
    load_union,
    profile_from_data,
    profile_problems,
    save_union,
)
from assembler.web.common import site

bp = Blueprint("union", __name__)
HINTS = {
    "issuer": "公文的发文机关全称，如：天津滨海高新技术产业开发区总工会。",
    "number_prefix": "发文字号中年份前的部分，如“津高新工”，文号写作 津高新工〔2026〕1号。",
    "address": "公示异议和补正材料的报送地址。",
    "objection_days": "公示期的工作日数（跳过周末和下面的节假日），默认 5。",
    "correction_days": "补正期限：自通知成文日期起的日数（遇节假日顺延），默认 10。",
    "first_number": "本年度第一个文号，默认 1。",
    "holidays": "法定节假日（公示期不计），每行一个日期，如 2026-10-01。",
}


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    values = {k: "" if data.get(k) is None else str(data.get(k)) for k in FIELDS if k != "holidays"}
    values["holidays"] = "\n".join(str(d) for d in data.get("holidays") or [])
    return values


def _page(values: dict[str, str], errors: dict[str, list[str]], status: int = 200):  # noqa: ANN202
    return render_template("union.html", values=values, errors=errors, FIELDS=FIELDS, HINTS=HINTS), status


@bp.get("/register/union")
def edit():  # noqa: ANN201
    """The profile form, filled from union.yaml when it exists."""
    path = site().workspace / UNION_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = load_union(path).as_data()
        except DossierError:
            flash("已保存的总工会信息不完整，请补全后保存。", "error")
    return _page(_form_values(data), {})


@bp.post("/register/union")
def save():  # noqa: ANN201
    """Check the form (every field named by its label) and save it as union.yaml."""
    values = {k: request.form.get(k, "").strip() for k in FIELDS}
    data: dict[str, Any] = {k: v for k, v in values.items() if k != "holidays"}
    data["holidays"] = [d for d in re.split(r"[\s,，、；;]+", values["holidays"]) if d]
    problems = profile_problems(data)
    if problems:
        return _page(values, {k: [v] for k, v in problems.items()}, 400)
    save_union(site().workspace / UNION_FILE, profile_from_data(data, UNION_FILE))
    flash("已保存总工会信息；生成的公文将使用这些信息。", "info")
    return redirect(url_for("union.edit"))
