"""Hostile servers: crafted file names, endless bodies and cross-host redirects."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from gradio_codegen_runtime import AsyncClient, Client, _sse
from gradio_codegen_runtime.errors import ProtocolError
from gradio_codegen_runtime.files import FileRef
from tests.reliability.fake_server import FakeGradio, completed, file_data
from tests.reliability.proxy import wait_until
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(120)

HOSTILE_NAMES = [
    "../../escape.txt", "/etc/passwd", "..\\..\\windows.txt", "evil\x00name.txt", "CON",
    "aux.txt", "nul.tar.gz", "COM1.log", "lpt9", "", ".", "..", ".hidden", "a/../../b.txt",
    "x" * 1000 + ".txt", "\u202egnp.exe", "new\nline.txt", "C:\\Windows\\win.ini",
    "//server/share/f", "😀/../../x", "name with spaces .txt ", "tab\tname", "pipe|name?.txt",
]
TOKEN = "hf_HOSTILE_TOKEN_1234"
COOKIE = "sid=COOKIE_SECRET_5678"


@pytest.fixture(scope="module")
def app_schema() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """/config and /info of a real gradio 6.31 app, for the fake server to replay."""
    from tests.servers.pool import start_server

    server: Server = start_server("rel_files", "6.31.0")
    try:
        with httpx.Client(trust_env=False, timeout=30) as http:
            config = http.get(server.url + "/config").json()
            info = http.get(server.url + "/gradio_api/info").json()
    finally:
        server.stop()
    yield config, info


@pytest.fixture
def fake(app_schema: tuple[dict[str, Any], dict[str, Any]]) -> Iterator[FakeGradio]:
    server = FakeGradio(*app_schema)
    yield server
    server.close()


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_hostile_file_names_never_escape(fake: FakeGradio, tmp_path: Path) -> None:
    refs = [file_data(f"/srv/{i}/{name}", name) for i, name in enumerate(HOSTILE_NAMES)]
    fake.messages = [completed(refs[0], refs)]
    target = tmp_path / "a" / "downloads"
    with Client(fake.url) as client:
        first, meta = client.predict("/fetch", "x")
        assert isinstance(first, FileRef) and len(meta) == len(HOSTILE_NAMES)
        for i, ref in enumerate(meta):
            assert isinstance(ref, FileRef)
            written = ref.download(target)
            assert written.parent == target.resolve()
            assert written.read_bytes().startswith(b"payload:")
            assert "\x00" not in written.name and "/" not in written.name
            assert written.name.split(".")[0].upper() not in ("CON", "AUX", "NUL", "COM1", "LPT9")
        for i, name in enumerate(HOSTILE_NAMES[:6]):
            written = meta[i].download(target, name=name)
            assert written.parent == target.resolve()

    async def run_async() -> None:
        async with AsyncClient(fake.url) as client:
            _, meta = await client.predict("/fetch", "y")
            for ref in meta:
                written = await ref.adownload(target)
                assert written.parent == target.resolve()

    fake.messages = [completed(refs[0], refs)]
    asyncio.run(run_async())
    assert all(target.resolve() in p.resolve().parents for p in _files_under(tmp_path))


def _endless(piece: bytes) -> Callable[[], Iterator[bytes]]:
    def body() -> Iterator[bytes]:
        while True:
            yield piece

    return body


def test_endless_download_is_bounded(fake: FakeGradio, tmp_path: Path) -> None:
    fake.files["endless"] = _endless(b"\0" * 65536)
    fake.messages = [completed(file_data("endless", "big.bin"), None)]
    limit = 4 * 1024 * 1024
    with Client(fake.url, max_download_size=limit) as client:
        ref, _ = client.predict("/fetch", "x")
        with pytest.raises(ProtocolError, match="more than"):
            ref.download(tmp_path)
        with pytest.raises(ProtocolError, match="more than"):
            ref.read_bytes()
    assert _files_under(tmp_path) == []  # the partial download was removed

    async def run_async() -> None:
        async with AsyncClient(fake.url, max_download_size=limit) as client:
            ref, _ = await client.predict("/fetch", "x")
            with pytest.raises(ProtocolError):
                await ref.adownload(tmp_path)

    fake.messages = [completed(file_data("endless", "big.bin"), None)]
    asyncio.run(run_async())
    assert _files_under(tmp_path) == []


@pytest.mark.parametrize(
    "body", [b"a" * 65536, b"data: " + b"a" * 65530 + b"\n", b"data: a\n" * 8192],
    ids=["endless-line", "endless-event", "endless-tiny-lines"],
)
def test_endless_event_stream_is_bounded(
    fake: FakeGradio, body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sse, "MAX_EVENT_BYTES", 2 * 1024 * 1024)
    start = b"data: " if body.startswith(b"a") else b""
    pieces = _endless(body)
    fake.raw_stream = lambda: itertools.chain([start], _take(pieces(), 10_000))
    with Client(fake.url) as client:
        with pytest.raises(ProtocolError, match="oversized"):
            client.predict("/fetch", "x")


def _take(it: Iterator[bytes], n: int) -> Iterator[bytes]:
    for _, piece in zip(range(n), it):
        yield piece


def test_redirect_to_other_host_drops_token_and_cookies(fake: FakeGradio) -> None:
    other = FakeGradio(host="localhost")
    try:
        fake.set_cookie = COOKIE + "; Path=/"
        fake.files["moved"] = ("redirect", other.url + "/gradio_api/file=target")
        remote = other.url + "/gradio_api/file=remote"
        fake.messages = [completed(file_data("moved", "m.txt"), [file_data(remote, "r.txt", remote)])]
        with Client(fake.url, token=TOKEN, allow_token_hosts=[fake.url]) as client:
            ref, meta = client.predict("/fetch", "x")
            assert ref.read_bytes() == b"payload:target"
            assert meta[0].read_bytes() == b"payload:remote"
        own = [r for r in fake.requests if "/file=moved" in r.path]
        assert own and own[0].headers.get("x-hf-authorization") == f"Bearer {TOKEN}"
        assert "COOKIE_SECRET" in own[0].headers.get("cookie", "")
        assert len(other.requests) == 2
        for request in other.requests:
            text = json.dumps(request.headers)
            assert TOKEN not in text and "COOKIE_SECRET" not in text
            assert "authorization" not in request.headers and "cookie" not in request.headers
    finally:
        other.close()


def test_async_download_keeps_cookies_on_the_app_only(fake: FakeGradio, tmp_path: Path) -> None:
    """Async downloads run in a thread on the sync stack: the async client's cookies go
    along to the app's host and never follow a redirect to another host."""
    other = FakeGradio(host="localhost")
    try:
        fake.set_cookie = COOKIE + "; Path=/"
        fake.files["moved"] = ("redirect", other.url + "/gradio_api/file=target")
        fake.messages = [completed(file_data("moved", "m.txt"), None)]

        async def run() -> Path:
            async with AsyncClient(fake.url) as client:
                ref, _ = await client.predict("/fetch", "x")
                return await ref.adownload(tmp_path)

        written = asyncio.run(run())
        assert written.read_bytes() == b"payload:target"
        own = [r for r in fake.requests if "/file=moved" in r.path]
        assert own and "COOKIE_SECRET" in own[0].headers.get("cookie", "")
        assert len(other.requests) == 1 and "cookie" not in other.requests[0].headers
    finally:
        other.close()


