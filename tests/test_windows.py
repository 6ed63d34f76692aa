"""The Windows bundle, built on Linux and smoke-tested under Wine: `make windows`'s installer installs
silently per user, `dossier --version`, `dossier check --json` gives the same JSON as on Linux,
`dossier doctor` names LibreOffice as missing, `dossier serve` answers on 127.0.0.1 (refusing a foreign Host,
found by a second start, stopped by 退出), and the uninstaller leaves no program file, shortcut or registry
entry behind.

Wine 8.0 (Debian 12) needs two workarounds, made here in the test harness and never in the bundle: Python's
`platform` module crashes it through _wmi.pyd (removed from the installed copy), and pydantic_core's Rust
runtime calls bcryptprimitives.dll's ProcessPrng, which Wine 8.0 lacks (a stand-in built with mingw-w64 from
tests/windows/bcryptprimitives.c goes into the Wine prefix's system32).

Set DOSSIER_WINDOWS_INSTALLER to an installer built by `make windows` to test that one instead of building.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, need_tool

from assembler import __version__
from assembler.cli import cli

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
INSTALL = r"C:\dossier-test"
APP_NAME = "职工创新鼓励金申报材料工具"
UNINSTALL_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\dossier"
PORT = 18765


@pytest.fixture(scope="module")
def installer(tmp_path_factory) -> Path:
    given = os.environ.get("DOSSIER_WINDOWS_INSTALLER")
    if given:
        return Path(given)
    need_tool("makensis")
    dist = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging/windows/build.py"),
            "--dist",
            str(dist),
            "--work",
            str(tmp_path_factory.mktemp("work")),
        ],
        check=True,
    )
    print(f"built the Windows bundle in {time.monotonic() - started:.0f} s")
    return dist / f"dossier-{__version__}-win64-setup.exe"


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    need_tool("wine")
    need_tool("x86_64-w64-mingw32-gcc")
    root = tmp_path_factory.mktemp("wine") / "prefix"
    env = {
        **os.environ,
        "WINEPREFIX": str(root),
        "WINEDEBUG": "-all",
        "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d",  # no Mono/Gecko prompts, no host menus
        "WINEARCH": "win64",
    }
    env.pop("DISPLAY", None)
    subprocess.run(["wineboot", "-i"], env=env, check=True, capture_output=True, timeout=300)
    subprocess.run(
        [
            "x86_64-w64-mingw32-gcc",
            "-shared",
            "-O2",
            "-o",
            str(root / "drive_c/windows/system32/bcryptprimitives.dll"),
            str(ROOT / "tests/windows/bcryptprimitives.c"),
            str(ROOT / "tests/windows/bcryptprimitives.def"),
        ],
        check=True,
    )
    yield root, env
    subprocess.run(["wineserver", "-k"], env=env, check=False, timeout=60)


def wine(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["wine", *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def test_installer_install_run_and_uninstall_under_wine(installer, prefix):
    root, env = prefix
    size = installer.stat().st_size
    assert size < 60 * 1024 * 1024, f"installer is {size / 1e6:.1f} MB"
    started = time.monotonic()
    drive = root / "drive_c"
    app = drive / "dossier-test"
    user = next((drive / "users").glob("*/AppData"), None)
    assert user is not None
    start_menu = user / "Roaming/Microsoft/Windows/Start Menu/Programs" / f"{APP_NAME}.lnk"
    desktop = user.parent / "Desktop" / f"{APP_NAME}.lnk"

    # silent per-user install into a chosen folder
    done = wine(env, str(installer), "/S", f"/D={INSTALL}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (app / "python/python.exe").is_file() and (app / "dossier.cmd").is_file()
    assert (app / "examples/innovation-count/application.yaml").is_file()
    assert start_menu.is_file() and desktop.is_file()
    reg = wine(env, "reg", "query", UNINSTALL_KEY)
    assert "DisplayName" in reg.stdout and __version__ in reg.stdout  # reg.exe: console code page
    path = wine(env, "reg", "query", r"HKCU\Environment", "/v", "Path")
    assert INSTALL in path.stdout  # `dossier` in a new command prompt
    (app / "python/_wmi.pyd").unlink()  # Wine 8.0 workaround (see the module's docstring)

    dossier = rf"{INSTALL}\dossier.cmd"
    version = wine(env, dossier, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"dossier, version {__version__}"

    # the same JSON as on Linux. Wine 8.0 workaround: its ucrtbase lacks crealf, on which numpy aborts the
    # process when loaded, so numpy is taken out of this installed copy until the uninstall (openpyxl then
    # reads without it, and pictures get no near-duplicate fingerprints); real Windows has crealf
    (app / "python/Lib/site-packages/numpy").rename(app / "python/Lib/site-packages/numpy-off")
    checked = wine(env, dossier, "check", rf"{INSTALL}\examples\innovation-count", "--json")
    assert checked.returncode == 0, checked.stderr[-3000:]
    on_linux = CliRunner().invoke(cli, ["check", str(EXAMPLES / "innovation-count"), "--json"])
    assert json.loads(checked.stdout) == json.loads(on_linux.output)

    doctor = wine(env, dossier, "doctor")
    assert doctor.returncode == 0, doctor.stderr[-3000:]
    assert "[缺] LibreOffice：找不到 LibreOffice" in doctor.stdout and "不装它也能用" in doctor.stdout
    assert "zh-cn.libreoffice.org" in doctor.stdout  # the Windows way to get it

    # LibreOffice's install folder as its installer records it in the registry
    lo_key = r"HKLM\SOFTWARE\LibreOffice\UNO\InstallPath"
    assert wine(env, "reg", "add", lo_key, "/ve", "/d", r"C:\LO 24\program", "/f").returncode == 0
    probe = "from assembler.convert.soffice import windows_candidates; print(windows_candidates()[0])"
    found = wine(env, rf"{INSTALL}\python\python.exe", "-c", probe)
    assert found.stdout.strip() == r"C:\LO 24\program\soffice.exe", found.stderr[-2000:]
    wine(env, "reg", "delete", lo_key, "/f")

    held_open_under_wine(env, app)
    shutil.copyfile(ROOT / "tests/windows/processes.py", drive / "processes.py")
    processes = wine(env, rf"{INSTALL}\python\python.exe", r"C:\processes.py")
    assert processes.returncode == 0, processes.stderr[-3000:]
    assert processes.stdout.splitlines() == [
        "timeout: killed",
        "child: gone",
        "worker while the build runs: running",
        "worker after the build was killed: exit 1",
    ], processes.stdout + processes.stderr[-2000:]
    (drive / "processes.py").unlink()
    serve_under_wine(env)

    (app / "python/Lib/site-packages/numpy-off").rename(
        app / "python/Lib/site-packages/numpy"
    )  # as installed
    # uninstall: the program folder, shortcuts, registry entry and PATH entry go
    done = wine(env, rf"{INSTALL}\uninstall.exe", "/S")
    deadline = time.monotonic() + 120
    while app.exists() and time.monotonic() < deadline:  # the uninstaller runs on from a temporary copy
        time.sleep(0.5)
    assert not app.exists(), sorted(str(p) for p in app.rglob("*"))[:20]
    assert not start_menu.exists() and not desktop.exists()
    assert wine(env, "reg", "query", UNINSTALL_KEY).returncode != 0
    assert INSTALL not in wine(env, "reg", "query", r"HKCU\Environment").stdout
    print(f"Wine smoke test: {time.monotonic() - started:.0f} s")


def serve_under_wine(env: dict[str, str]) -> None:
    python = rf"{INSTALL}\python\python.exe"
    # the running app's access token waits in this folder for a second start (and for this test)
    env = {**env, "DOSSIER_SERVE_DIR": r"C:\dossier-serve"}
    token_file = Path(env["WINEPREFIX"]) / "drive_c" / "dossier-serve" / f"serve-{PORT}.token"
    server = subprocess.Popen(
        ["wine", python, "-m", "assembler", "serve", "--port", str(PORT), "--no-browser"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_dossier/ping", timeout=5) as r:
                    assert json.loads(r.read())["app"] == "dossier"
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1].decode("utf-8", "replace")[-3000:]
                assert time.monotonic() < deadline, "dossier serve did not answer under Wine"
                time.sleep(1)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        access = token_file.read_text(encoding="ascii").strip()
        home = opener.open(f"{base}/?token={access}", timeout=30).read().decode("utf-8")
        assert "开始一份申请" in home and 'id="office-missing"' in home and 'id="quit"' in home
        foreign = urllib.request.Request(f"{base}/", headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(foreign, timeout=30)
        refused.value.close()
        assert refused.value.code == 400

        second = wine(env, python, "-m", "assembler", "serve", "--port", str(PORT), "--no-browser")
        assert second.returncode == 0 and "本工具已在运行" in second.stdout, second.stderr[-2000:]

        token = re.search(r'name="csrf" value="([0-9a-f]+)"', home)
        assert token is not None
        page = opener.open(
            f"{base}/quit", data=urllib.parse.urlencode({"csrf": token.group(1)}).encode(), timeout=30
        )
        assert "已退出" in page.read().decode("utf-8")
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=60)


def held_open_under_wine(env: dict[str, str], app: Path) -> None:
    """A summary that another program holds open (opened without FILE_SHARE_DELETE, as Excel and WPS do) is
    exit 3 naming it, and left as it was."""
    summary = app / "summary.xlsx"
    summary.write_bytes(b"held open")
    python = rf"{INSTALL}\python\python.exe"
    holder = subprocess.Popen(
        [
            "wine",
            python,
            "-c",
            f"import time; f = open(r'{INSTALL}\\summary.xlsx', 'rb'); print('open', flush=True); "
            "time.sleep(120)",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,  # Wine's Python cannot start with a file as a standard stream, only pipes
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"open"
        review = wine(
            env,
            rf"{INSTALL}\dossier.cmd",
            "review",
            rf"{INSTALL}\examples\innovation-count",
            "-o",
            rf"{INSTALL}\summary.xlsx",
        )
        assert review.returncode == 3, review.stdout[-2000:] + review.stderr[-2000:]
        assert "summary.xlsx" in review.stderr and "其他程序打开" in review.stderr
        assert summary.read_bytes() == b"held open"
    finally:
        holder.kill()
        holder.communicate(timeout=60)
    summary.unlink()
