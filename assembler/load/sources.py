"""An application is a folder or a .zip of one; both are read through the same small interface.

The tool only ever reads from a source, never writes to it. Zips made on Chinese Windows store
GBK names without the UTF-8 flag: names are decoded per member. Members that would land outside
the folder (zip-slip) make the whole zip refused; symlinks leading outside a folder are reported.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from assembler.errors import InputError
from assembler.limits import (
    FILE_MAX_BYTES,
    MB,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_MAX_TOTAL_BYTES,
    ZIP_RATIO_FLOOR,
    human_bytes,
)

IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "__macosx"}
MAX_MEMBER_BYTES = FILE_MAX_BYTES
MAX_ZIP_TOTAL_BYTES = ZIP_MAX_TOTAL_BYTES
_UNREADABLE_MEMBER = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)


@dataclass(frozen=True)
class Entry:
    """One file of an application as listed by its source: path relative to the root, size, and a problem if
    any.
    """

    rel: str
    size: int
    problem: str | None = None


def is_ignored(rel: str) -> bool:
    """System litter (Finder, Explorer, Office lock files) that is never evidence."""
    parts = PurePosixPath(rel).parts
    return any(p.lower() in IGNORED_NAMES or p.startswith(".") or p.startswith("~$") for p in parts)


class Source(Protocol):
    """What the pipeline needs from an application folder or zip."""

    display: str
    folder: Path | None  # the folder on disk (its files open for random access); None for a zip

    def exists(self, rel: str) -> bool: ...

    def read_bytes(self, rel: str) -> bytes: ...

    def open(self, rel: str) -> BinaryIO: ...

    def entries(self) -> list[Entry]: ...


class FolderSource:
    """An application folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder: Path | None = root
        self.display = str(root)
        self._real = root.resolve()

    def _path(self, rel: str) -> Path:
        path = self.root / rel
        if not path.resolve().is_relative_to(self._real):
            raise InputError(
                f"路径“{rel}”指向申请文件夹之外", where=self.display, fix="只能引用申请文件夹内的文件。"
            )
        return path

    def exists(self, rel: str) -> bool:
        try:
            return self._path(rel).is_file()
        except InputError:
            return False

    def read_bytes(self, rel: str) -> bytes:
        return self._path(rel).read_bytes()

    def open(self, rel: str) -> BinaryIO:
        return self._path(rel).open("rb")

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            base = Path(dirpath)
            for name in list(dirnames):
                full = base / name
                if full.is_symlink():
                    dirnames.remove(name)
                    rel = printable_name(full.relative_to(self.root).as_posix())
                    inside = full.resolve().is_relative_to(self._real)
                    out.append(
                        Entry(
                            rel,
                            0,
                            "文件夹快捷方式（符号链接）"
                            + ("指向申请文件夹之外，已拒绝" if not inside else "不会被展开，请放入真实文件"),
                        )
                    )
            for name in filenames:
                full = base / name
                rel = full.relative_to(self.root).as_posix()
                if not _encodable(rel):
                    out.append(Entry(printable_name(rel), 0, UNDECODABLE_NAME))
                    continue
                if full.is_symlink():
                    target = full.resolve()
                    if not target.is_relative_to(self._real):
                        out.append(Entry(rel, 0, "符号链接指向申请文件夹之外，已拒绝"))
                        continue
                    if not target.is_file():
                        out.append(Entry(rel, 0, "符号链接指向的文件不存在"))
                        continue
                try:
                    st = full.stat()
                except OSError as exc:
                    out.append(Entry(rel, 0, f"无法读取：{exc.strerror}"))
                    continue
                if stat.S_ISREG(st.st_mode):
                    out.append(Entry(rel, st.st_size))
        return sorted(out, key=lambda e: e.rel)


UNDECODABLE_NAME = "文件名含有无法识别的字符（不是 UTF-8 编码），无法放入申报材料：请重命名该文件"


def _encodable(rel: str) -> bool:
    """False for a name the file system gave as bytes that are not UTF-8 (Python keeps them as surrogates):
    such a name cannot be printed, written into a PDF or a JSON report."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_name(rel: str) -> str:
    """`rel` with its undecodable bytes shown as �."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flagged, else the bytes reread as UTF-8 or GB18030 (Chinese
    Windows).
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")  # shown with �; the member is refused (UNDECODABLE_NAME)


def undecodable_member_name(info: zipfile.ZipInfo) -> bool:
    """True for a name without the UTF-8 flag that is neither UTF-8 nor GB18030 (bytes such as 0xFF)."""
    return (
        not info.flag_bits & 0x800 and "\ufffd" in decode_member_name(info) and "\ufffd" not in info.filename
    )


def _safe_member(name: str, display: str) -> str | None:
    """The member's posix path, or None for a directory; InputError when it would escape the folder."""
    norm = name.replace("\\", "/")
    drive = len(norm) > 1 and norm[1] == ":" and norm[0].isascii() and norm[0].isalpha()  # C:… (not 7:…)
    if norm.startswith("/") or drive or ".." in PurePosixPath(norm).parts:
        raise InputError(
            f"压缩包中的“{name}”指向解压目录之外（zip-slip），整个压缩包已拒绝",
            where=display,
            fix="请重新用“发送到 → 压缩文件夹”打包申请文件夹。",
        )
    if norm.endswith("/"):
        return None
    return str(PurePosixPath(norm))


