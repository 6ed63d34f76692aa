"""Where the tool's log goes, and the crash report: set up once by the front end (CLI or web app),
never by library code.

Every module logs to its own `logging.getLogger(__name__)`; nothing is shown unless asked for:
`-v` shows steps and external commands on stderr, `-vv` everything, `--log-file` keeps it all in a
file a unit can send with a problem report. A fault of the tool itself becomes a short crash report
file (`write_crash_report`) instead of a traceback on screen.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from assembler import __version__
from assembler.system.cache import user_folder

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_INSTALLED: list[logging.Handler] = []


def configure(verbosity: int = 0, log_file: Path | None = None) -> None:
    """Send the package's log to stderr (verbosity 1: INFO, 2: DEBUG) and/or to `log_file` (DEBUG, UTF-8,
    appended). Calling it again replaces what an earlier call installed."""
    package = logging.getLogger("assembler")
    for handler in _INSTALLED:
        package.removeHandler(handler)
        handler.close()
    _INSTALLED.clear()
    if verbosity > 0:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        _INSTALLED.append(console)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setLevel(logging.DEBUG)
        to_file.setFormatter(logging.Formatter(FORMAT))
        _INSTALLED.append(to_file)
    for handler in _INSTALLED:
        package.addHandler(handler)
    package.setLevel(logging.DEBUG if _INSTALLED else logging.WARNING)
    # pypdf reports every repaired oddity of applicants' PDFs as a warning; the check already says what
    # matters about each file, so its chatter is shown only when asked for
    logging.getLogger("pypdf").setLevel(logging.WARNING if verbosity > 1 else logging.ERROR)
    # pyHanko logs a self-issued certificate (every unit's) as a failed path with a traceback
    logging.getLogger("pyhanko").setLevel(logging.WARNING if verbosity > 1 else logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(
        logging.WARNING if verbosity > 1 else logging.CRITICAL
    )
    # fontTools warns about odd but usable subset fonts inside OFD files
    logging.getLogger("fontTools").setLevel(logging.WARNING if verbosity > 1 else logging.ERROR)


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
