"""The exception family: every error a user can cause carries its exit code and a fix-it text.

The CLI turns each into one message and the exit code of the interface contract
(1 application incomplete, 2 unreadable input or usage, 3 environment lacks a tool).
"""

from __future__ import annotations


class DossierError(Exception):
    """Base of all errors meant for the user: a Chinese message, where it happened, and how to fix it."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None,
                 details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix
        self.details = list(details or [])

    def render(self) -> str:
        """The message as the CLI prints it: `where：message` then detail lines, then the fix."""
        head = f"{self.where}：{self.message}" if self.where else self.message
        lines = [head, *(f"  - {d}" for d in self.details)]
        if self.fix:
            lines.append(f"  处理办法：{self.fix}")
        return "\n".join(lines)


class InputError(DossierError):
    """An input file cannot be read or does not follow its format (exit 2)."""

    exit_code = 2


class UsageError(DossierError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2


class IncompleteError(DossierError):
    """The application has errors: incomplete or inconsistent (exit 1)."""

    exit_code = 1


class ToolMissingError(DossierError):
    """The environment lacks a program or font the command needs (exit 3)."""

    exit_code = 3


class ToolFailedError(DossierError):
    """An external program was found but failed or hung on our input (exit 3)."""

    exit_code = 3
