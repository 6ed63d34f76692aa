"""`dossier build`: the PDF read back — pages, bookmarks, 目录 links, labels, fonts, manifest,
reproducibility,
rotation, the real-world corpus as evidence, and bad inputs that leave nothing behind."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_NAMES, EXAMPLES, copy_example, need_tool, tree_digest
from PIL import Image
from pypdf import PdfReader

from assembler.cli import cli
from assembler.pipeline.run import BuildOptions, build

pytestmark = pytest.mark.slow


@pytest.fixture
def cache(shared_cache) -> Path:
    return shared_cache


@pytest.fixture
def built(example_dossiers) -> dict[str, Path]:
    return example_dossiers


def page_texts(path: Path) -> list[str]:
    """Text of every page as poppler extracts it (what reviewers' viewers see)."""
    need_tool("pdftotext")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout
    return out.decode("utf-8").split("\f")[:-1]


def manifest_of(path: Path) -> dict:
    return json.loads(PdfReader(path).attachments["manifest.json"][0])


def outline_of(reader: PdfReader) -> list[tuple[int, str, int]]:
    flat = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                flat.append((level, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return flat


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_pages_are_the_sum_of_the_parts(built, name):
    reader = PdfReader(built[name])
    manifest = manifest_of(built[name])
    parts = manifest["files"] + manifest["generated"]
    covered = sorted(p for part in parts for p in range(part["pages"][0], part["pages"][1] + 1))
    assert len(covered) == len(set(covered))
    front = min(covered) - 1
    tail = len(reader.pages) - max(covered)
    assert front >= 3 and tail >= 1
    assert covered == list(range(front + 1, max(covered) + 1))
    assert manifest["pages"]["count"] == len(reader.pages) == len(manifest["pages"]["digests"])
    for f in manifest["files"]:
        source = PdfReader(EXAMPLES / name / f["path"]) if f["kind"] == "pdf" else None
        if source is not None:
            assert f["pages"][1] - f["pages"][0] + 1 == len(source.pages)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_manifest_hashes_equal_the_files(built, name):
    manifest = manifest_of(built[name])
    folder = EXAMPLES / name
    for f in manifest["files"]:
        data = (folder / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data)
    included = {f["path"] for f in manifest["files"]}
    expected = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "application.yaml" and not p.name.startswith("ledger.")
    }
    assert included == expected
    assert manifest["check"]["complete"] is True
    assert manifest["application"]["applicant"]["credit_code"]
    assert manifest["tool"]["name"] == "dossier" and manifest["measures"] == "2021"


def test_bookmarks_nested_with_cjk_titles(built):
    reader = PdfReader(built["innovation-count"])
    outline = outline_of(reader)
    titles = [t for _, t, _ in outline]
    assert titles[:3] == ["封面", "申报材料清单", "目录"] and titles[-1] == "文件清单"
    assert "1. 高新区职工创新创效鼓励金申请表（附件1.1）" in titles
    meeting = "评审会议 2026-06-12 二季度合理化建议评审会"  # the 目录 and bookmarks name the meeting
    assert (1, meeting, outline[titles.index(meeting)][2]) in outline
    levels = {t: level for level, t, _ in outline}
    assert levels["4. 评审会议纪要、公示公告及评审现场照片"] == 0
    assert levels["二季度合理化建议评审会纪要.pdf"] == 2
    manifest = manifest_of(built["innovation-count"])
    names = {Path(f["path"]).name for f in manifest["files"]}
    file_items = [(t, p) for _, t, p in outline if t in names]
    assert file_items == [(Path(f["path"]).name, f["pages"][0]) for f in manifest["files"]]


def test_toc_text_and_links(built):
    reader = PdfReader(built["innovation-count"])
    outline = outline_of(reader)
    toc_page = next(p for _, t, p in outline if t == "目录") - 1
    text = page_texts(built["innovation-count"])[toc_page]
    manifest = manifest_of(built["innovation-count"])
    page_ids = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    targets = []
    for annot in reader.pages[toc_page].get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") == "/Link":
            targets.append(page_ids[annot["/Dest"][0].idnum] + 1)
    for f in manifest["files"]:
        assert Path(f["path"]).name in text.replace("\n", "")
        assert f["pages"][0] in targets
    assert len(targets) >= len(manifest["files"]) + 6  # every file, every material, meetings, 文件清单


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_page_labels_and_stamped_numbers(built, name):
    reader = PdfReader(built[name])
    assert reader.page_labels == [str(i + 1) for i in range(len(reader.pages))]
    texts = page_texts(built[name])
    assert len(texts) == len(reader.pages)
    for i, text in enumerate(texts):
        assert re.search(rf"—\s*{i + 1}\s*—", text), i


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_generated_pages_embed_cjk_fonts_and_no_encryption(built, name):
    reader = PdfReader(built[name])
    assert not reader.is_encrypted
    assert "/JavaScript" not in str(reader.trailer["/Root"].get("/Names"))
    front = reader.pages[0]
    fonts = front["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile3" in desc or "/FontFile2" in desc
        assert "CJK" in str(font["/BaseFont"]) or "WenQuanYi" in str(font["/BaseFont"])
    cover = page_texts(built[name])[0]
    manifest = manifest_of(built[name])
    assert manifest["application"]["applicant"]["name"] in cover
    assert manifest["application"]["applicant"]["credit_code"] in cover
    meta = reader.metadata
    assert (
        manifest["application"]["applicant"]["name"] in meta.title
        and meta.author
        and meta.subject
        and meta.keywords
    )


def test_rotated_photo_is_upright(built):
    reader = PdfReader(built["innovation-count"])
    manifest = manifest_of(built["innovation-count"])
    f = next(
        f for f in manifest["files"] if "2026-03-18" in f["path"] and f["path"].endswith("现场照片1.jpg")
    )
    page = reader.pages[f["pages"][0] - 1]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # the landscape photo on a landscape page
    with Image.open(EXAMPLES / "innovation-count" / f["path"]) as im:
        assert im.getexif()[0x0112] == 6 and im.height > im.width  # stored sideways, tagged to turn


def test_identical_inputs_give_identical_bytes(tmp_path):
    need_tool("soffice")
    a = build(EXAMPLES / "studio", BuildOptions(out=tmp_path / "a.pdf", cache_dir=tmp_path / "c1"))
    b = build(EXAMPLES / "studio", BuildOptions(out=tmp_path / "b.pdf", cache_dir=tmp_path / "c2"))
    assert a.path.read_bytes() == b.path.read_bytes()
    archive = tmp_path / "studio.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", EXAMPLES / "studio")
    c = build(archive, BuildOptions(out=tmp_path / "c.pdf", cache_dir=tmp_path / "c1"))
    assert c.path.read_bytes() == a.path.read_bytes()


def test_source_date_epoch_sets_the_date(tmp_path, monkeypatch):
    need_tool("soffice")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    result = build(EXAMPLES / "studio", BuildOptions(out=tmp_path / "a.pdf", cache_dir=tmp_path / "c"))
    assert PdfReader(result.path).metadata["/CreationDate"].startswith("D:20260101")


def _stamp_position(png: Path) -> tuple[float, float]:
    """Centre of the dark pixels in the bottom 7 % of a rendered page, as fractions of width and height."""
    im = Image.open(png).convert("L")
    w, h = im.size
    strip = im.crop((0, int(h * 0.93), w, h))
    box = strip.point(lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None, "no stamp in the bottom margin"
    return (box[0] + box[2]) / 2 / w, (box[2] - box[0]) / w


def test_stamps_upright_on_rotated_pages(tmp_path, cache, corpus):
    need_tool("pdftoppm")
    app = copy_example("studio", tmp_path)
    for name in ["habibi-rotated.pdf", "nics-background-checks-2015-11-rotated.pdf"]:
        shutil.copy(corpus / "pdf" / name, app / "3-进度与成果" / name)
    result = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    manifest = manifest_of(result.path)
    for f in manifest["files"]:
        if "habibi" not in f["path"]:
            continue
        for page in range(f["pages"][0], f["pages"][1] + 1):
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "60",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    str(result.path),
                    str(tmp_path / f"p{page}"),
                ],
                check=True,
            )
            centre, width = _stamp_position(tmp_path / f"p{page}.png")
            assert 0.4 < centre < 0.6 and width < 0.3, (page, centre, width)


USABLE_CORPUS = [
    p
    for p in [
        "pdf/multilang.pdf",
        "pdf/issue-67-example.pdf",
        "pdf/issue-914-xmp-data.pdf",
        "pdf/word365_structure.pdf",
        "pdf/pdflatex-outline.pdf",
        "pdf/GeoTopo-komprimiert.pdf",
        "pdf/pr-138-example.pdf",
        "pdf/encrypted_doc_no_id.pdf",
        "pdf/issue-297.pdf",
        "pdf/selenium-pypdf-issue-177.pdf",
        "pdf/habibi-rotated.pdf",
        "pdf/nics-background-checks-2015-11-rotated.pdf",
        "pdf/indirect-rotation.pdf",
        "pdf/kcs.pdf",
        "pdf/multipage.pdf",
        "pdf/libreoffice-form.pdf",
        "pdf/annotated_pdf.pdf",
        "img/flower.jpg",
        "img/hopper_orientation_2.jpg",
        "img/hopper_orientation_3.jpg",
        "img/hopper_orientation_4.jpg",
        "img/hopper_orientation_5.jpg",
        "img/hopper_orientation_6.jpg",
        "img/hopper_orientation_7.jpg",
        "img/hopper_orientation_8.jpg",
        "img/pil_sample_cmyk.jpg",
        "img/app13-multiple.jpg",
        "img/baiona_alpha.png",
        "img/i_trns.png",
        "img/hopper.gif",
        "img/animation.gif",
        "img/g4-multi.tiff",
        "img/flower.webp",
        "img/hopper.heif",
        "office/rph.xlsx",
        "office/richtext_eastAsia_tpl.docx",
        "office/tbl-cell-access.docx",
    ]
]
REFUSED_CORPUS = {
    "pdf/empty.pdf": "空文件",
    "pdf/invalid.pdf": "损坏",
    "pdf/password-example.pdf": "打开密码",
    "pdf/libreoffice-writer-password.pdf": "打开密码",
    "pdf/r6-both-passwords.pdf": "打开密码",
    "img/truncated_jpeg.jpg": "截断",
    "office/issue_530.xlsx": "反斜杠",
    "img/ultrahdr.jpg": "截断",
    "img/decompression_bomb.gif": "压缩炸弹",
}


def test_every_corpus_file_lands_or_is_refused(tmp_path, cache, corpus):
    app = copy_example("studio", tmp_path)
    target = app / "3-进度与成果"
    for rel in USABLE_CORPUS + list(REFUSED_CORPUS):
        shutil.copy(corpus / rel, target / rel.replace("/", "_"))
    before = tree_digest(app)
    # refused: build stops with exit 1 naming every refused file, and writes nothing
    result = CliRunner().invoke(cli, ["build", str(app), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1, result.output
    for rel, words in REFUSED_CORPUS.items():
        assert rel.replace("/", "_") in result.output and words in result.output
    assert not (tmp_path / "x.pdf").exists()
    # with --allow-incomplete the usable ones land with their pages, the refused are listed on the checklist
    # page
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", allow_incomplete=True, cache_dir=cache))
    files = {Path(f["path"]).name: f for f in manifest_of(out.path)["files"]}
    for rel in USABLE_CORPUS:
        f = files[rel.replace("/", "_")]
        count = f["pages"][1] - f["pages"][0] + 1
        if rel.endswith(".pdf"):
            assert count == len(PdfReader(corpus / rel, strict=False).pages), rel
        elif rel.endswith(".tiff"):
            assert count == 3
        elif rel.startswith("img/"):
            assert count == 1, rel
        else:
            assert count >= 1, rel
    for rel in REFUSED_CORPUS:
        assert rel.replace("/", "_") not in files
    checklist_text = "".join(page_texts(out.path)[1:4]).replace("\n", "")
    for rel in REFUSED_CORPUS:
        assert rel.replace("/", "_") in checklist_text
    assert tree_digest(app) == before


def test_orientations_all_render_alike(tmp_path, cache, corpus):
    """All seven EXIF orientations of the same picture end up as the same upright image."""
    from io import BytesIO

    app = copy_example("studio", tmp_path)
    for n in range(2, 9):
        shutil.copy(corpus / "img" / f"hopper_orientation_{n}.jpg", app / "3-进度与成果" / f"o{n}.jpg")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    reader = PdfReader(out.path)
    files = {Path(f["path"]).name: f for f in manifest_of(out.path)["files"]}
    images = []
    for n in range(2, 9):
        page = reader.pages[files[f"o{n}.jpg"]["pages"][0] - 1]
        picture = [img for img in page.images if img.image.size[0] > 60][0]
        images.append(Image.open(BytesIO(picture.data)).convert("L").resize((64, 64)))
    from PIL import ImageChops, ImageStat

    for im in images[1:]:
        assert ImageStat.Stat(ImageChops.difference(images[0], im)).mean[0] < 12


def test_incomplete_is_refused_and_nothing_written(tmp_path, cache):
    app = copy_example("innovation-count", tmp_path)
    shutil.rmtree(app / "6-工会经费凭证")
    result = CliRunner().invoke(cli, ["build", str(app), "-o", str(tmp_path / "o" / "d.pdf")])
    assert (
        result.exit_code == 1
        and "MATERIAL-MISSING" in result.output
        and "--allow-incomplete" in result.output
    )
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
    out = build(app, BuildOptions(out=tmp_path / "o" / "d.pdf", allow_incomplete=True, cache_dir=cache))
    text = page_texts(out.path)[1]
    assert "缺失" in text and "材料不完整" in text
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["d.pdf"]


def test_output_inside_application_is_refused(tmp_path):
    app = copy_example("studio", tmp_path)
    result = CliRunner().invoke(cli, ["build", str(app), "-o", str(app / "d.pdf")])
    assert result.exit_code == 2 and "申请文件夹之内" in result.output


def test_failed_converter_leaves_no_output_and_no_litter(tmp_path):
    fake = tmp_path / "fake-soffice"
    fake.write_text(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'LibreOffice 9.9 fake'; exit 0; fi\nexit 0\n"
    )
    fake.chmod(0o755)
    outdir = tmp_path / "o"
    outdir.mkdir()
    result = CliRunner().invoke(
        cli,
        ["build", str(EXAMPLES / "studio"), "-o", str(outdir / "d.pdf"), "--soffice", str(fake)],
        env={"DOSSIER_CACHE": str(tmp_path / "c")},
    )
    assert result.exit_code == 3 and "未能" in result.output
    assert list(outdir.iterdir()) == []


def test_missing_font_is_exit_3(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(EXAMPLES / "studio"),
            "-o",
            str(tmp_path / "d.pdf"),
            "--font",
            str(tmp_path / "none.ttf"),
        ],
    )
    assert result.exit_code == 3 and "字体" in result.output and "fonts-noto-cjk" in result.output


def test_self_audit_failure_is_exit_4_and_writes_nothing(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(
        "assembler.pipeline.assemble.DossierWriter._links", staticmethod(lambda pdf, links: None)
    )
    result = CliRunner().invoke(
        cli,
        ["build", str(EXAMPLES / "studio"), "-o", str(tmp_path / "d.pdf")],
        env={"DOSSIER_CACHE": str(cache)},
    )
    assert result.exit_code == 4 and "自检" in result.output and "链接" in result.output
    assert list(tmp_path.iterdir()) == []


def test_max_size_steps_photo_quality_down(tmp_path, cache):
    import random

    app = copy_example("studio", tmp_path)
    rng = random.Random(7)
    for n in range(3):  # detailed 8-megapixel photos, where quality matters
        im = Image.effect_noise((3264, 2448), 60).convert("RGB")
        im.paste((rng.randrange(256), 90, 40), (0, 0, 1600, 1200))
        im.save(app / "3-进度与成果" / f"现场{n}.jpg", quality=92)
    first = build(app, BuildOptions(out=tmp_path / "a.pdf", cache_dir=cache))
    limit = int(first.size * 0.6)
    second = build(app, BuildOptions(out=tmp_path / "b.pdf", cache_dir=cache, max_size=limit))
    assert second.size <= limit < first.size
    assert second.photo.quality < first.photo.quality
    assert any("照片按" in n for n in second.notes)


def test_build_cli_reports(tmp_path, cache):
    result = CliRunner().invoke(
        cli,
        ["build", str(EXAMPLES / "studio"), "-o", str(tmp_path / "d.pdf"), "-q"],
        env={"DOSSIER_CACHE": str(cache)},
    )
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output and "页" in result.output and "15,000" in result.output
    assert f"（{len(PdfReader(tmp_path / 'd.pdf').pages)} 页" in result.output


def test_picture_that_fails_to_decode_is_caught_at_check_and_named(tmp_path, cache):
    """A picture whose header is fine but whose data does not decode: check finds it (the PNG's chunks are
    verified), so build refuses before converting anything, naming the file."""
    app = copy_example("studio", tmp_path)
    good = Image.effect_noise((400, 300), 50).convert("RGB")
    path = app / "3-进度与成果" / "坏照片.png"
    good.save(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(200)  # header and IEND intact, the image data broken
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(
        cli, ["build", str(app), "-o", str(tmp_path / "d.pdf")], env={"DOSSIER_CACHE": str(cache)}
    )
    assert result.exit_code == 1, result.output
    assert "3-进度与成果/坏照片.png" in result.output and "EVIDENCE-INVALID" in result.output
    assert "损坏" in result.output
    assert not (tmp_path / "d.pdf").exists()


def test_legacy_office_and_wps_files_are_converted(tmp_path, cache):
    """.doc/.xls and WPS's .wps/.et (the same binary formats) go through LibreOffice into the dossier."""
    work = tmp_path / "make"
    work.mkdir()
    shutil.copy(EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx", work / "p.docx")
    shutil.copy(EXAMPLES / "innovation-count" / "ledger.xlsx", work / "l.xlsx")
    for target, src in [("doc", "p.docx"), ("xls", "l.xlsx")]:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(work),
                str(work / src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    app = copy_example("innovation-count", tmp_path)
    other = app / "7-其他佐证材料"
    other.mkdir(exist_ok=True)
    for name, src in [
        ("说明.doc", "p.doc"),
        ("说明（WPS）.wps", "p.doc"),
        ("统计.xls", "l.xls"),
        ("统计（WPS）.et", "l.xls"),
    ]:
        shutil.copy(work / src, other / name)
    result = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    files = {Path(f["path"]).name: f for f in manifest_of(result.path)["files"]}
    for name, kind in [
        ("说明.doc", "word"),
        ("说明（WPS）.wps", "word"),
        ("统计.xls", "excel"),
        ("统计（WPS）.et", "excel"),
    ]:
        assert files[name]["kind"] == kind and files[name]["pages"][1] >= files[name]["pages"][0]


def test_odd_file_names(tmp_path, cache, caplog):
    app = copy_example("studio", tmp_path)
    folder = app / "3-进度与成果"
    names = ["-rf.pdf", "a\nb.jpg", "很长的文件名" * 13 + ".pdf", " 空格 .JPG", "100%&<x>.pdf"]
    for name in names:
        src = "成果应用现场.jpg" if name.lower().endswith(".jpg") else "课题完成进度报告.pdf"
        data = bytearray((folder / src).read_bytes())
        if src.endswith(".pdf"):
            data += f"%{name!r}\n".encode()  # keep each file's content distinct
        (folder / name).write_bytes(
            bytes(data)
            if src.endswith(".pdf")
            else bytes(data[:2]) + b"\xff\xfe\x00\x05" + name[:3].encode("utf-8")[:3] + bytes(data[2:])
        )
    with caplog.at_level("WARNING"):
        result = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    assert not [r for r in caplog.records if "glyph" in r.getMessage()]  # fpdf2 logs glyphs a font lacks
    placed = {f["path"] for f in manifest_of(result.path)["files"]}
    assert {f"3-进度与成果/{n}" for n in names} <= placed
    assert run_verify_ok(result.path)


def run_verify_ok(path: Path) -> bool:
    return CliRunner().invoke(cli, ["verify", str(path)]).exit_code == 0


OFD_PAGES = {
    "SESV4SignDoc.ofd": 1,
    "containsJPEG.ofd": 2,
    "csfapiao1.ofd": 1,
    "helloworld.ofd": 1,
    "发票监制章-数科.ofd": 1,
    "发票示例.ofd": 1,
    "安证通手动盖章.ofd": 7,
    "文字横向-数科.ofd": 1,
    "金格信创自动盖章.ofd": 5,
}


def test_ofd_receipts_land_rendered_with_their_originals_attached(tmp_path, cache, corpus):
    app = copy_example("studio", tmp_path)
    target = app / "3-进度与成果"
    for name in OFD_PAGES:
        shutil.copy(corpus / "ofd" / name, target / name)
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    manifest = manifest_of(out.path)
    files = {Path(f["path"]).name: f for f in manifest["files"]}
    for name, pages in OFD_PAGES.items():
        entry = files[name]
        assert entry["kind"] == "ofd" and entry["pages"][1] - entry["pages"][0] + 1 == pages, name
    invoice = files["发票示例.ofd"]["data"]
    assert invoice["buyer"] == "科游迈利有限公司" and invoice["total"]
    with pikepdf.open(out.path) as pdf:
        attached = set(pdf.attachments)
        original = pdf.attachments["ofd/3-进度与成果/发票示例.ofd"].get_file().read_bytes()
    assert {f"ofd/3-进度与成果/{name}" for name in OFD_PAGES} <= attached
    assert original == (corpus / "ofd" / "发票示例.ofd").read_bytes()
    # the court ruling's text is there for a reader to find, in order
    first = files["安证通手动盖章.ofd"]["pages"][0]
    assert "刑事裁定书" in page_texts(out.path)[first - 1].replace(" ", "")
    assert CliRunner().invoke(cli, ["verify", str(out.path)]).exit_code == 0


def test_four_readers_extract_the_same_text_from_our_pages(built):
    """poppler, PDFium, pypdf and pdfminer.six read the cover, 材料清单 and 目录 alike (Identity-H)."""
    import pypdfium2
    from pdfminer.high_level import extract_text

    need_tool("pdftotext")
    path = built["studio"]
    poppler = page_texts(path)
    pdfium = pypdfium2.PdfDocument(path)
    pypdf_reader = PdfReader(path)
    try:
        for index in range(3):
            texts = {
                "poppler": poppler[index],
                "pdfium": pdfium[index].get_textpage().get_text_range(),
                "pypdf": pypdf_reader.pages[index].extract_text(),
                "pdfminer": extract_text(path, page_numbers=[index]),
            }
            chars = {name: sorted(c for c in text if not c.isspace()) for name, text in texts.items()}
            assert "\x00" not in "".join(texts.values())
            assert chars["pdfium"] == chars["poppler"] == chars["pypdf"] == chars["pdfminer"], index
        assert "天津示例新能源装备有限公司" in pypdf_reader.pages[0].extract_text()
    finally:
        pdfium.close()


def test_filled_form_fields_are_drawn_into_the_page(tmp_path, cache, corpus):
    app = copy_example("studio", tmp_path)
    shutil.copy(corpus / "pdf" / "libreoffice-form.pdf", app / "3-进度与成果" / "表单.pdf")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    entry = next(f for f in manifest_of(out.path)["files"] if f["path"].endswith("表单.pdf"))
    page = entry["pages"][0] - 1
    text = page_texts(out.path)[page]
    assert "Alice" in text and "Bob" in text
    with pikepdf.open(out.path) as pdf:
        assert "/AcroForm" not in pdf.Root
        widgets = [a for a in pdf.pages[page].get("/Annots", []) if a.get("/Subtype") == "/Widget"]
        assert widgets == []


def test_an_evidence_pdfs_bookmarks_are_nested_under_its_own(tmp_path, cache, corpus):
    app = copy_example("studio", tmp_path)
    shutil.copy(corpus / "pdf" / "GeoTopo-komprimiert.pdf", app / "3-进度与成果" / "报告.pdf")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    entry = next(f for f in manifest_of(out.path)["files"] if f["path"].endswith("报告.pdf"))
    first = entry["pages"][0]
    reader = PdfReader(out.path)

    def find(items, title):
        for i, item in enumerate(items):
            if not isinstance(item, list) and item.title == title:
                return item, items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], list) else []
            if isinstance(item, list) and (found := find(item, title)):
                return found
        return None

    mine, children = find(reader.outline, "报告.pdf")
    assert reader.get_destination_page_number(mine) + 1 == first
    source = PdfReader(corpus / "pdf" / "GeoTopo-komprimiert.pdf")
    top = next(i for i in source.outline if not isinstance(i, list))
    expected = source.get_destination_page_number(top) + first
    got = next(c for c in children if not isinstance(c, list) and c.title == top.title)
    assert reader.get_destination_page_number(got) + 1 == expected
    nested = sum(1 for _ in _flatten(children))
    assert nested == _count(source.outline)
    assert CliRunner().invoke(cli, ["verify", str(out.path)]).exit_code == 0


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _count(items) -> int:
    return sum(1 for _ in _flatten(items))


def test_duplex_starts_every_material_on_a_right_hand_page(tmp_path, cache):
    out = build(
        EXAMPLES / "innovation-count", BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache, duplex=True)
    )
    reader = PdfReader(out.path)
    starts = [reader.get_destination_page_number(i) + 1 for i in reader.outline if not isinstance(i, list)]
    material_starts = starts[3:]  # after 封面, 申报材料清单, 目录; the 文件清单 is the last
    assert material_starts and all(page % 2 == 1 for page in material_starts), material_starts
    blanks = [i + 1 for i, p in enumerate(reader.pages) if "此页无正文" in p.extract_text()]
    assert blanks and all(page % 2 == 0 for page in blanks)
    assert all(page + 1 in material_starts for page in blanks)  # a blank page only ever precedes a material
    simplex = build(EXAMPLES / "innovation-count", BuildOptions(out=tmp_path / "s.pdf", cache_dir=cache))
    assert out.pages == simplex.pages + len(blanks)
    assert CliRunner().invoke(cli, ["verify", str(out.path)]).exit_code == 0


def test_a_dossier_checked_against_other_checklists_says_so_on_its_cover(tmp_path, cache):
    revised = tmp_path / "revised"
    shutil.copytree(Path(__file__).resolve().parents[2] / "checklists" / "2021", revised)
    out = build(
        EXAMPLES / "studio", BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache, checklists=revised)
    )
    official = build(EXAMPLES / "studio", BuildOptions(out=tmp_path / "o.pdf", cache_dir=cache))
    assert "非官方" in page_texts(out.path)[0].replace("\n", "")
    assert "非官方" not in page_texts(official.path)[0].replace("\n", "")


def test_split_size_writes_volumes_that_each_verify(tmp_path, cache):
    out = build(
        EXAMPLES / "innovation-count",
        BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache, split_size=300_000),
    )
    assert len(out.volumes) >= 2 and any("分为" in n for n in out.notes)
    total = len(PdfReader(out.path).pages)
    per_volume: list[list[int]] = []
    for number, volume in enumerate(out.volumes, start=1):
        assert volume.name == f"d-第{number}册.pdf"
        assert CliRunner().invoke(cli, ["verify", str(volume)]).exit_code == 0, volume
        reader = PdfReader(volume)
        titles = [i.title for i in reader.outline if not isinstance(i, list)]
        assert titles[:3] == ["封面", "申报材料清单", "目录"]
        pages = manifest_of(volume)["volume"]["pages"]
        assert list(reader.page_labels) == [str(p) for p in pages]  # the whole dossier's page numbers
        assert ("文件清单" in titles) == (number == len(out.volumes))
        per_volume.append(pages)
    front = set.intersection(*(set(p) for p in per_volume))
    rest = [p for pages in per_volume for p in pages if p not in front]
    assert front == set(range(1, min(rest)))  # the front matter in every volume
    assert sorted(rest) == rest == list(range(min(rest), total + 1))  # every other page once, in order


def test_internal_links_of_an_evidence_pdf_still_lead_to_its_pages(tmp_path, cache, corpus):
    """pdflatex-outline.pdf links its table of contents to its sections through named destinations; in the
    dossier each link still leads to the right page of the file."""
    app = copy_example("studio", tmp_path)
    shutil.copy(corpus / "pdf" / "pdflatex-outline.pdf", app / "3-进度与成果" / "报告.pdf")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=cache))
    entry = next(f for f in manifest_of(out.path)["files"] if f["path"].endswith("报告.pdf"))
    first = entry["pages"][0] - 1
    source = pikepdf.open(corpus / "pdf" / "pdflatex-outline.pdf")
    dossier = pikepdf.open(out.path)

    def targets(pdf: pikepdf.Pdf, offset: int) -> list[int]:
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        found = []
        for page in list(pdf.pages)[offset : offset + len(source.pages)]:
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                if annot.get("/Subtype") == "/Link" and action is not None and action.get("/S") == "/GoTo":
                    dest = names[str(action.D)]
                    dest = dest.D if isinstance(dest, pikepdf.Dictionary) else dest
                    found.append(pages[dest[0].objgen] - offset)
        return found

    expected = targets(source, 0)
    assert expected and targets(dossier, first) == expected
