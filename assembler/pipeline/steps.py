"""The steps of a build, in the order `build` runs them: snapshot → forms → office → photos → measure →
front matter → assemble (with its self-audit). Each reads and fills the BuildJob and logs what it did.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import pikepdf

from assembler import __version__
from assembler.convert.images import convert_images
from assembler.convert.photosettings import PhotoSettings
from assembler.errors import InputError, SelfAuditError
from assembler.integrity.activecontent import remove_active_content
from assembler.integrity.manifest import ManifestContent, binding_of
from assembler.pipeline import plan
from assembler.pipeline.assemble import DossierWriter, Generated, displayed_sizes
from assembler.pipeline.audit import audit_dossier
from assembler.pipeline.job import BuildJob
from assembler.pipeline.pages import PageMaker, StampSpec, toc_pages_needed
from assembler.pipeline.wordforms import fill_forms as fill_word_forms
from assembler.resources import checklist_is_bundled
from assembler.system.cache import file_key

log = logging.getLogger(__name__)
OFFICE_KINDS = ("word", "excel")


@contextmanager
def step(job: BuildJob, title: str) -> Iterator[None]:
    """Announce a step to the user, and log when it started and how long it took."""
    job.progress(title)
    log.info("step %s", title)
    started = time.monotonic()
    yield
    log.info("step %s done in %.2f s", title, time.monotonic() - started)


def snapshot(job: BuildJob) -> None:
    """Copy every included file into the job's folder once, hashing the bytes copied: what is converted
    and placed is exactly what the manifest's SHA-256 describes. A file changed since the check is refused."""
    folder = job.work / "files"
    folder.mkdir()
    for i, rel in enumerate(job.included):
        target = folder / f"{i:05d}{PurePosixPath(rel).suffix.lower()}"
        digest = hashlib.sha256()
        with job.source.open(rel) as src, target.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != job.evidence[rel].sha256:
            raise InputError(
                "文件在检查之后被修改了，内容与检查时不同",
                where=rel,
                fix="请等文件不再变动（如同步、下载完成）后重新生成。",
            )
        job.snapshots[rel] = target


def fill_forms(job: BuildJob) -> None:
    """Fill the scheme's Word forms (附件1.1/1.2 or 2.1) into the job's folder."""
    folder = job.work / "forms"
    folder.mkdir()
    for form in fill_word_forms(job.loaded, job.report, job.checklist, job.opts.templates):
        path = folder / form.filename
        path.write_bytes(form.data)
        job.forms[form.material.number] = path


def convert_office(job: BuildJob) -> None:
    """The filled forms and the Word/Excel evidence to PDF, in one LibreOffice call (cached by content)."""
    evidence = [r for r in job.included if job.evidence[r].kind in OFFICE_KINDS]
    inputs = list(job.forms.values()) + [job.snapshots[r] for r in evidence]
    job.progress(f"LibreOffice 转换 {len(inputs)} 个 Word/Excel 文件")
    names = {job.snapshots[r]: r for r in evidence}  # converted under the user's own file names
    converted = job.office.convert(inputs, names)
    for number, path in job.forms.items():
        job.pdfs[number] = converted[path]
    for rel in evidence:
        job.pdfs[rel] = converted[job.snapshots[rel]]
    for rel in job.included:
        if job.evidence[rel].kind == "pdf":
            job.pdfs[rel], removed = prepare_pdf(job.snapshots[rel], rel)
            if removed:
                job.removed[rel] = removed


def prepare_pdf(path: Path, rel: str) -> tuple[Path, list[str]]:
    """An evidence PDF as it goes in: filled form fields drawn into their pages (appearances generated
    where the file left that to the viewer — every viewer shows the values, the page digest covers them,
    nothing stays editable) and active content removed (assembler.integrity.activecontent); with what
    was removed.
    A PDF with neither goes in as it is."""
    with pikepdf.open(path) as pdf:
        form = pdf.Root.get("/AcroForm")
        # a form that is not a dictionary, or fields that are not an array, cannot be drawn: dropped below
        found = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
        fields = isinstance(found, pikepdf.Array) and len(found) > 0
        removed = remove_active_content(pdf)
        if not fields and not removed and not (form is not None and not isinstance(found, pikepdf.Array)):
            return path, []
        if fields:
            pdf.generate_appearance_streams()
            pdf.flatten_annotations("all")
            log.info("%s: form fields drawn into the pages", rel)
        if "/AcroForm" in pdf.Root:
            del pdf.Root["/AcroForm"]
        if removed:
            log.warning("%s: removed %s", rel, "、".join(removed))
        target = path.with_name(f"{path.stem}-prepared.pdf")
        pdf.save(target, deterministic_id=True)
    return target, removed


