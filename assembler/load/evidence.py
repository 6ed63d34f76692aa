"""Evidence discovery: every file of an application, hashed and lightly validated.

Light means headers and structure only (a PDF's xref and page tree, an image's header, an Office
file's zip directory), never a full decode: `check` must answer in seconds even for hundreds of
photos. What cannot go into a dossier gets a Chinese `problem` naming why and how to fix it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import BinaryIO

from assembler.core.models import KIND_TITLES, EvidenceFile, Kind, Print
from assembler.errors import InputError
from assembler.limits import (
    FILE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    MB,
    PDF_MAX_DECODED_BYTES,
    PDF_MAX_PAGES,
    PDF_MAX_STREAM_BYTES,
    PDF_MAX_TREE_DEPTH,
    human_bytes,
)
from assembler.load.sources import Entry, Source, check_zip_limits, is_ignored

log = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
HEAD_BYTES = 65536

EXTENSION_KINDS: dict[str, Kind] = {
    "pdf": "pdf",
    **dict.fromkeys(
        ["jpg", "jpeg", "jpe", "png", "gif", "tif", "tiff", "webp", "bmp", "heic", "heif", "avif"], "image"
    ),
    **dict.fromkeys(["doc", "docx", "docm", "wps", "rtf", "odt"], "word"),
    **dict.fromkeys(["xls", "xlsx", "xlsm", "et", "ods"], "excel"),
    "ofd": "ofd",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx", b"avif", b"avis"}


def extension(rel: str) -> str:
    """The lower-case file extension without the dot ('' when there is none)."""
    name = rel.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff_kind(head: bytes, ext: str) -> Kind:
    """The file's kind from its first bytes (content first, the extension only to tell Office formats
    apart).
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if (
        head.startswith(
            (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
        )
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS)
    ):
        return "image"  # before the PDF marker search: a JPEG's EXIF may well contain the text "%PDF-"
    if b"%PDF-" in head[:1024]:
        return "pdf"  # a PDF with some bytes before its header (readers accept up to 1 KB)
    if head.startswith(_OLE) or head.startswith(b"PK\x03\x04") or head.startswith(b"{\\rtf"):
        kind = EXTENSION_KINDS.get(ext)
        if kind in ("word", "excel", "ofd"):
            return kind
    return "other"


@contextmanager
def _seekable(source: Source, rel: str) -> Iterator[BinaryIO]:
    """The file opened for random access (zip members are spooled to a temporary file first)."""
    with source.open(rel) as fh:
        if source.folder is not None:
            yield fh
            return
        with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
            shutil.copyfileobj(fh, spool, 1024 * 1024)
            spool.seek(0)
            yield spool  # type: ignore[misc]


def _hash_and_ends(source: Source, rel: str) -> tuple[str, bytes, bytes]:
    digest = hashlib.sha256()
    head = b""
    tail = b""
    with source.open(rel) as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            tail = (tail + chunk)[-256:]
    return digest.hexdigest(), head, tail


