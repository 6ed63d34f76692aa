"""Perceptual fingerprints of an evidence file (assembler.core.similar.Print): of an image, and of every
scanned page of a PDF or OFD (a page that shows one picture and no text).

Fast by construction: a JPEG is decoded in draft mode (its DCT scaled by 1/8 while decoding, so a
12-megapixel photo costs a few milliseconds), a scanned PDF page's picture is taken from the file as
stored (JPEG again, decoded the same way) without rendering the page. Computed when the file is
inspected and remembered with the inspection (assembler.load.inspected), so a repeated `check` or a
`build` after it costs nothing.
"""

from __future__ import annotations

import base64
import io
import logging
import warnings
import zlib
from typing import TYPE_CHECKING, Any, BinaryIO

from assembler.convert.photosettings import TURNED, draft
from assembler.core.models import PAGE_ROWS, PAGE_SIDE, PHOTO_SIDE, Print
from assembler.limits import IMAGE_MAX_PIXELS

if TYPE_CHECKING:  # numpy is loaded only when there is a picture to fingerprint (a text PDF needs none)
    import numpy as np
    from PIL import Image

log = logging.getLogger(__name__)

MAX_PAGES = 30  # pages of one PDF or OFD fingerprinted (scans of a long document: the first ones)
_DRAFT = 2 * PAGE_SIDE  # decoded at least this large before the border is trimmed and the thumbnail made
_PAPER = 200  # a pixel at least this light
_GREY = 12  # and this close to grey (Cb + Cr from neutral) is paper
_PAPER_SHARE = 0.5  # a picture with this share of paper is a page
_NO_COLOUR = 4  # a pixel this close to grey has no colour
_COLOURLESS = 0.98  # a picture with this share of such pixels is a grey scan
_GREY_PAPER = 140  # whose paper may be this dark (another scanner's brightness)
_FLAT = 2.0  # an edge row whose grey values vary less than this (median absolute deviation) is plain
_DIFFERENT = 24  # grey levels from the edge's colour that count as content
_CONTENT = 0.02  # a row or column with less content than this share is plain
_BAR = 0.05  # a band of content this thin (share of the height) between plain rows may be a bar
_GAP = 0.02  # if plain rows at least this high follow it
_BAR_SHARE = 0.35  # and the border so found is no higher than this
_TRANSPOSE = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}  # EXIF orientation → PIL's Image.Transpose


def _plain_edges(soft: np.ndarray) -> tuple[int, int]:
    """How many rows at the top and at the bottom are a plain border: the edge row is one flat colour
    (a photo's edge never is), then rows of that colour, where a thin band of something (a phone's status
    bar, a page number) between plain rows still counts as border, up to BAR_SHARE of the height."""
    import numpy as np

    n = soft.shape[0]
    out = []
    for rows in (soft, soft[::-1]):
        edge = rows[0]
        colour = np.median(edge)
        if np.median(np.abs(edge - colour)) > _FLAT:
            out.append(0)
            continue
        content = (np.abs(rows - colour) > _DIFFERENT).mean(axis=1) > _CONTENT
        cut = 0
        while cut < n:
            start = cut + int(np.argmax(content[cut:])) if content[cut:].any() else n
            if start >= n:
                break
            end = start + int(np.argmin(content[start:])) if not content[start:].all() else n
            gap = end + int(np.argmax(content[end:])) if content[end:].any() else n
            if end - start > _BAR * n or gap - end < _GAP * n or gap > _BAR_SHARE * n:
                cut = start
                break
            cut = gap  # a thin band followed by plain rows: part of the border
        out.append(cut)
    return out[0], out[1]


def _trim_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """The picture without plain borders (a screenshot's bars, a scan's margin, a letterbox), judged on a
    softened copy so that a scanner's grain does not count as content: (left, top, right, bottom)."""
    import numpy as np
    from PIL import Image, ImageFilter

    soft = np.asarray(Image.fromarray(grey.astype(np.uint8)).filter(ImageFilter.BoxBlur(1)), dtype=np.float64)
    h, w = grey.shape
    top, bottom = _plain_edges(soft)
    left, right = _plain_edges(soft.T)
    if h - top - bottom < h // 3 or w - left - right < w // 3:
        return 0, 0, w, h  # mostly plain: a blank page keeps its frame
    return left, top, w - right, h - bottom