def convert_ofd(job: BuildJob) -> None:
    """OFD receipts and invoices rendered to PDF pages (cached by content and font); their structured data
    (amounts, numbers, payer, date) read into the job; the original files travel as attachments."""
    from assembler.convert import ofd

    files = [r for r in job.included if job.evidence[r].kind == "ofd"]
    if not files:
        return
    job.progress(f"转换 {len(files)} 个 OFD 文件")
    font = f"{job.font.path.resolve()}|{job.font.index}"
    for i, rel in enumerate(files):
        src = job.snapshots[rel]
        key = file_key(src, ofd.CACHE_KIND, ofd.CONVERTER_VERSION, font)
        pdf = job.cache.lookup(ofd.CACHE_KIND, key)
        if pdf is None:
            target = job.work / "ofd" / f"{i:05d}.pdf"
            target.parent.mkdir(exist_ok=True)
            info = ofd.render_ofd(src, target, job.font, name=rel)
            log.info(
                "OFD %s: %d pages, %d seals, fallback fonts %s",
                rel,
                info.pages,
                info.seals,
                info.fallback_fonts,
            )
            pdf = job.cache.store(ofd.CACHE_KIND, key, target)
        job.pdfs[rel] = pdf
        data = ofd.read_structured(src, name=rel)
        job.data[rel] = {} if data is None else json.loads(json.dumps(dataclasses.asdict(data), default=str))
        job.attachments[f"ofd/{rel}"] = src


def convert_photos(job: BuildJob, photo: PhotoSettings) -> None:
    """Photos and scans to A4 pages at `photo` settings (the only step `--max-size` repeats)."""
    images = [r for r in job.included if job.evidence[r].kind == "image"]
    job.progress(f"处理 {len(images)} 张照片")
    files = [job.snapshots[r] for r in images]
    # fingerprints of the photos the check left without (pictures=False): from the workers' own decoding
    wanted = {job.snapshots[r]: r for r in images if not job.evidence[r].prints and r not in job.prints}
    converted, made = convert_images(
        files, job.work, photo, job.cache, names={job.snapshots[r]: r for r in images}, fingerprint=wanted
    )
    for rel in images:
        job.pdfs[rel] = converted[job.snapshots[rel]]
    job.prints.update({wanted[src]: (found,) if found is not None else () for src, found in made.items()})
    job.photo = photo


def measure(job: BuildJob) -> None:
    """Plan the sections and measure every PDF's displayed page sizes (each PDF once per build)."""
    innovation = job.loaded.app.innovation
    titles = {m.date: m.title for m in innovation.meetings} if innovation is not None else {}
    job.sections = plan.plan_sections(
        job.report, job.checklist, job.pdfs, job.included, job.evidence, meeting_titles=titles
    )
    for section in job.sections:
        for part in section.parts:
            if part.pdf in job.sizes:
                continue
            try:
                job.sizes[part.pdf] = displayed_sizes(part.pdf)
            except pikepdf.PdfError as exc:
                raise InputError(
                    f"PDF 结构损坏，无法合并（{str(exc)[:120]}）",
                    where=part.rel or part.title,
                    fix="请用 PDF 阅读器打开后“另存为/打印为 PDF”再放入。",
                ) from None


def _blank_page(job: BuildJob) -> Path:
    """A one-page empty A4 PDF for double-sided printing (its 此页无正文 is drawn with the page stamps)."""
    path = job.work / "blank.pdf"
    if not path.exists():
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=plan.A4)
            pdf.save(path, deterministic_id=True)
    job.sizes[path] = [plan.A4]
    return path


