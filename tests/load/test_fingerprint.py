"""Fingerprints at inspection: an image's, an OFD's scanned pages', none for a text page; remembered with
the inspection so that a repeated check does not decode again."""

from __future__ import annotations

import shutil
from pathlib import Path

from assembler.load import fingerprint
from assembler.load.evidence import discover
from assembler.load.sources import open_source

ROOT = Path(__file__).resolve().parents[2]


def test_ofd_scanned_pages_are_fingerprinted_and_text_pages_are_not(corpus):
    with (corpus / "ofd" / "containsJPEG.ofd").open("rb") as fh:
        pages = fingerprint.prints_of(fh, "ofd")
    assert [p.page for p in pages] == [1, 2] and pages[0].width == 3648
    with (corpus / "ofd" / "helloworld.ofd").open("rb") as fh:
        assert fingerprint.prints_of(fh, "ofd") == ()


def test_fingerprints_are_remembered_with_the_inspection(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "app"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "resources" / "calibration" / "meeting.jpg", folder / "a.jpg")
    shutil.copy(ROOT / "tests" / "resources" / "calibration" / "receipt-2025-rescan.jpg", folder / "b.jpg")
    (folder / "c.txt").write_text("x", encoding="utf-8")
    first, _ = discover(open_source(folder))
    by_name = {e.rel: e for e in first}
    assert len(by_name["a.jpg"].prints) == 1 and by_name["a.jpg"].prints[0].chroma  # a photo: colour kept
    assert len(by_name["b.jpg"].prints) == 1 and not by_name["b.jpg"].prints[0].chroma  # a page: grey
    assert by_name["c.txt"].prints == ()

    def decoded_again(*args, **kwargs):
        raise AssertionError("a remembered file was decoded again")

    monkeypatch.setattr(fingerprint, "prints_of", decoded_again)
    again, _ = discover(open_source(folder))
    assert [e.prints for e in again] == [e.prints for e in first]


def test_no_corpus_file_breaks_fingerprinting(corpus):
    """Every real-world PDF, picture and OFD of the corpus gives fingerprints or none, never an exception
    (an encrypted PDF raised pikepdf's PasswordError, which is not one of its PdfErrors)."""
    kinds = {"pdf": "pdf", "ofd": "ofd", "jpg": "image", "jpeg": "image", "png": "image", "heic": "image"}
    seen = 0
    for path in sorted(p for p in corpus.rglob("*") if p.suffix.lower().lstrip(".") in kinds):
        with path.open("rb") as fh:
            assert isinstance(fingerprint.prints_of(fh, kinds[path.suffix.lower().lstrip(".")]), tuple)
        seen += 1
    assert seen >= 20


def test_a_new_file_does_not_cost_the_others_their_remembered_fingerprints(tmp_path, monkeypatch):
    """Looking an inspection up must leave the memo's entry whole: when a file is added and the memo is
    saved again, the files inspected before keep their fingerprints (they lost them, so the next build
    put none in its manifest and two builds of one folder differed)."""
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "app"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "resources" / "calibration" / "meeting.jpg", folder / "a.jpg")
    first, _ = discover(open_source(folder))
    shutil.copy(ROOT / "tests" / "resources" / "calibration" / "receipt-2025-rescan.jpg", folder / "b.jpg")
    discover(open_source(folder))  # a.jpg from the memo, b.jpg inspected: the memo is saved again
    calls = []
    monkeypatch.setattr(fingerprint, "prints_of", lambda fh, kind: calls.append(kind) or ())
    third, _ = discover(open_source(folder))
    assert calls == []
    assert {f.rel: f.prints for f in third}["a.jpg"] == {f.rel: f.prints for f in first}["a.jpg"] != ()
