"""The LibreOffice wrapper: real conversions (CJK embedded, Simplified glyphs, every row), cache,
private profiles, timeouts and clear errors. Needs soffice: skipped without it, failing when CI=true."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, IN_CI, copy_example, edit_yaml, need_tool
from pypdf import PdfReader

from assembler.api import fill
from assembler.cli import cli
from assembler.convert.soffice import Soffice, find_soffice
from assembler.errors import ToolFailedError, ToolMissingError

pytestmark = pytest.mark.slow


@pytest.fixture
def office(tmp_path) -> Soffice:
    need_tool("soffice")
    return Soffice.locate(cache_dir=tmp_path / "cache")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "user-cache"))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Font name → whether its program is embedded, over every page."""
    out = {}
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            desc = descriptor.get_object() if descriptor else {}
            out[str(font.get("/BaseFont"))] = any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return out


def test_fill_pdf_examples(tmp_path):
    need_tool("soffice")
    for name, must in [
        ("innovation-count", ["人民币叁仟元整", "37 项", "12,200.00"]),
        ("innovation-bonus", ["人民币叁万元整", "120 项"]),
        ("studio", ["人民币壹万伍仟元整", "赵建华劳模创新工作室"]),
    ]:
        out = tmp_path / name
        result = fill(EXAMPLES / name, out, pdf=True)
        pdfs = [p for p in result.written if p.suffix == ".pdf"]
        assert len(pdfs) == len([p for p in result.written if p.suffix == ".docx"])
        text = "\n".join(pdf_text(p) for p in pdfs)
        for words in must:
            assert words in text.replace(" \n", "\n"), (name, words)
        assert "None" not in text
        for pdf in pdfs:
            fonts = embedded_fonts(pdf)
            assert fonts and all(fonts.values()), fonts
            assert any("CJK" in f for f in fonts), fonts


def test_summary_pdf_lists_every_item_with_header_on_every_page(tmp_path):
    need_tool("soffice")
    result = fill(EXAMPLES / "innovation-count", tmp_path, pdf=True)
    summary = next(p for p in result.written if p.suffix == ".pdf" and "1.2" in p.name)
    from assembler.load.ledger import load_ledger_file
    from assembler.load.sources import FolderSource

    items = load_ledger_file(FolderSource(EXAMPLES / "innovation-count"), "ledger.xlsx", "x")
    text = re.sub(r"\s+", "", pdf_text(summary))  # a long name wraps inside its cell
    for item in items:
        assert re.sub(r"\s+", "", item.name) in text, item.name
    texts = [page.extract_text() or "" for page in PdfReader(summary).pages]
    with_rows = [t for t in texts if re.search(r"（\s*0\d\d\s*）", t)]  # item names end in （001）…
    assert len(with_rows) >= 2
    assert all("项目名称" in t for t in with_rows)


def test_thousand_rows_convert_with_repeated_header(tmp_path):
    need_tool("soffice")
    app = copy_example("innovation-bonus", tmp_path)
    lines = ["序号,项目名称,类别,提出人,所在部门,采纳日期,实施效果,奖励金额,评审会议"]
    lines += [
        f"{i},项目{i:04d},小革新,职工{i % 50},机加车间,2025-12-19,效果{i},{100 + i % 700},2025-12-19"
        for i in range(1, 1001)
    ]
    (app / "ledger.csv").write_text("\n".join(lines), encoding="utf-8")
    result = fill(app, tmp_path / "out", pdf=True)
    summary = next(p for p in result.written if p.suffix == ".pdf" and "1.2" in p.name)
    reader = PdfReader(summary)
    assert len(reader.pages) > 20
    texts = [p.extract_text() or "" for p in reader.pages]
    body_pages = [t for t in texts if re.search(r"项目\s*\d{4}", t)]
    assert len(body_pages) > 20
    assert all("项目名称" in t for t in body_pages)
    joined = re.sub(r"\s+", "", "".join(texts))
    assert "项目0001" in joined and "项目1000" in joined and "共1000项" in joined


def test_nasty_values_convert(tmp_path):
    need_tool("soffice")
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(name='A&B <工作室> {{ x }} "q"', results=["第一行\n第二行"]))
    result = fill(app, tmp_path / "out", pdf=True)
    text = pdf_text(next(p for p in result.written if p.suffix == ".pdf"))
    assert "A&B <工作室> {{ x }}" in text and "第二行" in text


def _glyph_box(image):
    from PIL import ImageOps

    gray = ImageOps.invert(image.convert("L"))
    box = gray.point(lambda v: 255 if v > 100 else 0).getbbox()
    return image.convert("L").crop(box).resize((120, 40))


