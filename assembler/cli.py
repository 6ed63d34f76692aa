"""The command line: click only. Every DossierError becomes one message on stderr and its exit code."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from assembler import __version__
from assembler.errors import DossierError, ExitCode, FileSystemError, UsageError, exit_code_help


class _Group(click.Group):
    """Turns the exception family into the interface's exit codes, without tracebacks."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click signature
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("已中断，未留下不完整的文件。", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:  # `dossier schemes | head`: the reader has all it wanted
            _silence_stdout()
            ctx.exit(ExitCode.OK)
        except OSError as exc:  # full disk, no permission, a vanished file: the environment
            _fail(ctx, FileSystemError.from_os_error(exc))
        except DossierError as exc:
            _fail(ctx, exc)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug of ours: a short report the user can send, never a traceback
            from assembler.logs import write_crash_report

            report = write_crash_report(exc)
            click.echo(
                f"错误：本工具内部出错（{type(exc).__name__}），这是本工具的缺陷，不是您的操作问题。\n"
                f"  处理办法：请把问题报告 {report} 发给维护人员。",
                err=True,
            )
            ctx.exit(ExitCode.INTERNAL)


def _silence_stdout() -> None:
    """After a closed pipe, send what Python still flushes at exit to nowhere (no second error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# the command line's own hint for a library error, by its rule id or the input at fault (the library never
# names an option: the web has no options)
_HINTS = {
    "BUILD-INCOMPLETE": "如只需预览，可加 --allow-incomplete（缺失项会在清单页上标红）。",
    "BUILD-XFA": "确认静态页面可用时，可加 --accept-xfa。",
    "OUTPUT-INSIDE-APPLICATION": "用 -o 指定申请文件夹以外的位置。",
    "OUTPUT-NO-SPACE": "可用 -o 把申报材料写到空间充足的位置。",
    "OUTPUT-WRITE-FAILED": "可用 -o 写到别的位置。",
    "REGISTER-NOT-A-FILE": "用 --register 指定登记簿文件（.sqlite）。",
    "REGISTER-NOT-OURS": "可用 --register 指定本工具建立的登记簿。",
    "CALL-NOT-FOUND": "请检查 --call 指定的文件路径。",
    "APP-FILE-MISSING": "可用 `dossier init 文件夹 --scheme innovation` 新建。",
    "KEY-EXISTS": "用 -o 指定另一个文件。",
    "app_id": "用 dossier applications 查看登记号。",
    "decision": "例如 --decision 通过",
    "reviewer": "例如 --reviewer 王芳",
    "reasons": "用 --reason 写明理由。",
    "reason": "用 --reason 写明理由，--reviewer 写明经办人。",
    "amount": "用 --amount 写明核定金额。",
    "matched": "用 --matched 写明匹配金额（或用 --amount 写明核定总额）。",
    "tier": "用 --tier 写明年度评比档次。",
    "SIMILAR-PAIR-UNKNOWN": "用 dossier applications 登记号 查看近似重复的序号（--json 给出每对的键）。",
    "SIMILAR-VERDICT-UNKNOWN": "用 --confirm（确认重复）或 --dismiss（排除）写明核实结论。",
    "SIMILAR-REASON-MISSING": "用 --reason 写明核实理由。",
    "SIMILAR-REVIEWER-MISSING": "用 --reviewer 写明评审人姓名，例如 --reviewer 王芳。",
}


def _fail(ctx: click.Context, exc: DossierError) -> None:
    hint = _HINTS.get(exc.rule or "") or _HINTS.get(exc.field or "")
    click.echo(f"错误：{exc.render()}" + (f"\n  命令行：{hint}" if hint else ""), err=True)
    ctx.exit(exc.exit_code)


_CONTROL = {c: "?" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x0A,)}


def _shown(text: object) -> str:
    """Text from a received file, safe to print: control characters (terminal escapes that could draw a
    fake 结论 line) become “?”."""
    return str(text).translate(_CONTROL)


def _refuse_overwriting(out: Path | None, inputs: list[Path]) -> None:
    """UsageError when an output would overwrite one of the inputs (a received dossier, the list)."""
    if out is None:
        return
    target = out.resolve()
    if any(target == p.resolve() or (p.is_dir() and target.is_relative_to(p.resolve())) for p in inputs):
        raise UsageError(
            "输出文件不能是（或位于）输入的文件或文件夹",
            where=str(out),
            fix="请用 -o 指定收件文件以外的位置，如 汇总.xlsx。",
        )


def _console():  # noqa: ANN202 - rich is imported only when a table is printed
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 140, highlight=False, soft_wrap=False)


_CHECKLISTS = click.option(
    "--checklists",
    type=click.Path(file_okay=False, path_type=Path),
    help="使用修订后的检查清单文件夹（代替内置的清单）。",
)


_CALL = click.option(
    "--call",
    type=click.Path(dir_okay=False, path_type=Path),
    help="高新区总工会当年的申报通知文件（.yaml，规定活动期间等）；默认使用内置的 calls/<年度>.yaml。",
)


@click.group(cls=_Group, epilog=exit_code_help())
@click.version_option(__version__, prog_name="dossier")
@click.option("-v", "--verbose", count=True, help="显示处理步骤和调用的外部程序（-vv 显示全部细节）。")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="把详细日志（含外部程序的命令和输出）追加写入此文件，便于报告问题。",
)
def cli(verbose: int, log_file: Path | None) -> None:
    """高新区职工创新鼓励金申报材料工具：检查、填表、汇编成册。"""
    from assembler.logs import configure

    configure(verbose, log_file)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（字段见接口文档）。")
@_CHECKLISTS
@_CALL
def check(folder: Path, as_json: bool, checklists: Path | None, call: Path | None) -> None:
    """检查申请材料是否齐全、一致，并计算可申请的鼓励金。FOLDER 为申请文件夹或其 .zip。"""
    from assembler.load.checkcache import check_key, lookup, remember

    terminal = sys.stdout.isatty()
    key = None
    revision = _measures_folder(folder, checklists)
    if revision is not None:
        width = os.get_terminal_size().columns if terminal else 140
        options = {"json": as_json, "call": str(call or ""), "terminal": terminal, "width": width}
        key = check_key(folder, revision, options)
    cached = lookup(key) if key is not None else None
    if cached is not None:
        import logging

        logging.getLogger("assembler.load.checkcache").info(
            "%s: nothing changed, answered from the last check", folder
        )
        click.echo(cached[0], nl=False)
        sys.exit(cached[1])
    from assembler.api import check as run_check
    from assembler.core.report import report_renderable, report_to_json

    report = run_check(folder, checklists, call)
    if as_json:
        output = json.dumps(report_to_json(report), ensure_ascii=False, indent=2) + "\n"
    else:
        import io

        from rich.console import Console

        buffer = io.StringIO()
        Console(
            file=buffer,
            width=None if terminal else 140,
            highlight=False,
            soft_wrap=False,
            force_terminal=terminal,
        ).print(report_renderable(report))
        output = buffer.getvalue()
    code = ExitCode.OK if report.complete else ExitCode.APPLICATION_ERRORS
    if key is not None:
        remember(key, output, int(code))
    click.echo(output, nl=False)
    sys.exit(code)


def _measures_folder(folder: Path, checklists: Path | None) -> Path | None:
    """The checklists folder a check of `folder` reads (for the result cache): --checklists, else the bundled
    revision application.yaml names (read with a plain scan; a full check validates it)."""
    if checklists is not None:
        return checklists
    import re

    try:
        text = (folder / "application.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"^measures:\s*[\"']?([0-9A-Za-z._-]+)[\"']?\s*(#.*)?$", text, flags=re.M)
    if found is None:
        return None
    from assembler.resources import bundled

    revision = bundled("checklists") / found.group(1)
    return revision if revision.is_dir() else None


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--scheme",
    type=click.Choice(["innovation", "studio"]),
    required=True,
    help="innovation = 职工创新创效鼓励金；studio = 劳模和工匠人才创新工作室鼓励金。",
)
@click.option(
    "--case",
    type=click.Choice(["count", "bonus"]),
    default="count",
    show_default=True,
    help="职工创新创效鼓励金的补贴情形：count 情形一，bonus 情形二。",
)
@click.option("--year", type=click.IntRange(2021, 2100), help="申报年度（默认今年）。")
def init(folder: Path, scheme: str, case: str, year: int | None) -> None:
    """新建一份申请：带中文注释的 application.yaml、编号的材料文件夹和项目台账模板。"""
    from assembler.load.scaffold import init_application

    created = init_application(folder, scheme, case=case, year=year)
    click.echo(f"已新建申请文件夹 {folder}：")
    for rel in created:
        click.echo(f"  {rel}")
    click.echo(f"下一步：填写 application.yaml，把材料放入各编号文件夹，然后运行 dossier check {folder}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="输出文件夹（不能在申请文件夹之内）。",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="使用修订后的 Word 模板文件夹（文件名与内置模板相同）。",
)
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF。")
@click.option(
    "--soffice", type=click.Path(dir_okay=False, path_type=Path), help="LibreOffice 的 soffice 程序位置。"
)
@_CHECKLISTS
def fill(
    folder: Path,
    outdir: Path,
    templates: Path | None,
    pdf: bool,
    soffice: Path | None,
    checklists: Path | None,
) -> None:
    """填写申请表（附件1.1/2.1）和项目汇总明细（附件1.2），输出 .docx（加 --pdf 同时输出 PDF）。"""
    from assembler.api import fill as run_fill

    result = run_fill(folder, outdir, templates=templates, checklists=checklists, pdf=pdf, soffice=soffice)
    for path in result.written:
        click.echo(f"已生成 {path}")
    for note in result.notes:
        click.echo(f"注意：{note}", err=True)


def _size(text: str | None) -> int | None:
    if text is None:
        return None
    from assembler.api import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出的 PDF（默认：申请文件夹旁的“<文件夹名>-申报材料.pdf”）。",
)
@click.option("--allow-incomplete", is_flag=True, help="材料不全也生成（缺失项在清单页上标红），用于预览。")
@click.option(
    "--accept-xfa", is_flag=True, help="XFA 动态表单 PDF 也放入（只能放入其静态页面，可能看不到表单内容）。"
)
@click.option("--max-size", help="文件大小上限，如 20MB：超过时逐步降低照片质量。")
@click.option(
    "--sign",
    "sign_key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="用本单位的签名密钥（dossier keygen 生成的 .p12）签名；密码放在环境变量 DOSSIER_KEY_PASSWORD。",
)
@click.option(
    "--split-size", help="分册大小上限，如 10MB：另外写出每册不超过此大小的分册（各含封面和目录）。"
)
@click.option(
    "--print",
    "printing",
    type=click.Choice(["simplex", "duplex"]),
    default="simplex",
    show_default=True,
    help="duplex = 双面打印装订：每项材料从奇数页开始（空白页印“此页无正文”）。",
)
@click.option(
    "--dpi", type=click.IntRange(72, 300), default=150, show_default=True, help="照片在页面上的分辨率。"
)
@click.option(
    "--quality", type=click.IntRange(30, 95), default=75, show_default=True, help="照片的 JPEG 质量。"
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="使用修订后的 Word 模板文件夹。",
)
@click.option(
    "--soffice", type=click.Path(dir_okay=False, path_type=Path), help="LibreOffice 的 soffice 程序位置。"
)
@click.option(
    "--font", type=click.Path(dir_okay=False, path_type=Path), help="封面、目录和页码使用的中文字体文件。"
)
@click.option("-q", "--quiet", is_flag=True, help="不显示进度。")
@_CHECKLISTS
@_CALL
def build(
    folder: Path,
    out: Path | None,
    allow_incomplete: bool,
    accept_xfa: bool,
    max_size: str | None,
    split_size: str | None,
    sign_key: Path | None,
    printing: str,
    dpi: int,
    quality: int,
    templates: Path | None,
    soffice: Path | None,
    font: Path | None,
    quiet: bool,
    checklists: Path | None,
    call: Path | None,
) -> None:
    """检查、填表、转换并合并为一份带封面、目录、书签和页码的 PDF 申报材料。"""
    from assembler.api import build as run_build
    from assembler.convert.photosettings import PhotoSettings
    from assembler.pipeline.run import BuildOptions

    opts = BuildOptions(
        out=out,
        allow_incomplete=allow_incomplete,
        accept_xfa=accept_xfa,
        checklists=checklists,
        templates=templates,
        soffice=soffice,
        font=font,
        photo=PhotoSettings(dpi, quality),
        max_size=_size(max_size),
        duplex=printing == "duplex",
        split_size=_size(split_size),
        sign=sign_key,
        call=call,
    )
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        result = run_build(folder, opts)
    else:
        with console.status("正在汇编……") as status:
            opts.progress = lambda step: status.update(f"正在汇编：{step}……")
            result = run_build(folder, opts)
    for note in result.notes:
        click.echo(f"注意：{note}", err=True)
    amount = result.report.award.amount
    click.echo(
        f"已生成 {result.path}（{result.pages} 页，{result.size / 1e6:.1f} MB"
        + (f"，申请金额 {amount:,} 元" if amount is not None else "")
        + ("（待核定）" if amount is not None and result.report.award.pending else "")
        + "）"
    )


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def verify(file: Path, as_json: bool) -> None:
    """核验一份申报材料 PDF：是否为本工具生成、生成后是否被改动、申请金额复核是否一致。"""
    from assembler.api import verify as run_verify
    from assembler.core.report import SEVERITY_TITLES
    from assembler.reviewer.verify import built_with_call, verification_to_json

    result = run_verify(file)
    if as_json:
        click.echo(json.dumps(verification_to_json(result), ensure_ascii=False, indent=2))
    else:
        app = result.applicant
        click.echo(_shown(f"{file}：{app.get('name', '')}（{app.get('credit_code', '')}）"))
        for f in result.findings:
            click.echo(_shown(f"  [{SEVERITY_TITLES[f.severity]}] {f.rule}：{f.message}"))
        if call := built_with_call(result.manifest):
            click.echo(f"  生成时依据的申报通知：{call}（请与总工会本年度的申报通知核对）")
        click.echo("结论：完整、未被改动" if result.intact else "结论：未通过核验")
    sys.exit(ExitCode.OK if result.intact else ExitCode.APPLICATION_ERRORS)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写出 Excel 汇总表（如 summary.xlsx）。",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.option(
    "--disqualified",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="取消申报资格名单：每行一个统一社会信用代码（第三条）。",
)
@click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="同时对照登记簿做跨年度检查（只读，不登记）。",
)
def review(
    paths: tuple[Path, ...],
    out: Path | None,
    as_json: bool,
    disqualified: Path | None,
    register_path: Path | None = None,
) -> None:
    """评审汇总：读入多份申报材料 PDF 和/或申请文件夹、.zip，逐一核验并做跨单位检查。"""
    from rich.table import Table
    from rich.text import Text

    from assembler.api import review as run_review
    from assembler.reviewer.review import HEADERS, row_values, summary_to_json, write_workbook

    _refuse_overwriting(out, [*paths, *([disqualified] if disqualified else [])])
    if register_path is not None:
        from assembler.reviewer.register.db import open_register
        from assembler.reviewer.register.intake import review_with_register

        summary = review_with_register(list(paths), disqualified, open_register(register_path))
    else:
        summary = run_review(list(paths), disqualified)
    if out is not None:
        write_workbook(summary, out)
    if as_json:
        click.echo(json.dumps(summary_to_json(summary), ensure_ascii=False, indent=2))
        return
    table = Table(title="评审汇总")
    for head in HEADERS:
        table.add_column(head, overflow="fold")
    for i, row in enumerate(summary.rows, start=1):
        values = [
            "" if v is None else (f"{v:,.2f}" if not isinstance(v, (int, str)) else str(v))
            for v in row_values(i, row)
        ]
        table.add_row(*[Text(_shown(v), style="" if row.complete else "red") for v in values])
    _console().print(table)
    if out is not None:
        click.echo(f"已写出 {out}")


@cli.command()
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="端口。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只允许本机访问）。")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="工作区文件夹（默认在用户数据目录下）。",
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
def serve(folder: Path | None, port: int, host: str, workspace: Path | None, no_browser: bool) -> None:
    """打开网页版（本机浏览器中使用，无需联网）：填写申报信息、上传材料、生成和下载申报材料；评审汇总。"""
    import secrets
    import socket
    import threading
    import webbrowser

    from werkzeug.serving import make_server

    from assembler.errors import ToolFailedError
    from assembler.logs import configure
    from assembler.web.app import create_app, default_workspace
    from assembler.web.lifecycle import SHUTDOWN, running_app
    from assembler.web.workspace import copy_application

    if os.name == "posix":
        os.umask(0o077)  # the workspace, its register and log: readable by this user only
    workspace = workspace or default_workspace()
    # the running app's token in the user's own data folder: a second start (of any workspace) opens the
    # browser with it
    from assembler.system.cache import user_folder

    token_file = user_folder("DOSSIER_SERVE_DIR", "serve") / f"serve-{port}.token"
    if folder is None and running_app(port):  # a second start: the app is already there
        url = f"http://127.0.0.1:{port}/"
        if token_file.is_file():
            url += f"?token={token_file.read_text(encoding='ascii').strip()}"
        click.echo(f"本工具已在运行：http://127.0.0.1:{port}/（已在浏览器中打开）")
        if not no_browser:
            webbrowser.open(url)
        return
    root = click.get_current_context().find_root().params
    configure(root.get("verbose", 0), root.get("log_file") or workspace / "logs" / "dossier.log")
    loopback = host in ("127.0.0.1", "localhost", "::1")
    token = secrets.token_urlsafe(24)  # as notebook servers do: the URL carries it once, then a cookie
    app = create_app(workspace, host=host, token=token, port=port)
    path = "/"
    if folder is not None:
        path = f"/a/{copy_application(folder, workspace / 'apps')}"
    if not loopback:
        click.echo(
            f"警告：正在监听 {host}，同一网络中的其他电脑也能访问本工具和工作区中的申请材料；"
            "只有打开下面含 token 的网址才能使用。",
            err=True,
        )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}{path}?token={token}"
    try:  # werkzeug would print its own English message and exit 1
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # POSIX: past connections (TIME_WAIT) must not block a restart; Windows: no sharing a live port
            option = getattr(socket, "SO_EXCLUSIVEADDRUSE", None) or socket.SO_REUSEADDR
            probe.setsockopt(socket.SOL_SOCKET, option, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ToolFailedError(
            f"端口 {port} 已被其他程序占用，无法启动网页版（{exc.strerror or exc}）",
            fix=f"请用 --port 指定另一个端口，如 dossier serve --port {port + 1}。",
        ) from None
    server = make_server(host, port, app, threaded=True)
    app.config[SHUTDOWN] = lambda: threading.Thread(target=server.shutdown, daemon=True).start()
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(token, encoding="ascii")
    if os.name == "posix":
        token_file.chmod(0o600)
    click.echo(f"网页版已启动：{url}（工作区 {workspace}；在网页上点“退出”或按 Ctrl+C 关闭）")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    finally:
        token_file.unlink(missing_ok=True)
    click.echo("网页版已关闭。")


@cli.command()
@click.option("--name", required=True, help="证书上的单位名称（与申请表的单位名称一致）。")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="密钥文件（默认在用户数据目录）。",
)
def keygen(name: str, out: Path | None) -> None:
    """生成本单位的签名密钥（RSA，自签证书，.p12）：build --sign 用它签名，总工会登记册据此识别单位。"""
    from assembler.integrity.sign import default_key_path, make_key

    path = make_key(name, out or default_key_path(), os.environ.get("DOSSIER_KEY_PASSWORD"))
    click.echo(f"已生成签名密钥 {path}（请妥善保管，仅本机用户可读）")


@cli.command()
@_CHECKLISTS
def schemes(checklists: Path | None) -> None:
    """列出所用办法版本中的基金、补贴情形和申报材料。"""
    from assembler.load.checklists import available_checklists

    for cl in available_checklists(checklists):
        click.echo(f"{cl.measures} 版 · {cl.scheme} · {cl.title}（{cl.source}）")
        for case in cl.cases:
            click.echo(f"  情形 {case.id}：{case.title}")
        for m in cl.materials:
            need = {"always": "必需", "optional": "可选", "claimed": "申报专利/重大专项时必需"}[m.required]
            cases = f"，仅{'、'.join(cl.case_title(c) for c in m.cases)}" if m.cases else ""
            made = "，由本工具生成" if m.generated else ""
            click.echo(f"  {m.number}. {m.title}（{need}{cases}{made}；文件夹 {m.folder}）")
        for reading in cl.readings:
            click.echo(f"  解读：{reading}")
        click.echo("")
    _echo_calls(checklists)


def _echo_calls(checklists: Path | None) -> None:
    """The zone union's calls (申报通知) bundled per revision, and the reading used without one."""
    import datetime as dt

    from assembler.core.checklist import DEFAULT_PERIOD_SOURCE
    from assembler.load.calls import available_calls
    from assembler.load.checklists import available_checklists

    titles = {cl.scheme: cl.title for cl in available_checklists(checklists)}
    for measures in sorted({cl.measures for cl in available_checklists(checklists)}):
        calls = available_calls(measures, checklists)
        click.echo(f"{measures} 版 · 申报通知（calls/）：{'' if calls else '无'}")
        for path, c in calls:
            click.echo(f"  {c.year} 年度：{c.title}（{path.name}）")
            for fund, period in c.periods.items():
                click.echo(f"    {titles.get(fund, fund)} 活动期间：{period.text()}")
            if c.filing:
                click.echo(f"    申报时间：{c.filing.text()}")
            if c.max_file_size_mb:
                click.echo(f"    文件大小上限：{c.max_file_size_mb} MB")
            if c.send_to:
                click.echo(f"    报送：{c.send_to}")
        this_year = dt.date.today().year
        current = next((c for _, c in calls if c.year == this_year), None)
        in_use = f"申报通知 {current.title}" if current else DEFAULT_PERIOD_SOURCE
        click.echo(f"  本年度（{this_year}）使用：{in_use}")
        click.echo(f"  没有当年通知时：{DEFAULT_PERIOD_SOURCE}；check/build 可用 --call 文件 指定通知。")


# ---- doctor: what this computer has and lacks ---------------------------------------------------------


@cli.command()
@click.option(
    "--soffice", type=click.Path(dir_okay=False, path_type=Path), help="LibreOffice 的 soffice 程序位置。"
)
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), help="中文字体文件。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def doctor(soffice: Path | None, font: Path | None, as_json: bool) -> None:
    """检查本机环境：列出已有和缺少的程序、字体和文件夹，以及缺少时哪些功能不能用、怎样补上。"""
    from assembler.system import doctor as diag

    items = diag.diagnose(soffice, font)
    if as_json:
        click.echo(json.dumps(diag.as_json(items), ensure_ascii=False, indent=2))
        return
    for item in items:
        mark = "有" if item.present else "可选" if item.optional else "缺"
        click.echo(f"[{mark}] {item.name}：{_shown(item.detail)}")
        click.echo(f"      用于：{item.used_for}")
        if item.fix:
            click.echo(f"      处理办法：{item.fix}")
    missing = [item.name for item in items if not item.present and not item.optional]
    click.echo(f"缺少：{'、'.join(missing)}" if missing else "全部就绪。")


