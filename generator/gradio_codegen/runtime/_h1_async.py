"""Kept-alive HTTP/1.1 connections over asyncio streams and h11 for the async client's
hot path: the queue join (a POST) and the event stream (a GET) of every call.

httpx's async stack (anyio cancel scopes, httpcore's pool, sniffio lookups) costs about
2.3x the CPU of h11 over plain asyncio streams for these two requests. Everything else
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
from typing import Any, TypeVar

import h11

from . import _http
from ._h1 import KEEPALIVE_EXPIRY, MAX_IDLE, Origin, request_for, sendable, translate

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
    """One socket and its h11 state machine."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.loop = loop
        self.h11 = h11.Connection(h11.CLIENT)

    def reusable(self) -> bool:
        """Still open, and nothing arrived while idle (an EOF or reset means the server
        closed it)."""
        return (
            self.loop is asyncio.get_running_loop()
            and not self.writer.is_closing()
            and not self.reader.at_eof()
            and self.reader.exception() is None
        )

    async def send(self, request: h11.Request, body: bytes | None, timeout: float | None) -> None:
        data = self.h11.send(request) or b""
        if body:
            data += self.h11.send(h11.Data(data=body)) or b""
        data += self.h11.send(h11.EndOfMessage()) or b""
        self.writer.write(data)
        transport = self.writer.transport
        # Usually the kernel took every byte at once: then there is nothing to wait for
        # (and no timer to arm); a failed write has closed the transport, and drain()
        # raises its error.
        if transport.get_write_buffer_size() or transport.is_closing():
            await _within(self.writer.drain(), timeout)

    async def next_event(self, timeout: float | None) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            self.h11.receive_data(await _within(self.reader.read(_READ_SIZE), timeout))

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
        self._host_header = self._origin.netloc.encode("ascii")
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
        chunks: list[bytes] = []
        try:
            while True:
                event = await conn.next_event(timeout.read)
                if isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise _http.RemoteProtocolError("the server closed the connection early")
        except BaseException as exc:
            conn.close()
            raise _translate(exc, "read") from None
        self._release(conn)
        return _response(method, url, answer, content=b"".join(chunks))

    async def stream(
        self, method: str, url: str, headers: Mapping[str, str], timeout: _http.Timeout
    ) -> _http.Response:
        """Send one request; the answer's body is read as the caller iterates it. A body
        read to its end gives the connection back to the pool; ``aclose`` (or a
        cancelled read) drops it."""
        conn, answer = await self._exchange(method, url, headers, None, timeout)
        return _response(method, url, answer, stream=_Body(self, conn, timeout.read))

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for _, conn in idle:
            conn.close()

    # -- connections -----------------------------------------------------------------

    async def _exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
        timeout: _http.Timeout,
    ) -> tuple[_Conn, h11.Response]:
        conn = await self._acquire(timeout)
        fields = [(b"host", self._host_header), (b"accept-encoding", b"identity")]
        fields += [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]
        if body is not None:
            fields.append((b"content-length", str(len(body)).encode("ascii")))
        phase = "write"
        try:
            request = h11.Request(method=method, target=url[len(self._origin.url):], headers=fields)
            await conn.send(request, body, timeout.write)
            phase = "read"
            while True:
                event = await conn.next_event(timeout.read)
                if isinstance(event, h11.Response):
                    return conn, event
                if isinstance(event, h11.ConnectionClosed):
                    raise _http.RemoteProtocolError("the server closed the connection")
                # 1xx informational answers come before the real one: skip them.
        except BaseException as exc:
            conn.close()
            raise _translate(exc, phase) from None

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
            raise _translate(exc, "connect") from None
        return _Conn(reader, writer, asyncio.get_running_loop())

    def _release(self, conn: _Conn) -> None:
        """Keep a connection whose exchange ended cleanly, unless it must close."""
        state = conn.h11
        if (
            self._closed or state.our_state is not h11.DONE
            or state.their_state is not h11.DONE or len(self._idle) >= MAX_IDLE
        ):
            conn.close()
            return
        state.start_next_cycle()
        self._idle.append((time.monotonic(), conn))


class _Body(_http.AsyncByteStream):
    """A streamed answer's body: chunks as the socket delivers them."""

    def __init__(self, pool: AsyncH1Pool, conn: _Conn, timeout: float | None) -> None:
        self._pool = pool
        self._conn = conn
        self._timeout = timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self._done:
            try:
                event = await self._conn.next_event(self._timeout)
            except BaseException as exc:
                await self.aclose()
                raise _translate(exc, "read") from None
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
                self._pool._release(self._conn)
            elif isinstance(event, h11.ConnectionClosed):
                await self.aclose()
                raise _http.RemoteProtocolError("the server closed the connection early")

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


def _response(method: str, url: str, answer: h11.Response, **body: Any) -> _http.Response:
    """An httpx response, with its request only where ``request_for`` says."""
    headers = list(answer.headers)
    sets_cookie = any(k == b"set-cookie" for k, _ in headers)
    return _http.Response(
        answer.status_code, headers=headers,
        request=request_for(method, url, answer.status_code, sets_cookie), **body,
    )


def _translate(exc: BaseException, phase: str) -> BaseException:
    if isinstance(exc, h11.LocalProtocolError):
        return _http.LocalProtocolError(type(exc).__name__)
    return translate(exc, phase, (h11.RemoteProtocolError, ssl.SSLError, ValueError))