def test_cjk_text_uses_simplified_chinese_glyphs(tmp_path, office):
    """Noto CJK shares one outline program across its faces; only the glyphs tell SC from JP apart."""
    need_tool("pdftoppm")
    need_tool("fc-match")
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

    sample = "骨直户"
    doc = Document(str(EXAMPLES.parent / "templates" / "附件1.1-职工创新创效鼓励金申请表.docx"))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    run = doc.add_paragraph().add_run(sample)
    run.font.size = Pt(72)
    rfonts = OxmlElement("w:rFonts")
    rfonts.set(qn("w:eastAsia"), "宋体")
    run._r.get_or_add_rPr().append(rfonts)
    src = tmp_path / "glyphs.docx"
    doc.save(src)
    pdf = office.convert([src])[src]
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    rendered = _glyph_box(Image.open(tmp_path / "page.png").crop((0, 0, 827, 400)))
    match = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}", "Noto Serif CJK SC"], capture_output=True, text=True
    ).stdout.split("|")
    if "NotoSerifCJK" not in match[0]:
        pytest.fail(f"Noto Serif CJK is not installed (fc-match gave {match[0]})")

    def face(index: int):
        im = Image.new("L", (600, 200), 255)
        ImageDraw.Draw(im).text((10, 10), sample, font=ImageFont.truetype(match[0], 140, index=index), fill=0)
        return _glyph_box(im)

    def distance(a, b) -> float:
        return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]

    sc, jp = face(int(match[1])), face(0)
    assert distance(sc, jp) > 3  # the two faces really differ for these characters
    assert distance(rendered, sc) < distance(rendered, jp)


