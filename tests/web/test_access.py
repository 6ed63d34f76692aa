"""The local web app serves only the person who started it: another account of the machine (here `nobody`,
against a server started as this test's user) gets neither the pages nor the workspace's files, and the
owner's own browser is protected from other pages (Host, Origin), odd ids and lost uploads."""

from __future__ import annotations

import http.client
import io
import os
import pickle
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, IN_CI, csrf_token

from assembler.web.guard import peer_uid, same_origin, valid_id

NOBODY = 65534


def as_other_user(action: Callable[[], object]) -> object:
    """What `action()` returns when run as `nobody` (a forked child that gives up this user's rights)."""
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("CI=true: the tests of another account need to start as root")
        pytest.skip("needs root to switch to a second user")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                result: object = ("ok", action())
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                result = ("raised", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write, "wb") as out:
                pickle.dump(result, out)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and data, "the child as nobody failed"
    return pickle.loads(data)


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str]:
    """(status, body) of a GET."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def served():
    """`dossier serve` started as this user over a workspace in a folder every account may enter (so that
    only the workspace's own permissions keep `nobody` out): (base URL, token, workspace, process)."""
    parent = Path(tempfile.mkdtemp(prefix="dossier-access-"))
    parent.chmod(0o755)
    workspace = parent / "workspace"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DOSSIER_CACHE": str(parent / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assembler", "serve", str(EXAMPLES / "studio"), "--no-browser"]
        + ["--port", str(port), "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        started = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=([\w-]+)", started)
        assert found, started
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        owner = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert fetch(f"{base}/?token={found.group(1)}", owner)[0] == 200
        assert fetch(f"{base}/register", owner)[0] == 200  # the register and the log exist now
        yield base, found.group(1), workspace, proc
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
        shutil.rmtree(parent, ignore_errors=True)


def test_another_account_gets_no_page_even_with_the_token(served):
    base, token, workspace, _ = served
    assert fetch(f"{base}/")[0] == 403  # this user, but without the token
    seen = as_other_user(
        lambda: [fetch(f"{base}{path}") for path in ("/", "/register", f"/?token={token}", "/review")]
    )
    assert seen[0] == "ok", seen
    for status, body in seen[1]:
        assert status == 403 and "本机其他用户不能访问" in body, (status, body[:200])
        assert "天津示例新能源装备有限公司" not in body


