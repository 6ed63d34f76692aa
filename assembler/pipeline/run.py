"""`dossier build`: the indexed PDF dossier of one application, as a pipeline of named steps.

check → snapshot → forms → office → photos → measure → front matter → assemble (with self-audit).
The steps (steps.py) work over one job context (job.py); the planning they share is pure (plan.py).
With a size limit, only the photo step and the assembly are repeated at lower photo settings.
"""

from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assembler.api import check_source, complete_pictures, refuse_output_inside
from assembler.convert.photosettings import PhotoSettings
from assembler.convert.soffice import Soffice
from assembler.core.models import Report
from assembler.errors import IncompleteError, InputError
from assembler.load.checklists import similarity_thresholds
from assembler.load.sources import open_source
from assembler.pipeline.job import BuildJob, BuildOptions, BuildResult
from assembler.pipeline.plan import build_key, dossier_date, included_files
from assembler.pipeline.record import existing_dossier, remember_dossier
from assembler.pipeline.wordforms import template_path
from assembler.resources import checklist_is_bundled
from assembler.system.cache import PdfCache, code_version, default_cache_dir, file_key
from assembler.system.fonts import CjkFont, find_cjk_font

__all__ = ["BuildOptions", "BuildResult", "build", "default_output"]

log = logging.getLogger(__name__)
MAIL_LIMIT = 20_000_000  # what most mail systems and upload pages accept
SIZE_LADDER = [PhotoSettings(150, 60), PhotoSettings(120, 55), PhotoSettings(100, 50), PhotoSettings(72, 40)]


def default_output(path: Path) -> Path:
    """Beside the application (never inside it): 我的申请 → 我的申请-申报材料.pdf."""
    stem = path.stem if path.suffix.lower() == ".zip" else path.name
    return path.resolve().parent / f"{stem}-申报材料.pdf"


def _volumes(opts: BuildOptions, out: Path, size: int, notes: list[str]) -> list[Path]:
    """With --split-size, the volumes written beside the whole dossier (none when it fits in one)."""
    if opts.split_size is None or size <= opts.split_size:
        return []
    from assembler.pipeline.volumes import split_dossier

    opts.progress("分册")
    volumes = split_dossier(out, opts.split_size)
    if opts.sign is not None:
        from assembler.integrity.sign import sign_dossier

        for volume in volumes:
            sign_dossier(volume, opts.sign, os.environ.get("DOSSIER_KEY_PASSWORD"))
    names = "、".join(v.name for v in volumes)
    limit = f"{opts.split_size / 1e6:.0f} MB"
    notes.append(f"按每册不超过 {limit} 分为 {len(volumes)} 册：{names}（完整的一份也已保留）")
    return volumes


def _office_step(job: BuildJob) -> None:
    from assembler.pipeline import steps

    with steps.step(job, "转换 Word/Excel 文件"):
        steps.convert_office(job)


def _photo_ladder(start: PhotoSettings) -> list[PhotoSettings]:
    return [start] + [s for s in SIZE_LADDER if (s.dpi, s.quality) < (start.dpi, start.quality)]


def _settings(opts: BuildOptions, office: Soffice, font: CjkFont, templates: list[Path]) -> dict[str, str]:
    """What besides the application shapes the dossier's bytes, for the build key."""
    stat = font.path.stat()
    return {
        "code": code_version(),
        "soffice": office.version(),
        "photo": opts.photo.key(),
        "max_size": str(opts.max_size),
        "allow_incomplete": str(opts.allow_incomplete),
        "duplex": str(opts.duplex),
        "split_size": str(opts.split_size),
        "sign": file_key(opts.sign) if opts.sign is not None and opts.sign.is_file() else "",
        "official": str(checklist_is_bundled(opts.checklists)),
        "similarity": repr(similarity_thresholds()),
        "font": f"{font.path.resolve()}|{font.index}|{stat.st_size}|{stat.st_mtime_ns}",
        **{f"template:{t.name}": file_key(t) for t in templates},
    }


def _refuse_xfa(report: Report, opts: BuildOptions) -> None:
    """An XFA form shows its content only in Adobe's readers: its static pages often say just "Please
    wait…". Check warns; build goes on only when the user accepts those pages (BuildOptions.accept_xfa)."""
    from assembler.load.evidence import XFA_FIX, xfa_forms

    forms = xfa_forms(report.evidence)
    if forms and not opts.accept_xfa:
        raise InputError(
            "XFA 动态表单，放入的只能是其静态页面（常常只有“Please wait…”提示）"
            + (f"；另有 {len(forms) - 1} 个：{'、'.join(forms[1:])}" if len(forms) > 1 else ""),
            where=forms[0],
            fix=XFA_FIX,
            rule="BUILD-XFA",
        )


