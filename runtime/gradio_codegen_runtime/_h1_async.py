"""Kept-alive HTTP/1.1 connections over asyncio for the async client's hot path: the
queue join (a POST) and the event stream (a GET) of every call.

httpx's async stack (anyio cancel scopes, httpcore's pool, sniffio lookups, h11) costs
several times the CPU of these two requests over a bare asyncio protocol. Here bytes
are parsed (httptools, ``_wire``) in the event loop's callback as they arrive, with no
stream buffer in between, and a caller waits, with a plain timer for its timeout, only
when its answer needs more. Everything else (config, login, cancel, uploads, custom
transports) stays on httpx. As in ``_h1``, responses are ``httpx.Response`` objects and
failures are httpx's exception types.

Connections belong to the event loop that opened them; a pool used from another loop
(``asyncio.run`` called twice) drops the old loop's connections.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Protocol, TypeVar, cast

from . import _http
from ._wire import KEEPALIVE_EXPIRY, MAX_IDLE, Answer, Origin, request_bytes, response
from ._wire import sendable, translate

__all__ = ["AsyncH1Pool", "Feed", "achunks"]

_READ_SIZE = 64 * 1024
#: Body bytes a connection holds for a slow reader before it stops reading the socket.
_HIGH_WATER = 256 * 1024
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


class _Conn(asyncio.BufferedProtocol):
    """One connection: the transport reads into one buffer for good (a plain protocol
    gets a fresh 256 KiB ``bytes`` per read, a large share of a call's CPU), and the
    answer in progress is fed from there."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._buffer = memoryview(bytearray(_READ_SIZE))
        self.transport: asyncio.Transport | None = None
        self._answer: Answer | None = None
        #: A malformed answer, or the error the connection was lost with.
        self._error: BaseException | None = None
        self._ended = False  # the server closed its side, or the connection is gone
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None  # set while writing is paused
        self._paused = False
        self._pending: asyncio.Future[None] | None = None  # what _wait waits for
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        #: Handles the whole answer in callbacks (``AsyncH1Pool.feed``).
        self._piped: _Piped | None = None

    # -- protocol callbacks ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        answer = self._answer
        if answer is None:
            self._ended = True  # bytes on an idle connection: it cannot be reused
            return
        try:
            answer.feed(self._buffer[:nbytes])  # the parser copies what it keeps
        except Exception as exc:
            self._error = exc
        if self._piped is not None:
            self._piped.update()
            return
        if answer.pending > _HIGH_WATER and not self._paused and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool | None:
        self._ended = True
        self._wake()
        if self._piped is not None:
            self._piped.update()
        return None  # let the transport close

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        if exc is not None and self._error is None:
            self._error = exc
        self._wake()
        self.resume_writing()
        if self._piped is not None:
            self._piped.update()

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    # -- use ---------------------------------------------------------------------------

    def reusable(self) -> bool:
        """Still open, and nothing arrived while idle (an EOF or reset means the server
        closed it)."""
        return (
            self.loop is asyncio.get_running_loop() and not self._ended
            and self._error is None and self.transport is not None
            and not self.transport.is_closing()
        )

    async def send(self, data: bytes, answer: Answer, timeout: float | None) -> None:
        """Write a request whose answer goes to ``answer``; wait (at most ``timeout``)
        only if the kernel did not take every byte."""
        self._answer = answer
        assert self.transport is not None
        self.transport.write(data)
        if self._writable is not None:
            await self._wait(self._writable, timeout)
        if self._ended and self._error is not None:
            raise self._error

    async def receive(self, timeout: float | None) -> None:
        """Wait (at most ``timeout``) until the answer has more, or fails."""
        if self._error is not None:
            raise self._error
        answer = self._answer
        assert answer is not None
        if self._ended:
            answer.feed(b"")  # the answer is whole, or this raises
            return
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        self._waiter = self.loop.create_future()
        try:
            await self._wait(self._waiter, timeout)
        finally:
            self._waiter = None
        if self._error is not None:
            raise self._error

    def finish(self) -> None:
        """The answer was read to its end: the connection is idle, and reads again if
        a slow reader had paused it (to see the server close it, and for a feed)."""
        self._answer = None
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()

    def close(self) -> None:
        """Drop the socket at once: nothing is left to flush on a connection given up
        on, and a graceful (TLS) shutdown would need an await with its own deadline."""
        self._ended = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.transport is not None:
            try:
                self.transport.abort()
            except RuntimeError:
                pass  # its event loop is closed already

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self, future: asyncio.Future[None], timeout: float | None) -> None:
        """``future``, failed with ``TimeoutError`` after ``timeout`` seconds.

        One timer per connection, moved only when it fires early: a wait is usually a
        few milliseconds against a timeout of seconds, and a timer armed and cancelled
        per wait (or ``asyncio.timeout``) cost a tenth of a call's CPU.
        """
        if timeout is None:
            await future
            return
        self._pending = future
        self.arm(timeout)
        try:
            await future
        finally:
            self._pending = None

    def _check_deadline(self) -> None:
        self._timer = None
        pending = self._pending
        piped = self._piped
        if (pending is None or pending.done()) and piped is None:
            return  # nothing waits: the next wait arms a timer again
        if self.loop.time() < self._deadline:
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)
        elif piped is not None:
            piped.fail(_http.ReadTimeout("timed out (read)"))
        elif pending is not None:
            pending.set_exception(TimeoutError())

    def arm(self, timeout: float) -> None:
        """Fail what waits on this connection if nothing arrives for ``timeout`` s."""
        deadline = self._deadline = self.loop.time() + timeout
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self.loop.call_at(deadline, self._check_deadline)


