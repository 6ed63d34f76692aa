"""Editing an application folder that the tool owns (the web app's workspace copies, never the user's
originals):
write application.yaml from data, place uploaded evidence under its material, remove a file, unpack a zip."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path, PurePosixPath
from typing import IO

import yaml
from pydantic import ValidationError

from assembler.application import validation_messages
from assembler.errors import InputError, UsageError
from assembler.files import write_atomically
from assembler.match import leading_number
from assembler.schema import APPLICATION_FILE, Application
from assembler.sources import ZipSource, is_ignored
from assembler.specs import Checklist

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


def validate_application(data: dict) -> list[str]:
    """The same messages as `dossier check` gives for application.yaml, one per problem (empty when valid)."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    from assembler.yamlio import load_yaml

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
        target_dir = target_dir / safe_name(meeting)
    target_dir.mkdir(parents=True, exist_ok=True)
    name = safe_name(filename)
    target = target_dir / name
    stem, dot, ext = name.rpartition(".")
    n = 2
    while target.exists():
        target = target_dir / (f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）")
        n += 1
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return target.relative_to(folder).as_posix()


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


def new_id() -> str:
    """A fresh, sortable name for something in the workspace (an application, a review batch)."""
    import datetime as dt
    import secrets

    return dt.datetime.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)


def copy_application(folder: Path, apps_dir: Path) -> str:
    """Copy an application folder into the workspace (system litter left out) and return its id there.

    The user's folder is only read; every later change happens to the copy."""
    if not (folder / APPLICATION_FILE).is_file():
        raise UsageError(
            f"文件夹中没有 {APPLICATION_FILE}",
            where=str(folder),
            fix="请选择申请文件夹本身（里面有 application.yaml）。",
        )
    app_id = new_id()
    shutil.copytree(folder, apps_dir / app_id, ignore=shutil.ignore_patterns(".*", "~$*"))
    return app_id


def unpack_zip(archive: Path, target: Path) -> None:
    """Unpack an application zip (GBK names decoded, zip-slip refused, one top folder dropped) into
    `target`.
    """
    source = ZipSource(archive)
    target.mkdir(parents=True)
    for entry in source.entries():
        if entry.problem or is_ignored(entry.rel):
            continue
        path = inside(target, entry.rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        with source.open(entry.rel) as src, path.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