def _page_like(y: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> bool:
    """Whether a picture is a page (a scan or a photo of a document): mostly pale paper without colour.
    A page is kept larger and in grey only: its lines and handwriting need the finer grid, its ink's
    colour is lost by a black-and-white scanner anyway."""
    import numpy as np

    neutral = np.abs(cb - 128) + np.abs(cr - 128) < _GREY
    if (y > _PAPER)[neutral].sum() >= _PAPER_SHARE * y.size:
        return True
    # a scan in grey from a darker scanner: no colour anywhere, and mostly light
    colourless = float((np.abs(cb - 128) + np.abs(cr - 128) < _NO_COLOUR).mean()) >= _COLOURLESS
    return colourless and bool((y > _GREY_PAPER).mean() >= _PAPER_SHARE)


_INK_SHARE = 0.35  # a pixel darker than the paper by this share of the page's contrast is ink
_INK_LEAST = 30.0  # and by at least this many grey levels (a blank page's grain is not ink)
_INK_POOL = 40  # a map pixel is ink when this much of it (of 255) was ink: thin strokes stay
_SKEW = 2.0  # a page is straightened by up to this many degrees


def _ink_mask(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The page's ink (True) against its paper, whatever the scanner's brightness: relative to the paper's
    level (most of a page is paper) and the darkest ink; and the paper's level."""
    import numpy as np

    levels = np.cumsum(np.bincount(grey.ravel(), minlength=256)) / grey.size
    paper = float(np.searchsorted(levels, 0.75))  # the grey levels below which 75 % and 0.5 % lie
    dark = float(np.searchsorted(levels, 0.005))
    return (paper - grey) > max(_INK_SHARE * (paper - dark), _INK_LEAST), paper


def _skew(mask: np.ndarray) -> float:
    """The page's skew in degrees: the turn that makes its lines of text most clearly rows (the rows'
    ink profile the most uneven), 0.25° steps, then 0.05° around the best."""
    import numpy as np

    ys, xs = np.nonzero(mask)
    if len(ys) < 20:
        return 0.0
    step = max(1, len(ys) // 40_000)  # a sample of the ink is as straight as all of it
    ys, xs = ys[::step], xs[::step]
    height, width = mask.shape
    pad = int(width * np.tan(np.radians(_SKEW + 0.5))) + 2
    xs = xs - width / 2

    def score(degrees: float) -> float:
        rows = ys + xs * np.tan(np.radians(degrees)) + pad
        low = np.floor(rows).astype(np.int64)
        share = rows - low
        size = height + 2 * pad + 2
        profile = np.bincount(low, 1 - share, minlength=size) + np.bincount(low + 1, share, minlength=size)
        return float((profile**2).sum())

    coarse = max(np.arange(-_SKEW, _SKEW + 0.01, 0.25), key=score)
    return round(float(max(coarse + np.arange(-0.2, 0.21, 0.05), key=score)), 2)


def _page_ink(source: Image.Image, orientation: int) -> str:
    """A page's ink map (Print.ink): the page straightened, cut to its ink and reduced to PAGE_ROWS rows at
    its own aspect, one bit a pixel, zlib'd (a page of text: 3–9 KB). "" for a page without ink. A finer
    and truer picture than the square thumbnail, to tell a page scanned again (the same strokes, blurred
    and shifted) from a page of one template with another date (other strokes in one place). Made from
    the decoded picture at about twice PAGE_ROWS, so that the map's strokes are whole."""
    import numpy as np
    from PIL import Image

    y = source.reduce(max(1, max(source.size) // (2 * PAGE_ROWS)))
    y.thumbnail((2 * PAGE_ROWS, 2 * PAGE_ROWS), Image.Resampling.BOX)
    y = y.convert("L")
    if orientation in _TRANSPOSE:
        y = y.transpose(Image.Transpose(_TRANSPOSE[orientation]))
    mask, paper = _ink_mask(np.asarray(y, dtype=np.int16))
    degrees = _skew(mask)
    if degrees:
        y = y.rotate(-degrees, resample=Image.Resampling.BILINEAR, fillcolor=int(paper))
        mask, _ = _ink_mask(np.asarray(y, dtype=np.int16))
    rows = np.flatnonzero(mask.sum(axis=1) >= 2)
    cols = np.flatnonzero(mask.sum(axis=0) >= 2)
    if len(rows) < 2 or len(cols) < 2:
        return ""
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    width = max(8, min(4 * PAGE_ROWS, round(PAGE_ROWS * (right - left) / (bottom - top))))
    inked = Image.fromarray(mask[top:bottom, left:right].astype(np.uint8) * 255)
    small = np.asarray(inked.resize((width, PAGE_ROWS), Image.Resampling.BOX)) > _INK_POOL
    head = PAGE_ROWS.to_bytes(2, "big") + width.to_bytes(2, "big")
    return base64.b64encode(zlib.compress(head + np.packbits(small).tobytes(), 9)).decode("ascii")


def print_of_image(data: BinaryIO | bytes, page: int = 1) -> Print | None:
    """The fingerprint of one picture (None when it cannot be decoded: inspection reports that; and None
    where numpy cannot be loaded, so that a machine without it still checks and builds, only without
    near-duplicate findings). A JPEG is decoded as a build's photo worker decodes it (draft mode, to the
    size its page needs), so that the build can take the fingerprint from its own decoding."""
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as im:
                return print_of_picture(im, draft(im), page)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        log.debug("no fingerprint: %s", exc)
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def print_of_picture(im: Image.Image, size: tuple[int, int], page: int = 1) -> Print | None:
    """The fingerprint of a picture opened (and drafted, assembler.convert.photosettings.draft) but not
    otherwise changed; `size` is its size as stored. `im` itself is left as it is (the build's photo
    worker goes on to draw the page from it). None as for print_of_image."""
    try:
        import numpy as np

        from assembler.core.similar import CHROMA, make_print
    except ImportError as exc:
        log.warning("no near-duplicate fingerprints: %s", exc)
        return None
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            orientation = im.getexif().get(0x0112, 1)
            width, height = size[::-1] if orientation in TURNED else size
            source = im if im.mode in ("RGB", "L") else im.convert("RGB")
            small = source.reduce(max(1, min(source.size) // _DRAFT))  # whole pixels averaged: fast
            small.thumbnail((2 * _DRAFT, 2 * _DRAFT), Image.Resampling.BOX)
            small = small.convert("RGB").convert("YCbCr")
            if orientation in _TRANSPOSE:
                small = small.transpose(Image.Transpose(_TRANSPOSE[orientation]))
        y, cb, cr = small.split()
        box = _trim_box(np.asarray(y, dtype=np.float64))
        colour = np.stack(
            [np.asarray(c.crop(box).resize((CHROMA, CHROMA), Image.Resampling.BOX)) for c in (cb, cr)]
        )
        page_like = _page_like(*(np.asarray(c.crop(box), dtype=np.int16) for c in (y, cb, cr)))
        side = PAGE_SIDE if page_like else PHOTO_SIDE
        thumb = y.crop(box).resize((side, side), Image.Resampling.BOX)
        ink = _page_ink(source, orientation) if page_like else ""
        return make_print(np.asarray(thumb), page, width, height, None if page_like else colour, ink)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        log.debug("no fingerprint: %s", exc)
        return None


def _pdf_prints(fh: BinaryIO) -> list[Print]:
    import pikepdf

    out: list[Print] = []
    try:
        with pikepdf.open(fh) as pdf:
            for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
                resources: Any = page.obj.get("/Resources", {})
                if resources.get("/Font"):
                    continue  # text on the page: a generated document, not a scan
                images = [x for x in resources.get("/XObject", {}).values() if x.get("/Subtype") == "/Image"]
                if not images:
                    continue
                biggest = max(images, key=lambda x: int(x.get("/Width", 0)) * int(x.get("/Height", 0)))
                filters = biggest.get("/Filter")
                if filters == "/DCTDecode":
                    found = print_of_image(biggest.read_raw_bytes(), number)
                else:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        buffer = io.BytesIO()
                        pikepdf.PdfImage(biggest).as_pil_image().save(buffer, "PNG")
                    found = print_of_image(buffer.getvalue(), number)
                if found is not None:
                    out.append(found)
    except (
        pikepdf.PdfError,
        pikepdf.PasswordError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        RuntimeError,
        OSError,
    ) as exc:
        log.debug("no fingerprints of the PDF: %s", exc)
    return out


def _ofd_prints(fh: BinaryIO) -> list[Print]:
    from assembler.convert.ofd import ofd_page_pictures
    from assembler.errors import InputError

    try:
        pictures = ofd_page_pictures(fh, MAX_PAGES)
    except (InputError, ValueError, KeyError, OSError) as exc:
        log.debug("no fingerprints of the OFD: %s", exc)
        return []
    return [p for number, data in pictures if (p := print_of_image(data, number)) is not None]


def prints_of(fh: BinaryIO, kind: str) -> tuple[Print, ...]:
    """The fingerprints of an evidence file of this kind (an image: one; a PDF or OFD: one per scanned
    page; anything else: none)."""
    if kind == "image":
        found = print_of_image(fh)
        return (found,) if found is not None else ()
    if kind == "pdf":
        return tuple(_pdf_prints(fh))
    if kind == "ofd":
        return tuple(_ofd_prints(fh))
    return ()
