"""Run by tests/test_windows.py with the bundle's Python under Wine: the Windows code paths of the process
fixes. A program that overruns its timeout is killed with its child (as soffice.exe with soffice.bin), and a
photo worker stops when the build it watches is killed (os.getppid() never changes on Windows).
Prints one line per finding; the test reads them."""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from assembler.errors import ToolFailedError
from assembler.system.external import run_program

WORKER = "from assembler.convert.images import die_with_parent"
pidfile = Path(tempfile.mkdtemp()) / "child.pid"
program = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
    "time.sleep(120)\n"
)
try:
    run_program([sys.executable, "-c", program], timeout=5, name="test")
    print("timeout: not reached")
except ToolFailedError:
    print("timeout: killed")
child = int(pidfile.read_text())
deadline = time.monotonic() + 20
while psutil.pid_exists(child) and time.monotonic() < deadline:
    time.sleep(0.2)
print("child:", "alive" if psutil.pid_exists(child) else "gone")

build = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
worker = subprocess.Popen(
    [sys.executable, "-c", f"import time\n{WORKER}\ndie_with_parent({build.pid})\ntime.sleep(120)"]
)
time.sleep(3)
print("worker while the build runs:", "running" if worker.poll() is None else "stopped")
build.kill()
try:
    print("worker after the build was killed: exit", worker.wait(timeout=60))
except subprocess.TimeoutExpired:
    print("worker after the build was killed: still running")
    worker.kill()
