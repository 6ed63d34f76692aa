"""Temporary files live in one folder per run: removed on SIGTERM, and by the next run after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_example, need_tool

from assembler.system import rundir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def files_below(folder: Path) -> list[Path]:
    """Every file and folder left below `folder` (os.walk: a folder LibreOffice removes while it is being
    listed is passed over, where Path.rglob would raise)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        found += [Path(dirpath) / name for name in (*dirnames, *filenames)]
    return found


def _start_build(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A build in a child process whose temp folder is tmp_path/tmp, stopped once LibreOffice is at work."""
    need_tool("soffice")
    folder = copy_example("innovation-count", tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), DOSSIER_CACHE=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "assembler", "build", str(folder), "-o", str(tmp_path / "out.pdf")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        if any("profile" in p.parts for p in files_below(temp)) and len(files_below(temp)) > 20:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the build ended before LibreOffice started"
    return proc, temp


def _orphans(temp: Path) -> list[int]:
    """Processes (LibreOffice, left running after its parent was killed) whose command line names `temp`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(temp).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_sigterm_during_build_leaves_no_temporary_file(tmp_path):
    proc, temp = _start_build(tmp_path)
    assert len(files_below(temp)) > 20
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
    assert [p for p in files_below(temp) if p.name != rundir.RUNS] == []
    assert not _orphans(temp)
    assert not (tmp_path / "out.pdf").exists()


def test_sigkill_leftovers_are_removed_by_the_next_run(tmp_path):
    proc, temp = _start_build(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    for pid in _orphans(temp):  # LibreOffice runs on in its own session: stop it as an operator would
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.5)
    left = files_below(temp)
    assert len(left) > 20  # the killed run could not clean up
    env = dict(os.environ, TMPDIR=str(temp), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "assembler", "schemes"], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert [p for p in files_below(temp) if p.name != rundir.RUNS] == []


def test_a_live_run_is_never_swept(tmp_path, monkeypatch):
    """The sweep removes only folders whose lock nobody holds: a run in progress keeps its files."""
    root = tmp_path / rundir.RUNS
    live = root / "123-live"
    live.mkdir(parents=True)
    (live / "work.pdf").write_bytes(b"%PDF")
    fd = os.open(live / rundir.LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        assert rundir._locked(fd)
        dead = root / "456-dead"
        dead.mkdir()
        (dead / rundir.LOCK).touch()
        (dead / "x.tmp").touch()
        assert rundir.sweep(root) == 1
        assert (live / "work.pdf").exists() and not dead.exists()
    finally:
        os.close(fd)
    assert rundir.sweep(root) == 1 and not live.exists()
