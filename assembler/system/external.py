"""The one way this tool runs another program (LibreOffice, fc-match): logged, timed, killable.

Every call is logged with its arguments, duration, exit status and the tail of its stderr, so that
a failed conversion on a unit's computer can be diagnosed from the log file alone. The program
runs in its own process group, so a timeout or Ctrl-C kills it and everything it started.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence

from assembler.errors import ToolFailedError

log = logging.getLogger(__name__)
STDERR_LOGGED = 4000  # characters of a program's stderr kept in the log


def kill_tree(pid: int) -> None:
    """Kill the process `pid` and everything it started, on every platform: its process group on POSIX, and
    each descendant found through psutil (LibreOffice on Windows runs soffice.bin under soffice.exe, and a
    child that left the group would survive killpg)."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [*root.children(recursive=True), root]
    except psutil.Error:
        tree = []
    if os.name != "nt":
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for proc in tree:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(tree, timeout=5)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    kill_tree(proc.pid)


def _limited(memory: int) -> list[str]:
    """A POSIX shell prefix that sets RLIMIT_AS (`ulimit -v`, in KiB) and then execs the program: the limit
    is in place before the program's first instruction and is inherited by its children (a preexec
    function would do the same but is unsafe in a threaded caller)."""
    return ["/bin/sh", "-c", 'ulimit -v "$0" && exec "$@"', str(memory // 1024)]


def run_program(
    args: Sequence[str],
    *,
    timeout: float,
    name: str,
    env: dict[str, str] | None = None,
    timeout_fix: str = "",
    memory: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `args` to completion and return its output; ToolFailedError naming `name` when it overruns
    `timeout` (the whole process group is killed). With `memory` (bytes), the program and everything it
    starts get that much address space at most (RLIMIT_AS, on POSIX), so that a hostile input makes it
    fail instead of taking the machine. OSError (program missing) is left to the caller, which knows the
    install instructions."""
    group: dict = {"start_new_session": True} if os.name != "nt" else {"creationflags": 0x00000200}
    if memory is not None and os.name != "nt":
        args = [*_limited(memory), *args]
    started = time.monotonic()
    log.info("run %s: %s", name, subprocess.list2cmdline(list(args)))
    proc = subprocess.Popen(
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, **group
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        log.error("%s timed out after %.1f s and was killed", name, time.monotonic() - started)
        raise ToolFailedError(
            f"{name} 超过 {timeout:g} 秒仍未完成，已终止", fix=timeout_fix or None
        ) from None
    except BaseException:
        _kill_group(proc)
        raise
    elapsed = time.monotonic() - started
    stderr = err.decode("utf-8", "replace").strip()
    level = logging.INFO if proc.returncode == 0 else logging.WARNING
    log.log(level, "%s exited %s after %.2f s", name, proc.returncode, elapsed)
    if stderr:
        log.log(level, "%s stderr: %s", name, stderr[-STDERR_LOGGED:])
    return subprocess.CompletedProcess(list(args), proc.returncode, out, err)
