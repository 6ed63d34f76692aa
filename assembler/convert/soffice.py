"""The one wrapper around LibreOffice (`soffice --headless --convert-to pdf`).

Measured on this kind of machine (see the project's toolchain notes): one call converts many files
far faster than one call per file; two runs sharing a profile make one of them fail silently, so
every run gets a private throw-away profile; a hung converter is killed after a timeout. Converted
PDFs are cached by content hash, so an unchanged file is never converted twice, and every PDF is
checked to exist and open before it is used.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assembler.errors import ToolFailedError, ToolMissingError
from assembler.limits import SOFFICE_MAX_MEMORY, SOFFICE_SECONDS_PER_FILE, human_bytes
from assembler.system.cache import PdfCache, default_cache_dir, file_key, pdf_pages
from assembler.system.external import run_program

log = logging.getLogger(__name__)

INSTALL_HELP = (
    "请安装 LibreOffice：Debian/Ubuntu 运行 "
    "`sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk`；"
    "Windows 从 LibreOffice 官网下载安装包安装（默认装在 C:\\Program Files\\LibreOffice）；"
    "macOS 运行 `brew install --cask libreoffice` 或从官网下载。"
    "已安装在其他位置时用 --soffice 指定 soffice 程序。"
)
CANDIDATES = {
    "darwin": ["/Applications/LibreOffice.app/Contents/MacOS/soffice"],
}
DEFAULT_TIMEOUT = 300
CACHE_KIND = "soffice"

# 宋体、仿宋、黑体… are not installed on Linux; map them to the Simplified Chinese Noto faces (or WenQuanYi).
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
SERIF = ["宋体", "SimSun", "仿宋", "FangSong", "仿宋_GB2312", "楷体", "KaiTi", "方正小标宋简体", "新宋体"]
SANS = ["黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"]


def _fontconfig() -> str:
    def alias(family: str, prefer: list[str]) -> str:
        fams = "".join(f"<family>{p}</family>" for p in prefer)
        return f'  <alias binding="same"><family>{family}</family><prefer>{fams}</prefer></alias>'

    lines = [alias(f, ["Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"]) for f in SERIF]
    lines += [alias(f, ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei"]) for f in SANS]
    lines.append(alias("Times New Roman", ["Liberation Serif", "Noto Serif CJK SC"]))
    return FONTCONFIG.format(aliases="\n".join(lines))


def find_soffice(explicit: Path | None = None) -> Path:
    """The soffice program: `explicit` (--soffice), $DOSSIER_SOFFICE, PATH, or the standard install
    folders (on Windows also the registry's install path and a portable copy beside the tool).
    """
    if explicit is not None:
        if explicit.is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise ToolMissingError("--soffice 指定的程序不存在或不可执行", where=str(explicit), fix=INSTALL_HELP)
    env = os.environ.get("DOSSIER_SOFFICE")
    if env:
        return find_soffice(Path(env))
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    elsewhere = [Path(c) for c in CANDIDATES.get(sys.platform, [])]
    candidates = windows_candidates() if sys.platform == "win32" else elsewhere
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ToolMissingError(
        "找不到 LibreOffice（soffice），无法把 Word/Excel 文件转换为 PDF", fix=INSTALL_HELP
    )


def windows_candidates(
    environ: dict[str, str] | None = None, registry: list[str] | None = None, app_dir: Path | None = None
) -> list[Path]:
    """Where LibreOffice's soffice.exe may be on Windows, in order: the install folder the registry names
    (LibreOffice's installer writes it), the Program Files folders, a per-user install, and a portable copy
    beside this tool (LibreOffice Portable, or a LibreOffice folder unpacked there)."""
    environ = dict(os.environ) if environ is None else environ
    folders = [Path(p) for p in (registry_install_paths() if registry is None else registry)]
    for var in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        if environ.get(var):
            folders.append(Path(environ[var]) / "LibreOffice" / "program")
    folders += [Path(r"C:\Program Files\LibreOffice\program")]
    if environ.get("LOCALAPPDATA"):
        folders.append(Path(environ["LOCALAPPDATA"]) / "Programs" / "LibreOffice" / "program")
    app = app_dir or Path(sys.executable).resolve().parent.parent  # the bundle: <app>\python\python.exe
    folders += [
        app / "LibreOffice" / "program",
        app / "LibreOfficePortable" / "App" / "libreoffice" / "program",
        app.parent / "LibreOfficePortable" / "App" / "libreoffice" / "program",
    ]
    out: list[Path] = []
    for folder in folders:
        exe = folder / "soffice.exe"
        if exe not in out:
            out.append(exe)
    return out


UNO_INSTALL_PATH = r"SOFTWARE\LibreOffice\UNO\InstallPath"


def registry_install_paths() -> list[str]:
    """LibreOffice's program folders as its installer records them in the Windows registry (both views, all
    users and this user); empty elsewhere."""
    if sys.platform != "win32":
        return []
    import winreg

    found = []
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
            try:
                with winreg.OpenKey(hive, UNO_INSTALL_PATH, 0, winreg.KEY_READ | view) as key:
                    value, _ = winreg.QueryValueEx(key, "")
            except OSError:
                continue
            if isinstance(value, str) and value and value not in found:
                found.append(value)
    return found


TIMEOUT_FIX = "文件可能过大或已损坏：请在 Word/WPS 中打开后“另存为 PDF”再放入。"


def _run(
    args: list[str], timeout: float, env: dict[str, str], what: str
) -> subprocess.CompletedProcess[bytes]:
    return run_program(args, timeout=timeout, env=env, name=f"LibreOffice {what}", timeout_fix=TIMEOUT_FIX)


@dataclass
class Soffice:
    """A probed LibreOffice: converts batches of Office files to PDF with a cache."""

    program: Path
    timeout: float = DEFAULT_TIMEOUT
    cache_dir: Path = field(default_factory=default_cache_dir)
    calls: int = 0  # how many times soffice was started to convert (for tests and benchmarks)
    memory: int = SOFFICE_MAX_MEMORY  # bytes of address space for each soffice call (limits.py)
    _version: str | None = None
    _last_error: list[str] = field(default_factory=list)  # the tail of the last call's stderr
    _timed_out: str = ""  # why the last call stopped, when it was killed for overrunning its time

    @classmethod
    def locate(
        cls, explicit: Path | None = None, timeout: float = DEFAULT_TIMEOUT, cache_dir: Path | None = None
    ) -> Soffice:
        """Find soffice and check that it runs (exit 3 with install instructions when it does not)."""
        office = cls(find_soffice(explicit), timeout=timeout, cache_dir=cache_dir or default_cache_dir())
        office.version()
        return office

    def _env(self, work: Path) -> dict[str, str]:
        env = dict(os.environ)
        env["HOME"] = str(work)  # LibreOffice writes under HOME on some versions
        env.pop("SAL_USE_VCLPLUGIN", None)
        if Path("/etc/fonts/fonts.conf").exists():
            conf = work / "fonts.conf"
            conf.write_text(_fontconfig(), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        return env

    def version(self) -> str:
        """The probe: `soffice --version` (also part of the cache key).

        The answer is remembered in the cache folder per program file (path, size, modification time),
        so that a rebuild does not pay the second it takes LibreOffice to start.
        """
        if self._version is not None:
            return self._version
        real = self.program.resolve()
        st = real.stat()
        memo = (
            self.cache_dir
            / "soffice-version"
            / hashlib.sha256(f"{real}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
        )
        if memo.is_file():
            self._version = memo.read_text(encoding="utf-8")
            return self._version
        with tempfile.TemporaryDirectory(prefix="dossier-soffice-") as work:
            try:
                done = _run(
                    [str(self.program), "--version"], min(self.timeout, 60), self._env(Path(work)), "启动"
                )
            except OSError as exc:
                raise ToolMissingError(
                    f"无法运行 LibreOffice（{exc.strerror}）", where=str(self.program), fix=INSTALL_HELP
                ) from None
        text = done.stdout.decode("utf-8", "replace").strip()
        if done.returncode != 0 or "LibreOffice" not in text and "OpenOffice" not in text:
            raise ToolMissingError(
                f"{self.program} 不是可用的 LibreOffice（--version 返回 {done.returncode}）", fix=INSTALL_HELP
            )
        self._version = text.splitlines()[0]
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(self._version, encoding="utf-8")
        return self._version

    def _key(self, path: Path, name: str) -> str:
        # the file's name is part of its conversion: Word prints it in a file-name field
        return file_key(path, CACHE_KIND, self.version(), path.suffix.lower(), name)

    def convert(self, sources: list[Path], names: dict[Path, str] | None = None) -> dict[Path, Path]:
        """Each source file's PDF (in the cache), converting all uncached ones in as few soffice calls as
        their names allow. `names` gives each source's name as the user knows it (its path in the
        application): the file is converted under that name, so a Word file-name field prints it and not a
        temporary one, and a failure names it. Each call runs under a memory limit and a time limit that
        grows with the number of files; when a call fails, its files are retried one at a time, so that
        the refusal names only the file that cannot be converted."""
        names = names or {}
        cache = PdfCache(self.cache_dir)
        result: dict[Path, Path] = {}
        todo: list[tuple[Path, str, str]] = []
        for src in sources:
            shown = names.get(src, src.name)
            key = self._key(src, PurePosixPath(shown).name)
            hit = cache.lookup(CACHE_KIND, key)
            if hit is not None:
                result[src] = hit
            else:
                todo.append((src, key, shown))
        log.info("LibreOffice: %d of %d files from the cache", len(result), len(sources))
        failed: list[tuple[Path, str, str]] = []
        for batch in _batches(todo):
            failed += self._convert(batch, cache, result)
        if failed and len(todo) > 1:
            again, failed = failed, []
            for item in again:
                failed += self._convert([item], cache, result)
        if failed:
            why = f"（{self._timed_out}）" if self._timed_out else ""
            raise ToolFailedError(
                f"LibreOffice 未能把以下文件转换为 PDF{why}：{'、'.join(shown for _, _, shown in failed)}",
                where=failed[0][2],
                details=self._last_error[-3:],
                fix=(
                    "文件可能已损坏、设有密码，或内容过大过繁（每个文件转换时限 "
                    f"{SOFFICE_SECONDS_PER_FILE} 秒、内存上限 {human_bytes(self.memory)}）："
                    "请在 Word/WPS 中打开，确认无误后“另存为 PDF”再放入。"
                ),
            )
        return result

    def _convert(
        self, batch: list[tuple[Path, str, str]], cache: PdfCache, result: dict[Path, Path]
    ) -> list[tuple[Path, str, str]]:
        """One soffice call for `batch` (names unique by stem); the items it could not convert."""
        with tempfile.TemporaryDirectory(prefix="dossier-soffice-") as tmp:
            work = Path(tmp)
            outdir, profile = work / "out", work / "profile"
            inputs, outputs = [], []
            for i, (src, _, shown) in enumerate(batch):
                staged = work / "in" / f"{i:05d}" / _file_name(shown, src)  # the user's own file name
                staged.parent.mkdir(parents=True)
                shutil.copyfile(src, staged)
                inputs.append(str(staged))
                outputs.append(outdir / f"{staged.stem}.pdf")
            args = [
                str(self.program),
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *inputs,
            ]
            self.calls += 1
            timeout = (
                max(self.timeout, SOFFICE_SECONDS_PER_FILE * len(batch))
                if len(batch) > 1
                else (min(self.timeout, SOFFICE_SECONDS_PER_FILE))
            )
            try:
                done = run_program(
                    args,
                    timeout=timeout,
                    env=self._env(work),
                    name="LibreOffice 转换",
                    timeout_fix=TIMEOUT_FIX,
                    memory=self.memory,
                )
                self._last_error = done.stderr.decode("utf-8", "replace").strip().splitlines()
                self._timed_out = ""
                if done.returncode != 0:
                    log.warning("LibreOffice exited %s converting %d files", done.returncode, len(batch))
            except ToolFailedError as exc:  # over its time: what it finished is kept, the rest retried
                self._last_error = [exc.message]
                self._timed_out = f"转换超过 {timeout:g} 秒仍未完成，已终止"
            failed = []
            for (src, key, _), pdf in zip(batch, outputs, strict=True):
                if pdf.is_file() and pdf_pages(pdf) > 0:
                    result[src] = cache.store(CACHE_KIND, key, pdf)
                else:
                    failed.append((src, key, _))
        return failed


def _file_name(shown: str, src: Path) -> str:
    """The name a file is converted under: the user's (its last path part), with the real file's
    extension when the user's name has none."""
    name = PurePosixPath(shown.replace("\\", "/")).name or src.name
    return name if "." in name.strip(".") else name + src.suffix.lower()


def _batches(todo: list[tuple[Path, str, str]]) -> list[list[tuple[Path, str, str]]]:
    """`todo` split into calls whose files have different stems (soffice names each PDF after its
    file's stem in one output folder); most applications need one call."""
    batches: list[list[tuple[Path, str, str]]] = []
    stems: list[set[str]] = []
    for item in todo:
        stem = Path(_file_name(item[2], item[0])).stem.casefold()
        for batch, seen in zip(batches, stems, strict=True):
            if stem not in seen:
                batch.append(item)
                seen.add(stem)
                break
        else:
            batches.append([item])
            stems.append({stem})
    return batches
