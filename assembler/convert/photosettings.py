"""How photos are rendered (resolution on the page, JPEG quality): a light type, so that planning a build
and keying its caches does not load an image library."""

from __future__ import annotations

from dataclasses import dataclass

CONVERTER_VERSION = "2"  # bump when the conversion's output changes: part of every photo's cache key


@dataclass(frozen=True)
class PhotoSettings:
    """How photos are rendered: resolution on the page and JPEG quality."""

    dpi: int = 150
    quality: int = 75

    def key(self) -> str:
        """The settings as part of a cache key."""
        return f"{CONVERTER_VERSION}:{self.dpi}:{self.quality}"