class AsyncH1Pool:
    """Connections to one origin (scheme, host, port), reused while they stay alive."""

    def __init__(self, base_url: str, *, verify: bool | ssl.SSLContext) -> None:
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
                await conn.receive(timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, "read") from None
        self._release(conn, answer)
        return response(method, url, answer)

    async def stream(
        self, method: str, url: str, headers: Mapping[str, str], timeout: _http.Timeout
    ) -> _http.Response:
        """Send one request; the answer's body is read as the caller iterates it. A body
        read to its end gives the connection back to the pool; ``aclose`` (or a
        cancelled read) drops it."""
        conn, answer = await self._exchange(method, url, headers, None, timeout)
        return response(method, url, answer, _Body(self, conn, answer, timeout.read))

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
        answer = Answer()
        phase = "write"
        try:
            await conn.send(data, answer, timeout.write)
            phase = "read"
            while not answer.head:
                await conn.receive(timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, phase) from None
        return conn, answer

    def feed(
        self, url: str, headers: Mapping[str, str], timeout: float | None, feed: Feed
    ) -> _Piped | None:
        """GET ``url`` on an idle kept-alive connection, its answer handled by ``feed``
        in the connection's read callbacks: no task waits or wakes for it. A silence
        of ``timeout`` seconds fails it. None, with nothing sent, when no connection
        is idle; the returned handle's ``close`` stops it."""
        conn = self._reuse()
        if conn is None:
            return None
        origin = self._origin
        piped = _Piped(self, conn, feed, timeout, url)
        conn._answer, conn._piped = piped.answer, piped
        assert conn.transport is not None
        # A failed write reaches the feed through connection_lost, never from here.
        conn.transport.write(
            request_bytes("GET", url[len(origin.url):], origin.netloc, headers, None)
        )
        if timeout is not None:
            conn.arm(timeout)
        return piped

    def _reuse(self) -> _Conn | None:
        now = time.monotonic()
        while self._idle:
            since, conn = self._idle.pop()
            if now - since < KEEPALIVE_EXPIRY and conn.reusable():
                return conn
            conn.close()
        return None

    async def _acquire(self, timeout: _http.Timeout) -> _Conn:
        return self._reuse() or await self._connect(timeout)

    async def _connect(self, timeout: _http.Timeout) -> _Conn:
        origin = self._origin
        context: ssl.SSLContext | None = None
        if origin.https:
            if self._ssl is None:
                self._ssl = _http.create_ssl_context(verify=self._verify, trust_env=False)
            context = self._ssl
        loop = asyncio.get_running_loop()
        try:
            _, conn = await _within(
                loop.create_connection(
                    lambda: _Conn(loop), origin.host, origin.port, ssl=context,
                    server_hostname=origin.host if context else None,
                ),
                timeout.connect,
            )
        except BaseException as exc:
            raise translate(exc, "connect") from None
        return conn

    def _release(self, conn: _Conn, answer: Answer) -> None:
        """Keep a connection whose answer was read to its end, unless it is closing."""
        if not answer.reusable or self._closed or len(self._idle) >= MAX_IDLE:
            conn.close()
            return
        conn.finish()
        self._idle.append((time.monotonic(), conn))


class Feed(Protocol):
    """Takes an answer in the event loop's read callbacks (``AsyncH1Pool.feed``)."""

    def head(self, answer: Answer) -> bool:
        """The head arrived: True takes the body here (``chunk``, then ``end``); False
        hands the answer to ``takeover`` instead."""

    def chunk(self, data: bytes) -> None:
        """Body bytes as they arrive; what this raises ends the feed with it."""

    def end(self, error: BaseException | None) -> None:
        """The body ended (None, the connection went back to the pool), or the feed
        failed: httpx's exception for a broken or silent connection, or what
        ``chunk`` raised."""

    def takeover(self, response: _http.Response) -> None:
        """The answer as ``AsyncH1Pool.stream`` returns it, body still to be read."""


class _Piped:
    """One answer fed to a ``Feed`` from its connection's callbacks."""

    __slots__ = ("_pool", "_conn", "answer", "_feed", "_timeout", "_url", "_headed")

    def __init__(
        self, pool: AsyncH1Pool, conn: _Conn, feed: Feed, timeout: float | None, url: str
    ) -> None:
        self._pool, self._conn, self._feed = pool, conn, feed
        self.answer = Answer()
        self._timeout, self._url = timeout, url
        self._headed = False

    def update(self) -> None:
        """The connection read, ended or broke: move the feed on."""
        conn, answer = self._conn, self.answer
        error = conn._error
        if error is None and conn._ended and not answer.done:
            try:
                answer.feed(b"")  # the end of an until-close body, or a broken answer
            except Exception as exc:
                error = exc
        if error is not None:
            self.fail(translate(error, "read"))
            return
        if self._timeout is not None:
            conn._deadline = conn.loop.time() + self._timeout  # it read something
        if not self._headed:
            if not answer.head:
                return
            self._headed = True
            if not self._feed.head(answer):
                conn._piped = None
                body = _Body(self._pool, conn, answer, self._timeout)
                self._feed.takeover(response("GET", self._url, answer, body))
                return
        chunk = answer.take()
        if chunk:
            try:
                self._feed.chunk(chunk)
            except Exception as exc:
                self.fail(exc)
                return
        if answer.done:
            conn._piped = None
            self._pool._release(conn, answer)
            self._feed.end(None)  # last: it may start the next answer on this connection

    def fail(self, error: BaseException) -> None:
        if self._conn._piped is self:
            self._conn._piped = None
            self._conn.close()
            self._feed.end(error)

    def close(self) -> None:
        """Stop feeding and drop the connection; the feed hears nothing more."""
        if self._conn._piped is self:
            self._conn._piped = None
            self._conn.close()


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
                await self._conn.receive(self._timeout)
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
