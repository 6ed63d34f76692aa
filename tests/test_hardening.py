"""Hardening: every input an adversarial run found that crashed, ran away or was read wrongly.

Each case is constructed here (no big files committed; bombs and sparse files are made on the fly) and
asserts the exit code, the file or field the Chinese message names, and that no traceback escapes.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, IN_CI, assert_refused, copy_example, csrf_token

from assembler.cli import cli


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _replace(old: str, new: str):
    def change(folder: Path):
        path = folder / "application.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _append(extra: str):
    def change(folder: Path):
        path = folder / "application.yaml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")

    return change


def _write_bytes(data: bytes):
    def change(folder: Path):
        (folder / "application.yaml").write_bytes(data)

    return change


def _ledger_csv(text: str):
    def change(folder: Path):
        (folder / "ledger.csv").write_text(text, encoding="utf-8")
        _replace("projects: ledger.xlsx", "projects: ledger.csv")(folder)

    return change


# ---- item 1: application.yaml and amounts that crashed -------------------------------------------------

APPLICATION_YAML = {
    "impossible-date": (
        "innovation-count",
        _replace("year: 2026", "year: 2026\nfiled_on: 2026-02-30"),
        ["application.yaml", "第 4 行", "2026-02-30", "不存在"],
    ),
    "year-zero-date": (
        "innovation-count",
        _replace("year: 2026", "year: 2026\nfiled_on: 0000-01-01"),
        ["application.yaml", "0000-01-01", "不存在"],
    ),
    "deep-nesting": ("studio", _append("x: " + "[" * 5000 + "]" * 5000 + "\n"), ["application.yaml", "嵌套"]),
    "complex-key": ("studio", _append("? [a, b]\n: 1\n"), ["application.yaml", "字段名"]),
    "nul-byte": (
        "studio",
        lambda f: (f / "application.yaml").write_bytes(
            (f / "application.yaml").read_bytes().replace(b"year: 2026", b"year: 20\x0026")
        ),
        ["application.yaml", "第 4 行", "控制字符"],
    ),
    "huge-integer": (
        "studio",
        _replace("year: 2026", "year: " + "9" * 5000),
        ["application.yaml", "第 4 行"],
    ),
    "matched-amount-1e20": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1e20"),
        ["application.yaml", "studio.matched_amount"],
    ),
    "matched-amount-float-1e20": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1.0e+20"),
        ["application.yaml", "第 21 行", "studio.matched_amount", "不可信"],
    ),
    "matched-amount-absurd": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 999999999999999.99"),
        ["studio.matched_amount", "100,000,000"],
    ),
    "matched-amount-1e400": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1e400"),
        ["studio.matched_amount"],
    ),
    "ledger-absurd-bonus": (
        "innovation-count",
        _ledger_csv("项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2026-03-12,999999999999999.99\n"),
        ["ledger.csv", "第 2 行", "D 列", "不可信"],
    ),
    "ledger-decimal-comma": (
        "innovation-count",
        _ledger_csv('项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2026-03-12,"1,00"\n'),
        ["ledger.csv", "第 2 行", "歧义"],
    ),
    "ledger-european-thousands": (
        "innovation-count",
        _ledger_csv('项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2026-03-12,"1.000,00"\n'),
        ["ledger.csv", "第 2 行", "歧义"],
    ),
}


@pytest.mark.parametrize("case", sorted(APPLICATION_YAML))
def test_application_yaml_that_crashed_is_exit_2(tmp_path, case):
    assert_refused(tmp_path, *APPLICATION_YAML[case])


# ---- item 4: data read as the user meant ---------------------------------------------------------------


def _xlsx(folder: Path, sheets: list[tuple[str, str, list[list]]], name: str = "ledger.xlsx") -> Path:
    """Write a workbook of (title, state, rows) sheets; the first sheet is the workbook's first."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, state, rows in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    wb.active = next(i for i, (_, state, _) in enumerate(sheets) if state == "visible")
    path = folder / name
    wb.save(path)
    return path


HEAD = ["序号", "项目名称", "提出人", "采纳日期", "奖励金额"]


def _items(n: int, start: int = 1) -> list[list]:
    return [[i, f"项目{i}", f"职工{i}", "2026-03-12", 600] for i in range(start, start + n)]


