"""Kept-alive HTTP/1.1 connections over ``http.client`` for the sync client's hot path.

Every call makes two requests: it joins the queue (a POST) and reads the event stream
(a GET). Through ``httpx.Client`` these cost about 2.5 ms of CPU per call on a 2-core
machine, through the standard library's ``http.client`` about 0.7 ms. This pool serves
only those two requests of the sync client; everything else (config, login, cancel,
files, custom transports, the async client) stays on httpx.

Callers cannot tell the paths apart: responses come back as ``httpx.Response`` objects
(a stream's body is read from the socket as it arrives) and failures as httpx's
exception types, so retries, timeouts and error messages are the same on both.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import _http

__all__ = ["H1Pool", "Origin", "chunks", "request_for", "sendable", "translate"]

#: Idle connections are dropped before uvicorn's 5 s keep-alive would end them, so a
#: request is never sent on a socket the server is closing (as for the httpx clients).
KEEPALIVE_EXPIRY = 3.0
MAX_IDLE = 100
_READ_SIZE = 64 * 1024
#: Characters a request target or header name (value) may hold on the hot paths.
_PLAIN = re.compile(r"[\x21-\x7e]*")
_PLAIN_VALUE = re.compile(r"[\x20-\x7e]*")


@dataclass(frozen=True)
class Origin:
    """Where a pool connects: ``scheme://netloc`` and its parts."""

    url: str
    https: bool
    host: str
    port: int
    netloc: str

    @classmethod
    def of(cls, base_url: str) -> Origin:
        parts = urlsplit(base_url)
        https = parts.scheme == "https"
        return cls(
            f"{parts.scheme}://{parts.netloc}", https, parts.hostname or "",
            parts.port or (443 if https else 80), parts.netloc,
        )


def sendable(origin: str, url: str, headers: Mapping[str, str]) -> bool:
    """Whether a request to ``url`` on ``origin`` can go out exactly as given: a request
    target or header of other characters goes through httpx, which encodes or rejects
    it with its own errors."""
    if not url.startswith(origin):
        return False
    target = url[len(origin):]
    if not target.startswith("/") or not _PLAIN.fullmatch(target):
        return False
    # Joined, the strings match exactly when each of them does: two checks, not 2n.
    return bool(
        _PLAIN.fullmatch("".join(headers)) and _PLAIN_VALUE.fullmatch("".join(headers.values()))
    )


def chunks(response: _http.Response) -> Iterator[bytes]:
    """A response's body as it arrives: straight from the socket for a hot-path
    answer (it asked for no content encoding; httpx's layers per chunk cost more than
    reading it), through ``iter_bytes`` otherwise."""
    stream = response.stream
    if isinstance(stream, _Body) and "content-encoding" not in response.headers:
        return iter(stream)
    return response.iter_bytes()


