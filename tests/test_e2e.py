"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright with its executable
path set; no browser download): a person's way from an empty page to a verified dossier, for both funds, and
the reviewer."""

from __future__ import annotations

import os
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, IN_CI, need_tool
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.web.app import create_app

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("DOSSIER_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("DOSSIER_SCREENSHOTS", "")) if os.environ.get("DOSSIER_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_tool("soffice")
    from werkzeug.serving import make_server

    workspace = tmp_path_factory.mktemp("workspace")
    os.environ.setdefault("DOSSIER_CACHE", str(tmp_path_factory.mktemp("cache")))
    app = create_app(workspace)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
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
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
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


@pytest.fixture
def page(browser):
    context = browser.new_context(
        accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
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
        with page.expect_navigation():  # choosing files uploads them
            page.set_input_files(f"#m{number} input[type=file]", str(EXAMPLES / "studio" / rel))
        assert status(page, number) == "ok", number
    shot(page, "03-studio-checklist")
    assert "材料齐全" in page.inner_text("#verdict")
    pdf = build_and_download(page, tmp_path / "studio.pdf")
    shot(page, "04-studio-downloads")
    assert verifies(pdf)


def upload(page, number: str, files: list[Path], meeting: str | None = None) -> None:
    if meeting is not None:
        page.select_option(f"#m{number} select[name=meeting]", meeting)
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
        "innovation.meetings": "2026-03-18 一季度五小成果评审会\n2026-06-12 二季度合理化建议评审会",
    }.items():
        page.fill(f"[name='{name}']", value)
    page.set_input_files("[name=ledger]", str(root / "ledger.xlsx"))
    page.click("#save-info")
    assert "申报信息已保存" in page.inner_text("main")
    assert "3,000 元" in page.inner_text("#award")  # 37 items from the uploaded ledger
    upload(page, "2", [root / "2-激励制度" / "职工创新创效激励办法.docx"])
    for date in ["2026-03-18", "2026-06-12"]:
        meeting = next((root / "4-评审会议").glob(f"{date}*"))
        upload(page, "4", sorted(meeting.iterdir()), meeting=date)
    upload(page, "4", [root / "4-评审会议" / "评审结果公示（内网截图）.png"], meeting="")
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
    with page.expect_navigation():
        page.set_input_files(
            "#m6 input[type=file]", str(root / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.pdf")
        )
    assert status(page, "6") == "ok"
    pdf = build_and_download(page, tmp_path / "innovation.pdf")
    assert verifies(pdf)


def test_reviewer_summary(server, page, example_dossiers, tmp_path):
    pdfs = [example_dossiers[name] for name in ["studio", "innovation-bonus"]]
    page.goto(f"{server}/review")
    page.set_input_files("#review-files", [str(p) for p in pdfs])
    page.click("#review-submit")
    text = page.inner_text("main")
    assert "结果（2 份）" in text and "15,000" in text and "30,000" in text
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
