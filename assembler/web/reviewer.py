"""The reviewer's page: upload many dossiers or zips (and the disqualification list), see the summary —
with the verification of every PDF in its own column — and download summary.xlsx.

The upload redirects to the batch's own page (post/redirect/get): a reload shows the same batch again
and never creates a second one."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from assembler.errors import DossierError
from assembler.web.common import site, web_message
from assembler.web.labels import plain
from assembler.web.workspace import new_id, unique_path

bp = Blueprint("reviewer", __name__)
DISQUALIFIED = "disqualified.txt"
TAMPERED = {
    "VERIFY-PAGE-CHANGED",
    "VERIFY-PAGE-ADDED",
    "VERIFY-PAGE-REMOVED",
    "VERIFY-PAGE-MOVED",
    "VERIFY-PAGE-COUNT",
    "VERIFY-OUTLINE",
    "VERIFY-MANIFEST-EDITED",
    "VERIFY-BINDING-MISMATCH",
    "VERIFY-ACTIVE-CONTENT",
    "VERIFY-DATA-INVALID",
}
VERIFICATION = {
    "intact": "完整未改动",
    "tampered": "被改动",
    "foreign": "非本工具生成",
    "unreadable": "无法读取",
    "folder": "申请文件夹（不适用）",
}


def verification(row) -> str:  # noqa: ANN001 - review.Row
    """The 核验 column: what `dossier verify` found about the file itself."""
    if row.kind == "申请文件夹":
        return "folder"
    if row.kind == "无法读取":
        foreign = any("不是本工具" in f.message for f in row.findings)
        return "foreign" if foreign else "unreadable"
    return "tampered" if any(f.rule in TAMPERED for f in row.findings) else "intact"


def shown(text: str, folder: Path) -> str:
    """A finding's text for the page: the batch's folder (a server path) never appears, only file names."""
    for prefix in (str(folder.resolve()) + "/", str(folder) + "/", str(folder.resolve()), str(folder)):
        text = text.replace(prefix, "")
    return plain(text)


@bp.get("/review")
def review_page():
    return render_template("review.html", summary=None, batch=None)


@bp.post("/review")
def review_upload():
    batch = new_id()
    folder = site().review_dir / batch
    inbox = folder / "files"
    inbox.mkdir(parents=True)
    count = 0
    for file in request.files.getlist("files"):
        if file.filename and file.filename.lower().endswith((".pdf", ".zip")):
            file.save(unique_path(inbox, file.filename))
            count += 1
    listed = request.files.get("disqualified")
    if listed is not None and listed.filename:
        listed.save(folder / DISQUALIFIED)
    if not count:
        shutil.rmtree(folder, ignore_errors=True)  # no empty batch left behind
        flash("请选择至少一份申报材料（.pdf 或 .zip）。", "error")
        return redirect(url_for("reviewer.review_page"))
    return redirect(url_for("reviewer.review_batch", batch=batch))


def summary_of_batch(batch: str):  # noqa: ANN201 - review.Summary
    from assembler.reviewer.review import review, write_workbook

    if not batch.isalnum():
        abort(404)
    folder = site().review_dir / batch
    if not (folder / "files").is_dir():
        abort(404)
    listed = folder / DISQUALIFIED
    summary = review([folder / "files"], listed if listed.is_file() else None)
    if not (folder / "summary.xlsx").is_file():
        write_workbook(summary, folder / "summary.xlsx")
    return summary, folder


@bp.get("/review/<batch>")
def review_batch(batch: str):
    try:
        summary, folder = summary_of_batch(batch)
    except DossierError as exc:
        flash(web_message(exc), "error")
        return redirect(url_for("reviewer.review_page"))
    rows = [
        {
            "row": r,
            "check": verification(r),
            "findings": [(f, shown(f.message, folder / "files")) for f in r.findings],
        }
        for r in summary.rows
    ]
    units = {r.credit_code or r.name for r in summary.rows if r.credit_code or r.name}
    return render_template(
        "review.html",
        summary=summary,
        rows=rows,
        units=len(units),
        batch=batch,
        VERIFICATION=VERIFICATION,
        disqualified=(folder / DISQUALIFIED).is_file(),
    )


@bp.get("/review/<batch>/summary.xlsx")
def review_download(batch: str):
    if not batch.isalnum():
        abort(404)
    path = site().review_dir / batch / "summary.xlsx"
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name="评审汇总.xlsx")
