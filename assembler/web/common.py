"""What the web app's blueprints share: the workspace folders, the background jobs, reading an application,
and the words of an error for a page (no server path, no command-line option)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app

from assembler.core.application import APPLICATION_FILE
from assembler.errors import DossierError, FileSystemError
from assembler.load.checklists import fund_titles
from assembler.load.sources import is_ignored
from assembler.web.labels import plain


@dataclass
class Job:
    """A build running in the background (also written to the workspace, so that a page still knows it after a
    restart, as an interrupted job)."""

    app_id: str
    state: str = "running"  # running | done | failed | gone
    step: str = "开始"
    error: str = ""
    started: float = field(default_factory=lambda: dt.datetime.now().timestamp())
    pages: int | None = None
    size: int | None = None
    seconds: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Site:
    """The workspace of one running app: applications, outputs, review batches, jobs."""

    workspace: Path
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def apps_dir(self) -> Path:
        return self.workspace / "apps"

    @property
    def out_dir(self) -> Path:
        return self.workspace / "out"

    @property
    def review_dir(self) -> Path:
        return self.workspace / "review"

    @property
    def jobs_dir(self) -> Path:
        return self.workspace / "jobs"


def site() -> Site:
    return current_app.extensions["dossier"]


def load_data(folder: Path) -> tuple[dict, str | None]:
    """The application's YAML as data, read as `check` reads it (the project's YAML loader: aliases,
    duplicate keys and size refused), and why it could not be read (the data is then {}). Never raises: one
    application that fails to load must not break the pages of the others."""
    from assembler.load.yamlio import load_yaml, read_text_file

    try:
        data, _ = load_yaml(
            read_text_file((folder / APPLICATION_FILE).read_bytes(), APPLICATION_FILE), APPLICATION_FILE
        )
    except DossierError as exc:
        return {}, web_message(exc)
    except OSError as exc:
        return {}, f"申报信息无法读取（{exc.strerror or '读取失败'}）"
    if not isinstance(data, dict):
        return {}, "申报信息的内容应为若干“字段: 值”"
    return data, None


def read_data(folder: Path) -> dict:
    """The application's YAML as data ({} when it cannot be read; the page then shows the check's message)."""
    return load_data(folder)[0]


def text_of(value: object, default: str = "") -> str:
    """A value for a page or a file name: text only, one line."""
    if value is None or isinstance(value, (dict, list, bool)):
        return default
    return " ".join(str(value).split())[:200] or default


def folder_of(app_id: str) -> Path:
    if not app_id.isalnum():
        abort(404)
    folder = site().apps_dir / app_id
    if not (folder / APPLICATION_FILE).is_file():
        abort(404)
    return folder


def summary_of(folder: Path) -> dict:
    data, error = load_data(folder)
    applicant = data.get("applicant")
    name = applicant.get("name") if isinstance(applicant, dict) else None
    return {
        "id": folder.name,
        "name": text_of(name, "（未填写单位名称）"),
        "scheme": fund_titles()[0].get(text_of(data.get("scheme")), ""),
        "year": text_of(data.get("year")),
        "error": error,
    }


def web_message(exc: DossierError) -> str:
    """An error of the project's family as a page shows it: the message, its details and its fix in form
    words; its `where` only when it is a file's own name (never a server path or a YAML line), never a
    command-line option."""
    head = plain(exc.message)
    where = exc.where or ""
    if where and not (
        where.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", where) or "application.yaml" in where
    ):
        head = f"{where}：{head}"  # an uploaded file's own name, never a server path
    lines = [head, *(f"· {plain(d)}" for d in exc.details)]
    if exc.fix:
        lines.append(f"处理办法：{plain(exc.fix)}")
    return "\n".join(line for line in lines if line.strip())


def checked(folder: Path):
    """(report, loaded, checklist, error) of `dossier check` on the folder; one broken application must not
    break the page."""
    from assembler.api import check_source
    from assembler.load.sources import FolderSource

    try:
        report, loaded, checklist = check_source(FolderSource(folder))
        return report, loaded, checklist, None
    except DossierError as exc:
        return None, None, None, exc
    except OSError as exc:
        return None, None, None, FileSystemError.from_os_error(exc)
    except Exception as exc:  # noqa: BLE001 - one broken application must not break the page
        current_app.logger.exception("check of %s failed", folder.name)
        return (
            None,
            None,
            None,
            DossierError(
                f"内部错误，无法检查这份申请（{type(exc).__name__}）",
                fix="这是本工具的缺陷，请把申请文件夹和此消息一并反馈给维护者。",
            ),
        )


def version_of(folder: Path) -> str:
    """The version of the saved 申报信息 (a digest of application.yaml), sent with the form: a save based on
    an older version (another tab saved meanwhile) is refused instead of overwriting."""
    try:
        return hashlib.sha256((folder / APPLICATION_FILE).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def fingerprint(folder: Path) -> str:
    """A digest of every file's name, size and modification time in the application: any change after a build
    (a file added, removed or replaced, the form saved) changes it."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if is_ignored(rel):
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            digest.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build_record(app_id: str) -> dict | None:
    """What the last successful build recorded (fingerprint, pages, size, seconds, options), or None."""
    path = site().out_dir / app_id / "built.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        record if isinstance(record, dict) and (site().out_dir / app_id / "dossier.pdf").is_file() else None
    )


def is_stale(app_id: str, folder: Path, record: dict | None) -> bool:
    """True when the application changed after the dossier was built."""
    return record is None or record.get("fingerprint") != fingerprint(folder)