def build(path: Path, opts: BuildOptions | None = None) -> BuildResult:
    """Build the indexed PDF dossier of the application at `path` (see the module docstring)."""
    opts = opts or BuildOptions()
    source = open_source(path)
    out = opts.out or default_output(path)
    if out.suffix.lower() != ".pdf":
        raise InputError("输出文件应以 .pdf 结尾", where=str(out))
    refuse_output_inside(source, out.parent)
    opts.progress("检查申请材料")
    report, loaded, checklist = check_source(source, opts.checklists, opts.call, pictures=False)
    notes: list[str] = []
    if not report.complete:
        errors = [f for f in report.findings if f.severity == "error"]
        if not opts.allow_incomplete:
            raise IncompleteError(
                f"申请有 {len(errors)} 个错误，未生成申报材料",
                where=str(path),
                details=[f"[{f.rule}] {f.path + '：' if f.path else ''}{f.message}" for f in errors[:20]],
                fix="改正后再生成；如只需预览，可按预览模式生成（缺失项会在清单页上标红）。",
                rule="BUILD-INCOMPLETE",
                values={"errors": len(errors)},
            )
        notes.append(f"申请还有 {len(errors)} 个错误，已按预览模式生成，缺失项在清单页上标红")
    _refuse_xfa(report, opts)
    font = find_cjk_font(opts.font)
    office = Soffice.locate(opts.soffice, cache_dir=opts.cache_dir)
    log.info("build %s → %s (font %s, %s)", source.display, out, font.path, office.version())
    date = dossier_date(loaded)
    templates = [
        template_path(m, opts.templates)
        for m in checklist.materials
        if m.generated and m.applies_to(report.case)
    ]
    key = build_key(loaded, report, checklist, date, _settings(opts, office, font, templates))
    cache = PdfCache(opts.cache_dir or default_cache_dir())
    kept = existing_dossier(out, key, cache)
    if kept is not None:
        pages, photo = kept
        log.info("kept %s: built from the same inputs (key %s)", out, key[:12])
        notes.append(f"申请材料和设置与上次生成时相同，已沿用现有文件（未重写）：{out}")
        size = out.stat().st_size
        report = complete_pictures(source, report, {})
        return BuildResult(out, pages, size, report, photo, notes, _volumes(opts, out, size, notes))
    from assembler.pipeline import (
        steps,  # PDF, image and drawing libraries: only when there is work to do
    )

    evidence = {e.rel: e for e in report.evidence}
    limit = opts.max_size
    if limit is None and report.call is not None and report.call.max_file_size_mb:
        limit = report.call.max_file_size_mb * 1_000_000  # the union accepts nothing larger
    with tempfile.TemporaryDirectory(prefix="dossier-build-") as tmp:
        job = BuildJob(
            source=source,
            loaded=loaded,
            report=report,
            checklist=checklist,
            opts=opts,
            out=out,
            work=Path(tmp),
            office=office,
            font=font,
            date=date,
            key=key,
            cache=cache,
            evidence=evidence,
            included=included_files(report, evidence),
        )
        with steps.step(job, "读取材料文件"):
            steps.snapshot(job)
        with steps.step(job, "填写申请表"):
            steps.fill_forms(job)
        ladder = _photo_ladder(opts.photo)
        # LibreOffice works in its own process on one core while the photos take both: run them side by side
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="office") as pool:
            converting = pool.submit(_office_step, job)
            with steps.step(job, "转换 OFD 文件"):
                steps.convert_ofd(job)
            with steps.step(job, "处理照片"):
                steps.convert_photos(job, ladder[0])
            with steps.step(job, "比对相似图片"):  # while LibreOffice, the longer of the two, goes on
                report = job.report = complete_pictures(source, job.report, job.prints)
                job.evidence = {e.rel: e for e in job.report.evidence}  # one swap: the office step reads it
            converting.result()
        for attempt, photo in enumerate(ladder):
            if attempt:
                with steps.step(job, "处理照片"):
                    steps.convert_photos(job, photo)
            with steps.step(job, "测量页面"):
                steps.measure(job)
            with steps.step(job, "生成封面、清单和目录"):
                generated, manifest = steps.front_matter(job)
            with steps.step(job, "合并、加页码和书签"):
                pages = steps.assemble(job, generated, manifest)
            size = out.stat().st_size
            if limit is None or size <= limit:
                break
            notes.append(
                f"照片 {photo.dpi} dpi、质量 {photo.quality} 时为 {size / 1e6:.1f} MB，"
                "超过上限，降低照片质量重试"
            )
        if opts.sign is not None:
            from assembler.integrity.sign import sign_dossier

            opts.progress("签名")
            signed = sign_dossier(out, opts.sign, os.environ.get("DOSSIER_KEY_PASSWORD"))
            size = out.stat().st_size
            notes.append(f"已用“{signed.signer}”的密钥签名")
        remember_dossier(job, pages)
    photo = job.photo
    if limit is not None:
        whose = "申报通知规定的" if opts.max_size is None else ""
        if size > limit:
            notes.append(
                f"已降到最低照片质量，仍为 {size / 1e6:.1f} MB，超过{whose} {limit / 1e6:.0f} MB 上限："
                "请删减照片或把大的扫描件分辨率调低"
            )
        elif photo != opts.photo:
            notes.append(
                f"为满足{whose} {limit / 1e6:.0f} MB 上限，照片按 {photo.dpi} dpi、质量 {photo.quality} 处理"
            )
    elif size > MAIL_LIMIT:
        notes.append(
            f"文件为 {size / 1e6:.1f} MB，超过多数邮箱和上传页面接受的 {MAIL_LIMIT / 1e6:.0f} MB："
            "可设定文件大小上限（如 20MB），照片会相应压缩"
        )
    log.info("built %s: %d pages, %d bytes", out, pages, size)
    return BuildResult(out, pages, size, report, photo, notes, _volumes(opts, out, size, notes))
