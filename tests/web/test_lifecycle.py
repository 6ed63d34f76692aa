"""The app as a desktop program: `dossier serve` once per port (a second start finds the running app), the
退出 button (behind the CSRF and Host checks), the notice of what works without LibreOffice, and `dossier
doctor`. The server runs as a real process here, as the Windows shortcut starts it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from assembler.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, workspace: Path, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DOSSIER_CACHE": str(workspace.parent / "cache"),
        "DOSSIER_SERVE_DIR": str(workspace.parent / "serve"),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assembler",
            "serve",
            "--port",
            str(port),
            "--no-browser",
            *extra,
            "--workspace",
            str(workspace),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dossier/ping", timeout=2) as r:
                if json.loads(r.read())["app"] == "dossier":
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


@pytest.fixture
def running(tmp_path):
    port = free_port()
    proc = serve(port, tmp_path / "workspace")
    try:
        wait_for(port)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_second_start_opens_the_running_app_and_quit_stops_it(running, tmp_path):
    port, proc = running
    second = serve(port, tmp_path / "other-workspace")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert f"本工具已在运行：http://127.0.0.1:{port}/" in out
    assert not (tmp_path / "other-workspace").exists()  # it did not start a second app

    # the running app's token waits for a second start in the user's own folder (owner only)
    token_file = tmp_path / "serve" / f"serve-{port}.token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    access = token_file.read_text(encoding="ascii").strip()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with pytest.raises(urllib.error.HTTPError) as refused:  # without the token: refused
        opener.open(f"http://127.0.0.1:{port}/", timeout=30)
    refused.value.close()
    assert refused.value.code == 403
    home = opener.open(f"http://127.0.0.1:{port}/?token={access}", timeout=30).read().decode("utf-8")
    assert 'id="quit"' in home and "退出" in home
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', home)
    assert token is not None

    # without the form's CSRF token, or from a foreign Host, quitting is refused and the app keeps running
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(f"http://127.0.0.1:{port}/quit", data=b"csrf=wrong", timeout=30)
    refused.value.close()
    assert refused.value.code == 400
    foreign = urllib.request.Request(
        f"http://127.0.0.1:{port}/quit",
        data=urllib.parse.urlencode({"csrf": token.group(1)}).encode(),
        headers={"Host": "evil.example:80"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(foreign, timeout=30)
    body = refused.value.read().decode("utf-8")
    refused.value.close()
    assert refused.value.code == 400 and "主机名" in body
    assert proc.poll() is None

    answer = opener.open(
        f"http://127.0.0.1:{port}/quit",
        data=urllib.parse.urlencode({"csrf": token.group(1)}).encode(),
        timeout=30,
    )
    page = answer.read().decode("utf-8")
    assert "已退出" in page and 'id="quit"' not in page
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "网页版已关闭" in out and not token_file.exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_dossier/ping", timeout=2)


def test_a_port_held_by_another_program_is_exit_3_naming_it(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        proc = serve(port, tmp_path / "workspace")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert f"端口 {port} 已被其他程序占用" in err and f"--port {port + 1}" in err
    assert "Traceback" not in err


def test_quit_without_serve_is_refused(web_client):
    from conftest import csrf_token

    home = web_client.get("/").get_data(as_text=True)
    assert 'id="quit"' not in home  # a test client is not a server that can stop
    answer = web_client.post("/quit", data={"csrf": csrf_token(web_client)})
    assert answer.status_code == 400 and "无法退出" in answer.get_data(as_text=True)


@pytest.fixture
def no_office(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("DOSSIER_SOFFICE", raising=False)


def test_pages_say_what_works_without_libreoffice(web_client, no_office):
    page = web_client.get("/").get_data(as_text=True)
    notice = re.search(r'<div class="notice" id="office-missing" role="note">(.*?)</div>', page, re.S)
    assert notice is not None
    text = notice.group(1)
    for works in ("检查申请", "Word", "核验", "评审汇总", "登记簿", "生成申报材料 PDF", "下载"):
        assert works in text, works
    assert "/usr" not in text and "--" not in text and "build" not in text  # no server path, flag or command


def test_pages_do_not_show_the_notice_when_libreoffice_is_there(web_client, tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "soffice").write_text("#!/bin/sh\n")
    (fake / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    monkeypatch.delenv("DOSSIER_SOFFICE", raising=False)
    assert 'id="office-missing"' not in web_client.get("/").get_data(as_text=True)


def test_doctor_names_libreoffice_as_missing_and_what_still_works(no_office, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("DOSSIER_KEYS", str(tmp_path / "keys"))
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "[缺] LibreOffice：找不到 LibreOffice" in result.output
    assert "不装它也能用：检查申请" in result.output
    assert "[有] 本工具：dossier" in result.output and "[可选] 签名密钥" in result.output
    assert result.output.rstrip().endswith("缺少：LibreOffice")
    data = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).output)
    office = next(item for item in data if item["name"] == "LibreOffice")
    assert office["present"] is False and "build" in office["used_for"]


def test_doctor_finds_libreoffice_and_the_font(tmp_path, monkeypatch):
    from conftest import need_tool

    need_tool("soffice")
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    data = {item["name"]: item for item in json.loads(result.output)}
    assert data["LibreOffice"]["present"] and "LibreOffice" in data["LibreOffice"]["detail"]
    assert data["中文字体"]["present"]


# ---- in a real browser ------------------------------------------------------------------------------------

SHOTS = Path(os.environ["DOSSIER_SCREENSHOTS"]) if os.environ.get("DOSSIER_SCREENSHOTS") else None


@pytest.mark.slow
def test_quit_button_and_office_notice_in_chromium(tmp_path):
    from conftest import CHROMIUM, need_chromium

    sync_playwright = need_chromium()
    empty = tmp_path / "no-office"
    empty.mkdir()
    port = free_port()
    env_path = os.environ["PATH"]
    os.environ["PATH"] = str(empty)  # the server below finds no LibreOffice
    try:
        proc = serve(port, tmp_path / "workspace")
    finally:
        os.environ["PATH"] = env_path
    try:
        wait_for(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
                access = (tmp_path / "serve" / f"serve-{port}.token").read_text(encoding="ascii").strip()
                page.goto(f"http://127.0.0.1:{port}/?token={access}")  # the address serve opens
                notice = page.locator("#office-missing")
                assert notice.is_visible() and "不装它也能用" in notice.inner_text()
                assert "--soffice" not in notice.inner_text()
                button = page.locator("#quit")
                assert button.is_visible()
                box = button.bounding_box()
                assert box is not None and box["x"] + box["width"] <= width  # on screen, also on a phone
                if SHOTS:
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SHOTS / f"lifecycle-home-{width}.png"), full_page=True)
                if width == 390:
                    button.click()
                    page.wait_for_selector("text=已退出")
                    assert page.locator("#quit").count() == 0
                    assert page.locator("text=返回首页").count() == 0  # nothing answers there any more
                    if SHOTS:
                        page.screenshot(path=str(SHOTS / f"lifecycle-quit-{width}.png"), full_page=True)
                page.close()
            browser.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_the_shortcut_shows_why_the_app_could_not_start(tmp_path, monkeypatch):
    """pythonw.exe has no console: a failed start (here a port held by another program) is shown to the
    person in a message box, not written to nowhere."""
    from assembler.web import desktop

    shown: list[str] = []
    monkeypatch.setattr(desktop, "show_message", shown.append)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        code = desktop.run(["serve", "--port", str(port), "--no-browser", "--workspace", str(tmp_path / "w")])
    assert code == 3
    assert len(shown) == 1 and f"端口 {port} 已被其他程序占用" in shown[0] and "--port" in shown[0]