def _patch_xlsx(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite the first sheet's XML in place (to write what openpyxl would not: NaN, a formula without a
    cached value)."""
    data = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        for info in infos:
            data[info.filename] = zf.read(info)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in infos:
            body = data[info.filename]
            if info.filename.startswith("xl/worksheets/sheet"):
                body = body.replace(old, new)
            zf.writestr(info, body)


def test_hidden_first_sheet_is_not_used(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _xlsx(folder, [("旧台账", "hidden", [HEAD, *_items(200)]), ("台账", "visible", [HEAD, *_items(35)])])
    data = json.loads(run("check", folder, "--json").output)
    assert "31–50" in data["award"]["lines"][0] and "35 条" in data["award"]["lines"][0]


def test_two_visible_ledger_sheets_ask_which(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _xlsx(
        folder, [("上半年", "visible", [HEAD, *_items(20)]), ("下半年", "visible", [HEAD, *_items(20, 21)])]
    )
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and "上半年" in result.output and "下半年" in result.output
    assert "ledger.xlsx#" in result.output
    _replace("projects: ledger.xlsx", "projects: ledger.xlsx#下半年")(folder)
    data = json.loads(run("check", folder, "--json").output)
    assert "20 条" in data["award"]["lines"][0]
    files = [f for m in data["materials"] for f in m["files"]]
    assert "ledger.xlsx" not in files and not any(f["path"] == "ledger.xlsx" for f in data["findings"])


def test_named_sheet_that_does_not_exist(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _replace("projects: ledger.xlsx", "projects: ledger.xlsx#汇总")(folder)
    result = run("check", folder)
    assert result.exit_code == 2 and "汇总" in result.output and "ledger.xlsx" in result.output


@pytest.mark.parametrize("cell", [b"<v>NaN</v>", b"<v>INF</v>", b"<v>-inf</v>", b"<v>1e999</v>"])
def test_nan_and_inf_cells(tmp_path, cell):
    folder = copy_example("innovation-count", tmp_path)
    path = _xlsx(
        folder, [("台账", "visible", [HEAD, *_items(34), [35, "夹具", "张三", "2026-03-12", 424242]])]
    )
    _patch_xlsx(path, b"<v>424242</v>", cell)
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and ("第 36 行" in result.output), result.output


def test_formula_without_cached_value(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    path = _xlsx(
        folder, [("台账", "visible", [HEAD, *_items(34), [35, "夹具", "张三", "2026-03-12", 424242]])]
    )
    _patch_xlsx(path, b"<v>424242</v>", b"<f>SUM(E2:E3)</f>")
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and "第 36 行 E 列" in result.output and "公式" in result.output


def test_wan_yuan_header_is_converted(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        "项目名称,提出人,采纳日期,奖励金额（万元）\n夹具,张三,2026-03-12,0.06\n", encoding="utf-8"
    )
    data = json.loads(run("check", folder, "--json").output)
    assert "(500, +∞) 元：1 项" in " ".join(data["award"]["lines"]), data["award"]  # 600 元, not 0.06 元


def test_other_money_unit_is_refused(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        "项目名称,提出人,采纳日期,奖励金额（美元）\n夹具,张三,2026-03-12,600\n", encoding="utf-8"
    )
    result = run("check", folder)
    assert result.exit_code == 2 and "ledger.csv" in result.output and "美元" in result.output


def test_csv_row_numbers_after_a_quoted_newline(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        '项目名称,提出人,采纳日期,实施效果,奖励金额\n夹具,张三,2026-03-12,"两行\n效果",600\n'
        "刀具,李四,2025-13-45,好,600\n",
        encoding="utf-8",
    )
    result = run("check", folder)
    assert result.exit_code == 2
    assert "第 3 行" in result.output and "第 4 行" not in result.output


def test_jpeg_with_pdf_marker_in_exif_is_a_jpeg(tmp_path):
    from io import BytesIO

    from PIL import Image

    from assembler.load.evidence import inspect
    from assembler.load.sources import Entry, FolderSource

    im = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x010E] = "scan %PDF-1.7 of the minutes"  # ImageDescription
    buf = BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    (tmp_path / "photo.jpg").write_bytes(buf.getvalue())
    found = inspect(FolderSource(tmp_path), Entry("photo.jpg", len(buf.getvalue())))
    assert found.kind == "image" and found.problem is None, found


# ---- item 1: evidence that passed check and crashed build ---------------------------------------------


def _pdf(path: Path, change=None) -> Path:
    """A one-page PDF; `change(pdf, page)` spoils it the way an adversary would."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if change is not None:
        change(pdf, pdf.pages[0])
    pdf.save(path)
    return path


