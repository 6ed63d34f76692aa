"""What differs on Windows, tested on Linux: process liveness and tree kill through psutil, photo workers
that stop when the build is gone (without os.getppid()), an output held open by another program, CJK fonts
found by file name in a fonts folder (no fontconfig), and where LibreOffice is looked for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pikepdf
import psutil
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from assembler.cli import cli
from assembler.convert.soffice import windows_candidates
from assembler.errors import ExitCode, FileSystemError, ToolFailedError, ToolMissingError
from assembler.files import write_atomically
from assembler.pipeline.assemble import save_atomically
from assembler.system.external import run_program
from assembler.system.fonts import find_cjk_font

ROOT = Path(__file__).resolve().parent.parent
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


# ---- tree kill -----------------------------------------------------------------------------------


def test_timeout_kills_a_grandchild_that_left_the_process_group(tmp_path):
    """Like soffice.bin under soffice.exe on Windows: the program's own children die with it on a timeout,
    even one in another session that a process-group kill would miss."""
    pidfile = tmp_path / "grandchild.pid"
    script = textwrap.dedent(
        f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open({str(pidfile)!r}, "w").write(str(child.pid))
        time.sleep(120)
        """
    )
    started = time.monotonic()
    with pytest.raises(ToolFailedError) as info:
        run_program([sys.executable, "-c", script], timeout=3, name="测试程序")
    assert "超过 3 秒" in info.value.render()
    assert time.monotonic() - started < 30
    grandchild = int(pidfile.read_text())
    try:
        assert _wait_gone(grandchild, 10), "the program's child outlived the timeout"
    finally:
        if psutil.pid_exists(grandchild):
            os.kill(grandchild, 9)


# ---- photo workers -------------------------------------------------------------------------------

WORKER = """
import sys, time
from assembler.convert.images import die_with_parent
die_with_parent(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(60)
"""


def test_photo_worker_stops_when_the_build_is_gone_without_a_parent_change():
    """The watchdog watches the build's process itself: here the build is not the worker's parent (as under
    a forkserver, or on Windows where the parent pid never changes), and the worker still stops."""
    build = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(build.pid)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "watching"
        time.sleep(0.7)
        assert worker.poll() is None, "the worker stopped while the build was running"
        build.kill()
        build.wait(timeout=10)
        assert worker.wait(timeout=10) == 1
    finally:
        for proc in (build, worker):
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        if worker.stdout:
            worker.stdout.close()


def test_photo_worker_for_a_build_already_gone_exits_at_once():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=10)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(gone.pid)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1 and "watching" not in done.stdout


# ---- an output held open -------------------------------------------------------------------------


def _sharing_violation(monkeypatch, module: str) -> None:
    """What os.replace raises on Windows when WPS or a PDF viewer holds the target open."""

    def replace(src, dst):  # noqa: ANN001, ANN202
        raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(dst))

    monkeypatch.setattr(f"{module}.os.replace", replace)


def test_summary_held_open_is_named_and_left_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"the old summary")
    _sharing_violation(monkeypatch, "assembler.files")
    with pytest.raises(FileSystemError) as info:
        write_atomically(out, b"new")
    text = info.value.render()
    assert "汇总.xlsx" in text and "其他程序打开" in text and "WPS" in text
    assert info.value.exit_code == ExitCode.ENVIRONMENT
    assert out.read_bytes() == b"the old summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]  # no temporary file left


def test_review_over_a_summary_held_open_exits_3_naming_it(tmp_path, monkeypatch):
    out = tmp_path / "summary.xlsx"
    out.write_bytes(b"open in Excel")
    _sharing_violation(monkeypatch, "assembler.files")
    result = CliRunner().invoke(cli, ["review", str(EXAMPLES / "innovation-count"), "-o", str(out)])
    assert result.exit_code == ExitCode.ENVIRONMENT, result.output
    assert "summary.xlsx" in result.output and "其他程序打开" in result.output
    assert "Traceback" not in result.output