def test_cancelled_async_download_leaves_nothing(fake: FakeGradio, tmp_path: Path) -> None:
    fake.files["endless"] = _endless(b"\0" * 65536)
    fake.messages = [completed(file_data("endless", "big.bin"), None)]

    def downloading() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "gradio-codegen-download"]

    async def run() -> None:
        async with AsyncClient(fake.url, max_download_size=None) as client:
            ref, _ = await client.predict("/fetch", "x")
            task = asyncio.create_task(ref.adownload(tmp_path))
            started = await asyncio.to_thread(
                wait_until, lambda: any(p.stat().st_size > 0 for p in _files_under(tmp_path))
            )
            assert started and downloading()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # With the client still open, the thread stops and removes its partial file.
            stopped = await asyncio.to_thread(
                wait_until, lambda: not downloading() and not _files_under(tmp_path), 10
            )
            assert stopped

    asyncio.run(run())


STREAM_LOOP_CRASH = b'data: {"msg":"unexpected_error","message":"KeyError: 7","event_id":null}\n\n'


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_stream_error_naming_no_job_reopens_the_stream(fake: FakeGradio, kind: str) -> None:
    """Gradio 4.x/5.x report a crash of their stream loop as an ``unexpected_error``
    naming no job and keep the session: the stream is opened again and the job gets
    its result (the async client reads its first stream in read callbacks)."""
    fake.messages = [completed(None, {"k": 1})]
    opened: list[int] = []

    def stream() -> Iterator[bytes]:
        opened.append(len(opened))
        if len(opened) == 1:
            yield STREAM_LOOP_CRASH
            return
        fake.raw_stream = None
        yield from fake._sse()

    fake.raw_stream = stream
    if kind == "sync":
        with Client(fake.url) as client:
            assert client.predict("/fetch", "x") == (None, {"k": 1})
    else:
        async def run() -> Any:
            async with AsyncClient(fake.url) as client:
                return await client.predict("/fetch", "x")

        assert asyncio.run(run()) == (None, {"k": 1})
    assert len(opened) == 2
