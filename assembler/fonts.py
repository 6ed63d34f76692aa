"""The CJK font for the pages the tool draws itself (cover, checklist, 目录, page numbers, photo captions).

fpdf2 embeds a subset of it. Noto CJK and WenQuanYi on Linux, SimSun / Microsoft YaHei on Windows,
PingFang / Hiragino / STHeiti on macOS; `--font PATH` (or $DOSSIER_FONT) overrides. In a font
collection the Simplified Chinese face is chosen (index 2 in Noto's .ttc; 0 would be Japanese).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from assembler.errors import ToolFailedError, ToolMissingError
from assembler.external import run_program

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
    "win32": [
        (r"C:\Windows\Fonts\simsun.ttc", 0),
        (r"C:\Windows\Fonts\msyh.ttc", 0),
        (r"C:\Windows\Fonts\simhei.ttf", 0),
    ],
    "darwin": [
        ("/System/Library/Fonts/PingFang.ttc", 0),
        ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),
        ("/System/Library/Fonts/STHeiti Light.ttc", 0),
        ("/Library/Fonts/Arial Unicode.ttf", 0),
    ],
}


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


def find_cjk_font(explicit: Path | None = None) -> CjkFont:
    """The font for generated pages; exit 3 with install instructions when there is none."""
    explicit = explicit or (Path(os.environ["DOSSIER_FONT"]) if os.environ.get("DOSSIER_FONT") else None)
    if explicit is not None:
        if not explicit.is_file():
            raise ToolMissingError("--font 指定的字体文件不存在", where=str(explicit), fix=FONT_HELP)
        return CjkFont(explicit, _index_for(explicit))
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for path, index in CANDIDATES.get(platform, []):
        if Path(path).is_file():
            return CjkFont(Path(path), index)
    found = _fc_match()
    if found is not None:
        return found
    raise ToolMissingError("找不到可用的中文字体，无法生成封面、目录和页码", fix=FONT_HELP)
