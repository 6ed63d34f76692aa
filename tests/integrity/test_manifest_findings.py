"""verify's findings on a manifest with bad data or unknown measures, and on removed page labels."""

from __future__ import annotations

import json

import pikepdf
import pytest

from assembler.reviewer.verify import verify


def _rewrite_manifest(src, dest, change):
    with pikepdf.open(src) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        change(manifest)
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(manifest).encode(), filename="manifest.json"
        )
        pdf.save(dest)
    return dest


@pytest.mark.slow
def test_verify_reports_bad_data_and_unknown_measures(example_dossiers, tmp_path):
    bad = _rewrite_manifest(
        example_dossiers["studio"], tmp_path / "bad.pdf", lambda m: m["application"].update(year="二〇二六")
    )
    assert "VERIFY-DATA-INVALID" in {f.rule for f in verify(bad).findings}
    unknown = _rewrite_manifest(
        example_dossiers["studio"],
        tmp_path / "unknown.pdf",
        lambda m: m["application"].update(measures="1999"),
    )
    result = verify(unknown)
    assert not result.intact and "VERIFY-MEASURES-UNKNOWN" in {f.rule for f in result.findings}


@pytest.mark.slow
def test_verify_reports_removed_page_labels(example_dossiers, tmp_path):
    target = tmp_path / "nolabels.pdf"
    with pikepdf.open(example_dossiers["studio"]) as pdf:
        del pdf.Root.PageLabels
        pdf.save(target)
    assert "VERIFY-LABELS" in {f.rule for f in verify(target).findings}
