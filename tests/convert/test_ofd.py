"""OFD evidence: every file of the shared corpus rendered (pages, text order, seals, fonts, invoice data),
broken OFDs refused with a Chinese message, and OFDs classified as usable evidence."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pikepdf
import pytest
from conftest import need_tool

from assembler.convert.ofd import find_seal_picture, ofd_page_count, read_structured, render_ofd
from assembler.errors import InputError
from assembler.load.evidence import discover
from assembler.load.sources import FolderSource

# file → (pages, seal pictures drawn, uses embedded fonts)
CORPUS_OFD = {
    "helloworld.ofd": (1, 0, False),
    "发票示例.ofd": (1, 1, False),
    "csfapiao1.ofd": (1, 0, False),
    "发票监制章-数科.ofd": (1, 0, False),
    "安证通手动盖章.ofd": (7, 2, True),
    "金格信创自动盖章.ofd": (5, 1, True),
    "文字横向-数科.ofd": (1, 0, True),
    "SESV4SignDoc.ofd": (1, 1, False),
    "containsJPEG.ofd": (2, 0, False),
}
SEAL_IMAGES = {"SESV4SignDoc.ofd": [1], "安证通手动盖章.ofd": [1], "金格信创自动盖章.ofd": [4]}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text_runs(path: Path) -> list[str]:
    """Per page, the TextCode runs of the page content in document order, read with the stdlib only."""
    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        root = ET.fromstring(zf.read(names["ofd.xml"]))
        doc_part = next(el.text for el in root.iter() if _local(el.tag) == "DocRoot").strip().lstrip("/")
        doc = ET.fromstring(zf.read(names[doc_part.lower()]))
        folder = doc_part.rsplit("/", 1)[0]
        pages = []
        for page in (el for el in doc.iter() if _local(el.tag) == "Page"):
            content = ET.fromstring(zf.read(names[f"{folder}/{page.get('BaseLoc')}".lower()]))
            codes = [el.text or "" for el in content.iter() if _local(el.tag) == "TextCode"]
            pages.append("".join(codes))
    return pages


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Every corpus OFD rendered once (module scope: the CJK font is loaded once per file, not per test)."""
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"the corpus folder {CORPUS} is absent (set DOSSIER_CORPUS to its path)")
    out = tmp_path_factory.mktemp("ofd")
    result = {}
    for name in CORPUS_OFD:
        pdf = out / (Path(name).stem + ".pdf")
        result[name] = (pdf, render_ofd(CORPUS / "ofd" / name, pdf))
    return result


@pytest.mark.parametrize("name", CORPUS_OFD)
def test_pages_and_size(rendered, corpus, name):
    pdf_path, info = rendered[name]
    pages, _, _ = CORPUS_OFD[name]
    assert ofd_page_count(corpus / "ofd" / name) == pages
    assert info.pages == pages
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == pages
        for page in pdf.pages:
            width, height = float(page.mediabox[2]), float(page.mediabox[3])
            assert 100 < width < 700 and 100 < height < 900, (name, width, height)


def test_page_size_from_physical_box(rendered):
    with pikepdf.open(rendered["helloworld.ofd"][0]) as pdf:  # 210 × 297 mm
        assert [round(float(v), 1) for v in pdf.pages[0].mediabox] == [0, 0, 595.3, 841.9]
    with pikepdf.open(rendered["csfapiao1.ofd"][0]) as pdf:  # the page's own box: 210.2556 × 140.0528 mm
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 596, 397]


@pytest.mark.parametrize("name", CORPUS_OFD)
def test_text_in_document_order(rendered, corpus, name):
    need_tool("pdftotext")
    pdf_path, _ = rendered[name]
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    extracted = out.split("\f")
    for number, runs in enumerate(_text_runs(corpus / "ofd" / name)):
        expected = _squeeze(runs)
        assert expected in _squeeze(extracted[number]), (name, number + 1, expected[:80])


