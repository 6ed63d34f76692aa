"""The CJK font for the pages the tool draws itself (cover, checklist, 目录, page numbers, photo captions).

fpdf2 embeds a subset of it. Noto CJK and WenQuanYi on Linux, SimSun / Microsoft YaHei / DengXian on Windows
(found by file name in the fonts folders: Windows has no fontconfig),
PingFang / Hiragino / STHeiti on macOS; `--font PATH` (or $DOSSIER_FONT) overrides. In a font
collection the Simplified Chinese face is chosen (index 2 in Noto's .ttc; 0 would be Japanese).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from struct import error as struct_error

from assembler.errors import ToolFailedError, ToolMissingError
from assembler.system.external import run_program

log = logging.getLogger(__name__)

FONT_HELP = (
    "请安装中文字体：Debian/Ubuntu 运行 `sudo apt-get install fonts-noto-cjk`；Windows 自带宋体/微软雅黑；"
    "macOS 自带苹方。也可用 --font 指定一个 .ttf/.otf/.ttc 字体文件。"
)

# (path, collection index): the Simplified Chinese face first
CANDIDATES: dict[str, list[tuple[str, int]]] = {
    "linux": [
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
        ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ],
    "darwin": [
        ("/System/Library/Fonts/PingFang.ttc", 0),
        ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),
        ("/System/Library/Fonts/STHeiti Light.ttc", 0),
        ("/Library/Fonts/Arial Unicode.ttf", 0),
    ],
}


# Windows: file names in a fonts folder, in order of preference (SimSun, Microsoft YaHei, DengXian, SimHei,
# then the other faces Windows ships for Simplified Chinese); index 0 is the Simplified Chinese face in each.
WINDOWS_FONT_FILES = [
    "simsun.ttc",
    "msyh.ttc",
    "msyh.ttf",
    "deng.ttf",
    "simhei.ttf",
    "simkai.ttf",
    "simfang.ttf",
    "nsimsun.ttf",
]


def font_folders() -> list[Path]:
    """The folders searched by file name, without fontconfig: $DOSSIER_FONT_DIRS (folders separated by the
    system's path separator; replaces the defaults), else on Windows the system's fonts folder and the
    user's own (fonts installed "for me only" go to %LOCALAPPDATA%\\Microsoft\\Windows\\Fonts)."""
    given = os.environ.get("DOSSIER_FONT_DIRS")
    if given is not None:
        return [Path(p) for p in given.split(os.pathsep) if p.strip()]
    if sys.platform != "win32":
        return []
    folders = [Path(os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows") / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return folders


def _in_font_folders(folders: list[Path]) -> CjkFont | None:
    """The first usable font of WINDOWS_FONT_FILES in `folders` (names compared without case, as Windows
    does)."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):  # the first folder wins
        try:
            found.update({entry.name.lower(): entry for entry in folder.iterdir() if entry.is_file()})
        except OSError:
            continue
    for name in WINDOWS_FONT_FILES:
        path = found.get(name)
        if path is not None and font_problem(path, 0) is None:
            return CjkFont(path, 0)
    return None


@dataclass(frozen=True)
class CjkFont:
    """A font file and the face to use in it."""

    path: Path
    index: int = 0


def _index_for(path: Path) -> int:
    return 2 if path.suffix.lower() == ".ttc" and "NotoS" in path.name and "CJK" in path.name else 0


def _fc_match() -> CjkFont | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        done = run_program(
            ["fc-match", "-f", "%{file}|%{index}", "sans-serif:lang=zh-cn"], timeout=20, name="fc-match"
        )
    except (OSError, ToolFailedError):
        return None
    out = done.stdout.decode("utf-8", "replace")
    file, _, index = out.partition("|")
    if (
        file
        and Path(file).is_file()
        and any(k in file for k in ("CJK", "wqy", "WenQuanYi", "Droid", "Hei", "Song"))
    ):
        return CjkFont(Path(file), int(index or 0))
    return None


# characters every generated page prints: a font lacking any of them would draw empty boxes or nothing
REQUIRED_CHARS = "申报材料目录第页共元鼓励金职工创新工作室单位名称统一社会信用代码"


def font_problem(path: Path, index: int = 0) -> str | None:
    """Why the file at `path` cannot draw the generated pages (not a font, or no Chinese glyphs); None when
    it can."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.stat().st_size == 0:
            return "字体文件是空的（0 字节）"
        with path.open("rb") as fh:  # fontTools leaves a file it opened itself open when it fails
            magic = fh.read(4)
            fh.seek(0)
            if magic == b"ttcf":
                collection = TTCollection(fh, lazy=True)
                font = collection.fonts[min(index, len(collection.fonts) - 1)]
            else:
                font = TTFont(fh, lazy=True, fontNumber=index)
            cmap = font.getBestCmap() or {}
    except (TTLibError, OSError, ValueError, KeyError, AssertionError, IndexError, struct_error) as exc:
        return f"不是可用的字体文件（{type(exc).__name__}），应为 .ttf、.otf 或 .ttc"
    missing = [c for c in REQUIRED_CHARS if ord(c) not in cmap]
    if missing:
        return f"字体中没有中文字形（缺少“{''.join(missing[:6])}”等字），生成的封面和目录将无法显示中文"
    return None


def _explicit_font() -> tuple[Path, str] | None:
    if "DOSSIER_FONT" not in os.environ:
        return None
    value = os.environ["DOSSIER_FONT"].strip()
    if not value:
        raise ToolMissingError(
            "环境变量 DOSSIER_FONT 为空",
            fix="请把 DOSSIER_FONT 设为中文字体文件的路径，或删除该变量以自动查找字体。",
        )
    return Path(value), "环境变量 DOSSIER_FONT"


def find_cjk_font(explicit: Path | None = None) -> CjkFont:
    """The font for generated pages; exit 3 with install instructions when there is none.

    A font given by --font or $DOSSIER_FONT is checked before use: a missing, empty or non-font file,
    or a font without Chinese glyphs (DejaVu), is refused naming the file — never a cover without Chinese.
    """
    given = (explicit, "--font") if explicit is not None else _explicit_font()
    if given is not None:
        path, how = given
        if not path.is_file():
            raise ToolMissingError(f"{how} 指定的字体文件不存在", where=str(path), fix=FONT_HELP)
        index = _index_for(path)
        problem = font_problem(path, index)
        if problem:
            raise ToolMissingError(f"{how} 指定的字体不能用：{problem}", where=str(path), fix=FONT_HELP)
        log.info("font %s (index %d), given by %s", path, index, how)
        return CjkFont(path, index)
    folders = font_folders()
    if folders:
        in_folders = _in_font_folders(folders)
        if in_folders is not None:
            log.info("font %s (index 0), found in a fonts folder", in_folders.path)
            return in_folders
        if "DOSSIER_FONT_DIRS" in os.environ:
            raise ToolMissingError(
                "DOSSIER_FONT_DIRS 指定的文件夹中没有可用的中文字体（宋体、微软雅黑、等线或黑体）",
                where=os.environ["DOSSIER_FONT_DIRS"],
                fix=FONT_HELP,
            )
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for candidate, index in CANDIDATES.get(platform, []):
        if Path(candidate).is_file():
            log.info("font %s (index %d), a known location", candidate, index)
            return CjkFont(Path(candidate), index)
    found = _fc_match()
    if found is not None and font_problem(found.path, found.index) is None:
        return found
    raise ToolMissingError("找不到可用的中文字体，无法生成封面、目录和页码", fix=FONT_HELP)
