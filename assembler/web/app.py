"""The Flask application: server-rendered pages over a workspace folder the app owns.

Four blueprints — the applicant's pages (applicant.py), the builds in the background (jobs.py), the
reviewer's summary (reviewer.py) and the reviewers' register (register.py) — and, here, what every request
goes through (guard.py): the Host check against DNS rebinding, the access token, the other accounts of
this machine turned away, the Origin of every POST and the CSRF token of every form, ids checked, security
headers, and one set of Chinese error pages (400/403/404/405/413/500 and the project's own exception family)
that never show a traceback or a server path.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from assembler.core.application import LEVEL_TITLES
from assembler.core.report import SEVERITY_TITLES, STATUS_TITLES
from assembler.errors import DossierError
from assembler.limits import UPLOAD_MAX_BYTES, human_bytes
from assembler.load.checklists import fund_titles
from assembler.system.cache import user_folder
from assembler.web.common import Site, web_message
from assembler.web.guard import other_local_user, owner_only, same_origin, valid_id

log = logging.getLogger(__name__)

MAX_UPLOAD = UPLOAD_MAX_BYTES
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECRET_FILE = "secret_key"

ERROR_TITLES = {
    400: ("请求无效", "请求的内容不完整或已过期，请返回上一页刷新后重试。"),
    403: ("不允许", "此操作不被允许。"),
    404: ("找不到页面", "要打开的页面或文件不存在（可能已被删除，或网址有误）。"),
    405: ("无法这样打开", "这个网址不能直接打开，请从页面上的按钮进入。"),
    413: ("文件过大", f"一次上传不能超过 {human_bytes(MAX_UPLOAD)}。"),
    500: ("出错了", "本工具内部出错，未能完成操作。请返回重试；如仍出错，请把操作步骤反馈给维护者。"),
}


def default_workspace() -> Path:
    """The app's own folder for applications and outputs: $DOSSIER_WORKSPACE, else in the user's data
    folder.
    """
    return user_folder("DOSSIER_WORKSPACE", "workspace")


def secret_key(workspace: Path) -> bytes:
    """The key that signs the session cookie, kept in the workspace (owner-only, 0600) so that a restart keeps
    the open pages' sessions and forms valid."""
    path = workspace / SECRET_FILE
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            if os.name == "posix" and path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    tmp = workspace / f".{SECRET_FILE}-{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    os.replace(tmp, path)
    return key


