"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright with its executable
path set; no browser download): a person's way from an empty page to a verified dossier, for both funds, and
the reviewer."""

from __future__ import annotations

import json
import os
import threading
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import CHROMIUM, EXAMPLES, need_chromium, need_tool
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.web.app import create_app

pytestmark = pytest.mark.slow
TOKEN = "e2e-access-token"  # the address `dossier serve` opens carries a fresh one
SHOTS = Path(os.environ.get("DOSSIER_SCREENSHOTS", "")) if os.environ.get("DOSSIER_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_tool("soffice")
    from werkzeug.serving import make_server

    workspace = tmp_path_factory.mktemp("workspace")
    os.environ.setdefault("DOSSIER_CACHE", str(tmp_path_factory.mktemp("cache")))
    app = create_app(workspace, token=TOKEN)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    sync_playwright = need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--lang=zh-CN",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def enter(context, server: str):
    """`context` (a browser's cookies) after opening the app's address with its access token once."""
    assert context.request.get(f"{server}/?token={TOKEN}").ok
    return context


@pytest.fixture
def page(browser, server):
    context = enter(
        browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}),
        server,
    )
    page = context.new_page()
    # generous: under `pytest -n 2` a check or LibreOffice conversion on the other core slows every request
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(120_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def status(page, number: str) -> str:
    return page.get_attribute(f"#m{number}", "data-status")


def build_and_download(page, target: Path) -> Path:
    page.click("#build")
    page.wait_for_url("**/a/**#downloads", timeout=180_000)
    with page.expect_download() as download:
        page.click("#download-pdf")
    download.value.save_as(target)
    return target


def verifies(path: Path) -> bool:
    return CliRunner().invoke(cli, ["verify", str(path)]).exit_code == 0


def test_studio_from_an_empty_page(server, page, tmp_path):
    page.goto(server)
    shot(page, "01-home")
    page.select_option("select[name=scheme]", "studio")
    page.click("#new-application")
    assert status(page, "2") == "missing"
    fields = {
        "applicant.name": "天津示例新能源装备有限公司",
        "applicant.credit_code": "91120116MA06P2W16K",
        "applicant.union": "天津示例新能源装备有限公司工会委员会",
        "applicant.contact.name": "赵国庆",
        "applicant.contact.phone": "022-66201888",
        "studio.name": "赵建华劳模创新工作室",
        "studio.leader": "赵建华",
        "studio.tier": "5000",
        "studio.projects": "风电变桨轴承在线监测攻关",
        "studio.results": "润滑状态监测装置 | 已推广",
    }
    page.fill("[name='applicant.credit_code']", "91120116MA06P2W16X")
    page.wait_for_selector("#problems li")  # validated as you type
    assert "校验" in page.inner_text("#problems")
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    page.uncheck("[name='studio.new']")
    page.check("[name='studio.annual']")
    page.wait_for_selector("#problems-ok", state="visible")
    shot(page, "02-studio-form")
    page.click("#save-info")
    assert "申报信息已保存" in page.inner_text("main")
    assert "5,000 元" in page.inner_text("#award")
    for number, rel in [
        ("2", "2-年度工作计划/2026年度工作计划.pdf"),
        ("3", "3-进度与成果/课题完成进度报告.pdf"),
        ("5", "5-工会经费凭证/2025年度工会经费缴纳凭证.pdf"),
    ]:
        page.wait_for_load_state("load")
        with page.expect_navigation():  # choosing files uploads them
            page.set_input_files(f"#m{number} input[type=file]", str(EXAMPLES / "studio" / rel))
        assert status(page, number) == "ok", number
    shot(page, "03-studio-checklist")
    assert "材料齐全" in page.inner_text("#verdict")
    pdf = build_and_download(page, tmp_path / "studio.pdf")
    shot(page, "04-studio-downloads")
    assert verifies(pdf)
    assert "页" in page.inner_text("#pdf-info") and "MB" in page.inner_text("#pdf-info")
    page.go_back()  # Back does not loop into the progress page
    assert "/jobs/" not in page.url
    page.go_forward()
    # a change after the build: the PDF is out of date, not offered, a rebuild is
    page.locator("#m5 button.remove").first.click()
    assert page.is_visible("#pdf-stale") and page.locator("#download-pdf").count() == 0
    assert page.is_disabled("#build")  # incomplete again: the button is disabled and looks it
    colour = page.eval_on_selector("#build", "b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(187, 187, 187)", colour
    shot(page, "04b-studio-stale")


def upload(page, number: str, files: list[Path], meeting: str | None = None) -> None:
    if meeting is not None:
        page.select_option(f"#meeting-{number}", meeting)
    page.wait_for_load_state("load")
    with page.expect_navigation():
        page.set_input_files(f"#m{number} input[type=file]", [str(f) for f in files])


def test_innovation_from_an_empty_page(server, page, tmp_path):
    root = EXAMPLES / "innovation-count"
    page.goto(server)
    page.select_option("select[name=scheme]", "innovation")
    page.select_option("select[name=case]", "count")
    page.click("#new-application")
    for name, value in {
        "applicant.name": "天津滨海示例精密机械有限公司",
        "applicant.credit_code": "91120116MA05K3R78L",
        "applicant.union": "天津滨海示例精密机械有限公司工会委员会",
        "applicant.contact.name": "刘晓东",
        "applicant.contact.phone": "022-58001234",
        "meeting-0-date": "2026-03-18",
        "meeting-0-title": "一季度五小成果评审会",
        "meeting-0-reported_on": "2026年3月11日",
        "meeting-1-date": "2026/6/12",
        "meeting-1-title": "二季度合理化建议评审会",
    }.items():
        page.fill(f"[id='{name}']", value)
    page.set_input_files("[name=ledger]", str(root / "ledger.xlsx"))
    page.click("#save-info")
    assert "申报信息已保存" in page.inner_text("main")
    assert "3,000 元" in page.inner_text("#award")  # 37 items from the uploaded ledger
    upload(page, "2", [root / "2-激励制度" / "职工创新创效激励办法.docx"])
    for date in ["2026-03-18", "2026-06-12"]:
        meeting = next((root / "4-评审会议").glob(f"{date}*"))
        upload(page, "4", sorted(meeting.iterdir()), meeting=date)
    upload(page, "4", [root / "4-评审会议" / "评审结果公示（内网截图）.png"], meeting="notice")
    upload(page, "5", [root / "5-奖励签收单" / "物质奖励签收单.pdf"])
    upload(page, "6", [root / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.pdf"])
    for number in ["1", "2", "3", "4", "5", "6"]:
        assert status(page, number) == "ok", (number, page.inner_text("#findings"))
    shot(page, "08-innovation-from-scratch")
    pdf = build_and_download(page, tmp_path / "scratch.pdf")
    assert verifies(pdf)


def test_innovation_zip_remove_readd_build(server, page, tmp_path):
    archive = tmp_path / "申请.zip"
    root = EXAMPLES / "innovation-count"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    page.goto(server)
    page.set_input_files("#archive", str(archive))
    page.click("#upload-zip")
    for number in ["1", "2", "3", "4", "5", "6"]:
        assert status(page, number) == "ok", number
    assert "3,000 元" in page.inner_text("#award")
    shot(page, "05-innovation-checklist")
    row = page.locator("#m6")
    row.locator("button.remove").first.click()
    assert status(page, "6") == "missing"
    assert "缺失" in page.inner_text("#m6")
    shot(page, "06-innovation-missing")
    # the page's script uploads a file as soon as it is chosen: it must have run (under load the DOM can be
    # there before it, and then choosing the file would do nothing)
    page.wait_for_load_state("load")
    page.set_input_files(
        "#m6 input[type=file]", str(root / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.pdf")
    )
    # choosing the file uploads it; the page that comes back shows the material complete again
    page.wait_for_selector('#m6[data-status="ok"]')
    assert status(page, "6") == "ok"
    pdf = build_and_download(page, tmp_path / "innovation.pdf")
    assert verifies(pdf)


def test_reviewer_summary(server, page, example_dossiers, tmp_path):
    pdfs = [example_dossiers[name] for name in ["studio", "innovation-bonus"]]
    page.goto(f"{server}/review")
    page.set_input_files("#review-files", [str(p) for p in pdfs])
    page.click("#review-submit")
    text = page.inner_text("main")
    assert "结果（2 个单位，2 份材料）" in text and "15,000" in text and "30,000" in text
    shot(page, "07-review")
    with page.expect_download() as download:
        page.click("#download-summary")
    target = tmp_path / "summary.xlsx"
    download.value.save_as(target)
    rows = list(load_workbook(target)["汇总"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows if r[0]} == {
        "天津示例新能源装备有限公司",
        "天津高新区示例电子科技股份有限公司",
    }


# -- issue 9: the web app as people really use it ----------------------------------------------------------


def open_zip(page, server, tmp_path, name: str) -> None:
    archive = tmp_path / f"{name}.zip"
    root = EXAMPLES / name
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    page.goto(server)
    page.set_input_files("#archive", str(archive))
    page.click("#upload-zip")
    page.wait_for_selector("#info-form")


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                  return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_refused_save_keeps_everything_and_says_where(server, page, tmp_path):
    """Items 1–3: a refused save keeps every typed value (select, checkboxes, lists), shows each problem
    beside its input in the form's words, where the eye is; lenient input then saves; an unsaved form
    warns."""
    open_zip(page, server, tmp_path, "studio")
    assert "15,000 元" in page.inner_text("#award")
    page.fill("#applicant\\.employees", "很多")
    page.fill("#studio\\.named_on", "2026-13-40")
    page.fill("#studio\\.projects", "新课题甲\n新课题乙 | 说明")
    page.select_option("#studio\\.level", "tianjin")
    page.wait_for_selector("#applicant\\.employees[aria-invalid=true]")  # as you type, beside the field
    page.click("#save-info")
    page.wait_for_selector("#problem-summary")
    shot(page, "10-refused-save")
    assert in_view(page, "#problem-summary")
    assert page.input_value("#studio\\.level") == "tianjin" and page.is_checked("#studio\\.new")
    assert page.is_checked("#studio\\.annual") and page.is_checked("#tier-patents")
    assert page.input_value("#studio\\.projects") == "新课题甲\n新课题乙 | 说明"
    assert page.input_value("#applicant\\.employees") == "很多"
    assert page.get_attribute("#applicant\\.employees", "aria-invalid") == "true"
    assert "应为整数" in page.inner_text("#applicant\\.employees-error")
    summary = page.inner_text("#problem-summary")
    assert "职工人数" in summary and "命名日期" in summary
    for leftover in ("application.yaml", "applicant.", "studio.", "第 9 行", "--"):
        assert leftover not in summary, leftover
    page.fill("#applicant\\.employees", "1,200人")
    page.fill("#studio\\.named_on", "2026年4月28日")
    page.select_option("#studio\\.level", "binhai")
    page.click("#save-info")
    page.wait_for_selector("#saved")
    assert in_view(page, "#saved")
    assert "15,000 元" in page.inner_text("#award")  # the claim did not drop
    page.fill("#studio\\.members", "20")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.click("header nav a >> text=评审汇总", no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_two_tabs_the_older_save_is_refused(server, browser, tmp_path):
    """Item 4: two tabs on one application; the second save, based on an older version, is refused."""
    context = enter(browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}), server)
    first = context.new_page()
    open_zip(first, server, tmp_path, "studio")
    second = context.new_page()
    second.goto(first.url)
    first.fill("#studio\\.members", "13")
    first.click("#save-info")
    first.wait_for_selector("#saved")
    second.fill("#studio\\.members", "14")
    second.click("#save-info")
    second.wait_for_selector("#conflict")
    assert second.input_value("#studio\\.members") == "14"
    shot(second, "11-conflict")
    second.click("#reload")
    assert second.input_value("#studio\\.members") == "13"
    context.close()


def test_host_header_refused_in_the_browser(server, page):
    """Item 7: what a DNS-rebinding page would see: a Chinese refusal, not the app."""
    response = page.request.get(server + "/", headers={"Host": "evil.example"})
    assert response.status == 400 and "主机名" in response.text() and "Bad Request" not in response.text()
    page.goto(server + "/nowhere")
    assert "找不到页面" in page.inner_text("main")


PAGES_AT = [1366, 390]


def answer_with(html: str):
    """A Playwright route handler answering every request with `html`."""
    return lambda route: route.fulfill(content_type="text/html", body=html)


def test_only_the_address_with_the_token_opens_the_app(server, browser):
    """A browser without the token gets a Chinese refusal that says what to do; the address with it opens the
    app and leaves the address bar without the token; a form posted from another page (another port of this
    machine, the same site for cookies) is refused by its Origin even with the right CSRF token."""
    for width in PAGES_AT:
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(server + "/")
        assert "需要访问令牌" in page.inner_text("main") and "申请" not in page.title()
        shot(page, f"30-token-refused-{width}")
        page.goto(f"{server}/review?token={TOKEN}")
        assert page.url == server + "/review" and page.locator("input[name=files]").count() == 1
        page.goto(server + "/")
        assert page.locator("form[action='/new']").count() == 1
        shot(page, f"31-home-after-token-{width}")
        csrf = page.get_attribute("input[name=csrf]", "value")
        foreign = server.rsplit(":", 1)[0] + ":1/"
        form = (
            f'<form method=post action="{server}/new"><input name=csrf value="{csrf}">'
            "<input name=scheme value=studio><input name=year value=2026><button id=go>go</button></form>"
        )
        page.route(foreign, answer_with(form))
        page.goto(foreign)
        page.click("#go")
        page.wait_for_load_state()
        assert page.url == server + "/new" and "其他网页" in page.inner_text("main")
        shot(page, f"32-foreign-origin-refused-{width}")
        width_left = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(width_left) <= 0
        context.close()


def test_every_page_fits_1366_and_390(server, browser, tmp_path):
    """Item 8: a viewport meta tag, no horizontal overflow, no English leftovers or server paths."""
    for width in PAGES_AT:
        context = enter(browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}), server)
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_zip(page, server, tmp_path, "innovation-count")
        app_url = page.url.split("#")[0]
        for name, url in [
            ("home", server + "/"),
            ("application", app_url),
            ("review", server + "/review"),
            ("not-found", server + "/nowhere"),
        ]:
            page.goto(url)
            assert page.locator("meta[name=viewport]").count() == 1
            shot(page, f"20-{name}-{width}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                   .filter(e => !e.parentElement.closest('.scroll'))
                   .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                   .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
            )
            assert overflow <= 0, (name, width, overflow, wide)
            unlabeled = page.evaluate(
                """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                         .filter(e => !(e.labels && e.labels.length)).map(e => e.name)"""
            )
            assert unlabeled == [], (name, unlabeled)
            text = page.inner_text("body")
            assert "/tmp" not in text and str(tmp_path) not in text and "application.yaml" not in text, name
        context.close()


def test_keyboard_only_saves_the_form(server, page, tmp_path):
    """Item 8: every input has a label; the form is completed and saved with the keyboard alone."""
    open_zip(page, server, tmp_path, "studio")
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                 .map(e => e.name)"""
    )
    assert unlabeled == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"  # the first stop: skip the menu

    def tab_to(element_id: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        pytest.fail(f"{element_id} cannot be reached with Tab")

    tab_to("applicant.employees")
    page.keyboard.press("Control+A")
    page.keyboard.type("500")
    tab_to("studio.new")
    page.keyboard.press("Space")  # a checkbox with the keyboard
    tab_to("save-info")
    page.keyboard.press("Enter")
    page.wait_for_selector("#saved")
    assert not page.is_checked("#studio\\.new")
    assert "500" in page.input_value("#applicant\\.employees")


def test_reviewer_batch_with_tampered_and_foreign(server, page, example_dossiers, tmp_path):
    """Items 6 and 4: ≥7 dossiers, one tampered and one foreign: a 核验 column, distinct units counted, rows
    sortable, no server paths, a disqualification list, and a reload never creates a second batch."""
    import pikepdf

    files = []
    for name, pdf in example_dossiers.items():
        for copy in ("", "（副本）"):
            target = tmp_path / f"{name}{copy}.pdf"
            target.write_bytes(pdf.read_bytes())
            files.append(target)
    tampered = tmp_path / "被改.pdf"
    with pikepdf.open(example_dossiers["studio"]) as doc:
        del doc.pages[-1]
        doc.save(tampered)
    foreign = tmp_path / "别的.pdf"
    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.save(foreign)
    listed = tmp_path / "名单.txt"
    listed.write_text("91120116MA05K3R78L\n", encoding="utf-8")
    page.goto(f"{server}/review")
    page.set_input_files("#review-files", [str(p) for p in files + [tampered, foreign]])
    page.set_input_files("#disqualified", str(listed))
    page.click("#review-submit")
    page.wait_for_selector("#summary")
    text = page.inner_text("main")
    assert "结果（3 个单位，8 份材料）" in text
    checks = page.eval_on_selector_all("#summary tbody tr", "rows => rows.map(r => r.dataset.check)")
    assert checks.count("intact") == 6 and "tampered" in checks and "foreign" in checks
    assert "被改动" in text and "非本工具生成" in text and str(tmp_path) not in text and "/tmp" not in text
    assert "取消申报资格名单" in text
    assert "VERIFY-" not in text and "REVIEW-" not in text  # rule ids only in a tooltip
    page.set_viewport_size({"width": 1366, "height": 900})
    for cell in ("td.name", "td.fund"):  # readable: not squeezed to a character per line
        assert page.eval_on_selector(f"#summary {cell}", "c => c.getBoundingClientRect().width") >= 140, cell
    shot(page, "12-review-batch")
    page.set_viewport_size({"width": 390, "height": 900})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # the table scrolls inside its card
    shot(page, "12-review-batch-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("button.sort[data-col='3']")
    claimed = page.eval_on_selector_all(
        "#summary tbody td:nth-child(4)", "cells => cells.map(c => c.dataset.value)"
    )
    assert claimed == sorted(claimed, key=float)
    url = page.url
    page.reload()
    assert page.url == url and "8 份材料" in page.inner_text("main")


def test_innovation_bonus_zip_to_verified_dossier(server, page, tmp_path):
    """The fifth flow: an innovation application under 情形二 (the bonus), from a zip to a verified dossier,
    with the size limit and duplex printing chosen."""
    open_zip(page, server, tmp_path, "innovation-bonus")
    for number in ["1", "2", "3", "4", "5", "6"]:
        if page.locator(f"#m{number}").count():
            assert status(page, number) in ("ok", "optional", "not-applicable"), number
    assert "30,000 元" in page.inner_text("#award")
    page.select_option("#max_size", "20")
    page.check("#duplex")
    pdf = build_and_download(page, tmp_path / "bonus.pdf")
    assert verifies(pdf)
    assert "双面打印" in page.inner_text("#pdf-info")
    shot(page, "09-bonus-downloads")


def test_materials_as_people_think_of_them(server, page, tmp_path):
    """Item 5: 公示公告 chosen in material 4's menu files the upload as the notice; a file is renamed and
    moved to another material in the page."""
    open_zip(page, server, tmp_path, "innovation-count")
    shot_png = tmp_path / "截图.png"
    shot_png.write_bytes(
        (EXAMPLES / "innovation-count" / "4-评审会议" / "评审结果公示（内网截图）.png").read_bytes()
    )
    upload(page, "4", [shot_png], meeting="notice")
    assert "4-评审会议/公示-截图.png" in page.inner_text("#m4")
    row = page.locator("#m2")
    row.locator("details.move summary").first.click()
    row.locator("input[name=name]").first.fill("激励办法（2026）")
    with page.expect_navigation():
        row.locator("details.move button[type=submit]").first.click()
    assert "2-激励制度/激励办法（2026）.docx" in page.inner_text("#m2")
    assert status(page, "2") == "ok"
    shot(page, "13-moved")


def test_home_page_year_as_typed(server, page):
    """Item 3: 申报年度 “2026年” is read as 2026; “abc” is a Chinese message beside the field, not a 500."""
    page.goto(server)
    page.fill("#year", "abc")
    page.click("#new-application")
    assert page.get_attribute("#year", "aria-invalid") == "true"
    assert "申报年度" in page.inner_text("#year-error") and page.input_value("#year") == "abc"
    page.fill("#year", "２０２６年")
    page.click("#new-application")
    page.wait_for_selector("#info-form")
    assert page.input_value("#year") == "2026"


def no_overflow(page, tmp_path) -> None:
    """No horizontal overflow outside a scrolling table, no server path."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
           .filter(e => !e.parentElement.closest('.scroll'))
           .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
           .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert overflow <= 0, (page.url, overflow, wide)
    text = page.inner_text("body")
    assert "/tmp" not in text and str(tmp_path) not in text and "application.yaml" not in text


def test_register_upload_decide_inbox(server, page, browser, example_dossiers, tmp_path):
    """The register: upload → inbox → detail → decide → back to the inbox, now 通过; both widths fit."""
    page.goto(f"{server}/")
    page.click("nav >> text=登记簿")
    page.set_input_files("#register-files", [str(example_dossiers["innovation-bonus"])])
    page.click("#register-submit")
    page.wait_for_url("**/register")
    assert "已登记，登记号" in page.inner_text(".flashes")
    row = page.locator("#register-table tr", has_text="天津高新区示例电子科技股份有限公司")
    assert row.get_attribute("data-state") == "undecided" and "未决定" in row.inner_text()
    shot(page, "30-register-inbox")
    row.locator("a").first.click()
    page.wait_for_url("**/register/*")
    detail_url = page.url
    assert "innovation-bonus.pdf" in page.inner_text("#record")
    shot(page, "31-register-detail")
    assert page.input_value("#decision") == ""  # never preset to 通过
    page.click("#decide-submit")  # no decision, no reviewer's name: refused beside the fields
    assert "评审人姓名" in page.inner_text("#reviewer-error")
    assert "请选择决定" in page.inner_text("#decision-error")
    page.select_option("#decision", "通过")
    page.fill("#reviewer", "王芳")
    page.click("#decide-submit")
    page.wait_for_url("**/register/*#history")
    assert "王芳" in page.inner_text("#decisions") and "通过" in page.inner_text("#decisions")
    page.click("text=← 返回登记簿")
    row = page.locator("#register-table tr", has_text="天津高新区示例电子科技股份有限公司")
    assert row.get_attribute("data-state") == "approved" and "通过" in row.inner_text()
    for width in PAGES_AT:
        context = enter(browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}), server)
        narrow = context.new_page()
        for name, url in [("inbox", f"{server}/register"), ("detail", detail_url.split("#")[0])]:
            narrow.goto(url)
            shot(narrow, f"32-register-{name}-{width}")
            no_overflow(narrow, tmp_path)
        context.close()


def _zip_of(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(folder).as_posix())
    return target


def test_register_keeps_to_the_measures(server, page, browser, example_dossiers, tmp_path):
    """The clerk sees 核验 and the worst problem in the inbox, a forged claim is never the 申请金额, an
    amount outside the measures is refused beside its field and an override is kept and shown, and an old
    version says it was replaced; both widths fit."""
    import json as _json
    import shutil

    import pikepdf
    from conftest import copy_example, edit_yaml

    forged = tmp_path / "改过的申报材料.pdf"
    with pikepdf.open(example_dossiers["studio"]) as pdf:
        manifest = _json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        manifest["check"]["award"]["amount_fen"] = 9999900
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, _json.dumps(manifest, ensure_ascii=False).encode(), filename="manifest.json"
        )
        pdf.save(forged)
    src = tmp_path / "src"
    src.mkdir()
    folder = copy_example("innovation-count", src)
    first = _zip_of(folder, tmp_path / "精密机械-第一版.zip")
    page.goto(f"{server}/register")
    page.set_input_files("#register-files", [str(forged), str(first)])
    page.click("#register-submit")
    page.wait_for_url("**/register")
    tampered = page.locator("#register-table tbody tr").filter(
        has=page.locator("td[data-integrity=tampered]")
    )
    assert tampered.locator("td.integrity").inner_text().startswith("被改动")
    assert "嵌入的清单" in tampered.locator("td.problem").inner_text()
    assert "99,999" not in tampered.inner_text() and "取自核验一致的页面" in tampered.inner_text()
    zipped = page.locator("#register-table tbody tr").filter(
        has=page.locator("td[data-integrity=unverifiable]")
    )
    assert "无法核验" in zipped.locator("td.integrity").inner_text()
    assert "2026 年度申报通知：无申报通知，按申报年度自然年（默认解读）" in page.inner_text("#year-call")
    shot(page, "40-register-inbox-integrity")

    tampered.locator("a").first.click()
    page.wait_for_url("**/register/*")
    forged_url = page.url
    assert "被改动" in page.inner_text("#integrity") and "99,999" not in page.inner_text("#claimed")
    assert "取自核验一致的封面页" in page.inner_text("#claimed")
    assert page.input_value("#decision") == ""
    page.select_option("#decision", "通过")
    page.fill("#amount", "99999")
    page.select_option("#tier", "5000")
    page.fill("#reviewer", "王芳")
    page.click("#decide-submit")
    assert "超过" in page.inner_text("#amount-error") or "不符" in page.inner_text("#amount-error")
    page.fill("#amount", "")
    page.fill("#matched", "10000")
    page.click("#decide-submit")
    assert "未解决的错误" in page.inner_text("#decision-error")
    page.fill("#override", "评审委员会现场核对了纸质原件，金额以原件为准")
    page.click("#decide-submit")
    page.wait_for_url("**/register/*#history")
    assert "突破办法规定，理由：评审委员会现场核对了纸质原件" in page.inner_text("#decisions")
    shot(page, "41-register-detail-override")

    page.goto(f"{server}/register")
    tampered = page.locator("#register-table tbody tr").filter(
        has=page.locator("td[data-integrity=tampered]")
    )
    assert "突破办法规定" in tampered.locator("td.state").inner_text()
    zipped = page.locator("#register-table tbody tr").filter(
        has=page.locator("td[data-integrity=unverifiable]")
    )
    zipped.locator("a").first.click()
    page.wait_for_url("**/register/*")
    old_url = page.url
    with page.expect_download() as got:
        page.click("#received-file")
    assert got.value.suggested_filename == "精密机械-第一版.zip"
    page.select_option("#decision", "退回补正")
    page.fill("#reasons", "照片不清")
    page.fill("#reviewer", "王芳")
    page.click("#decide-submit")
    page.wait_for_url("**/register/*#history")
    edit_yaml(folder, lambda d: d["applicant"]["contact"].update(phone="022-58009999"))
    second = _zip_of(folder, tmp_path / "精密机械-第二版.zip")
    page.goto(f"{server}/register")
    page.set_input_files("#register-files", [str(second)])
    page.click("#register-submit")
    page.wait_for_url("**/register")
    assert "已登记为新版本" in page.inner_text(".flashes")
    page.goto(old_url)
    assert "本版已被新版本替换" in page.inner_text("#replaced")
    assert page.locator("#decide-form").count() == 0
    page.click("#replaced a")
    page.wait_for_url("**/register/*")
    assert "此前的决定针对较早的版本" in page.inner_text("#history")
    assert "退回补正" in page.inner_text("#decisions") and "第 1 版" in page.inner_text("#decisions")
    current_url = page.url
    for width in PAGES_AT:
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        narrow = context.new_page()
        for name, url in [
            ("inbox", f"{server}/register"),
            ("forged", forged_url.split("#")[0]),
            ("old", old_url),
            ("current", current_url),
        ]:
            narrow.goto(url)
            shot(narrow, f"42-register-{name}-{width}")
            no_overflow(narrow, tmp_path)
        context.close()
    shutil.rmtree(src)


def test_findings_link_to_their_inputs_1366_and_390(server, browser, tmp_path):
    """A finding about a field is shown beside its input and, in the findings list, links to that input by
    its form label (placed by the finding's field, never by its words); at 1366 px and at 390 px."""
    for width in (1366, 390):
        context = enter(browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}), server)
        page = context.new_page()
        page.set_default_timeout(90_000)
        open_zip(page, server, tmp_path, "studio")
        page.fill("#applicant\\.contact\\.name", "")
        page.fill("#studio\\.results", "")
        page.click("#save-info")
        page.wait_for_selector("#saved")
        assert "联系人尚未填写" in page.inner_text("#applicant\\.contact\\.name-error")
        assert "未列出本年度完成并推广应用的创新成果" in page.inner_text("#studio\\.results-error")
        link = page.locator('#findings a[href="#applicant.contact.name"]')
        assert link.inner_text() == "联系人"
        row = page.inner_text('#findings tr:has(a[href="#studio.results"])')
        assert "创新成果：" in row and "studio." not in row and "application.yaml" not in row
        link.click()
        page.wait_for_function("location.hash === '#applicant.contact.name'")
        assert in_view(page, "#applicant\\.contact\\.name")
        no_overflow(page, tmp_path)
        shot(page, f"40-finding-links-{width}")
        page.evaluate("window.scrollTo(0, document.querySelector('#findings').offsetTop)")
        if SHOTS is not None:
            page.screenshot(path=str(SHOTS / f"41-findings-list-{width}.png"))
        context.close()


def test_xfa_form_warned_without_a_command_line_flag(server, browser, tmp_path):
    """An XFA form in an opened zip: the application page warns about it in words (no command-line flag),
    at 1366 and at 390 px; the build refuses it until the user ticks the choice to put its static pages
    in, and then builds."""
    import sys

    from conftest import RESOURCES

    sys.path.insert(0, str(RESOURCES))
    import hostile

    sys.path.remove(str(RESOURCES))
    root = EXAMPLES / "innovation-count"
    archive = tmp_path / "xfa.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
        zf.write(hostile.xfa_form(tmp_path / "表单.pdf"), "2-激励制度/表单.pdf")
    for width in (1366, 390):
        context = enter(browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}), server)
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(server)
        page.set_input_files("#archive", str(archive))
        page.click("#upload-zip")
        page.wait_for_selector("#info-form")
        text = page.inner_text("main")
        assert "XFA 动态表单" in text and "表单.pdf" in text, text
        assert "--accept-xfa" not in text and "打印为 PDF" in text
        assert "表单.pdf" in page.inner_text("#accept_xfa-hint")
        assert not page.is_checked("#accept_xfa")
        shot(page, f"30-xfa-warning-{width}")
        if width == 1366:  # one build each way is enough
            page.click("#build")
            page.wait_for_selector("#job-error:not([hidden])", timeout=180_000)
            error = page.inner_text("#job-error")
            assert "XFA 动态表单" in error and "仍放入 XFA 表单的静态页面" in error, error
            assert "--accept-xfa" not in error
            shot(page, f"31-xfa-refused-{width}")
            page.go_back()
            page.reload()
            page.check("#accept_xfa")
            dossier = build_and_download(page, tmp_path / "xfa.pdf")
            assert verifies(dossier)
            with pikepdf.open(dossier) as pdf:
                manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
            assert "2-激励制度/表单.pdf" in {f["path"] for f in manifest["files"]}
        context.close()
