"""What the Start-menu and desktop shortcuts run on Windows (`pythonw.exe -m assembler.web.desktop`): the web
app without a console window, the browser opened on it; a second start opens the browser on the running app.

pythonw.exe gives a program no stdout or stderr. Both go to a small buffer that keeps the last lines (the app
writes its log to the workspace's logs folder anyway), and when the app cannot start (a port held by another
program, an unwritable workspace) its message is shown in a Windows message box instead of nowhere.
"""

from __future__ import annotations

import io
import sys

TITLE = "职工创新鼓励金申报材料工具"
KEPT = 4000  # characters of output kept for the message box


class _Tail(io.StringIO):
    """A text stream that keeps only its last KEPT characters (a long-running server must not grow it)."""

    def write(self, text: str) -> int:
        written = super().write(text)
        value = self.getvalue()
        if len(value) > 2 * KEPT:
            self.seek(0)
            self.truncate()
            super().write(value[-KEPT:])
        return written


def show_message(text: str) -> None:
    """A message box on Windows; elsewhere (no window system assumed) the text on the real stderr."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, text, TITLE, 0x10)  # MB_ICONERROR
    elif sys.__stderr__ is not None:
        sys.__stderr__.write(text + "\n")


def run(args: list[str]) -> int:
    """Run the CLI with `args` as a windowless program: its exit status; its error shown when it failed."""
    from assembler.cli import cli

    out, err = _Tail(), _Tail()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        cli(args, prog_name="dossier")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout, sys.stderr = saved
    if code:
        show_message(err.getvalue()[-KEPT:].strip() or f"本工具未能启动（退出码 {code}）。")
    return code


def main() -> None:
    """Start `dossier serve` as from a shortcut."""
    sys.exit(run(["serve"]))


if __name__ == "__main__":
    main()
