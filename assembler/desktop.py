"""What the Start-menu and desktop shortcuts run on Windows (`pythonw.exe -m assembler.desktop`): the web app
without a console window, the browser opened on it; a second start opens the browser on the running app.

pythonw.exe gives a program no stdout or stderr, and writing to them would fail: both go to the null device
(the app writes its log to the workspace's logs folder anyway).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Start `dossier serve` as from a shortcut."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the whole run
    from assembler.cli import cli

    cli(["serve"], prog_name="dossier")


if __name__ == "__main__":
    main()
