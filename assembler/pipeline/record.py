"""The record of each dossier written, kept in the cache, so that the same build next time keeps the file.

Light on purpose: answering "nothing changed" must not load a PDF, image or drawing library.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from assembler.convert.photosettings import PhotoSettings
from assembler.files import sha256_of
from assembler.pipeline.job import BuildJob
from assembler.system.cache import PdfCache


def _record_path(job_cache: PdfCache, key: str) -> Path:
    return job_cache.root / "builds" / f"{key}.json"


def existing_dossier(out: Path, key: str, cache: PdfCache) -> tuple[int, PhotoSettings] | None:
    """The page count and photo settings of the dossier at `out` when this tool wrote exactly that file from
    the same inputs (`key`), else None. The record of each build lives in the cache, so a dossier edited
    after it was written (same manifest, other bytes) is never mistaken for a fresh one."""
    record = _record_path(cache, key)
    if not out.is_file() or not record.is_file():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        if data["sha256"] != sha256_of(out):
            return None
        return int(data["pages"]), PhotoSettings(int(data["dpi"]), int(data["quality"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_dossier(job: BuildJob, pages: int) -> None:
    """Record what was written for `job.key`, so that the same build next time keeps the file."""
    record = _record_path(job.cache, job.key)
    record.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "sha256": sha256_of(job.out),
        "pages": pages,
        "dpi": job.photo.dpi,
        "quality": job.photo.quality,
    }
    tmp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, record)
