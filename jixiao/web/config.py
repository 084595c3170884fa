"""The workbench's settings, fixed at start (so every request sees the same rules)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 512
MAX_UPLOAD_FILES = 5000
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine.

    Example: ``is_loopback("127.0.0.1")`` → True, ``is_loopback("0.0.0.0")`` → False.
    """
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeConfig:
    """What ``jixiao serve`` was started with. ``data`` holds uploads (by content hash) and the picture cache."""

    db: str
    data: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    roots: tuple[Path, ...] = ()
    token: str | None = None
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    max_upload_files: int = MAX_UPLOAD_FILES
    workers: int | None = None
    extra_hosts: tuple[str, ...] = field(default=())

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def uploads(self) -> Path:
        return self.data / "files"

    @property
    def cache(self) -> Path:
        return self.data / "cache"

    def allowed_hosts(self) -> frozenset[str] | None:
        """Host names a request may name (DNS rebinding): the bound address, and the loopback names
        when bound to loopback; None (any) when bound to every interface, where the token guards."""
        host = self.host.strip("[]").lower()
        if host in ("0.0.0.0", "::"):
            return None
        names = {host, *(h.lower() for h in self.extra_hosts)}
        if is_loopback(host):
            names |= {"localhost", "127.0.0.1", "::1"}
        return frozenset(names)
