"""Privacy: a run of the runtime opens connections to the app only, resolves no other
host name, and starts no telemetry (no thread beyond the session's stream reader)."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from gradio_codegen_runtime import AsyncClient, Client


def test_only_the_app_is_contacted(
    calls_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    peers: list[Any] = []
    names: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        peers.append(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        peers.append(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        names.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    threads_before = {t.ident for t in threading.enumerate()}
    spawned: set[str] = set()

    with Client(calls_url) as app:
        assert app.predict("/echo", "p") == "p-p"
        ref = app.predict("/file_echo", b"private bytes")
        assert ref.download(tmp_path).read_bytes() == b"private bytes"
        assert list(app.submit("/diffs", 2))[-1][0] == "ab"
        spawned |= {t.name for t in threading.enumerate() if t.ident not in threads_before}

    async def run() -> None:
        async with AsyncClient(calls_url) as app:
            assert await app.predict("/count", 1) == 1
            aref = await app.predict("/file_echo", b"more")
            assert await aref.aread_bytes() == b"more"

    asyncio.run(run())
    app_address = (urlsplit(calls_url).hostname, urlsplit(calls_url).port)
    assert peers, "the socket hooks saw no connection at all"
    assert {(host, port) for host, port, *_ in peers} == {app_address}
    assert set(names) <= {app_address[0]}
    # The only thread a sync client starts is its stream reader (no telemetry thread).
    assert all(name.startswith("gradio-codegen-stream") for name in spawned), spawned
