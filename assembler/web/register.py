"""The reviewers' register on the web: the inbox of received applications (upload → `intake`), one
application's record, findings, cross-year hits, versions and decisions (and the decide form → `decide`),
and the year's outputs as one zip (`outputs`).

One register file, the workspace's register.sqlite, opened per request through the register's own
functions; nothing here checks or decides by itself."""

from __future__ import annotations

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
UNDECIDED = "undecided"
FUND_SHORT = {"innovation": "职工创新创效", "studio": "创新工作室"}
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
    "override": "override",
    "findings": "findings",
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
    """A stored time (ISO) as the reviewers read it: Beijing time, to the minute."""
    from assembler.reviewer.register.records import beijing_text

    return beijing_text(stamp, minutes=True)


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


def shorten(text: str, limit: int = 60) -> str:
    """A finding's words for a table cell: at most `limit` characters (the detail page has them whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def findings_by_application(db: Database) -> dict[int, list]:
    """Every kept finding, by application (for the inbox's 问题 column)."""
    from assembler.core.models import Finding

    out: dict[int, list] = {}
    for r in db.query("SELECT * FROM findings ORDER BY application_id, rowid"):
        out.setdefault(r["application_id"], []).append(
            Finding(r["rule"], r["severity"], r["message"], r["material"], r["path"], r["fix"])
        )
    return out


@bp.get("/register")
def inbox():
    from assembler.api import register_applications
    from assembler.reviewer.register.outputs import case_title

    year = year_of(request.args.get("year", ""))
    state = request.args.get("status", "")
    fund = request.args.get("fund", "")
    from assembler.reviewer.register.calls import register_call
    from assembler.reviewer.register.views import claimed_text, integrity_text, worst_finding

    with register() as db:
        entries = register_applications(db, year)
        found = findings_by_application(db)
        years = years_of(db)
        shown_year = year or (years[0] if years else None)
        ruling = register_call(db, shown_year) if shown_year else None
    if state in STATES:
        entries = [e for e in entries if (e.decision.decision if e.decision else UNDECIDED) == state]
    if fund in fund_titles()[0]:
        entries = [e for e in entries if e.record.scheme == fund]
    rows = []
    for e in entries:
        mine = found.get(e.record.id or 0, [])
        worst = worst_finding(mine)
        rows.append(
            {
                "entry": e,
                "case": case_title(e.record),
                "claimed": claimed_text(e.record, short=True),
                "integrity": integrity_text(e.record),
                "integrity_code": e.record.integrity or "unknown",
                "errors": sum(f.severity == "error" for f in mine),
                "worst": shorten(plain(worst.message)) if worst else "",
                "worst_severity": worst.severity if worst else "",
                "state": e.decision.decision if e.decision else UNDECIDED,
            }
        )
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
        call=call_words(ruling) if ruling else "",
    )


def call_words(ruling) -> str:  # noqa: ANN001 - calls.RegisterCall
    """The union's call ruling a year, in words for the inbox: its title, where it comes from, the periods."""
    title = f"《{ruling.call.title}》" if ruling.call is not None else "无申报通知，按申报年度自然年"
    periods = "；".join(
        f"{FUND_SHORT[s]} {p.start} 至 {p.end}" for s in ("innovation", "studio") for p in [ruling.period(s)]
    )
    return f"{ruling.year} 年度申报通知：{title}（{ruling.origin}）；活动期间：{periods}"


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
            found = f"，发现 {errors} 个错误" if errors else ""
            flash(f"{name}：{title}，登记号 {rec.id}{version}：{rec.unit_name}{found}。", "info")
    return redirect(url_for("register.inbox"))


