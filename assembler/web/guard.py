"""Who may talk to the local web app: only the person who started it.

A request is answered only when it names this app as its Host, carries the access token (once, in the
address the app opens; then a session cookie), comes — on this machine, where the operating system can say
so — from a process of the same user as the server, and, for a POST, comes from one of the app's own pages
(Origin, else Referer). Identifiers in addresses are checked before any use: an id the app could never have
made is a 404, never a database or file-system error.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

SQLITE_MAX_ID = 2**63 - 1
# the ids the app makes (workspace.new_id, secrets.token_hex): lowercase hex and digits, never long
_ID = re.compile(r"[0-9a-f]{1,40}")
_PROC_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def valid_id(value: object) -> bool:
    """True when `value` (an id taken from an address) is one the app could have made: a register number
    SQLite can hold, or a workspace id of hex digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 1 <= value <= SQLITE_MAX_ID
    if isinstance(value, str):
        return _ID.fullmatch(value) is not None
    return False


def same_origin(header: str, host_url: str) -> bool:
    """True when the Origin (or Referer) `header` names this app (scheme, host and port of `host_url`)."""
    sent = urlsplit(header.strip())
    own = urlsplit(host_url)
    return bool(sent.scheme) and (sent.scheme.lower(), sent.netloc.lower()) == (
        own.scheme.lower(),
        own.netloc.lower(),
    )


def _endpoint(text: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """An address:port of /proc/net/tcp{,6} (hex, in the kernel's byte order) as (address, port)."""
    address, _, port = text.partition(":")
    try:
        raw = bytes.fromhex(address)
        if sys.byteorder == "little":  # each 32-bit word is in host byte order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
        ip = ipaddress.ip_address(raw)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return ip, int(port, 16)
    except ValueError:
        return None


def peer_uid(client: tuple[str, int], server_port: int, tables: tuple[str, ...] = _PROC_TABLES) -> int | None:
    """The user id owning the local socket at `client` (address, port) connected to `server_port`, as the
    kernel lists it (Linux); None when it cannot be told (another system, a connection not found)."""
    try:
        want = (ipaddress.ip_address(client[0]), int(client[1]))
    except (ValueError, TypeError):
        return None
    if isinstance(want[0], ipaddress.IPv6Address) and want[0].ipv4_mapped is not None:
        want = (want[0].ipv4_mapped, want[1])
    for table in tables:
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) < 8:
                continue
            local, remote = _endpoint(cols[1]), _endpoint(cols[2])
            if local == want and remote is not None and remote[1] == server_port:
                try:
                    return int(cols[7])
                except ValueError:
                    return None
    return None


def other_local_user(environ: dict) -> bool:
    """True when the request comes over this machine's loopback from a process of another user than the
    server's (another account on a shared computer, a system service running as `nobody`)."""
    if os.name != "posix" or not sys.platform.startswith("linux"):
        return False
    remote = str(environ.get("REMOTE_ADDR") or "")
    try:
        address = ipaddress.ip_address(remote)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
        if not address.is_loopback:
            return False
        client_port = int(environ.get("REMOTE_PORT") or 0)
        server_port = int(environ.get("SERVER_PORT") or 0)
    except ValueError:
        return False
    uid = peer_uid((remote, client_port), server_port)
    return uid is not None and uid != os.geteuid()


def owner_only(folder: Path) -> None:
    """Make `folder` (the workspace) reachable by its owner only (0700), when it is ours to change."""
    if os.name != "posix":
        return
    try:
        info = folder.stat()
        if info.st_uid == os.geteuid() and info.st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        pass