def host_only(header: str) -> str:
    """The host name of a Host header, without its port ("[::1]:8765" → "::1")."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def is_ip(name: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie: HttpOnly, SameSite=Strict, and Secure whenever the page came over HTTPS (a proxy in
    front); over plain HTTP on this machine a Secure cookie would not be sent back at all."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def create_app(
    workspace: Path, host: str = "127.0.0.1", token: str | None = None, port: int | None = None
) -> Flask:
    """The web app over `workspace` (created if needed, owner-only), answering to `host` (the address it
    listens on) and only to browsers that opened it with ?token=`token` once (a fresh secret when None, in
    app.config["ACCESS_TOKEN"]) from the account that started it. With `port`, the session
    cookie is named after it: cookies are not kept per port, and two apps on one machine must not overwrite
    each other's sessions."""
    app = Flask(__name__)
    workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(workspace)
    token = token or secrets.token_urlsafe(24)
    app.config.update(
        SECRET_KEY=secret_key(workspace),
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_NAME=f"dossier_session_{port}" if port else "dossier_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # the cookie is sent again only when the session changes: a page's parallel requests (a style sheet,
        # a job's status) must not answer with an older copy that drops a message stored for the next page
        SESSION_REFRESH_EACH_REQUEST=False,
        ACCESS_TOKEN=token,
        BOUND_HOST=host,
    )
    app.session_interface = _SessionInterface()
    state = Site(workspace)
    for d in (state.apps_dir, state.out_dir, state.review_dir, state.jobs_dir):
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
    app.extensions["dossier"] = state

    @app.after_request
    def headers(response):  # noqa: ANN001, ANN202 - Flask hook
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with its own forms
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        log.info("%s %s → %s", request.method, request.path, response.status_code)
        return response

    # -- safety --------------------------------------------------------------------------------------
    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_hex(16)
        return session["csrf"]

    from assembler.web.forms import TIER_REASONS, form_values
    from assembler.web.labels import plain

    app.jinja_env.filters["plain"] = plain
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        form_values=form_values,
        STATUS_TITLES=STATUS_TITLES,
        SEVERITY_TITLES=SEVERITY_TITLES,
        SCHEME_TITLES=fund_titles()[0],
        CASE_TITLES=fund_titles()[1],
        LEVEL_TITLES=LEVEL_TITLES,
        TIER_REASONS=TIER_REASONS,
    )

    def allowed_host(name: str) -> bool:
        bound = host_only(app.config["BOUND_HOST"])
        if name in LOOPBACK or name == bound:
            return True
        # listening on every interface: any address typed as an IP (a rebinding attack needs a domain name)
        return bound in ("0.0.0.0", "::") and is_ip(name)

    @app.url_value_preprocessor
    def known_ids(endpoint, values):  # noqa: ANN001, ANN202 - Flask hook
        if any(key != "filename" and not valid_id(value) for key, value in (values or {}).items()):
            abort(404)

    @app.before_request
    def guard():  # noqa: ANN202 - Flask hook
        if not request.environ.get("HTTP_HOST", "").strip() or not allowed_host(host_only(request.host)):
            abort(
                400,
                "网址中的主机名不是本工具的地址，已拒绝（防止其他网页冒用本工具）。请用启动时显示的网址打开。",
            )
        if other_local_user(request.environ):
            abort(403, "本工具只为启动它的用户服务；本机其他用户不能访问。")
        wanted = app.config["ACCESS_TOKEN"]
        # the style sheet and script are the package's own files, the same for everyone (a refusal is styled);
        # the ping says only that this is the app (a second start looks for it before opening the browser)
        public = request.endpoint in ("static", "lifecycle.ping") and request.method == "GET"
        if session.get("access") is not True and not public:  # signed by the workspace's owner-only key
            given = request.args.get("token", "")
            if not given or not hmac.compare_digest(given.encode(), wanted.encode()):
                abort(403, "需要访问令牌：请使用启动本工具时显示的完整网址（含 token=…）打开。")
            session["access"] = True
            session.permanent = True
            return redirect(request.path)  # the token leaves the address bar and the history
        if request.method == "POST":
            origin = request.headers.get("Origin") or request.headers.get("Referer")
            if origin is not None and not same_origin(origin, request.host_url):
                abort(403, "请求来自其他网页，已拒绝（只接受本工具自己页面上的操作）。")
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(400, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
        return None

    # -- one set of error pages ----------------------------------------------------------------------
    def error_page(code: int, message: str | None = None):  # noqa: ANN202
        title, default = ERROR_TITLES.get(code, ERROR_TITLES[500])
        return render_template("message.html", title=title, message=message or default, code=code), code

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):  # noqa: ANN202
        code = err.code or 500
        described = err.description if code in (400, 403) and err.description else None
        if described and not any("\u4e00" <= ch <= "\u9fff" for ch in described):
            described = None  # werkzeug's own English text
        return error_page(code if code in ERROR_TITLES else 500 if code >= 500 else 400, described)

    @app.errorhandler(DossierError)
    def dossier_error(exc: DossierError):  # noqa: ANN202
        return error_page(400, web_message(exc))

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):  # noqa: ANN202
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("internal error on %s %s", request.method, request.path)
        return error_page(500)

    from assembler.web.applicant import bp as applicant
    from assembler.web.jobs import bp as jobs
    from assembler.web.lifecycle import bp as lifecycle
    from assembler.web.register import bp as register
    from assembler.web.reviewer import bp as reviewer
    from assembler.web.union import bp as union

    app.register_blueprint(applicant)
    app.register_blueprint(jobs)
    app.register_blueprint(reviewer)
    app.register_blueprint(register)
    app.register_blueprint(union)
    app.register_blueprint(lifecycle)
    return app
