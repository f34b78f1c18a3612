"""A fault-injecting TCP proxy for HTTP/1.1 between the runtime and a real server.

The proxy runs an asyncio loop in one background thread on 127.0.0.1. It parses each
request head the client sends (keep-alive connections carry several), logs it, and
applies the first matching ``Rule``: answer with a synthesized response, reset the
connection before or after forwarding the request, or alter the response (stall it,
cut it mid-line, reset it, inject SSE chunks, or trickle it slowly). A cut can keep
the server's side of the connection open (``Rule.hold``), so the client sees the break
before the server does, and a request can be paused until the test lets it go. Tests
wait on ``Proxy.wait_for`` (a condition variable), never on sleeps.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Coroutine, Literal

Action = Literal[
    "respond",  # answer with ``response`` without contacting the server
    "reset_before",  # RST the client connection before forwarding the request
    "reset_after",  # forward the request, then RST without answering
    "stall",  # forward the response head, then send nothing more (connection stays open)
    "cut",  # forward the body up to the middle of the first line containing ``marker``
    "reset_stream",  # like ``cut`` but RST instead of a clean close
    "inject",  # send ``inject`` as chunked-body chunks right after the response head
    "slow",  # forward the response in ``slow_bytes`` pieces, ``slow_delay`` apart
    "pause",  # forward the request only after ``Proxy.release_held()``
]


@dataclass
class Rule:
    """A fault for requests whose request line contains ``match``."""

    match: str
    action: Action
    times: int = 1  # how many matching requests it applies to (-1: all)
    response: bytes = b""
    marker: bytes = b"process_"
    inject: tuple[bytes, ...] = ()
    slow_bytes: int = 7
    slow_delay: float = 0.001
    #: With ``cut``/``reset_stream``: keep the server's side of the connection open
    #: (reading and discarding what it sends) until ``Proxy.release_held()``, so the
    #: server goes on serving a client that is already gone.
    hold: bool = False
    hits: int = 0


@dataclass
class Request:
    """One request head the proxy saw."""

    conn_id: int
    method: str
    target: str
    headers: dict[str, str]
    raw_head: bytes
    body: bytes = b""


def http_response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response (the connection is closed after it)."""
    reason = {200: "OK", 429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "X")
    head = [f"HTTP/1.1 {status} {reason}", f"content-length: {len(body)}", "connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def chunk(payload: bytes) -> bytes:
    """``payload`` framed as one HTTP chunk."""
    return f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


@dataclass
class _Conn:
    conn_id: int
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    mode: Rule | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Proxy:
    """Fault-injecting proxy to ``127.0.0.1:upstream_port``; ``url`` is its address."""

    def __init__(self, upstream_port: int, tls: ssl.SSLContext | None = None) -> None:
        self.upstream_port = upstream_port
        #: With a server-side TLS context the proxy terminates TLS (``https://`` URL).
        self.tls = tls
        self.rules: list[Rule] = []
        self.requests: list[Request] = []
        self.stalled = threading.Event()
        #: Set once a ``hold`` rule cut a client off while keeping the server side open.
        self.held = threading.Event()
        #: Set once a ``pause`` rule holds back a request.
        self.paused = threading.Event()
        self._cond = threading.Condition()
        self._conns: dict[int, _Conn] = {}
        self._next_id = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        self.port = self._call(self._listen(0))

    # -- control (from the test thread) ----------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def add(self, rule: Rule) -> Rule:
        with self._cond:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._cond:
            self.rules.clear()
            self.requests.clear()
        self.stalled.clear()

    def seen(self, needle: str) -> list[Request]:
        """Requests whose request line contains ``needle``."""
        with self._cond:
            return [r for r in self.requests if needle in f"{r.method} {r.target}"]

    def open_connections(self) -> int:
        with self._cond:
            return len(self._conns)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Block until ``predicate()`` (evaluated on every proxy event) holds."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def refuse(self) -> None:
        """Stop listening: new connections are refused by the OS."""
        self._call(self._stop_listening())

    def accept(self) -> None:
        """Listen again on the same port."""
        self._call(self._listen(self.port))

    def drop_all(self) -> None:
        """Reset every open connection."""
        self._call(self._drop_all())

    def release_held(self) -> None:
        """Close the server side of connections kept open by ``Rule.hold`` and
        forward the requests held back by ``pause``."""
        self._call(self._release_held())

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._shutdown.set)
        self._call(self._stop_listening())
        self._call(self._drop_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _call(self, coro: Coroutine[Any, Any, int]) -> int:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=30)

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # -- the loop side ----------------------------------------------------------------

    async def _listen(self, port: int) -> int:
        if not hasattr(self, "_shutdown"):
            self._shutdown = asyncio.Event()
            self._unhold = asyncio.Event()
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", port, reuse_address=True, limit=1 << 20, ssl=self.tls
        )
        sock = self._server.sockets[0]
        return int(sock.getsockname()[1])

    async def _stop_listening(self) -> int:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        return 0

    async def _drop_all(self) -> int:
        await self._release_held()
        self._shutdown.set()
        self._shutdown = asyncio.Event()
        for conn in list(self._conns.values()):
            _reset(conn.client)
            if conn.server is not None:
                _reset(conn.server)
        return 0

    async def _release_held(self) -> int:
        self._unhold.set()
        self._unhold = asyncio.Event()
        return 0

    def _match(self, line: str) -> Rule | None:
        with self._cond:
            for rule in self.rules:
                if rule.match in line and (rule.times < 0 or rule.hits < rule.times):
                    rule.hits += 1
                    return rule
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._cond:
            self._next_id += 1
            conn = _Conn(self._next_id, writer)
            self._conns[conn.conn_id] = conn
            self._cond.notify_all()
        try:
            await self._client_side(conn, reader)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            kept = conn.mode is not None and (conn.mode.action == "stall" or conn.mode.hold)
            if conn.server is not None and not kept:
                _close(conn.server)  # ends the server-side pump
            for task in conn.tasks:
                await asyncio.gather(task, return_exceptions=True)
            _close(writer)
            if conn.server is not None:
                _close(conn.server)
            with self._cond:
                self._conns.pop(conn.conn_id, None)
                self._cond.notify_all()

    async def _client_side(self, conn: _Conn, reader: asyncio.StreamReader) -> None:
        server_reader: asyncio.StreamReader | None = None
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            lines = head.decode("latin-1").split("\r\n")
            method, target = (lines[0].split(" ") + ["", ""])[:2]
            headers = {}
            for item in lines[1:]:
                if ":" in item:
                    key, _, value = item.partition(":")
                    headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            request = Request(conn.conn_id, method, target, headers, head, body)
            with self._cond:
                self.requests.append(request)
                self._cond.notify_all()
            rule = self._match(f"{method} {target}")
            if rule is not None and rule.action == "respond":
                conn.client.write(rule.response)
                await conn.client.drain()
                break
            if rule is not None and rule.action == "reset_before":
                _reset(conn.client)
                break
            if rule is not None and rule.action == "pause":
                release = self._unhold
                self.paused.set()
                self._notify()
                await release.wait()
            if conn.server is None:
                server_reader, conn.server = await asyncio.open_connection(
                    "127.0.0.1", self.upstream_port, limit=1 << 20
                )
                assert server_reader is not None
                conn.tasks.append(asyncio.ensure_future(self._server_side(conn, server_reader)))
            conn.mode = rule
            conn.server.write(head + body)
            await conn.server.drain()
            if rule is not None and rule.action == "reset_after":
                _reset(conn.client)
                _reset(conn.server)
                break
            if "chunked" in headers.get("transfer-encoding", ""):
                # Streamed request body: pass the rest through untouched.
                while data := await reader.read(65536):
                    conn.server.write(data)
                    await conn.server.drain()
                break

    async def _server_side(self, conn: _Conn, reader: asyncio.StreamReader) -> None:
        client = conn.client
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                rule = conn.mode
                if rule is None:
                    client.write(data)
                    await client.drain()
                    continue
                action = rule.action
                if action in ("stall", "inject") and b"\r\n\r\n" in data:
                    head, _, rest = data.partition(b"\r\n\r\n")
                    client.write(head + b"\r\n\r\n")
                    if action == "inject":
                        for piece in rule.inject:
                            client.write(chunk(piece))
                        client.write(rest)
                        conn.mode = None
                    await client.drain()
                    if action == "stall":
                        self.stalled.set()
                        self._notify()
                        while await reader.read(65536):
                            pass  # swallow everything the server sends
                        await self._shutdown.wait()  # and keep the client waiting
                        break
                    continue
                if action in ("cut", "reset_stream"):
                    index = data.find(rule.marker)
                    if index < 0:
                        client.write(data)
                        await client.drain()
                        continue
                    client.write(data[:index + len(rule.marker) // 2])
                    await client.drain()
                    if action == "reset_stream":
                        _reset(client)
                    else:
                        client.close()
                    if rule.hold:
                        await self._hold(reader)
                    _reset(conn.server) if conn.server else None
                    break
                if action == "slow":
                    for start in range(0, len(data), rule.slow_bytes):
                        client.write(data[start:start + rule.slow_bytes])
                        await client.drain()
                        await asyncio.sleep(rule.slow_delay)  # the fault: a slow server
                    continue
                client.write(data)
                await client.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            _close(client)


    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """Discard what the server sends until ``release_held()`` (or the server ends)."""
        release = asyncio.ensure_future(self._unhold.wait())
        self.held.set()
        self._notify()

        async def drain() -> None:
            while await reader.read(65536):
                pass

        draining = asyncio.ensure_future(drain())
        await asyncio.wait({release, draining}, return_when=asyncio.FIRST_COMPLETED)
        for task in (release, draining):
            task.cancel()
        await asyncio.gather(release, draining, return_exceptions=True)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort a connection with a TCP RST."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def _close(writer: asyncio.StreamWriter) -> None:
    if not writer.is_closing():
        writer.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll ``predicate`` until true or ``timeout`` (for state the proxy cannot signal)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
