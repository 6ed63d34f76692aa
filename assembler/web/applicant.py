"""The applicant's pages: start an application (new, zip, folder), the 申报信息 form, the checklist
with uploads and removals, the award, and the downloads.

A save that fails validation re-renders the form with everything that was typed and each problem beside its
input; a save based on an older version of the application (another tab saved meanwhile) is refused with the
typed values kept; every upload and removal redirects (post/redirect/get)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from assembler.core.application import APPLICATION_FILE
from assembler.core.identifiers import clean_count
from assembler.errors import DossierError, InputError
from assembler.load.checklists import fund_titles
from assembler.web.common import (
    build_record,
    checked,
    folder_of,
    is_stale,
    read_data,
    site,
    summary_of,
    text_of,
    version_of,
    web_message,
)
from assembler.web.labels import FormProblem, finding_field, finding_place, finding_words, form_problems
from assembler.web.workspace import (
    application_problems,
    copy_application,
    inside,
    move_evidence,
    new_id,
    place_evidence,
    remove_evidence,
    safe_name,
    unpack_zip,
    write_application,
)

bp = Blueprint("applicant", __name__)
YEAR_RANGE = (2021, 2100)


def download_name(folder: Path, suffix: str) -> str:
    """`单位名称-2026年度-suffix` as a file name: a name with CR/LF or slashes cannot break the download."""
    summary = summary_of(folder)
    year = f"{summary['year']}年度-" if summary["year"] else ""
    return safe_name(f"{summary['name']}-{year}{suffix}")


# -- home ----------------------------------------------------------------------------------------------
def render_index(values: dict | None = None, problems: dict | None = None, status: int = 200):
    apps_dir = site().apps_dir
    items = [
        summary_of(f) for f in sorted(apps_dir.iterdir(), reverse=True) if (f / APPLICATION_FILE).is_file()
    ]
    values = values or {"scheme": "innovation", "case": "count", "year": str(dt.date.today().year)}
    return render_template("index.html", items=items, values=values, problems=problems or {}), status


@bp.get("/")
def index():
    return render_index()


@bp.post("/new")
def new():
    from assembler.load.scaffold import init_application

    scheme = request.form.get("scheme", "innovation")
    case = request.form.get("case", "count")
    if scheme not in fund_titles()[0] or case not in fund_titles()[1]:
        abort(400, "请选择基金和补贴情形。")
    raw = request.form.get("year", "").strip()
    year = clean_count(raw) if raw else dt.date.today().year
    if not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return render_index(
            {"scheme": scheme, "case": case, "year": raw},
            {
                "year": f"申报年度“{raw}”无效：请填写 2021 年（办法施行）以后的四位年份，"
                f"如 {dt.date.today().year}"
            },
            422,
        )
    app_id = new_id()
    init_application(site().apps_dir / app_id, scheme, case=case, year=year)
    return redirect(url_for("applicant.application", app_id=app_id))


@bp.post("/upload")
def upload():
    file = request.files.get("archive")
    if file is None or not file.filename:
        flash("请选择一个 .zip 文件。", "error")
        return redirect(url_for("applicant.index"))
    apps_dir = site().apps_dir
    app_id = new_id()
    tmp = site().workspace / f".upload-{app_id}.zip"
    file.save(tmp)
    try:
        unpack_zip(tmp, apps_dir / app_id)
        if not (apps_dir / app_id / APPLICATION_FILE).is_file():
            raise DossierError("压缩包中没有 application.yaml", fix="请上传整个申请文件夹的压缩包。")
    except DossierError as exc:
        shutil.rmtree(apps_dir / app_id, ignore_errors=True)
        flash(web_message(exc), "error")
        return redirect(url_for("applicant.index"))
    finally:
        tmp.unlink(missing_ok=True)
    return redirect(url_for("applicant.application", app_id=app_id))


@bp.post("/open")
def open_folder():
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(403, "只有在本机上才能打开本机文件夹。")
    typed = Path(request.form.get("path", "").strip())
    if not typed.is_absolute():  # never the server's own working folder
        flash("请填写申请文件夹的完整路径（例如 /home/用户名/申请材料）。", "error")
        return redirect(url_for("applicant.index"))
    try:
        app_id = copy_application(typed, site().apps_dir)
    except DossierError as exc:
        flash(web_message(exc), "error")
        return redirect(url_for("applicant.index"))
    flash("已把该文件夹复制到工作区；之后的修改不会改动原文件夹。", "info")
    return redirect(url_for("applicant.application", app_id=app_id))


# -- one application -------------------------------------------------------------------------------------
def meetings_of(data: dict) -> list:
    inn = data.get("innovation")
    meetings = inn.get("meetings") if isinstance(inn, dict) else None
    if not isinstance(meetings, list):
        return []
    return [
        (text_of(m.get("date")), text_of(m.get("title")))
        for m in meetings
        if isinstance(m, dict) and m.get("date")
    ]


def problems_of(data: dict) -> list[FormProblem]:
    """The schema's problems with `data` in form words (a value YAML cannot hold is one problem of the
    form)."""
    try:
        return form_problems(application_problems(data))
    except DossierError as exc:
        return [FormProblem("", "", web_message(exc))]


def render_application(
    app_id: str,
    form: dict | None = None,
    problems: list[FormProblem] | None = None,
    conflict: bool = False,
    status: int = 200,
):
    """The application's page; `form` is what was just submitted and refused (shown instead of the saved
    data)."""
    from assembler.load.evidence import xfa_forms

    folder = folder_of(app_id)
    saved = read_data(folder)
    report, _, _, error = checked(folder)
    if problems is None and form is None and error is not None and saved:
        problems = problems_of(saved)  # a hand-edited application.yaml: its problems beside the inputs
    problems = problems or []
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(p.field, []).append(p.message)
    if form is None and report is not None:  # the check's errors about the 申报信息, beside their inputs too
        for f in report.findings:
            name = finding_field(f) if f.severity == "error" else None
            if name and name not in by_field:
                by_field[name] = [finding_words(f)[1]]
    record = build_record(app_id)
    page = {
        "app_id": app_id,
        "data": saved,
        "form": form if form is not None else saved,
        "submitted": form is not None,
        "problems": problems,
        "field_errors": by_field,
        "conflict": conflict,
        "version": version_of(folder),
        "report": report,
        "findings": [(f, *finding_words(f), finding_place(f)) for f in report.findings] if report else [],
        "load_error": web_message(error) if error is not None and not problems else None,
        "record": record,
        "stale": record is not None and is_stale(app_id, folder, record),
        "meetings": meetings_of(saved),
        "xfa_files": xfa_forms(report.evidence) if report is not None else [],  # the build form's choice
    }
    try:
        return render_template("application.html", **page), status
    except (TypeError, AttributeError, ValueError, KeyError):  # a YAML of odd shape
        return render_template("application.html", **{**page, "data": {}, "form": {}, "meetings": []}), status


@bp.get("/a/<app_id>")
def application(app_id: str):
    return render_application(app_id)


def submitted_data(folder: Path) -> dict:
    """The form's data from the current application.yaml and the request; a YAML of unexpected shape (a list
    where a section should be) starts from an empty form instead of failing."""
    from assembler.web.forms import data_from_form

    try:
        return data_from_form(request.form, read_data(folder))
    except (TypeError, AttributeError, ValueError, KeyError):
        return data_from_form(request.form, {})


def ledger_name(data: dict) -> str | None:
    inn = data.get("innovation")
    projects = inn.get("projects") if isinstance(inn, dict) else None
    return projects if isinstance(projects, str) else None


@bp.post("/a/<app_id>/info")
def save_info(app_id: str):
    folder = folder_of(app_id)
    before = read_data(folder)
    data = submitted_data(folder)
    if request.form.get("version", "") != version_of(folder):
        return render_application(app_id, form=data, conflict=True, status=409)
    problems: list[FormProblem] = []
    ledger = request.files.get("ledger")
    if ledger is not None and ledger.filename:
        name = safe_name(ledger.filename)
        if not name.lower().endswith((".xlsx", ".csv")):
            problems.append(FormProblem("ledger", "项目台账", "应为 .xlsx 或 .csv 文件，请重新选择"))
        else:
            ledger.save(inside(folder, name))
            data.setdefault("innovation", {})["projects"] = name
    problems += problems_of(data)
    if problems:
        return render_application(app_id, form=data, problems=problems, status=422)
    try:
        write_application(folder, data)
    except DossierError as exc:
        return render_application(
            app_id, form=data, problems=[FormProblem("", "", web_message(exc))], status=422
        )
    old, current = ledger_name(before), ledger_name(data)
    if old and current and old != current and "/" not in old and "#" not in old:
        (folder / old).unlink(missing_ok=True)  # one current ledger: the replaced one does not stay behind
    flash("申报信息已保存。", "saved")
    return redirect(url_for("applicant.application", app_id=app_id) + "#info")


@bp.post("/a/<app_id>/validate")
def validate(app_id: str):
    folder = folder_of(app_id)
    problems = problems_of(submitted_data(folder))
    return jsonify(
        problems=[
            {"field": p.field, "label": p.label, "message": p.message, "text": p.text} for p in problems
        ]
    )


def refuse_over_limit(folder: Path, rel: str, name: str) -> None:
    """An upload over a limit (limits.py: pixels, pages, a bomb) is removed at once, not kept to be
    refused at every later check."""
    from assembler.load.evidence import over_limit
    from assembler.load.sources import Entry, FolderSource

    path = folder / rel
    problem = over_limit(FolderSource(folder), Entry(rel, path.stat().st_size))
    if problem:
        remove_evidence(folder, rel)
        raise InputError(problem, where=name, fix="请换成较小的文件后再上传。")


NOTICE = "notice"  # the menu's choice 公示公告 in material 4


def notice_name(checklist, number: str, filename: str) -> str:  # noqa: ANN001 - specs.Checklist
    """The file name under which an upload chosen as 公示公告 is recognised as the notice (the check knows it
    by a word in its name): unchanged when it has one, else prefixed with it."""
    spec = next((m for m in checklist.materials if m.number == number), None)
    part = next((p for p in getattr(spec, "parts", ()) if p.id == NOTICE), None)
    words = list(part.names) if part is not None and part.names else ["公示"]
    name = safe_name(filename)
    return name if any(w in name for w in words) else f"{words[0]}-{name}"


@bp.post("/a/<app_id>/files")
def add_files(app_id: str):
    folder = folder_of(app_id)
    report, _, checklist, _ = checked(folder)
    if checklist is None:
        flash("请先把申报信息填写正确，再上传材料。", "error")
        return redirect(url_for("applicant.application", app_id=app_id))
    number = request.form.get("material", "")
    meeting = request.form.get("meeting") or None
    notice = meeting == NOTICE
    saved = []
    try:
        for file in request.files.getlist("files"):
            if file.filename:
                name = notice_name(checklist, number, file.filename) if notice else file.filename
                rel = place_evidence(
                    folder, checklist, number, report.case, name, file.stream, None if notice else meeting
                )
                refuse_over_limit(folder, rel, file.filename)
                saved.append(rel)
    except DossierError as exc:
        flash(web_message(exc), "error")
        return redirect(url_for("applicant.application", app_id=app_id) + f"#m{number}")
    if saved:
        flash(f"已加入 {len(saved)} 个文件{'（作为公示公告）' if notice else ''}：{'、'.join(saved)}", "info")
    else:
        flash("没有选择文件。", "error")
    return redirect(url_for("applicant.application", app_id=app_id) + f"#m{number}")


@bp.post("/a/<app_id>/remove")
def remove(app_id: str):
    folder = folder_of(app_id)
    rel = request.form.get("path", "")
    try:
        remove_evidence(folder, rel)
        flash(f"已移除“{rel}”。", "info")
    except DossierError as exc:
        flash(web_message(exc), "error")
    return redirect(url_for("applicant.application", app_id=app_id) + "#checklist")


@bp.post("/a/<app_id>/move")
def move(app_id: str):
    """Rename a file and/or move it to another material (or, in material 4, to a meeting or the notices)."""
    folder = folder_of(app_id)
    report, _, checklist, _ = checked(folder)
    if checklist is None:
        flash("请先把申报信息填写正确，再整理材料。", "error")
        return redirect(url_for("applicant.application", app_id=app_id))
    rel = request.form.get("path", "")
    number = request.form.get("material", "")
    meeting = request.form.get("meeting") or None
    name = request.form.get("name", "")
    if number != "4":
        meeting = None  # meetings and notices are parts of material 4 only
    if meeting == NOTICE:
        name, meeting = notice_name(checklist, number, name or Path(rel).name), None
    try:
        new = move_evidence(folder, checklist, rel, number, report.case, name, meeting)
        flash(f"已把“{rel}”改为“{new}”。" if new != rel else "文件没有变化。", "info")
    except DossierError as exc:
        flash(web_message(exc), "error")
    return redirect(url_for("applicant.application", app_id=app_id) + f"#m{number}")


@bp.get("/a/<app_id>/dossier.pdf")
def download_pdf(app_id: str):
    folder = folder_of(app_id)
    path = site().out_dir / app_id / "dossier.pdf"
    record = build_record(app_id)
    if record is None:
        abort(404)
    if is_stale(app_id, folder, record):
        flash("申请在生成之后有改动，已生成的申报材料已过期。请重新生成后再下载。", "error")
        return redirect(url_for("applicant.application", app_id=app_id) + "#downloads")
    return send_file(path, as_attachment=True, download_name=download_name(folder, "申报材料.pdf"))


@bp.get("/a/<app_id>/forms.zip")
def download_forms(app_id: str):
    from assembler.api import fill

    folder = folder_of(app_id)
    target = site().out_dir / app_id / "forms"
    try:
        result = fill(folder, target)
    except DossierError as exc:
        flash(web_message(exc), "error")
        return redirect(url_for("applicant.application", app_id=app_id) + "#downloads")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in result.written:
            zf.write(path, path.name)
    buf.seek(0)
    return send_file(
        buf, as_attachment=True, download_name=download_name(folder, "申请表.zip"), mimetype="application/zip"
    )


@bp.get("/a/<app_id>/ledger-template.xlsx")
def ledger_template(app_id: str):
    from assembler.load.scaffold import write_ledger_template

    folder_of(app_id)
    target = site().out_dir / app_id / "台账模板.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_ledger_template(target)
    return send_file(target, as_attachment=True, download_name="项目台账模板.xlsx")


@bp.get("/a/<app_id>/application.zip")
def download_application(app_id: str):
    folder = folder_of(app_id)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, path.relative_to(folder).as_posix())
    buf.seek(0)
    return send_file(
        buf,
        as_attachment=True,
        download_name=download_name(folder, "申请文件夹.zip"),
        mimetype="application/zip",
    )
