"""The hot paths for joins and event streams: sockets for the sync client
(``runtime/_h1.py``), a buffered asyncio protocol for the async one
(``runtime/_h1_async.py``), both parsing answers with httptools (``runtime/_wire.py``).
Kept-alive connections, stale ones replaced, login cookies, TLS with and without
certificate checks. Faults on these paths are covered by ``test_faults.py``."""

from __future__ import annotations

import asyncio
import hashlib
import random
import select
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest
import trustme

from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime import _wire
from gradio_codegen_runtime._h1 import H1Pool
from gradio_codegen_runtime._h1_async import AsyncH1Pool, achunks
from gradio_codegen_runtime.errors import APIConnectionError
from tests.reliability.conftest import Resources, executions, new_tag
from tests.reliability.proxy import Proxy, Request, Rule, http_response, wait_until
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(90)


def _hot(request: Request) -> bool:
    """The hot paths ask for no compression where httpx asks for gzip: a request with
    ``accept-encoding: identity`` went through one of them."""
    return request.headers.get("accept-encoding") == "identity"


def test_calls_share_kept_alive_connections(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    client.endpoints()
    tags = [new_tag() for _ in range(10)]
    for tag in tags:
        assert client.predict("/echo", "hi", tag) == f"hi|{tag}"
    queue = proxy.seen("/queue/")
    assert len(queue) == 20 and all(_hot(r) for r in queue)
    assert len({r.conn_id for r in queue}) <= 3  # not one connection per request
    assert not any(_hot(r) for r in proxy.seen("/config"))  # the rest stays on httpx
    client.close()
    resources.assert_released(proxy)


def test_async_calls_share_kept_alive_connections(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    tags = [new_tag() for _ in range(10)]

    async def run() -> list[Any]:
        async with AsyncClient(proxy.url) as client:
            await client.endpoints()
            return [await client.predict("/echo", "hi", tag) for tag in tags]

    assert asyncio.run(run()) == [f"hi|{tag}" for tag in tags]
    queue = proxy.seen("/queue/")
    assert len(queue) == 20 and all(_hot(r) for r in queue)
    assert len({r.conn_id for r in queue}) <= 3
    resources.assert_released(proxy)


def test_connection_closed_by_the_server_is_replaced(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    first = new_tag()
    assert client.predict("/echo", "a", first) == f"a|{first}"
    # The reader reads on to close_stream; a break before it would start a new session.
    assert wait_until(lambda: client._session._response is None, 10)
    proxy.drop_all()  # the server side ends every idle kept-alive connection
    assert proxy.wait_for(lambda: proxy.open_connections() == 0, 10)
    second = new_tag()
    assert client.predict("/echo", "b", second) == f"b|{second}"
    assert executions(jobs_server, "echo", second) == 1
    client.close()
    resources.assert_released(proxy)


def test_async_connection_closed_by_the_server_is_replaced(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    first, second = new_tag(), new_tag()

    async def run() -> tuple[Any, Any]:
        async with AsyncClient(proxy.url) as client:
            a = await client.predict("/echo", "a", first)
            reader = client._session._reader  # reading the stream on to close_stream
            if reader is not None:
                await reader  # a break before close_stream would start a new session
            proxy.drop_all()
            await asyncio.to_thread(proxy.wait_for, lambda: proxy.open_connections() == 0, 10)
            return a, await client.predict("/echo", "b", second)

    assert asyncio.run(run()) == (f"a|{first}", f"b|{second}")
    assert executions(jobs_server, "echo", second) == 1
    resources.assert_released(proxy)


def test_async_stream_answered_with_an_error_status_is_retried(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    # The async client reads the stream in read callbacks on the join's idle
    # connection; an answer it does not take there goes to a reader task as it is.
    proxy.add(Rule("queue/data", "respond", response=http_response(
        503, b'{"detail":"busy"}', {"content-type": "application/json", "retry-after": "0"}
    )))
    tag = new_tag()

    async def run() -> Any:
        async with AsyncClient(proxy.url) as client:
            return await client.predict("/echo", "hi", tag)

    assert asyncio.run(run()) == f"hi|{tag}"
    streams = proxy.seen("queue/data")
    assert len(streams) == 2 and all(_hot(r) for r in streams)
    assert streams[0].conn_id == proxy.seen("queue/join")[0].conn_id
    assert executions(jobs_server, "echo", tag) == 1
    resources.assert_released(proxy)


def test_async_client_serves_one_event_loop_after_another(
    proxy: Proxy, jobs_server: Server
) -> None:
    # asyncio.run may end while the stream is still read on to close_stream, in the
    # read callbacks of a connection of that loop: the next loop starts afresh.
    client = AsyncClient(proxy.url)
    tags = [new_tag() for _ in range(3)]

    async def call(tag: str) -> Any:
        return await client.predict("/echo", "hi", tag)

    assert [asyncio.run(call(tag)) for tag in tags] == [f"hi|{tag}" for tag in tags]
    asyncio.run(client.aclose())  # httpx's connections of the first loop are unusable
    assert all(executions(jobs_server, "echo", tag) == 1 for tag in tags)


def test_login_cookie_reaches_joins_and_streams(serve: Callable[[str, str], Server]) -> None:
    server = serve("gen_auth", "6.31.0")
    proxy = Proxy(server.port)
    try:
        with Client(proxy.url, auth=("user", "secret-pw")) as client:
            assert client.predict("/reverse", "abc") == "cba"
            assert client.predict("/reverse", "xyz") == "zyx"
        queue = proxy.seen("/queue/")
        assert queue and all(_hot(r) and "cookie" in r.headers for r in queue)
    finally:
        proxy.close()


def test_login_cookie_async(serve: Callable[[str, str], Server]) -> None:
    server = serve("gen_auth", "6.31.0")
    proxy = Proxy(server.port)

    async def run() -> Any:
        async with AsyncClient(proxy.url, auth=("user", "secret-pw")) as client:
            return [await client.predict("/reverse", text) for text in ("abc", "xyz")]

    try:
        assert asyncio.run(run()) == ["cba", "zyx"]
        queue = proxy.seen("/queue/")
        assert queue and all(_hot(r) and "cookie" in r.headers for r in queue)
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_proxy(jobs_server: Server, authority: trustme.CA) -> Iterator[Proxy]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    p = Proxy(jobs_server.port, tls=context)
    yield p
    p.close()


def test_tls_without_verification(tls_proxy: Proxy, jobs_server: Server) -> None:
    tag = new_tag()
    with Client(tls_proxy.url, verify=False) as client:
        assert client.predict("/echo", "tls", tag) == f"tls|{tag}"
        assert client.predict("/echo", "again", tag) == f"again|{tag}"
    queue = tls_proxy.seen("/queue/")
    assert len(queue) == 4 and all(_hot(r) for r in queue)


def test_async_tls_without_verification(tls_proxy: Proxy, jobs_server: Server) -> None:
    tag = new_tag()

    async def run() -> list[Any]:
        async with AsyncClient(tls_proxy.url, verify=False) as client:
            return [await client.predict("/echo", text, tag) for text in ("tls", "again")]

    assert asyncio.run(run()) == [f"tls|{tag}", f"again|{tag}"]
    queue = tls_proxy.seen("/queue/")
    assert len(queue) == 4 and all(_hot(r) for r in queue)


def test_tls_verifies_certificates_by_default(tls_proxy: Proxy, jobs_server: Server) -> None:
    # The certificate's authority is not trusted: both paths refuse the connection.
    with pytest.raises(APIConnectionError):
        Client(tls_proxy.url).endpoints()
    pool = H1Pool(tls_proxy.url, verify=True)
    timeout = httpx.Timeout(10.0)
    with pytest.raises(httpx.ConnectError):
        pool.request("GET", tls_proxy.url + "/config", {}, None, timeout)
    unchecked = H1Pool(tls_proxy.url, verify=False)
    answer: Any = unchecked.request("GET", tls_proxy.url + "/config", {}, None, timeout)
    assert answer.status_code == 200 and "components" in answer.json()
    pool.close()
    unchecked.close()


def test_async_tls_verifies_certificates_by_default(tls_proxy: Proxy, jobs_server: Server) -> None:
    timeout = httpx.Timeout(10.0)

    async def run() -> Any:
        with pytest.raises(APIConnectionError):
            async with AsyncClient(tls_proxy.url) as client:
                await client.endpoints()
        pool = AsyncH1Pool(tls_proxy.url, verify=True)
        with pytest.raises(httpx.ConnectError):
            await pool.request("GET", tls_proxy.url + "/config", {}, None, timeout)
        unchecked = AsyncH1Pool(tls_proxy.url, verify=False)
        answer = await unchecked.request("GET", tls_proxy.url + "/config", {}, None, timeout)
        await pool.aclose()
        await unchecked.aclose()
        return answer

    answer = asyncio.run(run())
    assert answer.status_code == 200 and "components" in answer.json()


class _Canned(socketserver.BaseRequestHandler):
    """Answers each request head on a connection with the next canned response; after
    the last one it closes the connection."""

    responses: list[bytes] = []

    def handle(self) -> None:
        buffer = b""
        for response in self.responses:
            while b"\r\n\r\n" not in buffer:
                data = self.request.recv(65536)
                if not data:
                    return
                buffer += data
            buffer = buffer.split(b"\r\n\r\n", 1)[1]
            self.request.sendall(response)


@pytest.fixture
def canned() -> Iterator[Callable[[list[bytes]], str]]:
    servers: list[socketserver.ThreadingTCPServer] = []

    def start(responses: list[bytes]) -> str:
        handler = type("Handler", (_Canned,), {"responses": responses})
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


FULL = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789"
SHORT = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n01234"
CUT_CHUNK = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\na\r\n01234"


def test_streamed_bodies_reuse_the_connection(canned: Callable[[list[bytes]], str]) -> None:
    url = canned([FULL, FULL])
    pool = H1Pool(url, verify=True)
    for _ in range(2):  # the second one needs the first connection back in the pool
        response = pool.stream("GET", url + "/f", {}, httpx.Timeout(10.0))
        assert b"".join(response.iter_bytes()) == b"0123456789"
        response.close()
    pool.close()


@pytest.mark.parametrize("answer", [SHORT, CUT_CHUNK], ids=["content-length", "chunked"])
def test_streamed_body_cut_short_is_an_error(
    canned: Callable[[list[bytes]], str], answer: bytes
) -> None:
    url = canned([answer])
    pool = H1Pool(url, verify=True)
    response = pool.stream("GET", url + "/f", {}, httpx.Timeout(10.0))
    with pytest.raises(httpx.RemoteProtocolError):
        b"".join(response.iter_bytes())
    pool.close()

    async def run() -> None:
        apool = AsyncH1Pool(url, verify=True)
        aresponse = await apool.stream("GET", url + "/f", {}, httpx.Timeout(10.0))
        with pytest.raises(httpx.RemoteProtocolError):
            b"".join([chunk async for chunk in aresponse.aiter_bytes()])
        await apool.aclose()

    asyncio.run(run())


def _both(url: str, method: str, path: str) -> list[tuple[Any, int]]:
    """One request through each pool: the answer and how many connections it kept."""
    timeout = httpx.Timeout(10.0)
    pool = H1Pool(url, verify=True)
    answers = [(pool.request(method, url + path, {}, None, timeout), len(pool._idle))]
    pool.close()

    async def run() -> tuple[Any, int]:
        apool = AsyncH1Pool(url, verify=True)
        answer = await apool.request(method, url + path, {}, None, timeout)
        kept = len(apool._idle)
        await apool.aclose()
        return answer, kept

    answers.append(asyncio.run(run()))
    return answers


@pytest.mark.parametrize(
    ("answer", "body", "reusable"),
    [
        (b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + FULL, b"0123456789", True),
        (b"HTTP/1.1 200 OK\r\n\r\nread until the end", b"read until the end", False),
        (b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi", b"hi", False),
        (FULL + b"HTTP/1.1 200 OK\r\n", b"0123456789", False),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", b"abc", True),
    ],
    ids=["interim-answer", "until-close", "connection-close", "bytes-after", "chunked"],
)
def test_answers_are_framed_and_connections_kept_only_when_clean(
    canned: Callable[[list[bytes]], str], answer: bytes, body: bytes, reusable: bool
) -> None:
    url = canned([answer])
    for response, kept in _both(url, "GET", "/f"):
        assert (response.status_code, response.content, kept) == (200, body, int(reusable))


def test_answers_read_whole_without_httpx_internals(
    canned: Callable[[list[bytes]], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read answer's body is stored where httpx's ``Response.read`` stores it; were
    a later httpx to store it elsewhere, the pools fall back to ``Response(content=)``."""
    monkeypatch.setattr(_wire, "_STORES_CONTENT", False)
    url = canned([b'HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n{"a": 1}'])
    for response, kept in _both(url, "GET", "/f"):
        assert (response.status_code, response.json(), kept) == (200, {"a": 1}, 1)


def test_garbage_answer_is_a_protocol_error(canned: Callable[[list[bytes]], str]) -> None:
    url = canned([b"HTTP/1.1 abc\r\n\r\n"])
    with pytest.raises(httpx.RemoteProtocolError):
        H1Pool(url, verify=True).request("GET", url + "/f", {}, None, httpx.Timeout(10.0))

    async def run() -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await AsyncH1Pool(url, verify=True).request(
                "GET", url + "/f", {}, None, httpx.Timeout(10.0)
            )

    asyncio.run(run())


@pytest.mark.parametrize(
    "headers",
    [{"x-a:b": "c"}, {"x-a b": "c"}, {"x-a": "b\r\nx-c: d"}, {"": "c"}, {"Host": "other"},
     {"Content-Length": "0"}, {"Transfer-Encoding": "chunked"}, {"x-a": "caf\u00e9"}],
    ids=["colon", "space", "newline", "empty", "host", "length", "chunked", "non-ascii"],
)
def test_requests_the_pools_cannot_write_verbatim_go_through_httpx(headers: dict[str, str]) -> None:
    url = "http://127.0.0.1:9"
    assert H1Pool(url, verify=True).accepts(url + "/f", {"x-ok": "fine"})
    assert not H1Pool(url, verify=True).accepts(url + "/f", headers)
    assert not AsyncH1Pool(url, verify=True).accepts(url + "/f", headers)
    assert not H1Pool(url, verify=True).accepts(url + "/a b", {})


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """A server that hands each accepted connection to ``handle`` on its own thread."""
    listeners: list[socket.socket] = []

    def start(handle: Callable[[socket.socket], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    sock, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=handle, args=(sock,), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for listener in listeners:
        listener.close()


def _read_request(sock: socket.socket) -> bytes:
    """A request's body (by its content-length; none without one)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        body += sock.recv(1 << 20)
    return body


def test_async_pool_writes_a_large_body_whole(
    raw_server: Callable[[Callable[[socket.socket], None]], str]
) -> None:
    """32 MB is far past the transport's write buffer: the send waits for it to drain."""
    def handle(sock: socket.socket) -> None:
        with sock:
            digest = hashlib.sha256(_read_request(sock)).hexdigest().encode()
            sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 64\r\n\r\n" + digest)

    url = raw_server(handle)
    body = random.Random(5).randbytes(32 << 20)

    async def run() -> Any:
        pool = AsyncH1Pool(url, verify=True)
        answer = await pool.request("POST", url + "/join", {}, body, httpx.Timeout(30.0))
        await pool.aclose()
        return answer

    assert asyncio.run(run()).content == hashlib.sha256(body).hexdigest().encode()


def test_a_body_the_server_does_not_read_is_a_write_timeout(
    raw_server: Callable[[Callable[[socket.socket], None]], str]
) -> None:
    done = threading.Event()

    def handle(sock: socket.socket) -> None:
        with sock:
            done.wait(60)  # reads nothing: the client's writes fill the buffers and stop

    url = raw_server(handle)
    body, timeout = bytes(64 << 20), httpx.Timeout(30.0, write=0.5)
    try:
        with pytest.raises(httpx.WriteTimeout):
            H1Pool(url, verify=True).request("POST", url + "/join", {}, body, timeout)

        async def run() -> None:
            pool = AsyncH1Pool(url, verify=True)
            with pytest.raises(httpx.WriteTimeout):
                await pool.request("POST", url + "/join", {}, body, timeout)
            await pool.aclose()

        asyncio.run(run())
    finally:
        done.set()


def test_a_shorter_timeout_on_a_kept_alive_connection_applies(
    raw_server: Callable[[Callable[[socket.socket], None]], str]
) -> None:
    """The async pool keeps one timer per connection: a wait with a shorter timeout
    than the one before must still end on time (else this hangs for 1000 s)."""
    done = threading.Event()

    def handle(sock: socket.socket) -> None:
        with sock:
            _read_request(sock)
            sock.sendall(FULL)
            _read_request(sock)
            done.wait(60)  # no answer to the second request

    url = raw_server(handle)

    async def run() -> None:
        pool = AsyncH1Pool(url, verify=True)
        first = await pool.request("GET", url + "/a", {}, None, httpx.Timeout(1000.0))
        assert first.content == b"0123456789"
        with pytest.raises(httpx.ReadTimeout):
            await pool.request("GET", url + "/b", {}, None, httpx.Timeout(0.5))
        await pool.aclose()

    try:
        asyncio.run(run())
    finally:
        done.set()


def test_async_pool_stops_reading_for_a_slow_reader(
    raw_server: Callable[[Callable[[socket.socket], None]], str]
) -> None:
    """While the caller holds a streamed body's first chunk, the connection buffers a
    bounded amount and then stops reading: the server's writes block (it would finish
    sending 256 MB in a fraction of a second otherwise). The rest then arrives whole."""
    size = 256 << 20
    outcome: list[str] = []
    decided = threading.Event()

    def handle(sock: socket.socket) -> None:
        with sock:
            _read_request(sock)
            sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
            sock.setblocking(False)
            block, sent = b"x" * (1 << 20), 0
            while sent < size:
                try:
                    sent += sock.send(block[: size - sent])
                except BlockingIOError:
                    if not outcome and not select.select([], [sock], [], 2.0)[1]:
                        outcome.append("blocked")  # the client stopped reading
                        decided.set()
                    select.select([], [sock], [], 60.0)
            if not outcome:
                outcome.append("sent everything")
                decided.set()

    url = raw_server(handle)

    async def run() -> int:
        pool = AsyncH1Pool(url, verify=True)
        response = await pool.stream("GET", url + "/file", {}, httpx.Timeout(60.0))
        chunks = achunks(response)
        received = len(await chunks.__anext__())
        await asyncio.to_thread(decided.wait, 60)  # the event loop runs meanwhile
        async for chunk in chunks:
            received += len(chunk)
        await pool.aclose()
        return received

    assert asyncio.run(run()) == size
    assert outcome == ["blocked"]


class _Collect:
    """A ``Feed`` that keeps the body and how it ended."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.data = b""
        self.ended: asyncio.Future[BaseException | None] = loop.create_future()

    def head(self, answer: _wire.Answer) -> bool:
        return answer.status == 200

    def chunk(self, data: bytes) -> None:
        self.data += data

    def end(self, error: BaseException | None) -> None:
        self.ended.set_result(error)

    def takeover(self, response: httpx.Response) -> None:
        self.ended.set_exception(AssertionError(f"handed over: {response.status_code}"))


def test_async_connection_paused_for_a_slow_reader_reads_again_when_reused(
    raw_server: Callable[[Callable[[socket.socket], None]], str]
) -> None:
    """A body that ends while its connection has stopped reading for a slow reader
    leaves the connection idle: reused for a stream read in read callbacks (the async
    event stream), it reads again."""
    size = 300 << 10  # whole after the read that crosses the 256 KiB mark
    event = b"data: {}\n\n"

    def handle(sock: socket.socket) -> None:
        with sock:
            _read_request(sock)
            sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size + b"x" * size)
            _read_request(sock)
            sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(event) + event)
            sock.recv(1)  # until the client closes

    url = raw_server(handle)

    async def run() -> tuple[int, BaseException | None, bytes]:
        loop = asyncio.get_running_loop()
        pool = AsyncH1Pool(url, verify=True)
        response = await pool.stream("GET", url + "/file", {}, httpx.Timeout(10.0))
        answer: _wire.Answer = response.stream._answer  # type: ignore[attr-defined]
        deadline = loop.time() + 10
        while not answer.done and loop.time() < deadline:
            await asyncio.sleep(0)  # the loop reads the body; nobody takes it yet
        received = 0
        async for chunk in achunks(response):
            received += len(chunk)
        feed = _Collect(loop)
        assert pool.feed(url + "/queue/data", {}, 10.0, feed) is not None  # the same connection
        error = await asyncio.wait_for(feed.ended, 10)
        await pool.aclose()
        return received, error, feed.data

    assert asyncio.run(run()) == (size, None, event)


def test_clients_left_open_close_their_connections_at_exit(jobs_server: Server) -> None:
    """The shared client behind an SDK's module-level functions is never closed by its
    user: at exit the runtime closes every sync client still open, so no kept-alive
    socket is left for the interpreter to warn about."""
    tag = new_tag()
    script = (
        "import sys\n"
        "from gradio_codegen_runtime import Client\n"
        "client = Client(sys.argv[1])\n"
        "print(client.predict('/echo', 'left open', sys.argv[2]))\n"
        "other = Client(sys.argv[1])\n"
        "job = other.submit('/echo', 'submitted', sys.argv[2])\n"
        "print(job.result(timeout=60))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", script, jobs_server.url, tag],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [f"left open|{tag}", f"submitted|{tag}"]
    assert "ResourceWarning" not in done.stderr, done.stderr
