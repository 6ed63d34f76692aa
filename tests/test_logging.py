"""Logs that explain a failure: the external command, its exit status and stderr; --log-file keeps
the steps."""

from __future__ import annotations

import logging
import shutil
import sys

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from assembler.cli import cli
from assembler.convert.soffice import Soffice
from assembler.errors import (
    ToolFailedError,
)

POLICY = EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx"


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for soffice")
def test_log_of_a_failed_conversion_shows_the_command_and_stderr(tmp_path, caplog):
    fake = tmp_path / "soffice"
    fake.write_text(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'LibreOffice 9.9 fake'; exit 0; fi\n"
        "echo 'Error: source file could not be loaded' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    src = tmp_path / "纪要.docx"
    shutil.copy(POLICY, src)
    with caplog.at_level(logging.INFO, logger="assembler"), pytest.raises(ToolFailedError):
        Soffice(fake, cache_dir=tmp_path / "cache").convert([src])
    log = caplog.text
    assert str(fake) in log and "--convert-to pdf" in log and "--headless" in log
    assert "exited 1" in log and "source file could not be loaded" in log


def test_log_file_option_writes_the_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))  # a full check, not an earlier answer
    log_file = tmp_path / "logs" / "dossier.log"
    result = CliRunner().invoke(cli, ["--log-file", str(log_file), "check", str(EXAMPLES / "studio")])
    assert result.exit_code == 0 and "INFO" not in result.output  # the log goes to the file only
    text = log_file.read_text(encoding="utf-8")
    assert f"checked {EXAMPLES / 'studio'}: studio" in text and "award 15000" in text
    CliRunner().invoke(cli, ["--log-file", str(log_file), "check", str(EXAMPLES / "studio")])
    assert "answered from the last check" in log_file.read_text(encoding="utf-8")