def test_another_account_reads_no_workspace_file(served):
    _, _, workspace, _ = served
    register = workspace / "register.sqlite"
    log = workspace / "logs" / "dossier.log"
    assert register.is_file() and log.is_file()
    app = next((workspace / "apps").iterdir()) / "application.yaml"
    assert app.is_file()
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o700
    for path in (register, log, workspace / "secret_key", app):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    for path in (workspace / "apps", workspace / "out", workspace / "review", workspace / "logs"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    def attempts() -> list[str]:
        outcomes = [str(sorted(os.listdir(workspace.parent)))]  # the parent is open: the test can fail
        for path in (workspace, register, log, app):
            try:
                (os.listdir if path.is_dir() else lambda p: Path(p).read_bytes())(path)
                outcomes.append(f"read {path.name}")
            except PermissionError:
                outcomes.append("refused")
        return outcomes

    seen = as_other_user(attempts)
    assert seen[0] == "ok", seen
    assert "workspace" in seen[1][0]
    assert seen[1][1:] == ["refused"] * 4


def test_empty_or_foreign_host_refused_on_the_wire(served):
    base, _, _, _ = served
    port = int(base.rsplit(":", 1)[1])
    for host in ("", "evil.example", "127.0.0.1.nip.io"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        status_line = answer.split(b"\r\n", 1)[0]
        assert b" 400 " in status_line, (host, status_line)
        assert "主机名".encode() in answer
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # HTTP/1.0 without any Host header
    conn._http_vsn_str = "HTTP/1.0"  # noqa: SLF001 - the only way to leave Host out with http.client
    conn.putrequest("GET", "/", skip_host=True)
    conn.endheaders()
    assert conn.getresponse().status == 400
    conn.close()


def test_origin_checked_on_every_post(web_client):
    csrf = csrf_token(web_client)
    form = {"csrf": csrf, "scheme": "studio", "year": "2026"}
    for origin in ("http://evil.example", "http://localhost:9999", "null", "https://localhost"):
        response = web_client.post("/new", data=form, headers={"Origin": origin})
        assert response.status_code == 403 and "其他网页" in response.get_data(as_text=True), origin
    response = web_client.post("/new", data=form, headers={"Referer": "http://evil.example/page"})
    assert response.status_code == 403
    assert not any((web_client.workspace / "apps").iterdir())  # nothing was created by the refused posts
    response = web_client.post("/new", data=form, headers={"Origin": "http://localhost"})
    assert response.status_code == 302 and "/a/" in response.location
    assert len(list((web_client.workspace / "apps").iterdir())) == 1


def test_ids_are_checked_before_use(web_client):
    csrf = csrf_token(web_client)
    for url in (
        "/register/99999999999999999999999",
        "/register/9223372036854775808",
        "/register/0",
        "/a/%E7%94%B3%E8%AF%B7",  # 申请: alphanumeric to Python, never an id of ours
        "/a/ＡＢＣ",
        "/review/²",
        "/review/" + "a" * 300,
        "/jobs/99999999999999999999999999999999999999999999.json",
    ):
        response = web_client.get(url)
        assert response.status_code == 404 and "找不到页面" in response.get_data(as_text=True), url
    response = web_client.post("/register/99999999999999999999999/decide", data={"csrf": csrf})
    assert response.status_code == 404
    assert web_client.get("/register/9223372036854775807").status_code == 404  # in range: looked up, absent


def test_reviewer_uploads_of_one_name_are_both_kept(web_client):
    first, second = b"%PDF-1.4\n% first\n", b"%PDF-1.4\n% second\n"
    response = web_client.post(
        "/review",
        data={
            "csrf": csrf_token(web_client),
            "files": [(io.BytesIO(first), "申报材料.pdf"), (io.BytesIO(second), "申报材料.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (batch,) = (web_client.workspace / "review").iterdir()
    kept = {p.name: p.read_bytes() for p in (batch / "files").iterdir()}
    assert kept == {"申报材料.pdf": first, "申报材料（2）.pdf": second}
    page = web_client.get(response.location).get_data(as_text=True)
    assert "申报材料.pdf" in page and "申报材料（2）.pdf" in page


def test_open_never_follows_links_out(web_client, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the workspace", encoding="utf-8")
    source = tmp_path / "source"
    shutil.copytree(EXAMPLES / "studio", source)
    (source / "link-to-file.pdf").symlink_to(outside / "secret.txt")
    (source / "linked-folder").symlink_to(outside, target_is_directory=True)
    csrf = csrf_token(web_client)
    response = web_client.post("/open", data={"csrf": csrf, "path": str(source)})
    assert response.status_code == 302 and "/a/" in response.location
    (copy,) = (web_client.workspace / "apps").iterdir()
    names = {p.relative_to(copy).as_posix() for p in copy.rglob("*")}
    assert "application.yaml" in names
    assert not any("link" in n or "secret" in n for n in names), names
    copied = b"".join(p.read_bytes() for p in copy.rglob("*") if p.is_file())
    assert b"not for the workspace" not in copied
    page = web_client.post("/open", data={"csrf": csrf, "path": "studio"}, follow_redirects=True)
    assert "完整路径" in page.get_data(as_text=True)  # a relative path: never the server's own folder
    assert len(list((web_client.workspace / "apps").iterdir())) == 1


def test_guard_helpers():
    assert valid_id(1) and valid_id(2**63 - 1) and not valid_id(2**63) and not valid_id(0)
    assert valid_id("20261203abc123") and not valid_id("申请") and not valid_id("../x") and not valid_id(True)
    assert same_origin("http://127.0.0.1:8765", "http://127.0.0.1:8765/")
    assert not same_origin("http://127.0.0.1:8766", "http://127.0.0.1:8765/")
    assert not same_origin("null", "http://127.0.0.1:8765/")
    with socket.socket() as server:  # this process's own connection is found, and is ours
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname()) as client:
            if Path("/proc/net/tcp").exists():
                assert peer_uid(client.getsockname(), server.getsockname()[1]) == os.geteuid()
            assert peer_uid(("127.0.0.1", 1), server.getsockname()[1]) is None


def test_a_new_register_and_its_journal_are_owner_only(tmp_path):
    from assembler.reviewer.register.db import open_register

    path = tmp_path / "register.sqlite"
    db = open_register(path)
    try:
        db.execute("CREATE TABLE probe (x)")  # a write: the -wal file exists now
        made = [
            p
            for p in (path, tmp_path / "register.sqlite-wal", tmp_path / "register.sqlite-shm")
            if p.exists()
        ]
        assert path in made and len(made) >= 2
        for p in made:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    finally:
        db.close()
