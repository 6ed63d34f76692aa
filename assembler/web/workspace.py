"""Editing an application folder that the tool owns (the web app's workspace copies, never the user's
originals):
write application.yaml from data, place uploaded evidence under its material, remove a file, unpack a zip."""

from __future__ import annotations

import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

import yaml
from pydantic import ValidationError

from assembler.core.application import APPLICATION_FILE, Application
from assembler.core.checklist import Checklist
from assembler.core.match import leading_number
from assembler.errors import InputError, UsageError
from assembler.files import write_atomically
from assembler.limits import FILE_MAX_BYTES, ZIP_MAX_TOTAL_BYTES, human_bytes
from assembler.load.application import validation_messages, validation_problems
from assembler.load.sources import ZipSource, is_ignored

MAX_NAME_BYTES = 180


def safe_name(name: str) -> str:
    """A file name that is safe to create: no folders, no control characters, no leading dots; Chinese
    kept.
    """
    name = unicodedata.normalize("NFC", PurePosixPath(name.replace("\\", "/")).name)
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]', "_", name).strip().lstrip(".")
    if not name:
        name = "文件"
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:-1] + dot + ext) if dot and stem else name[:-1]
    return name


def inside(folder: Path, rel: str) -> Path:
    """`folder/rel`, refusing anything that would leave `folder`."""
    path = (folder / rel).resolve()
    if not path.is_relative_to(folder.resolve()) or path == folder.resolve():
        raise UsageError(f"路径“{rel}”不在申请文件夹内")
    return path


def application_problems(data: dict) -> list[tuple[tuple, str]]:
    """The schema's problems with `data` as (field path, what is wrong), as `dossier check` finds them."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    from assembler.load.yamlio import load_yaml

    parsed, _ = load_yaml(text, APPLICATION_FILE)
    try:
        Application.model_validate(parsed)
    except ValidationError as exc:
        return validation_problems(exc)
    return []


def validate_application(data: dict) -> list[str]:
    """The same messages as `dossier check` gives for application.yaml, one per problem (empty when valid)."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    from assembler.load.yamlio import load_yaml

    parsed, lines = load_yaml(text, APPLICATION_FILE)
    try:
        Application.model_validate(parsed)
    except ValidationError as exc:
        return validation_messages(exc, lines, APPLICATION_FILE)
    return []


def write_application(folder: Path, data: dict) -> None:
    """Validate `data` and write it as the folder's application.yaml; InputError listing every problem."""
    problems = validate_application(data)
    if problems:
        raise InputError(f"申报信息有 {len(problems)} 处错误", details=problems)
    header = "# 申报信息（由 dossier 网页版保存；也可用文本编辑器修改）\n"
    write_atomically(
        folder / APPLICATION_FILE,
        (header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).encode("utf-8"),
    )


def material_folder(folder: Path, checklist: Checklist, number: str, case: str | None) -> Path:
    """The folder of material `number`: the existing one with that leading number, else the checklist's
    name.
    """
    for child in sorted(folder.iterdir()):
        if child.is_dir() and leading_number(child.name) == number:
            return child
    spec = next((m for m in checklist.materials if m.number == number and m.applies_to(case)), None)
    if spec is None:
        raise UsageError(f"没有编号为 {number} 的材料")
    return folder / spec.folder


def meeting_folder(material_dir: Path, meeting: str) -> Path:
    """The sub-folder of material 4 for the meeting of date `meeting`: an existing one named by that date
    (“2026-03-18 一季度评审会”), else a new one named by the date."""
    from assembler.core.dates import find_date, parse_date_text

    day = parse_date_text(meeting)
    if material_dir.is_dir() and day is not None:
        for child in sorted(material_dir.iterdir()):
            if child.is_dir() and not child.is_symlink() and find_date(child.name) == day:
                return child
    return material_dir / safe_name(meeting)


def place_evidence(
    folder: Path,
    checklist: Checklist,
    number: str,
    case: str | None,
    filename: str,
    stream: IO[bytes],
    meeting: str | None = None,
) -> str:
    """Save an uploaded file under its material (and meeting sub-folder); return its path in the
    application.
    """
    target_dir = material_folder(folder, checklist, number, case)
    if meeting:
        target_dir = meeting_folder(target_dir, meeting)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = unique_path(target_dir, filename)
    name = target.name
    try:
        copy_bounded(stream, target, FILE_MAX_BYTES, name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target.relative_to(folder).as_posix()


def unique_path(folder: Path, filename: str) -> Path:
    """A path in `folder` for a file named `filename` (made safe) that no file has yet: 申报材料.pdf, else
    申报材料（2）.pdf, … — two uploads of the same name are both kept."""
    name = safe_name(filename)
    target = folder / name
    stem, dot, ext = name.rpartition(".")
    n = 2
    while target.exists():
        target = folder / (f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）")
        n += 1
    return target


def copy_bounded(stream: IO[bytes], target: Path, limit: int, name: str) -> int:
    """Copy `stream` to `target`, refusing (InputError) as soon as more than `limit` bytes arrive: an upload
    is measured as it is written, never trusted for its announced size."""
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise InputError(
                    f"文件过大（超过 {human_bytes(limit)}），已拒绝",
                    where=name,
                    fix="请压缩、拆分或降低扫描分辨率后再上传。",
                )
            out.write(chunk)
    return written


def remove_evidence(folder: Path, rel: str) -> None:
    """Delete one evidence file (never application.yaml), and its folder when it becomes empty."""
    path = inside(folder, rel)
    if path.name == APPLICATION_FILE and path.parent == folder.resolve():
        raise UsageError("不能删除 application.yaml")
    if not path.is_file():
        raise UsageError(f"文件“{rel}”不存在")
    path.unlink()
    parent = path.parent
    while parent != folder.resolve() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def move_evidence(
    folder: Path,
    checklist: Checklist,
    rel: str,
    number: str,
    case: str | None,
    new_name: str = "",
    meeting: str | None = None,
) -> str:
    """Rename an evidence file and/or move it to material `number` (and a meeting's sub-folder); return its
    new path in the application. An existing file is never overwritten."""
    source = inside(folder, rel)
    if source.name == APPLICATION_FILE and source.parent == folder.resolve():
        raise UsageError("不能移动 application.yaml")
    if not source.is_file():
        raise UsageError(f"文件“{rel}”不存在")
    target_dir = material_folder(folder, checklist, number, case)
    if meeting:
        target_dir = meeting_folder(target_dir, meeting)
    name = safe_name(new_name.strip()) if new_name.strip() else source.name
    if "." not in name and "." in source.name:
        name += source.suffix  # a new name typed without its extension keeps the file's type
    target = inside(folder, (target_dir / name).relative_to(folder).as_posix())
    if target == source:
        return rel
    if target.exists():
        raise UsageError(f"“{target.relative_to(folder.resolve()).as_posix()}”已存在", fix="请换一个文件名。")
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)
    parent = source.parent
    while parent != folder.resolve() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
    return target.relative_to(folder.resolve()).as_posix()


def new_id() -> str:
    """A fresh, sortable name for something in the workspace (an application, a review batch)."""
    import datetime as dt
    import secrets

    return dt.datetime.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)


