"""The reviewers' register on the web: the inbox of received applications (upload → `intake`), one
application's record, findings, cross-year hits, versions and decisions (and the decide form → `decide`),
and the year's outputs as one zip (`outputs`).

One register file, the workspace's register.sqlite, opened per request through the register's own
functions; nothing here checks or decides by itself."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from sqlite_utils import Database

from assembler.errors import DossierError
from assembler.load.checklists import fund_titles
from assembler.reviewer.register.records import DECISIONS, from_fen
from assembler.web.common import site, web_message
from assembler.web.labels import plain
from assembler.web.reviewer import shown
from assembler.web.workspace import safe_name

bp = Blueprint("register", __name__)
REGISTER_FILE = "register.sqlite"
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
UNDECIDED = "undecided"
STATES = {UNDECIDED: "未决定", **DECISIONS}
FINDING_GROUPS = {
    "VERIFY-": "核验",
    "REGISTER-": "登记簿跨年度检查",
    "SIGNATURE-": "电子签名",
}
# decide()'s input fields (DossierError.field) → the decide form's inputs
DECIDE_FIELDS = {
    "decision": "decision",
    "amount": "amount",
    "tier": "tier",
    "matched": "matched",
    "reasons": "reasons",
    "reviewer": "reviewer",
}


@contextmanager
def register() -> Iterator[Database]:
    """The workspace's register, open for one request."""
    from assembler.reviewer.register.db import open_register

    db = open_register(site().workspace / REGISTER_FILE)
    try:
        yield db
    finally:
        db.close()


def beijing(stamp: str) -> str:
    """A stored UTC time (ISO) as the reviewers read it: Beijing time, to the minute."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def yuan(fen: int | None) -> str:
    amount = from_fen(fen)
    return "—" if amount is None else f"{amount:,} 元"


def group_of(rule: str) -> str:
    """The Chinese title of the kind of check a finding's rule belongs to."""
    return next((title for prefix, title in FINDING_GROUPS.items() if rule.startswith(prefix)), "材料检查")


def year_of(text: str) -> int | None:
    """The 年度 of a query string (2021–2100, as the CLI's --year), None otherwise."""
    text = text.strip()
    return int(text) if len(text) == 4 and text.isdigit() and 2021 <= int(text) <= 2100 else None


def years_of(db: Database) -> list[int]:
    return [r["year"] for r in db.query("SELECT DISTINCT year FROM applications ORDER BY year DESC")]


def error_counts(db: Database) -> dict[int, int]:
    rows = db.query(
        "SELECT application_id, COUNT(*) AS n FROM findings WHERE severity = 'error' GROUP BY application_id"
    )
    return {r["application_id"]: r["n"] for r in rows}


@bp.get("/register")
def inbox():
    from assembler.api import register_applications
    from assembler.reviewer.register.outputs import case_title

    year = year_of(request.args.get("year", ""))
    state = request.args.get("status", "")
    fund = request.args.get("fund", "")
    with register() as db:
        entries = register_applications(db, year)
        errors = error_counts(db)
        years = years_of(db)
    if state in STATES:
        entries = [e for e in entries if (e.decision.decision if e.decision else UNDECIDED) == state]
    if fund in fund_titles()[0]:
        entries = [e for e in entries if e.record.scheme == fund]
    rows = [
        {
            "entry": e,
            "case": case_title(e.record),
            "claimed": yuan(e.record.claimed_fen),
            "errors": errors.get(e.record.id or 0, 0),
            "state": e.decision.decision if e.decision else UNDECIDED,
        }
        for e in entries
    ]
    units = {e.record.credit_code or e.record.unit_name for e in entries}
    return render_template(
        "register.html",
        rows=rows,
        units=len(units),
        years=years,
        year=year,
        state=state,
        fund=fund,
        STATES=STATES,
        FUNDS=fund_titles()[0],
        outputs_year=year or (years[0] if years else None),
    )


@bp.post("/register")
def upload():
    from assembler.api import register_intake_one
    from assembler.reviewer.register.intake import STATUS_TITLES

    files = [
        f
        for f in request.files.getlist("files")
        if f.filename and f.filename.lower().endswith((".pdf", ".zip"))
    ]
    if not files:
        flash("请选择至少一份申报材料（.pdf 或 .zip）。", "error")
        return redirect(url_for("register.inbox"))
    with tempfile.TemporaryDirectory(dir=site().workspace, prefix="intake-") as tmp, register() as db:
        folder = Path(tmp)
        for file in files:
            name = safe_name(file.filename or "")
            path = folder / name
            file.save(path)
            result = register_intake_one(db, path)
            rec = result.record
            title = STATUS_TITLES[result.status]
            if rec is None:
                reason = shown(result.error or "", folder).removeprefix(f"{name}：")
                reason = re.sub(r"（[\x20-\x7e]*[A-Za-z][\x20-\x7e]*）", "", reason)  # a library's English
                flash(f"{name}：{title}。{reason}", "error")
                continue
            version = f"（第 {rec.version} 版，替换登记号 {rec.previous_id}）" if rec.previous_id else ""
            errors = sum(f.severity == "error" for f in result.findings)
            found = f"，发现 {errors} 个问题" if errors else ""
            flash(f"{name}：{title}，登记号 {rec.id}{version}：{rec.unit_name}{found}。", "info")
    return redirect(url_for("register.inbox"))


