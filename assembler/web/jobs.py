"""Builds in the background: start one (with the size limit and duplex printing as choices), follow its
progress, and the record of the last successful build that tells the page whether the dossier is current."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from werkzeug.utils import redirect

from assembler.api import parse_size, size_text
from assembler.errors import DossierError
from assembler.web.common import Job, fingerprint, folder_of, site, web_message
from assembler.web.labels import plain

bp = Blueprint("jobs", __name__)
# the size choice in MB, in the library's unit (decimal: "20" is 20,000,000 bytes, as `--max-size 20MB`)
MAX_SIZES = {"": None, **{n: parse_size(f"{n}MB") for n in ("10", "20", "50")}}


def _save(jobs_dir: Path, job_id: str, job: Job) -> None:
    path = jobs_dir / f"{job_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def job_of(job_id: str) -> Job | None:
    """The job: in memory while this process runs it, else as recorded in the workspace — a job recorded as
    running that this process does not know was interrupted (the app restarted): it is gone."""
    if not job_id.isalnum():
        return None
    state = site()
    with state.lock:
        job = state.jobs.get(job_id)
    if job is not None:
        return job
    try:
        recorded = json.loads((state.jobs_dir / f"{job_id}.json").read_text(encoding="utf-8"))
        job = Job(**recorded)
    except (OSError, ValueError, TypeError):
        return None
    if job.state == "running":
        job.state = "gone"
    return job


@bp.post("/a/<app_id>/build")
def start_build(app_id: str):
    from assembler.api import build
    from assembler.pipeline.run import BuildOptions

    folder = folder_of(app_id)
    state = site()
    target = state.out_dir / app_id / "dossier.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    max_size = MAX_SIZES.get(request.form.get("max_size", ""))
    duplex = request.form.get("duplex") == "on"
    accept_xfa = request.form.get("accept_xfa") == "on"
    job_id = secrets.token_hex(8)
    job = Job(app_id)
    with state.lock:
        state.jobs[job_id] = job
    _save(state.jobs_dir, job_id, job)
    logger = current_app.logger

    def run() -> None:
        def progress(step: str) -> None:
            job.step = step

        logger.info("job %s: build of %s started", job_id, app_id)
        before = fingerprint(folder)
        started = time.monotonic()
        try:
            result = build(
                folder,
                BuildOptions(
                    out=target, progress=progress, max_size=max_size, duplex=duplex, accept_xfa=accept_xfa
                ),
            )
            job.pages, job.size = result.pages, result.size
            job.seconds = round(time.monotonic() - started, 1)
            job.notes = [plain(n) for n in result.notes]
            if max_size and result.size > max_size:
                job.notes.append(
                    f"申报材料 {size_text(result.size)}，仍超过所选的 {size_text(max_size)}："
                    "请压缩或拆分较大的扫描件后重新生成。"
                )
            record = {
                "fingerprint": before,
                "pages": result.pages,
                "size": result.size,
                "seconds": job.seconds,
                "max_size": max_size,
                "duplex": duplex,
                "notes": job.notes,
                "built": time.time(),
            }
            (target.parent / "built.json").write_text(
                json.dumps(record, ensure_ascii=False), encoding="utf-8"
            )
            job.state, job.step = "done", "完成"
            logger.info("job %s: done", job_id)
        except DossierError as exc:
            job.state, job.error = "failed", web_message(exc)
            if exc.rule == "BUILD-XFA":
                job.error += "\n或在“生成申报材料”处勾选“仍放入 XFA 表单的静态页面”后重新生成。"
            logger.warning("job %s: failed: %s", job_id, exc.render())
        except Exception:  # reported on the page instead of lost in a thread
            job.state, job.error = "failed", "内部错误，未能生成申报材料。请重试；如仍出错，请反馈给维护者。"
            logger.exception("job %s: internal error", job_id)
        _save(state.jobs_dir, job_id, job)

    threading.Thread(target=run, daemon=True).start()
    return redirect(url_for("jobs.job_page", job_id=job_id))


@bp.get("/jobs/<job_id>")
def job_page(job_id: str):
    job = job_of(job_id)
    if job is None:
        abort(404)
    return render_template("job.html", job=job, job_id=job_id, size_text=size_text)


@bp.get("/jobs/<job_id>.json")
def job_status(job_id: str):
    job = job_of(job_id)
    if job is None:
        return jsonify(
            state="gone", step="", error="找不到这个生成任务。", next=url_for("applicant.index")
        ), 404
    return jsonify(
        state=job.state,
        step=job.step,
        error=job.error
        or ("生成任务已中断（本工具可能重新启动过），请重新生成。" if job.state == "gone" else ""),
        next=url_for("applicant.application", app_id=job.app_id),
    )
