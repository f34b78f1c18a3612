"""Kept-alive HTTP/1.1 connections over plain sockets for the sync client's hot path.

Every call makes two requests: it joins the queue (a POST) and reads the event stream
(a GET). Through ``httpx.Client`` these cost about 2.5 ms of CPU per call on a 2-core
machine; over a socket with httptools' parser (``_wire``) a fraction of that. This pool
serves only those two requests of the sync client and same-app downloads; everything
else (config, login, cancel, uploads, custom transports) stays on httpx.

Callers cannot tell the paths apart: responses come back as ``httpx.Response`` objects
(a stream's body is read from the socket as it arrives) and failures as httpx's
exception types, so retries, timeouts and error messages are the same on both.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping

from . import _http
from ._wire import KEEPALIVE_EXPIRY, MAX_IDLE, Answer, Origin, request_bytes, response
from ._wire import sendable, translate

__all__ = ["H1Pool", "chunks"]

_READ_SIZE = 64 * 1024


def chunks(response: _http.Response) -> Iterator[bytes]:
    """A response's body as it arrives: straight from the socket for a hot-path
    answer (it asked for no content encoding; httpx's layers per chunk cost more than
    reading it), through ``iter_bytes`` otherwise."""
    stream = response.stream
    if isinstance(stream, _Body) and "content-encoding" not in response.headers:
        return iter(stream)
    return response.iter_bytes()


class _Conn:
    """One socket, the buffer it is read into (``recv`` would allocate one per read),
    and the timeout it was last given (setting one is a system call)."""

    __slots__ = ("sock", "_buffer", "_timeout")

    def __init__(self, sock: socket.socket, timeout: float | None) -> None:
        self.sock = sock
        self._buffer = memoryview(bytearray(_READ_SIZE))
        self._timeout = timeout

    def send(self, data: bytes, timeout: float | None) -> None:
        self._set_timeout(timeout)
        self.sock.sendall(data)

    def receive(self, answer: Answer, timeout: float | None) -> None:
        """Read what the socket has (waiting at most ``timeout``) into ``answer``."""
        self._set_timeout(timeout)
        answer.feed(self._buffer[: self.sock.recv_into(self._buffer)])  # the parser copies

    def idle_readable(self) -> bool:
        """An idle connection with something to read has been closed by the server (or
        sent garbage): either way it cannot carry another request."""
        try:
            ready, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(ready)

    def close(self) -> None:
        self.sock.close()

    def _set_timeout(self, timeout: float | None) -> None:
        if timeout != self._timeout:
            self.sock.settimeout(timeout)
            self._timeout = timeout


class H1Pool:
    """Connections to one origin (scheme, host, port), reused while they stay alive."""

    def __init__(self, base_url: str, *, verify: bool | ssl.SSLContext) -> None:
        self._origin = Origin.of(base_url)
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: list[tuple[float, _Conn]] = []
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
            while not answer.done:
                conn.receive(answer, timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, "read") from None
        self._release(conn, answer)
        return response(method, url, answer)

    def stream(
        self, method: str, url: str, headers: Mapping[str, str], timeout: _http.Timeout
    ) -> _http.Response:
        """Send one request; the answer's body is read as the caller iterates it.

        Closing the response (from any thread) ends the read at once; a body read to
        its end gives the connection back to the pool.
        """
        conn, answer = self._exchange(method, url, headers, None, timeout)
        return response(method, url, answer, _Body(self, conn, answer, timeout.read))

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
    ) -> tuple[_Conn, Answer]:
        """Send the request and read the answer's head."""
        origin = self._origin
        data = request_bytes(method, url[len(origin.url):], origin.netloc, headers, body)
        conn = self._acquire(timeout)
        try:
            conn.send(data, timeout.write)
        except BaseException as exc:
            conn.close()
            raise translate(exc, "write") from None
        answer = Answer()
        try:
            while not answer.head:
                conn.receive(answer, timeout.read)
        except BaseException as exc:
            conn.close()
            raise translate(exc, "read") from None
        return conn, answer

    def _acquire(self, timeout: _http.Timeout) -> _Conn:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._idle:
                    break
                since, conn = self._idle.pop()
            if now - since < KEEPALIVE_EXPIRY and not conn.idle_readable():
                return conn
            conn.close()  # expired, or the server closed it (readable at EOF)
        return self._connect(timeout)

    def _connect(self, timeout: _http.Timeout) -> _Conn:
        origin = self._origin
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout.connect)
        except BaseException as exc:
            raise translate(exc, "connect") from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.https:
                if self._ssl is None:
                    self._ssl = _http.create_ssl_context(verify=self._verify, trust_env=False)
                sock = self._ssl.wrap_socket(sock, server_hostname=origin.host)
        except BaseException as exc:
            sock.close()
            raise translate(exc, "connect") from None
        return _Conn(sock, timeout.connect)

    def _release(self, conn: _Conn, answer: Answer) -> None:
        """Keep a connection whose answer was read to its end, unless it is closing."""
        if answer.reusable:
            with self._lock:
                if not self._closed and len(self._idle) < MAX_IDLE:
                    self._idle.append((time.monotonic(), conn))
                    return
        conn.close()


class _Body(_http.SyncByteStream):
    """A streamed answer's body: chunks as the socket delivers them."""

    def __init__(self, pool: H1Pool, conn: _Conn, answer: Answer, timeout: float | None) -> None:
        self._pool = pool
        self._conn = conn
        self._answer = answer
        self._timeout = timeout
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        answer = self._answer
        while not self._closed:
            chunk = answer.take()  # the first may have come with the head
            if chunk:
                yield chunk
                continue
            if answer.done:
                self._closed = True
                self._pool._release(self._conn, answer)
                return
            try:
                self._conn.receive(answer, self._timeout)
            except BaseException as exc:
                if self._closed:
                    return  # closed from another thread: the read fails any way it may
                self.close()
                raise translate(exc, "read") from None

    def close(self) -> None:
        """End the body; a read blocked in another thread returns at once."""
        if self._closed:
            return
        self._closed = True
        try:
            self._conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._conn.close()
