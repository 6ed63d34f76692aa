"""`dossier doctor`: what this computer has and what it lacks for each part of the tool, on any platform.

Only `build` and `fill --pdf` need LibreOffice, and only `build` needs a Chinese font; checking, filling the
Word forms, verifying, reviewing and the register need nothing but the tool itself. The web app shows the
same words (WITHOUT_OFFICE) when LibreOffice is missing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from assembler import __version__
from assembler.errors import DossierError

WORKS_WITHOUT_OFFICE = (
    "检查申请（check）、填写申请表为 Word 文件（fill，.docx）、核验（verify）、评审汇总（review）和登记簿"
)
NEEDS_OFFICE = "生成申报材料 PDF（build）和把申请表转成 PDF（fill --pdf）"
OFFICE_DOWNLOAD = (
    "从 LibreOffice 官网（https://zh-cn.libreoffice.org/download/）下载 Windows 版安装包，按默认位置安装；"
    "装好后重新打开本工具即可，本工具会自动找到它（也可以把便携版放在本工具文件夹旁，或用 --soffice 指定）。"
)
WITHOUT_OFFICE = f"未找到 LibreOffice。不装它也能用：{WORKS_WITHOUT_OFFICE}。需要它的是：{NEEDS_OFFICE}。"
# the same for the web pages, which name no command or option
WEB_WITHOUT_OFFICE = (
    "未找到 LibreOffice。不装它也能用：检查申请、填写申请表（Word 文件）、核验收到的申报材料、"
    "评审汇总和登记簿。"
    "需要它的是：生成申报材料 PDF、把申请表转成 PDF。安装方法：从 LibreOffice 官网"
    "（https://zh-cn.libreoffice.org/download/）下载安装包，按默认位置安装；装好后重新打开本工具，"
    "本工具会自动找到它。"
)


@dataclass(frozen=True)
class Item:
    """One thing the tool may need: present or missing, what it is used for, and how to get it."""

    name: str
    present: bool
    detail: str
    used_for: str
    fix: str = ""
    optional: bool = False  # missing is fine: only one feature needs it, on demand


def _office(explicit: Path | None) -> Item:
    from assembler.convert.soffice import Soffice, find_soffice

    used = NEEDS_OFFICE
    try:
        program = find_soffice(explicit)
        version = Soffice(program, timeout=60).version()
    except DossierError as exc:
        return Item(
            "LibreOffice",
            False,
            exc.message,
            used,
            f"{OFFICE_DOWNLOAD}不装它也能用：{WORKS_WITHOUT_OFFICE}。",
        )
    return Item("LibreOffice", True, f"{program}（{version}）", used)


def _font(explicit: Path | None) -> Item:
    from assembler.system.fonts import FONT_HELP, find_cjk_font

    used = "申报材料的封面、目录和页码（build）"
    try:
        font = find_cjk_font(explicit)
    except DossierError as exc:
        return Item("中文字体", False, exc.message, used, FONT_HELP)
    return Item("中文字体", True, str(font.path), used)


def _folder(name: str, path: Path, used: str) -> Item:
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if os.access(probe, os.W_OK):
        return Item(name, True, str(path), used)
    return Item(
        name, False, f"{path}（没有写入权限）", used, "请检查该文件夹的权限，或用环境变量改到别的位置。"
    )


def diagnose(soffice: Path | None = None, font: Path | None = None) -> list[Item]:
    """Everything `doctor` reports, in the order it prints it."""
    from assembler.integrity.sign import default_key_path
    from assembler.system.cache import default_cache_dir
    from assembler.web.app import default_workspace

    py = sys.version.split()[0]
    items = [Item("本工具", True, f"dossier {__version__}，Python {py}（{sys.platform}）", "全部功能")]
    items.append(_office(soffice))
    items.append(_font(font))
    items.append(_folder("网页版工作区", default_workspace(), "网页版中的申请和生成的文件（dossier serve）"))
    items.append(_folder("转换缓存", default_cache_dir(), "已转换的文件，重新生成时不再转换"))
    key = default_key_path()
    items.append(
        Item(
            "签名密钥",
            key.is_file(),
            str(key) if key.is_file() else "尚未生成（可选）",
            "为申报材料签名（build --sign）",
            "" if key.is_file() else "需要签名时运行 dossier keygen --name 单位名称。",
            optional=True,
        )
    )
    return items


def as_json(items: list[Item]) -> list[dict[str, object]]:
    """The items for `doctor --json`."""
    return [asdict(item) for item in items]
