"""Connecting: URL with and without a mount path, API prefix and protocol from /config,
password auth, and the errors for an unusable server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gradio_codegen_runtime import (
    MAX_DOWNLOAD_SIZE,
    STREAM_READ_TIMEOUT,
    AsyncClient,
    AuthenticationError,
    Client,
    NotFoundError,
    ServerInfo,
)


def test_prefix_and_protocol_from_config(calls_url: str, gradio_version: str) -> None:
    with Client(calls_url + "/") as app:
        assert app.predict("/echo", "hi") == "hi-hi"
        server = app._conn.server
        assert server is not None
        assert server.protocol == "sse_v3"
        assert server.version == gradio_version
        assert server.api_prefix == ("" if gradio_version.startswith("4.") else "/gradio_api")
        assert app.url == calls_url


def test_unknown_endpoint_and_unknown_app_path(calls_url: str) -> None:
    with Client(calls_url) as app:
        with pytest.raises(NotFoundError, match="/nope"):
            app.predict("/nope")
    with Client(calls_url + "/not-here") as app:
        with pytest.raises(NotFoundError):
            app.predict("/echo", "x")


def test_server_info_of_old_configs() -> None:
    """3.x configs have no protocol (the WebSocket one, "ws") and may end their
    version with a newline; 4.0-4.8 say "sse"."""
    old = ServerInfo.from_config({"version": "3.36.1\n", "mode": "blocks"})
    assert (old.protocol, old.version, old.api_prefix) == ("ws", "3.36.1", "")
    assert ServerInfo.from_config({"version": "4.7.1", "protocol": "sse"}).protocol == "sse"
    info = ServerInfo.from_config({"version": "5.1", "protocol": "sse_v3",
                                   "api_prefix": "/gradio_api/", "max_file_size": 10})
    assert (info.api_prefix, info.protocol, info.max_file_size) == ("/gradio_api", "sse_v3", 10)


@pytest.mark.parametrize("client_cls", [Client, AsyncClient])
def test_download_and_stream_limits_are_options(client_cls: type[Client | AsyncClient]) -> None:
    """Nothing is sent: the options are checked and stored at construction."""
    url = "http://127.0.0.1:9"
    default = client_cls(url)._conn
    assert default.max_download_size == MAX_DOWNLOAD_SIZE == 20 * 1024**3
    assert default.stream_timeout == STREAM_READ_TIMEOUT == 60.0
    # The stream's read timeout follows stream_timeout, not the request timeout.
    conn = client_cls(url, timeout=1.0, max_download_size=1024, stream_timeout=30)._conn
    assert conn.max_download_size == 1024
    assert conn.stream_http_timeout.read == 30.0 and conn.timeout.read == 1.0
    unlimited = client_cls(url, max_download_size=None, stream_timeout=None)._conn
    assert unlimited.max_download_size is None and unlimited.stream_http_timeout.read is None
    bad: list[tuple[str, Any]] = [
        ("max_download_size", 0), ("max_download_size", -5), ("max_download_size", 1.5),
        ("max_download_size", True), ("max_download_size", "1024"),
        ("stream_timeout", 0), ("stream_timeout", -1.0), ("stream_timeout", float("nan")),
        ("stream_timeout", float("inf")), ("stream_timeout", False), ("stream_timeout", "60"),
    ]
    for option, value in bad:
        with pytest.raises(ValueError, match=f"^{option} must be"):
            client_cls(url, **{option: value})
    # Checked before a Space id would be resolved through the Hub.
    with pytest.raises(ValueError, match="stream_timeout"):
        client_cls("owner/space", stream_timeout=-1)


def test_mount_path_and_password_auth(serve: Any, gradio_version: str) -> None:
    url = serve("rt_mount", gradio_version).url + "/sub"
    with Client(url, auth=("user", "pw")) as app:
        assert app.predict("/shout", "hey") == "HEY"
        assert app.predict("/reverse", "abc") == "cba"
    with Client(url, auth=("user", "wrong")) as app:
        with pytest.raises(AuthenticationError) as wrong:
            app.predict("/shout", "hey")
        assert wrong.value.status_code == 400  # gradio answers a bad login with 400
        assert "wrong" not in str(wrong.value)
    with Client(url) as app:
        with pytest.raises(AuthenticationError) as missing:
            app.predict("/shout", "hey")
        assert missing.value.status_code == 401

    async def run() -> None:
        async with AsyncClient(url + "/", auth=("user", "pw")) as app:
            assert await app.predict("/shout", "abc") == "ABC"
            assert await app.predict("/reverse", "xyz") == "zyx"
        async with AsyncClient(url, auth=("user", "nope")) as app:
            with pytest.raises(AuthenticationError):
                await app.predict("/shout", "abc")
        async with AsyncClient(url) as app:
            with pytest.raises(AuthenticationError):
                await app.predict("/shout", "abc")

    asyncio.run(run())
