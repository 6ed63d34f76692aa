"""Hostile inputs, made on the fly: each one crashed or ran away an earlier version of the tool.

Run as a script to write them all into a folder (`python3 tests/resources/hostile.py OUT`); the tests
import the generators. Nothing here is copied from a third party: every file is built from scratch.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

PAGE = b"/Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"


def raw_pdf(path: Path, objs: list[bytes]) -> Path:
    """A PDF of the given object bodies (object 1 is the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer <</Size {len(objs) + 1} /Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object's body."""
    return b"<<" + extra + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def one_page(path: Path, page_extra: bytes = b"", more: list[bytes] | None = None, root: bytes = b"") -> Path:
    """A one-page PDF: 1 catalog, 2 pages, 3 page, 4 its content; `more` from object 5 on."""
    content = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
    objs = [
        b"<</Type /Catalog /Pages 2 0 R" + root + b">>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<<" + PAGE + b" /Contents 4 0 R" + page_extra + b">>",
        stream(content),
        *(more or []),
    ]
    return raw_pdf(path, objs)


def no_xref(path: Path) -> Path:
    """A PDF whose cross-reference table is gone (cut off by a bad download): poppler and qpdf rebuild it,
    pypdf gives up."""
    one_page(path)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"xref")] + b"trailer <</Root 1 0 R>>\n%%EOF\n")
    return path


def deep_page_tree(path: Path, depth: int = 5000) -> Path:
    """A page tree `depth` levels deep: /Pages inside /Pages inside … around one page."""
    objs = [b"<</Type /Catalog /Pages 2 0 R>>"]
    for level in range(depth):
        parent = f" /Parent {level + 1} 0 R" if level else ""
        objs.append(f"<</Type /Pages /Kids [{level + 3} 0 R] /Count 1{parent}>>".encode())
    objs.append(f"<</Type /Page /Parent {depth + 1} 0 R /MediaBox [0 0 595 842]>>".encode())
    return raw_pdf(path, objs)


def _gbk_name(text: str) -> bytes:
    return b"/" + b"".join(b"#%02X" % b if b > 0x7E or b == 0x23 else bytes([b]) for b in text.encode("gbk"))


def gbk_font_names(path: Path) -> Path:
    """A Chinese PDF whose font names are GBK bytes (黑体, 仿宋_GB2312), as some Chinese software writes."""
    font = b"<</Type /Font /Subtype /TrueType /BaseFont %s /Encoding /WinAnsiEncoding>>"
    return one_page(
        path,
        b" /Resources <</Font <</F1 5 0 R /F2 6 0 R>>>>",
        [font % _gbk_name("黑体"), font % _gbk_name("仿宋_GB2312")],
    )


def jbig2_image(path: Path) -> Path:
    """A page drawing a JBIG2-compressed image (an embedded-stream generic region of 8×8 white)."""
    data = jbig2_generic_region(8, 8)
    image = stream(
        data,
        b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 1 /Filter /JBIG2Decode",
    )
    return _image_page(path, image)