def check_zip_limits(infos: list[zipfile.ZipInfo], display: str) -> None:
    """InputError for a zip that would unpack into more than the limits allow (limits.py), from its
    directory alone: nothing is decompressed. The sizes are trustworthy bounds: zipfile never yields more
    than a member's declared size (and fails its CRC check when the data differ)."""
    if len(infos) > ZIP_MAX_MEMBERS:
        raise InputError(
            f"压缩包中有 {len(infos):,} 个文件，超过 {ZIP_MAX_MEMBERS:,} 个的上限", where=display
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"压缩包中的“{decode_member_name(info)}”压缩比异常（{info.compress_size:,} 字节解压为 "
                f"{info.file_size:,} 字节，超过 {ZIP_MAX_RATIO} 倍），可能是压缩炸弹，已拒绝",
                where=display,
                fix="照片和 PDF 本身已压缩，正常的申请压缩包不会有这样的压缩比；请检查压缩包来源。",
            )
    if total > ZIP_MAX_TOTAL_BYTES:
        raise InputError(
            f"压缩包解压后共 {total / MB:,.0f} MB，超过 {human_bytes(ZIP_MAX_TOTAL_BYTES)} 的上限"
            "（可能是压缩炸弹），已拒绝",
            where=display,
            fix="请删减材料（如降低扫描分辨率）后重新打包。",
        )


class ZipSource:
    """A .zip of an application folder; a single top-level folder inside it is taken as the root."""

    def __init__(self, path: Path) -> None:
        self.display = str(path)
        self.folder: Path | None = None
        try:
            self._zip = zipfile.ZipFile(path)
        except UnicodeDecodeError:  # a member name flagged UTF-8 that is not: zipfile cannot list the zip
            raise InputError(
                "压缩包中有文件名已损坏（标为 UTF-8 编码却不是），无法读取",
                where=self.display,
                fix="请重新打包，或直接给出申请文件夹。",
            ) from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(
                f"不是有效的 zip 压缩包（{exc}）",
                where=self.display,
                fix="请重新打包，或直接给出申请文件夹。",
            ) from None
        members: dict[str, zipfile.ZipInfo] = {}
        problems: dict[str, str] = {}
        infos = self._zip.infolist()
        check_zip_limits(infos, self.display)
        for info in infos:
            name = _safe_member(decode_member_name(info), self.display)
            if name is None:
                continue
            if name in members:
                raise InputError(
                    f"压缩包中有两个同名文件“{name}”，无法确定用哪一个",
                    where=self.display,
                    fix="请删除重复的文件后重新打包。",
                )
            if undecodable_member_name(info):
                problems[name] = UNDECODABLE_NAME
            elif (info.external_attr >> 16) & 0o170000 == stat.S_IFLNK:
                problems[name] = "压缩包中的符号链接，已拒绝"
            elif info.flag_bits & 0x1:
                problems[name] = "压缩包中的文件设了密码，无法读取"
            elif info.file_size > MAX_MEMBER_BYTES:
                problems[name] = f"解压后超过 {human_bytes(MAX_MEMBER_BYTES)}，已拒绝"
            members[name] = info
        if members and all(i.flag_bits & 0x1 for i in members.values()):
            raise InputError(
                "压缩包设了密码（已加密），无法读取",
                where=self.display,
                fix="请不设密码重新打包，或直接给出申请文件夹。",
            )
        top = {PurePosixPath(n).parts[0] for n in members if not is_ignored(n)}
        self._prefix = ""
        if "application.yaml" not in members and len(top) == 1:
            only = next(iter(top))
            if f"{only}/application.yaml" in members:
                self._prefix = only + "/"
        self._members = {n[len(self._prefix) :]: i for n, i in members.items() if n.startswith(self._prefix)}
        self._problems = {
            n[len(self._prefix) :]: p for n, p in problems.items() if n.startswith(self._prefix)
        }
        if self._problems.get("application.yaml", "").endswith("设了密码，无法读取"):
            raise InputError(
                "压缩包中的 application.yaml 设了密码，无法读取",
                where=self.display,
                fix="请不设密码重新打包。",
            )

    def exists(self, rel: str) -> bool:
        return rel in self._members and rel not in self._problems

    def read_bytes(self, rel: str) -> bytes:
        try:
            with self.open(rel) as fh:
                return fh.read()
        except _UNREADABLE_MEMBER as exc:
            raise InputError(
                f"压缩包中的“{rel}”已损坏，无法解压（{type(exc).__name__}）",
                where=self.display,
                fix="请重新打包。",
            ) from None

    def open(self, rel: str) -> BinaryIO:
        if rel not in self._members or rel in self._problems:
            raise InputError(f"压缩包中没有可读的“{rel}”", where=self.display)
        try:
            return self._zip.open(self._members[rel])  # type: ignore[return-value]
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise InputError(f"压缩包中的“{rel}”无法解压（{exc}）", where=self.display) from None

    def entries(self) -> list[Entry]:
        return sorted(
            (Entry(rel, info.file_size, self._problems.get(rel)) for rel, info in self._members.items()),
            key=lambda e: e.rel,
        )


def open_source(path: Path) -> Source:
    """The application at `path`: a folder, or a .zip of one."""
    if path.is_dir():
        return FolderSource(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return ZipSource(path)
    if not path.exists():
        raise InputError("找不到该文件夹", where=str(path), fix="请检查路径是否写对。")
    raise InputError("应为申请文件夹或其 .zip 压缩包", where=str(path))