def detail_page(app_id: int, values: dict | None = None, errors: dict | None = None, status: int = 200):
    from assembler.api import UnknownApplication, application_detail
    from assembler.reviewer.register.outputs import case_title

    with register() as db:
        try:
            detail = application_detail(db, app_id)
        except UnknownApplication:
            abort(404)
    record, decisions = detail.record, list(detail.decisions)
    versions = [{"record": v.record, "lines": list(v.changes)} for v in detail.versions]
    findings: list[dict[str, Any]] = [
        {"f": f, "group": group_of(f.rule), "text": plain(f.message), "fix": plain(f.fix or "")}
        for f in detail.findings
    ]
    return render_template(
        "register_entry.html",
        r=record,
        case=case_title(record),
        claimed=yuan(record.claimed_fen),
        recomputed=yuan(record.recomputed_fen),
        matched=yuan(record.matched_fen),
        findings=[x for x in findings if not x["f"].rule.startswith("REGISTER-")],
        hits=[x for x in findings if x["f"].rule.startswith("REGISTER-")],
        versions=versions,
        decisions=decisions,
        values=values or {},
        errors=errors or {},
        yuan=yuan,
        beijing=beijing,
        DECISIONS=DECISIONS,
        FUNDS=fund_titles()[0],
    ), status


@bp.get("/register/<int:app_id>")
def detail(app_id: int):
    return detail_page(app_id)


def field_of(exc: DossierError) -> str:
    """The input of the decide form a refusal belongs to, from the field the library names ("" for the
    form as a whole)."""
    return DECIDE_FIELDS.get(exc.field or "", "")


@bp.post("/register/<int:app_id>/decide")
def decide(app_id: int):
    from assembler.api import UnknownApplication, register_decide
    from assembler.core.identifiers import parse_money

    keys = ("decision", "amount", "tier", "matched", "reasons", "reviewer")
    values = {k: request.form.get(k, "").strip() for k in keys}
    errors: dict[str, list[str]] = {}

    def money(name: str):  # noqa: ANN202 - Decimal | None
        if not values[name]:
            return None
        try:
            return parse_money(values[name])
        except ValueError as exc:
            errors.setdefault(name, []).append(plain(str(exc)))
            return None

    approved, matched = money("amount"), money("matched")
    tier = int(values["tier"]) if values["tier"].isdigit() else None
    if values["tier"] and tier is None:
        errors.setdefault("tier", []).append("年度评比档次应为 3000 或 5000 元")
    if not errors:
        try:
            with register() as db:
                made = register_decide(
                    db,
                    app_id,
                    values["decision"],
                    values["reviewer"],
                    approved=approved,
                    tier=tier,
                    matched=matched,
                    reasons=values["reasons"],
                )
        except UnknownApplication:
            abort(404)
        except DossierError as exc:
            errors.setdefault(field_of(exc), []).append(plain(exc.message))
        else:
            amount = f"，核定金额 {yuan(made.approved_fen)}" if made.approved_fen is not None else ""
            flash(f"已记录：登记号 {app_id} {made.title}{amount}（{made.reviewer}）。", "info")
            return redirect(url_for("register.detail", app_id=app_id) + "#history")
    return detail_page(app_id, values, errors, 400)


@bp.get("/register/outputs")
def outputs():
    from assembler.api import register_applications, register_outputs

    year = year_of(request.args.get("year", "")) or 0
    with register() as db:
        if not year or not register_applications(db, year):
            return render_template(
                "message.html",
                title="没有可生成的材料",
                message=f"登记簿中没有 {year} 年度的申请，无法生成公示名单和拨款明细。"
                if year
                else "请先在登记簿中选择年度。",
                back=url_for("register.inbox"),
                back_title="返回登记簿",
            ), 404
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(dir=site().workspace, prefix="outputs-") as tmp:
            try:
                written = register_outputs(db, year, Path(tmp))
            except DossierError as exc:
                flash(web_message(exc), "error")
                return redirect(url_for("register.inbox"))
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in written:
                    zf.write(path, path.name)
    buffer.seek(0)
    return send_file(
        buffer, mimetype="application/zip", as_attachment=True, download_name=f"{year}年度评审材料.zip"
    )
