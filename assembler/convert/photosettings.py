"""How photos are rendered (resolution on the page, JPEG quality): a light type, so that planning a build
and keying its caches does not load an image library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

A4 = (595.28, 841.89)  # points
MARGIN = 34.0  # 12 mm around the photo
BOTTOM = 62.0  # room for the caption and the page number
TURNED = (5, 6, 7, 8)  # EXIF orientations that turn the picture by 90°
CONVERTER_VERSION = "2"  # bump when the conversion's output changes: part of every photo's cache key


@dataclass(frozen=True)
class PhotoSettings:
    """How photos are rendered: resolution on the page and JPEG quality."""

    dpi: int = 150
    quality: int = 75

    def key(self) -> str:
        """The settings as part of a cache key."""
        return f"{CONVERTER_VERSION}:{self.dpi}:{self.quality}"

    def box(self, width: int, height: int) -> tuple[int, int]:
        """The largest size (pixels) on its page of a picture of this shape (as shown, EXIF turn applied)."""
        page = page_for(width, height)
        w = (page[0] - 2 * MARGIN) / 72 * self.dpi
        h = (page[1] - MARGIN - BOTTOM) / 72 * self.dpi
        return int(w), int(h)


DEFAULT = PhotoSettings()


def page_for(width: int, height: int) -> tuple[float, float]:
    """A4 in the orientation that suits a picture of this shape."""
    return (A4[1], A4[0]) if width > height else A4


def draft(im: Any, settings: PhotoSettings = DEFAULT) -> tuple[int, int]:
    """Let a JPEG decode straight to the size its page needs (libjpeg scales by 1/2, 1/4 or 1/8 while
    decoding): the build's photo workers call this, and so does the near-duplicate fingerprint, which is
    therefore made from the very pixels a build at the default settings decodes anyway (`im` is a
    Pillow image just opened; other formats are left as they are). Returns the picture's size as stored,
    which drafting changes."""
    size: tuple[int, int] = im.size
    if im.format == "JPEG":
        turned = im.getexif().get(0x0112, 1) in TURNED
        w, h = settings.box(*((im.height, im.width) if turned else im.size))
        im.draft("RGB", (h, w) if turned else (w, h))
    return size