def _check_pdf(fh: BinaryIO) -> tuple[int | None, str | None, str | None, str | None]:
    """Pages of a PDF, why it is refused, a note and a warning (an XFA form)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(fh, strict=False)
            note = None
            if reader.is_encrypted:
                if not reader.decrypt(""):
                    return None, "PDF 设有打开密码，无法汇编", None, None
                note = "PDF 设有权限密码（无需密码即可打开），将按原样放入"
            pages = len(reader.pages)
            boxes = _raw_box_problem(reader) if pages <= PDF_MAX_PAGES else None
    except (FileNotDecryptedError, DependencyError):
        return None, "PDF 设有打开密码，无法汇编", None, None
    except LimitReachedError:
        return None, TREE_TOO_DEEP, None, None
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
        AssertionError,
    ) as exc:
        fh.seek(0)
        repaired = _repaired_pages(fh)  # build reads PDFs with qpdf, which repairs what pypdf gives up on
        if repaired is None:
            return None, f"PDF 文件损坏，无法打开（{type(exc).__name__}）", None, None
        pages, boxes, note = repaired, None, "PDF 有损坏（如交叉引用表错误），已自动修复后读取，请核对页面"
    if pages == 0:
        return 0, "PDF 文件损坏或没有任何页面", None, None
    if pages > PDF_MAX_PAGES:
        return (
            pages,
            f"PDF 有 {pages} 页，超过 {PDF_MAX_PAGES} 页的上限，请拆分或只放入需要的部分",
            None,
            None,
        )
    if boxes:
        return pages, boxes, note, None
    fh.seek(0)
    problem, warning = _pdf_structure_problem(fh, pages)
    return pages, problem, note, warning


def _repaired_pages(fh: BinaryIO) -> int | None:
    """The page count of a PDF that qpdf opens (repairing a broken cross-reference table as poppler does), or
    None when it cannot be opened without a password or has no pages."""
    import pikepdf

    try:
        with pikepdf.open(fh) as pdf:
            return len(pdf.pages) or None
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RuntimeError):
        return None


TREE_TOO_DEEP = (
    f"PDF 的页面树嵌套超过 {PDF_MAX_TREE_DEPTH} 层（上限），无法合并：请用 PDF 阅读器“打印为 PDF”后再放入"
)
XFA_FIX = "请在 Adobe Reader 中打开后“打印为 PDF”再放入。"
XFA_NOTE = (
    "PDF 是 XFA 动态表单：放入的是其静态页面，可能只显示“Please wait…”等提示而没有表单内容；"
    "请在 Adobe Reader 中打开后“打印为 PDF”再放入"
)


def xfa_forms(evidence: Iterable[EvidenceFile]) -> list[str]:
    """The XFA forms among an application's files (check warns about each; build refuses them unless the
    user accepts their static pages)."""
    return [e.rel for e in evidence if e.warning == XFA_NOTE]


def _raw_box_problem(reader) -> str | None:  # noqa: ANN001 - a pypdf.PdfReader
    """A page box as written in the file that is not four numbers (pikepdf would silently replace it with
    US Letter, so build's pages and the verifier's would disagree)."""
    for number, page in enumerate(reader.pages, start=1):
        for key in ("/MediaBox", "/CropBox"):
            box = page.get(key)
            if box is None and key == "/CropBox":
                continue
            box = box.get_object() if box is not None else None
            try:
                values = [float(v) for v in box]  # type: ignore[union-attr]
            except (TypeError, ValueError):
                values = []
            if len(values) != 4 or abs(values[2] - values[0]) < 1 or abs(values[3] - values[1]) < 1:
                return f"PDF 第 {number} 页的页面尺寸（{key[1:]}）无效，请用 PDF 阅读器“打印为 PDF”后再放入"
    return None


def _flate_size(stream, limit: int) -> int:  # noqa: ANN001 - a pikepdf.Stream
    """The decoded size of a FlateDecode stream, counted 1 MB at a time without keeping it, stopping just
    above `limit`."""
    decoder = zlib.decompressobj()
    total = 0
    data = decoder.decompress(stream.read_raw_bytes(), 1 << 20)
    while data:
        total += len(data)
        if total > limit:
            break
        data = decoder.decompress(decoder.unconsumed_tail, 1 << 20) if decoder.unconsumed_tail else b""
    return total


def _stream_problem(stream, what: str) -> str | None:  # noqa: ANN001 - a pikepdf.Stream
    """Why `stream` would stop the build or its self-audit (too long as stored, or a decompression bomb)."""
    import pikepdf

    length = stream.stream_dict.get("/Length")
    raw = int(length) if isinstance(length, (int, pikepdf.Object)) and not isinstance(length, bool) else 0
    if raw > PDF_MAX_STREAM_BYTES:
        return f"PDF 中的{what}数据过大（{raw / 1e6:.0f} MB，上限 {PDF_MAX_STREAM_BYTES / 1e6:.0f} MB）"
    filters = stream.stream_dict.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    if names and names[0] == "/FlateDecode":
        try:
            if _flate_size(stream, PDF_MAX_DECODED_BYTES) > PDF_MAX_DECODED_BYTES:
                return f"PDF 中的{what}数据解压后超过 {PDF_MAX_DECODED_BYTES / 1e6:.0f} MB（可能是压缩炸弹）"
        except zlib.error:
            return f"PDF 中的{what}数据已损坏（无法解压）"
    elif names and names[0] in _SMALL_FILTERS:
        try:  # LZW, ASCII85, ASCIIHex, RunLength: build decodes them to digest the page
            stream.read_bytes(pikepdf.StreamDecodeLevel.generalized)
        except pikepdf.PdfError:
            return f"PDF 中的{what}数据已损坏（{names[0][1:]} 无法解码）"
    return None


_SMALL_FILTERS = {
    "/LZWDecode",
    "/ASCII85Decode",
    "/ASCIIHexDecode",
    "/RunLengthDecode",
    "/LZW",
    "/A85",
    "/AHx",
    "/RL",
}


def _page_problem(page, where: str) -> str | None:  # noqa: ANN001 - a pikepdf.Page
    import pikepdf

    rotate = page.obj.get("/Rotate", 0)
    if not isinstance(rotate, (int, Decimal)) or isinstance(rotate, bool) or rotate % 90:  # 90.0 is fine
        return f"PDF {where}的旋转角度“{rotate}”无效（应为 90 的倍数），请用 PDF 阅读器另存后再放入"
    for key in ("/MediaBox", "/CropBox"):
        box = page.obj.get(key)
        if box is None and key == "/CropBox":
            continue
        try:
            values = [float(v) for v in box]
        except (TypeError, ValueError):
            values = []
        if len(values) != 4 or abs(values[2] - values[0]) < 1 or abs(values[3] - values[1]) < 1:
            return f"PDF {where}的页面尺寸（{key[1:]}）无效，请用 PDF 阅读器“打印为 PDF”后再放入"
    contents = page.obj.get("/Contents")
    streams = [(s, where) for s in (list(contents) if isinstance(contents, pikepdf.Array) else [contents])]
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    streams += [(xobjects[name], where + "图像") for name in list(xobjects.keys())]
    for stream, what in streams:
        if isinstance(stream, pikepdf.Stream) and (problem := _stream_problem(stream, what)):
            return problem
    return None


def _page_tree_problem(pdf, counted: int) -> str | None:  # noqa: ANN001 - a pikepdf.Pdf
    """Why build's reader would see other pages than `counted` (pypdf's count, which check reports): a page
    tree nested deeper than PDF_MAX_TREE_DEPTH, or any disagreement between the two readers (a page object
    written as a stream: pypdf counts it, qpdf drops it). Walked without recursion, each node once."""
    import pikepdf

    todo: list[tuple[object, int]] = [(pdf.Root.get("/Pages"), 1)]
    seen: set[tuple[int, int]] = set()
    while todo:
        node, depth = todo.pop()
        if depth > PDF_MAX_TREE_DEPTH:
            return TREE_TOO_DEEP
        if not isinstance(node, pikepdf.Dictionary):
            continue
        key = node.objgen
        if key != (0, 0) and key in seen:
            continue
        seen.add(key)
        kids = node.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            todo.extend((kid, depth + 1) for kid in kids)
    if len(pdf.pages) != counted:
        return (
            f"PDF 的页面树不规范（两种读取方式得到的页数不同：{counted} 与 {len(pdf.pages)}），无法合并："
            + ("请用 PDF 阅读器“打印为 PDF”后再放入")
        )
    return None


def _pdf_structure_problem(fh: BinaryIO, counted: int) -> tuple[str | None, str | None]:
    """What `build` would refuse in a PDF that opens: a page tree build would read differently (see
    _page_tree_problem), a page rotation that is not a multiple of 90°, a page box that is not four numbers
    enclosing an area, a stream too large for the self-audit's reader (pypdf refuses streams stored over
    75 MB), a decompression bomb (a flate stream decoding to over 400 MB) or a stream that does not decode.
    Read with pikepdf, as build reads it. Second: the XFA warning for a dynamic form (build refuses it
    unless the user accepts its static pages)."""
    import pikepdf

    try:
        with pikepdf.open(fh) as pdf:
            if problem := _page_tree_problem(pdf, counted):
                return problem, None
            for number, page in enumerate(pdf.pages, start=1):
                if problem := _page_problem(page, f"第 {number} 页"):
                    return problem, None
            return None, XFA_NOTE if has_xfa(pdf) else None
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, RuntimeError) as exc:
        return f"PDF 文件结构损坏，无法合并（{type(exc).__name__}）", None


def has_xfa(pdf) -> bool:  # noqa: ANN001 - a pikepdf.Pdf
    """Whether the PDF is an XFA form (its content lives in an XML packet most readers cannot show)."""
    import pikepdf

    form = pdf.Root.get("/AcroForm")
    return isinstance(form, pikepdf.Dictionary) and form.get("/XFA") is not None


def _image_tail_problem(head: bytes, tail: bytes) -> str | None:
    end = tail.rstrip(b"\x00\r\n ")
    if head.startswith(b"\xff\xd8") and not end.endswith(b"\xff\xd9"):
        return "图片文件不完整（JPEG 被截断），请重新导出或拍摄"
    if head.startswith(b"\x89PNG") and b"IEND" not in tail:
        return "图片文件不完整（PNG 被截断），请重新导出"
    if head.startswith(b"GIF8") and not end.endswith(b";"):
        return "图片文件不完整（GIF 被截断），请重新导出"
    return None


def _check_image(fh: BinaryIO) -> tuple[int | None, str | None, str | None]:
    from PIL import Image, UnidentifiedImageError

    try:  # HEIC photos from iPhones; the plugin registers itself with Pillow (imported only when needed)
        from pi_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # pragma: no cover - declared dependency; checked by tests
        pass
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh) as im:
                width, height = im.size
                frames = getattr(im, "n_frames", 1)
                fmt = im.format
            if fmt == "PNG" and width * height <= MAX_IMAGE_PIXELS:
                fh.seek(0)
                with Image.open(fh) as im:
                    im.verify()  # each chunk's CRC, not decoding: a damaged PNG fails the build's decoder
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (
            None,
            f"图片像素过多（超过 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素），可能是压缩炸弹，已拒绝",
            None,
        )
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        return None, f"图片无法识别或已损坏（{type(exc).__name__}）", None
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    if width * height > MAX_IMAGE_PIXELS:
        return None, f"图片像素过多（{width}×{height}），可能是压缩炸弹，已拒绝", None
    if fmt == "GIF" and frames > 1:
        return 1, None, f"动图（{frames} 帧），只放入第一帧"
    if fmt == "TIFF" and frames > PDF_MAX_PAGES:  # every TIFF frame becomes a page
        return frames, f"多页 TIFF 有 {frames} 页，超过 {PDF_MAX_PAGES} 页的上限，请拆分", None
    # only a TIFF's frames become pages; a HEIC's other images (a stereo pair, a depth map), an MPO's
    # second picture or a WebP's frames do not: one page, as build makes it
    return frames if fmt == "TIFF" else 1, None, None


def _check_ofd(fh: BinaryIO) -> tuple[int | None, str | None]:
    """Pages of an OFD file, or why it is refused (zip limits, OFD.xml, document root, page parts)."""
    from assembler.convert.ofd import ofd_page_count
    from assembler.errors import InputError

    try:
        return ofd_page_count(fh), None
    except InputError as exc:
        return None, exc.message


def _check_office(fh: BinaryIO, head: bytes, kind: Kind, ext: str) -> str | None:
    from assembler.load.officecrypt import odf_encrypted, ole_encrypted
    from assembler.load.sheets import sheet_problem

    title = KIND_TITLES[kind]
    locked = f"{title}设有打开密码（已加密），无法转换：请去掉密码后另存再放入"
    if head.startswith(_OLE):
        if ext in {"docx", "xlsx", "docm", "xlsm"} or ole_encrypted(fh):
            return locked
        return None
    if head.startswith(b"{\\rtf"):
        return None
    try:
        with zipfile.ZipFile(fh) as zf:
            raw = zf.namelist()
            check_zip_limits(zf.infolist(), title)  # LibreOffice would unpack a bomb inside an Office file
            if odf_encrypted(zf):
                return locked
            if problem := sheet_problem(zf, ext):
                return problem
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        return f"{title}已损坏，无法打开（{type(exc).__name__}）"
    except InputError as exc:
        return f"{title}内部{exc.message}"
    if any("\\" in n for n in raw):
        # measured: LibreOffice cannot open such a file (the OOXML rules require '/')
        return f"{title}内部结构不规范（部件路径用了反斜杠），无法转换：请在 Excel/WPS 中打开后“另存为”再放入"
    names = {n.lower() for n in raw}
    if "[content_types].xml" not in names and "mimetype" not in names:
        return f"{title}已损坏（缺少 [Content_Types].xml）"
    return None


def inspect(source: Source, entry: Entry, pictures: bool = True) -> EvidenceFile:
    """One file hashed, classified by content and lightly validated, with its near-duplicate fingerprints
    (an image's only when `pictures`: a build takes them from its own decoding of the photos)."""
    ext = extension(entry.rel)
    if entry.problem:
        return EvidenceFile(
            entry.rel, entry.size, "", EXTENSION_KINDS.get(ext, "other"), problem=entry.problem
        )
    if entry.size == 0:
        return EvidenceFile(
            entry.rel,
            0,
            hashlib.sha256(b"").hexdigest(),
            EXTENSION_KINDS.get(ext, "other"),
            problem="空文件（0 字节），请重新复制或导出",
        )
    if entry.size > FILE_MAX_BYTES:
        return EvidenceFile(
            entry.rel,
            entry.size,
            "",
            EXTENSION_KINDS.get(ext, "other"),
            problem=f"文件过大（{entry.size / MB:,.0f} MB，上限 {human_bytes(FILE_MAX_BYTES)}），"
            "请压缩、拆分或降低扫描分辨率后再放入",
        )
    try:
        sha, head, tail = _hash_and_ends(source, entry.rel)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        return EvidenceFile(
            entry.rel,
            entry.size,
            "",
            EXTENSION_KINDS.get(ext, "other"),
            problem=f"压缩包中的该文件已损坏，无法解压（{type(exc).__name__}）：请重新打包",
        )
    kind = sniff_kind(head, ext)
    pages = None
    problem = note = warning = None
    if kind != "other" and EXTENSION_KINDS.get(ext) not in (kind, None):
        note = f"扩展名为 .{ext}，实际是{KIND_TITLES[kind]}，按实际类型处理"
    if kind == "pdf":
        with _seekable(source, entry.rel) as fh:
            pages, problem, pdf_note, warning = _check_pdf(fh)
        note = note or pdf_note
    elif kind == "image":
        with _seekable(source, entry.rel) as fh:
            pages, problem, img_note = _check_image(fh)
        problem = problem or _image_tail_problem(head, tail)
        note = note or img_note
    elif kind == "ofd":
        with _seekable(source, entry.rel) as fh:
            pages, problem = _check_ofd(fh)
    elif kind in ("word", "excel"):
        with _seekable(source, entry.rel) as fh:
            problem = _check_office(fh, head, kind, ext)
    elif ext in EXTENSION_KINDS:
        problem = f"文件内容与扩展名 .{ext} 不符，无法识别（可能已损坏）"
    elif ext in {"zip", "rar", "7z"}:
        problem = "压缩包中的压缩包不会展开，请解压后放入"
    else:
        problem = f"不支持的文件类型（.{ext or '无扩展名'}），请转换为 PDF 或图片"
    if problem:
        log.info("%s: %s", entry.rel, problem)
        return EvidenceFile(
            entry.rel, entry.size, sha, kind, pages=pages, problem=problem, note=note, warning=warning
        )
    prints: tuple[Print, ...] = ()
    if kind in ("pdf", "ofd") or (kind == "image" and pictures):
        from assembler.load.fingerprint import prints_of

        with _seekable(source, entry.rel) as fh:
            prints = prints_of(fh, kind)
    return EvidenceFile(
        entry.rel, entry.size, sha, kind, pages=pages, note=note, warning=warning, prints=prints
    )


_LIMIT_WORDS = ("上限", "像素过多", "压缩炸弹", "数据过大")


def over_limit(source: Source, entry: Entry) -> str | None:
    """The problem of a file that is over one of the limits of limits.py (too large, too many pixels or
    pages, a decompression bomb), else None: the web app refuses such an upload outright."""
    problem = inspect(source, entry).problem
    return problem if problem and any(word in problem for word in _LIMIT_WORDS) else None


def discover(
    source: Source, exclude: Iterable[str] = (), pictures: bool = True
) -> tuple[list[EvidenceFile], list[str]]:
    """All evidence files of an application in sorted order, and the system files that were ignored.
    With `pictures` False, an image not inspected before comes without its fingerprint (a build adds it
    from its own decoding, see add_prints), so that each photo is decoded once."""
    from assembler.load.inspected import InspectionMemo

    skip = set(exclude)
    files, ignored = [], []
    memo = InspectionMemo(source.folder) if source.folder is not None else None
    for entry in source.entries():
        if entry.rel in skip:
            continue
        if is_ignored(entry.rel):
            ignored.append(entry.rel)
            continue
        found = memo.lookup(entry.rel) if memo is not None and not entry.problem else None
        if found is None:
            found = inspect(source, entry, pictures)
            if memo is not None and not entry.problem:
                memo.remember(found, pending=not pictures and found.kind == "image" and found.usable)
        files.append(found)
    if memo is not None:
        memo.save({f.rel for f in files})
    return files, ignored


def image_prints(source: Source, rel: str) -> tuple[Print, ...]:
    """The fingerprint of one image of the application (inspect's, made on its own)."""
    from assembler.load.fingerprint import prints_of

    with _seekable(source, rel) as fh:
        return prints_of(fh, "image")


def add_prints(source: Source, prints: dict[str, tuple[Print, ...]]) -> None:
    """Remember the fingerprints a build made of images that `discover` left without (pictures=False),
    so that the next `check` finds them."""
    from assembler.load.inspected import InspectionMemo

    if source.folder is None or not prints:
        return
    memo = InspectionMemo(source.folder)
    for rel, found in prints.items():
        memo.add_prints(rel, found)
    memo.save(set(memo.entries))