def jbig2_generic_region(width: int, height: int) -> bytes:
    """JBIG2 embedded stream (no file header): page information, one immediate generic region coded with
    MMR of an all-white bitmap."""
    import struct

    def segment(number: int, kind: int, body: bytes, page: int = 1) -> bytes:
        return struct.pack(">IBBBI", number, kind, 0, page, len(body)) + body

    info = struct.pack(">IIIIBH", width, height, 0, 0, 0, 0)
    # MMR (G4) of white rows: every row is a V0 code (bit 1) → height bits of 1, then EOFB
    bits = "1" * height + "000000000001000000000001"
    bits += "0" * (-len(bits) % 8)
    mmr = int(bits, 2).to_bytes(len(bits) // 8, "big")
    region = struct.pack(">IIIIB", width, height, 0, 0, 0) + b"\x01" + mmr
    return segment(0, 48, info) + segment(1, 38, region)


def _image_page(path: Path, image: bytes) -> Path:
    return raw_pdf(
        path,
        [
            b"<</Type /Catalog /Pages 2 0 R>>",
            b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
            b"<<" + PAGE + b" /Contents 4 0 R /Resources <</XObject <</Im0 5 0 R>>>>>>",
            stream(b"q 200 0 0 200 100 500 cm /Im0 Do Q"),
            image,
        ],
    )


def broken_lzw(path: Path) -> Path:
    """A page whose content stream claims LZW but holds bytes that are not LZW."""
    return raw_pdf(
        path,
        [
            b"<</Type /Catalog /Pages 2 0 R>>",
            b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
            b"<<" + PAGE + b" /Contents 4 0 R>>",
            stream(b"\xff\xff\xff\xff\xfe\x00\x01" * 20, b"/Filter /LZWDecode"),
        ],
    )


def acroform_wrong_type(path: Path) -> Path:
    """/AcroForm is a number, not a dictionary."""
    return one_page(path, root=b" /AcroForm 7")


def fields_wrong_type(path: Path) -> Path:
    """/AcroForm /Fields is a dictionary, not an array."""
    return one_page(path, root=b" /AcroForm <</Fields <</A 1>>>>")


def xfa_form(path: Path) -> Path:
    """An XFA form: what Adobe Reader shows is in the XFA packet; the page says "Please wait…"."""
    xdp = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>'
    return one_page(path, root=b" /AcroForm <</Fields [] /XFA 5 0 R>>", more=[stream(xdp)])


def stream_page(path: Path) -> Path:
    """A PDF whose only page dictionary is a stream (some generators write it so)."""
    return raw_pdf(
        path,
        [
            b"<</Type /Catalog /Pages 2 0 R>>",
            b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
            stream(b"", PAGE + b" /Contents 4 0 R"),
            stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"),
        ],
    )


def big_sheet(path: Path, rows: int = 150_000, sheets: int = 1) -> Path:
    """An .xlsx written part by part (no spreadsheet library: fast, and small when zipped)."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, sheets + 1)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets>'
        + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
        + "</sheets></workbook>"
    )
    wrels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, sheets + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wrels)
        for i in range(1, sheets + 1):
            count = rows if i == 1 else 1
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w") as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'.encode())
                for r in range(1, count + 1):
                    fh.write(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode())
                fh.write(b"</sheetData></worksheet>")
    return path


def ofd_many_objects(path: Path, objects: int = 400_000) -> Path:
    """An OFD whose one page holds `objects` text objects (a few hundred KB zipped)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    ofd = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0"><ofd:DocBody><ofd:DocInfo>'
        "<ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>"
        "</ofd:OFD>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:PageArea>'
        "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:MaxUnitID>9</ofd:MaxUnitID>"
        '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
        "</ofd:Document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", ofd)
        zf.writestr("Doc_0/Document.xml", document)
        with zf.open("Doc_0/Pages/Page_0/Content.xml", "w") as fh:
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                '<ofd:Layer ID="2">'.encode()
            )
            state = 12345  # varied ids, places and characters: compresses like a real page (not a zip bomb)
            for i in range(objects):
                state = (state * 1103515245 + 12345) % (1 << 31)
                x, y, ch = state % 200, (state >> 8) % 290, chr(0x4E00 + (state >> 12) % 20000)
                fh.write(
                    f'<ofd:TextObject ID="{i + 3}" Boundary="{x} {y} 5 5" Font="4" Size="3">'
                    f'<ofd:TextCode X="0" Y="3">{ch}</ofd:TextCode></ofd:TextObject>'.encode()
                )
            fh.write(b"</ofd:Layer></ofd:Content></ofd:Page>")
    return path


