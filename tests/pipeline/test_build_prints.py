"""The near-duplicate fingerprints of photos in a build: made by the photo workers from the pixels they
decode anyway (not decoded a second time), equal to what `check` makes, remembered for the next check,
and the dossier byte-identical whichever way they were made."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
from PIL import Image

from assembler.api import check
from assembler.load import fingerprint
from assembler.load.inspected import InspectionMemo
from assembler.pipeline.job import BuildOptions
from assembler.pipeline.run import build
from tests.conftest import copy_example, need_tool

RESAVED = "7-其他佐证材料/活动照片（转存）.jpg"


def _manifest(path: Path) -> dict:
    with pikepdf.open(path) as pdf:
        return json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())


def _similar(findings) -> list[str]:
    return sorted(f"{f.path}|{f.message}" for f in findings if f.rule == "EVIDENCE-SIMILAR")


def _application(tmp_path: Path) -> Path:
    """The bonus example with one meeting photo filed again, re-saved smaller, as another material's photo."""
    folder = copy_example("innovation-bonus", tmp_path)
    first = sorted(folder.glob("4-评审会议/*/现场照片1.jpg"))[0]
    with Image.open(first) as im:
        im.convert("RGB").resize((im.width * 3 // 4, im.height * 3 // 4)).save(folder / RESAVED, quality=70)
    return folder


def test_workers_make_the_photo_fingerprints_as_check_does(tmp_path, monkeypatch, shared_cache):
    need_tool("soffice")
    folder = _application(tmp_path)
    images = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.jpg"))
    decoded_here: list[str] = []
    real = fingerprint.prints_of

    def spy(fh, kind):
        if kind == "image":
            decoded_here.append(kind)
        return real(fh, kind)

    monkeypatch.setattr(fingerprint, "prints_of", spy)

    # 1. a first build with nothing remembered: the photo workers fingerprint what they decode
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "memo-1"))
    cold = build(folder, BuildOptions(out=tmp_path / "cold.pdf", cache_dir=tmp_path / "pdf-cache"))
    assert decoded_here == [], "the build decoded photos for their fingerprints besides its workers"
    made = {f["path"]: f["prints"] for f in _manifest(cold.path)["files"] if f["path"] in images}
    assert sorted(made) == images and all(len(p) == 1 for p in made.values())
    found = _similar(cold.report.findings)
    assert any(RESAVED in line and "现场照片1.jpg" in line for line in found), found
    in_manifest = _manifest(cold.path)["check"]["findings"]
    assert found == sorted(
        f"{f.get('path')}|{f['message']}" for f in in_manifest if f["rule"] == "EVIDENCE-SIMILAR"
    ), "the manifest's check lacks the findings the build reported"

    # what the build made is remembered: the next check decodes no photo and finds the same
    memo = InspectionMemo(folder)
    assert all(not memo.entries[rel]["file"].get("pending") for rel in images)
    decoded_here.clear()
    again = check(folder)
    assert decoded_here == []
    assert _similar(again.findings) == found

    # 2. another machine checks first (check's own decoding), then builds: the same dossier, to the byte
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "memo-2"))
    checked = check(folder)
    assert len(decoded_here) == len(images)
    assert _similar(checked.findings) == found
    warm = build(folder, BuildOptions(out=tmp_path / "warm.pdf", cache_dir=shared_cache))
    assert warm.path.read_bytes() == cold.path.read_bytes()

    # 3. nothing changed: the dossier is kept, and the report still has the near-duplicate findings
    kept = build(folder, BuildOptions(out=tmp_path / "warm.pdf", cache_dir=shared_cache))
    assert any("沿用现有文件" in note for note in kept.notes)
    assert _similar(kept.report.findings) == found
