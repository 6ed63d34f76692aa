"""The exception family and the exit codes of the interface contract, in one place.

Every error a user can cause carries its exit code and a fix-it text; the CLI turns each into one
message. `ExitCode` is the only table of exit codes: the CLI's help text is generated from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit codes every command uses (../spec/interface.md, "Exit codes")."""

    OK = 0
    APPLICATION_ERRORS = 1  # the application is incomplete or inconsistent
    BAD_INPUT = 2  # usage error, or input that cannot be read
    ENVIRONMENT = 3  # a tool, font or file system the command needs is missing or failed
    INTERNAL = 4  # the tool's own self-audit caught a fault (a bug: report it)
    INTERRUPTED = 130  # Ctrl-C


EXIT_TITLES: dict[ExitCode, str] = {
    ExitCode.OK: "完成（可有警告）",
    ExitCode.APPLICATION_ERRORS: "申请有错误",
    ExitCode.BAD_INPUT: "用法或输入无法读取",
    ExitCode.ENVIRONMENT: "缺少 LibreOffice 或中文字体、转换失败或无法写入",
    ExitCode.INTERNAL: "生成的 PDF 未通过自检（本工具的缺陷）",
    ExitCode.INTERRUPTED: "已中断",
}


def exit_code_help() -> str:
    """The exit-code line of the CLI's help, generated from ExitCode so that the two never disagree."""
    return "退出码：" + " · ".join(f"{int(code)} {EXIT_TITLES[code]}" for code in ExitCode) + "。"


class DossierError(Exception):
    """Base of all errors meant for the user: a Chinese message, where it happened, and how to fix it."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        fix: str | None = None,
        details: list[str] | None = None,
        field: str | None = None,
        rule: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # a stable id of what went wrong (a front end adds its own hint by it: the CLI names its option) and
        # the values that went into the message
        self.rule = rule
        self.values: Mapping[str, object] = dict(values or {})
        # the input field at fault (a schema path such as "amount" or "applicant.credit_code"), so that a
        # front end can put the message beside that field without reading the message
        self.field = field
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

    exit_code = ExitCode.BAD_INPUT


class UsageError(DossierError):
    """The command was called wrongly (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


class IncompleteError(DossierError):
    """The application has errors: incomplete or inconsistent (exit 1)."""

    exit_code = ExitCode.APPLICATION_ERRORS


class ToolMissingError(DossierError):
    """The environment lacks a program or font the command needs (exit 3)."""

    exit_code = ExitCode.ENVIRONMENT


class ToolFailedError(DossierError):
    """An external program was found but failed or hung on our input (exit 3)."""

    exit_code = ExitCode.ENVIRONMENT


class FileSystemError(DossierError):
    """A file could not be read or written: full disk, no permission, a file that vanished (exit 3)."""

    exit_code = ExitCode.ENVIRONMENT

    @classmethod
    def from_os_error(cls, exc: OSError) -> FileSystemError:
        """The user's message for an OSError raised anywhere below a command."""
        return cls(
            f"文件读写失败（{exc.strerror or exc}）",
            where=str(exc.filename) if exc.filename else None,
            fix="检查磁盘空间和文件夹的写入权限后重试。",
        )


class SelfAuditError(DossierError):
    """The written dossier differs from what was planned: a bug in this tool, caught before anyone sees it
    (exit 4)."""

    exit_code = ExitCode.INTERNAL
