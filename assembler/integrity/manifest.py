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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assembler.errors import InputError

MANIFEST_FORMAT = "dossier-manifest/1"
# not covered by the binding: they depend on the printed pages (and on how the dossier was split in volumes)
UNBOUND_KEYS = ("pages", "outline", "binding", "volume")
Hex64 = Field(pattern=r"^[0-9a-f]{64}$")
MAX_FEN = 10**15  # far above any amount (limits.AMOUNT_MAX_YUAN is 10**10 fen), far below SQLite's 2**63


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class ManifestTool(_Part):
    """The program that built the dossier."""

    name: str
    version: str


class ManifestFile(_Part):
    """One applicant's file in the dossier."""

    path: str
    sha256: str = Hex64
    size: int = Field(ge=0, le=2**62)
    kind: str
    material: str | None
    pages: tuple[int, int]
    data: dict[str, Any] | None = None  # what was read from it (a ledger's rows), when the build read it
    removed: list[str] | None = None  # active content the build took out of it
    # perceptual fingerprints (assembler.core.models.Print.to_json): optional, older dossiers have none
    prints: list[dict[str, Any]] | None = None


class ManifestGenerated(_Part):
    """A page the build made (a filled form, the cover): its title, material and pages."""

    title: str
    material: str | None
    pages: tuple[int, int]


class ManifestAward(_Part):
    """The award `check` computed when the dossier was built (the applicant's claim)."""

    # whole fen within any real amount, never a bool ("abc", 1.5, 1e400 or true used to crash verify, review
    # and intake, which compute with it)
    amount_fen: Annotated[int, Field(strict=True, ge=-MAX_FEN, le=MAX_FEN)] | None = None
    amount_yuan: int | str | None = None
    lines: list[str] = []


class ManifestPeriod(_Part):
    """The activity period the dossier was checked against."""

    start: dt.date
    end: dt.date
    source: str


class ManifestFinding(_Part):
    """One finding of the check at build time."""

    rule: str
    severity: Literal["error", "warning", "info"]
    message: str = ""
    material: str | None = None
    path: str | None = None


class ManifestCheck(_Part):
    """The `check --json` object at build time (assembler.core.report.report_to_json, less the evidence)."""

    complete: bool = False
    award: ManifestAward = ManifestAward()
    findings: list[ManifestFinding] = []
    period: ManifestPeriod | None = None

    @property
    def open_errors(self) -> list[ManifestFinding]:
        """The errors that stood when the dossier was built (a preview build)."""
        return [f for f in self.findings if f.severity == "error"]


class ManifestPages(_Part):
    """The page count and a digest of what each page shows (assembler.integrity.pagedigest)."""

    count: int = Field(ge=1)
    digests: list[str] = Field(min_length=1)
    scheme: int = 1  # which page digest (assembler.integrity.pagedigest.SCHEME); 1 before it was recorded
    info: str | None = None  # a digest of the document information build wrote (integrity.document)

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


class ManifestContent(_Part):
    """What the build knows before the pages exist: everything the binding covers (see binding_of)."""

    format: Literal["dossier-manifest/1"]
    tool: ManifestTool
    measures: str
    scheme: Literal["innovation", "studio"]
    case: str | None
    date: dt.date
    application: dict[str, Any]
    ledger: list[dict[str, Any]]
    check: ManifestCheck
    files: list[ManifestFile]
    generated: list[ManifestGenerated]
    photos: dict[str, int]
    build_key: str = ""
    binding: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    def as_json(self) -> dict[str, Any]:
        """The JSON object as written: only the keys that were given (a key never set is not written as
        null), so that what is embedded is exactly what the binding was computed over."""
        return self.model_dump(mode="json", exclude_unset=True)


class Manifest(ManifestContent):
    """The whole manifest; unknown keys are kept (a newer minor version may add some)."""

    pages: ManifestPages
    outline: list[OutlineEntry]
    volume: ManifestVolume | None = None

    @field_validator("application")
    @classmethod
    def _application_blocks(cls, app: dict[str, Any]) -> dict[str, Any]:
        """The blocks and names that verify, review and intake read before the application is validated
        as a whole (a forged manifest with `applicant: null` used to crash them)."""
        for block in ("applicant", "studio", "innovation"):
            if app.get(block) is not None and not isinstance(app[block], dict):
                raise ValueError(f"application.{block} 应为对象")
        for key, value in (app.get("applicant") or {}).items():
            if key in ("name", "credit_code", "union", "union_code") and not isinstance(value, str | None):
                raise ValueError(f"application.applicant.{key} 应为文字")
        return app

    @classmethod
    def of(cls, content: ManifestContent, pages: ManifestPages, outline: list[OutlineEntry]) -> Manifest:
        """The whole manifest of a dossier: the content the build filled, then the pages it printed."""
        return cls.model_validate(
            {
                **content.as_json(),
                "pages": pages.model_dump(mode="json"),
                "outline": [o.model_dump(mode="json") for o in outline],
            }
        )

    def expected_pages(self) -> tuple[list[str], list[OutlineEntry]]:
        """The digests and bookmarks this file must show: the whole dossier's, or its volume's share."""
        if self.volume is None:
            return self.pages.digests, self.outline
        digests = [self.pages.digests[p - 1] for p in self.volume.pages if 1 <= p <= len(self.pages.digests)]
        return digests, self.volume.outline

    def to_bytes(self) -> bytes:
        """manifest.json as embedded: sorted keys, one space of indent, UTF-8 (byte-identical per input)."""
        return json.dumps(self.as_json(), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def binding_of(manifest: dict[str, Any] | ManifestContent) -> str:
    """The digest printed on the 文件清单 page: the manifest's content without UNBOUND_KEYS (computed over the
    JSON object, so that a manifest read back from a dossier gives the digest the build printed)."""
    data = manifest.as_json() if isinstance(manifest, ManifestContent) else manifest
    content = {k: v for k, v in data.items() if k not in UNBOUND_KEYS}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _where(error: Any) -> str:
    """The field an error is about: its path, or the path our own validators name in their message."""
    message = str(error.get("msg", ""))
    if error.get("type") == "value_error" and "应为" in message:
        return message.removeprefix("Value error, ")
    return ".".join(str(p) for p in error["loc"]) or "（整体）"


def validate_manifest(data: dict[str, Any], where: str) -> Manifest:
    """The typed manifest; InputError (exit 2, 无法核验) naming the first fields that do not fit."""
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        fields = "、".join(_where(e) for e in exc.errors()[:5])
        raise InputError(
            f"嵌入的清单不完整或格式不对（{fields}），无法核验",
            where=where,
            fix="请向申请单位索取用 dossier build 生成的原件。",
        ) from None
