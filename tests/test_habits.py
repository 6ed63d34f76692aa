"""The engineering habits the CLI and the build promise: one exit-code table, logs that explain a failure,
a crash report instead of a traceback, the build as named steps, and verify's findings on bad manifests."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, copy_example, edit_yaml
from PIL import Image

from assembler.cli import _size, cli
from assembler.convert.photosettings import PhotoSettings
from assembler.convert.soffice import Soffice
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
from assembler.pipeline.run import BuildOptions, build
from assembler.reviewer.verify import verify

POLICY = EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx"


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


@pytest.mark.slow
def test_max_size_repeats_only_the_photo_step(tmp_path, shared_cache, caplog):
    app = copy_example("innovation-count", tmp_path)
    with caplog.at_level(logging.INFO, logger="assembler"):
        result = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=shared_cache, max_size=1000))
    steps = [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith("step ") and "done" not in r.getMessage()
    ]
    assert steps.count("step 转换 Word/Excel 文件") == 1 and steps.count("step 填写申请表") == 1
    assert steps.count("step 处理照片") == 5 == steps.count("step 合并、加页码和书签")
    assert any("仍为" in n for n in result.notes)


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


def _rewrite_manifest(src, dest, change):
    with pikepdf.open(src) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        change(manifest)
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(manifest).encode(), filename="manifest.json"
        )
        pdf.save(dest)
    return dest


@pytest.mark.slow
def test_verify_reports_bad_data_and_unknown_measures(example_dossiers, tmp_path):
    bad = _rewrite_manifest(
        example_dossiers["studio"], tmp_path / "bad.pdf", lambda m: m["application"].update(year="二〇二六")
    )
    assert "VERIFY-DATA-INVALID" in {f.rule for f in verify(bad).findings}
    unknown = _rewrite_manifest(
        example_dossiers["studio"],
        tmp_path / "unknown.pdf",
        lambda m: m["application"].update(measures="1999"),
    )
    result = verify(unknown)
    assert not result.intact and "VERIFY-MEASURES-UNKNOWN" in {f.rule for f in result.findings}


@pytest.mark.slow
def test_verify_reports_removed_page_labels(example_dossiers, tmp_path):
    target = tmp_path / "nolabels.pdf"
    with pikepdf.open(example_dossiers["studio"]) as pdf:
        del pdf.Root.PageLabels
        pdf.save(target)
    assert "VERIFY-LABELS" in {f.rule for f in verify(target).findings}


@pytest.mark.slow
def test_rebuild_with_nothing_changed_keeps_the_file(tmp_path, shared_cache):
    app = copy_example("studio", tmp_path)
    out = tmp_path / "d.pdf"
    first = build(app, BuildOptions(out=out, cache_dir=shared_cache))
    before = out.stat()
    again = build(app, BuildOptions(out=out, cache_dir=shared_cache))
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_size,
    )
    assert any("未重写" in n for n in again.notes) and again.pages == first.pages
    # other photo settings are another dossier
    other = build(app, BuildOptions(out=out, cache_dir=shared_cache, photo=PhotoSettings(120, 60)))
    assert not any("未重写" in n for n in other.notes) and out.stat().st_mtime_ns != before.st_mtime_ns


@pytest.mark.slow
def test_a_changed_field_or_an_edited_output_is_rebuilt(tmp_path, shared_cache):
    app = copy_example("studio", tmp_path)
    out = tmp_path / "d.pdf"
    build(app, BuildOptions(out=out, cache_dir=shared_cache))
    original = out.read_bytes()
    with pikepdf.open(out, allow_overwriting_input=True) as pdf:  # edited in a viewer: same manifest inside
        pdf.docinfo["/Title"] = "edited"
        pdf.save(out)
    rebuilt = build(app, BuildOptions(out=out, cache_dir=shared_cache))
    assert not any("未重写" in n for n in rebuilt.notes) and out.read_bytes() == original
    edit_yaml(app, lambda d: d["applicant"]["contact"].update(name="王五"))
    changed = build(app, BuildOptions(out=out, cache_dir=shared_cache))
    assert not any("未重写" in n for n in changed.notes) and out.read_bytes() != original


def test_check_of_an_unchanged_folder_loads_no_pdf_or_image_library(tmp_path):
    """The second check of a folder answers from the remembered inspections: no PDF or image library."""
    app = copy_example("studio", tmp_path)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assembler.api import check\n"
        f"report = check(Path({str(app)!r}))\n"
        "print(json.dumps([report.award.amount_fen, sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pypdf', 'PIL', 'pikepdf', 'fpdf', 'docx', 'openpyxl', 'flask'})]))"
    )
    env = {**os.environ, "DOSSIER_CACHE": str(tmp_path / "cache")}

    def run() -> list:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return json.loads(done.stdout)

    first, second = run(), run()
    assert first[0] == second[0] == 1_500_000
    assert "pypdf" in first[1] and "PIL" in first[1]  # the first check opens the files
    assert second[1] == []
    # a file changed since is inspected again: a damaged plan is found at once
    plan = next((app / "2-年度工作计划").iterdir())
    plan.write_bytes(b"%PDF-1.4 damaged")
    assert "pypdf" in run()[1]


@pytest.mark.slow
def test_the_calls_size_limit_applies_when_none_is_given(tmp_path, shared_cache):
    call = tmp_path / "call.yaml"
    text = (EXAMPLES / "call-2026.yaml").read_text(encoding="utf-8")
    call.write_text(text.replace("max_file_size_mb: 20", "max_file_size_mb: 1"), encoding="utf-8")
    app = copy_example("innovation-count", tmp_path)
    meeting = next(p for p in (app / "4-评审会议").iterdir() if p.is_dir())
    for i in range(2):  # noise does not compress: two of them make the dossier larger than 1 MB
        Image.effect_noise((2400, 1800), 80).convert("RGB").save(meeting / f"现场照片9{i}.jpg", quality=90)
    free = build(app, BuildOptions(out=tmp_path / "free.pdf", cache_dir=shared_cache))
    limited = build(app, BuildOptions(out=tmp_path / "limited.pdf", cache_dir=shared_cache, call=call))
    assert free.size > 1_000_000 and not any("申报通知" in n for n in free.notes)
    assert any("申报通知规定的 1 MB" in n for n in limited.notes)
    assert limited.photo.quality < free.photo.quality


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


@pytest.mark.slow
def test_a_kept_rebuild_loads_no_pdf_image_or_drawing_library(tmp_path, shared_cache):
    out = tmp_path / "d.pdf"
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assembler.pipeline.run import BuildOptions, build\n"
        f"result = build(Path({str(EXAMPLES / 'studio')!r}), BuildOptions(out=Path({str(out)!r}), "
        f"cache_dir=Path({str(shared_cache)!r})))\n"
        "print(json.dumps([result.notes, sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pypdf', 'pikepdf', 'PIL', 'fpdf', 'docx', 'docxtpl', 'fontTools'})]))"
    )

    def run() -> list:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    assert "pikepdf" in first[1]
    assert any("未重写" in n for n in second[0]) and second[1] == []


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


@pytest.mark.slow
def test_libreoffice_converts_while_the_photos_are_processed(tmp_path, caplog):
    """The build's two long steps overlap (LibreOffice in its own process, photos on the workers): the photo
    step starts before the LibreOffice step has finished."""
    with caplog.at_level(logging.INFO, logger="assembler"):
        build(
            EXAMPLES / "innovation-count", BuildOptions(out=tmp_path / "d.pdf", cache_dir=tmp_path / "cold")
        )
    messages = [r.getMessage() for r in caplog.records]
    office_done = messages.index(next(m for m in messages if m.startswith("step 转换 Word/Excel 文件 done")))
    photos_start = messages.index("step 处理照片")
    assert photos_start < office_done


def test_a_repeated_check_answers_from_its_last_run_and_sees_every_change(tmp_path):
    """The second check of an unchanged folder prints the same and loads no pydantic or rich; an edit of
    application.yaml (same size, at once), a new file or another option is a full check again."""
    app = copy_example("innovation-count", tmp_path)
    env = {**os.environ, "DOSSIER_CACHE": str(tmp_path / "cache")}
    code = (
        "import sys, json, io, contextlib\n"
        "from assembler.cli import main\n"
        "out = io.StringIO()\n"
        "rc = 0\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        sys.argv = ['dossier'] + sys.argv[1:]\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        rc = int(exc.code or 0)\n"
        "roots = {'pydantic', 'rich', 'yaml', 'pypdf', 'PIL'}\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(json.dumps([rc, out.getvalue(), heavy]))\n"
    )

    def run(*args: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run("check", str(app), "--json")
    second = run("check", str(app), "--json")
    assert first[0] == second[0] == 0 and first[1] == second[1]
    assert "pydantic" in first[2] and second[2] == []
    yaml_path = app / "application.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("示例精密", "示范精密"), encoding="utf-8")  # same size, same moment
    third = run("check", str(app), "--json")
    assert "pydantic" in third[2] and "示范精密" in third[1] and "示范精密" not in first[1]
    (app / "7-其他佐证材料").mkdir(exist_ok=True)
    (app / "7-其他佐证材料" / "说明.txt").write_text("x", encoding="utf-8")
    fourth = run("check", str(app), "--json")
    assert "pydantic" in fourth[2] and fourth[1] != third[1]
    table = run("check", str(app))
    assert "pydantic" in table[2] and "可申请鼓励金" in table[1]
