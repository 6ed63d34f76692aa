"""The reviewers' register on the web: the inbox of received applications (upload → `intake`), one
application's record, findings, cross-year hits, versions and decisions (and the decide form → `decide`),
and the year's outputs as one zip (`outputs`).

One register file, the workspace's register.sqlite, opened per request through the register's own
functions; nothing here checks or decides by itself."""

from __future__ import annotations

import datetime as dt
import io
import json
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
FIELD_WORDS = {  # the decide form's inputs, by the words of decide()'s refusals
    "reviewer": ("评审人",),
    "reasons": ("理由",),
    "tier": ("档次",),
    "matched": ("匹配",),
    "amount": ("核定金额",),
    "decision": ("决定“",),
}
OPTION_WORDS = {  # decide()'s refusals name the command line's options; the page names its inputs
    "--amount": "“核定金额”",
    "--matched": "“核定匹配金额”",
    "--tier": "“年度评比档次”",
    "--reviewer": "“评审人姓名”",
    "--reason": "“理由”",
    "--decision": "“决定”",
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
    from assembler.reviewer.register.outputs import case_title, year_entries

    year = year_of(request.args.get("year", ""))
    state = request.args.get("status", "")
    fund = request.args.get("fund", "")
    with register() as db:
        entries = year_entries(db, year)
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
    from assembler.reviewer.register.intake import STATUS_TITLES, intake_one

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
            result = intake_one(db, path)
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
    from assembler.reviewer.register.db import get_record, lineage, stored_findings
    from assembler.reviewer.register.decisions import history
    from assembler.reviewer.register.intake import refresh_findings
    from assembler.reviewer.register.outputs import case_title
    from assembler.reviewer.register.records import diff_lines

    with register() as db:
        record = get_record(db, app_id)
        if record is None:
            abort(404)
        refresh_findings(db, app_id)
        found = stored_findings(db, app_id)
        decisions = history(db, app_id)
        versions = []
        for number in lineage(db, app_id):
            row = db.table("applications").get(number)
            earlier = get_record(db, number)
            diff = json.loads(row["diff"]) if row["diff"] else None
            versions.append({"record": earlier, "lines": diff_lines(diff) if diff else []})
        similar = similar_section(db, record)
    findings: list[dict[str, Any]] = [
        {"f": f, "group": group_of(f.rule), "text": plain(f.message), "fix": plain(f.fix or "")}
        for f in found
    ]
    return render_template(
        "register_entry.html",
        similar=similar,
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
    wanted = store.candidate_ids(db, record) | store.similar_candidate_ids(
        db, record, limits.hamming, limits.nearest
    )
    others = store.load_records(db, wanted - store.versions(db, record.id))
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
        for p in similar_pairs(record, others, standing_materials(record.scheme), limits)
    ]


@bp.post("/register/<int:app_id>/similar")
def similar_verdict(app_id: int):
    from assembler.reviewer.register import db as store
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
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with store.writing(db):
            store.record_verdict(db, key, app_id, verdict, reason, reviewer, stamp)
        refresh_findings(db, app_id)
    flash(f"已记录：{VERDICTS[verdict]}（{reviewer}）。", "info")
    return redirect(url_for("register.detail", app_id=app_id) + "#similar")


def form_words(message: str) -> str:
    """A refusal of decide() in the form's words: “请用 --tier 写明…” → “请在“年度评比档次”中写明…”."""
    for option, words in OPTION_WORDS.items():
        message = message.replace(f"用 {option} ", f"在{words}中").replace(option, words)
    return plain(message)


def field_of(message: str) -> str:
    """The input of the decide form a refusal belongs to ("" for the form as a whole)."""
    return next((name for name, words in FIELD_WORDS.items() if any(w in message for w in words)), "")


@bp.post("/register/<int:app_id>/decide")
def decide(app_id: int):
    from assembler.core.identifiers import parse_money
    from assembler.reviewer.register.decisions import decide as run_decide

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
                made = run_decide(
                    db,
                    app_id,
                    values["decision"],
                    values["reviewer"],
                    approved=approved,
                    tier=tier,
                    matched=matched,
                    reasons=values["reasons"],
                )
        except DossierError as exc:
            text = form_words(exc.message)
            if "登记簿中没有登记号" in text:
                abort(404)
            errors.setdefault(field_of(text), []).append(text)
        else:
            amount = f"，核定金额 {yuan(made.approved_fen)}" if made.approved_fen is not None else ""
            flash(f"已记录：登记号 {app_id} {made.title}{amount}（{made.reviewer}）。", "info")
            return redirect(url_for("register.detail", app_id=app_id) + "#history")
    return detail_page(app_id, values, errors, 400)


@bp.get("/register/outputs")
def outputs():
    from assembler.reviewer.register.outputs import write_outputs, year_entries

    year = year_of(request.args.get("year", "")) or 0
    with register() as db:
        if not year or not year_entries(db, year):
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
                written = write_outputs(db, year, Path(tmp))
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
