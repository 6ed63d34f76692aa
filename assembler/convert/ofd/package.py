"""The OFD package: a bounded zip of XML parts (untrusted input: sizes, ratio and DTDs refused)."""

from __future__ import annotations

import io
import itertools
import math
import posixpath
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Self
from xml.etree import ElementTree as ET

from assembler.convert.ofd.common import FIX_EXPORT
from assembler.errors import InputError
from assembler.limits import OFD_MAX_OBJECTS_PER_PAGE as MAX_OBJECTS
from assembler.limits import OFD_MAX_PART_BYTES as MAX_PART_BYTES
from assembler.limits import OFD_MAX_PARTS as MAX_PARTS
from assembler.limits import OFD_MAX_RATIO as MAX_RATIO
from assembler.limits import OFD_MAX_TOTAL_BYTES as MAX_TOTAL_BYTES
from assembler.limits import OFD_MAX_XML_BYTES as MAX_XML_BYTES
from assembler.limits import OFD_RATIO_FLOOR as RATIO_FLOOR


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name] if el is not None else []


def _kid(el: ET.Element | None, name: str) -> ET.Element | None:
    found = _kids(el, name)
    return found[0] if found else None


def _kid_text(el: ET.Element | None, name: str) -> str | None:
    child = _kid(el, name)
    return child.text.strip() if child is not None and child.text and child.text.strip() else None


def _floats(text: str | None) -> list[float]:
    if not text:
        return []
    out = []
    for token in text.replace(",", " ").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return [v if math.isfinite(v) else 0.0 for v in out]


_SERIALS = itertools.count()

# what zipfile raises on damaged archives (NotImplementedError: an unknown method or version)
_DRAWN = {"TextObject", "PathObject", "ImageObject", "CompositeObject", "PageBlock"}

_COUNT_OVER = 256 * 1024  # parts smaller than this cannot hold MAX_OBJECTS objects: not counted twice

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
    struct.error,
)


class _Package:
    """The zip, opened once, with its size limits checked before anything is decompressed."""

    def __init__(self, source: str | Path | bytes | BinaryIO, where: str) -> None:
        self.where = where
        self.serial = next(_SERIALS)  # tells packages apart in caches (an id() can be reused)
        try:
            handle = io.BytesIO(source) if isinstance(source, bytes) else source
            self.zf = zipfile.ZipFile(handle)
            infos = self.zf.infolist()
        except _ZIP_ERRORS as exc:
            raise self.error(
                f"OFD 文件已损坏，无法作为压缩包打开（{type(exc).__name__}），可能下载或复制不完整"
            ) from exc
        if len(infos) > MAX_PARTS:
            raise self.error(f"OFD 文件包含的部件过多（{len(infos)} 个），已拒绝")
        total = 0
        self.names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise self.error("OFD 文件的部件已加密，无法读取")
            if info.file_size > MAX_PART_BYTES or (
                info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise self.error(
                    f"OFD 文件中的部件 {info.filename} 解压后异常巨大（{info.file_size // 1_000_000} MB），"
                    "可能是压缩炸弹，已拒绝"
                )
            total += info.file_size
            name = info.filename.replace("\\", "/").lstrip("/")
            if not info.is_dir():
                self.names.setdefault(name.lower(), info)
        if total > MAX_TOTAL_BYTES:
            raise self.error(f"OFD 文件解压后共 {total // 1_000_000} MB，超过上限，可能是压缩炸弹，已拒绝")

    def error(self, message: str) -> InputError:
        return InputError(message, where=self.where, fix=FIX_EXPORT)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def has(self, name: str | None) -> bool:
        return name is not None and name.lower() in self.names

    def read(self, name: str) -> bytes:
        info = self.names.get(name.lower())
        if info is None:
            raise self.error(f"OFD 文件缺少部件 {name}")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(min(info.file_size, MAX_PART_BYTES) + 1)
        except _ZIP_ERRORS as exc:
            raise self.error(f"OFD 文件的部件 {name} 已损坏，无法解压（{type(exc).__name__}）") from exc
        if len(data) > info.file_size:
            raise self.error(f"OFD 文件的部件 {name} 比声明的大，可能是压缩炸弹，已拒绝")
        return data

    def xml(self, name: str) -> ET.Element:
        info = self.names.get(name.lower())
        if info is not None and info.file_size > MAX_XML_BYTES:
            raise self.error(f"OFD 文件的部件 {name} 过大（{info.file_size // 1_000_000} MB），已拒绝")
        data = self.read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise self.error(f"OFD 文件的部件 {name} 含有 DTD 声明，不符合 OFD 标准，已拒绝")
        try:
            if len(data) > _COUNT_OVER:
                self._count_objects(name, data)
            return ET.fromstring(data)
        except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding
            raise self.error(f"OFD 文件的部件 {name} 不是有效的 XML（{exc}）") from exc

    def _count_objects(self, name: str, data: bytes) -> None:
        """InputError when the part draws more than OFD_MAX_OBJECTS_PER_PAGE objects, counted streaming
        (no tree is built): 400,000 text objects on one page took the renderer past 8 GB."""
        count = 0
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
            if _local(element.tag) in _DRAWN:
                count += 1
                if count > MAX_OBJECTS:
                    raise self.error(
                        f"OFD 文件的部件 {name} 的图文对象超过 {MAX_OBJECTS:,} 个的上限（每页），已拒绝"
                    )
                element.clear()

    def xml_or_none(self, name: str | None) -> ET.Element | None:
        return self.xml(name) if name is not None and self.has(name) else None


def _join(base_dir: str, loc: str | None) -> str | None:
    """A part name from a location that is absolute (`/Doc_0/…`) or relative to `base_dir`."""
    if not loc:
        return None
    loc = loc.strip().replace("\\", "/")
    path = posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))
    return None if path.startswith("..") or path == "." else path
