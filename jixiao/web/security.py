"""The safety layer (SPEC §5), one ASGI middleware in front of every route.

In order: the ``Host`` header must name the address the server is bound to (a page on another
site that re-points its own name at 127.0.0.1 — DNS rebinding — names its own host); with a
token, every request carries it (``Authorization: Bearer …`` or the cookie the login page sets);
every state-changing request carries the CSRF token of ``/api/session`` in ``X-CSRF-Token``
(a cross-site form or ``fetch`` cannot read it, a script can); a request body over
``--max-upload-mb`` gets 413 before it is read, or as soon as it grows past the limit.
Every response forbids framing and sniffing and allows scripts, styles and pictures from the
server itself only, so even text that slipped through unescaped could not run.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from jixiao.web.config import ServeConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "jixiao_token"
OPEN_PATHS = ("/login", "/static/")  # reachable without the token (the login page and its style)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
]


class BodyTooLarge(Exception):
    """The request body grew past ``--max-upload-mb`` while it was read."""


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without the port, lower case.

    Example: ``host_name("LocalHost:8765")`` → ``"localhost"``, ``host_name("[::1]:80")`` → ``"::1"``.
    """
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_or_cookie(headers: dict[str, str]) -> str | None:
    """The token a request carries: ``Authorization: Bearer …``, else the login cookie."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:
        return None
    morsel = cookie.get(TOKEN_COOKIE)
    return morsel.value if morsel is not None else None


async def _refuse(send: Send, status: int, zh: str, en: str, location: str | None = None) -> None:
    body = json.dumps({"error": f"{zh} / {en}", "status": status}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if location is not None:
        headers.append((b"location", location.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


class SafetyMiddleware:
    """Host check, token, CSRF and body size for every HTTP request (see the module's docstring)."""

    def __init__(self, app: ASGIApp, config: ServeConfig, csrf: str) -> None:
        self.app = app
        self.config = config
        self.csrf = csrf
        self.hosts = config.allowed_hosts()
        self.workbench: Any = None  # set by jixiao.web.app.create_app: the runs and the store behind the app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET").upper()
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            await _refuse(send, 403, "主机名不符", "the Host header does not name this server")
            return
        if self.config.token is not None and not path.startswith(OPEN_PATHS):
            if not _same(bearer_or_cookie(headers), self.config.token):
                if path.startswith("/api/") or method not in SAFE_METHODS:
                    await _refuse(send, 401, "需要令牌", "a token is needed (Authorization: Bearer …)")
                else:
                    await _refuse(send, 303, "请先登录", "log in first", location="/login")
                return
        if method not in SAFE_METHODS and path != "/login" and not _same(headers.get(CSRF_HEADER), self.csrf):
            await _refuse(send, 403, "缺少或错误的 CSRF 令牌", "missing or wrong X-CSRF-Token header (GET /api/session)")
            return
        limit = self.config.max_upload_bytes
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _refuse(send, 413, f"上传超过 {self.config.max_upload_mb} MB", f"the upload is over {self.config.max_upload_mb} MB")
            return
        await self._guarded(scope, receive, send, limit)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, counted, secured)
        except BodyTooLarge:
            if not started:
                mb = self.config.max_upload_mb
                await _refuse(send, 413, f"上传超过 {mb} MB", f"the upload is over {mb} MB")
