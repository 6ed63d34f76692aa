"""Splitting a written dossier into volumes (`--split-size 10MB`) for mail systems and upload pages.

Each volume is a PDF of its own: the cover, 申报材料清单 and 目录 of the whole dossier, then whole materials
(a material is never cut), the last volume ending with the 文件清单. Page numbers stay those of the whole
dossier (the stamps are already printed; the page labels say the same), the bookmarks and 目录 links of the
pages in the volume are kept, and each carries the manifest with the volume's place in it, so that `verify`
checks a volume against the pages it holds.
"""

from __future__ import annotations

import io
import itertools
import logging
from pathlib import Path
from typing import Any

import pikepdf

from assembler.integrity.manifest import Manifest, ManifestVolume, OutlineEntry
from assembler.pipeline.assemble import save_atomically

log = logging.getLogger(__name__)


def _ranges(outline: list[dict[str, Any]], total: int) -> tuple[list[int], list[list[int]], list[int]]:
    """Front pages, each material's pages and the tail's (1-based), from the top-level bookmarks."""
    tops = [o for o in outline if o["level"] == 0 and o["page"]]
    materials = [o for o in tops if o["title"] not in ("封面", "申报材料清单", "目录", "文件清单")]
    tail_start = next((o["page"] for o in tops if o["title"] == "文件清单"), total + 1)
    first = materials[0]["page"] if materials else tail_start
    starts = [m["page"] for m in materials] + [tail_start]
    return (
        list(range(1, first)),
        [list(range(a, b)) for a, b in itertools.pairwise(starts)],
        list(range(tail_start, total + 1)),
    )


def _size_of(pdf: pikepdf.Pdf, pages: list[int]) -> int:
    part = pikepdf.new()
    part.add_pages_from(pdf, [p - 1 for p in pages], outlines="ignore")
    buf = io.BytesIO()
    part.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return len(buf.getvalue())


def plan_volumes(
    front: list[int], materials: list[list[int]], tail: list[int], sizes: list[int], fixed: int, limit: int
) -> list[list[int]]:
    """Whole materials packed in order into volumes of at most `limit` bytes (front matter in each, the tail
    in the last); a material larger than the limit makes a volume of its own."""
    volumes: list[list[int]] = []
    current: list[int] = []
    used = fixed
    for pages, size in zip(materials, sizes, strict=True):
        if current and used + size > limit:
            volumes.append(current)
            current, used = [], fixed
        current += pages
        used += size
    volumes.append(current)
    return [front + v for v in volumes[:-1]] + [front + volumes[-1] + tail]


def _labels(pages: list[int]) -> pikepdf.Array:
    nums: list[Any] = []
    for i, page in enumerate(pages):
        if i == 0 or page != pages[i - 1] + 1:
            nums += [i, pikepdf.Dictionary(S=pikepdf.Name.D, St=page)]
    return pikepdf.Array(nums)


def _outline(pdf: pikepdf.Pdf, entries: list[dict[str, Any]], index: dict[int, int]) -> list[dict[str, Any]]:
    kept = [e for e in entries if e["page"] in index]
    record = []
    with pdf.open_outline() as outline:
        outline.root.clear()
        parents: list[pikepdf.OutlineItem] = []
        for e in kept:
            item = pikepdf.OutlineItem(e["title"], index[e["page"]])
            level = min(e["level"], len(parents))
            del parents[level:]
            (parents[-1].children if parents else outline.root).append(item)
            parents.append(item)
            record.append({"title": e["title"], "page": index[e["page"]] + 1, "level": level})
    return record


def _drop_dangling_links(pdf: pikepdf.Pdf) -> None:
    """目录 lines that lead to a page in another volume lose their link (their page number still reads)."""
    here = {page.obj.objgen for page in pdf.pages}
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array):
            continue
        keep = pikepdf.Array()
        for annot in annots:
            dest = annot.get("/Dest")
            if isinstance(dest, pikepdf.Array) and len(dest):
                target = dest[0]
                if not isinstance(target, pikepdf.Dictionary) or target.objgen not in here:
                    continue
            keep.append(annot)
        page.obj.Annots = keep


def split_dossier(path: Path, limit: int) -> list[Path]:
    """Write the dossier at `path` as volumes of at most about `limit` bytes beside it (…-第1册.pdf, …) and
    return their paths; the whole dossier is left as it is. One volume when it already fits."""
    with pikepdf.open(path) as full:
        whole = Manifest.model_validate_json(full.attachments["manifest.json"].get_file().read_bytes())
        bookmarks = [o.model_dump() for o in whole.outline]
        total = len(full.pages)
        front, materials, tail = _ranges(bookmarks, total)
        sizes = [_size_of(full, pages) for pages in materials]
        fixed = _size_of(full, front) + (_size_of(full, tail) if tail else 0)
        plan = plan_volumes(front, materials, tail, sizes, fixed, limit)
        attachments = {
            name: full.attachments[name].get_file().read_bytes()
            for name in full.attachments
            if name != "manifest.json"
        }
        info = {str(k): str(v) for k, v in full.docinfo.items()}
        written = []
        for number, pages in enumerate(plan, start=1):
            target = path.with_name(f"{path.stem}-第{number}册.pdf")
            volume = pikepdf.new()
            volume.add_pages_from(full, [p - 1 for p in pages], outlines="ignore")
            index = {page: i for i, page in enumerate(pages)}
            outline = _outline(volume, bookmarks, index)
            _drop_dangling_links(volume)
            volume.Root.PageLabels = pikepdf.Dictionary(Nums=_labels(pages))
            volume.Root.PageMode = pikepdf.Name.UseOutlines
            share = ManifestVolume(
                number=number,
                of=len(plan),
                pages=pages,
                outline=[OutlineEntry.model_validate(o) for o in outline],
            )
            own = Manifest.model_validate({**whole.as_json(), "volume": share.model_dump(mode="json")})
            volume.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
                volume,
                own.to_bytes(),
                description="dossier manifest",
                filename="manifest.json",
                mime_type="application/json",
            )
            for name, blob in attachments.items():
                volume.attachments[name] = pikepdf.AttachedFileSpec(volume, blob, filename=name)
            volume.docinfo.update(
                {pikepdf.Name(k): pikepdf.String(v) for k, v in info.items()}
                | {
                    pikepdf.Name("/Title"): pikepdf.String(
                        f"{info.get('/Title', '')}（第{number}册，共{len(plan)}册）"
                    )
                }
            )
            save_atomically(volume, target, lambda written: None, path.stat().st_size)
            written.append(target)
            log.info("volume %d of %d: %s, %d pages", number, len(plan), target, len(pages))
    return written
