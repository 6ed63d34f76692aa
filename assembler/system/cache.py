"""A content-addressed cache of converted PDFs, shared by every conversion (LibreOffice, photos).

Entries are named by a hash of everything that determines the result (input bytes, converter
version, settings), written atomically, and checked to open before they are reused.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from pathlib import Path

from assembler import __version__


def user_folder(env: str, kind: str) -> Path:
    """A per-user folder of the tool: `$env` if set, else `kind` inside the platform's cache folder
    (`kind="cache"`) or data folder, as platformdirs knows them (XDG on Linux, %LOCALAPPDATA% on
    Windows, ~/Library on macOS)."""
    if os.environ.get(env):
        return Path(os.environ[env])
    import platformdirs

    base = platformdirs.user_cache_path if kind == "cache" else platformdirs.user_data_path
    return base("dossier", appauthor=False) / kind


@functools.cache
def code_version() -> str:
    """The tool's version and a digest of its own source: part of every key of remembered work, so that
    a changed program (an update, a patched install) never reuses what an older one produced."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent  # the whole assembler package
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}:{digest.hexdigest()[:16]}"


def default_cache_dir() -> Path:
    """Where converted PDFs are kept: $DOSSIER_CACHE, else the platform's user cache folder."""
    return user_folder("DOSSIER_CACHE", "cache")


def file_key(path: Path, *parts: str) -> str:
    """A cache key from the file's bytes and the settings that shape its conversion."""
    with path.open("rb") as fh:
        content = hashlib.file_digest(fh, "sha256").digest()
    return hashlib.sha256("\0".join(parts).encode() + b"\0" + content).hexdigest()


def pdf_pages(path: Path) -> int:
    """The page count of a PDF, 0 when it does not open."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(path).pages)
    except (PdfReadError, OSError, ValueError, KeyError):
        return 0


class PdfCache:
    """Converted PDFs under `root/<kind>/<key[:2]>/<key>.pdf`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pdf"

    def lookup(self, kind: str, key: str) -> Path | None:
        """The cached PDF for `key`, if present and readable."""
        path = self._path(kind, key)
        return path if path.is_file() and pdf_pages(path) > 0 else None

    def store(self, kind: str, key: str, pdf: Path) -> Path:
        """Copy `pdf` into the cache atomically and return its cached path."""
        target = self._path(kind, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(pdf, tmp)
        os.replace(tmp, target)
        return target