def copy_application(folder: Path, apps_dir: Path) -> str:
    """Copy an application folder into the workspace (system litter left out) and return its id there.

    The user's folder is only read; every later change happens to the copy."""
    if not (folder / APPLICATION_FILE).is_file() or (folder / APPLICATION_FILE).is_symlink():
        raise UsageError(
            f"文件夹中没有 {APPLICATION_FILE}",
            where=str(folder),
            fix="请选择申请文件夹本身（里面有 application.yaml）。",
        )
    app_id = new_id()
    target = apps_dir / app_id
    try:
        _copy_regular_files(folder, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return app_id


def _copy_regular_files(folder: Path, target: Path) -> None:
    """Copy the regular files below `folder` (system litter left out) into `target`.

    A symbolic link is never followed nor copied (opening a folder once copied /etc/shadow into the
    workspace as a plain file): the walk holds each folder open (os.fwalk) and opens every name relative to
    it without following links, so a folder swapped for a link during the copy is not entered either. Nor is
    anything copied that is not a regular file (a FIFO would block the copy for ever), nor anything the user
    could not read; the copy stops at the limits a zip upload has (limits.py)."""
    if not os.access(folder, os.R_OK | os.X_OK) or not os.access(folder / APPLICATION_FILE, os.R_OK):
        raise UsageError(
            "没有读取这个文件夹的权限",
            where=str(folder),
            fix="请选择自己有权读取的申请文件夹。",
        )
    total = 0
    target.mkdir(parents=True)
    nofollow = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    walk: Iterator[tuple[str, list[str], list[str], int | None]]
    if not hasattr(os, "fwalk"):  # Windows: no dir_fd; links are still skipped by lstat below
        walk = ((d, sorted(ds), sorted(fs), None) for d, ds, fs in os.walk(folder, followlinks=False))
    else:
        walk = ((d, ds, fs, fd) for d, ds, fs, fd in os.fwalk(folder, follow_symlinks=False))
    for dirpath, dirnames, filenames, dir_fd in walk:
        base = Path(dirpath)
        rel_dir = base.relative_to(folder)
        dirnames[:] = sorted(d for d in dirnames if not is_ignored((rel_dir / d).as_posix()))
        (target / rel_dir).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            if is_ignored(rel):
                continue
            try:
                info = os.lstat(name, dir_fd=dir_fd) if dir_fd is not None else (base / name).lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # symbolic links, FIFOs, devices, sockets
            total += info.st_size
            if info.st_size > FILE_MAX_BYTES or total > ZIP_MAX_TOTAL_BYTES:
                raise InputError(
                    f"文件夹中的“{rel}”过大（单个文件上限 {human_bytes(FILE_MAX_BYTES)}，"
                    f"全部文件上限 {human_bytes(ZIP_MAX_TOTAL_BYTES)}）",
                    where=str(folder),
                    fix="请删减材料（如降低扫描分辨率）后再打开。",
                )
            try:
                fd = (
                    os.open(name, os.O_RDONLY | nofollow, dir_fd=dir_fd)
                    if dir_fd is not None
                    else os.open(base / name, os.O_RDONLY | nofollow)
                )
            except PermissionError:
                raise UsageError(
                    f"没有读取文件夹中“{rel}”的权限", where=str(folder), fix="请选择自己有权读取的文件夹。"
                ) from None
            except OSError:
                continue  # swapped for a link meanwhile
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped for something else meanwhile
                    continue
                copy_bounded(fh, target / rel_dir / name, FILE_MAX_BYTES, rel)


def unpack_zip(archive: Path, target: Path) -> None:
    """Unpack an application zip (GBK names decoded, zip-slip refused, one top folder dropped) into
    `target`. The zip's limits (total size, compression ratio, members; limits.py) are checked from its
    directory before anything is written, and every member is measured as it is written.
    """
    source = ZipSource(archive)
    target.mkdir(parents=True)
    for entry in source.entries():
        if entry.problem or is_ignored(entry.rel):
            continue
        path = inside(target, entry.rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with source.open(entry.rel) as src:
                copy_bounded(src, path, FILE_MAX_BYTES, entry.rel)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise InputError(
                f"压缩包中的“{entry.rel}”已损坏，无法解压（{type(exc).__name__}）",
                where=archive.name,
                fix="请重新打包后上传。",
            ) from None
