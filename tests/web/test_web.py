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
from conftest import EXAMPLES, csrf_token, need_tool, signed_in
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.web.app import create_app


def download(client, url: str) -> bytes:
    """The body of a file download, with the response closed (send_file keeps the file open until then)."""
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.data


@pytest.fixture
def client(web_client):
    return web_client


token = csrf_token


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


def version(client, app_id: str) -> str:
    """The version of the saved 申报信息 the form carries (a save based on an older one is refused)."""
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    return re.search(r'name="version" value="([0-9a-f]*)"', page).group(1)


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
    assert any(
        p["field"] == "applicant.credit_code" and p["label"] == "统一社会信用代码" and "校验" in p["message"]
        for p in problems
    )  # the CLI's own finding, in the form's words
    form["version"] = version(client, app_id)
    response = client.post(f"/a/{app_id}/info", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "统一社会信用代码" in page and "有 1 处需要改正" in page
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
    meeting = client.workspace / "apps" / app_id / "4-评审会议" / "2026-06-12 二季度合理化建议评审会"
    assert (meeting / "新照片.jpg").is_file()  # the meeting's existing folder, not a second one


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
    response = client.post(
        "/review",
        data={"csrf": token(client), "files": [(io.BytesIO(p.read_bytes()), p.name) for p in pdfs]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302  # post/redirect/get: a reload shows the batch, never a second one
    page = client.get(response.location).get_data(as_text=True)
    assert (
        "结果（2 个单位，2 份材料）" in page and "完整未改动" in page and "15,000" in page and "3,000" in page
    )
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
        started = proc.stdout.readline()  # 网页版已启动：<url with its token>（…）
        url = re.search(r"http://\S+?\?token=[\w-]+", started).group(0)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        for _ in range(100):
            try:
                page = browser.open(url.split("/a/")[0] + "/?token=" + url.split("=")[1], timeout=2)
                page = page.read().decode()
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
    assert url.startswith(f"http://127.0.0.1:{port}/a/") and "警告" not in started + output


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


# -- issue 9: the web app as people really use it ----------------------------------------------------------


def english_or_paths(page: str, *paths) -> list[str]:
    """What a page must never show: werkzeug's English error texts, a traceback, a server path."""
    bad = [
        w for w in ("Not Found", "Bad Request", "Method Not Allowed", "Internal Server Error", "Traceback")
    ]
    found = [w for w in bad if w in page]
    return found + [str(p) for p in paths if str(p) in page]


def studio_form(**changes) -> dict:
    """The 申报信息 form of examples/studio as a person would submit it."""
    form = {
        "year": "2026",
        "applicant.name": "天津示例新能源装备有限公司",
        "applicant.credit_code": "91120116MA06P2W16K",
        "applicant.union": "天津示例新能源装备有限公司工会委员会",
        "applicant.address": "天津市滨海高新区渤龙湖科技园汇祥道 12 号",
        "applicant.employees": "430",
        "applicant.contact.name": "赵国庆",
        "applicant.contact.phone": "022-66201888",
        "applicant.bank.name": "天津银行滨海高新区支行",
        "applicant.bank.account": "1020 3040 5060 7080",
        "studio.name": "赵建华劳模创新工作室",
        "studio.leader": "赵建华",
        "studio.level": "binhai",
        "studio.members": "12",
        "studio.named_on": "2026-04-28",
        "studio.new": "on",
        "studio.matched_amount": "10000",
        "studio.annual": "on",
        "studio.tier": "5000",
        "studio.tier_reasons": ["plan", "patents"],
        "studio.projects": "风电变桨轴承在线监测攻关\n叶片根部螺栓预紧力一致性课题 | 公司 2026 年第 3 号立项",
        "studio.results": "变桨轴承润滑状态监测装置 | 已在 3 条产线推广，年减少停机 60 小时",
        "studio.patents": "一种变桨轴承润滑状态监测装置 | ZL202520123456.7 | 实用新型专利",
    }
    form.update(changes)
    return form


def test_host_header_must_be_this_machine(client, tmp_path):
    """Item 7: DNS rebinding — a page of evil.example that resolves to 127.0.0.1 gets nothing."""
    with client.get("/", headers={"Host": "evil.example"}) as response:
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "主机名" in page and not english_or_paths(page, tmp_path)
    for host in ("localhost:8765", "127.0.0.1:8765", "[::1]:8765"):
        url = "/?token=" + client.application.config["ACCESS_TOKEN"]  # the cookie is kept per host name
        with client.get(url, headers={"Host": host}) as response:
            assert response.status_code in (200, 302), host


def test_access_token_beyond_loopback(tmp_path):
    """Item 7: listening on the network, the app answers only to the browser opened with the token."""
    app = create_app(tmp_path / "w", host="0.0.0.0", token="s3cret")
    client = app.test_client()
    with client.get("/") as response:
        assert response.status_code == 403 and "访问令牌" in response.get_data(as_text=True)
    with client.get("/?token=wrong") as response:
        assert response.status_code == 403
    with client.get("/review?token=s3cret") as response:
        assert response.status_code == 302 and response.location.endswith("/review")  # token off the URL
    with client.get("/") as response:
        assert response.status_code == 200
    with client.get("/?token=s3cret", headers={"Host": "192.0.2.7:8765"}) as response:
        assert response.status_code == 302  # an address typed as an IP (its own cookie)
    with client.get("/", headers={"Host": "evil.example:8765"}) as response:
        assert response.status_code == 400


def test_cookie_flags_and_headers(client):
    fresh = client.application.test_client()
    with fresh.get("/?token=" + client.application.config["ACCESS_TOKEN"]) as response:
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"
    url = "/?token=" + client.application.config["ACCESS_TOKEN"]
    with client.application.test_client().get(url, base_url="https://localhost") as response:
        assert "Secure" in response.headers["Set-Cookie"]  # behind an HTTPS proxy


def test_error_pages_are_chinese_without_paths(tmp_path):
    app = create_app(tmp_path / "w")

    @app.get("/boom")
    def boom():
        raise RuntimeError(f"secret detail {tmp_path}")

    client = signed_in(app.test_client())
    for url, code, words in [
        ("/nowhere", 404, "找不到页面"),
        ("/new", 405, "无法这样打开"),
        ("/boom", 500, "出错了"),
    ]:
        with client.get(url) as response:
            page = response.get_data(as_text=True)
            assert response.status_code == code and words in page, url
            assert not english_or_paths(page, tmp_path) and "secret detail" not in page, url


def test_secret_key_persists_with_owner_only_permissions(tmp_path):
    """Item 4: a restart keeps the open pages' sessions (their CSRF tokens) valid."""
    first = signed_in(create_app(tmp_path / "w").test_client())
    csrf = token(first)
    key = tmp_path / "w" / "secret_key"
    assert key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    second = create_app(tmp_path / "w").test_client()
    cookie = first.get_cookie("dossier_session")
    second.set_cookie("dossier_session", cookie.value)  # the same browser after the restart
    with second.post("/new", data={"csrf": csrf, "scheme": "studio", "year": "2026"}) as response:
        assert response.status_code == 302


@pytest.mark.parametrize("typed,ok", [("2026年", True), ("２０２６", True), ("abc", False), ("1999", False)])
def test_home_page_year(client, typed, ok):
    """Item 3: 申报年度 as people type it; a wrong one is a message beside the field, never a 500."""
    with client.post("/new", data={"csrf": token(client), "scheme": "studio", "year": typed}) as response:
        if ok:
            assert response.status_code == 302
            app_id = response.location.rsplit("/", 1)[1]
            saved = (client.workspace / "apps" / app_id / "application.yaml").read_text(encoding="utf-8")
            assert "year: 2026" in saved
        else:
            page = response.get_data(as_text=True)
            assert response.status_code == 422 and "申报年度" in page and f'value="{typed}"' in page
            assert 'aria-invalid="true"' in page


def test_form_input_is_cleaned_in_the_core(client):
    """Item 3: full-width digits and letters, thousands separators, 元/人, 年月日 dates, lower-case codes."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    form = studio_form(
        **{
            "csrf": token(client),
            "version": version(client, app_id),
            "applicant.employees": "1,200人",
            "applicant.credit_code": "９１１２０１１６ｍａ０６ｐ２ｗ１６ｋ",
            "applicant.contact.phone": "０２２－６６２０１８８８",
            "studio.tier": "5000元",
            "studio.matched_amount": "10,000元",
            "studio.members": "１２",
            "studio.named_on": "2026年4月28日",
        }
    )
    with client.post(f"/a/{app_id}/info", data=form) as response:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = (client.workspace / "apps" / app_id / "application.yaml").read_text(encoding="utf-8")
    for line in (
        "employees: 1200",
        "credit_code: 91120116MA06P2W16K",
        "tier: 5000",
        "matched_amount: 10000",
        "members: 12",
        "named_on: 2026-04-28",
        "phone: 022-66201888",
    ):
        assert line in saved, line
    assert "15,000 元" in client.get(f"/a/{app_id}").get_data(as_text=True)


def test_refused_save_keeps_everything_typed(client):
    """Item 1: a save that fails validation shows every submitted value again, with the problems."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    form = studio_form(
        **{
            "csrf": token(client),
            "version": version(client, app_id),
            "applicant.employees": "很多",
            "studio.level": "tianjin",
            "studio.projects": "新课题甲\n新课题乙 | 说明",
            "studio.named_on": "2026-13-40",
        }
    )
    del form["studio.annual"]
    with client.post(f"/a/{app_id}/info", data=form) as response:
        page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<option value="tianjin" selected>' in page
    assert re.search(r'id="studio.new" name="studio.new" checked', page)
    assert not re.search(r'id="studio.annual" name="studio.annual" checked', page)
    assert "新课题甲\n新课题乙 | 说明" in page and 'value="很多"' in page and 'value="2026-13-40"' in page
    assert 'id="tier-patents" name="studio.tier_reasons" value="patents" checked' in page
    saved = (client.workspace / "apps" / app_id / "application.yaml").read_text(encoding="utf-8")
    assert "新课题甲" not in saved  # nothing was saved


def test_errors_beside_their_field_in_form_words(client):
    """Item 2: each message beside its input (aria-invalid, aria-describedby), named by its label."""
    app_id = open_example(client, "innovation-count").rsplit("/", 1)[1]
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    form = {
        "csrf": token(client),
        "version": version(client, app_id),
        "year": "2026",
        "applicant.name": "天津滨海示例精密机械有限公司",
        "applicant.credit_code": "91120116MA05K3R78L",
        "applicant.union": "工会",
        "applicant.contact.name": "刘晓东",
        "applicant.contact.phone": "022-58001234",
        "applicant.employees": "abc",
        "innovation.case": "count",
        "innovation.projects": "ledger.xlsx",
        "meeting-date": ["2026-03-18", "2026-06-31", ""],
        "meeting-title": ["一季度评审会", "二季度评审会", ""],
        "meeting-reported_on": ["", "", ""],
        "meeting-attended_by": ["", "", ""],
    }
    problems = client.post(f"/a/{app_id}/validate", data=form).get_json()["problems"]
    by_field = {p["field"]: p for p in problems}
    assert by_field["applicant.employees"]["label"] == "职工人数"
    assert by_field["meeting-1-date"]["label"] == "评审会议第 2 行的日期"
    with client.post(f"/a/{app_id}/info", data=form) as response:
        page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        r'id="applicant.employees"[^>]*aria-describedby="applicant.employees-error"[^>]*aria-invalid="true"',
        page,
    )
    assert re.search(r'<div class="field-error" id="applicant.employees-error">[^<]*应为整数', page)
    assert re.search(r'id="meeting-1-date"[^>]*aria-invalid="true"', page)
    summary = re.search(
        r'<div class="flash error" role="alert" id="problem-summary">(.*?)</div>', page, re.S
    ).group(1)
    assert "职工人数：" in summary and "评审会议第 2 行的日期：" in summary
    for leftover in (
        "application.yaml",
        "applicant.employees：",
        "innovation.meetings",
        "--allow-incomplete",
        "第 9 行",
    ):
        assert leftover not in summary, leftover


def test_check_wording_stays_in_the_cli(tmp_path):
    """Item 2: the same finding keeps its CLI wording in `dossier check`."""
    import yaml as pyyaml

    folder = tmp_path / "a"
    shutil.copytree(EXAMPLES / "studio", folder)
    path = folder / "application.yaml"
    data = pyyaml.safe_load(path.read_text(encoding="utf-8"))
    data["applicant"]["employees"] = "abc"
    path.write_text(pyyaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert "application.yaml" in result.output and "applicant.employees" in result.output


def test_save_based_on_an_older_version_is_refused(client):
    """Item 4: two tabs on one application — the second save is refused, its typed values kept."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    old = version(client, app_id)
    first = studio_form(**{"csrf": token(client), "version": old, "studio.members": "13"})
    with client.post(f"/a/{app_id}/info", data=first) as response:
        assert response.status_code == 302
    second = studio_form(**{"csrf": token(client), "version": old, "studio.members": "14"})
    with client.post(f"/a/{app_id}/info", data=second) as response:
        page = response.get_data(as_text=True)
    assert (
        response.status_code == 409
        and "另一个窗口" in page
        and 'value="14"' in page
        and 'id="reload"' in page
    )
    saved = (client.workspace / "apps" / app_id / "application.yaml").read_text(encoding="utf-8")
    assert "members: 13" in saved


def fake_build(client, app_id: str) -> None:
    """A built dossier as the build job records it (no LibreOffice needed)."""
    import json

    from assembler.web.common import fingerprint

    out = client.workspace / "out" / app_id
    out.mkdir(parents=True, exist_ok=True)
    (out / "dossier.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    record = {"fingerprint": fingerprint(client.workspace / "apps" / app_id), "pages": 12, "size": 2_400_000}
    (out / "built.json").write_text(json.dumps({**record, "seconds": 3.2, "notes": []}), encoding="utf-8")


def test_a_change_after_the_build_marks_the_pdf_out_of_date(client):
    """Item 4: a stale PDF is never offered as current."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    fake_build(client, app_id)
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    assert 'id="download-pdf"' in page and "12 页" in page and 'id="pdf-stale"' not in page
    name = download(client, f"/a/{app_id}/dossier.pdf")
    assert name.startswith(b"%PDF")
    with client.get(f"/a/{app_id}/dossier.pdf") as response:
        assert "2026" in response.headers["Content-Disposition"]  # named after the unit and the year
    client.post(
        f"/a/{app_id}/remove", data={"csrf": token(client), "path": "2-年度工作计划/2026年度工作计划.pdf"}
    )
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    assert 'id="pdf-stale"' in page and 'id="download-pdf"' not in page and "重新生成" in page
    with client.get(f"/a/{app_id}/dossier.pdf") as response:
        assert response.status_code == 302


def test_a_job_gone_after_a_restart_says_so(client):
    """Item 4: a build page whose job is gone says so in Chinese with a rebuild button."""
    import json

    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    (client.workspace / "jobs" / "abc123.json").write_text(json.dumps({"app_id": app_id}), encoding="utf-8")
    with client.get("/jobs/abc123") as response:
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "已中断" in page and 'id="rebuild"' in page
    assert client.get("/jobs/abc123.json").get_json()["state"] == "gone"
    with client.get("/jobs/ffff0000") as response:
        assert response.status_code == 404 and "找不到页面" in response.get_data(as_text=True)


def test_notice_chosen_in_the_menu_and_one_current_ledger(client):
    """Item 5: 公示公告 chosen in material 4's menu is recorded as the notice; a replaced ledger is
    removed."""
    app_id = open_example(client, "innovation-count").rsplit("/", 1)[1]
    folder = client.workspace / "apps" / app_id
    client.post(
        f"/a/{app_id}/files",
        data={
            "csrf": token(client),
            "material": "4",
            "meeting": "notice",
            "files": (io.BytesIO(b"x" * 10), "截图.png"),
        },
        content_type="multipart/form-data",
    )
    assert (folder / "4-评审会议" / "公示-截图.png").is_file()
    ledger = (folder / "ledger.xlsx").read_bytes()
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    form = dict(re.findall(r'name="(applicant\.[\w.]+|year|innovation\.case)" value="([^"]*)"', page))
    form.update({"csrf": token(client), "version": version(client, app_id), "innovation.case": "count"})
    form["meeting-date"], form["meeting-title"] = ["2026-03-18", "2026-06-12"], ["一季度", "二季度"]
    form["meeting-reported_on"], form["meeting-attended_by"] = ["2026-03-10", ""], ["", "王芳"]
    form["ledger"] = (io.BytesIO(ledger), "新台账.xlsx")
    with client.post(f"/a/{app_id}/info", data=form, content_type="multipart/form-data") as response:
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert (folder / "新台账.xlsx").is_file() and not (folder / "ledger.xlsx").exists()
    saved = (folder / "application.yaml").read_text(encoding="utf-8")
    assert "reported_on: 2026-03-10" in saved and "attended_by: 王芳" in saved


def run_fake_build(client, monkeypatch, app_id: str, outcome, **form) -> dict:
    """Start a build through the page with `outcome(folder, opts)` standing in for the real one; the job's
    final state."""
    import assembler.pipeline.run

    seen = {}

    def fake(folder, opts):
        seen["opts"] = opts
        return outcome(folder, opts)

    monkeypatch.setattr(assembler.pipeline.run, "build", fake)
    with client.post(f"/a/{app_id}/build", data={"csrf": token(client), **form}) as response:
        job = response.location
    for _ in range(100):
        state = client.get(f"{job}.json").get_json()
        if state["state"] != "running":
            break
        time.sleep(0.05)
    return {**state, "job": job, **seen}


def test_build_choices_and_result(client, monkeypatch):
    """Item 9: --max-size and duplex as choices; success shows pages, size and time; over the limit warns."""
    from assembler.pipeline.run import BuildResult

    app_id = open_example(client, "studio").rsplit("/", 1)[1]

    def ok(folder, opts):
        opts.out.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
        return BuildResult(opts.out, 42, 25 * 1024 * 1024, None, None, [])

    state = run_fake_build(client, monkeypatch, app_id, ok, max_size="20", duplex="on")
    assert state["state"] == "done"
    assert state["opts"].max_size == 20_000_000  # decimal MB, as --max-size 20MB
    assert state["opts"].duplex is True
    with client.get(state["job"]) as response:
        page = response.get_data(as_text=True)
        assert "42 页" in page and "仍超过所选的" in page
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    assert 'id="download-pdf"' in page and "42 页" in page and "双面打印" in page and "用时" in page


def test_failed_build_in_form_words(client, monkeypatch, tmp_path):
    """Item 9: a failed build says what to fix without a server path or a command-line option."""
    from assembler.errors import IncompleteError

    app_id = open_example(client, "studio").rsplit("/", 1)[1]

    def fail(folder, opts):
        raise IncompleteError(
            "申请有 1 个错误，未生成申报材料",
            where=str(folder),
            details=["[APP-FIELD-EMPTY] application.yaml 第 5 行：联系人（applicant.contact.name）尚未填写"],
            fix="改正后再运行；如只需预览，可加 --allow-incomplete（缺失项会在清单页上标红）。",
        )

    state = run_fake_build(client, monkeypatch, app_id, fail)
    assert state["state"] == "failed"
    with client.get(state["job"]) as response:
        page = response.get_data(as_text=True)
    assert "联系人尚未填写" in page and 'id="rebuild"' in page
    for leftover in (str(client.workspace), "--allow-incomplete", "applicant.contact", "APP-FIELD-EMPTY"):
        assert leftover not in page, leftover


def test_rename_and_move_between_materials(client):
    """Item 5: a file is renamed and moved to another material without renaming it on the PC."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    folder = client.workspace / "apps" / app_id
    plan = "2-年度工作计划/2026年度工作计划.pdf"
    page = client.post(
        f"/a/{app_id}/move",
        data={"csrf": token(client), "path": plan, "material": "3", "name": "课题计划"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (folder / "3-进度与成果" / "课题计划.pdf").is_file() and not (folder / plan).exists()
    assert "已把" in page and statuses(page)["2"] == "missing"
    page = client.post(
        f"/a/{app_id}/move",
        data={
            "csrf": token(client),
            "path": "3-进度与成果/课题计划.pdf",
            "material": "2",
            "name": "../../x.pdf",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (folder / "2-年度工作计划" / "x.pdf").is_file() and statuses(page)["2"] == "ok"
    page = client.post(
        f"/a/{app_id}/move",
        data={"csrf": token(client), "path": "../../etc/passwd", "material": "2"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不在申请文件夹内" in page
    assert 'aria-label="改名或移动 2-年度工作计划/x.pdf"' in page
    assert 'aria-label="移除 2-年度工作计划/x.pdf"' in page  # item 8: remove buttons named with their file


def test_check_findings_about_the_form_sit_beside_their_input(client):
    """Item 2: a field the check finds empty is marked at its input, in form words."""
    location = client.post("/new", data={"scheme": "studio", "year": "2026", "csrf": token(client)}).location
    page = client.get(location).get_data(as_text=True)
    assert re.search(r'id="applicant.contact.name"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="applicant.contact.name-error">联系人尚未填写<', page)
    assert "（applicant.contact.name）" not in page


def test_blueprints_and_one_handler_for_the_exception_family(tmp_path):
    """Item 10: a blueprint per part (applicant, jobs, reviewer, register); errors become one page."""
    from assembler.errors import InputError

    app = create_app(tmp_path / "w")
    assert set(app.blueprints) == {"applicant", "jobs", "reviewer", "register", "union", "lifecycle"}

    @app.get("/refused")
    def refused():
        raise InputError("台账无法读取", where=str(tmp_path / "secret.xlsx"), fix="请另存为 .xlsx")

    with signed_in(app.test_client()).get("/refused") as response:
        page = response.get_data(as_text=True)
    assert response.status_code == 400 and "台账无法读取" in page and "请另存为" in page
    assert not english_or_paths(page, tmp_path)


def test_application_yaml_read_through_the_project_loader(client):
    """Item 10: an alias in application.yaml is the project loader's message, not PyYAML's value."""
    app_id = open_example(client, "studio").rsplit("/", 1)[1]
    path = client.workspace / "apps" / app_id / "application.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x: &a [1]\ny: *a\n", encoding="utf-8")
    page = client.get(f"/a/{app_id}").get_data(as_text=True)
    assert "锚点或别名" in page


def test_review_without_files_is_a_message_and_no_batch(client):
    with client.post(
        "/review", data={"csrf": token(client)}, content_type="multipart/form-data", follow_redirects=True
    ) as response:
        assert "请选择至少一份申报材料" in response.get_data(as_text=True)
    assert not any((client.workspace / "review").iterdir())
    with client.get("/review/nosuchbatch") as response:
        assert response.status_code == 404 and "找不到页面" in response.get_data(as_text=True)


# -- the reviewers' register on the web ---------------------------------------------------------------------


def register_upload(client, pdfs):
    """Upload dossiers to the register; the inbox page after the redirect (post/redirect/get)."""
    response = client.post(
        "/register",
        data={"csrf": token(client), "files": [(io.BytesIO(p.read_bytes()), p.name) for p in pdfs]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location.endswith("/register"), response.status_code
    with client.get(response.location) as page:
        return page.get_data(as_text=True)


def register_rows(page: str) -> dict[str, str]:
    """登记号 → 决定状态 of the inbox table."""
    return dict(re.findall(r'<tr id="app-(\d+)" data-state="([a-z]+)"', page))


def test_register_upload_inbox_and_same_file_again(client, example_dossiers):
    pdfs = [example_dossiers[name] for name in ["studio", "innovation-count"]]
    page = register_upload(client, pdfs)
    assert page.count("已登记，登记号") == 2 and "studio.pdf" in page
    assert register_rows(page) == {"1": "undecided", "2": "undecided"}
    assert "2 个单位，2 份申请" in page and "未决定" in page and "15,000" in page
    assert "天津示例新能源装备有限公司" in page
    again = register_upload(client, pdfs[:1])
    assert "此前已登记（同一文件），未重复记录" in again and register_rows(again) == register_rows(page)
    with client.get("/register?fund=studio&status=undecided&year=2026") as r:
        assert set(register_rows(r.get_data(as_text=True))) == {"1"}
    with client.get("/register?status=approved") as r:
        assert register_rows(r.get_data(as_text=True)) == {} and "没有符合条件的申请" in r.get_data(
            as_text=True
        )


def test_register_refuses_what_is_not_a_dossier(client):
    response = client.post(
        "/register",
        data={"csrf": token(client), "files": [(io.BytesIO(b"%PDF-1.4 not ours"), "foreign.pdf")]},
        content_type="multipart/form-data",
    )
    with client.get(response.location) as r:
        page = r.get_data(as_text=True)
    assert "foreign.pdf：未登记" in page and register_rows(page) == {}
    response = client.post(
        "/register",
        data={"csrf": token(client), "files": [(io.BytesIO(b"not a zip"), "broken.zip")]},
        content_type="multipart/form-data",
    )
    with client.get(response.location) as r:
        page = r.get_data(as_text=True)
    assert "broken.zip：未登记。不是有效的 zip 压缩包" in page and "File is not" not in page
    assert str(client.workspace) not in page and "intake-" not in page


def test_register_detail_decide_and_history(client, example_dossiers):
    register_upload(client, [example_dossiers["studio"]])
    with client.get("/register/1") as r:
        page = r.get_data(as_text=True)
    assert r.status_code == 200 and "登记号 1：" in page and "studio.pdf" in page
    assert "统一社会信用代码" in page and "跨年度检查" in page and "尚未决定" in page
    assert str(client.workspace) not in page and "/tmp" not in page
    assert 'name="tier"' in page and 'name="matched"' in page
    with client.get("/register/99") as r:
        assert r.status_code == 404 and "找不到页面" in r.get_data(as_text=True)
    response = client.post(
        "/register/1/decide",
        data={"csrf": token(client), "decision": "通过", "tier": "3000", "reviewer": "王芳"},
    )
    assert response.status_code == 400 and "--" not in response.get_data(as_text=True)
    assert re.search(r'id="matched-error">[^<]*请写明评审确认的匹配金额', response.get_data(as_text=True))
    response = client.post(
        "/register/1/decide",
        data={
            "csrf": token(client),
            "decision": "通过",
            "tier": "3000",
            "matched": "10000",
            "reviewer": "王芳",
        },
    )
    assert response.status_code == 302 and "/register/1" in response.location
    with client.get("/register/1") as r:
        page = r.get_data(as_text=True)
    assert "已记录：登记号 1 通过，核定金额 13,000 元" in page and "王" in page and "3000 元" in page
    with client.get("/register") as r:
        assert register_rows(r.get_data(as_text=True)) == {"1": "approved"}


def test_register_decide_refused_beside_the_field(client, example_dossiers):
    register_upload(client, [example_dossiers["innovation-count"]])
    response = client.post(
        "/register/1/decide",
        data={"csrf": token(client), "decision": "退回补正", "reasons": "缺少会议照片", "reviewer": " "},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<div class="field-error" id="reviewer-error">([^<]*)</div>', page)
    assert error and "评审人姓名" in error.group(1)
    assert "缺少会议照片</textarea>" in page and '<option value="退回补正" selected>' in page
    assert "--reviewer" not in page
    response = client.post(
        "/register/1/decide", data={"csrf": token(client), "decision": "不予支持", "reviewer": "王芳"}
    )
    assert response.status_code == 400
    assert re.search(r'id="reasons-error">[^<]*理由', response.get_data(as_text=True))
    with client.get("/register") as r:
        assert register_rows(r.get_data(as_text=True)) == {"1": "undecided"}


def test_register_outputs_zip(client, example_dossiers):
    with client.get("/register/outputs?year=2026") as r:
        assert r.status_code == 404 and "2026 年度" in r.get_data(as_text=True)
    with client.get("/register/outputs?year=99999999999999999999999") as r:
        assert r.status_code == 404 and "选择年度" in r.get_data(as_text=True)
    with client.get("/register?year=99999999999999999999999&status=x&fund=y") as r:
        assert r.status_code == 200
    register_upload(client, [example_dossiers["innovation-count"], example_dossiers["studio"]])
    client.post("/register/1/decide", data={"csrf": token(client), "decision": "通过", "reviewer": "王芳"})
    client.post(
        "/register/2/decide",
        data={"csrf": token(client), "decision": "退回补正", "reasons": "缺少命名文件", "reviewer": "王芳"},
    )
    with client.get("/register/outputs?year=2026") as r:  # no union profile yet: asked for, not left blank
        assert r.status_code == 302 and r.headers["Location"].endswith("/register/union")
    shutil.copy(EXAMPLES / "union.yaml", client.workspace / "union.yaml")
    with client.get("/register/outputs?year=2026") as r:
        assert r.status_code == 200 and r.mimetype == "application/zip"
        assert "filename*=UTF-8''2026" in r.headers["Content-Disposition"]
        names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert {
        "2026年度公示名单-公示.docx",
        "2026年度公示名单-表格.xlsx",
        "2026年度拨款明细.xlsx",
        "2026年度汇总.xlsx",
    } <= set(names)
    assert any(n.startswith("补正通知-2026-0002-") for n in names)


def test_register_host_and_csrf(client):
    with client.get("/register", headers={"Host": "evil.example"}) as r:
        assert r.status_code == 400 and "主机名" in r.get_data(as_text=True)
    with client.post("/register", data={}) as r:
        assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    with client.post("/register/1/decide", data={"decision": "通过", "reviewer": "王芳"}) as r:
        assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    with client.get("/register") as r:
        page = r.get_data(as_text=True)
    assert "收件登记簿" in page and 'href="/register"' in page and register_rows(page) == {}


def test_register_new_version_shows_its_history(client, example_dossiers):
    """The zipped folder, then the built PDF of the same unit, fund and year: a second version, linked."""
    response = client.post(
        "/register",
        data={"csrf": token(client), "files": [(example_zip("innovation-count"), "innovation-count.zip")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = register_upload(client, [example_dossiers["innovation-count"]])
    assert "已登记为新版本" in page and "替换登记号 1" in page
    assert register_rows(page) == {"2": "undecided"}  # the inbox lists the current version only
    with client.get("/register/2") as r:
        detail = r.get_data(as_text=True)
    assert "第 2 版" in detail and 'href="/register/1"' in detail and "innovation-count.zip" in detail
    assert str(client.workspace) not in detail
