"""Light validation of evidence: every file of the shared corpus classified; folders, zips and links."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from assembler.load.evidence import discover
from assembler.load.sources import FolderSource, ZipSource

# file → (kind, usable, words in the problem or note)
CORPUS_EXPECTED = {
    "img/animation.gif": ("image", True, "第一帧"),
    "img/app13-multiple.jpg": ("image", True, None),
    "img/baiona_alpha.png": ("image", True, None),
    "img/decompression_bomb.gif": ("image", False, "压缩炸弹"),
    "img/flower.jpg": ("image", True, None),
    "img/flower.webp": ("image", True, None),
    "img/g4-multi.tiff": ("image", True, None),
    "img/hopper.gif": ("image", True, None),
    "img/hopper.heif": ("image", True, None),
    **{f"img/hopper_orientation_{n}.jpg": ("image", True, None) for n in range(2, 9)},
    "img/i_trns.png": ("image", True, None),
    "img/pil_sample_cmyk.jpg": ("image", True, None),
    "img/truncated_jpeg.jpg": ("image", False, "截断"),
    "img/ultrahdr.jpg": ("image", False, "截断"),
    "office/issue_530.xlsx": ("excel", False, "反斜杠"),
    "office/richtext_eastAsia_tpl.docx": ("word", True, None),
    "office/rph.xlsx": ("excel", True, None),
    "office/tbl-cell-access.docx": ("word", True, None),
    "pdf/GeoTopo-komprimiert.pdf": ("pdf", True, None),
    "pdf/annotated_pdf.pdf": ("pdf", True, None),
    "pdf/empty.pdf": ("pdf", False, "空文件"),
    "pdf/encrypted_doc_no_id.pdf": ("pdf", True, "权限密码"),
    "pdf/habibi-rotated.pdf": ("pdf", True, None),
    "pdf/indirect-rotation.pdf": ("pdf", True, None),
    "pdf/invalid.pdf": ("pdf", False, "损坏"),
    "pdf/issue-297.pdf": ("pdf", True, None),
    "pdf/issue-67-example.pdf": ("pdf", True, None),
    "pdf/issue-914-xmp-data.pdf": ("pdf", True, None),
    "pdf/kcs.pdf": ("pdf", True, None),
    "pdf/libreoffice-form.pdf": ("pdf", True, None),
    "pdf/libreoffice-writer-password.pdf": ("pdf", False, "打开密码"),
    "pdf/multilang.pdf": ("pdf", True, None),
    "pdf/multipage.pdf": ("pdf", True, None),
    "pdf/nics-background-checks-2015-11-rotated.pdf": ("pdf", True, None),
    "pdf/password-example.pdf": ("pdf", False, "打开密码"),
    "pdf/pdflatex-outline.pdf": ("pdf", True, None),
    "pdf/pr-138-example.pdf": ("pdf", True, "权限密码"),
    "pdf/r6-both-passwords.pdf": ("pdf", False, "打开密码"),
    "pdf/selenium-pypdf-issue-177.pdf": ("pdf", True, None),
    "pdf/word365_structure.pdf": ("pdf", True, None),
    **{
        f"ofd/{name}": ("ofd", True, None)
        for name in [
            "SESV4SignDoc.ofd",
            "containsJPEG.ofd",
            "csfapiao1.ofd",
            "helloworld.ofd",
            "发票监制章-数科.ofd",
            "发票示例.ofd",
            "安证通手动盖章.ofd",
            "文字横向-数科.ofd",
            "金格信创自动盖章.ofd",
        ]
    },
}
PAGES = {
    "pdf/GeoTopo-komprimiert.pdf": 117,
    "pdf/issue-67-example.pdf": 22,
    "pdf/multipage.pdf": 6,
    "pdf/habibi-rotated.pdf": 4,
    "pdf/indirect-rotation.pdf": 5,
    "img/g4-multi.tiff": 3,
    "pdf/encrypted_doc_no_id.pdf": 3,
    "pdf/pr-138-example.pdf": 2,
    "ofd/安证通手动盖章.ofd": 7,
    "ofd/金格信创自动盖章.ofd": 5,
    "ofd/containsJPEG.ofd": 2,
}


def test_every_corpus_file_is_classified(corpus):
    files, ignored = discover(FolderSource(corpus), exclude={"README.md", "SHA256SUMS"})
    seen = {f.rel: f for f in files}
    assert set(seen) == set(CORPUS_EXPECTED), "the corpus changed: classify the new files here"
    for rel, (kind, usable, words) in CORPUS_EXPECTED.items():
        f = seen[rel]
        assert f.kind == kind, rel
        assert f.usable == usable, (rel, f.problem)
        if words:
            assert words in (f.problem or f.note or ""), (rel, f.problem, f.note)
        if usable and kind in ("pdf", "image", "ofd"):
            assert f.pages and f.pages >= 1, rel
        assert len(f.sha256) == 64
    for rel, pages in PAGES.items():
        assert seen[rel].pages == pages, rel


def test_kind_is_sniffed_from_content_not_name(tmp_path, corpus):
    (tmp_path / "scan.pdf").write_bytes((corpus / "img" / "flower.jpg").read_bytes())
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "fake.docx").write_text("not a zip")
    (tmp_path / "nested.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    files = {f.rel: f for f in discover(FolderSource(tmp_path))[0]}
    assert (
        files["scan.pdf"].kind == "image"
        and files["scan.pdf"].usable
        and "实际是图片" in files["scan.pdf"].note
    )
    assert "不支持" in files["notes.txt"].problem
    assert not files["fake.docx"].usable
    assert "压缩包" in files["nested.zip"].problem


def test_encrypted_docx_is_refused(tmp_path):
    (tmp_path / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    files = {f.rel: f for f in discover(FolderSource(tmp_path))[0]}
    assert "密码" in files["locked.docx"].problem
    assert files["old.doc"].usable and files["old.doc"].kind == "word"


def test_system_files_are_ignored_and_listed(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "2-制度").mkdir()
    (tmp_path / "2-制度" / "Thumbs.db").write_bytes(b"x")
    (tmp_path / "2-制度" / "~$制度.docx").write_bytes(b"x")
    files, ignored = discover(FolderSource(tmp_path))
    assert files == [] and len(ignored) == 3


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlink_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF-1.4 secret")
    app = tmp_path / "app"
    (app / "2-制度").mkdir(parents=True)
    (app / "2-制度" / "link.pdf").symlink_to(outside)
    (app / "2-制度" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    files = {f.rel: f for f in discover(FolderSource(app))[0]}
    assert "之外" in files["2-制度/link.pdf"].problem
    assert "之外" in files["2-制度/dirlink"].problem
    assert files["2-制度/link.pdf"].sha256 == ""  # never read


def test_zip_members_are_validated_like_files(tmp_path, corpus):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(corpus / "pdf" / "password-example.pdf", "2-制度/p.pdf")
        zf.write(corpus / "pdf" / "multipage.pdf", "2-制度/m.pdf")
        zf.writestr("2-制度/", "")
    files = {f.rel: f for f in discover(ZipSource(archive))[0]}
    assert "打开密码" in files["2-制度/p.pdf"].problem
    assert files["2-制度/m.pdf"].pages == 6


def test_sorted_and_deterministic(tmp_path):
    for name in ["b.pdf", "a.pdf", "10-x/c.pdf", "2-y/d.pdf"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    rels = [f.rel for f in discover(FolderSource(tmp_path))[0]]
    assert rels == sorted(rels)
    assert rels == [f.rel for f in discover(FolderSource(Path(tmp_path)))[0]]
