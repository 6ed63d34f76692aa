"""Where the tool's log goes: set up once by the front end (CLI or web app), never by library code.

Every module logs to its own `logging.getLogger(__name__)`; nothing is shown unless asked for:
`-v` shows steps and external commands on stderr, `-vv` everything, `--log-file` keeps it all in a
file a unit can send with a problem report.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

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
