"""The manifest embedded in every dossier (manifest.json, format `dossier-manifest/1`), as one typed model
shared by build (which validates what it writes), verify and review (which refuse what does not fit).

`binding` ties the manifest to the printed pages: a digest of the manifest's content (everything but
the page digests and the outline, which are computed after the pages exist) is printed on the 文件清单
page, and that page's digest is in the manifest. Editing the manifest without the page, or the page
without the manifest, is therefore caught; editing both and recomputing every digest is not — digests
prove consistency, not who made the file (that needs a signature).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assembler.errors import InputError

MANIFEST_FORMAT = "dossier-manifest/1"
# not covered by the binding: they depend on the printed pages (and on how the dossier was split in volumes)
UNBOUND_KEYS = ("pages", "outline", "binding", "volume")
Hex64 = Field(pattern=r"^[0-9a-f]{64}$")


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class ManifestFile(_Part):
    """One applicant's file in the dossier."""

    path: str
    sha256: str = Hex64
    size: int = Field(ge=0)
    kind: str
    material: str | None
    pages: tuple[int, int]
    # perceptual fingerprints (assembler.core.models.Print.to_json): optional, older dossiers have none
    prints: list[dict[str, Any]] | None = None


class ManifestPages(_Part):
    """The page count and a digest of what each page shows (assembler.integrity.pagedigest)."""

    count: int = Field(ge=1)
    digests: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_per_page(self) -> ManifestPages:
        if len(self.digests) != self.count or any(len(d) != 64 for d in self.digests):
            raise ValueError("pages.digests 应为每页一个 SHA-256")
        return self


class OutlineEntry(_Part):
    title: str
    page: int | None
    level: int


class ManifestVolume(_Part):
    """A volume of a dossier split by size: which of the whole dossier's pages it holds, and its bookmarks."""

    number: int = Field(ge=1)
    of: int = Field(ge=1)
    pages: list[int] = Field(min_length=1)
    outline: list[OutlineEntry]


class Manifest(_Part):
    """The whole manifest; unknown keys are kept (a newer minor version may add some)."""

    format: Literal["dossier-manifest/1"]
    tool: dict[str, str]
    measures: str
    scheme: Literal["innovation", "studio"]
    case: str | None
    date: dt.date
    application: dict[str, Any]
    ledger: list[dict[str, Any]]
    check: dict[str, Any]
    files: list[ManifestFile]
    generated: list[dict[str, Any]]
    photos: dict[str, int]
    pages: ManifestPages
    outline: list[OutlineEntry]
    build_key: str = ""
    binding: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    volume: ManifestVolume | None = None

    def expected_pages(self) -> tuple[list[str], list[OutlineEntry]]:
        """The digests and bookmarks this file must show: the whole dossier's, or its volume's share."""
        if self.volume is None:
            return self.pages.digests, self.outline
        digests = [self.pages.digests[p - 1] for p in self.volume.pages if 1 <= p <= len(self.pages.digests)]
        return digests, self.volume.outline


def binding_of(manifest: dict[str, Any]) -> str:
    """The digest printed on the 文件清单 page: the manifest's content without UNBOUND_KEYS."""
    content = {k: v for k, v in manifest.items() if k not in UNBOUND_KEYS}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_manifest(data: dict[str, Any], where: str) -> Manifest:
    """The typed manifest; InputError (exit 2, 无法核验) naming the first fields that do not fit."""
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        fields = "、".join(".".join(str(p) for p in e["loc"]) or "（整体）" for e in exc.errors()[:5])
        raise InputError(
            f"嵌入的清单不完整或格式不对（{fields}），无法核验",
            where=where,
            fix="请向申请单位索取用 dossier build 生成的原件。",
        ) from None
