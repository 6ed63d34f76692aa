"""`dossier serve`: the web app's routes through Flask's test client (same library, same rules and
messages).
"""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, need_tool
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.web.app import create_app


def download(client, url: str) -> bytes:
    """The body of a file download, with the response closed (send_file keeps the file open until then)."""
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.data


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))
    app = create_app(tmp_path / "workspace")
    app.config["TESTING"] = True
    client = app.test_client()
    client.workspace = tmp_path / "workspace"
    return client


def token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def example_zip(name: str) -> io.BytesIO:
    buf = io.BytesIO()
    root = EXAMPLES / name
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, f"{name}/{path.relative_to(root).as_posix()}")
    buf.seek(0)
    return buf


def open_example(client, name: str) -> str:
    response = client.post(
        "/upload",
        data={"csrf": token(client), "archive": (example_zip(name), f"{name}.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/a/" in response.location, response.get_data(as_text=True)
    return response.location


def statuses(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="m(\d+)" data-status="([a-z-]+)"', page))


def test_home_and_csrf(client):
    page = client.get("/").get_data(as_text=True)
    assert "开始一份申请" in page and "评审汇总" in page
    assert client.post("/new", data={"scheme": "studio"}).status_code == 400
    assert "CSRF" in client.post("/new", data={"scheme": "studio", "csrf": "forged"}).get_data(as_text=True)


def test_new_application_then_fill_in_the_form(client):
    location = client.post("/new", data={"scheme": "studio", "year": "2026", "csrf": token(client)}).location
    page = client.get(location).get_data(as_text=True)
    assert statuses(page)["2"] == "missing" and "申报信息" in page
    app_id = location.rsplit("/", 1)[1]
    form = {
        "csrf": token(client),
        "year": "2026",
        "applicant.name": "天津某科技有限公司",
        "applicant.credit_code": "91120116MA05K3R7X0",
        "applicant.union": "工会",
        "applicant.contact.name": "张三",
        "applicant.contact.phone": "13800000000",
        "studio.name": "张三工作室",
        "studio.leader": "张三",
        "studio.level": "zone",
        "studio.new": "on",
        "studio.projects": "课题一",
        "studio.results": "成果一 | 已推广",
    }
    problems = client.post(f"/a/{app_id}/validate", data=form).get_json()["problems"]
    assert any("applicant.credit_code" in p and "校验" in p for p in problems)  # the CLI's own message
    page = client.post(f"/a/{app_id}/info", data=form, follow_redirects=True).get_data(as_text=True)
    assert "统一社会信用代码" in page and "有 1 处错误" in page
    form["applicant.credit_code"] = "91120116MA05K3R78L"
    assert client.post(f"/a/{app_id}/validate", data=form).get_json()["problems"] == []
    page = client.post(f"/a/{app_id}/info", data=form, follow_redirects=True).get_data(as_text=True)
    assert "申报信息已保存" in page and "可申请鼓励金：2,000 元" in page
    saved = (client.workspace / "apps" / app_id / "application.yaml").read_text(encoding="utf-8")
    assert "天津某科技有限公司" in saved and "成果一" in saved


def test_upload_remove_and_add_files(client):
    location = open_example(client, "studio")
    page = client.get(location).get_data(as_text=True)
    assert set(statuses(page).values()) <= {"ok", "optional"} and "15,000 元" in page
    app_id = location.rsplit("/", 1)[1]
    plan = "2-年度工作计划/2026年度工作计划.pdf"
    page = client.post(
        f"/a/{app_id}/remove", data={"csrf": token(client), "path": plan}, follow_redirects=True
    ).get_data(as_text=True)
    assert statuses(page)["2"] == "missing"
    data = (EXAMPLES / "studio" / plan).read_bytes()
    page = client.post(
        f"/a/{app_id}/files",
        data={"csrf": token(client), "material": "2", "files": (io.BytesIO(data), "../../计划 (新).pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert statuses(page)["2"] == "ok" and "2-年度工作计划/计划 (新).pdf" in page
    assert not (client.workspace / "计划 (新).pdf").exists()


def test_meeting_upload_goes_into_its_dated_folder(client):
    location = open_example(client, "innovation-count")
    app_id = location.rsplit("/", 1)[1]
    photo = (
        EXAMPLES / "innovation-count" / "4-评审会议" / "2026-06-12 二季度合理化建议评审会" / "现场照片1.jpg"
    ).read_bytes()
    client.post(
        f"/a/{app_id}/files",
        data={
            "csrf": token(client),
            "material": "4",
            "meeting": "2026-06-12",
            "files": (io.BytesIO(photo + b"x"), "新照片.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert (client.workspace / "apps" / app_id / "4-评审会议" / "2026-06-12" / "新照片.jpg").is_file()


def test_nothing_outside_the_workspace(client, tmp_path):
    location = open_example(client, "studio")
    app_id = location.rsplit("/", 1)[1]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    page = client.post(
        f"/a/{app_id}/remove",
        data={"csrf": token(client), "path": "../../../victim.txt"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不在申请文件夹内" in page and victim.read_text() == "keep"
    assert (
        client.post(
            f"/a/{app_id}/remove",
            data={"csrf": token(client), "path": "application.yaml"},
            follow_redirects=True,
        ).status_code
        == 200
    )
    assert (client.workspace / "apps" / app_id / "application.yaml").is_file()
    assert client.get("/a/..%2F..%2Fetc").status_code == 404
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("application.yaml", "x: 1")
        zf.writestr("../../escape.txt", "x")
    evil.seek(0)
    page = client.post(
        "/upload",
        data={"csrf": token(client), "archive": (evil, "evil.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "zip-slip" in page and not (client.workspace.parent / "escape.txt").exists()


def test_upload_limit(client):
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/upload",
        data={"csrf": token(client), "archive": (io.BytesIO(b"x" * 5000), "a.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_downloads_forms_and_application_zip(client):
    location = open_example(client, "studio")
    app_id = location.rsplit("/", 1)[1]
    forms = zipfile.ZipFile(io.BytesIO(download(client, f"/a/{app_id}/forms.zip")))
    assert forms.namelist() == ["附件2.1-创新工作室鼓励金申请表.docx"]
    folder = zipfile.ZipFile(io.BytesIO(download(client, f"/a/{app_id}/application.zip")))
    assert (
        "application.yaml" in folder.namelist() and "2-年度工作计划/2026年度工作计划.pdf" in folder.namelist()
    )


@pytest.mark.slow
def test_build_in_background_then_download_verifies(client, tmp_path):
    need_tool("soffice")
    location = open_example(client, "studio")
    app_id = location.rsplit("/", 1)[1]
    job_page = client.post(f"/a/{app_id}/build", data={"csrf": token(client)}).location
    status = f"{job_page}.json"
    for _ in range(240):
        state = client.get(status).get_json()
        if state["state"] != "running":
            break
        time.sleep(0.5)
    assert state["state"] == "done", state
    pdf = download(client, f"/a/{app_id}/dossier.pdf")
    assert pdf.startswith(b"%PDF-")
    target = tmp_path / "downloaded.pdf"
    target.write_bytes(pdf)
    assert CliRunner().invoke(cli, ["verify", str(target)]).exit_code == 0


@pytest.mark.slow
def test_reviewer_upload_and_workbook(client, example_dossiers):
    pdfs = [example_dossiers[name] for name in ["studio", "innovation-count"]]
    page = client.post(
        "/review",
        data={"csrf": token(client), "files": [(io.BytesIO(p.read_bytes()), p.name) for p in pdfs]},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "结果（2 份）" in page and "15,000" in page and "3,000" in page
    batch = re.search(r"/review/([0-9a-f]+)/summary.xlsx", page).group(1)
    workbook = load_workbook(io.BytesIO(download(client, f"/review/{batch}/summary.xlsx")))
    assert workbook["汇总"].max_row >= 3


def test_serve_refuses_folder_without_application(tmp_path):
    result = CliRunner().invoke(
        cli, ["serve", str(tmp_path), "--no-browser", "--workspace", str(tmp_path / "w")]
    )
    assert result.exit_code == 2 and "application.yaml" in result.output


def test_open_folder_copies_into_workspace(client, tmp_path):
    source = tmp_path / "原件"
    shutil.copytree(EXAMPLES / "studio", source)
    before = sorted(p.name for p in source.rglob("*"))
    page = client.post("/open", data={"csrf": token(client), "path": str(source)}, follow_redirects=True)
    assert "不会改动原文件夹" in page.get_data(as_text=True) or "复制到工作区" in page.get_data(as_text=True)
    assert sorted(p.name for p in source.rglob("*")) == before
    assert any((client.workspace / "apps").iterdir())


def test_open_folder_only_from_this_machine(client, tmp_path):
    response = client.post(
        "/open",
        data={"csrf": token(client), "path": str(EXAMPLES / "studio")},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 403 and "本机" in response.get_data(as_text=True)


def test_ledger_template_download(client):
    location = client.post(
        "/new", data={"scheme": "innovation", "case": "bonus", "csrf": token(client)}
    ).location
    app_id = location.rsplit("/", 1)[1]
    workbook = load_workbook(io.BytesIO(download(client, f"/a/{app_id}/ledger-template.xlsx")))
    assert [c.value for c in workbook.active[1]][:2] == ["序号", "项目名称"]


def test_serve_command_starts_on_loopback(tmp_path):
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assembler",
            "serve",
            str(EXAMPLES / "studio"),
            "--no-browser",
            "--port",
            str(port),
            "--workspace",
            str(tmp_path / "w"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        assert "开始一份申请" in page and "天津示例新能源装备有限公司" in page
        assert (tmp_path / "w" / "apps").is_dir() and any((tmp_path / "w" / "apps").iterdir())
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/a/" in output and "警告" not in output


def test_upload_to_unknown_material_is_a_message(client):
    location = open_example(client, "studio")
    app_id = location.rsplit("/", 1)[1]
    page = client.post(
        f"/a/{app_id}/files",
        data={"csrf": token(client), "material": "9", "files": (io.BytesIO(b"%PDF-1.4"), "x.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert page.status_code == 200 and "没有编号为 9 的材料" in page.get_data(as_text=True)
