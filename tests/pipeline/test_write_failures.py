"""Failures while writing: a full disk, a write that fails half way, a file changed after the check —
exit 3 or 2 naming the file, and nothing left half-written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, copy_example

from assembler.cli import cli
from assembler.errors import (
    ExitCode,
    InputError,
)
from assembler.pipeline.run import BuildOptions, build


@pytest.mark.slow
def test_file_changed_after_the_check_is_refused(tmp_path, shared_cache, monkeypatch):
    import assembler.pipeline.run as build_module

    app = copy_example("studio", tmp_path)
    real_check = build_module.check_source

    def check_then_edit(*args, **kwargs):
        result = real_check(*args, **kwargs)
        target = next((app / "2-年度工作计划").iterdir())
        target.write_bytes(target.read_bytes() + b"\n% changed while building")
        return result

    monkeypatch.setattr(build_module, "check_source", check_then_edit)
    with pytest.raises(InputError) as exc:
        build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=shared_cache))
    assert "2-年度工作计划/" in exc.value.where and "修改" in exc.value.message
    assert not (tmp_path / "d.pdf").exists()


@pytest.mark.slow
def test_a_disk_too_small_is_exit_3_naming_the_output_and_leaves_nothing(tmp_path, shared_cache, monkeypatch):
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        "assembler.pipeline.assemble.shutil.disk_usage", lambda folder: usage(10**9, 10**9 - 1000, 1000)
    )
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = CliRunner().invoke(
        cli,
        ["build", str(EXAMPLES / "studio"), "-o", str(out_dir / "d.pdf")],
        env={"DOSSIER_CACHE": str(shared_cache)},
    )
    assert result.exit_code == ExitCode.ENVIRONMENT and "磁盘空间不足" in result.output
    assert str(out_dir / "d.pdf") in result.output.replace("\n", "")
    assert list(out_dir.iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_a_write_that_fails_half_way_is_exit_3_and_leaves_nothing(tmp_path, shared_cache):
    """The output's file system refuses more bytes (a file-size limit stands in for a full disk): exit 3
    naming the output, no temporary file of ours or qpdf's left behind, no abort."""
    build(
        EXAMPLES / "studio", BuildOptions(out=tmp_path / "warm.pdf", cache_dir=shared_cache)
    )  # conversions cached
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))\n"
        "from assembler.cli import main\n"
        f"sys.argv = ['dossier', 'build', {str(EXAMPLES / 'studio')!r}, '-o', {str(out_dir / 'd.pdf')!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "DOSSIER_CACHE": str(shared_cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == ExitCode.ENVIRONMENT, (done.returncode, done.stderr[-2000:])
    assert "d.pdf" in done.stderr and "Traceback" not in done.stderr
    assert list(out_dir.iterdir()) == []


def test_fill_on_a_full_disk_names_the_form_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("assembler.files.os.fsync", full)
    out = tmp_path / "forms"
    result = CliRunner().invoke(cli, ["fill", str(EXAMPLES / "studio"), "-o", str(out)])
    assert result.exit_code == ExitCode.ENVIRONMENT
    assert "No space left on device" in result.output and str(out) in result.output.replace("\n", "")
    assert ".docx" in result.output and list(out.iterdir()) == []
