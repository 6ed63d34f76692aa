"""A short crash report for a fault of this tool: what the user can send instead of a traceback on screen."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from assembler import __version__
from assembler.cache import user_folder


def write_crash_report(exc: BaseException) -> Path:
    """Write the exception, the command line and the versions to a new file in the user data folder
    (`$DOSSIER_CRASH_DIR` overrides; the temp folder when that cannot be written) and return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "\n".join(
        [
            f"dossier {__version__} crash report {stamp}",
            f"python {sys.version.split()[0]} on {platform.platform()}",
            f"command: {' '.join(sys.argv)}",
            "",
            *traceback.format_exception(exc),
        ]
    )
    for folder in (user_folder("DOSSIER_CRASH_DIR", "crash"), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"dossier-crash-{stamp}-{os.getpid()}.txt"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    raise exc
