"""The manifest is built as typed models and written as the same `dossier-manifest/1` JSON: the same keys
(none written as null that was never set), a model that reads it back unchanged, a binding over it that the
printed page carries."""

from __future__ import annotations

import json

import pikepdf
import pytest

from assembler.integrity.manifest import Manifest, binding_of

KEYS = {
    "format",
    "tool",
    "measures",
    "scheme",
    "case",
    "date",
    "application",
    "ledger",
    "check",
    "files",
    "generated",
    "photos",
    "build_key",
    "binding",
    "pages",
    "outline",
}


@pytest.mark.parametrize("name", ["innovation-count", "studio"])
def test_written_manifest_keeps_its_keys_and_reads_back_as_the_model(example_dossiers, name):
    with pikepdf.open(example_dossiers[name]) as pdf:
        raw_bytes = pdf.attachments["manifest.json"].get_file().read_bytes()
    raw = json.loads(raw_bytes)
    assert set(raw) == KEYS  # no "volume": null in a whole dossier
    assert raw["format"] == "dossier-manifest/1"
    for entry in raw["files"]:
        assert {"path", "sha256", "size", "kind", "material", "pages"} <= set(entry)
        assert entry.get("removed", ["x"]) is not None and entry.get("data", {}) is not None
    model = Manifest.model_validate(raw)
    assert model.as_json() == raw and model.to_bytes() == raw_bytes  # the model is the file, byte for byte
    assert binding_of(raw) == raw["binding"] == binding_of(model)
    assert model.pages.count == len(model.pages.digests) > 3
    assert model.check.award.amount_fen == raw["check"]["award"]["amount_fen"]
    assert model.tool.name == "dossier" and model.date.isoformat() == raw["date"]