def front_matter(job: BuildJob) -> tuple[Generated, ManifestContent]:
    """Draw the cover, 材料清单, 目录 (with links), 文件清单 and a stamp for every page, with exact page
    numbers; return the drawn pages and the manifest."""
    report = job.report
    maker = PageMaker(job.font, job.date.date())
    problems = [
        f"{f.path + '：' if f.path else ''}{f.message}" for f in report.findings if f.severity == "error"
    ]
    award_lines = list(report.award.lines)
    notes = [
        f"{f.path + '：' if f.path else ''}{f.message}"
        for f in report.findings
        if f.rule.startswith("CONTENT-") and f.severity == "warning"
    ]
    blank = _blank_page(job) if job.opts.duplex else None
    plan.place_parts(job.sections, job.sizes, 0, blank)
    checklist_pages = maker.checklist_pages(
        plan.checklist_rows(report, job.sections), award_lines, problems, notes
    )
    toc_lines = len(plan.toc_entries(job.sections, 0))
    front_pages = 1 + checklist_pages + toc_pages_needed(toc_lines)
    pad_front = blank is not None and front_pages % 2 == 1  # the first material starts on a right-hand page
    front_pages += pad_front
    tail_first = plan.place_parts(job.sections, job.sizes, front_pages, blank)
    manifest = plan.manifest(job.loaded, report, job.sections, job.evidence, job.date, job.photo, job.key)
    for entry in manifest.files:
        if entry.path in job.data:
            entry.data = job.data[entry.path]
        if entry.path in job.removed:
            entry.removed = job.removed[entry.path]
    manifest.binding = binding_of(manifest)
    file_rows = plan.file_list_rows(manifest.files)
    header = (
        f"以下为编入本材料的全部申请人文件（按放入顺序），SHA-256 可用于核对原件。"
        f"完整清单（JSON）作为附件 manifest.json 嵌入本 PDF。由 dossier {__version__} 汇编。"
    )
    tail_pages = maker.file_list_pages(file_rows, header)
    official = checklist_is_bundled(job.opts.checklists)
    maker.cover(plan.cover_info(job.loaded, report, job.checklist, job.date, official))
    maker.checklist(plan.checklist_rows(report, job.sections), award_lines, problems, notes)
    links = maker.toc(plan.toc_entries(job.sections, tail_first))
    if pad_front:
        maker.empty_page()
    if maker.page_count != front_pages:
        raise SelfAuditError(f"封面、清单和目录共 {maker.page_count} 页，应为 {front_pages} 页")
    maker.file_list(file_rows, header, manifest.binding)
    parts = [p for s in job.sections for p in s.parts]
    geometry = (
        [plan.A4] * front_pages + [size for p in parts for size in job.sizes[p.pdf]] + [plan.A4] * tail_pages
    )
    captions = [""] * front_pages + [p.caption for p in parts for _ in range(p.pages)] + [""] * tail_pages
    blanks = (
        [False] * (front_pages - pad_front)
        + [pad_front] * pad_front
        + [p.blank for p in parts for _ in range(p.pages)]
        + [False] * tail_pages
    )
    stamps_first = maker.page_count
    maker.stamps([StampSpec(w, h, str(i + 1), captions[i], blanks[i]) for i, (w, h) in enumerate(geometry)])
    generated = Generated(
        maker.output(),
        range(front_pages),
        range(front_pages, front_pages + tail_pages),
        range(stamps_first, stamps_first + len(geometry)),
        links,
        checklist_pages,
    )
    return generated, manifest


def assemble(job: BuildJob, generated: Generated, manifest: ManifestContent) -> int:
    """Merge, stamp, link and bookmark into the output (atomically, after the self-audit); return its
    page count."""
    audit: Callable = lambda path, assembly: audit_dossier(path, assembly, generated, job.sections)  # noqa: E731
    metadata = plan.pdf_metadata(job.loaded, job.report, job.checklist)
    attachments = {name: path.read_bytes() for name, path in sorted(job.attachments.items())}
    result = DossierWriter(job.date).assemble(
        generated, job.sections, manifest, metadata, job.out, audit, attachments
    )
    return result.pages
