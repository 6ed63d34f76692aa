"""The union profile page (/register/union) and the findings a reviewer ticks in the decide form: with the
test client, and in headless Chromium at a desktop and a phone width."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from conftest import CHROMIUM, EXAMPLES, copy_example, csrf_token, need_chromium

from assembler.load.union import load_union

SHOTS = Path(os.environ["DOSSIER_SCREENSHOTS"]) if os.environ.get("DOSSIER_SCREENSHOTS") else None
FORM = {
    "issuer": "天津滨海高新技术产业开发区总工会",
    "number_prefix": "津高新工",
    "contact": "张明",
    "phone": "022-58000000",
    "address": "天津市滨海高新区海泰发展六道6号",
    "email": "zgh@example.cn",
    "objection_days": "5",
    "correction_days": "10",
    "first_number": "3",
    "holidays": "2026-10-01\n2026-10-02",
}


def test_profile_saved_next_to_the_register(web_client):
    page = web_client.get("/register/union").get_data(as_text=True)
    assert "发文字号前缀" in page and "法定节假日" in page
    response = web_client.post("/register/union", data={"csrf": csrf_token(web_client), **FORM})
    assert response.status_code == 302
    profile = load_union(web_client.workspace / "union.yaml")
    assert profile.number(2026, profile.first_number) == "津高新工〔2026〕3号"
    assert [d.isoformat() for d in profile.holidays] == ["2026-10-01", "2026-10-02"]
    again = web_client.get("/register/union").get_data(as_text=True)
    assert 'value="022-58000000"' in again  # the form shows what is saved


def test_missing_values_named_by_their_labels(web_client):
    data = {**FORM, "phone": "", "objection_days": "abc", "holidays": "十月一日"}
    response = web_client.post("/register/union", data={"csrf": csrf_token(web_client), **data})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="phone-error">请填写“联系电话”', text)
    assert "“公示期（工作日）”应为 1 至 30 之间的整数" in text and "“法定节假日”应为日期列表" in text
    shown = re.findall(r'class="field-error" id="[a-z_]+-error">([^<]+)<', text)
    assert len(shown) == 3 and not [m for m in shown if re.search(r"[a-z_]{4,}|\.yaml", m)]  # labels only
    assert not (web_client.workspace / "union.yaml").exists()


def test_ticked_findings_are_frozen_with_the_decision(web_client, tmp_path):
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.intake import intake_one

    web_client.get("/register")  # the workspace exists
    db = open_register(web_client.workspace / "register.sqlite")
    assert intake_one(db, copy_example("innovation-bonus", tmp_path)).status == "new"
    db.close()
    page = web_client.get("/register/1").get_data(as_text=True)
    assert "写入补正通知的问题" in page and 'name="ticked" value="1"' in page
    bad = web_client.post(
        "/register/1/decide",
        data={
            "csrf": csrf_token(web_client),
            "decision": "退回补正",
            "reviewer": "王芳",
            "reasons": "x",
            "ticked": "99",
        },
    )
    assert bad.status_code == 400 and "没有这一项检查结果" in bad.get_data(as_text=True)
    done = web_client.post(
        "/register/1/decide",
        data={
            "csrf": csrf_token(web_client),
            "decision": "退回补正",
            "reviewer": "王芳",
            "reasons": "请补充",
            "ticked": "1",
        },
    )
    assert done.status_code == 302
    db = open_register(web_client.workspace / "register.sqlite")
    words = [r["words"] for r in db.query("SELECT words FROM decision_findings")]
    assert len(words) == 1 and "不超过 100 元" in words[0]
    history = web_client.get("/register/1").get_data(as_text=True)
    assert '<div class="hint">补正：12 项企业奖金不超过 100 元' in history


TOKEN = "union-page-token"


@pytest.fixture
def live(tmp_path):
    from werkzeug.serving import make_server

    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.intake import intake_one
    from assembler.web.app import create_app

    app = create_app(tmp_path / "workspace", token=TOKEN)
    db = open_register(tmp_path / "workspace" / "register.sqlite")
    assert intake_one(db, copy_example("innovation-bonus", tmp_path)).status == "new"
    db.close()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", tmp_path / "workspace"
    httpd.shutdown()


@pytest.mark.slow
def test_union_page_in_chromium(live):
    sync_playwright = need_chromium()
    base, workspace = live
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--lang=zh-CN"]
        )
        try:
            for width, height in ((1366, 900), (390, 844)):
                context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base}/register?token={TOKEN}")  # as the address `dossier serve` opens
                page.click("#union-link")
                page.fill("#issuer", FORM["issuer"])
                page.fill("#number_prefix", FORM["number_prefix"])
                page.fill("#contact", FORM["contact"])
                page.fill("#address", FORM["address"])
                page.fill("#email", FORM["email"])
                page.click("#union-submit")  # the phone is missing
                assert "请填写“联系电话”" in page.inner_text("#phone-error")
                assert page.get_attribute("#phone", "aria-invalid") == "true"
                if SHOTS:
                    page.screenshot(path=str(SHOTS / f"union-refused-{width}.png"), full_page=True)
                page.fill("#phone", FORM["phone"])
                page.click("#union-submit")
                assert "已保存总工会信息" in page.inner_text("body")
                assert load_union(workspace / "union.yaml").phone == FORM["phone"]
                overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                assert not overflow, f"the page scrolls sideways at {width} px"
                if SHOTS:
                    page.screenshot(path=str(SHOTS / f"union-saved-{width}.png"), full_page=True)
                page.goto(f"{base}/register/1")
                box = page.locator("#ticked input[type=checkbox]").first
                assert box.is_visible()
                if SHOTS:
                    page.locator("#decide-form").screenshot(path=str(SHOTS / f"decide-ticks-{width}.png"))
                (workspace / "union.yaml").unlink()
        finally:
            browser.close()


def test_example_profile_loads():
    profile = load_union(EXAMPLES / "union.yaml")
    assert profile.objection_days == 5 and profile.correction_days == 10 and len(profile.holidays) == 5
