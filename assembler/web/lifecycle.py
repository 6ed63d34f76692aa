"""The app as a program on the user's desktop: one instance per port, a 退出 button, and the notice of what
works without LibreOffice.

`dossier serve` asks GET /_dossier/ping before it starts: when a dossier app already answers on the port, it
opens the browser on that one instead of failing on the port (a second click on the shortcut). POST /quit
(CSRF-checked like every form, behind the same Host and token checks) stops the server that `serve` started.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, render_template

from assembler import __version__

bp = Blueprint("lifecycle", __name__)
PING = "/_dossier/ping"
SHUTDOWN = "DOSSIER_SHUTDOWN"  # app.config key: the callable that stops the server (set by `serve`)


def office_missing() -> str | None:
    """The notice the pages show when LibreOffice is not found (what works without it, how to get it)."""
    from assembler.convert.soffice import find_soffice
    from assembler.errors import DossierError
    from assembler.system.doctor import WEB_WITHOUT_OFFICE

    try:
        find_soffice()
    except DossierError:
        return WEB_WITHOUT_OFFICE
    return None


@bp.app_context_processor
def lifecycle_globals() -> dict[str, object]:
    """For base.html: the 退出 button (only when `serve` runs the app) and the LibreOffice notice."""
    return {"can_quit": current_app.config.get(SHUTDOWN) is not None, "office_missing": office_missing}


@bp.get(PING)
def ping():  # noqa: ANN201 - Flask view
    """Tells a second `dossier serve` that this port is a dossier app (nothing else is revealed)."""
    return jsonify(app="dossier", version=__version__)


@bp.post("/quit")
def quit_app():  # noqa: ANN201 - Flask view
    """The 退出 button: answer with a page saying so, then stop the server."""
    stop: Callable[[], None] | None = current_app.config.get(SHUTDOWN)
    if stop is None:
        return render_template(
            "message.html", title="无法退出", message="本工具不是由 dossier serve 启动的。"
        ), 400
    threading.Timer(0.5, stop).start()  # after this answer has left
    return render_template(
        "message.html",
        title="已退出",
        message="本工具已关闭，可以关闭这个浏览器页面。再次使用时，从开始菜单或桌面上的快捷方式打开。",
        quit=True,
    )


def running_app(port: int, timeout: float = 2.0) -> bool:
    """Whether a dossier app answers on 127.0.0.1:`port` (a second start then opens the browser on it)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{PING}", timeout=timeout) as answer:
            data = json.loads(answer.read(4096).decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return isinstance(data, dict) and data.get("app") == "dossier"
