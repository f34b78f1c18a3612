"""Kept-alive HTTP/1.1 connections over asyncio streams for the async client's hot
path: the queue join (a POST) and the event stream (a GET) of every call.

httpx's async stack (anyio cancel scopes, httpcore's pool, sniffio lookups, h11) costs
several times the CPU of plain asyncio streams and httptools' parser (``_wire``) for
these two requests. Everything else
(config, login, cancel, files, custom transports) stays on httpx. As in ``_h1``,
responses are ``httpx.Response`` objects and failures are httpx's exception types.

Connections belong to the event loop that opened them; a pool used from another loop
(``asyncio.run`` called twice) drops the old loop's connections.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import TypeVar

from . import _http
from ._wire import KEEPALIVE_EXPIRY, MAX_IDLE, Answer, Origin, request_bytes, request_for
from ._wire import sendable, translate

__all__ = ["AsyncH1Pool", "achunks"]

_READ_SIZE = 64 * 1024
_T = TypeVar("_T")


async def _within(awaitable: Awaitable[_T], seconds: float | None) -> _T:
    if seconds is None:
        return await awaitable
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    try:  # pragma: no cover - Python 3.10
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:  # not yet the builtin TimeoutError before 3.11
        raise TimeoutError from None


class _Conn:
    """One socket's streams."""

    __slots__ = ("reader", "writer", "loop")

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.loop = loop

    def reusable(self) -> bool:
        """Still open, and nothing arrived while idle (an EOF or reset means the server
        closed it)."""
        return (
            self.loop is asyncio.get_running_loop()
            and not self.writer.is_closing()
            and not self.reader.at_eof()
            and self.reader.exception() is None
        )

    async def send(self, data: bytes, timeout: float | None) -> None:
        self.writer.write(data)
        transport = self.writer.transport
        # Usually the kernel took every byte at once: then there is nothing to wait for
        # (and no timer to arm); a failed write has closed the transport, and drain()
        # raises its error.
        if transport.get_write_buffer_size() or transport.is_closing():
            await _within(self.writer.drain(), timeout)

    async def receive(self, answer: Answer, timeout: float | None) -> None:
        """Read what the socket has (waiting at most ``timeout``) into ``answer``."""
        answer.feed(await _within(self.reader.read(_READ_SIZE), timeout))

    def close(self) -> None:
        """Drop the socket at once: nothing is left to flush on a connection given up
        on, and a graceful (TLS) shutdown would need an await with its own deadline."""
        try:
            self.writer.transport.abort()
        except RuntimeError:
            pass  # its event loop is closed already


class AsyncH1Pool:
    """Connections to one origin (scheme, host, port), reused while they stay alive."""

    def __init__(self, base_url: str, *, verify: bool) -> None:
        self._origin = Origin.of(base_url)
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: list[tuple[float, _Conn]] = []
        self._closed = False

    def accepts(self, url: str, headers: Mapping[str, str]) -> bool:
        """Whether this pool can send the request unchanged (else httpx does)."""
        return not self._closed and sendable(self._origin.url, url, headers)

    async def request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
        timeout: _http.Timeout,
    ) -> _http.Response:
        """Send one request and read its whole answer."""
        conn, answer = await self._exchange(method, url, headers, body, timeout)
        try:
            while not answer.done:
                await conn.receive(answer, timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, "read") from None
        self._release(conn, answer)
        return _http.Response(
            answer.status, headers=answer.headers, content=answer.take(),
            request=request_for(method, url, answer.status, answer.headers),
        )

    async def stream(
        self, method: str, url: str, headers: Mapping[str, str], timeout: _http.Timeout
    ) -> _http.Response:
        """Send one request; the answer's body is read as the caller iterates it. A body
        read to its end gives the connection back to the pool; ``aclose`` (or a
        cancelled read) drops it."""
        conn, answer = await self._exchange(method, url, headers, None, timeout)
        return _http.Response(
            answer.status, headers=answer.headers,
            stream=_Body(self, conn, answer, timeout.read),
            request=request_for(method, url, answer.status, answer.headers),
        )

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for _, conn in idle:
            conn.close()

    # -- connections -----------------------------------------------------------------

    async def _exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
        timeout: _http.Timeout,
    ) -> tuple[_Conn, Answer]:
        """Send the request and read the answer's head."""
        origin = self._origin
        data = request_bytes(method, url[len(origin.url):], origin.netloc, headers, body)
        conn = await self._acquire(timeout)
        phase = "write"
        try:
            await conn.send(data, timeout.write)
            phase = "read"
            answer = Answer()
            while not answer.head:
                await conn.receive(answer, timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, phase) from None
        return conn, answer

    async def _acquire(self, timeout: _http.Timeout) -> _Conn:
        now = time.monotonic()
        while self._idle:
            since, conn = self._idle.pop()
            if now - since < KEEPALIVE_EXPIRY and conn.reusable():
                return conn
            conn.close()
        return await self._connect(timeout)

    async def _connect(self, timeout: _http.Timeout) -> _Conn:
        origin = self._origin
        context: ssl.SSLContext | None = None
        if origin.https:
            if self._ssl is None:
                self._ssl = _http.create_ssl_context(verify=self._verify, trust_env=False)
            context = self._ssl
        try:
            reader, writer = await _within(
                asyncio.open_connection(
                    origin.host, origin.port, ssl=context,
                    server_hostname=origin.host if context else None, limit=_READ_SIZE * 4,
                ),
                timeout.connect,
            )
        except BaseException as exc:
            raise translate(exc, "connect") from None
        return _Conn(reader, writer, asyncio.get_running_loop())

    def _release(self, conn: _Conn, answer: Answer) -> None:
        """Keep a connection whose answer was read to its end, unless it is closing."""
        if not answer.reusable or self._closed or len(self._idle) >= MAX_IDLE:
            conn.close()
            return
        self._idle.append((time.monotonic(), conn))


class _Body(_http.AsyncByteStream):
    """A streamed answer's body: chunks as the socket delivers them."""

    def __init__(
        self, pool: AsyncH1Pool, conn: _Conn, answer: Answer, timeout: float | None
    ) -> None:
        self._pool = pool
        self._conn = conn
        self._answer = answer
        self._timeout = timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        answer = self._answer
        while not self._done:
            chunk = answer.take()  # the first may have come with the head
            if chunk:
                yield chunk
                continue
            if answer.done:
                self._done = True
                self._pool._release(self._conn, answer)
                return
            try:
                await self._conn.receive(answer, self._timeout)
            except BaseException as exc:
                await self.aclose()
                raise translate(exc, "read") from None

    async def aclose(self) -> None:
        if not self._done:
            self._done = True
            self._conn.close()


def achunks(response: _http.Response) -> AsyncIterator[bytes]:
    """Async twin of ``_h1.chunks``."""
    stream = response.stream
    if isinstance(stream, _Body) and "content-encoding" not in response.headers:
        return stream.__aiter__()
    return response.aiter_bytes()