class H1Pool:
    """Connections to one origin (scheme, host, port), reused while they stay alive."""

    def __init__(self, base_url: str, *, verify: bool) -> None:
        self._origin = Origin.of(base_url)
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: list[tuple[float, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()
        self._closed = False

    def accepts(self, url: str, headers: Mapping[str, str]) -> bool:
        """Whether this pool can send the request unchanged (else httpx does)."""
        return not self._closed and sendable(self._origin.url, url, headers)

    # -- requests --------------------------------------------------------------------

    def request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
        timeout: _http.Timeout,
    ) -> _http.Response:
        """Send one request and read its whole answer."""
        conn, answer = self._exchange(method, url, headers, body, timeout)
        try:
            content = answer.read()
        except BaseException as exc:
            conn.close()
            raise _translate(exc, "read") from None
        self._release(conn, answer)
        return _http.Response(
            answer.status, headers=answer.getheaders(), content=content,
            request=request_for(
                method, url, answer.status, answer.getheader("set-cookie") is not None
            ),
        )

    def stream(
        self, method: str, url: str, headers: Mapping[str, str], timeout: _http.Timeout
    ) -> _http.Response:
        """Send one request; the answer's body is read as the caller iterates it.

        Closing the response (from any thread) ends the read at once; a body read to
        its end gives the connection back to the pool.
        """
        conn, answer = self._exchange(method, url, headers, None, timeout)
        return _http.Response(
            answer.status, headers=answer.getheaders(), stream=_Body(self, conn, answer),
            request=request_for(
                method, url, answer.status, answer.getheader("set-cookie") is not None
            ),
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for _, conn in idle:
            conn.close()

    # -- connections -----------------------------------------------------------------

    def _exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
        timeout: _http.Timeout,
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        conn = self._acquire(timeout)
        sock = conn.sock
        assert sock is not None
        try:
            sock.settimeout(timeout.write)
            conn.request(method, url[len(self._origin.url):], body=body, headers=dict(headers))
        except BaseException as exc:
            conn.close()
            raise _translate(exc, "write") from None
        try:
            sock.settimeout(timeout.read)
            answer = conn.getresponse()
        except BaseException as exc:
            conn.close()
            raise _translate(exc, "read") from None
        return conn, answer

    def _acquire(self, timeout: _http.Timeout) -> http.client.HTTPConnection:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._idle:
                    break
                since, conn = self._idle.pop()
            if now - since < KEEPALIVE_EXPIRY and not _readable(conn):
                return conn
            conn.close()  # expired, or the server closed it (readable at EOF)
        return self._connect(timeout)

    def _connect(self, timeout: _http.Timeout) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        origin = self._origin
        if origin.https:
            if self._ssl is None:
                self._ssl = _http.create_ssl_context(verify=self._verify, trust_env=False)
            conn = http.client.HTTPSConnection(
                origin.host, origin.port, timeout=timeout.connect, context=self._ssl
            )
        else:
            conn = http.client.HTTPConnection(origin.host, origin.port, timeout=timeout.connect)
        try:
            conn.connect()
        except BaseException as exc:
            conn.close()
            raise _translate(exc, "connect") from None
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _release(
        self, conn: http.client.HTTPConnection, answer: http.client.HTTPResponse
    ) -> None:
        """Keep a connection whose answer was read to its end, unless it is closing."""
        if answer.will_close or conn.sock is None:
            conn.close()
            return
        with self._lock:
            if not self._closed and len(self._idle) < MAX_IDLE:
                self._idle.append((time.monotonic(), conn))
                return
        conn.close()


class _Body(_http.SyncByteStream):
    """A streamed answer's body: chunks as the socket delivers them."""

    def __init__(
        self, pool: H1Pool, conn: http.client.HTTPConnection, answer: http.client.HTTPResponse
    ) -> None:
        self._pool = pool
        self._conn = conn
        self._answer = answer
        self._sock = conn.sock
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        while not self._closed:
            try:
                chunk = self._answer.read1(_READ_SIZE)
            except BaseException as exc:
                if self._closed:
                    return  # closed from another thread: http.client fails any way it may
                self.close()
                raise _translate(exc, "read") from None
            if not chunk:
                break
            yield chunk
        if self._closed:
            return
        answer = self._answer
        # http.client ends a short body with b"" too: a Content-Length not reached, or
        # a chunked body cut inside a chunk (still open, no length), is a broken answer.
        if (answer.length or 0) > 0 or (answer.length is None and not answer.isclosed()):
            self.close()
            raise _http.RemoteProtocolError("the answer ended before its body did")
        self._closed = True
        answer.close()  # a Content-Length body read to its end is not closed yet
        self._pool._release(self._conn, answer)

    def close(self) -> None:
        """End the body; a read blocked in another thread returns at once."""
        if self._closed:
            return
        self._closed = True
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._conn.close()


def request_for(method: str, url: str, status: int, sets_cookie: bool) -> _http.Request | None:
    """The request an answer needs attached: only errors and answers setting cookies
    use it (building one parses the URL again, a third of a hot path's CPU)."""
    if status < 300 and not sets_cookie:
        return None
    return _http.Request(method, url)


def _readable(conn: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed by the server (or
    sent garbage): either way it cannot carry another request."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


def _translate(exc: BaseException, phase: str) -> BaseException:
    return translate(exc, phase, (http.client.HTTPException, ssl.SSLError, ValueError))


def translate(
    exc: BaseException, phase: str, protocol_errors: tuple[type[Exception], ...]
) -> BaseException:
    """httpx's exception for a failure in ``phase`` (connect, write or read) of a hot
    path; ``protocol_errors`` are its HTTP library's errors for a malformed answer.
    Cancellation and httpx's own exceptions pass through unchanged."""
    if not isinstance(exc, Exception) or isinstance(exc, _http.HTTPError):
        return exc
    if isinstance(exc, TimeoutError):  # socket.timeout and asyncio's, too
        kinds = {
            "connect": _http.ConnectTimeout, "write": _http.WriteTimeout,
            "read": _http.ReadTimeout,
        }
        return kinds[phase](f"timed out ({phase})")
    if phase == "connect":
        return _http.ConnectError(type(exc).__name__)
    if isinstance(exc, protocol_errors):
        return _http.RemoteProtocolError(type(exc).__name__)
    if isinstance(exc, OSError):
        kind = _http.WriteError if phase == "write" else _http.ReadError
        return kind(type(exc).__name__)
    return exc