def ofd_page(path: Path, body: str) -> Path:
    """A one-page OFD (A4 landscape-free 210×297 mm) whose layer holds `body` (OFD objects as XML)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    ofd = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0"><ofd:DocBody><ofd:DocInfo>'
        "<ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>"
        "</ofd:OFD>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:PageArea>'
        "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:MaxUnitID>99</ofd:MaxUnitID>"
        '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
        "</ofd:Document>"
    )
    page = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">{body}'
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", ofd)
        zf.writestr("Doc_0/Document.xml", document)
        zf.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    return path


def heic_rotated_primary(single: bytes) -> bytes:
    """A two-image HEIC made from a one-image HEIC: item 2 shows the same coded picture turned 90° (an
    'irot' property) and is the primary image, so a reader that shows image #0 shows it unturned."""
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    def children(data: bytes, start: int, end: int) -> dict[bytes, bytes]:
        out: dict[bytes, bytes] = {}
        while start < end:
            size, kind = struct.unpack_from(">I4s", data, start)
            out[kind] = data[start + 8 : start + size]
            start += size
        return out

    top = children(single, 0, len(single))
    meta = top[b"meta"]
    parts = children(meta, 4, len(meta))  # after the full box's version and flags
    iprp = children(parts[b"iprp"], 0, len(parts[b"iprp"]))
    ipco = iprp[b"ipco"] + box(b"irot", b"\x01")  # property 5: turn 90° anticlockwise
    count = struct.unpack_from(">I", iprp[b"ipma"], 4)[0]
    assert count == 1
    first = iprp[b"ipma"][8:]
    turned = struct.pack(">HB", 2, first[2] + 1) + first[3:] + b"\x85"
    ipma = iprp[b"ipma"][:4] + struct.pack(">I", 2) + first + turned
    iinf = parts[b"iinf"]
    infe = iinf[6 + 8 :]  # the one infe box's body: version and flags, item_ID, protection, type, name
    second = infe[:4] + struct.pack(">H", 2) + infe[6:]
    iinf = iinf[:4] + struct.pack(">H", 2) + box(b"infe", infe) + box(b"infe", second)
    iloc = parts[b"iloc"]
    entry = iloc[8:]
    iloc = iloc[:6] + struct.pack(">H", 2) + entry + struct.pack(">H", 2) + entry[2:]

    def build(base_shift: int) -> bytes:
        def shifted(item: bytes) -> bytes:
            return item[:4] + struct.pack(">I", struct.unpack_from(">I", item, 4)[0] + base_shift) + item[8:]

        entries = iloc[8:]
        size = len(entries) // 2
        new_iloc = iloc[:8] + shifted(entries[:size]) + shifted(entries[size:])
        body = (
            meta[:4]
            + box(b"hdlr", parts[b"hdlr"])
            + box(b"pitm", parts[b"pitm"][:4] + struct.pack(">H", 2))
            + box(b"iloc", new_iloc)
            + box(b"iinf", iinf)
            + box(b"iprp", box(b"ipco", ipco) + box(b"ipma", ipma))
        )
        return box(b"ftyp", top[b"ftyp"]) + box(b"meta", body) + box(b"mdat", top[b"mdat"])

    grown = len(build(0)) - len(single)
    return build(grown)


def heic_stereo_pair(single: bytes) -> bytes:
    """heic_rotated_primary's two images grouped as a stereo pair (a 'ster' entity group, as in a spatial
    photo), the group box placed after the item properties and the data offsets moved to match."""
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    data = heic_rotated_primary(single)
    grpl = box(b"grpl", box(b"ster", bytes(4) + struct.pack(">IIII", 100, 2, 1, 2)))
    ftyp = struct.unpack_from(">I", data, 0)[0]
    size = struct.unpack_from(">I", data, ftyp)[0]
    meta = struct.pack(">I", size + len(grpl)) + data[ftyp + 4 : ftyp + size] + grpl
    out = bytearray(data[:ftyp] + meta + data[ftyp + size :])
    at = out.find(b"iloc") + 4 + 4 + 2  # past the type, version/flags and the size fields
    for i in range(struct.unpack_from(">H", out, at)[0]):
        place = at + 2 + 18 * i + 4  # each entry: item_ID, data_reference_index, then base_offset
        struct.pack_into(">I", out, place, struct.unpack_from(">I", out, place)[0] + len(grpl))
    return bytes(out)


