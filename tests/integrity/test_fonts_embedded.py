"""Every font on every page of a dossier is embedded: a page must look the same on a reviewer's computer that
lacks the font (a core font like Helvetica is drawn by whatever the viewer substitutes)."""

from __future__ import annotations

from typing import Any

import pikepdf

from assembler.integrity.pagedigest import used_fonts


def not_embedded(font: Any) -> bool:
    """True when `font` carries no font program (Type 3 fonts draw their glyphs themselves)."""
    if str(font.get("/Subtype", "")) == "/Type3":
        return False
    parts = [font, *font.get("/DescendantFonts", [])]
    descriptors = [p.get("/FontDescriptor") for p in parts if p.get("/FontDescriptor") is not None]
    return not any(k in d for d in descriptors for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_every_font_on_every_page_is_embedded(example_dossiers):
    checked = 0
    for name, path in example_dossiers.items():
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                fonts = used_fonts(page)
                checked += len(fonts)
                missing = [str(f.get("/BaseFont", "?")) for f in fonts if not_embedded(f)]
                assert not missing, f"{name} page {number}: fonts not embedded: {missing}"
    assert checked > 50  # the walk found the fonts of the drawn pages, the Word forms and the stamps


def test_the_check_sees_a_core_font(tmp_path):
    """The walk above can fail: a page drawing in Helvetica (not embedded) is reported."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F9=font))
    page.obj.Contents = pdf.make_stream(b"BT /F9 12 Tf 10 10 Td (x) Tj ET")
    fonts = used_fonts(page)
    assert [str(f.BaseFont) for f in fonts] == ["/Helvetica"] and not_embedded(fonts[0])
