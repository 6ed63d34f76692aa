"""Images of an OFD page: decoded within the pixel limit and placed as PDF images."""

from __future__ import annotations

import io
import zlib

import pikepdf
from pikepdf import Name

from assembler.limits import IMAGE_MAX_PIXELS as MAX_IMAGE_PIXELS


def _image_xobject(pdf: pikepdf.Pdf, data: bytes, seal: bool) -> pikepdf.Object:
    """An image XObject: JPEG passed through, everything else decoded with Pillow and Flate-compressed.
    A seal picture without transparency gets its white made transparent, as OFD readers draw seals."""
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise ValueError("too many pixels")
            if im.format == "JPEG" and im.mode in ("L", "RGB") and not seal:
                return pikepdf.Stream(
                    pdf,
                    data,
                    Type=Name.XObject,
                    Subtype=Name.Image,
                    Width=im.width,
                    Height=im.height,
                    BitsPerComponent=8,
                    Filter=Name.DCTDecode,
                    ColorSpace=Name.DeviceGray if im.mode == "L" else Name.DeviceRGB,
                )
            im.seek(0)
            im.load()
            return _raw_image(pdf, im, seal)
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _raw_image(pdf: pikepdf.Pdf, im, seal: bool) -> pikepdf.Object:  # im: a PIL image
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode in ("P", "PA"):
        im = im.convert("RGBA")
    alpha = None
    if im.mode in ("RGBA", "LA"):
        alpha = im.getchannel("A")
        im = im.convert("RGB" if im.mode == "RGBA" else "L")
    elif im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    if alpha is not None and alpha.getextrema() == (255, 255):
        alpha = None
    if seal and alpha is None:
        gray = im.convert("L")
        alpha = gray.point(lambda v: 0 if v > 235 else 255)
        if alpha.getextrema() == (255, 255):
            alpha = None
    xobj = pikepdf.Stream(
        pdf,
        zlib.compress(im.tobytes(), 6),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=im.width,
        Height=im.height,
        BitsPerComponent=8,
        Filter=Name.FlateDecode,
        ColorSpace=Name.DeviceGray if im.mode == "L" else Name.DeviceRGB,
    )
    if alpha is not None and alpha.getextrema() != (255, 255):
        xobj.SMask = pikepdf.Stream(
            pdf,
            zlib.compress(alpha.convert("L").tobytes(), 6),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=im.width,
            Height=im.height,
            BitsPerComponent=8,
            ColorSpace=Name.DeviceGray,
            Filter=Name.FlateDecode,
        )
    return xobj