def test_text_is_upright_at_the_top(rendered):
    """OFD's origin is the top left with Y down: the hello-world line must be near the top of the page."""
    need_tool("pdftotext")
    html = subprocess.run(
        ["pdftotext", "-bbox", str(rendered["helloworld.ofd"][0]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    assert words and "你好呀" in words[0][2]
    x, y = float(words[0][0]), float(words[0][1])
    assert abs(x - 31.7 * 72 / 25.4) < 3 and 25.4 * 72 / 25.4 - 3 < y < 32 * 72 / 25.4


@pytest.mark.parametrize("name", CORPUS_OFD)
def test_seals_drawn(rendered, name):
    pdf_path, info = rendered[name]
    assert info.seals == CORPUS_OFD[name][1]
    with pikepdf.open(pdf_path) as pdf:
        for number in SEAL_IMAGES.get(name, []):
            xobjects = pdf.pages[number - 1].Resources.get("/XObject", {})
            seals = [x for key, x in xobjects.items() if key.startswith("/Seal")]
            assert seals and all(x.Subtype == "/Image" for x in seals), (name, number)
            assert all(int(x.Width) >= 32 for x in seals)


def test_seal_that_is_an_ofd_is_drawn_as_a_form(rendered):
    """The e-invoice's supervision seal is itself an OFD inside the SES signature: drawn as vector text."""
    with pikepdf.open(rendered["发票示例.ofd"][0]) as pdf:
        xobjects = pdf.pages[0].Resources.XObject
        forms = [x for key, x in xobjects.items() if key.startswith("/Seal")]
        assert len(forms) == 1 and forms[0].Subtype == "/Form"
    need_tool("pdftotext")
    text = subprocess.run(
        ["pdftotext", "-raw", str(rendered["发票示例.ofd"][0]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "国家税务总局" in _squeeze(text) and "重庆增值税电子普通发票" in _squeeze(text)


def test_seal_pictures_found_in_ses_v1_and_v4(corpus):
    expect = {
        "SESV4SignDoc.ofd": "PNG",
        "发票示例.ofd": "ofd",
        "安证通手动盖章.ofd": "bmp",
        "金格信创自动盖章.ofd": "gif",
    }
    for name, kind in expect.items():
        with zipfile.ZipFile(corpus / "ofd" / name) as zf:
            found = find_seal_picture(zf.read("Doc_0/Signs/Sign_0/SignedValue.dat"))
        assert found is not None and found[0] == kind, name
    assert find_seal_picture(b"") is None and find_seal_picture(b"\x30\x82\xff\xff") is None


@pytest.mark.parametrize("name", CORPUS_OFD)
def test_embedded_fonts_used_where_present(rendered, name):
    pdf_path, info = rendered[name]
    uses_embedded = CORPUS_OFD[name][2]
    assert bool(info.embedded_fonts) == uses_embedded
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # every font is embedded
    if uses_embedded:
        assert not set(info.embedded_fonts) & set(info.fallback_fonts)


def test_court_ruling_fonts(rendered):
    _, info = rendered["安证通手动盖章.ofd"]
    assert len(info.embedded_fonts) == 6 and not info.fallback_fonts
    _, info = rendered["金格信创自动盖章.ofd"]
    assert info.fallback_fonts == ("FangSong_GB2312",)  # declared without a font file


def test_invoice_structured_data(rendered, corpus):
    _, info = rendered["发票示例.ofd"]
    data = info.structured
    assert data is not None and data == read_structured(corpus / "ofd" / "发票示例.ofd")
    assert data.buyer == "科游迈利有限公司"
    assert data.seller == "杭州融易算企业管理咨询有限公司"
    assert data.invoice_number == "99999951" and data.invoice_code == "050001700111"
    assert data.issue_date == date(2020, 10, 10)
    assert (data.amount, data.tax, data.total) == (Decimal("300.00"), Decimal("18.00"), Decimal("318.00"))
    assert isinstance(data.total, Decimal)
    assert "Doc_0/Attachs/original_invoice.xml" in data.sources
    assert rendered["helloworld.ofd"][1].structured is None


def test_output_is_deterministic(tmp_path, corpus):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_ofd(corpus / "ofd" / "发票示例.ofd", a)
    render_ofd(corpus / "ofd" / "发票示例.ofd", b)
    assert a.read_bytes() == b.read_bytes()
    assert b"CreationDate" not in a.read_bytes()


# -- broken files -------------------------------------------------------------------------------------
def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _broken(corpus: Path) -> dict[str, tuple[bytes, str]]:
    hello = (corpus / "ofd" / "helloworld.ofd").read_bytes()
    parts = _parts(corpus / "ofd" / "helloworld.ofd")
    no_root = {k: v for k, v in parts.items() if k != "OFD.xml"}
    no_page = {k: v for k, v in parts.items() if not k.endswith("Content.xml")}
    bomb = {**parts, "Doc_0/Res/big.png": b"\0" * (16 * 1024 * 1024)}
    dtd = {**parts, "OFD.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ofd:OFD/>'}
    docx = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    encoding = {**parts, "OFD.xml": parts["OFD.xml"].replace(b'encoding="UTF-8"', b'encoding="nan"')}
    version = bytearray(hello)  # "version needed to extract" 9.6 in the central directory: zipfile cannot
    at = version.index(b"PK\x01\x02") + 6
    version[at : at + 2] = (96).to_bytes(2, "little")
    return {
        "truncated.ofd": (hello[: len(hello) // 2], "损坏"),
        "no-ofd-xml.ofd": (_zip(no_root), "OFD.xml"),
        "no-page.ofd": (_zip(no_page), "第 1 页"),
        "bomb.ofd": (_zip(bomb), "压缩炸弹"),
        "dtd.ofd": (_zip(dtd), "DTD"),
        "not-ofd.ofd": (_zip(docx), "OFD.xml"),
        "encoding.ofd": (_zip(encoding), "不是有效的 XML"),
        "version.ofd": (bytes(version), "损坏"),
    }


def test_broken_ofd_refused(tmp_path, corpus):
    for name, (data, words) in _broken(corpus).items():
        path = tmp_path / name
        path.write_bytes(data)
        for call, args in ((ofd_page_count, (path,)), (render_ofd, (path, tmp_path / "x.pdf"))):
            with pytest.raises(InputError) as exc:
                call(*args)
            assert words in exc.value.message, (name, exc.value.message)
            assert exc.value.where == name and exc.value.fix
        assert not (tmp_path / "x.pdf").exists()


def test_evidence_classifies_ofd(tmp_path, corpus):
    for name in CORPUS_OFD:
        (tmp_path / name).write_bytes((corpus / "ofd" / name).read_bytes())
    for name, (data, _) in _broken(corpus).items():
        (tmp_path / name).write_bytes(data)
    files, _ = discover(FolderSource(tmp_path))
    seen = {f.rel: f for f in files}
    for name, (pages, _, _) in CORPUS_OFD.items():
        assert seen[name].kind == "ofd" and seen[name].usable and seen[name].pages == pages, seen[name]
    for name, (_, words) in _broken(corpus).items():
        f = seen[name]
        assert not f.usable and words in (f.problem or ""), (name, f.kind, f.problem)


def test_delta_shorthand_and_path_commands():
    from assembler.convert.ofd.paint import _deltas, _path_ops

    assert _deltas("g 3 1.5 2 g 2 0.5") == [1.5, 1.5, 1.5, 2.0, 0.5, 0.5]
    assert _deltas("") == [] and _deltas("g x 1 3") == [3.0]
    ops = _path_ops("S 0 0 L 10 0 Q 10 10 0 10 B 0 5 5 5 5 0 A 5 5 0 0 1 10 5 C M 1 1 Z")
    assert (
        ops[0] == "0 0 m" and ops[1] == "10 0 l" and ops[2].endswith(" 0 10 c") and ops[3] == "0 5 5 5 5 0 c"
    )
    assert ops[-3] == "h" and ops[-2] == "1 1 m" and ops[-1] == "h"
    assert all(op.endswith(" c") for op in ops[4:-3]) and ops[-4].endswith("10 5 c")
    assert _path_ops("M 1 2", (2, 0, 0, 2, 10, 10)) == ["12 14 m"]


def test_damaged_parts_degrade_with_a_note(tmp_path, corpus):
    """A broken image, seal or embedded font is left out or replaced, with a note; odd numbers never crash."""
    parts = _parts(corpus / "ofd" / "发票示例.ofd")
    parts["Doc_0/Res/qr.png"] = parts["Doc_0/Res/qr.png"][:40]
    parts["Doc_0/Signs/Sign_0/SignedValue.dat"] = b"\x30\x03\x02\x01\x04"
    page = parts["Doc_0/Pages/Page_0/Content.xml"].decode()
    page = page.replace('DeltaX="1.59"', 'DeltaX="g 99999999 nan"').replace('Size="3.175"', 'Size="1e309"', 1)
    parts["Doc_0/Pages/Page_0/Content.xml"] = page.encode()
    path = tmp_path / "damaged.ofd"
    path.write_bytes(_zip(parts))
    info = render_ofd(path, tmp_path / "damaged.pdf")
    assert info.pages == 1 and info.seals == 0
    assert any("qr.png" in n for n in info.notes) and any("印章" in n for n in info.notes)

    parts = _parts(corpus / "ofd" / "安证通手动盖章.ofd")
    parts["Doc_0/Res/font6_797.ttf"] = b"not a font"
    path.write_bytes(_zip(parts))
    info = render_ofd(path, tmp_path / "damaged.pdf")
    assert "FangSong_GB2312" in info.fallback_fonts and any("FangSong_GB2312" in n for n in info.notes)


def test_structured_data_from_custom_tags(tmp_path, corpus):
    """Without an XML attachment, the invoice fields come from the page text the CustomTags point at."""
    parts = _parts(corpus / "ofd" / "helloworld.ofd")
    parts["Doc_0/Pages/Page_0/Content.xml"] = parts["Doc_0/Pages/Page_0/Content.xml"].replace(
        b"</ofd:Layer>",
        b'<ofd:TextObject ID="9" Boundary="31.7 40 40 5" Font="3" Size="3"><ofd:TextCode X="0" Y="3">'
        b"\xef\xbf\xa5 1,234.50</ofd:TextCode></ofd:TextObject></ofd:Layer>",
    )
    parts["Doc_0/Tags/CustomTags.xml"] = (
        b'<ofd:CustomTags xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CustomTag TypeID="invoice">'
        b"<ofd:FileLoc>Tag_Invoice.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>"
    )
    parts["Doc_0/Tags/Tag_Invoice.xml"] = (
        b'<fp:eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019">'
        b'<fp:BuyerName><fp:ObjectRef PageRef="1">4</fp:ObjectRef></fp:BuyerName>'
        b'<fp:TaxInclusiveTotalAmount><fp:ObjectRef PageRef="1">9</fp:ObjectRef></fp:TaxInclusiveTotalAmount>'
        b"<fp:IssueDate>20240107</fp:IssueDate></fp:eInvoice>"
    )
    path = tmp_path / "tagged.ofd"
    path.write_bytes(_zip(parts))
    data = read_structured(path)
    assert data is not None and data.sources == ("Doc_0/Tags/Tag_Invoice.xml",)
    assert data.buyer == "你好呀，OFD Reader&Writer！"
    assert data.total == Decimal("1234.50") and data.issue_date == date(2024, 1, 7)


def _render_pixels(tmp_path: Path, body: str) -> object:
    """The OFD page holding `body`, rendered by this converter and rasterised by poppler at 20 dpi."""
    import subprocess
    import sys as _sys

    from conftest import RESOURCES, need_tool
    from PIL import Image

    from assembler.convert.ofd import render_ofd
    from assembler.system.fonts import find_cjk_font

    need_tool("pdftoppm")
    _sys.path.insert(0, str(RESOURCES))
    import hostile

    _sys.path.remove(str(RESOURCES))
    src = hostile.ofd_page(tmp_path / "page.ofd", body)
    render_ofd(src, tmp_path / "page.pdf", find_cjk_font(None), name="page.ofd")
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", "-singlefile", tmp_path / "page.pdf", tmp_path / "page"], check=True
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def _mm(image, x: float, y: float) -> tuple[int, int, int]:
    return image.getpixel((round(x / 25.4 * 20), round(y / 25.4 * 20)))


def test_object_alpha_is_drawn(tmp_path):
    """A black box under a white box with Alpha 0 stays visible; under Alpha 128 it shows half through."""
    black = (
        '<ofd:PathObject ID="{id}" Boundary="{x} 20 40 40" Fill="true" Stroke="false">'
        '<ofd:FillColor Value="0 0 0"/>'
        "<ofd:AbbreviatedData>M 0 0 L 40 0 L 40 40 L 0 40 C</ofd:AbbreviatedData>"
        "</ofd:PathObject>"
    )
    white = (
        '<ofd:PathObject ID="{id}" Boundary="{x} 10 60 60" Alpha="{a}" Fill="true" Stroke="false">'
        '<ofd:FillColor Value="255 255 255"/>'
        "<ofd:AbbreviatedData>M 0 0 L 60 0 L 60 60 L 0 60 C</ofd:AbbreviatedData></ofd:PathObject>"
    )
    body = (
        black.format(id=3, x=20)
        + white.format(id=4, x=10, a=0)
        + black.format(id=5, x=120)
        + white.format(id=6, x=110, a=128)
    )
    image = _render_pixels(tmp_path, body)
    assert max(_mm(image, 40, 40)) < 60  # invisible white: the black box shows
    assert 90 < _mm(image, 140, 40)[0] < 170  # half-transparent white over black: grey


def test_axial_and_radial_gradients_are_drawn(tmp_path):
    axial = (
        '<ofd:PathObject ID="3" Boundary="10 10 100 40" Fill="true" Stroke="false"><ofd:FillColor>'
        '<ofd:AxialShd StartPoint="0 0" EndPoint="100 0" Extend="3"><ofd:Segment Position="0">'
        '<ofd:Color Value="255 0 0"/></ofd:Segment><ofd:Segment Position="1"><ofd:Color Value="0 0 255"/>'
        "</ofd:Segment></ofd:AxialShd></ofd:FillColor>"
        "<ofd:AbbreviatedData>M 0 0 L 100 0 L 100 40 L 0 40 C</ofd:AbbreviatedData></ofd:PathObject>"
    )
    radial = (
        '<ofd:PathObject ID="4" Boundary="10 100 80 80" Fill="true" Stroke="false"><ofd:FillColor>'
        '<ofd:RadialShd StartPoint="40 40" EndPoint="40 40" StartRadius="0" EndRadius="40" Extend="3">'
        '<ofd:Segment><ofd:Color Value="0 160 0"/></ofd:Segment><ofd:Segment><ofd:Color Value="255 255 0"/>'
        '</ofd:Segment><ofd:Segment><ofd:Color Value="0 0 0"/></ofd:Segment></ofd:RadialShd></ofd:FillColor>'
        "<ofd:AbbreviatedData>M 0 0 L 80 0 L 80 80 L 0 80 C</ofd:AbbreviatedData></ofd:PathObject>"
    )
    image = _render_pixels(tmp_path, axial + radial)
    left, right = _mm(image, 14, 30), _mm(image, 106, 30)
    assert left[0] > 200 and left[2] < 60, left  # red at the start
    assert right[2] > 200 and right[0] < 60, right  # blue at the end
    centre, middle_ring = _mm(image, 50, 140), _mm(image, 50, 160)
    assert centre[1] > 120 and centre[0] < 60, centre  # green in the middle
    assert middle_ring[0] > 150 and middle_ring[1] > 150, middle_ring  # yellow half way out
