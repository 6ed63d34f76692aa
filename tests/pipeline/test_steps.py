"""The build as named steps: a size limit repeats only the photo step, a rebuild with nothing changed
keeps the file (and loads no PDF library), LibreOffice and the photos run side by side."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pikepdf
import pytest
from conftest import EXAMPLES, copy_example, edit_yaml
from PIL import Image

from assembler.convert.photosettings import PhotoSettings
from assembler.pipeline.run import BuildOptions, build


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
