"""The Flask application: server-rendered pages over a workspace folder the app owns.

Applicant flow: new application / upload a zip / open a folder (copied into the workspace) →
申报信息 form validated with the CLI's own rules and messages → live checklist with uploads and
removals → award → build in the background with progress → downloads. Reviewer flow: upload many
dossiers or zips → the summary table and summary.xlsx. Every POST carries a CSRF token; nothing is
read or written outside the workspace.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from jinja2 import TemplateError

from assembler.cache import user_folder
from assembler.checklists import fund_titles
from assembler.errors import DossierError, FileSystemError, InputError
from assembler.limits import UPLOAD_MAX_BYTES
from assembler.report import SEVERITY_TITLES, STATUS_TITLES
from assembler.schema import APPLICATION_FILE, LEVEL_TITLES
from assembler.workspace import (
    copy_application,
    inside,
    new_id,
    place_evidence,
    remove_evidence,
    safe_name,
    unpack_zip,
    validate_application,
    write_application,
)

log = logging.getLogger(__name__)

MAX_UPLOAD = UPLOAD_MAX_BYTES


@dataclass
class Job:
    """A build running in the background."""

    app_id: str
    state: str = "running"  # running | done | failed
    step: str = "开始"
    error: str = ""
    started: float = field(default_factory=lambda: dt.datetime.now().timestamp())


def default_workspace() -> Path:
    """The app's own folder for applications and outputs: $DOSSIER_WORKSPACE, else in the user's data
    folder.
    """
    return user_folder("DOSSIER_WORKSPACE", "workspace")


def load_data(folder: Path) -> tuple[dict, str | None]:
    """The application's YAML as data, read as `check` reads it, and why it could not be read (the data
    is then {}). Never raises: one application that fails to load must not break the pages of the others."""
    from assembler.yamlio import load_yaml, read_text_file

    try:
        data, _ = load_yaml(
            read_text_file((folder / APPLICATION_FILE).read_bytes(), APPLICATION_FILE), APPLICATION_FILE
        )
    except DossierError as exc:
        return {}, exc.render()
    except OSError as exc:
        return {}, f"{APPLICATION_FILE} 无法读取（{exc.strerror or exc}）"
    if not isinstance(data, dict):
        return {}, f"{APPLICATION_FILE} 的内容应为若干“字段: 值”"
    return data, None


def read_data(folder: Path) -> dict:
    """The application's YAML as data ({} when it cannot be read; the page then shows the check's message)."""
    return load_data(folder)[0]


def _text(value: object, default: str = "") -> str:
    """A value for a page or a file name: text only, one line."""
    if value is None or isinstance(value, (dict, list, bool)):
        return default
    return " ".join(str(value).split())[:200] or default


def create_app(workspace: Path) -> Flask:
    """The web app over `workspace` (created if needed)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_hex(32), MAX_CONTENT_LENGTH=MAX_UPLOAD, SESSION_COOKIE_SAMESITE="Strict"
    )
    apps_dir = workspace / "apps"
    out_dir = workspace / "out"
    review_dir = workspace / "review"
    for d in (apps_dir, out_dir, review_dir):
        d.mkdir(parents=True, exist_ok=True)
    jobs: dict[str, Job] = {}
    lock = threading.Lock()

    @app.after_request
    def log_request(response):  # noqa: ANN001, ANN202 - Flask hook
        log.info("%s %s → %s", request.method, request.path, response.status_code)
        return response

    # -- safety --------------------------------------------------------------------------------------
    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_hex(16)
        return session["csrf"]

    from assembler.web.forms import form_values

    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        form_values=form_values,
        STATUS_TITLES=STATUS_TITLES,
        SEVERITY_TITLES=SEVERITY_TITLES,
        SCHEME_TITLES=fund_titles()[0],
        CASE_TITLES=fund_titles()[1],
        LEVEL_TITLES=LEVEL_TITLES,
    )

    @app.before_request
    def check_csrf():
        if request.method == "POST":
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token")
            if not sent or sent != session.get("csrf"):
                abort(400, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")

    @app.errorhandler(413)
    def too_large(_):
        return render_template(
            "message.html", title="文件过大", message=f"一次上传不能超过 {MAX_UPLOAD // 1024 // 1024} MB。"
        ), 413

    @app.errorhandler(400)
    def bad_request(err):
        return render_template("message.html", title="请求无效", message=err.description), 400

    @app.errorhandler(403)
    def forbidden(err):
        return render_template("message.html", title="不允许", message=err.description), 403

    def folder_of(app_id: str) -> Path:
        if not app_id.isalnum():
            abort(404)
        folder = apps_dir / app_id
        if not (folder / APPLICATION_FILE).is_file():
            abort(404)
        return folder

    def summary_of(folder: Path) -> dict:
        data, error = load_data(folder)
        applicant = data.get("applicant")
        name = applicant.get("name") if isinstance(applicant, dict) else None
        return {
            "id": folder.name,
            "name": _text(name, "（未填写单位名称）"),
            "scheme": fund_titles()[0].get(_text(data.get("scheme")), ""),
            "year": _text(data.get("year")),
            "error": error,
        }

    def download_name(folder: Path, suffix: str) -> str:
        """`单位名称-suffix` as a file name: a name with CR/LF or slashes cannot break the download."""
        return safe_name(f"{summary_of(folder)['name']}-{suffix}")

    # -- home ------------------------------------------------------------------------------------------
    @app.get("/")
    def index():
        items = [
            summary_of(f)
            for f in sorted(apps_dir.iterdir(), reverse=True)
            if (f / APPLICATION_FILE).is_file()
        ]
        return render_template("index.html", items=items, year=dt.date.today().year)

    @app.post("/new")
    def new():
        from assembler.scaffold import init_application

        scheme = request.form.get("scheme", "innovation")
        case = request.form.get("case", "count")
        if scheme not in fund_titles()[0] or case not in fund_titles()[1]:
            abort(400, "请选择基金和补贴情形。")
        app_id = new_id()
        init_application(
            apps_dir / app_id, scheme, case=case, year=int(request.form.get("year") or dt.date.today().year)
        )
        return redirect(url_for("application", app_id=app_id))

    @app.post("/upload")
    def upload():
        file = request.files.get("archive")
        if file is None or not file.filename:
            flash("请选择一个 .zip 文件。", "error")
            return redirect(url_for("index"))
        app_id = new_id()
        tmp = workspace / f".upload-{app_id}.zip"
        file.save(tmp)
        try:
            unpack_zip(tmp, apps_dir / app_id)
            if not (apps_dir / app_id / APPLICATION_FILE).is_file():
                raise DossierError("压缩包中没有 application.yaml", fix="请上传整个申请文件夹的压缩包。")
        except DossierError as exc:
            shutil.rmtree(apps_dir / app_id, ignore_errors=True)
            flash(exc.render(), "error")
            return redirect(url_for("index"))
        finally:
            tmp.unlink(missing_ok=True)
        return redirect(url_for("application", app_id=app_id))

    @app.post("/open")
    def open_folder():
        if request.remote_addr not in ("127.0.0.1", "::1"):
            abort(403, "只有在本机上才能打开本机文件夹。")
        try:
            app_id = copy_application(Path(request.form.get("path", "").strip()), apps_dir)
        except DossierError as exc:
            flash(exc.render(), "error")
            return redirect(url_for("index"))
        flash("已把该文件夹复制到工作区；之后的修改不会改动原文件夹。", "info")
        return redirect(url_for("application", app_id=app_id))

    # -- one application -------------------------------------------------------------------------------
    def checked(folder: Path):
        from assembler.api import check_source
        from assembler.sources import FolderSource

        try:
            report, loaded, checklist = check_source(FolderSource(folder))
            return report, loaded, checklist, None
        except DossierError as exc:
            return None, None, None, exc
        except OSError as exc:
            return None, None, None, FileSystemError.from_os_error(exc)
        except Exception as exc:  # noqa: BLE001 - one broken application must not break the page
            return (
                None,
                None,
                None,
                DossierError(
                    f"内部错误，无法检查这份申请（{type(exc).__name__}: {str(exc)[:200]}）",
                    fix="这是本工具的缺陷，请把申请文件夹和此消息一并反馈给维护者。",
                ),
            )

    def refuse_over_limit(folder: Path, rel: str, name: str) -> None:
        """An upload over a limit (limits.py: pixels, pages, a bomb) is removed at once, not kept to be
        refused at every later check."""
        from assembler.evidence import over_limit
        from assembler.sources import Entry, FolderSource

        path = folder / rel
        problem = over_limit(FolderSource(folder), Entry(rel, path.stat().st_size))
        if problem:
            remove_evidence(folder, rel)
            raise InputError(problem, where=name, fix="请换成较小的文件后再上传。")

    def meetings_of(data: dict) -> list:
        inn = data.get("innovation")
        meetings = inn.get("meetings") if isinstance(inn, dict) else None
        return [m.get("date") for m in meetings if isinstance(m, dict)] if isinstance(meetings, list) else []

    def form_data(folder: Path) -> dict:
        """The form's data from the current application.yaml and the request; a YAML of unexpected shape
        (a list where a section should be) starts from an empty form instead of failing."""
        from assembler.web.forms import data_from_form

        try:
            return data_from_form(request.form, read_data(folder))
        except (TypeError, AttributeError, ValueError, KeyError):
            return data_from_form(request.form, {})

    @app.get("/a/<app_id>")
    def application(app_id: str):
        folder = folder_of(app_id)
        data = read_data(folder)
        report, loaded, checklist, error = checked(folder)
        outputs = out_dir / app_id
        page = {
            "app_id": app_id,
            "data": data,
            "report": report,
            "error": error,
            "checklist": checklist,
            "has_pdf": (outputs / "dossier.pdf").is_file(),
            "meetings": meetings_of(data),
        }
        try:
            return render_template("application.html", **page)
        except (TypeError, AttributeError, ValueError, KeyError, TemplateError):  # a YAML of odd shape
            return render_template("application.html", **{**page, "data": {}, "meetings": []})

    @app.post("/a/<app_id>/info")
    def save_info(app_id: str):
        folder = folder_of(app_id)
        data = form_data(folder)
        ledger = request.files.get("ledger")
        if ledger is not None and ledger.filename:
            name = safe_name(ledger.filename)
            if not name.lower().endswith((".xlsx", ".csv")):
                flash("台账应为 .xlsx 或 .csv 文件。", "error")
                return redirect(url_for("application", app_id=app_id))
            ledger.save(inside(folder, name))
            data.setdefault("innovation", {})["projects"] = name
        try:
            write_application(folder, data)
            flash("申报信息已保存。", "info")
        except DossierError as exc:
            flash(exc.render(), "error")
        return redirect(url_for("application", app_id=app_id) + "#info")

    @app.post("/a/<app_id>/validate")
    def validate(app_id: str):
        folder = folder_of(app_id)
        try:
            return jsonify(problems=validate_application(form_data(folder)))
        except DossierError as exc:
            return jsonify(problems=[exc.render()])

    @app.post("/a/<app_id>/files")
    def add_files(app_id: str):
        folder = folder_of(app_id)
        report, _, checklist, error = checked(folder)
        if checklist is None:
            flash("请先把申报信息填写正确，再上传材料。", "error")
            return redirect(url_for("application", app_id=app_id))
        number = request.form.get("material", "")
        meeting = request.form.get("meeting") or None
        saved = []
        try:
            for file in request.files.getlist("files"):
                if file.filename:
                    rel = place_evidence(
                        folder, checklist, number, report.case, file.filename, file.stream, meeting
                    )
                    refuse_over_limit(folder, rel, file.filename)
                    saved.append(rel)
        except DossierError as exc:
            flash(exc.render(), "error")
            return redirect(url_for("application", app_id=app_id))
        flash(f"已加入 {len(saved)} 个文件。" if saved else "没有选择文件。", "info" if saved else "error")
        return redirect(url_for("application", app_id=app_id) + f"#m{number}")

    @app.post("/a/<app_id>/remove")
    def remove(app_id: str):
        folder = folder_of(app_id)
        try:
            remove_evidence(folder, request.form.get("path", ""))
            flash(f"已移除 {request.form.get('path')}。", "info")
        except DossierError as exc:
            flash(exc.render(), "error")
        return redirect(url_for("application", app_id=app_id) + "#checklist")

    @app.post("/a/<app_id>/build")
    def start_build(app_id: str):
        from assembler.build import BuildOptions, build

        folder = folder_of(app_id)
        target = out_dir / app_id / "dossier.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        job_id = secrets.token_hex(8)
        job = Job(app_id)
        with lock:
            jobs[job_id] = job

        def run() -> None:
            def progress(step: str) -> None:
                job.step = step

            log.info("job %s: build of %s started", job_id, app_id)
            try:
                build(folder, BuildOptions(out=target, progress=progress))
                job.state, job.step = "done", "完成"
                log.info("job %s: done", job_id)
            except DossierError as exc:
                job.state, job.error = "failed", exc.render()
                log.warning("job %s: failed: %s", job_id, exc.render())
            except Exception as exc:  # reported on the page instead of lost in a thread
                job.state, job.error = "failed", f"内部错误：{type(exc).__name__}: {exc}"
                log.exception("job %s: internal error", job_id)

        threading.Thread(target=run, daemon=True).start()
        return redirect(url_for("job_page", job_id=job_id))

    @app.get("/jobs/<job_id>")
    def job_page(job_id: str):
        job = jobs.get(job_id) or abort(404)
        return render_template("job.html", job=job, job_id=job_id)

    @app.get("/jobs/<job_id>.json")
    def job_status(job_id: str):
        job = jobs.get(job_id) or abort(404)
        return jsonify(
            state=job.state, step=job.step, error=job.error, next=url_for("application", app_id=job.app_id)
        )

    @app.get("/a/<app_id>/dossier.pdf")
    def download_pdf(app_id: str):
        folder_of(app_id)
        path = out_dir / app_id / "dossier.pdf"
        if not path.is_file():
            abort(404)
        return send_file(
            path, as_attachment=True, download_name=download_name(apps_dir / app_id, "申报材料.pdf")
        )

    @app.get("/a/<app_id>/forms.zip")
    def download_forms(app_id: str):
        from assembler.api import fill

        folder = folder_of(app_id)
        target = out_dir / app_id / "forms"
        try:
            result = fill(folder, target)
        except DossierError as exc:
            flash(exc.render(), "error")
            return redirect(url_for("application", app_id=app_id))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in result.written:
                zf.write(path, path.name)
        buf.seek(0)
        return send_file(buf, as_attachment=True, download_name="申请表.zip", mimetype="application/zip")

    @app.get("/a/<app_id>/ledger-template.xlsx")
    def ledger_template(app_id: str):
        from assembler.scaffold import write_ledger_template

        folder_of(app_id)
        target = out_dir / app_id / "台账模板.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_ledger_template(target)
        return send_file(target, as_attachment=True, download_name="项目台账模板.xlsx")

    @app.get("/a/<app_id>/application.zip")
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

    # -- reviewer --------------------------------------------------------------------------------------
    @app.get("/review")
    def review_page():
        return render_template("review.html", summary=None, batch=None)

    @app.post("/review")
    def review_upload():
        from assembler.review import review, write_workbook

        batch = new_id()
        folder = review_dir / batch
        folder.mkdir()
        for file in request.files.getlist("files"):
            if file.filename and file.filename.lower().endswith((".pdf", ".zip")):
                file.save(folder / safe_name(file.filename))
        try:
            summary = review([folder])
        except DossierError as exc:
            flash(exc.render(), "error")
            return redirect(url_for("review_page"))
        write_workbook(summary, folder / "summary.xlsx")
        return render_template("review.html", summary=summary, batch=batch)

    @app.get("/review/<batch>/summary.xlsx")
    def review_download(batch: str):
        if not batch.isalnum():
            abort(404)
        path = review_dir / batch / "summary.xlsx"
        if not path.is_file():
            abort(404)
        return send_file(path, as_attachment=True, download_name="评审汇总.xlsx")

    return app