def test_cache_avoids_second_conversion(tmp_path, office):
    src = tmp_path / "a.docx"
    shutil.copy(EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx", src)
    first = office.convert([src])[src]
    assert office.calls == 1 and PdfReader(first).pages
    again = office.convert([src])[src]
    assert office.calls == 1 and again == first
    other = Soffice.locate(cache_dir=office.cache_dir)  # a later run with the same cache
    other.convert([src])
    assert other.calls == 0
    from docx import Document

    doc = Document(src)
    doc.add_paragraph("补充条款")
    doc.save(src)
    office.convert([src])
    assert office.calls == 2


def test_batch_in_one_call_with_odd_names(tmp_path, office):
    sources = []
    policy = EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx"
    for name in ["-rf 报告 (1).docx", "报告 (1).DOCX", "a/报告 (1).docx"]:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        from docx import Document

        doc = Document(policy)
        doc.add_paragraph(f"标记 {name}")
        doc.save(path)
        sources.append(path)
    result = office.convert(sources)
    # each file is converted under its own name (a file-name field prints it); soffice names its PDFs by
    # stem in one folder, so the two 报告 (1) files need a second call
    assert office.calls == 2
    for name, src in zip(["-rf 报告 (1).docx", "报告 (1).DOCX", "a/报告 (1).docx"], sources):
        assert f"标记 {name}" in pdf_text(result[src])


def test_two_conversions_at_once_do_not_collide(tmp_path):
    need_tool("soffice")
    policy = EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx"
    results, errors = {}, []

    def work(i: int) -> None:
        try:
            office = Soffice.locate(cache_dir=tmp_path / f"cache{i}")
            src = tmp_path / f"doc{i}.docx"
            shutil.copy(policy, src)
            results[i] = office.convert([src])[src]
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 2
    assert all(PdfReader(p).pages for p in results.values())


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'LibreOffice 9.9 fake'; exit 0; fi\n" + body
    )
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="shell script stands in for soffice")
def test_hung_converter_is_killed(tmp_path):
    pidfile = tmp_path / "pid"
    fake = _fake_soffice(tmp_path, f"echo $$ > {pidfile}\nsleep 60\n")
    office = Soffice(fake, timeout=1.5, cache_dir=tmp_path / "cache")
    src = tmp_path / "x.docx"
    shutil.copy(EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx", src)
    start = dt.datetime.now()
    with pytest.raises(ToolFailedError) as exc:
        office.convert([src])
    assert (dt.datetime.now() - start).total_seconds() < 20
    assert "超过" in exc.value.message and exc.value.exit_code == 3
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.skipif(sys.platform == "win32", reason="shell script stands in for soffice")
def test_converter_that_writes_nothing_names_the_file(tmp_path):
    fake = _fake_soffice(tmp_path, "exit 0\n")
    office = Soffice(fake, cache_dir=tmp_path / "cache")
    src = tmp_path / "会议纪要.docx"
    shutil.copy(EXAMPLES / "innovation-count" / "2-激励制度" / "职工创新创效激励办法.docx", src)
    with pytest.raises(ToolFailedError) as exc:
        office.convert([src])
    assert "会议纪要.docx" in exc.value.message


def test_missing_soffice_exit_3_with_install_help(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DOSSIER_SOFFICE", raising=False)
    monkeypatch.setattr("assembler.convert.soffice.CANDIDATES", {})
    with pytest.raises(ToolMissingError):
        find_soffice()
    result = CliRunner().invoke(cli, ["fill", str(EXAMPLES / "studio"), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 3
    for words in ["apt-get install", "Windows", "macOS", "--soffice"]:
        assert words in result.output
    assert not (tmp_path / "out").exists()


def test_soffice_option_must_exist(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "fill",
            str(EXAMPLES / "studio"),
            "-o",
            str(tmp_path / "o"),
            "--pdf",
            "--soffice",
            str(tmp_path / "nope"),
        ],
    )
    assert result.exit_code == 3 and "nope" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="the memory limit is RLIMIT_AS (POSIX)")
def test_spreadsheet_bomb_is_refused_under_the_memory_limit_naming_it(tmp_path):
    """A 1 KB .ods repeating one cell a billion times (check refuses it; this is the limit behind that):
    LibreOffice fails within its address-space limit instead of taking the machine, the failure names the
    user's file and not a temporary one, and the good file of the same batch is still converted."""
    import time

    from conftest import RESOURCES

    sys.path.insert(0, str(RESOURCES))
    import hostile

    sys.path.remove(str(RESOURCES))
    need_tool("soffice")
    bomb, small = hostile.ods_bomb(tmp_path / "x1.ods"), hostile.ods_small(tmp_path / "x2.ods")
    office = Soffice.locate(cache_dir=tmp_path / "cache")
    office.memory = 1000 * 1000 * 1000  # 1 GB (decimal, as every size): a three-cell sheet needs under half
    names = {bomb: "7-其他佐证材料/统计表.ods", small: "7-其他佐证材料/小表.ods"}
    started = time.monotonic()
    with pytest.raises(ToolFailedError) as exc:
        office.convert([bomb, small], names)
    assert time.monotonic() - started < 150
    assert "7-其他佐证材料/统计表.ods" in exc.value.message and "小表" not in exc.value.message
    assert "x1.ods" not in exc.value.render() and "1 GB" in exc.value.render()
    assert office.calls == 2  # the batch (LibreOffice goes on to the next file), then the bomb alone
    again = office.convert([small], names)  # converted in the batch: now from the cache
    assert office.calls == 2 and "2" in pdf_text(again[small])


def test_word_file_name_field_prints_the_users_name(tmp_path, office):
    """A FILENAME field prints the name the file is converted under: the user's, never a temporary name."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    paragraph = doc.add_paragraph("文件名：")
    for kind, text in (
        ("begin", None),
        (None, " FILENAME "),
        ("separate", None),
        (None, "旧名.docx"),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "FILENAME":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    src = tmp_path / "snapshot-0001.docx"
    doc.save(src)
    pdf = office.convert([src], {src: "2-激励制度/奖励办法（2026 修订）.docx"})[src]
    text = pdf_text(pdf)
    assert "奖励办法（2026 修订）" in text and "snapshot" not in text


def test_times_new_roman_is_set_in_its_metric_twin(tmp_path, office):
    """Latin text in Times New Roman, Arial and Courier New is set in Liberation Serif, Sans and Mono (same
    widths, so a Word file keeps its line breaks and page count), never in a CJK face."""
    import subprocess

    from docx import Document

    if subprocess.run(["fc-list", ":family=Liberation Serif"], capture_output=True, text=True).stdout == "":
        if IN_CI:
            pytest.fail(
                "CI=true but the Liberation fonts are not installed (the Makefile's setup installs them)"
            )
        pytest.skip("the Liberation fonts are not installed")
    doc = Document()
    for face in ("Times New Roman", "Arial", "Courier New"):
        doc.add_paragraph().add_run(f"The quick brown fox in {face}").font.name = face
    src = tmp_path / "fonts.docx"
    doc.save(src)
    fonts = embedded_fonts(office.convert([src])[src])
    names = " ".join(fonts)
    for twin in ("LiberationSerif", "LiberationSans", "LiberationMono"):
        assert twin in names, fonts
    assert all(fonts.values())