def zip_with_names(path: Path, files: dict[str, bytes], raw_names: dict[str, bytes]) -> Path:
    """A zip of `files`, then each name in `raw_names` replaced byte for byte (same length) in the local
    and central headers, with the UTF-8 flag cleared: names no decoder can read."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    blob = path.read_bytes()
    for name, raw in raw_names.items():
        old = name.encode("utf-8")
        assert len(old) == len(raw), (name, raw)
        blob = blob.replace(old, raw)
    blob = _clear_utf8_flags(blob)
    path.write_bytes(blob)
    return path


def _clear_utf8_flags(blob: bytes) -> bytes:
    import struct

    data = bytearray(blob)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(sig, start)) >= 0:
            (flags,) = struct.unpack_from("<H", data, at + offset)
            struct.pack_into("<H", data, at + offset, flags & ~0x800)
            start = at + 4
    return bytes(data)


def ole_file(path: Path, stream_name: str, data: bytes) -> Path:
    """A minimal OLE compound file (version 3) holding one stream of at least 4,096 bytes."""
    import struct

    data = data.ljust(4096, b"\0")
    sectors = (len(data) + 511) // 512
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = [fat_sector, end] + [3 + i for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, nostream, nostream, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    empty = bytes(64) + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + bytes(36 + 12)
    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, nostream, 2, len(data)) + empty * 2
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + data.ljust(sectors * 512, b"\0"))
    return path


def word97(path: Path, encrypted: bool) -> Path:
    """A .doc whose FIB says (or not) that the document is encrypted."""
    import struct

    fib = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0409, 0, 0x0100 if encrypted else 0)
    return ole_file(path, "WordDocument", fib)


def excel97(path: Path, encrypted: bool) -> Path:
    """An .xls workbook stream: BOF, then FILEPASS (RC4) when encrypted, then EOF."""
    import struct

    records = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 5, 0, 0, 0, 0)
    if encrypted:
        records += struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 2) + bytes(48)
    records += struct.pack("<HH", 0x000A, 0)
    return ole_file(path, "Workbook", records)


ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def ods(path: Path, content: bytes, manifest_extra: bytes = b"") -> Path:
    """An .ods of the given content.xml (the mimetype stored first, as the format requires)."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        b'opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="' + ODS_MIME + b'"/><manifest:file-entry manifest:full-path="content.xml" '
        b'manifest:media-type="text/xml">' + manifest_extra + b"</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


def _ods_content(body: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
        b'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        b'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"><office:body>'
        b'<office:spreadsheet><table:table table:name="S">' + body + b"</table:table></office:spreadsheet>"
        b"</office:body></office:document-content>"
    )


def ods_bomb(path: Path, rows: int = 1_000_000, columns: int = 1000) -> Path:
    """A tiny .ods that repeats one cell over `rows` × `columns`: LibreOffice creates and lays out every one
    of them (a 1 KB sample like this took soffice to 16.8 GB)."""
    cell = b'<table:table-cell office:value-type="float" office:value="1"'
    cell += b' table:number-columns-repeated="%d"><text:p>1</text:p></table:table-cell>' % columns
    column = b'<table:table-column table:number-columns-repeated="%d"/>' % columns
    row = b'<table:table-row table:number-rows-repeated="%d">' % rows + cell + b"</table:table-row>"
    return ods(path, _ods_content(column + row))


def ods_small(path: Path) -> Path:
    """A three-cell .ods that converts in a second."""
    cell = b'<table:table-cell office:value-type="float" office:value="%d"><text:p>%d</text:p>'
    cell += b"</table:table-cell>"
    row = b"<table:table-row>" + b"".join(cell % (i, i) for i in range(3)) + b"</table:table-row>"
    return ods(path, _ods_content(row))


def ods_encrypted(path: Path) -> Path:
    """An .ods whose manifest says content.xml is encrypted (as LibreOffice writes it with a password)."""
    extra = (
        b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
        b'<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" '
        b'manifest:salt="AAAA"/></manifest:encryption-data>'
    )
    return ods(path, b"\x00encrypted", extra)


PDFS: dict[str, Callable[[Path], Path]] = {
    "deep-page-tree": deep_page_tree,
    "gbk-font-names": gbk_font_names,
    "jbig2-image": jbig2_image,
    "broken-lzw": broken_lzw,
    "acroform-number": acroform_wrong_type,
    "fields-dictionary": fields_wrong_type,
    "xfa-form": xfa_form,
    "stream-page": stream_page,
    "no-xref": no_xref,
}


def main(out: Path) -> None:
    """Write every hostile input into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, make in PDFS.items():
        make(out / f"{name}.pdf")
    big_sheet(out / "rows-150000.xlsx")
    big_sheet(out / "sheets-1024.xlsx", rows=1, sheets=1024)
    ofd_many_objects(out / "objects-400000.ofd")
    ods_bomb(out / "formula-bomb.ods")
    word97(out / "encrypted.doc", encrypted=True)
    excel97(out / "encrypted.xls", encrypted=True)
    ods_encrypted(out / "encrypted.ods")
    print(f"written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