def detail_page(app_id: int, values: dict | None = None, errors: dict | None = None, status: int = 200):
    from assembler.api import UnknownApplication, application_detail
    from assembler.reviewer.register.decisions import allowance_of
    from assembler.reviewer.register.notices import ticked_words
    from assembler.reviewer.register.outputs import case_title

    with register() as db:
        try:
            view = application_detail(db, app_id)
        except UnknownApplication:
            abort(404)
        record = view.record
        frozen = {d.id: ticked_words(db, d.id) for d in view.decisions}  # what each notice says, as issued
        try:
            allowed = allowance_of(record).text
        except DossierError:
            allowed = ""
        similar = similar_section(db, record)
    versions = [{"record": v.record, "lines": list(v.changes)} for v in view.lineage]
    findings: list[dict[str, Any]] = [
        {"f": f, "group": group_of(f.rule), "text": plain(f.message), "fix": plain(f.fix or "")}
        for f in view.findings
    ]
    return render_template(
        "register_entry.html",
        similar=similar,
        r=record,
        view=view,
        allowed=allowed,
        case=case_title(record),
        claimed=view.claimed_text,
        recomputed=yuan(record.recomputed_fen)
        if record.integrity != "tampered"
        else "无法确认（核验未通过）",
        matched=yuan(record.matched_fen),
        findings=[x for x in findings if not x["f"].rule.startswith("REGISTER-")],
        hits=[x for x in findings if x["f"].rule.startswith("REGISTER-")],
        versions=versions,
        decisions=view.decisions,
        values=values or {},
        errors=errors or {},
        ticks=findings,  # every finding, numbered as decide() takes them for the 补正通知
        frozen=frozen,
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


# ---- near-duplicates: both pictures side by side, confirmed or dismissed with a reason ----------------

VERDICTS = {"confirmed": "确认重复", "dismissed": "排除（不是重复）"}


def thumbnail_uri(thumb: str) -> str:
    """A fingerprint's grey thumbnail as a PNG data URI, enlarged for the page (the register keeps no
    original file)."""
    import base64
    import zlib

    import numpy as np
    from PIL import Image

    raw = np.frombuffer(zlib.decompress(base64.b64decode(thumb)), dtype=np.uint8)
    side = int(round(len(raw) ** 0.5))
    im = Image.fromarray(raw.reshape(side, side)).resize((192, 192), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    im.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def similar_section(db: Database, record) -> list[dict[str, Any]]:  # noqa: ANN001 - a register Record
    """The near-duplicate pairs of one application, each with both thumbnails and its latest verdict."""
    from assembler.core.similar import KIND_TITLES
    from assembler.load.checklists import similarity_thresholds, standing_materials
    from assembler.reviewer.register import db as store
    from assembler.reviewer.register.crossyear import similar_pairs

    limits = similarity_thresholds()
    others = store.records_to_compare(db, record, limits, store.versions(db, record.id))
    verdicts = store.verdicts(db)
    return [
        {
            "pair": p,
            "kind": KIND_TITLES.get(p.kind, p.kind),
            "new": thumbnail_uri(p.new.thumb) if p.new.thumb else "",
            "old": thumbnail_uri(p.old.thumb) if p.old.thumb else "",
            "verdict": verdicts.get(p.key),
            "title": VERDICTS.get((verdicts.get(p.key) or {}).get("verdict", ""), ""),
        }
        for p in similar_pairs(
            record, others.similar, standing_materials(record.scheme), limits, others.prints
        )
    ]


@bp.post("/register/<int:app_id>/similar")
def similar_verdict(app_id: int):
    from assembler.reviewer.register import db as store
    from assembler.reviewer.register.decisions import stamp
    from assembler.reviewer.register.intake import refresh_findings

    key, verdict = request.form.get("key", ""), request.form.get("verdict", "")
    reason, reviewer = request.form.get("reason", "").strip(), request.form.get("reviewer", "").strip()
    if verdict not in VERDICTS or not key:
        abort(400)
    if not reason or not reviewer:
        flash("请填写“核实理由”和“评审人姓名”后再提交。", "error")
        return redirect(url_for("register.detail", app_id=app_id) + "#similar")
    with register() as db:
        if store.get_record(db, app_id) is None:
            abort(404)
        with store.writing(db):
            store.record_verdict(db, key, app_id, verdict, reason, reviewer, stamp())
        refresh_findings(db, app_id)
    flash(f"已记录：{VERDICTS[verdict]}（{reviewer}）。", "info")
    return redirect(url_for("register.detail", app_id=app_id) + "#similar")


@bp.post("/register/<int:app_id>/decide")
def decide(app_id: int):
    from assembler.api import UnknownApplication, register_decide
    from assembler.core.identifiers import parse_money
    from assembler.reviewer.register.decisions import form_refusals

    keys = ("decision", "amount", "tier", "matched", "reasons", "reviewer", "override")
    values = {k: request.form.get(k, "").strip() for k in keys}
    ticked = tuple(request.form.getlist("ticked"))  # the findings to put in the 补正通知
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
    for refusal in form_refusals(values["decision"], values["reviewer"]):
        errors.setdefault(field_of(refusal), []).append(plain(refusal.message))
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
                    override=values["override"],
                    ticked=ticked,
                )
        except UnknownApplication:
            abort(404)
        except DossierError as exc:
            text = plain(exc.message + (f"（{exc.fix}）" if exc.fix else ""))
            errors.setdefault(field_of(exc), []).append(text)
        else:
            amount = f"，核定金额 {yuan(made.approved_fen)}" if made.approved_fen is not None else ""
            flash(f"已记录：登记号 {app_id} {made.title}{amount}（{made.reviewer}）。", "info")
            return redirect(url_for("register.detail", app_id=app_id) + "#history")
    return detail_page(app_id, {**values, "ticked": list(ticked)}, errors, 400)


@bp.get("/register/<int:app_id>/file")
def received_file(app_id: int):
    """The kept copy of what the register received, under its received name."""
    from assembler.reviewer.register.filestore import export_name, kept_copy

    with register() as db:
        rows = list(db.query("SELECT * FROM applications WHERE id = ?", [app_id]))
        row = rows[0] if rows else None
        copy = kept_copy(db, (row or {}).get("stored_sha256") or "")
    if row is None or copy is None:
        abort(404)
    name = export_name(row["source_name"] or f"登记号{app_id}", row["kind"] or "")
    mimetype = "application/pdf" if name.lower().endswith(".pdf") else "application/zip"
    return send_file(
        copy, mimetype=mimetype, as_attachment=not name.lower().endswith(".pdf"), download_name=name
    )


@bp.get("/register/outputs")
def outputs():
    from assembler.api import register_applications, register_outputs
    from assembler.load.union import UNION_FILE, load_union

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
        try:  # the documents name the issuer and contact: asked for, never left blank
            profile = load_union(site().workspace / UNION_FILE)
        except DossierError:
            flash("请先填写总工会信息（发文机关、文号前缀、联系方式），公文中不留空白。", "error")
            return redirect(url_for("union.edit"))
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(dir=site().workspace, prefix="outputs-") as tmp:
            try:
                written = register_outputs(db, year, Path(tmp), profile)
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
