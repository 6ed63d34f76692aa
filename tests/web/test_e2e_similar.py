"""The register's detail page in a real headless Chromium: a near-duplicate photo shown beside the other
unit's, dismissed with a reason, and the page at 1366 and 390 px wide."""

from __future__ import annotations

import os
import threading

import pytest
from conftest import bonus_reusing_a_count_photo, copy_example
from test_e2e import TOKEN, browser, enter, no_overflow, shot  # noqa: F401 - the browser fixture

from assembler.reviewer.register import db as store
from assembler.reviewer.register.intake import intake_one
from assembler.web.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server whose register holds two units' 2026 applications, the second with a photo taken from the
    first (cropped and re-saved)."""
    from werkzeug.serving import make_server

    workspace = tmp_path_factory.mktemp("workspace")
    src = tmp_path_factory.mktemp("src")
    os.environ.setdefault("DOSSIER_CACHE", str(tmp_path_factory.mktemp("cache")))
    db = store.open_register(workspace / "register.sqlite")
    a = intake_one(db, copy_example("innovation-count", src), received_at="2026-04-01T09:00:00+00:00")
    b_dir = bonus_reusing_a_count_photo(src)
    b = intake_one(db, b_dir, received_at="2026-04-02T09:00:00+00:00")
    db.close()
    app = create_app(workspace, token=TOKEN)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", a.record.id, b.record.id
    httpd.shutdown()


@pytest.fixture
def page(browser, served):  # noqa: F811
    context = enter(browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}), served[0])
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


def test_pair_side_by_side_then_dismissed(served, page, browser, tmp_path):  # noqa: F811
    server, a_id, b_id = served
    page.goto(f"{server}/register/{b_id}")
    section = page.locator("#similar")
    assert "近似重复（1）" in section.inner_text()
    assert "同一张图片" in section.inner_text() and "相似度" in section.inner_text()
    assert "第 1 对：" in section.inner_text()  # numbered as `dossier applications ID` lists the pairs
    images = section.locator("figure img")
    assert images.count() == 2
    boxes = [images.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    assert all(images.nth(i).evaluate("e => e.naturalWidth") == 192 for i in range(2))
    assert "现场照片2.jpg" in section.inner_text() and "现场照片1.jpg" in section.inner_text()
    assert f"登记号 {a_id}" in section.inner_text()
    assert "REGISTER-EVIDENCE-SIMILAR" in page.inner_html("#cross-year")
    for width in (1366, 390):
        context = enter(browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}), server)
        narrow = context.new_page()
        narrow.goto(f"{server}/register/{b_id}#similar")
        shot(narrow, f"40-register-similar-{width}")
        no_overflow(narrow, tmp_path)
        pics = narrow.locator("#similar figure img")
        assert pics.nth(0).bounding_box()["y"] == pics.nth(1).bounding_box()["y"]  # still side by side
        context.close()
    page.click("#similar button[value=dismissed]")  # no reason: refused, nothing recorded
    page.wait_for_url("**#similar")
    assert "核实理由" in page.inner_text(".flashes")
    page.fill("#reason-1", "同一会议室的不同照片，已电话核实")
    page.fill("#reviewer-1", "王芳")
    page.click("#similar button[value=dismissed]")
    page.wait_for_url("**#similar")
    assert "已记录：排除" in page.inner_text(".flashes")
    assert "已排除（不是重复）" in page.inner_text("#similar") and "王芳" in page.inner_text("#similar")
    assert "REGISTER-EVIDENCE-SIMILAR" not in page.inner_html("#cross-year")
