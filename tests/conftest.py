"""Shared helpers: copies of the bundled examples to modify, the external corpus, tree snapshots."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pypdf.filters  # noqa: F401 - see below
import pytest
import yaml

# pypdf 7 compares its legacy module constant JBIG2DEC_BINARY (looked up on PATH when pypdf.filters is first
# imported) with its configuration's (looked up when pypdf is imported) and raises DeprecationError when
# they differ. Tests that point PATH at an empty folder would make the two lookups differ if pypdf.filters
# were first imported inside them; importing it here, under the real PATH, keeps them equal.

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RESOURCES = Path(__file__).resolve().parent / "resources"
CORPUS = Path(os.environ.get("DOSSIER_CORPUS", ROOT.parent / "shared" / "corpus"))
IN_CI = os.environ.get("CI") == "true"
# conversions and remembered inspections go to a private folder, never the user's own cache
os.environ.setdefault("DOSSIER_CACHE", tempfile.mkdtemp(prefix="dossier-test-cache-"))


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus (not in the repository: its files carry their own licences)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus folder {CORPUS} is absent (set DOSSIER_CORPUS to its path)")
    return CORPUS


def need_tool(tool: str) -> None:
    """Skip without an external program, but fail when CI=true (the Makefile's setup installs it)."""
    if shutil.which(tool) is None:
        if IN_CI:
            pytest.fail(f"CI=true but {tool} is not installed (the Makefile's setup installs it)")
        pytest.skip(f"{tool} is not installed")


CHROMIUM = os.environ.get("DOSSIER_CHROMIUM", "/usr/bin/chromium")  # Debian's, driven by Playwright


def need_chromium():  # noqa: ANN201 - playwright.sync_api.sync_playwright, imported only here
    """Playwright's `sync_playwright` for a headless Chromium; skip without Playwright or Chromium, but fail
    when CI=true (the Makefile's setup installs both)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true but the playwright package is not installed")
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing (Debian package chromium)")
        pytest.skip("chromium is not installed")
    return sync_playwright


EXAMPLE_NAMES = ["innovation-count", "innovation-bonus", "studio"]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One conversion cache for the whole session: LibreOffice converts each example's forms once."""
    need_tool("soffice")
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def example_dossiers(tmp_path_factory, shared_cache) -> dict[str, Path]:
    """The three bundled examples built once per session (shared: copy a file before changing it)."""
    from assembler.pipeline.run import BuildOptions, build

    folder = tmp_path_factory.mktemp("examples-built")
    return {
        name: build(EXAMPLES / name, BuildOptions(out=folder / f"{name}.pdf", cache_dir=shared_cache)).path
        for name in EXAMPLE_NAMES
    }


@pytest.fixture
def web_client(tmp_path, monkeypatch):
    """The web app's test client over a fresh workspace (`client.workspace`) and a private cache."""
    from assembler.web.app import create_app

    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))
    app = create_app(tmp_path / "workspace")
    app.config["TESTING"] = True
    client = signed_in(app.test_client())
    client.workspace = tmp_path / "workspace"
    return client


def signed_in(client):
    """`client` after opening the app's address with its access token once (the session cookie then
    carries it), as the browser the app opens does."""
    token = client.application.config["ACCESS_TOKEN"]
    assert client.get(f"/?token={token}").status_code == 302
    return client


def csrf_token(client) -> str:
    """The CSRF token of the session of `client` (from the home page's forms)."""
    import re

    page = client.get("/").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found is not None, "no CSRF token on the home page"
    return found.group(1)


def copy_example(name: str, dest: Path) -> Path:
    """A private copy of examples/<name> to modify in a test."""
    target = dest / name
    shutil.copytree(EXAMPLES / name, target)
    return target


def bonus_reusing_a_count_photo(src: Path) -> Path:
    """A copy of examples/innovation-bonus in `src` whose second meeting's 现场照片2.jpg is the first photo
    of the innovation-count copy already in `src`, cropped and re-saved smaller (a near-duplicate across
    units)."""
    import io

    from PIL import Image, ImageOps

    b_dir = copy_example("innovation-bonus", src)
    theirs = next((src / "innovation-count" / "4-评审会议").glob("2026-03-18*/现场照片1.jpg"))
    im = ImageOps.exif_transpose(Image.open(theirs))
    w, h = im.size
    out = io.BytesIO()
    im.crop((0, int(h * 0.06), int(w * 0.95), h)).resize((720, 500)).save(out, "JPEG", quality=60)
    next((b_dir / "4-评审会议").glob("2026-05-22*/现场照片2.jpg")).write_bytes(out.getvalue())
    return b_dir


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # application.yaml refuses aliases; write shared values out in full
        return True


def edit_yaml(folder: Path, change) -> None:
    """Load application.yaml, let `change(data)` modify it, write it back."""
    path = folder / "application.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(
        yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file's SHA-256 and mtime below `folder`: to assert that a command changed nothing."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[p.relative_to(folder).as_posix()] = (
                hashlib.sha256(p.read_bytes()).hexdigest(),
                p.stat().st_mtime_ns,
            )
        else:
            out[p.relative_to(folder).as_posix()] = ("dir-or-link", 0)
    return out


def assert_refused(tmp_path: Path, example: str, change, words: list[str]) -> None:
    """`check` of a copy of `example` changed by `change(folder)` stops with exit 2, a message that names
    every word in `words`, and the folder untouched."""
    from click.testing import CliRunner

    from assembler.cli import cli

    folder = copy_example(example, tmp_path)
    change(folder)
    before = tree_digest(folder)
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert result.output.startswith("错误：")
    for word in words:
        assert word in result.output, (word, result.output)
    assert tree_digest(folder) == before