def test_dossier_held_open_is_named(tmp_path, monkeypatch):
    out = tmp_path / "申报材料.pdf"
    out.write_bytes(b"%PDF- the one WPS shows")
    _sharing_violation(monkeypatch, "assembler.files")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    with pytest.raises(FileSystemError) as info:
        save_atomically(pdf, out, lambda path: None)
    assert "申报材料.pdf" in info.value.render() and "其他程序打开" in info.value.render()
    assert out.read_bytes() == b"%PDF- the one WPS shows"
    assert [p.name for p in tmp_path.iterdir()] == ["申报材料.pdf"]


# ---- fonts by file name --------------------------------------------------------------------------


@pytest.fixture
def fonts_folder(tmp_path, monkeypatch):
    if not WQY.is_file():
        pytest.fail(f"{WQY} is missing (Debian package fonts-wqy-zenhei, installed by make setup)")
    folder = tmp_path / "Fonts"
    folder.mkdir()
    monkeypatch.setenv("DOSSIER_FONT_DIRS", str(folder))
    monkeypatch.delenv("DOSSIER_FONT", raising=False)
    return folder


@pytest.mark.parametrize("name", ["simsun.ttc", "msyh.ttc", "Deng.ttf", "SIMHEI.TTF"])
def test_a_folder_with_only_one_windows_cjk_font_is_enough(fonts_folder, name):
    shutil.copyfile(WQY, fonts_folder / name)
    shutil.copyfile(DEJAVU, fonts_folder / "arial.ttf")
    found = find_cjk_font()
    assert found.path == fonts_folder / name and found.index == 0


def test_simsun_is_preferred_and_a_font_without_chinese_is_passed_over(fonts_folder):
    shutil.copyfile(DEJAVU, fonts_folder / "simsun.ttc")  # named SimSun, but no Chinese glyphs
    shutil.copyfile(WQY, fonts_folder / "msyh.ttc")
    shutil.copyfile(WQY, fonts_folder / "deng.ttf")
    assert find_cjk_font().path == fonts_folder / "msyh.ttc"
    shutil.copyfile(WQY, fonts_folder / "simsun.ttc")
    assert find_cjk_font().path == fonts_folder / "simsun.ttc"


def test_a_folder_without_chinese_fonts_is_exit_3_naming_it(fonts_folder):
    shutil.copyfile(DEJAVU, fonts_folder / "arial.ttf")
    with pytest.raises(ToolMissingError) as info:
        find_cjk_font()
    assert "宋体" in info.value.render() and str(fonts_folder) in info.value.render()


def test_the_users_font_wins_over_the_folder(fonts_folder, tmp_path):
    shutil.copyfile(WQY, fonts_folder / "simsun.ttc")
    mine = tmp_path / "我的字体.ttc"
    shutil.copyfile(WQY, mine)
    assert find_cjk_font(mine).path == mine


# ---- where LibreOffice is looked for on Windows --------------------------------------------------


def test_windows_candidates_registry_first_then_program_files_then_portable(tmp_path):
    app = tmp_path / "dossier"
    environ = {"ProgramFiles": str(tmp_path / "PF"), "LOCALAPPDATA": str(tmp_path / "Local")}
    found = windows_candidates(environ, [str(tmp_path / "LO 24" / "program")], app)
    assert found[0] == tmp_path / "LO 24" / "program" / "soffice.exe"
    assert found[1] == tmp_path / "PF" / "LibreOffice" / "program" / "soffice.exe"
    assert tmp_path / "Local" / "Programs" / "LibreOffice" / "program" / "soffice.exe" in found
    assert app / "LibreOfficePortable" / "App" / "libreoffice" / "program" / "soffice.exe" in found
    assert app / "LibreOffice" / "program" / "soffice.exe" in found
    assert len(found) == len(set(found))