def main() -> None:
    """Console-script entry point: UTF-8 output when redirected, one temporary folder for the whole run
    (assembler.system.rundir)."""
    from assembler.system.rundir import begin_run

    _utf8_when_redirected()
    begin_run()
    cli(prog_name="dossier")


def _utf8_when_redirected() -> None:
    """On Windows, output sent to a file or another program is encoded in the ANSI code page (cp936, or
    cp1252 on a non-Chinese system), which cannot hold every character a report prints: UTF-8 instead. The
    console itself takes Unicode and is left alone."""
    if os.name != "nt":
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and not stream.isatty() and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


# ---- the reviewers' register (assembler/reviewer/register/) -----------------------------------------------

APP_ID = click.IntRange(1, 2**63 - 1)  # a register id: SQLite's INTEGER (2**70 used to crash the lookup)
_REGISTER = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="登记簿文件（SQLite；默认在用户数据目录下，$DOSSIER_REGISTER_DIR 可改变位置）。",
)


def _yuan_text(fen: int | None) -> str:
    from assembler.reviewer.register.records import from_fen

    amount = from_fen(fen)
    return "不符合条件" if amount is None else f"{amount:,} 元"


def _money_option(text: str | None, option: str):  # noqa: ANN202 - Decimal | None
    if text is None:
        return None
    from assembler.core.identifiers import parse_money

    try:
        return parse_money(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_REGISTER
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def intake(paths: tuple[Path, ...], register_path: Path | None, as_json: bool) -> None:
    """登记收到的申报材料（PDF、申请文件夹、.zip 或装有它们的文件夹）：逐份核验、登记，并做跨年度检查。"""
    from assembler.api import register_intake
    from assembler.core.report import SEVERITY_TITLES
    from assembler.reviewer.register.db import default_register_path, open_register
    from assembler.reviewer.register.intake import STATUS_TITLES, result_to_json, worst_exit
    from assembler.reviewer.register.records import diff_lines, scheme_title
    from assembler.reviewer.register.views import claimed_text

    db = open_register(register_path)
    results = register_intake(db, list(paths))
    if as_json:
        click.echo(json.dumps([result_to_json(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            rec = r.record
            if rec is None:
                where = "" if str(r.source) in (r.error or "") else f"{r.source}："
                click.echo(f"[{STATUS_TITLES[r.status]}] {where}{r.error}")
                continue
            version = f"，第 {rec.version} 版，替换登记号 {rec.previous_id}" if rec.previous_id else ""
            click.echo(
                f"[{STATUS_TITLES[r.status]}] 登记号 {rec.id}{version}：{rec.unit_name}（{rec.credit_code}）"
                f"{rec.year} 年度{scheme_title(rec.scheme)}，"
                f"申请金额 {claimed_text(rec)}"
                f"（{r.source.name}）"
            )
            if r.diff is not None:
                for line in diff_lines(r.diff):
                    click.echo(f"  与上一版相比：{line}")
            for f in r.findings:
                click.echo(f"  [{SEVERITY_TITLES[f.severity]}] {f.rule}：{f.message}")
        recorded = sum(r.status in ("new", "version") for r in results)
        click.echo(
            f"共 {len(results)} 份，新登记 {recorded} 份；登记簿 {register_path or default_register_path()}"
        )
    sys.exit(worst_exit(results))


@cli.command()
@click.argument("app_id", type=APP_ID)
@click.option("--decision", required=True, help="通过 / 退回补正 / 不予支持。")
@click.option("--amount", help="核定金额（元）；通过时默认为复核金额（工作室：按评定档次和匹配金额计算）。")
@click.option("--tier", type=int, help="评审委员会评定的年度评比档次：3000 或 5000（元）。")
@click.option("--matched", help="评审确认的匹配金额（元），滨海新区级及以上新命名工作室。")
@click.option("--reason", "reasons", multiple=True, help="理由（可多次使用）；退回补正和不予支持时必填。")
@click.option("--reviewer", required=True, help="评审人姓名（记入历史）。")
@click.option(
    "--override",
    default="",
    help="评审委员会决定突破办法规定（金额不符或仍有错误）时的书面理由，记入历史并显示在详情和年度汇总中。",
)
@click.option(
    "--finding",
    "ticked",
    multiple=True,
    help="写入补正通知的检查结果：dossier show 列出的序号或规则编号（可多次使用），随决定存档。",
)
@_REGISTER
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def decide(
    app_id: int,
    decision: str,
    amount: str | None,
    tier: int | None,
    matched: str | None,
    reasons: tuple[str, ...],
    reviewer: str,
    override: str,
    ticked: tuple[str, ...],
    register_path: Path | None,
    as_json: bool,
) -> None:
    """记录评审决定（通过/退回补正/不予支持）、核定金额、年度档次、匹配金额和理由；每次修改都留有历史。"""
    from assembler.api import register_decide
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.decisions import history
    from assembler.reviewer.register.notices import ticked_words

    db = open_register(register_path)
    made = register_decide(
        db,
        app_id,
        decision,
        reviewer,
        approved=_money_option(amount, "--amount"),
        tier=tier,
        matched=_money_option(matched, "--matched"),
        reasons="；".join(reasons),
        override=override,
        ticked=ticked,
    )
    rows = history(db, app_id)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": d.id,
                        "decision": d.decision,
                        "title": d.title,
                        "approved_fen": d.approved_fen,
                        "tier": d.tier,
                        "matched_fen": d.matched_fen,
                        "reasons": d.reasons,
                        "reviewer": d.reviewer,
                        "decided_at": d.decided_at,
                        "override": d.override or None,
                    }
                    for d in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    amount_text = f"，核定金额 {_yuan_text(made.approved_fen)}" if made.approved_fen is not None else ""
    click.echo(
        f"已记录：登记号 {app_id} {made.title}{amount_text}（{made.reviewer}，{_beijing(made.decided_at)}）"
    )
    click.echo("历史：")
    for d in rows:
        click.echo(f"  {_decision_line(d)}")
        for words in ticked_words(db, d.id):  # frozen with the decision for the 补正通知
            click.echo(f"    补正：{words}")


def _beijing(stamp: str) -> str:
    from assembler.reviewer.register.records import beijing_text

    return f"{beijing_text(stamp, minutes=True)}（北京时间）"


def _decision_line(d) -> str:  # noqa: ANN001 - a register Decision
    """One decision of the history in words (time in Beijing time, amounts, reasons, an override)."""
    extra = "".join(
        [
            f" 核定 {_yuan_text(d.approved_fen)}" if d.approved_fen is not None else "",
            f" 档次 {d.tier} 元" if d.tier else "",
            f" 匹配 {_yuan_text(d.matched_fen)}" if d.matched_fen is not None else "",
            f" 理由：{d.reasons}" if d.reasons else "",
            f" 【突破办法规定，理由：{d.override}】" if d.override else "",
        ]
    )
    return f"{_beijing(d.decided_at)} {d.reviewer}：{d.title}{extra}"


@cli.command()
@click.argument("code")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="取消资格的开始日期。")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="取消资格的结束日期（不填为长期）。")
@click.option("--reason", required=True, help="理由，如：挪用 2024 年度创新鼓励金。")
@click.option("--reviewer", required=True, help="经办人姓名。")
@click.option("--name", default="", help="基层工会名称。")
@click.option("--withdraw", type=int, help="撤销取消资格名单中的这一编号（CODE 填写同一代码）。")
@_REGISTER
def disqualify(
    code: str,
    since,  # noqa: ANN001 - click's DateTime
    until,  # noqa: ANN001
    reason: str,
    reviewer: str,
    name: str,
    withdraw: int | None,
    register_path: Path | None,
) -> None:
    """把基层工会（统一社会信用代码）记入取消申报资格名单（第三条），含起止日期和理由。"""
    from assembler.reviewer.register.db import disqualifications, open_register
    from assembler.reviewer.register.decisions import disqualify as run_disqualify
    from assembler.reviewer.register.decisions import withdraw_disqualification

    db = open_register(register_path)
    if withdraw is not None:
        withdraw_disqualification(db, withdraw, reason, reviewer)
        click.echo(f"已撤销取消资格名单第 {withdraw} 号")
    else:
        new_id = run_disqualify(
            db, code, since.date(), reason, reviewer, until=until.date() if until else None, name=name
        )
        click.echo(f"已记入取消资格名单（编号 {new_id}）")
    for d in disqualifications(db):
        click.echo(f"  {d.id}. {d.code} {d.name} {d.since}–{d.until or '长期'}：{d.reason}")


@cli.command()
@click.argument("app_id", type=APP_ID, required=False)
@click.option("--year", type=click.IntRange(2021, 2100), help="只列出这一申报年度。")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="把登记号 APP_ID 收到的原文件（登记簿保存的只读副本）写到这个文件夹。",
)
@_REGISTER
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def applications(
    app_id: int | None, year: int | None, export_dir: Path | None, register_path: Path | None, as_json: bool
) -> None:
    """列出登记簿中的申请（每份只列最新版本）；给出登记号时显示其版本、差异、问题、近似重复和决定历史。"""
    from rich.table import Table

    from assembler.api import register_applications
    from assembler.core.report import SEVERITY_TITLES
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.outputs import case_title
    from assembler.reviewer.register.records import scheme_title
    from assembler.reviewer.register.views import claimed_text, integrity_text

    db = open_register(register_path)
    if app_id is None:
        entries = register_applications(db, year)
        if as_json:
            click.echo(
                json.dumps(
                    [
                        {
                            "id": e.record.id,
                            "version": e.record.version,
                            "year": e.record.year,
                            "scheme": e.record.scheme,
                            "case": e.record.case,
                            "studio": e.record.studio_name,
                            "unit": e.record.unit_name,
                            "credit_code": e.record.credit_code,
                            "claimed_fen": e.record.trusted_claim_fen,
                            "integrity": e.record.integrity or None,
                            "decision": e.decision.decision if e.decision else None,
                            "approved_fen": e.decision.approved_fen if e.decision else None,
                        }
                        for e in entries
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        table = Table(title="登记簿")
        for head in (
            "登记号",
            "版本",
            "年度",
            "基金",
            "情形/工作室",
            "单位",
            "申请金额",
            "核验",
            "决定",
            "核定金额",
        ):
            table.add_column(head, overflow="fold")
        for e in entries:
            r = e.record
            table.add_row(
                str(r.id),
                str(r.version),
                str(r.year),
                scheme_title(r.scheme),
                case_title(r),
                r.unit_name,
                claimed_text(r),
                integrity_text(r),
                e.decision.title if e.decision else "未决定",
                _yuan_text(e.decision.approved_fen) if e.decision and e.decision.approved_fen else "",
            )
        _console().print(table)
        return
    from assembler.api import application_detail

    view = application_detail(db, app_id)
    if export_dir is not None:
        from assembler.reviewer.register.filestore import export_copy

        click.echo(f"已导出 {export_copy(db, app_id, export_dir)}")
        return
    record, found, decisions, diff = view.record, view.findings, view.decisions, view.diff
    versions = [v.record.id for v in view.lineage]
    from assembler.api import register_similar_pairs
    from assembler.reviewer.register.verdicts import pair_json

    pairs = register_similar_pairs(db, app_id)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "id": record.id,
                    "versions": versions,
                    "replaced_by": view.replaced_by,
                    "current": view.current_id,
                    "year": record.year,
                    "scheme": record.scheme,
                    "unit": record.unit_name,
                    "integrity": view.integrity,
                    "claimed_fen": record.trusted_claim_fen,
                    "received_at": record.received_at,
                    "kept_copy": view.kept,
                    "certificate": view.certificate,
                    "diff": diff,
                    "findings": [
                        {"rule": f.rule, "severity": f.severity, "message": f.message} for f in found
                    ],
                    "decisions": [
                        {
                            "application_id": d.application_id,
                            "decision": d.decision,
                            "approved_fen": d.approved_fen,
                            "reviewer": d.reviewer,
                            "at": d.decided_at,
                            "override": d.override or None,
                        }
                        for d in decisions
                    ],
                    "similar": [pair_json(p) for p in pairs],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(
        f"登记号 {record.id}（第 {record.version} 版；各版本 {'、'.join(map(str, versions))}）："
        f"{record.unit_name}（{record.credit_code}）{record.year} 年度{scheme_title(record.scheme)} "
        f"{case_title(record)}，申请金额 {view.claimed_text}，"
        f"{_beijing(record.received_at)}收到 {record.source_name}"
    )
    if view.replaced_by is not None:
        click.echo(f"  本版已被登记号 {view.current_id} 替换，只能对最新版本作出决定。")
    click.echo(f"  核验：{view.integrity}")
    if view.certificate:
        click.echo(f"  登记簿固定的签名证书：{view.certificate}")
    click.echo(f"  收到的文件：{'已保存只读副本' if view.kept else '登记簿没有副本'}")
    for line in view.lineage[0].changes if view.lineage else ():
        click.echo(f"  与上一版相比：{line}")
    for number, f in enumerate(found, start=1):  # the number is what `decide --finding` takes
        click.echo(f"  {number}. [{SEVERITY_TITLES[f.severity]}] {f.rule}：{f.message}")
    _echo_pairs(app_id, pairs)
    for d in decisions:
        earlier = (
            f"（第 {view.version_of(d.application_id)} 版，登记号 {d.application_id}）"
            if d.application_id != app_id
            else ""
        )
        click.echo(f"  决定{earlier} {_decision_line(d)}")


def _echo_pairs(app_id: int, pairs: list) -> None:
    """The near-duplicate pairs of `applications ID`, numbered as `dossier similar` takes them."""
    from assembler.reviewer.register.verdicts import side_text

    if not pairs:
        return
    click.echo(
        f"  近似重复 {len(pairs)} 对（核实：dossier similar {app_id} 序号 --confirm 或 --dismiss "
        "--reason 理由 --reviewer 姓名）："
    )
    for p in pairs:
        item = p.pair.kind == "item"
        click.echo(f"  第 {p.number} 对：{p.kind_title}（相似度 {p.pair.similarity:.1%}）")
        click.echo(f"    本申请：{_shown(side_text(p.pair.new, item))}")
        click.echo(f"    {p.pair.old.label}：{_shown(side_text(p.pair.old, item))}")
        v = p.verdict
        if v is None:
            click.echo("    核实：尚未核实")
        else:
            click.echo(
                f"    核实：已{v.title}（{_shown(v.reviewer)}，{_beijing(v.decided_at)}）：{_shown(v.reason)}"
            )


@cli.command(short_help="核实近似重复：确认重复或排除（写明理由和评审人）。")
@click.argument("app_id", type=APP_ID)
@click.argument("pair")
@click.option("--confirm", is_flag=True, help="确认重复：提示保留，并显示核实结论。")
@click.option("--dismiss", is_flag=True, help="排除（不是重复）：同一对文件或项目以后不再提示。")
@click.option("--reason", default="", help="核实理由（必填），如：同一会议室的不同照片，已电话核实。")
@click.option("--reviewer", default="", help="评审人姓名（必填，记入历史）。")
@_REGISTER
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def similar(
    app_id: int,
    pair: str,
    confirm: bool,
    dismiss: bool,
    reason: str,
    reviewer: str,
    register_path: Path | None,
    as_json: bool,
) -> None:
    """核实登记号 APP_ID 的一对近似重复：确认重复或排除，写明理由和评审人。

    PAIR 是 dossier applications APP_ID 列出的序号（或 --json 给出的键）。记录只增不改，以最新一次为准；
    排除后同一对文件或项目不再提示。"""
    from assembler.api import register_similar_verdict
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.verdicts import pair_json, side_text

    if confirm and dismiss:
        raise UsageError("--confirm 和 --dismiss 只能选一个", fix="确认重复用 --confirm，排除用 --dismiss。")
    verdict = "confirmed" if confirm else "dismissed" if dismiss else ""
    db = open_register(register_path)
    made = register_similar_verdict(db, app_id, pair, verdict, reason, reviewer)
    if as_json:
        from assembler.reviewer.register.db import stored_findings

        found = [f for f in stored_findings(db, app_id, "register") if f.rule.endswith("-SIMILAR")]
        click.echo(
            json.dumps(
                {
                    "application_id": app_id,
                    "pair": pair_json(made),
                    "similar_findings": [
                        {"rule": f.rule, "severity": f.severity, "message": f.message} for f in found
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    item = made.pair.kind == "item"
    v = made.verdict
    assert v is not None
    who = f"{_shown(v.reviewer)}，{_beijing(v.decided_at)}"
    click.echo(f"已记录：登记号 {app_id} 第 {made.number} 对 {v.title}（{who}）")
    click.echo(
        f"  {made.kind_title}：本申请{_shown(side_text(made.pair.new, item))}与"
        f"{made.pair.old.label}的{_shown(side_text(made.pair.old, item))}"
    )
    click.echo(f"  理由：{_shown(v.reason)}")
    if v.verdict == "dismissed":
        click.echo("  这一对以后不再提示（本申请、对方申请和之后的新版本）。")


@cli.group()
def register() -> None:
    """登记簿的备份、恢复和总工会申报通知。"""


@register.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@_REGISTER
def register_backup(archive: Path, register_path: Path | None) -> None:
    """把登记簿和收到的全部文件写入一个备份文件（.zip）。"""
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.filestore import backup

    count, files = backup(open_register(register_path), archive)
    click.echo(f"已备份 {count} 份申请、{files} 个收到的文件：{archive}")


@register.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_REGISTER
def register_restore(archive: Path, register_path: Path | None) -> None:
    """从备份文件恢复登记簿和收到的文件（恢复到新位置，不覆盖已有的登记簿）。"""
    from assembler.reviewer.register.db import default_register_path, open_register
    from assembler.reviewer.register.filestore import restore

    target = register_path or default_register_path()
    count, files = restore(archive, target)
    open_register(target).close()  # brought up to this version's schema
    click.echo(f"已恢复 {count} 份申请、{files} 个收到的文件：{target}")


@register.command("call")
@click.argument("call_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--year", type=click.IntRange(2021, 2100), help="只显示这一年度的申报通知。")
@click.option("--reviewer", default="", help="经办人姓名（载入申报通知时必填）。")
@_REGISTER
def register_call_command(
    call_file: Path | None, year: int | None, reviewer: str, register_path: Path | None
) -> None:
    """载入总工会某年度的申报通知（YAML），此后登记该年度申请时以它的活动期间为准；不给文件时显示各年度的通知。"""
    from assembler.reviewer.register.calls import load_call, register_call
    from assembler.reviewer.register.db import open_register
    from assembler.reviewer.register.decisions import stamp

    db = open_register(register_path)
    if call_file is not None:
        if not reviewer.strip():
            raise click.BadParameter("载入申报通知时请写明经办人姓名", param_hint="--reviewer")
        call = load_call(db, call_file, reviewer, stamp())
        click.echo(f"已载入 {call.year} 年度申报通知：{call.title}")
        year = call.year
    years = [year] if year else [r["year"] for r in db.query("SELECT DISTINCT year FROM calls ORDER BY year")]
    for y in years:
        ruling = register_call(db, y)
        title = ruling.call.title if ruling.call is not None else "无申报通知"
        click.echo(f"{y} 年度（{ruling.origin}）：{title}")
        for scheme in ("innovation", "studio"):
            p = ruling.period(scheme)
            click.echo(f"  {scheme_title_of(scheme)}活动期间：{p.start} 至 {p.end}")


def scheme_title_of(scheme: str) -> str:
    """The fund's title for the terminal."""
    from assembler.reviewer.register.records import scheme_title

    return scheme_title(scheme)


@cli.command(short_help="写出年度材料：补正通知、公示名单、拨款明细和年度汇总。")
@click.option("--year", type=click.IntRange(2021, 2100), required=True, help="申报年度。")
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="输出文件夹。",
)
@click.option(
    "--union",
    "union_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="总工会信息文件 union.yaml（发文机关、文号前缀、联系方式、期限）；默认用登记簿旁的 union.yaml。",
)
@_REGISTER
def outputs(year: int, outdir: Path, register_path: Path | None, union_path: Path | None) -> None:
    """写出年度材料：每份退回申请的补正通知（.docx）、公示名单（.docx、.xlsx）、按基层工会的拨款明细和年度汇总（.xlsx）。"""
    from assembler.api import register_outputs
    from assembler.load.union import load_union, union_beside
    from assembler.reviewer.register.db import default_register_path, open_register

    profile = load_union(union_path or union_beside(register_path or default_register_path()))
    for path in register_outputs(open_register(register_path), year, outdir, profile):
        click.echo(f"已生成 {path}")
