"""verify digests what the page shows, wherever it comes from: each forgery below changes what a reviewer sees
(or what the file holds) without touching any digest the older verify took, and each is caught. The dossier
is built once per session (conftest.example_dossiers); each test forges a copy with pikepdf."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import copy_example

from assembler.cli import cli
from assembler.integrity.pagetext import to_unicode_map
from assembler.pipeline.run import BuildOptions, build

pytestmark = pytest.mark.slow
QUIET = {"VERIFY-BUILT-BY", "VERIFY-UNSIGNED"}


def verify_json(path: Path) -> tuple[int, dict[str, str], str]:
    """(exit code, rule → message, output) of `verify --json`; never a traceback."""
    result = CliRunner().invoke(cli, ["verify", str(path), "--json"])
    assert "Traceback" not in result.output and result.exit_code != 4, result.output
    if result.exit_code != 0 and result.exit_code != 1:
        return result.exit_code, {}, result.output
    found = {f["rule"]: f["message"] for f in json.loads(result.output)["findings"]}
    return result.exit_code, found, result.output


@pytest.fixture
def dossier(example_dossiers, tmp_path) -> Path:
    target = tmp_path / "received.pdf"
    shutil.copy(example_dossiers["innovation-bonus"], target)
    return target


def manifest_of(pdf: pikepdf.Pdf) -> dict:
    return json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())


def forged(dossier: Path, change: Callable[[pikepdf.Pdf], None]) -> Path:
    """A copy of `dossier` changed by `change(pdf)` and saved (pikepdf: digests and manifest untouched)."""
    target = dossier.with_name("forged.pdf")
    with pikepdf.open(dossier) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def caught(path: Path, rule: str, words: str = "") -> dict[str, str]:
    code, found, output = verify_json(path)
    assert code == 1 and rule in found, output
    assert words in found[rule], found[rule]
    return found


def photo_page(pdf: pikepdf.Pdf) -> tuple[int, pikepdf.Object]:
    """(page number, image) of the first photo (a file of kind image) of the dossier."""
    photo = next(f for f in manifest_of(pdf)["files"] if f["kind"] == "image")
    number = photo["pages"][0]
    stack = [pdf.pages[number - 1].obj.Resources]
    while stack:
        resources = stack.pop()
        for _, xobject in resources.get("/XObject", {}).items():
            if xobject.get("/Subtype") == pikepdf.Name.Image:
                return number, xobject
            if "/Resources" in xobject:
                stack.append(xobject.Resources)
    raise AssertionError("no image on the photo page")


def test_a_glyph_width_set_to_zero_in_the_cover_font(dossier):
    def zero_width(pdf):
        font = next(iter(pdf.pages[0].obj.Resources.Font.values()))
        codes = to_unicode_map(font.ToUnicode.read_bytes())
        zero = next(code for code, text in codes.items() if text == "0")
        descendant = font.DescendantFonts[0]
        descendant.W = pikepdf.Array([zero, pikepdf.Array([0]), *descendant.W])  # 3,000 draws as 3,

    found = caught(forged(dossier, zero_width), "VERIFY-PAGE-CHANGED")
    assert found["VERIFY-PAGE-CHANGED"].startswith("第 1")


def test_to_unicode_changed(dossier):
    def remap(pdf):
        font = next(iter(pdf.pages[0].obj.Resources.Font.values()))
        data = font.ToUnicode.read_bytes().replace(b"<0030>", b"<0038>")  # a copied "0" becomes "8"
        font.ToUnicode = pdf.make_stream(data)

    caught(forged(dossier, remap), "VERIFY-PAGE-CHANGED", "第 1")


def test_a_photo_inverted_by_a_decode_array(dossier):
    number = {}

    def invert(pdf):
        number["page"], image = photo_page(pdf)
        channels = 1 if image.get("/ColorSpace") == pikepdf.Name.DeviceGray else 3
        image.Decode = pikepdf.Array([1, 0] * channels)

    found = caught(forged(dossier, invert), "VERIFY-PAGE-CHANGED")
    assert found["VERIFY-PAGE-CHANGED"] == f"第 {number['page']} 页的内容与生成时不同（被替换或修改）"


def test_a_photo_hidden_by_a_colour_key_mask(dossier):
    def mask(pdf):
        _, image = photo_page(pdf)
        image.Mask = pikepdf.Array([0, 255] * 3)

    caught(forged(dossier, mask), "VERIFY-PAGE-CHANGED")


def _off_layer(pdf: pikepdf.Pdf) -> pikepdf.Object:
    layer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("hidden")))
    pdf.Root.OCProperties = pikepdf.Dictionary(
        OCGs=pikepdf.Array([layer]), D=pikepdf.Dictionary(OFF=pikepdf.Array([layer]))
    )
    return layer


def test_a_photo_in_an_optional_content_layer_that_is_off(dossier):
    def hide(pdf):
        _, image = photo_page(pdf)
        image.OC = _off_layer(pdf)

    found = caught(forged(dossier, hide), "VERIFY-OPTIONAL-CONTENT", "图层")
    assert "VERIFY-PAGE-CHANGED" in found


def test_page_number_stamps_in_a_layer_that_is_off(dossier):
    def hide_stamps(pdf):
        layer = _off_layer(pdf)
        for page in pdf.pages:
            for name, xobject in page.obj.Resources.XObject.items():
                if name.startswith("/DossierStamp"):
                    xobject.OC = layer

    found = caught(forged(dossier, hide_stamps), "VERIFY-PAGE-CHANGED")
    assert "VERIFY-OPTIONAL-CONTENT" in found


def test_the_layer_alone_is_a_finding(dossier):
    caught(forged(dossier, _off_layer), "VERIFY-OPTIONAL-CONTENT")


def _appearance(pdf: pikepdf.Pdf, drawing: bytes) -> pikepdf.Object:
    return pdf.make_stream(
        drawing,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=pikepdf.Array([0, 0, 400, 300]),
    )


def _annotate(pdf: pikepdf.Pdf, annot: pikepdf.Dictionary, page: int = 0) -> None:
    target = pdf.pages[page].obj
    if "/Annots" not in target:
        target.Annots = pdf.make_indirect(pikepdf.Array())
    target.Annots.append(pdf.make_indirect(annot))


def test_a_popup_with_its_own_appearance_over_the_cover(dossier):
    def popup(pdf):
        _annotate(
            pdf,
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Popup,
                Rect=pikepdf.Array([100, 300, 500, 600]),
                Open=True,
                AP=pikepdf.Dictionary(N=_appearance(pdf, b"1 1 1 rg 0 0 400 300 re f")),
            ),
        )

    caught(forged(dossier, popup), "VERIFY-PAGE-CHANGED", "第 1 页")


def test_a_link_with_a_thick_red_border_over_the_amount(dossier):
    def link(pdf):
        _annotate(
            pdf,
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array([150, 400, 450, 460]),
                Border=pikepdf.Array([0, 0, 40]),
                C=pikepdf.Array([1, 0, 0]),
            ),
        )

    caught(forged(dossier, link), "VERIFY-PAGE-CHANGED", "第 1 页")


def test_a_signature_widget_with_an_mk_background_over_the_cover(dossier):
    def widget(pdf):
        field = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String("Signature1"),
                Rect=pikepdf.Array([0, 0, 595, 842]),
                MK=pikepdf.Dictionary(BG=pikepdf.Array([1, 1, 1])),
                P=pdf.pages[0].obj,
            )
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([field]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)

    caught(forged(dossier, widget), "VERIFY-PAGE-CHANGED", "第 1 页")


def test_user_unit_three_on_page_one(dossier):
    def enlarge(pdf):
        pdf.pages[0].obj.UserUnit = 3

    caught(forged(dossier, enlarge), "VERIFY-PAGE-CHANGED", "第 1 页")


def test_a_rotation_inherited_from_the_page_tree(dossier):
    def rotate(pdf):
        pdf.Root.Pages.Rotate = 180

    caught(forged(dossier, rotate), "VERIFY-PAGE-CHANGED")


def test_page_labels_changed(dossier):
    def relabel(pdf):
        pdf.Root.PageLabels = pikepdf.Dictionary(
            Nums=pikepdf.Array(
                [0, pikepdf.Dictionary(S=pikepdf.Name.D, St=1), 5, pikepdf.Dictionary(S=pikepdf.Name.D, St=9)]
            )
        )

    caught(forged(dossier, relabel), "VERIFY-LABELS-CHANGED", "页码标签")


def test_a_document_uri_and_open_action(dossier):
    def uri(pdf):
        pdf.Root.URI = pikepdf.Dictionary(Base=pikepdf.String("http://evil.example/"))

    caught(forged(dossier, uri), "VERIFY-DOCUMENT-ACTION")

    def open_page(pdf):
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[5].obj, pikepdf.Name.Fit])

    caught(forged(dossier, open_page), "VERIFY-DOCUMENT-ACTION")


def test_info_title_changed(dossier):
    def retitle(pdf):
        pdf.docinfo["/Title"] = "天津高新区示例电子科技股份有限公司 2026 年度（已核准 50 万元）"

    caught(forged(dossier, retitle), "VERIFY-INFO-CHANGED", "文档属性")


def test_an_acroform_field_with_javascript_on_no_page(dossier):
    def field(pdf):
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))
        text = pdf.make_indirect(
            pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("f"), AA=pikepdf.Dictionary(K=script))
        )
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([text]))

    caught(forged(dossier, field), "VERIFY-FORM-FIELDS", "表单")

    def wrong_type(pdf):
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.String("x"))

    caught(forged(dossier, wrong_type), "VERIFY-FORM-FIELDS")


def test_a_foreign_attachment_named_like_an_ofd_original(dossier):
    def attach(pdf):
        pdf.attachments["ofd/evil.exe"] = pikepdf.AttachedFileSpec(
            pdf, b"MZ\x90\x00", filename="ofd/evil.exe"
        )

    caught(forged(dossier, attach), "VERIFY-ATTACHMENTS", "ofd/evil.exe")

    def associate(pdf):
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", filename="readme.exe")
        pdf.Root.AF.append(spec.obj)

    caught(forged(dossier, associate), "VERIFY-ATTACHMENTS", "readme.exe")


def test_a_second_manifest_hidden_in_a_kids_subtree(dossier):
    def hide(pdf):
        tree = pdf.Root.Names.EmbeddedFiles
        other = dict(manifest_of(pdf), date="2026-12-31")
        spec = pikepdf.AttachedFileSpec(pdf, json.dumps(other).encode(), filename="manifest.json")
        kid = pdf.make_indirect(
            pikepdf.Dictionary(
                Names=pikepdf.Array([pikepdf.String("manifest.json"), spec.obj]),
                Limits=pikepdf.Array([pikepdf.String("manifest.json"), pikepdf.String("manifest.json")]),
            )
        )
        tree.Kids = pikepdf.Array([kid])

    caught(forged(dossier, hide), "VERIFY-ATTACHMENTS", "2 份清单")


def _rewrite_manifest(pdf: pikepdf.Pdf, change: Callable[[dict], None]) -> None:
    manifest = manifest_of(pdf)
    change(manifest)
    pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
        pdf, json.dumps(manifest, ensure_ascii=False).encode(), filename="manifest.json"
    )


def test_pages_removed_with_a_forged_volume_entry(dossier):
    """The bank statement (material 5, page 24) removed, and a 'volume' entry written to excuse it: as the
    only volume, as the last, or as a first volume that cuts a material."""

    def remove(number: int, of: int, keep: Callable[[int], bool]) -> Callable[[pikepdf.Pdf], None]:
        def change(pdf):
            manifest = manifest_of(pdf)
            total = manifest["pages"]["count"]
            held = [p for p in range(1, total + 1) if keep(p)]
            outline = [
                dict(o, page=held.index(o["page"]) + 1) for o in manifest["outline"] if o["page"] in held
            ]
            for page in reversed([p for p in range(1, total + 1) if not keep(p)]):
                del pdf.pages[page - 1]
            pdf.Root.PageLabels = pikepdf.Dictionary(
                Nums=pikepdf.Array(
                    [
                        x
                        for i, p in enumerate(held)
                        if i == 0 or p != held[i - 1] + 1
                        for x in (i, pikepdf.Dictionary(S=pikepdf.Name.D, St=p))
                    ]
                )
            )
            volume = {"number": number, "of": of, "pages": held, "outline": outline}
            _rewrite_manifest(pdf, lambda m: m.update(volume=volume))

        return change

    with pikepdf.open(dossier) as pdf:
        statement = next(f["pages"] for f in manifest_of(pdf)["files"] if f["path"].startswith("5-"))
    gone = set(range(statement[0], statement[1] + 1))
    caught(forged(dossier, remove(1, 1, lambda p: p not in gone)), "VERIFY-VOLUME-FORGED", "有页面被删除")
    caught(forged(dossier, remove(2, 2, lambda p: p not in gone)), "VERIFY-VOLUME-FORGED", "不连续")
    caught(
        forged(dossier, remove(1, 2, lambda p: p < 15)), "VERIFY-VOLUME-FORGED", "有材料只含其中一部分页面"
    )


def test_real_volumes_verify_as_parts_and_a_part_passed_off_as_whole_is_caught(dossier, tmp_path):
    from assembler.pipeline.volumes import split_dossier

    volumes = split_dossier(dossier, 40_000)
    assert len(volumes) >= 2
    for number, volume in enumerate(volumes, 1):
        code, found, output = verify_json(volume)
        assert code == 0 and set(found) - QUIET == {"VERIFY-VOLUME-PART"}, output
        assert f"分册 {number}/{len(volumes)}" in found["VERIFY-VOLUME-PART"]

    def whole(pdf):
        _rewrite_manifest(pdf, lambda m: m["volume"].update(number=1, of=1))
        pdf.docinfo["/Title"] = str(pdf.docinfo["/Title"]).replace(
            f"（第1册，共{len(volumes)}册）", "（第1册，共1册）"
        )

    caught(forged(volumes[0], whole), "VERIFY-VOLUME-FORGED", "只有一册却不含全部页面")


def test_pages_removed_and_the_count_shrunk(dossier):
    def shrink(pdf):
        manifest = manifest_of(pdf)
        del pdf.pages[23]
        digests = manifest["pages"]["digests"]
        _rewrite_manifest(
            pdf,
            lambda m: m["pages"].update(count=len(digests) - 1, digests=digests[:23] + digests[24:]),
        )

    caught(forged(dossier, shrink), "VERIFY-PAGES-INCONSISTENT", "有页面被删除")


@pytest.mark.parametrize("how", ["deleted", "null"])
def test_a_binding_deleted_or_null_cannot_be_verified(dossier, how):
    def unbind(pdf):
        _rewrite_manifest(
            pdf,
            lambda m: (
                (m.pop("binding"), m["check"]["award"].update(amount_fen=5_000_000))
                if how == "deleted"
                else (m.update(binding=None), m["check"]["award"].update(amount_fen=5_000_000))
            ),
        )

    code, found, output = verify_json(forged(dossier, unbind))
    assert code == 2 and "无法核验" in output and "binding" in output and not found


def test_unsigned_says_what_it_proves_and_what_not(dossier):
    code, found, _ = verify_json(dossier)
    assert code == 0 and set(found) - QUIET == set()
    sentence = found["VERIFY-UNSIGNED"]
    assert "一致" in sentence and "不能证明文件由谁生成" in sentence and "签名" in sentence
    assert sentence.count("。") == 1 and sentence.endswith("。")


def test_old_dossiers_keep_their_digest_scheme(dossier, tmp_path):
    """A dossier built before the scheme was recorded is checked with the digest it was built with."""
    from assembler.integrity.pagedigest import page_digests

    def old(pdf):
        digests = page_digests(pdf, scheme=1)
        _rewrite_manifest(pdf, lambda m: (m["pages"].pop("scheme"), m["pages"].update(digests=digests)))

    code, found, _ = verify_json(forged(dossier, old))
    assert code == 0 and set(found) - QUIET == set()

    def unknown(pdf):
        _rewrite_manifest(pdf, lambda m: m["pages"].update(scheme=99))

    code, _, output = verify_json(forged(dossier, unknown))
    assert code == 2 and "无法核验" in output


@pytest.fixture(scope="module")
def signed(tmp_path_factory, shared_cache) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    key = folder / "unit.p12"
    assert (
        CliRunner().invoke(cli, ["keygen", "--name", "天津示例新能源装备有限公司", "-o", str(key)]).exit_code
        == 0
    )
    return build(
        copy_example("studio", folder),
        BuildOptions(out=folder / "signed.pdf", cache_dir=shared_cache, sign=key),
    ).path


@pytest.mark.parametrize("how", ["one byte", "zeroed"])
def test_a_damaged_signature_is_a_clear_finding(signed, tmp_path, how):
    data = bytearray(signed.read_bytes())
    found = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", bytes(data))
    assert found is not None
    start, end = found.span(1)
    if how == "one byte":
        middle = start + 200
        data[middle] = ord("0") if data[middle] != ord("0") else ord("1")
    else:
        data[start:end] = b"0" * (end - start)
    target = tmp_path / "damaged.pdf"
    target.write_bytes(bytes(data))
    code, findings, output = verify_json(target)
    assert code == 1 and "VERIFY-SIGNATURE-BROKEN" in findings, output
    assert "签名" in findings["VERIFY-SIGNATURE-BROKEN"]
    assert "VERIFY-SIGNED" not in findings
