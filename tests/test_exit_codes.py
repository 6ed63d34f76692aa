"""The CLI's promises about how it ends: one exit-code table, a crash report instead of a traceback,
sizes parsed or refused, a closed pipe ending quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from assembler.cli import _size, cli
from assembler.errors import (
    EXIT_TITLES,
    DossierError,
    ExitCode,
    FileSystemError,
    IncompleteError,
    InputError,
    SelfAuditError,
    ToolFailedError,
    ToolMissingError,
    UsageError,
)


def test_every_error_class_carries_a_code_of_the_table():
    expected = {
        InputError: ExitCode.BAD_INPUT,
        UsageError: ExitCode.BAD_INPUT,
        IncompleteError: ExitCode.APPLICATION_ERRORS,
        ToolMissingError: ExitCode.ENVIRONMENT,
        ToolFailedError: ExitCode.ENVIRONMENT,
        FileSystemError: ExitCode.ENVIRONMENT,
        SelfAuditError: ExitCode.INTERNAL,
    }
    assert {cls: cls.exit_code for cls in expected} == expected
    assert set(DossierError.__subclasses__()) == set(expected)


def test_help_lists_every_exit_code_from_the_enum():
    text = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    for code in ExitCode:
        assert f"{int(code)} {EXIT_TITLES[code]}" in text


@pytest.mark.parametrize(
    "text,size",
    [
        ("20MB", 20_000_000),
        ("20 mb", 20_000_000),
        ("1.5G", 1_500_000_000),
        ("500k", 500_000),
        ("123", 123),
        (None, None),
    ],
)
def test_max_size_parsing(text, size):
    assert _size(text) == size


@pytest.mark.parametrize("text", ["twenty", "20TB", "-1MB", ""])
def test_max_size_refuses_what_is_not_a_size(text, tmp_path):
    result = CliRunner().invoke(
        cli, ["build", str(EXAMPLES / "studio"), "-o", str(tmp_path / "d.pdf"), "--max-size", text]
    )
    assert result.exit_code == ExitCode.BAD_INPUT and "不是大小" in result.output
    assert not (tmp_path / "d.pdf").exists()


def test_unexpected_exception_is_exit_4_with_a_crash_report(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr("assembler.api.check", broken)
    monkeypatch.setenv("DOSSIER_CRASH_DIR", str(tmp_path / "crash"))
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))  # no earlier answer to repeat
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "studio")])
    assert result.exit_code == ExitCode.INTERNAL
    assert "Traceback" not in result.output and "本工具的缺陷" in result.output
    reports = list((tmp_path / "crash").glob("dossier-crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in result.output.replace("\n", "")
    text = reports[0].read_text(encoding="utf-8")
    assert "RuntimeError: a bug of ours" in text and "Traceback" in text and "check" in text


@pytest.mark.skipif(sys.platform == "win32", reason="a shell pipeline")
def test_output_piped_into_head_ends_quietly():
    done = subprocess.run(
        f"{sys.executable} -m assembler schemes | head -n 1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "" and done.stdout.startswith("2021 版")