def _set_key(key: str, value):
    def change(pdf, page):
        page.obj[key] = value

    return change


def _sparse_stream_pdf(path: Path, length: int) -> Path:
    """A valid PDF whose one image stream is `length` bytes of zeros, written sparse (no disk used)."""
    head = (
        b"%PDF-1.4\n"
        b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
        b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources <</XObject <</Im0 5 0 R>>>>>> endobj\n"
        b"4 0 obj <</Length 13>> stream\nq 1 0 0 1 0 0 cm\nendstream endobj\n"
    )
    offsets = [head.index(f"{i} 0 obj".encode()) for i in range(1, 5)]
    side = int((length // 3) ** 0.5)
    obj5 = (
        f"5 0 obj <</Type /XObject /Subtype /Image /Width {side} /Height {length // 3 // side}"
        f" /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {length}>> stream\n"
    ).encode()
    with path.open("wb") as fh:
        fh.write(head)
        offsets.append(fh.tell())
        fh.write(obj5)
        fh.seek(length, 1)
        fh.write(b"\nendstream endobj\n")
        xref = fh.tell()
        fh.write(b"xref\n0 6\n0000000000 65535 f \n")
        for off in offsets:
            fh.write(f"{off:010d} 00000 n \n".encode())
        fh.write(f"trailer <</Size 6 /Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return path


def _flate_bomb_pdf(path: Path) -> Path:
    import zlib

    import pikepdf

    def change(pdf, page):
        packer = zlib.compressobj(9)
        zeros = b"\x00" * (1 << 20)
        data = b"".join(packer.compress(zeros) for _ in range(420)) + packer.flush()  # 420 MB → 0.4 MB
        image = pikepdf.Stream(pdf, b"")
        image.write(data, filter=pikepdf.Name.FlateDecode)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = 21000, 20000, 8
        image.ColorSpace = pikepdf.Name.DeviceGray
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))

    return _pdf(path, change)


def _three_box(pdf, page):
    import pikepdf

    page.obj.MediaBox = pikepdf.Array([0, 0, 595])


EVIDENCE = {
    "rotate-45": (lambda p: _pdf(p, _set_key("/Rotate", 45)), "旋转角度"),
    "rotate-name": (
        lambda p: _pdf(p, _set_key("/Rotate", __import__("pikepdf").Name("/Ninety"))),
        "旋转角度",
    ),
    "mediabox-3": (lambda p: _pdf(p, _three_box), "页面尺寸"),
    "stream-over-75mb": (lambda p: _sparse_stream_pdf(p, 76_000_000), "数据过大"),
    "flate-bomb": (_flate_bomb_pdf, "压缩炸弹"),
}


@pytest.mark.parametrize("case", sorted(EVIDENCE))
def test_pdf_that_build_would_refuse_is_caught_by_check(tmp_path, case):
    make, words = EVIDENCE[case]
    folder = copy_example("innovation-count", tmp_path)
    make(folder / "2-激励制度" / "补充说明.pdf")
    result = run("check", folder, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    finding = next(f for f in data["findings"] if f["path"] == "2-激励制度/补充说明.pdf")
    assert finding["severity"] == "error" and words in finding["message"], finding


def test_file_name_that_is_not_utf8(tmp_path):
    import os

    folder = copy_example("innovation-count", tmp_path)
    target = os.path.join(os.fsencode(folder / "2-激励制度"), "说明".encode("gbk") + b".pdf")
    _pdf(Path(os.fsdecode(target)))
    result = run("check", folder, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert any("UTF-8" in f["message"] and f["path"].startswith("2-激励制度/") for f in data["findings"])


def test_sparse_2gb_scan_is_refused_without_reading(tmp_path):
    import time

    folder = copy_example("innovation-count", tmp_path)
    with (folder / "2-激励制度" / "scan.pdf").open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(2 * 1024**3)
    started = time.monotonic()
    result = run("check", folder, "--json")
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    finding = next(f for f in json.loads(result.output)["findings"] if f["path"] == "2-激励制度/scan.pdf")
    assert "文件过大" in finding["message"] and "512 MB" in finding["message"]


def test_240_megapixel_png_is_refused_by_check(tmp_path):
    import struct
    import zlib

    folder = copy_example("innovation-count", tmp_path)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    width, height = 20000, 12000  # 240 MP; only the header is written: check never decodes
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    (next((folder / "4-评审会议").glob("2026-03-18*")) / "现场.png").write_bytes(png)
    result = run("check", folder, "--json")
    assert result.exit_code == 1
    finding = next(f for f in json.loads(result.output)["findings"] if f["path"].endswith("现场.png"))
    assert "像素过多" in finding["message"]


# ---- item 1: zips -------------------------------------------------------------------------------------


def _zip_of(folder: Path, archive: Path, extra: dict[str, bytes] | None = None, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(archive, "w", method) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


def _corrupt_member(archive: Path, name: str, how: str) -> None:
    """Spoil one member's data in place: its compressed bytes (zlib.error) or one stored byte (bad CRC)."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(name)
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    if how == "zlib":
        data[start : start + 8] = b"\xff" * 8
    else:
        data[start + 20] ^= 0xFF
    archive.write_bytes(bytes(data))


def _encrypt_flags(archive: Path) -> None:
    """Set the 'encrypted' flag on every member (what a password-protected zip's headers say)."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            data[info.header_offset + 6] |= 0x01
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        data[at + 8] |= 0x01
        at += 4
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["zlib", "crc"])
def test_zip_with_a_damaged_member(tmp_path, how):
    folder = copy_example("studio", tmp_path)
    pdf = next(p for p in folder.rglob("*.pdf"))
    rel = pdf.relative_to(folder).as_posix()
    method = zipfile.ZIP_DEFLATED if how == "zlib" else zipfile.ZIP_STORED
    archive = _zip_of(folder, tmp_path / "a.zip", method=method)
    _corrupt_member(archive, rel, how)
    result = run("check", archive, "--json")
    assert result.exit_code == 1, result.output
    finding = next(f for f in json.loads(result.output)["findings"] if f["path"] == rel)
    assert "损坏" in finding["message"]


def test_zip_with_a_damaged_application_yaml(tmp_path):
    folder = copy_example("studio", tmp_path)
    archive = _zip_of(folder, tmp_path / "a.zip")
    _corrupt_member(archive, "application.yaml", "zlib")
    result = run("check", archive)
    assert result.exit_code == 2 and "application.yaml" in result.output and "a.zip" in result.output


def test_encrypted_zip_says_encrypted(tmp_path):
    archive = _zip_of(copy_example("studio", tmp_path), tmp_path / "locked.zip")
    _encrypt_flags(archive)
    result = run("check", archive)
    assert result.exit_code == 2 and "密码" in result.output and "locked.zip" in result.output
    assert "找不到" not in result.output


def test_zip_with_duplicate_names_is_an_error(tmp_path):
    import warnings

    folder = copy_example("studio", tmp_path)
    archive = _zip_of(folder, tmp_path / "dup.zip")
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "a") as zf:
        warnings.simplefilter("ignore")
        zf.writestr("application.yaml", "measures: '2021'\n")
    result = run("check", archive)
    assert result.exit_code == 2 and "同名" in result.output and "application.yaml" in result.output


def test_colon_in_member_name_is_not_zip_slip(tmp_path):
    folder = copy_example("studio", tmp_path)
    archive = _zip_of(folder, tmp_path / "a.zip", extra={"7:note.pdf": _pdf(tmp_path / "n.pdf").read_bytes()})
    result = run("check", archive, "--json")
    assert "zip-slip" not in result.output
    assert result.exit_code in (0, 1), result.output


def test_small_zip_bomb_is_refused_from_its_directory(tmp_path):
    import time

    folder = copy_example("studio", tmp_path)
    archive = tmp_path / "bomb.zip"
    _zip_of(folder, archive)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("3-进度与成果/大.pdf", "w") as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(64):  # 64 MB of zeros → 64 KB
            fh.write(chunk)
    assert archive.stat().st_size < 1_000_000
    started = time.monotonic()
    result = run("check", archive)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2 and "压缩炸弹" in result.output and "大.pdf" in result.output


# ---- item 1: fonts ------------------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font_file(tmp_path: Path, kind: str) -> Path:
    if kind == "dejavu":
        if not DEJAVU.is_file():
            if IN_CI:
                pytest.fail("CI=true but DejaVu Sans is missing (Debian package fonts-dejavu-core)")
            pytest.skip("DejaVu Sans is not installed")
        return DEJAVU
    path = tmp_path / f"{kind}.ttf"
    path.write_bytes(b"" if kind == "empty" else b"not a font at all, just text\n" * 10)
    return path


@pytest.mark.parametrize("kind", ["empty", "garbage", "dejavu"])
def test_unusable_font_is_refused_naming_it(tmp_path, kind):
    font = _font_file(tmp_path, kind)
    result = run("build", EXAMPLES / "studio", "-o", tmp_path / "out.pdf", "--font", font, "-q")
    assert result.exit_code == 3, result.output
    assert str(font) in result.output and "--font" in result.output
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("kind", ["empty-variable", "garbage", "dejavu"])
def test_unusable_dossier_font_variable(tmp_path, monkeypatch, kind):
    from assembler.errors import ToolMissingError
    from assembler.system.fonts import find_cjk_font

    value = "" if kind == "empty-variable" else str(_font_file(tmp_path, kind))
    monkeypatch.setenv("DOSSIER_FONT", value)
    with pytest.raises(ToolMissingError) as exc:
        find_cjk_font()
    assert "DOSSIER_FONT" in exc.value.render() and value in exc.value.render()


# ---- item 6: measures names a bundled revision; other checklists only through --checklists -------------

BUNDLED = Path(__file__).resolve().parent.parent / "checklists"


def _evil_checklists(tmp_path: Path) -> Path:
    import shutil

    evil = tmp_path / "evil" / "2021"
    shutil.copytree(BUNDLED / "2021", evil)
    text = (evil / "innovation.yaml").read_text(encoding="utf-8")
    (evil / "innovation.yaml").write_text(
        text.replace("{min: 31, max: 50, amount: 3000}", "{min: 31, max: 50, amount: 90000}"),
        encoding="utf-8",
    )
    return evil


@pytest.mark.parametrize("form", ["absolute", "relative", "dotdot"])
def test_measures_path_is_refused(tmp_path, form):
    evil = _evil_checklists(tmp_path)
    folder = copy_example("innovation-count", tmp_path)
    value = {
        "absolute": str(evil),
        "relative": "../../" + str(evil.relative_to(tmp_path)),
        "dotdot": "2021/../2021",
    }[form]
    _replace('measures: "2021"', f'measures: "{value}"')(folder)
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "measures" in result.output and "路径" in result.output
    assert "90,000" not in result.output


def test_checklist_is_bundled_flag(tmp_path):
    from assembler.resources import checklist_is_bundled

    assert checklist_is_bundled(None) is True
    assert checklist_is_bundled(BUNDLED / "2021") is True
    evil = _evil_checklists(tmp_path)
    assert checklist_is_bundled(evil) is False
    data = json.loads(run("check", EXAMPLES / "innovation-count", "--json", "--checklists", evil).output)
    assert data["award"]["amount_yuan"] == 90000  # --checklists still works; the cover must then say so


# ---- item 3: photo workers die with their parent ------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from assembler.system.cache import PdfCache
from assembler.convert import images

images.image_to_pdf = lambda *args: time.sleep(120)  # a photo that takes long: the workers are busy
tmp = Path(sys.argv[1])
sources = []
for i in range(4):
    path = tmp / f"p{i}.png"
    path.write_bytes(b"png %d" % i)
    sources.append(path)
print("start", flush=True)
images.convert_images(sources, tmp, images.PhotoSettings(), PdfCache(tmp / "cache"), workers=2)
"""


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_photo_workers_die_with_their_parent(tmp_path, sig):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)], env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    workers: set[int] = set()
    try:
        assert child.stdout.readline().strip() == b"start"
        deadline = time.monotonic() + 30
        while len(workers := _children(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) >= 2, workers
        time.sleep(0.5)  # let the workers pick up their photos
        os.kill(child.pid, getattr(signal, sig))
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "photo workers outlived their parent"
    finally:
        for pid in {child.pid, *workers, *_children(child.pid)}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        child.wait(timeout=10)
        child.stdout.close()


# ---- item 5: the web app survives bad applications ----------------------------------------------------


@pytest.fixture
def web(web_client):
    return web_client


def _workspace_app(client, app_id: str, example: str, change=None) -> Path:
    import shutil

    target = client.workspace / "apps" / app_id
    shutil.copytree(EXAMPLES / example, target)
    if change is not None:
        change(target)
    return target


def test_home_page_survives_applications_that_fail_to_load(web):
    _workspace_app(web, "20260101000000aaaaaa", "studio")
    _workspace_app(
        web, "20260101000001bbbbbb", "studio", _replace("year: 2026", "year: 2026\nfiled_on: 2026-02-30")
    )
    _workspace_app(web, "20260101000002cccccc", "studio", _append("? [a, b]\n: 1\n"))
    _workspace_app(web, "20260101000003dddddd", "studio", _replace("applicant:", "applicant: [1, 2]\nx:"))
    page = web.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "天津示例新能源装备有限公司" in text
    assert "2026-02-30" in text and "不存在" in text and "字段名" in text
    for app_id in ("20260101000001bbbbbb", "20260101000002cccccc", "20260101000003dddddd"):
        response = web.get(f"/a/{app_id}")
        assert response.status_code == 200, (app_id, response.get_data(as_text=True)[:500])


def test_applicant_name_with_line_breaks_does_not_break_downloads(web):
    folder = _workspace_app(
        web, "20260101000000aaaaaa", "studio", _replace("  name: 天津示例", '  name: "天津\\r\\n示例\\n')
    )
    text = (folder / "application.yaml").read_text(encoding="utf-8")
    (folder / "application.yaml").write_text(text.replace("有限公司\n", '有限公司"\n', 1), encoding="utf-8")
    out = web.workspace / "out" / "20260101000000aaaaaa"
    out.mkdir(parents=True)
    (out / "dossier.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    from assembler.web.common import fingerprint

    (out / "built.json").write_text(f'{{"fingerprint": "{fingerprint(folder)}"}}', encoding="utf-8")
    for url in ("/a/20260101000000aaaaaa/dossier.pdf", "/a/20260101000000aaaaaa/application.zip"):
        with web.get(url) as response:
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            disposition = response.headers["Content-Disposition"]
            assert "\r" not in disposition and "\n" not in disposition


def test_open_folder_never_follows_a_symlink_out(web, tmp_path):
    import os

    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$secret-hash", encoding="utf-8")
    folder = copy_example("studio", tmp_path)
    os.symlink(secret, folder / "2-年度工作计划" / "shadow.pdf")
    os.symlink(tmp_path, folder / "7-其他")
    os.mkfifo(folder / "2-年度工作计划" / "pipe.pdf")
    response = web.post("/open", data={"csrf": csrf_token(web), "path": str(folder)})
    assert response.status_code == 302 and "/a/" in response.location
    app_id = response.location.rsplit("/", 1)[-1]
    copied = web.workspace / "apps" / app_id
    assert (copied / "application.yaml").is_file()
    for path in copied.rglob("*"):
        assert not path.is_symlink()
        if path.is_file():
            assert b"secret-hash" not in path.read_bytes(), path
    assert not (copied / "7-其他").exists() and not (copied / "2-年度工作计划" / "pipe.pdf").exists()


def test_zip_bomb_upload_is_refused_before_writing(web):
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(EXAMPLES / "studio" / "application.yaml", "application.yaml")
        with zf.open("2-计划/bomb.pdf", "w") as fh:
            for _ in range(64):
                fh.write(b"\0" * (1 << 20))
    buf.seek(0)
    response = web.post(
        "/upload",
        data={"csrf": csrf_token(web), "archive": (buf, "bomb.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "压缩炸弹" in response.get_data(as_text=True)
    assert not any((web.workspace / "apps").iterdir())
    assert not list(web.workspace.glob(".upload-*"))


def test_evidence_upload_over_the_file_limit(web, monkeypatch):
    import io

    import assembler.web.workspace

    _workspace_app(web, "20260101000000aaaaaa", "studio")
    monkeypatch.setattr(assembler.web.workspace, "FILE_MAX_BYTES", 10_000)
    big = io.BytesIO(b"%PDF-1.4" + b"0" * 20_000)
    response = web.post(
        "/a/20260101000000aaaaaa/files",
        data={
            "csrf": csrf_token(web),
            "material": "2",
            "files": (big, "大.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "文件过大" in response.get_data(as_text=True) and "大.pdf" in response.get_data(as_text=True)
    assert not list((web.workspace / "apps" / "20260101000000aaaaaa").rglob("大*.pdf"))


def test_tiff_with_more_frames_than_the_page_limit(tmp_path, monkeypatch):
    from PIL import Image

    import assembler.load.evidence
    from assembler.load.evidence import inspect
    from assembler.load.sources import Entry, FolderSource

    monkeypatch.setattr(assembler.load.evidence, "PDF_MAX_PAGES", 3)
    frames = [Image.new("L", (8, 8), v) for v in range(0, 250, 50)]
    frames[0].save(tmp_path / "scan.tif", save_all=True, append_images=frames[1:])
    found = inspect(FolderSource(tmp_path), Entry("scan.tif", (tmp_path / "scan.tif").stat().st_size))
    assert found.problem and "5 页" in found.problem


def test_large_photo_is_shrunk_before_it_is_turned(tmp_path):
    """At the pixel limit the picture is scaled down in place before orientation and mode conversion copy
    it; every EXIF orientation still ends up upright on a page of the right orientation."""
    import io

    from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat
    from pypdf import PdfReader

    from assembler.convert.images import PhotoSettings, image_to_pdf

    base = Image.new("RGB", (4000, 2400), "white")
    draw = ImageDraw.Draw(base)
    draw.rectangle([0, 0, 1500, 1000], fill="red")
    draw.ellipse([1800, 200, 2600, 900], fill="green")
    for orientation in (1, 3, 6, 8):
        exif = Image.Exif()
        exif[0x0112] = orientation
        buf = io.BytesIO()
        base.save(buf, "PNG", exif=exif.tobytes())
        (tmp_path / "p.png").write_bytes(buf.getvalue())
        image_to_pdf(str(tmp_path / "p.png"), str(tmp_path / "p.pdf"), PhotoSettings())
        page = PdfReader(tmp_path / "p.pdf").pages[0]
        got = page.images[0].image.convert("RGB")
        expected = ImageOps.exif_transpose(Image.open(tmp_path / "p.png")).convert("RGB").resize(got.size)
        assert max(ImageStat.Stat(ImageChops.difference(got, expected)).mean) < 2
        assert (page.mediabox.width > page.mediabox.height) == (orientation in (1, 3))


def test_image_over_the_pixel_limit_is_refused_at_upload(web):
    import io
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 12000, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    _workspace_app(web, "20260101000000aaaaaa", "studio")
    response = web.post(
        "/a/20260101000000aaaaaa/files",
        data={"csrf": csrf_token(web), "material": "3", "files": (io.BytesIO(png), "巨幅.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "像素过多" in text and "巨幅.png" in text
    assert not list((web.workspace / "apps" / "20260101000000aaaaaa").rglob("巨幅*.png"))


def test_sheet_reaching_column_xfd_is_not_padded(tmp_path):
    """A single cell in the last column (XFD) made every row 16,384 cells long: 527 MB for 4,000 rows."""
    from assembler.limits import LEDGER_MAX_COLUMNS
    from assembler.load.ledger import _read_xlsx

    path = _xlsx(tmp_path, [("台账", "visible", [HEAD, *_items(200)])])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.cell(row=1, column=16384, value="备注")
    wb.save(path)
    rows = _read_xlsx(path.read_bytes(), "ledger.xlsx")
    assert len(rows) == 201 and all(len(cells) <= LEDGER_MAX_COLUMNS for _, cells in rows)


def _office_bomb(path: Path, inner: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(inner, "w") as fh:
            for _ in range(64):
                fh.write(b" " * (1 << 20))
    return path


def test_xlsx_ledger_with_a_bomb_inside(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _office_bomb(folder / "ledger.xlsx", "xl/worksheets/sheet1.xml")
    result = run("check", folder)
    assert result.exit_code == 2 and "ledger.xlsx" in result.output and "压缩炸弹" in result.output


def test_word_evidence_with_a_bomb_inside(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _office_bomb(folder / "2-激励制度" / "办法.docx", "word/document.xml")
    result = run("check", folder, "--json")
    assert result.exit_code == 1
    finding = next(f for f in json.loads(result.output)["findings"] if f["path"] == "2-激励制度/办法.docx")
    assert "压缩炸弹" in finding["message"]


def test_png_with_a_damaged_chunk_is_caught_by_check(tmp_path):
    from io import BytesIO

    from PIL import Image

    folder = copy_example("innovation-count", tmp_path)
    buf = BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[data.index(b"IDAT") + 200] ^= 0xFF  # the decoder would fail on it in build
    (next((folder / "4-评审会议").glob("2026-03-18*")) / "现场3.png").write_bytes(bytes(data))
    result = run("check", folder, "--json")
    assert result.exit_code == 1
    finding = next(f for f in json.loads(result.output)["findings"] if f["path"].endswith("现场3.png"))
    assert "损坏" in finding["message"]
